//! Commands and their ESMTP parameters together, as a server sees them.

use smtp_proto::types::params::{Body, Ret};
use smtp_proto::{Command, Encode, ParseError, ParseOptions, Reply};

const LINES: &[&str] = &[
    "MAIL FROM:<a@example.org> SIZE=1048576 BODY=8BITMIME\r\n",
    "MAIL FROM:<> RET=HDRS ENVID=QQ314159\r\n",
    "MAIL FROM:<a@example.org> AUTH=<> REQUIRETLS MT-PRIORITY=-3\r\n",
    "MAIL FROM:<a@example.org> BODY=BINARYMIME SMTPUTF8\r\n",
    "MAIL FROM:<a@example.org> HOLDFOR=3600 BY=120;R\r\n",
    "RCPT TO:<b@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+2Bx@example.org\r\n",
    "RCPT TO:<b@example.org> NOTIFY=NEVER\r\n",
    "RCPT TO:<Postmaster> RRVS=2014-04-03T23:01:00Z;C\r\n",
];

#[test]
fn parameters_are_typed() {
    let opts = ParseOptions::default();
    let (cmd, _) = Command::parse(LINES[0].as_bytes(), &opts).unwrap();
    let Command::Mail { params, .. } = cmd else {
        panic!()
    };
    assert_eq!(params.size, Some(1_048_576));
    assert_eq!(params.body, Some(Body::EightBitMime));

    let (cmd, _) = Command::parse(LINES[1].as_bytes(), &opts).unwrap();
    let Command::Mail { from, params } = cmd else {
        panic!()
    };
    assert_eq!(from.to_string(), "<>");
    assert_eq!(params.ret(), Some(Ret::Hdrs));
    assert_eq!(params.envid().unwrap().to_bytes(), b"QQ314159");

    let (cmd, _) = Command::parse(LINES[5].as_bytes(), &opts).unwrap();
    let Command::Rcpt { params, .. } = cmd else {
        panic!()
    };
    let notify = params.notify.unwrap();
    assert!(notify.success && notify.failure && !notify.delay);
    assert_eq!(
        params.orcpt.unwrap().decoded_address().as_deref(),
        Some("b+x@example.org")
    );
}

#[test]
fn every_line_round_trips_and_every_prefix_is_incomplete() {
    let opts = ParseOptions::default();
    for line in LINES {
        let (cmd, used) = Command::parse(line.as_bytes(), &opts).unwrap();
        assert_eq!(used, line.len());
        assert_eq!(
            cmd.to_bytes(),
            line.as_bytes(),
            "{line:?} re-encodes canonically"
        );
        for end in 0..line.len() {
            assert_eq!(
                Command::parse(&line.as_bytes()[..end], &opts),
                Err(ParseError::Incomplete),
                "prefix {:?}",
                &line[..end]
            );
        }
    }
}

#[test]
fn parameter_errors_map_to_the_right_replies() {
    let opts = ParseOptions::default();
    let reply = |line: &str| {
        let err = Command::parse(line.as_bytes(), &opts).unwrap_err();
        Reply::from_parse_error(&err).unwrap().to_bytes()
    };
    assert!(reply("MAIL FROM:<a@b> SIZE=1 SIZE=2\r\n").starts_with(b"501 5.5.4"));
    assert!(reply("MAIL FROM:<a@b> SIZE=big\r\n").starts_with(b"501 5.5.4"));
    assert!(reply("RCPT TO:<a@b> NOTIFY=NEVER,SUCCESS\r\n").starts_with(b"501 5.5.4"));
    assert!(reply("MAIL FROM:<a@b> MT-PRIORITY=12\r\n").starts_with(b"501 5.5.4"));
    assert!(reply("MAIL FROM:<\u{e9}@b>\r\n").starts_with(b"553 5.6.7"));

    // Unknown keywords parse, kept for the server to answer 555.
    let (cmd, _) = Command::parse(b"MAIL FROM:<a@b> XFOO=1 SIZE=3\r\n", &opts).unwrap();
    let Command::Mail { params, .. } = cmd else {
        panic!()
    };
    assert_eq!(params.size, Some(3));
    assert_eq!(params.other().len(), 1);
    let unknown = ParseError::UnknownParameter;
    assert!(
        Reply::from_parse_error(&unknown)
            .unwrap()
            .to_bytes()
            .starts_with(b"555 5.5.4")
    );
}

#[test]
fn utf8_addresses_need_the_smtputf8_grammar() {
    let line = "MAIL FROM:<j\u{f6}rg@b\u{fc}cher.example> SMTPUTF8\r\n";
    assert_eq!(
        Command::parse(line.as_bytes(), &ParseOptions::default()),
        Err(ParseError::NonAscii)
    );
    let utf8 = ParseOptions::default().with_smtputf8(true);
    let (cmd, _) = Command::parse(line.as_bytes(), &utf8).unwrap();
    let Command::Mail { params, .. } = &cmd else {
        panic!()
    };
    assert!(params.smtputf8);
    assert_eq!(cmd.to_bytes(), line.as_bytes());
}
