//! The `banso` command: parses the command line and hands over to the library.

use std::process::ExitCode;

use banso::cli::Cli;
use clap::Parser;

fn main() -> ExitCode {
    banso::run(Cli::parse())
}
