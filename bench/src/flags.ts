/** Command-line flags of the bench's commands: `--key value`, `--key=value`, and a bare `--flag` ("true"). */
export function readFlags(argv: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) continue;
    const [key, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
    if (inline !== undefined) flags.set(key, inline);
    else if (argv[i + 1] && !argv[i + 1]!.startsWith("--")) flags.set(key, argv[++i]!);
    else flags.set(key, "true");
  }
  return flags;
}

/** The flag as a positive number, `fallback` when absent; anything else fails naming the flag. */
export function positiveNumber(flags: Map<string, string>, key: string, fallback: number): number {
  const value = Number(flags.get(key) ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${key}: must be a positive number, not ${flags.get(key)}`);
  return value;
}
