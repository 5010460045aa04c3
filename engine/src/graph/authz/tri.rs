//! Three-valued truth: yes, no, or "unknown, depending on these condition keys".

/// A truth value in three states. `Maybe` carries the condition keys (lower case, sorted,
/// unique) whose values the snapshot does not know.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Tri {
    /// Definitely false.
    #[default]
    No,
    /// True or false depending on the listed keys.
    Maybe(Vec<String>),
    /// Definitely true.
    Yes,
}

impl Tri {
    /// `Maybe` on a single key.
    pub fn maybe(key: &str) -> Tri {
        Tri::Maybe(vec![key.to_ascii_lowercase()])
    }

    /// From a boolean.
    pub fn from_bool(value: bool) -> Tri {
        if value {
            Tri::Yes
        } else {
            Tri::No
        }
    }

    /// Whether it is `Yes`.
    pub fn is_yes(&self) -> bool {
        matches!(self, Tri::Yes)
    }

    /// Whether it is `No`.
    pub fn is_no(&self) -> bool {
        matches!(self, Tri::No)
    }

    /// Conjunction: `No` wins, then `Maybe` (keys merged), then `Yes`.
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Yes, x) | (x, Tri::Yes) => x,
            (Tri::Maybe(a), Tri::Maybe(b)) => Tri::Maybe(merge(a, b)),
        }
    }

    /// Disjunction: `Yes` wins, then `Maybe` (keys merged), then `No`.
    pub fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::No, x) | (x, Tri::No) => x,
            (Tri::Maybe(a), Tri::Maybe(b)) => Tri::Maybe(merge(a, b)),
        }
    }

    /// Negation; an unknown stays unknown on the same keys.
    pub fn negate(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            maybe => maybe,
        }
    }

    /// The keys of a `Maybe`, empty otherwise.
    pub fn keys(&self) -> &[String] {
        match self {
            Tri::Maybe(keys) => keys,
            _ => &[],
        }
    }
}

fn merge(mut a: Vec<String>, b: Vec<String>) -> Vec<String> {
    a.extend(b);
    a.sort();
    a.dedup();
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_valued_logic() {
        let m = || Tri::maybe("aws:SourceIp");
        assert_eq!(Tri::Yes.and(m()), m());
        assert_eq!(Tri::No.and(m()), Tri::No);
        assert_eq!(Tri::Yes.or(m()), Tri::Yes);
        assert_eq!(Tri::No.or(m()), m());
        assert_eq!(m().negate(), m());
        assert_eq!(
            m().and(Tri::maybe("aws:MultiFactorAuthPresent")).keys(),
            ["aws:multifactorauthpresent", "aws:sourceip"]
        );
    }
}
