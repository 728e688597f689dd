//! Results of a shop's latest model run that a page shows on every request (the dashboard's
//! model card), read from the warehouse once per run rather than once per request. The
//! `ml.*` tables change only when a run finishes, so an entry is keyed by the latest run's
//! id and status: a run that starts or ends makes the next request read again.

use sr360_core::TenantId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Which run an entry was read under: its id and status.
pub type RunStamp = (i64, sr360_meta::RunStatus);

pub struct RunCache<T> {
    slots: Mutex<HashMap<TenantId, (RunStamp, Arc<T>)>>,
}

impl<T> Default for RunCache<T> {
    fn default() -> Self {
        RunCache {
            slots: Mutex::new(HashMap::new()),
        }
    }
}

impl<T> RunCache<T> {
    /// The entry read under `stamp`, if it is still the current one.
    pub fn get(&self, tenant: &TenantId, stamp: &RunStamp) -> Option<Arc<T>> {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots
            .get(tenant)
            .filter(|(s, _)| s == stamp)
            .map(|(_, v)| Arc::clone(v))
    }

    /// Keep `value`, read under `stamp`, in place of the tenant's previous entry.
    pub fn put(&self, tenant: TenantId, stamp: RunStamp, value: T) -> Arc<T> {
        let value = Arc::new(value);
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.insert(tenant, (stamp, Arc::clone(&value)));
        value
    }
}

impl<T> std::fmt::Debug for RunCache<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.slots.lock().map(|s| s.len()).unwrap_or(0);
        f.debug_struct("RunCache").field("shops", &n).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sr360_meta::RunStatus;

    #[test]
    fn an_entry_lives_as_long_as_its_run_stamp() {
        let cache: RunCache<u32> = RunCache::default();
        let shop = TenantId::parse("cache").unwrap();
        let running = (7, RunStatus::Running);
        assert!(cache.get(&shop, &running).is_none());
        cache.put(shop.clone(), running, 1);
        assert_eq!(cache.get(&shop, &running).as_deref(), Some(&1));
        // The same run, finished: its results replaced the previous run's.
        assert!(cache.get(&shop, &(7, RunStatus::Succeeded)).is_none());
        cache.put(shop.clone(), (7, RunStatus::Succeeded), 2);
        assert!(cache.get(&shop, &running).is_none());
        assert_eq!(
            cache.get(&shop, &(7, RunStatus::Succeeded)).as_deref(),
            Some(&2)
        );
    }
}
