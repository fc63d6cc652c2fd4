//! The bulk traits for the async client: a [`ClientBuilder`] opens
//! connections, a [`Client`] sends on them.

use super::transport::{Connection, Connector, Delivery, Failure, FailureKind, Message};
use crate::{Client, ClientBuilder, Envelope, Error};

/// Maps a client error to what the bulk sender decides on.
pub fn failure_from_error(error: &Error) -> Failure {
    let kind = match error {
        // The server went away, or the socket broke: a fresh connection may work.
        Error::ConnectionClosed { .. } | Error::Io(_) => FailureKind::ConnectionLost,
        Error::InvalidInput(_) => FailureKind::Configuration,
        e if e.is_transient() => FailureKind::Transient,
        _ => FailureKind::Permanent,
    };
    Failure {
        kind,
        reply: error.reply().cloned(),
        detail: error.to_string(),
    }
}

impl Connector for ClientBuilder {
    type Envelope = Envelope;
    type Connection = Client;

    /// The credentials' user, or `host:port` for unauthenticated relays.
    fn account(&self) -> String {
        match &self.credentials {
            Some(credentials) => credentials.user().to_owned(),
            None => format!("{}:{}", self.host, self.port),
        }
    }

    fn recipients(envelope: &Envelope) -> Vec<String> {
        envelope
            .recipients()
            .iter()
            .map(|r| r.address().to_owned())
            .collect()
    }

    fn narrow(envelope: &Envelope, keep: &[String]) -> Envelope {
        let recipients = envelope
            .recipients()
            .iter()
            .filter(|r| keep.iter().any(|k| k == r.address()))
            .cloned()
            .collect();
        let narrowed = Envelope::with_recipients(envelope.from(), recipients).and_then(|mut e| {
            if let Some(ret) = envelope.ret_value() {
                e = e.ret(ret);
            }
            match envelope
                .envid_value()
                .and_then(|id| id.xtext().decode_str())
            {
                Some(envid) => e.envid(envid),
                None => Ok(e),
            }
        });
        // Every part came from a valid envelope, so rebuilding cannot fail; if
        // it somehow did, resending to all would duplicate mail, so send to
        // the kept recipients without DSN options instead.
        narrowed.unwrap_or_else(|_| {
            Envelope::new(envelope.from(), keep).unwrap_or_else(|_| envelope.clone())
        })
    }

    async fn connect(&self) -> Result<Client, Failure> {
        ClientBuilder::connect(self)
            .await
            .map_err(|e| failure_from_error(&e))
    }
}

impl Connection<Envelope> for Client {
    async fn send(&mut self, envelope: &Envelope, message: &Message) -> Result<Delivery, Failure> {
        let into_pairs = |recipients: Vec<crate::RecipientReport>| {
            recipients
                .into_iter()
                .map(|r| (r.recipient, r.outcome))
                .collect()
        };
        match Client::send(self, envelope, &message[..]).await {
            Ok(report) => Ok(Delivery {
                recipients: into_pairs(report.recipients),
                reply: Some(report.reply),
            }),
            // Per-recipient refusals are decided per recipient (retry the 4xx ones only).
            Err(Error::AllRecipientsRefused { recipients }) => Ok(Delivery {
                recipients: into_pairs(recipients),
                reply: None,
            }),
            Err(error) => Err(failure_from_error(&error)),
        }
    }

    fn is_reusable(&self) -> bool {
        self.is_connected()
    }

    async fn close(mut self) {
        // The messages are already accepted or reported; a failed QUIT changes nothing.
        let _ = self.quit().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Credentials, Notify, Recipient, Ret};

    #[test]
    fn the_account_is_the_user_or_the_relay() {
        let builder = Client::builder("smtp.example.com").port(587);
        assert_eq!(builder.account(), "smtp.example.com:587");
        let builder = builder.credentials(Credentials::password("me@example.com", "pw"));
        assert_eq!(builder.account(), "me@example.com");
    }

    #[test]
    fn narrowing_keeps_the_dsn_options() {
        let recipients = vec![
            Recipient::new("a@example.com").unwrap(),
            Recipient::new("b@example.com")
                .unwrap()
                .notify(Notify::NEVER),
        ];
        let envelope = Envelope::with_recipients("s@example.com", recipients)
            .unwrap()
            .ret(Ret::Hdrs)
            .envid("run 42+x")
            .unwrap();
        let narrowed = <ClientBuilder as Connector>::narrow(&envelope, &["b@example.com".into()]);
        assert_eq!(
            <ClientBuilder as Connector>::recipients(&narrowed),
            ["b@example.com"]
        );
        assert_eq!(narrowed.recipients()[0].notify_value(), Some(Notify::NEVER));
        assert_eq!(narrowed.ret_value(), Some(Ret::Hdrs));
        assert_eq!(narrowed.envid_value(), envelope.envid_value());
        assert_eq!(narrowed.from(), "s@example.com");
    }

    #[test]
    fn errors_map_to_failure_kinds() {
        let closed = Error::ConnectionClosed { reply: None };
        assert_eq!(
            failure_from_error(&closed).kind,
            FailureKind::ConnectionLost
        );
        let invalid = Error::InvalidInput("bad".into());
        assert_eq!(
            failure_from_error(&invalid).kind,
            FailureKind::Configuration
        );
        let reply = smtp_proto::Reply::new(
            smtp_proto::ReplyCode::new(451).unwrap(),
            None,
            ["try later"],
        )
        .unwrap();
        let refused = Error::Reply {
            command: "DATA",
            reply: reply.clone(),
        };
        let failure = failure_from_error(&refused);
        assert_eq!(failure.kind, FailureKind::Transient);
        assert_eq!(failure.reply, Some(reply));
    }
}
