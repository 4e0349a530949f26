//! The `cyberie` command line: a thin layer of subcommands over the library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("cyberie: error: {error:#}");
            ExitCode::from(cli::EXIT_FAILURE)
        }
    }
}
