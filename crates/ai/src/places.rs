//! Countries a question names, in any of the four languages, by code or by name: those the
//! shop has sold to become filters (as the shop stores them), those it never sold to are kept
//! apart so the answer can say so — "revenue from Switzerland" must not quietly become the
//! revenue from everywhere.

use crate::countries::COUNTRY_NAMES;
use crate::parse::Catalog;
use crate::text::{fold, has};
use crate::words::COUNTRIES;

/// What a question says about countries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Places {
    /// The shop's own values (as stored) the question names.
    pub known: Vec<String>,
    /// Countries the question names that the shop's data does not have, as the question
    /// wrote them.
    pub absent: Vec<String>,
}

/// Every (code, name a question may use) pair: the hand-kept table first (it has demonyms
/// such as "German customers"), then the generated one.
fn asked_names() -> impl Iterator<Item = (&'static str, &'static str)> {
    COUNTRIES
        .iter()
        .flat_map(|(code, names)| names.iter().map(move |n| (*code, *n)))
        .chain(
            COUNTRY_NAMES
                .iter()
                .flat_map(|(code, names, _)| names.iter().map(move |n| (*code, *n))),
        )
}

/// Every country name a question may use, for callers that must skip them (a country's name
/// is not a split: "the United States" is not "by state").
pub fn all_names() -> impl Iterator<Item = &'static str> {
    asked_names().map(|(_, n)| n)
}

/// The shop's stored value for country `code`: the code itself or any of its names.
fn stored<'a>(code: &str, catalog: &'a Catalog) -> Option<&'a String> {
    let names: Vec<String> = COUNTRIES
        .iter()
        .filter(|(c, _)| *c == code)
        .flat_map(|(_, n)| n.iter())
        .chain(
            COUNTRY_NAMES
                .iter()
                .filter(|(c, _, _)| *c == code)
                .flat_map(|(_, a, s)| a.iter().chain(s.iter())),
        )
        .map(|n| fold(n))
        .collect();
    catalog.countries.iter().find(|v| {
        v.eq_ignore_ascii_case(code) || {
            let fv = fold(v);
            names.contains(&fv)
        }
    })
}

/// The countries `f` (the folded question) names. `direct` are the shop's values already
/// found by their own spelling (a code in capitals, a stored name).
pub fn countries(f: &str, catalog: &Catalog, direct: Vec<String>) -> Places {
    // A country's name inside one of the shop's own names is that name: a "Panama hat", a
    // "Turkey sandwich", "Fiji water".
    let own: Vec<String> = catalog
        .products
        .iter()
        .map(|(_, n)| fold(n))
        .chain(catalog.categories.iter().map(|c| fold(c)))
        .collect();
    let mut hits: Vec<(&str, String)> = vec![];
    for (code, name) in asked_names() {
        let n = fold(name);
        if n.is_empty() || !has(f, &n) || own.iter().any(|o| has(o, &n)) {
            continue;
        }
        if !hits.iter().any(|(c, _)| *c == code) {
            hits.push((code, n));
        } else if let Some(h) = hits
            .iter_mut()
            .find(|(c, m)| *c == code && m.len() < n.len())
        {
            h.1 = n;
        }
    }
    // "South Sudan" also says "Sudan", "Papua New Guinea" also "Guinea": the longest wins.
    let all = hits.clone();
    hits.retain(|(c, n)| {
        !all.iter()
            .any(|(c2, n2)| c2 != c && n2.len() > n.len() && has(n2, n))
    });
    let mut p = Places {
        known: direct,
        absent: vec![],
    };
    for (code, n) in hits {
        match stored(code, catalog) {
            Some(v) => {
                if !p.known.contains(v) {
                    p.known.push(v.clone());
                }
            }
            None => {
                // As the question wrote it (the generated table keeps capitals and writes
                // Chinese without spaces), else the country's English name.
                let entry = COUNTRY_NAMES.iter().find(|(c, _, _)| *c == code);
                let shown = entry
                    .and_then(|(_, names, _)| names.iter().find(|m| fold(m) == n))
                    .or_else(|| entry.and_then(|(_, names, _)| names.first()))
                    .map(|m| m.to_string())
                    .unwrap_or(n);
                if !p.absent.contains(&shown) {
                    p.absent.push(shown);
                }
            }
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop(countries: &[&str]) -> Catalog {
        Catalog {
            countries: countries.iter().map(|c| c.to_string()).collect(),
            products: vec![("P1".into(), "Panama Hat".into())],
            ..Catalog::default()
        }
    }

    fn places(q: &str, c: &Catalog) -> Places {
        countries(&fold(q), c, vec![])
    }

    #[test]
    fn countries_the_shop_has_are_filters_and_the_others_are_named_as_absent() {
        let c = shop(&["US", "DE", "SG"]);
        let p = places("revenue from Germany and Switzerland", &c);
        assert_eq!(p.known, vec!["DE"]);
        assert_eq!(p.absent, vec!["Switzerland"]);
        assert_eq!(places("clientes en Singapur", &c).known, vec!["SG"]);
        assert_eq!(places("意大利的订单", &c).absent, vec!["意大利"]);
        assert_eq!(places("الطلبات من اليابان", &c).absent, vec!["اليابان"]);
        assert_eq!(
            places("sales in the United States of America", &c).known,
            vec!["US"]
        );
    }

    #[test]
    fn stored_names_in_other_languages_match_and_names_inside_products_do_not() {
        let c = shop(&["Deutschland", "Schweiz"]);
        assert_eq!(places("orders from Germany", &c).known, vec!["Deutschland"]);
        assert_eq!(places("pedidos de Suiza", &c).known, vec!["Schweiz"]);
        // The shop sells Panama hats: "Panama" is the hat.
        assert_eq!(places("units of the Panama hat", &c), Places::default());
        // "Sudan" is inside "South Sudan"; one country.
        assert_eq!(
            places("sales in South Sudan", &c).absent,
            vec!["South Sudan"]
        );
        // "us" is a word, not a country.
        assert_eq!(
            places("what did customers buy from us", &c),
            Places::default()
        );
    }
}
