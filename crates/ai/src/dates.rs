//! Periods in a question, in four languages: "last month", "June 2025", "the first quarter of
//! 2025", "since January", "last 30 days", "2024", "上个月", "الشهر الماضي", "el año pasado".
//! Relative periods count from the shop's today; a month without a year is its latest
//! occurrence up to today. Each period is found with where it starts in the question, so
//! "from February to March" gives both in order.

use sr360_analytics::TimeRange;
use time::{Date, Duration, Month};

/// A period the question names, and where in the folded question it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub at: usize,
    pub range: TimeRange,
    /// A calendar unit the period is one of (for "the month before" and follow-ups).
    pub unit: Unit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Day,
    Week,
    Month,
    Quarter,
    Year,
    Days(i64),
    Span,
}

const EN_MONTHS: [[&str; 2]; 12] = [
    ["january", "jan"],
    ["february", "feb"],
    ["march", "mar"],
    ["april", "apr"],
    ["may", "may"],
    ["june", "jun"],
    ["july", "jul"],
    ["august", "aug"],
    ["september", "sep"],
    ["october", "oct"],
    ["november", "nov"],
    ["december", "dec"],
];
const ES_MONTHS: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];
const AR_MONTHS: [&str; 12] = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
];
const ZH_NUM: [&str; 12] = [
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二",
];

/// Every month name the copilot reads (English full and short, Spanish, Arabic).
pub fn month_words() -> impl Iterator<Item = &'static str> {
    EN_MONTHS
        .iter()
        .flatten()
        .chain(ES_MONTHS.iter())
        .chain(AR_MONTHS.iter())
        .copied()
}

fn month_of(n: u8) -> Month {
    Month::try_from(n.clamp(1, 12)).unwrap_or(Month::January)
}

fn first_of(y: i32, m: u8) -> Option<Date> {
    Date::from_calendar_date(y, month_of(m), 1).ok()
}

pub(crate) fn month_range(y: i32, m: u8) -> Option<TimeRange> {
    let from = first_of(y, m)?;
    let to = if m == 12 {
        first_of(y + 1, 1)?
    } else {
        first_of(y, m + 1)?
    } - Duration::days(1);
    Some(TimeRange { from, to })
}

pub(crate) fn quarter_range(y: i32, q: u8) -> Option<TimeRange> {
    let a = month_range(y, (q - 1) * 3 + 1)?;
    let b = month_range(y, q * 3)?;
    Some(TimeRange {
        from: a.from,
        to: b.to,
    })
}

/// The first (1) or second (2) half of year `y`.
fn half_range(y: i32, h: u8) -> Option<TimeRange> {
    let a = quarter_range(y, if h == 1 { 1 } else { 3 })?;
    let b = quarter_range(y, if h == 1 { 2 } else { 4 })?;
    Some(TimeRange {
        from: a.from,
        to: b.to,
    })
}

pub(crate) fn year_range(y: i32) -> Option<TimeRange> {
    Some(TimeRange {
        from: first_of(y, 1)?,
        to: Date::from_calendar_date(y, Month::December, 31).ok()?,
    })
}

/// A shopping day (or season) of year `y`, by its key.
fn holiday(key: &str, y: i32) -> Option<TimeRange> {
    let on = |m: Month, d: u8| Date::from_calendar_date(y, m, d).ok();
    let one = |d: Option<Date>| d.map(|d| TimeRange { from: d, to: d });
    // US Thanksgiving: the fourth Thursday of November; Black Friday the day after.
    let black_friday = || {
        let first = on(Month::November, 1)?;
        let to_thursday = (7 + 3 - i64::from(first.weekday().number_days_from_monday())) % 7;
        Some(first + Duration::days(to_thursday + 21 + 1))
    };
    match key {
        "black_friday" => one(black_friday()),
        "cyber_monday" => one(black_friday().map(|d| d + Duration::days(3))),
        "black_friday_weekend" => black_friday().map(|d| TimeRange {
            from: d,
            to: d + Duration::days(3),
        }),
        // The Christmas season: the shopping weeks up to the day itself.
        "christmas" => Some(TimeRange {
            from: on(Month::December, 1)?,
            to: on(Month::December, 25)?,
        }),
        "christmas_day" => one(on(Month::December, 25)),
        "christmas_eve" => one(on(Month::December, 24)),
        "boxing_day" => one(on(Month::December, 26)),
        "new_years_eve" => one(on(Month::December, 31)),
        "new_years_day" => one(on(Month::January, 1)),
        "valentines" => one(on(Month::February, 14)),
        "halloween" => one(on(Month::October, 31)),
        "singles_day" => one(on(Month::November, 11)),
        _ => None,
    }
}

/// Shopping days as said in the four languages (folded), longest first.
const HOLIDAYS: &[(&str, &str)] = &[
    ("black friday weekend", "black_friday_weekend"),
    ("black friday", "black_friday"),
    ("viernes negro", "black_friday"),
    ("黑 色 星 期 五", "black_friday"),
    ("الجمعة السوداء", "black_friday"),
    ("cyber monday", "cyber_monday"),
    ("ciberlunes", "cyber_monday"),
    ("christmas day", "christmas_day"),
    ("christmas eve", "christmas_eve"),
    ("christmas", "christmas"),
    ("xmas", "christmas"),
    ("nochebuena", "christmas_eve"),
    ("navidad", "christmas"),
    ("平 安 夜", "christmas_eve"),
    ("圣 诞 节", "christmas"),
    ("圣 诞", "christmas"),
    ("عيد الميلاد", "christmas"),
    ("boxing day", "boxing_day"),
    ("new years eve", "new_years_eve"),
    ("new year s eve", "new_years_eve"),
    ("new year's eve", "new_years_eve"),
    ("nochevieja", "new_years_eve"),
    ("new years day", "new_years_day"),
    ("new year s day", "new_years_day"),
    ("new year's day", "new_years_day"),
    ("valentines day", "valentines"),
    ("valentine s day", "valentines"),
    ("valentine's day", "valentines"),
    ("san valentin", "valentines"),
    ("情 人 节", "valentines"),
    ("عيد الحب", "valentines"),
    ("halloween", "halloween"),
    ("万 圣 节", "halloween"),
    ("singles day", "singles_day"),
    ("双 十 一", "singles_day"),
];

fn week_of(d: Date) -> TimeRange {
    let from = d - Duration::days(i64::from(d.weekday().number_days_from_monday()));
    TimeRange {
        from,
        to: from + Duration::days(6),
    }
}

/// The period of the same unit just before `r` ("the month before").
/// "Compared to last year" with no other period: this year so far (up to the day before
/// `today`) against the same days of `last` — the previous month, quarter, year or week —
/// so that a part of a period is never set against a whole one. `None` when `last` is not
/// the unit just before today's.
pub fn so_far_against(last: TimeRange, unit: Unit, today: Date) -> Option<(TimeRange, TimeRange)> {
    let current = match unit {
        Unit::Year => year_range(today.year())?,
        Unit::Quarter => quarter_range(today.year(), (u8::from(today.month()) - 1) / 3 + 1)?,
        Unit::Month => month_range(today.year(), u8::from(today.month()))?,
        Unit::Week => week_of(today),
        _ => return None,
    };
    if before(current, unit) != last {
        return None;
    }
    // Up to yesterday: today is not over. On the unit's first day there is nothing yet.
    let to = today.previous_day()?;
    if to < current.from {
        return None;
    }
    // The same calendar day one unit earlier (a 31st becomes the month's last day).
    let months_back = |d: Date, n: i32| -> Option<Date> {
        let idx = d.year() * 12 + i32::from(u8::from(d.month())) - 1 - n;
        let (y, m) = (idx.div_euclid(12), (idx.rem_euclid(12) + 1) as u8);
        let last_day = month_range(y, m)?.to.day();
        Date::from_calendar_date(y, month_of(m), d.day().min(last_day)).ok()
    };
    let then_to = match unit {
        Unit::Year => months_back(to, 12)?,
        Unit::Quarter => months_back(to, 3)?,
        Unit::Month => months_back(to, 1)?,
        _ => to - Duration::days(7),
    }
    .min(last.to);
    Some((
        TimeRange {
            from: current.from,
            to,
        },
        TimeRange {
            from: last.from,
            to: then_to,
        },
    ))
}

pub fn before(r: TimeRange, unit: Unit) -> TimeRange {
    let m = |d: Date| (d.year(), u8::from(d.month()));
    let prev_month = |y: i32, mo: u8| if mo == 1 { (y - 1, 12) } else { (y, mo - 1) };
    let shifted = match unit {
        Unit::Month => {
            let (y, mo) = m(r.from);
            let (y, mo) = prev_month(y, mo);
            month_range(y, mo)
        }
        Unit::Quarter => {
            let (y, mo) = m(r.from);
            let q = (mo - 1) / 3 + 1;
            if q == 1 {
                quarter_range(y - 1, 4)
            } else {
                quarter_range(y, q - 1)
            }
        }
        Unit::Year => year_range(r.from.year() - 1),
        _ => None,
    };
    shifted.unwrap_or_else(|| sr360_analytics::Comparison::PreviousPeriod.shift(r))
}

/// The calendar unit a range is exactly one of — a month, a quarter (from January, April,
/// July or October) or a year (from 1 January) — else a week or its length in days.
pub fn unit_of(r: TimeRange) -> Unit {
    let whole_months = r.from.day() == 1 && (r.to + Duration::days(1)).day() == 1;
    let quarter_start = (u8::from(r.from.month()) - 1) % 3 == 0;
    match (whole_months, r.days()) {
        (true, 28..=31) => Unit::Month,
        (true, 89..=92) if quarter_start => Unit::Quarter,
        (true, 365..=366) if r.from.month() == Month::January => Unit::Year,
        (_, 7) => Unit::Week,
        (_, n) => Unit::Days(n),
    }
}

fn num(w: &str) -> Option<i64> {
    w.parse().ok().or_else(|| {
        let words = [
            ("one", 1),
            ("two", 2),
            ("three", 3),
            ("four", 4),
            ("five", 5),
            ("six", 6),
            ("seven", 7),
            ("eight", 8),
            ("nine", 9),
            ("ten", 10),
            ("twelve", 12),
            ("fourteen", 14),
            ("thirty", 30),
            ("dos", 2),
            ("tres", 3),
            ("cuatro", 4),
            ("seis", 6),
            ("siete", 7),
            ("diez", 10),
            ("doce", 12),
            ("treinta", 30),
        ];
        words.iter().find(|(k, _)| *k == w).map(|(_, v)| *v)
    })
}

fn zh_num(w: &[&str]) -> Option<(u8, usize)> {
    // 十一, 十二 first (two characters), then 一 … 十.
    if w.len() >= 2 && w[0] == "十" && (w[1] == "一" || w[1] == "二") {
        return Some((if w[1] == "一" { 11 } else { 12 }, 2));
    }
    let i = ZH_NUM.iter().position(|n| Some(n) == w.first())?;
    Some((i as u8 + 1, 1))
}

fn year_word(w: &str) -> Option<i32> {
    let y: i32 = w.parse().ok()?;
    (1990..=2100).contains(&y).then_some(y)
}

/// Every period the folded question names, in order.
pub fn find_all(folded: &str, today: Date) -> Vec<Found> {
    let words: Vec<&str> = folded.split(' ').collect();
    // Character offset of each word, for ordering.
    let mut offs = Vec::with_capacity(words.len());
    let mut o = 0;
    for w in &words {
        offs.push(o);
        o += w.len() + 1;
    }
    let mut out: Vec<Found> = vec![];
    let mut used = vec![false; words.len()];
    let push = |out: &mut Vec<Found>,
                used: &mut Vec<bool>,
                i: usize,
                n: usize,
                range: Option<TimeRange>,
                unit: Unit| {
        if let Some(range) = range
            && (i..i + n).all(|k| !used[k])
        {
            for u in used.iter_mut().skip(i).take(n) {
                *u = true;
            }
            out.push(Found {
                at: offs[i],
                range,
                unit,
            });
        }
    };
    let w = |i: usize| words.get(i).copied().unwrap_or("");
    let this_month = month_range(today.year(), u8::from(today.month()));
    let last_month = {
        let (y, m) = if today.month() == Month::January {
            (today.year() - 1, 12)
        } else {
            (today.year(), u8::from(today.month()) - 1)
        };
        month_range(y, m)
    };
    let q_now = (u8::from(today.month()) - 1) / 3 + 1;
    let this_quarter = quarter_range(today.year(), q_now);
    let last_quarter = if q_now == 1 {
        quarter_range(today.year() - 1, 4)
    } else {
        quarter_range(today.year(), q_now - 1)
    };
    let last_week = week_of(today - Duration::days(7));
    let day = |d: Date| Some(TimeRange { from: d, to: d });
    let upto = |from: Date| Some(TimeRange { from, to: today });

    // Fixed phrases, longest first within each language.
    let phrases: Vec<(&str, Option<TimeRange>, Unit)> = vec![
        (
            "the month before last",
            last_month.map(|r| before(r, Unit::Month)),
            Unit::Month,
        ),
        (
            "year to date",
            upto(first_of(today.year(), 1).unwrap_or(today)),
            Unit::Span,
        ),
        (
            "this year so far",
            upto(first_of(today.year(), 1).unwrap_or(today)),
            Unit::Span,
        ),
        ("last month", last_month, Unit::Month),
        ("previous month", last_month, Unit::Month),
        ("past month", last_month, Unit::Month),
        ("this month", this_month, Unit::Month),
        ("last quarter", last_quarter, Unit::Quarter),
        ("previous quarter", last_quarter, Unit::Quarter),
        ("this quarter", this_quarter, Unit::Quarter),
        ("last year", year_range(today.year() - 1), Unit::Year),
        ("previous year", year_range(today.year() - 1), Unit::Year),
        ("this year", year_range(today.year()), Unit::Year),
        ("last week", Some(last_week), Unit::Week),
        ("previous week", Some(last_week), Unit::Week),
        ("this week", Some(week_of(today)), Unit::Week),
        ("yesterday", day(today - Duration::days(1)), Unit::Day),
        ("today", day(today), Unit::Day),
        ("el mes pasado", last_month, Unit::Month),
        ("el último mes", last_month, Unit::Month),
        ("mes pasado", last_month, Unit::Month),
        ("este mes", this_month, Unit::Month),
        ("el trimestre pasado", last_quarter, Unit::Quarter),
        ("este trimestre", this_quarter, Unit::Quarter),
        ("el año pasado", year_range(today.year() - 1), Unit::Year),
        ("año pasado", year_range(today.year() - 1), Unit::Year),
        ("este año", year_range(today.year()), Unit::Year),
        ("la semana pasada", Some(last_week), Unit::Week),
        ("semana pasada", Some(last_week), Unit::Week),
        ("esta semana", Some(week_of(today)), Unit::Week),
        ("ayer", day(today - Duration::days(1)), Unit::Day),
        ("hoy", day(today), Unit::Day),
        ("上 个 月", last_month, Unit::Month),
        ("上 月", last_month, Unit::Month),
        ("本 月", this_month, Unit::Month),
        ("这 个 月", this_month, Unit::Month),
        ("上 季 度", last_quarter, Unit::Quarter),
        ("本 季 度", this_quarter, Unit::Quarter),
        ("去 年", year_range(today.year() - 1), Unit::Year),
        ("今 年", year_range(today.year()), Unit::Year),
        ("上 周", Some(last_week), Unit::Week),
        ("本 周", Some(week_of(today)), Unit::Week),
        ("这 周", Some(week_of(today)), Unit::Week),
        ("昨 天", day(today - Duration::days(1)), Unit::Day),
        ("今 天", day(today), Unit::Day),
        ("الشهر الماضي", last_month, Unit::Month),
        ("الشهر السابق", last_month, Unit::Month),
        ("هذا الشهر", this_month, Unit::Month),
        ("الربع الماضي", last_quarter, Unit::Quarter),
        ("هذا الربع", this_quarter, Unit::Quarter),
        ("العام الماضي", year_range(today.year() - 1), Unit::Year),
        ("السنة الماضية", year_range(today.year() - 1), Unit::Year),
        ("هذا العام", year_range(today.year()), Unit::Year),
        ("هذه السنة", year_range(today.year()), Unit::Year),
        ("الأسبوع الماضي", Some(last_week), Unit::Week),
        ("هذا الأسبوع", Some(week_of(today)), Unit::Week),
        ("أمس", day(today - Duration::days(1)), Unit::Day),
        ("اليوم", day(today), Unit::Day),
    ];
    for (p, range, unit) in &phrases {
        let pw: Vec<&str> = p.split(' ').collect();
        for i in 0..words.len() {
            if words.len() >= i + pw.len() && words[i..i + pw.len()] == pw[..] {
                push(&mut out, &mut used, i, pw.len(), *range, *unit);
            }
        }
    }

    // Shopping days: the latest one up to today, or that of the year named right after
    // ("black friday 2024").
    for (p, key) in HOLIDAYS {
        let pw: Vec<&str> = p.split(' ').collect();
        for i in 0..words.len() {
            if words.len() < i + pw.len() || words[i..i + pw.len()] != pw[..] {
                continue;
            }
            let after = i + pw.len();
            let (range, n) = match year_word(w(after)) {
                Some(y) => (holiday(key, y), pw.len() + 1),
                None => {
                    let this = holiday(key, today.year());
                    let latest = match this {
                        Some(r) if r.from <= today => Some(r),
                        _ => holiday(key, today.year() - 1),
                    };
                    (latest, pw.len())
                }
            };
            let unit = match range {
                Some(r) if r.from == r.to => Unit::Day,
                _ => Unit::Span,
            };
            push(&mut out, &mut used, i, n, range, unit);
        }
    }

    // Months named without a year (where they start), and a year named with a month.
    let mut yearless: Vec<(usize, u8)> = vec![];
    let mut named_year: Option<i32> = None;
    let mut i = 0;
    while i < words.len() {
        if used[i] {
            i += 1;
            continue;
        }
        // "last 30 days", "past 2 weeks", "últimos 7 días", "最近 30 天", "آخر 30 يوم"
        if matches!(
            w(i),
            "last" | "past" | "ultimos" | "ultimas" | "最" | "过" | "اخر"
        ) {
            let (k, skip) = match (w(i), w(i + 1)) {
                ("最", "近") | ("过", "去") => (i + 2, 2),
                _ => (i + 1, 1),
            };
            if let Some(n) = num(w(k)).filter(|n| (1..=3660).contains(n)) {
                let unit_days = match w(k + 1) {
                    "days" | "day" | "dias" | "天" | "يوم" | "ايام" => Some(1),
                    "weeks" | "week" | "semanas" | "周" | "اسابيع" | "اسبوع" => Some(7),
                    "months" | "month" | "meses" | "个" | "اشهر" | "شهر" | "شهور" => {
                        Some(30)
                    }
                    _ => None,
                };
                if let Some(d) = unit_days {
                    let len = if w(k + 1) == "个" { 30 * n } else { d * n };
                    let extra = usize::from(w(k + 1) == "个" && w(k + 2) == "月");
                    push(
                        &mut out,
                        &mut used,
                        i,
                        skip + 2 + extra,
                        // The last whole days, as shop dashboards count them: today is
                        // not over yet.
                        Some(TimeRange {
                            from: today - Duration::days(len),
                            to: today - Duration::days(1),
                        }),
                        Unit::Days(len),
                    );
                    i += skip + 2;
                    continue;
                }
            }
        }
        // ISO dates: 2025-03-01
        if let Ok(d) = Date::parse(
            w(i),
            time::macros::format_description!("[year]-[month]-[day]"),
        ) {
            push(&mut out, &mut used, i, 1, day(d), Unit::Day);
            i += 1;
            continue;
        }
        // 2025-06 (a month)
        if let Some((y, m)) = w(i).split_once('-')
            && let (Some(y), Ok(m)) = (year_word(y), m.parse::<u8>())
            && (1..=12).contains(&m)
        {
            push(&mut out, &mut used, i, 1, month_range(y, m), Unit::Month);
            i += 1;
            continue;
        }
        // Quarters: "q1 2025", "first quarter of 2025", "primer trimestre de 2025",
        // "الربع الأول من 2025", "2025 年 第 一 季 度".
        let quarter = |s: &str| -> Option<u8> {
            match s {
                "q1" | "first" | "1st" | "primer" | "primero" | "الاول" => Some(1),
                "q2" | "second" | "2nd" | "segundo" | "الثاني" => Some(2),
                "q3" | "third" | "3rd" | "tercer" | "tercero" | "الثالث" => Some(3),
                "q4" | "fourth" | "4th" | "last" | "cuarto" | "ultimo" | "الرابع" | "الاخير" => {
                    Some(4)
                }
                _ => None,
            }
        };
        let near_year = |from: usize, to: usize| -> Option<(i32, usize)> {
            (from..to.min(words.len())).find_map(|k| year_word(w(k)).map(|y| (y, k)))
        };
        if w(i).starts_with('q') && w(i).len() == 2 && quarter(w(i)).is_some() {
            let q = quarter(w(i)).unwrap_or(1);
            let (y, end) = near_year(i + 1, i + 3).map(|(y, k)| (y, k + 1)).unwrap_or((
                if q <= q_now {
                    today.year()
                } else {
                    today.year() - 1
                },
                i + 1,
            ));
            push(
                &mut out,
                &mut used,
                i,
                end - i,
                quarter_range(y, q),
                Unit::Quarter,
            );
            i = end;
            continue;
        }
        if (matches!(w(i + 1), "quarter" | "trimestre")
            || (w(i) == "الربع" && quarter(w(i + 1)).is_some()))
            && let Some(q) = quarter(if w(i) == "الربع" { w(i + 1) } else { w(i) })
        {
            let (y, end) = near_year(i + 2, i + 5).map(|(y, k)| (y, k + 1)).unwrap_or((
                if q <= q_now {
                    today.year()
                } else {
                    today.year() - 1
                },
                i + 2,
            ));
            push(
                &mut out,
                &mut used,
                i,
                end - i,
                quarter_range(y, q),
                Unit::Quarter,
            );
            i = end;
            continue;
        }
        // Half years: "first half of 2025", "h2 2024", "primer semestre de 2025",
        // "النصف الأول من 2025" (the Chinese "上半年" is read below).
        let half = match (w(i), w(i + 1)) {
            ("h1", _) => Some((1u8, 1usize)),
            ("h2", _) => Some((2, 1)),
            ("first" | "1st", "half") | ("primer", "semestre") => Some((1, 2)),
            ("second" | "2nd" | "last", "half") | ("segundo", "semestre") => Some((2, 2)),
            ("النصف", "الاول") => Some((1, 2)),
            ("النصف", "الثاني") => Some((2, 2)),
            _ => None,
        };
        if let Some((h, n)) = half {
            let this_half = if today.month() as u8 <= 6 { 1 } else { 2 };
            let (y, end) = near_year(i + n, i + n + 3)
                .map(|(y, k)| (y, k + 1))
                .unwrap_or((
                    if h <= this_half {
                        today.year()
                    } else {
                        today.year() - 1
                    },
                    i + n,
                ));
            let range = half_range(y, h);
            push(&mut out, &mut used, i, end - i, range, Unit::Span);
            i = end;
            continue;
        }
        if matches!((w(i), w(i + 1), w(i + 2)), ("上" | "下", "半", "年")) {
            let h = if w(i) == "上" { 1 } else { 2 };
            let y = if i >= 2 && w(i - 1) == "年" {
                year_word(w(i - 2))
            } else {
                None
            }
            .unwrap_or(today.year());
            // "2025 年" before it was read as the year: it is this half's year.
            if i >= 2 && w(i - 1) == "年" {
                let at = offs[i - 2];
                out.retain(|f| f.at != at);
            }
            push(&mut out, &mut used, i, 3, half_range(y, h), Unit::Span);
            i += 3;
            continue;
        }
        // Chinese: [YYYY 年] [第] N 季 度 | [YYYY 年] N 月
        if let Some(y) = year_word(w(i)).filter(|_| w(i + 1) == "年") {
            let mut k = i + 2;
            if w(k) == "第" {
                k += 1;
            }
            let n = zh_num(&words[k.min(words.len())..]).or_else(|| {
                w(k).parse::<u8>()
                    .ok()
                    .filter(|n| (1..=12).contains(n))
                    .map(|n| (n, 1))
            });
            if let Some((n, len)) = n {
                if w(k + len) == "季" && w(k + len + 1) == "度" && n <= 4 {
                    push(
                        &mut out,
                        &mut used,
                        i,
                        k + len + 2 - i,
                        quarter_range(y, n),
                        Unit::Quarter,
                    );
                    i = k + len + 2;
                    continue;
                }
                if w(k + len) == "月" {
                    push(
                        &mut out,
                        &mut used,
                        i,
                        k + len + 1 - i,
                        month_range(y, n),
                        Unit::Month,
                    );
                    i = k + len + 1;
                    continue;
                }
            }
            push(&mut out, &mut used, i, 2, year_range(y), Unit::Year);
            i += 2;
            continue;
        }
        if let Some((n, len)) = zh_num(&words[i..]).or_else(|| {
            w(i).parse::<u8>()
                .ok()
                .filter(|n| (1..=12).contains(n))
                .map(|n| (n, 1))
        }) {
            let start = if i > 0 && w(i - 1) == "第" { i - 1 } else { i };
            if w(i + len) == "季" && w(i + len + 1) == "度" && n <= 4 {
                let y = if n <= q_now {
                    today.year()
                } else {
                    today.year() - 1
                };
                push(
                    &mut out,
                    &mut used,
                    start,
                    i + len + 2 - start,
                    quarter_range(y, n),
                    Unit::Quarter,
                );
                i += len + 2;
                continue;
            }
            if w(i + len) == "月" && !w(i).chars().all(|c| c.is_ascii_digit())
                || (w(i + len) == "月" && w(i).parse::<u8>().is_ok())
            {
                let y = if n <= u8::from(today.month()) {
                    today.year()
                } else {
                    today.year() - 1
                };
                push(
                    &mut out,
                    &mut used,
                    i,
                    len + 1,
                    month_range(y, n),
                    Unit::Month,
                );
                i += len + 1;
                continue;
            }
        }
        // Month names, with a year before or after.
        let m = EN_MONTHS
            .iter()
            .position(|n| {
                n[0] == w(i)
                    || (n[1] == w(i)
                        && (!matches!(w(i), "mar" | "may") || year_word(w(i + 1)).is_some()))
            })
            .or_else(|| ES_MONTHS.iter().position(|n| *n == w(i)))
            .or_else(|| {
                AR_MONTHS
                    .iter()
                    // Attached prepositions and "and": لمارس، بفبراير، وأبريل، في مارس.
                    .position(|n| {
                        ["", "ل", "ب", "و", "في", "وفي", "من"]
                            .iter()
                            .any(|p| format!("{p}{}", crate::text::fold(n)) == w(i))
                    })
            })
            .map(|p| p as u8 + 1);
        // "may" is a month only where a month can stand: "in May", "May 2025".
        let may_ok = w(i) != "may"
            || year_word(w(i + 1)).is_some()
            || (i > 0
                && matches!(
                    w(i - 1),
                    "in" | "of"
                        | "since"
                        | "during"
                        | "for"
                        | "from"
                        | "to"
                        | "and"
                        | "vs"
                        | "until"
                        | "than"
                ));
        if let Some(m) = m.filter(|_| may_ok) {
            // "june 2025", "junio de 2025", "يونيو 2025"
            let after = if matches!(w(i + 1), "de" | "del" | "of") {
                i + 2
            } else {
                i + 1
            };
            let (y, end) = match year_word(w(after)) {
                Some(y) => {
                    named_year = Some(y);
                    (y, after + 1)
                }
                None => (
                    if m <= u8::from(today.month()) {
                        today.year()
                    } else {
                        today.year() - 1
                    },
                    i + 1,
                ),
            };
            let since = i > 0 && matches!(w(i - 1), "since" | "desde" | "منذ");
            if since {
                push(
                    &mut out,
                    &mut used,
                    i - 1,
                    end - i + 1,
                    first_of(y, m).and_then(upto),
                    Unit::Span,
                );
            } else {
                if end == i + 1 {
                    yearless.push((offs[i], m));
                }
                push(
                    &mut out,
                    &mut used,
                    i,
                    end - i,
                    month_range(y, m),
                    Unit::Month,
                );
            }
            i = end;
            continue;
        }
        // A year on its own: "in 2024", "en 2024", "عام 2024"
        if let Some(y) = year_word(w(i)) {
            push(&mut out, &mut used, i, 1, year_range(y), Unit::Year);
        }
        i += 1;
    }
    // "From February to March 2015": a month named without a year takes the other's.
    if let Some(y) = named_year {
        for f in out.iter_mut() {
            if let Some((_, m)) = yearless.iter().find(|(at, _)| *at == f.at)
                && let Some(r) = month_range(y, *m)
            {
                f.range = r;
            }
        }
    }
    out.sort_by_key(|f| f.at);
    out
}

#[cfg(test)]
mod holiday_tests {
    use super::*;
    use time::macros::date;

    fn one(q: &str, today: Date) -> TimeRange {
        let f = find_all(&crate::text::fold(q), today);
        assert_eq!(f.len(), 1, "{q}: {f:?}");
        f[0].range
    }

    #[test]
    fn so_far_against_the_same_days_of_the_unit_before() {
        let today = date!(2026 - 07 - 01);
        let last_year = year_range(2025).unwrap();
        let (now, then) = so_far_against(last_year, Unit::Year, today).unwrap();
        assert_eq!(
            (now.from, now.to),
            (date!(2026 - 01 - 01), date!(2026 - 06 - 30))
        );
        assert_eq!(
            (then.from, then.to),
            (date!(2025 - 01 - 01), date!(2025 - 06 - 30))
        );
        let june = month_range(2026, 6).unwrap();
        let (now, then) = so_far_against(june, Unit::Month, date!(2026 - 07 - 10)).unwrap();
        assert_eq!(
            (now.to, then.to),
            (date!(2026 - 07 - 09), date!(2026 - 06 - 09))
        );
        // Not the unit just before: no such comparison.
        assert!(so_far_against(year_range(2024).unwrap(), Unit::Year, today).is_none());
    }

    #[test]
    fn half_years() {
        let today = date!(2026 - 06 - 30);
        let r = one("sales in the first half of 2025", today);
        assert_eq!(
            (r.from, r.to),
            (date!(2025 - 01 - 01), date!(2025 - 06 - 30))
        );
        let r = one("revenue h2 2024", today);
        assert_eq!(
            (r.from, r.to),
            (date!(2024 - 07 - 01), date!(2024 - 12 - 31))
        );
        assert_eq!(
            one("ventas del segundo semestre de 2025", today).from,
            date!(2025 - 07 - 01)
        );
        assert_eq!(one("2025年上半年的销售额", today).to, date!(2025 - 06 - 30));
    }

    #[test]
    fn shopping_days_are_the_latest_up_to_today_or_of_the_year_named() {
        let today = date!(2026 - 06 - 30);
        assert_eq!(
            one("how did black friday go", today).from,
            date!(2025 - 11 - 28)
        );
        assert_eq!(
            one("revenue on black friday 2024", today).from,
            date!(2024 - 11 - 29)
        );
        assert_eq!(
            one("cyber monday orders", today).from,
            date!(2025 - 12 - 01)
        );
        let xmas = one("christmas sales", today);
        assert_eq!(
            (xmas.from, xmas.to),
            (date!(2025 - 12 - 01), date!(2025 - 12 - 25))
        );
        assert_eq!(
            one("christmas day revenue", today).to,
            date!(2025 - 12 - 25)
        );
        assert_eq!(
            one("ventas del viernes negro", today).from,
            date!(2025 - 11 - 28)
        );
        assert_eq!(
            one("valentine's day orders", today).from,
            date!(2026 - 02 - 14)
        );
        assert_eq!(one("双十一的销售额", today).from, date!(2025 - 11 - 11));
        // After this year's day: this year's.
        assert_eq!(
            one("black friday", date!(2026 - 12 - 05)).from,
            date!(2026 - 11 - 27)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold;
    use time::macros::date;

    const TODAY: Date = date!(2025 - 06 - 18);

    fn one(q: &str) -> TimeRange {
        let f = find_all(&fold(q), TODAY);
        assert_eq!(f.len(), 1, "{q}: {f:?}");
        f[0].range
    }

    fn r(a: Date, b: Date) -> TimeRange {
        TimeRange { from: a, to: b }
    }

    #[test]
    fn relative_periods_count_from_today_in_four_languages() {
        let may = r(date!(2025 - 05 - 01), date!(2025 - 05 - 31));
        for q in [
            "revenue last month",
            "ingresos del mes pasado",
            "上个月的收入",
            "إيرادات الشهر الماضي",
        ] {
            assert_eq!(one(q), may, "{q}");
        }
        let y24 = r(date!(2024 - 01 - 01), date!(2024 - 12 - 31));
        for q in [
            "sales last year",
            "ventas el año pasado",
            "去年的销售额",
            "مبيعات العام الماضي",
            "sales in 2024",
            "2024年的销售额",
        ] {
            assert_eq!(one(q), y24, "{q}");
        }
        assert_eq!(
            one("orders in the last 30 days"),
            r(date!(2025 - 05 - 19), date!(2025 - 06 - 17))
        );
        assert_eq!(
            one("pedidos de los últimos 7 días"),
            r(date!(2025 - 06 - 11), date!(2025 - 06 - 17))
        );
        assert_eq!(
            one("最近30天的订单"),
            r(date!(2025 - 05 - 19), date!(2025 - 06 - 17))
        );
        assert_eq!(
            one("orders yesterday"),
            r(date!(2025 - 06 - 17), date!(2025 - 06 - 17))
        );
        assert_eq!(
            one("revenue this quarter"),
            r(date!(2025 - 04 - 01), date!(2025 - 06 - 30))
        );
        assert_eq!(
            one("revenue since January"),
            r(date!(2025 - 01 - 01), TODAY)
        );
    }

    #[test]
    fn months_quarters_and_years_by_name() {
        // Short names with a year (what follow-ups write), "may" and "mar" only then.
        assert_eq!(
            one("revenue by category Mar 2026"),
            r(date!(2026 - 03 - 01), date!(2026 - 03 - 31))
        );
        assert_eq!(
            one("Revenue Jun 2026"),
            r(date!(2026 - 06 - 01), date!(2026 - 06 - 30))
        );
        assert_eq!(
            one("top 3 products by units in June"),
            r(date!(2025 - 06 - 01), date!(2025 - 06 - 30))
        );
        // A month after today's is last year's.
        assert_eq!(
            one("orders in September"),
            r(date!(2024 - 09 - 01), date!(2024 - 09 - 30))
        );
        assert_eq!(
            one("ventas de marzo de 2024"),
            r(date!(2024 - 03 - 01), date!(2024 - 03 - 31))
        );
        assert_eq!(
            one("2024年3月的收入"),
            r(date!(2024 - 03 - 01), date!(2024 - 03 - 31))
        );
        assert_eq!(
            one("三月的订单"),
            r(date!(2025 - 03 - 01), date!(2025 - 03 - 31))
        );
        assert_eq!(
            one("مبيعات مارس 2024"),
            r(date!(2024 - 03 - 01), date!(2024 - 03 - 31))
        );
        let q1 = r(date!(2025 - 01 - 01), date!(2025 - 03 - 31));
        for q in [
            "revenue in the first quarter of 2025",
            "revenue Q1 2025",
            "ingresos del primer trimestre de 2025",
            "2025年第一季度的收入",
            "إيرادات الربع الأول من 2025",
        ] {
            assert_eq!(one(q), q1, "{q}");
        }
        let pair = find_all(&fold("revenue change from February to March 2015"), TODAY);
        assert_eq!(
            pair.iter().map(|f| f.range.from).collect::<Vec<_>>(),
            [date!(2015 - 02 - 01), date!(2015 - 03 - 01)]
        );
        let two = find_all(
            &fold("by what percentage did revenue change from February to March"),
            TODAY,
        );
        assert_eq!(
            two.iter().map(|f| f.range.from.month()).collect::<Vec<_>>(),
            [Month::February, Month::March]
        );
        assert!(find_all(&fold("revenue by category"), TODAY).is_empty());
        assert!(find_all(&fold("may I see revenue"), TODAY).is_empty());
    }

    #[test]
    fn the_period_before_is_the_same_unit() {
        let may = r(date!(2025 - 05 - 01), date!(2025 - 05 - 31));
        assert_eq!(
            before(may, Unit::Month),
            r(date!(2025 - 04 - 01), date!(2025 - 04 - 30))
        );
        let q1 = r(date!(2025 - 01 - 01), date!(2025 - 03 - 31));
        assert_eq!(
            before(q1, Unit::Quarter),
            r(date!(2024 - 10 - 01), date!(2024 - 12 - 31))
        );
        let week = r(date!(2025 - 06 - 09), date!(2025 - 06 - 15));
        assert_eq!(
            before(week, Unit::Week),
            r(date!(2025 - 06 - 02), date!(2025 - 06 - 08))
        );
    }
}
