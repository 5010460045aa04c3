//! Streaming reader of GAAD JSON: hands each record to [`FileState`] as soon as it is
//! parsed, so memory holds the snapshot built so far and one record, never the file.
//!
//! Accepted layouts of one JSON document: a page object, or an array of page objects
//! (pages merged by a script). Several documents may follow each other in one file
//! (pages concatenated by `aws ... >> file`); the caller loops over them.

use super::records::{
    CredentialReportRow, GroupRecord, PolicyRecord, RoleRecord, Unused, UserRecord,
};
use super::state::FileState;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// The top-level keys holding records, AWS's name first, AirIAM's second.
const LIST_KEYS: [(&str, &str, ListKind); 4] = [
    ("UserDetailList", "AccountUsers", ListKind::Users),
    ("GroupDetailList", "AccountGroups", ListKind::Groups),
    ("RoleDetailList", "AccountRoles", ListKind::Roles),
    ("Policies", "AccountPolicies", ListKind::Policies),
];

/// The top-level keys that carry no records and are accepted as they are.
const OTHER_KEYS: [&str; 4] = [
    "IsTruncated",
    "Marker",
    "CredentialReport",
    "ResponseMetadata",
];

/// Which record list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListKind {
    Users,
    Groups,
    Roles,
    Policies,
}

/// Reads one JSON document: a page or an array of pages.
pub struct DocumentSeed<'a, 'd>(pub &'a mut FileState<'d>);

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(DocumentVisitor(self.0))
    }
}

struct DocumentVisitor<'a, 'd>(&'a mut FileState<'d>);

impl<'de> Visitor<'de> for DocumentVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(
            "get-account-authorization-details output: an object with UserDetailList, GroupDetailList, RoleDetailList, Policies (or an array of such pages)",
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        read_page(self.0, map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(PageSeed(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

struct PageSeed<'a, 'd>(&'a mut FileState<'d>);

impl<'de> DeserializeSeed<'de> for PageSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(PageVisitor(self.0))
    }
}

struct PageVisitor<'a, 'd>(&'a mut FileState<'d>);

impl<'de> Visitor<'de> for PageVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a page of get-account-authorization-details output (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        read_page(self.0, map)
    }
}

fn read_page<'de, A: MapAccess<'de>>(state: &mut FileState, mut map: A) -> Result<(), A::Error> {
    state.pages += 1;
    while let Some(key) = map.next_key::<String>()? {
        if let Some(&(_, _, kind)) = LIST_KEYS
            .iter()
            .find(|(aws, airiam, _)| key == *aws || key == *airiam)
        {
            state.lists_seen = true;
            map.next_value_seed(ListSeed { state, kind })?;
            continue;
        }
        match key.as_str() {
            "IsTruncated" => {
                if map.next_value::<bool>()? {
                    state.truncated_pages += 1;
                }
            }
            "CredentialReport" => {
                let rows: Vec<CredentialReportRow> = map.next_value()?;
                state.credential_rows.extend(rows);
            }
            "Marker" | "ResponseMetadata" => {
                map.next_value::<Unused>()?;
            }
            _ => map.next_value_seed(UnknownKey(&key))?,
        }
    }
    Ok(())
}

/// Refuses an unknown top-level key from inside its value, so the error's JSON path
/// names the key. A key nobody knows may hold records (a renamed list, a typo): skipping
/// it could silently drop principals, so it is an error, not a warning.
struct UnknownKey<'k>(&'k str);

impl<'de> DeserializeSeed<'de> for UnknownKey<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, _deserializer: D) -> Result<(), D::Error> {
        let known: Vec<&str> = LIST_KEYS
            .iter()
            .flat_map(|(aws, airiam, _)| [*aws, *airiam])
            .chain(OTHER_KEYS)
            .collect();
        Err(de::Error::custom(format!(
            "unknown top-level key `{}`: expected one of {}",
            self.0,
            known.join(", ")
        )))
    }
}

struct ListSeed<'a, 'd> {
    state: &'a mut FileState<'d>,
    kind: ListKind,
}

impl<'de> DeserializeSeed<'de> for ListSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ListSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(RecordSeed {
                state: &mut *self.state,
                kind: self.kind,
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// Reads one record and adds it to the file's state right away; a record that cannot
/// be added (a bad ARN, no default policy version) fails at its own JSON path.
struct RecordSeed<'a, 'd> {
    state: &'a mut FileState<'d>,
    kind: ListKind,
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let added = match self.kind {
            ListKind::Users => self.state.add_user(UserRecord::deserialize(deserializer)?),
            ListKind::Groups => self
                .state
                .add_group(GroupRecord::deserialize(deserializer)?),
            ListKind::Roles => self.state.add_role(RoleRecord::deserialize(deserializer)?),
            ListKind::Policies => self
                .state
                .add_policy(PolicyRecord::deserialize(deserializer)?),
        };
        added.map_err(de::Error::custom)
    }
}

/// The names of the record lists, for messages.
pub fn list_key_names() -> String {
    LIST_KEYS
        .iter()
        .map(|(aws, _, _)| *aws)
        .collect::<Vec<_>>()
        .join(", ")
}
