//! Numbers, money, percentages and dates written the way each supported language writes them
//! (CLDR conventions): `1,234.5` in English and Chinese, `1.234,5` in Spanish, Arabic-Indic
//! digits with Arabic separators (`١٬٢٣٤٫٥`) in Arabic. Only the four locales the UI ships
//! are covered, which is why this is a table and not an ICU dependency.

/// (grouping separator, decimal separator, digits)
fn symbols(locale: &str) -> (&'static str, &'static str, Option<[char; 10]>) {
    match locale {
        "es" => (".", ",", None),
        "ar" => (
            "\u{066C}",
            "\u{066B}",
            Some(['٠', '١', '٢', '٣', '٤', '٥', '٦', '٧', '٨', '٩']),
        ),
        _ => (",", ".", None),
    }
}

/// `v` with `decimals` fraction digits and grouped thousands.
pub fn number(locale: &str, v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let (group, dec, digits) = symbols(locale);
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        // Spanish does not group four-digit numbers (CLDR minimum grouping digits = 2).
        let min_group = if locale == "es" && int.len() == 4 {
            usize::MAX
        } else {
            0
        };
        if i > 0 && (int.len() - i) % 3 == 0 && int.len() > min_group {
            out.push_str(group);
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        out.push_str(dec);
        out.push_str(frac);
    }
    if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '-');
    }
    match digits {
        Some(d) => out
            .chars()
            .map(|c| c.to_digit(10).map_or(c, |n| d[n as usize]))
            .collect(),
        None => out,
    }
}

/// A count or amount, compact above a million (`1.2M`), whole below 1,000 with no fraction.
pub fn amount(locale: &str, v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", number(locale, v / 1e6, 2))
    } else if a >= 1000.0 || v.fract() == 0.0 {
        number(locale, v, 0)
    } else {
        number(locale, v, 2)
    }
}

/// A file size: `820 B`, `12.4 KB`, `3.1 MB`.
pub fn bytes(locale: &str, n: i64) -> String {
    let v = n as f64;
    if v < 1024.0 {
        format!("{} B", number(locale, v, 0))
    } else if v < 1024.0 * 1024.0 {
        format!("{} KB", number(locale, v / 1024.0, 1))
    } else {
        format!("{} MB", number(locale, v / 1024.0 / 1024.0, 1))
    }
}

/// Money with the shop's currency (symbol for the common ones, else the ISO code).
pub fn money(locale: &str, v: f64, currency: &str) -> String {
    let n = if v.abs() >= 1e6 {
        format!("{}M", number(locale, v / 1e6, 2))
    } else {
        number(locale, v, if v.abs() >= 1000.0 { 0 } else { 2 })
    };
    let symbol = match currency {
        "USD" => Some("$"),
        "EUR" => Some("€"),
        "GBP" => Some("£"),
        "JPY" | "CNY" => Some("¥"),
        _ => None,
    };
    match (symbol, locale) {
        // Spanish and Arabic put the symbol after the number.
        (Some(s), "es" | "ar") => format!("{n}\u{a0}{s}"),
        (Some(s), _) => format!("{s}{n}"),
        (None, _) => format!("{n}\u{a0}{currency}"),
    }
}

/// A share as a percentage (`0.123` → `12.3%`).
pub fn percent(locale: &str, share: f64) -> String {
    let sign = if locale == "ar" { "\u{066A}" } else { "%" };
    let n = number(locale, share * 100.0, 1);
    if locale == "es" {
        format!("{n}\u{a0}{sign}")
    } else {
        format!("{n}{sign}")
    }
}

/// A change as a signed share: `+12.5%`, `-3.0%` (a rise carries its plus sign).
pub fn signed_percent(locale: &str, change: f64) -> String {
    format!(
        "{}{}",
        if change >= 0.0 { "+" } else { "" },
        percent(locale, change)
    )
}

/// A date written for the locale: `30 Jun 2026`, `30 jun 2026`, `2026年6月30日`, `٣٠‏/٦‏/٢٠٢٦`.
pub fn date(locale: &str, d: time::Date) -> String {
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const ES: [&str; 12] = [
        "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
    ];
    let (y, m, day) = (d.year(), u8::from(d.month()) as usize, d.day());
    match locale {
        "es" => format!("{day} {} {y}", ES[m - 1]),
        "zh-CN" => format!("{y}年{m}月{day}日"),
        "ar" => {
            let n = |v: i64| number("ar", v as f64, 0).replace('\u{066C}', "");
            format!(
                "{}\u{200f}/{}\u{200f}/{}",
                n(day.into()),
                n(m as i64),
                n(y.into())
            )
        }
        _ => format!("{day} {} {y}", EN[m - 1]),
    }
}

/// A month written for the locale: `Jun 2026`, `jun 2026`, `2026年6月`, `٦‏/٢٠٢٦`.
pub fn month(locale: &str, d: time::Date) -> String {
    let full = date(locale, d.replace_day(1).unwrap_or(d));
    match locale {
        "zh-CN" => full
            .split_once('月')
            .map(|(a, _)| format!("{a}月"))
            .unwrap_or(full),
        "ar" => full
            .split_once('/')
            .map(|(_, rest)| rest.to_string())
            .unwrap_or(full),
        _ => full
            .split_once(' ')
            .map(|(_, rest)| rest.to_string())
            .unwrap_or(full),
    }
}

/// A stored name made presentable: silver keeps categories and channels trimmed and
/// case-folded (`home & kitchen`, `mobile_app`); pages show `Home & Kitchen`, `Mobile App`.
/// Words with capitals or non-Latin scripts are left as they are.
pub fn label(s: &str) -> String {
    // Abbreviations a shop's values use, written as abbreviations ("pos" is POS, not "Pos").
    const ACRONYMS: &[&str] = &[
        "pos", "sku", "b2b", "b2c", "dtc", "sms", "seo", "cpc", "api",
    ];
    s.replace('_', " ")
        .split(' ')
        .map(|w| {
            if ACRONYMS.contains(&w) {
                return w.to_uppercase();
            }
            let mut c = w.chars();
            match c.next() {
                Some(f) if f.is_lowercase() && w.chars().all(|x| !x.is_uppercase()) => {
                    f.to_uppercase().chain(c).collect()
                }
                _ => w.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date as d;

    #[test]
    fn labels() {
        assert_eq!(label("home & kitchen"), "Home & Kitchen");
        assert_eq!(label("mobile_app"), "Mobile App");
        assert_eq!(label("NY"), "NY");
        assert_eq!(label("pos"), "POS");
        assert_eq!(label("b2b_wholesale"), "B2B Wholesale");
        assert_eq!(label("position"), "Position");
        assert_eq!(label("eBay"), "eBay");
        assert_eq!(label("家居"), "家居");
    }

    #[test]
    fn numbers_per_locale() {
        assert_eq!(number("en", 1234567.891, 2), "1,234,567.89");
        assert_eq!(number("es", 1234567.891, 2), "1.234.567,89");
        assert_eq!(
            number("es", 1234.0, 0),
            "1234",
            "no grouping of four digits in Spanish"
        );
        assert_eq!(number("zh-CN", -1234.5, 1), "-1,234.5");
        assert_eq!(number("ar", 1234.5, 1), "١٬٢٣٤٫٥");
        assert_eq!(number("en", -0.001, 2), "0.00", "no negative zero");
    }

    #[test]
    fn money_percent_and_dates() {
        assert_eq!(money("en", 1234.6, "USD"), "$1,235");
        assert_eq!(money("en", 12.5, "USD"), "$12.50");
        assert_eq!(money("es", 12.5, "EUR"), "12,50\u{a0}€");
        assert_eq!(money("en", 2_500_000.0, "CHF"), "2.50M\u{a0}CHF");
        assert_eq!(percent("en", 0.1234), "12.3%");
        assert_eq!(percent("es", 0.1234), "12,3\u{a0}%");
        assert_eq!(date("en", d!(2026 - 06 - 30)), "30 Jun 2026");
        assert_eq!(date("zh-CN", d!(2026 - 06 - 30)), "2026年6月30日");
        assert_eq!(date("es", d!(2026 - 09 - 03)), "3 sept 2026");
        assert!(date("ar", d!(2026 - 06 - 30)).starts_with("٣٠"));
        assert_eq!(month("en", d!(2026 - 06 - 30)), "Jun 2026");
        assert_eq!(month("zh-CN", d!(2026 - 06 - 30)), "2026年6月");
        assert_eq!(month("ar", d!(2026 - 06 - 30)), "٦\u{200f}/٢٠٢٦");
    }
}
