//! Inter-pod affinity of a pod template: its `podAffinity` and `podAntiAffinity` terms,
//! required and preferred, read from the template and resolved against the pod groups and the
//! snapshot's fixed pods (which pods of which groups each term matches). Owns the term
//! semantics both the scheduler's InterPodAffinity plugin and the descheduler's
//! RemovePodsViolatingInterPodAntiAffinity read; it must not count pods (that is the model's).
//!
//! Upstream: kubernetes `pkg/scheduler/framework/types.go` (`newAffinityTerm`,
//! `getNamespacesFromPodAffinityTerm`, `AffinityTerm.Matches`): a term's namespaces are its
//! `namespaces`, or the pod's own namespace when that list is empty and `namespaceSelector` is
//! unset; `namespaceSelector: {}` adds every namespace; a nil `labelSelector` matches no pod.
//! The API server merges `matchLabelKeys` and `mismatchLabelKeys` into the label selector when
//! it creates the pod (`key In [the pod's value]`, `key NotIn [the pod's value]`, keys the pod
//! lacks skipped); on `pod-template-hash`, the label the Deployment controller gives each
//! revision's pods, that selects the pods of the same revision (or of every other one).
//! The descheduler's `GetNamespacesFromPodAffinityTerm` (pkg/utils/predicates.go) ignores
//! `namespaceSelector`: `desched_selects` says what it matches.
//! Refused (unmodelled, by field): a `namespaceSelector` with requirements (Namespace objects'
//! labels are not modelled).

use k8s_openapi::api::core::v1::{PodAffinityTerm as K8sTerm, PodSpec};
use serde::Serialize;

use super::build::Diag;
use super::labels::{all_match, Op, Requirement};
use super::{FixedPods, LabelKey, Labels};
use crate::error::{InputClass, InputError, Origin};

/// The label the Deployment controller puts on the pods of each revision.
const POD_TEMPLATE_HASH: &str = "pod-template-hash";

/// One term as read from a template, before it is resolved against the groups.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct RawTerm {
    pub key: LabelKey,
    /// `None`: no labelSelector, which matches no pod.
    pub selector: Option<Vec<Requirement>>,
    /// `namespaces`.
    pub namespaces: Vec<String>,
    /// `namespaceSelector: {}`: every namespace.
    pub all_namespaces: bool,
    /// Neither `namespaces` nor `namespaceSelector`: the pod's own namespace.
    pub own_namespace: bool,
    /// `pod-template-hash` among `matchLabelKeys` (`Some(true)`: the same revision only) or
    /// `mismatchLabelKeys` (`Some(false)`: every other revision).
    pub revision: Option<bool>,
    /// A preferred term's weight (0 for a required term).
    pub weight: i64,
    /// Its path from the pod spec (`affinity.podAntiAffinity.required…[0]`).
    pub field: String,
}

/// A template's inter-pod affinity as read.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct RawPodAffinity {
    pub required: Vec<RawTerm>,
    pub required_anti: Vec<RawTerm>,
    pub preferred: Vec<RawTerm>,
    pub preferred_anti: Vec<RawTerm>,
}

/// One inter-pod (anti-)affinity term of a pod group, resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PodAffinityTerm {
    pub topology_key: LabelKey,
    /// A preferred term's weight; 0 for a required term.
    pub weight: i64,
    /// Per pod group: the term matches its pods (namespace and label selector), as the
    /// scheduler matches it.
    pub selects: Vec<bool>,
    /// Per pod group, as the descheduler matches it (`namespaceSelector` ignored).
    pub desched_selects: Vec<bool>,
    /// Per node slot: the snapshot's fixed pods there that the term matches.
    pub fixed: Vec<i64>,
    /// Where the term is, from the pod spec: `affinity.podAntiAffinity.required…[0]`.
    pub field: String,
}

/// A pod group's inter-pod affinity: `podAffinity` and `podAntiAffinity`, required and
/// preferred.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct InterPodAffinity {
    pub required: Vec<PodAffinityTerm>,
    pub required_anti: Vec<PodAffinityTerm>,
    pub preferred: Vec<PodAffinityTerm>,
    pub preferred_anti: Vec<PodAffinityTerm>,
    /// Per node slot: the snapshot's fixed pods there that every required affinity term
    /// matches (what `satisfyPodAffinity` counts); empty without required terms.
    pub required_fixed: Vec<i64>,
}

impl InterPodAffinity {
    /// No term at all.
    pub fn is_empty(&self) -> bool {
        self.required.is_empty()
            && self.required_anti.is_empty()
            && self.preferred.is_empty()
            && self.preferred_anti.is_empty()
    }
}

/// Reads one term. `f` is its path (from the spec's root, for errors), `field` its path from
/// the pod spec (for traces).
#[allow(clippy::too_many_arguments)]
fn term(
    t: &K8sTerm,
    weight: i64,
    pod_labels: &[(String, String)],
    origin: &Origin,
    f: &str,
    field: String,
    labels: &mut Labels,
    diag: &mut Diag,
) -> RawTerm {
    if t.topology_key.is_empty() {
        diag.error(InputError::at(
            origin,
            InputClass::Invalid,
            format!("{f}.topologyKey"),
            "can not be empty (the API server rejects the pod)",
        ));
    }
    let mut selector =
        t.label_selector.as_ref().map(|s| super::pod::label_selector(s, origin, &format!("{f}.labelSelector"), diag));
    let mut revision = None;
    let (match_keys, mismatch_keys) =
        (t.match_label_keys.as_deref().unwrap_or_default(), t.mismatch_label_keys.as_deref().unwrap_or_default());
    if (!match_keys.is_empty() || !mismatch_keys.is_empty()) && t.label_selector.is_none() {
        diag.error(InputError::at(
            origin,
            InputClass::Invalid,
            format!("{f}.matchLabelKeys"),
            "matchLabelKeys and mismatchLabelKeys need a labelSelector (the API server rejects the pod)",
        ));
    }
    for (keys, name, op) in [(match_keys, "matchLabelKeys", Op::In), (mismatch_keys, "mismatchLabelKeys", Op::NotIn)] {
        for (i, k) in keys.iter().enumerate() {
            if name == "matchLabelKeys" && mismatch_keys.contains(k) {
                diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    format!("{f}.{name}[{i}]"),
                    format!("{k:?} is in both matchLabelKeys and mismatchLabelKeys (the API server rejects the pod)"),
                ));
                continue;
            }
            if k == POD_TEMPLATE_HASH {
                revision = Some(op == Op::In);
            } else if let Some((_, v)) = pod_labels.iter().find(|(lk, _)| lk == k) {
                if let Some(sel) = selector.as_mut() {
                    sel.push(Requirement { key: k.clone(), op: op.clone(), values: vec![v.clone()] });
                }
            }
        }
    }
    let all_namespaces = match &t.namespace_selector {
        None => false,
        Some(s)
            if s.match_labels.as_ref().is_none_or(|m| m.is_empty())
                && s.match_expressions.as_ref().is_none_or(|e| e.is_empty()) =>
        {
            true
        }
        Some(_) => {
            diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                format!("{f}.namespaceSelector"),
                "a namespaceSelector with requirements selects namespaces by their labels, which are not modelled (use namespaces, or namespaceSelector: {} for all)",
            ));
            false
        }
    };
    let namespaces = t.namespaces.clone().unwrap_or_default();
    RawTerm {
        key: labels.key(&t.topology_key),
        selector,
        own_namespace: namespaces.is_empty() && t.namespace_selector.is_none(),
        namespaces,
        all_namespaces,
        revision,
        weight,
        field,
    }
}

/// Reads a template's `affinity.podAffinity` and `affinity.podAntiAffinity`. `s` is the pod
/// spec's path.
pub(super) fn read(
    spec: &PodSpec,
    pod_labels: &[(String, String)],
    origin: &Origin,
    s: &str,
    labels: &mut Labels,
    diag: &mut Diag,
) -> RawPodAffinity {
    let mut out = RawPodAffinity::default();
    let Some(a) = &spec.affinity else { return out };
    const REQ: &str = "requiredDuringSchedulingIgnoredDuringExecution";
    const PREF: &str = "preferredDuringSchedulingIgnoredDuringExecution";
    let sides = [
        (
            "podAffinity",
            a.pod_affinity.as_ref().map(|p| {
                (
                    &p.required_during_scheduling_ignored_during_execution,
                    &p.preferred_during_scheduling_ignored_during_execution,
                )
            }),
        ),
        (
            "podAntiAffinity",
            a.pod_anti_affinity.as_ref().map(|p| {
                (
                    &p.required_during_scheduling_ignored_during_execution,
                    &p.preferred_during_scheduling_ignored_during_execution,
                )
            }),
        ),
    ];
    for (side, terms) in sides {
        let Some((required, preferred)) = terms else { continue };
        let mut req = Vec::new();
        for (i, t) in required.iter().flatten().enumerate() {
            let field = format!("affinity.{side}.{REQ}[{i}]");
            req.push(term(t, 0, pod_labels, origin, &format!("{s}.{field}"), field, labels, diag));
        }
        let mut pref = Vec::new();
        for (i, w) in preferred.iter().flatten().enumerate() {
            let field = format!("affinity.{side}.{PREF}[{i}]");
            let f = format!("{s}.{field}");
            if !(1..=100).contains(&w.weight) {
                diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    format!("{f}.weight"),
                    format!("weight {} out of range; expected 1..100", w.weight),
                ));
            }
            pref.push(term(
                &w.pod_affinity_term,
                w.weight as i64,
                pod_labels,
                origin,
                &format!("{f}.podAffinityTerm"),
                field,
                labels,
                diag,
            ));
        }
        if side == "podAffinity" {
            (out.required, out.preferred) = (req, pref);
        } else {
            (out.required_anti, out.preferred_anti) = (req, pref);
        }
    }
    out
}

/// What resolving needs of each pod group: its namespace and its pods' labels.
pub(super) struct GroupView<'a> {
    pub namespace: &'a str,
    pub labels: &'a [(String, String)],
}

fn label_of<'a>(labels: &'a [(String, String)], k: &str) -> Option<&'a str> {
    labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str())
}

fn labels_ok(t: &RawTerm, l: &[(String, String)]) -> bool {
    t.selector.as_ref().is_some_and(|sel| all_match(sel, |k| label_of(l, k)))
}

/// Term `t` of a pod in namespace `ns` covers namespace `target` (the scheduler's reading).
fn ns_ok(t: &RawTerm, ns: &str, target: &str) -> bool {
    (t.own_namespace && target == ns) || t.namespaces.iter().any(|n| n == target) || t.all_namespaces
}

/// Term `t` of a pod in namespace `ns` matches the fixed pods `fp` (which are of no revision
/// of any group).
fn matches_fixed(t: &RawTerm, ns: &str, fp: &FixedPods) -> bool {
    ns_ok(t, ns, &fp.namespace) && labels_ok(t, &fp.labels) && t.revision != Some(true)
}

/// Resolves the terms of group `own` (namespace `ns`) against every group and the fixed pods.
pub(super) fn resolve(
    raw: &RawPodAffinity,
    own: usize,
    ns: &str,
    groups: &[GroupView],
    fixed_pods: &[FixedPods],
    nodes: usize,
) -> InterPodAffinity {
    let one = |t: &RawTerm| {
        let labels_ok =
            |l: &[(String, String)]| t.selector.as_ref().is_some_and(|sel| all_match(sel, |k| label_of(l, k)));
        let ns_ok = |target: &str| {
            (t.own_namespace && target == ns) || t.namespaces.iter().any(|n| n == target) || t.all_namespaces
        };
        let desched_ns_ok = |target: &str| {
            if t.namespaces.is_empty() {
                target == ns
            } else {
                t.namespaces.iter().any(|n| n == target)
            }
        };
        let revision_ok = |h: Option<usize>| match t.revision {
            None => true,
            Some(same) => (h == Some(own)) == same,
        };
        let mut fixed = vec![0; nodes];
        for fp in fixed_pods.iter().filter(|fp| matches_fixed(t, ns, fp)) {
            fixed[fp.node.index()] += fp.count;
        }
        PodAffinityTerm {
            topology_key: t.key,
            weight: t.weight,
            selects: groups
                .iter()
                .enumerate()
                .map(|(h, g)| ns_ok(g.namespace) && labels_ok(g.labels) && revision_ok(Some(h)))
                .collect(),
            desched_selects: groups
                .iter()
                .enumerate()
                .map(|(h, g)| desched_ns_ok(g.namespace) && labels_ok(g.labels) && revision_ok(Some(h)))
                .collect(),
            fixed,
            field: t.field.clone(),
        }
    };
    let required_fixed = if raw.required.is_empty() {
        Vec::new()
    } else {
        let mut per_node = vec![0; nodes];
        for fp in fixed_pods {
            if raw.required.iter().all(|t| matches_fixed(t, ns, fp)) {
                per_node[fp.node.index()] += fp.count;
            }
        }
        per_node
    };
    InterPodAffinity {
        required_fixed,
        required: raw.required.iter().map(one).collect(),
        required_anti: raw.required_anti.iter().map(one).collect(),
        preferred: raw.preferred.iter().map(one).collect(),
        preferred_anti: raw.preferred_anti.iter().map(one).collect(),
    }
}
