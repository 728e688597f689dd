//! The local language model: any GGUF file run by llama.cpp (through `llama-cpp-2`) on this
//! machine's CPU. It is loaded once and shared; every completion is held to a GBNF grammar,
//! greedy (the same question gives the same output), and bounded in tokens and time. Nothing
//! here knows about shops: the copilot builds the prompt and the grammar (`sr360_ai::model`).

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaModel};
use llama_cpp_2::sampling::LlamaSampler;
use std::num::NonZeroU32;
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("no model file at {0}")]
    Missing(String),
    #[error("the model file could not be loaded: {0}")]
    Load(String),
    #[error("the model could not run: {0}")]
    Run(String),
    #[error("the prompt is longer than the model's context ({0} tokens)")]
    TooLong(usize),
}

/// How a completion may use the machine.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// CPU threads for one completion.
    pub threads: u32,
    /// Context window in tokens (prompt + answer).
    pub context: u32,
    /// Most tokens generated.
    pub max_tokens: usize,
    /// Wall-clock budget of one completion; generation stops (and fails) after it.
    pub time_limit: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            threads: 2,
            context: 2048,
            max_tokens: 160,
            time_limit: Duration::from_secs(20),
        }
    }
}

/// What a completion produced and what it cost.
#[derive(Debug, Clone)]
pub struct Completion {
    pub text: String,
    pub prompt_tokens: usize,
    pub tokens: usize,
    /// Time to the first generated token.
    pub first_token: Duration,
    pub total: Duration,
}

/// llama.cpp's backend may be started once per process.
fn backend() -> Result<&'static LlamaBackend, LlmError> {
    static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();
    BACKEND
        .get_or_init(|| {
            LlamaBackend::init()
                .map(|mut b| {
                    // llama.cpp writes every loading step to stderr; the product logs its own.
                    b.void_logs();
                    b
                })
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| LlmError::Load(e.clone()))
}

/// A loaded model; `Send + Sync`, one per process, each completion with its own context.
pub struct LocalModel {
    model: LlamaModel,
    name: String,
    limits: Limits,
}

impl std::fmt::Debug for LocalModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalModel")
            .field("name", &self.name)
            .field("limits", &self.limits)
            .finish()
    }
}

impl LocalModel {
    /// Load a GGUF file (memory-mapped; about 0.2 s for a small model).
    pub fn load(path: &Path, limits: Limits) -> Result<LocalModel, LlmError> {
        if !path.is_file() {
            return Err(LlmError::Missing(path.display().to_string()));
        }
        let model = LlamaModel::load_from_file(backend()?, path, &LlamaModelParams::default())
            .map_err(|e| LlmError::Load(e.to_string()))?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".into());
        Ok(LocalModel {
            model,
            name,
            limits,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The chat (system + user) in the model's own template, ready for the assistant's turn.
    fn prompt(&self, system: &str, user: &str) -> Result<String, LlmError> {
        let run = |e: &dyn std::fmt::Display| LlmError::Run(e.to_string());
        let template = self.model.chat_template(None).map_err(|e| run(&e))?;
        let chat = [
            LlamaChatMessage::new("system".into(), system.into()).map_err(|e| run(&e))?,
            LlamaChatMessage::new("user".into(), user.into()).map_err(|e| run(&e))?,
        ];
        self.model
            .apply_chat_template(&template, &chat, true)
            .map_err(|e| run(&e))
    }

    /// Complete the chat, every token allowed by `grammar` (GBNF, rule `root`), greedily.
    pub fn complete(
        &self,
        system: &str,
        user: &str,
        grammar: &str,
    ) -> Result<Completion, LlmError> {
        let started = Instant::now();
        let run = |e: &dyn std::fmt::Display| LlmError::Run(e.to_string());
        let prompt = self.prompt(system, user)?;
        let tokens = self.model.vocab().tokenize(prompt.as_bytes(), false, true);
        let budget = self.limits.context as usize;
        if tokens.len() + self.limits.max_tokens > budget {
            return Err(LlmError::TooLong(budget));
        }
        let threads = self.limits.threads.max(1) as i32;
        let params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(self.limits.context))
            .with_n_batch(self.limits.context)
            .with_n_threads(threads)
            .with_n_threads_batch(threads);
        let mut ctx = self
            .model
            .new_context(backend()?, params)
            .map_err(|e| run(&e))?;
        let mut batch = LlamaBatch::new(budget, 1);
        let last = tokens.len().saturating_sub(1);
        for (i, t) in tokens.iter().enumerate() {
            batch
                .add(*t, i as i32, &[0], i == last)
                .map_err(|e| run(&e))?;
        }
        ctx.decode(&mut batch).map_err(|e| run(&e))?;
        let mut sampler = LlamaSampler::chain_simple([
            LlamaSampler::grammar(&self.model, grammar, "root").map_err(|e| run(&e))?,
            LlamaSampler::greedy(),
        ]);
        let vocab = self.model.vocab();
        let mut bytes = vec![];
        let mut first_token = None;
        let mut n = tokens.len() as i32;
        let mut generated = 0;
        while generated < self.limits.max_tokens {
            if started.elapsed() > self.limits.time_limit {
                return Err(LlmError::Run(format!(
                    "stopped after {} s",
                    self.limits.time_limit.as_secs()
                )));
            }
            // `sample` also accepts the token into the grammar (accepting again corrupts it).
            let token = sampler.sample(&ctx, batch.n_tokens() - 1);
            first_token.get_or_insert_with(|| started.elapsed());
            if vocab.is_eog(token) {
                break;
            }
            bytes.extend(vocab.token_to_piece(token, false, None));
            generated += 1;
            batch.clear();
            batch.add(token, n, &[0], true).map_err(|e| run(&e))?;
            n += 1;
            ctx.decode(&mut batch).map_err(|e| run(&e))?;
        }
        Ok(Completion {
            text: String::from_utf8_lossy(&bytes).into_owned(),
            prompt_tokens: tokens.len(),
            tokens: generated,
            first_token: first_token.unwrap_or_else(|| started.elapsed()),
            total: started.elapsed(),
        })
    }
}
