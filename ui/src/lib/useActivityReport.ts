import { useEffect } from "react";

import * as api from "../api";
import { ACTIVITY_REPORT_MS } from "../config";

const ACTIVITY = ["keydown", "pointerdown", "pointermove", "wheel"] as const;

/**
 * While enabled, tells Rust the user is here so its idle clock restarts. The first input reports
 * at once, then at most one report per ACTIVITY_REPORT_MS; input inside the last interval goes
 * unreported, so an idle lock may come that much early, never late.
 */
export function useActivityReport(enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    let last = -Infinity;
    const report = () => {
      const now = Date.now();
      if (now - last < ACTIVITY_REPORT_MS) return;
      last = now;
      // A lost report only means the lock may come early; nothing for the user to do.
      api.noteActivity().catch(() => {});
    };
    for (const type of ACTIVITY) window.addEventListener(type, report, { passive: true, capture: true });
    return () => {
      for (const type of ACTIVITY) window.removeEventListener(type, report, { capture: true });
    };
  }, [enabled]);
}
