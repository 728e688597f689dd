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

    /// WCAG relative luminance of `#rrggbb`.
    fn luminance(hex: &str) -> f64 {
        let c = |i: usize| {
            let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * c(1) + 0.7152 * c(3) + 0.0722 * c(5)
    }

    /// The light theme's status colours (small badges, change arrows) reach WCAG AA (4.5:1)
    /// on every light surface; they were 3.9–4.2:1.
    #[test]
    fn light_status_colours_are_readable_on_every_light_surface() {
        let css = String::from_utf8(super::get("app.css").unwrap().body.to_vec()).unwrap();
        // The first `:root` block is the light theme's.
        let root = &css[css.find(":root {").unwrap()..];
        let light = &root[..root.find('}').unwrap()];
        let var = |name: &str| {
            let at = light.find(&format!("--{name}:")).unwrap() + name.len() + 3;
            light[at..].trim_start()[..7].to_string()
        };
        for fg in ["ok", "warn", "danger"] {
            for bg in ["bg", "surface", "surface-2"] {
                let (a, b) = (luminance(&var(fg)), luminance(&var(bg)));
                let ratio = (a.max(b) + 0.05) / (a.min(b) + 0.05);
                assert!(ratio >= 4.5, "--{fg} on --{bg}: {ratio:.2}:1");
            }
        }
    }
}
