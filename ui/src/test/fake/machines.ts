// Machine identities as Rust rules them, closely enough for the UI: the owner or a lead of every
// named project adds one (with scopes it holds the key of), only the owner revokes or rotates,
// revoking rekeys each scope it held and flags what it read as exposed. A machine's grants and
// reads live in the vault's `grants` and `reads`, under its name, as a member's do.

import type { IssuedToken } from "../../bindings/IssuedToken";
import type { Machine } from "../../bindings/Machine";
import type { Revoked } from "../../bindings/Revoked";
import { fail, parseDuration, type Command } from "./common";
import type { FakeVault } from "./vault";

/** Rust's SHORTEST: a machine's expiry is at least an hour. */
const SHORTEST = 3_600;

/** A machine as the fake keeps it; its scopes are the grants held under its name. */
export type FakeMachine = Omit<Machine, "scopes">;

const TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

/** A token shaped like Rust's (ksm1_ and ~145 characters), different at every issue. */
function newToken(vault: FakeVault): string {
  let seed = 0x9e3779b9 ^ (vault.issuedTokens.length + 1) * 2_654_435_761;
  let body = "";
  for (let i = 0; i < 145; i += 1) {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    body += TOKEN_ALPHABET[(seed >>> 16) % TOKEN_ALPHABET.length];
  }
  const token = `ksm1_${body}`;
  vault.issuedTokens.push(token);
  return token;
}

/** Rust's check_label for a machine name. */
function checkName(name: string) {
  const invalid = (reason: string) => fail("invalid", `invalid machine name "${name}": ${reason}`);
  if (name.length === 0 || name.length > 64) throw invalid("use 1 to 64 characters");
  if (!/^[A-Za-z0-9]/.test(name)) throw invalid("start with a letter or digit");
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw invalid("use only letters, digits, '.', '_' and '-'");
}

function mayGrant(vault: FakeVault, project: string): boolean {
  const me = vault.roster.find((m) => m.name === vault.me);
  return !!me && (me.role === "owner" || (me.role === "lead" && me.lead_of.includes(project)));
}

/** Rust's owner_roster and machine_by_name: the owner acts, on a current machine. */
function ownedMachine(vault: FakeVault, name: string, action: string): FakeMachine {
  const me = vault.roster.find((m) => m.name === vault.me);
  if (!me || !me.trusted || me.role !== "owner") {
    throw fail("not_allowed", `cannot ${action}: only the owner removes members and machines`);
  }
  const machine = vault.machines.find((m) => m.name === name);
  if (machine) return machine;
  if (vault.roster.some((m) => m.name === name)) {
    throw fail("not_allowed", `cannot ${action}: ${name} is a person, not a machine; people are removed as members`);
  }
  throw fail("not_found", `member ${name} is not in this vault`);
}

/** What removing the machine rekeys and flags, one entry per scope (Rust's remove_in). */
function removal(vault: FakeVault, name: string): Revoked[] {
  const read = vault.reads.get(name) ?? new Set<string>();
  return vault.scopesOf(name).map((scope) => {
    const [project = "", environment = ""] = scope.split("/");
    const secrets = vault.scope(project, environment);
    return {
      scope,
      member: name,
      versions: [...secrets.values()].reduce((n, s) => n + s.values.length, 0),
      kept: [...(vault.grants.get(scope) ?? [])].filter((m) => m !== name).sort(),
      exposed: [...read]
        .filter((path) => path.startsWith(`${scope}/`) && secrets.has(path.slice(scope.length + 1)))
        .map((path) => path.slice(scope.length + 1))
        .sort(),
    };
  });
}

function remove(vault: FakeVault, name: string): Revoked[] {
  const revoked = removal(vault, name);
  for (const { scope, exposed } of revoked) {
    const [project = "", environment = ""] = scope.split("/");
    vault.grants.get(scope)?.delete(name);
    for (const secret of exposed) {
      const summary = vault.scope(project, environment).get(secret)?.summary;
      if (!summary) continue;
      summary.exposed_at = vault.now;
      summary.exposed_reason = `read by ${name} before their access to ${scope} ended`;
    }
  }
  vault.reads.delete(name);
  vault.machines = vault.machines.filter((m) => m.name !== name);
  return revoked;
}

function issue(vault: FakeVault, name: string, scopes: string[], expiresAt: number | null): string {
  vault.machines.push({
    name,
    created_by: vault.me,
    created_at: vault.now,
    expires_at: expiresAt,
    last_used_at: null,
    last_used_from: null,
    exposed: null,
  });
  for (const scope of scopes) vault.grant(name, scope);
  return newToken(vault);
}

export const machineCommands: Record<string, Command> = {
  // Copies, as from real IPC (JSON).
  list_machines: (vault): Machine[] => vault.machines.map((m) => ({ ...m, scopes: vault.scopesOf(m.name) })),
  add_machine: (vault, args): IssuedToken => {
    const name = String(args.name);
    const scopes = (args.scopes as string[] | undefined) ?? [];
    const refuse = (reason: string) => fail("not_allowed", `cannot add machine ${name}: ${reason}`);
    const expiresIn = parseDuration((args.expires as string | null | undefined) ?? null);
    if (expiresIn !== null && expiresIn < SHORTEST) throw refuse("a machine's expiry is at least 1h");
    checkName(name);
    if (scopes.length === 0) throw refuse("a machine needs at least one scope");
    for (const scope of scopes) {
      const project = scope.split("/")[0] ?? "";
      if (!mayGrant(vault, project)) throw refuse(`only the owner or a lead of ${project} gives a machine its scopes`);
    }
    if (vault.roster.some((m) => m.name === name) || vault.machines.some((m) => m.name === name)) {
      throw fail("exists", `a member named "${name}" already exists in this vault: choose another name`);
    }
    for (const scope of scopes) {
      const [project = "", environment = ""] = scope.split("/");
      vault.scope(project, environment);
      vault.requireAccess(scope);
    }
    const token = issue(vault, name, scopes, expiresIn === null ? null : vault.now + expiresIn);
    return { machine: name, token, revoked: [] };
  },
  preview_revoke_machine: (vault, args) => {
    const name = String(args.name);
    ownedMachine(vault, name, `revoke machine ${name}`);
    return removal(vault, name);
  },
  revoke_machine: (vault, args) => {
    const name = String(args.name);
    ownedMachine(vault, name, `revoke machine ${name}`);
    return remove(vault, name);
  },
  rotate_machine: (vault, args): IssuedToken => {
    const name = String(args.name);
    const old = ownedMachine(vault, name, `rotate machine ${name}`);
    if (old.expires_at !== null && old.expires_at <= vault.now) {
      throw fail("not_allowed", `machine ${name}'s access expired`);
    }
    const scopes = vault.scopesOf(name);
    const revoked = remove(vault, name);
    return { machine: name, token: issue(vault, name, scopes, old.expires_at), revoked };
  },
  // Rust copies it to the clipboard (and clears it later); the fake keeps what was copied.
  copy_machine_token: (vault, args) => {
    vault.clipboard = String(args.token);
    return null;
  },
};
