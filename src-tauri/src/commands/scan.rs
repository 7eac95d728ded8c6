//! Scan for leaks: walk a folder the user picked, report findings (names and a 4-character
//! preview, never values), and redact the ones the user selects. File work runs off the async
//! runtime; the folder picker is opened from Rust, so the webview needs no dialog permission.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use keyshelf_core::scan::{self, Finding, KnownSecret, Scanner};
use keyshelf_core::Error;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, State, WebviewWindow};
use tauri_plugin_dialog::DialogExt;

use crate::error::CommandResult;
use crate::state::AppState;

/// Emitted while a scan reads files, at most every [`PROGRESS_EVERY`].
pub const PROGRESS_EVENT: &str = "scan-progress";
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

#[derive(Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ScanReport {
    pub findings: Vec<Finding>,
    #[ts(type = "number")]
    pub files: u64,
    #[ts(type = "number")]
    pub bytes: u64,
    /// Files that could not be read as what their name says (scanned as text), and skipped ones.
    pub problems: Vec<String>,
    /// Vault secrets searched for (those this member can decrypt).
    #[ts(type = "number")]
    pub secrets_searched: u64,
    /// Vault secrets found in notebooks, now flagged exposed (each once, sorted).
    pub exposed: Vec<String>,
    /// Machines whose token was found, now shown exposed until rotated.
    pub exposed_machines: Vec<String>,
}

/// How far a running scan got.
#[derive(Clone, Copy, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ScanProgress {
    #[ts(type = "number")]
    pub files: u64,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// The files the last scan found keys in: `redact_findings` rewrites no other file, so the
/// webview cannot have arbitrary files on disk rewritten.
#[derive(Default)]
pub struct LastScan(Mutex<BTreeSet<String>>);

impl LastScan {
    fn remember(&self, report: &ScanReport) {
        let files = report.findings.iter().map(|f| f.file.clone()).collect();
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = files;
    }

    fn files(&self) -> BTreeSet<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Opens the native folder picker over the window; `None` when the user cancelled.
#[tauri::command]
pub async fn pick_scan_folder(window: WebviewWindow) -> CommandResult<Option<String>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title("Folder to scan for leaked keys")
        .pick_folder(move |folder| {
            let _ = tx.send(folder);
        });
    let folder = rx.await.ok().flatten().and_then(|f| f.into_path().ok());
    Ok(folder.map(|p| p.display().to_string()))
}

/// Scans `folder` for vault values and provider key formats; vault keys found in notebooks are
/// flagged exposed.
#[tauri::command]
pub async fn scan_folder(
    app: AppHandle,
    state: State<'_, AppState>,
    last: State<'_, LastScan>,
    folder: String,
) -> CommandResult<ScanReport> {
    let folder = resolve_folder(&folder, std::env::var_os("HOME").map(PathBuf::from))?;
    let session = state.session().await?;
    let known = session.scan_secrets().await?;
    let progress = move |p: ScanProgress| {
        let _ = app.emit(PROGRESS_EVENT, p);
    };
    let mut report = tauri::async_runtime::spawn_blocking(move || scan_files(&folder, known, progress))
        .await
        .map_err(|e| Error::io("scanning", std::io::Error::other(e.to_string())))??;
    last.remember(&report);
    // A vault key in a notebook must be rotated at the provider, not just deleted (as the CLI).
    let leaks = session.flag_leaks(&report.findings).await?;
    (report.exposed, report.exposed_machines) = (leaks.secrets, leaks.machines);
    Ok(report)
}

/// The folder as typed: trimmed, `~` expanded; it must be absolute (the app's working directory
/// means nothing to the user) and exist.
fn resolve_folder(typed: &str, home: Option<PathBuf>) -> keyshelf_core::Result<PathBuf> {
    let typed = typed.trim();
    let invalid = |expected| Error::InvalidPath {
        what: "folder",
        input: typed.to_owned(),
        expected,
    };
    let path = match (typed.strip_prefix('~'), home) {
        (Some(""), Some(home)) => home,
        (Some(rest), Some(home)) if rest.starts_with('/') => home.join(rest.trim_start_matches('/')),
        _ => PathBuf::from(typed),
    };
    if typed.is_empty() || !path.is_absolute() {
        return Err(invalid("an absolute path, like /home/you/notebooks"));
    }
    if !path.exists() {
        return Err(invalid("a folder that exists"));
    }
    Ok(path)
}

fn scan_files(
    folder: &Path,
    known: Vec<KnownSecret>,
    progress: impl Fn(ScanProgress),
) -> keyshelf_core::Result<ScanReport> {
    let scanner = Scanner::new(known)?;
    let mut reported = Instant::now();
    let (files, walk_problems) = scan::files(&[folder.to_owned()])?;
    let run = scan::run(
        &scanner,
        &files,
        walk_problems,
        |so_far| {
            if reported.elapsed() >= PROGRESS_EVERY {
                progress(ScanProgress {
                    files: so_far.files,
                    bytes: so_far.bytes,
                });
                reported = Instant::now();
            }
        },
        |_, _, _, _| {},
    );
    Ok(ScanReport {
        findings: run.findings,
        files: run.files,
        bytes: run.bytes,
        problems: run.problems,
        secrets_searched: scanner.secret_count() as u64,
        exposed: Vec::new(),
        exposed_machines: Vec::new(),
    })
}

/// A finding the user chose to redact, by position (the file is scanned again, so a file that
/// changed since is redacted as it is now).
#[derive(Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct RedactTarget {
    pub file: String,
    #[ts(type = "number")]
    pub line: usize,
    #[ts(type = "number")]
    pub column: usize,
}

/// What a redaction did.
#[derive(Debug, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Redacted {
    /// Findings redacted.
    #[ts(type = "number")]
    pub findings: u64,
    /// Files rewritten, each with its original kept as FILE.keyshelf-bak.
    #[ts(type = "number")]
    pub files: u64,
    /// Files left as they were, and why: one that cannot be rewritten does not stop the others.
    pub problems: Vec<String>,
}

/// Redacts the selected findings in place, keeping FILE.keyshelf-bak. Only files the last scan
/// found keys in, and never a backup.
#[tauri::command]
pub async fn redact_findings(
    state: State<'_, AppState>,
    last: State<'_, LastScan>,
    targets: Vec<RedactTarget>,
) -> CommandResult<Redacted> {
    // Refused before any secret is read (and audited) for it.
    let by_file = by_file(targets, &last.files())?;
    let known = state.session().await?.scan_secrets().await?;
    let done = tauri::async_runtime::spawn_blocking(move || redact_files(by_file, known))
        .await
        .map_err(|e| Error::io("redacting", std::io::Error::other(e.to_string())))??;
    Ok(done)
}

type Positions = BTreeMap<String, BTreeSet<(usize, usize)>>;

/// The targets by file, each file checked first: all the selected files or none.
fn by_file(targets: Vec<RedactTarget>, allowed: &BTreeSet<String>) -> keyshelf_core::Result<Positions> {
    let mut by_file = Positions::new();
    for t in targets {
        by_file.entry(t.file).or_default().insert((t.line, t.column));
    }
    for file in by_file.keys() {
        let refuse = |reason: &str| Error::NotAllowed {
            action: format!("redact {file}"),
            reason: reason.to_owned(),
        };
        if scan::is_backup(Path::new(file)) {
            return Err(refuse(
                "it is the copy Keyshelf kept of a redacted file and still holds the keys; delete it once you have checked the redacted file",
            ));
        }
        if !allowed.contains(file) {
            return Err(refuse("the last scan found no keys in it"));
        }
    }
    Ok(by_file)
}

fn redact_files(by_file: Positions, known: Vec<KnownSecret>) -> keyshelf_core::Result<Redacted> {
    let scanner = Scanner::new(known)?;
    let mut done = Redacted {
        findings: 0,
        files: 0,
        problems: Vec::new(),
    };
    for (file, positions) in by_file {
        let path = PathBuf::from(&file);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => {
                done.problems.push(format!("{file} not redacted: {e}"));
                continue;
            }
        };
        let found = scanner.scan(&file, &bytes);
        let chosen: Vec<Finding> = found
            .findings
            .into_iter()
            .filter(|f| positions.contains(&(f.line, f.column)))
            .collect();
        if chosen.is_empty() {
            continue;
        }
        let written = scan::redact(&file, &bytes, &chosen, found.notebook.as_ref())
            .and_then(|out| scan::write_redacted(&path, &out, true));
        match written {
            Ok(()) => {
                done.findings += chosen.len() as u64;
                done.files += 1;
            }
            Err(e) => done.problems.push(format!("{file} not redacted: {e}")),
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    const VALUE: &str = "sk-proj-UnitTestValue0123456789abcdef";

    fn known() -> Vec<KnownSecret> {
        vec![KnownSecret {
            path: "llm-eval/dev/OPENAI_API_KEY".into(),
            value: Zeroizing::new(VALUE.as_bytes().to_vec()),
        }]
    }

    fn notebook() -> String {
        let cell = serde_json::json!({
            "cells": [{
                "cell_type": "code", "execution_count": 1, "id": "a", "metadata": {},
                "source": [format!("key = \"{VALUE}\"\n"), "print(key)"],
                "outputs": [{"name": "stdout", "output_type": "stream", "text": [format!("{VALUE}\n")]}]
            }],
            "metadata": {"kernelspec": {"name": "python3", "language": "python"}}, "nbformat": 4, "nbformat_minor": 5
        });
        serde_json::to_string_pretty(&cell).expect("json")
    }

    #[test]
    fn folders_are_absolute_existing_and_may_start_with_home() {
        let dir = tempfile::tempdir().expect("tempdir");
        let home = Some(dir.path().to_owned());
        std::fs::create_dir(dir.path().join("nb")).expect("mkdir");
        assert_eq!(
            resolve_folder("~/nb", home.clone()).expect("home"),
            dir.path().join("nb")
        );
        assert_eq!(resolve_folder(" ~ ", home.clone()).expect("home"), dir.path());
        let typed = format!("{}/nb ", dir.path().display());
        assert_eq!(resolve_folder(&typed, None).expect("abs"), dir.path().join("nb"));
        for bad in ["", "nb", "./nb", "~other/x"] {
            let e = resolve_folder(bad, home.clone()).expect_err(bad).to_string();
            assert!(e.contains("expected an absolute path"), "{bad}: {e}");
        }
        let missing = resolve_folder("/no/such/folder/here", None)
            .expect_err("missing")
            .to_string();
        assert!(missing.contains("a folder that exists"), "{missing}");
    }

    #[test]
    fn scans_redacts_only_what_the_last_scan_found_and_never_a_backup() {
        let dir = tempfile::tempdir().expect("tempdir");
        let nb = dir.path().join("leak.ipynb");
        std::fs::write(&nb, notebook()).expect("write");
        std::fs::write(dir.path().join("unreadable.py"), "x = 1\n").expect("write");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let locked = std::fs::Permissions::from_mode(0o000);
            std::fs::set_permissions(dir.path().join("unreadable.py"), locked).expect("chmod");
        }
        let report = scan_files(dir.path(), known(), |_| {}).expect("scan");
        let found: Vec<_> = report
            .findings
            .iter()
            .map(|f| (f.cell, f.part, f.secret.as_deref(), f.preview.as_str()))
            .collect();
        use keyshelf_core::scan::ipynb::CellPart;
        let secret = Some("llm-eval/dev/OPENAI_API_KEY");
        assert_eq!(
            found,
            [
                (Some(0), Some(CellPart::Source), secret, "sk-p…"),
                (Some(0), Some(CellPart::Outputs), secret, "sk-p…")
            ]
        );
        assert_eq!(report.secrets_searched, 1);
        // Root reads anything; elsewhere the unreadable file is a problem, not the end of the scan.
        assert!(report.files == 2 || report.problems.iter().any(|p| p.contains("unreadable.py")));

        let file = nb.display().to_string();
        let targets = || {
            report
                .findings
                .iter()
                .map(|f| RedactTarget {
                    file: f.file.clone(),
                    line: f.line,
                    column: f.column,
                })
                .collect::<Vec<_>>()
        };
        let refused = by_file(targets(), &BTreeSet::new()).expect_err("not scanned");
        assert!(
            refused.to_string().contains("the last scan found no keys in it"),
            "{refused}"
        );
        assert_eq!(std::fs::read_to_string(&nb).expect("read"), notebook());

        // A file gone since the scan is a problem; the others are still redacted.
        let gone = dir.path().join("gone.py").display().to_string();
        let allowed = BTreeSet::from([file.clone(), gone.clone()]);
        let mut chosen = by_file(targets(), &allowed).expect("allowed");
        chosen.insert(gone.clone(), BTreeSet::from([(1, 1)]));
        let done = redact_files(chosen, known()).expect("redact");
        assert_eq!((done.findings, done.files), (2, 1));
        assert_eq!(done.problems.len(), 1);
        assert!(
            done.problems[0].starts_with(&format!("{gone} not redacted: ")),
            "{done:?}"
        );
        let redacted = std::fs::read_to_string(&nb).expect("read");
        assert!(!redacted.contains(VALUE), "the redacted notebook still holds the key");
        assert!(
            redacted.contains("os\\\").environ[\\\"OPENAI_API_KEY\\\"]"),
            "{redacted}"
        );
        let backup = format!("{file}{}", scan::BACKUP_SUFFIX);
        assert_eq!(std::fs::read_to_string(&backup).expect("backup"), notebook());

        let again = scan_files(dir.path(), known(), |_| {}).expect("scan");
        assert!(
            again.findings.iter().all(|f| f.file == backup),
            "only the backup holds the key"
        );
        let target = RedactTarget {
            file: backup.clone(),
            line: 1,
            column: 1,
        };
        let refused = by_file(vec![target], &BTreeSet::from([backup])).expect_err("backup");
        assert!(refused.to_string().contains("still holds the keys"), "{refused}");
    }
}
