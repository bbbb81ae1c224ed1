//! Tags a text file and prints one mention a line (start, end, kind, text):
//! `cargo run --release -p byline-ner --example ner_tag -- ../shared/seed/000_a246f93a30b869c3.txt`
//!
//! A second argument names a model file to use instead of the embedded one.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: ner_tag <text file> [model file]")?;
    let text = std::fs::read_to_string(&path)?;
    let tagger = match args.next() {
        Some(model) => byline_ner::NerTagger::from_bytes(&std::fs::read(model)?)?,
        None => byline_ner::NerTagger::load_default()?,
    };
    for m in tagger.tag(&text) {
        println!("{}\t{}\t{:?}\t{}", m.start, m.end, m.kind, m.text);
    }
    Ok(())
}
