//! Link-time setup: when DuckDB comes as a prebuilt shared library (the default for
//! development and CI), let the binary find it beside itself (`$ORIGIN`) or where it was
//! linked from, so `target/debug/sr360` runs without LD_LIBRARY_PATH.

fn main() {
    println!("cargo:rerun-if-env-changed=DUCKDB_LIB_DIR");
    if std::env::var_os("CARGO_FEATURE_BUNDLED").is_none() {
        println!("cargo:rustc-link-arg=-Wl,-rpath,$ORIGIN");
        if let Some(dir) = std::env::var_os("DUCKDB_LIB_DIR") {
            println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.to_string_lossy());
        }
    }
}
