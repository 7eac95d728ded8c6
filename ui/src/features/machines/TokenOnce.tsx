import { useState, type ReactNode } from "react";

import * as api from "../../api";
import type { IssuedToken } from "../../bindings/IssuedToken";
import { Alert, Callout } from "../../components/Alert";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { TextAreaField } from "../../components/Field";
import { useSubmit } from "../../components/useSubmit";

/** What the caller hears of an issued token: everything but the token. */
export type Issued = Omit<IssuedToken, "token">;

/**
 * Runs a step that issues a machine token (`children` get `show` and render that step: the Add
 * machine form, the Rotate confirmation), then shows the token once in its place. The token is
 * kept in this component's state only, and dropped with it when the panel closes: Rust keeps no
 * copy, so neither does anything else here (no toast, no log, no caller's state).
 */
export function TokenOnce({
  children,
  onIssued,
  onDone,
}: {
  children: (show: (issued: IssuedToken) => void) => ReactNode;
  /** Called as soon as the token is issued (the panel is still open). */
  onIssued: (issued: Issued) => void;
  /** The panel was closed: the caller unmounts this component. */
  onDone: () => void;
}) {
  const [shown, setShown] = useState<{ machine: string; token: string } | null>(null);

  const show = ({ machine, token, revoked }: IssuedToken) => {
    setShown({ machine, token });
    onIssued({ machine, revoked });
  };

  if (!shown) return <>{children(show)}</>;
  return (
    <TokenPanel
      machine={shown.machine}
      token={shown.token}
      onDone={() => {
        setShown(null);
        onDone();
      }}
    />
  );
}

function TokenPanel({ machine, token, onDone }: { machine: string; token: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  // Escape, the backdrop or the close button would lose a token nobody can show again: the first
  // such close before a copy only warns; Done always closes.
  const [warned, setWarned] = useState(false);
  const { busy, error, submit } = useSubmit();

  const copy = () =>
    void submit(async () => {
      setCopied(false);
      await api.copyMachineToken(token);
      setCopied(true);
    });

  return (
    <Dialog
      label={`Token for ${machine}`}
      size="md"
      onClose={() => (copied || warned ? onDone() : setWarned(true))}
      footer={
        <Button variant="primary" onClick={onDone}>
          Done
        </Button>
      }
    >
      <p>
        <strong>Shown this once: put it in your CI's secret store as KEYSHELF_TOKEN.</strong> Keyshelf keeps no copy; if
        it is lost, rotate the token.
      </p>
      <TextAreaField
        label="Token"
        value={token}
        readOnly
        mono
        spellCheck={false}
        rows={4}
        className="token-field"
        // One click or Tab selects all of it, ready for Ctrl+C.
        onFocus={(event) => event.currentTarget.select()}
      />
      <div className="token-copy">
        {/* First focus: Enter copies, Tab goes on to Done. */}
        <Button icon="copy" busy={busy} onClick={copy} data-autofocus>
          Copy
        </Button>
        <p role="status" className="muted">
          {copied ? "Copied; the clipboard clears itself." : ""}
        </p>
      </div>
      {warned && !copied ? (
        <Callout>Not copied yet: once this closes the token cannot be shown again. Close again, or Done, to close.</Callout>
      ) : null}
      <Alert message={error} />
    </Dialog>
  );
}
