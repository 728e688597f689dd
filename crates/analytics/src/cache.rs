//! Answers cached per shop and data version. A shop's data changes only when an ingest
//! publishes (which bumps `sr360.data_version` in the same transaction), so an answer keyed by
//! (shop, version, question) is exact until then — no expiry to tune, no stale pages. Bounded
//! in bytes, not entries (300 answers of 10,000 rows once pinned 3 GB): the least recently used
//! answers go first, and an answer larger than an eighth of the budget is not kept at all.

use std::any::Any;
use std::sync::{Arc, Mutex};

type Entry = (Arc<dyn Any + Send + Sync>, usize);

/// What the cache may hold, estimated as the answers' JSON size.
pub const BUDGET_BYTES: usize = 64 << 20;

struct Store {
    lru: lru::LruCache<String, Entry>,
    bytes: usize,
}

fn store() -> &'static Mutex<Store> {
    static CACHE: std::sync::OnceLock<Mutex<Store>> = std::sync::OnceLock::new();
    CACHE.get_or_init(|| {
        Mutex::new(Store {
            lru: lru::LruCache::unbounded(),
            bytes: 0,
        })
    })
}

pub(crate) fn get<T: Clone + Send + Sync + 'static>(key: &str) -> Option<T> {
    let mut c = store().lock().unwrap_or_else(|p| p.into_inner());
    c.lru
        .get(key)
        .and_then(|e| e.0.downcast_ref::<T>().cloned())
}

pub(crate) fn put<T: Clone + Send + Sync + serde::Serialize + 'static>(key: String, value: &T) {
    // The answer's size as JSON plus its key: close to what it holds in memory, and cheap
    // beside the query that made it.
    let size = serde_json::to_vec(value).map_or(usize::MAX, |v| v.len()) + key.len() + 64;
    if size > BUDGET_BYTES / 8 {
        return;
    }
    let mut c = store().lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, old)) = c.lru.put(key, (Arc::new(value.clone()), size)) {
        c.bytes -= old;
    }
    c.bytes += size;
    while c.bytes > BUDGET_BYTES {
        match c.lru.pop_lru() {
            Some((_, (_, n))) => c.bytes -= n,
            None => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held_bytes() -> usize {
        store().lock().unwrap_or_else(|p| p.into_inner()).bytes
    }

    #[test]
    fn the_cache_holds_at_most_its_budget_in_bytes() {
        let row = "x".repeat(1 << 20); // about 1 MiB per answer
        for i in 0..200 {
            put(format!("test-budget/{i}"), &row);
            assert!(held_bytes() <= BUDGET_BYTES);
        }
        assert!(
            get::<String>("test-budget/199").is_some(),
            "the newest stays"
        );
        assert!(get::<String>("test-budget/0").is_none(), "the oldest went");
        // Too large to keep: not kept, nothing else evicted for it.
        put("test-budget/huge".into(), &"y".repeat(BUDGET_BYTES / 4));
        assert!(get::<String>("test-budget/huge").is_none());
    }
}
