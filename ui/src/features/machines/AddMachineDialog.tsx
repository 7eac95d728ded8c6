import { useState } from "react";

import * as api from "../../api";
import type { IssuedToken } from "../../bindings/IssuedToken";
import { CheckboxField, TextField } from "../../components/Field";
import { FormDialog } from "../../components/FormDialog";
import { useSubmit } from "../../components/useSubmit";

/**
 * A new machine: its name, the scopes it reads (only ones this member may grant: Rust refuses
 * the others), and how long it may. Its token goes straight to `onIssued`, never into state here.
 */
export function AddMachineDialog({
  grantable,
  onClose,
  onIssued,
}: {
  /** "project/env" scopes this member may give a machine. */
  grantable: string[];
  onClose: () => void;
  onIssued: (issued: IssuedToken) => void;
}) {
  const [name, setName] = useState("");
  // One scope to choose from is the obvious choice: ticked from the start.
  const [chosen, setChosen] = useState<ReadonlySet<string>>(() => new Set(grantable.length === 1 ? grantable : []));
  const [expires, setExpires] = useState("");
  const { busy, error, setError, submit } = useSubmit();

  const toggle = (scope: string, on: boolean) => {
    setChosen((set) => {
      const next = new Set(set);
      if (on) next.add(scope);
      else next.delete(scope);
      return next;
    });
    setError(null);
  };

  const add = () => {
    if (busy) return;
    if (!name.trim()) return setError("Enter a name for the machine.");
    // In the order offered, so the same choice always sends the same list.
    const scopes = grantable.filter((scope) => chosen.has(scope));
    if (scopes.length === 0) return setError("Choose at least one scope for the machine to read.");
    void submit(async () => onIssued(await api.addMachine(name.trim(), scopes, expires.trim() || null)));
  };

  return (
    <FormDialog
      label="Add machine"
      description="A CI job, training run or serving host gets its own read-only token for these scopes."
      onClose={onClose}
      onSubmit={add}
      submitLabel="Add machine"
      busy={busy}
      error={error}
    >
      <TextField
        label="Name"
        value={name}
        placeholder="ci-nightly"
        hint="Letters, digits, '.', '_' and '-'; the job's or host's name, say."
        mono
        onChange={(e) => {
          setName(e.target.value);
          setError(null);
        }}
      />
      <fieldset
        className="machine-scopes"
        // Enter on a checkbox sends the form too, as it does in the text fields.
        onKeyDown={(event) => {
          const target = event.target as HTMLInputElement;
          if (event.key !== "Enter" || target.type !== "checkbox") return;
          event.preventDefault();
          target.form?.requestSubmit();
        }}
      >
        <legend className="field-label">Scopes</legend>
        {grantable.map((scope) => (
          <CheckboxField
            key={scope}
            label={scope}
            checked={chosen.has(scope)}
            onChange={(e) => toggle(scope, e.target.checked)}
          />
        ))}
      </fieldset>
      <TextField
        label="Expires after"
        value={expires}
        placeholder="until revoked"
        hint="e.g. 12h, 30d; empty: until revoked"
        mono
        onChange={(e) => {
          setExpires(e.target.value);
          setError(null);
        }}
      />
    </FormDialog>
  );
}
