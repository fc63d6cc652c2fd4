//! `smtp-send`: send mail through an SMTP relay from the command line; see
//! `smtp-send --help` and the crate README.
#![forbid(unsafe_code)]

#[path = "../cli/mod.rs"]
mod cli;

fn main() {
    std::process::exit(cli::main_exit_status());
}
