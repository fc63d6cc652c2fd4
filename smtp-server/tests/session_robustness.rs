//! No input makes the session panic or hold unbounded memory.

mod session_common;

use proptest::prelude::*;
use session_common::Harness;
use smtp_server::{Config, Offer};

fn fragments() -> impl Strategy<Value = Vec<Vec<u8>>> {
    let pieces = prop_oneof![
        Just(b"EHLO x.example\r\n".to_vec()),
        Just(b"MAIL FROM:<a@b.example> SIZE=10\r\n".to_vec()),
        Just(b"RCPT TO:<c@d.example>\r\n".to_vec()),
        Just(b"DATA\r\n".to_vec()),
        Just(b"BDAT 5\r\n".to_vec()),
        Just(b"BDAT 0 LAST\r\n".to_vec()),
        Just(b"AUTH PLAIN\r\n".to_vec()),
        Just(b"AUTH LOGIN\r\n".to_vec()),
        Just(b"STARTTLS\r\n".to_vec()),
        Just(b"\r\n.\r\n".to_vec()),
        Just(b"*\r\n".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..64),
        proptest::collection::vec(
            prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'.'), Just(b'x')],
            0..16
        ),
    ];
    proptest::collection::vec(pieces, 0..40)
}

proptest! {
    #[test]
    fn arbitrary_input_never_panics(input in fragments(), split in 1usize..50) {
        let mut config = Config::new("mx.example");
        config.allow_insecure_auth = true;
        config.max_errors = 1000;
        let mut h = Harness::with_offer(config, Offer::new(true, vec!["PLAIN", "LOGIN"]));
        let bytes: Vec<u8> = input.concat();
        for piece in bytes.chunks(split) {
            if h.conn.is_closed() {
                break;
            }
            h.send_bytes(piece);
        }
        h.conn.handle_eof();
        h.pump();
        prop_assert!(h.conn.is_closed());
    }

    #[test]
    fn endless_line_is_not_buffered(len in 5000usize..100_000) {
        let mut h = Harness::greeted();
        let junk = vec![b'a'; len];
        for piece in junk.chunks(4096) {
            prop_assert_eq!(h.send_bytes(piece), "");
        }
        prop_assert_eq!(h.send("\r\n"), "500 5.5.6 Line too long\r\n");
    }
}
