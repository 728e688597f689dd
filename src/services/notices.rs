//! Notifications in the reader's language. A notification is stored with its facts (`args`,
//! JSON) beside an English wording; the notification centre words it from the facts for each
//! reader, and falls back to the stored wording for kinds it does not know or rows written
//! before facts were kept.

use sr360_meta::Notification;
use sr360_ui::format;

/// Title and text of `n` in `locale`, amounts in the shop's `currency`.
pub fn worded(n: &Notification, locale: &str, currency: &str) -> (String, String) {
    let stored = || (n.title.clone(), n.body.clone());
    let Some(args) = &n.args else {
        return stored();
    };
    let t = |k: &str| sr360_ui::tr(locale, k);
    let file = args["file"].as_str().unwrap_or_default();
    let count = |k: &str| format::number(locale, args[k].as_f64().unwrap_or(0.0), 0);
    match n.kind.as_str() {
        "upload_succeeded" => (
            t("notify.upload_ok_title").replace("{file}", file),
            t("notify.upload_ok_body")
                .replace("{accepted}", &count("accepted"))
                .replace("{rejected}", &count("rejected")),
        ),
        "upload_failed" => (
            t("notify.upload_failed_title").replace("{file}", file),
            n.body.clone(),
        ),
        "model_run_failed" => (t("notify.run_failed_title"), n.body.clone()),
        "model_run_done" => {
            let to = args["to"]
                .as_str()
                .and_then(|d| {
                    time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
                        .ok()
                })
                .map(|d| format::date(locale, d))
                .unwrap_or_default();
            (
                t("notify.run_done_title"),
                t("notify.run_done_body")
                    .replace("{to}", &to)
                    .replace("{forecasts}", &count("forecasts"))
                    .replace("{segments}", &count("segments"))
                    .replace("{unusual}", &count("unusual")),
            )
        }
        "anomaly" => match serde_json::from_value::<crate::services::alerts::Alert>(args.clone()) {
            Ok(a) => {
                let w = a.worded(locale, currency);
                (w.title, w.text)
            }
            Err(_) => stored(),
        },
        _ => stored(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finished_model_run_is_told_in_the_readers_language() {
        let n = note(
            "model_run_done",
            Some(
                serde_json::json!({"to": "2026-06-30", "forecasts": 12, "segments": 6, "unusual": 2}),
            ),
        );
        let (t, b) = worded(&n, "en", "USD");
        assert_eq!(t, "Forecasts and segments are up to date");
        assert!(
            b.contains("30 Jun 2026") && b.contains("12 forecasts"),
            "{b}"
        );
        let (t, b) = worded(&n, "ar", "USD");
        assert!(t.contains("التوقعات") && b.contains("١٢"), "{t} / {b}");
    }

    #[test]
    fn a_broken_model_run_is_told_in_the_readers_language() {
        let n = note("model_run_failed", Some(serde_json::json!({})));
        assert_eq!(
            worded(&n, "es", "EUR").0,
            "No se pudieron ejecutar los modelos"
        );
        assert_eq!(worded(&n, "es", "EUR").1, "stored body");
    }

    fn note(kind: &str, args: Option<serde_json::Value>) -> Notification {
        Notification {
            id: 1,
            kind: kind.into(),
            title: "stored title".into(),
            body: "stored body".into(),
            link: String::new(),
            created_at: 0,
            read: false,
            args,
        }
    }

    #[test]
    fn notifications_read_in_the_readers_language() {
        let up = note(
            "upload_succeeded",
            Some(serde_json::json!({"file": "orders.csv", "accepted": 12000, "rejected": 3})),
        );
        let (en_t, en_b) = worded(&up, "en", "USD");
        assert!(
            en_t.contains("orders.csv") && en_b.contains("12,000"),
            "{en_t} / {en_b}"
        );
        let (es_t, es_b) = worded(&up, "es", "USD");
        assert!(es_t.contains("orders.csv") && es_t != en_t, "{es_t}");
        assert!(es_b.contains("12.000"), "{es_b}");
        let alert = crate::services::alerts::Alert::from_row(&sr360_ml::store::AnomalyRow {
            series: "revenue".into(),
            day: time::macros::date!(2026 - 03 - 14),
            value: 10.0,
            expected: 400.0,
            z: -6.0,
            severity: "medium".into(),
        });
        let a = note("anomaly", serde_json::to_value(&alert).ok());
        let (ar, _) = worded(&a, "ar", "USD");
        assert_eq!(ar, alert.worded("ar", "USD").title);
        // Unknown kinds and rows without facts keep their stored words.
        assert_eq!(worded(&note("other", None), "es", "USD").0, "stored title");
        assert_eq!(
            worded(
                &note("anomaly", Some(serde_json::json!({"x": 1}))),
                "es",
                "USD"
            )
            .0,
            "stored title"
        );
    }
}
