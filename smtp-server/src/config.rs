//! What a server enforces and offers: limits, timeouts, relay policy and
//! protocol options, shared by the sans-I/O session and the tokio driver.

use std::time::Duration;

use smtp_proto::{BareLineEndings, ParseOptions};

/// Server configuration. `Config::default()` is a safe public-facing server:
/// strict parsing, bare CR/LF in DATA refused, AUTH only under TLS, the
/// RFC 5321 §4.5.3.2 timeouts.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// The name the server gives in its greeting and EHLO reply.
    pub hostname: String,
    /// Largest message accepted, in octets (advertised with SIZE, `552 5.3.4` beyond).
    pub max_message_size: u64,
    /// Most recipients accepted per message (`452 4.5.3` beyond).
    pub max_recipients: usize,
    /// Protocol errors (syntax, sequence) tolerated per connection before `421 4.7.0` and close.
    pub max_errors: u32,
    /// Failed AUTH attempts per connection before `421 4.7.0` and close.
    pub max_auth_failures: u32,
    /// Domains delivered locally. When non-empty (or when an authenticator is
    /// configured), unauthenticated clients may only send to these (`550 5.7.1`).
    pub local_domains: Vec<String>,
    /// Allow AUTH without TLS (otherwise `538 5.7.11`, and AUTH is not advertised).
    pub allow_insecure_auth: bool,
    /// What to do with a bare CR or LF in a DATA body (refuse by default: SMTP smuggling).
    pub bare_line_endings: BareLineEndings,
    /// Command grammar leniency. `smtputf8` is set from [`Config::smtputf8`].
    pub parse_options: ParseOptions,
    /// Advertise SMTPUTF8 and accept UTF-8 addresses (RFC 6531).
    pub smtputf8: bool,
    /// Speak LMTP (RFC 2033): LHLO instead of EHLO, one reply per recipient after DATA.
    pub lmtp: bool,
    /// Timeouts and rates of the tokio driver.
    pub timeouts: Timeouts,
    /// Connection limits of the tokio driver.
    pub connections: ConnectionLimits,
}

/// How long the server waits (RFC 5321 §4.5.3.2, server side).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// Waiting for the next command (and for a command line to complete): 5 minutes.
    pub command: Duration,
    /// Waiting for more DATA or the next BDAT chunk: 10 minutes ("data block" and
    /// "DATA termination" timeouts).
    pub data: Duration,
    /// Completing a TLS handshake (STARTTLS or implicit TLS).
    pub tls_handshake: Duration,
    /// Minimum average rate while receiving a message body, in octets per second,
    /// measured after [`Timeouts::data_rate_grace`]; slower clients are cut off
    /// (slow-loris). `0` disables the check.
    pub min_data_rate: u64,
    /// How long a body may take before the minimum rate applies.
    pub data_rate_grace: Duration,
    /// After a graceful shutdown starts, how long running transactions may continue.
    pub shutdown_grace: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            command: Duration::from_secs(5 * 60),
            data: Duration::from_secs(10 * 60),
            tls_handshake: Duration::from_secs(30),
            min_data_rate: 1024,
            data_rate_grace: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// How many clients may be connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectionLimits {
    /// Connections open at once, all clients together (`421 4.7.0` at accept beyond).
    pub max_connections: usize,
    /// Connections open at once from one IP address.
    pub max_connections_per_ip: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 1000,
            max_connections_per_ip: 20,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            hostname: "localhost".to_owned(),
            max_message_size: 35 * 1024 * 1024,
            max_recipients: 100,
            max_errors: 20,
            max_auth_failures: 3,
            local_domains: Vec::new(),
            allow_insecure_auth: false,
            bare_line_endings: BareLineEndings::Reject,
            parse_options: ParseOptions::strict(),
            smtputf8: true,
            lmtp: false,
            timeouts: Timeouts::default(),
            connections: ConnectionLimits::default(),
        }
    }
}

impl Config {
    /// A default configuration with this host name.
    pub fn new(hostname: impl Into<String>) -> Self {
        Config {
            hostname: hostname.into(),
            ..Config::default()
        }
    }

    /// True when `domain` is one of [`Config::local_domains`] (case-insensitive).
    pub fn is_local_domain(&self, domain: &str) -> bool {
        self.local_domains
            .iter()
            .any(|local| local.eq_ignore_ascii_case(domain))
    }
}
