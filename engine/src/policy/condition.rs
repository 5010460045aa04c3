//! Condition operators (IAM User Guide, "IAM JSON policy elements: Condition operators")
//! compiled per (operator, key), evaluated in three values against a [`Context`].

use std::net::IpAddr;

use super::context::{Context, Lookup};
use super::glob::Glob;
use super::tri::Tri;
use super::variables::{Resolved, Template};

/// The base operator, without `IfExists` or a set qualifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum OperatorKind {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

const KINDS: &[(&str, OperatorKind)] = &[
    ("StringEquals", OperatorKind::StringEquals),
    ("StringNotEquals", OperatorKind::StringNotEquals),
    (
        "StringEqualsIgnoreCase",
        OperatorKind::StringEqualsIgnoreCase,
    ),
    (
        "StringNotEqualsIgnoreCase",
        OperatorKind::StringNotEqualsIgnoreCase,
    ),
    ("StringLike", OperatorKind::StringLike),
    ("StringNotLike", OperatorKind::StringNotLike),
    ("NumericEquals", OperatorKind::NumericEquals),
    ("NumericNotEquals", OperatorKind::NumericNotEquals),
    ("NumericLessThan", OperatorKind::NumericLessThan),
    ("NumericLessThanEquals", OperatorKind::NumericLessThanEquals),
    ("NumericGreaterThan", OperatorKind::NumericGreaterThan),
    (
        "NumericGreaterThanEquals",
        OperatorKind::NumericGreaterThanEquals,
    ),
    ("DateEquals", OperatorKind::DateEquals),
    ("DateNotEquals", OperatorKind::DateNotEquals),
    ("DateLessThan", OperatorKind::DateLessThan),
    ("DateLessThanEquals", OperatorKind::DateLessThanEquals),
    ("DateGreaterThan", OperatorKind::DateGreaterThan),
    ("DateGreaterThanEquals", OperatorKind::DateGreaterThanEquals),
    ("Bool", OperatorKind::Bool),
    ("BinaryEquals", OperatorKind::BinaryEquals),
    ("IpAddress", OperatorKind::IpAddress),
    ("NotIpAddress", OperatorKind::NotIpAddress),
    ("ArnEquals", OperatorKind::ArnEquals),
    ("ArnLike", OperatorKind::ArnLike),
    ("ArnNotEquals", OperatorKind::ArnNotEquals),
    ("ArnNotLike", OperatorKind::ArnNotLike),
    ("Null", OperatorKind::Null),
];

impl OperatorKind {
    /// Whether this is a negated operator (`StringNotEquals`, `NotIpAddress`, ...): true
    /// when the key is absent, and "matches none of the values" when present.
    pub fn is_negated(self) -> bool {
        use OperatorKind::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }

    /// The operator's name.
    pub fn name(self) -> &'static str {
        KINDS
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("?", |(n, _)| n)
    }
}

/// `ForAllValues:` / `ForAnyValue:` on multi-valued keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    /// Every request value must satisfy the operator (true when the key is absent).
    ForAllValues,
    /// Some request value must satisfy the operator (false when the key is absent).
    ForAnyValue,
}

/// A full condition operator as written, e.g. `ForAnyValue:StringLikeIfExists`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operator {
    /// The base operator.
    pub kind: OperatorKind,
    /// `...IfExists`: true when the key is absent.
    pub if_exists: bool,
    /// Set qualifier.
    pub set: Option<SetQualifier>,
}

impl Operator {
    /// Parses an operator name; the error says what was expected.
    pub fn parse(name: &str) -> Result<Operator, String> {
        let (set, rest) = if let Some(r) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), r)
        } else if let Some(r) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), r)
        } else {
            (None, name)
        };
        let (if_exists, base) = match rest.strip_suffix("IfExists") {
            Some(b) => (true, b),
            None => (false, rest),
        };
        let kind = KINDS
            .iter()
            .find(|(n, _)| *n == base)
            .map(|(_, k)| *k)
            .ok_or_else(|| "a condition operator such as StringEquals, ArnLike, ForAnyValue:StringLike, BoolIfExists".to_owned())?;
        if kind == OperatorKind::Null && (if_exists || set.is_some()) {
            return Err("Null without IfExists or a set qualifier".to_owned());
        }
        Ok(Operator {
            kind,
            if_exists,
            set,
        })
    }
}

/// A policy value that may contain policy variables.
#[derive(Clone, Debug)]
enum Text {
    Plain(String),
    Var(Template),
}

#[derive(Clone, Debug)]
enum Values {
    Str(Vec<Text>),
    StrIgnoreCase(Vec<Text>),
    Like(Vec<LikeValue>),
    Num(Vec<Option<f64>>),
    Date(Vec<Option<i64>>),
    Bool(Vec<Option<bool>>),
    Binary(Vec<String>),
    Ip(Vec<Option<Cidr>>),
    Arn(Vec<ArnValue>),
    Null(Vec<Option<bool>>),
}

#[derive(Clone, Debug)]
enum LikeValue {
    Glob(Glob),
    Var(Template),
}

#[derive(Clone, Debug)]
enum ArnValue {
    Parts(Box<ArnPattern>),
    Var(Template),
}

/// An ARN pattern matched component by component (`ArnEquals`/`ArnLike`).
#[derive(Clone, Debug)]
struct ArnPattern {
    parts: Vec<Glob>,
}

impl ArnPattern {
    fn new(p: &str) -> ArnPattern {
        ArnPattern {
            parts: p.splitn(6, ':').map(|c| Glob::new(c, false)).collect(),
        }
    }

    fn matches(&self, v: &str) -> bool {
        if self.parts.len() < 6 {
            // Not an ARN-shaped pattern (e.g. "*"): match the whole value.
            let whole: Vec<&Glob> = self.parts.iter().collect();
            return whole.len() == 1 && whole[0].matches(v);
        }
        let mut n = 0;
        for (g, c) in self.parts.iter().zip(v.splitn(6, ':')) {
            if !g.matches(c) {
                return false;
            }
            n += 1;
        }
        n == 6
    }
}

/// An IPv4 or IPv6 network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cidr {
    v4: bool,
    net: u128,
    prefix: u32,
}

impl Cidr {
    fn parse(s: &str) -> Option<Cidr> {
        let (ip, prefix) = match s.split_once('/') {
            Some((ip, p)) => (ip, Some(p.parse::<u32>().ok()?)),
            None => (s, None),
        };
        let (v4, bits, width) = match ip.trim().parse::<IpAddr>().ok()? {
            IpAddr::V4(a) => (true, u32::from(a) as u128, 32),
            IpAddr::V6(a) => (false, u128::from(a), 128),
        };
        let prefix = prefix.unwrap_or(width);
        if prefix > width {
            return None;
        }
        Some(Cidr {
            v4,
            net: bits & mask(prefix, width),
            prefix,
        })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let (v4, bits, width) = match ip {
            IpAddr::V4(a) => (true, u32::from(a) as u128, 32),
            IpAddr::V6(a) => match a.to_ipv4_mapped() {
                Some(m) if self.v4 => (true, u32::from(m) as u128, 32),
                _ => (false, u128::from(a), 128),
            },
        };
        v4 == self.v4 && bits & mask(self.prefix, width) == self.net
    }
}

fn mask(prefix: u32, width: u32) -> u128 {
    if prefix == 0 {
        0
    } else {
        let all: u128 = if width == 128 {
            u128::MAX
        } else {
            (1u128 << width) - 1
        };
        all & !((1u128 << (width - prefix)) - 1)
    }
}

/// One compiled (operator, key, values) entry of a `Condition` block.
#[derive(Clone, Debug)]
pub struct Condition {
    /// The operator.
    pub operator: Operator,
    /// The key as written.
    pub key: String,
    /// The key lowercased (keys are case-insensitive).
    pub key_lower: String,
    /// The values as written.
    pub raw_values: Vec<String>,
    values: Values,
}

impl Condition {
    /// Compiles one entry; `variables` is whether the document resolves `${...}`.
    pub fn compile(operator: Operator, key: &str, raw: &[String], variables: bool) -> Condition {
        use OperatorKind::*;
        let text = |v: &String| match variables.then(|| Template::parse(v)).flatten() {
            Some(t) => Text::Var(t),
            None => Text::Plain(v.clone()),
        };
        let values = match operator.kind {
            StringEquals | StringNotEquals => Values::Str(raw.iter().map(text).collect()),
            StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => Values::StrIgnoreCase(
                raw.iter()
                    .map(|v| match text(v) {
                        Text::Plain(p) => Text::Plain(p.to_lowercase()),
                        t => t,
                    })
                    .collect(),
            ),
            StringLike | StringNotLike => Values::Like(
                raw.iter()
                    .map(|v| match text(v) {
                        Text::Var(t) => LikeValue::Var(t),
                        Text::Plain(p) => LikeValue::Glob(Glob::new(&p, false)),
                    })
                    .collect(),
            ),
            NumericEquals
            | NumericNotEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => {
                Values::Num(raw.iter().map(|v| v.trim().parse::<f64>().ok()).collect())
            }
            DateEquals
            | DateNotEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => Values::Date(raw.iter().map(|v| parse_date(v)).collect()),
            Bool => Values::Bool(raw.iter().map(|v| parse_bool(v)).collect()),
            Null => Values::Null(raw.iter().map(|v| parse_bool(v)).collect()),
            BinaryEquals => Values::Binary(raw.to_vec()),
            IpAddress | NotIpAddress => Values::Ip(raw.iter().map(|v| Cidr::parse(v)).collect()),
            ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => Values::Arn(
                raw.iter()
                    .map(|v| match text(v) {
                        Text::Var(t) => ArnValue::Var(t),
                        Text::Plain(p) => ArnValue::Parts(Box::new(ArnPattern::new(&p))),
                    })
                    .collect(),
            ),
        };
        Condition {
            operator,
            key: key.to_owned(),
            key_lower: key.to_ascii_lowercase(),
            raw_values: raw.to_vec(),
            values,
        }
    }

    /// Evaluates the entry: true, false, or unknown (the key, or a variable in a value,
    /// is unknown).
    pub fn eval(&self, ctx: &Context) -> Tri {
        let op = self.operator;
        match ctx.get_lower(&self.key_lower) {
            Lookup::Unknown => Tri::Unknown,
            Lookup::Absent => {
                if let Values::Null(vals) = &self.values {
                    // Null:true holds when the key is absent.
                    return Tri::from_bool(vals.contains(&Some(true)));
                }
                Tri::from_bool(
                    op.if_exists
                        || match op.set {
                            Some(SetQualifier::ForAllValues) => true,
                            Some(SetQualifier::ForAnyValue) => false,
                            None => op.kind.is_negated(),
                        },
                )
            }
            Lookup::Values(vs) => {
                if let Values::Null(vals) = &self.values {
                    return Tri::from_bool(vals.contains(&Some(false)));
                }
                let negated = op.kind.is_negated();
                match op.set {
                    // A negated operator without a set qualifier: no request value matches.
                    None if negated => any(vs, |v| self.positive(v, ctx)).not(),
                    None | Some(SetQualifier::ForAnyValue) => any(vs, |v| {
                        if negated {
                            self.positive(v, ctx).not()
                        } else {
                            self.positive(v, ctx)
                        }
                    }),
                    Some(SetQualifier::ForAllValues) => all(vs, |v| {
                        if negated {
                            self.positive(v, ctx).not()
                        } else {
                            self.positive(v, ctx)
                        }
                    }),
                }
            }
        }
    }

    /// Whether one request value matches some policy value under the positive form of the
    /// operator (`StringEquals` for `StringNotEquals`).
    fn positive(&self, v: &str, ctx: &Context) -> Tri {
        use OperatorKind::*;
        match &self.values {
            Values::Str(vals) => any_text(vals, ctx, |p| p == v),
            Values::StrIgnoreCase(vals) => {
                let lower = v.to_lowercase();
                any_text(vals, ctx, |p| p.to_lowercase() == lower)
            }
            Values::Like(vals) => {
                let mut result = Tri::False;
                let mut buf = Vec::new();
                for p in vals {
                    let r = match p {
                        LikeValue::Glob(g) => Tri::from_bool(g.matches(v)),
                        LikeValue::Var(t) => match t.resolve_glob(ctx, &mut buf) {
                            Resolved::Done => Tri::from_bool(super::glob::match_toks(
                                &buf,
                                v.as_bytes(),
                                false,
                                false,
                            )),
                            Resolved::MatchesNothing => Tri::False,
                            Resolved::Unknown => Tri::Unknown,
                        },
                    };
                    result = result.or(r);
                    if result == Tri::True {
                        break;
                    }
                }
                result
            }
            Values::Num(vals) => {
                let Ok(x) = v.trim().parse::<f64>() else {
                    return Tri::False;
                };
                Tri::from_bool(
                    vals.iter()
                        .flatten()
                        .any(|p| compare(self.operator.kind, x.partial_cmp(p))),
                )
            }
            Values::Date(vals) => {
                let Some(x) = parse_date(v) else {
                    return Tri::False;
                };
                Tri::from_bool(
                    vals.iter()
                        .flatten()
                        .any(|p| compare(self.operator.kind, Some(x.cmp(p)))),
                )
            }
            Values::Bool(vals) => {
                let Some(x) = parse_bool(v) else {
                    return Tri::False;
                };
                Tri::from_bool(vals.contains(&Some(x)))
            }
            Values::Binary(vals) => Tri::from_bool(vals.iter().any(|p| p == v)),
            Values::Ip(vals) => {
                let Ok(ip) = v.trim().parse::<IpAddr>() else {
                    return Tri::False;
                };
                Tri::from_bool(vals.iter().flatten().any(|c| c.contains(ip)))
            }
            Values::Arn(vals) => {
                let mut result = Tri::False;
                for p in vals {
                    let r = match p {
                        ArnValue::Parts(a) => Tri::from_bool(a.matches(v)),
                        ArnValue::Var(t) => {
                            let mut s = String::new();
                            match t.resolve_text(ctx, &mut s) {
                                Resolved::Done => Tri::from_bool(ArnPattern::new(&s).matches(v)),
                                Resolved::MatchesNothing => Tri::False,
                                Resolved::Unknown => Tri::Unknown,
                            }
                        }
                    };
                    result = result.or(r);
                }
                result
            }
            Values::Null(_) => {
                debug_assert!(matches!(self.operator.kind, Null));
                Tri::False
            }
        }
    }
}

fn any(vs: &[String], mut f: impl FnMut(&str) -> Tri) -> Tri {
    let mut r = Tri::False;
    for v in vs {
        r = r.or(f(v));
        if r == Tri::True {
            break;
        }
    }
    r
}

fn all(vs: &[String], mut f: impl FnMut(&str) -> Tri) -> Tri {
    let mut r = Tri::True;
    for v in vs {
        r = r.and(f(v));
        if r == Tri::False {
            break;
        }
    }
    r
}

fn any_text(vals: &[Text], ctx: &Context, mut eq: impl FnMut(&str) -> bool) -> Tri {
    let mut result = Tri::False;
    for p in vals {
        let r = match p {
            Text::Plain(s) => Tri::from_bool(eq(s)),
            Text::Var(t) => {
                let mut s = String::new();
                match t.resolve_text(ctx, &mut s) {
                    Resolved::Done => Tri::from_bool(eq(&s)),
                    Resolved::MatchesNothing => Tri::False,
                    Resolved::Unknown => Tri::Unknown,
                }
            }
        };
        result = result.or(r);
        if result == Tri::True {
            break;
        }
    }
    result
}

/// Request value `ord` policy value, under a numeric/date operator (positive form).
fn compare(kind: OperatorKind, ord: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering::*;
    use OperatorKind::*;
    let Some(o) = ord else { return false };
    match kind {
        NumericEquals | NumericNotEquals | DateEquals | DateNotEquals => o == Equal,
        NumericLessThan | DateLessThan => o == Less,
        NumericLessThanEquals | DateLessThanEquals => o != Greater,
        NumericGreaterThan | DateGreaterThan => o == Greater,
        NumericGreaterThanEquals | DateGreaterThanEquals => o != Less,
        _ => false,
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// Parses an ISO 8601 date/time (`2025-06-01`, `2025-06-01T00:00:00Z`,
/// `2025-06-01T00:00:00.123+02:00`) or epoch seconds, to epoch milliseconds.
pub fn parse_date(v: &str) -> Option<i64> {
    let v = v.trim();
    if !v.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && !v[1..].contains('-')
    {
        let secs: f64 = v.parse().ok()?;
        return Some((secs * 1000.0) as i64);
    }
    let b = v.as_bytes();
    let num = |s: usize, n: usize| -> Option<i64> {
        let part = b.get(s..s + n)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| std::str::from_utf8(part).ok()?.parse().ok())?
    };
    let (y, mo, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
    {
        return None;
    }
    let mut ms = days_from_civil(y, mo, d) * 86_400_000;
    if b.len() == 10 {
        return Some(ms);
    }
    if !matches!(b.get(10), Some(b'T') | Some(b't') | Some(b' ')) {
        return None;
    }
    let (h, mi) = (num(11, 2)?, num(14, 2)?);
    let mut i = 16;
    let mut s = 0;
    if b.get(i) == Some(&b':') {
        s = num(17, 2)?;
        i = 19;
    }
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    ms += (h * 3600 + mi * 60 + s) * 1000;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let frac = &v[start..i];
        let digits: String = frac.chars().chain("000".chars()).take(3).collect();
        ms += digits.parse::<i64>().ok()?;
    }
    match b.get(i) {
        None => Some(ms),
        Some(b'Z') | Some(b'z') if i + 1 == b.len() => Some(ms),
        Some(&sign @ (b'+' | b'-')) => {
            let oh = num(i + 1, 2)?;
            let om = if b.get(i + 3) == Some(&b':') {
                num(i + 4, 2)?
            } else {
                num(i + 3, 2).unwrap_or(0)
            };
            let off = (oh * 60 + om) * 60_000;
            Some(if sign == b'+' { ms - off } else { ms + off })
        }
        _ => None,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::context::Mode;

    fn cond(op: &str, key: &str, vals: &[&str]) -> Condition {
        let raw: Vec<String> = vals.iter().map(|s| s.to_string()).collect();
        Condition::compile(Operator::parse(op).unwrap(), key, &raw, true)
    }

    fn ctx(pairs: &[(&str, &[&str])]) -> Context {
        let mut c = Context::new(Mode::Strict);
        for (k, v) in pairs {
            c.set_many(k, v.iter().map(|s| s.to_string()).collect());
        }
        c
    }

    /// (operator, policy values, request context, expected).
    type OpCase = (
        &'static str,
        &'static [&'static str],
        &'static [(&'static str, &'static [&'static str])],
        Tri,
    );

    // IAM User Guide, "IAM JSON policy elements: Condition operators" (each family), and
    // "Condition operator to check existence of condition keys" (Null), "...IfExists
    // condition operators", "Multivalued context keys" (ForAllValues/ForAnyValue).
    #[test]
    fn operator_table() {
        use Tri::*;
        const K: &str = "k";
        let cases: &[OpCase] = &[
            ("StringEquals", &["a"], &[(K, &["a"])], True),
            ("StringEquals", &["a"], &[(K, &["A"])], False),
            ("StringEquals", &["a"], &[], False),
            ("StringNotEquals", &["a"], &[], True),
            ("StringNotEquals", &["a", "b"], &[(K, &["b"])], False),
            ("StringNotEquals", &["a", "b"], &[(K, &["c"])], True),
            ("StringEqualsIgnoreCase", &["AbC"], &[(K, &["aBc"])], True),
            (
                "StringNotEqualsIgnoreCase",
                &["AbC"],
                &[(K, &["aBc"])],
                False,
            ),
            ("StringLike", &["app-*"], &[(K, &["app-web"])], True),
            ("StringNotLike", &["app-*"], &[(K, &["db"])], True),
            ("StringEqualsIfExists", &["dev"], &[], True),
            ("StringEqualsIfExists", &["dev"], &[(K, &["prod"])], False),
            ("NumericLessThan", &["3600"], &[(K, &["100"])], True),
            ("NumericLessThan", &["3600"], &[(K, &["7200"])], False),
            ("NumericGreaterThanEquals", &["5"], &[(K, &["5"])], True),
            ("NumericEquals", &["5"], &[(K, &["x"])], False),
            ("NumericNotEquals", &["5"], &[(K, &["6"])], True),
            (
                "DateLessThan",
                &["2030-01-01T00:00:00Z"],
                &[(K, &["2025-06-01T00:00:00Z"])],
                True,
            ),
            (
                "DateGreaterThan",
                &["2030-01-01T00:00:00Z"],
                &[(K, &["1893456000"])],
                False,
            ),
            ("DateEquals", &["2030-01-01"], &[(K, &["1893456000"])], True),
            ("Bool", &["true"], &[(K, &["true"])], True),
            ("Bool", &["true"], &[], False),
            ("BoolIfExists", &["false"], &[], True),
            ("BinaryEquals", &["QmluYXJ5"], &[(K, &["QmluYXJ5"])], True),
            (
                "IpAddress",
                &["10.0.0.0/8", "2001:db8::/32"],
                &[(K, &["10.1.2.3"])],
                True,
            ),
            (
                "IpAddress",
                &["10.0.0.0/8", "2001:db8::/32"],
                &[(K, &["2001:db8:1::5"])],
                True,
            ),
            (
                "IpAddress",
                &["10.0.0.0/8"],
                &[(K, &["192.168.1.1"])],
                False,
            ),
            (
                "NotIpAddress",
                &["10.0.0.0/8"],
                &[(K, &["192.168.1.1"])],
                True,
            ),
            (
                "IpAddress",
                &["203.0.113.7"],
                &[(K, &["203.0.113.7"])],
                True,
            ),
            (
                "ArnLike",
                &["arn:aws:iam::*:role/app-*"],
                &[(K, &["arn:aws:iam::1:role/app-web"])],
                True,
            ),
            (
                "ArnLike",
                &["arn:aws:iam::*:role/app-*"],
                &[(K, &["arn:aws:iam::1:user/app-web"])],
                False,
            ),
            (
                "ArnEquals",
                &["arn:aws:sns:us-east-1:1:t"],
                &[(K, &["arn:aws:sns:us-east-1:1:t"])],
                True,
            ),
            ("ArnNotEquals", &["arn:aws:sns:us-east-1:1:t"], &[], True),
            ("Null", &["true"], &[], True),
            ("Null", &["true"], &[(K, &["x"])], False),
            ("Null", &["false"], &[(K, &["x"])], True),
            (
                "ForAnyValue:StringEquals",
                &["env", "owner"],
                &[(K, &["owner", "foo"])],
                True,
            ),
            (
                "ForAnyValue:StringEquals",
                &["env", "owner"],
                &[(K, &["foo"])],
                False,
            ),
            ("ForAnyValue:StringEquals", &["env"], &[], False),
            (
                "ForAllValues:StringEquals",
                &["env", "owner"],
                &[(K, &["env"])],
                True,
            ),
            (
                "ForAllValues:StringEquals",
                &["env", "owner"],
                &[(K, &["env", "foo"])],
                False,
            ),
            ("ForAllValues:StringEquals", &["env"], &[], True),
            (
                "ForAllValues:StringNotEquals",
                &["x"],
                &[(K, &["a", "b"])],
                True,
            ),
            (
                "ForAnyValue:StringNotLike",
                &["a*"],
                &[(K, &["ab", "cd"])],
                True,
            ),
        ];
        for (op, vals, context, want) in cases {
            assert_eq!(
                cond(op, K, vals).eval(&ctx(context)),
                *want,
                "{op} {vals:?} {context:?}"
            );
        }
    }

    #[test]
    fn unknown_and_variables() {
        let c = cond("StringEquals", "aws:SourceVpce", &["vpce-1"]);
        assert_eq!(c.eval(&Context::new(Mode::Discovery)), Tri::Unknown);
        let v = cond(
            "StringEquals",
            "aws:PrincipalTag/team",
            &["${aws:username}"],
        );
        let mut cx = ctx(&[("aws:PrincipalTag/Team", &["alice"])]);
        assert_eq!(v.eval(&cx), Tri::False);
        cx.set("aws:username", "alice");
        assert_eq!(v.eval(&cx), Tri::True);
        assert!(Operator::parse("NullIfExists").is_err());
        assert!(Operator::parse("ForAnyValue:StringLikeIfExists").is_ok());
        assert!(Operator::parse("StringEqualz").is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_date("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_date("1970-01-01T00:00:01.5Z"), Some(1500));
        assert_eq!(parse_date("2030-01-01T00:00:00Z"), Some(1_893_456_000_000));
        assert_eq!(parse_date("nonsense"), None);
        assert_eq!(parse_date(""), None);
    }
}
