//! Sentence embeddings in-process: all-MiniLM-L6-v2 (or any BERT-style sentence model in the
//! same layout) run by candle on the CPU, mean-pooled over the attention mask and scaled to
//! unit length, so the dot product of two vectors is their cosine similarity.
//!
//! The model is a directory holding `config.json`, `tokenizer.json` and `model.safetensors`;
//! nothing is downloaded here. Behind the [`Embedder`] trait so search can be tested with a
//! deterministic stand-in where the model itself is not the subject.

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use std::path::{Path, PathBuf};
use tokenizers::{PaddingParams, Tokenizer, TruncationParams};

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error(
        "no embedding model at {0}: expected config.json, tokenizer.json and model.safetensors"
    )]
    Missing(PathBuf),
    #[error("the embedding model at {path} cannot be loaded: {reason}")]
    Load { path: PathBuf, reason: String },
    #[error("embedding failed: {0}")]
    Run(String),
}

/// Text to unit vectors.
pub trait Embedder: Send + Sync {
    /// Identifies the model: vectors from another model are not comparable.
    fn id(&self) -> &str;
    fn dim(&self) -> usize;
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError>;
}

/// A BERT sentence model loaded with candle.
pub struct SentenceModel {
    id: String,
    dim: usize,
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
}

/// Longest input in tokens; product texts and help paragraphs fit, longer ones are cut.
const MAX_TOKENS: usize = 256;
/// Sentences per forward pass.
pub const BATCH: usize = 32;

/// One batch's vectors, or why it has none.
type Batch = Result<Vec<Vec<f32>>, EmbedError>;

fn run_err(e: impl std::fmt::Display) -> EmbedError {
    EmbedError::Run(e.to_string())
}

impl SentenceModel {
    /// Load the model in `dir`.
    pub fn load(dir: &Path) -> Result<SentenceModel, EmbedError> {
        let files = ["config.json", "tokenizer.json", "model.safetensors"].map(|f| dir.join(f));
        if files.iter().any(|f| !f.is_file()) {
            return Err(EmbedError::Missing(dir.to_path_buf()));
        }
        let load = |reason: String| EmbedError::Load {
            path: dir.to_path_buf(),
            reason,
        };
        let config: Config = std::fs::read(&files[0])
            .map_err(|e| load(e.to_string()))
            .and_then(|b| serde_json::from_slice(&b).map_err(|e| load(e.to_string())))?;
        let mut tokenizer = Tokenizer::from_file(&files[1]).map_err(|e| load(e.to_string()))?;
        tokenizer.with_padding(Some(PaddingParams::default()));
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|e| load(e.to_string()))?;
        let device = Device::Cpu;
        // SAFETY: the weights file is memory-mapped read-only; sr360 never writes to it while
        // loaded (a user replacing it under a running server is their own risk, as with any
        // mmap-loaded model).
        let vb = unsafe {
            VarBuilder::from_mmaped_safetensors(&[&files[2]], DType::F32, &device)
                .map_err(|e| load(e.to_string()))?
        };
        let model = BertModel::load(vb, &config).map_err(|e| load(e.to_string()))?;
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".into());
        Ok(SentenceModel {
            id: format!("{name}/{}", config.hidden_size),
            dim: config.hidden_size,
            model,
            tokenizer,
            device,
        })
    }

    fn batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let enc = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(run_err)?;
        let ids: Vec<Tensor> = enc
            .iter()
            .map(|e| Tensor::new(e.get_ids(), &self.device))
            .collect::<Result<_, _>>()
            .map_err(run_err)?;
        let mask: Vec<Tensor> = enc
            .iter()
            .map(|e| Tensor::new(e.get_attention_mask(), &self.device))
            .collect::<Result<_, _>>()
            .map_err(run_err)?;
        let ids = Tensor::stack(&ids, 0).map_err(run_err)?;
        let mask = Tensor::stack(&mask, 0).map_err(run_err)?;
        let types = ids.zeros_like().map_err(run_err)?;
        let out = self
            .model
            .forward(&ids, &types, Some(&mask))
            .map_err(run_err)?;
        // Mean over the real tokens, then unit length.
        let m = mask
            .to_dtype(DType::F32)
            .and_then(|m| m.unsqueeze(2))
            .map_err(run_err)?;
        let summed = out
            .broadcast_mul(&m)
            .and_then(|x| x.sum(1))
            .map_err(run_err)?;
        let counts = m.sum(1).map_err(run_err)?;
        let mean = summed.broadcast_div(&counts).map_err(run_err)?;
        let norm = mean
            .sqr()
            .and_then(|x| x.sum_keepdim(1))
            .and_then(|x| x.sqrt())
            .map_err(run_err)?;
        mean.broadcast_div(&norm)
            .and_then(|x| x.to_vec2::<f32>())
            .map_err(run_err)
    }
}

impl Embedder for SentenceModel {
    fn id(&self) -> &str {
        &self.id
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        // Batches of similar lengths pad less (as sentence-transformers does); the vectors
        // go back in the callers' order.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|i| std::cmp::Reverse(texts[*i].len()));
        let chunks: Vec<&[usize]> = order.chunks(BATCH).collect();
        // candle parallelises large matrix products only; a batch's small attention products
        // and element-wise steps run on one core. So batches run side by side, one per core.
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(chunks.len())
            .max(1);
        let next = std::sync::atomic::AtomicUsize::new(0);
        let run = || {
            let mut done = vec![];
            loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(chunk) = chunks.get(k) else {
                    return done;
                };
                let batch: Vec<&str> = chunk.iter().map(|i| texts[*i]).collect();
                done.push((k, self.batch(&batch)));
            }
        };
        let results: Vec<(usize, Batch)> = if workers == 1 {
            run()
        } else {
            std::thread::scope(|s| {
                let handles: Vec<_> = (0..workers).map(|_| s.spawn(run)).collect();
                handles
                    .into_iter()
                    .flat_map(|h| {
                        h.join().unwrap_or_else(|_| {
                            vec![(
                                usize::MAX,
                                Err(EmbedError::Run("an embedding thread panicked".into())),
                            )]
                        })
                    })
                    .collect()
            })
        };
        let mut out: Vec<Vec<f32>> = vec![vec![]; texts.len()];
        for (k, vectors) in results {
            let vectors = vectors?;
            for (i, v) in chunks
                .get(k)
                .copied()
                .unwrap_or_default()
                .iter()
                .zip(vectors)
            {
                out[*i] = v;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The model fetched by scripts/fetch-models.sh, when present.
    pub(crate) fn model() -> Option<SentenceModel> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/all-MiniLM-L6-v2");
        match SentenceModel::load(&dir) {
            Ok(m) => Some(m),
            Err(e) => {
                assert!(
                    std::env::var_os("SR360_REQUIRE_MODELS").is_none(),
                    "models required: {e}"
                );
                eprintln!("skipped: {e}");
                None
            }
        }
    }

    #[test]
    fn similar_sentences_are_near_and_vectors_are_unit_length() {
        let Some(m) = model() else { return };
        assert_eq!(m.dim(), 384);
        let v = m
            .embed(&[
                "waterproof hiking boots",
                "shoes for walking in the rain on mountain trails",
                "stainless steel frying pan",
            ])
            .unwrap();
        let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
        for x in &v {
            assert!((dot(x, x) - 1.0).abs() < 1e-4);
        }
        assert!(
            dot(&v[0], &v[1]) > dot(&v[0], &v[2]) + 0.2,
            "boots ~ rain shoes {} vs pan {}",
            dot(&v[0], &v[1]),
            dot(&v[0], &v[2])
        );
        // Batching and padding do not change a sentence's vector.
        let alone = m.embed(&["waterproof hiking boots"]).unwrap();
        assert!(dot(&alone[0], &v[0]) > 0.9999);
    }

    #[test]
    fn many_batches_on_several_threads_keep_each_texts_vector() {
        let Some(m) = model() else { return };
        // Three batches and more, lengths mixed so sorting reorders them.
        let texts: Vec<String> = (0..75)
            .map(|i| format!("item {i} {}", "with a longer description ".repeat(i % 7)))
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let all = m.embed(&refs).unwrap();
        assert_eq!(all.len(), 75);
        let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
        for i in [0, 6, 31, 40, 74] {
            let alone = m.embed(&[refs[i]]).unwrap();
            assert!(
                dot(&alone[0], &all[i]) > 0.9999,
                "text {i} got another vector"
            );
        }
    }

    #[test]
    fn a_missing_model_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            SentenceModel::load(dir.path()),
            Err(EmbedError::Missing(_))
        ));
        std::fs::write(dir.path().join("config.json"), "{}").unwrap();
        std::fs::write(dir.path().join("tokenizer.json"), "nope").unwrap();
        std::fs::write(dir.path().join("model.safetensors"), "nope").unwrap();
        assert!(matches!(
            SentenceModel::load(dir.path()),
            Err(EmbedError::Load { .. })
        ));
    }
}
