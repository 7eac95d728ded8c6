import { Alert } from "./Alert";
import { Button } from "./Button";
import { Dialog, type DialogProps } from "./Dialog";

type FormDialogProps = Omit<DialogProps, "onSubmit" | "footer"> & {
  /** The primary button's label; Enter in a field presses it too. */
  submitLabel: string;
  onSubmit: () => void;
  busy: boolean;
  /** Shown under the fields, in the one alert slot. */
  error: string | null;
  /** Keeps the primary button off until the form can be sent. */
  disabled?: boolean;
};

/** A dialog that is a form: the fields, its error, and Cancel beside the primary button. */
export function FormDialog({ submitLabel, onSubmit, busy, error, disabled, onClose, children, ...dialog }: FormDialogProps) {
  return (
    <Dialog
      {...dialog}
      onClose={onClose}
      onSubmit={onSubmit}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy} disabled={disabled}>
            {submitLabel}
          </Button>
        </>
      }
    >
      {children}
      <Alert message={error} />
    </Dialog>
  );
}
