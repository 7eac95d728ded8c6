import * as api from "../../api";
import type { Finding } from "../../bindings/Finding";
import type { Redacted } from "../../bindings/Redacted";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { plural } from "./findings";

/** Confirms a redaction: what changes in the files, and that the kept originals still hold the keys. */
export function RedactDialog({
  findings,
  onClose,
  onRedacted,
}: {
  findings: Finding[];
  onClose: () => void;
  onRedacted: (outcome: Redacted) => void;
}) {
  const files = new Set(findings.map((f) => f.file)).size;
  const vault = findings.some((f) => f.secret !== null);
  const targets = findings.map(({ file, line, column }) => ({ file, line, column }));

  return (
    <ConfirmDialog
      label="Redact findings"
      size="md"
      confirmLabel="Redact"
      onConfirm={async () => onRedacted(await api.redactFindings(targets))}
      onClose={onClose}
    >
      <p>{`Redact ${plural(findings.length, "finding")} in ${plural(files, "file")}? The files are rewritten in place:`}</p>
      <ul className="redact-effects">
        <li>
          In notebooks, an output that shows a key is cleared, and a vault key written in code becomes a read of its
          environment variable (set it with <code>keyshelf run</code> or Copy for notebook). Everything else in the
          notebook stays as it was.
        </li>
        <li>Anywhere else, the key is replaced by a marker naming the secret or the key format.</li>
        <li>
          <strong>The originals are kept beside them as FILE.keyshelf-bak, and those copies still hold the keys.</strong>{" "}
          Delete them once you have checked the result.
        </li>
        {vault ? <li>Redacting does not make a leaked key safe: rotate it at the provider.</li> : null}
      </ul>
    </ConfirmDialog>
  );
}
