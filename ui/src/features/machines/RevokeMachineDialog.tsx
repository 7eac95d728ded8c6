import * as api from "../../api";
import type { Revoked } from "../../bindings/Revoked";
import { ConfirmDialog } from "../../components/ConfirmDialog";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const keepers = (kept: string[]) =>
  kept.length === 0 ? "nobody keeps access." : `${kept.join(", ")} ${kept.length === 1 ? "keeps" : "keep"} access.`;

/** What preview_revoke_machine reported, scope by scope, to confirm before revoke_machine does it. */
export function RevokeMachineDialog({
  machine,
  preview,
  onClose,
  onRevoked,
}: {
  machine: string;
  preview: Revoked[];
  onClose: () => void;
  onRevoked: (revoked: Revoked[]) => void;
}) {
  const exposed = preview.flatMap(({ scope, exposed }) => exposed.map((name) => `${scope}/${name}`));
  return (
    <ConfirmDialog
      label="Revoke machine"
      size="md"
      confirmLabel="Revoke"
      onConfirm={async () => onRevoked(await api.revokeMachine(machine))}
      onClose={onClose}
    >
      {preview.length === 0 ? (
        <p>Revoking {machine} deletes its token's access. It holds no scope's key now, so nothing is rekeyed.</p>
      ) : (
        <>
          <p>Revoking {machine} rekeys every scope it could open, so its token opens nothing written afterwards:</p>
          <ul className="machine-revoke-list" aria-label="Scopes rekeyed">
            {preview.map(({ scope, versions, kept }) => (
              <li key={scope}>
                <code className="path-chip">{scope}</code>: {plural(versions, "version", "versions")} re-encrypted under a
                new key; {keepers(kept)}
              </li>
            ))}
          </ul>
        </>
      )}
      {exposed.length > 0 ? (
        <>
          <p>
            {machine} read {plural(exposed.length, "secret", "secrets")}, which {exposed.length === 1 ? "becomes" : "become"}{" "}
            'exposed' and must be rotated at the provider:
          </p>
          <ul className="machine-revoke-list" aria-label="Secrets that become exposed">
            {exposed.map((path) => (
              <li key={path}>
                <code className="path-chip">{path}</code>
              </li>
            ))}
          </ul>
        </>
      ) : preview.length > 0 ? (
        <p>It read no secret, so none becomes exposed.</p>
      ) : null}
    </ConfirmDialog>
  );
}
