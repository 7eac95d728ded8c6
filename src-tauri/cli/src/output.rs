//! Printing: aligned tables for people, JSON for programs.

use std::io::Write;

use keyshelf_core::{Error, Result};

pub fn json<T: serde::Serialize>(value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::Io {
        context: "formatting JSON".into(),
        source: std::io::Error::other(e),
    })?;
    // JSON escapes what could steer a terminal inside its strings; print it as it is.
    write_out(&text)
}

/// Text from the vault file (names, reasons, commands) with every control character shown as
/// an escape, so an edited file cannot move the cursor, retitle the terminal or fake a line.
/// `keep_lines` leaves newlines and tabs of our own multi-line output alone.
pub fn escape_text(text: &str, keep_lines: bool) -> std::borrow::Cow<'_, str> {
    let steers = |c: char| c.is_control() && !(keep_lines && matches!(c, '\n' | '\t'));
    if !text.chars().any(steers) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| {
                if steers(c) {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// One name or phrase from the vault file, for a line of output.
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    escape_text(text, false)
}

/// Prints rows with columns padded to the widest cell.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(escape(cell).chars().count());
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
        let cells: Vec<std::borrow::Cow<'_, str>> = row.iter().map(|c| escape(c)).collect();
        text.push_str(&line(cells.iter().map(|c| c.as_ref()).collect()));
    }
    println_out(&text)
}

/// stdout that treats a closed pipe (`keyshelf ls | head`) as success, not a panic. Control
/// characters other than newlines and tabs are escaped (see [`escape_text`]).
pub fn println_out(text: &str) -> Result<()> {
    write_out(&escape_text(text, true))
}

fn write_out(text: &str) -> Result<()> {
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
