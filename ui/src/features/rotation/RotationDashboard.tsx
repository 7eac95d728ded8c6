import { useId, useState } from "react";

import * as api from "../../api";
import type { DueSecrets } from "../../bindings/DueSecrets";
import type { KindInfo } from "../../bindings/KindInfo";
import type { SecretKind } from "../../bindings/SecretKind";
import type { SecretSummary } from "../../bindings/SecretSummary";
import { Badge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { KindIcon } from "../../components/KindIcon";
import { ROTATION_WEEK_DAYS, ROTATION_WINDOW_DAYS } from "../../config";
import { formatDate, formatDateTime, relativeDays } from "../../lib/time";
import { RotateDialog } from "./RotateDialog";
import "./rotation.css";

const DAY = 86_400;

export interface DueGroup {
  title: "Exposed" | "Overdue" | "Due this week" | "Due this month";
  secrets: SecretSummary[];
}

/** The dashboard's sections, in order of urgency; deadlines are judged against Rust's `now`. */
export function groupDue({ now, secrets }: DueSecrets): DueGroup[] {
  const week = (s: SecretSummary) => s.due_at !== null && s.due_at - now <= ROTATION_WEEK_DAYS * DAY;
  return [
    { title: "Exposed", secrets: secrets.filter((s) => s.rotation === "exposed") },
    { title: "Overdue", secrets: secrets.filter((s) => s.rotation === "overdue") },
    { title: "Due this week", secrets: secrets.filter((s) => s.rotation === "due-soon" && week(s)) },
    { title: "Due this month", secrets: secrets.filter((s) => s.rotation === "due-soon" && !week(s)) },
  ];
}

/**
 * What must be rotated, across every scope this member sees (a lead: the scopes they lead), and
 * the way to rotate each. `onChanged`: a rotation step changed something; read the lists again.
 */
export function RotationDashboard({
  due,
  error,
  kinds,
  kindLabel,
  onClose,
  onChanged,
}: {
  due: DueSecrets | null;
  error: string | null;
  kinds: KindInfo[];
  kindLabel: (kind: SecretKind) => string;
  onClose: () => void;
  onChanged: () => void;
}) {
  const [rotating, setRotating] = useState<SecretSummary | null>(null);
  const groups = due ? groupDue(due).filter((g) => g.secrets.length > 0) : [];

  return (
    <Dialog
      label="Rotation"
      description={`Exposed and overdue secrets, and what falls due in the next ${ROTATION_WINDOW_DAYS} days, in every scope you can see.`}
      size="lg"
      className="rotation-dialog"
      onClose={onClose}
    >
      {due === null ? (
        error ? (
          <p role="alert" className="detail-error">
            {error}
          </p>
        ) : (
          <p className="muted">Loading…</p>
        )
      ) : groups.length === 0 ? (
        <p className="rotation-empty">{`Nothing to rotate in the next ${ROTATION_WINDOW_DAYS} days.`}</p>
      ) : (
        <div className="rotation-groups">
          {groups.map((group) => (
            <Group
              key={group.title}
              group={group}
              now={due.now}
              kindLabel={kindLabel}
              onRotate={setRotating}
            />
          ))}
        </div>
      )}
      {rotating && due ? (
        <RotateDialog
          secret={rotating}
          kind={kinds.find((k) => k.kind === rotating.kind) ?? null}
          kindLabel={kindLabel(rotating.kind)}
          now={due.now}
          onClose={() => setRotating(null)}
          onChanged={onChanged}
        />
      ) : null}
    </Dialog>
  );
}

function Group({
  group,
  now,
  kindLabel,
  onRotate,
}: {
  group: DueGroup;
  now: number;
  kindLabel: (kind: SecretKind) => string;
  onRotate: (secret: SecretSummary) => void;
}) {
  const headingId = useId();
  return (
    <section className="rotation-group" aria-labelledby={headingId}>
      <h3 id={headingId} className={`rotation-group-title rotation-${group.title === "Exposed" || group.title === "Overdue" ? "urgent" : "soon"}`}>
        {group.title}
        <span className="rotation-group-count">{group.secrets.length}</span>
      </h3>
      <ul className="rotation-list" aria-label={group.title}>
        {group.secrets.map((secret) => (
          <Row key={api.secretPath(secret)} secret={secret} now={now} kindLabel={kindLabel(secret.kind)} onRotate={() => onRotate(secret)} />
        ))}
      </ul>
    </section>
  );
}

function Row({ secret, now, kindLabel, onRotate }: { secret: SecretSummary; now: number; kindLabel: string; onRotate: () => void }) {
  const path = api.secretPath(secret);
  const overlapping = secret.previous_until !== null && secret.previous_until > now;
  return (
    <li className="rotation-row" aria-label={path}>
      <KindIcon kind={secret.kind} />
      <div className="rotation-row-main">
        <div className="rotation-row-head">
          <code className="path-chip">{path}</code>
          <span className="muted rotation-kind">{kindLabel}</span>
          {secret.pending_version !== null ? <Badge tone="accent">{`v${secret.pending_version} pending`}</Badge> : null}
          {overlapping && secret.previous_until !== null ? (
            <Badge tone="neutral">{`previous readable until ${formatDateTime(secret.previous_until)}`}</Badge>
          ) : null}
        </div>
        <p className="rotation-row-when">
          {secret.rotation === "exposed" ? (
            <span className="rotation-exposed">
              {secret.exposed_reason ? `Exposed: ${secret.exposed_reason}.` : "Exposed."} Rotate it at the provider.
            </span>
          ) : secret.due_at !== null ? (
            <>
              {secret.rotation === "overdue" ? "Was due " : "Due "}
              {formatDate(secret.due_at)} <span className="muted">({relativeDays(secret.due_at, now)})</span>
            </>
          ) : null}
        </p>
      </div>
      <Button variant={secret.rotation === "due-soon" ? "secondary" : "primary"} size="sm" icon="rotate" aria-label={`Rotate ${path}`} onClick={onRotate}>
        Rotate
      </Button>
    </li>
  );
}
