import { useState } from "react";

import * as api from "../../api";
import { TextField } from "../../components/Field";
import { FormDialog } from "../../components/FormDialog";
import { useSubmit } from "../../components/useSubmit";
import { parseEnvironments } from "./scope";

export function AddProjectDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (project: string, environments: string[]) => void;
}) {
  const [name, setName] = useState("");
  const [environments, setEnvironments] = useState("dev, prod");
  const { busy, error, setError, submit } = useSubmit();
  const envs = parseEnvironments(environments);

  const create = () => {
    if (busy) return;
    if (!name.trim() || envs.length === 0) return setError("Enter a project name and at least one environment.");
    void submit(async () => {
      await api.addProject(name.trim(), envs);
      onCreated(name.trim(), envs);
    });
  };

  return (
    <FormDialog
      label="Add project"
      description="A project groups the secrets of one piece of work; each environment gets its own encryption key."
      onClose={onClose}
      onSubmit={create}
      submitLabel="Create project"
      busy={busy}
      error={error}
    >
      <TextField label="Project name" value={name} onChange={(e) => setName(e.target.value)} placeholder="llm-eval" mono />
      <TextField
        label="Environments"
        value={environments}
        onChange={(e) => setEnvironments(e.target.value)}
        hint="Comma-separated, e.g. dev, staging, prod."
        mono
      />
    </FormDialog>
  );
}
