import { useState } from "react";

import * as api from "../../api";
import { Alert } from "../../components/Alert";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";

export function DeleteSecretDialog({ path, onClose, onDeleted }: { path: string; onClose: () => void; onDeleted: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.removeSecret(path);
      onDeleted();
    } catch (e) {
      setError(api.errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <Dialog
      label="Delete secret"
      size="sm"
      onClose={onClose}
      footer={
        <>
          {/* Cancel first and focused: the safe choice is the default. */}
          <Button onClick={onClose} data-autofocus>
            Cancel
          </Button>
          <Button variant="danger" busy={busy} onClick={() => void remove()}>
            Delete permanently
          </Button>
        </>
      }
    >
      <p>
        Delete <code className="path-chip">{path}</code> and all its versions? Jobs and notebooks that read it will
        fail. This cannot be undone.
      </p>
      <Alert message={error} />
    </Dialog>
  );
}
