//! Timing of one daily forecast with weekly and yearly seasonality (730 days).
// Test code: a failed assumption is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::unreachable)]
fn main() {
    let y: Vec<f64> = (0..730)
        .map(|t| {
            1000.0
                + 200.0 * ((t as f64) * std::f64::consts::TAU / 365.0).sin()
                + [0.0, 50.0, 80.0, 60.0, 150.0, 300.0, 120.0][t % 7]
                + ((t * 7919) % 41) as f64
        })
        .collect();
    for n in [729, 730] {
        let t = std::time::Instant::now();
        let p = sr360_ml::forecast(&y[..n], 7, 30, 0.8).unwrap();
        println!("n={n}: {} in {:.2} s", p.model, t.elapsed().as_secs_f64());
    }
}
