//! Three-valued logic: a condition, a match or a decision input is true, false, or
//! unknown (it depends on a request-context key whose value we do not know).

/// A truth value that may be unknown.
///
/// `And`/`Or`/`Not` follow Kleene's strong three-valued logic, which is what lets the
/// evaluator over-approximate: an unknown Allow keeps the request reachable (as
/// conditional), an unknown Deny never removes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tri {
    /// Certainly holds.
    True,
    /// Certainly does not hold.
    False,
    /// Depends on request-context values that are not known.
    Unknown,
}

impl Tri {
    /// `true` becomes [`Tri::True`], `false` becomes [`Tri::False`].
    #[inline]
    pub fn from_bool(b: bool) -> Tri {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }

    /// Kleene conjunction.
    #[inline]
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }

    /// Kleene disjunction.
    #[inline]
    pub fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::True, _) | (_, Tri::True) => Tri::True,
            (Tri::False, Tri::False) => Tri::False,
            _ => Tri::Unknown,
        }
    }

    /// Kleene negation (unknown stays unknown).
    #[inline]
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }

    /// Whether the value could be true (true or unknown).
    #[inline]
    pub fn possible(self) -> bool {
        self != Tri::False
    }

    /// Name used in explanations: `true`, `false`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tri::True => "true",
            Tri::False => "false",
            Tri::Unknown => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Tri::{self, *};

    #[test]
    fn kleene_tables() {
        let all = [True, False, Unknown];
        for a in all {
            for b in all {
                // De Morgan holds in Kleene logic.
                assert_eq!(a.and(b).not(), a.not().or(b.not()), "{a:?} {b:?}");
                assert_eq!(a.and(b), b.and(a));
                assert_eq!(a.or(b), b.or(a));
            }
        }
        assert_eq!(Unknown.and(False), False);
        assert_eq!(Unknown.or(True), True);
        assert_eq!(Unknown.and(True), Unknown);
        assert_eq!(Tri::from_bool(true), True);
    }
}
