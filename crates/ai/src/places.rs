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

/// US states and Canadian provinces, as shops store them (codes) and merchants say them.
/// A state is matched only when the shop has its code, so "Georgia" in a shop without US
/// regions is nothing (and "Washington" a state only where the shop sells in WA).
const US_STATES: &[(&str, &[&str])] = &[
    ("AL", &["Alabama"]),
    ("AK", &["Alaska"]),
    ("AZ", &["Arizona"]),
    ("AR", &["Arkansas"]),
    ("CA", &["California"]),
    ("CO", &["Colorado"]),
    ("CT", &["Connecticut"]),
    ("DE", &["Delaware"]),
    ("FL", &["Florida"]),
    ("GA", &["Georgia"]),
    ("HI", &["Hawaii"]),
    ("ID", &["Idaho"]),
    ("IL", &["Illinois"]),
    ("IN", &["Indiana"]),
    ("IA", &["Iowa"]),
    ("KS", &["Kansas"]),
    ("KY", &["Kentucky"]),
    ("LA", &["Louisiana"]),
    ("ME", &["Maine"]),
    ("MD", &["Maryland"]),
    ("MA", &["Massachusetts"]),
    ("MI", &["Michigan"]),
    ("MN", &["Minnesota"]),
    ("MS", &["Mississippi"]),
    ("MO", &["Missouri"]),
    ("MT", &["Montana"]),
    ("NE", &["Nebraska"]),
    ("NV", &["Nevada"]),
    ("NH", &["New Hampshire"]),
    ("NJ", &["New Jersey"]),
    ("NM", &["New Mexico", "Nuevo México"]),
    ("NY", &["New York", "Nueva York"]),
    ("NC", &["North Carolina", "Carolina del Norte"]),
    ("ND", &["North Dakota", "Dakota del Norte"]),
    ("OH", &["Ohio"]),
    ("OK", &["Oklahoma"]),
    ("OR", &["Oregon"]),
    ("PA", &["Pennsylvania", "Pensilvania"]),
    ("RI", &["Rhode Island"]),
    ("SC", &["South Carolina", "Carolina del Sur"]),
    ("SD", &["South Dakota", "Dakota del Sur"]),
    ("TN", &["Tennessee"]),
    ("TX", &["Texas"]),
    ("UT", &["Utah"]),
    ("VT", &["Vermont"]),
    ("VA", &["Virginia"]),
    ("WA", &["Washington"]),
    ("WV", &["West Virginia", "Virginia Occidental"]),
    ("WI", &["Wisconsin"]),
    ("WY", &["Wyoming"]),
    (
        "DC",
        &["District of Columbia", "Washington DC", "Washington D.C."],
    ),
    ("PR", &["Puerto Rico"]),
];
const CA_PROVINCES: &[(&str, &[&str])] = &[
    ("AB", &["Alberta"]),
    ("BC", &["British Columbia", "Columbia Británica"]),
    ("MB", &["Manitoba"]),
    ("NB", &["New Brunswick", "Nuevo Brunswick"]),
    ("NL", &["Newfoundland and Labrador", "Newfoundland"]),
    ("NS", &["Nova Scotia", "Nueva Escocia"]),
    ("NT", &["Northwest Territories"]),
    ("NU", &["Nunavut"]),
    ("ON", &["Ontario"]),
    ("PE", &["Prince Edward Island"]),
    ("QC", &["Quebec", "Québec"]),
    ("SK", &["Saskatchewan"]),
    ("YT", &["Yukon"]),
];

/// The names of states and provinces, for callers that must know them as words.
pub fn region_names() -> impl Iterator<Item = &'static str> {
    US_STATES
        .iter()
        .chain(CA_PROVINCES)
        .flat_map(|(_, names)| names.iter().copied())
}

/// The shop's regions `f` names by their full name ("Texas" for a stored "TX"), beside
/// those already found by their own spelling. Canadian provinces count only when the shop
/// sells in Canada or has no US states among its regions.
pub fn regions(f: &str, catalog: &Catalog, mut found: Vec<String>) -> Vec<String> {
    let canada = catalog
        .countries
        .iter()
        .any(|c| c.eq_ignore_ascii_case("CA"));
    let tables: [&[(&str, &[&str])]; 2] = [US_STATES, CA_PROVINCES];
    for (i, table) in tables.into_iter().enumerate() {
        for (code, names) in table {
            let stored = catalog
                .regions
                .iter()
                .find(|r| r.eq_ignore_ascii_case(code));
            if let Some(r) = stored
                && (i == 0 || canada || !catalog.regions.iter().any(|r| r == "TX" || r == "NY"))
                && names.iter().any(|n| has(f, &fold(n)))
                && !found.contains(r)
            {
                found.push(r.clone());
            }
        }
    }
    // "West Virginia" also says "Virginia": the longer name wins.
    let all = found.clone();
    found.retain(|r| {
        let name_of = |code: &str| {
            US_STATES
                .iter()
                .chain(CA_PROVINCES)
                .find(|(c, _)| c.eq_ignore_ascii_case(code))
                .and_then(|(_, n)| n.iter().map(|n| fold(n)).find(|n| has(f, n)))
        };
        let Some(mine) = name_of(r) else { return true };
        !all.iter().any(|o| {
            o != r
                && name_of(o).is_some_and(|theirs| theirs.len() > mine.len() && has(&theirs, &mine))
        })
    });
    found
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

    #[test]
    fn states_by_name_when_the_shop_has_their_codes() {
        let c = Catalog {
            regions: vec!["TX".into(), "CO".into(), "WV".into(), "VA".into()],
            ..Catalog::default()
        };
        let r = |q: &str| regions(&fold(q), &c, vec![]);
        assert_eq!(r("revenue in Texas vs Colorado"), vec!["CO", "TX"]);
        assert_eq!(r("orders from West Virginia"), vec!["WV"]);
        assert_eq!(r("orders from Virginia"), vec!["VA"]);
        assert!(r("orders from Ohio").is_empty());
    }
}
