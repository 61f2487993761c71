/** Who sees your exact last seen, by default: friends, approximately, or nobody. */
import type { LastSeenLevel } from "@herald/client";
import { LAST_SEEN_LEVEL_OPTIONS } from "../display/last-seen-labels";

export function LastSeenLevelPicker(props: { value: LastSeenLevel; onChange: (level: LastSeenLevel) => void; disabled?: boolean }) {
  const { value, onChange, disabled } = props;
  return (
    <fieldset className="last-seen-level" disabled={disabled}>
      <legend>Who sees your last seen</legend>
      {LAST_SEEN_LEVEL_OPTIONS.map((option) => (
        <label key={option.value} className="checkbox">
          <input
            type="radio"
            name="last-seen-level"
            value={option.value}
            checked={value === option.value}
            onChange={() => onChange(option.value)}
          />
          <span>
            {option.label} <span className="field__hint">{option.hint}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
