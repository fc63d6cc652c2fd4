//! Per-phase timeouts of RFC 5321 §4.5.3.2.

use std::fmt;
use std::time::Duration;

/// What the client is waiting for; each phase has its own timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Phase {
    /// Opening the TCP connection.
    Connect,
    /// The TLS handshake (implicit TLS or after STARTTLS).
    TlsHandshake,
    /// The `220` greeting (RFC 5321 §4.5.3.2.1).
    Greeting,
    /// The reply to EHLO, HELO, STARTTLS, AUTH, RSET, NOOP or QUIT.
    Command,
    /// The reply to MAIL (RFC 5321 §4.5.3.2.2).
    Mail,
    /// The reply to RCPT (RFC 5321 §4.5.3.2.3).
    Rcpt,
    /// The `354` reply to DATA (RFC 5321 §4.5.3.2.4).
    DataInitiation,
    /// Sending a block of message data, or the reply to a non-final BDAT
    /// chunk (RFC 5321 §4.5.3.2.5).
    DataBlock,
    /// The reply to the end of data or to `BDAT ... LAST` (RFC 5321 §4.5.3.2.6).
    DataTermination,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Connect => "connect",
            Phase::TlsHandshake => "TLS handshake",
            Phase::Greeting => "greeting",
            Phase::Command => "command reply",
            Phase::Mail => "MAIL reply",
            Phase::Rcpt => "RCPT reply",
            Phase::DataInitiation => "DATA initiation",
            Phase::DataBlock => "data block",
            Phase::DataTermination => "DATA termination",
        })
    }
}

/// The timeout of every phase. The defaults are RFC 5321 §4.5.3.2's minimums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Initial `220` message: 5 minutes.
    pub greeting: Duration,
    /// Other command replies (EHLO, STARTTLS, AUTH, RSET, NOOP, QUIT): 5 minutes.
    pub command: Duration,
    /// MAIL: 5 minutes.
    pub mail: Duration,
    /// RCPT: 5 minutes.
    pub rcpt: Duration,
    /// DATA initiation: 2 minutes.
    pub data_initiation: Duration,
    /// Data block: 3 minutes.
    pub data_block: Duration,
    /// DATA termination: 10 minutes.
    pub data_termination: Duration,
    /// The TLS handshake: 1 minute (not in RFC 5321; a stalled handshake must end too).
    pub tls_handshake: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        const MINUTE: Duration = Duration::from_secs(60);
        Timeouts {
            greeting: 5 * MINUTE,
            command: 5 * MINUTE,
            mail: 5 * MINUTE,
            rcpt: 5 * MINUTE,
            data_initiation: 2 * MINUTE,
            data_block: 3 * MINUTE,
            data_termination: 10 * MINUTE,
            tls_handshake: MINUTE,
        }
    }
}

impl Timeouts {
    /// Every phase with the same timeout (handy in tests).
    pub fn all(timeout: Duration) -> Self {
        Timeouts {
            greeting: timeout,
            command: timeout,
            mail: timeout,
            rcpt: timeout,
            data_initiation: timeout,
            data_block: timeout,
            data_termination: timeout,
            tls_handshake: timeout,
        }
    }

    /// The timeout of `phase`; `None` for [`Phase::Connect`], which the
    /// builder's connect timeout covers.
    pub fn for_phase(&self, phase: Phase) -> Option<Duration> {
        Some(match phase {
            Phase::Connect => return None,
            Phase::TlsHandshake => self.tls_handshake,
            Phase::Greeting => self.greeting,
            Phase::Command => self.command,
            Phase::Mail => self.mail,
            Phase::Rcpt => self.rcpt,
            Phase::DataInitiation => self.data_initiation,
            Phase::DataBlock => self.data_block,
            Phase::DataTermination => self.data_termination,
        })
    }
}
