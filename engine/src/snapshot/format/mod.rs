//! The on-disk snapshot format.
//!
//! Every version starts with the same header:
//!
//! ```text
//! offset  size  content
//! 0       8     magic  b"BLSTGRPH"
//! 8       4     format version, u32 little endian
//! ```
//!
//! Version 3 (written since the load work of issue 7) stores the snapshot in independent
//! sections, so that they are compressed and decoded in parallel:
//!
//! ```text
//! 12      4     section count n, u32 little endian
//! 16      8 n   compressed length of each section, u64 little endian
//! 16+8n   ..    the sections, back to back, each a zstd frame (with content checksum
//!               and recorded content size) of postcard:
//!                 head: meta, organization, document count, document section count,
//!                       account count
//!                 the document table in sections of DOCUMENTS_PER_SECTION documents
//!                 one section per account, in order
//! ```
//!
//! Version 2 (still read, never written) is one zstd frame (with content checksum) of
//! the postcard encoding of the whole [`Snapshot`], from offset 12.
//!
//! The version is bumped whenever the model or the layout changes: postcard is not
//! self-describing, so an old reader would otherwise misread a new file. A file of
//! another version is refused with a message that names it and the versions this build
//! reads. The zstd content checksum catches corruption before postcard sees the bytes.
//!
//! Decoding the same bytes gives the same snapshot whatever the number of threads, and
//! encoding the same snapshot gives the same bytes (the sections are compressed in
//! parallel and laid out in order).
//!
//! This module only turns snapshots into bytes and back; writing files (atomically) is
//! the caller's job.

mod sections;
#[cfg(test)]
mod tests;

use super::Snapshot;
use std::io::Write;

/// The first eight bytes of every snapshot file.
pub const MAGIC: &[u8; 8] = b"BLSTGRPH";

/// The version of the snapshot format this build writes.
pub const FORMAT_VERSION: u32 = 3;

/// The oldest version this build still reads: version 2 has the same model as version 3
/// in one frame instead of sections.
pub const OLDEST_READABLE_VERSION: u32 = 2;

const HEADER_LEN: usize = MAGIC.len() + 4;

/// zstd level 3: most of the gain (policy JSON compresses about 10x) at a fraction of
/// the time of higher levels.
const ZSTD_LEVEL: i32 = 3;

/// Why bytes could not be read as a snapshot.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The magic bytes are missing.
    #[error("not a blastgraph snapshot (the file does not start with {magic:?}){hint}", magic = std::str::from_utf8(MAGIC).unwrap_or("?"))]
    NotASnapshot {
        /// A hint about what the file might be instead.
        hint: &'static str,
    },
    /// The file was written by another version of the model.
    #[error("snapshot format version {found} is not supported by this blastgraph, which reads versions {OLDEST_READABLE_VERSION} to {FORMAT_VERSION}; re-collect or re-import with this version")]
    UnsupportedVersion {
        /// The version in the file.
        found: u32,
    },
    /// Decompression or decoding failed.
    #[error("snapshot is corrupt: {0}")]
    Corrupt(String),
}

/// Encodes a snapshot into the binary format (the current version).
pub fn encode(snapshot: &Snapshot) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    sections::encode(snapshot, out)
}

/// Decodes a snapshot from the binary format (any readable version), refusing other
/// versions and corrupt data.
pub fn decode(bytes: &[u8]) -> Result<Snapshot, FormatError> {
    match version(bytes)? {
        3 => sections::decode(&bytes[HEADER_LEN..]),
        2 => decode_single_frame(&bytes[HEADER_LEN..]),
        found => Err(FormatError::UnsupportedVersion { found }),
    }
}

/// The format version of snapshot bytes, after checking the magic.
pub fn version(bytes: &[u8]) -> Result<u32, FormatError> {
    if bytes.len() < HEADER_LEN || &bytes[..MAGIC.len()] != MAGIC {
        let looks_like_json = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        return Err(FormatError::NotASnapshot {
            hint: if looks_like_json {
                "; it looks like JSON: use `blastgraph snapshot import-json` for the JSON form, or `blastgraph import gaad` for get-account-authorization-details output"
            } else {
                ""
            },
        });
    }
    Ok(u32::from_le_bytes(
        bytes[MAGIC.len()..HEADER_LEN]
            .try_into()
            .expect("slice of four bytes"),
    ))
}

/// Version 2: the whole snapshot in one frame.
fn decode_single_frame(frame: &[u8]) -> Result<Snapshot, FormatError> {
    let body = decompress(frame)
        .map_err(|e| FormatError::Corrupt(format!("decompression failed: {e}")))?;
    from_postcard(&body).map_err(FormatError::Corrupt)
}

/// Decodes one postcard value that must fill `body` exactly.
fn from_postcard<'de, T: serde::Deserialize<'de>>(body: &'de [u8]) -> Result<T, String> {
    let (value, rest) =
        postcard::take_from_bytes(body).map_err(|e| format!("decoding failed: {e}"))?;
    if !rest.is_empty() {
        return Err(format!("{} unexpected bytes after the data", rest.len()));
    }
    Ok(value)
}

/// Compresses `body` into one zstd frame appended to `out`, with a content checksum and
/// the body size recorded in the frame header (so [`decompress`] allocates once).
fn compress_into(out: Vec<u8>, body: &[u8]) -> Vec<u8> {
    let mut encoder =
        zstd::stream::Encoder::new(out, ZSTD_LEVEL).expect("zstd accepts level 3 and a Vec sink");
    encoder
        .include_checksum(true)
        .expect("zstd accepts the checksum flag");
    encoder
        .set_pledged_src_size(Some(body.len() as u64))
        .expect("zstd accepts a pledged size before writing");
    encoder
        .write_all(body)
        .expect("writing into a Vec cannot fail");
    encoder.finish().expect("finishing into a Vec cannot fail")
}

/// A frame claiming more than this many times its own size is not trusted to size the
/// output buffer up front (policy JSON compresses about 10x).
const MAX_TRUSTED_RATIO: usize = 256;

/// Decompresses a zstd frame: in one shot into a buffer of the exact size when the
/// frame header records it (no reallocation and copying of a buffer of hundreds of
/// megabytes), by streaming otherwise.
fn decompress(frame: &[u8]) -> std::io::Result<Vec<u8>> {
    let claimed = zstd::zstd_safe::get_frame_content_size(frame)
        .ok()
        .flatten();
    match claimed.and_then(|n| usize::try_from(n).ok()) {
        Some(size) if size <= frame.len().saturating_mul(MAX_TRUSTED_RATIO) => {
            let mut body = Vec::with_capacity(size);
            zstd::bulk::Decompressor::new()?.decompress_to_buffer(frame, &mut body)?;
            Ok(body)
        }
        _ => zstd::stream::decode_all(frame),
    }
}
