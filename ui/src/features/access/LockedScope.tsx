import type { AccessRequest } from "../../bindings/AccessRequest";
import { Button } from "../../components/Button";
import { Icon } from "../../components/Icon";
import { scopeKey, type Scope } from "../projects/scope";

/** The list pane for a scope this member holds no key to: ask for it, or see the ask waiting. */
export function LockedScope({ scope, waiting, onRequest }: { scope: Scope; waiting: AccessRequest | null; onRequest: () => void }) {
  return (
    <div className="empty">
      <Icon name="lock" size={28} />
      <p className="empty-title">You have no access to {scopeKey(scope)}.</p>
      {waiting ? (
        <p className="empty-text" role="status">
          Request {waiting.id} is waiting for a decision.
        </p>
      ) : (
        <>
          <p className="empty-text">The owner or a lead of {scope.project} can grant it.</p>
          <Button variant="primary" icon="key" onClick={onRequest}>
            Request access
          </Button>
        </>
      )}
    </div>
  );
}
