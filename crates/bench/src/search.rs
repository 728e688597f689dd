//! `sr360-bench search`: the search benchmarks, written as a Markdown table.
//!
//! - Sentence embeddings per second with candle on the demo shop's product texts (and the
//!   same figure from a peer, Python sentence-transformers, run by `scripts/bench-search.sh`
//!   on the same sentences and read from `--peer`), with how closely the two agree.
//! - HNSW recall@10 against exact search, and query latency, at 100k documents. The 100k
//!   vectors are made from the real embeddings of 2,000 product sentences: each is a random
//!   blend of two of them plus a little noise, scaled to unit length, so the collection has
//!   the clusters and the anisotropy of real text embeddings; the queries are the embeddings
//!   of 1,000 real query sentences. Embedding 100k texts would take minutes and measure the
//!   embedder again, not the index.
//!
//! A search request end to end (HTTP, embedding the query, both rankings) is timed by
//! `sr360 bench-pages` with the other pages.

use anyhow::Context;
use rand::{Rng, SeedableRng};
use sr360_search::{Embedder, Graph, SentenceModel};
use std::path::PathBuf;
use std::time::Instant;

pub struct SearchBenchArgs {
    pub out: PathBuf,
    pub model: PathBuf,
    /// Write the benchmark's sentences (one per line) here and stop.
    pub write_sentences: Option<PathBuf>,
    /// The peer's result: {"name", "sentences_per_second", "vectors": [[...], ...]}.
    pub peer: Option<PathBuf>,
    pub docs: usize,
}

#[derive(serde::Deserialize)]
struct Peer {
    name: String,
    sentences_per_second: f64,
    /// Vectors of the first sentences, to compare with ours.
    vectors: Vec<Vec<f32>>,
}

/// 2,000 product sentences and 1,000 query sentences from the demo shop's catalogue.
fn sentences() -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let dir = tempfile::tempdir()?;
    sr360_demo::generate(
        dir.path(),
        &sr360_demo::DemoOptions {
            scale: 0.05,
            ..Default::default()
        },
    )?;
    let products: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("products.json"))?)?;
    let items: Vec<(String, String)> = products
        .as_array()
        .context("products.json is a list")?
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or_default().to_string(),
                p["description"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let forms = [
        "{name}. {description}",
        "{name}",
        "{description}",
        "Buy the {name} online",
    ];
    let mut docs = vec![];
    'outer: for f in forms {
        for (n, d) in &items {
            if docs.len() == 2000 {
                break 'outer;
            }
            docs.push(f.replace("{name}", n).replace("{description}", d));
        }
    }
    let asks = [
        "something like {name}",
        "where can I find a {last}",
        "best {last} for a gift",
    ];
    let mut queries = vec![];
    'q: for a in asks {
        for (n, _) in &items {
            if queries.len() == 1000 {
                break 'q;
            }
            let last = n.split(' ').next_back().unwrap_or(n).to_lowercase();
            queries.push(a.replace("{name}", n).replace("{last}", &last));
        }
    }
    Ok((docs, queries))
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn unit(mut v: Vec<f32>) -> Vec<f32> {
    let n = dot(&v, &v).sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= n);
    v
}

pub fn run(a: SearchBenchArgs) -> anyhow::Result<()> {
    let (docs, queries) = sentences()?;
    if let Some(path) = &a.write_sentences {
        std::fs::write(path, docs.join("\n") + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
        println!("{} sentences written to {}", docs.len(), path.display());
        return Ok(());
    }
    let model = SentenceModel::load(&a.model)?;
    let refs: Vec<&str> = docs.iter().map(String::as_str).collect();
    model.embed(&refs[..64])?;
    let t = Instant::now();
    let vectors = model.embed(&refs)?;
    let ours_per_s = docs.len() as f64 / t.elapsed().as_secs_f64();
    println!("candle: {ours_per_s:.0} sentences/s");
    let qrefs: Vec<&str> = queries.iter().map(String::as_str).collect();
    let qvecs = model.embed(&qrefs)?;

    // 100k documents from the real vectors.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let n = vectors.len();
    let data: Vec<Vec<f32>> = (0..a.docs)
        .map(|_| {
            let (i, j) = (rng.random_range(0..n), rng.random_range(0..n));
            let w: f32 = rng.random_range(0.5..1.0);
            unit(
                vectors[i]
                    .iter()
                    .zip(&vectors[j])
                    .map(|(x, y)| w * x + (1.0 - w) * y + rng.random_range(-0.02..0.02))
                    .collect(),
            )
        })
        .collect();
    let t = Instant::now();
    let graph = Graph::build(&data).context("no vectors")?;
    let build_s = t.elapsed().as_secs_f64();
    println!("HNSW over {} vectors built in {build_s:.1} s", data.len());
    // Exact neighbours once, then the graph at several search widths.
    let truths: Vec<std::collections::HashSet<usize>> = qvecs
        .iter()
        .map(|q| {
            let mut exact: Vec<(usize, f32)> = data
                .iter()
                .enumerate()
                .map(|(i, v)| (i, dot(q, v)))
                .collect();
            exact.select_nth_unstable_by(10, |x, y| y.1.total_cmp(&x.1));
            exact[..10].iter().map(|x| x.0).collect()
        })
        .collect();
    let mut widths = vec![];
    for ef in [64, 128, 256] {
        let (mut hits, mut lat) = (0usize, vec![]);
        for (q, truth) in qvecs.iter().zip(&truths) {
            let t = Instant::now();
            let got = graph.nearest_ef(q, 10, ef);
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
            hits += got.iter().filter(|(i, _)| truth.contains(i)).count();
        }
        let recall = hits as f64 / (10 * qvecs.len()) as f64;
        let (p50, p99) = (crate::pct(&mut lat, 0.5), crate::pct(&mut lat, 0.99));
        println!("ef {ef}: recall@10 {recall:.3}, p50 {p50:.2} ms, p99 {p99:.2} ms");
        widths.push((ef, recall, p50, p99));
    }

    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mut md = format!(
        "Measured {} on {cores} cores with `sr360-bench search` (perf build).\n\n### Sentence embeddings (all-MiniLM-L6-v2, {} demo product sentences, batches of 32, CPU)\n\n| embedder | sentences per second |\n|---|---|\n| sr360 (candle, in process) | {ours_per_s:.0} |\n",
        time::OffsetDateTime::now_utc().date(),
        docs.len()
    );
    if let Some(p) = &a.peer {
        let peer: Peer = serde_json::from_slice(
            &std::fs::read(p).with_context(|| format!("reading {}", p.display()))?,
        )?;
        let sims: Vec<f32> = peer
            .vectors
            .iter()
            .zip(&vectors)
            .map(|(x, y)| dot(&unit(x.clone()), y))
            .collect();
        let mean = sims.iter().sum::<f32>() / sims.len().max(1) as f32;
        let min = sims.iter().copied().fold(f32::INFINITY, f32::min);
        md.push_str(&format!(
            "| {} | {:.0} |\n\nThe two agree: cosine similarity of their vectors for the same {} sentences, mean {mean:.5}, least {min:.5}.\n",
            peer.name,
            peer.sentences_per_second,
            sims.len()
        ));
    }
    md.push_str(&format!(
        "\n### Vector search at {} documents ({} real query sentences; graph: 16 links, ef 200 while building, built in {build_s:.1} s by parallel insert)\n\n| search width (ef) | recall@10 against exact search | latency p50 | latency p99 |\n|---|---|---|---|\n",
        data.len(),
        qvecs.len(),
    ));
    for (ef, recall, p50, p99) in &widths {
        let default = if *ef == sr360_search::index::EF_SEARCH {
            " (sr360's setting)"
        } else {
            ""
        };
        md.push_str(&format!(
            "| {ef}{default} | {recall:.3} | {p50:.2} ms | {p99:.2} ms |\n"
        ));
    }
    md.push_str("\nThe documents are blends of two real product-sentence embeddings plus noise (see `src/bench_search.rs`); goals: recall ≥ 0.95, p99 < 10 ms.\n");
    if let Some(dir) = a.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&a.out, &md).with_context(|| format!("writing {}", a.out.display()))?;
    println!("{md}");
    Ok(())
}
