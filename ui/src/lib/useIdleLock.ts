import { useEffect, useRef } from "react";

const ACTIVITY = ["keydown", "pointerdown", "pointermove", "wheel", "touchstart"] as const;

/**
 * Calls `onIdle` once after `timeoutMs` without keyboard or pointer activity. Activity only
 * records a timestamp (pointermove fires constantly); one timer checks it and re-arms itself.
 */
export function useIdleLock(enabled: boolean, timeoutMs: number, onIdle: () => void): void {
  const onIdleRef = useRef(onIdle);
  onIdleRef.current = onIdle;

  useEffect(() => {
    if (!enabled) return;
    let last = Date.now();
    let timer: ReturnType<typeof setTimeout>;
    const mark = () => {
      last = Date.now();
    };
    const check = () => {
      const idle = Date.now() - last;
      if (idle >= timeoutMs) onIdleRef.current();
      else timer = setTimeout(check, timeoutMs - idle);
    };
    timer = setTimeout(check, timeoutMs);
    for (const type of ACTIVITY) window.addEventListener(type, mark, { passive: true, capture: true });
    return () => {
      clearTimeout(timer);
      for (const type of ACTIVITY) window.removeEventListener(type, mark, { capture: true });
    };
  }, [enabled, timeoutMs]);
}
