//! The deterministic parser: common phrasings in four languages to a [`Plan`], without a
//! model. It runs first; when it abstains it says what it understood, so the answer (or a
//! model, later) can build on that. Names of categories, channels, regions and countries are
//! matched against the shop's own values, so a filter always names something that exists.

use crate::dates;
use crate::plan::{Figures, Plan};
use crate::text::{fold, has, language};
use crate::words::{
    ALERTS, CHANGE, CHURN, CONVERSION, CUSTOMER, CUSTOMERS_PLURAL, DIMENSIONS, FELL, FORECAST,
    GRAINS, GREW, LEAST, METRICS, RANKED_GRAINS, RECOMMEND, SHARE, TOP_CUSTOMERS, TREND,
    UPLOAD_HELP, VERSUS,
};
use sr360_analytics::{Dimension, Metric};
use time::Date;

/// The shop's own values a question may name.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub categories: Vec<String>,
    pub channels: Vec<String>,
    pub regions: Vec<String>,
    /// As stored (ISO codes or names).
    pub countries: Vec<String>,
    /// (SKU, name) of the most ordered products, for questions that name one.
    pub products: Vec<(String, String)>,
}

impl Catalog {
    /// The shop's category, channel, region and country values (up to 500 of each, the
    /// most ordered first).
    pub fn read(s: &sr360_analytics::Session<'_>) -> Result<Catalog, sr360_analytics::QueryError> {
        let values = |d: Dimension| -> Result<Vec<String>, sr360_analytics::QueryError> {
            let mut q = sr360_analytics::Query::new(&[Metric::Orders]);
            q.dimensions = vec![d];
            q.limit = Some(500);
            Ok(s.run(&q)?
                .rows
                .iter()
                .filter_map(|r| r[0].as_str().map(str::to_string))
                .collect())
        };
        let mut q = sr360_analytics::Query::new(&[Metric::Orders]);
        q.dimensions = vec![Dimension::Product];
        q.limit = Some(2000);
        let products = s
            .run(&q)?
            .rows
            .iter()
            .filter_map(|r| Some((r[0].as_str()?.to_string(), r[1].as_str()?.to_string())))
            .collect();
        Ok(Catalog {
            products,
            categories: values(Dimension::Category)?,
            channels: values(Dimension::Channel)?,
            regions: values(Dimension::Region)?,
            countries: values(Dimension::Country)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub plan: Option<Plan>,
    /// The question's language.
    pub lang: &'static str,
    /// What was recognised, for the answer when no plan could be made.
    pub understood: Vec<String>,
    /// Everything the plan needs was in the question (no default, no earlier turn).
    pub sure: bool,
}

/// The first entry of `table` (in the table's order) with a phrase in the question, where
/// that phrase starts, and the phrase.
fn first_match<T: Copy>(
    f: &str,
    table: &[(T, &[&'static str])],
) -> Option<(T, usize, &'static str)> {
    table.iter().find_map(|(t, words)| {
        words
            .iter()
            .filter_map(|w| crate::text::find(f, w).map(|at| (at, *w)))
            .min()
            .map(|(at, w)| (*t, at, w))
    })
}

fn any(f: &str, words: &[&str]) -> bool {
    words.iter().any(|w| has(f, w))
}

/// "top 3", "3 best", "los 5", "前 3", "أفضل 3".
fn top_n(f: &str) -> Option<u32> {
    let w: Vec<&str> = f.split(' ').collect();
    for (i, x) in w.iter().enumerate() {
        let n = |k: usize| {
            w.get(k)
                .and_then(|s| s.parse::<u32>().ok())
                .filter(|n| (1..=100).contains(n))
        };
        if matches!(
            *x,
            "top"
                | "best"
                | "first"
                | "los"
                | "las"
                | "primeros"
                | "mejores"
                | "前"
                | "افضل"
                | "اعلى"
        ) && let Some(n) = n(i + 1)
        {
            return Some(n);
        }
        if let Some(n) = n(i)
            && matches!(
                w.get(i + 1).copied(),
                Some("best" | "top" | "most" | "mejores" | "largest" | "biggest")
            )
        {
            return Some(n);
        }
    }
    None
}

/// Catalog values named in the question, as whole words. A short code ("BY", "IN", "OR", "DE")
/// counts only when written as a code, in capitals: "by" and "in" are words.
fn named<'a>(
    question: &str,
    f: &str,
    values: &'a [String],
    known: &std::collections::HashSet<String>,
) -> Vec<&'a String> {
    let tokens: Vec<&str> = question
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|t| !t.is_empty())
        .collect();
    let mut v: Vec<&String> = values
        .iter()
        .filter(|v| {
            let code = v.chars().count() <= 3;
            if code {
                // A code stored in capitals is matched in capitals ("IN" is Indiana, "in" a
                // word); one stored in lower case ("pos", "web") in any case ("POS").
                let lower = v.chars().all(|c| !c.is_uppercase());
                return tokens
                    .iter()
                    .any(|t| *t == v.as_str() || (lower && t.eq_ignore_ascii_case(v)));
            }
            let fv = fold(v);
            !fv.is_empty() && has(f, &fv)
        })
        .collect();
    if v.is_empty() {
        v = loosely_named(f, values, known);
    }
    // "Home & Kitchen" also contains "Kitchen": keep the longest names only.
    let all = v.clone();
    v.retain(|a| {
        !all.iter()
            .any(|b| b.len() > a.len() && has(&fold(b), &fold(a)))
    });
    v
}

/// A customer's reference in the question: the word after "customer" (in any of the four
/// languages), or a token that looks like an id (letters and digits, at least one digit) or an
/// e-mail address.
fn customer_reference(question: &str) -> Option<String> {
    let tokens: Vec<&str> = question
        .split(|c: char| c.is_whitespace() || matches!(c, '?' | '？' | '؟' | ',' | '，' | '،'))
        .map(|t| {
            t.trim_matches(|c: char| {
                matches!(c, '.' | '"' | '\'' | '“' | '”' | '(' | ')' | '«' | '»')
            })
        })
        .filter(|t| !t.is_empty())
        .collect();
    let id_like = |t: &str| {
        let email = t.contains('@') && t.contains('.');
        t.chars().count() <= 64
            && (email || t.chars().any(|c| c.is_ascii_digit()))
            && t.chars().any(|c| c.is_ascii_alphabetic())
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '@' | '.' | '+'))
    };
    let after_word = tokens.windows(2).find_map(|w| {
        let word = fold(w[0]);
        (CUSTOMER.iter().any(|c| fold(c) == word) && w[1].chars().all(|c| !c.is_whitespace()))
            .then(|| w[1].to_string())
            .filter(|t| id_like(t) || t.contains('@'))
    });
    after_word.or_else(|| {
        tokens
            .iter()
            .find(|t| id_like(t) && (t.contains('@') || !t.chars().all(|c| c.is_ascii_digit())))
            .map(|t| t.to_string())
    })
}

/// The words of the shop's product names (and their singulars), folded.
fn product_words(catalog: &Catalog) -> std::collections::HashSet<String> {
    let mut out = std::collections::HashSet::new();
    for (_, name) in &catalog.products {
        for w in fold(name).split(' ').filter(|w| w.chars().count() >= 3) {
            if let Some(one) = w.strip_suffix('s') {
                out.insert(one.to_string());
            }
            out.insert(format!("{w}s"));
            out.insert(w.to_string());
        }
    }
    out
}

/// Words that say what is asked, never what is sold: a phrase of the question that names a
/// kind of product ("hiking boots", "power banks") is made of other words.
const NOT_PRODUCT_WORDS: &[&str] = &[
    "how",
    "many",
    "much",
    "what",
    "which",
    "who",
    "when",
    "units",
    "unit",
    "sold",
    "sell",
    "sales",
    "revenue",
    "orders",
    "order",
    "did",
    "does",
    "the",
    "and",
    "for",
    "from",
    "last",
    "this",
    "year",
    "month",
    "week",
    "day",
    "days",
    "top",
    "best",
    "most",
    "least",
    "our",
    "products",
    "product",
    "items",
    "item",
    "number",
    "total",
    "returns",
    "returned",
    "share",
    "percentage",
    "average",
    "value",
    "were",
    "was",
    "are",
    "customers",
    "bought",
    "buy",
];

/// Products whose names hold a phrase of the question of two words or more, word for word
/// ("hiking boots" in "Trailhead Waterproof Hiking Boots" and "Granite Peak Hiking Boots"):
/// a kind of product, counted over every product of that kind. The longest phrase that any
/// product holds wins; at most 50 products.
fn products_of_a_kind(f: &str, products: &[(String, String)]) -> Vec<String> {
    let words: Vec<&str> = f.split(' ').collect();
    let usable = |w: &str| w.chars().count() >= 3 && !NOT_PRODUCT_WORDS.contains(&w);
    let singular = |w: &str| w.strip_suffix('s').unwrap_or(w).to_string();
    let names: Vec<(&String, Vec<String>)> = products
        .iter()
        .map(|(sku, n)| (sku, fold(n).split(' ').map(singular).collect()))
        .collect();
    for len in (2..=words.len().min(4)).rev() {
        for start in 0..=words.len() - len {
            let phrase = &words[start..start + len];
            if !phrase.iter().all(|w| usable(w)) {
                continue;
            }
            let phrase: Vec<String> = phrase.iter().map(|w| singular(w)).collect();
            let skus: Vec<String> = names
                .iter()
                .filter(|(_, n)| n.windows(len).any(|win| win == phrase.as_slice()))
                .map(|(sku, _)| (*sku).clone())
                .collect();
            if !skus.is_empty() && skus.len() <= 50 {
                return skus;
            }
        }
    }
    vec![]
}

/// Products the question names: every distinctive word of the product's name (three letters
/// or more) is in the question — as written, in the singular or plural, or one letter off a
/// long word — except at most one (a size such as "Lite" or "XL" is often left out), and at
/// least two words. Only the best-matched products count, and none when more than five tie.
fn products_in(f: &str, products: &[(String, String)]) -> Vec<String> {
    let words: Vec<&str> = f.split(' ').collect();
    let close = |w: &str, n: &str| {
        w == n
            || w.strip_suffix('s') == Some(n)
            || n.strip_suffix('s') == Some(w)
            || (n.chars().count() >= 5
                && w.chars().next() == n.chars().next()
                && crate::text::edits(w, n) <= 1)
    };
    let mut best: Vec<(usize, &String)> = vec![];
    for (sku, name) in products {
        let fname = fold(name);
        let needed: Vec<&str> = fname
            .split(' ')
            .filter(|w| w.chars().count() >= 3)
            .collect();
        let matched = needed
            .iter()
            .filter(|n| words.iter().any(|w| close(w, n)))
            .count();
        if matched >= 2 && matched + 1 >= needed.len() {
            best.push((matched, sku));
        }
    }
    let top = best.iter().map(|b| b.0).max().unwrap_or(0);
    let skus: Vec<String> = best
        .into_iter()
        .filter(|b| b.0 == top)
        .map(|b| b.1.clone())
        .collect();
    if skus.len() > 5 { vec![] } else { skus }
}

/// The shop's names the question holds, as filters: categories, channels and regions by
/// name (also in other words), countries by code or by name in any of the four languages —
/// and the countries it names that the shop never sold to.
fn names_in(question: &str, f: &str, catalog: &Catalog) -> (sr360_analytics::Filters, Vec<String>) {
    let known = product_words(catalog);
    let direct = named(question, f, &catalog.countries, &known)
        .into_iter()
        .cloned()
        .collect();
    let places = crate::places::countries(f, catalog, direct);
    let values = |v: &[String]| {
        named(question, f, v, &known)
            .into_iter()
            .cloned()
            .collect::<Vec<_>>()
    };
    (
        sr360_analytics::Filters {
            category: values(&catalog.categories),
            channel: values(&catalog.channels),
            region: crate::places::regions(f, catalog, values(&catalog.regions)),
            country: places.known,
            sku: {
                let named = products_in(f, &catalog.products);
                if named.is_empty() {
                    products_of_a_kind(f, &catalog.products)
                } else {
                    named
                }
            },
        },
        places.absent,
    )
}

/// What the parser recognises in a question even when it cannot plan it: the shop's names,
/// the periods and the splits it mentions. A model asked to plan the question may only choose
/// among these (see `model::grammar`), so it cannot invent a filter or a period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    pub filters: sr360_analytics::Filters,
    pub periods: Vec<sr360_analytics::TimeRange>,
    pub splits: Vec<Dimension>,
    /// The question asks for a split ("by", "per", "each", "por", "按", "حسب") without naming
    /// one the parser knows.
    pub split_cue: bool,
    /// Countries named that the shop's data does not have (see [`Figures::absent`]).
    pub absent: Vec<String>,
    /// The question asks for a share of a total ("what percentage of", "占比", "نسبة").
    pub share: bool,
    /// Names that match nothing the shop has (see [`Figures::unmatched`]).
    pub unmatched: Vec<String>,
}

pub fn found(question: &str, today: Date, catalog: &Catalog) -> Found {
    let f = fold(question);
    let mut splits: Vec<Dimension> = DIMENSIONS
        .iter()
        .filter(|(_, words)| words.iter().any(|w| has(&f, w)))
        .map(|(d, _)| *d)
        .collect();
    splits.extend(
        GRAINS
            .iter()
            .filter(|(_, words)| words.iter().any(|w| has(&f, w)))
            .map(|(g, _)| Dimension::Date(*g)),
    );
    splits.dedup();
    let (filters, absent) = names_in(question, &f, catalog);
    Found {
        filters,
        absent,
        share: any(&f, SHARE),
        unmatched: crate::unmatched::names(question, catalog),
        periods: dates::find_all(&f, today)
            .into_iter()
            .map(|p| p.range)
            .collect(),
        splits,
        split_cue: any(
            &f,
            &["by", "per", "each", "por", "cada", "按", "每", "حسب", "لكل"],
        ),
    }
}

/// Is the question about the shop at all: a word of trade, a period, or one of the shop's own
/// names? Only such questions are put to the model when the parser abstains.
pub fn about_the_shop(question: &str, today: Date, catalog: &Catalog) -> bool {
    let f = fold(question);
    let words: Vec<&str> = f.split(' ').collect();
    let stem = |s: &&str| {
        if s.chars()
            .any(|c| c.is_ascii_alphabetic() || c.is_alphabetic() && c.is_lowercase())
        {
            if s.contains(' ') {
                has(&f, s)
            } else {
                words.iter().any(|w| w.starts_with(*s))
            }
        } else {
            f.contains(&fold(s))
        }
    };
    crate::words::SHOP_STEMS.iter().any(stem) || !dates::find_all(&f, today).is_empty() || {
        // The product names' words, once for the four kinds of value.
        let known = product_words(catalog);
        [
            &catalog.categories,
            &catalog.channels,
            &catalog.regions,
            &catalog.countries,
        ]
        .iter()
        .any(|v| !named(question, &f, v, &known).is_empty())
    }
}

/// A value named in other words, when exactly one value fits: "&" said as "and" ("home and
/// kitchen"), a typo ("footware", one or two letters off a long word, the first letter right),
/// or the first word of a longer name ("toys" for "Toys & Games"). A word the shop's product
/// names use (`known`) is that word, not a typo ("boots" is not "Books").
fn loosely_named<'a>(
    f: &str,
    values: &'a [String],
    known: &std::collections::HashSet<String>,
) -> Vec<&'a String> {
    let words: Vec<&str> = f.split(' ').filter(|w| w.chars().count() >= 4).collect();
    let fits = |v: &String| {
        let fv = fold(v);
        if fv.chars().count() <= 3 {
            return false;
        }
        let ands = fv.contains('&')
            && ["and", "y", "و", "和"]
                .iter()
                .any(|and| has(f, &fv.replace('&', and)));
        let parts: Vec<&str> = fv.split(' ').filter(|p| *p != "&").collect();
        let close = |w: &str, p: &str| {
            let n = p.chars().count();
            n >= 5
                && w.chars().next() == p.chars().next()
                && crate::text::edits(w, p) <= if n >= 8 { 2 } else { 1 }
        };
        let typo = parts.len() == 1
            && words
                .iter()
                .any(|w| !known.contains(*w) && close(w, parts[0]));
        let first = parts.len() > 1 && words.iter().any(|w| *w == parts[0]);
        ands || typo || first
    };
    let found: Vec<&String> = values.iter().filter(|v| fits(v)).collect();
    if found.len() == 1 { found } else { vec![] }
}

pub fn parse(question: &str, today: Date, catalog: &Catalog, previous: Option<&Plan>) -> Parsed {
    let f = fold(question);
    let lang = language(question);
    let mut understood = vec![];
    let how = any(
        &f,
        &[
            "how do i",
            "how to",
            "how can i",
            "where do i",
            "where can i",
            "cómo",
            "como",
            "dónde",
            "如 何",
            "怎 么",
            "在 哪",
            "كيف",
            "أين",
        ],
    );
    if how && any(&f, UPLOAD_HELP) {
        return Parsed {
            plan: Some(Plan::Help {
                topic: "upload".into(),
            }),
            lang,
            understood,
            sure: true,
        };
    }
    if any(&f, RECOMMEND)
        && let Some(customer) = customer_reference(question)
    {
        return Parsed {
            plan: Some(Plan::Recommend { customer }),
            lang,
            understood,
            sure: true,
        };
    }
    if any(&f, FORECAST) {
        let days = if any(
            &f,
            &[
                "next week",
                "7 days",
                "próxima semana",
                "下 周",
                "الأسبوع القادم",
            ],
        ) {
            7
        } else if any(
            &f,
            &[
                "next month",
                "30 days",
                "próximo mes",
                "下 个 月",
                "الشهر القادم",
            ],
        ) {
            30
        } else {
            14
        };
        return Parsed {
            plan: Some(Plan::Forecast { days }),
            lang,
            understood,
            sure: true,
        };
    }
    if any(&f, CHURN) {
        return Parsed {
            plan: Some(Plan::Churn),
            lang,
            understood,
            sure: true,
        };
    }
    // "What's the conversion rate on mobile last month": the funnel of the web events.
    if any(&f, CONVERSION) {
        let (found, _) = names_in(question, &f, catalog);
        let filters = sr360_analytics::Filters {
            channel: found.channel,
            category: found.category,
            ..Default::default()
        };
        return Parsed {
            plan: Some(Plan::Conversion {
                range: dates::find_all(&f, today).first().map(|p| p.range),
                filters,
            }),
            lang,
            understood,
            sure: true,
        };
    }
    // "who are my top 5 customers": the customers with the most net revenue, not their count.
    // ("top 5 products bought by new customers" ranks products, not people.)
    let other_things = any(
        &f,
        &[
            "product",
            "products",
            "item",
            "items",
            "category",
            "categories",
            "channel",
            "channels",
            "country",
            "countries",
            "region",
            "regions",
            "productos",
            "categorias",
            "产 品",
            "商 品",
            "类 别",
            "منتجات",
            "المنتجات",
            "فئة",
            "الفئات",
        ],
    );
    let ranked_people = !other_things
        && (any(&f, TOP_CUSTOMERS)
            || (top_n(&f).is_some() && any(&f, CUSTOMERS_PLURAL) && !has(&f, "how many")));
    if ranked_people {
        return Parsed {
            plan: Some(Plan::TopCustomers {
                top: top_n(&f).unwrap_or(10),
            }),
            lang,
            understood,
            sure: true,
        };
    }
    if any(&f, ALERTS) {
        return Parsed {
            plan: Some(Plan::Alerts),
            lang,
            understood,
            sure: true,
        };
    }

    let prev = match previous {
        Some(Plan::Figures(p)) => Some(p),
        _ => None,
    };
    let found_metric = first_match(&f, METRICS);
    // "Revenue from returning customers", "the revenue split between new and returning
    // customers": money split by the kind of customer, not a count of them.
    // "The AOV of first-time buyers": another figure, split the same way.
    let kind_of_customer = METRICS
        .iter()
        .filter(|(m, _)| matches!(m, Metric::NewCustomers | Metric::ReturningCustomers))
        .any(|(_, words)| any(&f, words))
        || any(
            &f,
            &[
                "first-time buyers",
                "first time buyers",
                "first-time shoppers",
                "new buyers",
                "repeat customers",
                "repeat buyers",
                "existing customers",
                "returning buyers",
            ],
        );
    let other_figure = matches!(
        found_metric.map(|m| m.0),
        Some(Metric::Aov | Metric::Orders | Metric::Units | Metric::UnitsPerOrder)
    );
    let customers_found = matches!(
        found_metric.map(|m| m.0),
        Some(Metric::NewCustomers | Metric::ReturningCustomers)
    );
    // "What percentage of orders are from new customers": orders, split by kind of customer.
    let orders_of_kind =
        customers_found && any(&f, &["orders", "pedidos", "订 单", "طلبات", "الطلبات"]);
    let by_customer_type = (other_figure && kind_of_customer)
        || orders_of_kind
        || customers_found
            && any(
                &f,
                &[
                    "revenue",
                    "sales",
                    "how much",
                    "spent",
                    "spend",
                    "money",
                    "ingresos",
                    "ventas",
                    "gasto",
                    "收 入",
                    "销 售 额",
                    "营 收",
                    "ايرادات",
                    "الايرادات",
                    "المبيعات",
                ],
            );
    let metric = if orders_of_kind {
        Some(Metric::Orders)
    } else if by_customer_type && !other_figure {
        Some(Metric::Revenue)
    } else {
        found_metric.map(|m| m.0)
    };
    // The split is looked for outside the metric's own words ("how many items" is a count of
    // units, not a split by product).
    let rest = match found_metric {
        Some((_, _, phrase)) => {
            let p = fold(phrase);
            format!(" {f} ")
                .replacen(&format!(" {p} "), " ", 1)
                .trim()
                .to_string()
        }
        None => f.clone(),
    };
    // Country names are names, not splits: "the United States" is not "by state".
    let rest = crate::places::all_names()
        .fold(format!(" {rest} "), |r, n| {
            let n = fold(n);
            r.replace(&format!(" {n} "), " ")
        })
        .trim()
        .to_string();
    let best_selling =
        found_metric.is_some_and(|(_, _, p)| crate::words::BEST_SELLING.contains(&p));
    let trend = any(&rest, TREND);
    let by = by_customer_type
        .then_some(Dimension::CustomerType)
        .or_else(|| first_match(&rest, DIMENSIONS).map(|d| d.0))
        .or_else(|| first_match(&rest, GRAINS).map(|g| Dimension::Date(g.0)))
        // "The best selling pizza": whatever the shop sells, it is a product.
        .or(best_selling.then_some(Dimension::Product))
        // "How are sales trending": the figure over time.
        .or(trend.then_some(Dimension::Date(sr360_analytics::Grain::Month)));
    let periods = dates::find_all(&f, today);
    let (filters, absent) = names_in(question, &f, catalog);

    if let Some(m) = metric {
        understood.push(m.name().to_string());
    }
    if let Some(d) = by {
        understood.push(format!("by {}", d.name()));
    }
    for p in &periods {
        understood.push(format!("{} – {}", p.range.from, p.range.to));
    }

    // A follow-up without a figure of its own continues the previous one.
    let before_words = [
        "before",
        "previous",
        "prior",
        "anterior",
        "之 前",
        "上 一",
        "السابق",
        "الذي قبله",
    ];
    let comparing = any(&f, VERSUS) || any(&f, CHANGE);
    // Stems: "sell", "sold", "vendimos", "ventas", "卖了", "المبيعات".
    let sales_words = ["sell", "sold", "sale", "vend", "venta"];
    let sells = f
        .split(' ')
        .any(|w| sales_words.iter().any(|s| w.starts_with(s)))
        || any(&f, &["卖", "销 售"])
        || f.contains("بيع")
        || f.contains("مبيع");
    // "How many bikes did we sell": a count of what was sold, whatever the shop calls it.
    let sold_count = any(&f, &["how many", "cuántos", "cuántas"])
        && f.split(' ')
            .any(|w| ["sell", "sold", "vend"].iter().any(|s| w.starts_with(s)))
        && matches!(
            found_metric,
            None | Some((Metric::Revenue, _, "sell" | "sold"))
        );
    let metric = if sold_count {
        Some(Metric::Units)
    } else {
        metric
    };
    let ranked_grain = first_match(&f, RANKED_GRAINS).map(|g| g.0);
    let how_did = any(
        &f,
        &[
            "how did",
            "how was",
            "how were",
            "how is",
            "how are",
            "how have",
            "como fue",
            "como fueron",
            "como van",
            "como va",
            "怎 么 样",
            "如 何",
            "كيف",
        ],
    );
    let (metric, sure) = match (metric, prev) {
        (Some(m), _) => (m, true),
        (None, Some(p))
            if !periods.is_empty()
                || by.is_some()
                || !filters.is_empty()
                || !absent.is_empty()
                || any(&f, &before_words) =>
        {
            (p.metric, false)
        }
        // A split, a name, or periods compared without a figure: sales, said so in the answer.
        // "How did Black Friday go", "how was March": a period asked after is its sales.
        (None, None)
            if (!periods.is_empty() && how_did)
                || by.is_some()
                || ranked_grain.is_some()
                || !filters.is_empty()
                || !absent.is_empty()
                || periods.len() >= 2
                || (!periods.is_empty() && (comparing || sells)) =>
        {
            (Metric::Revenue, false)
        }
        _ => {
            return Parsed {
                plan: None,
                lang,
                understood,
                sure: false,
            };
        }
    };
    let mut plan = Figures::new(metric);
    plan.top = top_n(&f);
    // "units of garden products": a category's products are the category, not a ranking of
    // products — unless the question ranks ("top", "which", "best", "per").
    let of_category = by == Some(Dimension::Product)
        && plan.top.is_none()
        && !any(
            &f,
            &["top", "best", "most", "least", "which", "per", "by", "each"],
        )
        && filters.category.iter().any(|c| {
            let c = fold(c);
            ["products", "product", "items", "goods"]
                .iter()
                .any(|w| has(&f, &format!("{c} {w}")))
                || c.split(' ').next().is_some_and(|first| {
                    ["products", "items"]
                        .iter()
                        .any(|w| has(&f, &format!("{first} {w}")))
                })
        });
    plan.by = if of_category { None } else { by };
    // "Revenue of the marketplace channel": one value named, no split of its own dimension.
    if let Some(d) = plan.by
        && filters.on(d).len() == 1
        && plan.top.is_none()
    {
        plan.by = None;
    }
    // "France vs Spain", "web or mobile app": two values of one dimension compared are a split
    // between them ("France and Spain" alone is their sum).
    let which = comparing
        || any(
            &f,
            &["or", "which", "o", "cuál", "qué", "还 是", "哪", "أم", "أي"],
        );
    if plan.by.is_none() && which {
        plan.by = [
            Dimension::Country,
            Dimension::Channel,
            Dimension::Category,
            Dimension::Region,
            Dimension::Product,
        ]
        .into_iter()
        .find(|d| filters.on(*d).len() >= 2);
    }
    // "Which month had the most orders": the months ranked, the best first.
    if plan.by.is_none()
        && let Some(g) = ranked_grain
    {
        plan.by = Some(Dimension::Date(g));
        plan.top = Some(plan.top.unwrap_or(1));
    }
    // "What share of revenue came from Germany": a count's part of its whole.
    // "Percentage" also asks for a change ("by what percentage did revenue grow"): a share
    // is asked when no word of movement and no second period is.
    let moves = CHANGE
        .iter()
        .filter(|w| !SHARE.contains(w) && !matches!(**w, "percentage" | "percent"))
        .any(|w| has(&f, w));
    plan.share = any(&f, SHARE)
        && !moves
        && periods.len() < 2
        && metric.is_additive()
        && (!filters.is_empty() || plan.by.is_some_and(|d| !matches!(d, Dimension::Date(_))));
    // A trend over a short period is drawn day by day.
    if trend
        && plan.by == Some(Dimension::Date(sr360_analytics::Grain::Month))
        && let Some(r) = periods.first().map(|p| p.range)
        && (r.to - r.from).whole_days() < 62
    {
        plan.by = Some(Dimension::Date(sr360_analytics::Grain::Day));
    }
    plan.absent = absent;
    plan.unmatched = crate::unmatched::names(question, catalog);
    plan.filters = filters;
    plan.desc = !any(&f, LEAST);
    // "Between March and May", "from March to May": one span from the first to the last.
    let spans = any(
        &f,
        &[
            "between", "from", "through", "thru", "until", "till", "entre", "desde", "hasta", "从",
            "到", "至", "بين", "من", "حتى", "الى",
        ],
    );
    match periods.as_slice() {
        [a, b] if !comparing && spans => {
            // To the end of the later one ("desde marzo" alone would run to today).
            let (early, late) = if a.range.from <= b.range.from {
                (a, b)
            } else {
                (b, a)
            };
            plan.range = Some(sr360_analytics::TimeRange {
                from: early.range.from,
                to: late.range.to,
            });
        }
        [a, b, ..] if comparing => {
            // The later period is the one asked about; the earlier the base of the change.
            let (late, early) = if a.range.from >= b.range.from {
                (a, b)
            } else {
                (b, a)
            };
            plan.range = Some(late.range);
            plan.versus = Some(early.range);
        }
        [a, ..] => {
            plan.range = Some(a.range);
            if comparing && any(&f, &before_words) {
                plan.versus = Some(dates::before(a.range, a.unit));
            } else if comparing && plan.by.is_none() {
                // "Are sales up compared to last year": this year so far against the same
                // days of last year; on a month's (year's) first day, nothing of it is over
                // yet: last month against the one before.
                match dates::so_far_against(a.range, a.unit, today) {
                    Some((now, then)) => {
                        plan.range = Some(now);
                        plan.versus = Some(then);
                    }
                    None if matches!(
                        a.unit,
                        dates::Unit::Month
                            | dates::Unit::Quarter
                            | dates::Unit::Year
                            | dates::Unit::Week
                    ) =>
                    {
                        plan.versus = Some(dates::before(a.range, a.unit));
                    }
                    None => {}
                }
            }
        }
        [] => {
            if let Some(p) = prev {
                // "and the month before?": the previous question's period, one step back.
                let back = any(&f, &before_words);
                plan.range = match (p.range, back) {
                    (Some(r), true) => Some(dates::before(r, dates::unit_of(r))),
                    (r, _) => r,
                };
                // A question with a figure of its own ("what share of revenue came from
                // Germany") is a new question: a follow-up — without a figure ("by
                // channel?") or saying so ("and orders?", "what about units?") — keeps the
                // previous split and names.
                let continues = !sure
                    || [
                        "and",
                        "what about",
                        "how about",
                        "y",
                        "和",
                        "那",
                        "و",
                        "ماذا عن",
                    ]
                    .iter()
                    .any(|w| f.starts_with(&format!("{} ", fold(w))));
                if continues {
                    if plan.by.is_none() {
                        plan.by = p.by;
                    }
                    if plan.filters.is_empty() && plan.absent.is_empty() {
                        plan.filters = p.filters.clone();
                    }
                }
            }
        }
    }
    // "Which region grew the most (in 2025)": the split ranked by its change against the
    // period before — this year so far against the same days of last year when no period
    // is named.
    let (grew, fell) = (any(&f, GREW), any(&f, FELL));
    if (grew || fell)
        && plan.by.is_some_and(|d| !matches!(d, Dimension::Date(_)))
        && metric != Metric::RepeatPurchaseRate
    {
        plan.by_change = true;
        plan.desc = !fell || grew;
        match periods.as_slice() {
            [] => {
                let last_year = dates::year_range(today.year() - 1);
                let pair = last_year.and_then(|y| {
                    dates::so_far_against(y, dates::Unit::Year, today)
                        .or_else(|| Some((y, dates::before(y, dates::Unit::Year))))
                });
                if let Some((now, then)) = pair {
                    plan.range = Some(now);
                    plan.versus = Some(then);
                }
            }
            [a] => {
                plan.range = Some(a.range);
                plan.versus = Some(dates::before(a.range, a.unit));
            }
            _ => {}
        }
    }
    Parsed {
        plan: Some(Plan::Figures(plan)),
        lang,
        understood,
        sure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2025 - 06 - 18);

    fn catalog() -> Catalog {
        Catalog {
            categories: vec![
                "Footwear".into(),
                "Home & Kitchen".into(),
                "Kitchen".into(),
                "Shoes".into(),
            ],
            channels: vec!["web".into(), "mobile_app".into()],
            regions: vec!["NY".into()],
            countries: vec!["DE".into(), "US".into(), "FR".into()],
            products: vec![
                ("P1".into(), "Urban Loom Relaxed Hoodie Lite".into()),
                ("P2".into(), "Urban Loom Relaxed T-Shirt XL".into()),
                (
                    "P3".into(),
                    "Trailhead Ultralight Resistance Bands II".into(),
                ),
            ],
        }
    }

    fn figures(q: &str) -> Figures {
        match parse(q, TODAY, &catalog(), None).plan {
            Some(Plan::Figures(f)) => f,
            other => panic!("{q}: {other:?}"),
        }
    }

    #[test]
    fn questions_about_the_shop_are_told_from_others() {
        for q in [
            "how did the shop do in spring",
            "what sold best",
            "anything about Footwear",
            "¿qué tal fue el negocio?",
            "生意怎么样",
            "كيف كانت المبيعات",
            "compare 2024 with 2023",
        ] {
            assert!(about_the_shop(q, TODAY, &catalog()), "{q}");
        }
        for q in [
            "tell me a joke",
            "what is the capital of France",
            "what did you do",
            "hola",
            "你好",
            "مرحبا",
        ] {
            assert!(!about_the_shop(q, TODAY, &catalog()), "{q}");
        }
    }

    #[test]
    fn figures_in_four_languages() {
        let f = figures("revenue by category last month vs the month before");
        assert_eq!(
            (f.metric, f.by),
            (Metric::Revenue, Some(Dimension::Category))
        );
        assert_eq!(f.range.map(|r| r.from), Some(date!(2025 - 05 - 01)));
        assert_eq!(f.versus.map(|r| r.from), Some(date!(2025 - 04 - 01)));
        let f = figures("which country brought in the most money in 2024");
        assert_eq!(
            (f.metric, f.by, f.desc),
            (Metric::Revenue, Some(Dimension::Country), true)
        );
        let f = figures("top 3 products by units in June");
        assert_eq!(
            (f.metric, f.by, f.top),
            (Metric::Units, Some(Dimension::Product), Some(3))
        );
        let f = figures("what share of Shoes was refunded");
        assert_eq!(
            (f.metric, f.filters.category.clone()),
            (Metric::ReturnRate, vec!["Shoes".to_string()])
        );
        let f = figures("by what percentage did revenue change from February to March");
        assert_eq!(f.range.map(|r| r.from), Some(date!(2025 - 03 - 01)));
        assert_eq!(f.versus.map(|r| r.from), Some(date!(2025 - 02 - 01)));
        let f = figures("¿Cuántos pedidos hubo en marzo por canal?");
        assert_eq!((f.metric, f.by), (Metric::Orders, Some(Dimension::Channel)));
        let f = figures("ventas en Alemania el año pasado");
        assert_eq!(
            (f.metric, f.filters.country.clone()),
            (Metric::Revenue, vec!["DE".to_string()])
        );
        let f = figures("德国去年的销售额");
        assert_eq!(f.filters.country, vec!["DE".to_string()]);
        let f = figures("ما هي الفئة الأقل مبيعات في 2024");
        assert_eq!(
            (f.metric, f.by, f.desc),
            (Metric::Revenue, Some(Dimension::Category), false)
        );
        let f = figures("revenue of Home & Kitchen by month");
        assert_eq!(f.filters.category, vec!["Home & Kitchen".to_string()]);
        assert_eq!(f.by, Some(Dimension::Date(sr360_analytics::Grain::Month)));
        let f = figures("average order value on mobile_app");
        assert_eq!(
            (f.metric, f.filters.channel.clone()),
            (Metric::Aov, vec!["mobile_app".to_string()])
        );
    }

    #[test]
    fn recommendations_for_a_customer_in_four_languages() {
        for (q, who) in [
            ("what should I recommend to customer c123", "c123"),
            ("Suggest something for C0000001?", "C0000001"),
            ("¿Qué le puedo recomendar al cliente C0000042?", "C0000042"),
            ("给客户 C0000007 推荐什么", "C0000007"),
            ("ماذا أوصي للعميل C0000009", "C0000009"),
            ("recommend products for ann@example.com", "ann@example.com"),
        ] {
            assert_eq!(
                parse(q, TODAY, &catalog(), None).plan,
                Some(Plan::Recommend {
                    customer: who.into()
                }),
                "{q}"
            );
        }
        // Without a customer it is not a recommendation question.
        assert!(!matches!(
            parse("recommend a good month for a sale", TODAY, &catalog(), None).plan,
            Some(Plan::Recommend { .. })
        ));
    }

    #[test]
    fn products_by_their_names() {
        for (q, sku) in [
            (
                "how many Urban Loom Relaxed Hoodies did we sell in 2025",
                "P1",
            ),
            (
                "revenue of the trailhead ultralight resistance bands last month",
                "P3",
            ),
            ("units of Urban Loom Relaxed T-Shirt XL", "P2"),
        ] {
            let Some(Plan::Figures(f)) = parse(q, TODAY, &catalog(), None).plan else {
                panic!("{q}");
            };
            assert_eq!(f.filters.sku, [sku], "{q}");
        }
        // Two words of a name shared by two products: both, not a guess between them.
        let Some(Plan::Figures(f)) = parse("urban loom revenue", TODAY, &catalog(), None).plan
        else {
            panic!("urban loom");
        };
        assert!(
            f.filters.sku.is_empty() || f.filters.sku.len() == 2,
            "{:?}",
            f.filters.sku
        );
    }

    #[test]
    fn compared_to_last_year_alone_is_this_year_so_far_against_the_same_days() {
        let f = figures("are sales up or down compared to last year");
        assert_eq!(f.metric, Metric::Revenue);
        let (r, v) = (f.range.unwrap(), f.versus.unwrap());
        assert_eq!(
            (r.from, r.to),
            (date!(2025 - 01 - 01), date!(2025 - 06 - 17))
        );
        assert_eq!(
            (v.from, v.to),
            (date!(2024 - 01 - 01), date!(2024 - 06 - 17))
        );
        let f = figures("how do orders compare with last month");
        assert_eq!(f.range.unwrap().from, date!(2025 - 06 - 01));
        assert_eq!(f.versus.unwrap().to, date!(2025 - 05 - 17));
        // Last year on its own stays last year.
        let f = figures("revenue last year");
        assert_eq!(f.range.unwrap().from, date!(2024 - 01 - 01));
        assert!(f.versus.is_none());
    }

    #[test]
    fn conversion_is_the_funnel_of_the_web_events() {
        let p = |q: &str| parse(q, TODAY, &catalog(), None).plan;
        match p("what's the conversion rate on web last month") {
            Some(Plan::Conversion { range, filters }) => {
                assert_eq!(range.unwrap().from, date!(2025 - 05 - 01));
                assert_eq!(filters.channel, ["web"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            p("how many visitors convert"),
            Some(Plan::Conversion { range: None, .. })
        ));
        assert!(matches!(
            p("tasa de conversión"),
            Some(Plan::Conversion { .. })
        ));
        assert!(matches!(p("转化率是多少"), Some(Plan::Conversion { .. })));
    }

    #[test]
    fn money_from_new_or_returning_customers_is_split_by_the_kind_of_customer() {
        for q in [
            "how much revenue came from returning customers",
            "what's the revenue split between new and returning customers",
        ] {
            let f = figures(q);
            assert_eq!(
                (f.metric, f.by),
                (Metric::Revenue, Some(Dimension::CustomerType)),
                "{q}"
            );
        }
        assert_eq!(
            figures("how many returning customers last month").metric,
            Metric::ReturningCustomers
        );
        assert_eq!(
            figures("average number of items per order").metric,
            Metric::UnitsPerOrder
        );
        assert_eq!(
            figures("revenue per customer in 2024").metric,
            Metric::RevenuePerCustomer
        );
    }

    #[test]
    fn which_grew_the_most_ranks_a_split_by_its_change() {
        let f = figures("which category grew the most from 2024 to 2025");
        assert!(f.by_change && f.desc);
        assert_eq!(f.by, Some(Dimension::Category));
        assert_eq!(f.range.unwrap().from, date!(2025 - 01 - 01));
        assert_eq!(f.versus.unwrap().from, date!(2024 - 01 - 01));
        let f = figures("which region grew the most");
        assert!(f.by_change);
        assert_eq!(f.range.unwrap().to, date!(2025 - 06 - 17));
        assert_eq!(f.versus.unwrap().to, date!(2024 - 06 - 17));
        let f = figures("which channel declined the most in 2024");
        assert!(f.by_change && !f.desc);
        assert_eq!(f.versus.unwrap().from, date!(2023 - 01 - 01));
    }

    #[test]
    fn between_two_periods_is_one_span() {
        for q in [
            "Between March and May 2025, how much revenue did we make?",
            "revenue from March to May 2025",
            "ventas desde marzo hasta mayo de 2025",
        ] {
            let f = figures(q);
            let r = f.range.unwrap();
            assert_eq!(
                (r.from, r.to),
                (date!(2025 - 03 - 01), date!(2025 - 05 - 31)),
                "{q}"
            );
            assert!(f.versus.is_none(), "{q}");
        }
        // A change between them is still a comparison.
        assert!(
            figures("how did revenue change from March to May 2025")
                .versus
                .is_some()
        );
    }

    #[test]
    fn a_trend_is_the_figure_over_time() {
        use sr360_analytics::Grain;
        let f = figures("how are sales trending");
        assert_eq!(
            (f.metric, f.by),
            (Metric::Revenue, Some(Dimension::Date(Grain::Month)))
        );
        let f = figures("orders trend last month");
        assert_eq!(
            (f.metric, f.by),
            (Metric::Orders, Some(Dimension::Date(Grain::Day)))
        );
        assert_eq!(
            figures("tendencia de ventas").by,
            Some(Dimension::Date(Grain::Month))
        );
    }

    #[test]
    fn the_best_customers_are_a_ranking_of_people_not_a_count() {
        let p = |q: &str| parse(q, TODAY, &catalog(), None).plan;
        for (q, n) in [
            ("who are my top 5 customers", 5),
            ("who are my best customers", 10),
            ("which customers spent the most", 10),
            ("show me the 3 biggest customers", 3),
            ("mis mejores clientes", 10),
            ("前5名客户", 5),
            ("من هم أفضل العملاء", 10),
        ] {
            assert_eq!(p(q), Some(Plan::TopCustomers { top: n }), "{q}");
        }
        for q in [
            "how many customers did we have in 2025",
            "new customers last month",
        ] {
            assert!(matches!(p(q), Some(Plan::Figures(_))), "{q}");
        }
    }

    #[test]
    fn a_kind_of_product_counts_every_product_of_that_kind_and_is_no_typo() {
        let c = Catalog {
            categories: vec!["Books".into(), "Footwear".into()],
            channels: vec![],
            regions: vec![],
            countries: vec![],
            products: vec![
                ("B1".into(), "Trailhead Waterproof Hiking Boots".into()),
                ("B2".into(), "Granite Peak Hiking Boots XL".into()),
                ("S1".into(), "Trailhead Hiking Socks".into()),
                ("K1".into(), "The Hiking Book".into()),
                ("P1".into(), "Voltiq Waterproof Power Bank Mini".into()),
            ],
        };
        let plan = |q: &str| match parse(q, TODAY, &c, None).plan {
            Some(Plan::Figures(f)) => f,
            other => panic!("{q}: {other:?}"),
        };
        let f = plan("how many units of hiking boots did we sell");
        assert_eq!(f.filters.sku, ["B1", "B2"]);
        assert!(
            f.filters.category.is_empty(),
            "boots is not a typo of Books"
        );
        assert_eq!(plan("revenue from power banks").filters.sku, ["P1"]);
        // A category still wins by its name, and a real typo of it still reads as it.
        let f = plan("revenue from books last month");
        assert_eq!(f.filters.category, ["Books"]);
        assert!(f.filters.sku.is_empty(), "{:?}", f.filters.sku);
        assert_eq!(plan("units of footware").filters.category, ["Footwear"]);
    }

    #[test]
    fn names_in_other_words() {
        let c = Catalog {
            categories: vec![
                "Footwear".into(),
                "Home & Kitchen".into(),
                "Toys & Games".into(),
                "Books".into(),
            ],
            ..catalog()
        };
        for (q, want) in [
            ("home and kitchen revenue in 2025", "Home & Kitchen"),
            ("revenue from footware in 2025", "Footwear"),
            ("toys revenue", "Toys & Games"),
        ] {
            let Some(Plan::Figures(f)) = parse(q, TODAY, &c, None).plan else {
                panic!("{q}");
            };
            assert_eq!(f.filters.category, [want], "{q}");
        }
        // Nothing close enough, or more than one name fits: no filter.
        for q in ["revenue from shoes", "orders of booking"] {
            let f = match parse(q, TODAY, &c, None).plan {
                Some(Plan::Figures(f)) => f.filters,
                _ => Default::default(),
            };
            assert!(f.category.is_empty(), "{q}: {f:?}");
        }
    }

    #[test]
    fn short_codes_are_codes_only_in_capitals() {
        let c = Catalog {
            regions: vec!["BY".into(), "OR".into()],
            countries: vec!["IN".into(), "DE".into()],
            ..catalog()
        };
        let f = match parse("top 3 products by units in 2024 or 2025", TODAY, &c, None).plan {
            Some(Plan::Figures(f)) => f,
            other => panic!("{other:?}"),
        };
        assert!(f.filters.is_empty(), "{:?}", f.filters);
        let f = match parse("revenue in BY and DE", TODAY, &c, None).plan {
            Some(Plan::Figures(f)) => f,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            (f.filters.region.clone(), f.filters.country.clone()),
            (vec!["BY".to_string()], vec!["DE".to_string()])
        );
    }

    #[test]
    fn other_kinds_and_follow_ups() {
        let p = |q: &str| parse(q, TODAY, &catalog(), None).plan;
        assert_eq!(
            p("forecast revenue for the next two weeks"),
            Some(Plan::Forecast { days: 14 })
        );
        assert_eq!(p("which customers are about to churn"), Some(Plan::Churn));
        assert_eq!(p("why did orders drop last Tuesday"), Some(Plan::Alerts));
        assert_eq!(
            p("how do I upload a WooCommerce export"),
            Some(Plan::Help {
                topic: "upload".into()
            })
        );
        let first = p("revenue last month").expect("a plan");
        let next = parse("and the month before?", TODAY, &catalog(), Some(&first));
        match next.plan {
            Some(Plan::Figures(f)) => {
                assert_eq!(f.metric, Metric::Revenue);
                assert_eq!(f.range.map(|r| r.from), Some(date!(2025 - 04 - 01)));
            }
            other => panic!("{other:?}"),
        }
        let none = parse("tell me a joke", TODAY, &catalog(), None);
        assert!(none.plan.is_none());
    }
}

#[cfg(test)]
mod phrasings {
    //! Many ways merchants ask the same things (not the API test's wording).
    use super::*;
    use sr360_analytics::Grain;
    use time::macros::date;

    const TODAY: Date = date!(2025 - 06 - 18);

    fn plan(q: &str) -> Figures {
        let c = Catalog {
            categories: vec!["footwear".into(), "apparel".into(), "home & kitchen".into()],
            channels: vec!["web".into(), "marketplace".into(), "pos".into()],
            regions: vec![],
            countries: vec!["DE".into(), "FR".into(), "US".into()],
            products: vec![],
        };
        match parse(q, TODAY, &c, None).plan {
            Some(Plan::Figures(f)) => f,
            other => panic!("{q}: {other:?}"),
        }
    }

    #[test]
    fn metrics_splits_and_periods_in_everyday_words() {
        let cases: Vec<(&str, Metric, Option<Dimension>)> = vec![
            ("how many orders did we get in 2024", Metric::Orders, None),
            ("what were sales in Q3", Metric::Revenue, None),
            (
                "best selling product this year",
                Metric::Units,
                Some(Dimension::Product),
            ),
            (
                "best-selling products last month",
                Metric::Units,
                Some(Dimension::Product),
            ),
            ("average basket last quarter", Metric::Aov, None),
            (
                "sales per channel this year",
                Metric::Revenue,
                Some(Dimension::Channel),
            ),
            (
                "number of new customers by month",
                Metric::NewCustomers,
                Some(Dimension::Date(Grain::Month)),
            ),
            (
                "refund rate by category",
                Metric::ReturnRate,
                Some(Dimension::Category),
            ),
            (
                "which day of the week sells most",
                Metric::Revenue,
                Some(Dimension::Weekday),
            ),
            (
                "busiest hour of the day",
                Metric::Orders,
                Some(Dimension::Hour),
            ),
            (
                "how much did footwear make last month",
                Metric::Revenue,
                None,
            ),
            ("what did we sell yesterday", Metric::Revenue, None),
            ("how many items did we sell in May", Metric::Units, None),
            (
                "what was the best selling pizza in July",
                Metric::Units,
                Some(Dimension::Product),
            ),
            (
                "monthly revenue this year",
                Metric::Revenue,
                Some(Dimension::Date(Grain::Month)),
            ),
            (
                "revenue trend by week",
                Metric::Revenue,
                Some(Dimension::Date(Grain::Week)),
            ),
            (
                "top customers' countries by revenue",
                Metric::Revenue,
                Some(Dimension::Country),
            ),
            (
                "¿cuál fue el producto más vendido el mes pasado?",
                Metric::Units,
                Some(Dimension::Product),
            ),
            (
                "ventas por mes este año",
                Metric::Revenue,
                Some(Dimension::Date(Grain::Month)),
            ),
            (
                "上个月每个渠道的订单数",
                Metric::Orders,
                Some(Dimension::Channel),
            ),
            (
                "去年卖得最好的产品",
                Metric::Units,
                Some(Dimension::Product),
            ),
            ("كم عدد الطلبات الشهر الماضي", Metric::Orders, None),
            (
                "المنتجات الأكثر مبيعا هذا العام",
                Metric::Units,
                Some(Dimension::Product),
            ),
        ];
        let mut wrong = vec![];
        for (q, m, by) in &cases {
            let f = plan(q);
            if (f.metric, f.by) != (*m, *by) {
                wrong.push(format!("{q}: got {:?} by {:?}", f.metric, f.by));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        assert_eq!(
            plan("how much did footwear make last month")
                .filters
                .category,
            vec!["footwear"]
        );
        assert_eq!(
            plan("what were sales in Q3").range.map(|r| r.from),
            Some(date!(2024 - 07 - 01))
        );
        assert_eq!(
            plan("sales on the marketplace in 2024").filters.channel,
            vec!["marketplace"]
        );
    }

    #[test]
    fn comparisons_in_everyday_words() {
        let f = plan("compare this month to last month");
        assert_eq!(f.range.map(|r| r.from), Some(date!(2025 - 06 - 01)));
        assert_eq!(f.versus.map(|r| r.from), Some(date!(2025 - 05 - 01)));
        let f = plan("how did orders in May compare with April?");
        assert_eq!(
            (f.metric, f.range.map(|r| r.from), f.versus.map(|r| r.from)),
            (
                Metric::Orders,
                Some(date!(2025 - 05 - 01)),
                Some(date!(2025 - 04 - 01))
            )
        );
        let f = plan("revenue growth this year vs last year");
        assert_eq!(f.versus.map(|r| r.from), Some(date!(2024 - 01 - 01)));
        let f = plan("ingresos de mayo comparado con abril");
        assert_eq!(f.versus.map(|r| r.from), Some(date!(2025 - 04 - 01)));
    }

    #[test]
    fn shares_of_a_whole_in_four_languages() {
        for q in [
            "what percentage of revenue came from Germany in 2024",
            "qué porcentaje de los ingresos vino de Alemania en 2024",
            "2024年德国的收入占比",
            "ما نسبة الإيرادات من ألمانيا في 2024",
        ] {
            let f = plan(q);
            assert!(f.share, "{q}: {f:?}");
            assert_eq!(f.filters.country, vec!["DE"], "{q}");
            assert_eq!(f.by, None, "{q}");
        }
        let f = plan("share of orders by channel");
        assert!(f.share && f.by == Some(Dimension::Channel), "{f:?}");
        // A rate is not a part of a whole, and a change is not a share.
        assert!(!plan("what share of Footwear was refunded").share);
        assert!(!plan("by what percentage did revenue change from March to April").share);
    }

    #[test]
    fn countries_the_shop_never_sold_to_are_kept_not_dropped() {
        let f = plan("How much did we make from Italy in 2024?");
        assert_eq!(f.absent, vec!["Italy"]);
        assert!(f.filters.country.is_empty());
        let f = plan("pedidos de Suiza");
        assert_eq!(
            (f.metric, f.absent.clone()),
            (Metric::Orders, vec!["Suiza".to_string()])
        );
        // Named alone, with no figure: sales, as for any name.
        assert_eq!(plan("what about Japan").absent, vec!["Japan"]);
    }

    #[test]
    fn one_value_of_a_split_is_a_filter_and_two_compared_are_a_split() {
        let f = plan("how much revenue did the web channel bring in 2024");
        assert_eq!(
            (f.by, f.filters.channel.clone()),
            (None, vec!["web".to_string()])
        );
        let f = plan("sales in France vs Germany in 2024");
        assert_eq!(f.by, Some(Dimension::Country));
        assert_eq!(f.filters.country.len(), 2);
        // "and" adds them up.
        assert_eq!(plan("sales in France and Germany in 2024").by, None);
    }

    #[test]
    fn periods_ranked_by_their_figure() {
        let f = plan("which month of 2024 had the highest revenue");
        assert_eq!(
            (f.by, f.top),
            (Some(Dimension::Date(Grain::Month)), Some(1))
        );
        let f = plan("¿cuál fue el peor mes de 2024 en pedidos?");
        assert_eq!((f.metric, f.desc), (Metric::Orders, false));
        assert_eq!(f.by, Some(Dimension::Date(Grain::Month)));
        // Weekdays stay weekdays.
        assert_eq!(
            plan("which day of the week has the most orders").by,
            Some(Dimension::Weekday)
        );
    }

    #[test]
    fn best_sellers_and_words_typed_without_accents() {
        for q in [
            "what sold best in Footwear",
            "best sellers in Footwear last month",
            "cual fue el producto mas vendido en Footwear",
            "المنتج الاكثر مبيعا في Footwear",
        ] {
            let f = plan(q);
            assert_eq!(
                (f.metric, f.by),
                (Metric::Units, Some(Dimension::Product)),
                "{q}"
            );
            assert_eq!(f.filters.category, vec!["footwear"], "{q}");
        }
        assert_eq!(plan("cuantos pedidos hubo en marzo").metric, Metric::Orders);
        assert_eq!(plan("what did we earn in March").metric, Metric::Revenue);
    }

    #[test]
    fn counts_of_what_was_sold_and_names_the_shop_does_not_have() {
        assert_eq!(
            plan("how many bikes did we sell in 2024").metric,
            Metric::Units
        );
        assert_eq!(
            plan("cuántas bicicletas vendimos en 2024").metric,
            Metric::Units
        );
        assert_eq!(plan("how much did we sell in 2024").metric, Metric::Revenue);
        assert_eq!(
            plan("how many customers did we sell to in 2024").metric,
            Metric::Customers
        );
        let f = plan("best month of 2024");
        assert_eq!(
            (f.metric, f.by),
            (Metric::Revenue, Some(Dimension::Date(Grain::Month)))
        );
        assert_eq!(plan("sales in Ithaca in 2024").unmatched, vec!["Ithaca"]);
        assert_eq!(plan("top 5 models by revenue").by, Some(Dimension::Product));
    }

    #[test]
    fn a_new_question_in_a_conversation_does_not_inherit_the_last_split() {
        let catalog = || Catalog {
            countries: vec!["DE".into()],
            ..Catalog::default()
        };
        let first = parse("top 3 products by units", TODAY, &catalog(), None).plan;
        let next = parse(
            "what share of revenue came from Germany",
            TODAY,
            &catalog(),
            first.as_ref(),
        );
        let Some(Plan::Figures(f)) = next.plan else {
            panic!()
        };
        assert_eq!(f.by, None);
        let next = parse("and orders?", TODAY, &catalog(), first.as_ref());
        let Some(Plan::Figures(f)) = next.plan else {
            panic!()
        };
        assert_eq!((f.metric, f.by), (Metric::Orders, Some(Dimension::Product)));
    }

    #[test]
    fn a_short_value_stored_in_lower_case_is_found_in_capitals() {
        let f = plan("revenue at the POS in 2024");
        assert_eq!(f.filters.channel, vec!["pos"]);
        assert!(plan("revenue in 2024").filters.channel.is_empty());
    }
}
