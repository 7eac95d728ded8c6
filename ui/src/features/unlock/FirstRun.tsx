import { useState } from "react";

import * as api from "../../api";
import type { CreatedVault } from "../../bindings/CreatedVault";
import type { VaultStatus } from "../../bindings/VaultStatus";
import { Alert } from "../../components/Alert";
import { Button } from "../../components/Button";
import { PasswordField, TextField } from "../../components/Field";
import { useSubmit } from "../../components/useSubmit";
import { MIN_PASSPHRASE } from "../../lib/passphrase";
import { AuthForm, AuthLayout } from "./AuthLayout";
import { PassphraseStrength } from "./PassphraseStrength";
import { isServerLocation, TeamServer } from "./TeamServer";

export function FirstRun({
  location,
  onCreated,
  onLocation,
}: {
  /** Where the vault will be, as Rust shows it (a team server's URL without its password). */
  location: string | null;
  onCreated: (created: CreatedVault, team: string, user: string) => void;
  /** The person chose another location (a team server, or back to the file): its status. */
  onLocation: (status: VaultStatus) => void;
}) {
  const [team, setTeam] = useState("");
  const [user, setUser] = useState("");
  const [passphrase, setPassphrase] = useState("");
  const [repeat, setRepeat] = useState("");
  const { busy, error, setError, submit } = useSubmit();

  const mismatch = repeat.length > 0 && repeat !== passphrase;
  const ready = passphrase.length >= MIN_PASSPHRASE && passphrase === repeat;

  const create = () => {
    if (!ready || busy) return;
    if (!team.trim() || !user.trim()) return setError("Enter a team name and your name.");
    void submit(async () => {
      // Key derivation is deliberately slow (Argon2id); the button shows it is working.
      const created = await api.createVault(team.trim(), user.trim(), passphrase);
      onCreated(created, team.trim(), user.trim());
    });
  };

  return (
    <AuthLayout
      title="Create your team vault"
      subtitle={
        isServerLocation(location)
          ? "The team server has no vault yet: create it there. Values are encrypted on this device before they reach the server."
          : "One encrypted vault for your team's API keys, tokens and database URLs. Values never leave it unencrypted."
      }
    >
      <AuthForm onSubmit={create}>
        <div className="auth-row">
          <TextField label="Team name" value={team} onChange={(e) => setTeam(e.target.value)} placeholder="ml-team" autoFocus />
          <TextField label="Your name" value={user} onChange={(e) => setUser(e.target.value)} placeholder="ada" />
        </div>
        <PasswordField
          label="Passphrase"
          value={passphrase}
          onChange={(e) => setPassphrase(e.target.value)}
          hint={<PassphraseStrength passphrase={passphrase} />}
        />
        <PasswordField label="Repeat passphrase" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
        <Alert message={mismatch ? "The passphrases do not match." : error} />
        <Button type="submit" variant="primary" size="lg" disabled={!ready} busy={busy}>
          Create vault
        </Button>
        <p className="auth-footnote">
          Your passphrase unlocks the vault; the key it opens is then cached in the OS keychain, so you rarely type it.
        </p>
      </AuthForm>
      <TeamServer location={location} onLocation={onLocation} />
    </AuthLayout>
  );
}
