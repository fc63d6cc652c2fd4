//! The limit and policy flags reach the server: checked over raw sockets.

mod peer_support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use peer_support::ServerProcess;

struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Client {
    fn connect(server: &ServerProcess) -> Client {
        let stream = TcpStream::connect(server.smtp.unwrap()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Client {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
        }
    }

    /// The whole reply (all lines) to what was sent last.
    fn reply(&mut self) -> String {
        let mut reply = String::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).unwrap();
            assert!(line.len() >= 4, "short reply line {line:?} after {reply:?}");
            reply.push_str(&line);
            if line.as_bytes()[3] == b' ' {
                return reply;
            }
        }
    }

    fn command(&mut self, line: &str) -> String {
        self.writer.write_all(line.as_bytes()).unwrap();
        self.writer.write_all(b"\r\n").unwrap();
        self.reply()
    }
}

#[test]
fn limits_and_hostname_flags_apply() {
    let server = ServerProcess::start(&[
        "--listen",
        "127.0.0.1:0",
        "--sink",
        "--hostname",
        "flags.test",
        "--max-message-size",
        "4096",
        "--max-recipients",
        "2",
        "--max-connections",
        "1",
        "--local-domain",
        "flags.test",
    ]);
    let mut client = Client::connect(&server);
    let greeting = client.reply();
    assert!(greeting.starts_with("220 flags.test"), "{greeting}");
    let ehlo = client.command("EHLO client.test");
    assert!(
        ehlo.contains("250-SIZE 4096\r\n") || ehlo.contains("250 SIZE 4096\r\n"),
        "{ehlo}"
    );
    // No users: no AUTH offered at all.
    assert!(!ehlo.contains("AUTH"), "{ehlo}");

    // --max-connections 1: a second client is turned away.
    let mut second = Client::connect(&server);
    let refused = second.reply();
    assert!(refused.starts_with("421"), "{refused}");

    // --max-message-size: refused early from MAIL SIZE=.
    let big = client.command("MAIL FROM:<a@client.test> SIZE=5000");
    assert!(big.starts_with("552 5.3.4"), "{big}");
    assert!(
        client
            .command("MAIL FROM:<a@client.test> SIZE=100")
            .starts_with("250")
    );
    // --local-domain: no relaying for unauthenticated clients.
    let relay = client.command("RCPT TO:<x@example.org>");
    assert!(relay.starts_with("550 5.7.1"), "{relay}");
    assert!(client.command("RCPT TO:<a@flags.test>").starts_with("250"));
    assert!(client.command("RCPT TO:<b@flags.test>").starts_with("250"));
    // --max-recipients 2.
    let third = client.command("RCPT TO:<c@flags.test>");
    assert!(third.starts_with("452 4.5.3"), "{third}");
    assert!(client.command("QUIT").starts_with("221"));
}

#[test]
fn users_offer_auth_only_under_tls_unless_insecure_auth_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let users = peer_support::users_file(dir.path(), "", "u", "pw");
    let users = users.to_str().unwrap();

    let strict = ServerProcess::start(&["--listen", "127.0.0.1:0", "--sink", "--users", users]);
    let mut client = Client::connect(&strict);
    client.reply();
    let ehlo = client.command("EHLO client.test");
    assert!(!ehlo.contains("AUTH"), "{ehlo}");
    let auth = client.command("AUTH PLAIN AHUAcHc=");
    assert!(auth.starts_with("538 5.7.11"), "{auth}");

    let insecure = ServerProcess::start(&[
        "--listen",
        "127.0.0.1:0",
        "--sink",
        "--users",
        users,
        "--allow-insecure-auth",
    ]);
    let mut client = Client::connect(&insecure);
    client.reply();
    let ehlo = client.command("EHLO client.test");
    assert!(ehlo.contains("AUTH PLAIN LOGIN"), "{ehlo}");
    // "\0u\0pw"
    let auth = client.command("AUTH PLAIN AHUAcHc=");
    assert!(auth.starts_with("235 2.7.0"), "{auth}");
}
