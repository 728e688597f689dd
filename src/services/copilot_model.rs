//! The copilot's language model, one for the whole process: loaded on first use (commands
//! that never ask pay nothing), asked one question at a time in arrival order (tokio's
//! semaphore is fair), each completion on the blocking pool within the configured time. A
//! missing or broken model file leaves the parser answering alone, with a notice.

use sr360_ai::model::{Cached, PlanModel};
use sr360_core::Config;
use sr360_core::config::Planner;
use sr360_llm::{Limits, LocalModel};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::Semaphore;

/// llama.cpp's model as the copilot's [`PlanModel`].
struct Llama(LocalModel);

impl PlanModel for Llama {
    fn name(&self) -> &str {
        self.0.name()
    }

    fn complete(&self, system: &str, user: &str, grammar: &str) -> Result<String, String> {
        self.0
            .complete(system, user, grammar)
            .map(|c| c.text)
            .map_err(|e| e.to_string())
    }
}

type Loaded = Result<Arc<dyn PlanModel>, String>;

/// Completions kept per process (a few hundred questions' worth of plans).
const KEPT: usize = 512;

fn load(path: &std::path::Path, limits: Limits) -> Loaded {
    LocalModel::load(path, limits)
        .map(|m| Arc::new(Cached::new(Llama(m), KEPT)) as Arc<dyn PlanModel>)
        .map_err(|e| {
            tracing::warn!(error = %e, "the copilot's model is off; the parser answers alone");
            e.to_string()
        })
}

pub struct CopilotModel {
    path: PathBuf,
    limits: Limits,
    planner: Planner,
    model: OnceLock<Loaded>,
    turn: Semaphore,
    queue_wait: Duration,
}

impl std::fmt::Debug for CopilotModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CopilotModel")
            .field("path", &self.path)
            .field("planner", &self.planner)
            .finish_non_exhaustive()
    }
}

/// Why the model gave no plan (the parser's answer stands; the notice says why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// `copilot.planner = "parser"`.
    Off,
    /// The file is missing or would not load (the reason is logged once).
    NotLoaded,
    /// Others were asking; this question waited its longest.
    Busy,
    /// The model ran and failed (time limit, context).
    Failed,
}

impl CopilotModel {
    pub fn new(config: &Config) -> CopilotModel {
        let c = &config.copilot;
        CopilotModel {
            path: config.model_path(&config.models.llm),
            limits: Limits {
                threads: c.threads.max(1),
                context: c.context_tokens.clamp(512, 32_768),
                time_limit: Duration::from_secs(c.time_limit_secs.max(1)),
                ..Limits::default()
            },
            planner: c.planner,
            model: OnceLock::new(),
            turn: Semaphore::new(1),
            queue_wait: Duration::from_secs(c.queue_secs),
        }
    }

    /// Who plans questions (`copilot.planner`).
    pub fn planner(&self) -> Planner {
        self.planner
    }

    /// Is the model meant to be asked but missing or broken? (The page says so; the parser
    /// answers alone.)
    pub fn unavailable(&self) -> bool {
        self.planner != Planner::Parser
            && match self.model.get() {
                Some(loaded) => loaded.is_err(),
                None => !self.path.is_file(),
            }
    }

    /// Use `model` instead of the configured file (a scripted model in tests, another
    /// runtime). Only before the first question; returns false after it.
    pub fn install(&self, model: Arc<dyn PlanModel>) -> bool {
        self.model.set(Ok(model)).is_ok()
    }

    /// Run `f` with the model, in turn. `f` runs on the blocking pool.
    pub async fn ask<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn PlanModel) -> Result<T, String> + Send + 'static,
    ) -> Result<(T, String), Unavailable> {
        if self.planner == Planner::Parser {
            return Err(Unavailable::Off);
        }
        let _turn = tokio::time::timeout(self.queue_wait, self.turn.acquire())
            .await
            .map_err(|_| Unavailable::Busy)?
            .map_err(|_| Unavailable::Busy)?;
        // Loading (memory-mapping the file) also blocks: it happens inside the turn, once.
        let this_model = match self.model.get() {
            Some(m) => m.clone(),
            None => {
                let (path, limits) = (self.path.clone(), self.limits);
                let loaded = tokio::task::spawn_blocking(move || load(&path, limits))
                    .await
                    .map_err(|_| Unavailable::NotLoaded)?;
                let _ = self.model.set(loaded);
                self.model
                    .get()
                    .cloned()
                    .unwrap_or_else(|| Err("not loaded".into()))
            }
        };
        let model = this_model.map_err(|_| Unavailable::NotLoaded)?;
        let name = model.name().to_string();
        tokio::task::spawn_blocking(move || f(&*model))
            .await
            .map_err(|_| Unavailable::Failed)?
            .map(|t| (t, name))
            .map_err(|e| {
                tracing::warn!(error = %e, "the copilot's model failed");
                Unavailable::Failed
            })
    }
}
