/** The Herald mark and name. */
export function Logo() {
  return (
    <span className="logo">
      <svg className="logo__mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
        <rect width="32" height="32" rx="8" fill="currentColor" />
        <circle cx="16" cy="16" r="6" fill="#fff" />
        <circle cx="23" cy="23" r="5" fill="#22c55e" stroke="currentColor" strokeWidth="2" />
      </svg>
      <span className="logo__name">Herald</span>
    </span>
  );
}
