//! Scores the embedded NER model on a CoNLL-2003 file (conlleval-style
//! exact-span precision, recall and F1) and prints its tagging speed.
//!
//! `cargo run --release -p byline-ner --bin byline-ner-eval -- ../shared/ner/conll2003/dev.txt`

use std::process::ExitCode;

use byline_ner::NerTagger;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: byline-ner-eval CONLL_FILE");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let tagger = match NerTagger::load_default() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("loading the model: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", tagger.evaluate(&text));
    ExitCode::SUCCESS
}
