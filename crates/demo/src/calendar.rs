//! Demand over time: growth trend, weekly pattern, holidays and promotions.

use time::{Date, Month, Weekday};

pub struct Day {
    pub date: Date,
    pub ymd: String,
    pub month0: usize,
    /// multiplier for all categories (trend × weekday × holiday)
    pub base: f64,
}

fn nth_weekday(year: i32, month: Month, wd: Weekday, n: u8) -> Option<Date> {
    let mut d = Date::from_calendar_date(year, month, 1).ok()?;
    let mut count = 0;
    loop {
        if d.weekday() == wd {
            count += 1;
            if count == n {
                return Some(d);
            }
        }
        d = d.next_day()?;
    }
}

/// Multiplier for retail holidays.
pub fn holiday(d: Date) -> f64 {
    let y = d.year();
    let thanksgiving = nth_weekday(y, Month::November, Weekday::Thursday, 4);
    if let Some(t) = thanksgiving {
        let bf = t + time::Duration::days(1);
        let cm = t + time::Duration::days(4);
        if d == bf {
            return 2.6;
        }
        if d == cm {
            return 2.2;
        }
        if d > bf && d < cm {
            return 1.6;
        }
        if d >= t - time::Duration::days(4) && d < t {
            return 1.25;
        }
        if d == t {
            return 0.9;
        }
    }
    match (d.month(), d.day()) {
        (Month::December, 1..=20) => 1.35,
        (Month::December, 21..=23) => 1.1,
        (Month::December, 24) => 0.7,
        (Month::December, 25) => 0.4,
        (Month::December, 26) => 1.2,
        (Month::January, 1) => 0.6,
        (Month::February, 7..=13) => 1.12,
        (Month::July, 15..=16) => 1.3,
        _ => {
            if let Some(md) = nth_weekday(y, Month::May, Weekday::Sunday, 2)
                && d < md
                && d >= md - time::Duration::days(6)
            {
                return 1.15;
            }
            1.0
        }
    }
}

pub fn weekday(d: Date) -> f64 {
    match d.weekday() {
        Weekday::Monday => 0.96,
        Weekday::Tuesday => 0.94,
        Weekday::Wednesday => 0.97,
        Weekday::Thursday => 1.0,
        Weekday::Friday => 1.02,
        Weekday::Saturday => 1.06,
        Weekday::Sunday => 1.1,
    }
}

pub fn days(start: Date, n: u32) -> Vec<Day> {
    (0..n)
        .map(|i| {
            let date = start + time::Duration::days(i64::from(i));
            let trend = 1.0 + 0.6 * f64::from(i) / f64::from(n.max(1));
            Day {
                ymd: format!(
                    "{:04}-{:02}-{:02}",
                    date.year(),
                    u8::from(date.month()),
                    date.day()
                ),
                month0: usize::from(u8::from(date.month())) - 1,
                base: trend * weekday(date) * holiday(date),
                date,
            }
        })
        .collect()
}

/// Share of a day's orders per hour (local shop time), evening peak.
pub const HOURS: [f64; 24] = [
    0.6, 0.35, 0.2, 0.15, 0.15, 0.25, 0.6, 1.2, 1.8, 2.2, 2.6, 2.9, 3.2, 3.0, 2.9, 2.9, 3.0, 3.3,
    3.8, 4.6, 5.2, 5.0, 3.6, 1.8,
];

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn black_friday_2025() {
        let bf = Date::from_calendar_date(2025, Month::November, 28).unwrap();
        assert_eq!(holiday(bf), 2.6);
        assert_eq!(
            holiday(Date::from_calendar_date(2025, Month::December, 1).unwrap()),
            2.2
        );
        assert_eq!(
            holiday(Date::from_calendar_date(2025, Month::March, 3).unwrap()),
            1.0
        );
    }
}
