// An in-memory stand-in for the Rust commands, wired in through Tauri's own mockIPC (with its
// event mock, so listen() works and emitLocked() plays Rust's "vault-locked"). It keeps the
// rules that matter to the UI: values only come out of reveal_secret and notes out of
// secret_note, every failure rejects with a CommandError, and a locked vault refuses everything
// but status, unlocking and settings. Team access follows Rust's rules closely enough for the UI:
// a member opens only the scopes granted to them, and only the owner or a lead of the project
// decides requests and revokes (never their own request).

import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";

import type { AccessRequest } from "../bindings/AccessRequest";
import type { CommandError } from "../bindings/CommandError";
import type { KindInfo } from "../bindings/KindInfo";
import type { LockReason } from "../bindings/LockReason";
import type { NewRotation } from "../bindings/NewRotation";
import type { NewSecret } from "../bindings/NewSecret";
import type { RedactTarget } from "../bindings/RedactTarget";
import type { Revoked } from "../bindings/Revoked";
import type { Role } from "../bindings/Role";
import type { RosterEntry } from "../bindings/RosterEntry";
import type { SecretEdit } from "../bindings/SecretEdit";
import type { SecretKind } from "../bindings/SecretKind";
import type { SecretSummary } from "../bindings/SecretSummary";
import type { Settings } from "../bindings/Settings";
import type { TraySettings } from "../bindings/TraySettings";
import { FakeDisk, type Known } from "./fakeScan";

const DAY = 86_400;
export const PASSPHRASE = "correct horse battery staple";
export const RECOVERY_KEY = "KSR1-ABCD-EFGH-IJKL-MNOP-QRST-UVWX";
export const JOINED_FINGERPRINT = "9D41 07AA 3C62 F1E8";

export const KINDS: KindInfo[] = [
  { kind: "openai", label: "OpenAI", env_var: "OPENAI_API_KEY", default_rotation_days: 90, console_url: "https://platform.openai.com/api-keys" },
  { kind: "anthropic", label: "Anthropic", env_var: "ANTHROPIC_API_KEY", default_rotation_days: 90, console_url: "https://console.anthropic.com/settings/keys" },
  { kind: "hugging-face", label: "Hugging Face", env_var: "HF_TOKEN", default_rotation_days: 180, console_url: "https://huggingface.co/settings/tokens" },
  { kind: "wandb", label: "Weights & Biases", env_var: "WANDB_API_KEY", default_rotation_days: null, console_url: "https://wandb.ai/authorize" },
  {
    kind: "gcp-service-account",
    label: "GCP service account",
    env_var: "GOOGLE_APPLICATION_CREDENTIALS",
    default_rotation_days: 30,
    console_url: "https://console.cloud.google.com/iam-admin/serviceaccounts",
  },
  { kind: "database-url", label: "Database URL", env_var: "DATABASE_URL", default_rotation_days: 30, console_url: null },
  { kind: "generic", label: "Generic", env_var: null, default_rotation_days: null, console_url: null },
];

interface Stored {
  summary: SecretSummary;
  values: string[];
  note: string | null;
  /** A staged rotation (Rust's pending version) and its check outcome. */
  pending?: { value: string; version: number; check: "passed" | "failed" | null };
  /** The value a promotion replaced, readable until summary.previous_until. */
  previous?: { value: string; version: number };
}

export interface FakeOptions {
  exists?: boolean;
  unlocked?: boolean;
  /** What unlock({passphrase: null}) finds: a key, nothing ("locked"), or a broken keychain. */
  keychain?: "key" | "empty" | "broken";
  seed?: boolean;
  /** The member this device is (vault_status.member); null: not a member of the vault yet. */
  member?: string | null;
}

export const VALUES = {
  devOpenai: "sk-proj-FAKEdevOPENAI0000000000000000",
  devHf: "hf_FAKEhuggingface00000000000",
  prodOpenai: "sk-proj-FAKEprodOPENAI111111111111",
  prodDb: "postgres://eval:FAKEpw@db.internal:5432/eval",
  trainingWandb: "FAKEwandb22222222222222222222",
};

export const NOTES = {
  devOpenai: "Issued by the eval team; rotate with the quarterly keys.",
};

export class FakeVault {
  exists: boolean;
  unlocked: boolean;
  keychain: "key" | "empty" | "broken";
  passphrase = PASSPHRASE;
  settings: Settings = { idle_lock_minutes: 10, lock_on_system_lock: true };
  tray: TraySettings = { keep_in_tray: false };
  /** Whether a rotation check passes, as Rust's `sh -c COMMAND` with the candidate would say. */
  checkPasses: (command: string, candidate: string) => boolean = () => true;
  /** Kinds whose provider page open_provider_page opened. */
  openedPages: SecretKind[] = [];
  calls: Array<{ cmd: string; args: Record<string, unknown> }> = [];
  projects = new Map<string, Map<string, Map<string, Stored>>>();
  now = Math.floor(Date.now() / 1000);
  me: string | null;
  roster: RosterEntry[] = [];
  /** Who holds each scope's key: "project/env" → member names. */
  grants = new Map<string, Set<string>>();
  /** What each member read, as Rust's audit log tells it: member → "project/env/NAME". */
  reads = new Map<string, Set<string>>();
  requests: AccessRequest[] = [];
  /** The folders and files scan_folder reads and redact_findings rewrites. */
  disk = new FakeDisk();

  constructor(options: FakeOptions = {}) {
    this.exists = options.exists ?? true;
    this.unlocked = options.unlocked ?? false;
    this.keychain = options.keychain ?? "key";
    this.me = options.member === undefined ? (this.exists ? "ada" : null) : options.member;
    if (this.exists) this.addMember("ada", "owner", { fingerprint: "3F2A 9C1B 77D0 E4A5" });
    if (options.seed ?? true) this.seed();
  }

  seed() {
    this.addProject("llm-eval", ["dev", "prod"], "ada");
    this.addProject("training", ["dev", "prod"], "ada");
    // overdue, due soon, fine, manual: one of each badge state
    this.put("llm-eval/dev/OPENAI_API_KEY", VALUES.devOpenai, "openai", { dueIn: -3 * DAY, note: NOTES.devOpenai });
    this.put("llm-eval/dev/HF_TOKEN", VALUES.devHf, "hugging-face", { dueIn: 5 * DAY });
    this.put("llm-eval/prod/OPENAI_API_KEY", VALUES.prodOpenai, "openai", { dueIn: 60 * DAY });
    this.put("llm-eval/prod/DATABASE_URL", VALUES.prodDb, "database-url", { dueIn: 20 * DAY });
    this.put("training/dev/WANDB_API_KEY", VALUES.trainingWandb, "wandb", { dueIn: null });
    // A lead, a member who read a prod key, and someone this device cannot trust.
    this.addMember("grace", "lead", { leadOf: ["llm-eval"], fingerprint: "B7E0 55C2 0A9F 3D18" });
    this.addMember("linus", "member", { fingerprint: "C4D9 1E6B 82F3 0A57" });
    this.addMember("mallory", "member", {
      fingerprint: "E1F0 6A3B 9C2D 4B88",
      trusted: false,
      problem: "admission signature does not verify",
    });
    for (const scope of ["llm-eval/dev", "llm-eval/prod"]) {
      this.grant("grace", scope);
      this.grant("linus", scope);
    }
    this.reads.set("linus", new Set(["llm-eval/prod/OPENAI_API_KEY"]));
  }

  /** Creates a project whose scopes its creator holds, as in Rust. */
  addProject(name: string, environments: string[], creator = this.me) {
    const envs = new Map<string, Map<string, Stored>>();
    for (const env of environments) envs.set(env, new Map());
    this.projects.set(name, envs);
    for (const env of environments) if (creator) this.grant(creator, `${name}/${env}`);
  }

  addMember(
    name: string,
    role: Role,
    opts: { leadOf?: string[]; fingerprint?: string; status?: string; trusted?: boolean; problem?: string | null } = {},
  ) {
    this.roster.push({
      id: `m-${name}`,
      name,
      role,
      status: opts.status ?? "active",
      lead_of: opts.leadOf ?? [],
      fingerprint: opts.fingerprint ?? "0000 0000 0000 0000",
      admitted_by: role === "owner" ? null : "ada",
      trusted: opts.trusted ?? true,
      problem: opts.problem ?? null,
    });
  }

  grant(member: string, scope: string) {
    const holders = this.grants.get(scope) ?? new Set<string>();
    holders.add(member);
    this.grants.set(scope, holders);
  }

  scopesOf(member: string | null): string[] {
    return [...this.grants].filter(([, holders]) => member !== null && holders.has(member)).map(([scope]) => scope).sort();
  }

  /** Seeds a pending request, as if `member` had sent it from their device. */
  addRequest(member: string, scope: string, reason: string, opts: { durationSecs?: number | null; problem?: string } = {}) {
    const request: AccessRequest = {
      id: (0xab12cd30 + this.requests.length).toString(16),
      member,
      scope,
      reason,
      duration_secs: opts.durationSecs ?? null,
      created_at: this.now - 3600,
      status: "pending",
      decided_by: null,
      decided_at: null,
      decision_note: null,
      expires_at: null,
      verified: opts.problem === undefined,
      problem: opts.problem ?? null,
    };
    this.requests.push(request);
    return request;
  }

  /** Seeds a secret (or a new version of one, replacing its metadata): for setting up tests. */
  put(
    path: string,
    value: string,
    kind: SecretKind,
    opts: { dueIn?: number | null; note?: string | null; fileName?: string } = {},
  ) {
    const [project = "", environment = "", name = ""] = path.split("/");
    const scope = this.scope(project, environment);
    const existing = scope.get(name);
    const dueIn = opts.dueIn === undefined ? 90 * DAY : opts.dueIn;
    const values = [...(existing?.values ?? []), value];
    const note = opts.note ?? null;
    scope.set(name, {
      values,
      note,
      summary: {
        project,
        environment,
        name,
        kind,
        is_file: opts.fileName !== undefined,
        file_name: opts.fileName ?? null,
        version: values.length,
        policy: "default",
        rotate_every_secs: dueIn === null ? null : 90 * DAY,
        last_rotated_at: this.now - 10 * DAY,
        due_at: dueIn === null ? null : this.now + dueIn,
        rotation: dueIn === null ? "no-deadline" : dueIn <= 0 ? "overdue" : dueIn <= 14 * DAY ? "due-soon" : "fresh",
        has_note: note !== null,
        updated_at: this.now - DAY,
        exposed_at: null,
        exposed_reason: null,
        pending_version: null,
        previous_until: null,
        check_command: null,
      },
    });
  }

  /** Plays Rust locking on its own (idle, screen lock): keys dropped, then the event. */
  async emitLocked(reason: LockReason) {
    this.unlocked = false;
    await emit("vault-locked", { reason });
  }

  /** Plays Rust reporting how far a running scan got. */
  async emitScanProgress(files: number, bytes: number) {
    await emit("scan-progress", { files, bytes });
  }

  /** Current values of the secrets this member can open: what Rust's scan looks for. */
  private knownSecrets(): Known[] {
    const open = this.scopesOf(this.me);
    return [...this.projects].flatMap(([project, envs]) =>
      [...envs]
        .filter(([env]) => open.includes(`${project}/${env}`))
        .flatMap(([env, scope]) =>
          [...scope].map(([name, s]) => ({ path: `${project}/${env}/${name}`, value: s.values[s.values.length - 1] ?? "" })),
        ),
    );
  }

  /** Plays Rust's access watcher noticing a change made on another device. */
  async emitAccessChanged() {
    await emit("access-changed", null);
  }

  /** Every value the fake holds, to assert none of them reached the page. */
  allValues(): string[] {
    return [...this.projects.values()].flatMap((envs) =>
      [...envs.values()].flatMap((scope) => [...scope.values()].flatMap((s) => s.values)),
    );
  }

  called(cmd: string) {
    return this.calls.filter((c) => c.cmd === cmd);
  }

  install() {
    mockIPC((cmd, args) => this.handle(cmd, (args ?? {}) as Record<string, unknown>), { shouldMockEvents: true });
    return this;
  }

  private scope(project: string, environment: string) {
    const envs = this.projects.get(project);
    if (!envs) throw fail("not_found", `unknown project ${project}`);
    const scope = envs.get(environment);
    if (!scope) throw fail("not_found", `unknown environment ${project}/${environment}`);
    return scope;
  }

  private secret(path: unknown) {
    const [project = "", environment = "", name = ""] = String(path).split("/");
    const stored = this.scope(project, environment).get(name);
    if (!stored) throw fail("not_found", `no secret ${path}`);
    return stored;
  }

  /** Rust's edit rules: null keeps a field, an empty note removes the note. */
  private applyMetadata(stored: Stored, kind: SecretKind | null, note: string | null, rotateEvery: string | null) {
    const rotation = parseRotation(rotateEvery);
    const summary = stored.summary;
    if (kind !== null) summary.kind = kind;
    if (rotation !== undefined) {
      summary.rotate_every_secs = rotation;
      summary.due_at = rotation === null ? null : summary.last_rotated_at + rotation;
    }
    if (note !== null) {
      stored.note = note === "" ? null : note;
      summary.has_note = stored.note !== null;
    }
    summary.updated_at = this.now;
  }

  private requireUnlocked() {
    if (!this.unlocked) throw fail("locked", "the vault is locked");
  }

  private requireAccess(scope: string) {
    if (!this.scopesOf(this.me).includes(scope)) throw fail("not_allowed", `you have no access to ${scope}`);
  }

  /** The secret, after checking this member holds its scope's key; reading it is audited. */
  private readable(path: unknown, audited: boolean) {
    const [project = "", environment = ""] = String(path).split("/");
    const stored = this.secret(path);
    this.requireAccess(`${project}/${environment}`);
    if (audited && this.me) this.reads.set(this.me, new Set([...(this.reads.get(this.me) ?? []), String(path)]));
    return stored;
  }

  /** Rust's may_decide / may_grant: the owner, or a lead of the project; never for oneself. */
  private requireDecider(action: string, project: string, member: string | null) {
    const me = this.roster.find((m) => m.name === this.me);
    if (member !== null && member === this.me) throw fail("not_allowed", `cannot ${action}: nobody decides their own request`);
    if (!me || !(me.role === "owner" || (me.role === "lead" && me.lead_of.includes(project)))) {
      throw fail("not_allowed", `cannot ${action}: only the owner or a lead of ${project} decides access`);
    }
  }

  /** Rust's Session::admit: the owner admits anyone as member or lead, a lead admits pending members. */
  private admit(name: string, role: string, leadOf: string[]): RosterEntry {
    const refuse = (reason: string) => fail("not_allowed", `cannot admit ${name}: ${reason}`);
    if (role !== "member" && role !== "lead") {
      throw role === "owner" ? refuse("a vault has one owner; admit as member or lead") : fail("invalid", `unknown role "${role}": use member or lead`);
    }
    if (role === "member" && leadOf.length > 0) throw refuse("--lead-of needs --role lead");
    const me = this.roster.find((m) => m.name === this.me);
    const target = this.roster.find((m) => m.name === name);
    if (!target) throw fail("not_found", `unknown member ${name}`);
    if (!me || !me.trusted) throw refuse("you are not trusted on this device");
    if (target.name === me.name) throw refuse("nobody admits themselves");
    if (me.role === "member") throw refuse("only the owner or a lead admits members");
    if (me.role === "lead" && (role !== "member" || target.status !== "pending")) {
      throw refuse("a lead admits pending members as members; ask the owner");
    }
    for (const project of leadOf) if (!this.projects.has(project)) throw fail("not_found", `unknown project ${project}`);
    Object.assign(target, {
      status: "active",
      role,
      lead_of: leadOf,
      admitted_by: me.name,
      trusted: true,
      problem: null,
    });
    return { ...target };
  }

  private pendingRequest(id: unknown, action: string) {
    const request = this.requests.find((r) => r.id === id);
    if (!request) throw fail("not_found", `unknown access request ${String(id)}`);
    if (!request.verified) throw fail("tampered", `access request ${request.id} is forged: ${request.problem ?? ""}`);
    if (request.status !== "pending") {
      throw fail("not_allowed", `cannot ${action} request ${request.id}: it was already ${request.status}`);
    }
    this.requireDecider(`${action} request ${request.id}`, request.scope.split("/")[0] ?? "", request.member);
    return request;
  }

  private revocation(member: string, scope: string): Revoked {
    const [project = "", environment = ""] = scope.split("/");
    const secrets = this.scope(project, environment);
    this.requireDecider(`revoke ${member}'s access to ${scope}`, project, null);
    if (!this.roster.some((m) => m.name === member)) throw fail("not_found", `unknown member ${member}`);
    const holders = this.grants.get(scope) ?? new Set<string>();
    if (!holders.has(member)) {
      throw fail("not_allowed", `cannot revoke ${member}'s access to ${scope}: ${member} has no access to ${scope}`);
    }
    return {
      scope,
      member,
      versions: [...secrets.values()].reduce((n, s) => n + s.values.length, 0),
      kept: [...holders].filter((m) => m !== member).sort(),
      exposed: [...(this.reads.get(member) ?? [])]
        .filter((path) => path.startsWith(`${scope}/`) && secrets.has(path.slice(scope.length + 1)))
        .map((path) => path.slice(scope.length + 1))
        .sort(),
    };
  }

  /** Rust's Session::due: the scopes this member sees (owner: all; lead: the projects led too). */
  private due(withinDays: number) {
    const me = this.roster.find((m) => m.name === this.me);
    const open = this.scopesOf(this.me);
    const sees = (project: string, environment: string) =>
      me?.role === "owner" || open.includes(`${project}/${environment}`) || (me?.role === "lead" && me.lead_of.includes(project));
    const rank = { exposed: 0, overdue: 1, "due-soon": 2, fresh: 3, "no-deadline": 4 } as const;
    const secrets = [...this.projects.values()]
      .flatMap((envs) => [...envs.values()].flatMap((scope) => [...scope.values()]))
      .map((s) => s.summary)
      .filter((s) => sees(s.project, s.environment))
      .map((s): SecretSummary => {
        const rotation =
          s.exposed_at !== null
            ? "exposed"
            : s.due_at === null
              ? "no-deadline"
              : s.due_at <= this.now
                ? "overdue"
                : s.due_at <= this.now + withinDays * DAY
                  ? "due-soon"
                  : "fresh";
        return { ...s, rotation };
      })
      .filter((s) => s.rotation === "exposed" || s.rotation === "overdue" || s.rotation === "due-soon")
      .sort((a, b) => rank[a.rotation] - rank[b.rotation] || (a.due_at ?? 0) - (b.due_at ?? 0));
    return { now: this.now, secrets };
  }

  private stage({ path, value }: NewRotation) {
    const stored = this.readable(path, false);
    const text = value.type === "file" ? atob(value.base64) : value.text;
    if (!text) throw fail("invalid", `the new value for ${path} is empty`);
    const version = Math.max(stored.pending?.version ?? 0, stored.summary.version ?? 0, stored.values.length) + 1;
    stored.pending = { value: text, version, check: null };
    stored.summary.pending_version = version;
    const warning = stored.summary.kind === "openai" && !text.startsWith("sk-") ? "OpenAI keys start with sk-" : null;
    return { version, format_warning: warning, saved_check: stored.summary.check_command };
  }

  private check(path: string, command: string | null, save: boolean) {
    const stored = this.readable(path, false);
    const typed = command?.trim() || null;
    if (save) stored.summary.check_command = typed;
    const run = typed ?? stored.summary.check_command;
    if (run === null) throw fail("invalid", `invalid check setting: ${path} has no saved check: give a command`);
    if (!stored.pending) throw fail("not_found", `${path} has no pending version`);
    const passed = this.checkPasses(run, stored.pending.value);
    stored.pending.check = passed ? "passed" : "failed";
    return { passed, exit_code: passed ? 0 : 1, version: stored.pending.version };
  }

  private promote(path: string, version: number | null, overlap: string | null) {
    const stored = this.readable(path, false);
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
      previous_until: this.now + window,
      last_rotated_at: this.now,
      due_at: summary.rotate_every_secs === null ? null : this.now + summary.rotate_every_secs,
      rotation: "fresh",
      exposed_at: null,
      exposed_reason: null,
    });
    return { current: pending.version, previous, previous_until: previous === null ? null : this.now + window };
  }

  private rollback(path: string) {
    const stored = this.readable(path, false);
    const { previous, summary } = stored;
    if (!previous || summary.previous_until === null || summary.previous_until <= this.now) {
      throw fail("not_found", `${path} has no previous version inside its overlap window: nothing to roll back to`);
    }
    const current = { value: stored.values[stored.values.length - 1] ?? "", version: summary.version ?? 0 };
    stored.values.push(previous.value);
    stored.previous = current;
    summary.version = previous.version;
    return { current: previous.version, previous: current.version, previous_until: summary.previous_until };
  }

  async handle(cmd: string, args: Record<string, unknown>): Promise<unknown> {
    this.calls.push({ cmd, args });
    switch (cmd) {
      case "vault_status":
        return {
          path: "/home/ada/.local/share/keyshelf/vault.db",
          exists: this.exists,
          name: this.exists ? "ml-team" : null,
          member: this.exists ? this.me : null,
          unlocked: this.unlocked,
          keychain: "Secret Service",
        };
      case "create_vault":
        this.exists = true;
        this.unlocked = true;
        this.me = String(args.user);
        this.roster = [];
        this.addMember(this.me, "owner");
        return { recovery_key: RECOVERY_KEY, keychain_problem: null };
      case "join_vault": {
        const name = String(args.name).trim();
        if (!this.exists) throw fail("no_vault", "no vault at /home/ada/.local/share/keyshelf/vault.db");
        if (this.me !== null) {
          throw fail("not_allowed", `cannot join as ${name}: this device is already ${this.me} in this vault`);
        }
        if (!args.passphrase) throw fail("wrong_passphrase", "the passphrase is empty");
        if (this.roster.some((m) => m.name === name)) throw fail("exists", `member ${name} already exists`);
        this.addMember(name, "member", { status: "pending", fingerprint: JOINED_FINGERPRINT });
        this.me = name;
        this.passphrase = String(args.passphrase);
        this.unlocked = true;
        const owner = this.roster.find((m) => m.role === "owner");
        return {
          fingerprint: JOINED_FINGERPRINT,
          owner_name: owner?.name ?? "",
          owner_fingerprint: owner?.fingerprint ?? "",
          recovery_key: RECOVERY_KEY,
          keychain_problem: null,
        };
      }
      case "unlock": {
        if (args.passphrase === null) {
          if (this.keychain === "empty") throw fail("locked", "the keychain holds no key for this vault");
          if (this.keychain === "broken") throw fail("keychain", "no Secret Service on the session bus");
        } else if (args.passphrase !== this.passphrase) {
          throw fail("wrong_passphrase", "wrong passphrase");
        }
        this.unlocked = true;
        return { via: args.passphrase === null ? "keychain" : "passphrase", keychain_problem: null };
      }
      case "unlock_with_recovery": {
        const key = String(args.recoveryKey);
        if (!key.startsWith("KSR1-")) throw fail("invalid", "recovery key is malformed: it starts with KSR1-");
        if (key !== RECOVERY_KEY) throw fail("wrong_passphrase", "wrong recovery key");
        if (!args.newPassphrase) throw fail("wrong_passphrase", "the passphrase is empty");
        this.passphrase = String(args.newPassphrase);
        this.unlocked = true;
        return { via: "recovery", keychain_problem: null };
      }
      case "lock":
        // Like Rust: the lock command announces itself too, once the keys are gone.
        if (this.unlocked) await this.emitLocked("manual");
        return null;
      case "note_activity":
        return null;
      case "get_settings":
        return this.settings;
      case "set_settings": {
        const settings = args.settings as Settings;
        const minutes = settings.idle_lock_minutes;
        if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
          throw fail("invalid", `invalid idle lock setting: ${minutes} minutes is outside 1 to 1440 minutes`);
        }
        this.settings = { ...settings };
        return this.settings;
      }
      case "secret_kinds":
        return KINDS;
      case "get_tray_settings":
        return this.tray;
      case "set_tray_settings":
        this.tray = { ...(args.settings as TraySettings) };
        return this.tray;
      case "open_provider_page": {
        const kind = args.kind as SecretKind;
        const info = KINDS.find((k) => k.kind === kind);
        if (!info?.console_url) throw fail("invalid", `invalid provider page setting: ${info?.label ?? kind} keys have no provider page`);
        this.openedPages.push(kind);
        return null;
      }
    }
    this.requireUnlocked();
    switch (cmd) {
      case "list_projects":
        return [...this.projects].map(([name, envs]) => ({
          name,
          environments: [...envs].map(([env, scope]) => ({ name: env, secrets: scope.size })),
        }));
      case "add_project": {
        const name = String(args.name);
        if (this.projects.has(name)) throw fail("exists", `project ${name} already exists`);
        this.addProject(name, args.environments as string[]);
        return null;
      }
      case "add_environment": {
        const envs = this.projects.get(String(args.project));
        if (!envs) throw fail("not_found", `unknown project ${args.project}`);
        envs.set(String(args.environment), new Map());
        if (this.me) this.grant(this.me, `${args.project}/${args.environment}`);
        return null;
      }
      case "list_secrets": {
        const secrets = this.scope(String(args.project), String(args.environment));
        this.requireAccess(`${args.project}/${args.environment}`);
        return [...secrets.values()].map((s) => s.summary);
      }
      case "search_secrets": {
        const query = String(args.query).toLowerCase();
        const open = this.scopesOf(this.me);
        return [...this.projects.values()]
          .flatMap((envs) => [...envs.values()].flatMap((scope) => [...scope.values()]))
          .map((s) => s.summary)
          .filter((s) => open.includes(`${s.project}/${s.environment}`))
          .filter((s) => `${s.project}/${s.environment}/${s.name}`.toLowerCase().includes(query));
      }
      case "list_members":
        // Copies, as from real IPC (JSON): a change shows up as a new array.
        return this.roster.map((m) => ({ ...m, lead_of: [...m.lead_of] }));
      case "admit_member":
        return this.admit(String(args.name), String(args.role), (args.leadOf as string[] | undefined) ?? []);
      case "my_scopes":
        return this.scopesOf(this.me);
      case "list_access_requests":
        return this.requests.filter((r) => !args.pendingOnly || r.status === "pending");
      case "request_access": {
        const scope = String(args.scope);
        const [project = "", environment = ""] = scope.split("/");
        this.scope(project, environment);
        const reason = String(args.reason ?? "").trim();
        if (!reason) throw fail("invalid", "the reason for the request is empty");
        const duration = parseDuration(args.duration as string | null);
        if (this.scopesOf(this.me).includes(scope)) {
          throw fail("not_allowed", `cannot request access to ${scope}: you already have access`);
        }
        const waiting = this.requests.find((r) => r.member === this.me && r.scope === scope && r.status === "pending");
        if (waiting) {
          throw fail("not_allowed", `cannot request access to ${scope}: your request ${waiting.id} is still waiting for a decision`);
        }
        return this.addRequest(this.me ?? "", scope, reason, { durationSecs: duration });
      }
      case "approve_access": {
        const request = this.pendingRequest(args.id, "approve");
        const override = parseDuration(args.duration as string | null);
        const duration = override ?? request.duration_secs;
        Object.assign(request, {
          status: "approved",
          decided_by: this.me,
          decided_at: this.now,
          expires_at: duration === null ? null : this.now + duration,
        });
        this.grant(request.member, request.scope);
        return request;
      }
      case "deny_access": {
        const request = this.pendingRequest(args.id, "deny");
        const reason = String(args.reason ?? "").trim();
        if (!reason) throw fail("invalid", "the reason for denying is empty");
        Object.assign(request, { status: "denied", decided_by: this.me, decided_at: this.now, decision_note: reason });
        return request;
      }
      case "preview_revoke":
        return this.revocation(String(args.member), String(args.scope));
      case "revoke_access": {
        const revoked = this.revocation(String(args.member), String(args.scope));
        const [project = "", environment = ""] = revoked.scope.split("/");
        this.grants.get(revoked.scope)?.delete(revoked.member);
        for (const name of revoked.exposed) {
          const summary = this.scope(project, environment).get(name)?.summary;
          if (!summary) continue;
          summary.exposed_at = this.now;
          summary.exposed_reason = `read by ${revoked.member} before their access to ${revoked.scope} ended`;
        }
        return revoked;
      }
      case "pick_scan_folder":
        return this.disk.picked;
      case "scan_folder": {
        const report = await this.disk.scan(String(args.folder), this.knownSecrets());
        // As in Rust: a vault key found in a notebook is flagged exposed.
        const leaked = new Set<string>();
        for (const f of report.findings) {
          if (f.cell === null) continue;
          for (const secret of [...(f.secret === null ? [] : [f.secret]), ...f.other_secrets]) {
            const [project = "", environment = "", name = ""] = secret.split("/");
            const summary = this.scope(project, environment).get(name)?.summary;
            if (!summary) continue;
            summary.exposed_at = this.now;
            summary.exposed_reason = `found in clear in ${f.file} (cell ${f.cell})`;
            leaked.add(secret);
          }
        }
        return { ...report, exposed: [...leaked].sort() };
      }
      case "redact_findings":
        return this.disk.redact(args.targets as RedactTarget[], this.knownSecrets());
      case "set_secret": {
        const secret = args.secret as NewSecret;
        const file = secret.value.type === "file" ? secret.value : null;
        // File bytes are kept as latin-1 text: enough to check none of them reach the page.
        const value = file ? atob(file.base64) : secret.value.type === "text" ? secret.value.text : "";
        if (!value) throw fail("invalid", `the value for ${secret.path} is empty`);
        const [project = "", environment = "", name = ""] = secret.path.split("/");
        const existing = this.scope(project, environment).get(name);
        if (!existing) {
          const kind = secret.kind ?? KINDS.find((k) => k.env_var === name)?.kind ?? "generic";
          this.put(secret.path, value, kind, { note: secret.note || null, fileName: file?.name });
          const created = this.secret(secret.path);
          const days = KINDS.find((k) => k.kind === kind)?.default_rotation_days ?? null;
          created.summary.last_rotated_at = this.now;
          this.applyMetadata(created, null, null, secret.rotate_every ?? (days === null ? "manual" : `${days}d`));
          return null;
        }
        existing.values.push(value);
        existing.summary.version = existing.values.length;
        existing.summary.last_rotated_at = this.now;
        if (file) {
          existing.summary.is_file = true;
          existing.summary.file_name = file.name;
        }
        // As in Rust: null keeps the note, "" removes it.
        this.applyMetadata(existing, secret.kind, secret.note, secret.rotate_every);
        return null;
      }
      case "edit_secret": {
        const edit = args.edit as SecretEdit;
        this.applyMetadata(this.secret(edit.path), edit.kind, edit.note, edit.rotate_every);
        return null;
      }
      case "secret_note":
        return this.secret(args.path).note;
      case "reveal_secret": {
        const stored = this.readable(args.path, true);
        return stored.values[stored.values.length - 1];
      }
      case "copy_secret":
        this.readable(args.path, true);
        return { clears_in_secs: 30 };
      case "notebook_snippet":
      case "copy_snippet":
        this.secret(args.path);
        return cmd === "copy_snippet"
          ? null
          : `import keyshelf\nkey = keyshelf.get("${String(args.path)}")  # fetched at run time`;
      case "secret_history": {
        const stored = this.secret(args.path);
        const versions: unknown[] = stored.values.map((_, i) => ({
          version: i + 1,
          state: i === stored.values.length - 1 ? "current" : "previous",
          created_at: this.now - (stored.values.length - i) * DAY,
          created_by: "ada",
        }));
        if (stored.pending) {
          const { version, check } = stored.pending;
          versions.push({ version, state: "pending", created_at: this.now, created_by: "ada", retire_at: null, check_status: check });
        }
        return versions;
      }
      case "due_secrets":
        return this.due(Number(args.withinDays ?? 14));
      case "stage_rotation":
        return this.stage(args.rotation as NewRotation);
      case "check_rotation":
        return this.check(String(args.path), (args.command as string | null) ?? null, Boolean(args.save));
      case "promote_rotation":
        return this.promote(String(args.path), (args.version as number | null) ?? null, (args.overlap as string | null) ?? null);
      case "rollback_rotation":
        return this.rollback(String(args.path));
      case "cancel_rotation": {
        const stored = this.readable(args.path, false);
        if (!stored.pending) throw fail("not_found", `${String(args.path)} has no pending version to cancel`);
        const { version } = stored.pending;
        delete stored.pending;
        stored.summary.pending_version = null;
        return version;
      }
      case "remove_secret": {
        const [project = "", environment = "", name = ""] = String(args.path).split("/");
        this.secret(args.path);
        this.scope(project, environment).delete(name);
        return null;
      }
    }
    throw fail("internal", `unknown command ${cmd}`);
  }
}

/** An access duration: null (empty) is until revoked, else seconds. */
function parseDuration(text: string | null): number | null {
  const seconds = parseRotation(text);
  if (seconds === undefined) return null;
  if (seconds === null) throw fail("invalid", `invalid duration "${text ?? ""}": use a number and a unit, e.g. 8h, 7d`);
  return seconds;
}

/** undefined keeps the interval, null is manual rotation, else seconds (Rust's units). */
function parseRotation(text: string | null): number | null | undefined {
  const trimmed = text?.trim() ?? "";
  if (trimmed === "") return undefined;
  if (trimmed === "manual" || trimmed === "never") return null;
  const match = /^(\d+)([smhdw])$/.exec(trimmed);
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: DAY, w: 7 * DAY };
  if (!match || Number(match[1]) === 0) {
    throw fail("invalid", `invalid duration "${trimmed}": use a number and a unit, e.g. 30s, 15m, 24h, 7d, 12w`);
  }
  return Number(match[1]) * (units[match[2] ?? ""] ?? 1);
}

function fail(code: string, message: string): CommandError {
  return { code, message };
}

export function installFake(options: FakeOptions = {}): FakeVault {
  return new FakeVault(options).install();
}
