import { useEffect, useRef, useState } from "react";

import * as api from "../../api";
import type { AccessRequest } from "../../bindings/AccessRequest";
import { Alert, Callout } from "../../components/Alert";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { TextAreaField, TextField } from "../../components/Field";
import { useSubmit } from "../../components/useSubmit";
import { formatDateTime, rotationInput } from "../../lib/time";
import "./access.css";

/** "7d", "8h"; "" for until revoked (what the Duration fields take). */
const durationText = (secs: number | null) => (secs === null ? "" : rotationInput(secs));

/**
 * The owner's or a lead's inbox: pending requests they may decide. A decided request leaves the
 * list at once; the caller refreshes the real list behind it.
 */
export function AccessRequestsDialog({
  requests,
  onClose,
  onDecided,
}: {
  requests: AccessRequest[];
  onClose: () => void;
  onDecided: (message: string) => void;
}) {
  const [decided, setDecided] = useState<ReadonlySet<string>>(new Set());
  const body = useRef<HTMLDivElement>(null);
  const shown = requests.filter((r) => !decided.has(r.id));

  const done = (request: AccessRequest, message: string) => {
    setDecided((ids) => new Set(ids).add(request.id));
    // The focused row is about to vanish: keep focus inside the dialog.
    body.current?.focus();
    onDecided(message);
  };

  return (
    <Dialog
      label="Access requests"
      description="Approving gives the member the scope's key until the duration ends or you revoke it."
      size="lg"
      onClose={onClose}
    >
      <div ref={body} tabIndex={-1} className="request-body">
        {shown.length === 0 ? (
          <p className="muted">No requests are waiting for a decision.</p>
        ) : (
          <ul className="request-list" aria-label="Pending requests">
            {shown.map((request) => (
              <RequestItem key={request.id} request={request} onDone={(message) => done(request, message)} />
            ))}
          </ul>
        )}
      </div>
    </Dialog>
  );
}

function RequestItem({ request, onDone }: { request: AccessRequest; onDone: (message: string) => void }) {
  const [duration, setDuration] = useState(durationText(request.duration_secs));
  const [denying, setDenying] = useState(false);
  const [denyReason, setDenyReason] = useState("");
  const { busy, error, setError, submit } = useSubmit();
  // Which decision is being sent, for its button's spinner.
  const [deciding, setDeciding] = useState<"approve" | "deny">("approve");
  const item = useRef<HTMLLIElement>(null);
  const wasDenying = useRef(false);

  // Leaving the deny form removes the focused control: hand focus back to Deny.
  useEffect(() => {
    if (wasDenying.current && !denying) item.current?.querySelector<HTMLElement>("[data-deny]")?.focus();
    wasDenying.current = denying;
  }, [denying]);

  const decide = (action: "approve" | "deny") => {
    if (busy) return;
    if (action === "deny" && !denyReason.trim()) return setError("Enter a reason for denying: the member sees it.");
    setDeciding(action);
    void submit(async () => {
      if (action === "approve") {
        await api.approveAccess(request.id, duration.trim() || null);
        onDone(`Approved: ${request.member} can read ${request.scope}.`);
      } else {
        await api.denyAccess(request.id, denyReason.trim());
        onDone(`Denied ${request.member}'s request.`);
      }
    });
  };

  return (
    <li ref={item} className="request" aria-label={`${request.member} for ${request.scope}`}>
      <div className="request-head">
        <strong>{request.member}</strong>
        <span className="muted">asks for</span>
        <code className="path-chip">{request.scope}</code>
        <span className="muted">
          {request.duration_secs === null ? "until revoked" : `for ${durationText(request.duration_secs)}`}
        </span>
      </div>
      <p className="request-reason">{request.reason}</p>
      <p className="request-meta muted">
        Request {request.id}, sent {formatDateTime(request.created_at)}
      </p>
      {/* Rust refuses to decide a request whose signature fails, so neither choice is offered. */}
      {!request.verified ? (
        <Callout>{`Failed verification: ${request.problem ?? "the signature does not check out"}`}</Callout>
      ) : denying ? (
        <form
          className="request-actions"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            decide("deny");
          }}
        >
          <TextAreaField
            label="Reason for denying"
            value={denyReason}
            required
            autoFocus
            onChange={(e) => {
              setDenyReason(e.target.value);
              setError(null);
            }}
          />
          <div className="request-buttons">
            <Button
              onClick={() => {
                setDenying(false);
                setError(null);
              }}
            >
              Cancel
            </Button>
            <Button type="submit" variant="danger" busy={busy && deciding === "deny"}>
              Deny request
            </Button>
          </div>
        </form>
      ) : (
        <form
          className="request-actions"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            decide("approve");
          }}
        >
          <TextField
            label="Duration"
            value={duration}
            onChange={(e) => setDuration(e.target.value)}
            placeholder="until revoked"
            hint="Like 8h or 7d. Empty keeps what was asked."
            mono
          />
          <div className="request-buttons">
            <Button type="submit" variant="primary" icon="check" busy={busy && deciding === "approve"}>
              Approve
            </Button>
            <Button
              variant="ghost"
              className="btn-danger-text"
              data-deny
              disabled={busy}
              onClick={() => setDenying(true)}
            >
              Deny
            </Button>
          </div>
        </form>
      )}
      <Alert message={error} />
    </li>
  );
}
