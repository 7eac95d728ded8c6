import type { ReactNode } from "react";

import { Alert } from "./Alert";
import { Button } from "./Button";
import { Dialog } from "./Dialog";
import { useSubmit } from "./useSubmit";

interface ConfirmDialogProps {
  label: string;
  size?: "sm" | "md";
  /** The danger button's label: what happens, e.g. "Delete permanently". */
  confirmLabel: string;
  /** The step itself; it calls the caller's "done" callback, which closes the dialog. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
  /** What the step does, to read before confirming. */
  children: ReactNode;
}

/** Asks before a step that cannot be taken back; a failure stays in the dialog. */
export function ConfirmDialog({ label, size = "sm", confirmLabel, onConfirm, onClose, children }: ConfirmDialogProps) {
  const { busy, error, submit } = useSubmit();
  return (
    <Dialog
      label={label}
      size={size}
      onClose={onClose}
      footer={
        <>
          {/* Cancel first and focused: the safe choice is the default. */}
          <Button onClick={onClose} data-autofocus>
            Cancel
          </Button>
          <Button variant="danger" busy={busy} onClick={() => void submit(onConfirm)}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      {children}
      <Alert message={error} />
    </Dialog>
  );
}
