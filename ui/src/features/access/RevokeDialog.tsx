import { useState } from "react";

import * as api from "../../api";
import type { Revoked } from "../../bindings/Revoked";
import { Alert } from "../../components/Alert";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";

/** What preview_revoke reported, to confirm before revoke_access does it. */
export function RevokeDialog({
  preview,
  onClose,
  onRevoked,
}: {
  preview: Revoked;
  onClose: () => void;
  onRevoked: (revoked: Revoked) => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { member, scope, versions, kept, exposed } = preview;

  const revoke = async () => {
    setBusy(true);
    setError(null);
    try {
      onRevoked(await api.revokeAccess(member, scope));
    } catch (e) {
      setError(api.errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <Dialog
      label="Revoke access"
      size="sm"
      onClose={onClose}
      footer={
        <>
          {/* Cancel first and focused: the safe choice is the default. */}
          <Button onClick={onClose} data-autofocus>
            Cancel
          </Button>
          <Button variant="danger" busy={busy} onClick={() => void revoke()}>
            Revoke
          </Button>
        </>
      }
    >
      <p>
        Revoking {member}'s access to {scope} rekeys it: {versions} {versions === 1 ? "version is" : "versions are"}{" "}
        re-encrypted under a new key;{" "}
        {kept.length === 0 ? "nobody else keeps access." : `${kept.join(", ")} ${kept.length === 1 ? "keeps" : "keep"} access.`}
      </p>
      {exposed.length > 0 ? (
        <p>
          {member} read {exposed.join(", ")}: these become 'exposed' and must be rotated at the provider.
        </p>
      ) : null}
      <Alert message={error} />
    </Dialog>
  );
}
