//! Answers cached per shop and data version. A shop's data changes only when an ingest
//! publishes (which bumps `sr360.data_version` in the same transaction), so an answer keyed by
//! (shop, version, question) is exact until then — no expiry to tune, no stale pages. Bounded:
//! the least recently used answers go first.

use std::any::Any;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

type Entry = Arc<dyn Any + Send + Sync>;

const CAPACITY: usize = 512;

fn store() -> &'static Mutex<lru::LruCache<String, Entry>> {
    static CACHE: std::sync::OnceLock<Mutex<lru::LruCache<String, Entry>>> =
        std::sync::OnceLock::new();
    CACHE.get_or_init(|| {
        Mutex::new(lru::LruCache::new(
            NonZeroUsize::new(CAPACITY).unwrap_or(NonZeroUsize::MIN),
        ))
    })
}

pub(crate) fn get<T: Clone + Send + Sync + 'static>(key: &str) -> Option<T> {
    let mut c = store().lock().unwrap_or_else(|p| p.into_inner());
    c.get(key).and_then(|e| e.downcast_ref::<T>().cloned())
}

pub(crate) fn put<T: Clone + Send + Sync + 'static>(key: String, value: &T) {
    let mut c = store().lock().unwrap_or_else(|p| p.into_inner());
    c.put(key, Arc::new(value.clone()));
}
