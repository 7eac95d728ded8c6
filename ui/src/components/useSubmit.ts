import { useCallback, useEffect, useRef, useState } from "react";

import * as api from "../api";

export interface Submit {
  /** True while an action runs: its button shows a spinner and takes no second press. */
  busy: boolean;
  error: string | null;
  /** For the form's own checks, and to clear a message as the user edits. */
  setError: (message: string | null) => void;
  /**
   * Runs `action` unless one is already running. A failure becomes the error, as the command's
   * message or what `describe` makes of it (which may also mark a field).
   */
  submit: (action: () => Promise<void>, describe?: (error: api.ApiError) => string) => Promise<void>;
}

/**
 * The one busy flag and error slot of a form that sends commands (`initialError`: a message to
 * show from the start). The action itself calls the form's "done" callback, which usually closes
 * it: nothing is set once the form is gone.
 */
export function useSubmit(initialError: string | null = null): Submit {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(initialError);
  // A ref as well: two presses in one render both see busy === false.
  const running = useRef(false);
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const submit = useCallback(async (action: () => Promise<void>, describe: (error: api.ApiError) => string = api.errorMessage) => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      if (mounted.current) setError(describe(api.toApiError(e)));
    } finally {
      running.current = false;
      if (mounted.current) setBusy(false);
    }
  }, []);

  return { busy, error, setError, submit };
}
