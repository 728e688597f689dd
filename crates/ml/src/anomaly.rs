//! Unusual days in a daily series (revenue, orders, returns, conversion), without a model to
//! train: each day is compared with the median of the same weekday over the previous weeks
//! (the seasonality-aware expectation), and its residual is scored against the recent
//! residuals with a robust z-score (median and MAD, which a few outliers cannot drag along).
//! A day is flagged when |z| reaches the threshold (3.5 is the usual choice for MAD z-scores).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    fn of(z: f64) -> Self {
        match z.abs() {
            a if a >= 8.0 => Severity::High,
            a if a >= 5.0 => Severity::Medium,
            _ => Severity::Low,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Anomaly {
    /// Position in the series.
    pub index: usize,
    pub value: f64,
    /// What the same weekday of the previous weeks suggested.
    pub expected: f64,
    /// Robust z-score of the residual (positive: above expectation).
    pub z: f64,
    pub severity: Severity,
}

/// How the detector looks at a series.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Seasonal period (7 for daily data).
    pub season: usize,
    /// Past seasons whose same-position values form the expectation.
    pub seasons_back: usize,
    /// Past residuals the z-score is computed against.
    pub window: usize,
    /// |z| at or above which a day is flagged.
    pub threshold: f64,
    /// The series counts things (orders, returned units): its spread is never taken as less
    /// than Poisson noise, so 1 return against an expected 0 is not an alarm.
    pub counts: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            season: 7,
            seasons_back: 6,
            window: 56,
            threshold: 3.5,
            counts: false,
        }
    }
}

impl Settings {
    pub fn for_counts() -> Self {
        Self {
            counts: true,
            ..Self::default()
        }
    }
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The days needed before the first day can be judged.
pub fn warm_up(s: &Settings) -> usize {
    s.season * s.seasons_back + s.window / 2
}

/// Flag unusual values of `y` (one per day). Days before [`warm_up`] are never flagged: there
/// is no fair expectation for them yet.
pub fn detect(y: &[f64], s: &Settings) -> Vec<Anomaly> {
    let start_resid = s.season * s.seasons_back;
    // Expected value and residual for every day that has enough history.
    let mut expected = vec![f64::NAN; y.len()];
    let mut resid = vec![f64::NAN; y.len()];
    for t in start_resid..y.len() {
        let mut same: Vec<f64> = (1..=s.seasons_back)
            .map(|k| y[t - k * s.season])
            .filter(|v| v.is_finite())
            .collect();
        let e = median(&mut same);
        expected[t] = e;
        resid[t] = y[t] - e;
    }
    let mut out = vec![];
    for t in warm_up(s).min(y.len())..y.len() {
        if !resid[t].is_finite() {
            continue;
        }
        let mut past: Vec<f64> = resid[t.saturating_sub(s.window)..t]
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        if past.len() < s.window / 2 {
            continue;
        }
        // A mostly empty past (a shop too small for daily figures) has no usual day to compare to.
        let recent = &y[t.saturating_sub(s.window)..t];
        if recent.iter().filter(|v| **v == 0.0).count() * 2 > recent.len() {
            continue;
        }
        let m = median(&mut past);
        let mut dev: Vec<f64> = past.iter().map(|r| (r - m).abs()).collect();
        // A floor on the spread, so a perfectly regular past does not make every wobble an
        // alarm: Poisson noise for counts, 1 % of the expected value otherwise.
        let floor = if s.counts {
            0.6745 * expected[t].abs().max(1.0).sqrt()
        } else {
            0.01 * expected[t].abs()
        };
        let mad = median(&mut dev).max(floor).max(1e-9);
        let z = 0.6745 * (resid[t] - m) / mad;
        if z.abs() >= s.threshold {
            out.push(Anomaly {
                index: t,
                value: y[t],
                expected: expected[t],
                z,
                severity: Severity::of(z),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weekly(n: usize) -> Vec<f64> {
        (0..n)
            .map(|t| {
                1000.0
                    + [0.0, 50.0, 80.0, 60.0, 150.0, 300.0, 120.0][t % 7]
                    + ((t * 7919) % 41) as f64
                    - 20.0
            })
            .collect()
    }

    #[test]
    fn finds_an_outage_and_a_spike_and_nothing_else() {
        let mut y = weekly(200);
        y[120] = 0.0; // the shop was down
        y[150] *= 2.5; // a viral post
        let found = detect(&y, &Settings::default());
        let days: Vec<usize> = found.iter().map(|a| a.index).collect();
        assert_eq!(days, [120, 150], "{found:?}");
        assert!(found[0].z < 0.0 && found[1].z > 0.0);
        assert_eq!(found[0].severity, Severity::High);
        assert!((found[0].expected - 1000.0).abs() < 400.0);
    }

    #[test]
    fn regular_weekly_pattern_is_not_an_alarm() {
        let y = weekly(365);
        assert!(
            detect(&y, &Settings::default()).is_empty(),
            "Saturdays are busy every week"
        );
    }

    #[test]
    fn sparse_counts_are_not_alarms() {
        // A small shop: a return every few days.
        let y: Vec<f64> = (0..200)
            .map(|t| if t % 5 == 0 { 1.0 } else { 0.0 })
            .collect();
        assert!(detect(&y, &Settings::for_counts()).is_empty());
        // Orders around 20 a day: 22 is normal, 60 is not.
        let mut y: Vec<f64> = (0..200)
            .map(|t| 20.0 + ((t * 7919) % 5) as f64 - 2.0)
            .collect();
        y[150] = 60.0;
        let found = detect(&y, &Settings::for_counts());
        assert_eq!(
            found.iter().map(|a| a.index).collect::<Vec<_>>(),
            [150],
            "{found:?}"
        );
    }

    #[test]
    fn short_or_empty_series_flag_nothing() {
        assert!(detect(&[], &Settings::default()).is_empty());
        assert!(detect(&weekly(30), &Settings::default()).is_empty());
        assert!(
            detect(&vec![0.0; 120], &Settings::default()).is_empty(),
            "all zeros: nothing unusual"
        );
    }
}
