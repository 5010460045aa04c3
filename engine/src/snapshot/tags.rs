//! Tags: key to value, sorted by key, each key once.

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::fmt;

/// Resource tags and principal tags: key to value, sorted by key, each key once.
///
/// The map API the engine uses (`get`, `insert`, `iter`, `collect`, `tags["key"]`) over a
/// sorted vector instead of a `BTreeMap`: a snapshot holds one tag set per resource,
/// principal and instance, most of a handful of entries, and a `BTreeMap` node of
/// string pairs takes 544 bytes; they were a third of a decoded `large` snapshot. It is
/// written exactly as the `BTreeMap` it replaces (a map, in key order), in the binary
/// format and in JSON.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tags {
    /// Sorted by key, keys unique.
    entries: Vec<(String, String)>,
}

impl Tags {
    /// No tags.
    pub const fn new() -> Self {
        Tags {
            entries: Vec::new(),
        }
    }

    /// How many tags.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no tag.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position<Q>(&self, key: &Q) -> Result<usize, usize>
    where
        String: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    /// The value of `key` (case-sensitive).
    pub fn get<Q>(&self, key: &Q) -> Option<&String>
    where
        String: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.position(key).ok().map(|i| &self.entries[i].1)
    }

    /// Whether `key` is tagged.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        String: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.position(key).is_ok()
    }

    /// Sets `key` to `value`, returning the value it replaces.
    pub fn insert(&mut self, key: String, value: String) -> Option<String> {
        match self.position(key.as_str()) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<String>
    where
        String: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let i = self.position(key).ok()?;
        Some(self.entries.remove(i).1)
    }

    /// The tags in key order.
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.entries.iter())
    }

    /// The keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Builds from entries in any order; of equal keys the last one wins (as inserting
    /// them one by one would).
    fn from_entries(mut entries: Vec<(String, String)>) -> Self {
        if entries.windows(2).all(|pair| pair[0].0 < pair[1].0) {
            return Tags { entries };
        }
        // Stable: equal keys keep their order, so the last of a run is the last given.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut unique: Vec<(String, String)> = Vec::with_capacity(entries.len());
        for entry in entries {
            match unique.last_mut() {
                Some(last) if last.0 == entry.0 => *last = entry,
                _ => unique.push(entry),
            }
        }
        Tags { entries: unique }
    }
}

/// The tags of a [`Tags`] in key order, as `(key, value)` pairs.
#[derive(Clone)]
pub struct Iter<'a>(std::slice::Iter<'a, (String, String)>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a String, &'a String);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k, v))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Tags {
    type Item = (&'a String, &'a String);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl IntoIterator for Tags {
    type Item = (String, String);
    type IntoIter = std::vec::IntoIter<(String, String)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl FromIterator<(String, String)> for Tags {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Self {
        Tags::from_entries(pairs.into_iter().collect())
    }
}

impl Extend<(String, String)> for Tags {
    fn extend<I: IntoIterator<Item = (String, String)>>(&mut self, pairs: I) {
        for (key, value) in pairs {
            self.insert(key, value);
        }
    }
}

impl<const N: usize> From<[(String, String); N]> for Tags {
    fn from(pairs: [(String, String); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl From<BTreeMap<String, String>> for Tags {
    fn from(map: BTreeMap<String, String>) -> Self {
        Tags {
            entries: map.into_iter().collect(),
        }
    }
}

impl PartialEq<BTreeMap<String, String>> for Tags {
    fn eq(&self, other: &BTreeMap<String, String>) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<Q> std::ops::Index<&Q> for Tags
where
    String: Borrow<Q>,
    Q: Ord + ?Sized,
{
    type Output = String;

    /// # Panics
    /// If `key` is not tagged (as a `BTreeMap` does).
    fn index(&self, key: &Q) -> &String {
        self.get(key).expect("no tag with this key")
    }
}

impl fmt::Debug for Tags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Tags {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Tags {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(TagsVisitor)
    }
}

struct TagsVisitor;

/// More entries than this are not reserved up front from a length read in a file.
const MAX_TRUSTED_LEN: usize = 1024;

impl<'de> Visitor<'de> for TagsVisitor {
    type Value = Tags;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of tag keys to values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tags, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(MAX_TRUSTED_LEN));
        while let Some(entry) = map.next_entry::<String, String>()? {
            entries.push(entry);
        }
        Ok(Tags::from_entries(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Every operation gives what the `BTreeMap` the type replaces gives.
    #[test]
    fn behaves_as_the_btree_map_it_replaces() {
        let given = pairs(&[
            ("team", "web"),
            ("app", "shop"),
            ("env", "prod"),
            ("team", "payments"),
            ("Name", "x"),
        ]);
        let tags: Tags = given.iter().cloned().collect();
        let map: BTreeMap<String, String> = given.iter().cloned().collect();
        assert_eq!(tags, map);
        assert_eq!(tags.len(), 4);
        assert_eq!(tags.get("team"), map.get("team"));
        assert_eq!(tags.get("absent"), None);
        assert_eq!(tags["app"], "shop");
        assert!(tags.contains_key("Name") && !tags.contains_key("name"));
        assert!(tags.keys().eq(map.keys()));
        assert!(tags.values().eq(map.values()));
        assert!(tags.iter().rev().eq(map.iter().rev()));
        assert_eq!(format!("{tags:?}"), format!("{map:?}"));
        assert!(tags.clone().into_iter().eq(map.clone()));

        let (mut tags, mut map) = (tags, map);
        for (key, value) in pairs(&[("env", "dev"), ("zone", "a"), ("0", "first")]) {
            assert_eq!(
                tags.insert(key.clone(), value.clone()),
                map.insert(key, value)
            );
        }
        assert_eq!(tags.remove("app"), map.remove("app"));
        assert_eq!(tags.remove("app"), None);
        tags.extend(pairs(&[("b", "1"), ("b", "2")]));
        map.extend(pairs(&[("b", "1"), ("b", "2")]));
        assert_eq!(tags, map);
        assert_eq!(Tags::from(map.clone()), tags);
    }

    #[test]
    fn is_written_as_the_btree_map_was() {
        let map: BTreeMap<String, String> =
            pairs(&[("team", "web"), ("app", "shop"), ("env", "prod")])
                .into_iter()
                .collect();
        let tags = Tags::from(map.clone());
        assert_eq!(
            postcard::to_stdvec(&tags).unwrap(),
            postcard::to_stdvec(&map).unwrap()
        );
        assert_eq!(
            serde_json::to_string(&tags).unwrap(),
            serde_json::to_string(&map).unwrap()
        );
        let bytes = postcard::to_stdvec(&map).unwrap();
        assert_eq!(postcard::from_bytes::<Tags>(&bytes).unwrap(), tags);
        assert_eq!(Tags::default(), Tags::new());
        assert_eq!(
            postcard::to_stdvec(&Tags::new()).unwrap(),
            postcard::to_stdvec(&BTreeMap::<String, String>::new()).unwrap()
        );
    }

    #[test]
    fn reading_unsorted_or_repeated_keys_normalizes_them() {
        let tags: Tags = serde_json::from_str(r#"{"b":"1","a":"2","b":"3"}"#).unwrap();
        let map: BTreeMap<String, String> =
            serde_json::from_str(r#"{"b":"1","a":"2","b":"3"}"#).unwrap();
        assert_eq!(tags, map);
        assert!(serde_json::from_str::<Tags>(r#"{"a":1}"#).is_err());
        assert!(serde_json::from_str::<Tags>(r#"["a"]"#).is_err());
    }
}
