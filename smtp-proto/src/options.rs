//! Runtime leniency switches for the command grammar (httparse style).
//!
//! The default is strict RFC 5321. Each switch accepts one quirk seen from
//! real clients; none of them touches DATA termination, which is never lenient.

/// How strictly commands are parsed. `ParseOptions::default()` is strict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ParseOptions {
    /// Accept UTF-8 in local parts, domains and arguments (RFC 6531 grammar).
    /// A server sets this when it advertises SMTPUTF8; without it non-ASCII is
    /// [`ParseError::NonAscii`](crate::ParseError::NonAscii).
    pub smtputf8: bool,
    /// Accept spaces between `FROM:`/`TO:` and the path: `MAIL FROM: <a@b>`.
    pub space_after_colon: bool,
    /// Accept a path without angle brackets: `MAIL FROM:a@b`.
    pub missing_brackets: bool,
    /// Accept trailing spaces/tabs at the end of a command line.
    pub trailing_whitespace: bool,
    /// Accept a command line ended by a bare LF instead of CRLF.
    pub lf_line_endings: bool,
}

impl ParseOptions {
    /// Strict RFC 5321 (the default).
    pub const fn strict() -> Self {
        ParseOptions {
            smtputf8: false,
            space_after_colon: false,
            missing_brackets: false,
            trailing_whitespace: false,
            lf_line_endings: false,
        }
    }

    /// Every known real-world quirk accepted, as Postfix does by default,
    /// with SMTPUTF8 grammar left as it was.
    pub const fn lenient() -> Self {
        ParseOptions {
            smtputf8: false,
            space_after_colon: true,
            missing_brackets: true,
            trailing_whitespace: true,
            lf_line_endings: true,
        }
    }

    /// Sets [`ParseOptions::smtputf8`].
    pub const fn with_smtputf8(mut self, on: bool) -> Self {
        self.smtputf8 = on;
        self
    }

    /// Sets [`ParseOptions::space_after_colon`].
    pub const fn with_space_after_colon(mut self, on: bool) -> Self {
        self.space_after_colon = on;
        self
    }

    /// Sets [`ParseOptions::missing_brackets`].
    pub const fn with_missing_brackets(mut self, on: bool) -> Self {
        self.missing_brackets = on;
        self
    }

    /// Sets [`ParseOptions::trailing_whitespace`].
    pub const fn with_trailing_whitespace(mut self, on: bool) -> Self {
        self.trailing_whitespace = on;
        self
    }

    /// Sets [`ParseOptions::lf_line_endings`].
    pub const fn with_lf_line_endings(mut self, on: bool) -> Self {
        self.lf_line_endings = on;
        self
    }
}
