//! The instance signing key (CSRF tokens now; signed links and encryption keys later).
//! Generated on first start, never built in. Kept in the OS keyring when one answers, else in
//! `<data>/secrets/signing.key` with mode 0600. Where it lives is recorded in meta.sqlite,
//! so a key that goes missing later is an error, not a silent new key.

use crate::AuthError;
use sr360_core::config::SecretBackend;
use sr360_core::entropy::random_bytes;
use sr360_core::{Entropy, Secret};
use sr360_meta::MetaStore;
use std::io::Write;
use std::path::{Path, PathBuf};

const SETTING: &str = "signing_key_store";
const INSTANCE: &str = "instance_id";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStore {
    Config,
    Keyring,
    File,
}

impl KeyStore {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStore::Config => "config",
            KeyStore::Keyring => "keyring",
            KeyStore::File => "file",
        }
    }
}

fn key_file(data_dir: &Path) -> PathBuf {
    data_dir.join("secrets").join("signing.key")
}

fn read_file(p: &Path) -> Result<Vec<u8>, AuthError> {
    let s = std::fs::read_to_string(p)
        .map_err(|e| AuthError::Key(format!("cannot read {}: {e}", p.display())))?;
    let k = hex::decode(s.trim())
        .map_err(|_| AuthError::Key(format!("{} is not a hex key", p.display())))?;
    if k.len() < 32 {
        return Err(AuthError::Key(format!(
            "{} holds a key shorter than 32 bytes",
            p.display()
        )));
    }
    Ok(k)
}

fn write_file(p: &Path, key: &[u8]) -> Result<(), AuthError> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let err = |e: std::io::Error| AuthError::Key(format!("cannot write {}: {e}", p.display()));
    let dir = p
        .parent()
        .ok_or_else(|| AuthError::Key("key path has no parent".into()))?;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(err)?;
    let tmp = p.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(err)?;
    f.write_all(hex::encode(key).as_bytes()).map_err(err)?;
    f.sync_all().map_err(err)?;
    std::fs::rename(&tmp, p).map_err(err)?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(err)?;
    Ok(())
}

#[cfg(feature = "os-keyring")]
mod os {
    use crate::AuthError;

    fn entry(instance: &str) -> Result<keyring::Entry, AuthError> {
        keyring::Entry::new("smartretail360", &format!("signing-key:{instance}"))
            .map_err(|e| AuthError::Key(e.to_string()))
    }

    // The keyring crate drives D-Bus on its own runtime: keep it off ours.
    fn off_runtime<T: Send + 'static>(
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AuthError> {
        std::thread::spawn(f)
            .join()
            .map_err(|_| AuthError::Key("keyring thread panicked".into()))
    }

    pub fn get(instance: &str) -> Result<Vec<u8>, AuthError> {
        let e = entry(instance)?;
        let s = off_runtime(move || e.get_password())?
            .map_err(|e| AuthError::Key(format!("OS keyring: {e}")))?;
        hex::decode(s.trim())
            .map_err(|_| AuthError::Key("OS keyring entry is not a hex key".into()))
    }

    /// Store and read back; any failure means "no usable keyring here".
    pub fn put(instance: &str, key: &[u8]) -> Result<(), AuthError> {
        let e = entry(instance)?;
        let hexkey = hex::encode(key);
        let back = off_runtime(move || e.set_password(&hexkey).and_then(|_| e.get_password()))?
            .map_err(|e| AuthError::Key(format!("OS keyring: {e}")))?;
        if back.trim() == hex::encode(key) {
            Ok(())
        } else {
            Err(AuthError::Key(
                "OS keyring returned a different value".into(),
            ))
        }
    }
}

#[cfg(not(feature = "os-keyring"))]
mod os {
    use crate::AuthError;
    pub fn get(_: &str) -> Result<Vec<u8>, AuthError> {
        Err(AuthError::Key("built without OS keyring support".into()))
    }
    pub fn put(_: &str, _: &[u8]) -> Result<(), AuthError> {
        Err(AuthError::Key("built without OS keyring support".into()))
    }
}

/// Load the signing key, creating it on first start.
pub fn load_or_create_signing_key(
    meta: &MetaStore,
    data_dir: &Path,
    backend: SecretBackend,
    configured: Option<&Secret<String>>,
    e: &dyn Entropy,
) -> Result<(Secret<Vec<u8>>, KeyStore), AuthError> {
    if let Some(k) = configured {
        return Ok((
            Secret::new(k.expose().as_bytes().to_vec()),
            KeyStore::Config,
        ));
    }
    let instance = match meta.setting(INSTANCE)? {
        Some(i) => i,
        None => {
            let i = hex::encode(random_bytes::<8>(e));
            meta.set_setting(INSTANCE, &i)?;
            i
        }
    };
    let file = key_file(data_dir);
    match meta.setting(SETTING)?.as_deref() {
        Some("keyring") => {
            let k = os::get(&instance).map_err(|err| AuthError::Key(format!("the signing key of this data directory is in the OS keyring, which did not give it: {err}")))?;
            return Ok((Secret::new(k), KeyStore::Keyring));
        }
        Some("file") => return Ok((Secret::new(read_file(&file)?), KeyStore::File)),
        Some(other) => {
            return Err(AuthError::Key(format!(
                "unknown key store {other:?} recorded in meta.sqlite"
            )));
        }
        None => {}
    }
    let key = random_bytes::<32>(e).to_vec();
    let use_keyring = match backend {
        SecretBackend::File => false,
        SecretBackend::Keyring => {
            os::put(&instance, &key)?;
            true
        }
        SecretBackend::Auto => match os::put(&instance, &key) {
            Ok(()) => true,
            Err(err) => {
                tracing::info!(reason = %err, "no usable OS keyring; keeping the signing key in a 0600 file");
                false
            }
        },
    };
    let store = if use_keyring {
        KeyStore::Keyring
    } else {
        write_file(&file, &key)?;
        KeyStore::File
    };
    meta.set_setting(SETTING, store.as_str())?;
    Ok((Secret::new(key), store))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sr360_core::{ManualClock, SeededEntropy};
    use std::os::unix::fs::PermissionsExt;
    use std::sync::Arc;

    #[test]
    fn file_key_is_created_once_0600_and_missing_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let meta = MetaStore::open(
            &dir.path().join("m.sqlite"),
            Arc::new(ManualClock::new(time::OffsetDateTime::UNIX_EPOCH)),
        )
        .unwrap();
        let e = SeededEntropy::new(9);
        let (k1, s1) =
            load_or_create_signing_key(&meta, dir.path(), SecretBackend::File, None, &e).unwrap();
        assert_eq!(s1, KeyStore::File);
        let f = dir.path().join("secrets/signing.key");
        assert_eq!(
            std::fs::metadata(&f).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let (k2, _) =
            load_or_create_signing_key(&meta, dir.path(), SecretBackend::Auto, None, &e).unwrap();
        assert_eq!(k1.expose(), k2.expose());
        std::fs::remove_file(&f).unwrap();
        assert!(
            load_or_create_signing_key(&meta, dir.path(), SecretBackend::File, None, &e).is_err()
        );
    }
}
