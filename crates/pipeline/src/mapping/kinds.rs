//! Which kind of data a file is, from evidence. Each kind has needs — columns without which
//! it cannot be that kind — and the values must agree: an order number names one date, a
//! customer list has one row per customer, a product list one row per product. A file of
//! totals per period has no order, product or customer columns. The confidence grows with the
//! supporting columns found beside the needs.

use super::{Entity, assign};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Columns a kind cannot do without: one of `any_of` must be mapped.
pub struct Need {
    pub any_of: &'static [&'static str],
    /// The need in words, for messages ("a price or an amount per row").
    pub what: &'static str,
    /// Needed to suggest the kind from a file, not to load a mapping a person confirmed (a
    /// list of product ids and names is a product list when the merchant says so).
    pub to_suggest_only: bool,
}

impl Need {
    /// A stable name of the need of kind `e`, for translations ("sales_order_date").
    pub fn key(&self, e: Entity) -> String {
        format!("{}_{}", e.key(), self.any_of.first().copied().unwrap_or(""))
    }
}

macro_rules! need {
    ([$($f:literal),*], $w:literal) => { Need { any_of: &[$($f),*], what: $w, to_suggest_only: false } };
    ([$($f:literal),*], $w:literal, suggest) => { Need { any_of: &[$($f),*], what: $w, to_suggest_only: true } };
}

static SALES: &[Need] = &[
    need!(["order_date"], "a date"),
    need!(["unit_price", "line_total"], "a price or an amount per row"),
    need!(
        [
            "order_id",
            "sku",
            "product_name",
            "customer_id",
            "customer_email"
        ],
        "an order number, product or customer per row"
    ),
];
static PERIOD_SALES: &[Need] = &[
    need!(["period"], "a date or period"),
    need!(["amount"], "a sales amount"),
];
static PRODUCTS: &[Need] = &[
    need!(["sku", "name"], "a product id or name"),
    need!(
        [
            "price",
            "category",
            "subcategory",
            "brand",
            "description",
            "cost"
        ],
        "product details such as a price, category or brand",
        suggest
    ),
];
static CUSTOMERS: &[Need] = &[
    need!(["customer_id", "email"], "a customer id or e-mail"),
    need!(
        [
            "email",
            "first_name",
            "last_name",
            "country",
            "region",
            "city",
            "signup_date",
            "phone",
            "address"
        ],
        "customer details such as a name, e-mail, address, country or sign-up date"
    ),
];
static WEB_EVENTS: &[Need] = &[
    need!(["event_time"], "a time"),
    need!(
        ["event_type", "converted"],
        "an event type or a purchase flag"
    ),
    need!(["session_id", "customer_id"], "a session or visitor id"),
];
static PROMOTIONS: &[Need] = &[
    need!(["code"], "a promotion code"),
    need!(["starts_at"], "a start date"),
    need!(["ends_at"], "an end date"),
];

pub fn needs(e: Entity) -> &'static [Need] {
    match e {
        Entity::Sales => SALES,
        Entity::PeriodSales => PERIOD_SALES,
        Entity::Products => PRODUCTS,
        Entity::Customers => CUSTOMERS,
        Entity::WebEvents => WEB_EVENTS,
        Entity::Promotions => PROMOTIONS,
    }
}

/// The needs of `e` that `fields` (field → column), a mapping to load, leave unmet, in words.
pub fn missing(e: Entity, fields: &BTreeMap<String, String>) -> Vec<String> {
    needs(e)
        .iter()
        .filter(|n| !n.to_suggest_only)
        .filter(|n| !n.any_of.iter().any(|f| fields.contains_key(*f)))
        .map(|n| n.what.to_string())
        .collect()
}

/// A kind the file could be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub entity: Entity,
    /// 0..1; 0 when something is missing.
    pub confidence: f64,
    /// Unmet needs and disagreeing values, in words.
    pub missing: Vec<String>,
    /// The evidence found, in words.
    pub why: Vec<String>,
    /// The needs met and the columns that meet them, by key ([`Need::key`]), for pages
    /// that word them in the reader's language.
    #[serde(default)]
    pub met: Vec<Met>,
    /// What `missing` says, by key: unmet needs ([`Need::key`]) and `one_row_customer`,
    /// `one_row_product`, `totals_detail`.
    #[serde(default)]
    pub lacks: Vec<String>,
}

/// A need met by columns of the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Met {
    pub need: String,
    pub columns: Vec<String>,
}

type Assigned = BTreeMap<&'static str, (usize, f64)>;

fn values(rows: &[Vec<String>], ci: usize) -> impl Iterator<Item = &str> {
    rows.iter()
        .filter_map(move |r| r.get(ci).map(|v| v.trim()))
        .filter(|v| !super::is_missing(v))
}

/// Share of distinct values among the present ones (1.0 with fewer than 5).
fn distinct_share(rows: &[Vec<String>], ci: usize) -> f64 {
    let all: Vec<&str> = values(rows, ci).collect();
    if all.len() < 5 {
        return 1.0;
    }
    let set: HashSet<&str> = all.iter().copied().collect();
    set.len() as f64 / all.len() as f64
}

/// Does the column at `id` name rows of several dates (column `date`)? An order number
/// names one date (its returns, rows with a negative `qty`, may come later); a store or
/// product id names many.
fn spans_dates(rows: &[Vec<String>], id: usize, date: usize, qty: Option<usize>) -> bool {
    let mut dates: HashMap<&str, HashSet<&str>> = HashMap::new();
    for r in rows {
        let (Some(k), Some(d)) = (r.get(id), r.get(date)) else {
            continue;
        };
        if qty
            .and_then(|q| r.get(q))
            .is_some_and(|q| q.trim().starts_with('-'))
        {
            continue;
        }
        if super::is_missing(k) || super::is_missing(d) {
            continue;
        }
        let day = d.trim().split([' ', 'T']).next().unwrap_or("");
        dates.entry(k.trim()).or_default().insert(day);
    }
    let repeated: Vec<usize> = dates
        .values()
        .map(HashSet::len)
        .filter(|n| *n >= 1)
        .collect();
    let several = repeated.iter().filter(|n| **n > 1).count();
    !repeated.is_empty() && several as f64 / repeated.len() as f64 > 0.5
}

/// A list (customers, products) has one row per key: the first of `keys` that is mapped
/// must hardly repeat in the sample.
fn one_row_each(
    a: &Assigned,
    keys: [&str; 2],
    what: &str,
    like: &str,
    headers: &[String],
    rows: &[Vec<String>],
    problems: &mut Vec<String>,
) {
    if let Some(&(ci, _)) = a.get(keys[0]).or(a.get(keys[1]))
        && distinct_share(rows, ci) < 0.8
    {
        problems.push(format!(
            "one row per {what} (the values of `{}` repeat, as in {like})",
            headers[ci]
        ));
    }
}

/// Sales columns whose values disagree with their field are let go (with the reason).
fn sales_checks(a: &mut Assigned, headers: &[String], rows: &[Vec<String>], why: &mut Vec<String>) {
    if let (Some(&(id, _)), Some(&(date, _))) = (a.get("order_id"), a.get("order_date"))
        && spans_dates(rows, id, date, a.get("quantity").map(|(q, _)| *q))
    {
        a.remove("order_id");
        why.push(format!(
            "`{}` names rows of several dates, so it is not an order number",
            headers[id]
        ));
    }
}

fn col(a: &Assigned, headers: &[String], f: &str) -> Option<String> {
    a.get(f).map(|(ci, _)| format!("`{}`", headers[*ci]))
}

/// Judge `a`, the columns assigned to `e`'s fields (checks may remove some).
/// The sales reading of a file (its columns as sales fields, checked), which the other kinds
/// are weighed against: rows with a date and a price are sales, not events or a customer list.
pub(super) fn sales_reading(norm: &[String], headers: &[String], rows: &[Vec<String>]) -> Assigned {
    let column = |i: usize| -> Vec<&str> {
        rows.iter()
            .filter_map(|r| r.get(i).map(String::as_str))
            .collect()
    };
    let mut sales = assign(Entity::Sales, norm, &column);
    sales_checks(&mut sales, headers, rows, &mut Vec::new());
    sales
}

pub(super) fn judge(
    e: Entity,
    a: &mut Assigned,
    headers: &[String],
    sales: &Assigned,
    rows: &[Vec<String>],
) -> Candidate {
    let mut why = Vec::new();
    let mut problems = Vec::new();
    let has = |a: &Assigned, f: &str| a.contains_key(f);
    match e {
        Entity::Sales => sales_checks(a, headers, rows, &mut why),
        Entity::Customers => one_row_each(
            a,
            ["customer_id", "email"],
            "customer",
            "orders or events",
            headers,
            rows,
            &mut problems,
        ),
        Entity::Products => one_row_each(
            a,
            ["sku", "name"],
            "product",
            "order lines",
            headers,
            rows,
            &mut problems,
        ),
        Entity::PeriodSales => {
            // Totals have no order, product or customer per row.
            let detail: Vec<String> = [
                "order_id",
                "sku",
                "product_name",
                "customer_id",
                "customer_email",
            ]
            .iter()
            .filter(|f| sales.get(**f).is_some_and(|(_, s)| *s >= 0.65))
            .filter_map(|f| col(sales, headers, f))
            .collect();
            if !detail.is_empty() {
                problems.push(format!(
                    "totals without order, product or customer columns (this file has {})",
                    detail.join(", ")
                ));
            }
        }
        Entity::WebEvents | Entity::Promotions => {}
    }
    let mut missing: Vec<String> = Vec::new();
    let mut need_scores = Vec::new();
    let mut met = Vec::new();
    let mut lacks = Vec::new();
    for n in needs(e) {
        let found: Vec<(&str, usize, f64)> = n
            .any_of
            .iter()
            .filter_map(|f| a.get(*f).map(|(ci, s)| (*f, *ci, *s)))
            .collect();
        match found.iter().map(|x| x.2).reduce(f64::max) {
            Some(best) => {
                need_scores.push(best);
                let cols: Vec<String> = found
                    .iter()
                    .map(|(f, ci, _)| format!("`{}` ({f})", headers[*ci]))
                    .collect();
                why.push(format!("{}: {}", n.what, cols.join(", ")));
                met.push(Met {
                    need: n.key(e),
                    columns: found
                        .iter()
                        .map(|(_, ci, _)| headers[*ci].clone())
                        .collect(),
                });
            }
            None => {
                missing.push(n.what.to_string());
                lacks.push(n.key(e));
            }
        }
    }
    if !problems.is_empty() {
        lacks.push(
            match e {
                Entity::Customers => "one_row_customer",
                Entity::Products => "one_row_product",
                _ => "totals_detail",
            }
            .to_string(),
        );
    }
    missing.extend(problems);
    let count = |fs: &[&str]| fs.iter().filter(|f| has(a, f)).count() as f64;
    let support = match e {
        Entity::Sales => {
            let s = count(&["order_id"])
                + count(&["quantity"])
                + count(&["customer_id", "customer_email"]).min(1.0)
                + count(&["sku", "product_name"]).min(1.0);
            0.6 + 0.1 * s
        }
        Entity::PeriodSales => {
            0.75 + 0.1 * count(&["store", "category", "region", "channel"]).min(2.0)
        }
        Entity::Products => {
            0.7 + 0.1 * count(&["price", "category", "brand", "description", "cost"]).min(3.0)
        }
        Entity::Customers => {
            0.7 + 0.1
                * count(&[
                    "email",
                    "first_name",
                    "last_name",
                    "country",
                    "region",
                    "city",
                    "signup_date",
                    "phone",
                    "address",
                ])
                .min(3.0)
        }
        Entity::WebEvents => 0.8 + 0.1 * count(&["event_type"]) + 0.1 * count(&["session_id"]),
        Entity::Promotions => 1.0,
    };
    // Rows that carry a date and a price (or an order number) are sales; another kind that
    // also fits such a file is the weaker reading.
    let strong = |f: &str| sales.get(f).is_some_and(|(_, s)| *s >= 0.9);
    let priced = sales.contains_key("order_date") && (strong("unit_price") || strong("line_total"));
    let cross = match e {
        Entity::WebEvents | Entity::Customers if priced => {
            why.push("its rows carry dates and prices, as sales do".into());
            0.7
        }
        Entity::Products if priced && strong("order_id") => {
            why.push("its rows carry order numbers, as sales do".into());
            0.7
        }
        _ => 1.0,
    };
    let support = support * cross;
    let confidence = if missing.is_empty() && !need_scores.is_empty() {
        let mean = need_scores.iter().sum::<f64>() / need_scores.len() as f64;
        (mean * support).clamp(0.0, 1.0)
    } else {
        0.0
    };
    Candidate {
        entity: e,
        confidence: (confidence * 100.0).round() / 100.0,
        missing,
        why,
        met,
        lacks,
    }
}
