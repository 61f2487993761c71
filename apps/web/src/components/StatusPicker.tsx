/** Choose how friends see you. Takes effect at once, on all your devices. */
import { CHOSEN_STATUS_OPTIONS, dotStatusOfChosen } from "../display/status-labels";
import type { ChosenStatus } from "@herald/client";
import { StatusDot } from "./StatusDot";

export function StatusPicker(props: { value: ChosenStatus | undefined; onChange: (status: ChosenStatus) => void; disabled?: boolean }) {
  const { value, onChange, disabled } = props;
  return (
    <fieldset className="status-picker" disabled={disabled}>
      <legend className="visually-hidden">Status</legend>
      {CHOSEN_STATUS_OPTIONS.map((option) => (
        <label key={option.value} className="status-option">
          <input type="radio" name="status" value={option.value} checked={value === option.value} onChange={() => onChange(option.value)} />
          <span className="status-option__box">
            <span className={option.value === "invisible" ? "status-dot-wrap status-dot-wrap--invisible" : "status-dot-wrap"}>
              <StatusDot status={dotStatusOfChosen(option.value)} />
            </span>
            <span className="status-option__text">
              <span className="status-option__label">{option.label}</span>
              <span className="status-option__hint">{option.hint}</span>
            </span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
