import { useState } from "react";

import * as api from "../../api";
import type { VaultStatus } from "../../bindings/VaultStatus";
import { Alert } from "../../components/Alert";
import { Button } from "../../components/Button";
import { PasswordField, TextField } from "../../components/Field";
import { useSubmit } from "../../components/useSubmit";

/** Whether a shown vault location is a team server's URL (rather than a file). */
export const isServerLocation = (location: string | null) => /^postgres(ql)?:\/\//.test(location ?? "");

/**
 * "Use a team server" on the first-run and join screens: the vault lives in the team's
 * PostgreSQL database instead of a file on this device. Rust checks and saves the URL and answers
 * the status there; a database password (its own field, or typed into the URL) goes to the OS
 * keychain once the server accepts it. Both fields are emptied at once, so no password stays on
 * the page (Rust shows the location without it).
 */
export function TeamServer({
  location,
  onLocation,
}: {
  /** The current location as Rust shows it (no password). */
  location: string | null;
  onLocation: (status: VaultStatus) => void;
}) {
  const [open, setOpen] = useState(false);
  const [url, setUrl] = useState("");
  const [password, setPassword] = useState("");
  const { busy, error, setError, submit } = useSubmit();
  const onServer = isServerLocation(location);

  const choose = (typed: string) =>
    void submit(async () => {
      try {
        const status = await api.setVaultLocation(typed, password || null);
        setOpen(false);
        onLocation(status);
      } finally {
        setUrl("");
        setPassword("");
      }
    });

  // The fields' own submit: Enter here must not submit the create form around them.
  const submitOnEnter = (e: React.KeyboardEvent) => {
    if (e.key !== "Enter") return;
    e.preventDefault();
    if (url.trim()) choose(url.trim());
  };

  if (!open) {
    return (
      <div className="team-server">
        {location ? (
          <p className="auth-footnote">
            Vault: <code className="vault-location">{location}</code>
          </p>
        ) : null}
        <Alert message={error} />
        {onServer ? (
          <Button variant="ghost" size="sm" busy={busy} onClick={() => choose("")}>
            Use a file on this device instead
          </Button>
        ) : (
          <Button variant="ghost" size="sm" onClick={() => setOpen(true)}>
            Use a team server
          </Button>
        )}
      </div>
    );
  }
  return (
    <div className="team-server" role="group" aria-label="Team server">
      <TextField
        label="Team server URL"
        value={url}
        onChange={(e) => setUrl(e.target.value)}
        placeholder="postgres://ada@db.example.com/keyshelf?sslmode=require"
        mono
        autoFocus
        spellCheck={false}
        autoComplete="off"
        onKeyDown={submitOnEnter}
        hint="The vault lives in your team's PostgreSQL database and everyone connects to it."
      />
      <PasswordField
        label="Database password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        autoComplete="off"
        onKeyDown={submitOnEnter}
        hint="If the server asks for one. It is checked with the server and kept in the OS keychain; ~/.pgpass works too."
      />
      <Alert message={error} />
      <div className="auth-row">
        <Button
          variant="primary"
          busy={busy}
          onClick={() => {
            if (!url.trim()) return setError("Enter the server's postgres:// URL.");
            choose(url.trim());
          }}
        >
          Use this server
        </Button>
        <Button
          onClick={() => {
            setOpen(false);
            setUrl("");
            setPassword("");
            setError(null);
          }}
        >
          Cancel
        </Button>
      </div>
    </div>
  );
}
