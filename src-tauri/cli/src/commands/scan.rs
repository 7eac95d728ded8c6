//! snippet and scan: keys into notebooks without pasting them, and finding the ones that leaked.

use std::path::{Path, PathBuf};
use std::process::Command;

use keyshelf_core::notebook;
use keyshelf_core::scan::{self, Finding, Scanner, BACKUP_SUFFIX};
use keyshelf_core::vault::SecretPath;
use keyshelf_core::{Error, Result, Session};

use crate::args::{ScanArgs, SnippetLang};
use crate::context::Context;
use crate::output;

/// Exit code when something was found: pre-commit and CI fail on it.
const FOUND: i32 = 1;

pub fn snippet(ctx: &Context, path: &str, lang: SnippetLang) -> Result<i32> {
    let path: SecretPath = path.parse()?;
    let default = keyshelf_core::config::default_vault_path();
    let vault = (default.as_deref() != Some(ctx.vault_path.as_path())).then_some(ctx.vault_path.as_path());
    let code = match lang {
        SnippetLang::Python => notebook::python_snippet(&path, vault),
        SnippetLang::Bash => notebook::bash_snippet(&path, vault)?,
        SnippetLang::R => notebook::r_snippet(&path, vault),
    };
    output::println_out(code.trim_end())?;
    Ok(0)
}

/// A file to scan: how findings name it, and where its bytes come from.
struct Source {
    name: String,
    path: Option<PathBuf>,
}

pub async fn scan(ctx: &Context, args: ScanArgs) -> Result<i32> {
    let session = if args.no_vault { None } else { vault_session(ctx).await? };
    let known = match &session {
        Some(session) => session.scan_secrets().await?,
        None => Vec::new(),
    };
    let scanner = Scanner::new(known)?;
    let (sources, walk_problems) = if args.staged {
        (staged_files()?, Vec::new())
    } else {
        let paths = if args.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            args.paths.clone()
        };
        let (files, walk_problems) = scan::files(&paths)?;
        let sources = files
            .into_iter()
            .map(|p| Source {
                name: p.display().to_string(),
                path: Some(p),
            })
            .collect();
        (sources, walk_problems)
    };

    // First find everything, then flag leaks, then write: a file that cannot be redacted must
    // not stop the others, nor leave a leaked secret unflagged.
    let mut to_redact: Vec<(PathBuf, String, Vec<u8>)> = Vec::new();
    let scan::Run {
        findings: all,
        mut problems,
        files,
        bytes: bytes_read,
    } = scan::run(
        &scanner,
        &sources,
        walk_problems,
        |_| {},
        |source, bytes, found, problems| {
            let Some(path) = source.path.as_ref().filter(|p| args.redact && !scan::is_backup(p)) else {
                return;
            };
            match scan::redact(&source.name, bytes, &found.findings, found.notebook.as_ref()) {
                Ok(out) => to_redact.push((path.clone(), source.name.clone(), out)),
                Err(e) => problems.push(format!("not redacted: {e}")),
            }
        },
    );

    // A vault key in a notebook must be rotated at the provider, not just deleted: flag it.
    // A machine token found anywhere is a machine to rotate.
    let leaked = match &session {
        Some(session) => session.flag_leaks(&all).await?,
        None => Default::default(),
    };
    let mut redacted = 0usize;
    for (path, name, out) in &to_redact {
        match scan::write_redacted(path, out, !args.no_backup) {
            Ok(()) => redacted += 1,
            Err(e) => problems.push(format!("{name} not redacted: {e}")),
        }
    }
    for problem in &problems {
        eprintln!("warning: {problem}");
    }

    if args.json {
        output::json(&all)?;
    } else {
        let lines: Vec<String> = all.iter().map(describe).collect();
        if !lines.is_empty() {
            output::println_out(&lines.join("\n"))?;
        }
    }
    let vault_note = match &session {
        Some(_) => format!("{} vault secret(s) and provider formats", scanner.secret_count()),
        None => "provider formats only (vault not searched)".to_owned(),
    };
    eprintln!(
        "Scanned {files} file(s), {:.1} MB, for {vault_note}: {} finding(s).",
        bytes_read as f64 / 1e6,
        all.len()
    );
    if redacted > 0 {
        eprintln!(
            "Redacted {redacted} file(s){}. Rotate what leaked: `keyshelf due` lists it.",
            if args.no_backup {
                String::new()
            } else {
                format!(" (originals kept as FILE{BACKUP_SUFFIX}: they still hold the keys; delete them once checked)")
            }
        );
    } else if !leaked.secrets.is_empty() {
        eprintln!("Vault secrets found in notebooks are now flagged exposed: rotate them (`keyshelf due`).");
    }
    for machine in &leaked.machines {
        eprintln!("Machine {machine}'s token was found in clear: rotate it (`keyshelf machine rotate {machine}`).");
    }
    Ok(if all.is_empty() { 0 } else { FOUND })
}

/// One line per finding: `file:line:col: kind [secret] [cell N part] preview`.
fn describe(f: &Finding) -> String {
    let mut line = format!("{}:{}:{}: {}", f.file, f.line, f.column, f.kind);
    if let Some(secret) = &f.secret {
        line.push_str(&format!(" (vault secret {secret})"));
    }
    if let (Some(cell), Some(part)) = (f.cell, f.part) {
        let part = serde_json::to_value(part)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        line.push_str(&format!(" in cell {cell} {part}"));
    }
    line.push_str(&format!(": {}", f.preview));
    line
}

/// Unlocks to search for vault values; when there is no vault or it cannot be unlocked without
/// asking, scans for provider formats only and says so (a pre-commit hook must not hang).
async fn vault_session(ctx: &Context) -> Result<Option<Session>> {
    match ctx.session().await {
        Ok(session) => Ok(Some(session)),
        Err(
            e @ (Error::VaultNotFound { .. }
            | Error::Locked
            | Error::LockedNoKeychain { .. }
            | Error::NoPassphraseSource
            | Error::NotAMember { .. }),
        ) => {
            eprintln!("keyshelf: {e}; looking for provider formats only.");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

impl scan::Source for Source {
    fn name(&self) -> String {
        self.name.clone()
    }

    /// The working file, or the staged blob.
    fn read(&self, problems: &mut Vec<String>) -> Option<Vec<u8>> {
        let bytes = match &self.path {
            Some(path) => return scan::read_for_scan(path, problems),
            None => git(&["show", &format!(":{}", self.name)]),
        };
        match bytes {
            Ok(bytes) if scan::looks_binary(&bytes) => None,
            Ok(bytes) => Some(bytes),
            Err(e) => {
                problems.push(e.to_string());
                None
            }
        }
    }
}

/// The files staged in git (added, copied, modified, renamed) whose names `scan` reads.
fn staged_files() -> Result<Vec<Source>> {
    let out = git(&["diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR"])?;
    Ok(out
        .split(|b| *b == 0)
        .filter(|name| !name.is_empty())
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .filter(|name| scan::is_scannable_name(Path::new(name)))
        .map(|name| Source { name, path: None })
        .collect())
}

fn git(args: &[&str]) -> Result<Vec<u8>> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| Error::io("running git (is it installed?)", e))?;
    if !out.status.success() {
        return Err(Error::InvalidFile {
            name: format!("git {}", args.join(" ")),
            reason: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    Ok(out.stdout)
}
