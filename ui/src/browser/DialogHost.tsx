import { useState } from "react";

import type { KindInfo } from "../bindings/KindInfo";
import type { ProjectSummary } from "../bindings/ProjectSummary";
import type { Revoked } from "../bindings/Revoked";
import type { SecretKind } from "../bindings/SecretKind";
import { useToast } from "../components/Toast";
import { AccessRequestsDialog } from "../features/access/AccessRequestsDialog";
import { MembersDialog, roleText } from "../features/access/MembersDialog";
import { RequestAccessDialog } from "../features/access/RequestAccessDialog";
import { grantableScopes, type TeamAccess } from "../features/access/useTeamAccess";
import { MachinesDialog } from "../features/machines/MachinesDialog";
import { AddEnvironmentDialog } from "../features/projects/AddEnvironmentDialog";
import { AddProjectDialog } from "../features/projects/AddProjectDialog";
import { scopeKey, type Scope } from "../features/projects/scope";
import { RotationDashboard } from "../features/rotation/RotationDashboard";
import type { Rotation } from "../features/rotation/useRotation";
import { ScanDialog, type ScanResult } from "../features/scan/ScanDialog";
import { SearchDialog } from "../features/search/SearchDialog";
import { AddSecretDialog } from "../features/secrets/AddSecretDialog";
import { SettingsDialog } from "../features/settings/SettingsDialog";

/** The browser's dialogs: one open at a time (nested confirms belong to the dialog under them). */
export type OpenDialog =
  | { type: "add-project" }
  | { type: "add-environment"; project: string }
  | { type: "add-secret" }
  | { type: "search" }
  | { type: "settings" }
  | { type: "request-access"; scope: Scope }
  | { type: "access-requests" }
  | { type: "members" }
  | { type: "machines" }
  | { type: "scan" }
  | { type: "rotation" };

interface DialogHostProps {
  dialog: OpenDialog | null;
  onClose: () => void;
  scope: Scope | null;
  projects: ProjectSummary[] | null;
  kinds: KindInfo[];
  kindLabel: (kind: SecretKind) => string;
  /** The names in the open scope, so Add secret can say a name exists. */
  secretNames: ReadonlySet<string>;
  team: TeamAccess;
  rotation: Rotation;
  // What a dialog's outcome changes in the browser behind it.
  refreshProjects: () => Promise<unknown>;
  selectScope: (scope: Scope, secretName?: string | null) => void;
  selectSecret: (name: string) => void;
  reloadList: () => void;
  onRotationChanged: () => void;
  /** The scan page asks for a secret's Rotate dialog ("project/env/NAME"). */
  onRotateRequest: (path: string) => void;
}

/** Renders the open dialog and turns what it did into toasts and fresh reads. */
export function DialogHost({
  dialog,
  onClose,
  scope,
  projects,
  kinds,
  kindLabel,
  secretNames,
  team,
  rotation,
  refreshProjects,
  selectScope,
  selectSecret,
  reloadList,
  onRotationChanged,
  onRotateRequest,
}: DialogHostProps) {
  const toast = useToast();
  // The last leak scan, so its results are still there after going to a secret it found.
  const [lastScan, setLastScan] = useState<ScanResult | null>(null);

  switch (dialog?.type) {
    case "add-project":
      return (
        <AddProjectDialog
          onClose={onClose}
          onCreated={(project, environments) => {
            onClose();
            toast.show(`Created project ${project}.`);
            // Its creator holds the new scopes: select one once my_scopes says so, never as locked.
            void Promise.all([refreshProjects(), team.refresh()]).then(() => {
              const first = environments[0];
              if (first) selectScope({ project, environment: first });
            });
          }}
        />
      );
    case "add-environment": {
      const { project } = dialog;
      return (
        <AddEnvironmentDialog
          project={project}
          onClose={onClose}
          onCreated={(environment) => {
            onClose();
            toast.show(`Created ${project}/${environment}.`);
            void Promise.all([refreshProjects(), team.refresh()]).then(() => selectScope({ project, environment }));
          }}
        />
      );
    }
    case "add-secret":
      return scope ? (
        <AddSecretDialog
          scope={scope}
          kinds={kinds}
          existingNames={secretNames}
          onClose={onClose}
          onSaved={(name) => {
            onClose();
            toast.show(`Saved ${scopeKey(scope)}/${name}.`);
            selectSecret(name);
            reloadList();
            void refreshProjects();
          }}
        />
      ) : null;
    case "settings":
      return (
        <SettingsDialog
          onClose={onClose}
          onSaved={() => {
            onClose();
            toast.show("Settings saved.");
          }}
        />
      );
    case "request-access": {
      const { project } = dialog.scope;
      return (
        <RequestAccessDialog
          scope={dialog.scope}
          onClose={onClose}
          onSent={() => {
            onClose();
            toast.show(`Request sent. A lead of ${project} decides.`);
            void team.refresh();
          }}
        />
      );
    }
    case "access-requests":
      return (
        <AccessRequestsDialog
          requests={team.inbox}
          onClose={onClose}
          onDecided={(message) => {
            toast.show(message);
            void team.refresh();
          }}
        />
      );
    case "members": {
      return (
        <MembersDialog
          roster={team.roster}
          me={team.me}
          revocable={grantableScopes(team)}
          projects={projects?.map((p) => p.name) ?? []}
          onClose={onClose}
          onAdmitted={(admitted) => {
            toast.show(`Admitted ${admitted.name} as ${roleText(admitted)}.`);
            void team.refresh();
          }}
          onRevoked={(revoked) => {
            toast.show(`Revoked ${revoked.member}'s access to ${revoked.scope}.`);
            void team.refresh();
            // Secrets the member read are flagged exposed now.
            reloadList();
          }}
        />
      );
    }
    case "machines": {
      // Rotating or revoking rekeys scopes and flags what the machine read as exposed, as a
      // member's revocation does: the roster and the open list are read again. Never the token.
      const exposedBy = (revoked: Revoked[]) => {
        const count = revoked.reduce((n, r) => n + r.exposed.length, 0);
        return count === 0 ? "" : ` ${count} ${count === 1 ? "secret it read is" : "secrets it read are"} flagged exposed.`;
      };
      return (
        <MachinesDialog
          grantable={grantableScopes(team)}
          owner={team.decides && team.me?.role === "owner"}
          onClose={onClose}
          onAdded={({ machine }) => {
            toast.show(`Added machine ${machine}.`);
            void team.refresh();
          }}
          onRotated={({ machine, revoked }) => {
            toast.show(`Rotated ${machine}'s token; the old one is revoked.${exposedBy(revoked)}`);
            void team.refresh();
            reloadList();
          }}
          onRevoked={(machine, revoked) => {
            toast.show(`Revoked machine ${machine}.${exposedBy(revoked)}`);
            void team.refresh();
            reloadList();
          }}
        />
      );
    }
    case "rotation":
      return (
        <RotationDashboard
          due={rotation.due}
          error={rotation.error}
          kinds={kinds}
          kindLabel={kindLabel}
          onClose={onClose}
          onChanged={onRotationChanged}
        />
      );
    case "scan":
      return (
        <ScanDialog
          initial={lastScan}
          onResult={(result) => {
            setLastScan(result);
            // Vault keys found in notebooks were just flagged exposed.
            if (result.report.exposed.length > 0) reloadList();
          }}
          onClose={onClose}
          onRotate={(path) => {
            const [project = "", environment = "", name = ""] = path.split("/");
            onClose();
            selectScope({ project, environment }, name);
            // The secret's Rotate dialog opens as soon as its detail shows.
            onRotateRequest(path);
            reloadList();
          }}
        />
      );
    case "search":
      return (
        <SearchDialog
          onClose={onClose}
          onChoose={(secret) => {
            onClose();
            selectScope({ project: secret.project, environment: secret.environment }, secret.name);
            reloadList();
          }}
        />
      );
    case undefined:
      return null;
  }
}
