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
//! A `namespaceSelector` with requirements adds the namespaces whose labels it matches
//! (`AffinityTerm.Matches`: `Namespaces.Has(pod.Namespace) || NamespaceSelector.Matches(nsLabels)`;
//! the InterPodAffinity plugin's `mergeAffinityTermNamespacesIfNotEmpty` in
//! pkg/scheduler/framework/plugins/interpodaffinity/plugin.go lists them). Namespace labels are
//! `namespaces::NamespaceLabels`: a Namespace manifest's, and `kubernetes.io/metadata.name` on
//! every namespace. Only namespaces with modelled pods (a group's, a fixed pod's) can hold a
//! pod a term matches, so only they are evaluated; one without a manifest whose other labels
//! would decide is refused (the term's `namespaceSelector`, asking for the Namespace manifest).
//! The descheduler's `GetNamespacesFromPodAffinityTerm` (pkg/utils/predicates.go) ignores
//! `namespaceSelector`: `desched_selects` says what it matches.

use k8s_openapi::api::core::v1::{PodAffinityTerm as K8sTerm, PodSpec};
use serde::Serialize;

use super::diag::Diag;
use super::labels::{all_match, Op, Requirement};
use super::namespaces::{NamespaceLabels, Selected};
use super::{FixedPods, LabelKey, Labels};
use crate::error::{InputClass, InputError, Origin};

/// The label the Deployment controller puts on the pods of each revision.
const POD_TEMPLATE_HASH: &str = "pod-template-hash";

/// One term as read from a template, before it is resolved against the groups. Two terms are
/// equal when they mean the same (`PartialEq` below): where each was read is not compared.
#[derive(Clone, Debug)]
pub(super) struct RawTerm {
    pub key: LabelKey,
    /// `None`: no labelSelector, which matches no pod.
    pub selector: Option<Vec<Requirement>>,
    /// `namespaces`.
    pub namespaces: Vec<String>,
    /// `namespaceSelector`: the namespaces whose labels it matches (`Some(empty)`: every
    /// namespace).
    pub namespace_selector: Option<Vec<Requirement>>,
    /// Neither `namespaces` nor `namespaceSelector`: the pod's own namespace.
    pub own_namespace: bool,
    /// `pod-template-hash` among `matchLabelKeys` (`Some(true)`: the same revision only) or
    /// `mismatchLabelKeys` (`Some(false)`: every other revision).
    pub revision: Option<bool>,
    /// A preferred term's weight (0 for a required term).
    pub weight: i64,
    /// Its path from the pod spec (`affinity.podAntiAffinity.required…[0]`).
    pub field: String,
    /// Where it was read, and its path from the document's root (for errors).
    pub origin: Origin,
    pub path: String,
}

/// What a term means, not where it was read: a snapshot's pod is compared with its
/// ReplicaSet's template (`pod::differs`), and the two are different documents at different
/// paths (`spec.affinity…` against `spec.template.spec.affinity…`) even when the terms agree.
impl PartialEq for RawTerm {
    fn eq(&self, other: &Self) -> bool {
        // Spelled out whole, so that a field added to RawTerm must be placed here or left out
        // on purpose.
        let RawTerm {
            key,
            selector,
            namespaces,
            namespace_selector,
            own_namespace,
            revision,
            weight,
            field,
            origin: _,
            path: _,
        } = self;
        *key == other.key
            && *selector == other.selector
            && *namespaces == other.namespaces
            && *namespace_selector == other.namespace_selector
            && *own_namespace == other.own_namespace
            && *revision == other.revision
            && *weight == other.weight
            && *field == other.field
    }
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
    let namespace_selector = t
        .namespace_selector
        .as_ref()
        .map(|s| super::pod::label_selector(s, origin, &format!("{f}.namespaceSelector"), diag));
    let namespaces = t.namespaces.clone().unwrap_or_default();
    RawTerm {
        key: labels.key(&t.topology_key),
        selector,
        own_namespace: namespaces.is_empty() && t.namespace_selector.is_none(),
        namespaces,
        namespace_selector,
        revision,
        weight,
        field,
        origin: origin.clone(),
        path: f.to_string(),
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

/// Term `t` of a pod in namespace `ns` covers namespace `target` (the scheduler's reading):
/// its own namespace, one of `namespaces`, or one its `namespaceSelector` selects (a namespace
/// whose labels are unknown is not; `check_namespaces` refuses the term first).
fn ns_ok(t: &RawTerm, ns: &str, target: &str, namespaces: &NamespaceLabels) -> bool {
    (t.own_namespace && target == ns)
        || t.namespaces.iter().any(|n| n == target)
        || t.namespace_selector.as_ref().is_some_and(|sel| namespaces.selects(sel, target) == Selected::Yes)
}

/// Term `t` of a pod in namespace `ns` matches the fixed pods `fp` (which are of no revision
/// of any group).
fn matches_fixed(t: &RawTerm, ns: &str, fp: &FixedPods, namespaces: &NamespaceLabels) -> bool {
    ns_ok(t, ns, &fp.namespace, namespaces) && labels_ok(t, &fp.labels) && t.revision != Some(true)
}

/// Refuses a term whose `namespaceSelector` depends on the labels of a namespace in `modelled`
/// (the namespaces of the groups and fixed pods) that has no Namespace manifest.
fn check_namespaces(t: &RawTerm, modelled: &[&str], namespaces: &NamespaceLabels, diag: &mut Diag) {
    let Some(sel) = &t.namespace_selector else { return };
    let mut unknown: Vec<(&str, String)> = Vec::new();
    for &n in modelled {
        if let Selected::Unknown(key) = namespaces.selects(sel, n) {
            unknown.push((n, key));
        }
    }
    let Some((_, key)) = unknown.first() else { return };
    let names: Vec<String> = unknown.iter().map(|(n, _)| format!("{n:?}")).collect();
    let (these, it, has, manifests) = if names.len() == 1 {
        ("namespace", "its", "has", "manifest")
    } else {
        ("namespaces", "their", "have", "manifests")
    };
    let e = InputError::at(
        &t.origin,
        InputClass::DanglingReference,
        format!("{}.namespaceSelector", t.path),
        format!(
            "selects namespaces by label {key:?}, and {these} {} (with pods kbmc models) {has} no Namespace manifest among the inputs, so {it} labels other than kubernetes.io/metadata.name are unknown; include {it} v1 Namespace {manifests} (kubectl get namespace -o yaml)",
            names.join(", "),
        ),
    );
    if !diag.errors.contains(&e) {
        diag.error(e);
    }
}

/// Resolves the terms of group `own` (namespace `ns`) against every group and the fixed pods.
#[allow(clippy::too_many_arguments)]
pub(super) fn resolve(
    raw: &RawPodAffinity,
    own: usize,
    ns: &str,
    groups: &[GroupView],
    fixed_pods: &[FixedPods],
    nodes: usize,
    namespaces: &NamespaceLabels,
    diag: &mut Diag,
) -> InterPodAffinity {
    let mut modelled: Vec<&str> =
        groups.iter().map(|g| g.namespace).chain(fixed_pods.iter().map(|fp| fp.namespace.as_str())).collect();
    modelled.sort_unstable();
    modelled.dedup();
    for t in raw.required.iter().chain(&raw.required_anti).chain(&raw.preferred).chain(&raw.preferred_anti) {
        check_namespaces(t, &modelled, namespaces, diag);
    }
    let one = |t: &RawTerm| {
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
        for fp in fixed_pods.iter().filter(|fp| matches_fixed(t, ns, fp, namespaces)) {
            fixed[fp.node.index()] += fp.count;
        }
        PodAffinityTerm {
            topology_key: t.key,
            weight: t.weight,
            selects: groups
                .iter()
                .enumerate()
                .map(|(h, g)| ns_ok(t, ns, g.namespace, namespaces) && labels_ok(t, g.labels) && revision_ok(Some(h)))
                .collect(),
            desched_selects: groups
                .iter()
                .enumerate()
                .map(|(h, g)| desched_ns_ok(g.namespace) && labels_ok(t, g.labels) && revision_ok(Some(h)))
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
            if raw.required.iter().all(|t| matches_fixed(t, ns, fp, namespaces)) {
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
