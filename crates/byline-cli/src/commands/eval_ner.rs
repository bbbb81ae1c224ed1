//! `byline eval-ner`: how well the entity tagger does on annotated text.

use anyhow::{Context, Result};
use byline_ner::NerTagger;

use super::UsageError;
use crate::cli::EvalNerArgs;

pub fn run(args: EvalNerArgs) -> Result<()> {
    if !args.file.is_file() {
        return Err(UsageError(format!("no such file: {}", args.file.display())).into());
    }
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    let tagger = NerTagger::load_default().context("loading the entity tagger")?;
    let report = tagger.evaluate(&text);
    if report.overall.gold == 0 {
        // Scores against no gold mentions would read as a perfect or a
        // useless tagger; neither is true.
        return Err(UsageError(format!(
            "{} has no gold entity tags: expected CoNLL-2003 lines (token … tag, e.g. B-PER)",
            args.file.display()
        ))
        .into());
    }
    println!("{report}");
    Ok(())
}
