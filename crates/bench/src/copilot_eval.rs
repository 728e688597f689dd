//! The copilot's evaluation set: questions about the demo shop in four languages, each with
//! its answer worked out independently — plain SQL over the generated export files (the
//! Shopify-style `orders.csv`, WooCommerce-style `products.json`), never through the query
//! layer — or, for forecasts, segments, alerts and help, the kind of answer expected.
//! Relative dates count from 1 July 2026, the day after the demo's two years end.

/// What a correct answer has.
pub enum Expect {
    /// Each `result.rows[row][col]` equals its SQL's single value (to the cent, or 0.5 %).
    Cells(Vec<(String, usize, usize)>),
    /// The first column of the result's first rows are the SQL's labels, in order.
    Labels(String),
    /// The answer is of this plan kind (`forecast`, `churn`, `alerts`, `help`).
    Kind(&'static str),
}

pub struct Case {
    pub q: &'static str,
    pub lang: &'static str,
    /// For the report: total, count, average, rate, winner, loser, top, split, comparison,
    /// filter, names, series, model.
    pub kind: &'static str,
    pub expect: Expect,
    /// 1: the first questions (the parser was fixed on their misses); 2: written after that
    /// and held out for one run (88 %), then its four misses were fixed; 3: written after
    /// those fixes and held out for one run (parser 82 %, both 86 %), then fixed; 4: written
    /// at the start of session 10 from what merchants ask (shares of a total, "sold best",
    /// Spanish typed without accents, countries the shop never sold to) before any change for
    /// them, and run once as it stood (docs/benchmarks.md has that figure). A fair
    /// figure needs a new batch written before it is run (docs/benchmarks.md keeps the
    /// held-out figures).
    pub batch: u8,
}

/// The reference tables over the export files in `dir`: one row per order line (refunds are
/// lines with a negative quantity, dated when refunded), with the product's category.
pub fn reference_sql(dir: &str) -> String {
    format!(
        "CREATE TABLE products AS SELECT sku, name, categories[1].name AS category
           FROM read_json('{dir}/products.json');
         CREATE TABLE raw AS SELECT \"Name\" AS order_id, lower(\"Email\") AS email,
           CAST(substr(\"Created at\", 1, 19) AS TIMESTAMP) AS ts,
           CAST(substr(\"Created at\", 1, 10) AS DATE) AS day,
           CAST(\"Lineitem quantity\" AS BIGINT) AS qty, CAST(\"Lineitem price\" AS DOUBLE) AS price,
           \"Lineitem sku\" AS sku, \"Lineitem name\" AS product,
           \"Billing Country\" AS country, \"Source\" AS channel
           FROM read_csv('{dir}/orders.csv', all_varchar = true);
         CREATE TABLE firsts AS SELECT email, arg_min(order_id, ts) AS first
           FROM raw WHERE qty > 0 GROUP BY email;
         CREATE TABLE lines AS SELECT r.*, r.qty * r.price AS amount, p.category,
           coalesce(f.first = r.order_id, false) AS first_order
           FROM raw r LEFT JOIN products p USING (sku) LEFT JOIN firsts f USING (email);"
    )
}

const REV: &str = "sum(amount)";
const ORD: &str = "count(DISTINCT order_id) FILTER (WHERE qty > 0)";
const UNITS: &str = "sum(qty) FILTER (WHERE qty > 0)";
const CUST: &str = "count(DISTINCT email) FILTER (WHERE qty > 0)";
const AOV: &str =
    "sum(amount) FILTER (WHERE qty > 0) / count(DISTINCT order_id) FILTER (WHERE qty > 0)";
const NEW: &str = "count(DISTINCT email) FILTER (WHERE qty > 0 AND first_order)";
const RETURNING: &str = "count(DISTINCT email) FILTER (WHERE qty > 0) - count(DISTINCT email) FILTER (WHERE qty > 0 AND first_order)";
const RATE: &str =
    "-coalesce(sum(qty) FILTER (WHERE qty < 0), 0) / sum(qty) FILTER (WHERE qty > 0)";
const RETURNED: &str = "-coalesce(sum(qty) FILTER (WHERE qty < 0), 0)";

type Period = (&'static str, &'static str);
const Y2024: Period = ("2024-07-01", "2024-12-31");
const Y2025: Period = ("2025-01-01", "2025-12-31");
const Y2026: Period = ("2026-01-01", "2026-12-31");
const Q1_25: Period = ("2025-01-01", "2025-03-31");
const Q4_25: Period = ("2025-10-01", "2025-12-31");
const Q1_26: Period = ("2026-01-01", "2026-03-31");
const MAR25: Period = ("2025-03-01", "2025-03-31");
const MAY25: Period = ("2025-05-01", "2025-05-31");
const DEC25: Period = ("2025-12-01", "2025-12-31");
const JAN25: Period = ("2025-01-01", "2025-01-31");
const FEB26: Period = ("2026-02-01", "2026-02-28");
const MAR26: Period = ("2026-03-01", "2026-03-31");
const APR26: Period = ("2026-04-01", "2026-04-30");
const MAY26: Period = ("2026-05-01", "2026-05-31");
const JUN26: Period = ("2026-06-01", "2026-06-30");

fn value(m: &str, p: Period, filter: &str) -> String {
    format!(
        "SELECT {m} FROM lines WHERE day BETWEEN '{}' AND '{}' {filter}",
        p.0, p.1
    )
}

fn total(m: &str, p: Period, filter: &str) -> Expect {
    Expect::Cells(vec![(value(m, p, filter), 0, 0)])
}

/// A comparison: the later period's value, then the earlier one's.
fn compared(m: &str, later: Period, earlier: Period) -> Expect {
    Expect::Cells(vec![
        (value(m, later, ""), 0, 0),
        (value(m, earlier, ""), 0, 1),
    ])
}

/// A series over time: its first bucket's value.
fn first_bucket(m: &str, p: Period) -> Expect {
    Expect::Cells(vec![(value(m, p, ""), 0, 1)])
}

fn ranked(dim: &str, m: &str, p: Period, desc: bool, n: usize, filter: &str) -> Expect {
    let order = if desc { "DESC" } else { "ASC" };
    // Products are grouped by SKU and shown by name, as the pages do.
    let (label, group) = if dim == "product" {
        ("any_value(product)", "sku")
    } else {
        (dim, dim)
    };
    Expect::Labels(format!(
        "SELECT {label} FROM lines WHERE day BETWEEN '{}' AND '{}' {filter}
         GROUP BY {group} ORDER BY {m} {order} NULLS LAST, {group} LIMIT {n}",
        p.0, p.1
    ))
}

fn repeat(p: Period, col: usize) -> Expect {
    let (a, b) = p;
    let buyers = format!(
        "SELECT email, count(DISTINCT order_id) AS n FROM lines
         WHERE qty > 0 AND day BETWEEN '{a}' AND '{b}' GROUP BY email"
    );
    let sql = match col {
        0 => format!("SELECT count(*) FILTER (WHERE n >= 2) FROM ({buyers})"),
        _ => format!("SELECT count(*) FILTER (WHERE n >= 2) / count(*) FROM ({buyers})"),
    };
    Expect::Cells(vec![(sql, 0, col)])
}

fn case(q: &'static str, lang: &'static str, kind: &'static str, expect: Expect) -> Case {
    Case {
        q,
        lang,
        kind,
        expect,
        batch: 1,
    }
}

/// The second batch (see [`Case::batch`]).
fn held_out() -> Vec<Case> {
    let later = |q, lang, kind, expect| Case {
        batch: 2,
        ..case(q, lang, kind, expect)
    };
    let gb = "AND country = 'GB'";
    vec![
        later(
            "what were total sales in April 2026",
            "en",
            "total",
            total(REV, APR26, ""),
        ),
        later(
            "number of orders in Q4 2025",
            "en",
            "count",
            total(ORD, Q4_25, ""),
        ),
        later(
            "how many products did we sell in December 2025",
            "en",
            "count",
            total(UNITS, DEC25, ""),
        ),
        later(
            "mean order value in March 2025",
            "en",
            "average",
            total(AOV, MAR25, ""),
        ),
        later(
            "how many first-time customers in Q1 2026",
            "en",
            "count",
            total(NEW, Q1_26, ""),
        ),
        later("refund rate in 2025", "en", "rate", total(RATE, Y2025, "")),
        later(
            "which channel generated the most revenue last year",
            "en",
            "winner",
            ranked("channel", REV, Y2025, true, 1, ""),
        ),
        later(
            "what category had the most orders in June 2026",
            "en",
            "winner",
            ranked("category", ORD, JUN26, true, 1, ""),
        ),
        later(
            "bottom 3 countries by orders in 2025",
            "en",
            "top",
            ranked("country", ORD, Y2025, false, 3, ""),
        ),
        later(
            "5 best products by units in 2025",
            "en",
            "top",
            ranked("product", UNITS, Y2025, true, 5, ""),
        ),
        later(
            "sales per country in Q1 2026",
            "en",
            "split",
            ranked("country", REV, Q1_26, true, 10, ""),
        ),
        later(
            "revenue April 2026 vs March 2026",
            "en",
            "comparison",
            compared(REV, APR26, MAR26),
        ),
        later(
            "how did orders in Q4 2025 compare with Q1 2025",
            "en",
            "comparison",
            compared(ORD, Q4_25, Q1_25),
        ),
        later(
            "British revenue in 2025",
            "en",
            "names",
            total(REV, Y2025, gb),
        ),
        later(
            "orders from Canada in March 2026",
            "en",
            "names",
            total(ORD, MAR26, "AND country = 'CA'"),
        ),
        later(
            "beauty revenue in Q1 2026",
            "en",
            "names",
            total(REV, Q1_26, "AND category = 'Beauty'"),
        ),
        later(
            "how many units of garden products in 2025",
            "en",
            "names",
            total(UNITS, Y2025, "AND category = 'Garden'"),
        ),
        later(
            "marketplace orders last month",
            "en",
            "filter",
            total(ORD, JUN26, "AND channel = 'marketplace'"),
        ),
        later(
            "weekly revenue in March 2026",
            "en",
            "series",
            Expect::Cells(vec![(value(REV, ("2026-03-01", "2026-03-01"), ""), 0, 1)]),
        ),
        later(
            "¿cuánto vendimos en abril de 2026?",
            "es",
            "total",
            total(REV, APR26, ""),
        ),
        later(
            "número de pedidos en el cuarto trimestre de 2025",
            "es",
            "count",
            total(ORD, Q4_25, ""),
        ),
        later(
            "¿qué canal tuvo más pedidos en 2025?",
            "es",
            "winner",
            ranked("channel", ORD, Y2025, true, 1, ""),
        ),
        later(
            "ingresos de Francia en 2025",
            "es",
            "names",
            total(REV, Y2025, "AND country = 'FR'"),
        ),
        later(
            "2025年哪个渠道的订单最多",
            "zh-CN",
            "winner",
            ranked("channel", ORD, Y2025, true, 1, ""),
        ),
        later("2026年4月的收入", "zh-CN", "total", total(REV, APR26, "")),
        later("英国2025年的订单", "zh-CN", "names", total(ORD, Y2025, gb)),
        later("2025年的退货率", "zh-CN", "rate", total(RATE, Y2025, "")),
        later(
            "ما هي الإيرادات في أبريل 2026",
            "ar",
            "total",
            total(REV, APR26, ""),
        ),
        later(
            "أي قناة حققت أكثر الطلبات في 2025",
            "ar",
            "winner",
            ranked("channel", ORD, Y2025, true, 1, ""),
        ),
        later(
            "إيرادات فرنسا في 2025",
            "ar",
            "names",
            total(REV, Y2025, "AND country = 'FR'"),
        ),
        later(
            "كم عدد العملاء الجدد في 2025",
            "ar",
            "count",
            total(NEW, Y2025, ""),
        ),
        later(
            "توقع الإيرادات للشهر القادم",
            "ar",
            "model",
            Expect::Kind("forecast"),
        ),
        later(
            "are there any customers we are losing",
            "en",
            "model",
            Expect::Kind("churn"),
        ),
        later(
            "where do I import my Shopify orders",
            "en",
            "model",
            Expect::Kind("help"),
        ),
    ]
}

pub fn cases() -> Vec<Case> {
    use Expect::Kind;
    let de = "AND country = 'DE'";
    let us = "AND country = 'US'";
    vec![
        // Totals, counts, averages and rates (English).
        case(
            "What was the revenue in March 2025?",
            "en",
            "total",
            total(REV, MAR25, ""),
        ),
        case(
            "How many orders did we get in 2025?",
            "en",
            "count",
            total(ORD, Y2025, ""),
        ),
        case(
            "How many units did we sell last month?",
            "en",
            "count",
            total(UNITS, JUN26, ""),
        ),
        case(
            "What was the average order value in Q1 2026?",
            "en",
            "average",
            total(AOV, Q1_26, ""),
        ),
        case(
            "How many customers bought something in May 2026?",
            "en",
            "count",
            total(CUST, MAY26, ""),
        ),
        case(
            "How many new customers did we get in 2025?",
            "en",
            "count",
            total(NEW, Y2025, ""),
        ),
        case(
            "How many returning customers did we have in 2025?",
            "en",
            "count",
            total(RETURNING, Y2025, ""),
        ),
        case(
            "What was the return rate last year?",
            "en",
            "rate",
            total(RATE, Y2025, ""),
        ),
        case(
            "How many units were returned in April 2026?",
            "en",
            "count",
            total(RETURNED, APR26, ""),
        ),
        case(
            "Total sales in the first quarter of 2025",
            "en",
            "total",
            total(REV, Q1_25, ""),
        ),
        case("revenue this year", "en", "total", total(REV, Y2026, "")),
        case(
            "How much money did we make in 2024?",
            "en",
            "total",
            total(REV, Y2024, ""),
        ),
        case(
            "orders in December 2025",
            "en",
            "count",
            total(ORD, DEC25, ""),
        ),
        case(
            "net sales in February 2026",
            "en",
            "total",
            total(REV, FEB26, ""),
        ),
        case(
            "how much did we sell in 2025",
            "en",
            "total",
            total(REV, Y2025, ""),
        ),
        case(
            "how many items did we sell in 2025",
            "en",
            "count",
            total(UNITS, Y2025, ""),
        ),
        case(
            "how many orders last year",
            "en",
            "count",
            total(ORD, Y2025, ""),
        ),
        case(
            "average order value last month",
            "en",
            "average",
            total(AOV, JUN26, ""),
        ),
        case("AOV in 2025", "en", "average", total(AOV, Y2025, "")),
        case(
            "how many customers ordered more than once in 2025",
            "en",
            "rate",
            repeat(Y2025, 0),
        ),
        case(
            "repeat purchase rate in 2025",
            "en",
            "rate",
            repeat(Y2025, 2),
        ),
        // Winners, losers, top-N and splits.
        case(
            "Which country brought in the most money in 2025?",
            "en",
            "winner",
            ranked("country", REV, Y2025, true, 1, ""),
        ),
        case(
            "Which category sold the most units last year?",
            "en",
            "winner",
            ranked("category", UNITS, Y2025, true, 1, ""),
        ),
        case(
            "What was the best selling product in March 2026?",
            "en",
            "winner",
            ranked("product", UNITS, MAR26, true, 1, ""),
        ),
        case(
            "Which channel had the most orders in 2025?",
            "en",
            "winner",
            ranked("channel", ORD, Y2025, true, 1, ""),
        ),
        case(
            "Which country had the fewest orders in 2025?",
            "en",
            "loser",
            ranked("country", ORD, Y2025, false, 1, ""),
        ),
        case(
            "Which category had the lowest revenue last month?",
            "en",
            "loser",
            ranked("category", REV, JUN26, false, 1, ""),
        ),
        case(
            "Which product made the most revenue in 2025?",
            "en",
            "winner",
            ranked("product", REV, Y2025, true, 1, ""),
        ),
        case(
            "Top category by revenue in Q4 2025",
            "en",
            "winner",
            ranked("category", REV, Q4_25, true, 1, ""),
        ),
        case(
            "top 3 products by revenue in June 2026",
            "en",
            "top",
            ranked("product", REV, JUN26, true, 3, ""),
        ),
        case(
            "top 5 countries by revenue in 2025",
            "en",
            "top",
            ranked("country", REV, Y2025, true, 5, ""),
        ),
        case(
            "top 3 categories by orders last year",
            "en",
            "top",
            ranked("category", ORD, Y2025, true, 3, ""),
        ),
        case(
            "the 3 categories with the least revenue in 2025",
            "en",
            "top",
            ranked("category", REV, Y2025, false, 3, ""),
        ),
        case(
            "top 5 products by revenue this year",
            "en",
            "top",
            ranked("product", REV, Y2026, true, 5, ""),
        ),
        case(
            "revenue by channel in 2025",
            "en",
            "split",
            ranked("channel", REV, Y2025, true, 4, ""),
        ),
        case(
            "units sold per category in Q1 2026",
            "en",
            "split",
            ranked("category", UNITS, Q1_26, true, 12, ""),
        ),
        case(
            "which country had the highest average order value in 2025",
            "en",
            "winner",
            ranked("country", AOV, Y2025, true, 1, ""),
        ),
        // Comparisons and changes.
        case(
            "revenue in March 2026 vs February 2026",
            "en",
            "comparison",
            compared(REV, MAR26, FEB26),
        ),
        case(
            "orders in 2025 compared with 2024",
            "en",
            "comparison",
            compared(ORD, Y2025, Y2024),
        ),
        case(
            "By what percentage did revenue change from February to March 2026?",
            "en",
            "comparison",
            compared(REV, MAR26, FEB26),
        ),
        case(
            "units last month vs the month before",
            "en",
            "comparison",
            compared(UNITS, JUN26, MAY26),
        ),
        case(
            "how did revenue in Q1 2026 compare to Q1 2025",
            "en",
            "comparison",
            compared(REV, Q1_26, Q1_25),
        ),
        case(
            "revenue in May 2026 versus May 2025",
            "en",
            "comparison",
            compared(REV, MAY26, MAY25),
        ),
        case(
            "did we get more orders in April 2026 than in March 2026",
            "en",
            "comparison",
            compared(ORD, APR26, MAR26),
        ),
        // Filters by name.
        case(
            "revenue from Germany in 2025",
            "en",
            "filter",
            total(REV, Y2025, de),
        ),
        case(
            "orders from the United States last month",
            "en",
            "filter",
            total(ORD, JUN26, us),
        ),
        case(
            "Footwear revenue in 2025",
            "en",
            "filter",
            total(REV, Y2025, "AND category = 'Footwear'"),
        ),
        case(
            "how many units of Electronics did we sell in Q1 2026",
            "en",
            "filter",
            total(UNITS, Q1_26, "AND category = 'Electronics'"),
        ),
        case(
            "mobile app revenue in 2025",
            "en",
            "filter",
            total(REV, Y2025, "AND channel = 'mobile_app'"),
        ),
        case(
            "revenue from France in March 2026",
            "en",
            "filter",
            total(REV, MAR26, "AND country = 'FR'"),
        ),
        case(
            "what share of Footwear was refunded in 2025",
            "en",
            "filter",
            total(RATE, Y2025, "AND category = 'Footwear'"),
        ),
        case(
            "return rate of Electronics last year",
            "en",
            "filter",
            total(RATE, Y2025, "AND category = 'Electronics'"),
        ),
        case(
            "web orders in 2025",
            "en",
            "filter",
            total(ORD, Y2025, "AND channel = 'web'"),
        ),
        // Names in other words.
        case(
            "sales in the UK in 2025",
            "en",
            "names",
            total(REV, Y2025, "AND country = 'GB'"),
        ),
        case(
            "orders from Australia in 2025",
            "en",
            "names",
            total(ORD, Y2025, "AND country = 'AU'"),
        ),
        case(
            "revenue from the Netherlands in 2025",
            "en",
            "names",
            total(REV, Y2025, "AND country = 'NL'"),
        ),
        case(
            "revenue from the UAE in 2025",
            "en",
            "names",
            total(REV, Y2025, "AND country = 'AE'"),
        ),
        case(
            "home and kitchen revenue in 2025",
            "en",
            "names",
            total(REV, Y2025, "AND category = 'Home & Kitchen'"),
        ),
        case(
            "revenue from footware in 2025",
            "en",
            "names",
            total(REV, Y2025, "AND category = 'Footwear'"),
        ),
        case(
            "pet supplies orders in march 2026",
            "en",
            "names",
            total(ORD, MAR26, "AND category = 'Pet Supplies'"),
        ),
        case(
            "toys revenue in 2025",
            "en",
            "names",
            total(REV, Y2025, "AND category = 'Toys & Games'"),
        ),
        case(
            "how much did Americans spend in 2025",
            "en",
            "names",
            total(REV, Y2025, us),
        ),
        // Series over time.
        case(
            "revenue by month in 2025",
            "en",
            "series",
            first_bucket(REV, JAN25),
        ),
        case(
            "monthly orders in 2025",
            "en",
            "series",
            first_bucket(ORD, JAN25),
        ),
        // Spanish.
        case(
            "¿Cuántos pedidos hubo en marzo de 2026?",
            "es",
            "count",
            total(ORD, MAR26, ""),
        ),
        case("ingresos de 2025", "es", "total", total(REV, Y2025, "")),
        case(
            "¿Qué país generó más ingresos en 2025?",
            "es",
            "winner",
            ranked("country", REV, Y2025, true, 1, ""),
        ),
        case(
            "ventas por categoría en el primer trimestre de 2026",
            "es",
            "split",
            ranked("category", REV, Q1_26, true, 12, ""),
        ),
        case(
            "ingresos de Alemania en 2025",
            "es",
            "names",
            total(REV, Y2025, de),
        ),
        case(
            "los 3 productos más vendidos en junio de 2026",
            "es",
            "top",
            ranked("product", UNITS, JUN26, true, 3, ""),
        ),
        case(
            "unidades vendidas el mes pasado",
            "es",
            "count",
            total(UNITS, JUN26, ""),
        ),
        case(
            "ingresos de marzo 2026 frente a febrero 2026",
            "es",
            "comparison",
            compared(REV, MAR26, FEB26),
        ),
        case(
            "¿cuántos clientes compraron en 2025?",
            "es",
            "count",
            total(CUST, Y2025, ""),
        ),
        case(
            "valor medio del pedido en 2025",
            "es",
            "average",
            total(AOV, Y2025, ""),
        ),
        case(
            "tasa de devolución en 2025",
            "es",
            "rate",
            total(RATE, Y2025, ""),
        ),
        case(
            "ingresos de Estados Unidos el año pasado",
            "es",
            "names",
            total(REV, Y2025, us),
        ),
        case(
            "¿cuál fue la categoría con menos pedidos en 2025?",
            "es",
            "loser",
            ranked("category", ORD, Y2025, false, 1, ""),
        ),
        // Chinese.
        case(
            "2025年的收入是多少",
            "zh-CN",
            "total",
            total(REV, Y2025, ""),
        ),
        case(
            "2026年3月有多少订单",
            "zh-CN",
            "count",
            total(ORD, MAR26, ""),
        ),
        case(
            "哪个国家在2025年收入最高",
            "zh-CN",
            "winner",
            ranked("country", REV, Y2025, true, 1, ""),
        ),
        case(
            "上个月卖了多少件",
            "zh-CN",
            "count",
            total(UNITS, JUN26, ""),
        ),
        case("德国2025年的收入", "zh-CN", "names", total(REV, Y2025, de)),
        case(
            "2025年按类别的收入",
            "zh-CN",
            "split",
            ranked("category", REV, Y2025, true, 12, ""),
        ),
        case(
            "2026年第一季度的收入",
            "zh-CN",
            "total",
            total(REV, Q1_26, ""),
        ),
        case(
            "2026年3月与2月的收入对比",
            "zh-CN",
            "comparison",
            compared(REV, MAR26, FEB26),
        ),
        case(
            "2025年收入前3的产品",
            "zh-CN",
            "top",
            ranked("product", REV, Y2025, true, 3, ""),
        ),
        case("2025年有多少客户", "zh-CN", "count", total(CUST, Y2025, "")),
        case(
            "2025年的平均订单价值",
            "zh-CN",
            "average",
            total(AOV, Y2025, ""),
        ),
        case(
            "美国上个月的订单数",
            "zh-CN",
            "names",
            total(ORD, JUN26, us),
        ),
        // Arabic.
        case(
            "كم كانت الإيرادات في 2025",
            "ar",
            "total",
            total(REV, Y2025, ""),
        ),
        case(
            "كم عدد الطلبات في مارس 2026",
            "ar",
            "count",
            total(ORD, MAR26, ""),
        ),
        case(
            "أي دولة حققت أعلى إيرادات في 2025",
            "ar",
            "winner",
            ranked("country", REV, Y2025, true, 1, ""),
        ),
        case(
            "إيرادات ألمانيا في 2025",
            "ar",
            "names",
            total(REV, Y2025, de),
        ),
        case(
            "الإيرادات حسب الفئة في 2025",
            "ar",
            "split",
            ranked("category", REV, Y2025, true, 12, ""),
        ),
        case(
            "الإيرادات الشهر الماضي",
            "ar",
            "total",
            total(REV, JUN26, ""),
        ),
        case("عدد العملاء في 2025", "ar", "count", total(CUST, Y2025, "")),
        case(
            "الإيرادات في مارس 2026 مقارنة بفبراير 2026",
            "ar",
            "comparison",
            compared(REV, MAR26, FEB26),
        ),
        case(
            "متوسط قيمة الطلب في 2025",
            "ar",
            "average",
            total(AOV, Y2025, ""),
        ),
        case(
            "أفضل 3 منتجات حسب الإيرادات في 2025",
            "ar",
            "top",
            ranked("product", REV, Y2025, true, 3, ""),
        ),
        case(
            "كم وحدة بعنا في الربع الأول من 2026",
            "ar",
            "count",
            total(UNITS, Q1_26, ""),
        ),
        // Forecasts, segments, alerts and help, in four languages.
        case(
            "forecast revenue for the next two weeks",
            "en",
            "model",
            Kind("forecast"),
        ),
        case(
            "what will sales be next month",
            "en",
            "model",
            Kind("forecast"),
        ),
        case(
            "which customers are about to churn",
            "en",
            "model",
            Kind("churn"),
        ),
        case(
            "who is likely to stop buying from us",
            "en",
            "model",
            Kind("churn"),
        ),
        case("any unusual days recently?", "en", "model", Kind("alerts")),
        case(
            "why did orders drop last Tuesday",
            "en",
            "model",
            Kind("alerts"),
        ),
        case("show me anomalies", "en", "model", Kind("alerts")),
        case(
            "how do I upload a WooCommerce export",
            "en",
            "model",
            Kind("help"),
        ),
        case(
            "pronóstico de ventas para el próximo mes",
            "es",
            "model",
            Kind("forecast"),
        ),
        case(
            "¿qué clientes están en riesgo de abandono?",
            "es",
            "model",
            Kind("churn"),
        ),
        case(
            "¿cómo subo un archivo de Shopify?",
            "es",
            "model",
            Kind("help"),
        ),
        case("预测下个月的收入", "zh-CN", "model", Kind("forecast")),
        case("哪些客户可能流失", "zh-CN", "model", Kind("churn")),
        case("有什么异常的日子吗", "zh-CN", "model", Kind("alerts")),
        case(
            "ما هي توقعات المبيعات للأسبوع القادم",
            "ar",
            "model",
            Kind("forecast"),
        ),
        case("كيف أرفع ملف الطلبات", "ar", "model", Kind("help")),
        case(
            "what should I recommend to customer C0000001",
            "en",
            "model",
            Kind("recommend"),
        ),
        case(
            "¿qué le recomiendo al cliente C0000003?",
            "es",
            "model",
            Kind("recommend"),
        ),
    ]
    .into_iter()
    .chain(held_out())
    .chain(third())
    .chain(fourth())
    .collect()
}

/// The third batch (see [`Case::batch`]).
fn third() -> Vec<Case> {
    let new = |q, lang, kind, expect| Case {
        batch: 3,
        ..case(q, lang, kind, expect)
    };
    const SEP25: Period = ("2025-09-01", "2025-09-30");
    const Q2_25: Period = ("2025-04-01", "2025-06-30");
    vec![
        new(
            "What were our takings in September 2025?",
            "en",
            "total",
            total(REV, SEP25, ""),
        ),
        new(
            "how many orders came in during the second quarter of 2025",
            "en",
            "count",
            total(ORD, Q2_25, ""),
        ),
        new(
            "total units sold in 2026 so far",
            "en",
            "count",
            total(UNITS, Y2026, ""),
        ),
        new(
            "how many people bought from us in 2025",
            "en",
            "count",
            total(CUST, Y2025, ""),
        ),
        new(
            "what's our best country for orders this year",
            "en",
            "winner",
            ranked("country", ORD, Y2026, true, 1, ""),
        ),
        new(
            "which categories sold fewest units in 2025? show 2",
            "en",
            "top",
            ranked("category", UNITS, Y2025, false, 2, ""),
        ),
        new(
            "revenue split by channel for Q2 2025",
            "en",
            "split",
            ranked("channel", REV, Q2_25, true, 4, ""),
        ),
        new(
            "compare orders in September 2025 with August 2025",
            "en",
            "comparison",
            compared(ORD, SEP25, ("2025-08-01", "2025-08-31")),
        ),
        new(
            "how much did Spain spend in 2025",
            "en",
            "names",
            total(REV, Y2025, "AND country = 'ES'"),
        ),
        new(
            "electronics units in June 2026",
            "en",
            "names",
            total(UNITS, JUN26, "AND category = 'Electronics'"),
        ),
        new(
            "returned units in 2025",
            "en",
            "count",
            total(RETURNED, Y2025, ""),
        ),
        new(
            "¿cuál fue el valor medio de los pedidos en septiembre de 2025?",
            "es",
            "average",
            total(AOV, SEP25, ""),
        ),
        new(
            "¿cuántas unidades vendimos en 2025?",
            "es",
            "count",
            total(UNITS, Y2025, ""),
        ),
        new(
            "los 3 países con más ingresos en 2025",
            "es",
            "top",
            ranked("country", REV, Y2025, true, 3, ""),
        ),
        new("2025年9月的订单数", "zh-CN", "count", total(ORD, SEP25, "")),
        new(
            "2025年哪个类别的销量最高",
            "zh-CN",
            "winner",
            ranked("category", UNITS, Y2025, true, 1, ""),
        ),
        new(
            "法国上个月的收入",
            "zh-CN",
            "names",
            total(REV, JUN26, "AND country = 'FR'"),
        ),
        new(
            "كم كانت الإيرادات في سبتمبر 2025",
            "ar",
            "total",
            total(REV, SEP25, ""),
        ),
        new(
            "ما هي الفئة الأكثر مبيعا في 2025",
            "ar",
            "winner",
            ranked("category", UNITS, Y2025, true, 1, ""),
        ),
        new(
            "what should I suggest to customer C0000010",
            "en",
            "model",
            Expect::Kind("recommend"),
        ),
        new(
            "predict next week's sales",
            "en",
            "model",
            Expect::Kind("forecast"),
        ),
        new(
            "¿hubo días raros últimamente?",
            "es",
            "model",
            Expect::Kind("alerts"),
        ),
    ]
}

/// A share of a filtered total: the result's first row is [value, total, share].
fn share_of(m: &str, p: Period, filter: &str) -> Expect {
    Expect::Cells(vec![(
        format!("SELECT ({}) / ({})", value(m, p, filter), value(m, p, "")),
        0,
        2,
    )])
}

/// Each value of a split as a share of the whole: the first row is [label, value, whole,
/// share], the largest first.
fn largest_share(dim: &str, m: &str, p: Period) -> Expect {
    Expect::Cells(vec![(
        format!(
            "SELECT max(v) / sum(v) FROM (SELECT {m} AS v FROM lines
               WHERE day BETWEEN '{}' AND '{}' GROUP BY {dim})",
            p.0, p.1
        ),
        0,
        3,
    )])
}

/// The fourth batch (see [`Case::batch`]).
fn fourth() -> Vec<Case> {
    let new = |q, lang, kind, expect| Case {
        batch: 4,
        ..case(q, lang, kind, expect)
    };
    const Q2_26: Period = ("2026-04-01", "2026-06-30");
    const H1_26: Period = ("2026-01-01", "2026-06-30");
    const LAST7: Period = ("2026-06-24", "2026-06-30");
    vec![
        new(
            "what percentage of revenue came from Germany in 2025",
            "en",
            "share",
            share_of(REV, Y2025, "AND country = 'DE'"),
        ),
        new(
            "what share of orders were placed on the mobile app in 2025",
            "en",
            "share",
            share_of(ORD, Y2025, "AND channel = 'mobile_app'"),
        ),
        new(
            "What share of units were Books in 2025?",
            "en",
            "share",
            share_of(UNITS, Y2025, "AND category = 'Books'"),
        ),
        new(
            "what portion of our 2025 customers came from the US",
            "en",
            "share",
            share_of(CUST, Y2025, "AND country = 'US'"),
        ),
        new(
            "percentage of revenue by channel in 2025",
            "en",
            "share",
            largest_share("channel", REV, Y2025),
        ),
        new(
            "which product sold best in Electronics in 2025",
            "en",
            "winner",
            ranked(
                "product",
                UNITS,
                Y2025,
                true,
                1,
                "AND category = 'Electronics'",
            ),
        ),
        new(
            "best sellers in Footwear last month",
            "en",
            "top",
            ranked(
                "product",
                UNITS,
                JUN26,
                true,
                3,
                "AND category = 'Footwear'",
            ),
        ),
        new(
            "show me the best selling products among Pet Supplies this year",
            "en",
            "top",
            ranked(
                "product",
                UNITS,
                Y2026,
                true,
                3,
                "AND category = 'Pet Supplies'",
            ),
        ),
        new(
            "How much did we make from Italy in 2025?",
            "en",
            "absent",
            total(REV, Y2025, "AND country = 'IT'"),
        ),
        new(
            "orders from Brazil last year",
            "en",
            "absent",
            total(ORD, Y2025, "AND country = 'BR'"),
        ),
        new(
            "revenue in Switzerland in 2025",
            "en",
            "absent",
            total(REV, Y2025, "AND country = 'CH'"),
        ),
        new(
            "how many customers did we have in Singapore in 2025",
            "en",
            "names",
            total(CUST, Y2025, "AND country = 'SG'"),
        ),
        new(
            "how many orders did we get from the UK in March 2026",
            "en",
            "names",
            total(ORD, MAR26, "AND country = 'GB'"),
        ),
        new(
            "how many units of Garden did we sell in April 2026",
            "en",
            "names",
            total(UNITS, APR26, "AND category = 'Garden'"),
        ),
        new(
            "how much revenue did Sports & Outdoors bring in during 2025",
            "en",
            "names",
            total(REV, Y2025, "AND category = 'Sports & Outdoors'"),
        ),
        new(
            "how much revenue did the marketplace channel bring in 2026",
            "en",
            "names",
            total(REV, Y2026, "AND channel = 'marketplace'"),
        ),
        new(
            "how many units did we sell on the web channel in Q4 2025",
            "en",
            "names",
            total(UNITS, Q4_25, "AND channel = 'web'"),
        ),
        new(
            "sales in France vs Spain in 2025",
            "en",
            "names",
            ranked(
                "country",
                REV,
                Y2025,
                true,
                2,
                "AND country IN ('FR', 'ES')",
            ),
        ),
        new(
            "sales per month in 2025",
            "en",
            "series",
            first_bucket(REV, JAN25),
        ),
        new(
            "which month of 2025 had the highest revenue",
            "en",
            "winner",
            Expect::Cells(vec![(
                format!(
                    "SELECT max(v) FROM (SELECT {REV} AS v FROM lines
                       WHERE day BETWEEN '2025-01-01' AND '2025-12-31'
                       GROUP BY date_trunc('month', day))"
                ),
                0,
                1,
            )]),
        ),
        new(
            "what did we earn in the last quarter",
            "en",
            "total",
            total(REV, Q2_26, ""),
        ),
        new(
            "top 5 categories by revenue in the first half of 2026",
            "en",
            "top",
            ranked("category", REV, H1_26, true, 5, ""),
        ),
        new(
            "which country had the fewest orders in 2025",
            "en",
            "loser",
            ranked("country", ORD, Y2025, false, 1, ""),
        ),
        new(
            "revenue yesterday",
            "en",
            "total",
            total(REV, ("2026-06-30", "2026-06-30"), ""),
        ),
        new(
            "orders in the last 7 days",
            "en",
            "count",
            total(ORD, LAST7, ""),
        ),
        new(
            "cuanto vendimos en marzo de 2026",
            "es",
            "total",
            total(REV, MAR26, ""),
        ),
        new(
            "que porcentaje de los ingresos vino de Francia en 2025",
            "es",
            "share",
            share_of(REV, Y2025, "AND country = 'FR'"),
        ),
        new(
            "cual fue el producto mas vendido en 2025",
            "es",
            "winner",
            ranked("product", UNITS, Y2025, true, 1, ""),
        ),
        new(
            "pedidos de Italia en 2025",
            "es",
            "absent",
            total(ORD, Y2025, "AND country = 'IT'"),
        ),
        new(
            "ingresos por categoría en el primer trimestre de 2026",
            "es",
            "split",
            ranked("category", REV, Q1_26, true, 5, ""),
        ),
        new(
            "¿cuántos clientes nuevos tuvimos en mayo de 2026?",
            "es",
            "count",
            total(NEW, MAY26, ""),
        ),
        new(
            "2025年德国的收入占总收入的百分之几",
            "zh-CN",
            "share",
            share_of(REV, Y2025, "AND country = 'DE'"),
        ),
        new(
            "2026年3月卖得最好的产品",
            "zh-CN",
            "winner",
            ranked("product", UNITS, MAR26, true, 1, ""),
        ),
        new(
            "意大利2025年的订单数",
            "zh-CN",
            "absent",
            total(ORD, Y2025, "AND country = 'IT'"),
        ),
        new(
            "2025年各渠道的收入占比",
            "zh-CN",
            "share",
            largest_share("channel", REV, Y2025),
        ),
        new("今年的退货率", "zh-CN", "rate", total(RATE, Y2026, "")),
        new(
            "ما نسبة الإيرادات من ألمانيا في 2025",
            "ar",
            "share",
            share_of(REV, Y2025, "AND country = 'DE'"),
        ),
        new(
            "كم عدد الطلبات من اليابان في 2025",
            "ar",
            "absent",
            total(ORD, Y2025, "AND country = 'JP'"),
        ),
        new(
            "ما هو المنتج الأكثر مبيعاً في 2025",
            "ar",
            "winner",
            ranked("product", UNITS, Y2025, true, 1, ""),
        ),
        new(
            "الإيرادات من فرنسا في الربع الأول من 2026",
            "ar",
            "names",
            total(REV, Q1_26, "AND country = 'FR'"),
        ),
    ]
}
