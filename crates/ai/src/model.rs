//! The language model's part: when the parser abstains, a local model fills a small JSON
//! form under a grammar built from the query layer's names and the shop's own values, and
//! [`read`] turns that form into a [`Plan`] — or nothing. The model never writes SQL and never
//! writes a number the answer shows: it only picks among names the grammar allows, so a
//! product called "ignore previous instructions" can at most be a filter value.

use crate::dates;
use crate::parse::{Catalog, Found};
use crate::plan::{Figures, Plan};
use sr360_analytics::{Dimension, Filters, Grain, Metric};
use time::Date;

/// A language model that completes a chat under a grammar (llama.cpp in the product, a
/// scripted fake in tests).
pub trait PlanModel: Send + Sync {
    /// Shown with the answer (`model`).
    fn name(&self) -> &str;
    /// The assistant's reply to `system` + `user`, every token allowed by `grammar` (GBNF,
    /// rule `root`).
    fn complete(&self, system: &str, user: &str, grammar: &str) -> Result<String, String>;
}

/// A model whose completions are kept: greedy decoding gives the same output for the same
/// prompt and grammar, and the prompt holds the shop's today and the grammar its names, so a
/// question asked again (by anyone in the shop, until its names or the day change) is answered
/// at once.
pub struct Cached<M> {
    inner: M,
    kept: std::sync::Mutex<lru::LruCache<u64, String>>,
}

impl<M: PlanModel> Cached<M> {
    pub fn new(inner: M, capacity: usize) -> Cached<M> {
        let cap =
            std::num::NonZeroUsize::new(capacity.max(1)).unwrap_or(std::num::NonZeroUsize::MIN);
        Cached {
            inner,
            kept: std::sync::Mutex::new(lru::LruCache::new(cap)),
        }
    }
}

impl<M: PlanModel> PlanModel for Cached<M> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn complete(&self, system: &str, user: &str, grammar: &str) -> Result<String, String> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (system, user, grammar).hash(&mut h);
        let key = h.finish();
        if let Some(v) = self
            .kept
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Ok(v.clone());
        }
        let out = self.inner.complete(system, user, grammar)?;
        self.kept
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .put(key, out.clone());
        Ok(out)
    }
}

/// Values of one kind the grammar offers, at most this many (the most ordered first): the
/// grammar stays small enough to check every token against.
const MAX_VALUES: usize = 60;

/// The periods the form may name, and the English words [`dates::find_all`] reads them with.
const PERIODS: [(&str, &str); 14] = [
    ("today", "today"),
    ("yesterday", "yesterday"),
    ("this_week", "this week"),
    ("last_week", "last week"),
    ("this_month", "this month"),
    ("last_month", "last month"),
    ("this_quarter", "this quarter"),
    ("last_quarter", "last quarter"),
    ("this_year", "this year"),
    ("last_year", "last year"),
    ("last_7_days", "last 7 days"),
    ("last_30_days", "last 30 days"),
    ("last_90_days", "last 90 days"),
    ("last_365_days", "last 365 days"),
];

/// The splits the form may name.
const SPLITS: [(&str, Dimension); 11] = [
    ("category", Dimension::Category),
    ("product", Dimension::Product),
    ("country", Dimension::Country),
    ("region", Dimension::Region),
    ("channel", Dimension::Channel),
    ("weekday", Dimension::Weekday),
    ("hour", Dimension::Hour),
    ("customer_type", Dimension::CustomerType),
    ("day", Dimension::Date(Grain::Day)),
    ("week", Dimension::Date(Grain::Week)),
    ("month", Dimension::Date(Grain::Month)),
];

/// `unknown`: the question is not about the shop's data (the model may abstain too).
const KINDS: [&str; 6] = ["figures", "forecast", "alerts", "churn", "help", "unknown"];

/// A GBNF string literal of `s` as a JSON string (quotes included).
fn literal(s: &str) -> String {
    let json = serde_json::Value::String(s.to_string()).to_string();
    let mut out = String::from("\"");
    for c in json.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// JSON `null` or one of `values` as a JSON string.
fn choice<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let mut alts = vec!["\"null\"".to_string()]; // GBNF for the JSON literal null
    alts.extend(
        values
            .into_iter()
            .filter(|v| !v.is_empty() && !v.chars().any(char::is_control))
            .take(MAX_VALUES)
            .map(literal),
    );
    alts.join(" | ")
}

/// A period found in the question, as the form writes it: `2025-03-01..2025-03-31`.
fn span(r: &sr360_analytics::TimeRange) -> String {
    format!("{}..{}", r.from, r.to)
}

/// The grammar of the form: one JSON object, keys in a fixed order. The kind, metric, order and
/// size are the model's to choose; filters, periods and splits only among what the question
/// names (`found`): a shop value the question does not name, or a period it does not give,
/// cannot be written. A question that names periods gets one of them; with none found, every
/// named period is allowed (the model may know "the past quarter"); with no split named, only
/// a question asking for one ("per …") may split.
pub fn grammar(catalog: &Catalog, found: &Found) -> String {
    let kinds = KINDS.map(literal).join(" | ");
    let metrics = Metric::ALL.map(|m| literal(m.name())).join(" | ");
    let splits = if !found.splits.is_empty() {
        choice(
            SPLITS
                .iter()
                .filter(|s| found.splits.contains(&s.1))
                .map(|s| s.0),
        )
    } else if found.split_cue {
        choice(SPLITS.iter().map(|s| s.0))
    } else {
        choice([])
    };
    let periods = if found.periods.is_empty() {
        format!(
            r#""\"all\"" | {} | "\"" year "\"" | "\"" year "-" month "\"" | "\"" year "-Q" [1-4] "\"""#,
            PERIODS.map(|p| literal(p.0)).join(" | ")
        )
    } else {
        // A question that names its period means it.
        found
            .periods
            .iter()
            .map(|r| literal(&span(r)))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let only = |named: &[String], all: &[String]| {
        choice(all.iter().filter(|v| named.contains(v)).map(String::as_str))
    };
    let f = &found.filters;
    format!(
        r#"root ::= "{{\"kind\": " kind ", \"metric\": " metric ", \"by\": " by ", \"period\": " period ", \"order\": " order ", \"top\": " top ", \"category\": " category ", \"channel\": " channel ", \"country\": " country "}}"
kind ::= {kinds}
metric ::= {metrics}
by ::= {splits}
period ::= {periods}
year ::= [12] [0-9] [0-9] [0-9]
month ::= "0" [1-9] | "1" [0-2]
order ::= "\"most\"" | "\"least\""
top ::= "null" | [1-9] | [1-9] [0-9]
category ::= {}
channel ::= {}
country ::= {}
"#,
        only(&f.category, &catalog.categories),
        only(&f.channel, &catalog.channels),
        only(&f.country, &catalog.countries),
    )
}

/// The instructions, with worked examples in the form the grammar allows.
pub fn system(today: Date) -> String {
    format!(
        "You turn a shop owner's question into a JSON form. Today is {today}.\n\
kind: figures (sales numbers), forecast (future sales), alerts (unusual days), churn (customers about to leave), help (how to use the product), unknown (anything else).\n\
metric: revenue (money, sales, turnover), orders (purchases), units (items sold), aov (average order value, basket size), customers (buyers), new_customers, returning_customers, repeat_purchase_rate, return_rate (refunds), returned_units, gross_margin (profit).\n\
by: how to split the figure, or null for one total. period: all, or one of the periods allowed.\n\
order: most or least. top: how many rows, or null. category, channel, country: only a value the question names, else null.\n\
Examples:\n\
Q: how much money did we take in 2024\n\
A: {{\"kind\": \"figures\", \"metric\": \"revenue\", \"by\": null, \"period\": \"2024-01-01..2024-12-31\", \"order\": \"most\", \"top\": null, \"category\": null, \"channel\": null, \"country\": null}}\n\
Q: number of purchases per country\n\
A: {{\"kind\": \"figures\", \"metric\": \"orders\", \"by\": \"country\", \"period\": \"all\", \"order\": \"most\", \"top\": null, \"category\": null, \"channel\": null, \"country\": null}}\n\
Q: the five least sold products in 2024\n\
A: {{\"kind\": \"figures\", \"metric\": \"units\", \"by\": \"product\", \"period\": \"2024-01-01..2024-12-31\", \"order\": \"least\", \"top\": 5, \"category\": null, \"channel\": null, \"country\": null}}\n\
Q: what will we sell next month\n\
A: {{\"kind\": \"forecast\", \"metric\": \"revenue\", \"by\": null, \"period\": \"all\", \"order\": \"most\", \"top\": null, \"category\": null, \"channel\": null, \"country\": null}}\n\
Q: what is the weather in Paris\n\
A: {{\"kind\": \"unknown\", \"metric\": \"revenue\", \"by\": null, \"period\": \"all\", \"order\": \"most\", \"top\": null, \"category\": null, \"channel\": null, \"country\": null}}"
    )
}

/// The user's turn.
pub fn user(question: &str) -> String {
    format!("Q: {}\nA:", question.trim())
}

#[derive(serde::Deserialize)]
struct Form {
    kind: String,
    metric: String,
    by: Option<String>,
    period: String,
    order: String,
    top: Option<u32>,
    category: Option<String>,
    channel: Option<String>,
    country: Option<String>,
}

/// The form's period as a range (`None`: all the data): named periods through the parser's
/// own date rules, years, months and quarters by the calendar.
fn period(p: &str, today: Date) -> Result<Option<sr360_analytics::TimeRange>, ()> {
    if p == "all" {
        return Ok(None);
    }
    if let Some((a, b)) = p.split_once("..") {
        let day = |d: &str| {
            time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
                .map_err(|_| ())
        };
        return Ok(Some(sr360_analytics::TimeRange {
            from: day(a)?,
            to: day(b)?,
        }));
    }
    if let Some((_, words)) = PERIODS.iter().find(|(k, _)| *k == p) {
        return dates::find_all(words, today)
            .first()
            .map(|f| Some(f.range))
            .ok_or(());
    }
    let year = |y: &str| {
        y.parse::<i32>()
            .ok()
            .filter(|y| (1900..=2200).contains(y))
            .ok_or(())
    };
    let within = |n: &str, most: u8| {
        n.parse::<u8>()
            .ok()
            .filter(|n| (1..=most).contains(n))
            .ok_or(())
    };
    let range = if let Some((y, q)) = p.split_once("-Q") {
        dates::quarter_range(year(y)?, within(q, 4)?)
    } else if let Some((y, m)) = p.split_once('-') {
        dates::month_range(year(y)?, within(m, 12)?)
    } else {
        dates::year_range(year(p)?)
    };
    range.map(Some).ok_or(())
}

/// A filter value the shop really has (the grammar allows only those; checked again).
fn value(v: &Option<String>, values: &[String]) -> Vec<String> {
    let Some(v) = v else { return vec![] };
    values.iter().filter(|x| *x == v).take(1).cloned().collect()
}

/// The model's form as a plan, or `None` when it is not a valid form.
pub fn read(text: &str, today: Date, catalog: &Catalog) -> Option<Plan> {
    let form: Form = serde_json::from_str(text.trim()).ok()?;
    match form.kind.as_str() {
        "forecast" => return Some(Plan::Forecast { days: 14 }),
        "alerts" => return Some(Plan::Alerts),
        "churn" => return Some(Plan::Churn),
        "help" => {
            return Some(Plan::Help {
                topic: "general".into(),
            });
        }
        "figures" => {}
        _ => return None,
    }
    let metric = *Metric::ALL.iter().find(|m| m.name() == form.metric)?;
    let mut f = Figures::new(metric);
    f.by = form
        .by
        .and_then(|b| SPLITS.iter().find(|s| s.0 == b).map(|s| s.1));
    f.range = period(&form.period, today).ok()?;
    f.desc = form.order != "least";
    f.top = form.top.filter(|n| (1..=100).contains(n));
    f.filters = Filters {
        category: value(&form.category, &catalog.categories),
        channel: value(&form.channel, &catalog.channels),
        country: value(&form.country, &catalog.countries),
        ..Filters::default()
    };
    Some(Plan::Figures(f))
}

/// Ask `model` for a plan of `question`: the plan and the model's raw output, or why not.
pub fn plan(
    model: &dyn PlanModel,
    question: &str,
    today: Date,
    catalog: &Catalog,
) -> Result<(Option<Plan>, String), String> {
    let found = crate::parse::found(question, today, catalog);
    let out = model.complete(&system(today), &user(question), &grammar(catalog, &found))?;
    let mut plan = read(&out, today, catalog);
    // What the model's form has no field for, the parser found: countries the shop never sold
    // to, and a share asked for.
    if let Some(Plan::Figures(f)) = &mut plan {
        f.absent = found.absent;
        f.unmatched = found.unmatched;
        f.share = found.share
            && f.metric.is_additive()
            && (!f.filters.is_empty()
                || f.by
                    .is_some_and(|d| !matches!(d, sr360_analytics::Dimension::Date(_))));
    }
    Ok((plan, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2025 - 06 - 18);

    fn catalog() -> Catalog {
        Catalog {
            categories: vec!["Footwear".into(), "Say \"hi\" \\ now".into()],
            channels: vec!["web".into()],
            regions: vec![],
            countries: vec!["DE".into()],
            products: vec![],
        }
    }

    fn form(kind: &str, metric: &str, by: &str, period: &str, extra: &str) -> String {
        format!(
            r#"{{"kind": "{kind}", "metric": "{metric}", "by": {by}, "period": "{period}", "order": "most", "top": null, {extra}}}"#
        )
    }

    #[test]
    fn a_form_becomes_a_plan_of_the_query_layer() {
        let text = form(
            "figures",
            "units",
            "\"category\"",
            "2024-02",
            r#""category": "Footwear", "channel": null, "country": "DE""#,
        );
        let Some(Plan::Figures(f)) = read(&text, TODAY, &catalog()) else {
            panic!("no plan from {text}");
        };
        assert_eq!((f.metric, f.by), (Metric::Units, Some(Dimension::Category)));
        let r = f.range.expect("a range");
        assert_eq!(
            (r.from, r.to),
            (date!(2024 - 02 - 01), date!(2024 - 02 - 29))
        );
        assert_eq!(f.filters.category, ["Footwear"]);
        assert_eq!(f.filters.country, ["DE"]);
        assert!(f.filters.channel.is_empty());
        for (p, from, to) in [
            ("last_month", date!(2025 - 05 - 01), date!(2025 - 05 - 31)),
            ("2024", date!(2024 - 01 - 01), date!(2024 - 12 - 31)),
            ("2024-Q2", date!(2024 - 04 - 01), date!(2024 - 06 - 30)),
        ] {
            let text = form(
                "figures",
                "revenue",
                "null",
                p,
                r#""category": null, "channel": null, "country": null"#,
            );
            let Some(Plan::Figures(f)) = read(&text, TODAY, &catalog()) else {
                panic!("no plan from {text}");
            };
            let r = f.range.expect("a range");
            assert_eq!((r.from, r.to, f.by), (from, to, None), "{p}");
        }
    }

    #[test]
    fn what_the_grammar_does_not_allow_is_no_plan() {
        let no = |t: &str| assert_eq!(read(t, TODAY, &catalog()), None, "{t}");
        no("revenue last month");
        no(&form(
            "figures",
            "profit",
            "null",
            "all",
            r#""category": null, "channel": null, "country": null"#,
        ));
        no(&form(
            "sql",
            "revenue",
            "null",
            "all",
            r#""category": null, "channel": null, "country": null"#,
        ));
        // A name the shop does not have filters nothing rather than inventing a value.
        let text = form(
            "figures",
            "revenue",
            "null",
            "all",
            r#""category": "all shops", "channel": null, "country": null"#,
        );
        let Some(Plan::Figures(f)) = read(&text, TODAY, &catalog()) else {
            panic!("no plan");
        };
        assert!(f.filters.is_empty());
    }

    struct Counting(std::sync::atomic::AtomicUsize);

    impl PlanModel for Counting {
        fn name(&self) -> &str {
            "counting"
        }
        fn complete(&self, _: &str, user: &str, _: &str) -> Result<String, String> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(format!("out for {user}"))
        }
    }

    #[test]
    fn a_completion_is_computed_once_per_prompt_and_grammar() {
        let m = Cached::new(Counting(Default::default()), 8);
        assert_eq!(m.complete("s", "q1", "g"), Ok("out for q1".into()));
        assert_eq!(m.complete("s", "q1", "g"), Ok("out for q1".into()));
        assert_eq!(m.complete("s", "q1", "g2").map(|_| ()), Ok(()));
        assert_eq!(m.complete("s2", "q1", "g").map(|_| ()), Ok(()));
        assert_eq!(m.inner.0.load(std::sync::atomic::Ordering::SeqCst), 3);
    }

    #[test]
    fn the_grammar_allows_only_what_the_question_names() {
        let c = Catalog {
            categories: vec!["Footwear".into(), "Kitchen".into()],
            channels: vec!["web".into()],
            regions: vec![],
            countries: vec!["DE".into(), "FR".into()],
            products: vec![],
        };
        let found =
            crate::parse::found("takings from footwear in Germany in March 2025", TODAY, &c);
        let g = grammar(&c, &found);
        let rule = |name: &str| {
            g.lines()
                .find(|l| l.starts_with(&format!("{name} ::= ")))
                .unwrap_or_default()
                .to_string()
        };
        assert!(
            rule("category").contains("Footwear") && !rule("category").contains("Kitchen"),
            "{g}"
        );
        assert!(
            rule("country").contains("DE") && !rule("country").contains("FR"),
            "{g}"
        );
        assert_eq!(rule("channel"), "channel ::= \"null\"");
        assert!(rule("period").contains("2025-03-01..2025-03-31"), "{g}");
        assert!(!rule("period").contains("last_month"), "{g}");
        assert_eq!(rule("by"), "by ::= \"null\"");
        // A period the form names in that way reads back as the range.
        let text = r#"{"kind": "figures", "metric": "revenue", "by": null, "period": "2025-03-01..2025-03-31", "order": "most", "top": null, "category": "Footwear", "channel": null, "country": "DE"}"#;
        let Some(Plan::Figures(f)) = read(text, TODAY, &c) else {
            panic!("no plan");
        };
        assert_eq!(f.range.map(|r| r.to), Some(date!(2025 - 03 - 31)));
    }

    #[test]
    fn the_grammar_names_every_metric_and_escapes_shop_values() {
        let everything = Found {
            filters: sr360_analytics::Filters {
                category: catalog().categories,
                ..Default::default()
            },
            ..Default::default()
        };
        let g = grammar(&catalog(), &everything);
        for m in Metric::ALL {
            assert!(
                g.contains(&format!("\"\\\"{}\\\"\"", m.name())),
                "{}",
                m.name()
            );
        }
        // A value with quotes and backslashes stays one literal.
        assert!(g.contains(r#""\"Say \\\"hi\\\" \\\\ now\"""#), "{g}");
        assert!(g.starts_with("root ::= "));
    }
}
