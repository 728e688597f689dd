//! Format detection must never panic, whatever the bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sr360_pipeline::sniff(data, true);
    let _ = sr360_pipeline::sniff(data, false);
});
