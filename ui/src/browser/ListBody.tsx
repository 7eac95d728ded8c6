import type { ReactNode } from "react";

import type { AccessRequest } from "../bindings/AccessRequest";
import type { SecretKind } from "../bindings/SecretKind";
import type { SecretSummary } from "../bindings/SecretSummary";
import { Button } from "../components/Button";
import { LockedScope } from "../features/access/LockedScope";
import type { Scope } from "../features/projects/scope";
import { SecretList } from "../features/secrets/SecretList";

/** What the list pane shows for the scope: a hint, its lock, its error, or its secrets. */
export function ListBody({
  scope,
  hasProjects,
  secrets,
  locked,
  waiting,
  onRequestAccess,
  error,
  selected,
  onSelect,
  kindLabel,
  onAddProject,
}: {
  scope: Scope | null;
  hasProjects: boolean;
  secrets: SecretSummary[] | null;
  locked: boolean;
  waiting: AccessRequest | null;
  onRequestAccess: () => void;
  error: string | null;
  selected: string | null;
  onSelect: (name: string) => void;
  kindLabel: (kind: SecretKind) => string;
  onAddProject: () => void;
}) {
  if (!scope) {
    return hasProjects ? (
      <EmptyState title="Choose an environment" text="Pick a project environment on the left to see its secrets." />
    ) : (
      <EmptyState title="No projects yet" text="Projects group secrets by piece of work, with environments like dev and prod.">
        <Button variant="primary" icon="plus" onClick={onAddProject}>
          Create your first project
        </Button>
      </EmptyState>
    );
  }
  if (locked) return <LockedScope scope={scope} waiting={waiting} onRequest={onRequestAccess} />;
  if (error) return <EmptyState title="Could not load secrets" text={error} alert />;
  if (secrets === null) return <p className="list-loading">Loading…</p>;
  if (secrets.length === 0) {
    return <EmptyState title="No secrets in this environment yet" text="Add one with Add secret; only its name is stored in clear." />;
  }
  return <SecretList secrets={secrets} selectedName={selected} onSelect={onSelect} kindLabel={kindLabel} />;
}

function EmptyState({ title, text, alert, children }: { title: string; text: string; alert?: boolean; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      <p className="empty-text" role={alert ? "alert" : undefined}>
        {text}
      </p>
      {children}
    </div>
  );
}
