import { useEffect, useRef, useState } from "react";

import * as api from "../../api";
import type { KindInfo } from "../../bindings/KindInfo";
import type { SecretEdit } from "../../bindings/SecretEdit";
import type { SecretKind } from "../../bindings/SecretKind";
import type { SecretSummary } from "../../bindings/SecretSummary";
import type { SecretValue } from "../../bindings/SecretValue";
import { Alert } from "../../components/Alert";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { FileField, PasswordField, SelectField, TextAreaField, TextField } from "../../components/Field";
import { MAX_FILE_SIZE_TEXT } from "../../lib/files";
import { rotationInput } from "../../lib/time";
import { useFilePick } from "./useFilePick";

interface EditSecretDialogProps {
  secret: SecretSummary;
  kinds: KindInfo[];
  kindLabel: string;
  onClose: () => void;
  /** `newVersion`: a new value was stored, not only metadata. */
  onSaved: (newVersion: boolean) => void;
}

/**
 * Kind, note and rotation change in place (edit_secret); a new value goes through set_secret
 * and becomes a new version. The note and any new value live only in this dialog's state.
 */
export function EditSecretDialog({ secret, kinds, kindLabel, onClose, onSaved }: EditSecretDialogProps) {
  const path = api.secretPath(secret);
  const initialRotation = rotationInput(secret.rotate_every_secs);
  const [kind, setKind] = useState<SecretKind>(secret.kind);
  // The stored note: undefined while it is fetched, null when it could not be read (then the
  // note is left as it is), "" when there is none.
  const [originalNote, setOriginalNote] = useState<string | null | undefined>(secret.has_note ? undefined : "");
  const [note, setNote] = useState("");
  const [rotateEvery, setRotateEvery] = useState(initialRotation);
  const [value, setValue] = useState("");
  const file = useFilePick();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const noteFetched = useRef(false);

  useEffect(() => {
    // Once per opening, even under StrictMode's double effects: every note read is audited.
    if (!secret.has_note || noteFetched.current) return;
    noteFetched.current = true;
    api.secretNote(path).then(
      (text) => {
        setOriginalNote(text ?? "");
        setNote(text ?? "");
      },
      (e: unknown) => {
        setOriginalNote(null);
        setError(`The note could not be read, so it stays as it is. ${api.errorMessage(e)}`);
      },
    );
  }, [secret.has_note, path]);

  // The secret's own kind stays selectable even if secret_kinds() did not list it.
  const kindOptions = kinds.some((k) => k.kind === secret.kind)
    ? kinds
    : [{ kind: secret.kind, label: kindLabel }, ...kinds];

  const noteLoading = originalNote === undefined;
  // Whitespace alone is no note.
  const nextNote = note.trim() ? note : "";
  const rotation = rotateEvery.trim();
  const edit: SecretEdit = {
    path,
    kind: kind !== secret.kind ? kind : null,
    note: typeof originalNote === "string" && nextNote !== originalNote ? nextNote : null,
    rotate_every: rotation !== initialRotation ? rotation : null,
  };
  const newValue: SecretValue | null = secret.is_file ? file.value : value ? { type: "text", text: value } : null;
  const changed = newValue !== null || edit.kind !== null || edit.note !== null || edit.rotate_every !== null;

  const submit = async () => {
    if (busy || noteLoading || !changed) return;
    if (!rotation) {
      setError("Enter a rotation interval like 30d or 12w, or manual.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (newValue === null) {
        await api.editSecret(edit);
      } else {
        // One call, one transaction: an empty note removes the note, null keeps it.
        await api.setSecret({ path, value: newValue, kind, note: edit.note, rotate_every: edit.rotate_every });
      }
      onSaved(newValue !== null);
    } catch (e) {
      setError(api.errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <Dialog
      label="Edit secret"
      description={
        <>
          <code className="path-chip">{path}</code>. Kind, note and rotation change in place.
        </>
      }
      size="lg"
      onClose={onClose}
      onSubmit={() => void submit()}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy} disabled={noteLoading || !changed}>
            Save changes
          </Button>
        </>
      }
    >
      <div className="form-row">
        <SelectField label="Kind" value={kind} onChange={(e) => setKind(e.target.value as SecretKind)}>
          {kindOptions.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Rotate every"
          value={rotateEvery}
          onChange={(e) => setRotateEvery(e.target.value)}
          mono
          hint="Like 30d, 12w or manual."
        />
      </div>
      {/* Only once the stored note is known: typing into it before would be overwritten. */}
      {typeof originalNote === "string" ? (
        <TextAreaField
          label="Note"
          value={note}
          onChange={(e) => setNote(e.target.value)}
          placeholder="Who owns it, where it was issued…"
          hint="Encrypted like the value. Empty removes it."
        />
      ) : noteLoading ? (
        <p className="muted">Decrypting the note…</p>
      ) : null}
      {secret.is_file ? (
        <FileField
          label="New file"
          onFile={file.pick}
          hint={`Leave empty to keep the current file. A new file (up to ${MAX_FILE_SIZE_TEXT}) becomes a new version.`}
        />
      ) : (
        <PasswordField
          label="New value"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          revealable
          hint="Leave empty to keep the current value. A new value becomes a new version."
        />
      )}
      <Alert message={error ?? file.error} />
    </Dialog>
  );
}
