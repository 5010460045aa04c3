//! Version 3: the snapshot in independent sections (a head, the document table in
//! slices, one section per account), each its own zstd frame, so that encoding and
//! decoding run on every core. The layout is described in the parent module.

use super::{compress_into, decompress, from_postcard, FormatError};
use crate::snapshot::{Account, Documents, Meta, Organization, PolicyText, Snapshot};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Documents per document section: about 2 MB of policy JSON in the `large` profile,
/// enough sections to keep every core busy, few enough that the frames' overhead and
/// lost compression context stay negligible.
pub(super) const DOCUMENTS_PER_SECTION: usize = 4096;

/// The first section, as written: everything of the snapshot but the documents and the
/// accounts, and how many of those follow.
#[derive(Serialize)]
struct HeadRef<'a> {
    meta: &'a Meta,
    organization: &'a Option<Organization>,
    documents: u64,
    document_sections: u64,
    accounts: u64,
}

/// The first section, as read (the same fields in the same order as [`HeadRef`]).
#[derive(Deserialize)]
struct Head {
    meta: Meta,
    organization: Option<Organization>,
    documents: u64,
    document_sections: u64,
    accounts: u64,
}

/// What one section holds, borrowed from the snapshot being written.
enum Section<'a> {
    Head(HeadRef<'a>),
    Documents(&'a [PolicyText]),
    Account(&'a Account),
}

impl Section<'_> {
    fn postcard(&self) -> Vec<u8> {
        let encoded = match self {
            Section::Head(head) => postcard::to_stdvec(head),
            Section::Documents(texts) => postcard::to_stdvec(texts),
            Section::Account(account) => postcard::to_stdvec(account),
        };
        encoded.expect("the snapshot model is postcard-encodable")
    }
}

/// Appends the section table and the sections of `snapshot` to `out` (which holds the
/// header).
pub(super) fn encode(snapshot: &Snapshot, mut out: Vec<u8>) -> Vec<u8> {
    let texts = snapshot.documents.texts();
    let document_sections = texts.chunks(DOCUMENTS_PER_SECTION);
    let head = HeadRef {
        meta: &snapshot.meta,
        organization: &snapshot.organization,
        documents: texts.len() as u64,
        document_sections: document_sections.len() as u64,
        accounts: snapshot.accounts.len() as u64,
    };
    let sections: Vec<Section<'_>> = std::iter::once(Section::Head(head))
        .chain(document_sections.map(Section::Documents))
        .chain(snapshot.accounts.iter().map(Section::Account))
        .collect();
    let frames: Vec<Vec<u8>> = sections
        .par_iter()
        .map(|section| compress_into(Vec::new(), &section.postcard()))
        .collect();
    let count = u32::try_from(frames.len()).expect("fewer than 2^32 sections");
    let total: usize = frames.iter().map(Vec::len).sum();
    out.reserve(4 + 8 * frames.len() + total);
    out.extend_from_slice(&count.to_le_bytes());
    for frame in &frames {
        out.extend_from_slice(&(frame.len() as u64).to_le_bytes());
    }
    for frame in &frames {
        out.extend_from_slice(frame);
    }
    out
}

/// Decodes the sections that follow the header.
pub(super) fn decode(bytes: &[u8]) -> Result<Snapshot, FormatError> {
    let frames = split(bytes)?;
    let (head_frame, rest) = frames
        .split_first()
        .ok_or_else(|| corrupt("the section table is empty (no head section)".into()))?;
    let head: Head = section(head_frame, || "the head section".into())?;
    let announced = 1u64
        .saturating_add(head.document_sections)
        .saturating_add(head.accounts);
    if announced != frames.len() as u64 {
        return Err(corrupt(format!(
            "the head announces {} document sections and {} accounts ({announced} sections), the table lists {}",
            head.document_sections,
            head.accounts,
            frames.len()
        )));
    }
    let (document_frames, account_frames) = rest.split_at(head.document_sections as usize);
    let (slices, accounts) = rayon::join(
        || {
            decode_all::<Vec<PolicyText>>(document_frames, |i| {
                format!("document section {} of {}", i + 1, document_frames.len())
            })
        },
        || {
            decode_all::<Account>(account_frames, |i| {
                format!(
                    "the section of account {} of {}",
                    i + 1,
                    account_frames.len()
                )
            })
        },
    );
    // Sections in file order: a damaged document section is reported before an account.
    let (slices, accounts) = (slices?, accounts?);
    let mut texts = Vec::with_capacity(slices.iter().map(Vec::len).sum());
    for slice in slices {
        texts.extend(slice);
    }
    if texts.len() as u64 != head.documents {
        return Err(corrupt(format!(
            "the head announces {} documents, the document sections hold {}",
            head.documents,
            texts.len()
        )));
    }
    Ok(Snapshot {
        meta: head.meta,
        organization: head.organization,
        accounts,
        documents: Documents::from_texts(texts),
    })
}

/// Decodes every frame into a `T`, in parallel; the first failure in order wins, so
/// the message does not depend on the threads.
fn decode_all<T>(
    frames: &[&[u8]],
    what: impl Fn(usize) -> String + Sync,
) -> Result<Vec<T>, FormatError>
where
    T: serde::de::DeserializeOwned + Send,
{
    let decoded: Vec<Result<T, FormatError>> = frames
        .par_iter()
        .enumerate()
        .map(|(i, frame)| section(frame, || what(i)))
        .collect();
    decoded.into_iter().collect()
}

/// Decompresses and decodes one section; `what` names it in errors.
fn section<T: serde::de::DeserializeOwned>(
    frame: &[u8],
    what: impl Fn() -> String,
) -> Result<T, FormatError> {
    let body =
        decompress(frame).map_err(|e| corrupt(format!("{}: decompression failed: {e}", what())))?;
    from_postcard(&body).map_err(|problem| corrupt(format!("{}: {problem}", what())))
}

/// Cuts the bytes after the header into the sections the table lists, checking that
/// the table and the sections fill the bytes exactly.
fn split(bytes: &[u8]) -> Result<Vec<&[u8]>, FormatError> {
    let cut_short = || corrupt("the section table is cut short (truncated file?)".into());
    let count = u32::from_le_bytes(
        bytes
            .get(..4)
            .ok_or_else(cut_short)?
            .try_into()
            .expect("slice of four bytes"),
    ) as usize;
    let table = bytes
        .get(4..)
        .and_then(|rest| rest.get(..count.checked_mul(8)?))
        .ok_or_else(cut_short)?;
    let mut frames = Vec::with_capacity(count);
    let mut offset = 4 + table.len();
    for (i, entry) in table.chunks_exact(8).enumerate() {
        let length = u64::from_le_bytes(entry.try_into().expect("slice of eight bytes"));
        let end = usize::try_from(length)
            .ok()
            .and_then(|length| offset.checked_add(length))
            .filter(|&end| end <= bytes.len())
            .ok_or_else(|| {
                corrupt(format!(
                    "section {} of {count} ends after the end of the file (truncated file?)",
                    i + 1
                ))
            })?;
        frames.push(&bytes[offset..end]);
        offset = end;
    }
    if offset != bytes.len() {
        return Err(corrupt(format!(
            "{} unexpected bytes after the last section",
            bytes.len() - offset
        )));
    }
    Ok(frames)
}

fn corrupt(problem: String) -> FormatError {
    FormatError::Corrupt(problem)
}
