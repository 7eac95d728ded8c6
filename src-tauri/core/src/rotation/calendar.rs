//! Rotation deadlines as an iCalendar file (RFC 5545), one all-day event per deadline with a
//! reminder the day before, so any calendar can carry them.

use std::fmt::Write;

use super::RotationStatus;
use crate::vault::SecretSummary;

/// The calendar text: CRLF line ends, lines folded at 75 octets, text escaped. What is exposed or
/// overdue is placed today (a reminder in the past would never fire); the rest on its deadline.
/// Names and dates only: no value.
pub fn ics(vault_id: &str, secrets: &[SecretSummary], now: i64) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Keyshelf//Rotation deadlines//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "X-WR-CALNAME:Keyshelf rotations".to_owned(),
    ];
    for secret in secrets {
        let urgent = matches!(secret.rotation, RotationStatus::Exposed | RotationStatus::Overdue);
        let day = match secret.due_at {
            _ if urgent => now,
            Some(due) => due,
            None => continue,
        };
        let path = secret.path();
        let mut description = format!("{} ({}): {}.", path, secret.kind.label(), secret.rotation.label());
        if let Some(reason) = &secret.exposed_reason {
            let _ = write!(description, " Exposed: {reason}.");
        }
        if let Some(url) = secret.kind.console_url() {
            let _ = write!(description, " Create the new key at {url}, then");
        } else {
            description.push_str(" Then");
        }
        let _ = write!(description, " run: keyshelf rotate {path}");
        lines.push("BEGIN:VEVENT".to_owned());
        lines.push(format!("UID:{}-{}@keyshelf", escape(vault_id), escape(&path)));
        lines.push(format!("DTSTAMP:{}", timestamp(now)));
        // A re-import after a rotation moves the event instead of adding one.
        lines.push(format!("SEQUENCE:{}", secret.last_rotated_at.max(0)));
        lines.push(format!("DTSTART;VALUE=DATE:{}", date(day)));
        lines.push(format!("DTEND;VALUE=DATE:{}", date(day.saturating_add(86_400))));
        lines.push(format!("SUMMARY:{}", escape(&format!("Rotate {path}"))));
        lines.push(format!("DESCRIPTION:{}", escape(&description)));
        if let Some(url) = secret.kind.console_url() {
            lines.push(format!("URL:{url}"));
        }
        lines.push("BEGIN:VALARM".to_owned());
        lines.push("ACTION:DISPLAY".to_owned());
        lines.push(format!("DESCRIPTION:{}", escape(&format!("Rotate {path}"))));
        lines.push("TRIGGER:-P1D".to_owned());
        lines.push("END:VALARM".to_owned());
        lines.push("END:VEVENT".to_owned());
    }
    lines.push("END:VCALENDAR".to_owned());
    let mut out = String::new();
    for line in lines {
        fold(&line, &mut out);
    }
    out
}

/// TEXT escaping (RFC 5545 3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a UTF-8 character (RFC 5545 3.1).
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn utc(unix: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

fn date(unix: i64) -> String {
    let t = utc(unix);
    format!("{:04}{:02}{:02}", t.year(), u8::from(t.month()), t.day())
}

fn timestamp(unix: i64) -> String {
    let t = utc(unix);
    format!("{}T{:02}{:02}{:02}Z", date(unix), t.hour(), t.minute(), t.second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_at_75_octets_and_escapes_text() {
        let mut out = String::new();
        fold(&"é".repeat(60), &mut out);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets", line.len());
        }
        assert_eq!(out.replace("\r\n ", ""), format!("{}\r\n", "é".repeat(60)));
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn dates_are_utc_days() {
        assert_eq!(date(0), "19700101");
        assert_eq!(timestamp(86_399), "19700101T235959Z");
    }
}
