//! Pod templates -> pod groups: effective requests, and the static scheduling facts of a
//! template against every node (NodeName, nodeSelector and node affinity, taints and
//! tolerations) and its topology spread constraints (inter-pod affinity is read by
//! `affinity.rs`). Also the list of pod-spec fields that
//! would change behaviour but are not modelled, and what the API server refuses in a
//! template that kbmc would otherwise misread (duplicate container names, a request above
//! its limit).

use k8s_openapi::api::core::v1::{
    NodeAffinity, NodeSelectorTerm, PodSpec, PodTemplateSpec, Toleration, TopologySpreadConstraint,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use super::diag::Diag;
use super::labels::{all_match, is_valid_label_value, Op, Requirement};
use super::{Effect, LabelKey, Labels, MetricRequests, Node, Placement, Qos, Resources, Taint};
use crate::error::{InputClass, InputError, Origin};
use crate::manifest::quantity::Quantity;

/// A node selector requirement: on a label, or on the field `metadata.name`; or one that
/// upstream fails to parse, which makes its term match no node.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum NodeReq {
    Label(Requirement),
    Name(Requirement),
    /// A value that is no valid label value (or, for Gt and Lt, no integer):
    /// apimachinery's `labels.NewRequirement` refuses it, so component-helpers'
    /// `nodeaffinity` keeps the term's parse error and the term matches nothing (the other
    /// terms still can). The API server admits such a pod: its validation of node selector
    /// requirements checks keys, operators and the number of values, not the values.
    Unparsable,
}

/// A spread constraint before it is resolved against groups.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct RawSpread {
    pub max_skew: i64,
    pub key: LabelKey,
    pub hard: bool,
    pub min_domains: Option<i64>,
    pub honor_node_affinity: bool,
    pub honor_node_taints: bool,
    /// `None` for a system default constraint (it selects the pods of the same ReplicaSet).
    pub selector: Option<Vec<Requirement>>,
}

/// Which of CPU and memory the requests of `spec`'s containers and init containers name,
/// limits included (the API server copies a limit to an absent request).
fn request_names(spec: &k8s_openapi::api::core::v1::PodSpec) -> super::RequestNames {
    let names = |name: &str| {
        spec.containers.iter().chain(spec.init_containers.iter().flatten()).any(|c| {
            c.resources.as_ref().is_some_and(|r| {
                r.requests.as_ref().is_some_and(|m| m.contains_key(name))
                    || r.limits.as_ref().is_some_and(|m| m.contains_key(name))
            })
        })
    };
    super::RequestNames { cpu: names("cpu"), memory: names("memory") }
}

/// The cluster autoscaler's per-pod override of its drainability rules
/// (simulator/drainability/rules/safetoevict and notsafetoevict).
pub const SAFE_TO_EVICT: &str = "cluster-autoscaler.kubernetes.io/safe-to-evict";

/// Everything read from one pod template that does not depend on the nodes.
#[derive(Clone, Debug)]
pub(super) struct TemplateFacts {
    pub labels: Vec<(String, String)>,
    pub requests: Resources,
    /// The requests NodeResourcesFit scoring counts (see `PodGroup::score_requests`).
    pub score_requests: Resources,
    pub metric_requests: MetricRequests,
    pub node_name: Option<String>,
    pub node_selector: Vec<Requirement>,
    /// `None`: no required node affinity. Terms are ORed, requirements inside a term ANDed.
    pub required_terms: Option<Vec<Vec<NodeReq>>>,
    pub preferred_terms: Vec<(i64, Vec<NodeReq>)>,
    /// The resources the pod's requests name (see `PodGroup::request_names`).
    pub request_names: super::RequestNames,
    /// `spec.nodeSelector` or `spec.affinity.nodeAffinity` is set (see
    /// `PodGroup::selector_or_affinity`).
    pub selector_or_affinity: bool,
    pub tolerations: Vec<Toleration>,
    pub spread: Vec<RawSpread>,
    /// `podAffinity` and `podAntiAffinity` (see `affinity.rs`).
    pub pod_affinity: super::affinity::RawPodAffinity,
    pub local_storage: bool,
    pub pvc: bool,
    pub qos: Qos,
    /// `spec.priorityClassName`, `spec.priority` and `spec.preemptionPolicy` as written: the
    /// build resolves them against the PriorityClasses (`build/priority.rs`).
    pub priority_class: Option<String>,
    pub priority: Option<i32>,
    pub preemption_policy: Option<String>,
    /// The `cluster-autoscaler.kubernetes.io/safe-to-evict` annotation, when "true" or "false".
    pub safe_to_evict: Option<bool>,
}

/// Parses `matchExpressions` (key, operator, values) into requirements; `numeric` allows the
/// node selectors' Gt and Lt. `field` is the path of the list.
fn expressions<'a>(
    exprs: impl Iterator<Item = (&'a str, &'a str, Option<&'a Vec<String>>)>,
    numeric: bool,
    origin: &Origin,
    field: &str,
    diag: &mut Diag,
) -> Vec<Requirement> {
    let expected =
        if numeric { "In, NotIn, Exists, DoesNotExist, Gt or Lt" } else { "In, NotIn, Exists or DoesNotExist" };
    let mut out = Vec::new();
    for (i, (key, operator, values)) in exprs.enumerate() {
        match Op::parse(operator, numeric) {
            Some(op) => out.push(Requirement { key: key.to_string(), op, values: values.cloned().unwrap_or_default() }),
            None => diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                format!("{field}[{i}].operator"),
                format!("unknown operator {operator:?}; expected {expected}"),
            )),
        }
    }
    out
}

/// Converts a metav1.LabelSelector into requirements. `field` locates errors.
pub(super) fn label_selector(sel: &LabelSelector, origin: &Origin, field: &str, diag: &mut Diag) -> Vec<Requirement> {
    let mut out: Vec<Requirement> = sel
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| Requirement { key: k.clone(), op: Op::In, values: vec![v.clone()] })
        .collect();
    let exprs =
        sel.match_expressions.iter().flatten().map(|e| (e.key.as_str(), e.operator.as_str(), e.values.as_ref()));
    out.extend(expressions(exprs, false, origin, &format!("{field}.matchExpressions"), diag));
    out
}

/// Parses a node selector term (`field` is its path). Errors are what the API server rejects
/// in a pod spec (ValidateNodeSelectorRequirement, ValidateNodeFieldSelectorRequirement):
/// unknown operators, In/NotIn without values, Exists/DoesNotExist with values, Gt/Lt
/// without exactly one value, matchFields other than one `metadata.name` value. Values the
/// API server admits but the scheduler cannot parse give [`NodeReq::Unparsable`].
pub(super) fn node_term(term: &NodeSelectorTerm, origin: &Origin, field: &str, diag: &mut Diag) -> Vec<NodeReq> {
    let exprs =
        term.match_expressions.iter().flatten().map(|e| (e.key.as_str(), e.operator.as_str(), e.values.as_ref()));
    let mut out: Vec<NodeReq> = expressions(exprs, true, origin, &format!("{field}.matchExpressions"), diag)
        .into_iter()
        .map(NodeReq::Label)
        .collect();
    let mut unparsable = false;
    for (i, e) in term.match_expressions.iter().flatten().enumerate() {
        let f = format!("{field}.matchExpressions[{i}].values");
        let values = e.values.as_deref().unwrap_or_default();
        let count_error = match e.operator.as_str() {
            "In" | "NotIn" if values.is_empty() => Some("required when operator is In or NotIn"),
            "Exists" | "DoesNotExist" if !values.is_empty() => {
                Some("not allowed when operator is Exists or DoesNotExist")
            }
            "Gt" | "Lt" if values.len() != 1 => Some("exactly one value is required when operator is Gt or Lt"),
            _ => None,
        };
        if let Some(why) = count_error {
            diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                f,
                format!("{why} (the API server rejects the pod)"),
            ));
            continue;
        }
        let numeric = matches!(e.operator.as_str(), "Gt" | "Lt");
        if values.iter().any(|v| !is_valid_label_value(v) || (numeric && v.parse::<i64>().is_err())) {
            unparsable = true;
        }
    }
    if unparsable {
        out.push(NodeReq::Unparsable);
    }
    for (i, e) in term.match_fields.iter().flatten().enumerate() {
        let f = format!("{field}.matchFields[{i}]");
        if e.key != "metadata.name" {
            diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                format!("{f}.key"),
                format!("unsupported field {:?}; Kubernetes allows only metadata.name", e.key),
            ));
            continue;
        }
        match Op::parse(&e.operator, false).filter(|o| matches!(o, Op::In | Op::NotIn)) {
            Some(_) if e.values.as_ref().is_none_or(|v| v.len() != 1) => diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                format!("{f}.values"),
                "exactly one value is required for a node field selector (the API server rejects the pod)",
            )),
            Some(op) => out.push(NodeReq::Name(Requirement {
                key: e.key.clone(),
                op,
                values: e.values.clone().unwrap_or_default(),
            })),
            None => diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                format!("{f}.operator"),
                format!("unsupported operator {:?}; expected In or NotIn", e.operator),
            )),
        }
    }
    out
}

/// Whether `node` satisfies a node selector term. An empty term matches no node (apimachinery).
pub(super) fn term_matches(term: &[NodeReq], node: &Node, labels: &Labels) -> bool {
    if term.is_empty() {
        return false;
    }
    term.iter().all(|r| match r {
        NodeReq::Label(req) => req.matches(|k| node_label(node, labels, k)),
        NodeReq::Name(req) => req.matches(|_| Some(node.name.as_str())),
        NodeReq::Unparsable => false,
    })
}

pub(super) fn node_label<'a>(node: &Node, labels: &'a Labels, key: &str) -> Option<&'a str> {
    node.labels.iter().find(|(k, _)| labels.key_name(*k) == key).map(|(_, v)| labels.value_name(*v))
}

/// Whether a toleration tolerates a taint (core/v1 `Toleration.ToleratesTaint`).
pub(super) fn tolerates(t: &Toleration, taint: &Taint) -> bool {
    let effect_ok = match t.effect.as_deref() {
        None | Some("") => true,
        Some(e) => e == effect_name(&taint.effect),
    };
    if !effect_ok {
        return false;
    }
    let key = t.key.as_deref().unwrap_or("");
    if !key.is_empty() && key != taint.key {
        return false;
    }
    match t.operator.as_deref() {
        Some("Exists") => true,
        None | Some("") | Some("Equal") => t.value.as_deref().unwrap_or("") == taint.value,
        _ => false,
    }
}

pub(super) fn effect_name(e: &Effect) -> &'static str {
    match e {
        Effect::NoSchedule => "NoSchedule",
        Effect::PreferNoSchedule => "PreferNoSchedule",
        Effect::NoExecute => "NoExecute",
    }
}

pub(super) fn parse_effect(s: &str) -> Option<Effect> {
    Some(match s {
        "NoSchedule" => Effect::NoSchedule,
        "PreferNoSchedule" => Effect::PreferNoSchedule,
        "NoExecute" => Effect::NoExecute,
        _ => return None,
    })
}

/// Scoring's stand-in for a container's unset CPU request: 100m
/// (pkg/scheduler/util `DefaultMilliCPURequest`).
const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
/// Scoring's stand-in for a container's unset memory request: 200Mi in bytes
/// (`DefaultMemoryRequest`).
const DEFAULT_MEMORY_REQUEST: i64 = 200 * 1024 * 1024;

/// A container's (or init container's) requests, with limits standing in for absent
/// requests as the API server defaults them; and the same as NodeResourcesFit scoring counts
/// them, where a resource the container does not set at all (neither request nor limit)
/// counts as 100m CPU or 200Mi memory, and one set explicitly, to 0 too, counts as set
/// (component-helpers resource `PodRequests` with `NonMissingContainerRequests`, applied per
/// container by `applyNonMissing`, as `GetNonzeroRequests` does).
fn container_requests(
    c: &k8s_openapi::api::core::v1::Container,
    origin: &Origin,
    field: &str,
    diag: &mut Diag,
) -> (Resources, Resources) {
    let mut r = Resources::default();
    let mut scored = Resources { cpu_milli: DEFAULT_MILLI_CPU_REQUEST, memory: DEFAULT_MEMORY_REQUEST, pods: 0 };
    let Some(res) = &c.resources else { return (r, scored) };
    // The API server's ValidateResourceRequirements: a request above its limit is refused
    // (`must be less than or equal to cpu limit`), whatever the resource.
    for (name, request) in res.requests.iter().flatten() {
        let Some(limit) = res.limits.as_ref().and_then(|m| m.get(name)) else { continue };
        let (Ok(rq), Ok(lq)) = (Quantity::parse(&request.0), Quantity::parse(&limit.0)) else { continue };
        if rq.cmp_exact(&lq) == Some(std::cmp::Ordering::Greater) {
            diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                format!("{field}.resources.requests.{name}"),
                format!(
                    "request {:?} is above the {name} limit {:?} ({field}.resources.limits.{name}); the API server requires a request less than or equal to its limit",
                    request.0, limit.0
                ),
            ));
        }
    }
    let mut names: Vec<&String> = res.requests.iter().flatten().map(|(k, _)| k).collect();
    for (k, _) in res.limits.iter().flatten() {
        if !names.contains(&k) {
            names.push(k);
        }
    }
    for name in names {
        let (q, f) = match res.requests.as_ref().and_then(|m| m.get(name)) {
            Some(q) => (q, format!("{field}.resources.requests.{name}")),
            None => (&res.limits.as_ref().unwrap()[name], format!("{field}.resources.limits.{name}")),
        };
        match name.as_str() {
            "cpu" | "memory" => {
                let parsed = Quantity::parse(&q.0).and_then(|p| {
                    if p.is_negative() {
                        Err(crate::manifest::quantity::QuantityError(format!("negative quantity {:?}", q.0)))
                    } else if name == "cpu" {
                        p.milli_value()
                    } else {
                        p.value()
                    }
                });
                match parsed {
                    Ok(v) if name == "cpu" => r.cpu_milli = v,
                    Ok(v) => r.memory = v,
                    Err(e) => diag.error(InputError::at(origin, InputClass::BadQuantity, f, e.0)),
                }
                if name == "cpu" {
                    scored.cpu_milli = r.cpu_milli;
                } else {
                    scored.memory = r.memory;
                }
            }
            other => diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                f,
                format!("resource {other:?} is not modelled (only cpu and memory are); the NodeResourcesFit check for it is skipped"),
            )),
        }
    }
    (r, scored)
}

/// Pod annotations the descheduler's DefaultEvictor reads: `evict` makes a pod evictable
/// whatever the other checks say, `prefer-no-eviction` is what `noEvictionPolicy` acts on
/// (descheduler pkg/framework/plugins/defaultevictor).
const DESCHEDULER_ANNOTATIONS: [&str; 2] =
    ["descheduler.alpha.kubernetes.io/evict", "descheduler.alpha.kubernetes.io/prefer-no-eviction"];

/// Reads a pod template (`prefix` is its field path, e.g. `spec.template`): reports what is
/// not modelled and what the API server refuses, then reads requests, node selection,
/// tolerations, spread constraints, inter-pod affinity and volumes, in that order (the
/// order of the messages).
pub(super) fn template_facts(
    t: &PodTemplateSpec,
    origin: &Origin,
    prefix: &str,
    labels: &mut Labels,
    diag: &mut Diag,
) -> Option<TemplateFacts> {
    let Some(spec) = &t.spec else {
        diag.error(InputError::at(origin, InputClass::MissingOrMistyped, format!("{prefix}.spec"), "missing pod spec"));
        return None;
    };
    let s = format!("{prefix}.spec");
    let pod_labels: Vec<(String, String)> =
        t.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default().into_iter().collect();
    let mut unmodeled = Unmodeled { origin, diag };
    unmodeled_placement_fields(spec, &s, &mut unmodeled);
    unmodeled_lifecycle_fields(spec, &s, &mut unmodeled);
    unmodeled_volumes(spec, &s, &mut unmodeled);
    unmodeled_metadata(t.metadata.as_ref(), prefix, &mut unmodeled);
    unmodeled_containers_and_spread(spec, &s, &mut unmodeled);
    unique_container_names(spec, origin, &s, diag);
    let requests = pod_requests(spec, origin, &s, diag);
    let node_selector = spec
        .node_selector
        .iter()
        .flatten()
        .map(|(k, v)| Requirement { key: k.clone(), op: Op::In, values: vec![v.clone()] })
        .collect();
    let na = spec.affinity.as_ref().and_then(|a| a.node_affinity.as_ref());
    let naf = format!("{s}.affinity.nodeAffinity");
    let required_terms = required_node_terms(na, origin, &naf, diag);
    let preferred_terms = preferred_node_terms(na, origin, &naf, diag);
    let tolerations: Vec<Toleration> = spec.tolerations.clone().unwrap_or_default();
    for (i, toleration) in tolerations.iter().enumerate() {
        let f = format!("{s}.tolerations[{i}]");
        validate_toleration(toleration, origin, &f, diag);
        unmodeled_toleration(toleration, origin, &f, diag);
    }
    let spread = spread_constraints(spec, origin, &s, labels, diag);
    let pod_affinity = super::affinity::read(spec, &pod_labels, origin, &s, labels, diag);
    let volumes = spec.volumes.iter().flatten();
    let local_storage = volumes.clone().any(|v| v.empty_dir.is_some() || v.host_path.is_some());
    let pvc = volumes.clone().any(|v| v.persistent_volume_claim.is_some());

    Some(TemplateFacts {
        labels: pod_labels,
        requests: requests.requests,
        score_requests: requests.score_requests,
        metric_requests: requests.metric_requests,
        node_name: spec.node_name.clone(),
        node_selector,
        required_terms,
        preferred_terms,
        selector_or_affinity: spec.node_selector.is_some() || na.is_some(),
        request_names: request_names(spec),
        tolerations,
        spread,
        pod_affinity,
        local_storage,
        pvc,
        qos: qos_class(spec),
        priority_class: spec.priority_class_name.clone().filter(|c| !c.is_empty()),
        priority: spec.priority,
        preemption_policy: spec.preemption_policy.clone(),
        safe_to_evict: safe_to_evict(t),
    })
}

/// Where a template's unmodelled fields are reported: each one changes placement or eviction
/// in Kubernetes, so it is an error unless `--allow-unmodeled` demotes it.
struct Unmodeled<'a> {
    origin: &'a Origin,
    diag: &'a mut Diag,
}

impl Unmodeled<'_> {
    fn report(&mut self, field: String, why: &str) {
        self.diag.unmodeled(InputError::at(self.origin, InputClass::Unmodeled, field, why.to_string()));
    }
}

/// Reports the unmodelled fields that change where a pod fits: another scheduler, pod
/// overhead and pod-level resources, resource claims, and host ports (`s` is the spec's path).
fn unmodeled_placement_fields(spec: &PodSpec, s: &str, u: &mut Unmodeled) {
    if let Some(n) = &spec.scheduler_name {
        if n != "default-scheduler" {
            u.report(format!("{s}.schedulerName"), "only the default scheduler is modelled");
        }
    }
    if spec.overhead.is_some() {
        u.report(format!("{s}.overhead"), "pod overhead is not modelled");
    }
    if spec.resources.is_some() {
        u.report(format!("{s}.resources"), "pod-level resources are not modelled; put requests on containers");
    }
    if spec.resource_claims.as_ref().is_some_and(|c| !c.is_empty()) {
        u.report(format!("{s}.resourceClaims"), "dynamic resource allocation is not modelled");
    }
    for (i, c) in spec.containers.iter().enumerate() {
        for (j, p) in c.ports.iter().flatten().enumerate() {
            if p.host_port.is_some() {
                u.report(
                    format!("{s}.containers[{i}].ports[{j}].hostPort"),
                    "host ports (NodePorts filter) are not modelled",
                );
            }
        }
    }
    if spec.host_network == Some(true)
        && spec.containers.iter().any(|c| c.ports.as_ref().is_some_and(|p| !p.is_empty()))
    {
        // The API server defaults each container port's hostPort to its containerPort on the
        // host network (core/v1 defaults, SetDefaults_PodSpec).
        u.report(
            format!("{s}.hostNetwork"),
            "on the host network every container port is a host port, and host ports (NodePorts filter) are not modelled",
        );
    }
}

/// Reports the unmodelled fields that change when a pod is scheduled, evicted or runs at
/// all: scheduling gates and groups, eviction responders, a RuntimeClass, another operating
/// system.
fn unmodeled_lifecycle_fields(spec: &PodSpec, s: &str, u: &mut Unmodeled) {
    if spec.scheduling_gates.as_ref().is_some_and(|g| !g.is_empty()) {
        u.report(
            format!("{s}.schedulingGates"),
            "scheduling gates keep the pods unscheduled until removed; they are not modelled",
        );
    }
    if spec.scheduling_group.is_some() {
        u.report(format!("{s}.schedulingGroup"), "group (gang) scheduling is not modelled");
    }
    if spec.eviction_responders.as_ref().is_some_and(|r| !r.is_empty()) {
        u.report(
            format!("{s}.evictionResponders"),
            "eviction responders (EvictionRequests) are not modelled; evictions are immediate",
        );
    }
    if spec.runtime_class_name.is_some() {
        u.report(
            format!("{s}.runtimeClassName"),
            "a RuntimeClass's pod overhead and scheduling (node selector, tolerations) are not modelled",
        );
    }
    if let Some(os) = spec.os.as_ref().filter(|o| o.name != "linux") {
        u.report(
            format!("{s}.os.name"),
            &format!("pods for {:?}: the kubelet refuses a pod for another operating system, and kbmc's nodes are not told apart by theirs", os.name),
        );
    }
}

/// Reports each volume source the scheduler's volume plugins act on.
fn unmodeled_volumes(spec: &PodSpec, s: &str, u: &mut Unmodeled) {
    for (i, v) in spec.volumes.iter().flatten().enumerate() {
        let scheduled = [
            ("awsElasticBlockStore", v.aws_elastic_block_store.is_some()),
            ("azureDisk", v.azure_disk.is_some()),
            ("cinder", v.cinder.is_some()),
            ("csi", v.csi.is_some()),
            ("ephemeral", v.ephemeral.is_some()),
            ("gcePersistentDisk", v.gce_persistent_disk.is_some()),
            ("iscsi", v.iscsi.is_some()),
            ("portworxVolume", v.portworx_volume.is_some()),
            ("rbd", v.rbd.is_some()),
            ("vsphereVolume", v.vsphere_volume.is_some()),
        ];
        for (name, _) in scheduled.iter().filter(|(_, set)| *set) {
            u.report(
                format!("{s}.volumes[{i}].{name}"),
                "the scheduler's volume plugins (VolumeRestrictions, NodeVolumeLimits, VolumeBinding) act on this volume; they are not modelled",
            );
        }
    }
}

/// Reports the template metadata that is not modelled: finalizers and the descheduler's
/// annotations.
fn unmodeled_metadata(meta: Option<&ObjectMeta>, prefix: &str, u: &mut Unmodeled) {
    if meta.and_then(|m| m.finalizers.as_ref()).is_some_and(|f| !f.is_empty()) {
        // Copied to every pod (controller_utils GetPodFromTemplate).
        u.report(
            format!("{prefix}.metadata.finalizers"),
            "finalizers keep deleted pods until something removes them; not modelled",
        );
    }
    let annotations = meta.and_then(|m| m.annotations.as_ref());
    for key in DESCHEDULER_ANNOTATIONS {
        if annotations.is_some_and(|a| a.contains_key(key)) {
            u.report(
                format!("{prefix}.metadata.annotations.{key}"),
                "the descheduler's evict and prefer-no-eviction annotations are not modelled",
            );
        }
    }
}

/// Reports sidecar containers and spread constraints' `matchLabelKeys`.
fn unmodeled_containers_and_spread(spec: &PodSpec, s: &str, u: &mut Unmodeled) {
    for (i, c) in spec.init_containers.iter().flatten().enumerate() {
        if c.restart_policy.as_deref() == Some("Always") {
            u.report(format!("{s}.initContainers[{i}].restartPolicy"), "sidecar containers' requests are not modelled");
        }
    }
    for (i, c) in spec.topology_spread_constraints.iter().flatten().enumerate() {
        if c.match_label_keys.as_ref().is_some_and(|k| !k.is_empty()) {
            u.report(format!("{s}.topologySpreadConstraints[{i}].matchLabelKeys"), "matchLabelKeys is not modelled");
        }
    }
}

/// The API server's ValidatePodSpec: container names are unique over the containers and
/// the init containers together (an init container is checked against every container
/// and the init containers before it). kbmc would otherwise sum both into the requests.
fn unique_container_names(spec: &PodSpec, origin: &Origin, s: &str, diag: &mut Diag) {
    let mut names: Vec<(&str, String)> = Vec::new();
    let init = spec.init_containers.as_deref().unwrap_or_default();
    for (list, containers) in [("containers", &spec.containers[..]), ("initContainers", init)] {
        for (i, c) in containers.iter().enumerate() {
            let f = format!("{s}.{list}[{i}]");
            match names.iter().find(|(n, _)| *n == c.name) {
                Some((_, first)) => diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    format!("{f}.name"),
                    format!(
                        "duplicate container name {:?} (also {}.name); the API server requires the names of a pod's containers and init containers to be unique",
                        c.name,
                        first.trim_start_matches('.')
                    ),
                )),
                None => names.push((&c.name, f)),
            }
        }
    }
}

/// A pod's requests three ways: as the API server and the scheduler's filter sum them, as
/// NodeResourcesFit scoring counts them, and as the HPA divides usage by them.
struct PodRequests {
    requests: Resources,
    score_requests: Resources,
    metric_requests: MetricRequests,
}

/// Sums a pod's requests: the containers' added up, at least the largest init container's
/// (Kubernetes' effective request). The HPA's metric requests count the app containers only,
/// and are `None` for a resource one of them does not declare.
fn pod_requests(spec: &PodSpec, origin: &Origin, s: &str, diag: &mut Diag) -> PodRequests {
    let mut requests = Resources::default();
    let mut score_requests = Resources::default();
    let mut metric_requests = MetricRequests { cpu_milli: Some(0), memory: Some(0) };
    for (i, c) in spec.containers.iter().enumerate() {
        let (r, scored) = container_requests(c, origin, &format!("{s}.containers[{i}]"), diag);
        requests.cpu_milli += r.cpu_milli;
        score_requests.cpu_milli += scored.cpu_milli;
        score_requests.memory = score_requests.memory.saturating_add(scored.memory);
        // Saturating: a sum beyond i64 is refused later (Builder::memory_magnitudes).
        requests.memory = requests.memory.saturating_add(r.memory);
        let declares = |name: &str| {
            c.resources.as_ref().is_some_and(|res| {
                res.requests.as_ref().is_some_and(|m| m.contains_key(name))
                    || res.limits.as_ref().is_some_and(|m| m.contains_key(name))
            })
        };
        metric_requests.cpu_milli = metric_requests.cpu_milli.filter(|_| declares("cpu")).map(|v| v + r.cpu_milli);
        metric_requests.memory =
            metric_requests.memory.filter(|_| declares("memory")).map(|v| v.saturating_add(r.memory));
    }
    for (i, c) in spec.init_containers.iter().flatten().enumerate() {
        let (r, scored) = container_requests(c, origin, &format!("{s}.initContainers[{i}]"), diag);
        requests.cpu_milli = requests.cpu_milli.max(r.cpu_milli);
        requests.memory = requests.memory.max(r.memory);
        score_requests.cpu_milli = score_requests.cpu_milli.max(scored.cpu_milli);
        score_requests.memory = score_requests.memory.max(scored.memory);
    }
    requests.pods = 1;
    score_requests.pods = 1;
    PodRequests { requests, score_requests, metric_requests }
}

/// The required node affinity's terms (`naf` is the path of `nodeAffinity`), or `None`
/// when there is none.
fn required_node_terms(
    na: Option<&NodeAffinity>,
    origin: &Origin,
    naf: &str,
    diag: &mut Diag,
) -> Option<Vec<Vec<NodeReq>>> {
    na.and_then(|n| n.required_during_scheduling_ignored_during_execution.as_ref()).map(|sel| {
        sel.node_selector_terms
            .iter()
            .enumerate()
            .map(|(i, t)| {
                node_term(
                    t,
                    origin,
                    &format!("{naf}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[{i}]"),
                    diag,
                )
            })
            .collect()
    })
}

/// The preferred node affinity's weighted terms (`naf` is the path of `nodeAffinity`). A
/// weight outside 1..100 is an error; a term that fails to parse is unmodelled.
fn preferred_node_terms(
    na: Option<&NodeAffinity>,
    origin: &Origin,
    naf: &str,
    diag: &mut Diag,
) -> Vec<(i64, Vec<NodeReq>)> {
    na.and_then(|n| n.preferred_during_scheduling_ignored_during_execution.as_ref())
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, p)| {
            let f = format!("{naf}.preferredDuringSchedulingIgnoredDuringExecution[{i}]");
            if !(1..=100).contains(&p.weight) {
                diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    format!("{f}.weight"),
                    format!("weight {} out of range; expected 1..100", p.weight),
                ));
            }
            let term = node_term(&p.preference, origin, &format!("{f}.preference"), diag);
            if term.iter().any(|r| matches!(r, NodeReq::Unparsable)) {
                // nodeaffinity.NewPreferredSchedulingTerms fails, so NodeAffinity's PreScore
                // (or Score) returns an error and a scheduling attempt that scores nodes fails.
                diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    format!("{f}.preference"),
                    "a value that is no valid label value (or, for Gt and Lt, no integer) makes kube-scheduler's NodeAffinity scoring fail, so the pod is scheduled only where one node is feasible; this is not modelled (the term is taken to match no node)",
                ));
            }
            (p.weight as i64, term)
        })
        .collect()
}

/// What the API server refuses in a toleration (`f` is its path): an unknown operator, a
/// value with Exists, an unknown effect.
fn validate_toleration(t: &Toleration, origin: &Origin, f: &str, diag: &mut Diag) {
    match t.operator.as_deref() {
        None | Some("") | Some("Equal") => {}
        Some("Exists") => {
            if t.value.as_deref().is_some_and(|v| !v.is_empty()) {
                diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    format!("{f}.value"),
                    "must be empty when operator is Exists",
                ));
            }
        }
        Some(o) => diag.error(InputError::at(
            origin,
            InputClass::Invalid,
            format!("{f}.operator"),
            format!("unknown operator {o:?}; expected Equal or Exists"),
        )),
    }
    if let Some(e) = t.effect.as_deref().filter(|e| !e.is_empty()) {
        if parse_effect(e).is_none() {
            diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                format!("{f}.effect"),
                format!("unknown effect {e:?}; expected NoSchedule, PreferNoSchedule or NoExecute"),
            ));
        }
    }
}

/// What a toleration asks of timing that kbmc does not model (`f` is its path): matching
/// the autoscaler's taint by its time, and eviction delays other than on the node-condition
/// taints.
fn unmodeled_toleration(t: &Toleration, origin: &Origin, f: &str, diag: &mut Diag) {
    // The autoscaler's taint carries the Unix time of marking as its value: an Equal
    // toleration naming a time matches only a node marked in that very second.
    let equal = matches!(t.operator.as_deref(), None | Some("") | Some("Equal"));
    let no_schedule = t.effect.as_deref().is_none_or(|e| e.is_empty() || e == "NoSchedule");
    if equal
        && no_schedule
        && t.key.as_deref() == Some(TO_BE_DELETED)
        && t.value.as_deref().is_some_and(|v| v.parse::<i64>().is_ok())
    {
        diag.unmodeled(InputError::at(
            origin,
            InputClass::Unmodeled,
            format!("{f}.value"),
            "the cluster autoscaler's ToBeDeletedByClusterAutoscaler taint carries the Unix time the node was marked, so this toleration matches only a node marked in that second, which kbmc (no clock) cannot tell; use operator Exists, or with --allow-unmodeled it is taken to match no node",
        ));
    }
    // A delayed eviction from a NotReady node is what node lifecycle models (its timing
    // is abstracted), so the usual `tolerationSeconds` on the node-condition taints is
    // input kbmc understands; on any other taint the delay would matter.
    let condition_taint = matches!(t.key.as_deref(), Some(UNREACHABLE | NOT_READY))
        && t.effect.as_deref().is_none_or(|e| e.is_empty() || e == "NoExecute");
    if t.toleration_seconds.is_some() && !condition_taint {
        diag.unmodeled(InputError::at(
            origin,
            InputClass::Unmodeled,
            format!("{f}.tolerationSeconds"),
            "eviction delays are not modelled except on the node.kubernetes.io/unreachable and not-ready taints; with --allow-unmodeled the pod is evicted from a NoExecute taint as if the toleration were absent, but still scheduled and admitted",
        ));
    }
}

/// Reads the template's topology spread constraints (`s` is the spec's path).
fn spread_constraints(
    spec: &PodSpec,
    origin: &Origin,
    s: &str,
    labels: &mut Labels,
    diag: &mut Diag,
) -> Vec<RawSpread> {
    let mut spread = Vec::new();
    for (i, c) in spec.topology_spread_constraints.iter().flatten().enumerate() {
        let f = format!("{s}.topologySpreadConstraints[{i}]");
        spread.push(spread_constraint(c, origin, &f, labels, diag));
    }
    spread
}

/// Reads one topology spread constraint (`f` is its path), reporting what the API server
/// refuses in it: a skew below 1, unknown values, `minDomains` below 1 or on a soft constraint.
fn spread_constraint(
    c: &TopologySpreadConstraint,
    origin: &Origin,
    f: &str,
    labels: &mut Labels,
    diag: &mut Diag,
) -> RawSpread {
    if c.max_skew < 1 {
        diag.error(InputError::at(
            origin,
            InputClass::Invalid,
            format!("{f}.maxSkew"),
            format!("{} is not allowed; expected at least 1", c.max_skew),
        ));
    }
    let hard = match c.when_unsatisfiable.as_str() {
        "DoNotSchedule" => true,
        "ScheduleAnyway" => false,
        w => {
            diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                format!("{f}.whenUnsatisfiable"),
                format!("unknown value {w:?}; expected DoNotSchedule or ScheduleAnyway"),
            ));
            true
        }
    };
    if c.min_domains.is_some() && !hard {
        diag.error(InputError::at(
            origin,
            InputClass::Invalid,
            format!("{f}.minDomains"),
            "allowed only with whenUnsatisfiable: DoNotSchedule",
        ));
    }
    if c.min_domains.is_some_and(|m| m < 1) {
        diag.error(InputError::at(origin, InputClass::Invalid, format!("{f}.minDomains"), "expected at least 1"));
    }
    let policy = |v: &Option<String>, field: &str, default: bool, diag: &mut Diag| match v.as_deref() {
        None => default,
        Some("Honor") => true,
        Some("Ignore") => false,
        Some(o) => {
            diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                format!("{f}.{field}"),
                format!("unknown value {o:?}; expected Honor or Ignore"),
            ));
            default
        }
    };
    let honor_node_affinity = policy(&c.node_affinity_policy, "nodeAffinityPolicy", true, diag);
    let honor_node_taints = policy(&c.node_taints_policy, "nodeTaintsPolicy", false, diag);
    // A constraint without labelSelector selects no pods (labels.Nothing upstream).
    let selector = match &c.label_selector {
        Some(sel) => label_selector(sel, origin, &format!("{f}.labelSelector"), diag),
        None => vec![Requirement { key: String::new(), op: Op::In, values: vec![] }],
    };
    RawSpread {
        max_skew: c.max_skew as i64,
        key: labels.key(&c.topology_key),
        hard,
        min_domains: c.min_domains.map(|m| m as i64),
        honor_node_affinity,
        honor_node_taints,
        selector: Some(selector),
    }
}

/// The `cluster-autoscaler.kubernetes.io/safe-to-evict` annotation, when "true" or "false".
fn safe_to_evict(t: &PodTemplateSpec) -> Option<bool> {
    t.metadata.as_ref().and_then(|m| m.annotations.as_ref()).and_then(|a| a.get(SAFE_TO_EVICT)).and_then(|v| {
        match v.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    })
}

/// The pod's QoS class as the descheduler's `utils.GetPodQOS` computes it (pods carry
/// `status.qosClass`, which the API server sets the same way): over app and init containers,
/// cpu and memory only, a container's absent request defaulting to its limit (API
/// defaulting), quantities of 0 ignored. BestEffort: no request or limit at all; Guaranteed:
/// every container limits both, and the summed requests equal the summed limits; else
/// Burstable. CPU compares in millicores and memory in bytes, each rounded up.
fn qos_class(spec: &k8s_openapi::api::core::v1::PodSpec) -> Qos {
    use std::collections::BTreeMap;
    let amount = |name: &str, q: &k8s_openapi::apimachinery::pkg::api::resource::Quantity| -> i64 {
        let Ok(p) = Quantity::parse(&q.0) else { return 0 };
        if p.is_negative() {
            return 0;
        }
        let v = if name == "cpu" { p.milli_value() } else { p.value() };
        v.unwrap_or(i64::MAX)
    };
    let mut requests: BTreeMap<&str, i64> = BTreeMap::new();
    let mut limits: BTreeMap<&str, i64> = BTreeMap::new();
    let mut guaranteed = true;
    for c in spec.containers.iter().chain(spec.init_containers.iter().flatten()) {
        let res = c.resources.as_ref();
        let mut limited = (false, false);
        for name in ["cpu", "memory"] {
            let lim = res.and_then(|r| r.limits.as_ref()).and_then(|m| m.get(name)).map(|q| amount(name, q));
            let req = res.and_then(|r| r.requests.as_ref()).and_then(|m| m.get(name)).map(|q| amount(name, q)).or(lim);
            if let Some(v) = req.filter(|&v| v > 0) {
                *requests.entry(name).or_insert(0) += v;
            }
            if let Some(v) = lim.filter(|&v| v > 0) {
                *limits.entry(name).or_insert(0) += v;
                if name == "cpu" {
                    limited.0 = true;
                } else {
                    limited.1 = true;
                }
            }
        }
        if limited != (true, true) {
            guaranteed = false;
        }
    }
    if requests.is_empty() && limits.is_empty() {
        Qos::BestEffort
    } else if guaranteed && requests.len() == limits.len() && requests.iter().all(|(k, v)| limits.get(k) == Some(v)) {
        Qos::Guaranteed
    } else {
        Qos::Burstable
    }
}

/// The static facts of a template on one node.
pub(super) fn placement_on(f: &TemplateFacts, node: &Node, labels: &Labels) -> Placement {
    let node_name_ok = f.node_name.as_deref().is_none_or(|n| n == node.name);
    let selector_ok = all_match(&f.node_selector, |k| node_label(node, labels, k));
    let required_ok = f.required_terms.as_ref().is_none_or(|terms| terms.iter().any(|t| term_matches(t, node, labels)));
    let preferred_weight =
        f.preferred_terms.iter().filter(|(_, t)| term_matches(t, node, labels)).map(|(w, _)| *w).sum();
    let untolerated = |effect: Effect| {
        node.taints.iter().filter(|t| t.effect == effect && !f.tolerations.iter().any(|tol| tolerates(tol, t))).count()
    };
    let evicted_no_execute = node.taints.iter().any(|t| t.effect == Effect::NoExecute && evicted_by(f, t));
    Placement {
        node_name_ok,
        affinity_ok: selector_ok && required_ok,
        preferred_weight,
        untolerated_no_schedule: untolerated(Effect::NoSchedule) > 0,
        untolerated_no_execute: untolerated(Effect::NoExecute) > 0,
        evicted_no_execute,
        untolerated_prefer_no_schedule: untolerated(Effect::PreferNoSchedule) as i64,
        untolerated: node
            .taints
            .iter()
            .enumerate()
            .filter(|(_, t)| !f.tolerations.iter().any(|tol| tolerates(tol, t)))
            .map(|(i, _)| i)
            .collect(),
        // A template's own volumes place no zone constraint; a StatefulSet's bound claim does
        // (set by ir::build's statefulsets part).
        volume_zone_ok: true,
    }
}

/// The taint the node lifecycle controller puts on a node whose kubelet stopped reporting.
const UNREACHABLE: &str = "node.kubernetes.io/unreachable";
/// The taint it puts on a node whose kubelet reports NotReady.
const NOT_READY: &str = "node.kubernetes.io/not-ready";

/// Whether taint eviction eventually evicts the template's pods from a node with NoExecute
/// taint `t`: no toleration tolerates it, or the first one that does (upstream
/// GetMatchingTolerations takes the first match per taint) has `tolerationSeconds`, which
/// only delays the eviction (delays are timing). A later toleration without seconds does
/// not keep the pod.
fn evicted_by(f: &TemplateFacts, t: &Taint) -> bool {
    f.tolerations.iter().find(|tol| tolerates(tol, t)).is_none_or(|tol| tol.toleration_seconds.is_some())
}

/// The toleration the DefaultTolerationSeconds admission plugin gives a pod that tolerates
/// no `unreachable` (and no `not-ready`) NoExecute taint: 300 seconds.
const DEFAULT_TOLERATION_SECONDS: i64 = 300;

/// After how many seconds on a NotReady node (its unreachable NoExecute taint) the template's
/// pods are evicted, or `None` when they tolerate it for ever. The first matching toleration
/// decides (see `evicted_by`); its `tolerationSeconds` counts from the taint, zero and negative
/// values meaning at once; a pod that tolerates the taint not at all got the admission
/// plugin's 300 s toleration.
pub(super) fn unreachable_eviction_after(f: &TemplateFacts) -> Option<i64> {
    eviction_after(f, UNREACHABLE)
}

/// [`unreachable_eviction_after`] for the `not-ready` NoExecute taint, which node lifecycle
/// puts on a node whose kubelet reports Ready False (kbmc models every NotReady node with the
/// unreachable one; `ir::build` refuses a node declared False where the two differ).
pub(super) fn not_ready_eviction_after(f: &TemplateFacts) -> Option<i64> {
    eviction_after(f, NOT_READY)
}

fn eviction_after(f: &TemplateFacts, key: &str) -> Option<i64> {
    let taint = Taint { key: key.into(), value: String::new(), effect: Effect::NoExecute };
    match f.tolerations.iter().find(|tol| tolerates(tol, &taint)) {
        None => Some(DEFAULT_TOLERATION_SECONDS),
        Some(tol) => tol.toleration_seconds.map(|s| s.max(0)),
    }
}

/// The tolerations the DefaultTolerationSeconds admission plugin leaves on a pod created
/// from a template with `t` (plugin/pkg/admission/defaulttolerationseconds, `Admit`): a
/// `not-ready` and an `unreachable` NoExecute toleration of 300 s appended, each unless a
/// toleration with that key (or no key) and effect NoExecute (or none) is there already.
pub(super) fn admitted_tolerations(t: &[Toleration]) -> Vec<Toleration> {
    let covers = |key: &str| {
        t.iter().any(|tol| {
            tol.key.as_deref().is_none_or(|k| k.is_empty() || k == key)
                && tol.effect.as_deref().is_none_or(|e| e.is_empty() || e == "NoExecute")
        })
    };
    let mut out = t.to_vec();
    for key in [NOT_READY, UNREACHABLE] {
        if !covers(key) {
            out.push(Toleration {
                key: Some(key.into()),
                operator: Some("Exists".into()),
                value: None,
                effect: Some("NoExecute".into()),
                toleration_seconds: Some(DEFAULT_TOLERATION_SECONDS),
            });
        }
    }
    out
}

/// The first field in which a pod's facts (or a second template's) differ from its
/// template's in what the modelled controllers read, as a path from the object's root, or
/// `None`. `admitted`: `pod` is a pod, so its tolerations may also be what DefaultTolerationSeconds
/// makes of the template's (a pod written without them, as by hand, is taken as admitted:
/// kbmc gives a template without them the plugin's 300 s, `unreachable_eviction_after`,
/// whatever its pods show). Labels are compared
/// without `pod-template-hash`, which names the revision; a pod's `nodeName` is where it
/// runs, not part of its template; requests are compared by the caller.
pub(super) fn differs(pod: &TemplateFacts, template: &TemplateFacts, admitted: bool) -> Option<&'static str> {
    let labels = |f: &TemplateFacts| -> Vec<(String, String)> {
        let mut l: Vec<(String, String)> = f.labels.iter().filter(|(k, _)| k != "pod-template-hash").cloned().collect();
        l.sort();
        l
    };
    if labels(pod) != labels(template) {
        Some("metadata.labels")
    } else if pod.score_requests != template.score_requests
        || pod.metric_requests != template.metric_requests
        || pod.qos != template.qos
    {
        Some("spec.containers[].resources")
    } else if pod.node_selector != template.node_selector {
        Some("spec.nodeSelector")
    } else if pod.required_terms != template.required_terms || pod.preferred_terms != template.preferred_terms {
        Some("spec.affinity.nodeAffinity")
    } else if pod.tolerations != template.tolerations
        && !(admitted && pod.tolerations == admitted_tolerations(&template.tolerations))
    {
        Some("spec.tolerations")
    } else if pod.spread != template.spread {
        Some("spec.topologySpreadConstraints")
    } else if (&pod.pod_affinity.required_anti, &pod.pod_affinity.preferred_anti)
        != (&template.pod_affinity.required_anti, &template.pod_affinity.preferred_anti)
    {
        Some("spec.affinity.podAntiAffinity")
    } else if pod.pod_affinity != template.pod_affinity {
        Some("spec.affinity.podAffinity")
    } else if pod.local_storage != template.local_storage || pod.pvc != template.pvc {
        Some("spec.volumes")
    } else {
        None
    }
}

/// Where a pod's container statuses report requests other than its spec's: the path of the
/// first (`status.containerStatuses[i].resources` or `.allocatedResources`), or `None`. With
/// in-place resizes the scheduler counts, for an app container whose status has resources,
/// the larger of its spec's requests and the status's `resources.requests` and
/// `allocatedResources` (or only the status's while the resize is infeasible), cpu and
/// memory each (component-helpers resource `AggregateContainerRequests`,
/// `determineContainerReqs`); init containers' statuses count only for sidecars. Where the
/// status agrees with the spec, that is the spec's requests.
pub(super) fn status_requests_differ(pod: &k8s_openapi::api::core::v1::Pod) -> Option<String> {
    let spec = pod.spec.as_ref()?;
    let statuses = pod.status.as_ref().and_then(|s| s.container_statuses.as_ref())?;
    let value = |name: &str, q: &k8s_openapi::apimachinery::pkg::api::resource::Quantity| {
        let p = Quantity::parse(&q.0).ok()?;
        if name == "cpu" {
            p.milli_value().ok()
        } else {
            p.value().ok()
        }
    };
    for (i, cs) in statuses.iter().enumerate() {
        let Some(c) = spec.containers.iter().find(|c| c.name == cs.name) else { continue };
        if cs.resources.is_none() {
            continue;
        }
        let res = c.resources.as_ref();
        let wanted = |name: &str| {
            let r = res.and_then(|r| r.requests.as_ref()).and_then(|m| m.get(name));
            r.or_else(|| res.and_then(|r| r.limits.as_ref()).and_then(|m| m.get(name))).and_then(|q| value(name, q))
        };
        let reported = [
            ("resources.requests", cs.resources.as_ref().and_then(|r| r.requests.as_ref())),
            ("allocatedResources", cs.allocated_resources.as_ref()),
        ];
        for (field, list) in reported {
            for name in ["cpu", "memory"] {
                if let Some(q) = list.and_then(|m| m.get(name)) {
                    if value(name, q) != wanted(name) {
                        return Some(format!("status.containerStatuses[{i}].{field}.{name}"));
                    }
                }
            }
        }
    }
    None
}

/// The QoS class the API server computes for a pod spec (`status.qosClass`), by name.
pub(super) fn qos_name(f: &TemplateFacts) -> &'static str {
    match f.qos {
        Qos::BestEffort => "BestEffort",
        Qos::Burstable => "Burstable",
        Qos::Guaranteed => "Guaranteed",
    }
}

/// Whether the template tolerates the taint a cordoned node carries.
pub(super) fn tolerates_unschedulable(f: &TemplateFacts) -> bool {
    unschedulable_tolerated_by(&f.tolerations)
}

fn unschedulable_tolerated_by(tolerations: &[Toleration]) -> bool {
    let taint =
        Taint { key: "node.kubernetes.io/unschedulable".into(), value: String::new(), effect: Effect::NoSchedule };
    tolerations.iter().any(|t| tolerates(t, &taint))
}

/// The key of the taint the cluster autoscaler puts on a node it removes
/// (cluster-autoscaler/utils/taints/taints.go `MarkToBeDeleted`: effect NoSchedule, value the
/// Unix time of marking). The autoscaler does not also cordon the node unless
/// `--cordon-node-before-terminating` is set (default false), which kbmc does not model.
pub const TO_BE_DELETED: &str = "ToBeDeletedByClusterAutoscaler";

/// Whether the template tolerates the cluster autoscaler's `ToBeDeletedByClusterAutoscaler:
/// NoSchedule` taint. Its value is the Unix time the node was marked, so only an `Exists`
/// toleration (of that key, or of every key) matches for sure; an `Equal` one with an integer
/// value is refused in `template_facts` (it would match in one second only), and any other
/// `Equal` one never matches.
pub(super) fn tolerates_to_be_deleted(f: &TemplateFacts) -> bool {
    to_be_deleted_tolerated_by(&f.tolerations)
}

fn to_be_deleted_tolerated_by(tolerations: &[Toleration]) -> bool {
    let taint = Taint { key: TO_BE_DELETED.into(), value: String::new(), effect: Effect::NoSchedule };
    tolerations.iter().any(|t| t.operator.as_deref() == Some("Exists") && tolerates(t, &taint))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tol(key: Option<&str>, op: Option<&str>, value: Option<&str>, effect: Option<&str>) -> Toleration {
        Toleration {
            key: key.map(Into::into),
            operator: op.map(Into::into),
            value: value.map(Into::into),
            effect: effect.map(Into::into),
            toleration_seconds: None,
        }
    }

    /// DefaultTolerationSeconds' cases (admission_test.go `TestForgivenessAdmission`): the
    /// 300 s tolerations appended for whichever of not-ready and unreachable the pod does not
    /// tolerate on NoExecute, a keyless or effectless toleration counting as one.
    #[test]
    fn admission_adds_default_toleration_seconds_as_upstream() {
        let secs = |t: Toleration, s: i64| Toleration { toleration_seconds: Some(s), ..t };
        let nr = |s| secs(tol(Some(NOT_READY), Some("Exists"), None, Some("NoExecute")), s);
        let ur = |s| secs(tol(Some(UNREACHABLE), Some("Exists"), None, Some("NoExecute")), s);
        let foo = secs(tol(Some("foo"), Some("Equal"), Some("bar"), Some("NoSchedule")), 700);
        let ur_any_effect = secs(tol(Some(UNREACHABLE), Some("Exists"), None, None), 700);
        let wildcard = secs(tol(None, Some("Exists"), None, None), 700);
        for (given, expected) in [
            (vec![], vec![nr(300), ur(300)]),
            (vec![foo.clone()], vec![foo, nr(300), ur(300)]),
            (vec![nr(700)], vec![nr(700), ur(300)]),
            (vec![ur(700)], vec![ur(700), nr(300)]),
            (vec![nr(700), ur(700)], vec![nr(700), ur(700)]),
            (vec![ur_any_effect.clone()], vec![ur_any_effect, nr(300)]),
            (vec![wildcard.clone()], vec![wildcard]),
        ] {
            assert_eq!(admitted_tolerations(&given), expected, "{given:?}");
        }
    }

    #[test]
    fn tolerations_match_as_core_v1_defines() {
        let taint = Taint { key: "key1".into(), value: "value1".into(), effect: Effect::NoExecute };
        assert!(tolerates(&tol(Some("key1"), Some("Equal"), Some("value1"), Some("NoExecute")), &taint));
        assert!(tolerates(&tol(Some("key1"), None, Some("value1"), None), &taint), "empty effect matches every effect");
        assert!(tolerates(&tol(Some("key1"), Some("Exists"), None, None), &taint));
        assert!(
            tolerates(&tol(None, Some("Exists"), None, None), &taint),
            "empty key with Exists tolerates everything"
        );
        assert!(!tolerates(&tol(Some("key1"), Some("Equal"), Some("other"), None), &taint));
        assert!(!tolerates(&tol(Some("key1"), Some("Exists"), None, Some("NoSchedule")), &taint));
        assert!(!tolerates(&tol(Some("key2"), Some("Exists"), None, None), &taint));
    }

    /// The cluster autoscaler's taint (`ToBeDeletedByClusterAutoscaler:NoSchedule`, value the
    /// Unix time of marking) by core/v1 toleration matching (`ToleratesTaint`): an `Exists`
    /// toleration of its key or of every key, with effect NoSchedule or empty, tolerates it;
    /// another effect, another key, or `Equal` (the value is a time) does not; tolerating it is
    /// not tolerating the cordon's `node.kubernetes.io/unschedulable`, nor the reverse.
    #[test]
    fn the_autoscalers_taint_is_tolerated_by_its_own_toleration() {
        let facts = |ts: Vec<Toleration>| (to_be_deleted_tolerated_by(&ts), unschedulable_tolerated_by(&ts));
        let key = Some(TO_BE_DELETED);
        assert_eq!(facts(vec![tol(key, Some("Exists"), None, Some("NoSchedule"))]), (true, false));
        assert_eq!(facts(vec![tol(key, Some("Exists"), None, None)]), (true, false), "empty effect");
        assert_eq!(facts(vec![tol(None, Some("Exists"), None, None)]), (true, true), "empty key, Exists");
        assert_eq!(facts(vec![tol(None, Some("Exists"), None, Some("NoSchedule"))]), (true, true));
        assert_eq!(facts(vec![tol(key, Some("Exists"), None, Some("NoExecute"))]), (false, false), "other effect");
        assert_eq!(facts(vec![tol(key, Some("Equal"), Some(""), Some("NoSchedule"))]), (false, false));
        assert_eq!(facts(vec![tol(key, None, Some("x"), None)]), (false, false), "Equal by default");
        let cordon = tol(Some("node.kubernetes.io/unschedulable"), Some("Exists"), None, Some("NoSchedule"));
        assert_eq!(facts(vec![cordon]), (false, true));
        assert_eq!(facts(vec![]), (false, false));
    }

    /// An `Equal` toleration of the autoscaler's key naming a Unix time would match only a node
    /// marked in that second: refused as unmodelled, pointing at the field; one naming no time
    /// never matches and is accepted.
    #[test]
    fn an_equal_toleration_of_the_autoscalers_taint_naming_a_time_is_refused() {
        use crate::manifest::{load_text, Inputs, LoadOptions};
        let build = |value: &str| {
            let yaml = format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  replicas: 1\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers: [{{name: c, image: i}}]\n      tolerations: [{{key: ToBeDeletedByClusterAutoscaler, operator: Equal, value: \"{value}\", effect: NoSchedule}}]\n---\napiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: n, count: 1, capacity: {{cpu: \"8\", memory: 8Gi}}}}]\n");
            let (mut inputs, mut errors) = (Inputs::default(), Vec::new());
            load_text(std::path::Path::new("t.yaml"), &yaml, LoadOptions::default(), &mut inputs, &mut errors);
            assert!(errors.is_empty(), "{errors:?}");
            crate::ir::build(&inputs, crate::ir::BuildOptions::default()).map(|_| ()).map_err(|e| e.to_string())
        };
        let e = build("1700000000").unwrap_err();
        assert!(e.contains("spec.template.spec.tolerations[0].value") && e.contains("Unix time"), "{e}");
        assert_eq!(build("soon"), Ok(()));
    }

    /// Builds a Deployment whose pod spec has `affinity` (a flow mapping's YAML) on one node
    /// labelled foo=bar, cores=3: the model and warnings, or the errors.
    fn with_affinity(affinity: &str, allow_unmodeled: bool) -> Result<(crate::ir::Model, usize), String> {
        use crate::manifest::{load_text, Inputs, LoadOptions};
        let yaml = format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  replicas: 1\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers: [{{name: c, image: i}}]\n      affinity: {{nodeAffinity: {affinity}}}\n---\napiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: n, count: 1, labels: {{foo: bar, cores: \"3\"}}, capacity: {{cpu: \"8\", memory: 8Gi}}}}]\n");
        let (mut inputs, mut errors) = (Inputs::default(), Vec::new());
        load_text(std::path::Path::new("t.yaml"), &yaml, LoadOptions::default(), &mut inputs, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        crate::ir::build(&inputs, crate::ir::BuildOptions { allow_unmodeled })
            .map(|(ir, warnings)| (ir, warnings.len()))
            .map_err(|e| e.to_string())
    }

    /// A requirement whose value is no valid label value (or, for Gt and Lt, no integer) fails
    /// to parse in apimachinery's `labels.NewRequirement`; component-helpers' lazy-error node
    /// selector (what the scheduler's and the kubelet's NodeAffinity use) then matches nothing
    /// with that term and still tries the others. The API server admits the pod: it checks
    /// the number of values, which kbmc refuses as it does. Preferred terms that fail to
    /// parse make NodeAffinity's scoring fail: refused as unmodelled.
    #[test]
    fn unparsable_node_selector_terms_match_no_node() {
        let required =
            |terms: &str| format!("{{requiredDuringSchedulingIgnoredDuringExecution: {{nodeSelectorTerms: {terms}}}}}");
        let ok =
            |terms: &str| with_affinity(&required(terms), false).expect("accepted").0.groups[0].per_node[0].affinity_ok;
        let invalid = "{matchExpressions: [{key: foo, operator: NotIn, values: [\"invalid value: ___@#$%^\"]}]}";
        assert!(!ok(&format!("[{invalid}]")), "the unparsable NotIn term matches nothing");
        assert!(
            ok(&format!("[{invalid}, {{matchExpressions: [{{key: foo, operator: In, values: [bar]}}]}}]")),
            "the next term still matches"
        );
        assert!(!ok("[{matchExpressions: [{key: cores, operator: Gt, values: [abc]}]}]"), "Gt needs an integer");
        assert!(
            !ok("[{matchExpressions: [{key: cores, operator: Lt, values: [\"-5\"]}]}]"),
            "-5 is no valid label value"
        );
        assert!(ok("[{matchExpressions: [{key: cores, operator: Gt, values: [\"2\"]}]}]"));
        // What the API server rejects (ValidateNodeSelectorRequirement,
        // ValidateNodeFieldSelectorRequirement) is an input error.
        let err = |terms: &str| with_affinity(&required(terms), false).expect_err("rejected");
        assert!(err("[{matchExpressions: [{key: foo, operator: In, values: []}]}]")
            .contains("matchExpressions[0].values: required when operator is In or NotIn"));
        assert!(err("[{matchExpressions: [{key: foo, operator: Exists, values: [bar]}]}]")
            .contains("not allowed when operator is Exists"));
        assert!(err("[{matchExpressions: [{key: cores, operator: Gt, values: [\"1\", \"2\"]}]}]")
            .contains("exactly one value"));
        assert!(err("[{matchFields: [{key: metadata.name, operator: In, values: [a, b]}]}]")
            .contains("matchFields[0].values: exactly one value"));
        // A preferred term that fails to parse: unmodelled, and with --allow-unmodeled the
        // term matches no node.
        let preferred =
            format!("{{preferredDuringSchedulingIgnoredDuringExecution: [{{weight: 5, preference: {invalid}}}]}}");
        let e = with_affinity(&preferred, false).expect_err("unmodelled");
        assert!(
            e.contains("preferredDuringSchedulingIgnoredDuringExecution[0].preference") && e.contains("scoring fail"),
            "{e}"
        );
        let (ir, warnings) = with_affinity(&preferred, true).expect("allowed");
        assert_eq!((warnings, ir.groups[0].per_node[0].preferred_weight), (1, 0));
    }

    /// The group's requests and score requests for a template whose spec holds `containers`
    /// (YAML lines under the pod spec).
    fn requests_of(containers: &str) -> (Resources, Resources) {
        use crate::manifest::{load_text, Inputs, LoadOptions};
        let yaml = format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  replicas: 1\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n{containers}---\napiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: n, count: 1, capacity: {{cpu: \"8\", memory: 8Gi}}}}]\n");
        let (mut inputs, mut errors) = (Inputs::default(), Vec::new());
        load_text(std::path::Path::new("t.yaml"), &yaml, LoadOptions::default(), &mut inputs, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let (ir, _) = crate::ir::build(&inputs, crate::ir::BuildOptions::default()).expect("builds");
        (ir.groups[0].requests, ir.groups[0].score_requests)
    }

    /// Scoring's requests substitute 100m / 200Mi per container for a resource the container
    /// does not set, and keep an explicit value, 0 included: upstream
    /// pkg/scheduler/util/pod_resources_test.go TestGetNonZeroRequest ("cpu_and_memory_not_found",
    /// "only_cpu_exist", "only_memory_exist", "cpu_memory_exist"), applied per container as
    /// component-helpers' `applyNonMissing` does, and least_allocated_test.go's explicit "0".
    #[test]
    fn score_requests_substitute_only_unset_requests_per_container() {
        let mi = 1024 * 1024;
        let one = |res: &str| requests_of(&format!("      containers: [{{name: c, image: i, resources: {res}}}]\n")).1;
        let r = |cpu_milli, memory| Resources { cpu_milli, memory, pods: 1 };
        assert_eq!(one("{}"), r(100, 200 * mi), "cpu_and_memory_not_found");
        assert_eq!(one("{requests: {cpu: 200m}}"), r(200, 200 * mi), "only_cpu_exist");
        assert_eq!(one("{requests: {memory: 400Mi}}"), r(100, 400 * mi), "only_memory_exist");
        assert_eq!(one("{requests: {cpu: 200m, memory: 400Mi}}"), r(200, 400 * mi), "cpu_memory_exist");
        assert_eq!(one("{requests: {cpu: \"3\", memory: \"0\"}}"), r(3000, 0), "an explicit 0 is kept");
        assert_eq!(one("{limits: {memory: 1Gi}}"), r(100, 1024 * mi), "a limit stands in for the request");
        // Per container: two containers without memory count 200Mi each, and the one without
        // cpu adds 100m to the other's 500m.
        let two = "      containers:\n        - {name: a, image: i, resources: {requests: {cpu: 500m}}}\n        - {name: b, image: i}\n";
        let (requests, scored) = requests_of(two);
        assert_eq!((requests.cpu_milli, requests.memory), (500, 0));
        assert_eq!(scored, r(600, 400 * mi));
        // Init containers: the larger of the app containers' sum and each init container.
        let init = "      initContainers: [{name: i, image: i, resources: {requests: {cpu: \"1\"}}}]\n      containers: [{name: c, image: i, resources: {requests: {memory: \"0\"}}}]\n";
        assert_eq!(requests_of(init).1, r(1000, 200 * mi));
    }

    /// `tolerationSeconds` on the node-condition taints is a delay node lifecycle abstracts, so
    /// it is accepted; on any other taint it is unmodelled input, and when allowed the pod is
    /// still scheduled (and admitted) there but evicted as if it did not tolerate the taint.
    #[test]
    fn toleration_seconds_are_understood_only_on_node_condition_taints() {
        use crate::manifest::{load_text, Inputs, LoadOptions};
        let yaml = |tolerations: &str| {
            format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  replicas: 1\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers: [{{name: c, image: web:1, resources: {{requests: {{cpu: \"1\", memory: 1Gi}}}}}}]\n      tolerations: {tolerations}\n---\napiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: t, count: 1, capacity: {{cpu: \"8\", memory: 8Gi}}, taints: [{{key: k, value: v, effect: NoExecute}}]}}]\n  workloads: [{{deployment: web}}]\n")
        };
        let build = |tolerations: &str, allow_unmodeled: bool| {
            let mut inputs = Inputs::default();
            let mut errors = Vec::new();
            load_text(
                std::path::Path::new("t.yaml"),
                &yaml(tolerations),
                LoadOptions::default(),
                &mut inputs,
                &mut errors,
            );
            assert!(errors.is_empty(), "{errors:?}");
            crate::ir::build(&inputs, crate::ir::BuildOptions { allow_unmodeled })
        };
        let (ir, _) = build("[{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 30}, {key: k, operator: Exists}]", false).expect("accepted");
        assert_eq!(ir.groups[0].unreachable_eviction_after, Some(30));
        assert!(!ir.groups[0].per_node[0].evicted_no_execute);
        let (ir, _) = build("[{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute}]", false)
            .expect("accepted");
        assert_eq!(ir.groups[0].unreachable_eviction_after, None);
        // No matching toleration: DefaultTolerationSeconds' 300 s; a negative delay is none.
        let (ir, _) = build("[{key: k, operator: Exists}]", false).expect("accepted");
        assert_eq!(ir.groups[0].unreachable_eviction_after, Some(300));
        let (ir, _) = build("[{key: node.kubernetes.io/unreachable, operator: Exists, tolerationSeconds: -5}]", false)
            .expect("accepted");
        assert_eq!(ir.groups[0].unreachable_eviction_after, Some(0));
        // The first toleration that matches a taint decides (GetMatchingTolerations): a delay
        // first, then one without seconds, still evicts; the other way round never does.
        let delay_first = "[{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 60}, {operator: Exists}]";
        let (ir, _) = build(delay_first, false).expect("accepted");
        assert_eq!(ir.groups[0].unreachable_eviction_after, Some(60), "the 60 s toleration matches first");
        assert!(!ir.groups[0].per_node[0].evicted_no_execute, "k:NoExecute is first matched by Exists");
        let forever_first = "[{operator: Exists}, {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 60}]";
        let (ir, _) = build(forever_first, false).expect("accepted");
        assert_eq!(ir.groups[0].unreachable_eviction_after, None);

        let delayed = "[{key: k, operator: Exists, effect: NoExecute, tolerationSeconds: 60}]";
        let err = build(delayed, false).expect_err("rejected").to_string();
        assert!(err.contains("spec.template.spec.tolerations[0].tolerationSeconds"), "{err}");
        let (ir, warnings) = build(delayed, true).expect("allowed");
        assert_eq!(warnings.len(), 1);
        let p = &ir.groups[0].per_node[0];
        assert!(!p.untolerated_no_execute && p.evicted_no_execute);
    }

    /// Pod-spec fields that change scheduling or eviction and are not modelled are refused,
    /// each by its field path: the host network with container ports (every port becomes a
    /// host port), scheduling gates and groups, eviction responders, a RuntimeClass, another
    /// operating system, volume sources the scheduler's volume plugins act on, pod
    /// finalizers, and the descheduler's evict and prefer-no-eviction annotations. Their
    /// harmless neighbours are accepted.
    #[test]
    fn unmodelled_pod_fields_are_refused_by_name() {
        use crate::manifest::{load_text, Inputs, LoadOptions};
        let build = |metadata: &str, spec: &str| {
            let yaml = format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  replicas: 1\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}{metadata}}}\n    spec:\n      containers: [{{name: c, image: i, ports: [{{containerPort: 80}}]}}]\n{spec}---\napiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: n, count: 1, capacity: {{cpu: \"8\", memory: 8Gi}}}}]\n");
            let (mut inputs, mut errors) = (Inputs::default(), Vec::new());
            load_text(std::path::Path::new("t.yaml"), &yaml, LoadOptions::default(), &mut inputs, &mut errors);
            assert!(errors.is_empty(), "{errors:?}");
            match crate::ir::build(&inputs, crate::ir::BuildOptions::default()) {
                Ok(_) => String::new(),
                Err(e) => e.to_string(),
            }
        };
        let refused = |metadata: &str, spec: &str, field: &str| {
            let e = build(metadata, spec);
            assert!(e.contains(field), "{field}: {e}");
        };
        refused("", "      hostNetwork: true\n", "spec.template.spec.hostNetwork");
        refused("", "      schedulingGates: [{name: example.com/wait}]\n", "spec.template.spec.schedulingGates");
        refused("", "      schedulingGroup: {podGroupName: g}\n", "spec.template.spec.schedulingGroup");
        refused("", "      evictionResponders: [{name: r, priority: 1}]\n", "spec.template.spec.evictionResponders");
        refused("", "      runtimeClassName: kata\n", "spec.template.spec.runtimeClassName");
        refused("", "      os: {name: windows}\n", "spec.template.spec.os.name");
        refused("", "      volumes: [{name: d, csi: {driver: x}}]\n", "spec.template.spec.volumes[0].csi");
        refused("", "      volumes: [{name: d, ephemeral: {}}]\n", "spec.template.spec.volumes[0].ephemeral");
        refused(", finalizers: [example.com/x]", "", "spec.template.metadata.finalizers");
        refused(
            ", annotations: {descheduler.alpha.kubernetes.io/evict: \"\"}",
            "",
            "spec.template.metadata.annotations.descheduler.alpha.kubernetes.io/evict",
        );
        for ok in [
            "      hostNetwork: false\n",
            "      schedulingGates: []\n",
            "      os: {name: linux}\n",
            "      volumes: [{name: d, configMap: {name: c}}, {name: s, secret: {secretName: s}}]\n",
        ] {
            assert_eq!(build("", ok), "", "{ok}");
        }
        assert_eq!(build(", annotations: {controller.kubernetes.io/pod-deletion-cost: \"5\"}", ""), "");
    }
}
