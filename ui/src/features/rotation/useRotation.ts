import { useCallback, useEffect, useRef, useState } from "react";

import * as api from "../../api";
import type { DueSecrets } from "../../bindings/DueSecrets";
import type { SecretSummary } from "../../bindings/SecretSummary";
import { ROTATION_WINDOW_DAYS } from "../../config";

export interface Rotation {
  /** What is exposed, overdue or due within ROTATION_WINDOW_DAYS; null until the first answer. */
  due: DueSecrets | null;
  error: string | null;
  /** Exposed + overdue: what must be rotated now (the header's badge, like the tray's). */
  urgent: number;
  refresh: () => Promise<void>;
}

export const isUrgent = (secret: SecretSummary) => secret.rotation === "exposed" || secret.rotation === "overdue";

/**
 * What needs rotating, for the header badge and the dashboard. Read when the browser mounts
 * (so after every unlock), when the window regains focus, when Rust's hourly look says it
 * changed, and after every change made here. Rust's due_secrets does not count as activity, so
 * these reads never keep an idle vault open. `onOpenRequested`: the tray menu asked for the dashboard.
 */
export function useRotation(onOpenRequested: () => void): Rotation {
  const [due, setDue] = useState<DueSecrets | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);
  const openRef = useRef(onOpenRequested);
  openRef.current = onOpenRequested;

  const refresh = useCallback(async () => {
    const run = ++latest.current;
    try {
      const answer = await api.dueSecrets(ROTATION_WINDOW_DAYS);
      if (run !== latest.current) return;
      setDue(answer);
      setError(null);
    } catch (e) {
      // "locked" is not news here: the app moves to the unlock screen (api.onLocked).
      if (run === latest.current && api.toApiError(e).code !== "locked") setError(api.errorMessage(e));
    }
  }, []);

  useEffect(() => {
    void refresh();
    const onFocus = () => void refresh();
    window.addEventListener("focus", onFocus);
    let live = true;
    const stops: Array<() => void> = [];
    const keep = (unlisten: () => void) => {
      if (live) stops.push(unlisten);
      else unlisten();
    };
    // Without the events, focus and the explicit refreshes still keep it current.
    api.onRotationChanged(() => void refresh()).then(keep, () => {});
    api.onOpenRotation(() => openRef.current()).then(keep, () => {});
    return () => {
      live = false;
      window.removeEventListener("focus", onFocus);
      for (const stop of stops) stop();
      // Answers arriving after unmount (lock) are dropped.
      latest.current += 1;
    };
  }, [refresh]);

  const urgent = due ? due.secrets.filter(isUrgent).length : 0;
  return { due, error, urgent, refresh };
}
