import { useId, useState, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from "react";

import { IconButton } from "./Button";
import "./Field.css";

// Every control carries aria-label equal to its visible <label>: the end-to-end tests find
// controls by aria-label, and people find them by the label.

interface FieldFrameProps {
  id: string;
  label: string;
  hint?: ReactNode;
  hintId: string;
  children: ReactNode;
}

function FieldFrame({ id, label, hint, hintId, children }: FieldFrameProps) {
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {children}
      {hint ? (
        <div className="field-hint" id={hintId}>
          {hint}
        </div>
      ) : null}
    </div>
  );
}

type TextFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, "aria-label"> & {
  label: string;
  hint?: ReactNode;
  mono?: boolean;
};

export function TextField({ label, hint, mono, className, ...input }: TextFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <FieldFrame id={id} label={label} hint={hint} hintId={hintId}>
      <input
        id={id}
        type="text"
        autoComplete="off"
        spellCheck={false}
        {...input}
        aria-label={label}
        aria-describedby={hint ? hintId : undefined}
        className={["input", mono ? "mono" : "", className ?? ""].filter(Boolean).join(" ")}
      />
    </FieldFrame>
  );
}

/** A password input; `revealable` adds a show/hide toggle (the value is already in this field). */
export function PasswordField({ label, hint, revealable, ...input }: TextFieldProps & { revealable?: boolean }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const [shown, setShown] = useState(false);
  return (
    <FieldFrame id={id} label={label} hint={hint} hintId={hintId}>
      <div className="input-wrap">
        <input
          id={id}
          type={shown ? "text" : "password"}
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          {...input}
          aria-label={label}
          aria-describedby={hint ? hintId : undefined}
          className={`input mono${revealable ? " has-trailing" : ""}`}
        />
        {revealable ? (
          <IconButton
            size="sm"
            className="input-trailing"
            icon={shown ? "eyeOff" : "eye"}
            label={`${shown ? "Hide" : "Show"} ${label.toLowerCase()}`}
            aria-pressed={shown}
            onClick={() => setShown((s) => !s)}
          />
        ) : null}
      </div>
    </FieldFrame>
  );
}

type TextAreaFieldProps = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "aria-label"> & {
  label: string;
  hint?: ReactNode;
  mono?: boolean;
};

export function TextAreaField({ label, hint, mono, className, ...textarea }: TextAreaFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <FieldFrame id={id} label={label} hint={hint} hintId={hintId}>
      <textarea
        id={id}
        rows={3}
        {...textarea}
        aria-label={label}
        aria-describedby={hint ? hintId : undefined}
        className={["input", "textarea", mono ? "mono" : "", className ?? ""].filter(Boolean).join(" ")}
      />
    </FieldFrame>
  );
}

type SelectFieldProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, "aria-label"> & {
  label: string;
  hint?: ReactNode;
  children: ReactNode;
};

export function SelectField({ label, hint, children, ...select }: SelectFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <FieldFrame id={id} label={label} hint={hint} hintId={hintId}>
      <select id={id} {...select} aria-label={label} aria-describedby={hint ? hintId : undefined} className="input select">
        {children}
      </select>
    </FieldFrame>
  );
}

type CheckboxFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, "aria-label" | "type"> & {
  label: string;
  hint?: ReactNode;
};

export function CheckboxField({ label, hint, ...input }: CheckboxFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label className="checkbox" htmlFor={id}>
        <input id={id} type="checkbox" {...input} aria-label={label} aria-describedby={hint ? hintId : undefined} />
        {label}
      </label>
      {hint ? (
        <div className="field-hint" id={hintId}>
          {hint}
        </div>
      ) : null}
    </div>
  );
}

type FileFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, "aria-label" | "type" | "value" | "onChange"> & {
  label: string;
  hint?: ReactNode;
  /** The picked file, or null when the choice was cleared. */
  onFile: (file: File | null) => void;
};

export function FileField({ label, hint, onFile, ...input }: FileFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <FieldFrame id={id} label={label} hint={hint} hintId={hintId}>
      <input
        id={id}
        type="file"
        {...input}
        aria-label={label}
        aria-describedby={hint ? hintId : undefined}
        className="input input-file"
        onChange={(e) => onFile(e.target.files?.[0] ?? null)}
      />
    </FieldFrame>
  );
}

interface RadioGroupFieldProps<T extends string> {
  label: string;
  value: T;
  options: ReadonlyArray<{ value: T; label: string }>;
  onChange: (value: T) => void;
}

/** Native radios (arrow keys move between them), each named by its own label. */
export function RadioGroupField<T extends string>({ label, value, options, onChange }: RadioGroupFieldProps<T>) {
  const name = useId();
  return (
    <div className="field">
      <span className="field-label" aria-hidden="true">
        {label}
      </span>
      <div role="radiogroup" aria-label={label} className="radio-row">
        {options.map((option) => (
          <label key={option.value} className="checkbox">
            <input
              type="radio"
              name={name}
              value={option.value}
              checked={value === option.value}
              aria-label={option.label}
              onChange={() => onChange(option.value)}
            />
            {option.label}
          </label>
        ))}
      </div>
    </div>
  );
}
