//! Questions as the parser reads them: lower case, Arabic-Indic and full-width digits as ASCII,
//! punctuation as spaces, and the language guessed from the script and a few function words.

/// The four languages the copilot reads and writes.
pub const LANGS: [&str; 4] = ["en", "es", "zh-CN", "ar"];

/// The question folded for matching: lower case, digits in ASCII, punctuation except `%`, `-`
/// and `.` between digits turned to spaces, and the marks people often leave out dropped on
/// both sides of a match — Spanish accents ("mas vendido" is "más vendido"; ñ stays a letter),
/// Arabic short vowels and tanwin ("مبيعاً" is "مبيعا"), hamza forms of alef ("الاكثر" is
/// "الأكثر").
pub fn fold(q: &str) -> String {
    let mut out = String::with_capacity(q.len());
    let chars: Vec<char> = q.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let c = match c {
            '٠'..='٩' => char::from(b'0' + (c as u32 - '٠' as u32) as u8),
            '۰'..='۹' => char::from(b'0' + (c as u32 - '۰' as u32) as u8),
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '？' | '，' | '。' | '、' | '：' | '！' | '؟' | '،' | '؛' => ' ',
            'á' | 'Á' => 'a',
            'é' | 'É' => 'e',
            'í' | 'Í' => 'i',
            'ó' | 'Ó' => 'o',
            'ú' | 'Ú' | 'ü' | 'Ü' => 'u',
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            // Short vowels, tanwin, shadda, sukun and the tatweel stretch: not letters.
            '\u{064B}'..='\u{0652}' | '\u{0640}' => continue,
            _ => c,
        };
        let digit_around = |j: Option<usize>| {
            j.and_then(|j| chars.get(j))
                .is_some_and(|c| c.is_ascii_digit())
        };
        if c.is_alphanumeric() || c == '%' || c == '\'' {
            out.extend(c.to_lowercase());
        } else if (c == '.' || c == '-' || c == '/')
            && digit_around(i.checked_sub(1))
            && digit_around(Some(i + 1))
        {
            out.push(c);
        } else if c == '&' {
            out.push_str(" & ");
        } else {
            out.push(' ');
        }
    }
    // One space between words, and around every CJK character so words can be matched.
    let mut spaced = String::with_capacity(out.len() + 8);
    for c in out.chars() {
        if is_cjk(c) {
            spaced.push(' ');
            spaced.push(c);
            spaced.push(' ');
        } else {
            spaced.push(c);
        }
    }
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF)
}

fn is_arabic(c: char) -> bool {
    matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F)
}

/// The language a question is written in.
pub fn language(q: &str) -> &'static str {
    if q.chars().any(is_cjk) {
        return "zh-CN";
    }
    if q.chars().any(is_arabic) {
        return "ar";
    }
    let f = fold(q);
    let words: Vec<&str> = f.split(' ').collect();
    const ES: [&str; 24] = [
        "qué",
        "que",
        "cuál",
        "cual",
        "cuánto",
        "cuanto",
        "cuántos",
        "cuantos",
        "cuantas",
        "el",
        "la",
        "los",
        "las",
        "del",
        "por",
        "en",
        "mes",
        "año",
        "ventas",
        "ingresos",
        "pedidos",
        "clientes",
        "de",
        "productos",
    ];
    const EN: [&str; 14] = [
        "the",
        "what",
        "which",
        "how",
        "many",
        "much",
        "by",
        "in",
        "last",
        "of",
        "revenue",
        "sales",
        "orders",
        "customers",
    ];
    let es = words.iter().filter(|w| ES.contains(w)).count();
    let en = words.iter().filter(|w| EN.contains(w)).count();
    if es > en || f.contains('ñ') || f.contains('¿') {
        "es"
    } else {
        "en"
    }
}

/// Does the folded question contain `phrase` as whole words (CJK phrases as characters)?
pub fn has(folded: &str, phrase: &str) -> bool {
    find(folded, phrase).is_some()
}

/// Where `phrase` starts in the folded question, matched on word boundaries.
pub fn find(folded: &str, phrase: &str) -> Option<usize> {
    let p = fold(phrase);
    if p.is_empty() {
        return None;
    }
    let hay = format!(" {folded} ");
    let needle = format!(" {p} ");
    hay.find(&needle)
}

/// Edits (insert, delete, replace one character) between two words.
pub fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_fold_to_words_in_every_script() {
        assert_eq!(
            fold("Revenue by Category, last month?"),
            "revenue by category last month"
        );
        assert_eq!(
            fold("top 3 products in 2024-06"),
            "top 3 products in 2024-06"
        );
        assert_eq!(fold("上个月的收入"), "上 个 月 的 收 入");
        assert_eq!(fold("المبيعات في ٢٠٢٤"), "المبيعات في 2024");
        assert_eq!(language("¿Cuántos pedidos hubo en marzo?"), "es");
        assert_eq!(language("How many orders in March?"), "en");
        assert_eq!(language("三月有多少订单"), "zh-CN");
        assert_eq!(language("كم عدد الطلبات في مارس"), "ar");
        assert!(has(&fold("Revenue by category"), "by category"));
        assert!(!has(&fold("subcategory"), "category"));
        assert!(has(&fold("上个月的收入"), "收入"));
        assert_eq!(edits("footware", "footwear"), 2);
        assert!(has(
            &fold("cual fue el producto mas vendido"),
            "más vendido"
        ));
        assert!(has(&fold("¿Cuántos PEDIDOS?"), "cuantos pedidos"));
        assert_eq!(fold("año"), "año");
        assert!(has(&fold("المنتج الاكثر مبيعا"), "الأكثر مبيعاً"));
        assert_eq!(edits("kitchen", "kitchn"), 1);
        assert_eq!(edits("", "abc"), 3);
    }
}
