import * as api from "../../api";
import type { Revoked } from "../../bindings/Revoked";
import { ConfirmDialog } from "../../components/ConfirmDialog";

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
  const { member, scope, versions, kept, exposed } = preview;
  return (
    <ConfirmDialog
      label="Revoke access"
      confirmLabel="Revoke"
      onConfirm={async () => onRevoked(await api.revokeAccess(member, scope))}
      onClose={onClose}
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
    </ConfirmDialog>
  );
}
