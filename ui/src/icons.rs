//! Inline SVG icons (stroke style, currentColor), so no icon font or sprite is fetched.

pub fn icon(name: &str) -> &'static str {
    match name {
        "dashboard" => r#"<path d="M3 13h8V3H3zM13 21h8V11h-8zM3 21h8v-6H3zM13 3v6h8V3z"/>"#,
        "upload" => r#"<path d="M12 16V4M6 10l6-6 6 6M4 20h16"/>"#,
        "history" => r#"<path d="M3 12a9 9 0 1 0 3-6.7L3 8M3 3v5h5M12 7v5l3 3"/>"#,
        "charts" => r#"<path d="M4 20V10M10 20V4M16 20v-7M22 20H2"/>"#,
        "funnel" => r#"<path d="M3 4h18l-7 9v6l-4 2v-8z"/>"#,
        "segments" => {
            r#"<circle cx="8" cy="9" r="4"/><circle cx="17" cy="15" r="4"/><path d="M3 21c0-3 2-5 5-5"/>"#
        }
        "forecast" => r#"<path d="M3 17l5-5 4 3 8-8M14 7h6v6"/>"#,
        "recs" => r#"<path d="M12 2l3 7h7l-5.5 4.5L18.5 21 12 16.5 5.5 21l2-7.5L2 9h7z"/>"#,
        "search" => r#"<circle cx="11" cy="11" r="7"/><path d="M21 21l-4.3-4.3"/>"#,
        "mic" => {
            r#"<path d="M12 3a3 3 0 0 1 3 3v6a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3z"/><path d="M5 11a7 7 0 0 0 14 0M12 18v3"/>"#
        }
        "copilot" => r#"<path d="M4 5h16v11H8l-4 4z"/><path d="M8 10h.01M12 10h.01M16 10h.01"/>"#,
        "reports" => r#"<path d="M6 2h9l5 5v15H6z"/><path d="M14 2v6h6M9 13h7M9 17h7"/>"#,
        "bell" => r#"<path d="M6 8a6 6 0 1 1 12 0c0 7 3 8 3 8H3s3-1 3-8M10 20a2 2 0 0 0 4 0"/>"#,
        "models" => {
            r#"<path d="M12 2l9 5v10l-9 5-9-5V7z"/><path d="M12 12l9-5M12 12v10M12 12L3 7"/>"#
        }
        "audit" => {
            r#"<path d="M9 11l3 3 8-8"/><path d="M20 12v7a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h9"/>"#
        }
        "users" => {
            r#"<circle cx="9" cy="8" r="4"/><path d="M2 21c0-4 3-6 7-6s7 2 7 6M16 4a4 4 0 0 1 0 8M22 21c0-3-2-5-4-6"/>"#
        }
        "card" => r#"<rect x="2" y="5" width="20" height="14" rx="2"/><path d="M2 10h20"/>"#,
        "settings" => {
            r#"<circle cx="12" cy="12" r="3"/><path d="M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z"/>"#
        }
        "help" => {
            r#"<circle cx="12" cy="12" r="9"/><path d="M9.1 9a3 3 0 0 1 5.8 1c0 2-3 3-3 3M12 17h.01"/>"#
        }
        "shield" => r#"<path d="M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z"/>"#,
        "menu" => r#"<path d="M3 6h18M3 12h18M3 18h18"/>"#,
        "logout" => r#"<path d="M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9"/>"#,
        "hourglass" => {
            r#"<path d="M6 2h12M6 22h12M7 2c0 5 10 7 10 10S7 17 7 22M17 2c0 5-10 7-10 10s10 5 10 10"/>"#
        }
        _ => r#"<circle cx="12" cy="12" r="9"/>"#,
    }
}

pub fn svg(name: &str, class: &str) -> String {
    format!(
        r#"<svg class="{class}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">{}</svg>"#,
        icon(name)
    )
}

pub const LOGO: &str = r##"<svg viewBox="0 0 32 32" aria-hidden="true" focusable="false"><rect width="32" height="32" rx="8" fill="#3b5bdb"/><path d="M8 22V14M13 22V10M18 22V16M23 22V8" stroke="#fff" stroke-width="3" stroke-linecap="round"/></svg>"##;
