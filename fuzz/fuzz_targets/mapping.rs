//! Mapping suggestion on arbitrary headers and values must not panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.lines();
    let headers: Vec<String> = lines.next().unwrap_or("").split(',').map(str::to_string).collect();
    let rows: Vec<Vec<String>> = lines.take(20).map(|l| l.split(',').map(str::to_string).collect()).collect();
    let m = sr360_pipeline::mapping::suggest(&headers, &rows);
    for col in m.fields.values() {
        assert!(headers.contains(col));
    }
});
