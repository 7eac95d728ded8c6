import { useEffect, useState } from "react";

import * as api from "../../api";
import type { UnlockResult } from "../../bindings/UnlockResult";
import { Alert, Note } from "../../components/Alert";
import { Button } from "../../components/Button";
import { PasswordField } from "../../components/Field";
import { useSubmit } from "../../components/useSubmit";
import { AuthForm, AuthLayout } from "./AuthLayout";
import { RecoveryUnlockForm } from "./RecoveryUnlockForm";

export function Unlock({
  vaultName,
  keychainProblem,
  initialError = null,
  notice = null,
  waiting = false,
  onUnlocked,
}: {
  vaultName: string | null;
  keychainProblem: string | null;
  initialError?: string | null;
  /** Why the vault locked (idle, screen lock): shown quietly, not as an error. */
  notice?: string | null;
  /** True while a lock is still finishing in Rust: unlocking waits for it. */
  waiting?: boolean;
  onUnlocked: (result: UnlockResult) => void;
}) {
  const [passphrase, setPassphrase] = useState("");
  const [note, setNote] = useState(keychainProblem);
  const { busy, error, setError, submit } = useSubmit(initialError);
  // Which button's attempt runs, for its spinner.
  const [via, setVia] = useState<"passphrase" | "keychain">("passphrase");
  const [recovering, setRecovering] = useState(false);

  // The lock event can arrive after a command already found the vault locked: its reason
  // replaces the generic error (App passes the new phase down).
  useEffect(() => setError(initialError), [initialError]);

  const attempt = (next: "passphrase" | "keychain") => {
    if (busy || waiting) return;
    setVia(next);
    void submit(
      async () => onUnlocked(await api.unlock(next === "passphrase" ? passphrase : null)),
      (err) => {
        if (next === "keychain" && err.code === "locked") {
          return "The OS keychain holds no key for this vault. Enter your passphrase.";
        }
        if (next === "keychain" && err.code === "keychain") {
          setNote(err.message);
          return "The OS keychain is not available. Enter your passphrase.";
        }
        return api.errorMessage(err);
      },
    );
  };

  if (recovering) {
    return (
      <AuthLayout
        title="Unlock Keyshelf"
        subtitle="Enter the recovery key you saved when the vault was created, then choose a new passphrase."
      >
        <RecoveryUnlockForm
          waiting={waiting}
          onUnlocked={onUnlocked}
          onBack={() => {
            setRecovering(false);
            setError(null);
          }}
        />
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Unlock Keyshelf"
      subtitle={vaultName ? <>Vault <strong>{vaultName}</strong> is locked.</> : "The vault is locked."}
    >
      <AuthForm
        onSubmit={() => {
          if (passphrase) attempt("passphrase");
        }}
      >
        <PasswordField
          label="Passphrase"
          value={passphrase}
          onChange={(e) => {
            setPassphrase(e.target.value);
            setError(null);
          }}
          autoFocus
        />
        {notice && !error ? <Note>{notice}</Note> : null}
        <Alert message={error} />
        <Button type="submit" variant="primary" size="lg" disabled={!passphrase || waiting} busy={busy && via === "passphrase"}>
          Unlock
        </Button>
        <div className="auth-divider">
          <span>or</span>
        </div>
        <Button
          variant="secondary"
          size="lg"
          icon="key"
          disabled={waiting}
          busy={busy && via === "keychain"}
          onClick={() => attempt("keychain")}>
          Unlock with OS keychain
        </Button>
        {note ? <Note>{`Keychain: ${note}`}</Note> : null}
        <p className="auth-footnote auth-switch">
          Forgot your passphrase?
          <Button
            variant="ghost"
            size="sm"
            disabled={busy}
            onClick={() => {
              setRecovering(true);
              setError(null);
            }}
          >
            Use recovery key
          </Button>
        </p>
      </AuthForm>
    </AuthLayout>
  );
}
