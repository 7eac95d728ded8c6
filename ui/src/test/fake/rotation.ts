import type { NewRotation } from "../../bindings/NewRotation";
import type { SecretKind } from "../../bindings/SecretKind";
import type { SecretSummary } from "../../bindings/SecretSummary";
import { DAY, fail, parseRotation, type Command } from "./common";
import { KINDS } from "./secrets";
import type { FakeVault } from "./vault";

/** Rust's Session::due: the scopes this member sees (owner: all; lead: the projects led too). */
function due(vault: FakeVault, withinDays: number) {
  const me = vault.roster.find((m) => m.name === vault.me);
  const open = vault.scopesOf(vault.me);
  const sees = (project: string, environment: string) =>
    me?.role === "owner" || open.includes(`${project}/${environment}`) || (me?.role === "lead" && me.lead_of.includes(project));
  const rank = { exposed: 0, overdue: 1, "due-soon": 2, fresh: 3, "no-deadline": 4 } as const;
  const secrets = [...vault.projects.values()]
    .flatMap((envs) => [...envs.values()].flatMap((scope) => [...scope.values()]))
    .map((s) => s.summary)
    .filter((s) => sees(s.project, s.environment))
    .map((s): SecretSummary => {
      const rotation =
        s.exposed_at !== null
          ? "exposed"
          : s.due_at === null
            ? "no-deadline"
            : s.due_at <= vault.now
              ? "overdue"
              : s.due_at <= vault.now + withinDays * DAY
                ? "due-soon"
                : "fresh";
      return { ...s, rotation };
    })
    .filter((s) => s.rotation === "exposed" || s.rotation === "overdue" || s.rotation === "due-soon")
    .sort((a, b) => rank[a.rotation] - rank[b.rotation] || (a.due_at ?? 0) - (b.due_at ?? 0));
  return { now: vault.now, secrets };
}

function stage(vault: FakeVault, { path, value }: NewRotation) {
  const stored = vault.readable(path, false);
  const text = value.type === "file" ? atob(value.base64) : value.text;
  if (!text) throw fail("invalid", `the new value for ${path} is empty`);
  const version = Math.max(stored.pending?.version ?? 0, stored.summary.version ?? 0, stored.values.length) + 1;
  stored.pending = { value: text, version, check: null };
  stored.summary.pending_version = version;
  const warning = stored.summary.kind === "openai" && !text.startsWith("sk-") ? "OpenAI keys start with sk-" : null;
  return { version, format_warning: warning, saved_check: stored.summary.check_command };
}

function check(vault: FakeVault, path: string, command: string | null, save: boolean) {
  const stored = vault.readable(path, false);
  const typed = command?.trim() || null;
  if (save) stored.summary.check_command = typed;
  const run = typed ?? stored.summary.check_command;
  if (run === null) throw fail("invalid", `invalid check setting: ${path} has no saved check: give a command`);
  if (!stored.pending) throw fail("not_found", `${path} has no pending version`);
  const passed = vault.checkPasses(run, stored.pending.value);
  stored.pending.check = passed ? "passed" : "failed";
  return { passed, exit_code: passed ? 0 : 1, version: stored.pending.version };
}

function promote(vault: FakeVault, path: string, version: number | null, overlap: string | null) {
  const stored = vault.readable(path, false);
  const pending = stored.pending;
  if (!pending || (version !== null && version !== pending.version)) {
    throw fail("not_found", `${path} has no pending version ${version ?? ""} to promote`);
  }
  if (pending.check === "failed") {
    throw fail("check_failed", `the check of ${path} version ${pending.version} failed: not promoting it`);
  }
  if (stored.summary.check_command !== null && pending.check !== "passed") {
    throw fail("check_failed", `${path} has a saved check that version ${pending.version} has not passed: run it first`);
  }
  const window = parseRotation(overlap) ?? DAY;
  const summary = stored.summary;
  const previous = summary.version;
  stored.previous = { value: stored.values[stored.values.length - 1] ?? "", version: previous ?? 0 };
  stored.values.push(pending.value);
  delete stored.pending;
  Object.assign(summary, {
    version: pending.version,
    pending_version: null,
    previous_until: vault.now + window,
    last_rotated_at: vault.now,
    due_at: summary.rotate_every_secs === null ? null : vault.now + summary.rotate_every_secs,
    rotation: "fresh",
    exposed_at: null,
    exposed_reason: null,
  });
  return { current: pending.version, previous, previous_until: previous === null ? null : vault.now + window };
}

function rollback(vault: FakeVault, path: string) {
  const stored = vault.readable(path, false);
  const { previous, summary } = stored;
  if (!previous || summary.previous_until === null || summary.previous_until <= vault.now) {
    throw fail("not_found", `${path} has no previous version inside its overlap window: nothing to roll back to`);
  }
  const current = { value: stored.values[stored.values.length - 1] ?? "", version: summary.version ?? 0 };
  stored.values.push(previous.value);
  stored.previous = current;
  summary.version = previous.version;
  return { current: previous.version, previous: current.version, previous_until: summary.previous_until };
}

export const rotationCommands: Record<string, Command> = {
  due_secrets: (vault, args) => due(vault, Number(args.withinDays ?? 14)),
  stage_rotation: (vault, args) => stage(vault, args.rotation as NewRotation),
  check_rotation: (vault, args) => check(vault, String(args.path), (args.command as string | null) ?? null, Boolean(args.save)),
  promote_rotation: (vault, args) =>
    promote(vault, String(args.path), (args.version as number | null) ?? null, (args.overlap as string | null) ?? null),
  rollback_rotation: (vault, args) => rollback(vault, String(args.path)),
  cancel_rotation: (vault, args) => {
    const stored = vault.readable(args.path, false);
    if (!stored.pending) throw fail("not_found", `${String(args.path)} has no pending version to cancel`);
    const { version } = stored.pending;
    delete stored.pending;
    stored.summary.pending_version = null;
    return version;
  },
  // Opens a browser, not the vault: answered while locked too.
  open_provider_page: (vault, args) => {
    const kind = args.kind as SecretKind;
    const info = KINDS.find((k) => k.kind === kind);
    if (!info?.console_url) throw fail("invalid", `invalid provider page setting: ${info?.label ?? kind} keys have no provider page`);
    vault.openedPages.push(kind);
    return null;
  },
};
