//! Settings of a client session.

use smtp_proto::Host;

use crate::timeouts::Timeouts;

/// How a [`ClientSession`](super::ClientSession) behaves.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// The name sent in EHLO/HELO.
    pub ehlo_name: Host<'static>,
    /// Per-phase timeouts reported by
    /// [`current_timeout`](super::ClientSession::current_timeout).
    pub timeouts: Timeouts,
    /// Use PIPELINING (RFC 2920) when offered.
    pub use_pipelining: bool,
    /// Use CHUNKING (BDAT, RFC 3030) when offered.
    pub use_chunking: bool,
    /// Size of a BDAT chunk, in octets.
    pub chunk_size: usize,
}

impl SessionConfig {
    /// Defaults with the given EHLO name.
    pub fn new(ehlo_name: Host<'static>) -> Self {
        SessionConfig {
            ehlo_name,
            timeouts: Timeouts::default(),
            use_pipelining: true,
            use_chunking: true,
            chunk_size: 64 * 1024,
        }
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        let localhost = Host::try_from("localhost").map(Host::into_owned);
        // "localhost" is a valid domain; the fallback only keeps this total.
        SessionConfig::new(localhost.unwrap_or_else(|_| {
            Host::from(smtp_proto::AddressLiteral::from(
                std::net::Ipv4Addr::LOCALHOST,
            ))
        }))
    }
}
