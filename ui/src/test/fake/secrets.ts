import type { KindInfo } from "../../bindings/KindInfo";
import type { NewSecret } from "../../bindings/NewSecret";
import type { SecretEdit } from "../../bindings/SecretEdit";
import type { SecretKind } from "../../bindings/SecretKind";
import { DAY, fail, parseRotation, type Command, type Stored } from "./common";

/** Rust refuses a change made against a version someone else has replaced since. */
function basedOn(path: string, current: number, basedOn: number | null) {
  if (basedOn !== null && basedOn !== current) {
    throw fail("conflict", `${path} changed since it was read: it is now version ${current}, by linus at 2026-12-07T10:00:00Z; read it again before changing it`);
  }
}

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

/** Rust's edit rules: null keeps a field, an empty note removes the note. */
function applyMetadata(stored: Stored, kind: SecretKind | null, note: string | null, rotateEvery: string | null, now: number) {
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
  summary.updated_at = now;
}

export const secretCommands: Record<string, Command> = {
  // Static, so answered while locked too.
  secret_kinds: () => KINDS,
  list_secrets: (vault, args) => {
    const secrets = vault.scope(String(args.project), String(args.environment));
    vault.requireAccess(`${args.project}/${args.environment}`);
    return [...secrets.values()].map((s) => s.summary);
  },
  search_secrets: (vault, args) => {
    const query = String(args.query).toLowerCase();
    const open = vault.scopesOf(vault.me);
    return [...vault.projects.values()]
      .flatMap((envs) => [...envs.values()].flatMap((scope) => [...scope.values()]))
      .map((s) => s.summary)
      .filter((s) => open.includes(`${s.project}/${s.environment}`))
      .filter((s) => `${s.project}/${s.environment}/${s.name}`.toLowerCase().includes(query));
  },
  set_secret: (vault, args) => {
    const secret = args.secret as NewSecret;
    const file = secret.value.type === "file" ? secret.value : null;
    // File bytes are kept as latin-1 text: enough to check none of them reach the page.
    const value = file ? atob(file.base64) : secret.value.type === "text" ? secret.value.text : "";
    if (!value) throw fail("invalid", `the value for ${secret.path} is empty`);
    const [project = "", environment = "", name = ""] = secret.path.split("/");
    const existing = vault.scope(project, environment).get(name);
    basedOn(secret.path, existing?.summary.version ?? 0, secret.based_on);
    if (!existing) {
      const kind = secret.kind ?? KINDS.find((k) => k.env_var === name)?.kind ?? "generic";
      vault.put(secret.path, value, kind, { note: secret.note || null, fileName: file?.name });
      const created = vault.secret(secret.path);
      const days = KINDS.find((k) => k.kind === kind)?.default_rotation_days ?? null;
      created.summary.last_rotated_at = vault.now;
      applyMetadata(created, null, null, secret.rotate_every ?? (days === null ? "manual" : `${days}d`), vault.now);
      return null;
    }
    existing.values.push(value);
    existing.summary.version = existing.values.length;
    existing.summary.last_rotated_at = vault.now;
    if (file) {
      existing.summary.is_file = true;
      existing.summary.file_name = file.name;
    }
    // As in Rust: null keeps the note, "" removes it.
    applyMetadata(existing, secret.kind, secret.note, secret.rotate_every, vault.now);
    return null;
  },
  edit_secret: (vault, args) => {
    const edit = args.edit as SecretEdit;
    basedOn(edit.path, vault.secret(edit.path).summary.version ?? 0, edit.based_on);
    applyMetadata(vault.secret(edit.path), edit.kind, edit.note, edit.rotate_every, vault.now);
    return null;
  },
  secret_note: (vault, args) => vault.secret(args.path).note,
  reveal_secret: (vault, args) => {
    const stored = vault.readable(args.path, true);
    return stored.values[stored.values.length - 1];
  },
  copy_secret: (vault, args) => {
    vault.readable(args.path, true);
    return { clears_in_secs: 30 };
  },
  notebook_snippet: (vault, args) => {
    vault.secret(args.path);
    return `import keyshelf\nkey = keyshelf.get("${String(args.path)}")  # fetched at run time`;
  },
  copy_snippet: (vault, args) => {
    vault.secret(args.path);
    return null;
  },
  secret_history: (vault, args) => {
    const stored = vault.secret(args.path);
    const versions: unknown[] = stored.values.map((_, i) => ({
      version: i + 1,
      state: i === stored.values.length - 1 ? "current" : "previous",
      created_at: vault.now - (stored.values.length - i) * DAY,
      created_by: "ada",
    }));
    if (stored.pending) {
      const { version, check } = stored.pending;
      versions.push({ version, state: "pending", created_at: vault.now, created_by: "ada", retire_at: null, check_status: check });
    }
    return versions;
  },
  remove_secret: (vault, args) => {
    const [project = "", environment = "", name = ""] = String(args.path).split("/");
    vault.secret(args.path);
    vault.scope(project, environment).delete(name);
    return null;
  },
};
