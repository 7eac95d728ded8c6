import { useState } from "react";

import * as api from "../../api";
import type { KindInfo } from "../../bindings/KindInfo";
import type { SecretKind } from "../../bindings/SecretKind";
import { RadioGroupField, TextField } from "../../components/Field";
import { FormDialog } from "../../components/FormDialog";
import { useSubmit } from "../../components/useSubmit";
import type { Scope } from "../projects/scope";
import { KindField, NoteField, RotationField, useValueInput, ValueField } from "./SecretFields";

type ValueSource = "text" | "file";

const SOURCES: ReadonlyArray<{ value: ValueSource; label: string }> = [
  { value: "text", label: "Text" },
  { value: "file", label: "File" },
];

// Kinds whose value is a file people download rather than a string they copy.
const FILE_KINDS: ReadonlySet<SecretKind> = new Set(["gcp-service-account"]);

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
  const input = useValueInput(source === "file");
  const [note, setNote] = useState("");
  const [rotateEvery, setRotateEvery] = useState("");
  const { busy, error, setError, submit } = useSubmit();

  const trimmedName = name.trim();
  // For the placeholder only: the chosen kind, or the one whose usual variable name this is.
  const effective: KindInfo | undefined =
    kinds.find((k) => k.kind === kind) ?? (kind === "" ? kinds.find((k) => k.env_var === trimmedName) : undefined);
  const defaultRotation =
    effective === undefined ? "kind default" : effective.default_rotation_days === null ? "manual" : `${effective.default_rotation_days}d`;
  const exists = existingNames.has(trimmedName);
  const secretValue = input.value;

  const chooseSource = (next: ValueSource) => {
    setSource(next);
    // The file input is rebuilt empty when it comes back, so forget the old pick with it.
    input.file.pick(null);
    setError(null);
  };

  const chooseKind = (next: SecretKind | "") => {
    setKind(next);
    const envVar = kinds.find((k) => k.kind === next)?.env_var;
    if (!trimmedName && envVar) setName(envVar);
    if (next !== "" && FILE_KINDS.has(next) && source !== "file") chooseSource("file");
  };

  const save = () => {
    if (busy) return;
    if (!trimmedName || !secretValue) {
      return setError(source === "file" ? "Enter a name and choose a file." : "Enter a name and a value.");
    }
    void submit(async () => {
      await api.setSecret({
        path: `${scope.project}/${scope.environment}/${trimmedName}`,
        value: secretValue,
        kind: kind === "" ? null : kind,
        note: note.trim() ? note : null,
        rotate_every: rotateEvery.trim() || null,
        // A new secret: one a teammate added under this name meanwhile is not overwritten.
        based_on: 0,
      });
      onSaved(trimmedName);
    });
  };

  return (
    <FormDialog
      label="Add secret"
      description={
        <>
          Into <code className="path-chip">{`${scope.project}/${scope.environment}`}</code>. The value is encrypted before
          it is stored.
        </>
      }
      size="lg"
      onClose={onClose}
      onSubmit={save}
      submitLabel="Save secret"
      busy={busy}
      disabled={!trimmedName || !secretValue}
      error={error ?? input.file.error}
    >
      <div className="form-row">
        <KindField value={kind} kinds={kinds} detect onChange={chooseKind} />
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
      <ValueField input={input} />
      <NoteField value={note} onChange={setNote} hint="Optional. Encrypted like the value." />
      <RotationField
        value={rotateEvery}
        onChange={setRotateEvery}
        placeholder={defaultRotation}
        hint="Like 30d, 12w or manual. Empty uses the kind's default."
      />
    </FormDialog>
  );
}
