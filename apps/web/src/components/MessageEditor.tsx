/** Your custom status message: saved on submit, cleared with one click. */
import { LIMITS } from "@herald/protocol";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";

export function MessageEditor(props: { message: string | null; saving: boolean; onSave: (message: string | null) => void }) {
  const { message, saving, onSave } = props;
  const [draft, setDraft] = useState(message ?? "");
  const shown = useRef(message);
  const inputId = useId();

  // A change from another device (or our own save coming back) shows up here, unless you are
  // in the middle of typing something else.
  useEffect(() => {
    const before = shown.current ?? "";
    shown.current = message;
    setDraft((current) => (current === before || current.trim() === (message ?? "") ? (message ?? "") : current));
  }, [message]);

  const trimmed = draft.trim();
  const changed = trimmed !== (message ?? "");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (changed) onSave(trimmed === "" ? null : trimmed);
  };
  const clear = () => {
    setDraft("");
    onSave(null);
  };

  return (
    <form className="message-editor" onSubmit={submit}>
      <label htmlFor={inputId}>Status message</label>
      <div className="message-editor__row">
        <input
          id={inputId}
          name="message"
          placeholder="What are you up to?"
          maxLength={LIMITS.message.maxLength}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
        />
        <button type="submit" className="button button--primary" disabled={saving || !changed}>
          Save
        </button>
        {message ? (
          <button type="button" className="button button--ghost" disabled={saving} onClick={clear}>
            Clear
          </button>
        ) : null}
      </div>
    </form>
  );
}
