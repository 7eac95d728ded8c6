import { useCallback, useEffect, useRef, useState } from "react";

import * as api from "../../api";
import type { Machine } from "../../bindings/Machine";
import { useAccessRefresh } from "../access/useAccessRefresh";

export interface Machines {
  /** null until list_machines first answers. */
  machines: Machine[] | null;
  /** Why the first read failed; a later failed poll keeps the last list and says nothing. */
  error: string | null;
  refresh: () => Promise<void>;
}

/**
 * The machine list, read while the Machines dialog is open: at once, every ACCESS_POLL_MS and
 * when Rust emits access-changed, since the owner and leads add and revoke from other devices
 * and the CLI. list_machines is quiet in Rust, so the poll does not hold off the idle lock.
 */
export function useMachines(): Machines {
  const [machines, setMachines] = useState<Machine[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);

  const refresh = useCallback(async () => {
    const run = ++latest.current;
    try {
      const list = await api.listMachines();
      // An older read finishing late must not undo a newer answer.
      if (run !== latest.current) return;
      setMachines(list);
      setError(null);
    } catch (e) {
      if (run === latest.current) setError(api.errorMessage(e));
    }
  }, []);

  useAccessRefresh(refresh);
  // Answers arriving after the dialog closed are dropped.
  useEffect(() => {
    return () => {
      latest.current += 1;
    };
  }, [refresh]);

  return { machines, error, refresh };
}
