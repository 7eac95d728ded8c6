// The files the fake backend's scan_folder reads and redact_findings rewrites: an in-memory
// folder tree of text files and notebooks (cells with source, outputs and metadata). It keeps
// Rust's rules that the UI relies on: findings carry a 4-character preview and never a value,
// redaction keeps FILE.keyshelf-bak (still holding the keys, found again by the next scan),
// and only files the last scan found keys in are rewritten, never a backup.

import type { CellPart } from "../bindings/CellPart";
import { fail } from "./fake/common";
import type { Finding } from "../bindings/Finding";
import type { Redacted } from "../bindings/Redacted";
import type { RedactTarget } from "../bindings/RedactTarget";
import type { ScanReport } from "../bindings/ScanReport";

export const BACKUP_SUFFIX = ".keyshelf-bak";

export interface FakeCell {
  source?: string;
  outputs?: string;
  metadata?: string;
}

type FakeFile = { kind: "text"; text: string } | { kind: "notebook"; cells: FakeCell[] };

/** A vault secret the scan looks for: its path and current value. */
export interface Known {
  path: string;
  value: string;
}

/** A subset of Rust's provider formats, enough for the UI's tests. */
const PATTERNS: Array<{ kind: string; regex: RegExp }> = [
  { kind: "anthropic-key", regex: /sk-ant-[A-Za-z0-9_-]{20,}/g },
  { kind: "openai-key", regex: /sk-(?!ant-)(?:proj-)?[A-Za-z0-9_-]{20,}/g },
  { kind: "hugging-face-token", regex: /hf_[A-Za-z0-9]{20,}/g },
  { kind: "aws-access-key-id", regex: /(?:AKIA|ASIA)[0-9A-Z]{16}/g },
];

const PARTS: CellPart[] = ["source", "outputs", "metadata"];

/** A finding with its span in the text it was found in (Rust keeps these out of the IPC). */
type Located = Finding & { start: number; end: number };

interface Hit {
  start: number;
  end: number;
  kind: string;
  /** The vault secrets holding this value (one value may be stored under several names). */
  secrets: string[];
}


export class FakeDisk {
  private files = new Map<string, FakeFile>();
  /** What the folder picker returns next; null: the user cancelled. */
  picked: string | null = null;
  /** Files the last scan found keys in. */
  private lastScan = new Set<string>();
  /** While set, scan_folder waits for it: lets a test see the scan in progress. */
  hold: Promise<void> | null = null;
  /** Files that cannot be rewritten (permissions): redaction reports them and goes on. */
  readOnly = new Set<string>();

  writeText(path: string, text: string) {
    this.files.set(path, { kind: "text", text });
  }

  writeNotebook(path: string, cells: FakeCell[]) {
    this.files.set(path, { kind: "notebook", cells: cells.map((c) => ({ ...c })) });
  }

  exists(path: string) {
    return this.files.has(path);
  }

  /** The file's whole text (a notebook's parts joined), to assert what a redaction left. */
  text(path: string): string {
    const file = this.files.get(path);
    if (!file) throw new Error(`no fake file ${path}`);
    return file.kind === "text"
      ? file.text
      : file.cells.map((c) => [c.source ?? "", c.outputs ?? "", c.metadata ?? ""].join("\n")).join("\n");
  }

  paths(): string[] {
    return [...this.files.keys()].sort();
  }

  async scan(folder: string, known: Known[]): Promise<ScanReport> {
    const typed = folder.trim();
    if (!typed.startsWith("/")) {
      throw fail("invalid", `invalid folder ${JSON.stringify(typed)}: expected an absolute path, like /home/you/notebooks`);
    }
    const base = typed.replace(/\/+$/, "");
    const inside = this.paths().filter((p) => p.startsWith(`${base}/`));
    if (inside.length === 0) throw fail("invalid", `invalid folder ${JSON.stringify(typed)}: expected a folder that exists`);
    if (this.hold) await this.hold;
    const searched = searchable(known);
    const findings: Finding[] = [];
    let bytes = 0;
    for (const path of inside) {
      bytes += this.text(path).length;
      findings.push(...this.scanFile(path, searched).map(({ start: _s, end: _e, ...f }) => f));
    }
    this.lastScan = new Set(findings.map((f) => f.file));
    return { findings, files: inside.length, bytes, problems: [], secrets_searched: searched.length, exposed: [], exposed_machines: [] };
  }

  redact(targets: RedactTarget[], known: Known[]): Redacted {
    const byFile = new Map<string, Set<string>>();
    for (const t of targets) {
      const set = byFile.get(t.file) ?? new Set<string>();
      set.add(`${t.line}:${t.column}`);
      byFile.set(t.file, set);
    }
    for (const file of byFile.keys()) {
      if (file.endsWith(BACKUP_SUFFIX)) {
        throw fail("not_allowed", `cannot redact ${file}: it is the copy Keyshelf kept of a redacted file and still holds the keys`);
      }
      if (!this.lastScan.has(file)) throw fail("not_allowed", `cannot redact ${file}: the last scan found no keys in it`);
    }
    const done: Redacted = { findings: 0, files: 0, problems: [] };
    for (const [path, positions] of byFile) {
      const chosen = this.scanFile(path, searchable(known)).filter((f) => positions.has(`${f.line}:${f.column}`));
      if (chosen.length === 0) continue;
      if (this.readOnly.has(path)) {
        done.problems.push(`${path} not redacted: redacting ${path}: Permission denied (os error 13)`);
        continue;
      }
      this.files.set(`${path}${BACKUP_SUFFIX}`, { kind: "text", text: this.text(path) });
      const file = this.files.get(path);
      if (!file) continue;
      if (file.kind === "text") {
        file.text = replaceAll(file.text, chosen);
      } else {
        file.cells.forEach((cell, index) => {
          const here = chosen.filter((f) => f.cell === index);
          if (here.some((f) => f.part === "outputs")) cell.outputs = "";
          for (const part of ["source", "metadata"] as const) {
            const inPart = here.filter((f) => f.part === part);
            if (inPart.length > 0) cell[part] = replaceAll(cell[part] ?? "", inPart);
          }
        });
      }
      done.findings += chosen.length;
      done.files += 1;
    }
    return done;
  }

  private scanFile(path: string, known: Known[]): Located[] {
    const file = this.files.get(path);
    if (!file) return [];
    // A backup is not a notebook by its name: Rust scans it as plain text.
    if (file.kind === "text") {
      return hits(file.text, known).map((hit) => {
        const before = file.text.slice(0, hit.start).split("\n");
        return finding(path, file.text, hit, before.length, (before[before.length - 1]?.length ?? 0) + 1, null, null);
      });
    }
    return file.cells.flatMap((cell, index) =>
      PARTS.flatMap((part, p) => {
        const text = cell[part as keyof FakeCell] ?? "";
        // Positions in the notebook's JSON, as Rust gives them: a line per cell part here.
        return hits(text, known).map((hit) => finding(path, text, hit, index * 3 + p + 2, hit.start + 1, index, part));
      }),
    );
  }
}

/** Values shorter than 8 characters would match ordinary text: Rust does not search for them. */
function searchable(known: Known[]): Known[] {
  return known.filter((k) => k.value.trim().length >= 8);
}

function hits(text: string, known: Known[]): Hit[] {
  const found: Hit[] = [];
  const owners = new Map<string, string[]>();
  for (const k of known) owners.set(k.value.trim(), [...(owners.get(k.value.trim()) ?? []), k.path]);
  for (const [value, secrets] of owners) {
    for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + value.length)) {
      found.push({ start: at, end: at + value.length, kind: "vault-secret", secrets });
    }
  }
  for (const { kind, regex } of PATTERNS) {
    for (const m of text.matchAll(regex)) {
      const start = m.index;
      const end = start + m[0].length;
      const vault = found.find((f) => f.secrets.length > 0 && f.start < end && start < f.end);
      if (vault) {
        if (vault.kind === "vault-secret") vault.kind = kind;
        continue;
      }
      found.push({ start, end, kind, secrets: [] });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

function finding(
  file: string,
  text: string,
  hit: Hit,
  line: number,
  column: number,
  cell: number | null,
  part: CellPart | null,
): Located {
  return {
    file,
    line,
    column,
    cell,
    part,
    kind: hit.kind,
    secret: hit.secrets[0] ?? null,
    other_secrets: hit.secrets.slice(1),
    // As in Rust: a short vault value shows no characters at all.
    preview: hit.secrets.length > 0 && hit.end - hit.start < 16 ? "…" : `${text.slice(hit.start, hit.start + 4)}…`,
    start: hit.start,
    end: hit.end,
  };
}

/** The text with each finding's span replaced by Rust's marker. */
function replaceAll(text: string, findings: Located[]): string {
  let out = text;
  for (const f of [...findings].sort((a, b) => b.start - a.start)) {
    const { start, end } = f;
    out = out.slice(0, start) + `[REDACTED: ${f.secret !== null ? `keyshelf ${f.secret}` : f.kind}]` + out.slice(end);
  }
  return out;
}
