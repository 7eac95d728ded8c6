// An in-memory stand-in for the Rust commands, wired in through Tauri's own mockIPC. It keeps
// the same rules that matter to the UI: values only come out of reveal_secret, every failure
// rejects with a CommandError, and a locked vault refuses everything but status and unlock.

import { mockIPC } from "@tauri-apps/api/mocks";

import type { CommandError } from "../bindings/CommandError";
import type { KindInfo } from "../bindings/KindInfo";
import type { NewSecret } from "../bindings/NewSecret";
import type { SecretKind } from "../bindings/SecretKind";
import type { SecretSummary } from "../bindings/SecretSummary";

const DAY = 86_400;
export const PASSPHRASE = "correct horse battery staple";
export const RECOVERY_KEY = "KSR1-ABCD-EFGH-IJKL-MNOP-QRST-UVWX";

export const KINDS: KindInfo[] = [
  { kind: "openai", label: "OpenAI", env_var: "OPENAI_API_KEY", default_rotation_days: 90 },
  { kind: "anthropic", label: "Anthropic", env_var: "ANTHROPIC_API_KEY", default_rotation_days: 90 },
  { kind: "hugging-face", label: "Hugging Face", env_var: "HF_TOKEN", default_rotation_days: 180 },
  { kind: "wandb", label: "Weights & Biases", env_var: "WANDB_API_KEY", default_rotation_days: null },
  { kind: "database-url", label: "Database URL", env_var: "DATABASE_URL", default_rotation_days: 30 },
  { kind: "generic", label: "Generic", env_var: null, default_rotation_days: null },
];

interface Stored {
  summary: SecretSummary;
  values: string[];
}

export interface FakeOptions {
  exists?: boolean;
  unlocked?: boolean;
  /** What unlock({passphrase: null}) finds: a key, nothing ("locked"), or a broken keychain. */
  keychain?: "key" | "empty" | "broken";
  seed?: boolean;
}

export const VALUES = {
  devOpenai: "sk-proj-FAKEdevOPENAI0000000000000000",
  devHf: "hf_FAKEhuggingface00000000000",
  prodOpenai: "sk-proj-FAKEprodOPENAI111111111111",
  prodDb: "postgres://eval:FAKEpw@db.internal:5432/eval",
  trainingWandb: "FAKEwandb22222222222222222222",
};

export class FakeVault {
  exists: boolean;
  unlocked: boolean;
  keychain: "key" | "empty" | "broken";
  calls: Array<{ cmd: string; args: Record<string, unknown> }> = [];
  projects = new Map<string, Map<string, Map<string, Stored>>>();
  now = Math.floor(Date.now() / 1000);

  constructor(options: FakeOptions = {}) {
    this.exists = options.exists ?? true;
    this.unlocked = options.unlocked ?? false;
    this.keychain = options.keychain ?? "key";
    if (options.seed ?? true) this.seed();
  }

  seed() {
    this.addProject("llm-eval", ["dev", "prod"]);
    this.addProject("training", ["dev", "prod"]);
    // overdue, due soon, fine, manual: one of each badge state
    this.put("llm-eval/dev/OPENAI_API_KEY", VALUES.devOpenai, "openai", { dueIn: -3 * DAY, note: true });
    this.put("llm-eval/dev/HF_TOKEN", VALUES.devHf, "hugging-face", { dueIn: 5 * DAY });
    this.put("llm-eval/prod/OPENAI_API_KEY", VALUES.prodOpenai, "openai", { dueIn: 60 * DAY });
    this.put("llm-eval/prod/DATABASE_URL", VALUES.prodDb, "database-url", { dueIn: 20 * DAY });
    this.put("training/dev/WANDB_API_KEY", VALUES.trainingWandb, "wandb", { dueIn: null });
  }

  addProject(name: string, environments: string[]) {
    const envs = new Map<string, Map<string, Stored>>();
    for (const env of environments) envs.set(env, new Map());
    this.projects.set(name, envs);
  }

  put(path: string, value: string, kind: SecretKind, opts: { dueIn?: number | null; note?: boolean } = {}) {
    const [project = "", environment = "", name = ""] = path.split("/");
    const scope = this.scope(project, environment);
    const existing = scope.get(name);
    const dueIn = opts.dueIn === undefined ? 90 * DAY : opts.dueIn;
    const values = [...(existing?.values ?? []), value];
    scope.set(name, {
      values,
      summary: {
        project,
        environment,
        name,
        kind,
        is_file: false,
        file_name: null,
        version: values.length,
        rotate_every_secs: dueIn === null ? null : 90 * DAY,
        last_rotated_at: this.now - 10 * DAY,
        due_at: dueIn === null ? null : this.now + dueIn,
        has_note: opts.note ?? false,
        updated_at: this.now - DAY,
      },
    });
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
    mockIPC((cmd, args) => this.handle(cmd, (args ?? {}) as Record<string, unknown>));
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

  private requireUnlocked() {
    if (!this.unlocked) throw fail("locked", "the vault is locked");
  }

  async handle(cmd: string, args: Record<string, unknown>): Promise<unknown> {
    this.calls.push({ cmd, args });
    switch (cmd) {
      case "vault_status":
        return {
          path: "/home/ada/.local/share/keyshelf/vault.db",
          exists: this.exists,
          name: this.exists ? "ml-team" : null,
          member: this.exists ? "ada" : null,
          unlocked: this.unlocked,
          keychain: "Secret Service",
        };
      case "create_vault":
        this.exists = true;
        this.unlocked = true;
        return { recovery_key: RECOVERY_KEY, keychain_problem: null };
      case "unlock": {
        if (args.passphrase === null) {
          if (this.keychain === "empty") throw fail("locked", "the keychain holds no key for this vault");
          if (this.keychain === "broken") throw fail("keychain", "no Secret Service on the session bus");
        } else if (args.passphrase !== PASSPHRASE) {
          throw fail("wrong_passphrase", "wrong passphrase");
        }
        this.unlocked = true;
        return { via: args.passphrase === null ? "keychain" : "passphrase", keychain_problem: null };
      }
      case "lock":
        this.unlocked = false;
        return null;
      case "secret_kinds":
        return KINDS;
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
        return null;
      }
      case "list_secrets":
        return [...this.scope(String(args.project), String(args.environment)).values()].map((s) => s.summary);
      case "search_secrets": {
        const query = String(args.query).toLowerCase();
        return [...this.projects.values()]
          .flatMap((envs) => [...envs.values()].flatMap((scope) => [...scope.values()]))
          .map((s) => s.summary)
          .filter((s) => `${s.project}/${s.environment}/${s.name}`.toLowerCase().includes(query));
      }
      case "set_secret": {
        const secret = args.secret as NewSecret;
        if (!secret.value) throw fail("invalid", "the value is empty");
        this.put(secret.path, secret.value, secret.kind ?? "generic", { note: secret.note !== null });
        return null;
      }
      case "reveal_secret": {
        const stored = this.secret(args.path);
        return stored.values[stored.values.length - 1];
      }
      case "copy_secret":
        this.secret(args.path);
        return { clears_in_secs: 30 };
      case "notebook_snippet":
      case "copy_snippet":
        this.secret(args.path);
        return cmd === "copy_snippet"
          ? null
          : `import keyshelf\nkey = keyshelf.get("${String(args.path)}")  # fetched at run time`;
      case "secret_history": {
        const stored = this.secret(args.path);
        return stored.values.map((_, i) => ({
          version: i + 1,
          state: i === stored.values.length - 1 ? "current" : "previous",
          created_at: this.now - (stored.values.length - i) * DAY,
          created_by: "ada",
        }));
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

function fail(code: string, message: string): CommandError {
  return { code, message };
}

export function installFake(options: FakeOptions = {}): FakeVault {
  return new FakeVault(options).install();
}
