//! `sr360`: the SmartRetail360 binary.

fn main() -> std::process::ExitCode {
    smartretail360::cli::main()
}
