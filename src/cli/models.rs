//! `sr360 models pull REPO FILE`: fetch a model file from the Hugging Face Hub (when the
//! machine is online) into the models directory. Nothing else in the product goes online;
//! offline machines use `scripts/fetch-models.sh` or any GGUF file given by path.

use anyhow::Context;
use clap::Subcommand;
use sr360_core::Config;

#[derive(Debug, Subcommand)]
pub enum ModelsCmd {
    /// Download FILE of the Hub repository REPO (e.g. `HuggingFaceTB/SmolLM2-360M-Instruct-GGUF
    /// smollm2-360m-instruct-q8_0.gguf`) into the models directory; `HF_ENDPOINT` names a
    /// mirror. To make it the copilot's model, set `models.llm` (or `SR360_MODELS__LLM`) to
    /// the printed file name.
    Pull { repo: String, file: String },
}

pub async fn run(cfg: &Config, cmd: ModelsCmd) -> anyhow::Result<()> {
    match cmd {
        ModelsCmd::Pull { repo, file } => {
            anyhow::ensure!(
                !file.contains("..") && !file.starts_with('/'),
                "{file:?}: a file name inside the repository"
            );
            let dest_dir = cfg.models.dir.clone();
            std::fs::create_dir_all(&dest_dir)
                .with_context(|| format!("creating {}", dest_dir.display()))?;
            let api = hf_hub::api::tokio::ApiBuilder::from_env()
                .with_cache_dir(dest_dir.join(".hf-cache"))
                .with_progress(true)
                .build()
                .context("the Hugging Face client")?;
            let cached = api.model(repo.clone()).get(&file).await.with_context(|| {
                format!("downloading {file} from {repo} (is the machine online?)")
            })?;
            let name = std::path::Path::new(&file)
                .file_name()
                .context("file name")?;
            let dest = dest_dir.join(name);
            let partial = dest.with_extension("partial");
            std::fs::copy(&cached, &partial)
                .with_context(|| format!("copying to {}", partial.display()))?;
            std::fs::rename(&partial, &dest)?;
            println!("{}", dest.display());
            println!(
                "use it for the copilot: models.llm = {:?} (or SR360_MODELS__LLM)",
                name.to_string_lossy()
            );
            Ok(())
        }
    }
}
