import { useState } from "react";

import type { KindInfo } from "../../bindings/KindInfo";
import type { SecretKind } from "../../bindings/SecretKind";
import type { SecretValue } from "../../bindings/SecretValue";
import { FileField, PasswordField, SelectField, TextAreaField, TextField } from "../../components/Field";
import { MAX_FILE_SIZE_TEXT } from "../../lib/files";
import { useFilePick, type FilePick } from "./useFilePick";

// The fields Add secret and Edit secret share. Each dialog places them in its own order (Add
// asks for the value first, Edit for the metadata), so they come one by one, not as a block.

/** The kind picker; `detect` offers "Detect from name" first (value ""), for a new secret. */
export function KindField<K extends SecretKind | "">({
  value,
  kinds,
  detect = false,
  onChange,
}: {
  value: K;
  kinds: ReadonlyArray<Pick<KindInfo, "kind" | "label">>;
  detect?: boolean;
  onChange: (kind: K) => void;
}) {
  return (
    <SelectField label="Kind" value={value} onChange={(e) => onChange(e.target.value as K)}>
      {detect ? <option value="">Detect from name</option> : null}
      {kinds.map((k) => (
        <option key={k.kind} value={k.kind}>
          {k.label}
        </option>
      ))}
    </SelectField>
  );
}

export function NoteField({ value, hint, onChange }: { value: string; hint: string; onChange: (note: string) => void }) {
  return (
    <TextAreaField
      label="Note"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      placeholder="Who owns it, where it was issued…"
      hint={hint}
    />
  );
}

export function RotationField({
  value,
  placeholder,
  hint,
  onChange,
}: {
  value: string;
  placeholder?: string;
  hint: string;
  onChange: (rotateEvery: string) => void;
}) {
  return (
    <TextField
      label="Rotate every"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      placeholder={placeholder}
      mono
      hint={hint}
    />
  );
}

export interface ValueInput {
  isFile: boolean;
  text: string;
  setText: (text: string) => void;
  file: FilePick;
  /** The typed text or the read file; null while there is none. */
  value: SecretValue | null;
}

/** A value typed or read from a file: held only by the dialog, it goes when the dialog closes. */
export function useValueInput(isFile: boolean): ValueInput {
  const [text, setText] = useState("");
  const file = useFilePick();
  const value: SecretValue | null = isFile ? file.value : text ? { type: "text", text } : null;
  return { isFile, text, setText, file, value };
}

/** The value, or the file holding it. `replacing`: a new version of a stored secret, or nothing. */
export function ValueField({ input, replacing = false }: { input: ValueInput; replacing?: boolean }) {
  if (input.isFile) {
    return (
      <FileField
        label={replacing ? "New file" : "File"}
        onFile={input.file.pick}
        hint={
          replacing
            ? `Leave empty to keep the current file. A new file (up to ${MAX_FILE_SIZE_TEXT}) becomes a new version.`
            : `Up to ${MAX_FILE_SIZE_TEXT}. Jobs get it as a private temporary file.`
        }
      />
    );
  }
  return (
    <PasswordField
      label={replacing ? "New value" : "Value"}
      value={input.text}
      onChange={(e) => input.setText(e.target.value)}
      revealable
      hint={replacing ? "Leave empty to keep the current value. A new value becomes a new version." : undefined}
    />
  );
}
