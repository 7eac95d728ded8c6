//! `keyshelf scan`: finding keys that leaked into notebooks, scripts and config files, and
//! redacting them.
//!
//! Two detectors run over each file's raw bytes: exact values of the vault secrets this member
//! can decrypt (Aho-Corasick; values are held in memory only for the scan and never printed, a
//! finding names the secret), and well-known provider formats ([`patterns`]). Notebooks are read
//! as byte spans of their own JSON ([`ipynb`]), so a finding names its cell, and a redaction
//! changes only the bytes it must.
//!
//! Nothing here opens the vault: the values come in as [`KnownSecret`]s and findings go out as
//! data (`vault::exposure` decrypts the one and flags the other), so the scanner runs, and is
//! fuzzed, on its own.

pub mod ipynb;
pub mod patterns;

use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use ipynb::{CellPart, Notebook};
use patterns::Patterns;

/// Values shorter than this are not searched for: they would match ordinary text.
pub const MIN_VALUE_LEN: usize = 8;

/// Files larger than this are reported as skipped rather than read whole into memory.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// File names scanned when walking a directory (a file named on the command line is always read).
const EXTENSIONS: &[&str] = &[
    "ipynb", "py", "env", "json", "yaml", "yml", "toml", "cfg", "ini", "conf", "txt", "sh", "bash", "zsh", "r", "md",
];

/// A vault secret to look for: its path and value (wiped when the scanner is dropped).
pub struct KnownSecret {
    pub path: String,
    pub value: Zeroizing<Vec<u8>>,
}

/// One key found in a file. Names the secret or the format, never the value: the preview is its
/// first four characters.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Finding {
    pub file: String,
    /// 1-based line and column in the file.
    pub line: usize,
    pub column: usize,
    /// For notebooks: the 0-based cell index and the part of the cell.
    pub cell: Option<usize>,
    pub part: Option<CellPart>,
    /// The provider format ("openai-key", …), or "vault-secret" for a value that matched only
    /// because it is in the vault.
    pub kind: String,
    /// The vault secret (`project/env/NAME`) whose value this is, if any.
    pub secret: Option<String>,
    /// Other vault secrets holding the same value (rare: one key stored in several scopes).
    pub other_secrets: Vec<String>,
    /// The first four characters; only "…" for a vault value shorter than 16 characters (the
    /// finding names the secret, and four characters would be a good part of it).
    pub preview: String,
    /// For a Keyshelf machine token: the vault and member it opens, for the vault to flag that
    /// machine (ids only; the token's secret is not kept).
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub machine: Option<(String, String)>,
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub start: usize,
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub end: usize,
}

/// The outcome for one file.
#[derive(Debug, Default)]
pub struct FileScan {
    pub findings: Vec<Finding>,
    /// Why the file could not be read as what its name says (a malformed notebook): its raw
    /// text was still scanned.
    pub problem: Option<String>,
    pub notebook: Option<Notebook>,
}

pub struct Scanner {
    values: Option<AhoCorasick>,
    /// Per Aho-Corasick pattern, the indexes into `paths` of the secrets holding that value.
    owners: Vec<Vec<usize>>,
    paths: Vec<String>,
    /// Keeps the searched values for wiping on drop (the automaton's copies cannot be wiped;
    /// docs/SECURITY.md says so).
    _values: Vec<Zeroizing<Vec<u8>>>,
    patterns: Patterns,
}

impl Scanner {
    /// A scanner for these vault values (shorter than [`MIN_VALUE_LEN`] skipped) and every
    /// provider pattern. A value is also looked for as it appears inside a JSON string.
    pub fn new(known: Vec<KnownSecret>) -> Result<Self> {
        let mut needles: Vec<Zeroizing<Vec<u8>>> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        let mut paths = Vec::new();
        for secret in known {
            let text = Zeroizing::new(secret.value.trim_ascii().to_vec());
            if text.len() < MIN_VALUE_LEN {
                continue;
            }
            let escaped = std::str::from_utf8(&text)
                .ok()
                .and_then(|t| serde_json::to_string(t).ok())
                .map(|quoted| Zeroizing::new(quoted.as_bytes()[1..quoted.len() - 1].to_vec()))
                .filter(|e| e.as_slice() != text.as_slice());
            let index = paths.len();
            paths.push(secret.path);
            for form in std::iter::once(text).chain(escaped) {
                // One value stored under several names is one needle with several owners.
                match needles.iter().position(|n| n.as_slice() == form.as_slice()) {
                    Some(i) => owners[i].push(index),
                    None => {
                        needles.push(form);
                        owners.push(vec![index]);
                    }
                }
            }
        }
        let values = if needles.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(needles.iter().map(|n| n.as_slice()))
                    .map_err(|e| Error::InvalidSetting {
                        setting: "scan",
                        reason: format!("could not build the value matcher: {e}"),
                    })?,
            )
        };
        Ok(Scanner {
            values,
            owners,
            paths,
            _values: needles,
            patterns: Patterns::default(),
        })
    }

    /// How many vault secrets are searched for.
    pub fn secret_count(&self) -> usize {
        self.paths.len()
    }

    /// Finds keys in one file's bytes. `name` is how findings name the file.
    pub fn scan(&self, name: &str, bytes: &[u8]) -> FileScan {
        let mut out = FileScan::default();
        if name.ends_with(".ipynb") {
            match std::str::from_utf8(bytes)
                .map_err(|_| Error::InvalidFile {
                    name: name.to_owned(),
                    reason: "not UTF-8 text".into(),
                })
                .and_then(|text| ipynb::parse(name, text))
            {
                Ok(notebook) => out.notebook = Some(notebook),
                Err(e) => out.problem = Some(e.to_string()),
            }
        }
        let mut hits: Vec<Finding> = Vec::new();
        if let Some(values) = &self.values {
            for m in values.find_iter(bytes) {
                hits.push(self.finding(
                    name,
                    bytes,
                    m.start(),
                    m.end(),
                    "vault-secret",
                    &self.owners[m.pattern().as_usize()],
                ));
            }
        }
        for hit in self.patterns.find(bytes) {
            if let Some(vault) = hits
                .iter_mut()
                .find(|f| f.secret.is_some() && f.start < hit.end && hit.start < f.end)
            {
                // The vault value is a provider key: name the provider too.
                if vault.kind == "vault-secret" && hit.kind != "gcp-service-account" {
                    vault.kind = hit.kind.to_owned();
                }
                continue;
            }
            let mut found = self.finding(name, bytes, hit.start, hit.end, hit.kind, &[]);
            if hit.kind == patterns::MACHINE_TOKEN {
                found.machine = std::str::from_utf8(&bytes[hit.start..hit.end])
                    .ok()
                    .and_then(|text| crate::crypto::MachineToken::parse(text).ok())
                    .map(|token| (token.vault_id(), token.member_id()));
            }
            hits.push(found);
        }
        hits.sort_by_key(|f| (f.start, f.end));
        if let Some(notebook) = &out.notebook {
            hits.retain_mut(|f| {
                let Some(cell) = notebook.cell_at(f.start) else {
                    return true;
                };
                let spans = &notebook.cells[cell];
                if f.secret.is_none() && spans.in_binary_data(f.start, f.end) {
                    return false;
                }
                f.cell = Some(cell);
                f.part = spans.part_at(f.start);
                true
            });
        }
        locate(bytes, &mut hits);
        out.findings = hits;
        out
    }

    fn finding(&self, file: &str, bytes: &[u8], start: usize, end: usize, kind: &str, owners: &[usize]) -> Finding {
        let preview = if !owners.is_empty() && end - start < 16 {
            "…".to_owned()
        } else {
            String::from_utf8_lossy(&bytes[start..end.min(start + 4)]).into_owned() + "…"
        };
        let mut names = owners.iter().map(|&i| self.paths[i].clone());
        Finding {
            file: file.to_owned(),
            line: 0,
            column: 0,
            cell: None,
            part: None,
            kind: kind.to_owned(),
            secret: names.next(),
            other_secrets: names.collect(),
            preview,
            machine: None,
            start,
            end,
        }
    }
}

/// Fills in 1-based line and column of each finding (sorted by start) in one pass.
fn locate(bytes: &[u8], findings: &mut [Finding]) {
    let (mut line, mut line_start, mut at) = (1, 0, 0);
    for f in findings {
        for i in memchr::memchr_iter(b'\n', &bytes[at..f.start]) {
            line += 1;
            line_start = at + i + 1;
        }
        at = f.start;
        f.line = line;
        f.column = f.start - line_start + 1;
    }
}

/// A file's bytes for a scan: `None` when it is larger than [`MAX_FILE_BYTES`], unreadable, or
/// binary, with the reason added to `problems` (a binary file is skipped silently). One file that
/// cannot be read does not end a scan.
pub fn read_for_scan(path: &Path, problems: &mut Vec<String>) -> Option<Vec<u8>> {
    let bytes = match std::fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_FILE_BYTES => {
            problems.push(format!(
                "{}: {} MB, larger than {} MB: skipped",
                path.display(),
                meta.len() >> 20,
                MAX_FILE_BYTES >> 20
            ));
            return None;
        }
        Ok(_) => std::fs::read(path),
        Err(e) => Err(e),
    };
    match bytes {
        Ok(bytes) if looks_binary(&bytes) => None,
        Ok(bytes) => Some(bytes),
        Err(e) => {
            problems.push(format!("{}: {e}: skipped", path.display()));
            None
        }
    }
}

/// Whether a file looks binary (a NUL byte early on), as git decides.
pub fn looks_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8000)].contains(&0)
}

/// The suffix of the copies `--redact` keeps. They still hold the keys, so they are scanned like
/// the file they copy (and found again until deleted).
pub const BACKUP_SUFFIX: &str = ".keyshelf-bak";

/// Whether a walked file's name is one `scan` reads.
pub fn is_scannable_name(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if let Some(original) = name.strip_suffix(BACKUP_SUFFIX) {
        return is_scannable_name(Path::new(original));
    }
    if name == ".env" || name.starts_with(".env.") || name.ends_with(".env") {
        return true;
    }
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// The files under `paths`: named files as they are, directories walked with .gitignore (and
/// .ignore) respected, hidden files included (.env is hidden), .git skipped. Entries that cannot
/// be read (a directory without permission) come back as problems; the walk goes on.
pub fn files(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<String>)> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        if meta.is_file() {
            out.push(path.clone());
            continue;
        }
        let walker = ignore::WalkBuilder::new(path)
            .hidden(false)
            .require_git(false)
            .filter_entry(|e| e.file_name() != ".git")
            .build();
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    problems.push(format!("{}: {e}", path.display()));
                    continue;
                }
            };
            if entry.file_type().is_some_and(|t| t.is_file()) && is_scannable_name(entry.path()) {
                out.push(entry.into_path());
            }
        }
    }
    out.sort();
    out.dedup();
    Ok((out, problems))
}

/// A file a scan [`run`] reads.
pub trait Source {
    /// How findings name it.
    fn name(&self) -> String;
    /// Its bytes, or `None` to skip it (with the reason added to `problems` when there is one).
    fn read(&self, problems: &mut Vec<String>) -> Option<Vec<u8>>;
}

impl Source for PathBuf {
    fn name(&self) -> String {
        self.display().to_string()
    }

    fn read(&self, problems: &mut Vec<String>) -> Option<Vec<u8>> {
        read_for_scan(self, problems)
    }
}

/// What a scan over many files found.
#[derive(Debug, Default)]
pub struct Run {
    pub findings: Vec<Finding>,
    /// Files skipped, or read only as plain text, and why: one such file does not end a run.
    pub problems: Vec<String>,
    /// Files read, and their bytes.
    pub files: u64,
    pub bytes: u64,
}

/// Scans `sources` in turn: the one loop behind the CLI's `scan` and the desktop's Scan for
/// leaks. `problems` are earlier ones (the walk's), listed first. `progress` sees the run so far
/// before each file (the caller decides how often to show it); `found` sees each file with
/// findings, its bytes and scan, before its findings join the run's (the CLI prepares its
/// redaction there), and may add problems.
pub fn run<S: Source>(
    scanner: &Scanner,
    sources: &[S],
    problems: Vec<String>,
    mut progress: impl FnMut(&Run),
    mut found: impl FnMut(&S, &[u8], &FileScan, &mut Vec<String>),
) -> Run {
    let mut run = Run {
        problems,
        ..Run::default()
    };
    for source in sources {
        progress(&run);
        let Some(bytes) = source.read(&mut run.problems) else {
            continue;
        };
        run.files += 1;
        run.bytes += bytes.len() as u64;
        let scan = scanner.scan(&source.name(), &bytes);
        if let Some(problem) = &scan.problem {
            run.problems.push(format!("{problem} (scanned as plain text)"));
        }
        if scan.findings.is_empty() {
            continue;
        }
        found(source, &bytes, &scan, &mut run.problems);
        run.findings.extend(scan.findings);
    }
    run
}

/// Whether `path` is a backup `--redact` kept: reported like any file, never rewritten (that
/// would only make a backup of the backup).
pub fn is_backup(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(BACKUP_SUFFIX))
}

/// What replaces a leaked value: in a notebook's code, a quoted vault value becomes a read of the
/// environment variable (`keyshelf run` or the notebook snippet sets it); anything else a marker
/// naming the secret or the format. Markers need no JSON escaping.
fn placeholder(finding: &Finding) -> String {
    match &finding.secret {
        Some(path) => format!("[REDACTED: keyshelf {path}]"),
        None => format!("[REDACTED: {}]", finding.kind),
    }
}

/// For a vault value that is exactly a Python string literal in a code cell of a Python notebook
/// (`"VALUE"` as it appears in the JSON, or `'VALUE'`), the width of its quotes in the file: that
/// literal can become a read of the environment. Not for prefixed (`b'…'`, `f"…"`) or
/// triple-quoted strings, nor in other languages.
fn python_string_literal(bytes: &[u8], f: &Finding, notebook: Option<&Notebook>) -> Option<usize> {
    let notebook = notebook?;
    let cell = &notebook.cells[f.cell?];
    let python = notebook
        .language
        .as_deref()
        .is_some_and(|l| l.eq_ignore_ascii_case("python"));
    if !(python && cell.is_code && f.part == Some(CellPart::Source)) {
        return None;
    }
    for quote in [&b"\\\""[..], &b"'"[..]] {
        let (before, after) = (&bytes[..f.start], &bytes[f.end..]);
        if !(before.ends_with(quote) && after.starts_with(quote)) {
            continue;
        }
        let outside = &before[..before.len() - quote.len()];
        let prefixed = outside.last().is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
        let tripled = outside.ends_with(quote) || after[quote.len()..].starts_with(quote);
        return (!prefixed && !tripled).then_some(quote.len());
    }
    None
}

/// The file's bytes with `findings` redacted. In a notebook, outputs that contain a finding are
/// cleared (`[]`), values in sources and metadata are replaced; every other byte is kept.
pub fn redact(name: &str, bytes: &[u8], findings: &[Finding], notebook: Option<&Notebook>) -> Result<Vec<u8>> {
    let mut edits: Vec<(usize, usize, Vec<u8>)> = Vec::new();
    for f in findings {
        if let (Some(notebook), Some(cell), Some(CellPart::Outputs)) = (notebook, f.cell, f.part) {
            if let Some((s, e)) = notebook.cells[cell].outputs {
                edits.push((s, e, b"[]".to_vec()));
            }
            continue;
        }
        // A service-account marker is how a key file is recognised, not a secret: rewriting it
        // would break the JSON around it. Its private key is a finding of its own.
        if f.kind == "gcp-service-account" {
            continue;
        }
        match (&f.secret, python_string_literal(bytes, f, notebook)) {
            (Some(path), Some(quote_width)) => {
                let name = path.rsplit('/').next().unwrap_or(path);
                edits.push((
                    f.start - quote_width,
                    f.end + quote_width,
                    format!("__import__(\\\"os\\\").environ[\\\"{name}\\\"]").into_bytes(),
                ));
            }
            _ => edits.push((f.start, f.end, placeholder(f).into_bytes())),
        }
    }
    // Widest first at each start, then drop edits inside an earlier one (a cleared output).
    edits.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut kept: Vec<(usize, usize, Vec<u8>)> = Vec::new();
    for edit in edits {
        if kept.last().is_some_and(|last| edit.0 < last.1) {
            continue;
        }
        kept.push(edit);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for (s, e, replacement) in kept {
        out.extend_from_slice(&bytes[at..s]);
        out.extend_from_slice(&replacement);
        at = e;
    }
    out.extend_from_slice(&bytes[at..]);
    if notebook.is_some() {
        let text = std::str::from_utf8(&out).map_err(|_| Error::InvalidFile {
            name: name.to_owned(),
            reason: "redaction produced invalid UTF-8 (nothing was written)".into(),
        })?;
        ipynb::parse(name, text)?;
    }
    Ok(out)
}

/// Replaces `path` with its redacted `bytes` through a temporary file in the same directory (same
/// permissions, so a reader never sees half a file), keeping the original as
/// PATH[`BACKUP_SUFFIX`] when `backup`. The backup is a new file: an existing one (or a link
/// planted at that name by a cloned repository) is never written through, and stops the
/// redaction before anything changed.
pub fn write_redacted(path: &Path, bytes: &[u8], backup: bool) -> Result<()> {
    let io = |e| Error::io(format!("redacting {}", path.display()), e);
    if backup {
        let mut name = path.as_os_str().to_owned();
        name.push(BACKUP_SUFFIX);
        write_backup(path, &PathBuf::from(name))?;
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let permissions = std::fs::metadata(path).map_err(io)?.permissions();
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(io)?;
    tmp.as_file().set_permissions(permissions).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Copies `original` to `backup`, created fresh (O_EXCL, and O_NOFOLLOW where there is one).
fn write_backup(original: &Path, backup: &Path) -> Result<()> {
    let content = std::fs::read(original).map_err(|e| Error::io(format!("reading {}", original.display()), e))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let mode = std::fs::metadata(original)
            .map(|m| m.permissions().mode())
            .unwrap_or(0o600);
        options.mode(mode & 0o777).custom_flags(libc::O_NOFOLLOW);
    }
    let mut file = options.open(backup).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Error::InvalidFile {
                name: backup.display().to_string(),
                reason: "already exists (an earlier backup, or a link): move it away; nothing was redacted".into(),
            }
        } else {
            Error::io(format!("creating {}", backup.display()), e)
        }
    })?;
    std::io::Write::write_all(&mut file, &content)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io(format!("writing {}", backup.display()), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanner(values: &[(&str, &str)]) -> Scanner {
        Scanner::new(
            values
                .iter()
                .map(|(p, v)| KnownSecret {
                    path: (*p).to_owned(),
                    value: Zeroizing::new(v.as_bytes().to_vec()),
                })
                .collect(),
        )
        .expect("scanner")
    }

    #[test]
    fn vault_values_win_over_patterns_and_name_the_secret() {
        let s = scanner(&[
            ("llm-eval/dev/OPENAI_API_KEY", "sk-proj-VaultValue0123456789abcdef"),
            ("x/y/SHORT", "abc"),
        ]);
        assert_eq!(s.secret_count(), 1, "short values are not searched");
        let text = b"a = 'sk-proj-VaultValue0123456789abcdef'\nb = 'sk-proj-SomeoneElse0123456789abcde'\n";
        let found = s.scan("x.py", text).findings;
        assert_eq!(found.len(), 2);
        assert_eq!(
            (
                found[0].kind.as_str(),
                found[0].secret.as_deref(),
                found[0].line,
                found[0].column
            ),
            ("openai-key", Some("llm-eval/dev/OPENAI_API_KEY"), 1, 6)
        );
        assert_eq!(
            (found[1].kind.as_str(), found[1].secret.as_deref(), found[1].line),
            ("openai-key", None, 2)
        );
        assert_eq!(found[1].preview, "sk-p…");
    }

    #[test]
    fn redaction_outside_notebooks_leaves_a_marker() {
        let s = scanner(&[("p/e/TOKEN", "plain-value-123")]);
        let text = b"TOKEN=plain-value-123\nOTHER=1\n";
        let scan = s.scan(".env", text);
        let out = redact(".env", text, &scan.findings, None).expect("redact");
        assert_eq!(out, b"TOKEN=[REDACTED: keyshelf p/e/TOKEN]\nOTHER=1\n");
    }

    fn one_cell_notebook(language: &str, source: &str) -> String {
        format!(
            "{{\n \"cells\": [\n  {{\n   \"cell_type\": \"code\",\n   \"metadata\": {{}},\n   \"outputs\": [],\n   \"source\": [{}]\n  }}\n ],\n \"metadata\": {{\"kernelspec\": {{\"language\": \"{language}\"}}}},\n \"nbformat\": 4,\n \"nbformat_minor\": 5\n}}\n",
            serde_json::to_string(source).expect("json")
        )
    }

    fn redact_notebook(s: &Scanner, text: &str) -> String {
        let scan = s.scan("n.ipynb", text.as_bytes());
        let out = redact("n.ipynb", text.as_bytes(), &scan.findings, scan.notebook.as_ref()).expect("redact");
        let value: serde_json::Value = serde_json::from_slice(&out).expect("still JSON");
        value["cells"][0]["source"][0].as_str().expect("source").to_owned()
    }

    #[test]
    fn only_plain_python_literals_become_environment_reads() {
        let s = scanner(&[("p/e/OPENAI_API_KEY", "sk-proj-VaultValue0123456789abcdef")]);
        let env_read = r#"key = __import__("os").environ["OPENAI_API_KEY"]"#;
        let cases = [
            ("python", r#"key = "sk-proj-VaultValue0123456789abcdef""#, env_read),
            ("python", "key = 'sk-proj-VaultValue0123456789abcdef'", env_read),
            (
                "python",
                "key = b'sk-proj-VaultValue0123456789abcdef'",
                "key = b'[REDACTED: keyshelf p/e/OPENAI_API_KEY]'",
            ),
            (
                "python",
                "key = '''sk-proj-VaultValue0123456789abcdef'''",
                "key = '''[REDACTED: keyshelf p/e/OPENAI_API_KEY]'''",
            ),
            (
                "R",
                r#"key <- "sk-proj-VaultValue0123456789abcdef""#,
                r#"key <- "[REDACTED: keyshelf p/e/OPENAI_API_KEY]""#,
            ),
        ];
        for (language, source, expected) in cases {
            assert_eq!(
                redact_notebook(&s, &one_cell_notebook(language, source)),
                expected,
                "{language}: {source}"
            );
        }
    }

    #[test]
    fn a_service_account_marker_is_reported_but_left_in_place() {
        let s = scanner(&[]);
        let text = r#"{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"}"#;
        let scan = s.scan("sa.json", text.as_bytes());
        let kinds: Vec<&str> = scan.findings.iter().map(|f| f.kind.as_str()).collect();
        assert_eq!(kinds, ["gcp-service-account", "private-key"]);
        let out = redact("sa.json", text.as_bytes(), &scan.findings, None).expect("redact");
        let json: serde_json::Value = serde_json::from_slice(&out).expect("the file stays JSON");
        assert_eq!(json["type"], "service_account");
        assert_eq!(json["private_key"], "[REDACTED: private-key]\n");
    }

    #[test]
    fn one_value_under_two_names_names_both() {
        let s = scanner(&[
            ("a/dev/KEY", "shared-value-0123456789"),
            ("b/prod/KEY", "shared-value-0123456789"),
        ]);
        let found = s.scan("f.txt", b"x shared-value-0123456789 y").findings;
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].secret.as_deref(), Some("a/dev/KEY"));
        assert_eq!(found[0].other_secrets, ["b/prod/KEY"]);
    }

    #[test]
    fn a_run_counts_what_it_read_and_lists_what_it_could_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = |name: &str, bytes: &[u8]| {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).expect("write");
            path
        };
        let sources = [
            file("a.py", b"key = 'plain-value-123'\n"),
            file("b.txt", b"bin\0ary plain-value-123"),
            file("c.ipynb", b"{ not json plain-value-123"),
            file("d.txt", b"nothing here"),
            dir.path().join("gone.txt"),
        ];
        let (mut seen, mut with_findings) = (Vec::new(), Vec::new());
        let run = run(
            &scanner(&[("p/e/TOKEN", "plain-value-123")]),
            &sources,
            vec!["from the walk".into()],
            |so_far| seen.push((so_far.files, so_far.bytes)),
            |source, _, _, problems| {
                with_findings.push(source.clone());
                problems.push("from the hook".into());
            },
        );
        assert_eq!(run.findings.len(), 2);
        assert_eq!((run.files, run.bytes), (3, 24 + 26 + 12));
        assert_eq!(seen, [(0, 0), (1, 24), (1, 24), (2, 50), (3, 62)]);
        assert_eq!(with_findings, [sources[0].clone(), sources[2].clone()]);
        assert_eq!(run.problems.len(), 5, "{:?}", run.problems);
        assert_eq!(run.problems[..2], ["from the walk", "from the hook"]);
        assert!(
            run.problems[2].ends_with("(scanned as plain text)"),
            "{:?}",
            run.problems
        );
        assert_eq!(run.problems[3], "from the hook");
        assert!(run.problems[4].contains("gone.txt"), "{:?}", run.problems);
    }

    proptest::proptest! {
        #[test]
        fn redacted_text_keeps_no_found_value(prefix in "[a-z =\n]{0,40}", suffix in "[a-z =\n]{0,40}") {
            let s = scanner(&[("p/e/K", "hf_ThisIsAVaultValue0123456789abcdef")]);
            let text = format!("{prefix}hf_ThisIsAVaultValue0123456789abcdef{suffix}");
            let scan = s.scan("f.txt", text.as_bytes());
            let out = redact("f.txt", text.as_bytes(), &scan.findings, None).expect("redact");
            proptest::prop_assert!(s.scan("f.txt", &out).findings.is_empty());
            proptest::prop_assert!(String::from_utf8_lossy(&out).starts_with(&prefix));
        }
    }
}
