import { useEffect, useState } from "react";

import * as api from "../../api";
import type { KindInfo } from "../../bindings/KindInfo";
import type { Promoted } from "../../bindings/Promoted";
import type { SecretSummary } from "../../bindings/SecretSummary";
import { Alert, Callout } from "../../components/Alert";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { CheckboxField, FileField, PasswordField, TextField } from "../../components/Field";
import { useToast } from "../../components/Toast";
import { useSubmit } from "../../components/useSubmit";
import { DEFAULT_OVERLAP } from "../../config";
import { MAX_FILE_SIZE_TEXT } from "../../lib/files";
import { formatDateTime } from "../../lib/time";
import { useValueInput } from "../secrets/SecretFields";
import "./rotation.css";

type Step =
  | { step: "enter" }
  | { step: "staged"; version: number; warning: string | null }
  | { step: "promoted"; promoted: Promoted };

/** The check's outcome for the pending version, as far as this dialog knows. */
type Check = { state: "none" } | { state: "running" } | { state: "passed" } | { state: "failed"; exitCode: number | null };

type Action = "stage" | "check" | "promote" | "rollback" | "discard" | "provider";

interface RotateDialogProps {
  secret: SecretSummary;
  kind: KindInfo | null;
  kindLabel: string;
  /** The time `secret` was read at (Rust's clock), to tell whether its overlap still lasts. */
  now: number;
  onClose: () => void;
  /** A step changed the vault: lists, badges and the dashboard should be read again. */
  onChanged: () => void;
}

/**
 * The guided rotation: make a new key at the provider, stage it (the current value stays), check
 * it, promote it with an overlap for running jobs, roll back inside the overlap. The new value
 * lives only in this dialog's field until Stage sends it; nothing shows it anywhere else.
 */
export function RotateDialog({ secret, kind, kindLabel, now, onClose, onChanged }: RotateDialogProps) {
  const path = api.secretPath(secret);
  const toast = useToast();
  const [step, setStep] = useState<Step>(
    secret.pending_version !== null ? { step: "staged", version: secret.pending_version, warning: null } : { step: "enter" },
  );
  const [check, setCheck] = useState<Check>({ state: "none" });
  const input = useValueInput(secret.is_file);
  const [command, setCommand] = useState("");
  const [saveCheck, setSaveCheck] = useState(false);
  const [savedCheck, setSavedCheck] = useState(secret.check_command);
  const [overlap, setOverlap] = useState(DEFAULT_OVERLAP);
  const { busy: working, error, setError, submit } = useSubmit();
  // Which step runs, for its button's spinner.
  const [doing, setDoing] = useState<Action>("stage");
  const busy = working ? doing : null;
  // Until when the value replaced by the last promotion stays readable (and can come back).
  const [previousUntil, setPreviousUntil] = useState(
    secret.previous_until !== null && secret.previous_until > now ? secret.previous_until : null,
  );

  const typedCheck = command.trim();
  const canCheck = typedCheck !== "" || savedCheck !== null;
  // Rust promotes only what passed a saved check, and never what failed a check.
  const blocked = check.state === "failed" || check.state === "running" || (savedCheck !== null && check.state !== "passed");
  const envVar = secret.name;

  // A version staged earlier (here or from the CLI) may have been checked already.
  useEffect(() => {
    if (secret.pending_version === null) return;
    let live = true;
    api.secretHistory(path).then(
      (versions) => {
        const pending = versions.find((v) => v.state === "pending");
        if (!live || !pending) return;
        if (pending.check_status === "passed") setCheck((c) => (c.state === "none" ? { state: "passed" } : c));
        if (pending.check_status === "failed") setCheck((c) => (c.state === "none" ? { state: "failed", exitCode: null } : c));
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [path, secret.pending_version]);

  const newValue = input.value;

  // One step at a time: the others wait (their buttons are off or refuse) until it is done.
  const start = (action: Action, work: () => Promise<void>) => {
    if (busy) return;
    setDoing(action);
    void submit(work);
  };

  const checkNow = async () => {
    setDoing("check");
    setCheck({ state: "running" });
    const save = saveCheck && typedCheck !== "";
    try {
      const outcome = await api.checkRotation(path, typedCheck || null, save);
      if (save) setSavedCheck(typedCheck);
      setCheck(outcome.passed ? { state: "passed" } : { state: "failed", exitCode: outcome.exit_code });
      onChanged();
    } catch (e) {
      setCheck({ state: "none" });
      throw e;
    }
  };

  const stage = () => {
    if (busy) return;
    if (!newValue) return setError(secret.is_file ? (input.file.error ?? "Choose the new file.") : "Enter the new value.");
    start("stage", async () => {
      const staged = await api.stageRotation(path, newValue);
      // Rust has it now; this dialog forgets it.
      input.setText("");
      input.file.pick(null);
      setStep({ step: "staged", version: staged.version, warning: staged.format_warning });
      setCheck({ state: "none" });
      if (staged.saved_check !== null) setSavedCheck(staged.saved_check);
      onChanged();
      // Staged either way: a check that cannot run leaves its error on the staged step.
      if (typedCheck !== "" || staged.saved_check !== null) await checkNow();
    });
  };

  const promote = () => {
    if (step.step !== "staged" || busy || blocked) return;
    start("promote", async () => {
      // A refusal (check_failed: the check failed, or a saved check has not run on this
      // version) shows as the error; the message says which.
      const promoted = await api.promoteRotation(path, step.version, overlap.trim() || null);
      setStep({ step: "promoted", promoted });
      setPreviousUntil(promoted.previous_until);
      toast.show(
        `Promoted ${path}: v${promoted.current} is current.` +
          (promoted.previous_until !== null ? ` The old value stays readable until ${formatDateTime(promoted.previous_until)}.` : ""),
      );
      onChanged();
    });
  };

  const rollback = () =>
    start("rollback", async () => {
      const back = await api.rollbackRotation(path);
      toast.show(`Rolled back ${path}: v${back.current} is current again.`);
      onChanged();
      onClose();
    });

  const discard = () =>
    start("discard", async () => {
      const version = await api.cancelRotation(path);
      toast.show(`Discarded pending v${version} of ${path}.`);
      setStep({ step: "enter" });
      setCheck({ state: "none" });
      onChanged();
    });

  const openProvider = () => {
    if (kind) start("provider", () => api.openProviderPage(kind.kind));
  };

  const checkFields = (
    <>
      <TextField
        label="Check command"
        value={command}
        mono
        onChange={(e) => {
          setCommand(e.target.value);
          setError(null);
        }}
        placeholder={savedCheck !== null ? "the saved check" : "optional"}
        hint={
          <>
            {`Runs in sh with the new value in $${envVar}; a failure blocks promotion. Its output is discarded.`}
            {savedCheck !== null ? (
              <>
                {" Empty: runs the saved check "}
                <code aria-label="Saved check">{savedCheck}</code>.
              </>
            ) : null}
          </>
        }
      />
      <CheckboxField
        label="Save check"
        checked={saveCheck && typedCheck !== ""}
        disabled={typedCheck === ""}
        onChange={(e) => setSaveCheck(e.target.checked)}
        hint="Later rotations of this secret run it too."
      />
    </>
  );

  const checkResult =
    check.state === "none" ? null : (
      <p role="status" aria-label="Check result" className={`rotate-check rotate-check-${check.state}`}>
        {check.state === "running"
          ? "Checking the new value…"
          : check.state === "passed"
            ? "Check passed."
            : `Check failed${check.exitCode !== null ? ` (exit ${check.exitCode})` : ""}. Promotion is blocked: stage a corrected value, or run the check again.`}
      </p>
    );

  const footer =
    step.step === "enter" ? (
      <>
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="primary" busy={busy === "stage"} disabled={busy !== null && busy !== "stage"}>
          Stage
        </Button>
      </>
    ) : step.step === "staged" ? (
      <>
        <Button onClick={onClose}>Close</Button>
        <Button
          type="submit"
          variant="primary"
          busy={busy === "promote"}
          disabled={blocked || (busy !== null && busy !== "promote")}
        >
          Promote
        </Button>
      </>
    ) : (
      <Button type="submit" variant="primary">
        Done
      </Button>
    );

  return (
    <Dialog
      label={`Rotate ${secret.name}`}
      description={<span className="mono">{path}</span>}
      size="md"
      className="rotate-dialog"
      onClose={onClose}
      onSubmit={() => {
        if (step.step === "enter") stage();
        else if (step.step === "staged") promote();
        else onClose();
      }}
      footer={footer}
    >
      {step.step === "enter" ? (
        <>
          {kind?.console_url ? (
            <div className="rotate-provider">
              <p>{`1. Make a new key at ${kind.label}, then paste it below.`}</p>
              <div className="rotate-provider-link">
                <Button size="sm" busy={busy === "provider"} onClick={openProvider}>
                  {`Open ${kind.label} key page`}
                </Button>
                <span className="mono muted rotate-url">{kind.console_url}</span>
              </div>
            </div>
          ) : (
            <p className="muted">{`Make a new ${kindLabel} value where it is issued, then enter it below.`}</p>
          )}
          {previousUntil !== null ? (
            <div className="rotate-overlap">
              <Callout>{`The value before the last rotation stays readable until ${formatDateTime(previousUntil)}.`}</Callout>
              <Button size="sm" variant="ghost" busy={busy === "rollback"} onClick={rollback}>
                Roll back
              </Button>
            </div>
          ) : null}
          {secret.is_file ? (
            <FileField
              label="New file"
              onFile={(f) => {
                input.file.pick(f);
                setError(null);
              }}
              hint={`Up to ${MAX_FILE_SIZE_TEXT}.`}
            />
          ) : (
            <PasswordField
              label="New value"
              value={input.text}
              onChange={(e) => {
                input.setText(e.target.value);
                setError(null);
              }}
              hint="Stored as pending: the current value stays in use until you promote."
            />
          )}
          {checkFields}
        </>
      ) : step.step === "staged" ? (
        <>
          <p className="rotate-staged">
            {`v${step.version} is staged. v${secret.version ?? "–"} stays current until you promote.`}
          </p>
          {step.warning ? <Callout>{`This may not be a ${kindLabel} key: ${step.warning}.`}</Callout> : null}
          {checkResult}
          {savedCheck !== null && check.state === "none" ? (
            <p className="muted">This secret has a saved check: run it before promoting.</p>
          ) : null}
          {checkFields}
          <div className="rotate-actions">
            <Button size="sm" disabled={!canCheck || busy !== null} busy={busy === "check"} onClick={() => start("check", checkNow)}>
              {check.state === "none" ? "Run check" : "Run check again"}
            </Button>
            <Button size="sm" variant="ghost" disabled={busy !== null} onClick={() => setStep({ step: "enter" })}>
              Stage another value
            </Button>
            <Button size="sm" variant="ghost" className="btn-danger-text" busy={busy === "discard"} disabled={busy !== null && busy !== "discard"} onClick={discard}>
              Discard pending
            </Button>
          </div>
          <TextField
            label="Overlap"
            value={overlap}
            mono
            onChange={(e) => {
              setOverlap(e.target.value);
              setError(null);
            }}
            hint="How long the old value stays readable for jobs still using it, like 24h or 7d."
          />
        </>
      ) : (
        <>
          <p className="rotate-done" role="status">
            {`v${step.promoted.current} of ${path} is current.`}
          </p>
          {step.promoted.previous_until !== null ? (
            <div className="rotate-overlap">
              <p className="muted">
                {`v${step.promoted.previous ?? "–"} stays readable until ${formatDateTime(step.promoted.previous_until)} (keyshelf get --previous, run --with-previous).`}
              </p>
              <Button size="sm" busy={busy === "rollback"} onClick={rollback}>
                Roll back
              </Button>
            </div>
          ) : null}
          <p className="muted">Revoke the old key at the provider once nothing uses it.</p>
        </>
      )}
      <Alert message={error} />
    </Dialog>
  );
}
