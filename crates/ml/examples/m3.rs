//! Quick M3 monthly check while working on the forecaster (the benchmark proper is
//! `sr360 bench-forecast`): `cargo run --release -p sr360-ml --example m3 -- m3_data.json`.
// Test code: a failed assumption is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::unreachable)]

use std::collections::BTreeMap;

#[derive(serde::Deserialize)]
struct S {
    period: Vec<String>,
    h: Vec<usize>,
    x: Vec<f64>,
    xx: Vec<f64>,
}

fn main() {
    let path = std::env::args().nth(1).expect("path to m3_data.json");
    let all: BTreeMap<String, S> =
        serde_json::from_reader(std::fs::File::open(path).expect("open")).expect("json");
    let t = std::time::Instant::now();
    let (mut mase, mut smape, mut n, mut fails) = (0.0, 0.0, 0, 0);
    for s in all.values().filter(|s| s.period[0] == "MONTHLY") {
        let h = s.h[0];
        let p = match sr360_ml::forecast(&s.x, 12, h, 0.95) {
            Ok(p) => p.point,
            Err(_) => {
                fails += 1;
                sr360_ml::seasonal_naive(&s.x, 12, h)
            }
        };
        mase += sr360_ml::mase(&s.x, &s.xx, &p, 12);
        smape += sr360_ml::smape(&s.xx, &p);
        n += 1;
    }
    println!(
        "{n} series: MASE {:.3} sMAPE {:.2} ({fails} fell back) in {:.1} s",
        mase / n as f64,
        smape / n as f64,
        t.elapsed().as_secs_f64()
    );
}
