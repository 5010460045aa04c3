use super::sections::DOCUMENTS_PER_SECTION;
use super::*;
use crate::snapshot::{Account, Role};

/// A version-2 file written by the blastgraph of session 5 (`blastgraph gen --accounts 2
/// --roles-per-account 40 --seed 7`), before the sectioned format existed.
const VERSION_2_FILE: &[u8] = include_bytes!("../testdata/format-v2.snap");

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

/// Several accounts and more documents than one document section holds, so that every
/// kind of section appears more than once.
fn sectioned_snapshot() -> Snapshot {
    let mut snapshot =
        crate::synth::generate(&crate::synth::SynthConfig::custom(4, 40, 3).unwrap())
            .unwrap()
            .snapshot;
    for n in 0..2 * DOCUMENTS_PER_SECTION {
        snapshot
            .documents
            .intern_text(&format!(r#"{{"Statement":[],"n":{n}}}"#))
            .unwrap();
    }
    snapshot
}

/// The version-2 writer, kept here to show that the fixture is what it claims to be.
fn encode_version_2(snapshot: &Snapshot) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&2u32.to_le_bytes());
    compress_into(out, &postcard::to_stdvec(snapshot).unwrap())
}

fn one_thread() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
}

#[test]
fn round_trips() {
    for snapshot in [Snapshot::default(), small_snapshot(), sectioned_snapshot()] {
        let bytes = encode(&snapshot);
        assert_eq!(version(&bytes).unwrap(), FORMAT_VERSION);
        assert_eq!(decode(&bytes).unwrap(), snapshot);
    }
}

#[test]
fn encoding_is_deterministic_whatever_the_thread_count() {
    assert_eq!(encode(&small_snapshot()), encode(&small_snapshot()));
    let snapshot = sectioned_snapshot();
    let parallel = encode(&snapshot);
    let serial = one_thread().install(|| encode(&snapshot));
    assert_eq!(parallel, serial);
}

#[test]
fn parallel_decoding_equals_sequential_decoding() {
    let bytes = encode(&sectioned_snapshot());
    let serial = one_thread().install(|| decode(&bytes).unwrap());
    let parallel = decode(&bytes).unwrap();
    assert_eq!(parallel, serial);
    assert_eq!(parallel.documents.len(), serial.documents.len());
}

#[test]
fn the_document_table_is_split_into_sections_in_order() {
    let snapshot = sectioned_snapshot();
    let bytes = encode(&snapshot);
    let count = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let document_sections = snapshot.documents.len().div_ceil(DOCUMENTS_PER_SECTION);
    assert!(document_sections >= 3);
    assert_eq!(count, 1 + document_sections + snapshot.accounts.len());
    let decoded = decode(&bytes).unwrap();
    for (id, text) in snapshot.documents.iter() {
        assert_eq!(decoded.documents.get(id), text);
    }
}

#[test]
fn the_decoded_document_table_still_interns() {
    let snapshot = small_snapshot();
    let mut decoded = decode(&encode(&snapshot)).unwrap();
    let existing = snapshot.accounts[0].iam.roles[0].trust_policy;
    let text = decoded.document(existing).to_string();
    assert_eq!(decoded.documents.intern_text(&text).unwrap(), existing);
    let added = decoded.documents.intern_text(r#"{"new":true}"#).unwrap();
    assert_eq!(added.0 as usize, snapshot.documents.len());
}

#[test]
fn version_2_files_still_load_and_equal_their_version_3_encoding() {
    assert_eq!(version(VERSION_2_FILE).unwrap(), 2);
    let old = decode(VERSION_2_FILE).unwrap();
    assert!(old.validate().is_empty());
    assert_eq!(old.accounts.len(), 2);
    assert_eq!(
        old.accounts
            .iter()
            .map(|a| a.iam.roles.len())
            .sum::<usize>(),
        80
    );
    // Nothing was lost reading it: the version-2 writer gives the file back.
    assert_eq!(encode_version_2(&old), VERSION_2_FILE);
    let new = encode(&old);
    assert_eq!(version(&new).unwrap(), 3);
    assert_eq!(decode(&new).unwrap(), old);
}

#[test]
fn reads_version_2_frames_without_a_recorded_size() {
    // Version-2 files written before the size was recorded in the frame header.
    let snapshot = small_snapshot();
    let body = postcard::to_stdvec(&snapshot).unwrap();
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&2u32.to_le_bytes());
    bytes.extend(zstd::stream::encode_all(&body[..], 3).unwrap());
    assert_eq!(decode(&bytes).unwrap(), snapshot);
}

#[test]
fn refuses_other_versions() {
    for found in [1, FORMAT_VERSION + 1] {
        let mut bytes = encode(&small_snapshot());
        bytes[8..12].copy_from_slice(&found.to_le_bytes());
        let error = decode(&bytes).unwrap_err();
        assert!(matches!(error, FormatError::UnsupportedVersion { found: f } if f == found));
        assert!(error.to_string().contains(&format!(
            "version {found} is not supported by this blastgraph, which reads versions 2 to {FORMAT_VERSION}"
        )));
    }
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
    let mut old = VERSION_2_FILE.to_vec();
    let middle = old.len() / 2;
    old[middle] ^= 0x55;
    assert!(matches!(decode(&old), Err(FormatError::Corrupt(_))));
}

/// The sections of an encoding: (start, length) after the table.
fn section_spans(bytes: &[u8]) -> Vec<(usize, usize)> {
    let count = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let mut start = 16 + 8 * count;
    (0..count)
        .map(|i| {
            let at = 16 + 8 * i;
            let length = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
            start += length;
            (start - length, length)
        })
        .collect()
}

#[test]
fn a_corrupt_section_is_named() {
    let snapshot = sectioned_snapshot();
    let mut bytes = encode(&snapshot);
    let spans = section_spans(&bytes);
    let (start, length) = spans[spans.len() - 2];
    bytes[start + length / 2] ^= 0x55;
    let message = decode(&bytes).unwrap_err().to_string();
    let accounts = snapshot.accounts.len();
    assert!(
        message.starts_with(&format!(
            "snapshot is corrupt: the section of account {} of {accounts}: ",
            accounts - 1
        )),
        "{message}"
    );
}

#[test]
fn an_inconsistent_section_table_is_refused() {
    let bytes = encode(&sectioned_snapshot());
    let expect = |bytes: &[u8], words: &str| {
        let message = decode(bytes).unwrap_err().to_string();
        assert!(message.contains(words), "{message}");
    };
    // Truncated inside the table, inside the sections, and extended.
    expect(&bytes[..20], "section table is cut short");
    expect(&bytes[..bytes.len() - 1], "ends after the end of the file");
    let mut longer = bytes.clone();
    longer.push(0);
    expect(&longer, "1 unexpected bytes after the last section");
    // A table that claims more sections than the file could hold.
    let mut huge = bytes.clone();
    huge[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    expect(&huge, "section table is cut short");
    // A table and sections that agree, but not with the head: the last account dropped.
    let spans = section_spans(&bytes);
    let count = spans.len() - 1;
    let mut dropped = bytes[..12].to_vec();
    dropped.extend_from_slice(&(count as u32).to_le_bytes());
    for (_, length) in &spans[..count] {
        dropped.extend_from_slice(&(*length as u64).to_le_bytes());
    }
    for (start, length) in &spans[..count] {
        dropped.extend_from_slice(&bytes[*start..start + length]);
    }
    expect(&dropped, "the head announces");
    // An empty table.
    let mut empty = bytes[..12].to_vec();
    empty.extend_from_slice(&0u32.to_le_bytes());
    expect(&empty, "no head section");
}

#[test]
fn damaged_files_are_errors_not_panics() {
    let bytes = encode(&sectioned_snapshot());
    let step = (bytes.len() / 300).max(1);
    for at in (0..bytes.len()).step_by(step) {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0xa5;
        let _ = decode(&damaged);
        let _ = decode(&bytes[..at]);
    }
    // The table and the head get every byte flipped.
    for at in 12..200.min(bytes.len()) {
        for flip in [0x01, 0x80, 0xff] {
            let mut damaged = bytes.clone();
            damaged[at] ^= flip;
            let _ = decode(&damaged);
        }
    }
}

#[test]
fn refuses_non_snapshots_with_a_hint_for_json() {
    let error = decode(b"{\"accounts\": []}").unwrap_err();
    assert!(error.to_string().contains("looks like JSON"));
    assert!(matches!(decode(b""), Err(FormatError::NotASnapshot { .. })));
}
