import { useState, type ChangeEvent } from "react";

import * as api from "../../api";
import type { UnlockResult } from "../../bindings/UnlockResult";
import { Alert } from "../../components/Alert";
import { Button } from "../../components/Button";
import { PasswordField, TextField } from "../../components/Field";
import { useSubmit } from "../../components/useSubmit";
import { MIN_PASSPHRASE } from "../../lib/passphrase";
import { AuthForm } from "./AuthLayout";
import { PassphraseStrength } from "./PassphraseStrength";

const MISMATCH = "The new passphrases do not match.";

/**
 * The lost-passphrase path: the printed recovery key unlocks, and Rust replaces the passphrase
 * in the same step, so the user leaves with a passphrase that works again.
 */
export function RecoveryUnlockForm({
  waiting,
  onUnlocked,
  onBack,
}: {
  waiting: boolean;
  onUnlocked: (result: UnlockResult) => void;
  onBack: () => void;
}) {
  const [recoveryKey, setRecoveryKey] = useState("");
  const [passphrase, setPassphrase] = useState("");
  const [repeat, setRepeat] = useState("");
  const { busy, error, setError, submit } = useSubmit();

  const mismatch = repeat.length > 0 && repeat !== passphrase;
  const filled = recoveryKey.trim() !== "" && passphrase !== "" && repeat !== "";

  const change = (set: (value: string) => void) => (event: ChangeEvent<HTMLInputElement>) => {
    set(event.target.value);
    setError(null);
  };

  const unlock = () => {
    if (busy || waiting || !filled) return;
    // Checked here too, not only shown: nothing reaches Rust until the two agree.
    if (passphrase !== repeat) return setError(MISMATCH);
    if ([...passphrase].length < MIN_PASSPHRASE) {
      return setError(`Use at least ${MIN_PASSPHRASE} characters for the new passphrase.`);
    }
    // A pasted key often brings a line break along.
    void submit(async () => onUnlocked(await api.unlockWithRecovery(recoveryKey.trim(), passphrase)));
  };

  return (
    <AuthForm onSubmit={unlock}>
      <TextField
        label="Recovery key"
        value={recoveryKey}
        onChange={change(setRecoveryKey)}
        placeholder="KSR1-…"
        autoComplete="off"
        autoCapitalize="off"
        autoCorrect="off"
        spellCheck={false}
        mono
        autoFocus
      />
      <PasswordField
        label="New passphrase"
        value={passphrase}
        onChange={change(setPassphrase)}
        hint={<PassphraseStrength passphrase={passphrase} />}
      />
      <PasswordField label="Repeat new passphrase" value={repeat} onChange={change(setRepeat)} />
      <Alert message={error ?? (mismatch ? MISMATCH : null)} />
      <Button type="submit" variant="primary" size="lg" disabled={!filled || waiting} busy={busy}>
        Unlock with recovery key
      </Button>
      <Button variant="ghost" disabled={busy} onClick={onBack}>
        Use passphrase
      </Button>
    </AuthForm>
  );
}
