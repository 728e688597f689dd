//! The search page: hits grouped by kind (products, customers, orders, alerts, reports,
//! charts, pages, help), each saying whether it was found by its words, its meaning or both.

use sr360_search::{Hit, Kind};
use sr360_ui::PageCtx;
use sr360_ui::pages::HitVm;

/// The hits in groups of one kind, in the page's order of kinds; empty kinds left out.
pub fn groups(p: &PageCtx, hits: &[Hit]) -> Vec<(String, Vec<HitVm>)> {
    let mut groups = vec![];
    for kind in Kind::ALL {
        let hits: Vec<HitVm> = hits
            .iter()
            .filter(|h| h.kind == kind)
            .map(|h| HitVm {
                title: h.title.clone(),
                subtitle: h.subtitle.clone(),
                url: h.url.clone(),
                found_by: p.t(
                    match (
                        h.found_by.contains(&"words"),
                        h.found_by.contains(&"meaning"),
                    ) {
                        (true, true) => "search.by_both",
                        (false, true) => "search.by_meaning",
                        _ => "search.by_words",
                    },
                ),
            })
            .collect();
        if !hits.is_empty() {
            groups.push((kind.as_str().to_string(), hits));
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(kind: Kind, title: &str, found_by: Vec<&'static str>) -> Hit {
        Hit {
            kind,
            id: title.into(),
            url: format!("/{title}"),
            title: title.into(),
            subtitle: None,
            score: 1.0,
            found_by,
        }
    }

    #[test]
    fn hits_are_grouped_in_the_pages_order_and_say_how_they_were_found() {
        let p = PageCtx::anonymous("en", String::new(), "/search");
        let hits = vec![
            hit(Kind::Page, "dashboard", vec!["words"]),
            hit(Kind::Product, "kettle", vec!["words", "meaning"]),
            hit(Kind::Product, "teapot", vec!["meaning"]),
        ];
        let g = groups(&p, &hits);
        let kinds: Vec<&str> = g.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(kinds, ["product", "page"]);
        assert_eq!(g[0].1[0].found_by, p.t("search.by_both"));
        assert_eq!(g[0].1[1].found_by, p.t("search.by_meaning"));
        assert_eq!(g[1].1[0].found_by, p.t("search.by_words"));
    }
}
