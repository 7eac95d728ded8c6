import { useCallback, useEffect, useMemo, useState } from "react";

import * as api from "./api";
import type { KindInfo } from "./bindings/KindInfo";
import type { ProjectSummary } from "./bindings/ProjectSummary";
import type { SecretKind } from "./bindings/SecretKind";
import { DialogHost, type OpenDialog } from "./browser/DialogHost";
import { ListBody } from "./browser/ListBody";
import { TopBar } from "./browser/TopBar";
import { useScopeSecrets } from "./browser/useScopeSecrets";
import { Button } from "./components/Button";
import { Icon } from "./components/Icon";
import { KIND_LABEL } from "./components/KindIcon";
import { useToast } from "./components/Toast";
import { useTeamAccess } from "./features/access/useTeamAccess";
import { ProjectTree } from "./features/projects/ProjectTree";
import { scopeKey, type Scope } from "./features/projects/scope";
import { SecretDetail } from "./features/secrets/SecretDetail";
import { useRotation } from "./features/rotation/useRotation";
import "./Browser.css";

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
  const [selected, setSelected] = useState<string | null>(null);
  const [dialog, setDialog] = useState<OpenDialog | null>(null);
  // A request from the scan page to open the Rotate dialog of a secret (n: a new request).
  const [rotateRequest, setRotateRequest] = useState<{ path: string; n: number } | null>(null);
  const team = useTeamAccess(member);
  // The tray menu's "Rotation" opens the dashboard, unless another dialog is in the way.
  const rotation = useRotation(() => setDialog((open) => open ?? { type: "rotation" }));
  const key = scope ? scopeKey(scope) : null;
  // A string, so a poll that changes nothing for this scope does not reload its list.
  const scopeAccess = key ? team.access(key) : "unknown";
  const { secrets, error: listError, reload } = useScopeSecrets(scope, scopeAccess);
  const rotationChanged = useCallback(() => {
    reload();
    void rotation.refresh();
  }, [reload, rotation.refresh]);

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

  // Other members' changes: the list and the tree follow within a second or two.
  useEffect(() => {
    let live = true;
    let stop: (() => void) | null = null;
    api
      .onVaultChanged(() => {
        reload();
        void refreshProjects();
      })
      .then(
        (unlisten) => {
          if (live) stop = unlisten;
          else unlisten();
        },
        () => {},
      );
    return () => {
      live = false;
      stop?.();
    };
  }, [reload, refreshProjects]);

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

  return (
    <div className="shell">
      <TopBar vaultName={vaultName} member={member} team={team} rotation={rotation} onOpen={setDialog} onLock={onLock} />

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
                  reload();
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

      <DialogHost
        dialog={dialog}
        onClose={closeDialog}
        scope={scope}
        projects={projects}
        kinds={kinds}
        kindLabel={kindLabel}
        secretNames={names}
        team={team}
        rotation={rotation}
        refreshProjects={refreshProjects}
        selectScope={selectScope}
        selectSecret={setSelected}
        reloadList={reload}
        onRotationChanged={rotationChanged}
        onRotateRequest={(path) => setRotateRequest((r) => ({ path, n: (r?.n ?? 0) + 1 }))}
      />
    </div>
  );
}
