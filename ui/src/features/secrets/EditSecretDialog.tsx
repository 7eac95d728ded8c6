import { useEffect, useRef, useState } from "react";

import * as api from "../../api";
import type { KindInfo } from "../../bindings/KindInfo";
import type { SecretEdit } from "../../bindings/SecretEdit";
import type { SecretKind } from "../../bindings/SecretKind";
import type { SecretSummary } from "../../bindings/SecretSummary";
import { FormDialog } from "../../components/FormDialog";
import { useSubmit } from "../../components/useSubmit";
import { rotationInput } from "../../lib/time";
import { KindField, NoteField, RotationField, useValueInput, ValueField } from "./SecretFields";

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
  const input = useValueInput(secret.is_file);
  const { busy, error, setError, submit } = useSubmit();
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
    // What this dialog showed: a teammate's change since is refused, not overwritten.
    based_on: secret.version,
  };
  const newValue = input.value;
  const changed = newValue !== null || edit.kind !== null || edit.note !== null || edit.rotate_every !== null;

  const save = () => {
    if (busy || noteLoading || !changed) return;
    if (!rotation) return setError("Enter a rotation interval like 30d or 12w, or manual.");
    void submit(async () => {
      if (newValue === null) {
        await api.editSecret(edit);
      } else {
        // One call, one transaction: an empty note removes the note, null keeps it.
        await api.setSecret({
          path,
          value: newValue,
          kind,
          note: edit.note,
          rotate_every: edit.rotate_every,
          based_on: edit.based_on,
        });
      }
      onSaved(newValue !== null);
    });
  };

  return (
    <FormDialog
      label="Edit secret"
      description={
        <>
          <code className="path-chip">{path}</code>. Kind, note and rotation change in place.
        </>
      }
      size="lg"
      onClose={onClose}
      onSubmit={save}
      submitLabel="Save changes"
      busy={busy}
      disabled={noteLoading || !changed}
      error={error ?? input.file.error}
    >
      <div className="form-row">
        <KindField value={kind} kinds={kindOptions} onChange={setKind} />
        <RotationField value={rotateEvery} onChange={setRotateEvery} hint="Like 30d, 12w or manual." />
      </div>
      {/* Only once the stored note is known: typing into it before would be overwritten. */}
      {typeof originalNote === "string" ? (
        <NoteField value={note} onChange={setNote} hint="Encrypted like the value. Empty removes it." />
      ) : noteLoading ? (
        <p className="muted">Decrypting the note…</p>
      ) : null}
      <ValueField input={input} replacing />
    </FormDialog>
  );
}
