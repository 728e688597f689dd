//! Static files compiled into the binary. URLs carry a content hash so browsers may cache
//! them forever and a new build is fetched at once.

use rust_embed::Embed;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Embed)]
#[folder = "../assets/"]
struct Files;

pub struct Asset {
    pub body: Cow<'static, [u8]>,
    pub mime: String,
    pub etag: String,
}

fn hashes() -> &'static HashMap<String, String> {
    static H: OnceLock<HashMap<String, String>> = OnceLock::new();
    H.get_or_init(|| {
        Files::iter()
            .filter_map(|name| {
                Files::get(&name)
                    .map(|f| (name.to_string(), hex::encode(&Sha256::digest(&f.data)[..6])))
            })
            .collect()
    })
}

/// `/assets/<name>?v=<hash>` for use in pages.
pub fn url(name: &str) -> String {
    match hashes().get(name) {
        Some(h) => format!("/assets/{name}?v={h}"),
        None => format!("/assets/{name}"),
    }
}

pub fn get(name: &str) -> Option<Asset> {
    let f = Files::get(name)?;
    let etag = hashes().get(name).cloned().unwrap_or_default();
    Some(Asset {
        mime: f.metadata.mimetype().to_string(),
        body: f.data,
        etag,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn css_and_js_are_embedded() {
        assert!(super::get("app.css").is_some_and(|a| a.mime.starts_with("text/css")));
        assert!(super::get("app.js").is_some());
        assert!(super::url("app.css").contains("?v="));
        assert!(super::get("../Cargo.toml").is_none());
    }
}
