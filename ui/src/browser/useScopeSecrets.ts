import { useCallback, useEffect, useState } from "react";

import * as api from "../api";
import type { SecretSummary } from "../bindings/SecretSummary";
import type { ScopeAccess } from "../features/access/useTeamAccess";
import { scopeKey, type Scope } from "../features/projects/scope";

interface Loaded {
  key: string;
  items: SecretSummary[];
}

export interface ScopeSecrets {
  /** The open scope's secrets; null while they load, or when the scope is not open. */
  secrets: SecretSummary[] | null;
  error: string | null;
  /** Reads the list again (after a change here, or one the list cannot know about). */
  reload: () => void;
}

/** Loads the secrets of the scope on screen, once my_scopes says it opens. */
export function useScopeSecrets(scope: Scope | null, access: ScopeAccess): ScopeSecrets {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    // A locked scope has nothing to list (Rust would refuse); an unknown one waits for my_scopes.
    if (!scope || access !== "open") return;
    let live = true;
    setError(null);
    api.listSecrets(scope.project, scope.environment).then(
      (items) => live && setLoaded({ key: scopeKey(scope), items }),
      (e: unknown) => live && setError(api.errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [scope, reloads, access]);

  const reload = useCallback(() => setReloads((n) => n + 1), []);
  // Never another scope's list, not even for the moment before the new one arrives.
  const secrets = scope && access === "open" && loaded?.key === scopeKey(scope) ? loaded.items : null;
  return { secrets, error, reload };
}
