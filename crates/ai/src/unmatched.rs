//! Names a question uses that match nothing the shop has: "sales in Ithaca" when the data has
//! no cities. Left unsaid, the answer would be the total for everything and read as Ithaca's;
//! said, the merchant knows what the figure is. Only capitalised words count (a name, in the
//! scripts that have capitals), never the first word, codes in capitals, months or weekdays.

use crate::parse::Catalog;
use crate::text::{edits, fold};
use crate::words;

/// Words of the copilot's own vocabulary: "Revenue", "Orders", "Forecast" are not names.
fn vocabulary() -> impl Iterator<Item = &'static str> {
    let lists: [&[&str]; 13] = [
        words::BEST_SELLING,
        words::SHARE,
        words::MOST,
        words::LEAST,
        words::VERSUS,
        words::CHANGE,
        words::FORECAST,
        words::ALERTS,
        words::CHURN,
        words::RECOMMEND,
        words::CUSTOMER,
        words::UPLOAD_HELP,
        words::SHOP_STEMS,
    ];
    lists
        .into_iter()
        .flatten()
        .copied()
        .chain(words::METRICS.iter().flat_map(|(_, w)| w.iter().copied()))
        .chain(
            words::DIMENSIONS
                .iter()
                .flat_map(|(_, w)| w.iter().copied()),
        )
        .chain(words::GRAINS.iter().flat_map(|(_, w)| w.iter().copied()))
        .chain(
            words::RANKED_GRAINS
                .iter()
                .flat_map(|(_, w)| w.iter().copied()),
        )
        .chain(crate::dates::month_words())
        .chain(crate::places::all_names())
        .chain(crate::places::region_names())
}

/// Words a question uses around names, capitalised after a colon or for emphasis.
const FUNCTION_WORDS: &[&str] = &[
    "what", "which", "who", "how", "much", "many", "did", "does", "do", "was", "were", "is", "are",
    "the", "about", "from", "with", "our", "my", "we", "you", "show", "tell", "give", "list",
    "total", "all", "last", "this", "next", "each", "between", "and", "for", "please", "qué",
    "cuál", "cuánto", "cuántos", "nuestro", "nuestros", "todos", "entre", "para",
];

const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
    "black",
    "cyber",
    "christmas",
    "navidad",
    "easter",
    "shopify",
    "woocommerce",
    "amazon",
    "etsy",
    "ebay",
];

/// The copilot's own words, folded once (thousands of phrases: not per question).
fn known_words() -> &'static [String] {
    static WORDS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        vocabulary()
            .flat_map(|p| fold(p).split(' ').map(str::to_string).collect::<Vec<_>>())
            .chain(WEEKDAYS.iter().chain(FUNCTION_WORDS).map(|w| fold(w)))
            .collect()
    })
}

/// The capitalised words of `question` that name nothing in `catalog` or the copilot's words.
pub fn names(question: &str, catalog: &Catalog) -> Vec<String> {
    let tokens: Vec<&str> = question
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
        .filter(|t| !t.is_empty())
        .collect();
    let candidates: Vec<(usize, &str)> = tokens
        .iter()
        .copied()
        .enumerate()
        .skip(1)
        .filter(|(_, t)| {
            let mut cs = t.chars();
            cs.next().is_some_and(|c| c.is_uppercase())
                && t.chars().count() >= 3
                // Codes and acronyms ("AOV", "SKU", "NY"): matched as codes elsewhere.
                && !t.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
        })
        .collect();
    // A question typed in Title Case ("How Much Did We Sell In March") capitalises every
    // word: its capitals say nothing about names.
    let capitalised = tokens
        .iter()
        .filter(|t| t.chars().next().is_some_and(char::is_uppercase))
        .count();
    if candidates.is_empty() || capitalised * 2 > tokens.len() {
        return vec![];
    }
    let known_words = known_words();
    let shop_words: Vec<String> = catalog
        .categories
        .iter()
        .chain(&catalog.channels)
        .chain(&catalog.regions)
        .chain(&catalog.countries)
        .chain(catalog.products.iter().map(|(_, n)| n))
        .flat_map(|v| fold(v).split(' ').map(str::to_string).collect::<Vec<_>>())
        .collect();
    let mut out: Vec<String> = vec![];
    // A capitalised neighbour that is one of the shop's words (not "in", which is also
    // Indiana's code).
    let is_shop_word = |t: &str| {
        let w = fold(t);
        t.chars().next().is_some_and(char::is_uppercase)
            && w.chars().count() >= 3
            && shop_words.contains(&w)
    };
    for (i, t) in candidates {
        // Part of a longer name the shop has: "Mountain Bikes" for the category "Mountain".
        if tokens.get(i - 1).is_some_and(|p| is_shop_word(p))
            || tokens.get(i + 1).is_some_and(|n| is_shop_word(n))
        {
            continue;
        }
        let w = fold(t);
        let close = |k: &String| {
            *k == w
                || k.strip_suffix('s') == Some(w.as_str())
                || w.strip_suffix('s') == Some(k.as_str())
                || (w.chars().count() >= 5 && edits(k, &w) <= 1)
        };
        if known_words
            .iter()
            .any(|k| *k == w || k.strip_suffix('s') == Some(w.as_str()))
            || shop_words.iter().any(close)
        {
            continue;
        }
        if !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop() -> Catalog {
        Catalog {
            categories: vec!["Mountain".into(), "Road".into()],
            regions: vec!["NY".into(), "IN".into()],
            products: vec![("S1".into(), "Scalpel 29 4".into())],
            ..Catalog::default()
        }
    }

    #[test]
    fn names_the_shop_does_not_have_are_found_and_its_own_are_not() {
        assert_eq!(names("sales in Ithaca", &shop()), vec!["Ithaca"]);
        assert_eq!(
            names("ventas en Barcelona en 2011", &shop()),
            vec!["Barcelona"]
        );
        for q in [
            "Revenue by Category in March",
            "what sold best among Mountain Bikes",
            "units of the Scalpel in NY",
            "AOV in Germany last Tuesday",
            "Orders vs Revenue on Black Friday",
            "how do I upload a Shopify export",
            "上个月的收入",
            "How Much Did We Sell In March",
            "revenue in March: What About Mountain",
        ] {
            assert!(names(q, &shop()).is_empty(), "{q}: {:?}", names(q, &shop()));
        }
    }
}
