//! `smtp-server`: a Maildir-delivering (or discarding) SMTP server.
//!
//! ```text
//! smtp-server [--listen ADDR]... [--tls-listen ADDR]... [--tls-cert PEM --tls-key PEM]
//!             [--maildir DIR | --sink] [--hostname NAME] [--users FILE]
//!             [--local-domain DOMAIN]... [--max-message-size BYTES]
//!             [--max-recipients N] [--max-connections N] [--max-connections-per-ip N]
//!             [--threads N] [--allow-insecure-auth]
//! smtp-server hash-password < password
//! ```
//!
//! On startup it prints one line per listener, `listening on ADDR (smtp)` or
//! `listening on ADDR (smtps)`, on standard output. Exit status: 0 after a
//! clean shutdown (SIGTERM, Ctrl-C), 1 on a runtime error, 2 on a usage error.

// A binary's root looks for modules next to itself; these live in the
// directory named after the binary.
#[path = "smtp-server/cli.rs"]
mod cli;
#[path = "smtp-server/run.rs"]
mod run;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        Some(cli::Command::HashPassword) => run::hash_password(),
        None => run::serve(cli.serve),
    }
}
