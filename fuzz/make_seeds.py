#!/usr/bin/env python3
"""Writes the committed seed corpora (fuzz/corpus/<target>/<name>) from RFC
examples and the test vectors of smtp-proto. Re-run after editing; the fuzzer
adds its own finds next to these (only seeds and minimised findings are
committed)."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

def stream(payload, flags=0, param=0, chunks=()):
    """Header of the stream targets: flags, param, n, n chunk lengths, payload."""
    return bytes([flags, param, len(chunks), *chunks]) + payload

COMMANDS = {
    "ehlo": b"EHLO client.example.com\r\n",
    "ehlo_literal_v4": b"EHLO [192.0.2.1]\r\n",
    "ehlo_literal_v6": b"EHLO [IPv6:2001:db8::1]\r\n",
    "helo": b"HELO relay.example.org\r\n",
    "lhlo": b"LHLO lmtp.example.net\r\n",
    "mail": b"MAIL FROM:<Smith@bar.com>\r\n",
    "mail_null": b"MAIL FROM:<>\r\n",
    "mail_params": b"MAIL FROM:<a@example.com> SIZE=12345 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ314159 AUTH=e+3Dmc2@example.com REQUIRETLS MT-PRIORITY=-3 BY=120;RT\r\n",
    "mail_holdfor": b"MAIL FROM:<a@example.com> HOLDFOR=3600\r\n",
    "mail_holduntil": b"MAIL FROM:<a@example.com> HOLDUNTIL=2025-05-01T12:00:00Z\r\n",
    "mail_auth_empty": b"MAIL FROM:<a@example.com> AUTH=<>\r\n",
    "mail_quoted": b"MAIL FROM:<\"John \\\"Q\\\" Public\"@example.com>\r\n",
    "mail_route": b"MAIL FROM:<@hosta.int,@jkl.org:userc@d.bar.org>\r\n",
    "mail_lowercase": b"mail from:<a@b.example>\r\n",
    "mail_lenient": b"MAIL FROM: a@b.example  \n",
    "mail_utf8": "MAIL FROM:<jos\u00e9@ex\u00e1mple.com> SMTPUTF8\r\n".encode(),
    "rcpt": b"RCPT TO:<Jones@XYZ.COM>\r\n",
    "rcpt_postmaster": b"RCPT TO:<Postmaster>\r\n",
    "rcpt_dsn": b"RCPT TO:<c@example.com> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;c+2Bx@example.com\r\n",
    "rcpt_never": b"RCPT TO:<c@example.com> NOTIFY=NEVER\r\n",
    "rcpt_orcpt_utf8": b"RCPT TO:<c@example.com> ORCPT=utf-8;c\\x{E9}@example.com\r\n",
    "rcpt_rrvs": b"RCPT TO:<c@example.com> RRVS=2014-04-03T23:01:00Z;C\r\n",
    "rcpt_literal": b"RCPT TO:<user@[IPv6:::ffff:192.0.2.1]>\r\n",
    "data": b"DATA\r\n",
    "bdat": b"BDAT 1000\r\n",
    "bdat_last": b"BDAT 0 LAST\r\n",
    "rset": b"RSET\r\n",
    "vrfy": b"VRFY Smith\r\n",
    "expn": b"EXPN Example-People\r\n",
    "help": b"HELP MAIL\r\n",
    "noop": b"NOOP\r\n",
    "quit": b"QUIT\r\n",
    "starttls": b"STARTTLS\r\n",
    "auth_plain": b"AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\n",
    "auth_empty_ir": b"AUTH PLAIN =\r\n",
    "auth_login": b"AUTH LOGIN\r\n",
    "etrn": b"ETRN @example.com\r\n",
    "etrn_queue": b"ETRN #queue1\r\n",
    "unknown": b"XYZZY\r\n",
    "pipelined": b"MAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\n",
    "bare_lf": b"NOOP\n",
    "incomplete": b"MAIL FROM:<a@b",
}

REPLIES = {
    "greeting": b"220 mail.example.com ESMTP ready\r\n",
    "ok_enhanced": b"250 2.1.0 Sender ok\r\n",
    "multiline": b"250-mail.example.com\r\n250-PIPELINING\r\n250 SIZE 10240000\r\n",
    "start_input": b"354 Start mail input; end with <CRLF>.<CRLF>\r\n",
    "auth_challenge": b"334 VXNlcm5hbWU6\r\n",
    "auth_empty_challenge": b"334 \r\n",
    "transient": b"451 4.3.0 Try again later\r\n",
    "permanent_multi": b"550-5.1.1 The email account that you tried to reach does not exist.\r\n550 5.1.1 https://support.example.com/mail\r\n",
    "bare_lf": b"250 ok\n",
    "code_only": b"250\r\n",
    "eight_bit": b"250 caf\xe9\r\n",
    "incomplete": b"250-first\r\n250 sec",
}

EHLO = {
    "rfc5321": b"250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n",
    "gmail": b"250-smtp.gmail.com at your service, [203.0.113.9]\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n",
    "auth": b"250-mx.example.com\r\n250-AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER CRAM-MD5 SCRAM-SHA-256\r\n250-AUTH=PLAIN LOGIN\r\n250 BINARYMIME\r\n",
    "extensions": b"250-mx.example.com\r\n250-DELIVERBY 240\r\n250-FUTURERELEASE 604800 2030-01-01T00:00:00Z\r\n250-MT-PRIORITY MIXER\r\n250-RRVS\r\n250-REQUIRETLS\r\n250-LIMITS RCPTMAX=100 MAILMAX=10 RCPTDOMAINMAX=5\r\n250-VRFY\r\n250-ETRN\r\n250-EXPN\r\n250 XCLIENT NAME ADDR\r\n",
    "malformed_size": b"250-mx\r\n250 SIZE abc\r\n",
    "single": b"250 mx.example.com\r\n",
}

PARAMS = {
    "empty": b"",
    "size": b" SIZE=1000000",
    "all_mail": b" SIZE=0 BODY=BINARYMIME SMTPUTF8 RET=FULL ENVID=a+2Bb AUTH=<> REQUIRETLS MT-PRIORITY=9 HOLDFOR=60 BY=-10;N",
    "all_rcpt": b" NOTIFY=FAILURE,DELAY ORCPT=rfc822;x+40y@z RRVS=2020-02-29T12:00:00.5+01:00;R",
    "orcpt_utf8": b" ORCPT=utf-8;\\x{1F600}@example.com",
    "unknown": b" XFOO=bar X-BAZ",
    "duplicate": b" SIZE=1 SIZE=2",
    "lowercase": b" size=10 body=7bit",
}

ADDRESS = {
    "path": b"<Smith@bar.com>",
    "null": b"<>",
    "postmaster": b"<postmaster>",
    "route": b"<@a.example,@b.example:user@c.example>",
    "quoted": b"\"a\\\\b c\"@example.com",
    "mailbox": b"user.name+tag@sub.example.co.uk",
    "v4": b"[192.0.2.255]",
    "v6": b"[IPv6:2001:db8:0:0:0:0:2:1]",
    "v6_v4": b"[IPv6:::ffff:192.0.2.1]",
    "general": b"[x-tag:content]",
    "domain": b"a-b.example",
    "local_64": b"a" * 64 + b"@example.com",
    "utf8": "\u7528\u6237@\u4f8b\u5b50.\u516c\u53f8".encode(),
    "node_sub": b"@example.com",
    "node_queue": b"#queue",
}

DATA = {
    "simple": stream(b"Subject: hi\r\n\r\nbody\r\n.\r\n"),
    "stuffed": stream(b"..leading dot\r\n.x\r\n.\r\nQUIT\r\n", chunks=(1, 2, 3)),
    "first_line_dot": stream(b".\r\n"),
    "smuggle_lf": stream(b"a\n.\nb\r\n.\r\n"),
    "smuggle_cr": stream(b"a\r.\rb\r\n.\r\n"),
    "smuggle_lf_crlf": stream(b"a\n.\r\nb\r\n.\r\n", flags=1),
    "split_terminator": stream(b"x\r\n.\r\n", chunks=(1, 1, 1, 1, 1)),
    "size_limit": stream(b"0123456789\r\n.\r\n", flags=2, param=4),
    "unterminated": stream(b"abc\r\n.", chunks=(3,)),
}

ROUNDTRIP = {
    "mixed_endings": stream(b"a\nb\rc\r\n.d\n\r\n.", param=3, chunks=(2, 5)),
    "dots": stream(b".\n..\r\n.\r", param=0),
    "empty": stream(b""),
    "binary": stream(bytes(range(256)), param=63, chunks=(100,)),
}

SASL = {
    "b64_plain": b"dGVzdAB0ZXN0ADEyMzQ=",
    "cancel": b"*",
    "empty_ir": b"=",
    "plain": b"admin\x00tim\x00tanstaaftanstaaf",
    "login": b"tim\x00tanstaaftanstaaf",
    "xoauth2": b"user=someuser@example.com\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01",
    "oauthbearer": b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01",
    "cram_md5": b"tim b913a602c7eda7a495b4e6e7334d3890",
    "scram": b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO\x00c=biws,r=rOprNGfwEbeRWgbNEkqOfuzzfuzzfuzzfuzzfuzzfuzz,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
}

FRAMER = {
    "lines": stream(b"EHLO x\r\nMAIL FROM:<a@b>\r\nDATA\r\n", param=255),
    "too_long": stream(b"0123456789\r\nok\r\n", param=7, chunks=(3, 4)),
    "cr_split": stream(b"abcdefgh\r\nx\r\n", param=3, chunks=(9,)),
    "lf_mode": stream(b"a\nb\r\nc\rd\n", flags=1, param=5),
    "command_limit": stream(b"A" * 600 + b"\r\nNOOP\r\n", flags=2, chunks=(200, 200, 200)),
}

DIFFERENTIAL = {name: line.split(b"\r\n")[0].split(b"\n")[0] for name, line in COMMANDS.items()}
DIFFERENTIAL.update({
    "burl": b"BURL imap://x LAST",
    "atrn": b"ATRN example.com",
    "space_colon": b"MAIL FROM: <a@b.c>",
    "quit_args": b"QUIT now",
    "leading_space": b" NOOP",
})

STRUCTURED_NOTE = None  # command/reply/ehlo *_to_bytes_and_back start from an empty corpus

CORPORA = {
    "command": COMMANDS,
    "reply": REPLIES,
    "ehlo_response": {**EHLO, **{f"reply_{k}": v for k, v in REPLIES.items()}},
    "params": PARAMS,
    "address": ADDRESS,
    "data_decoder": DATA,
    "data_roundtrip": ROUNDTRIP,
    "sasl": SASL,
    "line_framer": FRAMER,
    "differential_stalwart": DIFFERENTIAL,
}

for target, seeds in CORPORA.items():
    directory = os.path.join(HERE, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(directory, "seed_" + name), "wb") as f:
            f.write(data)
