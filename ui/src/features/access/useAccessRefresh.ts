import { useEffect } from "react";

import * as api from "../../api";
import { ACCESS_POLL_MS } from "../../config";

/**
 * Calls refresh at once, every ACCESS_POLL_MS, when Rust emits access-changed and, with onFocus,
 * when the window regains focus, until unmount. Others grant, request, add and revoke from their
 * own devices and the CLI, so what is shown is read again rather than trusted to stay current.
 */
export function useAccessRefresh(refresh: () => Promise<void>, { onFocus = false }: { onFocus?: boolean } = {}) {
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), ACCESS_POLL_MS);
    const focused = () => void refresh();
    if (onFocus) window.addEventListener("focus", focused);
    // Rust's own look at the vault (it also sends the desktop notifications) says when to read.
    let live = true;
    let stopListening: (() => void) | null = null;
    api.onAccessChanged(() => void refresh()).then(
      (unlisten) => {
        if (live) stopListening = unlisten;
        else unlisten();
      },
      () => {
        // Without the event the poll (and focus) still refresh.
      },
    );
    return () => {
      live = false;
      clearInterval(timer);
      if (onFocus) window.removeEventListener("focus", focused);
      stopListening?.();
    };
  }, [refresh, onFocus]);
}
