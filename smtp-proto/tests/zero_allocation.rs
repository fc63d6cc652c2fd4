//! The hot path does not allocate: parsing well-formed commands and replies
//! borrows from the input.

use allocation_counter::measure;
use smtp_proto::{Command, DataDecoder, ParseOptions, Reply};

/// The command mix of the benchmarks (`benches/src/inputs.rs`), plus a few
/// more common shapes.
const COMMANDS: &[&[u8]] = &[
    b"EHLO client.example.org\r\n",
    b"AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAGNvcnJlY3QgaG9yc2UgYmF0dGVyeQ==\r\n",
    b"MAIL FROM:<alice@example.org> SIZE=48213 BODY=8BITMIME\r\n",
    b"RCPT TO:<bob@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@example.net\r\n",
    b"RCPT TO:<carol@mail.example.com>\r\n",
    b"DATA\r\n",
    b"RSET\r\n",
    b"MAIL FROM:<>\r\n",
    b"RCPT TO:<postmaster@example.net> NOTIFY=NEVER\r\n",
    b"BDAT 86016 LAST\r\n",
    b"STARTTLS\r\n",
    b"NOOP\r\n",
    b"VRFY postmaster\r\n",
    b"QUIT\r\n",
    b"MAIL FROM:<sender@example.org> SIZE=1024 BODY=8BITMIME SMTPUTF8\r\n",
    b"RCPT TO:<Postmaster>\r\n",
    b"AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n",
    b"HELO client.example.org\r\n",
];

/// A parsed command is returned by value and moved by every caller: its
/// size is a cost on every command (the rare MAIL/RCPT parameters, source
/// routes and address literals are boxed to keep it down). Fails if it
/// regrows.
#[test]
fn a_command_is_at_most_96_octets() {
    assert!(
        std::mem::size_of::<Command<'_>>() <= 96,
        "Command is {} octets",
        std::mem::size_of::<Command<'_>>()
    );
}

#[test]
fn parsing_commands_does_not_allocate() {
    let opts = ParseOptions::default();
    for line in COMMANDS {
        let counts = measure(|| {
            let parsed = Command::parse(line, &opts);
            assert!(parsed.is_ok(), "{:?}", String::from_utf8_lossy(line));
        });
        assert_eq!(
            counts.count_total,
            0,
            "{:?} allocated",
            String::from_utf8_lossy(line)
        );
    }
}

#[test]
fn parsing_single_line_replies_does_not_allocate() {
    for reply in [
        &b"250 2.1.0 Sender OK\r\n"[..],
        b"354 Go ahead\r\n",
        b"221 2.0.0 Bye\r\n",
    ] {
        let counts = measure(|| {
            assert!(Reply::parse(reply).is_ok());
        });
        assert_eq!(
            counts.count_total,
            0,
            "{:?} allocated",
            String::from_utf8_lossy(reply)
        );
    }
}

#[test]
fn encoding_replies_into_a_reserved_buffer_does_not_allocate() {
    let mut out = Vec::with_capacity(256);
    let counts = measure(|| {
        smtp_proto::Encode::encode(&Reply::OK, &mut out);
        smtp_proto::Encode::encode(&Reply::TOO_MANY_RECIPIENTS, &mut out);
    });
    assert_eq!(counts.count_total, 0);
    assert_eq!(out, b"250 2.0.0 OK\r\n452 4.5.3 Too many recipients\r\n");
}

#[test]
fn decoding_data_into_a_reserved_buffer_does_not_allocate() {
    let wire = b"Subject: hi\r\n\r\n..stuffed\r\nbody\r\n.\r\n";
    let mut body = Vec::with_capacity(wire.len());
    let mut decoder = DataDecoder::new();
    let counts = measure(|| {
        assert!(decoder.decode(wire, &mut body).done);
    });
    assert_eq!(counts.count_total, 0);
}
