//! Column mapping: which column of a merchant's file is which field of the canonical model,
//! and which kind of data the file is. Fields are suggested from header names (the synonyms of
//! [`FIELDS`]) checked against the values (an e-mail column holds e-mails, an order number
//! names one date); the kind is chosen from evidence ([`kinds`]): every kind has needs (sales
//! need a date and an amount per row, a customer list needs customer details, not merely an
//! id), and a suggestion that is weak, or close to another kind, is not loaded without a
//! person confirming it ([`Mapping::certain`]).

mod fields;
mod kinds;
pub mod values;

pub use fields::FIELDS;
pub use kinds::{Candidate, Met, Need, missing, needs};
pub use values::{is_missing, value_fits};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The kind of table a file is mapped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    /// Order lines or single sales, possibly carrying customer and product columns too.
    Sales,
    /// Sales known only as totals per period (day, week, month), by store or department.
    PeriodSales,
    Products,
    Customers,
    WebEvents,
    Promotions,
}

impl Entity {
    pub const ALL: [Entity; 6] = [
        Entity::Sales,
        Entity::PeriodSales,
        Entity::Products,
        Entity::Customers,
        Entity::WebEvents,
        Entity::Promotions,
    ];

    /// The kind in plain English, for messages of the CLI and the API.
    pub fn label(self) -> &'static str {
        match self {
            Entity::Sales => "sales (orders or order lines)",
            Entity::PeriodSales => "sales totals per period",
            Entity::Products => "a product list",
            Entity::Customers => "a customer list",
            Entity::WebEvents => "web or app events",
            Entity::Promotions => "promotions",
        }
    }

    /// The snake_case name used in URLs, the API and stored records.
    pub fn key(self) -> &'static str {
        match self {
            Entity::Sales => "sales",
            Entity::PeriodSales => "period_sales",
            Entity::Products => "products",
            Entity::Customers => "customers",
            Entity::WebEvents => "web_events",
            Entity::Promotions => "promotions",
        }
    }
}

/// What values a field holds, for checking a suggestion against the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// An identifier: any text.
    Id,
    /// An order or invoice number: mostly holds a digit ("#1001", "536365", "2015-000001").
    Key,
    Integer,
    Number,
    Money,
    Timestamp,
    Email,
    /// Yes or no: 1/0, true/false, yes/no.
    Flag,
}

pub struct FieldSpec {
    pub name: &'static str,
    pub entity: Entity,
    pub kind: Kind,
    /// Normalised header names that mean this field.
    pub synonyms: &'static [&'static str],
    /// Word parts that name the field inside a longer header, weaker than a synonym.
    pub stems: &'static [&'static str],
}

impl FieldSpec {
    /// Is the field named in one of its kind's needs (shown as needed on the mapping page)?
    pub fn needed(&self) -> bool {
        needs(self.entity)
            .iter()
            .any(|n| n.any_of.contains(&self.name))
    }
}

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

/// Share of the sample values that fit a kind (1.0 with no sample).
fn fit(kind: Kind, values: &[&str]) -> f64 {
    let present: Vec<&&str> = values.iter().filter(|v| !is_missing(v)).collect();
    if present.is_empty() {
        return 1.0;
    }
    present.iter().filter(|v| value_fits(kind, v)).count() as f64 / present.len() as f64
}

/// How well a header names a field: about 1 for a synonym (earlier synonyms are the more
/// usual names and win ties), 0.7 for a stem inside a word, less for partial overlaps.
fn name_score(header: &str, spec: &FieldSpec) -> f64 {
    if let Some(i) = spec.synonyms.iter().position(|s| *s == header) {
        return 1.0 - 0.005 * i as f64;
    }
    let tokens: Vec<&str> = header.split('_').collect();
    let partial = spec
        .synonyms
        .iter()
        .map(|s| {
            let st: Vec<&str> = s.split('_').collect();
            let shared = st.iter().filter(|t| tokens.contains(t)).count();
            shared as f64 / st.len().max(tokens.len()) as f64
        })
        .fold(0.0, f64::max)
        * 0.8;
    // A plural names a count ("Customers" of a store's day), not the thing itself.
    let stem = if spec.stems.iter().any(|s| {
        tokens
            .iter()
            .any(|t| t.contains(s) && t.strip_suffix('s') != Some(s))
    }) {
        0.7
    } else {
        0.0
    };
    partial.max(stem)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    pub entity: Entity,
    /// canonical field → source column (as written in the file)
    pub fields: BTreeMap<String, String>,
    /// Source columns mapped to nothing (kept in bronze only).
    pub unmapped: Vec<String>,
    /// What the kind still needs, in words ("a date", "a price or an amount per row").
    pub missing_required: Vec<String>,
    /// 0..1, how sure the suggestion is of the kind and its columns.
    pub confidence: f64,
    /// Why this kind: the evidence found in the file, in words.
    #[serde(default)]
    pub why: Vec<String>,
    /// The other kinds considered, most likely first, each with its confidence and what it
    /// lacks.
    #[serde(default)]
    pub candidates: Vec<Candidate>,
    /// The needs this kind met and the columns that meet them, by key (pages word them).
    #[serde(default)]
    pub met: Vec<Met>,
}

/// Below this confidence a suggestion is not loaded without a person confirming it.
pub const SURE: f64 = 0.5;
/// Another kind this close to the suggestion makes it ambiguous.
pub const CLOSE: f64 = 0.15;

impl Mapping {
    /// May this suggestion be loaded without asking (`--yes`, an API upload without a
    /// mapping)? An error says what was found, what is missing and how to settle it.
    pub fn certain(&self) -> Result<(), String> {
        let how = "choose the kind and columns on the upload page, or pass a mapping (sr360 ingest --print-mapping writes one to edit, --mapping FILE applies it)";
        let others = |n: usize| -> String {
            self.candidates
                .iter()
                .take(n)
                .map(|c| {
                    if c.missing.is_empty() {
                        format!("{} ({:.0}% sure)", c.entity.label(), 100.0 * c.confidence)
                    } else {
                        format!("{} (missing {})", c.entity.label(), c.missing.join("; "))
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !self.missing_required.is_empty() {
            return Err(format!(
                "not loaded: no kind of data fits this file. Closest: {} (missing {}); also considered: {}. To load it, {how}.",
                self.entity.label(),
                self.missing_required.join("; "),
                others(2)
            ));
        }
        if self.confidence < SURE {
            return Err(format!(
                "not loaded: this looks like {}, but only {:.0}% sure ({}). To load it, {how}.",
                self.entity.label(),
                100.0 * self.confidence,
                self.why.join("; ")
            ));
        }
        if let Some(c) = self
            .candidates
            .iter()
            .find(|c| c.missing.is_empty() && c.confidence >= self.confidence - CLOSE)
        {
            return Err(format!(
                "not loaded: this could be {} ({:.0}% sure) or {} ({:.0}% sure). To load it, {how}.",
                self.entity.label(),
                100.0 * self.confidence,
                c.entity.label(),
                100.0 * c.confidence
            ));
        }
        Ok(())
    }

    /// Check a mapping chosen by a person: known entity fields, distinct columns of this file,
    /// required fields present. Fills `unmapped` and `missing_required`.
    pub fn for_columns(self, columns: &[String]) -> Result<Mapping, String> {
        let mut m = self;
        let specs: Vec<_> = FIELDS.iter().filter(|f| f.entity == m.entity).collect();
        m.fields.retain(|_, c| !c.is_empty());
        for (f, c) in &m.fields {
            if !specs.iter().any(|s| s.name == f) {
                return Err(format!("{f} is not a field of this kind of data"));
            }
            if !columns.contains(c) {
                return Err(format!("the file has no column {c:?}"));
            }
        }
        let mut used: Vec<&String> = m.fields.values().collect();
        used.sort();
        if used.windows(2).any(|w| w[0] == w[1]) {
            return Err("a column can be used for one field only".into());
        }
        // The kind's needs: one of a group will do (a line total stands in for a unit price).
        m.missing_required = missing(m.entity, &m.fields);
        if !m.missing_required.is_empty() {
            return Err(format!(
                "choose a column for: {}",
                m.missing_required.join("; ")
            ));
        }
        m.unmapped = columns
            .iter()
            .filter(|c| !m.fields.values().any(|v| v == *c))
            .cloned()
            .collect();
        Ok(m)
    }
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

/// A column name that carries no meaning: empty, or the reader's stand-in for an empty
/// header cell ("column0", "Unnamed: 0").
fn blank_header(h: &str) -> bool {
    let n = normalize_header(h);
    n.is_empty()
        || (n.starts_with("column") && n[6..].chars().all(|c| c.is_ascii_digit()))
        || n.starts_with("unnamed")
}

/// Fields and the columns assigned to them: field → (column index, score).
type Assigned = BTreeMap<&'static str, (usize, f64)>;

/// Assign the columns of `norm` to the fields of `entity` one-to-one, best first.
fn assign<'r>(entity: Entity, norm: &[String], column: &dyn Fn(usize) -> Vec<&'r str>) -> Assigned {
    let specs: Vec<&FieldSpec> = FIELDS.iter().filter(|f| f.entity == entity).collect();
    let mut cands: Vec<(f64, usize, usize)> = Vec::new();
    for (fi, spec) in specs.iter().enumerate() {
        for (ci, h) in norm.iter().enumerate() {
            if h.is_empty() {
                continue;
            }
            let n = name_score(h, spec);
            if n < 0.5 {
                continue;
            }
            let f = fit(spec.kind, &column(ci));
            let mut score = n * (0.3 + 0.7 * f);
            if n >= 0.98 {
                // One of a field's usual names: map it even when some values disagree, so
                // validation can say which rows are wrong instead of the field vanishing.
                score = score.max(0.5);
            }
            // An order number that holds no digits is a name, not a number.
            if spec.kind == Kind::Key && f < 0.5 {
                continue;
            }
            if score >= 0.45 {
                cands.push((score, fi, ci));
            }
        }
    }
    cands.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut used_f = vec![false; specs.len()];
    let mut used_c = vec![false; norm.len()];
    let mut out = BTreeMap::new();
    for (score, fi, ci) in cands {
        if used_f[fi] || used_c[ci] {
            continue;
        }
        used_f[fi] = true;
        used_c[ci] = true;
        out.insert(specs[fi].name, (ci, score));
    }
    out
}

fn suggest_among(entities: &[Entity], headers: &[String], rows: &[Vec<String>]) -> Mapping {
    let norm: Vec<String> = headers
        .iter()
        .map(|h| {
            if blank_header(h) {
                String::new()
            } else {
                normalize_header(h)
            }
        })
        .collect();
    let column = |i: usize| -> Vec<&str> {
        rows.iter()
            .filter_map(|r| r.get(i).map(String::as_str))
            .collect()
    };
    let sales = kinds::sales_reading(&norm, headers, rows);
    let mut judged: Vec<(Candidate, Assigned, f64)> = Vec::new();
    for &entity in entities {
        let mut assigned = assign(entity, &norm, &column);
        let c = kinds::judge(entity, &mut assigned, headers, &sales, rows);
        let rank = assigned.values().map(|(_, s)| s).sum::<f64>();
        judged.push((c, assigned, rank));
    }
    // Kinds with nothing missing first, most confident first; then the nearest misses.
    judged.sort_by(|a, b| {
        a.0.missing
            .is_empty()
            .cmp(&b.0.missing.is_empty())
            .reverse()
            .then(b.0.confidence.total_cmp(&a.0.confidence))
            .then(a.0.missing.len().cmp(&b.0.missing.len()))
            .then(b.2.total_cmp(&a.2))
    });
    let mut it = judged.into_iter();
    let Some((best, assigned, _)) = it.next() else {
        return Mapping {
            entity: Entity::Sales,
            fields: BTreeMap::new(),
            unmapped: headers.to_vec(),
            missing_required: vec![],
            confidence: 0.0,
            why: vec![],
            candidates: vec![],
            met: vec![],
        };
    };
    let fields: BTreeMap<String, String> = assigned
        .iter()
        .map(|(f, (ci, _))| (f.to_string(), headers[*ci].clone()))
        .collect();
    let used: Vec<usize> = assigned.values().map(|(ci, _)| *ci).collect();
    Mapping {
        entity: best.entity,
        unmapped: headers
            .iter()
            .enumerate()
            .filter(|(i, _)| !used.contains(i))
            .map(|(_, h)| h.clone())
            .collect(),
        fields,
        missing_required: best.missing,
        confidence: best.confidence,
        why: best.why,
        met: best.met,
        candidates: it.map(|(c, _, _)| c).take(3).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn a_chosen_mapping_must_name_this_files_columns_once_and_meet_the_kinds_needs() {
        let cols = s(&["Order", "Date", "SKU", "Qty", "Price", "Notes"]);
        let m = suggest_for(Entity::Sales, &cols, &[]);
        let ok = m.clone().for_columns(&cols).unwrap();
        assert_eq!(ok.unmapped, vec!["Notes".to_string()]);
        let mut other = m.clone();
        other.fields.insert("order_id".into(), "Invoice".into());
        assert!(other.for_columns(&cols).unwrap_err().contains("no column"));
        let mut twice = m.clone();
        let date = twice.fields["order_date"].clone();
        twice.fields.insert("order_id".into(), date);
        assert!(
            twice
                .for_columns(&cols)
                .unwrap_err()
                .contains("one field only")
        );
        let mut unknown = m.clone();
        unknown.fields.insert("colour".into(), "Notes".into());
        assert!(
            unknown
                .for_columns(&cols)
                .unwrap_err()
                .contains("not a field")
        );
        let mut short = m;
        short.fields.remove("order_date");
        assert!(
            short
                .for_columns(&cols)
                .unwrap_err()
                .starts_with("choose a column for")
        );
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

#[cfg(test)]
mod real_headers {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    fn check(h: &[&str], rows: &[&[&str]]) -> Mapping {
        let rows: Vec<Vec<String>> = rows.iter().map(|r| s(r)).collect();
        suggest(&s(h), &rows)
    }

    #[test]
    fn shapes_seen_in_the_wild() {
        // Superstore-style order lines: "Sales" is the line amount, a second category level.
        let m = check(
            &[
                "Row ID",
                "Order ID",
                "Order Date",
                "Ship Date",
                "Ship Mode",
                "Customer ID",
                "Customer Name",
                "Segment",
                "Country",
                "City",
                "State",
                "Postal Code",
                "Region",
                "Product ID",
                "Category",
                "Sub-Category",
                "Product Name",
                "Sales",
                "Quantity",
                "Discount",
                "Profit",
            ],
            &[
                &[
                    "1",
                    "CA-2016-152156",
                    "11/8/2016",
                    "11/11/2016",
                    "Second Class",
                    "CG-12520",
                    "Claire Gute",
                    "Consumer",
                    "United States",
                    "Henderson",
                    "Kentucky",
                    "42420",
                    "South",
                    "FUR-BO-10001798",
                    "Furniture",
                    "Bookcases",
                    "Bush Somerset Collection Bookcase",
                    "261.96",
                    "2",
                    "0",
                    "41.9136",
                ],
                &[
                    "2",
                    "CA-2016-152156",
                    "11/8/2016",
                    "11/11/2016",
                    "Second Class",
                    "CG-12520",
                    "Claire Gute",
                    "Consumer",
                    "United States",
                    "Henderson",
                    "Kentucky",
                    "42420",
                    "South",
                    "FUR-CH-10000454",
                    "Furniture",
                    "Chairs",
                    "Hon Deluxe Fabric Upholstered Stacking Chairs",
                    "731.94",
                    "3",
                    "0",
                    "219.582",
                ],
            ],
        );
        assert_eq!(m.entity, Entity::Sales, "{m:?}");
        for (f, c) in [
            ("order_id", "Order ID"),
            ("order_date", "Order Date"),
            ("line_total", "Sales"),
            ("subcategory", "Sub-Category"),
            ("sku", "Product ID"),
            ("customer_id", "Customer ID"),
        ] {
            assert_eq!(m.fields.get(f).map(String::as_str), Some(c), "{f}: {m:?}");
        }
        assert!(m.certain().is_ok(), "{m:?}");
        // Shopify's customer export: a customer list (ids do not repeat).
        let m = check(
            &[
                "Customer ID",
                "First Name",
                "Last Name",
                "Email",
                "Accepts Email Marketing",
                "Default Address Company",
                "Default Address Address1",
                "Default Address City",
                "Default Address Province Code",
                "Default Address Country Code",
                "Default Address Zip",
                "Phone",
                "Total Spent",
                "Total Orders",
                "Note",
                "Tax Exempt",
            ],
            &[
                &[
                    "'7001",
                    "Ann",
                    "Lee",
                    "ann@example.com",
                    "yes",
                    "",
                    "1 Main St",
                    "Austin",
                    "TX",
                    "US",
                    "78701",
                    "",
                    "120.00",
                    "3",
                    "",
                    "no",
                ],
                &[
                    "'7002",
                    "Bo",
                    "Kim",
                    "bo@example.com",
                    "no",
                    "",
                    "2 Oak St",
                    "Paris",
                    "",
                    "FR",
                    "75001",
                    "",
                    "40.00",
                    "1",
                    "",
                    "no",
                ],
            ],
        );
        assert_eq!(m.entity, Entity::Customers, "{m:?}");
        assert!(m.certain().is_ok(), "{m:?}");
        // Shopify's product export: variants share a handle, each has its own SKU.
        let m = check(
            &[
                "Handle",
                "Title",
                "Body (HTML)",
                "Vendor",
                "Type",
                "Tags",
                "Published",
                "Option1 Name",
                "Option1 Value",
                "Variant SKU",
                "Variant Grams",
                "Variant Inventory Qty",
                "Variant Price",
                "Variant Compare At Price",
                "Image Src",
                "Status",
            ],
            &[
                &[
                    "mug",
                    "Mug",
                    "<p>A mug</p>",
                    "Acme",
                    "Kitchen",
                    "",
                    "TRUE",
                    "Colour",
                    "Blue",
                    "MUG-B",
                    "300",
                    "5",
                    "12.00",
                    "",
                    "",
                    "active",
                ],
                &[
                    "mug", "", "", "", "", "", "", "", "Red", "MUG-R", "300", "5", "12.00", "", "",
                    "active",
                ],
            ],
        );
        assert_eq!(m.entity, Entity::Products, "{m:?}");
        assert_eq!(m.fields["sku"], "Variant SKU");
        // Stripe's payments export: charges with statuses and refunds.
        let m = check(
            &[
                "id",
                "Description",
                "Created (UTC)",
                "Amount",
                "Amount Refunded",
                "Currency",
                "Captured",
                "Fee",
                "Customer ID",
                "Customer Email",
                "Status",
            ],
            &[&[
                "ch_3Nabc1",
                "Order 1001",
                "2024-03-01 10:00:00",
                "25.00",
                "0.00",
                "usd",
                "true",
                "1.03",
                "cus_1",
                "ann@example.com",
                "Paid",
            ]],
        );
        assert_eq!(m.entity, Entity::Sales, "{m:?}");
        assert_eq!(m.fields["order_date"], "Created (UTC)");
        assert_eq!(m.fields["refund_amount"], "Amount Refunded");
        assert_eq!(m.fields["status"], "Status");
        // GA4's event export: microseconds since 1970, event names, pseudo ids.
        let m = check(
            &[
                "event_date",
                "event_timestamp",
                "event_name",
                "user_pseudo_id",
                "platform",
                "traffic_source_source",
            ],
            &[&[
                "20240101",
                "1704067200000000",
                "page_view",
                "123.456",
                "WEB",
                "google",
            ]],
        );
        assert_eq!(m.entity, Entity::WebEvents, "{m:?}");
        assert!(m.certain().is_ok(), "{m:?}");
        // A file of daily revenue: totals, not sales lines.
        let m = check(
            &["Day", "Revenue"],
            &[&["2024-01-01", "1200.50"], &["2024-01-02", "980.00"]],
        );
        assert_eq!(m.entity, Entity::PeriodSales, "{m:?}");
        // Store sales per day with a count of customers (Rossmann-style): totals, and
        // "Customers" is a count, not a customer.
        let m = check(
            &[
                "Store",
                "DayOfWeek",
                "Date",
                "Sales",
                "Customers",
                "Open",
                "Promo",
                "StateHoliday",
                "SchoolHoliday",
            ],
            &[
                &["1", "5", "2015-07-31", "5263", "555", "1", "1", "0", "1"],
                &["2", "5", "2015-07-31", "6064", "625", "1", "1", "0", "1"],
            ],
        );
        assert_eq!(m.entity, Entity::PeriodSales, "{m:?}");
        assert_eq!(m.fields["store"], "Store");
        assert!(m.certain().is_ok(), "{m:?}");
        // Shopify's "sales by day" report: totals per day.
        let m = check(
            &[
                "Day",
                "Orders",
                "Gross sales",
                "Discounts",
                "Returns",
                "Net sales",
                "Shipping",
                "Taxes",
                "Total sales",
            ],
            &[&[
                "2024-05-01",
                "12",
                "840.00",
                "-20.00",
                "0.00",
                "820.00",
                "40.00",
                "65.60",
                "925.60",
            ]],
        );
        assert_eq!(m.entity, Entity::PeriodSales, "{m:?}");
        assert_eq!(m.fields["amount"], "Net sales");
        assert_eq!(m.fields["orders"], "Orders");
        // Online Retail II: invoice lines, "C" invoices are cancellations with negative units.
        let m = check(
            &[
                "Invoice",
                "StockCode",
                "Description",
                "Quantity",
                "InvoiceDate",
                "Price",
                "Customer ID",
                "Country",
            ],
            &[
                &[
                    "489434",
                    "85048",
                    "15CM CHRISTMAS GLASS BALL 20 LIGHTS",
                    "12",
                    "2009-12-01 07:45:00",
                    "6.95",
                    "13085",
                    "United Kingdom",
                ],
                &[
                    "C489449",
                    "22087",
                    "PAPER BUNTING WHITE LACE",
                    "-12",
                    "2009-12-01 10:33:00",
                    "2.95",
                    "16321",
                    "Australia",
                ],
            ],
        );
        assert_eq!(m.entity, Entity::Sales, "{m:?}");
        for (f, c) in [
            ("order_id", "Invoice"),
            ("unit_price", "Price"),
            ("customer_id", "Customer ID"),
            ("sku", "StockCode"),
        ] {
            assert_eq!(m.fields.get(f).map(String::as_str), Some(c), "{f}: {m:?}");
        }
        // A list of customer ids alone is no kind of data.
        let m = check(&["customer_id"], &[&["C1"], &["C2"]]);
        assert!(m.certain().is_err(), "{m:?}");
    }
}
