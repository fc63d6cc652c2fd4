//! `sasl`: the server side of every mechanism, fed arbitrary client
//! responses.
//!
//! Decoders never panic; every error maps to a reply the server can send;
//! what a client response decodes to encodes back to the same response
//! (base64 transport, PLAIN, XOAUTH2, OAUTHBEARER). Multi-step mechanisms
//! (LOGIN, SCRAM-SHA-256) take their steps from the input split at NUL.

use smtp_proto::{
    ParseError, Reply,
    sasl::{
        ClientResponse, cram_md5::CramMd5Challenge, cram_md5::CramMd5Response,
        decode_client_response, decode_initial_response, encode_client_response,
        encode_initial_response, login::LoginServer, login::LoginStep, oauth::OAuthError,
        oauthbearer::OAuthBearerCredentials, plain::PlainCredentials, scram::ScramCredentials,
        scram::ScramServer, xoauth2::XOAuth2Credentials,
    },
};

/// Runs every invariant on one input.
pub fn check_sasl(data: &[u8]) {
    check_transport(data);
    check_plain(data);
    check_login(data);
    check_xoauth2(data);
    check_oauthbearer(data);
    check_cram_md5(data);
    check_scram(data);
    check_oauth_error(data);
}

/// A server answers every SASL decoding error.
fn answerable(result: Result<(), ParseError>) {
    if let Err(error) = result {
        assert!(
            Reply::from_parse_error(&error).is_some(),
            "no reply for SASL error {error:?}"
        );
    }
}

fn check_transport(data: &[u8]) {
    match decode_client_response(data) {
        Ok(ClientResponse::Data(bytes)) => {
            let mut line = Vec::new();
            encode_client_response(bytes.expose(), &mut line);
            let again = decode_client_response(&line).expect("encoded response decodes");
            assert_eq!(again, ClientResponse::Data(bytes));
        }
        Ok(ClientResponse::Cancelled) => assert!(data == b"*" || data == b"*\r\n"),
        Err(error) => answerable(Err(error)),
    }
    match decode_initial_response(data) {
        Ok(bytes) => {
            let mut arg = Vec::new();
            encode_initial_response(bytes.expose(), &mut arg);
            let again = decode_initial_response(&arg).expect("encoded initial response decodes");
            assert_eq!(again.expose(), bytes.expose());
        }
        Err(error) => answerable(Err(error)),
    }
}

fn check_plain(data: &[u8]) {
    answerable(PlainCredentials::parse(data).map(|credentials| {
        let rebuilt = PlainCredentials::new(
            credentials.authzid(),
            credentials.authcid(),
            credentials.password(),
        )
        .expect("parsed PLAIN credentials pass the constructor");
        let message = rebuilt.to_message();
        let again = PlainCredentials::parse(message.expose()).expect("encoded PLAIN parses");
        assert_eq!(again.authzid(), credentials.authzid());
        assert_eq!(again.authcid(), credentials.authcid());
        assert_eq!(again.password(), credentials.password());
    }));
}

fn check_login(data: &[u8]) {
    let mut steps = data.splitn(2, |&b| b == 0);
    let (username, password) = (steps.next().unwrap_or_default(), steps.next());
    let mut server = LoginServer::new();
    let first = server.start(None);
    assert!(matches!(first, Ok(LoginStep::Challenge(_))), "{first:?}");
    let mut result = server.handle_response(username);
    if let (Ok(LoginStep::Challenge(_)), Some(password)) = (&result, password) {
        result = server.handle_response(password);
        if let Ok(LoginStep::Done(credentials)) = &result {
            assert_eq!(credentials.username().as_bytes(), username);
            assert_eq!(credentials.password().as_bytes(), password);
            assert!(
                server.handle_response(b"again").is_err(),
                "LOGIN went on after Done"
            );
        }
    }
    answerable(result.map(drop));
    // The user name as initial response takes the same path.
    let mut server = LoginServer::new();
    answerable(server.start(Some(username)).map(drop));
}

fn check_xoauth2(data: &[u8]) {
    answerable(XOAuth2Credentials::parse(data).map(|credentials| {
        let message = XOAuth2Credentials::new(credentials.user(), credentials.token())
            .expect("parsed XOAUTH2 credentials pass the constructor")
            .to_message();
        let again = XOAuth2Credentials::parse(message.expose()).expect("encoded XOAUTH2 parses");
        assert_eq!(again.user(), credentials.user());
        assert_eq!(again.token(), credentials.token());
    }));
}

fn check_oauthbearer(data: &[u8]) {
    let _ = smtp_proto::sasl::oauthbearer::is_error_acknowledgement(data);
    answerable(OAuthBearerCredentials::parse(data).map(|credentials| {
        let message = OAuthBearerCredentials::new(
            credentials.authzid(),
            credentials.host(),
            credentials.port(),
            credentials.token(),
        )
        .expect("parsed OAUTHBEARER credentials pass the constructor")
        .to_message();
        let again =
            OAuthBearerCredentials::parse(message.expose()).expect("encoded OAUTHBEARER parses");
        assert_eq!(again.authzid(), credentials.authzid());
        assert_eq!(again.host(), credentials.host());
        assert_eq!(again.port(), credentials.port());
        assert_eq!(again.token(), credentials.token());
    }));
}

fn check_cram_md5(data: &[u8]) {
    answerable(CramMd5Response::parse(data).map(|response| {
        assert!(!response.username().is_empty() || data.first() == Some(&b' '));
        let challenge = CramMd5Challenge::new("<1896.697170952@postoffice.example.net>")
            .expect("RFC 2195 example challenge");
        let _ = response.verify(&challenge, b"tanstaaftanstaaf");
    }));
}

fn check_scram(data: &[u8]) {
    let mut steps = data.splitn(2, |&b| b == 0);
    let (first, last) = (steps.next().unwrap_or_default(), steps.next());
    let result = ScramServer::handle_client_first(first).and_then(|needs| {
        let _ = (needs.username(), needs.authzid());
        // Fixed stored keys: no PBKDF2 per input, and the proof is checked
        // all the same (it is simply wrong, unless the fuzzer finds SHA-256 preimages).
        let credentials = ScramCredentials::new(vec![7; 16], 4096, [1; 32], [2; 32])
            .expect("valid stored credentials");
        let awaiting = needs.server_first(credentials, "fuzzfuzzfuzzfuzzfuzzfuzz")?;
        match last {
            Some(last) => awaiting.handle_client_final(last).map(drop),
            None => Ok(()),
        }
    });
    answerable(result);
}

/// The client side of OAUTHBEARER/XOAUTH2 errors: a server's JSON error
/// challenge. What parses must re-serialise to JSON that parses the same.
fn check_oauth_error(data: &[u8]) {
    if let Ok(error) = OAuthError::parse(data) {
        let json = error.to_json();
        // Escaping control characters can take the JSON past the 4096
        // octets the parser reads; such an error is no one's real challenge.
        if json.len() > 4096 {
            return;
        }
        let again = OAuthError::parse(&json).unwrap_or_else(|e| {
            panic!(
                "{error:?} serialises to unparsable {:?}: {e:?}",
                String::from_utf8_lossy(&json)
            )
        });
        assert_eq!(again, error, "{:?}", String::from_utf8_lossy(&json));
    }
}
