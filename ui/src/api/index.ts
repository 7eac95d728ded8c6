// The only module that talks to the Rust side. Every other file calls these functions, so the
// command names, their argument keys and the error shape live in one place.
//
// Never log arguments or results here: set_secret carries a value, reveal_secret returns one,
// secret_note returns a note, unlock_with_recovery carries the recovery key, stage_rotation
// carries a new value, and add_machine and rotate_machine return a machine token.

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

import type { AccessRequest } from "../bindings/AccessRequest";
import type { CheckOutcome } from "../bindings/CheckOutcome";
import type { CommandError } from "../bindings/CommandError";
import type { CopyResult } from "../bindings/CopyResult";
import type { CreatedVault } from "../bindings/CreatedVault";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { DueSecrets } from "../bindings/DueSecrets";
import type { IssuedToken } from "../bindings/IssuedToken";
import type { JoinedVault } from "../bindings/JoinedVault";
import type { KindInfo } from "../bindings/KindInfo";
import type { LockEvent } from "../bindings/LockEvent";
import type { Machine } from "../bindings/Machine";
import type { NewSecret } from "../bindings/NewSecret";
import type { ProjectSummary } from "../bindings/ProjectSummary";
import type { Promoted } from "../bindings/Promoted";
import type { Redacted } from "../bindings/Redacted";
import type { RedactTarget } from "../bindings/RedactTarget";
import type { Revoked } from "../bindings/Revoked";
import type { RosterEntry } from "../bindings/RosterEntry";
import type { ScanProgress } from "../bindings/ScanProgress";
import type { ScanReport } from "../bindings/ScanReport";
import type { SecretEdit } from "../bindings/SecretEdit";
import type { SecretKind } from "../bindings/SecretKind";
import type { SecretSummary } from "../bindings/SecretSummary";
import type { SecretValue } from "../bindings/SecretValue";
import type { Settings } from "../bindings/Settings";
import type { Staged } from "../bindings/Staged";
import type { TraySettings } from "../bindings/TraySettings";
import type { UnlockResult } from "../bindings/UnlockResult";
import type { VaultStatus } from "../bindings/VaultStatus";
import type { VersionSummary } from "../bindings/VersionSummary";

export type { ErrorCode };

// Every code Rust can send (a Record, so a code added in Rust fails the type check until it is
// listed); anything else a rejection carries is treated as internal.
const CODES: Record<ErrorCode, true> = {
  locked: true,
  keychain: true,
  wrong_passphrase: true,
  no_vault: true,
  not_found: true,
  exists: true,
  not_allowed: true,
  invalid: true,
  conflict: true,
  check_failed: true,
  tampered: true,
  rolled_back: true,
  removed: true,
  unavailable: true,
  server_unreachable: true,
  login_refused: true,
  bad_token: true,
  internal: true,
};
const isCode = (code: string): code is ErrorCode => Object.hasOwn(CODES, code);

/** A rejected command, ready to show: `message` never holds a secret (Rust guarantees it). */
export class ApiError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "ApiError";
    this.code = code;
  }
}

function isCommandError(value: unknown): value is CommandError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as CommandError).code === "string" &&
    typeof (value as CommandError).message === "string"
  );
}

/** Turns whatever a command rejected with into an ApiError. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isCommandError(error)) {
    return new ApiError(isCode(error.code) ? error.code : "internal", error.message);
  }
  // Tauri rejects with a plain string when a command is missing or its arguments don't parse.
  if (typeof error === "string" && error.length > 0) return new ApiError("internal", error);
  if (error instanceof Error && error.message) return new ApiError("internal", error.message);
  return new ApiError("internal", "Something went wrong. Try again.");
}

/** The text to show for a failure: the command's own message, capitalised as a sentence. */
export function errorMessage(error: unknown): string {
  const { message } = toApiError(error);
  return message.charAt(0).toUpperCase() + message.slice(1);
}

type LockedListener = () => void;
const lockedListeners = new Set<LockedListener>();

/** Called when a command says the vault is locked (e.g. the session was dropped behind our back). */
/**
 * `listen`, with an unlisten that never rejects: stopping a listener after the app (or a test's
 * mocked IPC) has torn down its event plumbing has nothing left to undo, and must not surface as
 * an unhandled rejection.
 */
function subscribe<T>(event: string, handler: (event: { payload: T }) => void): Promise<UnlistenFn> {
  return listen<T>(event, handler).then((unlisten) => () => {
    void Promise.resolve()
      .then(unlisten)
      .catch(() => {});
  });
}

export function onLocked(listener: LockedListener): () => void {
  lockedListeners.add(listener);
  return () => {
    lockedListeners.delete(listener);
  };
}

type UnreachableListener = (error: ApiError) => void;
const unreachableListeners = new Set<UnreachableListener>();
const serverBackListeners = new Set<() => void>();
// The messages (as errorMessage shows them) of server_unreachable failures since the server last
// answered: the banner says it, so a toast need not (Toast skips them).
const unreachableMessages = new Set<string>();

/** Called when a command says the team server cannot be reached (the banner listens). */
export function onServerUnreachable(listener: UnreachableListener): () => void {
  unreachableListeners.add(listener);
  return () => {
    unreachableListeners.delete(listener);
  };
}

/** Whether `message` says the team server cannot be reached (shown by the banner, not a toast). */
export const isServerUnreachableMessage = (message: string) => unreachableMessages.has(message);

/** The server a server_unreachable message names ("host:port/db"), or null. */
export function unreachableServer(message: string): string | null {
  return /database server (.+?) cannot be reached/.exec(message)?.[1] ?? null;
}

/**
 * The team server answered again: whatever the UI shows may be stale, so every vault-changed,
 * access-changed and rotation-changed listener re-reads, as when Rust tells it so.
 */
export function serverAnswered() {
  unreachableMessages.clear();
  for (const listener of [...serverBackListeners]) listener();
}

/** `subscribe`, and the same listener also hears serverAnswered(). */
function subscribeWithServerBack(event: string, listener: () => void): Promise<UnlistenFn> {
  serverBackListeners.add(listener);
  return subscribe<null>(event, () => listener()).then(
    (unlisten) => () => {
      serverBackListeners.delete(listener);
      unlisten();
    },
    (error: unknown) => {
      serverBackListeners.delete(listener);
      throw error;
    },
  );
}

// "locked" from these is an answer, not news: the start-up keychain attempt expects it.
const LOCK_AWARE = new Set(["vault_status", "set_vault_location", "create_vault", "join_vault", "unlock", "unlock_with_recovery", "lock"]);

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    const error = toApiError(raw);
    if (error.code === "locked" && !LOCK_AWARE.has(command)) {
      for (const listener of lockedListeners) listener();
    }
    if (error.code === "server_unreachable") {
      unreachableMessages.add(errorMessage(error));
      for (const listener of [...unreachableListeners]) listener(error);
    }
    throw error;
  }
}

export const vaultStatus = () => call<VaultStatus>("vault_status");

/**
 * Where the vault is: a team server's `postgres://` URL or an absolute file path; "" goes back to
 * the default file. Saved on this device; refused while unlocked. A database password (here or in
 * the URL) is checked with the server and kept in the OS keychain, never saved with the location.
 * Answers the status there (its `path` without any password the URL held).
 */
export const setVaultLocation = (location: string, password: string | null = null) =>
  call<VaultStatus>("set_vault_location", { location, password });

export const createVault = (team: string, user: string, passphrase: string) =>
  call<CreatedVault>("create_vault", { team, user, passphrase });

/** For a device that is not yet a member of the vault file: joins as pending and opens a session. */
export const joinVault = (name: string, passphrase: string) => call<JoinedVault>("join_vault", { name, passphrase });

/** `null` asks the OS keychain only; it rejects with "locked" when the keychain holds no key. */
export const unlock = (passphrase: string | null) => call<UnlockResult>("unlock", { passphrase });

/** The lost-passphrase path: the recovery key unlocks and the new passphrase replaces the old one. */
export const unlockWithRecovery = (recoveryKey: string, newPassphrase: string) =>
  call<UnlockResult>("unlock_with_recovery", { recoveryKey, newPassphrase });

export const lock = () => call<void>("lock");

/** The user is here: restarts Rust's idle clock (Rust owns the idle lock). */
export const noteActivity = () => call<void>("note_activity");

/** Rust has already dropped the keys when this fires: after Lock, idle time, or the screen locking. */
export const onVaultLocked = (listener: (event: LockEvent) => void): Promise<UnlistenFn> =>
  subscribe<LockEvent>("vault-locked", (event) => listener(event.payload));

export const getSettings = () => call<Settings>("get_settings");

export const setSettings = (settings: Settings) => call<Settings>("set_settings", { settings });

export const listProjects = () => call<ProjectSummary[]>("list_projects");

export const addProject = (name: string, environments: string[]) =>
  call<void>("add_project", { name, environments });

export const addEnvironment = (project: string, environment: string) =>
  call<void>("add_environment", { project, environment });

export const listSecrets = (project: string, environment: string) =>
  call<SecretSummary[]>("list_secrets", { project, environment });

export const searchSecrets = (query: string) => call<SecretSummary[]>("search_secrets", { query });

/** Stores a new version of the value (creating the secret if needed). */
export const setSecret = (secret: NewSecret) => call<void>("set_secret", { secret });

/** Kind, note and rotation in place, without a new version of the value. */
export const editSecret = (edit: SecretEdit) => call<void>("edit_secret", { edit });

/** The decrypted note (audited): only when the user asks to see it or opens Edit. */
export const secretNote = (path: string) => call<string | null>("secret_note", { path });

/** The value itself: only for the Reveal button, and only held while it is shown. */
export const revealSecret = (path: string) => call<string>("reveal_secret", { path });

/** Rust copies the value to the clipboard; it never comes to the webview. */
export const copySecret = (path: string) => call<CopyResult>("copy_secret", { path });

export const notebookSnippet = (path: string) => call<string>("notebook_snippet", { path });

export const copySnippet = (path: string) => call<void>("copy_snippet", { path });

export const secretHistory = (path: string) => call<VersionSummary[]>("secret_history", { path });

export const removeSecret = (path: string) => call<void>("remove_secret", { path });

export const secretKinds = () => call<KindInfo[]>("secret_kinds");

export const listMembers = () => call<RosterEntry[]>("list_members");

/** Admits a pending member (after comparing their fingerprint out of band). `leadOf`: for a lead. */
/** `fingerprint`: the one the dialog showed; Rust signs only the keys it names. */
export const admitMember = (name: string, role: "member" | "lead", leadOf: string[], fingerprint: string) =>
  call<RosterEntry>("admit_member", { name, role, leadOf, fingerprint });

/**
 * Rust looked at the vault (right after unlock, then every minute) and requests, decisions or the
 * roster changed: others act from their own devices. Read afresh instead of waiting for a poll.
 */
export const onAccessChanged = (listener: () => void): Promise<UnlistenFn> =>
  subscribeWithServerBack("access-changed", listener);

/**
 * Someone changed the vault (Rust reads its change mark every second while unlocked): other
 * members write from their own devices, so read the open scope and the project tree again.
 */
export const onVaultChanged = (listener: () => void): Promise<UnlistenFn> =>
  subscribeWithServerBack("vault-changed", listener);

/** "project/env" labels this member can open now; the others show locked. */
export const myScopes = () => call<string[]>("my_scopes");

export const listAccessRequests = (pendingOnly: boolean) =>
  call<AccessRequest[]>("list_access_requests", { pendingOnly });

/** `duration` like "8h" or "7d"; null asks for access until revoked. */
export const requestAccess = (scope: string, reason: string, duration: string | null) =>
  call<AccessRequest>("request_access", { scope, reason, duration });

/** `duration` overrides what was asked for; null keeps it. */
export const approveAccess = (id: string, duration: string | null) =>
  call<AccessRequest>("approve_access", { id, duration });

export const denyAccess = (id: string, reason: string) => call<AccessRequest>("deny_access", { id, reason });

/** What revoke_access would do, changing nothing: for the confirmation. */
export const previewRevoke = (member: string, scope: string) => call<Revoked>("preview_revoke", { member, scope });

export const revokeAccess = (member: string, scope: string) => call<Revoked>("revoke_access", { member, scope });

export const listMachines = () => call<Machine[]>("list_machines");

/**
 * A machine identity (CI job, training run, serving host) that reads `scopes` ("project/env")
 * until `expires` ("12h", "30d"; at least 1h; null: until revoked). Its token is in the answer
 * only: show it once, keep it nowhere.
 */
export const addMachine = (name: string, scopes: string[], expires: string | null) =>
  call<IssuedToken>("add_machine", { name, scopes, expires });

/** What revoke_machine would rekey and flag exposed (one entry per scope), changing nothing. */
export const previewRevokeMachine = (name: string) => call<Revoked[]>("preview_revoke_machine", { name });

export const revokeMachine = (name: string) => call<Revoked[]>("revoke_machine", { name });

/** Revokes the old token (as revoke_machine) and issues a new one: same name, scopes and expiry. */
export const rotateMachine = (name: string) => call<IssuedToken>("rotate_machine", { name });

/** Rust copies the token and clears the clipboard later (the webview has no clipboard permission). */
export const copyMachineToken = (token: string) => call<void>("copy_machine_token", { token });

/** Rust opens the native folder picker (the webview has no dialog permission); null: cancelled. */
export const pickScanFolder = () => call<string | null>("pick_scan_folder");

/**
 * Scans a folder for vault values and provider key formats. Findings carry a 4-character preview,
 * never a value; vault secrets found in notebooks come back in `exposed`, already flagged.
 */
export const scanFolder = (folder: string) => call<ScanReport>("scan_folder", { folder });

/** How far the running scan got (Rust emits it a few times a second). */
export const onScanProgress = (listener: (progress: ScanProgress) => void): Promise<UnlistenFn> =>
  subscribe<ScanProgress>("scan-progress", (event) => listener(event.payload));

/**
 * Redacts these findings of the last scan in place (originals kept as FILE.keyshelf-bak). Rust
 * refuses files the last scan did not flag, and backups; a file it cannot rewrite is a problem
 * in the outcome, not the end of the others.
 */
export const redactFindings = (targets: RedactTarget[]) => call<Redacted>("redact_findings", { targets });

/**
 * Exposed, overdue and due-within-`withinDays` secrets of every scope this member sees (a lead:
 * the scopes they lead), most urgent first, with the time Rust judged them at.
 */
export const dueSecrets = (withinDays: number) => call<DueSecrets>("due_secrets", { withinDays });

/** Stores a new value as pending; the current value is untouched until promotion. */
export const stageRotation = (path: string, value: SecretValue) =>
  call<Staged>("stage_rotation", { rotation: { path, value } });

/** Runs `command` (null: the saved check) against the pending value; `save` keeps it on the secret. */
export const checkRotation = (path: string, command: string | null, save: boolean) =>
  call<CheckOutcome>("check_rotation", { path, command, save });

/**
 * Pending `version` → current; the old value stays readable for `overlap` ("24h"; null: the
 * default). Rust refuses if another version was staged since, or a saved check has not passed.
 */
export const promoteRotation = (path: string, version: number, overlap: string | null) =>
  call<Promoted>("promote_rotation", { path, version, overlap });

export const rollbackRotation = (path: string) => call<Promoted>("rollback_rotation", { path });

/** Discards the pending version; returns its number. */
export const cancelRotation = (path: string) => call<number>("cancel_rotation", { path });

/** Rust opens the kind's provider key page (a fixed URL per kind) in the default browser. */
export const openProviderPage = (kind: SecretKind) => call<void>("open_provider_page", { kind });

/** Rust's hourly look (it also sends the reminders) found that what is due changed. */
export const onRotationChanged = (listener: () => void): Promise<UnlistenFn> =>
  subscribeWithServerBack("rotation-changed", listener);

/** The tray menu asked for the rotation dashboard. */
export const onOpenRotation = (listener: () => void): Promise<UnlistenFn> =>
  subscribe<null>("open-rotation", () => listener());

export const getTraySettings = () => call<TraySettings>("get_tray_settings");

export const setTraySettings = (settings: TraySettings) => call<TraySettings>("set_tray_settings", { settings });

/** "project/environment/NAME", the path every secret command takes. */
export function secretPath(secret: Pick<SecretSummary, "project" | "environment" | "name">): string {
  return `${secret.project}/${secret.environment}/${secret.name}`;
}
