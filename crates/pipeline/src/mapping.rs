//! Column mapping: which column of a merchant's file is which field of the canonical model.
//! Suggested from header names (with the synonyms of Shopify, WooCommerce and classic
//! invoice-line exports) and checked against the values (an e-mail column holds e-mails, a
//! quantity column integers), then confirmed or edited by the merchant and saved per shape.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The kind of table a file is mapped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    /// Order lines, possibly carrying customer and product columns too.
    Sales,
    Products,
    Customers,
    WebEvents,
    Promotions,
}

impl Entity {
    pub const ALL: [Entity; 5] = [
        Entity::Sales,
        Entity::Products,
        Entity::Customers,
        Entity::WebEvents,
        Entity::Promotions,
    ];
}

/// What values a field holds, for checking a suggestion against the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Id,
    Integer,
    Number,
    Money,
    Timestamp,
    Email,
}

pub struct FieldSpec {
    pub name: &'static str,
    pub entity: Entity,
    pub kind: Kind,
    pub required: bool,
    /// Normalised header names that mean this field.
    pub synonyms: &'static [&'static str],
}

macro_rules! f {
    ($e:ident, $n:literal, $k:ident, $r:literal, [$($s:literal),* $(,)?]) => {
        FieldSpec { name: $n, entity: Entity::$e, kind: Kind::$k, required: $r, synonyms: &[$($s),*] }
    };
}

/// The canonical fields. Order matters only for display.
pub static FIELDS: &[FieldSpec] = &[
    f!(
        Sales,
        "order_id",
        Id,
        true,
        [
            "order_id",
            "order",
            "order_number",
            "order_no",
            "name",
            "invoiceno",
            "invoice_no",
            "invoice",
            "invoice_number",
            "transaction_id",
            "orderid"
        ]
    ),
    f!(
        Sales,
        "order_date",
        Timestamp,
        true,
        [
            "order_date",
            "created_at",
            "invoicedate",
            "invoice_date",
            "date",
            "paid_at",
            "order_created",
            "purchase_date",
            "timestamp",
            "transaction_date",
            "sale_date",
            "date_paid",
            "order_date_time"
        ]
    ),
    // A separate time-of-day column (Square, many POS exports): joined to the date.
    f!(
        Sales,
        "order_time",
        Text,
        false,
        [
            "time",
            "order_time",
            "sale_time",
            "time_of_sale",
            "transaction_time"
        ]
    ),
    f!(
        Sales,
        "sku",
        Id,
        false,
        [
            "sku",
            "lineitem_sku",
            "stockcode",
            "stock_code",
            "product_id",
            "item",
            "item_sku",
            "productid",
            "variant_sku",
            "item_id"
        ]
    ),
    f!(
        Sales,
        "product_name",
        Text,
        false,
        [
            "lineitem_name",
            "description",
            "product_name",
            "item_name",
            "product",
            "title",
            "product_title",
            "item"
        ]
    ),
    f!(
        Sales,
        "category",
        Text,
        false,
        [
            "category",
            "product_category",
            "product_type",
            "lineitem_category",
            "department"
        ]
    ),
    f!(
        Sales,
        "quantity",
        Integer,
        true,
        [
            "quantity",
            "qty",
            "lineitem_quantity",
            "quantity_refund",
            "units",
            "item_quantity",
            "amount"
        ]
    ),
    f!(
        Sales,
        "unit_price",
        Money,
        true,
        [
            "unit_price",
            "unitprice",
            "lineitem_price",
            "price",
            "item_cost",
            "item_price",
            "sale_price",
            "price_each"
        ]
    ),
    // A line total instead of a unit price: the unit price becomes total / quantity.
    f!(
        Sales,
        "line_total",
        Money,
        false,
        [
            "line_total",
            "lineitem_total",
            "item_total",
            "gross_sales",
            "total_price",
            "line_amount",
            "extended_price"
        ]
    ),
    f!(
        Sales,
        "customer_id",
        Id,
        false,
        [
            "customer_id",
            "customerid",
            "customer_user_id",
            "customer",
            "client_id",
            "user_id",
            "buyer",
            "buyer_id",
            "buyer_user_id",
            "buyer_username"
        ]
    ),
    f!(
        Sales,
        "customer_email",
        Email,
        false,
        [
            "email",
            "customer_email",
            "billing_email",
            "e_mail",
            "buyer_email"
        ]
    ),
    f!(
        Sales,
        "country",
        Text,
        false,
        [
            "country",
            "billing_country",
            "shipping_country",
            "country_code",
            "ship_country",
            "ship_to_country"
        ]
    ),
    f!(
        Sales,
        "region",
        Text,
        false,
        [
            "region",
            "billing_province",
            "shipping_province",
            "province",
            "state",
            "billing_state",
            "ship_state",
            "shipping_state"
        ]
    ),
    f!(
        Sales,
        "city",
        Text,
        false,
        ["city", "billing_city", "shipping_city", "ship_city"]
    ),
    f!(
        Sales,
        "channel",
        Text,
        false,
        [
            "channel",
            "source",
            "sales_channel",
            "order_source",
            "utm_source"
        ]
    ),
    f!(
        Sales,
        "currency",
        Text,
        false,
        ["currency", "currency_code"]
    ),
    f!(
        Sales,
        "discount_code",
        Text,
        false,
        [
            "discount_code",
            "coupon",
            "coupon_code",
            "promo_code",
            "coupons"
        ]
    ),
    f!(
        Sales,
        "status",
        Text,
        false,
        ["financial_status", "status", "order_status"]
    ),
    f!(
        Products,
        "sku",
        Id,
        true,
        [
            "sku",
            "product_id",
            "id",
            "stockcode",
            "item_id",
            "variant_sku"
        ]
    ),
    f!(
        Products,
        "name",
        Text,
        true,
        ["name", "title", "product_name", "description"]
    ),
    f!(
        Products,
        "category",
        Text,
        false,
        [
            "category",
            "categories",
            "product_type",
            "type",
            "department"
        ]
    ),
    f!(
        Products,
        "price",
        Money,
        false,
        [
            "regular_price",
            "price",
            "unit_price",
            "variant_price",
            "list_price"
        ]
    ),
    f!(
        Products,
        "cost",
        Money,
        false,
        [
            "cost",
            "cost_price",
            "unit_cost",
            "cost_per_item",
            "wc_cog_cost",
            "meta_data_wc_cog_cost"
        ]
    ),
    f!(
        Products,
        "description",
        Text,
        false,
        [
            "description",
            "body_html",
            "body",
            "long_description",
            "short_description"
        ]
    ),
    f!(
        Products,
        "brand",
        Text,
        false,
        ["brand", "brands", "vendor", "manufacturer"]
    ),
    f!(
        Customers,
        "customer_id",
        Id,
        true,
        ["customer_id", "id", "customerid", "user_id", "client_id"]
    ),
    f!(
        Customers,
        "email",
        Email,
        false,
        ["email", "e_mail", "email_address"]
    ),
    f!(
        Customers,
        "first_name",
        Text,
        false,
        ["first_name", "firstname", "given_name"]
    ),
    f!(
        Customers,
        "last_name",
        Text,
        false,
        ["last_name", "lastname", "surname", "family_name"]
    ),
    f!(
        Customers,
        "country",
        Text,
        false,
        [
            "country",
            "default_address_country_code",
            "country_code",
            "billing_country"
        ]
    ),
    f!(
        Customers,
        "region",
        Text,
        false,
        [
            "region",
            "default_address_province_code",
            "province",
            "state"
        ]
    ),
    f!(
        Customers,
        "city",
        Text,
        false,
        ["city", "default_address_city"]
    ),
    f!(
        Customers,
        "signup_date",
        Timestamp,
        false,
        [
            "created_at",
            "signup_date",
            "registered",
            "date_created",
            "joined"
        ]
    ),
    f!(
        WebEvents,
        "event_time",
        Timestamp,
        true,
        [
            "event_time",
            "timestamp",
            "time",
            "ts",
            "event_timestamp",
            "created_at"
        ]
    ),
    f!(
        WebEvents,
        "event_type",
        Text,
        true,
        ["event_type", "event", "event_name", "type", "action"]
    ),
    f!(
        WebEvents,
        "session_id",
        Id,
        false,
        ["session_id", "session", "visit_id"]
    ),
    f!(
        WebEvents,
        "customer_id",
        Id,
        false,
        ["customer_id", "user_id", "visitor_id"]
    ),
    f!(
        WebEvents,
        "sku",
        Id,
        false,
        ["product_sku", "sku", "product_id", "item_id"]
    ),
    f!(
        WebEvents,
        "search_query",
        Text,
        false,
        ["search_query", "query", "search_term", "q"]
    ),
    f!(
        WebEvents,
        "order_id",
        Id,
        false,
        ["order_name", "order_id", "transaction_id"]
    ),
    f!(
        WebEvents,
        "channel",
        Text,
        false,
        ["channel", "utm_source", "source", "medium"]
    ),
    f!(
        WebEvents,
        "device",
        Text,
        false,
        ["device", "device_type", "platform"]
    ),
    f!(
        Promotions,
        "code",
        Id,
        true,
        ["code", "promo_code", "coupon", "discount_code"]
    ),
    f!(
        Promotions,
        "name",
        Text,
        false,
        ["name", "title", "description"]
    ),
    f!(
        Promotions,
        "category",
        Text,
        false,
        ["category", "applies_to"]
    ),
    f!(
        Promotions,
        "discount_percent",
        Number,
        false,
        [
            "discount_percent",
            "discount",
            "percent_off",
            "discount_pct"
        ]
    ),
    f!(
        Promotions,
        "starts_at",
        Timestamp,
        true,
        ["starts_at", "start", "start_date", "valid_from", "from"]
    ),
    f!(
        Promotions,
        "ends_at",
        Timestamp,
        true,
        ["ends_at", "end", "end_date", "valid_to", "until", "to"]
    ),
];

/// "Lineitem quantity" → "lineitem_quantity"; "Quantity (- Refund)" → "quantity_refund".
pub fn normalize_header(h: &str) -> String {
    let mut out = String::new();
    for c in h.trim().trim_start_matches('_').chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

fn value_fits(kind: Kind, v: &str) -> bool {
    let v = v.trim();
    if v.is_empty() {
        return true;
    }
    match kind {
        Kind::Text | Kind::Id => true,
        Kind::Integer => v
            .trim_start_matches(['-', '+'])
            .chars()
            .all(|c| c.is_ascii_digit()),
        Kind::Number | Kind::Money => {
            let t: String = v
                .chars()
                .filter(|c| !matches!(c, '$' | '€' | '£' | '¥' | ' ' | '%' | '(' | ')'))
                .collect();
            t.replace(',', ".").parse::<f64>().is_ok()
        }
        Kind::Timestamp => {
            let digits = v.chars().filter(|c| c.is_ascii_digit()).count();
            digits >= 6
                && (v.contains('-')
                    || v.contains('/')
                    || v.contains('.')
                    || v.contains('T')
                    || digits >= 10)
        }
        Kind::Email => v.contains('@') && v.contains('.'),
    }
}

/// Share of the sample values that fit a kind (1.0 with no sample).
fn fit(kind: Kind, values: &[&str]) -> f64 {
    let non_empty: Vec<&&str> = values.iter().filter(|v| !v.trim().is_empty()).collect();
    if non_empty.is_empty() {
        return 1.0;
    }
    non_empty.iter().filter(|v| value_fits(kind, v)).count() as f64 / non_empty.len() as f64
}

/// How well a header names a field: about 1 for a synonym (earlier synonyms are the more
/// usual names and win ties), less for partial overlaps.
fn name_score(header: &str, spec: &FieldSpec) -> f64 {
    if let Some(i) = spec.synonyms.iter().position(|s| *s == header) {
        return 1.0 - 0.01 * i as f64;
    }
    let tokens: Vec<&str> = header.split('_').collect();
    let best = spec
        .synonyms
        .iter()
        .map(|s| {
            let st: Vec<&str> = s.split('_').collect();
            let shared = st.iter().filter(|t| tokens.contains(t)).count();
            shared as f64 / st.len().max(tokens.len()) as f64
        })
        .fold(0.0, f64::max);
    best * 0.8
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    pub entity: Entity,
    /// canonical field → source column (as written in the file)
    pub fields: BTreeMap<String, String>,
    /// Source columns mapped to nothing (kept in bronze only).
    pub unmapped: Vec<String>,
    /// Required fields of the entity still missing.
    pub missing_required: Vec<String>,
    /// 0..1, how sure the suggestion is.
    pub confidence: f64,
}

/// The shape of a file: its normalised headers, sorted. Saved mappings are found by it.
pub fn shape_key(headers: &[String]) -> String {
    let mut h: Vec<String> = headers.iter().map(|x| normalize_header(x)).collect();
    h.sort();
    h.join("|")
}

/// Suggest a mapping for a file with `headers` and some `rows` of sample values.
pub fn suggest(headers: &[String], rows: &[Vec<String>]) -> Mapping {
    suggest_among(&Entity::ALL, headers, rows)
}

/// Suggest a mapping within one kind of data (the merchant picked it).
pub fn suggest_for(entity: Entity, headers: &[String], rows: &[Vec<String>]) -> Mapping {
    suggest_among(&[entity], headers, rows)
}

fn suggest_among(entities: &[Entity], headers: &[String], rows: &[Vec<String>]) -> Mapping {
    let norm: Vec<String> = headers.iter().map(|h| normalize_header(h)).collect();
    let column_values = |i: usize| -> Vec<&str> {
        rows.iter()
            .filter_map(|r| r.get(i).map(String::as_str))
            .collect()
    };
    let mut best: Option<(f64, Mapping)> = None;
    for &entity in entities {
        let specs: Vec<&FieldSpec> = FIELDS.iter().filter(|f| f.entity == entity).collect();
        // All (field, column, score) candidates, best first; assign greedily one-to-one.
        let mut cands: Vec<(f64, usize, usize)> = Vec::new();
        for (fi, spec) in specs.iter().enumerate() {
            for (ci, h) in norm.iter().enumerate() {
                let n = name_score(h, spec);
                if n < 0.5 {
                    continue;
                }
                let mut score = n * (0.3 + 0.7 * fit(spec.kind, &column_values(ci)));
                if n >= 0.98 {
                    // One of a field's usual names: map it even when the values disagree, so
                    // validation can say which rows are wrong instead of the field vanishing.
                    score = score.max(0.5);
                }
                if score >= 0.45 {
                    cands.push((score, fi, ci));
                }
            }
        }
        cands.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut used_f = vec![false; specs.len()];
        let mut used_c = vec![false; norm.len()];
        let mut fields = BTreeMap::new();
        let mut total = 0.0;
        for (score, fi, ci) in cands {
            if used_f[fi] || used_c[ci] {
                continue;
            }
            used_f[fi] = true;
            used_c[ci] = true;
            total += score * if specs[fi].required { 2.0 } else { 1.0 };
            fields.insert(specs[fi].name.to_string(), headers[ci].clone());
        }
        let mut missing_required: Vec<String> = specs
            .iter()
            .enumerate()
            .filter(|(i, s)| s.required && !used_f[*i])
            .map(|(_, s)| s.name.to_string())
            .collect();
        // A line total stands in for the unit price (divided by the quantity in silver).
        if entity == Entity::Sales && fields.contains_key("line_total") {
            missing_required.retain(|f| f != "unit_price");
        }
        let required_n = specs.iter().filter(|s| s.required).count() as f64;
        let coverage = (required_n - missing_required.len() as f64) / required_n;
        let confidence = coverage * (total / (fields.len().max(1) as f64 + required_n)).min(1.0);
        let rank = coverage * 10.0 + total;
        let m = Mapping {
            entity,
            unmapped: headers
                .iter()
                .enumerate()
                .filter(|(i, _)| !used_c[*i])
                .map(|(_, h)| h.clone())
                .collect(),
            fields,
            missing_required,
            confidence,
        };
        if best.as_ref().is_none_or(|(p, _)| rank > *p) {
            best = Some((rank, m));
        }
    }
    best.map(|(_, m)| m).unwrap_or(Mapping {
        entity: Entity::Sales,
        fields: BTreeMap::new(),
        unmapped: headers.to_vec(),
        missing_required: vec![],
        confidence: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn normalises_headers() {
        assert_eq!(normalize_header("Lineitem quantity"), "lineitem_quantity");
        assert_eq!(normalize_header("Quantity (- Refund)"), "quantity_refund");
        assert_eq!(normalize_header(" InvoiceNo "), "invoiceno");
        assert_eq!(normalize_header("_wc_cog_cost"), "wc_cog_cost");
    }

    #[test]
    fn classic_invoice_lines() {
        let h = s(&[
            "InvoiceNo",
            "StockCode",
            "Description",
            "Quantity",
            "InvoiceDate",
            "UnitPrice",
            "CustomerID",
            "Country",
        ]);
        let rows = vec![s(&[
            "536365",
            "85123A",
            "WHITE HANGING HEART T-LIGHT HOLDER",
            "6",
            "12/1/2010 8:26",
            "2.55",
            "17850",
            "United Kingdom",
        ])];
        let m = suggest(&h, &rows);
        assert_eq!(m.entity, Entity::Sales);
        assert!(m.missing_required.is_empty(), "{m:?}");
        for (f, c) in [
            ("order_id", "InvoiceNo"),
            ("sku", "StockCode"),
            ("product_name", "Description"),
            ("quantity", "Quantity"),
            ("order_date", "InvoiceDate"),
            ("unit_price", "UnitPrice"),
            ("customer_id", "CustomerID"),
            ("country", "Country"),
        ] {
            assert_eq!(m.fields.get(f).map(String::as_str), Some(c), "{f}: {m:?}");
        }
    }

    #[test]
    fn shopify_order_export() {
        let h = s(&[
            "Name",
            "Email",
            "Financial Status",
            "Paid at",
            "Currency",
            "Subtotal",
            "Discount Code",
            "Total",
            "Created at",
            "Lineitem quantity",
            "Lineitem name",
            "Lineitem price",
            "Lineitem sku",
            "Billing City",
            "Billing Province",
            "Billing Country",
            "Source",
        ]);
        let rows = vec![s(&[
            "#1001",
            "ann@example.com",
            "paid",
            "2025-01-02 10:00:00 +0000",
            "USD",
            "20.00",
            "",
            "20.00",
            "2025-01-02 10:00:00 +0000",
            "2",
            "Mug",
            "10.00",
            "HOM-0001",
            "Austin",
            "TX",
            "US",
            "web",
        ])];
        let m = suggest(&h, &rows);
        assert_eq!(m.entity, Entity::Sales);
        assert_eq!(m.fields["order_id"], "Name");
        assert_eq!(m.fields["quantity"], "Lineitem quantity");
        assert_eq!(m.fields["unit_price"], "Lineitem price");
        assert_eq!(m.fields["customer_email"], "Email");
        assert_eq!(m.fields["order_date"], "Created at");
        assert_eq!(m.fields["channel"], "Source");
        assert!(m.missing_required.is_empty());
    }

    #[test]
    fn customers_events_products() {
        let h = s(&[
            "Customer ID",
            "First Name",
            "Last Name",
            "Email",
            "Default Address Country Code",
            "Created At",
        ]);
        let m = suggest(
            &h,
            &[s(&["C1", "Ann", "Lee", "a@b.co", "US", "2025-01-01"])],
        );
        assert_eq!(m.entity, Entity::Customers);
        assert_eq!(m.fields["email"], "Email");
        let h = s(&[
            "event_id",
            "event_time",
            "session_id",
            "customer_id",
            "event_type",
            "product_sku",
        ]);
        let m = suggest(
            &h,
            &[s(&["1", "2025-01-01 10:00:00", "s1", "", "view", "A1"])],
        );
        assert_eq!(m.entity, Entity::WebEvents);
        assert_eq!(m.fields["sku"], "product_sku");
        let h = s(&["id", "sku", "name", "regular_price", "categories"]);
        let m = suggest(&h, &[s(&["1", "A1", "Mug", "9.99", "Home"])]);
        assert_eq!(m.entity, Entity::Products);
        assert_eq!(m.fields["sku"], "sku");
        assert_eq!(m.fields["price"], "regular_price");
    }

    #[test]
    fn values_veto_a_misleading_name() {
        // "Amount" is a synonym of quantity, but these values are money with decimals.
        let h = s(&["order", "date", "amount", "price"]);
        let m = suggest(
            &h,
            &[
                s(&["1", "2025-01-01", "12.50", "12.50"]),
                s(&["2", "2025-01-02", "3.99", "3.99"]),
            ],
        );
        assert_ne!(
            m.fields.get("quantity").map(String::as_str),
            Some("amount"),
            "{m:?}"
        );
    }

    #[test]
    fn shape_key_ignores_order_and_case() {
        assert_eq!(
            shape_key(&s(&["SKU", "Qty"])),
            shape_key(&s(&["qty", "sku"]))
        );
    }
}
