import { useState } from "react";

import * as api from "../../api";
import type { JoinedVault } from "../../bindings/JoinedVault";
import type { VaultStatus } from "../../bindings/VaultStatus";
import { Alert } from "../../components/Alert";
import { Button } from "../../components/Button";
import { PasswordField, TextField } from "../../components/Field";
import { useSubmit } from "../../components/useSubmit";
import { MIN_PASSPHRASE } from "../../lib/passphrase";
import { AuthForm, AuthLayout } from "../unlock/AuthLayout";
import { PassphraseStrength } from "../unlock/PassphraseStrength";
import { TeamServer } from "../unlock/TeamServer";

/** For a device that finds a shared vault file it is not a member of: join it as a pending member. */
export function JoinVault({
  vaultName,
  location,
  onJoined,
  onLocation,
}: {
  vaultName: string | null;
  /** Where the vault is, as Rust shows it (a team server's URL without its password). */
  location: string | null;
  onJoined: (joined: JoinedVault, name: string) => void;
  /** The person chose another location (a team server, or back to the file): its status. */
  onLocation: (status: VaultStatus) => void;
}) {
  const [name, setName] = useState("");
  const [passphrase, setPassphrase] = useState("");
  const [repeat, setRepeat] = useState("");
  const { busy, error, setError, submit } = useSubmit();

  const mismatch = repeat.length > 0 && repeat !== passphrase;
  const ready = [...passphrase].length >= MIN_PASSPHRASE && passphrase === repeat;

  const join = () => {
    if (!ready || busy) return;
    if (!name.trim()) return setError("Enter your name.");
    // Creating the member's keys derives from the passphrase (Argon2id): slow on purpose.
    void submit(async () => onJoined(await api.joinVault(name.trim(), passphrase), name.trim()));
  };

  return (
    <AuthLayout
      title={`Join ${vaultName ?? "this vault"}`}
      subtitle="This device is not a member of this vault yet. Join it with your own passphrase; the owner or a lead then admits you and grants access."
    >
      <AuthForm onSubmit={join}>
        <TextField label="Your name" value={name} onChange={(e) => setName(e.target.value)} placeholder="grace" autoFocus />
        <PasswordField
          label="Passphrase"
          value={passphrase}
          onChange={(e) => setPassphrase(e.target.value)}
          hint={<PassphraseStrength passphrase={passphrase} />}
        />
        <PasswordField label="Repeat passphrase" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
        <Alert message={mismatch ? "The passphrases do not match." : error} />
        <Button type="submit" variant="primary" size="lg" disabled={!ready} busy={busy}>
          Join vault
        </Button>
        <p className="auth-footnote">
          Your passphrase is yours alone: it unlocks your own key, never the owner's.
        </p>
      </AuthForm>
      <TeamServer location={location} onLocation={onLocation} />
    </AuthLayout>
  );
}
