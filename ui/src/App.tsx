import { useCallback, useEffect, useRef, useState } from "react";

import * as api from "./api";
import type { JoinedVault } from "./bindings/JoinedVault";
import type { LockReason } from "./bindings/LockReason";
import type { UnlockResult } from "./bindings/UnlockResult";
import type { VaultStatus } from "./bindings/VaultStatus";
import { Browser } from "./Browser";
import { Button } from "./components/Button";
import { ToastProvider, useToast } from "./components/Toast";
import { CompareFingerprints } from "./features/join/CompareFingerprints";
import { JoinVault } from "./features/join/JoinVault";
import { ServerBanner } from "./features/server/ServerBanner";
import { AuthLayout } from "./features/unlock/AuthLayout";
import { FirstRun } from "./features/unlock/FirstRun";
import { Recovery } from "./features/unlock/Recovery";
import { TeamServer } from "./features/unlock/TeamServer";
import { Unlock } from "./features/unlock/Unlock";
import { useActivityReport } from "./lib/useActivityReport";

type Phase =
  | { screen: "starting" }
  | { screen: "error"; message: string }
  | { screen: "first-run" }
  // The vault file exists but this device is not a member of it yet.
  | { screen: "join" }
  // lockedBy as for recovery: the recovery key follows this screen.
  | { screen: "fingerprints"; joined: JoinedVault; lockedBy: LockReason | null }
  // lockedBy: Rust locked while the key was on screen; Continue then leads to Unlock.
  | { screen: "recovery"; recoveryKey: string; keychainProblem: string | null; lockedBy: LockReason | null }
  // notice: why Rust locked (idle, screen lock): information, not an error.
  | { screen: "unlock"; keychainProblem: string | null; error: string | null; notice: string | null; locking: boolean }
  | { screen: "browser"; notice: string | null };

/** What the unlock screen says after Rust locked the vault; a manual lock needs no explanation. */
const LOCK_MESSAGE: Record<LockReason, string | null> = {
  manual: null,
  idle: "Locked after a period of inactivity.",
  system: "Locked because the screen locked.",
};

/** What the unlock screen says when a command, not the lock event, found the vault locked. */
const LOCKED_ELSEWHERE = "The vault was locked. Unlock it again.";

function lockedPhase(reason: LockReason): Phase {
  return { screen: "unlock", keychainProblem: null, error: null, notice: LOCK_MESSAGE[reason], locking: false };
}

/** The browser's arrival notice: a passphrase just changed, or a keychain that could not help. */
function unlockNotice({ via, keychain_problem }: UnlockResult): string | null {
  const parts = [
    via === "recovery" ? "Passphrase changed. Use the new one from now on." : null,
    keychain_problem ? `Keychain: ${keychain_problem}` : null,
  ];
  return parts.filter(Boolean).join(" ") || null;
}

interface VaultInfo {
  name: string | null;
  member: string | null;
  /** Where the vault is, as Rust shows it (a team server's URL without its password). */
  location: string | null;
}

export function App() {
  return (
    <ToastProvider>
      <Screens />
    </ToastProvider>
  );
}

function Screens() {
  const toast = useToast();
  const [phase, setPhase] = useState<Phase>({ screen: "starting" });
  const [vault, setVault] = useState<VaultInfo>({ name: null, member: null, location: null });
  const started = useRef(false);

  // Which screen a vault status leads to: at start, and when the person chose another location.
  const route = useCallback(async (status: VaultStatus) => {
    setVault({ name: status.name, member: status.member, location: status.path });
    if (!status.exists) return setPhase({ screen: "first-run" });
    if (status.member === null) return setPhase({ screen: "join" });
    if (status.unlocked) return setPhase({ screen: "browser", notice: null });
    // Day to day the OS keychain holds the key: try it silently before asking for anything.
    try {
      const result = await api.unlock(null);
      setPhase({ screen: "browser", notice: unlockNotice(result) });
    } catch (e) {
      const err = api.toApiError(e);
      setPhase({
        screen: "unlock",
        keychainProblem: err.code === "keychain" ? err.message : null,
        error: err.code === "locked" || err.code === "keychain" ? null : api.errorMessage(err),
        notice: null, locking: false,
      });
    }
  }, []);

  const start = useCallback(async () => {
    setPhase({ screen: "starting" });
    let status;
    try {
      status = await api.vaultStatus();
    } catch (e) {
      setPhase({ screen: "error", message: api.errorMessage(e) });
      return;
    }
    await route(status);
  }, [route]);

  const chooseLocation = useCallback((status: VaultStatus) => void route(status), [route]);

  // The team server answered again after the banner: screens with nothing unlocked (or nothing
  // read yet) start over; the browser re-reads through its change listeners.
  const currentScreen = useRef(phase.screen);
  currentScreen.current = phase.screen;
  const serverBack = useCallback(() => {
    if (["error", "starting", "first-run", "join"].includes(currentScreen.current)) void start();
  }, [start]);

  useEffect(() => {
    // Once, even under StrictMode's double effects: the keychain attempt should not run twice.
    if (started.current) return;
    started.current = true;
    void start();
  }, [start]);

  // Unmounting the browser drops every revealed value and cached list at once; then Rust
  // drops the keys. The unlock buttons wait until it has.
  const lockNow = useCallback(async () => {
    toast.clear();
    setPhase({ screen: "unlock", keychainProblem: null, error: null, notice: null, locking: true });
    try {
      await api.lock();
    } catch (e) {
      toast.show(api.errorMessage(e), "error");
    }
    setPhase((p) => (p.screen === "unlock" ? { ...p, locking: false } : p));
  }, [toast]);

  // Rust owns the idle lock; the browser only tells it the user is still here.
  useActivityReport(phase.screen === "browser");

  // Rust locked (idle, screen lock, or Lock itself) and has dropped the keys: leave the browser.
  // The recovery key screen stays, so the key can still be read and saved; its Continue then
  // goes to Unlock instead. Other screens have nothing unlocked to leave.
  const showingBrowser = useRef(false);
  showingBrowser.current = phase.screen === "browser";
  useEffect(() => {
    let live = true;
    let stop: (() => void) | null = null;
    api
      .onVaultLocked(({ reason }) => {
        if (showingBrowser.current) toast.clear();
        setPhase((p) => {
          if (p.screen === "browser") return lockedPhase(reason);
          // A command in flight can hear "locked" before the event arrives: the event's reason wins.
          if (p.screen === "unlock" && p.error === LOCKED_ELSEWHERE && !p.locking) return lockedPhase(reason);
          if (p.screen === "recovery" || p.screen === "fingerprints") return { ...p, lockedBy: reason };
          return p;
        });
      })
      .then(
        (unlisten) => {
          if (live) stop = unlisten;
          else unlisten();
        },
        // Without the event the next command still finds the vault locked (onLocked below).
        () => {},
      );
    return () => {
      live = false;
      stop?.();
    };
  }, [toast]);

  // A command that finds the vault locked (the session was dropped elsewhere) ends the browser.
  useEffect(
    () =>
      api.onLocked(() =>
        setPhase((p) =>
          p.screen === "browser"
            ? { screen: "unlock", keychainProblem: null, error: LOCKED_ELSEWHERE, notice: null, locking: false }
            : p,
        ),
      ),
    [],
  );

  return (
    <>
      <ServerBanner onBack={serverBack} />
      {screenFor()}
    </>
  );

  function screenFor() {
    switch (phase.screen) {
      case "starting":
        return <div className="starting" aria-busy="true" />;
      case "error":
        return (
          <AuthLayout title="Keyshelf cannot open the vault" subtitle={phase.message}>
            <div className="auth-form">
              <Button variant="primary" size="lg" onClick={() => void start()}>
                Try again
              </Button>
            </div>
            {/* A server that refuses the login, or is not the right one: give its password, or another place. */}
            <TeamServer location={null} onLocation={chooseLocation} />
          </AuthLayout>
        );
      case "first-run":
        return (
          <FirstRun
            location={vault.location}
            onLocation={chooseLocation}
            onCreated={(created, team, user) => {
              setVault((v) => ({ ...v, name: team, member: user }));
              setPhase({
                screen: "recovery",
                recoveryKey: created.recovery_key,
                keychainProblem: created.keychain_problem,
                lockedBy: null,
              });
            }}
          />
        );
      case "join":
        return (
          <JoinVault
            vaultName={vault.name}
            location={vault.location}
            onLocation={chooseLocation}
            onJoined={(joined, name) => {
              setVault((v) => ({ ...v, member: name }));
              setPhase({ screen: "fingerprints", joined, lockedBy: null });
            }}
          />
        );
      case "fingerprints":
        return (
          <CompareFingerprints
            joined={phase.joined}
            onContinue={() =>
              setPhase({
                screen: "recovery",
                recoveryKey: phase.joined.recovery_key,
                keychainProblem: phase.joined.keychain_problem,
                lockedBy: phase.lockedBy,
              })
            }
          />
        );
      case "recovery":
        return (
          <Recovery
            recoveryKey={phase.recoveryKey}
            keychainProblem={phase.keychainProblem}
            // Leaving this screen drops the key from memory: it is never shown again.
            onContinue={() => setPhase(phase.lockedBy ? lockedPhase(phase.lockedBy) : { screen: "browser", notice: null })}
          />
        );
      case "unlock":
        return (
          <Unlock
            vaultName={vault.name}
            keychainProblem={phase.keychainProblem}
            initialError={phase.error}
            notice={phase.notice}
            waiting={phase.locking}
            onUnlocked={(result) => setPhase({ screen: "browser", notice: unlockNotice(result) })}
          />
        );
      case "browser":
        return <Browser vaultName={vault.name} member={vault.member} notice={phase.notice} onLock={() => void lockNow()} />;
    }
  }
}
