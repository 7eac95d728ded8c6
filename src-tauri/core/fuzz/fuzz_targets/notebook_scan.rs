//! Arbitrary bytes as a notebook: `scan` must never panic on them, findings must lie inside the
//! input, and redacting them must give a notebook that reads back (or a clear error).

#![no_main]

use std::sync::OnceLock;

use keyshelf_core::scan::{redact, KnownSecret, Scanner};
use libfuzzer_sys::fuzz_target;
use zeroize::Zeroizing;

/// Built once: compiling the patterns per input would leave the fuzzer a few runs a second.
static SCANNER: OnceLock<Scanner> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let scanner = SCANNER.get_or_init(|| {
        Scanner::new(vec![KnownSecret {
            path: "p/e/KEY".into(),
            value: Zeroizing::new(b"sk-proj-FuzzVaultValue0123456789".to_vec()),
        }])
        .expect("scanner")
    });
    let found = scanner.scan("f.ipynb", data);
    for f in &found.findings {
        assert!(f.start < f.end && f.end <= data.len());
    }
    if let Ok(out) = redact("f.ipynb", data, &found.findings, found.notebook.as_ref()) {
        let again = scanner.scan("f.ipynb", &out);
        assert!(again.findings.iter().all(|f| f.secret.is_none()), "a redacted vault value is still there");
    }
});
