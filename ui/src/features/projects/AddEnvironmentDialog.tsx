import { useState } from "react";

import * as api from "../../api";
import { TextField } from "../../components/Field";
import { FormDialog } from "../../components/FormDialog";
import { useSubmit } from "../../components/useSubmit";

export function AddEnvironmentDialog({
  project,
  onClose,
  onCreated,
}: {
  project: string;
  onClose: () => void;
  onCreated: (environment: string) => void;
}) {
  const [name, setName] = useState("");
  const { busy, error, setError, submit } = useSubmit();

  const create = () => {
    if (busy) return;
    if (!name.trim()) return setError("Enter an environment name.");
    void submit(async () => {
      await api.addEnvironment(project, name.trim());
      onCreated(name.trim());
    });
  };

  return (
    <FormDialog
      label="Add environment"
      description={
        <>
          In project <strong>{project}</strong>.
        </>
      }
      size="sm"
      onClose={onClose}
      onSubmit={create}
      submitLabel="Create environment"
      busy={busy}
      error={error}
    >
      <TextField label="Environment name" value={name} onChange={(e) => setName(e.target.value)} placeholder="staging" mono />
    </FormDialog>
  );
}
