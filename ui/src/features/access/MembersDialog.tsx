import { useEffect, useRef, useState } from "react";

import * as api from "../../api";
import type { Revoked } from "../../bindings/Revoked";
import type { RosterEntry } from "../../bindings/RosterEntry";
import { Alert, Callout } from "../../components/Alert";
import { Badge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { SelectField } from "../../components/Field";
import { refocusAfterRemoval } from "../../components/refocusAfterRemoval";
import { useSubmit } from "../../components/useSubmit";
import { AdmitDialog } from "./AdmitDialog";
import { RevokeDialog } from "./RevokeDialog";
import "./access.css";

/** "owner", "member", or "lead of llm-eval, training". */
export function roleText(entry: RosterEntry) {
  return entry.role === "lead" && entry.lead_of.length > 0 ? `lead of ${entry.lead_of.join(", ")}` : entry.role;
}

/**
 * The roster as this device verifies it. Owners and leads admit pending members (after comparing
 * fingerprints out of band) and revoke a member's access to a scope they hold: previewed first,
 * since revoking rekeys the scope and flags what was read.
 */
export function MembersDialog({
  roster,
  me,
  revocable,
  projects,
  onClose,
  onRevoked,
  onAdmitted,
}: {
  roster: RosterEntry[];
  me: RosterEntry | null;
  /** Scopes this member may revoke access to; empty hides revocation. */
  revocable: string[];
  /** Project names, for admitting a lead. */
  projects: string[];
  onClose: () => void;
  onRevoked: (revoked: Revoked) => void;
  onAdmitted: (admitted: RosterEntry) => void;
}) {
  const others = roster.filter((entry) => entry.name !== me?.name);
  // A trusted owner or lead admits; Rust checks again (a lead admits members only).
  const admits = me !== null && me.trusted && me.status === "active" && (me.role === "owner" || me.role === "lead");
  const showAdmit = admits && roster.some((entry) => entry.status === "pending" && entry.name !== me?.name);
  const [admitting, setAdmitting] = useState<RosterEntry | null>(null);
  const [revoking, setRevoking] = useState(false);
  const [member, setMember] = useState(others[0]?.name ?? "");
  const [scope, setScope] = useState(revocable[0] ?? "");
  const [preview, setPreview] = useState<Revoked | null>(null);
  const { busy, error, setError, submit } = useSubmit();
  const revokeSection = useRef<HTMLDivElement>(null);
  const wasRevoking = useRef(false);
  const table = useRef<HTMLDivElement>(null);
  const admitted = useRef(false);

  // Closing the form (Cancel, or after revoking) removes the focused control: back to its button.
  useEffect(() => {
    if (wasRevoking.current && !revoking) revokeSection.current?.querySelector<HTMLElement>("button")?.focus();
    wasRevoking.current = revoking;
  }, [revoking]);

  // An admitted member's Admit button goes once the roster is read again, taking the focus with
  // it: on to the next Admit button, else the next control in the dialog.
  useEffect(() => refocusAfterRemoval(admitted, table.current, "button", revokeSection.current), [roster]);

  const review = () => {
    if (!member || !scope) return;
    void submit(async () => setPreview(await api.previewRevoke(member, scope)));
  };

  return (
    <Dialog label="Members" description="Fingerprints are checked against the owner key this device pinned." size="lg" className="members-dialog" onClose={onClose}>
      <div className="members-scroll" ref={table}>
        <table className="members">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Fingerprint</th>
              <th scope="col">Trusted</th>
              {showAdmit ? (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {roster.map((entry) => (
              <tr key={entry.id} aria-label={entry.name}>
                <th scope="row">
                  {entry.name}
                  {entry.name === me?.name ? <span className="muted"> (you)</span> : null}
                </th>
                <td>{roleText(entry)}</td>
                <td>
                  <Badge tone={entry.status === "active" ? "success" : entry.status === "pending" ? "warning" : "neutral"}>
                    {entry.status}
                  </Badge>
                </td>
                <td className="mono">{entry.fingerprint}</td>
                <td>
                  {entry.trusted ? (
                    "Yes"
                  ) : entry.status === "pending" ? (
                    // The status says why; admitting (a signed admission) makes them trusted.
                    <span className="muted">Not until admitted</span>
                  ) : (
                    <Callout>{`Not trusted: ${entry.problem ?? "no admission chain to the owner"}`}</Callout>
                  )}
                </td>
                {showAdmit ? (
                  <td>
                    {entry.status === "pending" && entry.name !== me?.name ? (
                      <Button size="sm" aria-label={`Admit ${entry.name}`} onClick={() => setAdmitting(entry)}>
                        Admit
                      </Button>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {revocable.length > 0 && others.length > 0 ? (
        revoking ? (
          <form
            className="revoke-form"
            noValidate
            onSubmit={(event) => {
              event.preventDefault();
              review();
            }}
          >
            <div className="form-row">
              <SelectField label="Member" value={member} autoFocus onChange={(e) => setMember(e.target.value)}>
                {others.map((entry) => (
                  <option key={entry.id} value={entry.name}>
                    {entry.name}
                  </option>
                ))}
              </SelectField>
              <SelectField label="Scope" value={scope} onChange={(e) => setScope(e.target.value)}>
                {revocable.map((label) => (
                  <option key={label} value={label}>
                    {label}
                  </option>
                ))}
              </SelectField>
            </div>
            <Alert message={error} />
            <div className="request-buttons">
              <Button
                onClick={() => {
                  setRevoking(false);
                  setError(null);
                }}
              >
                Cancel
              </Button>
              <Button type="submit" variant="primary" busy={busy}>
                Review revocation
              </Button>
            </div>
          </form>
        ) : (
          <div className="request-buttons" ref={revokeSection}>
            <Button
              icon="lock"
              onClick={() => {
                setMember(others[0]?.name ?? "");
                setScope(revocable[0] ?? "");
                setRevoking(true);
              }}
            >
              Revoke access
            </Button>
          </div>
        )
      ) : null}

      {admitting ? (
        <AdmitDialog
          entry={admitting}
          mayAdmitLeads={me?.role === "owner"}
          projects={projects}
          onClose={() => setAdmitting(null)}
          onAdmitted={(entry) => {
            admitted.current = true;
            setAdmitting(null);
            onAdmitted(entry);
          }}
        />
      ) : null}

      {preview ? (
        <RevokeDialog
          preview={preview}
          onClose={() => setPreview(null)}
          onRevoked={(revoked) => {
            setPreview(null);
            setRevoking(false);
            onRevoked(revoked);
          }}
        />
      ) : null}
    </Dialog>
  );
}
