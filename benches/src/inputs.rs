//! The inputs every competitor is measured on: built here once, so each
//! parser sees exactly the same bytes in the same run.

/// The realistic command mix of a submission session, one command per line
/// with its CRLF: EHLO, MAIL with SIZE/BODY, a null sender, RCPT with
/// NOTIFY/ORCPT, DATA, BDAT, AUTH PLAIN, STARTTLS, RSET, NOOP, VRFY, QUIT.
pub const COMMAND_MIX: [&[u8]; 14] = [
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
];

/// The line of [`COMMAND_MIX`] that duesee's `smtp-codec` 0.2 cannot parse
/// (it has no CHUNKING): the three-way comparison runs on the mix without it.
pub const BDAT_LINE: &[u8] = b"BDAT 86016 LAST\r\n";

/// [`COMMAND_MIX`] without [`BDAT_LINE`], which every competitor parses.
pub fn command_mix_without_bdat() -> Vec<&'static [u8]> {
    COMMAND_MIX
        .iter()
        .copied()
        .filter(|line| *line != BDAT_LINE)
        .collect()
}

/// The command lines concatenated, as a pipelining client sends them in
/// one TCP segment (RFC 2920).
pub fn pipelined(lines: &[&[u8]]) -> Vec<u8> {
    lines.concat()
}

/// The long-parameter worst case: a `MAIL` whose path is at the RFC 5321
/// §4.5.3.1 limits (64-octet local part, a long domain) followed by every
/// parameter a relay forwards, the ENVID and AUTH= values xtext-encoded
/// with `+XX` escapes. 4 KiB is the longest line RFC 1869 extensions allow
/// a server to accept; this one stays under 1 KiB, where all parsers agree.
pub fn long_parameter_command() -> Vec<u8> {
    let local = "l".repeat(40) + ".long-local-part-here-xx";
    let domain = format!(
        "{}.{}.{}.example.com",
        "a".repeat(60),
        "b".repeat(60),
        "c".repeat(50)
    );
    let envid = "QQ+2BENVID+3Dabcdef0123456789".repeat(3);
    let auth = format!("{local}+40{domain}");
    let line = format!(
        "MAIL FROM:<{local}@{domain}> SIZE=104857600 BODY=8BITMIME RET=HDRS \
         ENVID={envid} AUTH={auth}\r\n"
    );
    debug_assert!(local.len() <= 64);
    line.into_bytes()
}

/// Replies a client reads in one transaction: single-line with and without
/// enhanced status codes, and multi-line ones with enhanced codes.
pub const REPLIES: [&[u8]; 8] = [
    b"220 mx.example.net ESMTP Postfix (Debian/GNU)\r\n",
    b"250 2.1.0 Ok\r\n",
    b"250 2.1.5 Ok\r\n",
    b"354 End data with <CR><LF>.<CR><LF>\r\n",
    b"250 2.0.0 Ok: queued as 4BqTzK1Y7Pz9vBQ\r\n",
    b"550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown in virtual mailbox table\r\n",
    b"421-4.7.0 [203.0.113.7      15] Our system has detected an unusual rate of\r\n\
      421-4.7.0 unsolicited mail originating from your IP address. To protect our\r\n\
      421-4.7.0 users from spam, mail sent from your IP address has been temporarily\r\n\
      421 4.7.0 rate limited. For more information, go to the postmaster pages.\r\n",
    b"550-5.7.26 This mail has been blocked because the sender is unauthenticated.\r\n\
      550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM.\r\n\
      550 5.7.26 Authentication results: dmarc=fail spf=fail dkim=none\r\n",
];

/// A 12-line EHLO response in the style of Gmail's and Postfix's.
pub const EHLO_RESPONSE: &[u8] = b"250-mx.google.com at your service, [203.0.113.7]\r\n\
250-SIZE 157286400\r\n\
250-8BITMIME\r\n\
250-STARTTLS\r\n\
250-ENHANCEDSTATUSCODES\r\n\
250-PIPELINING\r\n\
250-CHUNKING\r\n\
250-SMTPUTF8\r\n\
250-AUTH LOGIN PLAIN XOAUTH2 OAUTHBEARER XOAUTH\r\n\
250-DSN\r\n\
250-ETRN\r\n\
250 BINARYMIME\r\n";

/// Size of the DATA body.
pub const DATA_BODY_LEN: usize = 1 << 20;

/// Every how many lines one starts with a `.` (and is stuffed on the wire).
pub const DOT_LINE_EVERY: usize = 50;

/// Chunk size of the streaming DATA benches: a typical socket read.
pub const DATA_CHUNK: usize = 4096;

/// A message body of exactly [`DATA_BODY_LEN`] octets in CRLF lines of up
/// to 78 characters, one line in [`DOT_LINE_EVERY`] starting with a `.`.
/// Deterministic, so every run measures the same bytes.
pub fn data_body() -> Vec<u8> {
    let mut body = Vec::with_capacity(DATA_BODY_LEN);
    let mut line_no = 0usize;
    let mut seed = 0x2545_f491_u32;
    while body.len() < DATA_BODY_LEN {
        // xorshift: varied line lengths without a dependency on `rand`.
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let len = 20 + (seed % 59) as usize;
        let start = body.len();
        if line_no % DOT_LINE_EVERY == DOT_LINE_EVERY - 1 {
            body.push(b'.');
        }
        while body.len() - start < len {
            body.push(
                b"The quick brown fox jumps over the lazy dog 0123456789 "
                    [(body.len() - start) % 55],
            );
        }
        body.extend_from_slice(b"\r\n");
        line_no += 1;
    }
    // Cut to the exact size on a line end: the last line is shortened.
    body.truncate(DATA_BODY_LEN - 2);
    while matches!(body.last(), Some(b'\r' | b'\n')) {
        body.pop();
    }
    body.resize(DATA_BODY_LEN - 2, b'x');
    body.extend_from_slice(b"\r\n");
    body
}

/// [`data_body`] as sent after `354`: dot-stuffed and ended by `.<CRLF>`.
/// Built by hand, not by the encoder under test.
pub fn data_wire(body: &[u8]) -> Vec<u8> {
    let mut wire = Vec::with_capacity(body.len() + body.len() / 1000 + 8);
    let mut at_line_start = true;
    for &b in body {
        if at_line_start && b == b'.' {
            wire.push(b'.');
        }
        wire.push(b);
        at_line_start = b == b'\n';
    }
    wire.extend_from_slice(b".\r\n");
    wire
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_body_is_one_mebibyte_of_crlf_lines_with_dot_lines() {
        let body = data_body();
        assert_eq!(body.len(), DATA_BODY_LEN);
        assert!(body.ends_with(b"\r\n"));
        let lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
        assert!(
            lines
                .iter()
                .take(lines.len() - 1)
                .all(|l| l.ends_with(b"\r"))
        );
        assert!(!body.contains(&0));
        let dot_lines = lines.iter().filter(|l| l.starts_with(b".")).count();
        let expected = (lines.len() - 1) / DOT_LINE_EVERY;
        assert!(
            dot_lines.abs_diff(expected) <= 1,
            "{dot_lines} vs {expected}"
        );
    }

    #[test]
    fn data_wire_stuffs_every_dot_line_and_ends_with_the_terminator() {
        let body = b".a\r\nb\r\n..c\r\n";
        assert_eq!(data_wire(body), b"..a\r\nb\r\n...c\r\n.\r\n");
    }

    #[test]
    fn long_parameter_command_is_long_and_within_the_path_limits() {
        let line = long_parameter_command();
        assert!(line.len() > 600 && line.len() < 1024, "{}", line.len());
        assert!(line.ends_with(b"\r\n"));
    }

    #[test]
    fn the_mix_without_bdat_drops_exactly_one_line() {
        assert_eq!(command_mix_without_bdat().len(), COMMAND_MIX.len() - 1);
        assert_eq!(
            pipelined(&COMMAND_MIX).len(),
            COMMAND_MIX.iter().map(|l| l.len()).sum()
        );
    }
}
