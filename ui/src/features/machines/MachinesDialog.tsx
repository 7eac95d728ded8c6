import { useEffect, useRef, useState } from "react";

import * as api from "../../api";
import type { Machine } from "../../bindings/Machine";
import type { Revoked } from "../../bindings/Revoked";
import { Alert, Callout } from "../../components/Alert";
import { Badge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { refocusAfterRemoval } from "../../components/refocusAfterRemoval";
import { useSubmit } from "../../components/useSubmit";
import { formatDate, formatDateTime, nowSecs } from "../../lib/time";
import { AddMachineDialog } from "./AddMachineDialog";
import { RevokeMachineDialog } from "./RevokeMachineDialog";
import { RotateMachineDialog } from "./RotateMachineDialog";
import { TokenOnce, type Issued } from "./TokenOnce";
import { useMachines } from "./useMachines";
import "../access/access.css";
import "./machines.css";

/**
 * Machine identities: CI jobs, training runs and serving hosts that read their scopes with a
 * token of their own. Anyone sees them; the owner or a lead (of every scope given) adds one; the
 * owner rotates or revokes, previewed first since revoking rekeys and flags what it read.
 */
export function MachinesDialog({
  grantable,
  owner,
  onClose,
  onAdded,
  onRotated,
  onRevoked,
}: {
  /** Scopes this member may give a machine; empty hides Add machine. */
  grantable: string[];
  /** The owner rotates and revokes (Rust checks again). */
  owner: boolean;
  onClose: () => void;
  onAdded: (issued: Issued) => void;
  onRotated: (issued: Issued) => void;
  onRevoked: (machine: string, revoked: Revoked[]) => void;
}) {
  const { machines, error: listError, refresh } = useMachines();
  const [adding, setAdding] = useState(false);
  const [rotating, setRotating] = useState<Machine | null>(null);
  const [preview, setPreview] = useState<{ machine: string; revoked: Revoked[] } | null>(null);
  // Which machine's preview is being fetched, for its button's spinner.
  const [previewing, setPreviewing] = useState<string | null>(null);
  const { busy, error, submit } = useSubmit();
  const table = useRef<HTMLDivElement>(null);
  const actions = useRef<HTMLDivElement>(null);
  const revoked = useRef(false);
  const now = nowSecs();

  // A revoked machine's row goes once the list is read again, taking the focus with it: on to
  // the first row's button, else Add machine, else the dialog's Close.
  useEffect(() => refocusAfterRemoval(revoked, table.current, "button:not([disabled])", actions.current), [machines]);

  const reviewRevoke = (name: string) => {
    if (busy) return;
    setPreviewing(name);
    void submit(async () => setPreview({ machine: name, revoked: await api.previewRevokeMachine(name) }));
  };

  return (
    <Dialog
      label="Machines"
      description="CI jobs, training runs and serving hosts with their own read-only, scoped token."
      size="lg"
      // The Members dialog's width and table (access.css): the same kind of roster.
      className="members-dialog"
      onClose={onClose}
    >
      <div className="members-scroll" ref={table}>
        {machines === null ? (
          listError ? (
            <Alert message={listError} />
          ) : (
            <p className="muted">Reading the machines…</p>
          )
        ) : machines.length === 0 ? (
          <p className="muted">
            No machines yet. A machine reads its scopes with a token of its own, never a person's passphrase.
          </p>
        ) : (
          <table className="members machines">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created by</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                {owner ? (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {machines.map((machine) => (
                <MachineRow
                  key={machine.name}
                  machine={machine}
                  now={now}
                  owner={owner}
                  busy={busy}
                  previewing={busy && previewing === machine.name}
                  onRotate={() => setRotating(machine)}
                  onRevoke={() => reviewRevoke(machine.name)}
                />
              ))}
            </tbody>
          </table>
        )}
      </div>
      <Alert message={error} />

      {grantable.length > 0 ? (
        <div className="request-buttons" ref={actions}>
          <Button icon="plus" onClick={() => setAdding(true)}>
            Add machine
          </Button>
        </div>
      ) : null}

      {adding ? (
        <TokenOnce
          onIssued={(issued) => {
            void refresh();
            onAdded(issued);
          }}
          onDone={() => setAdding(false)}
        >
          {(show) => <AddMachineDialog grantable={grantable} onClose={() => setAdding(false)} onIssued={show} />}
        </TokenOnce>
      ) : null}

      {rotating ? (
        <TokenOnce
          onIssued={(issued) => {
            void refresh();
            onRotated(issued);
          }}
          onDone={() => setRotating(null)}
        >
          {(show) => <RotateMachineDialog machine={rotating} onClose={() => setRotating(null)} onIssued={show} />}
        </TokenOnce>
      ) : null}

      {preview ? (
        <RevokeMachineDialog
          machine={preview.machine}
          preview={preview.revoked}
          onClose={() => setPreview(null)}
          onRevoked={(done) => {
            setPreview(null);
            revoked.current = true;
            void refresh();
            onRevoked(preview.machine, done);
          }}
        />
      ) : null}
    </Dialog>
  );
}

function MachineRow({
  machine,
  now,
  owner,
  busy,
  previewing,
  onRotate,
  onRevoke,
}: {
  machine: Machine;
  now: number;
  owner: boolean;
  busy: boolean;
  previewing: boolean;
  onRotate: () => void;
  onRevoke: () => void;
}) {
  const { name, scopes, created_by, created_at, expires_at, last_used_at, last_used_from, exposed } = machine;
  const expired = expires_at !== null && expires_at <= now;
  return (
    <tr aria-label={name}>
      <th scope="row">
        <span className="machine-name">
          {name}
          {exposed !== null ? (
            <Badge tone="danger" title={`Token found in ${exposed}`}>
              exposed
            </Badge>
          ) : null}
        </span>
        {exposed !== null ? (
          <Callout tone="danger">
            {`Its token was found in clear in ${exposed}: ${owner ? "rotate it." : "ask the owner to rotate it."}`}
          </Callout>
        ) : null}
      </th>
      <td>
        {scopes.length > 0 ? (
          <span className="machine-scope-list">
            {scopes.map((scope) => (
              <code key={scope} className="path-chip">
                {scope}
              </code>
            ))}
          </span>
        ) : (
          // Expired grants are rekeyed away: nothing is left to read.
          <span className="muted">none</span>
        )}
      </td>
      <td>
        {created_by ?? <span className="muted">unknown</span>}
        {created_at !== null ? <div className="muted">{formatDate(created_at)}</div> : null}
      </td>
      <td>
        {expires_at === null ? (
          "never"
        ) : expired ? (
          <>
            <Badge tone="danger">expired</Badge>
            <div className="muted">{formatDateTime(expires_at)}</div>
          </>
        ) : (
          formatDateTime(expires_at)
        )}
      </td>
      <td>
        {last_used_at === null ? (
          <span className="muted">never</span>
        ) : (
          <>
            {formatDateTime(last_used_at)}
            {last_used_from ? <div className="muted">from {last_used_from}</div> : null}
          </>
        )}
      </td>
      {owner ? (
        <td>
          <span className="machine-actions">
            {/* An expired machine has nothing left to rotate (Rust refuses); revoking still tidies it away. */}
            <Button size="sm" aria-label={`Rotate token for ${name}`} disabled={busy || expired} onClick={onRotate}>
              Rotate token
            </Button>
            <Button
              size="sm"
              variant="ghost"
              className="btn-danger-text"
              aria-label={`Revoke ${name}`}
              busy={previewing}
              disabled={busy && !previewing}
              onClick={onRevoke}
            >
              Revoke
            </Button>
          </span>
        </td>
      ) : null}
    </tr>
  );
}
