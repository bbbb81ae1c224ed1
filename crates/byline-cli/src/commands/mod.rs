//! One module per command; each turns arguments into a library call and
//! formats what comes back.

mod duplicates;
mod entities;
mod eval_ner;
mod extract;
mod facets;
mod help_query;
mod index;
mod search;
mod show;
mod similar;
mod stats;
mod timeline;

use anyhow::Result;
use byline_indexer::IndexError;
use byline_search::SearchError;

use crate::cli::{Cli, Command};
use crate::exit;
use crate::output::Style;

pub use help_query::QUERY_SYNTAX;

/// Runs the command the user chose.
pub fn run(cli: Cli) -> Result<()> {
    let style = Style::for_stdout(cli.color);
    match cli.command {
        Command::Index(args) => index::run(&cli.index, args, &style),
        Command::Search(args) => search::run(&cli.index, args, &style),
        Command::Stats => stats::run(&cli.index, &style),
        Command::Facets(args) => facets::run(&cli.index, args, &style),
        Command::Entities(args) => entities::run(args, &style),
        Command::EvalNer(args) => eval_ner::run(args),
        Command::Timeline(args) => timeline::run(&cli.index, args, &style),
        Command::Show(args) => show::run(&cli.index, args, &style),
        Command::Similar(args) => similar::run(&cli.index, args, &style),
        Command::Duplicates(args) => duplicates::run(&cli.index, args, &style),
        Command::Extract(args) => extract::run(args, &style),
        Command::Syntax => help_query::run(),
    }
}

/// The exit code for an error, by what kind of mistake it is.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<SearchError>() {
            return match e {
                SearchError::Index(e) => index_exit_code(e),
                SearchError::Syntax(_)
                | SearchError::InvalidQuery(_)
                | SearchError::InvalidDate { .. }
                | SearchError::EmptyDateRange { .. } => exit::USAGE,
                SearchError::Tantivy(_) => exit::FAILURE,
            };
        }
        if let Some(e) = cause.downcast_ref::<IndexError>() {
            return index_exit_code(e);
        }
        if cause.downcast_ref::<UsageError>().is_some() {
            return exit::USAGE;
        }
    }
    exit::FAILURE
}

fn index_exit_code(err: &IndexError) -> u8 {
    match err {
        IndexError::Missing(_)
        | IndexError::Version { .. }
        | IndexError::Corrupt { .. }
        | IndexError::NotAnIndex(_) => exit::NO_INDEX,
        IndexError::InputMissing(_) => exit::USAGE,
        _ => exit::FAILURE,
    }
}

/// A mistake in the arguments that clap cannot see (a malformed `--field`).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);
