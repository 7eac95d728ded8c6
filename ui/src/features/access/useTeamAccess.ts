import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import * as api from "../../api";
import type { AccessRequest } from "../../bindings/AccessRequest";
import type { RosterEntry } from "../../bindings/RosterEntry";
import { useAccessRefresh } from "./useAccessRefresh";

/** Whether this member can open a scope; "unknown" until my_scopes answers. */
export type ScopeAccess = "open" | "locked" | "unknown";

export interface TeamAccess {
  access: (scope: string) => ScopeAccess;
  /** The scopes this member holds, for choosing what to revoke. */
  openScopes: string[];
  roster: RosterEntry[];
  /** This member's roster entry, found by name. */
  me: RosterEntry | null;
  /** Owners and leads decide requests and revoke. */
  decides: boolean;
  /** Pending requests this member may decide (never their own), verified or not. */
  inbox: AccessRequest[];
  /** This member's own pending request for a scope. */
  waitingFor: (scope: string) => AccessRequest | null;
  refresh: () => Promise<void>;
}

/**
 * The open scopes this member may grant and revoke (what Rust's may_grant allows and they hold
 * the key of): every one for the owner, a lead's own projects', none for a plain member.
 */
export function grantableScopes(team: Pick<TeamAccess, "me" | "decides" | "openScopes">): string[] {
  const me = team.me;
  if (!me || !team.decides) return [];
  return team.openScopes.filter((label) => me.role === "owner" || me.lead_of.includes(label.split("/")[0] ?? ""));
}

/**
 * The team side of the unlocked vault: which scopes open, the roster, pending requests. Read
 * when the browser mounts (so after every unlock), every ACCESS_POLL_MS, when the window
 * regains focus, and when Rust emits access-changed, since others grant and request from their
 * own devices.
 */
export function useTeamAccess(member: string | null): TeamAccess {
  // null: not known; "all": my_scopes failed, so Rust alone says what opens (lists show its refusal).
  const [scopes, setScopes] = useState<ReadonlySet<string> | "all" | null>(null);
  const [roster, setRoster] = useState<RosterEntry[]>([]);
  const [pending, setPending] = useState<AccessRequest[]>([]);
  const latest = useRef(0);

  const refresh = useCallback(async () => {
    const run = ++latest.current;
    const [open, members, requests] = await Promise.allSettled([
      api.myScopes(),
      api.listMembers(),
      api.listAccessRequests(true),
    ]);
    // An older poll finishing late must not undo a newer answer.
    if (run !== latest.current) return;
    // A failed background read keeps what was last known; the next poll tries again.
    if (open.status === "fulfilled") setScopes(new Set(open.value));
    else setScopes((known) => known ?? "all");
    if (members.status === "fulfilled") setRoster(members.value);
    if (requests.status === "fulfilled") setPending(requests.value);
  }, []);

  useAccessRefresh(refresh, { onFocus: true });
  // Answers arriving after unmount (lock) are dropped.
  useEffect(() => {
    return () => {
      latest.current += 1;
    };
  }, [refresh]);

  const me = useMemo(() => roster.find((entry) => entry.name === member) ?? null, [roster, member]);
  const decides = me !== null && me.trusted && me.status === "active" && (me.role === "owner" || me.role === "lead");

  // Rust says, per request, whether this member may decide it (signatures, roster, own request).
  const inbox = useMemo(() => pending.filter((r) => r.may_decide), [pending]);

  const access = useCallback(
    (scope: string): ScopeAccess => (scopes === null ? "unknown" : scopes === "all" || scopes.has(scope) ? "open" : "locked"),
    [scopes],
  );
  const waitingFor = useCallback(
    (scope: string) => pending.find((r) => r.member === member && r.scope === scope) ?? null,
    [pending, member],
  );
  const openScopes = useMemo(() => (scopes instanceof Set ? [...scopes] : []), [scopes]);

  return { access, openScopes, roster, me, decides, inbox, waitingFor, refresh };
}
