//! The lake of raw uploads, through `object_store`: the local file system under the data
//! directory by default, or an S3-compatible bucket by configuration (`storage.kind = "s3"`),
//! so the raw files can live off the machine and be read by other engines.
//!
//! Objects are content-addressed (`<shop>/objects/raw/<aa>/<blake3>`): a file is streamed
//! once into the store under a temporary key while it is hashed, then renamed to its content
//! key, so the same bytes twice are stored once. DuckDB reads local files only (its network
//! access is off), so an ingest of a remote object first fetches it into the shop's tmp
//! directory. Exported reports are small and made here, so they are written in one piece
//! under `<shop>/objects/reports/<aa>/<blake3>`.

use futures::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjPath;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use sr360_core::TenantId;
use sr360_core::config::{Config, StorageKind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

#[derive(Debug, thiserror::Error)]
pub enum ObjectError {
    #[error("object store: {0}")]
    Store(#[from] object_store::Error),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("the file is larger than the limit of {0} bytes")]
    TooLarge(u64),
    #[error("the file is empty")]
    Empty,
}

/// A stored file: its content key, hash and size.
#[derive(Debug, Clone)]
pub struct Stored {
    pub key: String,
    pub hash: String,
    pub bytes: u64,
}

pub struct Objects {
    store: Arc<dyn ObjectStore>,
    /// Where keys live on disk when the store is the local file system.
    local_root: Option<PathBuf>,
}

impl std::fmt::Debug for Objects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Objects")
            .field("store", &self.store.to_string())
            .field("local_root", &self.local_root)
            .finish()
    }
}

/// Parts of 8 MiB: above S3's 5 MiB minimum, small enough to keep memory flat.
const PART: usize = 8 << 20;

impl Objects {
    pub fn from_config(c: &Config) -> Result<Self, ObjectError> {
        match c.storage.kind {
            StorageKind::Local => {
                let root = c.data_dir.join("tenants");
                std::fs::create_dir_all(&root)?;
                Ok(Self {
                    store: Arc::new(LocalFileSystem::new_with_prefix(&root)?),
                    local_root: Some(root),
                })
            }
            StorageKind::S3 => {
                let s = &c.storage.s3;
                let mut b = AmazonS3Builder::from_env()
                    .with_bucket_name(&s.bucket)
                    .with_region(&s.region)
                    .with_allow_http(s.allow_http);
                if !s.endpoint.is_empty() {
                    b = b.with_endpoint(&s.endpoint);
                }
                if let Some(secret) = &s.secret_access_key {
                    b = b
                        .with_access_key_id(&s.access_key_id)
                        .with_secret_access_key(secret.expose());
                }
                Ok(Self {
                    store: Arc::new(b.build()?),
                    local_root: None,
                })
            }
        }
    }

    /// Remove what a killed process left half-written in the local store: files under
    /// `<tenant>/objects/incoming/` not written to for `idle` (an upload in progress writes
    /// every few milliseconds, so this never touches one, even of another process). Returns
    /// how many went. An S3 store keeps nothing there between requests (multipart uploads
    /// are aborted by the bucket's lifecycle rule).
    pub fn sweep_incoming(&self, idle: std::time::Duration) -> usize {
        let Some(root) = &self.local_root else {
            return 0;
        };
        let Ok(tenants) = std::fs::read_dir(root) else {
            return 0;
        };
        let mut removed = 0;
        for t in tenants.flatten() {
            let Ok(files) = std::fs::read_dir(t.path().join("objects").join("incoming")) else {
                continue;
            };
            for f in files.flatten() {
                let stale = f
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|m| m.elapsed().ok())
                    .is_some_and(|age| age >= idle);
                if stale && f.path().is_file() && std::fs::remove_file(f.path()).is_ok() {
                    removed += 1;
                }
            }
        }
        removed
    }

    /// Stream `reader` into the store, refusing more than `max_bytes`; nothing is left
    /// behind when it fails.
    pub async fn put(
        &self,
        tenant: &TenantId,
        random: &str,
        mut reader: impl AsyncRead + Unpin,
        max_bytes: u64,
    ) -> Result<Stored, ObjectError> {
        let incoming = ObjPath::from(format!("{tenant}/objects/incoming/{random}"));
        let mut w =
            WriteMultipart::new_with_chunk_size(self.store.put_multipart(&incoming).await?, PART);
        let mut hasher = blake3::Hasher::new();
        // Large reads: each read of a tokio file is a trip to the blocking pool.
        let mut buf = vec![0u8; 1 << 20];
        let mut total: u64 = 0;
        let read = async {
            loop {
                let n = reader.read(&mut buf).await?;
                if n == 0 {
                    break;
                }
                total += n as u64;
                if total > max_bytes {
                    return Err(ObjectError::TooLarge(max_bytes));
                }
                hasher.update(&buf[..n]);
                w.wait_for_capacity(2).await?;
                w.write(&buf[..n]);
            }
            if total == 0 {
                return Err(ObjectError::Empty);
            }
            Ok(())
        }
        .await;
        if let Err(e) = read {
            let _ = w.abort().await;
            return Err(e);
        }
        w.finish().await?;
        let hash = hasher.finalize().to_hex().to_string();
        let key = format!("{tenant}/objects/raw/{}/{hash}", &hash[..2]);
        let to = ObjPath::from(key.as_str());
        // Same bytes, same key: an object already there is this file.
        if self.store.head(&to).await.is_ok() {
            self.store.delete(&incoming).await?;
        } else {
            self.store.rename(&incoming, &to).await?;
        }
        Ok(Stored {
            key,
            hash,
            bytes: total,
        })
    }

    /// Objects live on this machine's disk, and [`Self::local_copy`] hands out the stored file
    /// itself.
    pub fn is_local(&self) -> bool {
        self.local_root.is_some()
    }

    /// A local file with the object's bytes: the object itself on the local file system,
    /// otherwise a copy fetched into `work` (the caller removes `work`).
    pub async fn local_copy(&self, key: &str, work: &Path) -> Result<PathBuf, ObjectError> {
        if let Some(root) = &self.local_root {
            return Ok(root.join(key));
        }
        tokio::fs::create_dir_all(work).await?;
        let dest = work.join("object");
        let mut f = tokio::fs::File::create(&dest).await?;
        let mut stream = self.store.get(&ObjPath::from(key)).await?.into_stream();
        while let Some(chunk) = stream.next().await {
            f.write_all(&chunk?).await?;
        }
        f.sync_all().await?;
        Ok(dest)
    }

    /// Store a file made here (an exported report) under its content key in `area`; a
    /// store writes a whole object or none.
    pub async fn put_bytes(
        &self,
        tenant: &TenantId,
        area: &str,
        bytes: Vec<u8>,
    ) -> Result<Stored, ObjectError> {
        if bytes.is_empty() {
            return Err(ObjectError::Empty);
        }
        let hash = blake3::hash(&bytes).to_hex().to_string();
        let key = format!("{tenant}/objects/{area}/{}/{hash}", &hash[..2]);
        let total = bytes.len() as u64;
        self.store
            .put(&ObjPath::from(key.as_str()), bytes.into())
            .await?;
        Ok(Stored {
            key,
            hash,
            bytes: total,
        })
    }

    /// A whole (small) object.
    pub async fn get(&self, key: &str) -> Result<Vec<u8>, ObjectError> {
        Ok(self
            .store
            .get(&ObjPath::from(key))
            .await?
            .bytes()
            .await?
            .to_vec())
    }

    pub async fn delete(&self, key: &str) -> Result<(), ObjectError> {
        Ok(self.store.delete(&ObjPath::from(key)).await?)
    }

    /// Remove a file whose record is already gone: a failure leaves only disk space behind,
    /// so it is logged, not reported.
    pub async fn delete_orphan(&self, key: &str) {
        if let Err(e) = self.delete(key).await {
            tracing::warn!(%key, error = %e, "file of a removed record not deleted");
        }
    }

    /// The keys under `prefix` (a shop's objects, for checks and clean-up).
    pub async fn keys(&self, prefix: &str) -> Result<Vec<String>, ObjectError> {
        let p = ObjPath::from(prefix);
        let mut out = Vec::new();
        let mut list = self.store.list(Some(&p));
        while let Some(m) = list.next().await {
            out.push(m?.location.to_string());
        }
        out.sort();
        Ok(out)
    }
}
