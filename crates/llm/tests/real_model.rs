//! The bundled model (fetched by scripts/fetch-models.sh) under a grammar: the output always
//! parses, and the same prompt gives the same output. Skipped when the model is not fetched,
//! unless SR360_REQUIRE_MODELS is set (as scripts/test.sh does).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sr360_llm::{Limits, LlmError, LocalModel};
use std::path::PathBuf;

fn model() -> Option<LocalModel> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../models/SmolLM2-135M-Instruct.Q4_1.gguf");
    if !path.is_file() {
        assert!(
            std::env::var_os("SR360_REQUIRE_MODELS").is_none(),
            "{} missing: run scripts/fetch-models.sh",
            path.display()
        );
        return None;
    }
    // Correctness, not speed (that is the benchmark's): a busy test machine gets time.
    let limits = Limits {
        time_limit: std::time::Duration::from_secs(600),
        ..Limits::default()
    };
    Some(LocalModel::load(&path, limits).expect("the bundled model loads"))
}

#[test]
fn output_follows_the_grammar_and_is_repeatable() {
    let Some(m) = model() else { return };
    let grammar = r#"root ::= "{\"metric\": " metric ", \"top\": " [1-9] "}"
metric ::= "\"revenue\"" | "\"orders\"" | "\"units\"""#;
    let ask = || {
        m.complete(
            "Answer with the JSON form only.",
            "How many orders did we get? Show the top 3.",
            grammar,
        )
        .expect("a completion")
    };
    let a = ask();
    let v: serde_json::Value = serde_json::from_str(&a.text).expect("valid JSON");
    assert!(["revenue", "orders", "units"].contains(&v["metric"].as_str().unwrap_or("")));
    assert!(a.tokens > 0 && a.first_token <= a.total);
    assert_eq!(ask().text, a.text, "greedy decoding repeats itself");
}

#[test]
fn a_missing_file_is_an_error_not_a_crash() {
    let e = LocalModel::load(
        std::path::Path::new("/nonexistent/model.gguf"),
        Limits::default(),
    )
    .expect_err("no file");
    assert!(matches!(e, LlmError::Missing(_)), "{e}");
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = dir.path().join("broken.gguf");
    std::fs::write(&broken, b"GGUF but not really").expect("write");
    let e = LocalModel::load(&broken, Limits::default()).expect_err("not a model");
    assert!(matches!(e, LlmError::Load(_)), "{e}");
}
