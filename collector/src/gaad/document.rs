//! Policy documents as they appear in GAAD output: a JSON object, or a string holding
//! JSON text (plain or URL-encoded, as IAM returns it from some APIs and tools keep it).
//!
//! Every document is checked while it is read, so a bad one is reported with the JSON
//! path of the field that holds it.

use blastgraph_engine::snapshot::PolicyText;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// Which kind of policy a document is; the policy parser checks each kind differently
/// (a trust policy names principals, an identity policy must not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// An identity policy: inline or managed, attached to a user, group or role.
    Identity,
    /// A role trust policy (`AssumeRolePolicyDocument`): a resource policy on the role.
    Trust,
    /// A resource policy: it names principals.
    Resource,
    /// A service or resource control policy of AWS Organizations.
    OrgPolicy,
}

/// Declares a newtype holding a checked document of one kind.
macro_rules! document_type {
    ($(#[$doc:meta])* $name:ident, $kind:expr) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name(pub PolicyText);

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer
                    .deserialize_any(DocumentVisitor($kind))
                    .map($name)
            }
        }
    };
}

document_type!(
    /// An identity policy document, canonicalized and checked.
    IdentityDocument,
    DocumentKind::Identity
);
document_type!(
    /// A trust policy document, canonicalized and checked.
    TrustDocument,
    DocumentKind::Trust
);
document_type!(
    /// A resource policy document (bucket, secret, key, function policy).
    ResourceDocument,
    DocumentKind::Resource
);
document_type!(
    /// An SCP or RCP document.
    OrgPolicyDocument,
    DocumentKind::OrgPolicy
);

struct DocumentVisitor(DocumentKind);

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = PolicyText;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a policy document: a JSON object, or a string of (URL-encoded) JSON")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<PolicyText, E> {
        let policy = PolicyText::from_text(text).map_err(E::custom)?;
        check(&policy, self.0).map_err(E::custom)?;
        Ok(policy)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<PolicyText, A::Error> {
        let value = serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        let policy = PolicyText::from_value(&value).map_err(de::Error::custom)?;
        check(&policy, self.0).map_err(de::Error::custom)?;
        Ok(policy)
    }
}

/// Checks that a document is an IAM policy of `kind`.
///
/// HOOK(policy-parser): until `blastgraph_engine::policy` can parse documents, only the
/// JSON shape is checked here ([`check_shape`]). The coordinator wires the parser in
/// this function: parse `policy.as_str()` as an identity policy or as a trust (resource)
/// policy according to `kind`, and return its error message, which the importer reports
/// with the file and the JSON path of the document.
pub fn check(policy: &PolicyText, kind: DocumentKind) -> Result<(), String> {
    let _ = kind;
    check_shape(policy)
}

/// The JSON shape every policy document has: an object with a `Statement` that is a
/// statement object or an array of statement objects.
pub fn check_shape(policy: &PolicyText) -> Result<(), String> {
    let value: serde_json::Value =
        serde_json::from_str(policy.as_str()).map_err(|e| e.to_string())?;
    let statement = value
        .get("Statement")
        .ok_or("invalid policy document: expected a `Statement` member")?;
    let statements = match statement {
        serde_json::Value::Array(items) => items.as_slice(),
        serde_json::Value::Object(_) => std::slice::from_ref(statement),
        _ => return Err(
            "invalid policy document: expected `Statement` to be an object or an array of objects"
                .into(),
        ),
    };
    match statements.iter().position(|s| !s.is_object()) {
        Some(i) => Err(format!(
            "invalid policy document: expected `Statement[{i}]` to be an object"
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(json: &str) -> Result<IdentityDocument, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn objects_strings_and_url_encoded_strings_are_one_document() {
        let object =
            identity(r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#).unwrap();
        let string = identity(
            r#""{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}""#,
        )
        .unwrap();
        let encoded = identity(r#""%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%7D""#).unwrap();
        assert_eq!(object.0, string.0);
        assert_eq!(object.0, encoded.0);
    }

    #[test]
    fn documents_without_statements_are_refused() {
        let error = identity(r#"{"Version":"2012-10-17"}"#).unwrap_err();
        assert!(error.to_string().contains("expected a `Statement` member"));
        let error = identity(r#"{"Statement":"Allow"}"#).unwrap_err();
        assert!(error.to_string().contains("object or an array"));
        let error = identity(r#"{"Statement":[{},3]}"#).unwrap_err();
        assert!(error.to_string().contains("`Statement[1]`"));
        let error = identity("42").unwrap_err();
        assert!(error.to_string().contains("expected a policy document"));
        let error = identity(r#""not json""#).unwrap_err();
        assert!(error.to_string().contains("not JSON"));
    }
}
