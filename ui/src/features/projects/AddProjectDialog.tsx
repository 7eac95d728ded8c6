import { useState } from "react";

import * as api from "../../api";
import { Alert } from "../../components/Alert";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { TextField } from "../../components/Field";
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
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const envs = parseEnvironments(environments);

  const submit = async () => {
    if (busy) return;
    if (!name.trim() || envs.length === 0) {
      setError("Enter a project name and at least one environment.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.addProject(name.trim(), envs);
      onCreated(name.trim(), envs);
    } catch (e) {
      setError(api.errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <Dialog
      label="Add project"
      description="A project groups the secrets of one piece of work; each environment gets its own encryption key."
      onClose={onClose}
      onSubmit={() => void submit()}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy}>
            Create project
          </Button>
        </>
      }
    >
      <TextField label="Project name" value={name} onChange={(e) => setName(e.target.value)} placeholder="llm-eval" mono />
      <TextField
        label="Environments"
        value={environments}
        onChange={(e) => setEnvironments(e.target.value)}
        hint="Comma-separated, e.g. dev, staging, prod."
        mono
      />
      <Alert message={error} />
    </Dialog>
  );
}
