//! Identifiers. A tenant id is also a directory name under `tenants/`, so it is validated
//! strictly: lowercase ASCII letters, digits and single dashes, 2 to 40 characters.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct TenantId(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "tenant id must be 2-40 characters of a-z, 0-9 and single dashes, not starting or ending with a dash"
)]
pub struct TenantIdError;

impl TenantId {
    pub fn parse(s: &str) -> Result<Self, TenantIdError> {
        let ok = (2..=40).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(TenantIdError)
        }
    }

    /// Derive an id from a shop name: "Café Nordic Ltd." -> "caf-nordic-ltd".
    pub fn slugify(name: &str) -> Result<Self, TenantIdError> {
        let mut out = String::new();
        for c in name.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            if out.len() >= 40 {
                break;
            }
        }
        let t = out.trim_matches('-').to_string();
        Self::parse(&t)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for TenantId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        TenantId::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn rejects_paths_and_odd_characters() {
        for bad in [
            "",
            "a",
            "../x",
            "a/b",
            "A-b",
            "x\0y",
            "-ab",
            "ab-",
            "a--b",
            &"a".repeat(41),
        ] {
            assert!(TenantId::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(TenantId::parse("acme-2").unwrap().as_str(), "acme-2");
        assert_eq!(
            TenantId::slugify("Café Nordic Ltd.").unwrap().as_str(),
            "caf-nordic-ltd"
        );
        assert!(TenantId::slugify("!!!").is_err());
    }
}
