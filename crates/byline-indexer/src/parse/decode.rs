//! Bytes to text: BOMs, UTF-8, UTF-16 and the Windows-1252/Latin-1 fallback.

use std::borrow::Cow;

/// How a file's bytes were turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// UTF-16 (little or big endian), announced by a byte-order mark.
    Utf16,
    /// Not valid UTF-8: read as Windows-1252, the superset of Latin-1 that
    /// old news systems and Windows editors wrote.
    Windows1252,
    /// Not valid UTF-8, and the page (or the server that sent it) named
    /// another charset: its WHATWG name, such as `ISO-8859-2` or `Shift_JIS`.
    Other(&'static str),
}

/// Why bytes are not text worth indexing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotText {
    /// NUL bytes or many control bytes near the start: an image, archive or executable.
    Binary,
}

/// Decodes a file's bytes, or says why they are not text.
///
/// Binary detection looks at the first 8 KiB only, as grep and ripgrep do:
/// text files do not contain NUL bytes, and the start of a file is enough
/// to tell.
pub fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, Encoding), NotText> {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        let kind = if encoding == encoding_rs::UTF_8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        return Ok((text, kind));
    }
    if looks_binary(bytes) {
        return Err(NotText::Binary);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((Cow::Borrowed(text), Encoding::Utf8)),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            Ok((text, Encoding::Windows1252))
        }
    }
}

fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return true;
    }
    // Control bytes other than tab, newline, form feed and carriage return are
    // rare in text; a tenth of them means this is not prose.
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    !head.is_empty() && controls * 10 > head.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(
            decode("café".as_bytes()).unwrap(),
            (Cow::Borrowed("café"), Encoding::Utf8)
        );
        let with_bom = [&[0xEF, 0xBB, 0xBF][..], "café".as_bytes()].concat();
        let (text, enc) = decode(&with_bom).unwrap();
        assert_eq!((text.as_ref(), enc), ("café", Encoding::Utf8));
    }

    #[test]
    fn windows_1252_fallback_decodes_quotes_and_accents() {
        // "café" with é as 0xE9 and curly quotes 0x93/0x94, as Windows editors write them.
        let bytes = b"\x93caf\xe9\x94";
        let (text, enc) = decode(bytes).unwrap();
        assert_eq!(enc, Encoding::Windows1252);
        assert_eq!(text, "\u{201c}café\u{201d}");
    }

    #[test]
    fn utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Syria".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let (text, enc) = decode(&bytes).unwrap();
        assert_eq!((text.as_ref(), enc), ("Syria", Encoding::Utf16));
    }

    #[test]
    fn binary_is_refused() {
        assert_eq!(
            decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Err(NotText::Binary)
        );
        assert!(decode(b"plain text\twith tabs\r\n").is_ok());
    }
}
