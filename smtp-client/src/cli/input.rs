//! Where `smtp-send` gets its messages and their envelopes.

use std::io::Read;
use std::path::{Path, PathBuf};

use smtp_client::headers::{HeaderError, recipients_from_headers, remove_bcc, sender_from_headers};

/// The largest message `smtp-send` reads (the biggest SIZE limits in the wild
/// are around 150 MB); anything longer is a configuration mistake.
pub(crate) const MAX_MESSAGE_BYTES: u64 = 256 * 1024 * 1024;

/// A message ready to send: its name, envelope and bytes (without `Bcc:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Prepared {
    pub(crate) id: String,
    pub(crate) from: String,
    pub(crate) recipients: Vec<String>,
    pub(crate) message: Vec<u8>,
}

/// Builds the envelope from the flags, filling what they lack from the
/// message headers, and removes any `Bcc:` field from the bytes to send
/// (blind recipients must never be shown to the others).
pub(crate) fn prepare(
    id: String,
    message: Vec<u8>,
    from: Option<&str>,
    to: &[String],
) -> Result<Prepared, HeaderError> {
    let from = match from {
        Some(from) => from.to_owned(),
        None => sender_from_headers(&message)?,
    };
    let recipients = if to.is_empty() {
        recipients_from_headers(&message)?
    } else {
        to.to_vec()
    };
    let message = match remove_bcc(&message) {
        std::borrow::Cow::Borrowed(_) => message,
        std::borrow::Cow::Owned(stripped) => stripped,
    };
    Ok(Prepared {
        id,
        from,
        recipients,
        message,
    })
}

/// Reads a file, refusing ones beyond [`MAX_MESSAGE_BYTES`].
pub(crate) fn read_message(path: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    read_limited(file).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads standard input up to [`MAX_MESSAGE_BYTES`].
pub(crate) fn read_stdin() -> Result<Vec<u8>, String> {
    read_limited(std::io::stdin().lock()).map_err(|e| format!("standard input: {e}"))
}

fn read_limited(reader: impl Read) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_MESSAGE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_MESSAGE_BYTES {
        return Err(format!("longer than {MAX_MESSAGE_BYTES} bytes"));
    }
    Ok(bytes)
}

/// The regular files of `dir` (hidden ones skipped), sorted by name so runs are repeatable.
pub(crate) fn list_messages(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        let is_file = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_file());
        if is_file && !hidden {
            files.push(entry.path());
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(format!("{}: no message files", dir.display()));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &[u8] =
        b"From: Me <me@example.com>\r\nTo: a@example.com\r\nBcc: hidden@example.com\r\n\r\nhi\r\n";

    #[test]
    fn flags_win_and_headers_fill_the_gaps() {
        let both = prepare(
            "m".into(),
            MESSAGE.to_vec(),
            Some("f@x.org"),
            &["t@x.org".into()],
        )
        .unwrap();
        assert_eq!(
            (both.from.as_str(), both.recipients.as_slice()),
            ("f@x.org", &["t@x.org".to_string()][..])
        );
        let none = prepare("m".into(), MESSAGE.to_vec(), None, &[]).unwrap();
        assert_eq!(none.from, "me@example.com");
        assert_eq!(none.recipients, ["a@example.com", "hidden@example.com"]);
        let only_from = prepare("m".into(), MESSAGE.to_vec(), Some("f@x.org"), &[]).unwrap();
        assert_eq!(
            only_from.recipients,
            ["a@example.com", "hidden@example.com"]
        );
        let only_to = prepare("m".into(), MESSAGE.to_vec(), None, &["t@x.org".into()]).unwrap();
        assert_eq!(only_to.from, "me@example.com");
        for prepared in [both, none, only_from, only_to] {
            assert_eq!(
                prepared.message,
                b"From: Me <me@example.com>\r\nTo: a@example.com\r\n\r\nhi\r\n"
            );
        }
    }

    #[test]
    fn missing_envelope_parts_are_errors() {
        let bare = b"Subject: x\r\n\r\nbody".to_vec();
        assert_eq!(
            prepare("m".into(), bare.clone(), None, &[]),
            Err(HeaderError::NoSender)
        );
        assert_eq!(
            prepare("m".into(), bare, Some("f@x.org"), &[]),
            Err(HeaderError::NoRecipients)
        );
    }

    #[test]
    fn directories_list_regular_visible_files_in_order() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.eml", "a.eml", ".hidden", "c"] {
            std::fs::write(dir.path().join(name), MESSAGE).unwrap();
        }
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let names: Vec<String> = list_messages(dir.path())
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.eml", "b.eml", "c"]);
        let empty = tempfile::tempdir().unwrap();
        assert!(list_messages(empty.path()).is_err());
        assert!(list_messages(&empty.path().join("missing")).is_err());
    }
}
