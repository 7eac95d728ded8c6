import { useCallback, useEffect, useRef, useState } from "react";

import * as api from "../../api";
import { REVEAL_HIDE_MS } from "../../config";

export interface Reveal {
  value: string | null;
  secondsLeft: number;
  busy: boolean;
  reveal: () => Promise<void>;
  hide: () => void;
}

/**
 * Holds a revealed value for as short a time as possible: it drops it after REVEAL_HIDE_MS,
 * on Hide, when the window is hidden, and when the component unmounts (lock, another secret).
 */
export function useReveal(path: string): Reveal {
  const [value, setValue] = useState<string | null>(null);
  const [hideAt, setHideAt] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  const [busy, setBusy] = useState(false);
  const alive = useRef(true);

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const hide = useCallback(() => {
    setValue(null);
    setHideAt(0);
  }, []);

  const reveal = useCallback(async () => {
    setBusy(true);
    try {
      const revealed = await api.revealSecret(path);
      // The user may have locked or moved on while Rust answered: then drop it at once.
      if (!alive.current) return;
      setValue(revealed);
      setHideAt(Date.now() + REVEAL_HIDE_MS);
      setNow(Date.now());
    } finally {
      if (alive.current) setBusy(false);
    }
  }, [path]);

  useEffect(() => {
    if (value === null) return;
    const timer = setTimeout(hide, Math.max(0, hideAt - Date.now()));
    const tick = setInterval(() => setNow(Date.now()), 1000);
    const onVisibility = () => {
      if (document.visibilityState === "hidden") hide();
    };
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      clearTimeout(timer);
      clearInterval(tick);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [value, hideAt, hide]);

  const secondsLeft = value === null ? 0 : Math.max(0, Math.ceil((hideAt - now) / 1000));
  return { value, secondsLeft, busy, reveal, hide };
}
