// The fake's state and the vault's own commands (status, create, join, unlock, lock); each
// feature's commands live beside it. It keeps the rules that matter to the UI: values only come
// out of reveal_secret and notes out of secret_note, every failure rejects with a CommandError,
// and a locked vault refuses everything but status, unlocking, settings and static answers.

import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";

import type { AccessRequest } from "../../bindings/AccessRequest";
import type { LockReason } from "../../bindings/LockReason";
import type { Role } from "../../bindings/Role";
import type { RosterEntry } from "../../bindings/RosterEntry";
import type { SecretKind } from "../../bindings/SecretKind";
import type { Settings } from "../../bindings/Settings";
import type { TraySettings } from "../../bindings/TraySettings";
import { FakeDisk } from "../fakeScan";
import { accessCommands } from "./access";
import { DAY, fail, type Args, type Command, type Stored } from "./common";
import { machineCommands, type FakeMachine } from "./machines";
import { projectCommands } from "./projects";
import { rotationCommands } from "./rotation";
import { scanCommands } from "./scan";
import { secretCommands } from "./secrets";
import { settingsCommands } from "./settings";

export const PASSPHRASE = "correct horse battery staple";
export const RECOVERY_KEY = "KSR1-ABCD-EFGH-IJKL-MNOP-QRST-UVWX";
export const JOINED_FINGERPRINT = "9D41 07AA 3C62 F1E8";

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

export interface FakeOptions {
  exists?: boolean;
  unlocked?: boolean;
  /** What unlock({passphrase: null}) finds: a key, nothing ("locked"), or a broken keychain. */
  keychain?: "key" | "empty" | "broken";
  seed?: boolean;
  /** The member this device is (vault_status.member); null: not a member of the vault yet. */
  member?: string | null;
}

export const DEFAULT_LOCATION = "/home/ada/.local/share/keyshelf/vault.db";

/** As Rust's store::shown: a database URL without its password. */
export function shown(location: string): string {
  return location.replace(/^(postgres(?:ql)?:\/\/[^:@/]*):[^@/]*@/, "$1@");
}

/** As Rust's Error::ServerUnreachable. */
export function unreachable(server: string) {
  return fail(
    "server_unreachable",
    `the vault's database server ${server} cannot be reached (connection refused): nothing was changed`,
  );
}

const vaultStatusOf = (vault: FakeVault) => ({
  path: shown(vault.location),
  exists: vault.exists,
  name: vault.exists ? "ml-team" : null,
  member: vault.exists ? vault.me : null,
  unlocked: vault.unlocked,
  keychain: "Secret Service",
});

const vaultCommands: Record<string, Command> = {
  vault_status: (vault) => {
    if (/^postgres(ql)?:\/\//.test(vault.location) && vault.serverPassword !== vault.keptPassword && vault.serverPassword !== null) {
      throw fail(
        "login_refused",
        "the database server db.example.com:5432/keyshelf refused the login of ada: the password kept in the OS keychain is wrong",
      );
    }
    return vaultStatusOf(vault);
  },
  create_vault: (vault, args) => {
    vault.exists = true;
    vault.unlocked = true;
    vault.me = String(args.user);
    vault.roster = [];
    vault.addMember(vault.me, "owner");
    return { recovery_key: RECOVERY_KEY, keychain_problem: null };
  },
  join_vault: (vault, args) => {
    const name = String(args.name).trim();
    if (!vault.exists) throw fail("no_vault", "no vault at /home/ada/.local/share/keyshelf/vault.db");
    if (vault.me !== null) {
      throw fail("not_allowed", `cannot join as ${name}: this device is already ${vault.me} in this vault`);
    }
    if (!args.passphrase) throw fail("wrong_passphrase", "the passphrase is empty");
    if (vault.roster.some((m) => m.name === name)) throw fail("exists", `member ${name} already exists`);
    vault.addMember(name, "member", { status: "pending", fingerprint: JOINED_FINGERPRINT });
    vault.me = name;
    vault.passphrase = String(args.passphrase);
    vault.unlocked = true;
    const owner = vault.roster.find((m) => m.role === "owner");
    return {
      fingerprint: JOINED_FINGERPRINT,
      owner_name: owner?.name ?? "",
      owner_fingerprint: owner?.fingerprint ?? "",
      recovery_key: RECOVERY_KEY,
      keychain_problem: null,
    };
  },
  unlock: (vault, args) => {
    if (args.passphrase === null) {
      if (vault.keychain === "empty") throw fail("locked", "the keychain holds no key for this vault");
      if (vault.keychain === "broken") throw fail("keychain", "no Secret Service on the session bus");
    } else if (args.passphrase !== vault.passphrase) {
      throw fail("wrong_passphrase", "wrong passphrase");
    }
    vault.unlocked = true;
    return { via: args.passphrase === null ? "keychain" : "passphrase", keychain_problem: null };
  },
  unlock_with_recovery: (vault, args) => {
    const key = String(args.recoveryKey);
    if (!key.startsWith("KSR1-")) throw fail("invalid", "recovery key is malformed: it starts with KSR1-");
    if (key !== RECOVERY_KEY) throw fail("wrong_passphrase", "wrong recovery key");
    if (!args.newPassphrase) throw fail("wrong_passphrase", "the passphrase is empty");
    vault.passphrase = String(args.newPassphrase);
    vault.unlocked = true;
    return { via: "recovery", keychain_problem: null };
  },
  lock: async (vault) => {
    // Like Rust: the lock command announces itself too, once the keys are gone.
    if (vault.unlocked) await vault.emitLocked("manual");
    return null;
  },
  note_activity: () => null,
  set_vault_location: (vault, args) => {
    if (vault.unlocked) {
      throw fail("not_allowed", "cannot change the vault location: the vault is unlocked; lock it first");
    }
    const typed = String(args.location).trim();
    const scheme = /^([A-Za-z0-9+.-]+):\/\//.exec(typed)?.[1];
    const server = scheme === "postgres" || scheme === "postgresql";
    if (scheme && !server) {
      throw fail("invalid", `${scheme}://… is not a vault location this build can open (a file path or postgres://)`);
    }
    if (typed && !server && !typed.startsWith("/")) {
      throw fail(
        "invalid",
        "invalid vault location setting: the location is neither a postgres:// URL nor an absolute file path",
      );
    }
    if (server && vault.serverPassword !== null) {
      // Like Rust: a password in the URL counts as given, and is kept, never saved with the location.
      const given = (args.password as string | null) || /^postgres(?:ql)?:\/\/[^:@/]*:([^@/]*)@/.exec(typed)?.[1];
      if (given !== vault.serverPassword) {
        throw fail(
          "login_refused",
          given
            ? "the database server db.example.com:5432/keyshelf refused the login of ada: the password is wrong; nothing was stored"
            : "the database server db.example.com:5432/keyshelf refused the login of ada: it needs a password, and none it accepts is in the URL, PGPASSWORD, a passfile (PGPASSFILE or ~/.pgpass) or the OS keychain",
        );
      }
      vault.keptPassword = given;
    }
    vault.location = typed || DEFAULT_LOCATION;
    // A fresh server holds no vault (serverHasVault: it does, and this device is no member of it).
    vault.exists = server ? vault.serverHasVault : vault.fileExists;
    vault.me = vault.exists && !server ? vault.me : null;
    return vaultCommands.vault_status!(vault, {});
  },
};

const COMMANDS: Record<string, Command> = {
  ...vaultCommands,
  ...settingsCommands,
  ...projectCommands,
  ...secretCommands,
  ...accessCommands,
  ...machineCommands,
  ...rotationCommands,
  ...scanCommands,
};

/** What Rust answers without reaching the vault's database. */
const WITHOUT_DATABASE: ReadonlySet<string> = new Set([
  "note_activity",
  ...Object.keys(settingsCommands),
  "secret_kinds",
  "open_provider_page",
  "copy_machine_token",
]);

/** What a locked vault still answers, as in Rust. */
const WHILE_LOCKED: ReadonlySet<string> = new Set([
  ...Object.keys(vaultCommands),
  ...Object.keys(settingsCommands),
  "secret_kinds",
  "open_provider_page",
  "copy_machine_token",
]);

/**
 * An in-memory stand-in for the Rust commands, wired in through Tauri's own mockIPC (with its
 * event mock, so listen() works and emitLocked() plays Rust's "vault-locked").
 */
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
  calls: Array<{ cmd: string; args: Args }> = [];
  projects = new Map<string, Map<string, Map<string, Stored>>>();
  now = Math.floor(Date.now() / 1000);
  me: string | null;
  roster: RosterEntry[] = [];
  /** Who holds each scope's key: "project/env" → member names. */
  grants = new Map<string, Set<string>>();
  /** What each member read, as Rust's audit log tells it: member → "project/env/NAME". */
  reads = new Map<string, Set<string>>();
  requests: AccessRequest[] = [];
  /** Machine identities; their grants and reads are in `grants` and `reads` under their names. */
  machines: FakeMachine[] = [];
  /** Every machine token add_machine and rotate_machine issued, oldest first. */
  issuedTokens: string[] = [];
  /** What copy_machine_token last put on the clipboard. */
  clipboard: string | null = null;
  /** The folders and files scan_folder reads and redact_findings rewrites. */
  disk = new FakeDisk();
  /** A file path or a postgres:// URL (which may hold a password), as Rust keeps it. */
  location = DEFAULT_LOCATION;
  /** Whether a team server chosen with set_vault_location already holds a vault. */
  serverHasVault = false;
  /** The database password the team server asks for (`null`: it asks for none). */
  serverPassword: string | null = null;
  /** The password set_vault_location kept "in the OS keychain". */
  keptPassword: string | null = null;
  /** Whether the default file holds a vault (for going back to it). */
  fileExists: boolean;
  /** The server ("host:port/db") every database command fails to reach, as Rust's ServerUnreachable; null: up. */
  unreachable: string | null = null;

  constructor(options: FakeOptions = {}) {
    this.exists = options.exists ?? true;
    this.fileExists = this.exists;
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

  /** Seeds a machine, as if added earlier (from this device or the CLI) and used since. */
  addMachine(name: string, scopes: string[], opts: Partial<Omit<FakeMachine, "name">> & { reads?: string[] } = {}) {
    const { reads, ...rest } = opts;
    this.machines.push({
      name,
      created_by: "ada",
      created_at: this.now - 30 * DAY,
      expires_at: null,
      last_used_at: null,
      last_used_from: null,
      exposed: null,
      ...rest,
    });
    for (const scope of scopes) this.grant(name, scope);
    if (reads) this.reads.set(name, new Set(reads));
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
      may_decide: false,
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

  /** Plays Rust's change watch noticing that another member wrote to the vault. */
  async emitVaultChanged() {
    await emit("vault-changed", null);
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
    mockIPC((cmd, args) => this.handle(cmd, (args ?? {}) as Args), { shouldMockEvents: true });
    return this;
  }

  // The lookups every feature's commands go through, failing as Rust does.

  scope(project: string, environment: string) {
    const envs = this.projects.get(project);
    if (!envs) throw fail("not_found", `unknown project ${project}`);
    const scope = envs.get(environment);
    if (!scope) throw fail("not_found", `unknown environment ${project}/${environment}`);
    return scope;
  }

  secret(path: unknown) {
    const [project = "", environment = "", name = ""] = String(path).split("/");
    const stored = this.scope(project, environment).get(name);
    if (!stored) throw fail("not_found", `no secret ${path}`);
    return stored;
  }

  requireAccess(scope: string) {
    if (!this.scopesOf(this.me).includes(scope)) throw fail("not_allowed", `you have no access to ${scope}`);
  }

  /** The secret, after checking this member holds its scope's key; reading it is audited. */
  readable(path: unknown, audited: boolean) {
    const [project = "", environment = ""] = String(path).split("/");
    const stored = this.secret(path);
    this.requireAccess(`${project}/${environment}`);
    if (audited && this.me) this.reads.set(this.me, new Set([...(this.reads.get(this.me) ?? []), String(path)]));
    return stored;
  }

  async handle(cmd: string, args: Args): Promise<unknown> {
    this.calls.push({ cmd, args });
    if (this.unreachable !== null && !WITHOUT_DATABASE.has(cmd)) throw unreachable(this.unreachable);
    if (!WHILE_LOCKED.has(cmd) && !this.unlocked) throw fail("locked", "the vault is locked");
    const command = COMMANDS[cmd];
    if (!command) throw fail("internal", `unknown command ${cmd}`);
    return command(this, args);
  }
}

export function installFake(options: FakeOptions = {}): FakeVault {
  return new FakeVault(options).install();
}
