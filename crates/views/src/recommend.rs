//! The recommendations page: a customer's list, a product's "bought together" and "similar",
//! or the shop's best sellers with its best customers as starting points, every item with
//! the reason it is offered.

use sr360_analytics::CustomerSummary;
use sr360_ml::suggestions::{Item, Why};
use sr360_ui::PageCtx;
use sr360_ui::pages::RecVm;

/// Why an item is offered, in the reader's words (also the copilot's).
pub fn why(locale: &str, w: &Why) -> String {
    let t = |k: &str| sr360_ui::tr(locale, k);
    match w {
        Why::BuyAgain { times } => t("rec.why_buy_again").replace("{times}", &times.to_string()),
        Why::BoughtWith { with } => t("rec.why_bought_with").replace("{name}", &with.name),
        Why::FavouriteCategory { category } => {
            t("rec.why_category").replace("{category}", category)
        }
        Why::FavouriteBrand { brand, category } => t("rec.why_brand")
            .replace("{brand}", brand)
            .replace("{category}", category),
        Why::Popular => t("rec.why_popular"),
        Why::Similar { to } => t("rec.why_similar").replace("{name}", &to.name),
    }
}

/// One line per item, each linking to the product's own recommendations.
pub fn rows(p: &PageCtx, items: &[Item]) -> Vec<RecVm> {
    items
        .iter()
        .map(|i| RecVm {
            name: i.name.clone(),
            category: i.category.clone(),
            why: why(p.locale, &i.reason),
            href: format!(
                "/recommendations?{}",
                serde_urlencoded::to_string([("product", i.sku.as_str())]).unwrap_or_default()
            ),
        })
        .collect()
}

/// The best customers as links to their lists (names only when the query layer showed them).
pub fn starters(top: &[CustomerSummary]) -> Vec<(String, String)> {
    top.iter()
        .map(|c| {
            let label = match &c.name {
                Some(n) => format!("{n} · {}", c.reference),
                None => c.reference.clone(),
            };
            let href = format!(
                "/recommendations?{}",
                serde_urlencoded::to_string([("customer", c.reference.as_str())])
                    .unwrap_or_default()
            );
            (label, href)
        })
        .collect()
}
