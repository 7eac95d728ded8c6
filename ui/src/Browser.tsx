import { useCallback, useEffect, useId, useMemo, useState, type ReactNode } from "react";

import * as api from "./api";
import type { AccessRequest } from "./bindings/AccessRequest";
import type { KindInfo } from "./bindings/KindInfo";
import type { ProjectSummary } from "./bindings/ProjectSummary";
import type { SecretKind } from "./bindings/SecretKind";
import type { SecretSummary } from "./bindings/SecretSummary";
import { Button, IconButton } from "./components/Button";
import { Icon } from "./components/Icon";
import { KIND_LABEL } from "./components/KindIcon";
import { useToast } from "./components/Toast";
import { AccessRequestsDialog } from "./features/access/AccessRequestsDialog";
import { LockedScope } from "./features/access/LockedScope";
import { MembersDialog, roleText } from "./features/access/MembersDialog";
import { RequestAccessDialog } from "./features/access/RequestAccessDialog";
import { useTeamAccess } from "./features/access/useTeamAccess";
import { AddEnvironmentDialog } from "./features/projects/AddEnvironmentDialog";
import { AddProjectDialog } from "./features/projects/AddProjectDialog";
import { ProjectTree } from "./features/projects/ProjectTree";
import { scopeKey, type Scope } from "./features/projects/scope";
import { SearchDialog } from "./features/search/SearchDialog";
import { AddSecretDialog } from "./features/secrets/AddSecretDialog";
import { SecretDetail } from "./features/secrets/SecretDetail";
import { SecretList } from "./features/secrets/SecretList";
import { ScanDialog, type ScanResult } from "./features/scan/ScanDialog";
import { RotationDashboard } from "./features/rotation/RotationDashboard";
import { useRotation } from "./features/rotation/useRotation";
import { SettingsDialog } from "./features/settings/SettingsDialog";
import "./Browser.css";

type OpenDialog =
  | { type: "add-project" }
  | { type: "add-environment"; project: string }
  | { type: "add-secret" }
  | { type: "search" }
  | { type: "settings" }
  | { type: "request-access"; scope: Scope }
  | { type: "access-requests" }
  | { type: "members" }
  | { type: "scan" }
  | { type: "rotation" }
  | null;

interface Loaded {
  key: string;
  items: SecretSummary[];
}

const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

/**
 * The unlocked vault: projects on the left, the environment's secrets, the selected secret.
 * Everything here is dropped on lock because App unmounts this component.
 */
export function Browser({
  vaultName,
  member,
  notice,
  onLock,
}: {
  vaultName: string | null;
  member: string | null;
  notice: string | null;
  onLock: () => void;
}) {
  const toast = useToast();
  const [projects, setProjects] = useState<ProjectSummary[] | null>(null);
  const [kinds, setKinds] = useState<KindInfo[]>([]);
  const [scope, setScope] = useState<Scope | null>(null);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [selected, setSelected] = useState<string | null>(null);
  const [dialog, setDialog] = useState<OpenDialog>(null);
  // The last leak scan, so its results are still there after going to a secret it found.
  const [lastScan, setLastScan] = useState<ScanResult | null>(null);
  // A request from the scan page to open the Rotate dialog of a secret (n: a new request).
  const [rotateRequest, setRotateRequest] = useState<{ path: string; n: number } | null>(null);
  const team = useTeamAccess(member);
  const countId = useId();
  // The tray menu's "Rotation" opens the dashboard, unless another dialog is in the way.
  const rotation = useRotation(() => setDialog((open) => open ?? { type: "rotation" }));
  const rotationCountId = useId();
  const rotationChanged = useCallback(() => {
    setReload((n) => n + 1);
    void rotation.refresh();
  }, [rotation.refresh]);

  const refreshProjects = useCallback(async () => {
    try {
      const list = await api.listProjects();
      setProjects(list);
      return list;
    } catch (e) {
      // "locked" is not an error to show here: the app moves to the unlock screen (api.onLocked).
      if (api.toApiError(e).code !== "locked") toast.show(api.errorMessage(e), "error");
      setProjects((current) => current ?? []);
      return null;
    }
  }, [toast]);

  const selectScope = useCallback((next: Scope, secretName: string | null = null) => {
    setScope(next);
    setSelected(secretName);
    setCollapsed((set) => {
      if (!set.has(next.project)) return set;
      const copy = new Set(set);
      copy.delete(next.project);
      return copy;
    });
  }, []);

  // First load: projects, kinds, and the first environment so the window is never blank.
  useEffect(() => {
    void refreshProjects().then((list) => {
      const first = list?.find((p) => p.environments.length > 0);
      const env = first?.environments[0];
      if (first && env) setScope((current) => current ?? { project: first.name, environment: env.name });
    });
    api.secretKinds().then(setKinds, () => setKinds([]));
  }, [refreshProjects]);

  useEffect(() => {
    if (notice) toast.show(notice, "info");
  }, [notice, toast]);

  const key = scope ? scopeKey(scope) : null;
  // A string, so a poll that changes nothing for this scope does not reload its list.
  const scopeAccess = key ? team.access(key) : "unknown";
  useEffect(() => {
    // A locked scope has nothing to list (Rust would refuse); an unknown one waits for my_scopes.
    if (!scope || scopeAccess !== "open") return;
    let live = true;
    setListError(null);
    api.listSecrets(scope.project, scope.environment).then(
      (items) => live && setLoaded({ key: scopeKey(scope), items }),
      (e: unknown) => live && setListError(api.errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [scope, reload, scopeAccess]);

  // Ctrl+K / Cmd+K anywhere opens search, unless another dialog is in the way.
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k") {
        event.preventDefault();
        setDialog((open) => open ?? { type: "search" });
      }
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);

  const secrets = scopeAccess === "open" && loaded !== null && loaded.key === key ? loaded.items : null;
  const names = useMemo(() => new Set(secrets?.map((s) => s.name)), [secrets]);
  const selectedSecret = selected !== null ? (secrets?.find((s) => s.name === selected) ?? null) : null;
  const kindLabels = useMemo(() => new Map(kinds.map((k) => [k.kind, k.label])), [kinds]);
  const kindLabel = useCallback((kind: SecretKind) => kindLabels.get(kind) ?? KIND_LABEL[kind] ?? kind, [kindLabels]);

  const toggleProject = (project: string) =>
    setCollapsed((set) => {
      const copy = new Set(set);
      if (copy.has(project)) copy.delete(project);
      else copy.add(project);
      return copy;
    });

  const closeDialog = () => setDialog(null);

  // Verified ones only: a forged request is shown in the inbox but is not work to do.
  const pendingCount = team.inbox.filter((request) => request.verified).length;
  const me = team.me;
  const revocable =
    me && team.decides
      ? team.openScopes.filter((label) => me.role === "owner" || me.lead_of.includes(label.split("/")[0] ?? ""))
      : [];

  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand">
          <span className="brand-logo" aria-hidden="true">
            <Icon name="key" size={16} />
          </span>
          <div className="brand-text">
            <span className="brand-vault">{vaultName ?? "Keyshelf"}</span>
            {member ? <span className="brand-member">Signed in as {member}</span> : null}
          </div>
        </div>
        <button
          type="button"
          className="search-trigger"
          aria-keyshortcuts="Control+K Meta+K"
          data-shortcut={isMac ? "⌘K" : "Ctrl K"}
          onClick={() => setDialog({ type: "search" })}
        >
          <Icon name="search" />
          Search
        </button>
        <div className="topbar-actions">
          <Button
            variant="ghost"
            icon="rotate"
            aria-label="Rotation"
            title="Rotation"
            className="rotation-trigger"
            aria-describedby={rotation.urgent > 0 ? rotationCountId : undefined}
            onClick={() => {
              setDialog({ type: "rotation" });
              void rotation.refresh();
            }}
          >
            <span className="topbar-label">Rotation</span>
            {rotation.urgent > 0 ? (
              <span className="count-badge" aria-hidden="true">
                {rotation.urgent}
              </span>
            ) : null}
          </Button>
          <span id={rotationCountId} hidden>
            {`${rotation.urgent} to rotate now`}
          </span>
          {team.decides ? (
            <Button
              variant="ghost"
              icon="inbox"
              aria-label="Access requests"
              aria-describedby={pendingCount > 0 ? countId : undefined}
              onClick={() => {
                // Requests arrive from other devices between polls: opening reads afresh.
                setDialog({ type: "access-requests" });
                void team.refresh();
              }}
            >
              <span className="topbar-label">Access requests</span>
              {pendingCount > 0 ? (
                <span className="count-badge" aria-hidden="true">
                  {pendingCount}
                </span>
              ) : null}
            </Button>
          ) : null}
          {/* Outside the button: a description is not read from the button's own content. */}
          <span id={countId} hidden>
            {`${pendingCount} pending`}
          </span>
          <Button
            variant="ghost"
            icon="users"
            aria-label="Members"
            onClick={() => {
              setDialog({ type: "members" });
              void team.refresh();
            }}
          >
            <span className="topbar-label">Members</span>
          </Button>
          <Button icon="plus" onClick={() => setDialog({ type: "add-project" })}>
            Add project
          </Button>
          {/* Icon only (named and titled "Scan for leaks"): the bar is full at common widths. */}
          <IconButton icon="scan" label="Scan for leaks" onClick={() => setDialog({ type: "scan" })} />
          <IconButton icon="settings" label="Settings" onClick={() => setDialog({ type: "settings" })} />
          <Button variant="ghost" icon="lock" onClick={onLock}>
            Lock
          </Button>
        </div>
      </header>

      <div className="workspace">
        <ProjectTree
          projects={projects}
          scope={scope}
          collapsed={collapsed}
          onToggle={toggleProject}
          onSelect={(next) => selectScope(next)}
          onAddEnvironment={(project) => setDialog({ type: "add-environment", project })}
          isLocked={(label) => team.access(label) === "locked"}
        />

        <div className="content">
          <div className="list-pane">
            <div className="pane-header">
              <div className="pane-title">
                {scope ? (
                  <h1>
                    {scope.project}
                    <span className="pane-sep" aria-hidden="true">
                      /
                    </span>
                    <span className="visually-hidden">, environment </span>
                    {scope.environment}
                  </h1>
                ) : (
                  <h1>Secrets</h1>
                )}
                <p className="pane-subtitle">
                  {secrets ? `${secrets.length.toLocaleString()} ${secrets.length === 1 ? "secret" : "secrets"}` : " "}
                </p>
              </div>
              <Button
                variant="primary"
                icon="plus"
                disabled={scopeAccess !== "open"}
                onClick={() => setDialog({ type: "add-secret" })}
              >
                Add secret
              </Button>
            </div>
            <ListBody
              scope={scope}
              hasProjects={projects === null || projects.length > 0}
              secrets={secrets}
              locked={scopeAccess === "locked"}
              waiting={key ? team.waitingFor(key) : null}
              onRequestAccess={() => scope && setDialog({ type: "request-access", scope })}
              error={listError}
              selected={selected}
              onSelect={setSelected}
              kindLabel={kindLabel}
              onAddProject={() => setDialog({ type: "add-project" })}
            />
          </div>

          <div className="detail-pane">
            {selectedSecret ? (
              <SecretDetail
                key={api.secretPath(selectedSecret)}
                secret={selectedSecret}
                kindLabel={kindLabel(selectedSecret.kind)}
                kinds={kinds}
                onChanged={rotationChanged}
                rotateRequest={rotateRequest?.path === api.secretPath(selectedSecret) ? rotateRequest.n : undefined}
                onDeleted={() => {
                  setSelected(null);
                  setReload((n) => n + 1);
                  void refreshProjects();
                }}
              />
            ) : (
              <div className="pane-empty">
                <Icon name="shield" size={28} />
                <p>{secrets && secrets.length > 0 ? "Select a secret to see its details." : "Secret details appear here."}</p>
                <p className="muted">Values stay hidden until you reveal them, and hide again after 20 s.</p>
              </div>
            )}
          </div>
        </div>
      </div>

      {dialog?.type === "add-project" ? (
        <AddProjectDialog
          onClose={closeDialog}
          onCreated={(project, environments) => {
            closeDialog();
            toast.show(`Created project ${project}.`);
            // Its creator holds the new scopes: select one once my_scopes says so, never as locked.
            void Promise.all([refreshProjects(), team.refresh()]).then(() => {
              const first = environments[0];
              if (first) selectScope({ project, environment: first });
            });
          }}
        />
      ) : null}
      {dialog?.type === "add-environment" ? (
        <AddEnvironmentDialog
          project={dialog.project}
          onClose={closeDialog}
          onCreated={(environment) => {
            const project = dialog.project;
            closeDialog();
            toast.show(`Created ${project}/${environment}.`);
            void Promise.all([refreshProjects(), team.refresh()]).then(() => selectScope({ project, environment }));
          }}
        />
      ) : null}
      {dialog?.type === "add-secret" && scope ? (
        <AddSecretDialog
          scope={scope}
          kinds={kinds}
          existingNames={names}
          onClose={closeDialog}
          onSaved={(name) => {
            closeDialog();
            toast.show(`Saved ${scopeKey(scope)}/${name}.`);
            setSelected(name);
            setReload((n) => n + 1);
            void refreshProjects();
          }}
        />
      ) : null}
      {dialog?.type === "settings" ? (
        <SettingsDialog
          onClose={closeDialog}
          onSaved={() => {
            closeDialog();
            toast.show("Settings saved.");
          }}
        />
      ) : null}
      {dialog?.type === "request-access" ? (
        <RequestAccessDialog
          scope={dialog.scope}
          onClose={closeDialog}
          onSent={() => {
            const { project } = dialog.scope;
            closeDialog();
            toast.show(`Request sent. A lead of ${project} decides.`);
            void team.refresh();
          }}
        />
      ) : null}
      {dialog?.type === "access-requests" ? (
        <AccessRequestsDialog
          requests={team.inbox}
          onClose={closeDialog}
          onDecided={(message) => {
            toast.show(message);
            void team.refresh();
          }}
        />
      ) : null}
      {dialog?.type === "members" ? (
        <MembersDialog
          roster={team.roster}
          me={team.me}
          revocable={revocable}
          projects={projects?.map((p) => p.name) ?? []}
          onClose={closeDialog}
          onAdmitted={(admitted) => {
            toast.show(`Admitted ${admitted.name} as ${roleText(admitted)}.`);
            void team.refresh();
          }}
          onRevoked={(revoked) => {
            toast.show(`Revoked ${revoked.member}'s access to ${revoked.scope}.`);
            void team.refresh();
            // Secrets the member read are flagged exposed now.
            setReload((n) => n + 1);
          }}
        />
      ) : null}
      {dialog?.type === "rotation" ? (
        <RotationDashboard
          due={rotation.due}
          error={rotation.error}
          kinds={kinds}
          kindLabel={kindLabel}
          onClose={closeDialog}
          onChanged={rotationChanged}
        />
      ) : null}
      {dialog?.type === "scan" ? (
        <ScanDialog
          initial={lastScan}
          onResult={(result) => {
            setLastScan(result);
            // Vault keys found in notebooks were just flagged exposed.
            if (result.report.exposed.length > 0) setReload((n) => n + 1);
          }}
          onClose={closeDialog}
          onRotate={(path) => {
            const [project = "", environment = "", name = ""] = path.split("/");
            closeDialog();
            selectScope({ project, environment }, name);
            // The secret's Rotate dialog opens as soon as its detail shows.
            setRotateRequest((r) => ({ path, n: (r?.n ?? 0) + 1 }));
            setReload((n) => n + 1);
          }}
        />
      ) : null}
      {dialog?.type === "search" ? (
        <SearchDialog
          onClose={closeDialog}
          onChoose={(secret) => {
            closeDialog();
            selectScope({ project: secret.project, environment: secret.environment }, secret.name);
            setReload((n) => n + 1);
          }}
        />
      ) : null}
    </div>
  );
}

function ListBody({
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
