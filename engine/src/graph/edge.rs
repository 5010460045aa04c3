//! Graph edges: how holding one node's credentials yields another's.

use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// The kind of an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// Compute gets its own role: task role, IRSA, Pod Identity, instance profile,
    /// Lambda execution role.
    RunsAs,
    /// A container or pod reaches its host's instance role through IMDS.
    Imds,
    /// ECScape: the container instance's role impersonates the ECS agent and receives
    /// the credentials of every task placed on the instance.
    Ecscape,
    /// A host (EC2 instance, EKS node) holds the credentials of every workload on it.
    CoLocation,
    /// `sts:AssumeRole` (same or cross account, chaining).
    AssumeRole,
    /// `sts:AssumeRoleWithWebIdentity` (IRSA and other OIDC trusts).
    WebIdentity,
    /// An EKS access entry lets an IAM principal run pods as a cluster's service
    /// accounts (Kubernetes admin or edit rights).
    AccessEntry,
    /// A privilege-escalation technique of the catalogue (index into
    /// [`super::privesc::CATALOGUE`]).
    Privesc(u16),
}

impl EdgeKind {
    /// The stable name used in outputs (`privesc:<technique>` for escalations).
    pub fn name(self) -> String {
        match self {
            EdgeKind::RunsAs => "runs-as".into(),
            EdgeKind::Imds => "imds".into(),
            EdgeKind::Ecscape => "ecscape".into(),
            EdgeKind::CoLocation => "co-location".into(),
            EdgeKind::AssumeRole => "assume-role".into(),
            EdgeKind::WebIdentity => "web-identity".into(),
            EdgeKind::AccessEntry => "access-entry".into(),
            EdgeKind::Privesc(i) => {
                format!("privesc:{}", super::privesc::CATALOGUE[i as usize].name)
            }
        }
    }

    /// A short family name for colouring (`privesc` for every technique).
    pub fn family(self) -> &'static str {
        match self {
            EdgeKind::RunsAs => "runs-as",
            EdgeKind::Imds => "imds",
            EdgeKind::Ecscape => "ecscape",
            EdgeKind::CoLocation => "co-location",
            EdgeKind::AssumeRole => "assume-role",
            EdgeKind::WebIdentity => "web-identity",
            EdgeKind::AccessEntry => "access-entry",
            EdgeKind::Privesc(_) => "privesc",
        }
    }
}

/// How sure an edge is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Holds whatever the unknown parts of the request.
    Certain,
    /// Holds depending on these condition keys.
    Conditional(Vec<String>),
    /// Holds by inference (placement that could happen, behaviour not confirmed).
    Inferred,
}

impl Status {
    /// Whether it is certain.
    pub fn is_certain(&self) -> bool {
        matches!(self, Status::Certain)
    }

    /// The condition keys, if conditional.
    pub fn keys(&self) -> &[String] {
        match self {
            Status::Conditional(keys) => keys,
            _ => &[],
        }
    }
}

/// An edge.
#[derive(Debug, Clone)]
pub struct Edge {
    /// Its kind.
    pub kind: EdgeKind,
    /// How sure it is.
    pub status: Status,
    /// Why it exists, in words: the preconditions met and the policies that allow it.
    pub explanation: Explanation,
}

impl Edge {
    /// The explanation as text.
    pub fn explanation_text(&self) -> String {
        self.explanation.to_string()
    }
}

/// Why an edge exists, in words: a head followed by reasons separated by `"; "`.
///
/// The pieces are shared, not copied: one reason (a statement of a caller's policy, a
/// technique's description, a role's trust) explains thousands of edges, and a graph of
/// millions of edges holding a string each spent more memory on words than on
/// everything else. The text is put together when it is shown ([`fmt::Display`]).
///
/// The list of reasons is shared too: the candidates of one technique for one actor, or
/// the roles one caller may assume through one statement, have the same reasons, so an
/// edge holds two reference-counted pointers and no allocation of its own.
#[derive(Clone)]
pub struct Explanation {
    head: Arc<str>,
    reasons: Arc<[Arc<str>]>,
}

impl Explanation {
    /// `head` followed by `reasons` separated by `"; "` (the head carries its own
    /// separator from the first reason, if any).
    pub fn new(head: Arc<str>, reasons: Arc<[Arc<str>]>) -> Explanation {
        Explanation { head, reasons }
    }

    /// The pieces of the text, in order.
    fn pieces(&self) -> impl Iterator<Item = &str> + '_ {
        let reasons = self
            .reasons
            .iter()
            .enumerate()
            .flat_map(|(i, r)| [if i == 0 { "" } else { "; " }, r.as_ref()]);
        std::iter::once(self.head.as_ref()).chain(reasons)
    }

    /// The length of the text in bytes.
    pub fn len(&self) -> usize {
        self.pieces().map(str::len).sum()
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.pieces().try_for_each(|piece| f.write_str(piece))
    }
}

impl fmt::Debug for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_string(), f)
    }
}

/// Equal when the texts are equal, however they are split into pieces.
impl PartialEq for Explanation {
    fn eq(&self, other: &Explanation) -> bool {
        self.pieces()
            .flat_map(str::bytes)
            .eq(other.pieces().flat_map(str::bytes))
    }
}

impl Eq for Explanation {}

/// The empty list of reasons, shared.
fn no_reasons() -> Arc<[Arc<str>]> {
    static NONE: std::sync::LazyLock<Arc<[Arc<str>]>> =
        std::sync::LazyLock::new(|| Arc::from(Vec::new()));
    NONE.clone()
}

impl From<String> for Explanation {
    fn from(text: String) -> Explanation {
        Explanation::new(text.into(), no_reasons())
    }
}

impl From<&str> for Explanation {
    fn from(text: &str) -> Explanation {
        Explanation::new(text.into(), no_reasons())
    }
}

#[cfg(test)]
mod tests {
    use super::Explanation;

    #[test]
    fn pieces_join_with_separators_after_the_head() {
        let e = Explanation::new(
            "head: ".into(),
            vec!["a".into(), "b".into(), "c".into()].into(),
        );
        assert_eq!(e.to_string(), "head: a; b; c");
        assert_eq!(e.len(), "head: a; b; c".len());
        assert_eq!(Explanation::from("only").to_string(), "only");
        assert_eq!(
            Explanation::new("x ".into(), Vec::new().into()).to_string(),
            "x "
        );
    }

    #[test]
    fn equality_is_on_the_text_not_the_split() {
        let split = Explanation::new("head: ".into(), vec!["a".into(), "b".into()].into());
        assert_eq!(split, Explanation::from("head: a; b"));
        assert_ne!(split, Explanation::from("head: a;b"));
        assert_ne!(split, Explanation::from("head: a; b; "));
    }
}
