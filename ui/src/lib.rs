//! The user interface: Leptos components rendered to HTML on the server, the embedded static
//! assets, and the translations. No WASM and no CDN: every page is complete HTML that works
//! without JavaScript; `assets/app.js` only adds conveniences.
//!
//! Pages take plain view models (below), never domain or HTTP types, so this crate builds
//! without the rest of the product and the web layer stays a thin adapter.

#![recursion_limit = "512"]

rust_i18n::i18n!("locales", fallback = "en");

pub mod assets;
pub mod charts;
pub mod format;
mod icons;
mod layout;
pub mod pages;
mod vm;

pub use layout::{nav_items, render_document};
pub use vm::*;

/// Supported interface languages: (code, native name, right-to-left).
pub const LOCALES: &[(&str, &str, bool)] = &[
    ("en", "English", false),
    ("es", "Español", false),
    ("zh-CN", "简体中文", false),
    ("ar", "العربية", true),
];

/// A supported locale code, or "en".
pub fn normalize_locale(code: &str) -> &'static str {
    LOCALES
        .iter()
        .find(|(c, _, _)| c.eq_ignore_ascii_case(code))
        .map(|(c, _, _)| *c)
        .unwrap_or("en")
}

/// Pick a locale from an `Accept-Language` header.
pub fn locale_from_accept_language(h: &str) -> &'static str {
    for part in h.split(',') {
        let tag = part.split(';').next().unwrap_or("").trim();
        if let Some((c, _, _)) = LOCALES.iter().find(|(c, _, _)| c.eq_ignore_ascii_case(tag)) {
            return c;
        }
        let primary = tag.split('-').next().unwrap_or("");
        if let Some((c, _, _)) = LOCALES.iter().find(|(c, _, _)| {
            c.split('-')
                .next()
                .is_some_and(|p| p.eq_ignore_ascii_case(primary))
        }) {
            return c;
        }
    }
    "en"
}

pub fn is_rtl(locale: &str) -> bool {
    LOCALES.iter().any(|(c, _, rtl)| *c == locale && *rtl)
}

/// Translate a key in a locale.
pub fn tr(locale: &str, key: &str) -> String {
    rust_i18n::t!(key, locale = locale).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn every_locale_has_every_key() {
        let keys = rust_i18n::available_locales!();
        assert!(keys.len() >= 4, "{keys:?}");
        let en_keys: Vec<String> = _rust_i18n_backend_keys("en");
        assert!(en_keys.len() > 50);
        for (loc, _, _) in LOCALES {
            for k in &en_keys {
                let v = tr(loc, k);
                assert!(
                    !v.is_empty() && v != *k && !v.starts_with(&format!("{loc}.")),
                    "{loc} lacks {k}"
                );
            }
        }
        for (loc, _, _) in LOCALES.iter().filter(|(c, _, _)| *c != "en") {
            let own = _rust_i18n_backend_keys(loc);
            let missing: Vec<_> = en_keys.iter().filter(|k| !own.contains(k)).collect();
            assert!(missing.is_empty(), "{loc} is missing {missing:?}");
        }
    }

    fn _rust_i18n_backend_keys(loc: &str) -> Vec<String> {
        let src = match loc {
            "en" => include_str!("../locales/en.yml"),
            "es" => include_str!("../locales/es.yml"),
            "zh-CN" => include_str!("../locales/zh-CN.yml"),
            "ar" => include_str!("../locales/ar.yml"),
            _ => "",
        };
        // Flat "group.key: value" lines under two-level YAML maps.
        let mut keys = Vec::new();
        let mut group = String::new();
        for line in src.lines() {
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let indented = line.starts_with(' ');
            let Some((k, _)) = line.trim().split_once(':') else {
                continue;
            };
            if !indented {
                group = k.to_string();
            } else {
                keys.push(format!("{group}.{k}"));
            }
        }
        keys
    }

    #[test]
    fn accept_language() {
        assert_eq!(locale_from_accept_language("ar-EG,ar;q=0.9,en;q=0.8"), "ar");
        assert_eq!(locale_from_accept_language("zh-CN,zh;q=0.9"), "zh-CN");
        assert_eq!(locale_from_accept_language("fr-FR,de"), "en");
        assert!(is_rtl("ar") && !is_rtl("en"));
    }
}
