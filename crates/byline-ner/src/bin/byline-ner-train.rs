//! Trains the byline NER model and writes it where `include_bytes!` finds it.
//!
//! ```text
//! cargo run --release -p byline-ner --bin byline-ner-train -- \
//!     --train ../shared/ner/conll2003/train.txt --dev ../shared/ner/conll2003/dev.txt \
//!     --gazetteers ../shared/gazetteers --out crates/byline-ner/model/ner.bin
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use byline_ner::train::{train, TrainOptions};

const USAGE: &str = "usage: byline-ner-train --train FILE --gazetteers DIR --out FILE \
[--dev FILE] [--epochs N] [--seed N] [--folds N] [--prune W]";

/// Default number of epochs, chosen on the development set.
const EPOCHS: usize = 10;

/// Default folds for training the second stage; 1 trains one stage only
/// (the default: a second stage gains about 0.8 F1 on dev but costs about
/// 1.6 times the tagging time, see `model/README.md`).
const FOLDS: usize = 1;

/// Default pruning threshold: feature rows whose weights all stay below it
/// in absolute value are dropped (about 0.2 F1 on dev for a model half the
/// size and faster lookups).
const PRUNE: f32 = 1.0;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("byline-ner-train: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut train_path = None;
    let mut dev = None;
    let mut gazetteers = None;
    let mut out = None;
    let mut epochs = EPOCHS;
    let mut seed = 1u64;
    let mut folds = FOLDS;
    let mut prune = PRUNE;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--train" => train_path = Some(PathBuf::from(value()?)),
            "--dev" => dev = Some(PathBuf::from(value()?)),
            "--gazetteers" => gazetteers = Some(PathBuf::from(value()?)),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--epochs" => epochs = value()?.parse().map_err(|e| format!("--epochs: {e}"))?,
            "--seed" => seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--folds" => folds = value()?.parse().map_err(|e| format!("--folds: {e}"))?,
            "--prune" => prune = value()?.parse().map_err(|e| format!("--prune: {e}"))?,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    let opts = TrainOptions {
        train: train_path.ok_or(USAGE)?,
        dev,
        gazetteers: gazetteers.ok_or(USAGE)?,
        epochs,
        seed,
        folds,
        prune,
    };
    let out = out.ok_or(USAGE)?;
    let outcome = train(&opts, &mut |line| eprintln!("{line}")).map_err(|e| e.to_string())?;
    std::fs::write(&out, &outcome.model).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("wrote {} ({} bytes)", out.display(), outcome.model.len());
    if let Some(report) = outcome.dev {
        println!("{report}");
    }
    Ok(())
}
