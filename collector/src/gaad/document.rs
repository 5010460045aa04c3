//! Policy documents as they appear in GAAD output: a JSON object, or a string holding
//! JSON text (plain or URL-encoded, as IAM returns it from some APIs and tools keep it).
//!
//! Every document is checked while it is read, so a bad one is reported with the JSON
//! path of the field that holds it.

use blastgraph_engine::policy::parse::parse_policy_value;
use blastgraph_engine::policy::PolicyKind;
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
        let value: serde_json::Value = serde_json::from_str(policy.as_str()).map_err(E::custom)?;
        check(&value, self.0).map_err(E::custom)?;
        Ok(policy)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<PolicyText, A::Error> {
        let value = serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        let policy = PolicyText::from_value(&value).map_err(de::Error::custom)?;
        check(&value, self.0).map_err(de::Error::custom)?;
        Ok(policy)
    }
}

/// Checks that a document is an IAM policy of `kind`, with the engine's policy parser
/// (the one every later stage uses), so a snapshot never holds a document the engine
/// cannot read.
pub fn check(value: &serde_json::Value, kind: DocumentKind) -> Result<(), String> {
    let parsed = match kind {
        DocumentKind::Identity => parse_policy_value(value, PolicyKind::Identity),
        DocumentKind::Trust => parse_policy_value(value, PolicyKind::Trust),
        DocumentKind::Resource => parse_policy_value(value, PolicyKind::Resource),
        // Which of the two is known only once the policy's `kind` is read: accept either
        // here; the overlay checks the right one afterwards.
        DocumentKind::OrgPolicy => parse_policy_value(value, PolicyKind::Scp)
            .or_else(|_| parse_policy_value(value, PolicyKind::Rcp)),
    };
    parsed
        .map(|_| ())
        .map_err(|e| format!("invalid policy document: {e}"))
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
    fn documents_the_policy_parser_refuses_are_refused() {
        let cases = [
            (
                r#"{"Version":"2012-10-17"}"#,
                "invalid policy document: Statement: expected a Statement element",
            ),
            (
                r#"{"Statement":"Allow"}"#,
                "invalid policy document: Statement: expected an object or an array",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},3]}"#,
                "invalid policy document: Statement[1]: expected a statement object",
            ),
            (
                r#"{"Statement":{"Effect":"Permit","Action":"s3:*","Resource":"*"}}"#,
                "invalid policy document: Statement.Effect: expected \"Allow\" or \"Deny\"",
            ),
            (
                r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}"#,
                "invalid policy document: Statement.Principal: expected no Principal",
            ),
            ("42", "expected a policy document"),
            (r#""not json""#, "not JSON"),
        ];
        for (json, expected) in cases {
            let error = identity(json).unwrap_err().to_string();
            assert!(error.contains(expected), "{json}: {error}");
        }
    }

    #[test]
    fn trust_policies_need_a_principal_and_get_one_checked() {
        let trust = |json: &str| serde_json::from_str::<TrustDocument>(json).map(|_| ());
        let error =
            trust(r#"{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}"#).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("expected a Principal or NotPrincipal"),
            "{error}"
        );
        trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}"#).unwrap();
    }
}
