//! Interned label keys and values, and the evaluation of Kubernetes selectors against static
//! labels (node selector terms against node labels, label selectors against pod template
//! labels). Selectors are evaluated once at build time; engines only see the results.

use std::collections::BTreeMap;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct LabelKey(pub u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct LabelValue(pub u32);

/// Label keys and values seen in the input, numbered in order of first appearance.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Labels {
    pub keys: Vec<String>,
    pub values: Vec<String>,
    #[serde(skip)]
    key_ids: BTreeMap<String, LabelKey>,
    #[serde(skip)]
    value_ids: BTreeMap<String, LabelValue>,
}

impl Labels {
    pub fn key(&mut self, k: &str) -> LabelKey {
        if let Some(id) = self.key_ids.get(k) {
            return *id;
        }
        let id = LabelKey(self.keys.len() as u32);
        self.keys.push(k.to_string());
        self.key_ids.insert(k.to_string(), id);
        id
    }

    pub fn value(&mut self, v: &str) -> LabelValue {
        if let Some(id) = self.value_ids.get(v) {
            return *id;
        }
        let id = LabelValue(self.values.len() as u32);
        self.values.push(v.to_string());
        self.value_ids.insert(v.to_string(), id);
        id
    }

    /// The id of key `k`, when some input has it.
    pub fn find_key(&self, k: &str) -> Option<LabelKey> {
        self.key_ids.get(k).copied()
    }

    pub fn key_name(&self, k: LabelKey) -> &str {
        &self.keys[k.0 as usize]
    }

    pub fn value_name(&self, v: LabelValue) -> &str {
        &self.values[v.0 as usize]
    }
}

/// One requirement of a selector: `key op values`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    /// Node selector only: the label's value, as an integer, is greater / less than the one value.
    Gt,
    Lt,
}

impl Op {
    /// Parses an operator; `numeric` allows Gt/Lt (node selectors only).
    pub fn parse(s: &str, numeric: bool) -> Option<Op> {
        Some(match s {
            "In" => Op::In,
            "NotIn" => Op::NotIn,
            "Exists" => Op::Exists,
            "DoesNotExist" => Op::DoesNotExist,
            "Gt" if numeric => Op::Gt,
            "Lt" if numeric => Op::Lt,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub op: Op,
    pub values: Vec<String>,
}

impl Requirement {
    /// Whether labels (looked up by `get`) satisfy the requirement, as apimachinery's
    /// `labels.Requirement.Matches` defines it.
    pub fn matches<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> bool {
        let v = get(&self.key);
        match self.op {
            Op::In => v.is_some_and(|v| self.values.iter().any(|x| x == v)),
            Op::NotIn => v.is_none_or(|v| !self.values.iter().any(|x| x == v)),
            Op::Exists => v.is_some(),
            Op::DoesNotExist => v.is_none(),
            Op::Gt | Op::Lt => {
                let (Some(v), Some(bound)) = (v, self.values.first()) else { return false };
                match (v.parse::<i64>(), bound.parse::<i64>()) {
                    (Ok(v), Ok(b)) => {
                        if self.op == Op::Gt {
                            v > b
                        } else {
                            v < b
                        }
                    }
                    _ => false,
                }
            }
        }
    }
}

/// apimachinery's `IsValidLabelValue`: empty, or at most 63 characters, alphanumeric at both
/// ends, with '-', '_' and '.' between.
pub fn is_valid_label_value(v: &str) -> bool {
    let b = v.as_bytes();
    let alnum = |c: &u8| c.is_ascii_alphanumeric();
    v.is_empty()
        || (b.len() <= 63
            && b.first().is_some_and(alnum)
            && b.last().is_some_and(alnum)
            && b.iter().all(|c| alnum(c) || matches!(c, b'-' | b'_' | b'.')))
}

/// A conjunction of requirements (a label selector, or one node selector term).
pub fn all_match<'a>(reqs: &[Requirement], get: impl Fn(&str) -> Option<&'a str> + Copy) -> bool {
    reqs.iter().all(|r| r.matches(get))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(key: &str, op: Op, values: &[&str]) -> Requirement {
        Requirement { key: key.into(), op, values: values.iter().map(|s| s.to_string()).collect() }
    }

    #[test]
    fn operators_follow_apimachinery() {
        let labels: BTreeMap<&str, &str> = [("zone", "a"), ("cores", "8")].into_iter().collect();
        let get = |k: &str| labels.get(k).copied();
        assert!(req("zone", Op::In, &["a", "b"]).matches(get));
        assert!(!req("zone", Op::NotIn, &["a"]).matches(get));
        assert!(req("missing", Op::NotIn, &["a"]).matches(get), "NotIn holds when the key is absent");
        assert!(req("zone", Op::Exists, &[]).matches(get));
        assert!(req("missing", Op::DoesNotExist, &[]).matches(get));
        assert!(req("cores", Op::Gt, &["4"]).matches(get));
        assert!(!req("cores", Op::Lt, &["4"]).matches(get));
        assert!(!req("zone", Op::Gt, &["4"]).matches(get), "non-numeric values never satisfy Gt");
        assert!(Op::parse("Gt", false).is_none());
    }

    /// apimachinery pkg/util/validation/validation_test.go TestIsValidLabelValue's valid and
    /// invalid examples.
    #[test]
    fn label_values_validate_as_apimachinery() {
        for v in ["simple", "now-with-dashes", "1-starts-with-num", "end-with-num-1", "1234", &"a".repeat(63), ""] {
            assert!(is_valid_label_value(v), "{v:?} is valid");
        }
        for v in [
            "nospecialchars%^=@",
            "Tama-nui-te-rā.is.Māori.sun",
            "\\backslashes\\are\\bad",
            "-starts-with-dash",
            "ends-with-dash-",
            ".starts.with.dot",
            "ends.with.dot.",
            &"a".repeat(64),
        ] {
            assert!(!is_valid_label_value(v), "{v:?} is invalid");
        }
    }

    #[test]
    fn interning_is_stable() {
        let mut l = Labels::default();
        let a = l.key("zone");
        let b = l.key("host");
        assert_eq!(l.key("zone"), a);
        assert_ne!(a, b);
        assert_eq!(l.key_name(b), "host");
    }
}
