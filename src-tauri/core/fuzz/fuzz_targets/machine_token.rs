//! Arbitrary text into `MachineToken::parse`: it must never panic, and a token it accepts must
//! print back to the same text (surrounding whitespace aside).

#![no_main]

use keyshelf_core::crypto::MachineToken;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(token) = MachineToken::parse(text) {
        assert_eq!(*token.display(), text.trim());
    }
});
