//! `smtp-send` command-line flags (swaks is the reference for names and meaning).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

use smtp_client::bulk::RateLimit;

/// Send mail through an SMTP relay: one message, or a directory of them
/// under a rate limit.
///
/// Exit status: 0 all accepted, 1 some permanent failure, 75 (EX_TEMPFAIL)
/// transient failures left after retries, 2 usage or configuration error.
#[derive(Debug, Parser)]
#[command(name = "smtp-send", version, about, long_about)]
pub(crate) struct Args {
    /// The relay: HOST, HOST:PORT or `[IPv6]:PORT`. Port default: 465 with
    /// --tls implicit, else 587 (submission).
    #[arg(long, short = 's', value_name = "HOST[:PORT]")]
    pub(crate) server: String,

    /// How to protect the connection (default: implicit on port 465, else starttls).
    #[arg(long, value_enum)]
    pub(crate) tls: Option<TlsFlag>,

    /// A PEM file of CA certificates to trust instead of the web PKI roots.
    #[arg(long, value_name = "PEM")]
    pub(crate) ca_file: Option<PathBuf>,

    /// The user name to authenticate as (needs a password or token source).
    #[arg(long, short = 'u', value_name = "NAME")]
    pub(crate) user: Option<String>,

    /// Read the password from this environment variable.
    #[arg(long, value_name = "VAR", group = "secret")]
    pub(crate) password_env: Option<String>,

    /// Read the password from the first line of this file.
    #[arg(long, value_name = "FILE", group = "secret")]
    pub(crate) password_file: Option<PathBuf>,

    /// Read an OAuth 2.0 access token from this environment variable (XOAUTH2/OAUTHBEARER).
    #[arg(long, value_name = "VAR", group = "secret")]
    pub(crate) oauth_token_env: Option<String>,

    /// Force one SASL mechanism (PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256, XOAUTH2, OAUTHBEARER).
    #[arg(long, short = 'a', value_name = "MECH")]
    pub(crate) auth: Option<String>,

    /// Allow credentials over a connection without TLS (test servers only).
    #[arg(long)]
    pub(crate) allow_plaintext_auth: bool,

    /// The name to send in EHLO (default: the client's default).
    #[arg(long, value_name = "NAME")]
    pub(crate) ehlo: Option<String>,

    /// The envelope sender (default: Sender:/From: of each message).
    #[arg(long, short = 'f', value_name = "ADDR")]
    pub(crate) from: Option<String>,

    /// An envelope recipient, repeatable (default: To:/Cc:/Bcc: of each message).
    #[arg(long, short = 't', value_name = "ADDR")]
    pub(crate) to: Vec<String>,

    /// The message to send (RFC 5322 with headers); default: standard input.
    #[arg(
        long,
        short = 'm',
        value_name = "FILE.eml",
        conflicts_with = "messages"
    )]
    pub(crate) message: Option<PathBuf>,

    /// Send every regular file in this directory, in name order, as one message each.
    #[arg(long, value_name = "DIR")]
    pub(crate) messages: Option<PathBuf>,

    /// How many connections send at the same time.
    #[arg(long, short = 'c', default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(crate) concurrency: u16,

    /// A sending-rate limit such as 100/day, 20/min, 5/s; repeatable, all apply.
    #[arg(long, short = 'r', value_name = "N/PERIOD")]
    pub(crate) rate: Vec<RateLimit>,

    /// How many messages one connection sends before it is reopened.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) messages_per_connection: u32,

    /// Attempts per message, the first included (transient failures only).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub(crate) attempts: u32,

    /// The longest first wait before a retry, in seconds (doubles per retry, jittered).
    #[arg(long, default_value_t = 5.0, value_name = "SECONDS", value_parser = parse_seconds)]
    pub(crate) retry_delay: f64,

    /// Give up on a silent server after this many seconds of connecting.
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS", value_parser = parse_seconds)]
    pub(crate) connect_timeout: f64,

    /// Print the result as JSON on standard output.
    #[arg(long)]
    pub(crate) json: bool,

    /// Print the SMTP conversation on standard error (credentials redacted).
    #[arg(long, short = 'v')]
    pub(crate) verbose: bool,
}

/// The `--tls` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TlsFlag {
    /// TLS from the first byte (port 465).
    Implicit,
    /// STARTTLS, failing when the server does not offer it.
    Starttls,
    /// STARTTLS when offered, plaintext otherwise.
    StarttlsOpportunistic,
    /// No TLS.
    None,
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && (0.0..=86_400.0).contains(&seconds) => Ok(seconds),
        _ => Err(format!(
            "{text:?} is not a number of seconds between 0 and 86400"
        )),
    }
}

impl Args {
    /// The retry delay as a duration.
    pub(crate) fn retry_base(&self) -> Duration {
        Duration::from_secs_f64(self.retry_delay)
    }

    /// `(host, port)` from `--server`, with the port defaulted from the TLS mode.
    pub(crate) fn host_and_port(&self) -> Result<(String, u16), String> {
        let default_port = if self.tls == Some(TlsFlag::Implicit) {
            465
        } else {
            587
        };
        split_host_port(&self.server, default_port)
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port`; a bare IPv6 address keeps the default port.
pub(crate) fn split_host_port(server: &str, default_port: u16) -> Result<(String, u16), String> {
    let server = server.trim();
    let bad_port = |port: &str| format!("invalid port {port:?} in --server {server:?}");
    if let Some(rest) = server.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("unclosed [ in --server {server:?}"))?;
        let port = match after.strip_prefix(':') {
            Some(port) => port.parse().map_err(|_| bad_port(port))?,
            None if after.is_empty() => default_port,
            None => return Err(format!("unexpected {after:?} after ] in --server")),
        };
        return Ok((host.to_owned(), port));
    }
    let (host, port) = match server.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => {
            (host, port.parse().map_err(|_| bad_port(port))?)
        }
        _ => (server, default_port),
    };
    if host.is_empty() {
        return Err("--server needs a host name".into());
    }
    Ok((host.to_owned(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_forms() {
        type Row = (&'static str, Result<(&'static str, u16), ()>);
        let table: &[Row] = &[
            ("smtp.gmail.com", Ok(("smtp.gmail.com", 587))),
            ("smtp.gmail.com:465", Ok(("smtp.gmail.com", 465))),
            ("127.0.0.1:2525", Ok(("127.0.0.1", 2525))),
            ("[::1]:25", Ok(("::1", 25))),
            ("[::1]", Ok(("::1", 587))),
            ("::1", Ok(("::1", 587))),
            ("host:notaport", Err(())),
            ("host:70000", Err(())),
            (":25", Err(())),
            ("[::1", Err(())),
        ];
        for (server, expected) in table {
            let found = split_host_port(server, 587);
            match expected {
                Ok((host, port)) => assert_eq!(found, Ok((host.to_string(), *port)), "{server}"),
                Err(()) => assert!(found.is_err(), "{server}: {found:?}"),
            }
        }
    }

    #[test]
    fn flags_parse_like_the_documentation() {
        let args = Args::try_parse_from([
            "smtp-send",
            "--server",
            "smtp.gmail.com",
            "--tls",
            "implicit",
            "--user",
            "me",
            "--password-env",
            "PW",
            "--to",
            "a@x.org",
            "--to",
            "b@x.org",
            "--rate",
            "20/min",
            "--rate",
            "2000/day",
            "--messages",
            "dir",
            "--concurrency",
            "4",
            "--json",
            "-v",
        ])
        .unwrap();
        assert_eq!(
            args.host_and_port().unwrap(),
            ("smtp.gmail.com".into(), 465)
        );
        assert_eq!(args.to.len(), 2);
        assert_eq!(args.rate.len(), 2);
        assert!(args.json && args.verbose);
        assert_eq!(args.concurrency, 4);
    }

    #[test]
    fn bad_flags_are_usage_errors() {
        let bad: &[&[&str]] = &[
            &["smtp-send"],
            &["smtp-send", "--server", "h", "--rate", "5/fortnight"],
            &["smtp-send", "--server", "h", "--tls", "sometimes"],
            &[
                "smtp-send",
                "--server",
                "h",
                "--password-env",
                "A",
                "--password-file",
                "f",
            ],
            &[
                "smtp-send",
                "--server",
                "h",
                "--message",
                "m",
                "--messages",
                "d",
            ],
            &["smtp-send", "--server", "h", "--concurrency", "0"],
        ];
        for argv in bad {
            let error = Args::try_parse_from(*argv).unwrap_err();
            assert_eq!(error.exit_code(), 2, "{argv:?}");
        }
    }
}
