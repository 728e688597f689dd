//! The index on a small shop: incremental syncs, restarts, typos, completion, personal data
//! and search by meaning with the real embedding model (when fetched; CI requires it).
// Test code: a failed assumption is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::unreachable)]

use sr360_search::{Access, Doc, EmbedError, Embedder, Kind, Personal, SearchIndex};
use std::sync::atomic::{AtomicUsize, Ordering};

const PII: Access = Access {
    personal_data: true,
};
const NO_PII: Access = Access {
    personal_data: false,
};

/// Deterministic stand-in: letter-trigram counts, unit length; counts what it embeds.
struct Trigrams(AtomicUsize);

impl Embedder for Trigrams {
    fn id(&self) -> &str {
        "trigrams/64"
    }
    fn dim(&self) -> usize {
        64
    }
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.0.fetch_add(texts.len(), Ordering::SeqCst);
        Ok(texts
            .iter()
            .map(|t| {
                let mut v = vec![0f32; 64];
                let b: Vec<u8> = t.to_lowercase().bytes().collect();
                for w in b.windows(3) {
                    v[(w[0] as usize * 7 + w[1] as usize * 13 + w[2] as usize) % 64] += 1.0;
                }
                let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
                v.iter().map(|x| x / n).collect()
            })
            .collect())
    }
}

fn product(id: &str, title: &str, body: &str) -> Doc {
    Doc {
        kind: Kind::Product,
        id: id.into(),
        url: format!("/products/{id}"),
        title: title.into(),
        body: body.into(),
        personal: None,
    }
}

fn shop() -> Vec<Doc> {
    vec![
        product(
            "SPO-1",
            "Trailhead Waterproof Hiking Boots",
            "Sports & Outdoors. Leather boots for mountain trails in the rain.",
        ),
        product(
            "HOM-2",
            "Copperleaf Stainless Frying Pan",
            "Home & Kitchen. A steel pan for the stove.",
        ),
        product(
            "PET-3",
            "Pawsome Salmon Cat Food",
            "Pet Supplies. Dry food for adult cats.",
        ),
        Doc {
            kind: Kind::Customer,
            id: "c0ffee12".into(),
            url: "/customers/c0ffee12".into(),
            title: "Customer c0ffee12 · US · 4 orders".into(),
            body: "US mobile_app".into(),
            personal: Some(Personal {
                title: "Lena Dubois".into(),
                detail: "lena.dubois1@example.com · Miami".into(),
                text: "lena.dubois1@example.com Miami".into(),
            }),
        },
        Doc {
            kind: Kind::Help,
            id: "uploads".into(),
            url: "/help/uploads".into(),
            title: "Uploading your exports".into(),
            body: "Drop CSV, JSON or Parquet files; confirm the suggested column mapping.".into(),
            personal: None,
        },
    ]
}

#[test]
fn syncs_incrementally_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let e = Trigrams(AtomicUsize::new(0));
    let ix = SearchIndex::open(dir.path()).unwrap();
    let s = ix.sync(&shop(), Some(&e)).unwrap();
    assert_eq!((s.added, s.changed, s.removed), (5, 0, 0));
    assert_eq!(s.embedded, 4, "the customer has no prose vector");
    assert_eq!(ix.len(), 5);
    // Nothing changed: nothing re-indexed or re-embedded.
    let s = ix.sync(&shop(), Some(&e)).unwrap();
    assert_eq!((s.added, s.changed, s.removed, s.embedded), (0, 0, 0, 0));
    // One product renamed, one gone.
    let mut docs = shop();
    docs[1].title = "Copperleaf Cast Iron Skillet".into();
    docs.remove(2);
    let s = ix.sync(&docs, Some(&e)).unwrap();
    assert_eq!((s.changed, s.removed, s.embedded, s.vectors), (1, 1, 1, 3));
    assert_eq!(ix.len(), 4);
    drop(ix);
    let ix = SearchIndex::open(dir.path()).unwrap();
    assert!(ix.has_vectors(), "vectors come back after a restart");
    let hits = ix.search("skillet", None, NO_PII, 5).unwrap();
    assert_eq!(hits[0].id, "HOM-2");
    assert!(ix.search("salmon", None, NO_PII, 5).unwrap().is_empty());
    // A damaged vector file is a clear error, not a panic.
    std::fs::write(dir.path().join("vectors.bin"), b"{\"model\":1}\n").unwrap();
    let err = SearchIndex::open(dir.path()).err().unwrap().to_string();
    assert!(err.contains("damaged"), "{err}");
}

#[test]
fn typos_completion_and_groups() {
    let dir = tempfile::tempdir().unwrap();
    let ix = SearchIndex::open(dir.path()).unwrap();
    ix.sync(&shop(), None).unwrap();
    assert!(!ix.has_vectors(), "no embedder: words only");
    for q in ["hikng boots", "waterprof", "BOOTS", "frying pna"] {
        let hits = ix.search(q, None, NO_PII, 5).unwrap();
        assert!(!hits.is_empty(), "{q}");
        assert!(
            hits[0].id == "SPO-1" || hits[0].id == "HOM-2",
            "{q}: {hits:?}"
        );
        assert_eq!(hits[0].found_by, vec!["words"]);
    }
    // The last word is read as the start of one, as the top bar's completion types it.
    let s = ix.search("hik", None, NO_PII, 5).unwrap();
    assert_eq!(s[0].title, "Trailhead Waterproof Hiking Boots");
    let s = ix.search("upload", None, NO_PII, 5).unwrap();
    assert_eq!(
        (s[0].kind, s[0].url.as_str()),
        (Kind::Help, "/help/uploads")
    );
    assert!(ix.search("   ", None, NO_PII, 5).unwrap().is_empty());
}

#[test]
fn personal_data_is_searched_and_shown_only_with_access() {
    let dir = tempfile::tempdir().unwrap();
    let ix = SearchIndex::open(dir.path()).unwrap();
    ix.sync(&shop(), None).unwrap();
    for q in ["dubois", "lena", "miami", "lena.dubois1@example.com"] {
        let customer = |h: &Vec<sr360_search::Hit>| h.iter().any(|h| h.kind == Kind::Customer);
        assert!(!customer(&ix.search(q, None, NO_PII, 10).unwrap()), "{q}");
        let h = ix.search(q, None, PII, 10).unwrap();
        assert_eq!(h[0].title, "Lena Dubois", "{q}");
        assert_eq!(
            h[0].subtitle.as_deref(),
            Some("lena.dubois1@example.com · Miami · Customer c0ffee12 · US · 4 orders")
        );
    }
    // Two people of one name are told apart by their details.
    let mut docs = shop();
    let mut twin = docs
        .iter()
        .find(|d| d.kind == Kind::Customer)
        .cloned()
        .unwrap();
    twin.id = "beef0042".into();
    twin.url = "/customers/beef0042".into();
    twin.title = "Customer beef0042 · US · 1 orders".into();
    twin.personal = Some(Personal {
        title: "Lena Dubois".into(),
        detail: "lena.d@example.org · Austin".into(),
        text: "lena.d@example.org Austin".into(),
    });
    docs.push(twin);
    ix.sync(&docs, None).unwrap();
    let subtitles: std::collections::BTreeSet<String> = ix
        .search("lena dubois", None, PII, 10)
        .unwrap()
        .into_iter()
        .filter(|h| h.kind == Kind::Customer)
        .filter_map(|h| h.subtitle)
        .collect();
    assert_eq!(subtitles.len(), 2, "{subtitles:?}");
    assert!(
        subtitles
            .iter()
            .any(|s| s.starts_with("lena.d@example.org · Austin"))
    );
    // Found by its public facts, the customer shows no personal data.
    let h = ix.search("c0ffee12", None, NO_PII, 10).unwrap();
    assert_eq!(h.len(), 1);
    let shown = serde_json::to_string(&h).unwrap();
    assert!(
        !shown.contains("Lena") && !shown.contains("example.com") && !shown.contains("Miami"),
        "{shown}"
    );
}

#[test]
fn finds_a_product_described_in_other_words() {
    let dir = tempfile::tempdir().unwrap();
    let Some(model) = model() else { return };
    let ix = SearchIndex::open(dir.path()).unwrap();
    ix.sync(&shop(), Some(&model)).unwrap();
    for (q, want) in [
        ("shoes for walking up hills when it pours", "SPO-1"),
        ("something to cook eggs in", "HOM-2"),
        ("dinner for my kitten", "PET-3"),
        ("how do I load my sales data", "uploads"),
    ] {
        let v = model.embed(&[q]).unwrap().remove(0);
        let hits = ix.search(q, Some(&v), NO_PII, 3).unwrap();
        assert_eq!(
            hits.first().map(|h| h.id.as_str()),
            Some(want),
            "{q}: {hits:?}"
        );
        assert!(hits[0].found_by.contains(&"meaning"));
    }
}

fn model() -> Option<sr360_search::SentenceModel> {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/all-MiniLM-L6-v2");
    match sr360_search::SentenceModel::load(&dir) {
        Ok(m) => Some(m),
        Err(e) => {
            assert!(
                std::env::var_os("SR360_REQUIRE_MODELS").is_none(),
                "models required: {e}"
            );
            eprintln!("skipped: {e}");
            None
        }
    }
}

#[test]
fn unrelated_text_finds_nothing_by_meaning() {
    let dir = tempfile::tempdir().unwrap();
    let Some(model) = model() else { return };
    let ix = SearchIndex::open(dir.path()).unwrap();
    ix.sync(&shop(), Some(&model)).unwrap();
    for q in ["zzzzqqq", "xkcd qwerty asdf"] {
        let v = model.embed(&[q]).unwrap().remove(0);
        let hits = ix.search(q, Some(&v), NO_PII, 5).unwrap();
        assert!(hits.is_empty(), "{q}: {hits:?}");
    }
}

#[test]
fn similar_products_by_their_texts() {
    let dir = tempfile::tempdir().unwrap();
    let Some(model) = model() else { return };
    let ix = SearchIndex::open(dir.path()).unwrap();
    let mut docs = shop();
    docs.push(product(
        "SPO-9",
        "Granite Peak Winter Trekking Boots",
        "Sports & Outdoors. Insulated boots for snowy mountain hikes.",
    ));
    ix.sync(&docs, Some(&model)).unwrap();
    let near = ix.similar(Kind::Product, "SPO-1", 3);
    assert_eq!(
        near.first().map(|(id, _)| id.as_str()),
        Some("SPO-9"),
        "{near:?}"
    );
    assert!(near.iter().all(|(id, _)| id != "SPO-1" && id != "uploads"));
    assert!(ix.similar(Kind::Product, "nope", 3).is_empty());
}
