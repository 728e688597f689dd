//! Per-tenant warehouse handles, opened once per process and shared.

use crate::{HardenedDb, Limits, SchemaInit, WarehouseError};
use sr360_core::TenantId;
use sr360_meta::TenantScope;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A tenant's warehouse. Only obtainable through [`Warehouses::open`] with a scope.
#[derive(Debug)]
pub struct Warehouse {
    tenant: TenantId,
    /// Kept apart from the connection, so asking for it never waits for a writer.
    root: PathBuf,
    db: Mutex<HardenedDb>,
    /// A second connection used only to open readers, so opening one never waits for the
    /// writer.
    reader_source: Mutex<duckdb::Connection>,
}

impl Warehouse {
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// Run `f` on the writer connection of this tenant's database. Writers take turns; an
    /// ingest holds it for its whole transaction.
    pub fn with_conn<T>(
        &self,
        f: impl FnOnce(&duckdb::Connection) -> Result<T, WarehouseError>,
    ) -> Result<T, WarehouseError> {
        let db = self.db.lock().unwrap_or_else(|p| p.into_inner());
        f(db.conn())
    }

    /// Run `f` on a connection of its own: reads see the last committed state and never wait
    /// for a writer (DuckDB's MVCC), so pages stay fast while an upload is being loaded.
    pub fn with_reader<T>(
        &self,
        f: impl FnOnce(&duckdb::Connection) -> Result<T, WarehouseError>,
    ) -> Result<T, WarehouseError> {
        let conn = self
            .reader_source
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .try_clone()?;
        f(&conn)
    }

    /// The tenant directory this warehouse may touch (warehouse file, objects/).
    pub fn root(&self) -> PathBuf {
        self.root.clone()
    }
}

#[derive(Debug)]
pub struct Warehouses {
    tenants_dir: PathBuf,
    limits: Limits,
    open: Mutex<HashMap<TenantId, Arc<Warehouse>>>,
    schema: Option<SchemaInit>,
}

impl Warehouses {
    pub fn new(data_dir: &Path, limits: Limits) -> Self {
        Self {
            tenants_dir: data_dir.join("tenants"),
            limits,
            open: Mutex::new(HashMap::new()),
            schema: None,
        }
    }

    /// Run `init` on every warehouse when it is first opened (schema version check and
    /// migrations).
    pub fn with_schema(mut self, init: SchemaInit) -> Self {
        self.schema = Some(init);
        self
    }

    /// `tenants/<id>/`: warehouse.duckdb, objects/, tmp/.
    pub fn tenant_dir(&self, t: &TenantId) -> PathBuf {
        self.tenants_dir.join(t.as_str())
    }

    /// Create the tenant's directories and warehouse file.
    pub fn provision(&self, scope: &TenantScope) -> Result<Arc<Warehouse>, WarehouseError> {
        let dir = self.tenant_dir(scope.tenant());
        let objects = dir.join("objects");
        std::fs::create_dir_all(&objects).map_err(|source| WarehouseError::Io {
            path: objects,
            source,
        })?;
        self.open(scope)
    }

    /// The scope's warehouse, opened hardened on first use.
    pub fn open(&self, scope: &TenantScope) -> Result<Arc<Warehouse>, WarehouseError> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(w) = open.get(scope.tenant()) {
            return Ok(w.clone());
        }
        let dir = self.tenant_dir(scope.tenant());
        let db = HardenedDb::open(Some(&dir.join("warehouse.duckdb")), &dir, &self.limits)?;
        if let Some(init) = self.schema {
            init(db.conn(), db.root()).map_err(WarehouseError::Schema)?;
        }
        let reader_source = Mutex::new(db.try_clone()?);
        let w = Arc::new(Warehouse {
            tenant: scope.tenant().clone(),
            root: db.root().to_path_buf(),
            db: Mutex::new(db),
            reader_source,
        });
        open.insert(scope.tenant().clone(), w.clone());
        Ok(w)
    }

    /// Close every open database (checkpointing it), e.g. at shutdown.
    pub fn close_all(&self) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        for (t, w) in open.drain() {
            if let Err(e) = w.with_conn(|c| Ok(c.execute_batch("CHECKPOINT")?)) {
                tracing::warn!(tenant = %t, error = %e, "checkpoint at close failed");
            }
        }
    }
}
