//! Command-line flags.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// A small, correct SMTP server that stores messages in a Maildir and
/// acknowledges a message only once it is on disk.
#[derive(Debug, Parser)]
#[command(name = "smtp-server", version, args_conflicts_with_subcommands = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    #[command(flatten)]
    pub(crate) serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Read a password from standard input (first line) and print its argon2id
    /// PHC string, for a `name:PHC` line of the users file.
    HashPassword,
}

/// Flags of the server itself.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on for SMTP (STARTTLS offered with --tls-cert). Repeatable.
    #[arg(long = "listen", value_name = "ADDR")]
    pub(crate) listen: Vec<SocketAddr>,

    /// Address to listen on for SMTP over implicit TLS (port 465 style). Repeatable.
    #[arg(long = "tls-listen", value_name = "ADDR", requires = "tls_cert")]
    pub(crate) tls_listen: Vec<SocketAddr>,

    /// Certificate chain (PEM) for STARTTLS and implicit TLS.
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub(crate) tls_cert: Option<PathBuf>,

    /// Private key (PEM) of --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub(crate) tls_key: Option<PathBuf>,

    /// Maildir to deliver into (created with tmp/, new/, cur/). Default: ./maildir
    #[arg(long, value_name = "DIR", conflicts_with = "sink")]
    pub(crate) maildir: Option<PathBuf>,

    /// Accept and discard every message (benchmarks).
    #[arg(long)]
    pub(crate) sink: bool,

    /// This server's name (greeting, EHLO, Received:). Default: the system host name.
    #[arg(long, value_name = "NAME")]
    pub(crate) hostname: Option<String>,

    /// Users file (`name:PHC` lines) enabling AUTH PLAIN/LOGIN.
    #[arg(long, value_name = "FILE")]
    pub(crate) users: Option<PathBuf>,

    /// A domain delivered locally; unauthenticated clients may only send to these. Repeatable.
    #[arg(long = "local-domain", value_name = "DOMAIN")]
    pub(crate) local_domain: Vec<String>,

    /// Largest message accepted, in bytes.
    #[arg(long, value_name = "BYTES")]
    pub(crate) max_message_size: Option<u64>,

    /// Most recipients per message.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) max_recipients: Option<u32>,

    /// Most connections open at once.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) max_connections: Option<u32>,

    /// Most connections open at once from one IP address.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) max_connections_per_ip: Option<u32>,

    /// Worker threads, each with its own single-threaded runtime; each new
    /// connection goes to the one with the fewest open connections and stays
    /// there. Default: the number of CPUs.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) threads: Option<u32>,

    /// Offer and accept AUTH over unencrypted connections (testing only).
    #[arg(long)]
    pub(crate) allow_insecure_auth: bool,
}

impl ServeArgs {
    /// Without users and local domains the server relays for anyone: only
    /// acceptable as a development sink on the loopback interface.
    pub(crate) fn is_open_relay(&self) -> bool {
        self.users.is_none() && self.local_domain.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn flags_are_consistent() {
        Cli::command().debug_assert();
    }
}
