//! Arbitrary text into `dotenv::parse`: it must never panic, and whatever it reads must come back
//! unchanged through `emit` and `parse` again.

#![no_main]

use keyshelf_core::dotenv::{emit, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(entries) = parse(text, &|_| None) else {
        return;
    };
    // `emit` refuses by design some keys `parse` accepts (`'A B'=1`, `a'b=1`): leave those out.
    // With an empty value the only thing `emit` can refuse is the key.
    let pairs: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.key.as_str(), e.value.as_str()))
        .filter(|&(key, _)| emit([(key, b"".as_slice())]).is_ok())
        .collect();
    let written = match emit(pairs.iter().map(|&(k, v)| (k, v.as_bytes()))) {
        Ok(written) => written,
        Err(err) => panic!("emit refused what parse read: {err}"),
    };
    let again = match parse(&written, &|_| None) {
        Ok(again) => again,
        Err(err) => panic!("parse refused what emit wrote: {err}"),
    };
    let round: Vec<(&str, &str)> = again.iter().map(|e| (e.key.as_str(), e.value.as_str())).collect();
    assert_eq!(round, pairs);
});
