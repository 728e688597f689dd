//! What an order's status means for sales. Shops write their statuses in their platform's
//! words (Shopify's financial status, WooCommerce's `wc-completed`, Magento's `holded` and
//! `closed`, PrestaShop's "Payment accepted") and often in the shop's language; each is read
//! as one class:
//! - `paid` (paid, completed, processing, shipped, delivered…): counts as a sale;
//! - `pending` (pending, on hold, awaiting payment, authorised…): shown apart, not counted;
//! - `cancelled` (cancelled, failed, voided, expired, declined…): never counts;
//! - `refunded`: the sale and its return (net zero); `partly_refunded`: the refund amount,
//!   where the export has one, becomes a return;
//! - `other`: a word not known here; counted as a sale, as a file without statuses is.

use crate::sqlexpr::lit;

/// The classes, in the order the validation report lists them.
pub const CLASSES: &[&str] = &[
    "paid",
    "pending",
    "cancelled",
    "refunded",
    "partly_refunded",
    "other",
];

/// Parts of status words, checked in this order (the first class with a match wins), on
/// the lower-cased status with `-` and `_` as spaces. Exact words are marked with `=`.
const WORDS: &[(&str, &[&str])] = &[
    (
        "partly_refunded",
        &[
            "partially refunded",
            "partial refund",
            "partly refunded",
            "teilweise erstattet",
            "teilerstattet",
            "parcialmente reembolsado",
            "reembolso parcial",
            "partiellement rembours",
            "remboursement partiel",
            "parzialmente rimborsato",
            "rimborso parziale",
            "gedeeltelijk terugbetaald",
            "部分退款",
        ],
    ),
    (
        "refunded",
        &[
            "refund",
            "=closed",
            "returned",
            "reembols",
            "rembours",
            "erstattet",
            "rückerstatt",
            "ruckerstatt",
            "rimborsat",
            "terugbetaald",
            "devuelto",
            "retourn",
            "reimbursed",
            "chargeback",
            "退款",
            "已退",
        ],
    ),
    (
        "cancelled",
        &[
            "cancel",
            "void",
            "fail",
            "declin",
            "expired",
            "fraud",
            "trash",
            "deleted",
            "rejected",
            "error",
            "abandon",
            "storn",
            "annul",
            "anulad",
            "geannuleerd",
            "fallid",
            "échou",
            "echou",
            "fehlgeschlagen",
            "mislukt",
            "abgebrochen",
            "已取消",
            "取消",
            "失败",
        ],
    ),
    (
        "pending",
        &[
            "pending",
            "hold",
            "await",
            "unpaid",
            "incomplete",
            "impay",
            "non pay",
            "not paid",
            "authoriz",
            "authoris",
            "payment review",
            "draft",
            "partially paid",
            "pendiente",
            "en attente",
            "ausstehend",
            "wartend",
            "in attesa",
            "in afwachting",
            "pendente",
            "en espera",
            "待付款",
            "待处理",
            "未付款",
        ],
    ),
    (
        "paid",
        &[
            "paid",
            "complete",
            "processing",
            "fulfil",
            "shipped",
            "delivered",
            "accepted",
            "success",
            "settled",
            "captured",
            "=done",
            "=ok",
            "pagad",
            "payé",
            "paye",
            "bezahlt",
            "pagato",
            "betaald",
            "=pago",
            "completad",
            "terminé",
            "livré",
            "expédié",
            "enviado",
            "entregado",
            "versandt",
            "versendet",
            "geliefert",
            "abgeschlossen",
            "voltooid",
            "consegnat",
            "spedit",
            "concluído",
            "concluido",
            "已付款",
            "已完成",
            "已发货",
            "完成",
        ],
    ),
];

/// The class of the status text expression `t` (NULL stays NULL: no status given).
pub fn class_sql(t: &str) -> String {
    let s = format!("regexp_replace(replace(replace(lower({t}), '-', ' '), '_', ' '), '^wc ', '')");
    let mut case = format!("CASE WHEN {t} IS NULL THEN NULL");
    for (class, words) in WORDS {
        let conds: Vec<String> = words
            .iter()
            .map(|w| match w.strip_prefix('=') {
                Some(exact) => format!("{s} = {}", lit(exact)),
                None => format!("contains({s}, {})", lit(w)),
            })
            .collect();
        case.push_str(&format!(" WHEN {} THEN {}", conds.join(" OR "), lit(class)));
    }
    case.push_str(" ELSE 'other' END");
    case
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each word's class as the SQL that silver runs computes it.
    fn classes(words: &[&str]) -> Vec<Option<String>> {
        let c = duckdb::Connection::open_in_memory().unwrap();
        let list = words
            .iter()
            .map(|w| lit(w))
            .collect::<Vec<_>>()
            .join("), (");
        let mut st = c
            .prepare(&format!(
                "SELECT {} FROM (VALUES ({list})) t(w)",
                class_sql("w")
            ))
            .unwrap();
        st.query_map([], |r| r.get::<_, Option<String>>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn platform_words_and_translations() {
        let cases = [
            ("paid", "paid"),
            ("wc-completed", "paid"),
            ("processing", "paid"),
            ("Payment accepted", "paid"),
            ("Delivered", "paid"),
            ("complete", "paid"),
            ("pagado", "paid"),
            ("Bezahlt", "paid"),
            ("pending", "pending"),
            ("wc-on-hold", "pending"),
            ("holded", "pending"),
            ("pending_payment", "pending"),
            ("Awaiting bank wire payment", "pending"),
            ("unpaid", "pending"),
            ("authorized", "pending"),
            ("en attente", "pending"),
            ("cancelled", "cancelled"),
            ("canceled", "cancelled"),
            ("wc-failed", "cancelled"),
            ("voided", "cancelled"),
            ("Payment error", "cancelled"),
            ("Annulé", "cancelled"),
            ("storniert", "cancelled"),
            ("refunded", "refunded"),
            ("wc-refunded", "refunded"),
            ("closed", "refunded"),
            ("Remboursé", "refunded"),
            ("reembolsado", "refunded"),
            ("partially_refunded", "partly_refunded"),
            ("Teilweise erstattet", "partly_refunded"),
            ("shipped", "paid"),
            ("已完成", "paid"),
            ("something else", "other"),
        ];
        let words: Vec<&str> = cases.iter().map(|(w, _)| *w).collect();
        for ((w, want), got) in cases.iter().zip(classes(&words)) {
            assert_eq!(got.as_deref(), Some(*want), "{w}");
        }
    }
}
