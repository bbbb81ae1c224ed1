//! Gzip-compressed files (`page.html.gz`, `feed.jsonl.gz`, `crawl.warc.gz`),
//! recognised by their magic bytes and inflated with a hard cap so that a
//! gzip bomb (a few hundred kilobytes that inflate to gigabytes) is refused
//! instead of filling memory.

use std::io::{self, Read};

use flate2::read::MultiGzDecoder;

/// Most bytes a compressed file may inflate to when it is read whole
/// (256 MiB): far beyond any real page or feed, and still a size every
/// machine can hold. Archives stream instead and have only the ratio cap.
pub const MAX_INFLATED_BYTES: u64 = 256 << 20;
/// Highest inflation ratio allowed above [`RATIO_FLOOR`]. Prose and markup
/// compress 3–20×; a stream that inflates 100× is mostly repetition, which
/// is what bombs are made of.
pub const MAX_INFLATE_RATIO: u64 = 100;
/// Output size below which any ratio is allowed: small files of repeated
/// markup compress far better than prose and are harmless at this size.
pub const RATIO_FLOOR: u64 = 16 << 20;

/// Why a gzip stream was not inflated.
#[derive(Debug, thiserror::Error)]
pub enum InflateError {
    /// The stream inflates past the cap.
    #[error("decompresses to more than {limit} bytes (a gzip bomb?)")]
    TooLarge {
        /// The cap that was hit, in bytes.
        limit: u64,
    },
    /// The stream is not valid gzip.
    #[error("broken gzip data: {0}")]
    Corrupt(io::Error),
}

/// True when `bytes` start with the gzip magic number.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// The output cap for `compressed` bytes of input: the ratio cap (but never
/// below [`RATIO_FLOOR`]), and never above `absolute`.
pub fn inflate_limit(compressed: usize, absolute: u64) -> u64 {
    (compressed as u64)
        .saturating_mul(MAX_INFLATE_RATIO)
        .max(RATIO_FLOOR)
        .min(absolute)
}

/// Inflates a whole gzip file (all its members, as `cat a.gz b.gz` makes),
/// refusing to produce more than [`inflate_limit`] bytes.
pub fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, InflateError> {
    let limit = inflate_limit(bytes.len(), MAX_INFLATED_BYTES);
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4).min(64 << 20));
    Capped::new(MultiGzDecoder::new(bytes), limit)
        .read_to_end(&mut out)
        .map_err(classify)?;
    Ok(out)
}

/// Tells a hit cap from broken data in an error from a [`Capped`] reader.
pub fn classify(error: io::Error) -> InflateError {
    match error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<LimitHit>())
    {
        Some(hit) => InflateError::TooLarge { limit: hit.0 },
        None => InflateError::Corrupt(error),
    }
}

/// The error a [`Capped`] reader fails with; carries the cap.
#[derive(Debug, thiserror::Error)]
#[error("output limit of {0} bytes reached")]
pub struct LimitHit(pub u64);

/// A reader that fails with [`LimitHit`] once more than `limit` bytes have
/// come out of it, so streaming readers (WARC) get the same protection.
pub struct Capped<R> {
    inner: R,
    read: u64,
    limit: u64,
}

impl<R> Capped<R> {
    /// Wraps `inner`, allowing at most `limit` bytes out.
    pub fn new(inner: R, limit: u64) -> Self {
        Capped {
            inner,
            read: 0,
            limit,
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(io::Error::other(LimitHit(self.limit)));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::write::GzEncoder;
    use flate2::Compression;

    use super::*;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn round_trip_and_multiple_members() {
        let mut both = gz(b"hello ");
        both.extend(gz(b"world"));
        assert!(is_gzip(&both));
        assert_eq!(gunzip(&both).unwrap(), b"hello world");
    }

    #[test]
    fn broken_data_is_not_a_bomb() {
        let mut data = gz(b"some text that is long enough to matter");
        data.truncate(15);
        assert!(matches!(gunzip(&data), Err(InflateError::Corrupt(_))));
    }

    #[test]
    fn ratio_cap_stops_repetition() {
        // 40 MiB of one byte compresses to ~40 KiB: past the floor, 1000×.
        let mut enc = GzEncoder::new(Vec::new(), Compression::best());
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..40 {
            enc.write_all(&chunk).unwrap();
        }
        let bomb = enc.finish().unwrap();
        let err = gunzip(&bomb).unwrap_err();
        assert!(
            matches!(err, InflateError::TooLarge { limit } if limit < 40 << 20),
            "{err}"
        );
    }
}
