//! The validation report in words: what a file was loaded as, how much, over which dates,
//! how its rows became orders, what each order status counted as, and which columns were not
//! used ("2,466 order lines in 1,652 orders from 2011-01-07 to 2015-12-25: 97 products, 30
//! customers; not used: `frame_material`"). Counted from the staged rows of the upload, so
//! it describes this file, not the whole shop.

use crate::mapping::{Entity, Mapping};
use crate::silver::{NOT_ITEMISED, OrdersFrom, PeriodFacts, SilverResult};
use crate::sqlexpr::lit;
use duckdb::Connection;
use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Summary {
    /// What the file was loaded as ([`Entity::key`]).
    pub kind: String,
    /// Rows loaded (after rejects).
    pub rows: u64,
    pub orders: Option<u64>,
    pub products: Option<u64>,
    pub customers: Option<u64>,
    pub sessions: Option<u64>,
    /// First and last date of the rows, in the shop's time zone (`yyyy-mm-dd`).
    pub from: Option<String>,
    pub to: Option<String>,
    /// Sales: the amount of the rows as loaded (sales less returns, before statuses);
    /// totals: their sum.
    pub amount: Option<f64>,
    /// Sales: rows per status class ([`crate::status::CLASSES`]), when the file has statuses.
    pub statuses: Vec<(String, u64)>,
    pub orders_from: Option<OrdersFrom>,
    pub period: Option<PeriodFacts>,
    pub unused: Vec<String>,
    /// All of it in one English paragraph (the CLI and the API; pages word it themselves).
    pub text: String,
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

type Row = (
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<f64>,
);

fn counts(conn: &Connection, sql: &str) -> Result<Row, duckdb::Error> {
    conn.query_row(sql, [], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
        ))
    })
}

/// Describe the upload staged on `conn` (the temp views of [`crate::silver::merge`]).
pub fn describe(
    conn: &Connection,
    m: &Mapping,
    s: &SilverResult,
    tz: &str,
) -> Result<Summary, duckdb::Error> {
    let day = |c: &str| {
        format!(
            "strftime(timezone({}, min({c})), '%Y-%m-%d'), strftime(timezone({}, max({c})), '%Y-%m-%d')",
            lit(tz),
            lit(tz)
        )
    };
    let mut out = Summary {
        kind: m.entity.key().to_string(),
        orders_from: s.orders_from,
        period: s.period,
        unused: m.unmapped.clone(),
        ..Default::default()
    };
    let (rows, a, b, c, from, to, amount) = match m.entity {
        Entity::Sales => counts(
            conn,
            &format!(
                "SELECT count(*), count(DISTINCT order_id), count(DISTINCT nullif(item, {})), count(DISTINCT customer_key), {}, sum(quantity * unit_price) FROM sale",
                lit(NOT_ITEMISED),
                day("order_date")
            ),
        )?,
        Entity::PeriodSales => counts(
            conn,
            &format!(
                "SELECT count(*), count(DISTINCT store), count(DISTINCT category), NULL, strftime(min(CAST(timezone({t}, period) AS DATE)), '%Y-%m-%d'), strftime(max(CAST(timezone({t}, period) AS DATE)), '%Y-%m-%d'), sum(amount) FROM stage",
                t = lit(tz)
            ),
        )?,
        Entity::Products => counts(
            conn,
            "SELECT count(*), NULL, count(DISTINCT sku), NULL, NULL, NULL, NULL FROM stage",
        )?,
        Entity::Customers => counts(
            conn,
            "SELECT count(*), NULL, NULL, count(DISTINCT customer_key), NULL, NULL, NULL FROM stage",
        )?,
        Entity::WebEvents => counts(
            conn,
            &format!(
                "SELECT count(*), count(DISTINCT coalesce(session_id, concat_ws(' ', customer_id, strftime(timezone({t}, event_time), '%Y-%m-%d')))), NULL, count(DISTINCT customer_id), {}, NULL FROM stage",
                day("event_time"),
                t = lit(tz)
            ),
        )?,
        Entity::Promotions => counts(
            conn,
            "SELECT count(*), NULL, NULL, NULL, NULL, NULL, NULL FROM stage",
        )?,
    };
    out.rows = rows.max(0) as u64;
    out.from = from;
    out.to = to;
    out.amount = amount.map(|x| (x * 100.0).round() / 100.0);
    let n = |v: Option<i64>| v.map(|x| x.max(0) as u64);
    match m.entity {
        Entity::Sales => {
            out.orders = n(a);
            out.products = n(b);
            out.customers = n(c);
        }
        Entity::PeriodSales => {}
        Entity::Products => out.products = n(b),
        Entity::Customers => out.customers = n(c),
        Entity::WebEvents => {
            out.sessions = n(a);
            out.customers = n(c);
        }
        Entity::Promotions => {}
    }
    if m.entity == Entity::Sales && m.fields.contains_key("status") {
        let mut st =
            conn.prepare("SELECT coalesce(status_class, 'none'), count(*) FROM sale GROUP BY 1")?;
        let mut v: Vec<(String, u64)> = st
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })?
            .collect::<Result<_, _>>()?;
        v.sort_by_key(|(k, _)| {
            crate::status::CLASSES
                .iter()
                .position(|c| c == k)
                .unwrap_or(99)
        });
        out.statuses = v;
    }
    let mut period_parts = (None, None);
    if m.entity == Entity::PeriodSales {
        period_parts = (n(a), n(b));
    }
    out.text = words(m.entity, &out, period_parts);
    Ok(out)
}

fn words(e: Entity, s: &Summary, (stores, categories): (Option<u64>, Option<u64>)) -> String {
    let dates = match (&s.from, &s.to) {
        (Some(f), Some(t)) if f == t => format!(" on {f}"),
        (Some(f), Some(t)) => format!(" from {f} to {t}"),
        _ => String::new(),
    };
    let mut text = match e {
        Entity::Sales => {
            let mut t = format!(
                "{} in {}{dates}",
                plural(s.rows, "order line", "order lines"),
                plural(s.orders.unwrap_or(0), "order", "orders")
            );
            let mut parts = Vec::new();
            match s.products {
                Some(0) | None => {
                    parts.push("no products named (sales counted per order)".to_string())
                }
                Some(p) => parts.push(plural(p, "product", "products")),
            }
            match s.customers {
                Some(0) | None => parts.push("no customers named".to_string()),
                Some(c) => parts.push(plural(c, "customer", "customers")),
            }
            t.push_str(&format!(": {}", parts.join(", ")));
            t
        }
        Entity::PeriodSales => {
            let len = match s.period {
                Some(PeriodFacts { days: None, .. }) => "monthly".to_string(),
                Some(PeriodFacts { days: Some(1), .. }) => "daily".to_string(),
                Some(PeriodFacts { days: Some(7), .. }) => "weekly".to_string(),
                Some(PeriodFacts { days: Some(d), .. }) => format!("{d}-day"),
                None => "period".to_string(),
            };
            let mut t = format!(
                "{} of {len} sales totals{dates}",
                plural(s.rows, "row", "rows")
            );
            if let Some(n) = stores.filter(|n| *n > 0) {
                t.push_str(&format!(", {}", plural(n, "store", "stores")));
            }
            if let Some(n) = categories.filter(|n| *n > 0) {
                t.push_str(&format!(
                    ", {}",
                    plural(n, "department or category", "departments or categories")
                ));
            }
            let end = s.period.is_some_and(|p| p.dated_by_end);
            t.push_str(&format!(
                "; each total is spread evenly over the days of its period (dates read as the period's {} day); orders, products and customers are not known from totals",
                if end { "last" } else { "first" }
            ));
            t
        }
        Entity::Products => plural(s.products.unwrap_or(s.rows), "product", "products"),
        Entity::Customers => plural(s.customers.unwrap_or(s.rows), "customer", "customers"),
        Entity::WebEvents => format!(
            "{}{dates} in {} of {}",
            plural(s.rows, "event", "events"),
            plural(s.sessions.unwrap_or(0), "session", "sessions"),
            plural(s.customers.unwrap_or(0), "visitor", "visitors")
        ),
        Entity::Promotions => plural(s.rows, "promotion", "promotions"),
    };
    match s.orders_from {
        Some(OrdersFrom::CustomerAndTime) => {
            text.push_str("; the file has no order numbers: one order per customer and time")
        }
        Some(OrdersFrom::Time) => {
            text.push_str("; the file has no order numbers or customers: one order per time")
        }
        Some(OrdersFrom::Row) => {
            text.push_str("; the file has no order numbers: every row is an order")
        }
        _ => {}
    }
    if !s.statuses.is_empty() {
        let meaning = |c: &str| match c {
            "paid" => "counted",
            "pending" => "not counted until paid",
            "cancelled" => "never counted",
            "refunded" => "counted with their returns",
            "partly_refunded" => "refund amounts returned",
            "other" => "unknown words, counted",
            _ => "no status, counted",
        };
        let parts: Vec<String> = s
            .statuses
            .iter()
            .map(|(c, n)| format!("{} {} ({})", thousands(*n), c.replace('_', " "), meaning(c)))
            .collect();
        text.push_str(&format!("; statuses: {}", parts.join(", ")));
    }
    if !s.unused.is_empty() {
        let cols: Vec<String> = s.unused.iter().map(|c| format!("`{c}`")).collect();
        text.push_str(&format!(
            "; {} not used: {}",
            if cols.len() == 1 {
                "this column was"
            } else {
                "these columns were"
            },
            cols.join(", ")
        ));
    }
    text.push('.');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(2466), "2,466");
        assert_eq!(thousands(1000000), "1,000,000");
        assert_eq!(plural(1, "order", "orders"), "1 order");
    }
}
