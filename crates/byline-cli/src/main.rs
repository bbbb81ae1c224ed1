//! The `byline` command. `main` only runs the chosen command and turns an
//! error into a one-line message and an exit code; no panic or backtrace
//! reaches the user for a mistake of theirs.

mod cli;
mod commands;
mod output;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;

/// jemalloc hands freed memory back to the system and fragments less
/// across threads than glibc's allocator. Same commit, quiet machine,
/// `/usr/bin/time`: the 200k-article bench corpus indexed in 19–20 s of
/// wall and 37–40 s of CPU instead of 22–28 s and 43–54 s; at 1M articles
/// time and peak RSS were even (102 s and 475 MiB against 103 s and 464
/// MiB).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Exit codes, as documented in `byline --help` and README.md.
pub mod exit {
    /// Success (also for a search with no hits).
    pub const OK: u8 = 0;
    /// Any other failure (I/O, a damaged index that could not be read).
    pub const FAILURE: u8 = 1;
    /// Bad usage: unknown option, query syntax error, invalid date.
    pub const USAGE: u8 = 2;
    /// No index, or one this version cannot read: run `byline index` first.
    pub const NO_INDEX: u8 = 3;
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    cli::init_logging(cli.verbose);
    match commands::run(cli) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(err) => {
            if is_broken_pipe(&err) {
                // `byline search x | head` closing the pipe early is not an error.
                return ExitCode::from(exit::OK);
            }
            let _ = std::io::stdout().flush();
            eprintln!("byline: {}", output::error_chain(&err));
            ExitCode::from(commands::exit_code(&err))
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
