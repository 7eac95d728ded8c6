//! The text the desktop's webview (and the CLI's argv) hands the core to parse: secret and scope
//! paths, durations. None may panic, and what is accepted prints back to text that parses to
//! the same value, so a path shown in the UI is the path acted on.

#![no_main]

use keyshelf_core::duration::Duration;
use keyshelf_core::vault::{ScopePath, SecretPath};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(path) = text.parse::<SecretPath>() {
        assert_eq!(path.to_string().parse::<SecretPath>().ok(), Some(path));
    }
    if let Ok(scope) = text.parse::<ScopePath>() {
        assert_eq!(scope.to_string().parse::<ScopePath>().ok(), Some(scope));
    }
    if let Ok(duration) = text.parse::<Duration>() {
        assert_eq!(duration.to_string().parse::<Duration>().ok(), Some(duration));
    }
});
