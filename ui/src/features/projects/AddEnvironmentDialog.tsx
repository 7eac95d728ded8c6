import { useState } from "react";

import * as api from "../../api";
import { Alert } from "../../components/Alert";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { TextField } from "../../components/Field";

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
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (busy) return;
    if (!name.trim()) {
      setError("Enter an environment name.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.addEnvironment(project, name.trim());
      onCreated(name.trim());
    } catch (e) {
      setError(api.errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <Dialog
      label="Add environment"
      description={
        <>
          In project <strong>{project}</strong>.
        </>
      }
      size="sm"
      onClose={onClose}
      onSubmit={() => void submit()}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy}>
            Create environment
          </Button>
        </>
      }
    >
      <TextField label="Environment name" value={name} onChange={(e) => setName(e.target.value)} placeholder="staging" mono />
      <Alert message={error} />
    </Dialog>
  );
}
