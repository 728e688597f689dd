//! The audit log in words: each action as a sentence a shop owner reads ("Column mapping
//! remembered"), with its stable code beside it for those who search logs; the command line
//! and the server's own work named as such, not as a user.

use sr360_meta::AuditEntry;
use sr360_ui::PageCtx;
use sr360_ui::pages as ui;

/// The words for an action code, or the code itself for one this build has no words for.
pub fn action(p: &PageCtx, code: &str) -> String {
    let key = format!("audit.a_{code}");
    let w = p.t(&key);
    if w == key || w.is_empty() {
        code.to_string()
    } else {
        w
    }
}

/// Who acted: a user's e-mail as recorded, the command line with its system user, or the
/// server itself.
pub fn actor(p: &PageCtx, actor: &str) -> String {
    if let Some(who) = actor.strip_prefix("cli:") {
        p.t("audit.by_cli").replace("{who}", who)
    } else if actor == sr360_meta::SYSTEM_ACTOR {
        p.t("audit.by_system")
    } else {
        actor.to_string()
    }
}

pub fn rows(p: &PageCtx, entries: Vec<AuditEntry>) -> Vec<ui::AuditRowVm> {
    entries
        .into_iter()
        .map(|r| ui::AuditRowVm {
            at: r.at,
            actor: actor(p, &r.actor),
            action: action(p, &r.action),
            code: r.action,
            target: r.target,
            ip: r.ip,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_and_actors_read_as_words() {
        for lang in ["en", "es", "zh-CN", "ar"] {
            let p = PageCtx::anonymous(lang, String::new(), "/audit");
            for code in [
                "mapping_saved",
                "login_failed",
                "sql_refused",
                "upload_received",
            ] {
                let w = action(&p, code);
                assert!(!w.contains('_') && w != code, "{lang} {code}: {w}");
            }
            assert_eq!(action(&p, "something_new"), "something_new");
            assert!(!actor(&p, sr360_meta::SYSTEM_ACTOR).contains("cli"));
            assert!(actor(&p, "cli:root").contains("root"));
            assert_eq!(actor(&p, "ann@example.com"), "ann@example.com");
        }
    }
}
