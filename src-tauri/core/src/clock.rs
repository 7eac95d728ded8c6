//! Wall-clock time as Unix seconds, the unit every timestamp column uses.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now() -> i64 {
    let real = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    real.saturating_add(test_offset())
}

/// Debug builds only: `KEYSHELF_CLOCK_OFFSET_SECS` moves time forward, so end-to-end tests can
/// let grants expire and deadlines pass without waiting. Release builds ignore it.
fn test_offset() -> i64 {
    #[cfg(debug_assertions)]
    if let Some(offset) = std::env::var("KEYSHELF_CLOCK_OFFSET_SECS")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
    {
        return offset;
    }
    0
}

/// RFC 3339 in UTC, for listings and JSON.
pub fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| unix.to_string())
}
