import * as api from "../../api";
import { ConfirmDialog } from "../../components/ConfirmDialog";

export function DeleteSecretDialog({ path, onClose, onDeleted }: { path: string; onClose: () => void; onDeleted: () => void }) {
  return (
    <ConfirmDialog
      label="Delete secret"
      confirmLabel="Delete permanently"
      onConfirm={async () => {
        await api.removeSecret(path);
        onDeleted();
      }}
      onClose={onClose}
    >
      <p>
        Delete <code className="path-chip">{path}</code> and all its versions? Jobs and notebooks that read it will
        fail. This cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
