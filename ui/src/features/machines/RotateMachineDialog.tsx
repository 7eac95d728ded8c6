import * as api from "../../api";
import type { IssuedToken } from "../../bindings/IssuedToken";
import type { Machine } from "../../bindings/Machine";
import { ConfirmDialog } from "../../components/ConfirmDialog";

/** Asks before rotate_machine: the old token stops working at once, wherever it is still set. */
export function RotateMachineDialog({
  machine,
  onClose,
  onIssued,
}: {
  machine: Machine;
  onClose: () => void;
  /** The new token, for the panel that shows it once. */
  onIssued: (issued: IssuedToken) => void;
}) {
  const { name, scopes } = machine;
  return (
    <ConfirmDialog
      label="Rotate token"
      size="md"
      confirmLabel="Rotate token"
      onConfirm={async () => onIssued(await api.rotateMachine(name))}
      onClose={onClose}
    >
      <p>
        Rotating revokes {name}'s current token at once
        {scopes.length > 0 ? ` (${scopes.join(", ")} ${scopes.length === 1 ? "is" : "are"} rekeyed)` : ""} and flags what
        it read as exposed. A new token for the same scopes and expiry is shown once: replace KEYSHELF_TOKEN wherever the
        old one was set.
      </p>
    </ConfirmDialog>
  );
}
