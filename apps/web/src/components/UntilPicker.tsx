/** How long the status you choose lasts: for a while, today, this week, or until a time you pick. */
import { LIMITS } from "@herald/protocol";
import { useId } from "react";
import { localInputValue, UNTIL_CHOICES, type UntilChoice } from "../display/until-time";

export function UntilPicker(props: {
  choice: UntilChoice;
  picked: string;
  onChange: (choice: UntilChoice, picked: string) => void;
  disabled?: boolean;
}) {
  const { choice, picked, onChange, disabled } = props;
  const selectId = useId();
  const pickId = useId();
  const now = new Date();
  return (
    <div className="until-picker">
      <label htmlFor={selectId}>How long</label>
      <select id={selectId} value={choice} disabled={disabled} onChange={(event) => onChange(event.target.value as UntilChoice, picked)}>
        {UNTIL_CHOICES.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {choice === "pick" ? (
        <>
          <label htmlFor={pickId} className="visually-hidden">
            Ends at
          </label>
          <input
            id={pickId}
            type="datetime-local"
            value={picked}
            min={localInputValue(now)}
            max={localInputValue(new Date(now.getTime() + LIMITS.until.maxAheadMs))}
            disabled={disabled}
            onChange={(event) => onChange("pick", event.target.value)}
          />
        </>
      ) : null}
    </div>
  );
}
