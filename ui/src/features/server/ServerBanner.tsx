import { useCallback, useEffect, useRef, useState } from "react";

import * as api from "../../api";
import { Button } from "../../components/Button";
import { SERVER_RETRY_FIRST_S, SERVER_RETRY_MAX_S } from "../../config";
import "./server.css";

interface Down {
  server: string | null;
  /** Tries that failed since the banner appeared: the next wait doubles with each. */
  attempt: number;
  /** Seconds until the next try. */
  left: number;
}

/** The wait before try number `attempt` (0-based): 2, 4, 8, … seconds, at most a minute. */
export function retryDelay(attempt: number): number {
  return Math.min(SERVER_RETRY_FIRST_S * 2 ** attempt, SERVER_RETRY_MAX_S);
}

/**
 * Standing while the vault's team server cannot be reached (a command failed with
 * server_unreachable): asks vault_status again with backoff, or at once on "Retry now", and
 * goes away when the server answers; then `onBack` and every change listener re-read.
 */
export function ServerBanner({ onBack }: { onBack: () => void }) {
  const [down, setDown] = useState<Down | null>(null);
  const [checking, setChecking] = useState(false);
  const onBackRef = useRef(onBack);
  onBackRef.current = onBack;

  useEffect(
    () =>
      api.onServerUnreachable((error) =>
        setDown((d) => d ?? { server: api.unreachableServer(error.message), attempt: 0, left: retryDelay(0) }),
      ),
    [],
  );

  const retry = useCallback(async () => {
    setChecking(true);
    try {
      await api.vaultStatus();
      setDown(null);
    } catch (e) {
      const error = api.toApiError(e);
      if (error.code !== "server_unreachable") {
        // The server answered (with something else to say): the screens show that themselves.
        setDown(null);
      } else {
        setDown((d) => {
          const attempt = (d?.attempt ?? 0) + 1;
          return { server: api.unreachableServer(error.message) ?? d?.server ?? null, attempt, left: retryDelay(attempt) };
        });
        return;
      }
    } finally {
      setChecking(false);
    }
    api.serverAnswered();
    onBackRef.current();
  }, []);

  useEffect(() => {
    if (!down || checking) return;
    if (down.left <= 0) {
      void retry();
      return;
    }
    const timer = setTimeout(() => setDown((d) => (d ? { ...d, left: d.left - 1 } : d)), 1000);
    return () => clearTimeout(timer);
  }, [down, checking, retry]);

  if (!down) return null;
  const server = down.server ? `the team server ${down.server}` : "the team server";
  return (
    <section className="server-banner" role="alert" aria-label="Team server unreachable">
      <p className="server-banner-message">
        Cannot reach {server}.{" "}
        {/* The countdown changes every second: not announced each time. */}
        <span aria-live="off">{checking ? "Trying again…" : `Retrying in ${down.left}s.`}</span>
      </p>
      <Button size="sm" disabled={checking} onClick={() => setDown((d) => (d ? { ...d, left: 0 } : d))}>
        Retry now
      </Button>
    </section>
  );
}
