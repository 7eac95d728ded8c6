// Team access as Rust rules it, closely enough for the UI: a member opens only the scopes granted
// to them, and only the owner or a lead of the project decides requests and revokes (never their
// own request).

import type { AccessRequest } from "../../bindings/AccessRequest";
import type { Revoked } from "../../bindings/Revoked";
import type { RosterEntry } from "../../bindings/RosterEntry";
import { fail, parseDuration, type Command } from "./common";
import type { FakeVault } from "./vault";

/** Rust's may_decide / may_grant: the owner, or a lead of the project; never for oneself. */
function requireDecider(vault: FakeVault, action: string, project: string, member: string | null) {
  const me = vault.roster.find((m) => m.name === vault.me);
  if (member !== null && member === vault.me) throw fail("not_allowed", `cannot ${action}: nobody decides their own request`);
  if (!me || !(me.role === "owner" || (me.role === "lead" && me.lead_of.includes(project)))) {
    throw fail("not_allowed", `cannot ${action}: only the owner or a lead of ${project} decides access`);
  }
}

function mayDecide(vault: FakeVault, request: AccessRequest): boolean {
  if (request.status !== "pending") return false;
  try {
    requireDecider(vault, "decide", request.scope.split("/")[0] ?? "", request.member);
    return true;
  } catch {
    return false;
  }
}

/** Rust's Session::admit: the owner admits anyone as member or lead, a lead admits pending members. */
function admit(vault: FakeVault, name: string, role: string, leadOf: string[]): RosterEntry {
  const refuse = (reason: string) => fail("not_allowed", `cannot admit ${name}: ${reason}`);
  if (role !== "member" && role !== "lead") {
    throw role === "owner" ? refuse("a vault has one owner; admit as member or lead") : fail("invalid", `unknown role "${role}": use member or lead`);
  }
  if (role === "member" && leadOf.length > 0) throw refuse("--lead-of needs --role lead");
  const me = vault.roster.find((m) => m.name === vault.me);
  const target = vault.roster.find((m) => m.name === name);
  if (!target) throw fail("not_found", `unknown member ${name}`);
  if (!me || !me.trusted) throw refuse("you are not trusted on this device");
  if (target.name === me.name) throw refuse("nobody admits themselves");
  if (me.role === "member") throw refuse("only the owner or a lead admits members");
  if (me.role === "lead" && (role !== "member" || target.status !== "pending")) {
    throw refuse("a lead admits pending members as members; ask the owner");
  }
  for (const project of leadOf) if (!vault.projects.has(project)) throw fail("not_found", `unknown project ${project}`);
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

function pendingRequest(vault: FakeVault, id: unknown, action: string) {
  const request = vault.requests.find((r) => r.id === id);
  if (!request) throw fail("not_found", `unknown access request ${String(id)}`);
  if (!request.verified) throw fail("tampered", `access request ${request.id} is forged: ${request.problem ?? ""}`);
  if (request.status !== "pending") {
    throw fail("not_allowed", `cannot ${action} request ${request.id}: it was already ${request.status}`);
  }
  requireDecider(vault, `${action} request ${request.id}`, request.scope.split("/")[0] ?? "", request.member);
  return request;
}

function revocation(vault: FakeVault, member: string, scope: string): Revoked {
  const [project = "", environment = ""] = scope.split("/");
  const secrets = vault.scope(project, environment);
  requireDecider(vault, `revoke ${member}'s access to ${scope}`, project, null);
  if (!vault.roster.some((m) => m.name === member)) throw fail("not_found", `unknown member ${member}`);
  const holders = vault.grants.get(scope) ?? new Set<string>();
  if (!holders.has(member)) {
    throw fail("not_allowed", `cannot revoke ${member}'s access to ${scope}: ${member} has no access to ${scope}`);
  }
  return {
    scope,
    member,
    versions: [...secrets.values()].reduce((n, s) => n + s.values.length, 0),
    kept: [...holders].filter((m) => m !== member).sort(),
    exposed: [...(vault.reads.get(member) ?? [])]
      .filter((path) => path.startsWith(`${scope}/`) && secrets.has(path.slice(scope.length + 1)))
      .map((path) => path.slice(scope.length + 1))
      .sort(),
  };
}

export const accessCommands: Record<string, Command> = {
  // Copies, as from real IPC (JSON): a change shows up as a new array.
  list_members: (vault) => vault.roster.map((m) => ({ ...m, lead_of: [...m.lead_of] })),
  admit_member: (vault, args) => admit(vault, String(args.name), String(args.role), (args.leadOf as string[] | undefined) ?? []),
  my_scopes: (vault) => vault.scopesOf(vault.me),
  // Rust's answer per request: whether the member who asks may decide it.
  list_access_requests: (vault, args) =>
    vault.requests
      .filter((r) => !args.pendingOnly || r.status === "pending")
      .map((r) => ({ ...r, may_decide: mayDecide(vault, r) })),
  request_access: (vault, args) => {
    const scope = String(args.scope);
    const [project = "", environment = ""] = scope.split("/");
    vault.scope(project, environment);
    const reason = String(args.reason ?? "").trim();
    if (!reason) throw fail("invalid", "the reason for the request is empty");
    const duration = parseDuration(args.duration as string | null);
    if (vault.scopesOf(vault.me).includes(scope)) {
      throw fail("not_allowed", `cannot request access to ${scope}: you already have access`);
    }
    const waiting = vault.requests.find((r) => r.member === vault.me && r.scope === scope && r.status === "pending");
    if (waiting) {
      throw fail("not_allowed", `cannot request access to ${scope}: your request ${waiting.id} is still waiting for a decision`);
    }
    return vault.addRequest(vault.me ?? "", scope, reason, { durationSecs: duration });
  },
  approve_access: (vault, args) => {
    const request = pendingRequest(vault, args.id, "approve");
    const override = parseDuration(args.duration as string | null);
    const duration = override ?? request.duration_secs;
    Object.assign(request, {
      status: "approved",
      decided_by: vault.me,
      decided_at: vault.now,
      expires_at: duration === null ? null : vault.now + duration,
    });
    vault.grant(request.member, request.scope);
    return request;
  },
  deny_access: (vault, args) => {
    const request = pendingRequest(vault, args.id, "deny");
    const reason = String(args.reason ?? "").trim();
    if (!reason) throw fail("invalid", "the reason for denying is empty");
    Object.assign(request, { status: "denied", decided_by: vault.me, decided_at: vault.now, decision_note: reason });
    return request;
  },
  preview_revoke: (vault, args) => revocation(vault, String(args.member), String(args.scope)),
  revoke_access: (vault, args) => {
    const revoked = revocation(vault, String(args.member), String(args.scope));
    const [project = "", environment = ""] = revoked.scope.split("/");
    vault.grants.get(revoked.scope)?.delete(revoked.member);
    for (const name of revoked.exposed) {
      const summary = vault.scope(project, environment).get(name)?.summary;
      if (!summary) continue;
      summary.exposed_at = vault.now;
      summary.exposed_reason = `read by ${revoked.member} before their access to ${revoked.scope} ended`;
    }
    return revoked;
  },
};
