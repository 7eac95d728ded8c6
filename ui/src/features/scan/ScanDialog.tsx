import { useEffect, useMemo, useRef, useState, type FormEvent } from "react";

import * as api from "../../api";
import type { Finding } from "../../bindings/Finding";
import type { Redacted } from "../../bindings/Redacted";
import type { ScanProgress } from "../../bindings/ScanProgress";
import type { ScanReport } from "../../bindings/ScanReport";
import { Alert, Callout } from "../../components/Alert";
import { Badge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { TextField } from "../../components/Field";
import { Icon } from "../../components/Icon";
import { useToast } from "../../components/Toast";
import { useSubmit } from "../../components/useSubmit";
import {
  displayName,
  findingKey,
  groupByFile,
  isBackup,
  kindName,
  megabytes,
  place,
  plural,
  summary,
} from "./findings";
import { RedactDialog } from "./RedactDialog";
import "./scan.css";

/** A finished scan: kept by the browser while unlocked, so the results survive a trip to a secret. */
export interface ScanResult {
  folder: string;
  report: ScanReport;
}

/**
 * Scan for leaks: a folder's notebooks, scripts and config files searched for vault values and
 * provider key formats (in Rust; findings carry a 4-character preview, never a value), results by
 * file, and redaction of the selected findings after a confirmation.
 */
export function ScanDialog({
  initial,
  onResult,
  onRotate,
  onClose,
}: {
  initial: ScanResult | null;
  onResult: (result: ScanResult) => void;
  /** Go to a vault secret a finding matched ("project/env/NAME"). */
  onRotate: (secret: string) => void;
  onClose: () => void;
}) {
  const toast = useToast();
  const [folder, setFolder] = useState(initial?.folder ?? "");
  const [result, setResult] = useState<ScanResult | null>(initial);
  const { busy: scanning, error, setError, submit } = useSubmit();
  const [progress, setProgress] = useState<ScanProgress | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  // Files the last redaction could not rewrite, and why.
  const [notRedacted, setNotRedacted] = useState<string[]>([]);
  const live = useRef(true);
  const results = useRef<HTMLHeadingElement>(null);
  // After a redaction the focused button goes away with the old results: focus the new ones.
  const focusResults = useRef(false);
  const onResultRef = useRef(onResult);
  onResultRef.current = onResult;

  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  // Rust reports how far a scan got a few times a second; only while one runs.
  useEffect(() => {
    if (!scanning) return;
    let stop: (() => void) | null = null;
    let listening = true;
    api.onScanProgress((p) => listening && setProgress(p)).then(
      (unlisten) => {
        if (listening) stop = unlisten;
        else unlisten();
      },
      () => {},
    );
    return () => {
      listening = false;
      stop?.();
    };
  }, [scanning]);

  useEffect(() => {
    if (scanning || !focusResults.current) return;
    focusResults.current = false;
    results.current?.focus();
  }, [scanning, result]);

  const findings = useMemo(() => result?.report.findings ?? [], [result]);
  const groups = useMemo(() => groupByFile(findings), [findings]);
  // Backups hold the originals on purpose: they are deleted, not redacted.
  const selectable = useMemo(() => findings.filter((f) => !isBackup(f.file)), [findings]);
  const chosen = selectable.filter((f) => selected.has(findingKey(f)));

  const run = (target: string) => {
    if (scanning) return;
    const typed = target.trim();
    if (!typed) return setError("Enter the folder to scan, or choose one.");
    setProgress(null);
    if (!focusResults.current) setNotRedacted([]);
    void submit(async () => {
      const report = await api.scanFolder(typed);
      const next = { folder: typed, report };
      onResultRef.current(next);
      if (!live.current) return;
      setResult(next);
      setSelected(new Set());
    });
  };

  const choose = async () => {
    setError(null);
    try {
      const picked = await api.pickScanFolder();
      if (picked !== null && live.current) setFolder(picked);
    } catch (e) {
      if (live.current) setError(api.errorMessage(e));
    }
  };

  const toggle = (finding: Finding) =>
    setSelected((current) => {
      const next = new Set(current);
      const key = findingKey(finding);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  const allSelected = selectable.length > 0 && chosen.length === selectable.length;
  const selectAll = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (selectAll.current) selectAll.current.indeterminate = chosen.length > 0 && !allSelected;
  });

  const redacted = (outcome: Redacted, asked: Finding[]) => {
    setConfirming(false);
    setNotRedacted(outcome.problems);
    if (outcome.files > 0) {
      // Without problems, the rest were findings the files no longer held as scanned.
      const missed = outcome.problems.length === 0 ? asked.length - outcome.findings : 0;
      toast.show(
        `Redacted ${plural(outcome.findings, "finding")} in ${plural(outcome.files, "file")}.` +
          (missed > 0 ? ` ${plural(missed, "finding")} had changed since the scan and ${missed === 1 ? "was" : "were"} left alone.` : "") +
          " The originals are kept as FILE.keyshelf-bak and still hold the keys.",
      );
    } else if (outcome.problems.length === 0) {
      toast.show("Nothing was redacted: the files changed since the scan. Here they are as they are now.");
    }
    // Read the folder again: what is left, and the backups, as they are now on disk.
    if (result) {
      focusResults.current = true;
      run(result.folder);
    }
  };

  const scan = (event: FormEvent) => {
    event.preventDefault();
    run(folder);
  };

  const report = result?.report ?? null;

  return (
    <Dialog
      label="Scan for leaks"
      description="Finds vault keys and provider key formats in notebooks (sources, outputs, metadata), scripts and config files. Only a 4-character preview of each is shown."
      size="lg"
      className="scan-dialog"
      onClose={onClose}
      footer={
        <>
          <span className="scan-selected" aria-live="polite">
            {selectable.length > 0 ? `${plural(chosen.length, "finding")} selected` : ""}
          </span>
          <Button onClick={onClose}>Close</Button>
          <Button variant="danger" disabled={chosen.length === 0 || scanning} onClick={() => setConfirming(true)}>
            Redact selected
          </Button>
        </>
      }
    >
      <form className="scan-form" onSubmit={scan} noValidate>
        <TextField
          label="Folder"
          mono
          value={folder}
          placeholder="/home/you/notebooks"
          onChange={(e) => setFolder(e.target.value)}
        />
        <Button onClick={() => void choose()} disabled={scanning}>
          Choose…
        </Button>
        <Button type="submit" variant="primary" icon="search" busy={scanning}>
          Scan
        </Button>
      </form>
      <Alert message={error} />

      {scanning ? (
        <p className="scan-progress" role="status">
          <span className="scan-spinner" aria-hidden="true" />
          {progress
            ? `Scanning… ${plural(progress.files, "file")}, ${megabytes(progress.bytes)} MB so far.`
            : "Scanning…"}
        </p>
      ) : null}

      {report && result ? (
        <div className="scan-results" aria-busy={scanning || undefined}>
          <h3 className="scan-results-title" ref={results} tabIndex={-1}>
            Results for <span className="mono">{result.folder}</span>
          </h3>
          <p className="scan-summary" role="status">
            {summary(report)}
          </p>

          {notRedacted.length > 0 ? (
            <Callout>{`Some files were left as they were: ${notRedacted.join("; ")}.`}</Callout>
          ) : null}

          {report.exposed.length > 0 ? (
            <Callout tone="danger">
              {`Found in notebooks, now flagged exposed: ${report.exposed.join(", ")}. ` +
                "Redacting removes the copies in the files; the keys still have to be rotated at the provider."}
            </Callout>
          ) : null}

          {report.exposed_machines.length > 0 ? (
            <Callout tone="danger">
              {`Machine tokens found in clear: ${report.exposed_machines.join(", ")}. ` +
                "Anyone who read the file can read what those machines read: rotate their tokens in Machines."}
            </Callout>
          ) : null}

          {report.problems.length > 0 ? (
            <details className="scan-problems">
              <summary>{`${plural(report.problems.length, "file")} not read as expected`}</summary>
              <ul>
                {report.problems.map((problem) => (
                  <li key={problem} className="mono">
                    {problem}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}

          {findings.length === 0 ? (
            <p className="scan-clean">
              <Icon name="check" /> No keys found.
            </p>
          ) : (
            <>
              {selectable.length > 0 ? (
                <label className="checkbox scan-select-all">
                  <input
                    ref={selectAll}
                    type="checkbox"
                    aria-label="Select all findings"
                    checked={allSelected}
                    onChange={() => setSelected(allSelected ? new Set() : new Set(selectable.map(findingKey)))}
                  />
                  Select all findings
                </label>
              ) : null}
              {groups.map((group) => {
                const name = displayName(group.file, result.folder);
                const backup = isBackup(group.file);
                return (
                  <section key={group.file} className="scan-file" aria-label={name}>
                    <header className="scan-file-head">
                      <Icon name="file" />
                      <span className="mono scan-file-name" title={group.file}>
                        {name}
                      </span>
                      <Badge tone={backup ? "warning" : "danger"}>{plural(group.findings.length, "finding")}</Badge>
                    </header>
                    {backup ? (
                      <p className="scan-backup-note">
                        The original Keyshelf kept when it redacted this file: it still holds the keys. Delete it once you
                        have checked the redacted file.
                      </p>
                    ) : null}
                    <ul className="scan-findings">
                      {group.findings.map((finding) => (
                        <FindingRow
                          key={findingKey(finding)}
                          finding={finding}
                          fileName={name}
                          selectable={!backup}
                          checked={selected.has(findingKey(finding))}
                          onToggle={() => toggle(finding)}
                          onRotate={onRotate}
                        />
                      ))}
                    </ul>
                  </section>
                );
              })}
            </>
          )}
        </div>
      ) : null}

      {confirming ? (
        <RedactDialog
          findings={chosen}
          onClose={() => setConfirming(false)}
          onRedacted={(outcome) => redacted(outcome, chosen)}
        />
      ) : null}
    </Dialog>
  );
}

function FindingRow({
  finding,
  fileName,
  selectable,
  checked,
  onToggle,
  onRotate,
}: {
  finding: Finding;
  fileName: string;
  selectable: boolean;
  checked: boolean;
  onToggle: () => void;
  onRotate: (secret: string) => void;
}) {
  const kind = kindName(finding.kind);
  const label = `Select ${kind} at ${fileName}:${finding.line}:${finding.column}`;
  return (
    <li className="scan-finding" aria-label={`${kind}, ${place(finding)}`}>
      <input type="checkbox" aria-label={label} title={label} checked={checked} disabled={!selectable} onChange={onToggle} />
      <div className="scan-finding-what">
        <span className="scan-kind">{kind}</span>
        <span className="scan-place">{place(finding)}</span>
        <span className="scan-position muted">{`line ${finding.line}, column ${finding.column}`}</span>
        <code className="scan-preview" title="The first four characters">
          {finding.preview}
        </code>
      </div>
      <div className="scan-vault">
        {finding.secret !== null ? (
          <>
            <span className="scan-match">
              Vault secret <span className="mono">{finding.secret}</span>
              {finding.other_secrets.length > 0 ? (
                <>
                  {" "}
                  (also <span className="mono">{finding.other_secrets.join(", ")}</span>)
                </>
              ) : null}
            </span>
            <Button size="sm" aria-label={`Rotate ${finding.secret}`} onClick={() => onRotate(finding.secret ?? "")}>
              Rotate
            </Button>
          </>
        ) : (
          <span className="muted">Not a vault secret</span>
        )}
      </div>
    </li>
  );
}
