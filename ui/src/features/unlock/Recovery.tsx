import { useState } from "react";

import { Note } from "../../components/Alert";
import { Button } from "../../components/Button";
import { CheckboxField } from "../../components/Field";
import { AuthLayout } from "./AuthLayout";

/** Shown once after creating the vault; Continue waits until the user says the key is saved. */
export function Recovery({
  recoveryKey,
  keychainProblem,
  onContinue,
}: {
  recoveryKey: string;
  keychainProblem: string | null;
  onContinue: () => void;
}) {
  const [saved, setSaved] = useState(false);
  return (
    <AuthLayout
      title="Save your recovery key"
      subtitle="If you forget your passphrase, this key is the only way back into the vault. It is shown once: Keyshelf cannot show it again."
    >
      <div className="auth-form">
        <code className="recovery-key" aria-label="Recovery key">
          {recoveryKey}
        </code>
        <p className="auth-footnote">
          Write it down or store it in your personal password manager, away from this computer. Anyone with it and a copy
          of the vault file can read your secrets.
        </p>
        {keychainProblem ? <Note>{`Keychain: ${keychainProblem}`}</Note> : null}
        <CheckboxField label="I saved the recovery key" checked={saved} onChange={(e) => setSaved(e.target.checked)} />
        <Button variant="primary" size="lg" disabled={!saved} onClick={onContinue}>
          Continue
        </Button>
      </div>
    </AuthLayout>
  );
}
