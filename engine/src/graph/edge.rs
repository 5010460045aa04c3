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
///
/// Serialized as before it was interned: `"certain"`, `"inferred"` or
/// `{"conditional": [keys]}`; ordered by variant, then by the keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Status {
    /// Holds whatever the unknown parts of the request.
    Certain,
    /// Holds depending on these condition keys.
    Conditional(Keys),
    /// Holds by inference (placement that could happen, behaviour not confirmed).
    Inferred,
}

impl Status {
    /// Conditional on these keys (interned: equal lists share one entry).
    pub fn conditional(keys: Vec<String>) -> Status {
        Status::Conditional(Keys::new(keys))
    }

    /// Whether it is certain.
    pub fn is_certain(&self) -> bool {
        matches!(self, Status::Certain)
    }

    /// The condition keys, if conditional.
    pub fn keys(&self) -> &'static [String] {
        match self {
            Status::Conditional(keys) => keys.as_slice(),
            _ => &[],
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Status::Certain => 0,
            Status::Conditional(_) => 1,
            Status::Inferred => 2,
        }
    }
}

impl Ord for Status {
    fn cmp(&self, other: &Status) -> std::cmp::Ordering {
        self.rank()
            .cmp(&other.rank())
            .then_with(|| self.keys().cmp(other.keys()))
    }
}

impl PartialOrd for Status {
    fn partial_cmp(&self, other: &Status) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Status::Certain => serializer.serialize_unit_variant("Status", 0, "certain"),
            Status::Conditional(keys) => {
                serializer.serialize_newtype_variant("Status", 1, "conditional", keys.as_slice())
            }
            Status::Inferred => serializer.serialize_unit_variant("Status", 2, "inferred"),
        }
    }
}

/// A list of condition keys, interned: 3 bytes in an edge instead of a vector (a
/// [`Status`] is 4 bytes, an [`Edge`] 24).
///
/// Graphs hold millions of conditional edges over a few hundred distinct lists, so every
/// list is stored once, for the life of the process, in a table shared by every graph
/// (what-if simulations build several): equal lists get equal ids, which is why
/// equality and hashing compare ids. Ids are 24 bits: 16 million distinct lists.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Keys([u8; 3]);

/// How many distinct key lists the table can hold.
const MAX_KEY_LISTS: usize = 1 << 24;

impl Keys {
    fn id(self) -> usize {
        let [a, b, c] = self.0;
        u32::from_le_bytes([a, b, c, 0]) as usize
    }

    fn from_id(id: usize) -> Keys {
        let [a, b, c, _] = (id as u32).to_le_bytes();
        Keys([a, b, c])
    }
}

/// The interned key lists: by id, and ids by list.
#[derive(Default)]
struct KeyTable {
    lists: Vec<&'static [String]>,
    ids: rustc_hash::FxHashMap<&'static [String], Keys>,
}

fn key_table() -> &'static std::sync::RwLock<KeyTable> {
    static TABLE: std::sync::OnceLock<std::sync::RwLock<KeyTable>> = std::sync::OnceLock::new();
    TABLE.get_or_init(Default::default)
}

impl Keys {
    /// The id of a list, interning it if new.
    pub fn new(keys: Vec<String>) -> Keys {
        let table = key_table();
        if let Some(&id) = table
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .ids
            .get(keys.as_slice())
        {
            return id;
        }
        let mut table = table.write().unwrap_or_else(|e| e.into_inner());
        if let Some(&id) = table.ids.get(keys.as_slice()) {
            return id;
        }
        // Lists are combinations of the condition keys policies use: an organization
        // has hundreds, each list holds strings, so the table would exhaust memory long
        // before its ids.
        assert!(
            table.lists.len() < MAX_KEY_LISTS,
            "more than {MAX_KEY_LISTS} distinct condition-key lists"
        );
        // Leaked on purpose: the table lives as long as the process, and distinct lists
        // are few.
        let list: &'static [String] = Box::leak(keys.into_boxed_slice());
        let id = Keys::from_id(table.lists.len());
        table.lists.push(list);
        table.ids.insert(list, id);
        id
    }

    /// The keys.
    pub fn as_slice(self) -> &'static [String] {
        key_table().read().unwrap_or_else(|e| e.into_inner()).lists[self.id()]
    }
}

impl std::ops::Deref for Keys {
    type Target = [String];

    fn deref(&self) -> &[String] {
        self.as_slice()
    }
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
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
/// edge holds two reference-counted pointers and no allocation of its own. Both are thin
/// ([`SharedText`], [`SharedReasons`]: 16 bytes an edge, not 32).
#[derive(Clone)]
pub struct Explanation {
    head: SharedText,
    reasons: SharedReasons,
}

/// A shared piece of explanation text behind a thin pointer.
pub type SharedText = Arc<String>;

/// A shared list of reasons behind a thin pointer.
pub type SharedReasons = Arc<Vec<Arc<str>>>;

impl Explanation {
    /// `head` followed by `reasons` separated by `"; "` (the head carries its own
    /// separator from the first reason, if any).
    pub fn new(head: SharedText, reasons: SharedReasons) -> Explanation {
        Explanation { head, reasons }
    }

    /// The pieces of the text, in order.
    fn pieces(&self) -> impl Iterator<Item = &str> + '_ {
        let reasons = self
            .reasons
            .iter()
            .enumerate()
            .flat_map(|(i, r)| [if i == 0 { "" } else { "; " }, r.as_ref()]);
        std::iter::once(self.head.as_str()).chain(reasons)
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
fn no_reasons() -> SharedReasons {
    static NONE: std::sync::LazyLock<SharedReasons> =
        std::sync::LazyLock::new(|| Arc::new(Vec::new()));
    NONE.clone()
}

impl From<String> for Explanation {
    fn from(text: String) -> Explanation {
        Explanation::new(Arc::new(text), no_reasons())
    }
}

impl From<&str> for Explanation {
    fn from(text: &str) -> Explanation {
        Explanation::new(Arc::new(text.to_string()), no_reasons())
    }
}

#[cfg(test)]
mod tests {
    use super::{Edge, Explanation, Keys, Status};
    use std::sync::Arc;

    fn text(s: &str) -> super::SharedText {
        Arc::new(s.to_string())
    }

    #[test]
    fn pieces_join_with_separators_after_the_head() {
        let e = Explanation::new(
            text("head: "),
            Arc::new(vec!["a".into(), "b".into(), "c".into()]),
        );
        assert_eq!(e.to_string(), "head: a; b; c");
        assert_eq!(e.len(), "head: a; b; c".len());
        assert_eq!(Explanation::from("only").to_string(), "only");
        assert_eq!(
            Explanation::new(text("x "), Arc::new(Vec::new())).to_string(),
            "x "
        );
    }

    #[test]
    fn equality_is_on_the_text_not_the_split() {
        let split = Explanation::new(text("head: "), Arc::new(vec!["a".into(), "b".into()]));
        assert_eq!(split, Explanation::from("head: a; b"));
        assert_ne!(split, Explanation::from("head: a;b"));
        assert_ne!(split, Explanation::from("head: a; b; "));
    }

    #[test]
    fn interned_keys_round_trip_and_equal_lists_share_an_id() {
        let keys = vec!["aws:sourceip".to_string(), "edge-test:interned".to_string()];
        let a = Keys::new(keys.clone());
        let b = Keys::new(keys.clone());
        assert_eq!(a, b);
        assert_eq!(a.as_slice(), keys.as_slice());
        assert_ne!(a, Keys::new(vec!["edge-test:other".into()]));
        assert_eq!(Status::conditional(keys.clone()).keys(), keys.as_slice());
        assert!(Status::Certain.keys().is_empty());
        assert!(Status::Inferred.keys().is_empty());
    }

    /// The form every output relied on when the keys were a `Vec<String>`.
    #[test]
    fn statuses_serialize_as_the_derived_enum_did() {
        let json = |s: &Status| serde_json::to_string(s).unwrap();
        assert_eq!(json(&Status::Certain), r#""certain""#);
        assert_eq!(json(&Status::Inferred), r#""inferred""#);
        assert_eq!(
            json(&Status::conditional(vec!["a:b".into(), "c:d".into()])),
            r#"{"conditional":["a:b","c:d"]}"#
        );
    }

    #[test]
    fn statuses_order_by_variant_then_keys_not_by_id() {
        // Interned in the opposite order to their keys' order.
        let later = Status::conditional(vec!["edge-test:zz".into()]);
        let earlier = Status::conditional(vec!["edge-test:aa".into()]);
        let mut all = vec![
            Status::Inferred,
            later.clone(),
            Status::Certain,
            earlier.clone(),
        ];
        all.sort();
        assert_eq!(all, vec![Status::Certain, earlier, later, Status::Inferred]);
    }

    /// Graphs hold tens of millions of edges: an edge stays three words.
    #[test]
    fn an_edge_is_24_bytes() {
        assert_eq!(std::mem::size_of::<Status>(), 4);
        assert_eq!(std::mem::size_of::<Explanation>(), 16);
        assert_eq!(std::mem::size_of::<Edge>(), 24);
    }

    #[test]
    fn key_ids_use_three_bytes() {
        for id in [0, 1, 255, 256, 65_536, super::MAX_KEY_LISTS - 1] {
            assert_eq!(Keys::from_id(id).id(), id);
        }
    }
}
