//! Policy documents, stored once per distinct content.

use percent_encoding::percent_decode_str;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::HashMap;

/// Index of a policy document in [`Documents`].
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct DocId(pub u32);

/// A policy document as compact JSON text.
///
/// In the binary format it is a string. In the JSON form it is written as the JSON
/// document itself (not a quoted string), so humans and `diff` can read it; reading it
/// back gives the same compact text, so the JSON form is lossless.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PolicyText(String);

impl PolicyText {
    /// The compact JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a policy document could not be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// Neither the text nor its URL-decoded form is JSON.
    #[error("policy document is not JSON (nor URL-encoded JSON): {0}")]
    NotJson(String),
    /// The document is JSON but not an object.
    #[error("policy document must be a JSON object, found {0}")]
    NotAnObject(&'static str),
}

impl PolicyText {
    /// Canonicalizes a policy document given as JSON text or URL-encoded JSON text (IAM
    /// returns documents URL-encoded from some APIs and plain from others: JSON is tried
    /// first, since a plain document may legitimately contain `%`).
    pub fn from_text(text: &str) -> Result<Self, DocumentError> {
        let value = match serde_json::from_str::<serde_json::Value>(text) {
            Ok(value) => value,
            Err(plain_error) => {
                let decoded = percent_decode_str(text)
                    .decode_utf8()
                    .map_err(|_| DocumentError::NotJson(plain_error.to_string()))?;
                serde_json::from_str(&decoded)
                    .map_err(|_| DocumentError::NotJson(plain_error.to_string()))?
            }
        };
        Self::from_value(&value)
    }

    /// Canonicalizes a policy document given as a parsed JSON value.
    pub fn from_value(value: &serde_json::Value) -> Result<Self, DocumentError> {
        if !value.is_object() {
            return Err(DocumentError::NotAnObject(json_kind(value)));
        }
        Ok(PolicyText(value.to_string()))
    }
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

impl Serialize for PolicyText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            let value: serde_json::Value =
                serde_json::from_str(&self.0).map_err(serde::ser::Error::custom)?;
            value.serialize(serializer)
        } else {
            serializer.serialize_str(&self.0)
        }
    }
}

impl<'de> Deserialize<'de> for PolicyText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let value = serde_json::Value::deserialize(deserializer)?;
            PolicyText::from_value(&value).map_err(serde::de::Error::custom)
        } else {
            Ok(PolicyText(String::deserialize(deserializer)?))
        }
    }
}

/// The distinct policy documents of a snapshot.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Documents {
    texts: Vec<PolicyText>,
    /// Content to id, rebuilt on demand; never stored.
    #[serde(skip)]
    index: HashMap<PolicyText, DocId>,
}

impl PartialEq for Documents {
    fn eq(&self, other: &Self) -> bool {
        self.texts == other.texts
    }
}

impl Documents {
    /// Stores a document (JSON or URL-encoded JSON text) and returns its id; the same
    /// content always gets the same id.
    pub fn intern_text(&mut self, text: &str) -> Result<DocId, DocumentError> {
        Ok(self.intern(PolicyText::from_text(text)?))
    }

    /// Stores a document given as a JSON value and returns its id.
    pub fn intern_value(&mut self, value: &serde_json::Value) -> Result<DocId, DocumentError> {
        Ok(self.intern(PolicyText::from_value(value)?))
    }

    /// Stores a canonical document and returns its id.
    pub fn intern(&mut self, text: PolicyText) -> DocId {
        if self.index.len() != self.texts.len() {
            self.rebuild_index();
        }
        if let Some(&id) = self.index.get(&text) {
            return id;
        }
        let id = DocId(self.texts.len() as u32);
        self.texts.push(text.clone());
        self.index.insert(text, id);
        id
    }

    fn rebuild_index(&mut self) {
        self.index = self
            .texts
            .iter()
            .enumerate()
            .map(|(i, text)| (text.clone(), DocId(i as u32)))
            .collect();
    }

    /// A table holding these documents in this order (ids are positions); the content
    /// index is built on the first [`Documents::intern`]. For the binary format, which
    /// stores the table in sections.
    pub(super) fn from_texts(texts: Vec<PolicyText>) -> Self {
        Documents {
            texts,
            index: HashMap::new(),
        }
    }

    /// The documents in id order.
    pub(super) fn texts(&self) -> &[PolicyText] {
        &self.texts
    }

    /// The document with this id.
    ///
    /// # Panics
    /// If the id is out of range (see [`crate::snapshot::Snapshot::validate`]).
    pub fn get(&self, id: DocId) -> &PolicyText {
        &self.texts[id.0 as usize]
    }

    /// Whether `id` names a stored document.
    pub fn contains(&self, id: DocId) -> bool {
        (id.0 as usize) < self.texts.len()
    }

    /// How many distinct documents are stored.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    /// Whether no document is stored.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// Every document with its id, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (DocId, &PolicyText)> {
        self.texts
            .iter()
            .enumerate()
            .map(|(i, text)| (DocId(i as u32), text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_url_encoded_documents_are_one_document() {
        let mut docs = Documents::default();
        let plain = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
        let a = docs.intern_text(plain).unwrap();
        let b = docs.intern_text(encoded).unwrap();
        let c = docs.intern_text(&format!("  {plain}\n")).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(docs.len(), 1);
    }

    #[test]
    fn a_plain_document_containing_percent_is_not_decoded() {
        let mut docs = Documents::default();
        let text = r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/100%25"}]}"#;
        let id = docs.intern_text(text).unwrap();
        assert!(docs.get(id).as_str().contains("100%25"));
    }

    #[test]
    fn non_json_and_non_objects_are_refused() {
        let mut docs = Documents::default();
        assert!(matches!(
            docs.intern_text("not json"),
            Err(DocumentError::NotJson(_))
        ));
        assert_eq!(
            docs.intern_text("[1]"),
            Err(DocumentError::NotAnObject("an array"))
        );
    }

    #[test]
    fn index_is_rebuilt_after_deserializing() {
        let mut docs = Documents::default();
        let id = docs.intern_text(r#"{"a":1}"#).unwrap();
        let json = serde_json::to_string(&docs).unwrap();
        let mut back: Documents = serde_json::from_str(&json).unwrap();
        assert_eq!(back.intern_text(r#"{"a": 1}"#).unwrap(), id);
        assert_eq!(back.len(), 1);
    }
}
