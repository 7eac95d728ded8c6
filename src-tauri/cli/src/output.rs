//! Printing: aligned tables for people, JSON for programs.

use std::io::Write;

use keyshelf_core::{Error, Result};

pub fn json<T: serde::Serialize>(value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::Io {
        context: "formatting JSON".into(),
        source: std::io::Error::other(e),
    })?;
    println_out(&text)
}

/// Prints rows with columns padded to the widest cell.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  ", w = w));
            }
        }
        out
    };
    let mut text = line(header.to_vec());
    for row in rows {
        text.push('\n');
        text.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    println_out(&text)
}

/// stdout that treats a closed pipe (`keyshelf ls | head`) as success, not a panic.
pub fn println_out(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| Error::Io {
            context: "writing to stdout".into(),
            source: e,
        }),
    }
}

/// stdout where losing the text would matter: every failure, a closed pipe included, is an error.
pub fn print_strict(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}").and_then(|()| out.flush())
}

/// A date for tables: `2026-11-24`.
pub fn date(unix: i64) -> String {
    keyshelf_core::clock::rfc3339(unix).chars().take(10).collect()
}

/// Where a secret stands on rotation, for tables: "EXPOSED: rotate", "OVERDUE since 2026-11-02",
/// "due soon 2026-12-10", "due 2027-02-01", "on-deploy", "manual"; plus a staged version.
pub fn rotation(secret: &keyshelf_core::vault::SecretSummary) -> String {
    use keyshelf_core::rotation::RotationStatus;
    let due = secret.due_at.map(date).unwrap_or_default();
    let mut text = match secret.rotation {
        RotationStatus::Exposed => "EXPOSED: rotate".to_owned(),
        RotationStatus::Overdue => format!("OVERDUE since {due}"),
        RotationStatus::DueSoon => format!("due soon {due}"),
        RotationStatus::Fresh => format!("due {due}"),
        RotationStatus::NoDeadline if secret.policy == "on-deploy" => "on-deploy".to_owned(),
        RotationStatus::NoDeadline => "manual".to_owned(),
    };
    if let Some(pending) = secret.pending_version {
        text.push_str(&format!(" (v{pending} pending)"));
    }
    text
}
