import { useState } from "react";

import * as api from "../../api";
import type { KindInfo } from "../../bindings/KindInfo";
import type { SecretKind } from "../../bindings/SecretKind";
import type { SecretValue } from "../../bindings/SecretValue";
import { Alert } from "../../components/Alert";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { FileField, PasswordField, RadioGroupField, SelectField, TextAreaField, TextField } from "../../components/Field";
import { MAX_FILE_SIZE_TEXT } from "../../lib/files";
import type { Scope } from "../projects/scope";
import { useFilePick } from "./useFilePick";

type ValueSource = "text" | "file";

const SOURCES: ReadonlyArray<{ value: ValueSource; label: string }> = [
  { value: "text", label: "Text" },
  { value: "file", label: "File" },
];

// Kinds whose value is a file people download rather than a string they copy.
const FILE_KINDS: ReadonlySet<SecretKind> = new Set(["gcp-service-account"]);

const FILE_HINT = `Up to ${MAX_FILE_SIZE_TEXT}. Jobs get it as a private temporary file.`;

interface AddSecretDialogProps {
  scope: Scope;
  kinds: KindInfo[];
  existingNames: ReadonlySet<string>;
  onClose: () => void;
  onSaved: (name: string) => void;
}

/** The value (typed or read from a file) lives only in this dialog's state; it goes when it closes. */
export function AddSecretDialog({ scope, kinds, existingNames, onClose, onSaved }: AddSecretDialogProps) {
  const [kind, setKind] = useState<SecretKind | "">("");
  const [name, setName] = useState("");
  const [source, setSource] = useState<ValueSource>("text");
  const [value, setValue] = useState("");
  const file = useFilePick();
  const [note, setNote] = useState("");
  const [rotateEvery, setRotateEvery] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const trimmedName = name.trim();
  // For the placeholder only: the chosen kind, or the one whose usual variable name this is.
  const effective: KindInfo | undefined =
    kinds.find((k) => k.kind === kind) ?? (kind === "" ? kinds.find((k) => k.env_var === trimmedName) : undefined);
  const defaultRotation =
    effective === undefined ? "kind default" : effective.default_rotation_days === null ? "manual" : `${effective.default_rotation_days}d`;
  const exists = existingNames.has(trimmedName);
  const secretValue: SecretValue | null =
    source === "file" ? file.value : value ? { type: "text", text: value } : null;

  const chooseSource = (next: ValueSource) => {
    setSource(next);
    // The file input is rebuilt empty when it comes back, so forget the old pick with it.
    file.pick(null);
    setError(null);
  };

  const chooseKind = (next: SecretKind | "") => {
    setKind(next);
    const envVar = kinds.find((k) => k.kind === next)?.env_var;
    if (!trimmedName && envVar) setName(envVar);
    if (next !== "" && FILE_KINDS.has(next) && source !== "file") chooseSource("file");
  };

  const submit = async () => {
    if (busy) return;
    if (!trimmedName || !secretValue) {
      setError(source === "file" ? "Enter a name and choose a file." : "Enter a name and a value.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.setSecret({
        path: `${scope.project}/${scope.environment}/${trimmedName}`,
        value: secretValue,
        kind: kind === "" ? null : kind,
        note: note.trim() ? note : null,
        rotate_every: rotateEvery.trim() || null,
      });
      onSaved(trimmedName);
    } catch (e) {
      setError(api.errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <Dialog
      label="Add secret"
      description={
        <>
          Into <code className="path-chip">{`${scope.project}/${scope.environment}`}</code>. The value is encrypted before
          it is stored.
        </>
      }
      size="lg"
      onClose={onClose}
      onSubmit={() => void submit()}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy} disabled={!trimmedName || !secretValue}>
            Save secret
          </Button>
        </>
      }
    >
      <div className="form-row">
        <SelectField label="Kind" value={kind} onChange={(e) => chooseKind(e.target.value as SecretKind | "")}>
          <option value="">Detect from name</option>
          {kinds.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="OPENAI_API_KEY"
          mono
          autoFocus
          hint={exists ? "Exists here: saving adds a new version." : "The variable name jobs will see."}
        />
      </div>
      <RadioGroupField label="Value source" value={source} options={SOURCES} onChange={chooseSource} />
      {source === "text" ? (
        <PasswordField label="Value" value={value} onChange={(e) => setValue(e.target.value)} revealable />
      ) : (
        <FileField label="File" onFile={file.pick} hint={FILE_HINT} />
      )}
      <TextAreaField
        label="Note"
        value={note}
        onChange={(e) => setNote(e.target.value)}
        placeholder="Who owns it, where it was issued…"
        hint="Optional. Encrypted like the value."
      />
      <TextField
        label="Rotate every"
        value={rotateEvery}
        onChange={(e) => setRotateEvery(e.target.value)}
        placeholder={defaultRotation}
        mono
        hint="Like 30d, 12w or manual. Empty uses the kind's default."
      />
      <Alert message={error ?? file.error} />
    </Dialog>
  );
}
