//! The customers pages: the most valuable customers, and one customer's orders and figures
//! (personal data only when the caller's role may see it; the query layer masks it otherwise).

use sr360_analytics::{CustomerDetail, CustomerSummary, Pii};
use sr360_ui::pages as ui;
use sr360_ui::{PageCtx, format};

/// A customer's name, or "Anonymous" and the start of their reference.
pub fn customer_label(p: &PageCtx, c: &sr360_analytics::CustomerSummary) -> String {
    c.name.clone().unwrap_or_else(|| {
        format!(
            "{} {}",
            p.t("customers.anonymous"),
            c.reference.get(..8).unwrap_or(&c.reference)
        )
    })
}

/// One row per customer, most valuable first (as the query layer ranked them).
pub fn rows(p: &PageCtx, rows: &[CustomerSummary]) -> Vec<ui::CustomerRowVm> {
    rows.iter()
        .map(|c| ui::CustomerRowVm {
            href: format!("/customers/{}", c.reference),
            label: customer_label(p, c),
            region: [c.region.clone(), c.country.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", "),
            orders: c.orders,
            revenue: c.revenue,
            last_order: c
                .last_order
                .clone()
                .and_then(|d| crate::iso_date(&d))
                .map(|d| format::date(p.locale, d))
                .unwrap_or_default(),
        })
        .collect()
}

/// One customer's page.
pub fn customer(p: &PageCtx, d: &CustomerDetail, pii: Pii, currency: &str) -> ui::CustomerVm {
    let c = &d.summary;
    let date = |s: &Option<String>| {
        s.as_deref()
            .and_then(crate::iso_date)
            .map(|d| format::date(p.locale, d))
            .unwrap_or_default()
    };
    let personal = [
        ("customers.name", c.name.clone()),
        ("customers.email", c.email.clone()),
        ("customers.city", c.city.clone()),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k, v?)))
    .collect();
    ui::CustomerVm {
        segment: d.segment.clone().map(|k| {
            let name = p.t(&format!("segments.name_{k}"));
            (k, name)
        }),
        label: customer_label(p, c),
        personal,
        pii_hidden: pii == Pii::Masked,
        region: [c.region.clone(), c.country.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", "),
        channel: c.channel.clone().unwrap_or_default(),
        orders: c.orders,
        revenue: c.revenue,
        aov: c.aov,
        recency_days: c.recency_days,
        tenure_days: c.tenure_days,
        return_rate: c.return_rate,
        first_order: date(&c.first_order),
        last_order: date(&c.last_order),
        order_rows: d
            .orders
            .iter()
            .map(|o| {
                (
                    o.order_id.clone(),
                    date(&Some(o.date.clone())),
                    o.items,
                    o.revenue,
                    o.returned,
                )
            })
            .collect(),
        currency: currency.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_without_a_name_reads_as_anonymous_with_a_short_reference() {
        let p = PageCtx::anonymous("en", String::new(), "/customers");
        let c = CustomerSummary {
            reference: "abcdef0123456789".into(),
            name: None,
            email: None,
            city: None,
            region: Some("North".into()),
            country: Some("DE".into()),
            channel: None,
            orders: 3,
            revenue: 120.0,
            aov: None,
            recency_days: None,
            tenure_days: None,
            return_rate: None,
            first_order: None,
            last_order: Some("2025-03-02".into()),
        };
        assert_eq!(
            customer_label(&p, &c),
            format!("{} abcdef01", p.t("customers.anonymous"))
        );
        let r = rows(&p, std::slice::from_ref(&c));
        assert_eq!(r[0].href, "/customers/abcdef0123456789");
        assert_eq!(r[0].region, "North, DE");
        assert!(!r[0].last_order.is_empty());
    }
}
