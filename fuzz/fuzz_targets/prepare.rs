//! The streaming preparation (gzip, encodings, JSON depth, whitespace rewriting) must end in
//! Ok or a named error, never a panic, and respect its size limit.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sr360_pipeline::{Limits, prepare};

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else { return };
    let src = dir.path().join("in");
    if std::fs::write(&src, data).is_err() {
        return;
    }
    let limits = Limits { max_bytes: 1 << 20, max_ratio: 100, max_json_depth: 16 };
    if let Ok(p) = prepare(&src, &dir.path().join("w"), &limits) {
        assert!(p.bytes <= 2 * limits.max_bytes);
    }
});
