//! The on-disk snapshot format.
//!
//! ```text
//! offset  size  content
//! 0       8     magic  b"BLSTGRPH"
//! 8       4     format version, u32 little endian (FORMAT_VERSION)
//! 12      ..    zstd frame (with content checksum) of the postcard encoding of Snapshot
//! ```
//!
//! The version is bumped whenever the model changes shape: postcard is not
//! self-describing, so an old reader would otherwise misread a new file. A file of
//! another version is refused with a message that names both versions. The zstd content
//! checksum catches corruption before postcard sees the bytes.
//!
//! This module only turns snapshots into bytes and back; writing files (atomically) is
//! the caller's job.

use super::Snapshot;
use std::io::Write;

/// The first eight bytes of every snapshot file.
pub const MAGIC: &[u8; 8] = b"BLSTGRPH";

/// The version of the snapshot model this build reads and writes.
pub const FORMAT_VERSION: u32 = 2;

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
    #[error("snapshot format version {found} is not supported by this blastgraph, which reads version {FORMAT_VERSION}; re-collect or re-import with this version")]
    UnsupportedVersion {
        /// The version in the file.
        found: u32,
    },
    /// Decompression or decoding failed.
    #[error("snapshot is corrupt: {0}")]
    Corrupt(String),
}

/// Encodes a snapshot into the binary format.
pub fn encode(snapshot: &Snapshot) -> Vec<u8> {
    let body = postcard::to_stdvec(snapshot).expect("the snapshot model is postcard-encodable");
    let mut out = Vec::with_capacity(HEADER_LEN + body.len() / 4);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    let mut encoder =
        zstd::stream::Encoder::new(out, ZSTD_LEVEL).expect("zstd accepts level 3 and a Vec sink");
    encoder
        .include_checksum(true)
        .expect("zstd accepts the checksum flag");
    // Recording the body size in the frame header lets `decode` allocate once and
    // decompress in one shot (the bytes stay readable by any zstd decoder).
    encoder
        .set_pledged_src_size(Some(body.len() as u64))
        .expect("zstd accepts a pledged size before writing");
    encoder
        .write_all(&body)
        .expect("writing into a Vec cannot fail");
    encoder.finish().expect("finishing into a Vec cannot fail")
}

/// Decodes a snapshot from the binary format, refusing other versions and corrupt data.
pub fn decode(bytes: &[u8]) -> Result<Snapshot, FormatError> {
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
    let version = u32::from_le_bytes(
        bytes[MAGIC.len()..HEADER_LEN]
            .try_into()
            .expect("slice of four bytes"),
    );
    if version != FORMAT_VERSION {
        return Err(FormatError::UnsupportedVersion { found: version });
    }
    let body = decompress(&bytes[HEADER_LEN..])
        .map_err(|e| FormatError::Corrupt(format!("decompression failed: {e}")))?;
    let (snapshot, rest): (Snapshot, &[u8]) = postcard::take_from_bytes(&body)
        .map_err(|e| FormatError::Corrupt(format!("decoding failed: {e}")))?;
    if !rest.is_empty() {
        return Err(FormatError::Corrupt(format!(
            "{} unexpected bytes after the snapshot",
            rest.len()
        )));
    }
    Ok(snapshot)
}

/// A frame claiming more than this many times its own size is not trusted to size the
/// output buffer up front (policy JSON compresses about 10x).
const MAX_TRUSTED_RATIO: usize = 256;

/// Decompresses the zstd frame: in one shot into a buffer of the exact size when the
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{Account, Role};

    fn small_snapshot() -> Snapshot {
        let mut snapshot = Snapshot::default();
        let trust = snapshot
            .documents
            .intern_text(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#)
            .unwrap();
        let mut account = Account {
            id: "111111111111".into(),
            ..Account::default()
        };
        account.iam.roles.push(Role {
            arn: "arn:aws:iam::111111111111:role/app".into(),
            name: "app".into(),
            path: "/".into(),
            trust_policy: trust,
            ..Role::default()
        });
        snapshot.accounts.push(account);
        snapshot
    }

    #[test]
    fn round_trips() {
        let snapshot = small_snapshot();
        assert_eq!(decode(&encode(&snapshot)).unwrap(), snapshot);
    }

    #[test]
    fn encoding_is_deterministic() {
        assert_eq!(encode(&small_snapshot()), encode(&small_snapshot()));
    }

    #[test]
    fn refuses_other_versions() {
        let mut bytes = encode(&small_snapshot());
        bytes[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
        let error = decode(&bytes).unwrap_err();
        assert!(
            matches!(error, FormatError::UnsupportedVersion { found } if found == FORMAT_VERSION + 1)
        );
        assert!(error
            .to_string()
            .contains(&format!("reads version {FORMAT_VERSION}")));
    }

    #[test]
    fn refuses_corrupt_bytes() {
        let mut bytes = encode(&small_snapshot());
        let last = bytes.len() - 6;
        bytes[last] ^= 0xff;
        assert!(matches!(decode(&bytes), Err(FormatError::Corrupt(_))));
        assert!(matches!(
            decode(&bytes[..bytes.len() / 2]),
            Err(FormatError::Corrupt(_))
        ));
    }

    #[test]
    fn reads_frames_without_a_recorded_size() {
        // Files written before the size was recorded in the frame header.
        let snapshot = small_snapshot();
        let body = postcard::to_stdvec(&snapshot).unwrap();
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend(zstd::stream::encode_all(&body[..], 3).unwrap());
        assert_eq!(decode(&bytes).unwrap(), snapshot);
    }

    #[test]
    fn refuses_non_snapshots_with_a_hint_for_json() {
        let error = decode(b"{\"accounts\": []}").unwrap_err();
        assert!(error.to_string().contains("looks like JSON"));
        assert!(matches!(decode(b""), Err(FormatError::NotASnapshot { .. })));
    }
}
