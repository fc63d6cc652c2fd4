//! `command`: raw bytes → `Command::parse` under every option set.
//!
//! Whatever decodes must encode to one canonical CRLF line that decodes back
//! to an equal command under strict options, and re-encode to the same bytes;
//! every error a server can see must map to a reply it can send; leniency
//! and SMTPUTF8 only ever widen what is accepted.

use smtp_proto::{Command, Encode, ParseError, ParseOptions, Reply};

use super::{OPTION_SETS, assert_one_line, canonical};

/// Runs every invariant on one input.
pub fn check_command(data: &[u8]) {
    let results = OPTION_SETS.map(|opts| {
        let result = Command::parse(data, &opts);
        check_one(data, &opts, &result);
        result
    });
    // OPTION_SETS is [strict, strict+utf8, lenient, lenient+utf8].
    for (narrow, wide) in [(0, 1), (2, 3), (0, 2), (1, 3)] {
        if let Ok(accepted) = &results[narrow] {
            assert_eq!(
                results[wide].as_ref().ok(),
                Some(accepted),
                "accepted under {:?} but not the same under {:?}: {:?}",
                OPTION_SETS[narrow],
                OPTION_SETS[wide],
                String::from_utf8_lossy(data)
            );
        }
    }
}

fn check_one(data: &[u8], opts: &ParseOptions, result: &Result<(Command<'_>, usize), ParseError>) {
    match result {
        Ok((command, used)) => {
            let used = *used;
            assert!(
                used > 0 && used <= data.len(),
                "consumed {used} of {}",
                data.len()
            );
            assert_eq!(data[used - 1], b'\n', "a command ends at an LF");
            assert!(
                !data[..used - 1].contains(&b'\n'),
                "a command took more than one line"
            );
            roundtrip(command, opts);
        }
        Err(ParseError::Incomplete) => assert!(
            !data.contains(&b'\n'),
            "Incomplete although a line end is buffered: {:?}",
            String::from_utf8_lossy(data)
        ),
        Err(error) => {
            assert!(data.contains(&b'\n'), "{error:?} before the line end");
            let reply = Reply::from_parse_error(error);
            assert!(reply.is_some(), "no reply for command error {error:?}");
        }
    }
}

/// encode → decode (strict) gives the same command, and encoding is stable.
pub fn roundtrip(command: &Command<'_>, opts: &ParseOptions) {
    let wire = command.to_bytes();
    assert_one_line(&wire);
    let (again, used) = Command::parse(&wire, &canonical(opts)).unwrap_or_else(|e| {
        panic!(
            "{command:?} encodes to {:?}, which does not parse: {e:?}",
            String::from_utf8_lossy(&wire)
        )
    });
    assert_eq!(used, wire.len());
    assert_eq!(&again, command, "wire {:?}", String::from_utf8_lossy(&wire));
    assert_eq!(again.to_bytes(), wire, "encoding is not stable");
}
