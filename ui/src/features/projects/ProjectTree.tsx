import { useId, type KeyboardEvent } from "react";

import type { ProjectSummary } from "../../bindings/ProjectSummary";
import { Badge } from "../../components/Badge";
import { Icon } from "../../components/Icon";
import { sameScope, scopeKey, type Scope } from "./scope";
import "./projects.css";

interface ProjectTreeProps {
  projects: ProjectSummary[] | null;
  scope: Scope | null;
  /** Projects start unfolded; this holds the ones the user folded. */
  collapsed: ReadonlySet<string>;
  onToggle: (project: string) => void;
  onSelect: (scope: Scope) => void;
  onAddEnvironment: (project: string) => void;
  /** Environments this member holds no key to: they show a lock. */
  isLocked: (scope: string) => boolean;
}

/**
 * The sidebar: projects, each with its environments. Arrow keys move between rows (like a
 * file tree); Left/Right fold and unfold a project.
 */
export function ProjectTree({ projects, scope, collapsed, onToggle, onSelect, onAddEnvironment, isLocked }: ProjectTreeProps) {
  // One shared description, so a locked row keeps its plain "project/env" name.
  const lockedId = useId();
  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    const rows = [...event.currentTarget.querySelectorAll<HTMLButtonElement>("[data-tree-row]")];
    const current = document.activeElement as HTMLButtonElement | null;
    const index = current ? rows.indexOf(current) : -1;
    if (index < 0) return;
    const focus = (i: number) => rows[Math.max(0, Math.min(rows.length - 1, i))]?.focus();
    const project = current?.dataset.project ?? "";
    const isProjectRow = current?.dataset.treeRow === "project";
    switch (event.key) {
      case "ArrowDown":
        focus(index + 1);
        break;
      case "ArrowUp":
        focus(index - 1);
        break;
      case "Home":
        focus(0);
        break;
      case "End":
        focus(rows.length - 1);
        break;
      case "ArrowRight":
        if (isProjectRow && collapsed.has(project)) onToggle(project);
        else if (isProjectRow) focus(index + 1);
        break;
      case "ArrowLeft":
        if (isProjectRow && !collapsed.has(project)) onToggle(project);
        else if (!isProjectRow) rows.find((r) => r.dataset.treeRow === "project" && r.dataset.project === project)?.focus();
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  return (
    <nav aria-label="Projects" className="sidebar">
      <h2 className="sidebar-heading">Projects</h2>
      <span id={lockedId} hidden>
        No access
      </span>
      {projects === null ? (
        <p className="sidebar-empty">Loading…</p>
      ) : projects.length === 0 ? (
        <p className="sidebar-empty">No projects yet. A project holds environments like dev and prod.</p>
      ) : (
        <ul role="tree" aria-label="Projects and environments" className="tree" onKeyDown={onKeyDown}>
          {projects.map((project) => (
            <ProjectNode
              key={project.name}
              project={project}
              open={!collapsed.has(project.name)}
              scope={scope}
              onToggle={onToggle}
              onSelect={onSelect}
              onAddEnvironment={onAddEnvironment}
              isLocked={isLocked}
              lockedId={lockedId}
            />
          ))}
        </ul>
      )}
    </nav>
  );
}

interface ProjectNodeProps {
  project: ProjectSummary;
  open: boolean;
  scope: Scope | null;
  onToggle: (project: string) => void;
  onSelect: (scope: Scope) => void;
  onAddEnvironment: (project: string) => void;
  isLocked: (scope: string) => boolean;
  lockedId: string;
}

function ProjectNode({ project, open, scope, onToggle, onSelect, onAddEnvironment, isLocked, lockedId }: ProjectNodeProps) {
  const labelId = useId();
  const holdsSelection = scope?.project === project.name;
  return (
    <li role="treeitem" aria-expanded={open} aria-labelledby={labelId} className="tree-project">
      <button
        type="button"
        id={labelId}
        className={`tree-row tree-project-row${holdsSelection && !open ? " holds-selection" : ""}`}
        data-tree-row="project"
        data-project={project.name}
        onClick={() => onToggle(project.name)}
      >
        <Icon name="chevron" className={`tree-chevron${open ? " open" : ""}`} />
        <span className="tree-name">{project.name}</span>
      </button>
      {open ? (
        <ul role="group" className="tree-group">
          {project.environments.map((env) => {
            const here = { project: project.name, environment: env.name };
            const selected = sameScope(scope, here);
            const locked = isLocked(scopeKey(here));
            return (
              <li key={env.name} role="none">
                <button
                  type="button"
                  className={`tree-row tree-env${selected ? " selected" : ""}`}
                  aria-label={`${project.name}/${env.name}`}
                  aria-current={selected ? "true" : undefined}
                  aria-describedby={locked ? lockedId : undefined}
                  data-tree-row="env"
                  data-project={project.name}
                  onClick={() => onSelect(here)}
                >
                  <span className="tree-name">{env.name}</span>
                  {locked ? <Icon name="lock" size={14} className="tree-lock" /> : null}
                  <Badge tone={selected ? "accent" : "neutral"}>{env.secrets.toLocaleString()}</Badge>
                </button>
              </li>
            );
          })}
          <li role="none">
            <button
              type="button"
              className="tree-row tree-add"
              aria-label={`Add environment to ${project.name}`}
              data-tree-row="add"
              data-project={project.name}
              onClick={() => onAddEnvironment(project.name)}
            >
              <Icon name="plus" size={14} />
              Add environment
            </button>
          </li>
        </ul>
      ) : null}
    </li>
  );
}
