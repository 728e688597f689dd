//! Alerts: the unusual days the last model run found, as objects with a stable id and a URL,
//! worded in the reader's language (`src/services/alerts.rs` reads them from a shop). One source for everything that shows them: the
//! dashboard's model card, the notification at the end of a run, the Model status page,
//! `GET /api/v1/alerts`, search, and the copilot when it comes (it will quote `title` and
//! `text` and link `url`, as a person would).

use serde::{Deserialize, Serialize};
use sr360_ml::store::AnomalyRow;
use sr360_ui::format;

/// One unusual day of one daily series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Stable across runs: `anomaly-<series>-<high|low>-<day>`.
    pub id: String,
    /// revenue, orders, returns or conversion.
    pub series: String,
    #[serde(serialize_with = "iso_day", deserialize_with = "day_from_iso")]
    pub day: time::Date,
    pub value: f64,
    /// What the day would have been like: the median of the same weekday.
    pub expected: f64,
    /// Robust z-score (MAD); negative is low.
    pub z: f64,
    /// low, medium or high.
    pub severity: String,
    /// The row on the Model status page.
    pub url: String,
}

/// `2026-03-14`, as a reader and a program expect it.
fn iso_day<S: serde::Serializer>(d: &time::Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

fn day_from_iso<'de, D: serde::Deserializer<'de>>(d: D) -> Result<time::Date, D::Error> {
    let s = String::deserialize(d)?;
    time::Date::parse(
        &s,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(serde::de::Error::custom)
}

/// An alert in words, for one reader.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Worded {
    #[serde(flatten)]
    pub alert: Alert,
    pub title: String,
    pub text: String,
}

impl Alert {
    pub fn from_row(a: &AnomalyRow) -> Alert {
        let id = a.id();
        Alert {
            url: format!("/models#{id}"),
            id,
            series: a.series.clone(),
            day: a.day,
            value: a.value,
            expected: a.expected,
            z: a.z,
            severity: a.severity.clone(),
        }
    }

    pub fn is_low(&self) -> bool {
        self.z < 0.0
    }

    /// The figure in the series' own unit: money, a share, or a count.
    pub fn amount(&self, locale: &str, currency: &str, v: f64) -> String {
        match self.series.as_str() {
            "revenue" => format::money(locale, v, currency),
            "conversion" => format::percent(locale, v),
            _ => format::amount(locale, v),
        }
    }

    /// "Orders unusually high on 25 Mar 2025", in `locale`.
    pub fn title(&self, locale: &str) -> String {
        title(locale, &self.series, self.is_low(), self.day)
    }

    /// Title and sentence in `locale`, amounts in the shop's `currency`.
    pub fn worded(&self, locale: &str, currency: &str) -> Worded {
        let t = |k: &str| sr360_ui::tr(locale, k);
        let severity = t(&format!("models.severity_{}", self.severity));
        let title = self.title(locale);
        let text = t("alerts.text")
            .replace("{value}", &self.amount(locale, currency, self.value))
            .replace("{expected}", &self.amount(locale, currency, self.expected))
            .replace("{z}", &format::number(locale, self.z, 1))
            .replace("{severity}", &severity);
        Worded {
            alert: self.clone(),
            title,
            text,
        }
    }
}

fn title(locale: &str, series: &str, low: bool, day: time::Date) -> String {
    let t = |k: &str| sr360_ui::tr(locale, k);
    t(if low {
        "alerts.title_low"
    } else {
        "alerts.title_high"
    })
    .replace("{what}", &t(&format!("models.s_{series}")))
    .replace("{day}", &format::date(locale, day))
}

/// An alert's title in `locale` from its id alone (search results carry only the id).
pub fn title_of(id: &str, locale: &str) -> Option<String> {
    let rest = id.strip_prefix("anomaly-")?;
    let (head, day) = rest.split_at(rest.len().checked_sub(10)?);
    let day = crate::iso_date(day)?;
    let (series, dir) = head.strip_suffix('-')?.rsplit_once('-')?;
    match dir {
        "low" | "high" => Some(title(locale, series, dir == "low", day)),
        _ => None,
    }
}

/// The shop's alerts from the last run on days within `days` of its data's last day, most
/// severe first, then newest.
pub fn recent(rows: &[AnomalyRow], last_day: Option<time::Date>, days: i64) -> Vec<Alert> {
    let rank = |s: &str| match s {
        "high" => 0,
        "medium" => 1,
        _ => 2,
    };
    let mut out: Vec<Alert> = rows
        .iter()
        .filter(|a| last_day.is_none_or(|l| a.day > l - time::Duration::days(days)))
        .map(Alert::from_row)
        .collect();
    out.sort_by(|a, b| {
        rank(&a.severity)
            .cmp(&rank(&b.severity))
            .then(b.day.cmp(&a.day))
            .then(a.series.cmp(&b.series))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(series: &str, day: time::Date, z: f64, severity: &str) -> AnomalyRow {
        AnomalyRow {
            series: series.into(),
            day,
            value: 120.0,
            expected: 480.5,
            z,
            severity: severity.into(),
        }
    }

    #[test]
    fn alerts_have_stable_ids_and_read_in_the_readers_language() {
        let d = time::macros::date!(2026 - 03 - 14);
        let a = Alert::from_row(&row("revenue", d, -5.1, "high"));
        assert_eq!(a.id, "anomaly-revenue-low-2026-03-14");
        assert_eq!(a.url, "/models#anomaly-revenue-low-2026-03-14");
        assert_eq!(
            title_of(&a.id, "en").as_deref(),
            Some(a.worded("en", "USD").title.as_str())
        );
        assert_eq!(
            title_of(&a.id, "es").as_deref(),
            Some(a.worded("es", "USD").title.as_str())
        );
        assert_eq!(title_of("anomaly-revenue-2026-03-14", "en"), None);
        assert_eq!(title_of("product-1", "en"), None);
        let en = a.worded("en", "USD");
        assert!(
            en.title.contains("Revenue") && en.title.contains("low"),
            "{en:?}"
        );
        assert!(
            en.text.contains("$120") && en.text.contains("5.1"),
            "{en:?}"
        );
        let es = a.worded("es", "EUR");
        assert_ne!(es.title, en.title);
        assert!(es.text.contains("€"), "{es:?}");
        for w in [&en, &es, &a.worded("ar", "USD"), &a.worded("zh-CN", "USD")] {
            assert!(!w.title.contains('{') && !w.text.contains('{'), "{w:?}");
            assert!(!w.title.contains("alerts."), "a missing translation: {w:?}");
        }
    }

    #[test]
    fn recent_alerts_are_the_last_days_most_severe_first() {
        let day = |n: u8| time::Date::from_calendar_date(2026, time::Month::March, n).unwrap();
        let rows = vec![
            row("orders", day(2), 4.0, "high"),
            row("revenue", day(20), -3.6, "low"),
            row("returns", day(18), 5.0, "high"),
            row("revenue", day(19), -4.2, "medium"),
        ];
        let ids: Vec<String> = recent(&rows, Some(day(20)), 7)
            .into_iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(
            ids,
            [
                "anomaly-returns-high-2026-03-18",
                "anomaly-revenue-low-2026-03-19",
                "anomaly-revenue-low-2026-03-20"
            ]
        );
        assert_eq!(
            recent(&rows, None, 7).len(),
            4,
            "no data window: all of them"
        );
    }
}
