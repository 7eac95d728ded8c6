// Pure helpers for the scan page: naming findings, grouping them by file, and the summary line.

import type { Finding } from "../../bindings/Finding";
import type { ScanReport } from "../../bindings/ScanReport";

/** The suffix of the originals that a redaction keeps (Rust's BACKUP_SUFFIX). */
export const BACKUP_SUFFIX = ".keyshelf-bak";

/** Provider formats the scanner knows (core/src/scan/patterns.rs), as people say them. */
const KIND_NAMES: Record<string, string> = {
  "openai-key": "OpenAI key",
  "anthropic-key": "Anthropic key",
  "hugging-face-token": "Hugging Face token",
  "aws-access-key-id": "AWS access key ID",
  "aws-secret-access-key": "AWS secret access key",
  "github-token": "GitHub token",
  "slack-token": "Slack token",
  "private-key": "Private key",
  "gcp-service-account": "GCP service account",
  "keyshelf-machine-token": "Keyshelf machine token",
  "wandb-key": "W&B key",
  "vault-secret": "Vault value",
};

export function kindName(kind: string): string {
  return KIND_NAMES[kind] ?? kind;
}

/** Where in the file: "cell 3 · outputs" in a notebook (the cell index, as the CLI prints it), else "line 12". */
export function place(finding: Finding): string {
  if (finding.cell !== null) return `cell ${finding.cell} · ${finding.part ?? "cell"}`;
  return `line ${finding.line}`;
}

/** A finding's identity in the UI (and what redact_findings is given back). */
export function findingKey(finding: Pick<Finding, "file" | "line" | "column">): string {
  return `${finding.file}\n${finding.line}\n${finding.column}`;
}

/** How a file is shown: relative to the scanned folder when inside it. */
export function displayName(file: string, folder: string): string {
  const base = folder.replace(/\/+$/, "");
  return base && file.startsWith(`${base}/`) ? file.slice(base.length + 1) : file;
}

export function isBackup(file: string): boolean {
  return file.endsWith(BACKUP_SUFFIX);
}

export interface FileGroup {
  file: string;
  findings: Finding[];
}

/** Findings grouped by file, files in the order the scan met them (Rust sorts the walk). */
export function groupByFile(findings: readonly Finding[]): FileGroup[] {
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    const list = groups.get(finding.file);
    if (list) list.push(finding);
    else groups.set(finding.file, [finding]);
  }
  return [...groups].map(([file, list]) => ({ file, findings: list }));
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

export function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/** "Scanned 3 files, 0.1 MB, for 2 vault secrets and provider key formats: 4 findings." */
export function summary(report: ScanReport): string {
  return (
    `Scanned ${plural(report.files, "file")}, ${megabytes(report.bytes)} MB, ` +
    `for ${plural(report.secrets_searched, "vault secret")} and provider key formats: ` +
    `${plural(report.findings.length, "finding")}.`
  );
}

export { plural };
