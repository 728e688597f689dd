//! The translations are compiled in (`rust_i18n::i18n!`), which does not tell cargo about the
//! files it reads: without this, an edited locale file is not picked up by the next build.

fn main() {
    println!("cargo:rerun-if-changed=locales");
    for entry in std::fs::read_dir("locales").into_iter().flatten().flatten() {
        println!("cargo:rerun-if-changed={}", entry.path().display());
    }
}
