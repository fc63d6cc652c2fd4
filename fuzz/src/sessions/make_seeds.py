#!/usr/bin/env python3
"""Writes the seed corpora of the session targets (fuzz/corpus/server_session/
and fuzz/corpus/client_session/) in the byte layout of script.rs:

    header[4] decision_count decisions... ops...

An op is one byte; op 0 carries bytes (a length byte, then the bytes, at most
255: longer payloads are split over several ops). Run from anywhere:
`python3 fuzz/src/sessions/make_seeds.py`.
"""
import base64
import os

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "..", "corpus")


def b64(data):
    return base64.b64encode(data)


def script(header, decisions, ops):
    out = bytearray(header) + bytes([len(decisions)]) + bytes(decisions)
    for op in ops:
        if isinstance(op, int):
            out.append(op)
            continue
        data = op.encode() if isinstance(op, str) else bytes(op)
        while True:
            piece, data = data[:255], data[255:]
            out += bytes([0, len(piece)]) + piece
            if not data:
                break
    return bytes(out)


def write(target, name, data):
    path = os.path.join(CORPUS, target, "seed_" + name)
    with open(path, "wb") as f:
        f.write(data)


# ---- server_session: header flags (byte 0) ----
STARTTLS, INSECURE_AUTH, LMTP, NORMALISE, LENIENT, RELAY, NO_UTF8, AUTH = (1 << k for k in range(8))
TLS_DONE, TIMEOUT, EOF, SHUTDOWN, DEADLINE = 1, 2, 3, 4, 5
ACCEPT, REFUSE_450, REFUSE_550 = 0, 1, 5

BODY = "Subject: hello\r\n\r\nHi there.\r\n.\r\n"
PLAIN = "AUTH PLAIN " + b64(b"\0user\0pencil").decode() + "\r\n"

server = {
    "transaction": ([0, 0, 0, 0], [], ["EHLO client.example\r\n", "MAIL FROM:<a@example.com>\r\n",
                     "RCPT TO:<b@example.org>\r\n", "DATA\r\n", BODY, "QUIT\r\n"]),
    "helo_split": ([0, 0, 0, 0], [], ["HE", "LO client\r\nMAIL FROM:<a@exa", "mple.com>\r\nRCPT TO:<b@example.org>\r",
                    "\nDATA\r\n", "line\r\n.", "\r\n", "QUIT\r\n", EOF]),
    "pipelined": ([0, 0, 0, 0], [ACCEPT, ACCEPT, REFUSE_450, ACCEPT, ACCEPT],
                  ["EHLO c\r\n", "MAIL FROM:<a@example.com> SIZE=20\r\nRCPT TO:<b@example.org>\r\n"
                   "RCPT TO:<c@example.org>\r\nRCPT TO:<d@example.org> NOTIFY=NEVER\r\nDATA\r\n", BODY,
                   "RSET\r\nNOOP\r\nQUIT\r\n"]),
    "refused_all": ([0, 0, 0, 0], [ACCEPT, REFUSE_550, REFUSE_550],
                    ["EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<x@example.org>\r\nRCPT TO:<y@example.org>\r\nDATA\r\n",
                     BODY, "QUIT\r\n"]),
    "data_refused": ([0, 0, 0, 0], [ACCEPT, ACCEPT, REFUSE_550],
                     ["EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n", BODY,
                      "MAIL FROM:<a@example.com>\r\n"]),
    "starttls": ([STARTTLS | AUTH, 0, 0, 0], [],
                 ["EHLO c\r\n", "STARTTLS\r\n", TLS_DONE, "EHLO c\r\n", PLAIN,
                  "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@far.example>\r\nDATA\r\n", BODY, "QUIT\r\n"]),
    "starttls_injection": ([STARTTLS, 0, 0, 0], [], ["EHLO c\r\n", "STARTTLS\r\nMAIL FROM:<evil@example.com>\r\n",
                           TLS_DONE, "EHLO c\r\n"]),
    "starttls_early": ([STARTTLS, 0, 0, 0], [], ["STARTTLS\r\n", "EHLO c\r\nSTARTTLS\r\n", "NOOP\r\n", TLS_DONE,
                       "STARTTLS\r\n"]),
    "auth_plain_refused": ([INSECURE_AUTH | AUTH, 0, 0, 0], [REFUSE_450, ACCEPT],
                           ["EHLO c\r\n", PLAIN, "AUTH PLAIN\r\n", b64(b"\0user\0pencil").decode() + "\r\n",
                            "AUTH PLAIN\r\n"]),
    "auth_login": ([INSECURE_AUTH | AUTH, 0, 0, 0], [ACCEPT],
                   ["EHLO c\r\n", "AUTH LOGIN\r\n", b64(b"user").decode() + "\r\n", b64(b"pencil").decode() + "\r\n",
                    "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@far.example>\r\n"]),
    "auth_login_initial": ([INSECURE_AUTH | AUTH, 0, 0, 0], [ACCEPT],
                           ["EHLO c\r\n", "AUTH LOGIN " + b64(b"user").decode() + "\r\n", "*\r\n",
                            "AUTH LOGIN =\r\n", "\r\n"]),
    "auth_cram_md5": ([INSECURE_AUTH | AUTH, 0, 0, 0], [ACCEPT],
                      ["EHLO c\r\n", "AUTH CRAM-MD5\r\n",
                       b64(b"user b913a602c7eda7a495b4e6e7334d3890").decode() + "\r\n"]),
    "auth_scram": ([INSECURE_AUTH | AUTH, 0, 0, 0], [ACCEPT],
                   ["EHLO c\r\n", "AUTH SCRAM-SHA-256 " + b64(b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO").decode() + "\r\n",
                    b64(b"c=biws,r=rOprNGfwEbeRWgbNEkqOxyz,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=").decode()
                    + "\r\n"]),
    "auth_without_tls": ([AUTH, 0, 0, 0], [], ["EHLO c\r\n", PLAIN, "AUTH LOGIN\r\n"]),
    "bdat": ([0, 0, 0, 0], [], ["EHLO c\r\nMAIL FROM:<a@example.com> BODY=BINARYMIME\r\nRCPT TO:<b@example.org>\r\n",
             "BDAT 5\r\nhel", "lo", "BDAT 7 LAST\r\n world\n", "QUIT\r\n"]),
    "bdat_pipelined": ([0, 0, 0, 0], [], ["EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\n"
                       "BDAT 3\r\nabcBDAT 0 LAST\r\nQUIT\r\n"]),
    "bdat_without_mail": ([0, 0, 0, 0], [], ["EHLO c\r\nBDAT 4\r\nMAILBDAT 2 LAST\r\nxyDATA\r\n"]),
    "bdat_then_data": ([0, 0, 0, 0], [], ["EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\n"
                       "BDAT 1\r\nxDATA\r\nRCPT TO:<c@example.org>\r\nRSET\r\n"]),
    "smuggling": ([0, 0, 0, 0], [], ["EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n",
                  "a\n.\nMAIL FROM:<evil@example.com>\r\nb\r.\r\nc\r\n.\r\n", "QUIT\r\n"]),
    "smuggling_normalised": ([NORMALISE, 0, 0, 0], [], ["EHLO c\r\nMAIL FROM:<a@example.com>\r\n"
                             "RCPT TO:<b@example.org>\r\nDATA\r\n", "..dot\na\r\n.\n.\r\n"]),
    "size_limit": ([0, 2, 0, 0], [], ["EHLO c\r\nMAIL FROM:<a@example.com> SIZE=100\r\n",
                   "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n", "x" * 40 + "\r\n.\r\n",
                   "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nBDAT 40 LAST\r\n", "y" * 40]),
    "recipient_limit": ([0, 0, 2, 0], [], ["EHLO c\r\nMAIL FROM:<a@example.com>\r\n", "RCPT TO:<1@example.org>\r\n"
                        "RCPT TO:<2@example.org>\r\nRCPT TO:<3@example.org>\r\nDATA\r\n", ".\r\n"]),
    "relay": ([RELAY, 0, 0, 0], [], ["EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@far.example>\r\n"
              "RCPT TO:<Postmaster>\r\nRCPT TO:<c@[192.0.2.1]>\r\nRCPT TO:<d@EXAMPLE.org>\r\n"]),
    "errors": ([0, 0, 0, 3], [], ["bogus\r\n", "MAIL FROM:<a@example.com>\r\n", "RCPT TO:<b@example.org>\r\n",
               "EHLO c\r\n", "x" * 255, "x" * 255, "\r\n"]),
    "lmtp": ([LMTP, 0, 0, 0], [ACCEPT, ACCEPT, REFUSE_450, ACCEPT],
             ["EHLO c\r\n", "LHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\n"
              "RCPT TO:<c@example.org>\r\nDATA\r\n", BODY]),
    "lenient": ([LENIENT, 0, 0, 0], [], ["EHLO c\nMAIL FROM: <a@example.com>\nRCPT TO:b@example.org \n"
                "DATA\n", "x\r\n.\r\n"]),
    "smtputf8": ([0, 0, 0, 0], [], ["EHLO c\r\nMAIL FROM:<j\u00f6rg@example.com> SMTPUTF8\r\n"
                 "RCPT TO:<\u00e4@example.org>\r\nVRFY x\r\nEXPN y\r\nHELP\r\nETRN z\r\n"]),
    "timeout_in_data": ([0, 0, 0, 0], [], ["EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\n"
                        "DATA\r\npartial", TIMEOUT, "more\r\n.\r\n"]),
    "shutdown_in_transaction": ([0, 0, 0, 0], [], ["EHLO c\r\nMAIL FROM:<a@example.com>\r\n", SHUTDOWN,
                                "RCPT TO:<b@example.org>\r\nDATA\r\n", BODY, "NOOP\r\n"]),
    "shutdown_deadline": ([0, 0, 0, 0], [], ["EHLO c\r\nMAIL FROM:<a@example.com>\r\n", SHUTDOWN, DEADLINE,
                          "NOOP\r\n", EOF]),
}

# ---- client_session: header flags (byte 0) ----
PIPELINING, CHUNKING, TOKEN, IMPLICIT = 1, 2, 4, 8
C_TLS_DONE, C_EOF, C_QUIT, C_AUTH_NOW = 1, 2, 3, 4

GREETING = "220 mx.example.net ESMTP\r\n"
EHLO_PLAIN = "250-mx.example.net\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250-8BITMIME\r\n250 STARTTLS\r\n"


def ehlo_tls(auth, extra=""):
    return ("250-mx.example.net greets you\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
            "250-ENHANCEDSTATUSCODES\r\n250-DSN\r\n" + extra + "250 AUTH " + auth + "\r\n")


def tls_prefix(auth, extra=""):
    return [GREETING, EHLO_PLAIN, "220 2.0.0 Ready to start TLS\r\n", C_TLS_DONE, ehlo_tls(auth, extra)]


SCRAM_FIRST = b64(b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF%3rfcNHYJY1ZVvWVs7j,"
                  b"s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096").decode()

client = {
    "pipelined_data": ([PIPELINING, 0, 0, 0], [], tls_prefix("PLAIN LOGIN") + [
        "235 2.7.0 Authentication successful\r\n", "250 2.1.0 OK\r\n250 2.1.5 OK\r\n354 Go ahead\r\n",
        "250 2.0.0 Ok: queued as 1234\r\n", "221 2.0.0 Bye\r\n", C_EOF]),
    "unpipelined": ([0, 0, 1, 1], [], tls_prefix("LOGIN") + [
        "334 VXNlcm5hbWU6\r\n", "334 UGFzc3dvcmQ6\r\n", "235 ok\r\n", "250 ok\r\n", "250 ok\r\n", "550 no\r\n",
        "354 go\r\n", "250 queued\r\n", "221 bye\r\n"]),
    "split_replies": ([PIPELINING, 0, 2, 2], [], [GREETING[:7], GREETING[7:], EHLO_PLAIN[:30], EHLO_PLAIN[30:],
                      "220 Ready\r", "\n", C_TLS_DONE, ehlo_tls("PLAIN")[:50], ehlo_tls("PLAIN")[50:],
                      "235 ok\r\n2", "50 ok\r\n250-ok\r\n250 ok\r\n550 no\r\n451 later\r\n354 go\r\n",
                      "250 2.0.0", " queued\r\n", "221 bye\r\n"]),
    "bdat": ([PIPELINING | CHUNKING, 15, 7, 0], [], tls_prefix("PLAIN", "250-CHUNKING\r\n250-BINARYMIME\r\n") + [
        "235 ok\r\n", "250 ok\r\n250 ok\r\n", "250 chunk\r\n" * 4, "250 chunk\r\n" * 4, "250 chunk\r\n" * 4,
        "250 chunk\r\n" * 2, "250 2.0.0 message\r\n", "221 bye\r\n"]),
    "bdat_binary": ([CHUNKING, 255, 4, 0], [], tls_prefix("PLAIN", "250-CHUNKING\r\n250-BINARYMIME\r\n") + [
        "235 ok\r\n", "250 ok\r\n", "250 ok\r\n", "250 2.0.0 message\r\n", "221 bye\r\n"]),
    "bdat_refused": ([PIPELINING | CHUNKING, 3, 1, 1], [], tls_prefix("PLAIN", "250-CHUNKING\r\n") + [
        "235 ok\r\n", "250 ok\r\n550 no\r\n550 no\r\n", "554 no valid recipients\r\n" * 4, "250 reset\r\n",
        "221 bye\r\n"]),
    "auth_cram_md5": ([PIPELINING, 0, 0, 0], [], tls_prefix("CRAM-MD5") + [
        "334 " + b64(b"<1896.697170952@postoffice.example.net>").decode() + "\r\n", "235 ok\r\n",
        "250 ok\r\n250 ok\r\n354 go\r\n", "250 ok\r\n"]),
    "auth_scram": ([PIPELINING, 0, 0, 0], [], tls_prefix("SCRAM-SHA-256") + [
        "334 " + SCRAM_FIRST + "\r\n", "334 " + b64(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=").decode()
        + "\r\n", "235 ok\r\n"]),
    "auth_token": ([TOKEN, 0, 0, 0], [], tls_prefix("XOAUTH2 OAUTHBEARER") + [
        "334 " + b64(b'{"status":"401","schemes":"bearer"}').decode() + "\r\n", "535 5.7.8 bad token\r\n",
        "221 bye\r\n"]),
    "auth_refused": ([0, 0, 0, 0], [], tls_prefix("PLAIN") + ["535 5.7.8 Authentication failed\r\n",
                     "221 bye\r\n"]),
    "implicit_tls": ([IMPLICIT | PIPELINING, 0, 3, 0], [], [GREETING, ehlo_tls("PLAIN"), "235 ok\r\n",
                     "250 ok\r\n250 ok\r\n354 go\r\n", "250 ok\r\n", "221 bye\r\n", C_EOF]),
    "no_starttls": ([0, 0, 0, 0], [], [GREETING, "250-mx\r\n250 AUTH PLAIN\r\n", C_AUTH_NOW, "221 bye\r\n"]),
    "starttls_refused": ([0, 0, 0, 0], [], [GREETING, EHLO_PLAIN, "454 4.7.0 TLS not available\r\n",
                         "221 bye\r\n"]),
    "starttls_injection": ([0, 0, 0, 0], [], [GREETING, EHLO_PLAIN, "220 Ready\r\n250 AUTH PLAIN\r\n", C_TLS_DONE]),
    "starttls_injection_later": ([0, 0, 0, 0], [], [GREETING, EHLO_PLAIN, "220 Ready\r\n",
                                 "250-mx\r\n250 AUTH PLAIN\r\n", C_TLS_DONE]),
    "auth_before_tls": ([0, 0, 0, 0], [], [GREETING, C_AUTH_NOW, EHLO_PLAIN, C_AUTH_NOW, C_QUIT,
                        "220 Ready\r\n", C_AUTH_NOW, C_TLS_DONE, C_AUTH_NOW]),
    "ehlo_refused_helo": ([0, 0, 0, 0], [], [GREETING, "502 5.5.2 what\r\n", "250 mx.example.net\r\n",
                          "221 bye\r\n"]),
    "data_refused": ([PIPELINING, 0, 0, 0], [], tls_prefix("PLAIN") + ["235 ok\r\n",
                     "250 ok\r\n250 ok\r\n354 go\r\n", "554 5.7.1 spam\r\n", "221 bye\r\n"]),
    "data_not_354": ([PIPELINING, 0, 0, 2], [], tls_prefix("PLAIN") + ["235 ok\r\n",
                     "250 ok\r\n550 no\r\n550 no\r\n550 no\r\n503 no valid recipients\r\n", "250 reset\r\n"]),
    "mail_refused_354": ([PIPELINING, 0, 0, 0], [], tls_prefix("PLAIN") + ["235 ok\r\n",
                         "550 no\r\n250 ok\r\n354 go\r\n", "250 ok\r\n", "250 reset\r\n"]),
    "closing_421": ([PIPELINING, 0, 0, 0], [], tls_prefix("PLAIN") + ["235 ok\r\n",
                    "421 4.3.2 shutting down\r\n"]),
    "unsolicited": ([0, 0, 0, 0], [], [GREETING, EHLO_PLAIN, "220 Ready\r\n", C_TLS_DONE, ehlo_tls("PLAIN"),
                    "235 ok\r\n250 extra\r\n"]),
    "multiline_final": ([PIPELINING, 0, 5, 0], [], tls_prefix("PLAIN") + ["235 ok\r\n",
                        "250 ok\r\n250 ok\r\n354 go\r\n", "250-2.0.0 queued\r\n250 2.0.0 as 42\r\n", "221 bye\r\n"]),
    "eof_midway": ([PIPELINING, 0, 0, 0], [], tls_prefix("PLAIN") + ["235 ok\r\n", "250 ok\r\n", C_EOF]),
}

for name, (header, decisions, ops) in server.items():
    write("server_session", name, script(header, decisions, ops))
for name, (header, decisions, ops) in client.items():
    write("client_session", name, script(header, decisions, ops))
