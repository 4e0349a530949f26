//! `cyberie casie-import`: CASIE annotation files in, a gold file and an articles
//! file out.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use cyberie::eval::{import_casie_part, write_articles_jsonl, write_gold_jsonl, write_tagging_jsonl, StemDigits};

use super::extract::usage_error;
use super::{EXIT_OK, EXIT_SKIPPED};

/// Arguments of `cyberie casie-import`.
#[derive(Args, Debug)]
pub struct CasieImportArgs {
    /// A directory of CASIE annotation files (`*.json`), or a directory with an
    /// `annotation/` folder of them (such as ../shared/casie-dev).
    #[arg(value_name = "DIR")]
    dir: PathBuf,

    /// Where to write the gold events (JSON Lines, the format `evaluate --gold`
    /// reads); replaced only once complete.
    #[arg(short, long, value_name = "GOLD.jsonl")]
    output: PathBuf,

    /// Also write the articles as JSON Lines ({"id", "title", "text", "date"},
    /// id = file stem), the input `extract` reads. [default: not written]
    #[arg(long, value_name = "ARTICLES.jsonl")]
    articles: Option<PathBuf>,

    /// Also write the argument tagger's training data: one JSON object per
    /// sentence, {"doc_id", "words", "tags"}, the words split as the pipeline
    /// splits them, each tagged O or B-/I- TRIGGER, ATTACKER, VICTIM, TIME from
    /// the attack events' triggers and arguments. [default: not written]
    #[arg(long, value_name = "TAGS.jsonl")]
    tags: Option<PathBuf>,

    /// Read only the files whose numeric name ends in one of these digits, e.g.
    /// `0-4` (a training part), `5`, `6` (a held-out part). [default: all files]
    #[arg(long, value_name = "DIGITS", value_parser = StemDigits::parse)]
    stems: Option<StemDigits>,
}

/// Runs `casie-import`.
pub fn run(args: CasieImportArgs) -> anyhow::Result<ExitCode> {
    let import = match import_casie_part(&args.dir, args.stems.unwrap_or(StemDigits::ALL)) {
        Ok(import) => import,
        Err(e) => return usage_error(e),
    };
    // A write error ends the run with exit status 1 (see `main`).
    write_gold_jsonl(&args.output, &import.gold)?;
    if let Some(path) = &args.articles {
        write_articles_jsonl(path, &import.articles)?;
    }
    if let Some(path) = &args.tags {
        write_tagging_jsonl(path, &import)?;
    }
    for skipped in &import.skipped {
        eprintln!("cyberie: skipped {}: {}", skipped.path.display(), skipped.reason);
    }
    for warning in &import.warnings {
        eprintln!("cyberie: warning: {warning}");
    }
    let documents = import.gold.iter().map(|e| e.doc_id.as_str()).collect::<std::collections::HashSet<_>>().len();
    eprintln!(
        "cyberie: {} files, {} articles, {} skipped; {} gold events ({} named, {} with a time) in {} documents written to {}{}",
        import.files,
        import.articles.len(),
        import.skipped.len(),
        import.gold.len(),
        import.named_events(),
        import.gold.iter().filter(|e| !e.times.is_empty()).count(),
        documents,
        args.output.display(),
        args.articles.as_ref().map(|p| format!("; articles written to {}", p.display())).unwrap_or_default(),
    );
    Ok(ExitCode::from(if import.skipped.is_empty() { EXIT_OK } else { EXIT_SKIPPED }))
}
