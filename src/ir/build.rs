//! Builds the IR from decoded manifests and the Verification spec: resolves names to ids,
//! converts quantities to integer units, precomputes static per-node facts, fills Kubernetes
//! defaults, and checks every reference and bound. All errors are collected and returned
//! together; unmodelled fields are errors unless `allow_unmodeled` demotes them to warnings.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::Deployment as K8sDeployment;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::labels::all_match;
use super::pod::{self, TemplateFacts};
use super::*;
use crate::error::{Error, InputClass, InputError, Origin};
use crate::manifest::descheduler::{self as ds, Args};
use crate::manifest::quantity::{Quantity, Round};
use crate::manifest::scheduler_config as sc;
use crate::manifest::{Inputs, Object};
use crate::spec;

mod snapshot;

#[derive(Clone, Copy, Debug, Default)]
pub struct BuildOptions {
    pub allow_unmodeled: bool,
}

/// Collects errors and warnings while building.
pub(super) struct Diag {
    pub errors: Vec<InputError>,
    pub warnings: Vec<InputError>,
    allow_unmodeled: bool,
}

impl Diag {
    pub fn error(&mut self, e: InputError) {
        self.errors.push(e);
    }
    /// A field that changes behaviour in Kubernetes but is not modelled.
    pub fn unmodeled(&mut self, mut e: InputError) {
        if self.allow_unmodeled {
            e.message.push_str(" (ignored: --allow-unmodeled)");
            self.warnings.push(e);
        } else {
            e.message.push_str("; remove it, or pass --allow-unmodeled to check without it");
            self.errors.push(e);
        }
    }
}

const HOSTNAME: &str = "kubernetes.io/hostname";
const ZONE: &str = "topology.kubernetes.io/zone";

fn quantity(
    q: &k8s_openapi::apimachinery::pkg::api::resource::Quantity,
    origin: &Origin,
    field: &str,
    diag: &mut Diag,
) -> Option<Quantity> {
    match Quantity::parse(&q.0) {
        Ok(v) if v.is_negative() => {
            diag.error(InputError::at(origin, InputClass::BadQuantity, field, format!("negative quantity {:?}", q.0)));
            None
        }
        Ok(v) => Some(v),
        Err(e) => {
            diag.error(InputError::at(origin, InputClass::BadQuantity, field, e.0));
            None
        }
    }
}

fn convert(
    q: Option<Quantity>,
    f: impl Fn(&Quantity) -> Result<i64, crate::manifest::quantity::QuantityError>,
    origin: &Origin,
    field: &str,
    diag: &mut Diag,
) -> i64 {
    match q.map(|q| f(&q)) {
        Some(Ok(v)) => v,
        Some(Err(e)) => {
            diag.error(InputError::at(origin, InputClass::BadQuantity, field, e.0));
            0
        }
        None => 0,
    }
}

/// Allocatable resources from a cpu/memory/pods map, as the scheduler's NodeInfo reads them:
/// `MilliValue()` of cpu, `Value()` of memory (bytes) and pods, each rounded up.
fn allocatable(
    cpu: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
    memory: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
    pods: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
    origin: &Origin,
    prefix: &str,
    diag: &mut Diag,
) -> Resources {
    let mut r = Resources { cpu_milli: 0, memory: 0, pods: 110 };
    match cpu {
        Some(q) => {
            let f = format!("{prefix}.cpu");
            let p = quantity(q, origin, &f, diag);
            r.cpu_milli = convert(p, |q| q.milli_value(), origin, &f, diag);
        }
        None => diag.error(InputError::at(
            origin,
            InputClass::MissingOrMistyped,
            format!("{prefix}.cpu"),
            "missing; expected a CPU quantity such as \"64\" or \"3500m\"",
        )),
    }
    match memory {
        Some(q) => {
            let f = format!("{prefix}.memory");
            let p = quantity(q, origin, &f, diag);
            r.memory = convert(p, |q| q.value(), origin, &f, diag);
        }
        None => diag.error(InputError::at(
            origin,
            InputClass::MissingOrMistyped,
            format!("{prefix}.memory"),
            "missing; expected a memory quantity such as \"64Gi\"",
        )),
    }
    if let Some(q) = pods {
        let f = format!("{prefix}.pods");
        let p = quantity(q, origin, &f, diag);
        r.pods = convert(p, |q| q.value(), origin, &f, diag);
    }
    r
}

/// The names that objects of one kind in different namespaces share (`metadata.name`; the
/// namespace defaults to `default`): kbmc shows those as `namespace/name`.
fn shared_names<'a>(
    metas: impl Iterator<Item = &'a k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta>,
) -> std::collections::BTreeSet<String> {
    let mut seen: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for m in metas {
        if let Some(n) = m.name.as_deref() {
            let ns = seen.entry(n).or_default();
            let namespace = m.namespace.as_deref().unwrap_or("default");
            if !ns.contains(&namespace) {
                ns.push(namespace);
            }
        }
    }
    seen.into_iter().filter(|(_, ns)| ns.len() > 1).map(|(n, _)| n.to_string()).collect()
}

/// How reports name one thing `--allow-unmodeled` dropped: the object (`Kind/name`, or the
/// file and document when no object read from there has a name) and, for a field, its path.
fn dropped(w: &InputError, inputs: &Inputs) -> String {
    let at = |o: &Origin| o.file == w.file && Some(o.document) == w.document && o.item == w.item;
    let name = |kind: &str, n: &Option<String>| format!("{kind}/{}", n.as_deref().unwrap_or("<unnamed>"));
    let object = w.object.clone().or_else(|| {
        let i = inputs;
        i.deployments
            .iter()
            .find(|d| at(&d.origin))
            .map(|d| name("Deployment", &d.value.metadata.name))
            .or_else(|| {
                i.hpas.iter().find(|h| at(&h.origin)).map(|h| name("HorizontalPodAutoscaler", &h.value.metadata.name))
            })
            .or_else(|| i.nodes.iter().find(|n| at(&n.origin)).map(|n| name("Node", &n.value.metadata.name)))
            .or_else(|| {
                i.applied.iter().find(|(_, d)| at(&d.origin)).map(|(_, d)| name("Deployment", &d.value.metadata.name))
            })
    });
    let what = match (object, w.document) {
        (Some(o), _) => o,
        (None, Some(d)) => format!("{} (document {d})", w.file.display()),
        (None, None) => w.file.display().to_string(),
    };
    if w.field.is_empty() || w.field == "kind" || w.field.ends_with(".kind") {
        what
    } else {
        format!("{what} {}", w.field)
    }
}

struct Builder<'a> {
    inputs: &'a Inputs,
    diag: Diag,
    labels: Labels,
    pools: Vec<Pool>,
    nodes: Vec<Node>,
    deployments: Vec<Deployment>,
    /// Facts of each group, parallel to `groups` once built.
    facts: Vec<TemplateFacts>,
    group_owner: Vec<(DeploymentId, u32)>,
    spec_origin: Origin,
    initial_pods: Vec<InitialPods>,
    fixed_pods: Vec<FixedPods>,
}

/// Builds and validates the model.
pub fn build(inputs: &Inputs, opts: BuildOptions) -> Result<(Model, Vec<InputError>), Error> {
    let mut diag =
        Diag { errors: Vec::new(), warnings: inputs.warnings.clone(), allow_unmodeled: opts.allow_unmodeled };
    let verification = match inputs.verifications.as_slice() {
        [v] => v,
        [] if inputs.files.is_empty() => {
            return Err(Error::Usage(
                "no YAML or JSON file (*.yaml, *.yml, *.json) among the paths given, so no `apiVersion: kbmc.dev/v1alpha1, kind: Verification` document either; kbmc needs one to know what to verify (see docs/spec.md)".into(),
            ));
        }
        [] => {
            let file = inputs.files.first().cloned().unwrap_or_default();
            return Err(Error::input(InputError::file(
                &file,
                InputClass::MissingOrMistyped,
                "no `apiVersion: kbmc.dev/v1alpha1, kind: Verification` document among the inputs; kbmc needs one to know what to verify (see docs/spec.md)",
            )));
        }
        [first, rest @ ..] => {
            let errs = rest
                .iter()
                .map(|v| {
                    InputError::at(
                        &v.origin,
                        InputClass::Invalid,
                        "kind",
                        format!("a second Verification document; the first is in {}", first.origin),
                    )
                })
                .collect();
            return Err(Error::Input(errs));
        }
    };
    if verification.value.api_version != "kbmc.dev/v1alpha1" {
        diag.error(InputError::at(
            &verification.origin,
            InputClass::UnknownKind,
            "apiVersion",
            "expected kbmc.dev/v1alpha1",
        ));
    }
    // Numbers beyond what the model holds are rejected before any is used to allocate.
    diag.errors.extend(super::limits::check_inputs(inputs, verification));
    if !diag.errors.is_empty() {
        return Err(Error::Input(diag.errors));
    }
    let mut b = Builder {
        inputs,
        diag,
        labels: Labels::default(),
        pools: Vec::new(),
        nodes: Vec::new(),
        deployments: Vec::new(),
        facts: Vec::new(),
        group_owner: Vec::new(),
        spec_origin: verification.origin.clone(),
        initial_pods: Vec::new(),
        fixed_pods: Vec::new(),
    };
    let spec = &verification.value.spec;
    b.labels.key(HOSTNAME);
    b.pools_from_spec(&spec.node_pools);
    b.pools_from_nodes(&spec.node_pools);
    if b.nodes.is_empty() {
        b.diag.error(InputError::at(
            &b.spec_origin,
            InputClass::Invalid,
            "spec.nodePools",
            "no nodes: add spec.nodePools or v1 Node manifests",
        ));
    }
    super::validate::names_and_labels(inputs, &verification.value, &b.spec_origin, &mut b.diag);
    super::validate::api_ranges(inputs, &mut b.diag);
    super::validate::spec_values(spec, &b.spec_origin, &mut b.diag);
    let node_names: Vec<&str> = b.nodes.iter().map(|n| n.name.as_str()).collect();
    super::validate::node_names(inputs, &node_names, &mut b.diag);
    b.deployments_from_manifests(spec);
    let replica_sets = b.snapshot_replica_sets();
    let applies = b.applied_revisions(spec);
    b.snapshot_pods(&replica_sets);
    b.check_snapshot_fits();
    let groups = b.resolve_groups();
    let hpas = b.hpas();
    let scheduler = b.scheduler();
    let descheduler = b.descheduler();
    let controllers = b.controllers(&spec.controllers, !hpas.is_empty(), descheduler.is_some());
    let events = b.events(&spec.events, &applies);
    let intents = b.intents(&spec.intents, &hpas);
    let (bounds, per_deployment) = b.bounds(&spec.bounds, &hpas, &events);
    if b.diag.errors.is_empty() {
        let origin = b.spec_origin.clone();
        b.diag.errors.extend(super::limits::check_model(&b.deployments, &per_deployment, &hpas, &events, &origin));
    }
    if b.diag.errors.is_empty() {
        b.memory_magnitudes(&hpas, &bounds);
    }

    if !b.diag.errors.is_empty() {
        return Err(Error::Input(b.diag.errors));
    }
    let name = verification.value.metadata.name.clone().unwrap_or_else(|| {
        verification
            .origin
            .file
            .parent()
            .and_then(|p| p.file_name())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "verification".into())
    });
    let model = Model {
        name,
        spec_inferred: inputs.spec_inferred,
        dropped: b
            .diag
            .warnings
            .iter()
            .filter(|w| w.class == InputClass::Unmodeled)
            .map(|w| dropped(w, inputs))
            .collect(),
        labels: b.labels,
        pools: b.pools,
        nodes: b.nodes,
        deployments: b.deployments,
        groups,
        hpas,
        scheduler,
        descheduler,
        controllers,
        timing: spec.timing,
        events,
        intents,
        bounds,
        initial_pods: b.initial_pods,
        fixed_pods: b.fixed_pods,
    };
    Ok((model, b.diag.warnings))
}

impl Builder<'_> {
    fn add_node_labels(&mut self, map: &BTreeMap<String, String>, name: &str) -> Vec<(LabelKey, LabelValue)> {
        let mut out: Vec<(LabelKey, LabelValue)> =
            map.iter().map(|(k, v)| (self.labels.key(k), self.labels.value(v))).collect();
        if !map.contains_key(HOSTNAME) {
            // The kubelet sets this label on every node.
            out.push((self.labels.key(HOSTNAME), self.labels.value(name)));
        }
        out.sort();
        out
    }

    fn taints(
        &mut self,
        list: impl Iterator<Item = (String, Option<String>, String)>,
        origin: &Origin,
        prefix: &str,
    ) -> Vec<Taint> {
        let mut out = Vec::new();
        for (i, (key, value, effect)) in list.enumerate() {
            match pod::parse_effect(&effect) {
                Some(e) => out.push(Taint { key, value: value.unwrap_or_default(), effect: e }),
                None => self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    format!("{prefix}[{i}].effect"),
                    format!("unknown effect {effect:?}; expected NoSchedule, PreferNoSchedule or NoExecute"),
                )),
            }
        }
        out
    }

    fn pools_from_spec(&mut self, pools: &[spec::NodePool]) {
        let origin = self.spec_origin.clone();
        for (pi, p) in pools.iter().enumerate() {
            let f = format!("spec.nodePools[{pi}]");
            if self.pools.iter().any(|q| q.name == p.name) || pools[..pi].iter().any(|q| q.name == p.name) {
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::Invalid,
                    format!("{f}.name"),
                    format!("duplicate pool name {:?}", p.name),
                ));
            }
            if !p.nodes.is_empty() {
                // A pool of Node manifests: built with the Node manifests (pools_from_nodes).
                let given: Vec<&str> = [
                    (p.count.is_some(), "count"),
                    (p.capacity.is_some(), "capacity"),
                    (!p.labels.is_empty(), "labels"),
                    (p.allocatable.is_some(), "allocatable"),
                    (!p.taints.is_empty(), "taints"),
                    (p.unschedulable, "unschedulable"),
                ]
                .into_iter()
                .filter_map(|(set, name)| set.then_some(name))
                .collect();
                if !given.is_empty() {
                    self.diag.error(InputError::at(
                        &origin,
                        InputClass::Invalid,
                        format!("{f}.{}", given[0]),
                        format!(
                            "a pool of Node manifests (`nodes`) takes every node fact from them; leave out {}",
                            given.join(", ")
                        ),
                    ));
                }
                continue;
            }
            let (Some(count), Some(cap)) = (p.count, p.capacity.as_ref()) else {
                let missing = if p.count.is_none() { "count" } else { "capacity" };
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::MissingOrMistyped,
                    format!("{f}.{missing}"),
                    "missing; a pool needs `count` and `capacity`, or `nodes` naming Node manifests",
                ));
                continue;
            };
            if count.min > count.max {
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::Invalid,
                    format!("{f}.count"),
                    format!("min {} is greater than max {}", count.min, count.max),
                ));
            }
            if count.max > 1000 {
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::Invalid,
                    format!("{f}.count"),
                    "more than 1000 nodes in one pool is beyond what kbmc can check",
                ));
                continue;
            }
            let capacity = allocatable(
                Some(&cap.cpu),
                Some(&cap.memory),
                cap.pods.as_ref(),
                &origin,
                &format!("{f}.capacity"),
                &mut self.diag,
            );
            let alloc = match &p.allocatable {
                Some(a) => allocatable(
                    Some(&a.cpu),
                    Some(&a.memory),
                    a.pods.as_ref().or(cap.pods.as_ref()),
                    &origin,
                    &format!("{f}.allocatable"),
                    &mut self.diag,
                ),
                None => capacity,
            };
            if alloc.cpu_milli > capacity.cpu_milli || alloc.memory > capacity.memory || alloc.pods > capacity.pods {
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::Invalid,
                    format!("{f}.allocatable"),
                    "exceeds capacity",
                ));
            }
            let taints = self.taints(
                p.taints.iter().map(|t| (t.key.clone(), t.value.clone(), t.effect.clone())),
                &origin,
                &format!("{f}.taints"),
            );
            let pool_id = PoolId(self.pools.len() as u32);
            let first = NodeId(self.nodes.len() as u32);
            for i in 0..count.max {
                let name = format!("{}-{i}", p.name);
                let labels = self.add_node_labels(&p.labels, &name);
                self.nodes.push(Node {
                    name,
                    pool: pool_id,
                    index_in_pool: i,
                    labels,
                    capacity,
                    allocatable: alloc,
                    taints: taints.clone(),
                    unschedulable: p.unschedulable,
                    ready: true,
                    fixed: Resources::default(),
                    fixed_score: Resources::default(),
                });
            }
            self.pools.push(Pool {
                name: p.name.clone(),
                count: Range { min: count.min as i64, max: count.max as i64 },
                first,
                concrete: false,
                origin: origin.clone(),
            });
        }
    }

    /// Node manifests: each a pool of its own, except those a spec pool names in `nodes`,
    /// which form that pool (in the order named).
    fn pools_from_nodes(&mut self, spec_pools: &[spec::NodePool]) {
        let mut built: Vec<Option<(Node, Origin)>> = Vec::new();
        for (i, Object { origin, value: n }) in self.inputs.nodes.iter().enumerate() {
            let node = self.node_from_manifest(i, origin, n);
            built.push(node.map(|n| (n, origin.clone())));
        }
        let mut claimed: BTreeMap<String, usize> = BTreeMap::new();
        for (pi, p) in spec_pools.iter().enumerate() {
            if p.nodes.is_empty() {
                continue;
            }
            let f = format!("spec.nodePools[{pi}].nodes");
            let pool_id = PoolId(self.pools.len() as u32);
            let first = NodeId(self.nodes.len() as u32);
            let mut members: Vec<Node> = Vec::new();
            // Reports locate the pool at its first Node manifest.
            let mut pool_origin = self.spec_origin.clone();
            for (k, name) in p.nodes.iter().enumerate() {
                let found = built.iter().position(|b| b.as_ref().is_some_and(|(n, _)| &n.name == name));
                let Some(at) = found else {
                    if !self.inputs.nodes.iter().any(|o| o.value.metadata.name.as_deref() == Some(name)) {
                        self.diag.error(InputError::at(
                            &self.spec_origin,
                            InputClass::DanglingReference,
                            format!("{f}[{k}]"),
                            format!("no v1 Node named {name:?} among the inputs"),
                        ));
                    }
                    continue;
                };
                if let Some(other) = claimed.insert(name.clone(), pi) {
                    self.diag.error(InputError::at(
                        &self.spec_origin,
                        InputClass::Invalid,
                        format!("{f}[{k}]"),
                        format!("node {name:?} is already in spec.nodePools[{other}]"),
                    ));
                    continue;
                }
                let (mut node, node_origin) = built[at].take().expect("found above");
                if members.is_empty() {
                    pool_origin = node_origin;
                }
                if let Some(m0) = members.first() {
                    let hostname = self.labels.key(HOSTNAME);
                    let others =
                        |n: &Node| n.labels.iter().filter(|(k, _)| *k != hostname).copied().collect::<Vec<_>>();
                    let differs = [
                        (m0.capacity != node.capacity, "capacity"),
                        (m0.allocatable != node.allocatable, "allocatable"),
                        (m0.taints != node.taints, "taints"),
                        (others(m0) != others(&node), "labels other than kubernetes.io/hostname"),
                    ]
                    .into_iter()
                    .find_map(|(d, what)| d.then_some(what));
                    if let Some(what) = differs {
                        self.diag.error(InputError::at(
                            &self.spec_origin,
                            InputClass::Invalid,
                            format!("{f}[{k}]"),
                            format!(
                                "node {name:?} differs from {:?} in its {what}; the nodes of one pool must be alike",
                                m0.name
                            ),
                        ));
                    }
                }
                node.pool = pool_id;
                node.index_in_pool = members.len() as u32;
                members.push(node);
            }
            let count = members.len() as i64;
            self.nodes.extend(members);
            self.pools.push(Pool {
                name: p.name.clone(),
                count: Range::fixed(count),
                first,
                concrete: true,
                origin: pool_origin,
            });
        }
        for (node, origin) in built.into_iter().flatten() {
            if self.pools.iter().any(|p| p.name == node.name) {
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::Invalid,
                    "metadata.name",
                    format!("node {:?} has the name of a pool of spec.nodePools", node.name),
                ));
                continue;
            }
            let pool_id = PoolId(self.pools.len() as u32);
            let first = NodeId(self.nodes.len() as u32);
            let name = node.name.clone();
            self.nodes.push(Node { pool: pool_id, index_in_pool: 0, ..node });
            self.pools.push(Pool { name, count: Range::fixed(1), first, concrete: true, origin });
        }
    }

    /// One Node manifest's node (pool and index left for the caller to set).
    fn node_from_manifest(&mut self, i: usize, origin: &Origin, n: &k8s_openapi::api::core::v1::Node) -> Option<Node> {
        let Some(name) = n.metadata.name.clone() else {
            self.diag.error(InputError::at(
                origin,
                InputClass::MissingOrMistyped,
                "metadata.name",
                "a Node needs a name",
            ));
            return None;
        };
        if self.inputs.nodes[..i].iter().any(|o| o.value.metadata.name.as_deref() == Some(&name))
            || self.nodes.iter().any(|m| m.name == name)
        {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "metadata.name",
                format!("duplicate node name {name:?}"),
            ));
            return None;
        }
        let status = n.status.as_ref();
        let (map, prefix) =
            match (status.and_then(|s| s.allocatable.as_ref()), status.and_then(|s| s.capacity.as_ref())) {
                (Some(a), _) => (Some(a), "status.allocatable"),
                (None, Some(c)) => (Some(c), "status.capacity"),
                (None, None) => (None, "status.allocatable"),
            };
        let alloc = match map {
            Some(m) => allocatable(m.get("cpu"), m.get("memory"), m.get("pods"), origin, prefix, &mut self.diag),
            None => {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::MissingOrMistyped,
                    prefix,
                    "missing; a Node needs status.allocatable (or status.capacity) with cpu and memory",
                ));
                Resources::default()
            }
        };
        let capacity = match status.and_then(|s| s.capacity.as_ref()) {
            Some(m) if map.is_some() => {
                allocatable(m.get("cpu"), m.get("memory"), m.get("pods"), origin, "status.capacity", &mut self.diag)
            }
            _ => alloc,
        };
        let spec = n.spec.as_ref();
        let taints = self.taints(
            spec.and_then(|s| s.taints.clone()).unwrap_or_default().into_iter().map(|t| (t.key, t.value, t.effect)),
            origin,
            "spec.taints",
        );
        let labels_map = n.metadata.labels.clone().unwrap_or_default();
        let labels = self.add_node_labels(&labels_map, &name);
        let ready = status
            .and_then(|s| s.conditions.as_ref())
            .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
            .is_none_or(|c| c.status == "True");
        if n.metadata.deletion_timestamp.is_some() {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "metadata.deletionTimestamp",
                "a Node being deleted is not modelled",
            ));
        }
        // The node lifecycle controller taints a node for each of these conditions
        // (TaintNodesByCondition) and the kubelet's eviction manager refuses pods on it
        // (all pods under disk or PID pressure, BestEffort ones under memory pressure).
        for (i, c) in status.and_then(|s| s.conditions.as_ref()).into_iter().flatten().enumerate() {
            let pressure =
                matches!(c.type_.as_str(), "MemoryPressure" | "DiskPressure" | "PIDPressure" | "NetworkUnavailable");
            if pressure && c.status == "True" {
                self.diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    format!("status.conditions[{i}]"),
                    format!("a node with condition {} True is not modelled (its taint and the kubelet's admission under pressure); only the Ready condition is", c.type_),
                ));
            }
        }
        Some(Node {
            name,
            pool: PoolId(0),
            index_in_pool: 0,
            labels,
            capacity,
            allocatable: alloc,
            taints,
            unschedulable: spec.and_then(|s| s.unschedulable).unwrap_or(false),
            ready,
            fixed: Resources::default(),
            fixed_score: Resources::default(),
        })
    }

    fn strategy(&mut self, d: &K8sDeployment, origin: &Origin) -> Strategy {
        let s = d.spec.strategy.as_ref();
        let parse = |v: Option<&IntOrString>, field: &str, diag: &mut Diag| -> IntOrPercent {
            match v {
                None => IntOrPercent::Percent(25),
                Some(IntOrString::Int(i)) if *i >= 0 => IntOrPercent::Int(*i as i64),
                Some(IntOrString::String(s)) if s.ends_with('%') && s[..s.len() - 1].parse::<u32>().is_ok() => {
                    IntOrPercent::Percent(s[..s.len() - 1].parse::<i64>().unwrap())
                }
                Some(other) => {
                    diag.error(InputError::at(
                        origin,
                        InputClass::Invalid,
                        field,
                        format!(
                            "{} is not allowed; expected a non-negative integer or a percentage such as \"25%\"",
                            match other {
                                IntOrString::Int(i) => i.to_string(),
                                IntOrString::String(s) => format!("{s:?}"),
                            }
                        ),
                    ));
                    IntOrPercent::Percent(25)
                }
            }
        };
        match s.and_then(|s| s.type_.as_deref()) {
            Some("Recreate") => {
                // ValidateDeploymentStrategy: "may not be specified when strategy `type` is 'Recreate'".
                if s.is_some_and(|s| s.rolling_update.is_some()) {
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::Invalid,
                        "spec.strategy.rollingUpdate",
                        "may not be specified when strategy `type` is 'Recreate' (the API server rejects it)",
                    ));
                }
                Strategy::Recreate
            }
            None | Some("RollingUpdate") => {
                let ru = s.and_then(|s| s.rolling_update.as_ref());
                let max_surge = parse(
                    ru.and_then(|r| r.max_surge.as_ref()),
                    "spec.strategy.rollingUpdate.maxSurge",
                    &mut self.diag,
                );
                let max_unavailable = parse(
                    ru.and_then(|r| r.max_unavailable.as_ref()),
                    "spec.strategy.rollingUpdate.maxUnavailable",
                    &mut self.diag,
                );
                let zero = |v: IntOrPercent| matches!(v, IntOrPercent::Int(0) | IntOrPercent::Percent(0));
                if zero(max_surge) && zero(max_unavailable) {
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::Invalid,
                        "spec.strategy.rollingUpdate",
                        "maxSurge and maxUnavailable may not both be zero",
                    ));
                }
                Strategy::RollingUpdate { max_surge, max_unavailable }
            }
            Some(t) => {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    "spec.strategy.type",
                    format!("unknown strategy {t:?}; expected RollingUpdate or Recreate"),
                ));
                Strategy::Recreate
            }
        }
    }

    /// Reads a Deployment's template as a new group of deployment `d`; checks selector and
    /// unmodelled Deployment fields.
    fn add_group(&mut self, dep: DeploymentId, revision: u32, d: &K8sDeployment, origin: &Origin) -> Option<GroupId> {
        let spec = &d.spec;
        if spec.paused == Some(true) {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "spec.paused",
                "paused Deployments are not modelled",
            ));
        }
        // What the API server rejects in a Deployment's template
        // (ValidatePodTemplateSpecForReplicaSet).
        let pod_spec = spec.template.spec.as_ref();
        if let Some(p) = pod_spec.and_then(|p| p.restart_policy.as_deref()).filter(|p| *p != "Always") {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "spec.template.spec.restartPolicy",
                format!("{p:?} is not allowed; a Deployment's pods restart Always"),
            ));
        }
        if pod_spec.is_some_and(|p| p.active_deadline_seconds.is_some()) {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "spec.template.spec.activeDeadlineSeconds",
                "not allowed in a Deployment's template (the API server rejects it)",
            ));
        }
        if d.metadata.deletion_timestamp.is_some() {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "metadata.deletionTimestamp",
                "a Deployment being deleted is not modelled",
            ));
        }
        let facts = pod::template_facts(&spec.template, origin, "spec.template", &mut self.labels, &mut self.diag)?;
        let sel = pod::label_selector(&spec.selector, origin, "spec.selector", &mut self.diag);
        if sel.is_empty() {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "spec.selector",
                "an empty selector is not allowed for apps/v1 Deployments",
            ));
        } else if !all_match(&sel, |k| facts.labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str())) {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "spec.selector",
                "does not match spec.template.metadata.labels (the API server rejects this)",
            ));
        }
        let id = GroupId(self.facts.len() as u32);
        self.facts.push(facts);
        self.group_owner.push((dep, revision));
        Some(id)
    }

    fn node_by_name(&self, name: &str) -> Option<NodeId> {
        self.nodes.iter().position(|n| n.name == name).map(|i| NodeId(i as u32))
    }

    fn deployments_from_manifests(&mut self, spec: &spec::VerificationSpec) {
        let spec_origin = self.spec_origin.clone();
        // A name that two namespaces share is shown with its namespace.
        let shared = shared_names(self.inputs.deployments.iter().map(|o| &o.value.metadata));
        for obj in &self.inputs.deployments {
            let (origin, d) = (&obj.origin, &obj.value);
            let Some(name) = d.metadata.name.clone() else {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::MissingOrMistyped,
                    "metadata.name",
                    "a Deployment needs a name",
                ));
                continue;
            };
            let namespace = d.metadata.namespace.clone().unwrap_or_else(|| "default".into());
            if let Some(first) = self.deployments.iter().find(|e| e.object_name == name && e.namespace == namespace) {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    "metadata.name",
                    format!(
                        "duplicate Deployment {name:?} in namespace {namespace:?} (the first is in {}); the API server keeps one object per namespace and name",
                        first.origin
                    ),
                ));
                continue;
            }
            let id = DeploymentId(self.deployments.len() as u32);
            let replicas_set = d.spec.replicas;
            let replicas = replicas_set.unwrap_or(1) as i64;
            if replicas < 0 {
                self.diag.error(InputError::at(origin, InputClass::Invalid, "spec.replicas", "must not be negative"));
            }
            let strategy = self.strategy(d, origin);
            let Some(g) = self.add_group(id, 0, d, origin) else { continue };
            self.deployments.push(Deployment {
                name: if shared.contains(&name) { format!("{namespace}/{name}") } else { name.clone() },
                object_name: name,
                namespace,
                replicas: Range::fixed(replicas),
                revision_sets_replicas: vec![replicas_set.is_some()],
                strategy,
                revisions: vec![g],
                hpa: None,
                placement: Vec::new(),
                initial_usage: self.facts[g.index()].requests,
                origin: origin.clone(),
            });
        }
        if self.inputs.deployments.is_empty() {
            self.diag.error(InputError::at(
                &spec_origin,
                InputClass::Invalid,
                "spec",
                "no apps/v1 Deployment among the inputs: there is nothing to verify",
            ));
        }
        let mut described: Vec<(DeploymentId, usize)> = Vec::new();
        for (wi, w) in spec.workloads.iter().enumerate() {
            let f = format!("spec.workloads[{wi}]");
            let Some(did) = self.resolve_deployment(&w.deployment, &format!("{f}.deployment")) else { continue };
            if let Some((_, j)) = described.iter().find(|(d, _)| *d == did) {
                self.diag.error(InputError::at(
                    &spec_origin,
                    InputClass::Invalid,
                    format!("{f}.deployment"),
                    format!(
                        "{:?} is already described by spec.workloads[{j}]; give each Deployment one entry",
                        w.deployment
                    ),
                ));
                continue;
            }
            described.push((did, wi));
            let id = did.index();
            if let Some(r) = w.replicas {
                if r.min > r.max {
                    self.diag.error(InputError::at(
                        &spec_origin,
                        InputClass::Invalid,
                        format!("{f}.replicas"),
                        format!("min {} is greater than max {}", r.min, r.max),
                    ));
                }
                self.deployments[id].replicas = Range { min: r.min as i64, max: r.max as i64 };
            }
            let mut placement: Vec<(NodeId, i64)> = Vec::new();
            for (pi, p) in w.placement.iter().enumerate() {
                let pf = format!("{f}.placement[{pi}]");
                match self.node_by_name(&p.node) {
                    None => self.diag.error(InputError::at(
                        &spec_origin,
                        InputClass::DanglingReference,
                        format!("{pf}.node"),
                        format!("no node named {:?} (pool nodes are named <pool>-<i>, from 0)", p.node),
                    )),
                    Some(n) => {
                        let node = &self.nodes[n.index()];
                        let pool = &self.pools[node.pool.index()];
                        if (node.index_in_pool as i64) >= pool.count.min {
                            self.diag.error(InputError::at(
                                &spec_origin,
                                InputClass::Invalid,
                                format!("{pf}.node"),
                                format!(
                                    "node {:?} is not present in every topology (pool {:?} may have only {} nodes)",
                                    p.node, pool.name, pool.count.min
                                ),
                            ));
                        }
                        match placement.iter_mut().find(|(m, _)| *m == n) {
                            Some((_, c)) => *c += p.count as i64,
                            None => placement.push((n, p.count as i64)),
                        }
                    }
                }
            }
            let g = self.deployments[id].revisions[0];
            let req = self.facts[g.index()].requests;
            for &(n, c) in &placement {
                let node = &self.nodes[n.index()];
                if c * req.cpu_milli > node.allocatable.cpu_milli
                    || c.saturating_mul(req.memory) > node.allocatable.memory
                    || c > node.allocatable.pods
                {
                    self.diag.error(InputError::at(
                        &spec_origin,
                        InputClass::Invalid,
                        format!("{f}.placement"),
                        format!(
                            "{c} pods of {:?} do not fit on node {:?} (requests exceed allocatable)",
                            w.deployment, node.name
                        ),
                    ));
                }
            }
            self.deployments[id].placement = placement;
            if let Some(u) = &w.usage {
                let mut usage = req;
                if let Some(q) = &u.cpu {
                    let uf = format!("{f}.usage.cpu");
                    let p = quantity(q, &spec_origin, &uf, &mut self.diag);
                    usage.cpu_milli = convert(p, |q| q.milli_value(), &spec_origin, &uf, &mut self.diag);
                }
                if let Some(q) = &u.memory {
                    let uf = format!("{f}.usage.memory");
                    let p = quantity(q, &spec_origin, &uf, &mut self.diag);
                    usage.memory = convert(p, |q| q.value(), &spec_origin, &uf, &mut self.diag);
                }
                self.deployments[id].initial_usage = usage;
            }
        }
        // Placements of different deployments on one node must fit together.
        for (ni, node) in self.nodes.iter().enumerate() {
            let mut used = Resources::default();
            for d in &self.deployments {
                for &(n, c) in &d.placement {
                    if n.index() == ni {
                        let r = self.facts[d.revisions[0].index()].requests;
                        used.cpu_milli += c * r.cpu_milli;
                        used.memory = used.memory.saturating_add(c.saturating_mul(r.memory));
                        used.pods += c;
                    }
                }
            }
            if used.cpu_milli > node.allocatable.cpu_milli
                || used.memory > node.allocatable.memory
                || used.pods > node.allocatable.pods
            {
                self.diag.error(InputError::at(
                    &spec_origin,
                    InputClass::Invalid,
                    "spec.workloads",
                    format!("the placed pods' requests exceed node {:?}'s allocatable", node.name),
                ));
            }
        }
    }

    /// New revisions from applyDeployment events: (event index, deployment, group, replicas, strategy).
    fn applied_revisions(
        &mut self,
        spec: &spec::VerificationSpec,
    ) -> Vec<(usize, DeploymentId, GroupId, ApplyReplicas, Strategy)> {
        let mut out = Vec::new();
        for (ei, e) in spec.events.iter().enumerate() {
            if let spec::Event::RolloutRestart { deployment, .. } = e {
                let f = format!("spec.events[{ei}].deployment");
                let Some(id) = self.deployment_ref(deployment, &f) else { continue };
                let di = id.index();
                let (name, namespace) = (&self.deployments[di].object_name, &self.deployments[di].namespace);
                let Some(obj) = self.inputs.deployments.iter().find(|o| {
                    o.value.metadata.name.as_ref() == Some(name)
                        && o.value.metadata.namespace.as_deref().unwrap_or("default") == namespace
                }) else {
                    continue;
                };
                // The restarted template differs from the running one only in an annotation,
                // which nothing modelled reads: the same facts under a new revision.
                let revision = self.deployments[di].revisions.len() as u32;
                let strategy = self.deployments[di].strategy;
                let Some(g) = self.add_group(id, revision, &obj.value, &obj.origin) else { continue };
                self.deployments[di].revisions.push(g);
                // The last applied manifest stays the one of the revision before.
                let sets = *self.deployments[di].revision_sets_replicas.last().expect("revision 0");
                self.deployments[di].revision_sets_replicas.push(sets);
                out.push((ei, id, g, ApplyReplicas::Kept, strategy));
                continue;
            }
            let spec::Event::ApplyDeployment { manifest, .. } = e else { continue };
            let f = format!("spec.events[{ei}].manifest");
            let found: Vec<&Object<K8sDeployment>> =
                self.inputs.applied.iter().filter(|(m, _)| m == manifest).map(|(_, o)| o).collect();
            let obj = match found.as_slice() {
                [o] => *o,
                [] => {
                    self.diag.error(InputError::at(
                        &self.spec_origin,
                        InputClass::DanglingReference,
                        f,
                        format!("{manifest:?} holds no apps/v1 Deployment"),
                    ));
                    continue;
                }
                _ => {
                    self.diag.error(InputError::at(
                        &self.spec_origin,
                        InputClass::Invalid,
                        f,
                        format!("{manifest:?} holds more than one Deployment; apply one at a time"),
                    ));
                    continue;
                }
            };
            let name = obj.value.metadata.name.clone().unwrap_or_default();
            // Another namespace's Deployment of the same name is another Deployment.
            let namespace = obj.value.metadata.namespace.as_deref().unwrap_or("default");
            let Some(di) = self.deployments.iter().position(|d| d.object_name == name && d.namespace == namespace)
            else {
                self.diag.error(InputError::at(&obj.origin, InputClass::DanglingReference, "metadata.name", format!("applyDeployment of {name:?} in namespace {namespace:?}, which is not among the initial Deployments; creating Deployments by apply is not modelled")));
                continue;
            };
            let id = DeploymentId(di as u32);
            let revision = self.deployments[di].revisions.len() as u32;
            let strategy = self.strategy(&obj.value, &obj.origin);
            let Some(g) = self.add_group(id, revision, &obj.value, &obj.origin) else { continue };
            self.deployments[di].revisions.push(g);
            self.deployments[di].revision_sets_replicas.push(obj.value.spec.replicas.is_some());
            let replicas = match obj.value.spec.replicas {
                Some(r) => ApplyReplicas::Set(r as i64),
                None => ApplyReplicas::Omitted,
            };
            out.push((ei, id, g, replicas, strategy));
        }
        out
    }

    /// Resolves every group's static facts against the nodes and the other groups.
    fn resolve_groups(&mut self) -> Vec<PodGroup> {
        let n_groups = self.facts.len();
        let zone = self.labels.key(ZONE);
        let hostname = self.labels.key(HOSTNAME);
        let mut groups = Vec::with_capacity(n_groups);
        let views: Vec<super::affinity::GroupView> = (0..n_groups)
            .map(|h| super::affinity::GroupView {
                namespace: &self.deployments[self.group_owner[h].0.index()].namespace,
                labels: &self.facts[h].labels,
            })
            .collect();
        for gi in 0..n_groups {
            let f = &self.facts[gi];
            let (dep, revision) = self.group_owner[gi];
            let namespace = &self.deployments[dep.index()].namespace;
            let per_node = self.nodes.iter().map(|n| pod::placement_on(f, n, &self.labels)).collect();
            // The selector matches group `h`'s pods in this namespace (an empty selector
            // matches every pod: labels.Everything).
            let desched_match = |c: &pod::RawSpread, h: usize| {
                let (hd, _) = self.group_owner[h];
                let sel = c.selector.as_ref().expect("user constraints carry a selector");
                &self.deployments[hd.index()].namespace == namespace
                    && all_match(sel, |k| self.facts[h].labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str()))
            };
            let empty_selector =
                |c: &pod::RawSpread| c.selector.as_ref().expect("user constraints carry a selector").is_empty();
            // The snapshot's fixed pods per node that the selector matches in this namespace.
            let fixed = |c: &pod::RawSpread| {
                let sel = c.selector.as_ref().expect("user constraints carry a selector");
                let mut per_node = vec![0; self.nodes.len()];
                if sel.is_empty() {
                    return per_node;
                }
                for fp in self.fixed_pods.iter().filter(|fp| &fp.namespace == namespace) {
                    if all_match(sel, |k| fp.labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str())) {
                        per_node[fp.node.index()] += fp.count;
                    }
                }
                per_node
            };
            let mut spread: Vec<SpreadConstraint> = f
                .spread
                .iter()
                .map(|c| SpreadConstraint {
                    max_skew: c.max_skew,
                    topology_key: c.key,
                    hard: c.hard,
                    min_domains: c.min_domains,
                    honor_node_affinity: c.honor_node_affinity,
                    honor_node_taints: c.honor_node_taints,
                    selects: (0..n_groups).map(|h| !empty_selector(c) && desched_match(c, h)).collect(),
                    desched_selects: (0..n_groups).map(|h| desched_match(c, h)).collect(),
                    self_match: all_match(c.selector.as_ref().expect("user constraints carry a selector"), |k| {
                        f.labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str())
                    }),
                    system_default: false,
                    fixed: fixed(c),
                })
                .collect();
            if spread.is_empty() {
                // kube-scheduler's system default constraints (PodTopologySpread defaultingType
                // System), selecting the pods of the same ReplicaSet.
                for (key, skew) in [(hostname, 3), (zone, 5)] {
                    spread.push(SpreadConstraint {
                        max_skew: skew,
                        topology_key: key,
                        hard: false,
                        min_domains: None,
                        honor_node_affinity: true,
                        honor_node_taints: false,
                        selects: (0..n_groups).map(|h| self.group_owner[h] == (dep, revision)).collect(),
                        desched_selects: (0..n_groups).map(|h| self.group_owner[h] == (dep, revision)).collect(),
                        self_match: true,
                        system_default: true,
                        // The system defaults select the pods of the same ReplicaSet.
                        fixed: vec![0; self.nodes.len()],
                    });
                }
            }
            groups.push(PodGroup {
                deployment: dep,
                revision,
                labels: f.labels.clone(),
                requests: f.requests,
                score_requests: f.score_requests,
                metric_requests: f.metric_requests,
                node_name: f.node_name.clone(),
                tolerates_unschedulable: pod::tolerates_unschedulable(f),
                unreachable_eviction_after: pod::unreachable_eviction_after(f),
                per_node,
                spread,
                pod_affinity: super::affinity::resolve(
                    &f.pod_affinity,
                    gi,
                    namespace,
                    &views,
                    &self.fixed_pods,
                    self.nodes.len(),
                ),
                local_storage: f.local_storage,
                pvc: f.pvc,
                has_required_affinity: f.required_terms.is_some(),
                qos: f.qos,
            });
        }
        groups
    }

    fn hpas(&mut self) -> Vec<Hpa> {
        let mut out: Vec<Hpa> = Vec::new();
        // A name that two namespaces share is shown with its namespace, as for Deployments.
        let shared = shared_names(self.inputs.hpas.iter().map(|o| &o.value.metadata));
        let mut seen: Vec<(&str, &str, &Origin)> = Vec::new();
        for Object { origin, value: h } in &self.inputs.hpas {
            let object_name = h.metadata.name.clone().unwrap_or_default();
            let ns = h.metadata.namespace.as_deref().unwrap_or("default");
            if let Some((_, _, first)) = seen.iter().find(|(n, s, _)| *n == object_name && *s == ns) {
                self.diag.error(
                    InputError::at(
                        origin,
                        InputClass::Invalid,
                        "metadata.name",
                        format!(
                            "duplicate HorizontalPodAutoscaler {object_name:?} in namespace {ns:?} (the first is in {first}); the API server keeps one object per namespace and name"
                        ),
                    )
                    .with_object(format!("HorizontalPodAutoscaler/{object_name}")),
                );
                continue;
            }
            seen.push((h.metadata.name.as_deref().unwrap_or_default(), ns, origin));
            let name = if shared.contains(&object_name) { format!("{ns}/{object_name}") } else { object_name.clone() };
            let spec = &h.spec;
            let r = &spec.scale_target_ref;
            if r.kind != "Deployment" || r.api_version.as_deref().is_some_and(|a| a != "apps/v1") {
                self.diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    "spec.scaleTargetRef",
                    format!(
                        "target {} {} is not modelled; only apps/v1 Deployments",
                        r.api_version.clone().unwrap_or_default(),
                        r.kind
                    ),
                ));
                continue;
            }
            // The target is looked up in the HPA's own namespace (scaleTargetRef has none).
            let namespace = h.metadata.namespace.as_deref().unwrap_or("default");
            let Some(di) = self.deployments.iter().position(|d| d.object_name == r.name && d.namespace == namespace)
            else {
                self.diag.error(
                    InputError::at(
                        origin,
                        InputClass::DanglingReference,
                        "spec.scaleTargetRef.name",
                        format!(
                            "no Deployment named {:?} in the HPA's namespace {namespace:?} in the manifests",
                            r.name
                        ),
                    )
                    .with_object(format!("HorizontalPodAutoscaler/{object_name}")),
                );
                continue;
            };
            if self.deployments[di].hpa.is_some() {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    "spec.scaleTargetRef.name",
                    format!(
                        "Deployment {:?} already has an HPA; two HPAs fighting over one Deployment is not modelled",
                        self.deployments[di].name
                    ),
                ));
                continue;
            }
            if h.metadata.deletion_timestamp.is_some() {
                self.diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    "metadata.deletionTimestamp",
                    "an HPA being deleted is not modelled",
                ));
            }
            let min = spec.min_replicas.unwrap_or(1) as i64;
            let max = spec.max_replicas as i64;
            if min < 1 {
                self.diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    "spec.minReplicas",
                    "scale to zero (minReplicas 0) is not modelled",
                ));
            }
            if max < min {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    "spec.maxReplicas",
                    format!("{max} is less than minReplicas {min}"),
                ));
            }
            let mut metrics = Vec::new();
            for (i, m) in spec.metrics.iter().flatten().enumerate() {
                let f = format!("spec.metrics[{i}]");
                if m.type_ != "Resource" {
                    self.diag.unmodeled(InputError::at(
                        origin,
                        InputClass::Unmodeled,
                        format!("{f}.type"),
                        format!("{} metrics are not modelled; only Resource metrics on cpu or memory", m.type_),
                    ));
                    continue;
                }
                let Some(res) = &m.resource else {
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::MissingOrMistyped,
                        format!("{f}.resource"),
                        "missing for type Resource",
                    ));
                    continue;
                };
                let resource = match res.name.as_str() {
                    "cpu" => ResourceName::Cpu,
                    "memory" => ResourceName::Memory,
                    other => {
                        self.diag.unmodeled(InputError::at(
                            origin,
                            InputClass::Unmodeled,
                            format!("{f}.resource.name"),
                            format!("resource {other:?} is not modelled; only cpu and memory"),
                        ));
                        continue;
                    }
                };
                let t = &res.target;
                let target = match t.type_.as_str() {
                    "Utilization" => match t.average_utilization {
                        Some(u) if u > 0 => MetricTarget::Utilization(u as i64),
                        _ => {
                            self.diag.error(InputError::at(
                                origin,
                                InputClass::MissingOrMistyped,
                                format!("{f}.resource.target.averageUtilization"),
                                "expected a positive percentage for type Utilization",
                            ));
                            continue;
                        }
                    },
                    "AverageValue" => match &t.average_value {
                        Some(q) => {
                            let tf = format!("{f}.resource.target.averageValue");
                            let p = quantity(q, origin, &tf, &mut self.diag);
                            // targetAverageValue.MilliValue(): millicores or milli-bytes.
                            let v = convert(p, |q| q.milli_value(), origin, &tf, &mut self.diag);
                            MetricTarget::AverageValue(v)
                        }
                        None => {
                            self.diag.error(InputError::at(
                                origin,
                                InputClass::MissingOrMistyped,
                                format!("{f}.resource.target.averageValue"),
                                "missing for type AverageValue",
                            ));
                            continue;
                        }
                    },
                    other => {
                        self.diag.unmodeled(InputError::at(
                            origin,
                            InputClass::Unmodeled,
                            format!("{f}.resource.target.type"),
                            format!("target type {other:?} is not modelled; expected Utilization or AverageValue"),
                        ));
                        continue;
                    }
                };
                if let MetricTarget::Utilization(_) = target {
                    // What the HPA divides by: the app containers' requests (init containers
                    // do not count); a later revision without them fails the metric at run time.
                    let g = self.deployments[di].revisions[0];
                    let req = self.facts[g.index()].metric_requests;
                    let r = if resource == ResourceName::Cpu { req.cpu_milli } else { req.memory };
                    if r.unwrap_or(0) == 0 {
                        self.diag.error(InputError::at(origin, InputClass::Invalid, format!("{f}.resource.target"), format!("Utilization of {} needs the Deployment's containers to request it (the HPA reports FailedGetResourceMetric otherwise)", res.name)));
                    }
                }
                metrics.push(Metric { resource, target });
            }
            if spec.metrics.as_ref().is_none_or(|m| m.is_empty()) {
                // autoscaling/v2 default: 80% CPU utilization.
                metrics.push(Metric { resource: ResourceName::Cpu, target: MetricTarget::Utilization(80) });
            }
            let behavior = spec.behavior.as_ref().map(|b| {
                let rules = |r: Option<&k8s_openapi::api::autoscaling::v2::HPAScalingRules>,
                             up: bool,
                             field: &str,
                             diag: &mut Diag|
                 -> ScalingRules {
                    let default_policies = if up {
                        vec![
                            ScalingPolicy { kind: PolicyKind::Pods, value: 4, period_seconds: 15 },
                            ScalingPolicy { kind: PolicyKind::Percent, value: 100, period_seconds: 15 },
                        ]
                    } else {
                        vec![ScalingPolicy { kind: PolicyKind::Percent, value: 100, period_seconds: 15 }]
                    };
                    let Some(r) = r else {
                        return ScalingRules {
                            stabilization_window_seconds: if up { 0 } else { 300 },
                            select_policy: SelectPolicy::Max,
                            policies: default_policies,
                        };
                    };
                    if r.tolerance.is_some() {
                        diag.unmodeled(InputError::at(
                            origin,
                            InputClass::Unmodeled,
                            format!("{field}.tolerance"),
                            "a per-direction tolerance is not modelled; the default 10% applies",
                        ));
                    }
                    let select_policy = match r.select_policy.as_deref() {
                        None | Some("Max") => SelectPolicy::Max,
                        Some("Min") => SelectPolicy::Min,
                        Some("Disabled") => SelectPolicy::Disabled,
                        Some(o) => {
                            diag.error(InputError::at(
                                origin,
                                InputClass::Invalid,
                                format!("{field}.selectPolicy"),
                                format!("unknown value {o:?}; expected Max, Min or Disabled"),
                            ));
                            SelectPolicy::Max
                        }
                    };
                    let policies = match &r.policies {
                        None => default_policies,
                        Some(ps) => ps
                            .iter()
                            .enumerate()
                            .filter_map(|(i, p)| {
                                let kind = match p.type_.as_str() {
                                    "Pods" => PolicyKind::Pods,
                                    "Percent" => PolicyKind::Percent,
                                    o => {
                                        diag.error(InputError::at(
                                            origin,
                                            InputClass::Invalid,
                                            format!("{field}.policies[{i}].type"),
                                            format!("unknown policy type {o:?}; expected Pods or Percent"),
                                        ));
                                        return None;
                                    }
                                };
                                Some(ScalingPolicy {
                                    kind,
                                    value: p.value as i64,
                                    period_seconds: p.period_seconds as i64,
                                })
                            })
                            .collect(),
                    };
                    ScalingRules {
                        stabilization_window_seconds: r
                            .stabilization_window_seconds
                            .map(|s| s as i64)
                            .unwrap_or(if up { 0 } else { 300 }),
                        select_policy,
                        policies,
                    }
                };
                (
                    rules(b.scale_up.as_ref(), true, "spec.behavior.scaleUp", &mut self.diag),
                    rules(b.scale_down.as_ref(), false, "spec.behavior.scaleDown", &mut self.diag),
                )
            });
            let id = HpaId(out.len() as u32);
            self.deployments[di].hpa = Some(id);
            out.push(Hpa {
                name,
                target: DeploymentId(di as u32),
                min_replicas: min,
                max_replicas: max,
                metrics,
                behavior,
                origin: origin.clone(),
            });
        }
        out
    }

    fn scheduler(&mut self) -> Scheduler {
        let mut s = Scheduler {
            added_affinity_ok: vec![true; self.nodes.len()],
            added_preferred_weight: vec![0; self.nodes.len()],
            ..Scheduler::default()
        };
        let cfgs = &self.inputs.scheduler_configs;
        if cfgs.len() > 1 {
            self.diag.error(InputError::at(
                &cfgs[1].origin,
                InputClass::Invalid,
                "kind",
                format!("a second KubeSchedulerConfiguration; the first is in {}", cfgs[0].origin),
            ));
        }
        let Some(Object { origin, value: cfg }) = cfgs.first() else { return s };
        if cfg.extenders.is_some() {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "extenders",
                "scheduler extenders are not modelled",
            ));
        }
        // numFeasibleNodesToFind (schedule_one.go) searches every node of a cluster of up to
        // 100 (minFeasibleNodesToFind), whatever the percentage.
        let slots = self.nodes.len();
        let nodes_to_score = |field: String, set: bool, diag: &mut Diag| {
            if set && slots > 100 {
                diag.unmodeled(InputError::at(origin, InputClass::Unmodeled, field, format!("with {slots} node slots (more than 100) the scheduler scores only a share of the feasible nodes, which kbmc does not model (every feasible node is scored)")));
            }
        };
        nodes_to_score("percentageOfNodesToScore".into(), cfg.percentage_of_nodes_to_score.is_some(), &mut self.diag);
        let profile = match cfg
            .profiles
            .iter()
            .position(|p| p.scheduler_name.as_deref().unwrap_or("default-scheduler") == "default-scheduler")
        {
            Some(i) => i,
            None if cfg.profiles.is_empty() => return s,
            None => {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    "profiles",
                    "no profile for schedulerName default-scheduler, which the modelled pods use",
                ));
                return s;
            }
        };
        let p = &cfg.profiles[profile];
        let pf = format!("profiles[{profile}]");
        nodes_to_score(
            format!("{pf}.percentageOfNodesToScore"),
            p.percentage_of_nodes_to_score.is_some(),
            &mut self.diag,
        );
        if let Some(plugins) = &p.plugins {
            // kbmc models the default profile's plugins at every other extension point.
            for (point, set) in [
                ("preEnqueue", &plugins.pre_enqueue),
                ("queueSort", &plugins.queue_sort),
                ("preFilter", &plugins.pre_filter),
                ("postFilter", &plugins.post_filter),
                ("preScore", &plugins.pre_score),
                ("reserve", &plugins.reserve),
                ("permit", &plugins.permit),
                ("preBind", &plugins.pre_bind),
                ("bind", &plugins.bind),
                ("postBind", &plugins.post_bind),
                ("multiPoint", &plugins.multi_point),
            ] {
                if set.as_ref().is_some_and(|s| !s.enabled.is_empty() || !s.disabled.is_empty()) {
                    self.diag.unmodeled(InputError::at(
                        origin,
                        InputClass::Unmodeled,
                        format!("{pf}.plugins.{point}"),
                        format!("configuring the {point} extension point is not modelled (kbmc reads score and filter; elsewhere the default profile's plugins apply)"),
                    ));
                }
            }
            if let Some(score) = plugins.score.as_ref() {
                for d in &score.disabled {
                    match d.name.as_str() {
                        "*" => {
                            s.weight_node_resources_fit = 0;
                            s.weight_balanced_allocation = 0;
                            s.weight_node_affinity = 0;
                            s.weight_taint_toleration = 0;
                            s.weight_pod_topology_spread = 0;
                            s.weight_inter_pod_affinity = 0;
                        }
                        n => {
                            if let Some(w) = score_weight(&mut s, n) {
                                *w = 0;
                            }
                        }
                    }
                }
                for (i, e) in score.enabled.iter().enumerate() {
                    match score_weight(&mut s, &e.name) {
                        Some(w) => *w = e.weight.map(|w| w as i64).filter(|w| *w > 0).unwrap_or(1),
                        // In the default profile: ImageLocality is abstracted (docs/modeling.md §2.2,
                        // every node taken to hold the same images); VolumeBinding adds nothing
                        // for the pods kbmc accepts (volume scoring is off by default).
                        None if matches!(e.name.as_str(), "ImageLocality" | "VolumeBinding") => {}
                        None => self.diag.unmodeled(InputError::at(
                            origin,
                            InputClass::Unmodeled,
                            format!("{pf}.plugins.score.enabled[{i}].name"),
                            format!("score plugin {:?} is not modelled", e.name),
                        )),
                    }
                }
            }
            if let Some(filter) = &plugins.filter {
                for d in &filter.disabled {
                    s.disabled_filters.push(d.name.clone());
                }
                for (i, e) in filter.enabled.iter().enumerate() {
                    if !matches!(
                        e.name.as_str(),
                        "NodeUnschedulable"
                            | "NodeName"
                            | "NodeAffinity"
                            | "TaintToleration"
                            | "NodeResourcesFit"
                            | "PodTopologySpread"
                            | "InterPodAffinity"
                    ) {
                        self.diag.unmodeled(InputError::at(
                            origin,
                            InputClass::Unmodeled,
                            format!("{pf}.plugins.filter.enabled[{i}].name"),
                            format!("filter plugin {:?} is not modelled", e.name),
                        ));
                    }
                }
            }
        }
        for (i, pc) in p.plugin_config.iter().enumerate() {
            let f = format!("{pf}.pluginConfig[{i}].args");
            let args = match sc::decode_args(origin, &f, &pc.name, pc.args.clone()) {
                Ok(a) => a,
                Err(es) => {
                    es.into_iter().for_each(|e| self.diag.error(e));
                    continue;
                }
            };
            match args {
                Some(sc::Args::NodeResourcesFit(a)) => {
                    if let Some(st) = a.scoring_strategy {
                        match st.type_.as_deref() {
                            Some("LeastAllocated") => s.scoring = ScoringStrategy::LeastAllocated,
                            Some("MostAllocated") => s.scoring = ScoringStrategy::MostAllocated,
                            Some("RequestedToCapacityRatio") => self.diag.unmodeled(InputError::at(origin, InputClass::Unmodeled, format!("{f}.scoringStrategy.type"), "RequestedToCapacityRatio scoring is not modelled")),
                            Some(o) => self.diag.error(InputError::at(origin, InputClass::Invalid, format!("{f}.scoringStrategy.type"), format!("unknown type {o:?}; expected LeastAllocated, MostAllocated or RequestedToCapacityRatio"))),
                            None => self.diag.error(InputError::at(origin, InputClass::MissingOrMistyped, format!("{f}.scoringStrategy.type"), "required when scoringStrategy is set (kube-scheduler does not default it)")),
                        }
                        // v1 SetDefaults_NodeResourcesFitArgs: no resources means cpu and
                        // memory of weight 1; an unset or 0 weight is 1.
                        if let Some(rs) = st.resources.filter(|rs| !rs.is_empty()) {
                            s.scoring_cpu_weight = 0;
                            s.scoring_memory_weight = 0;
                            for (j, r) in rs.iter().enumerate() {
                                let w = r.weight.filter(|w| *w != 0).unwrap_or(1);
                                // As kube-scheduler's ValidateNodeResourcesFitArgs: a weight
                                // from 1 to MaxNodeScore.
                                if !(1..=100).contains(&w) {
                                    self.diag.error(InputError::at(
                                        origin,
                                        InputClass::Invalid,
                                        format!("{f}.scoringStrategy.resources[{j}].weight"),
                                        format!("weight {w} is out of range; kube-scheduler accepts 1 to 100 (MaxNodeScore)"),
                                    ));
                                }
                                match r.name.as_str() {
                                    "cpu" => s.scoring_cpu_weight = w,
                                    "memory" => s.scoring_memory_weight = w,
                                    o => self.diag.unmodeled(InputError::at(
                                        origin,
                                        InputClass::Unmodeled,
                                        format!("{f}.scoringStrategy.resources[{j}].name"),
                                        format!("resource {o:?} is not modelled"),
                                    )),
                                }
                            }
                        }
                    }
                }
                Some(sc::Args::NodeResourcesBalancedAllocation(a)) => {
                    // balanced_allocation.go reads the resources' names; kbmc balances cpu
                    // against memory, the default (v1 SetDefaults_NodeResourcesBalancedAllocationArgs:
                    // no resources means those two; an unset or 0 weight is 1), and
                    // ValidateNodeResourcesBalancedAllocationArgs wants every weight 1 and
                    // no name twice.
                    if let Some(rs) = a.resources.as_ref().filter(|rs| !rs.is_empty()) {
                        let mut names: Vec<&str> = Vec::new();
                        for (j, r) in rs.iter().enumerate() {
                            if r.weight.is_some_and(|w| w != 0 && w != 1) {
                                self.diag.error(InputError::at(
                                    origin,
                                    InputClass::Invalid,
                                    format!("{f}.resources[{j}].weight"),
                                    "must be 1 (kube-scheduler's ValidateNodeResourcesBalancedAllocationArgs)",
                                ));
                            }
                            if names.contains(&r.name.as_str()) {
                                self.diag.error(InputError::at(
                                    origin,
                                    InputClass::Invalid,
                                    format!("{f}.resources[{j}].name"),
                                    format!("{:?} is listed twice", r.name),
                                ));
                            }
                            names.push(r.name.as_str());
                        }
                        names.sort();
                        names.dedup();
                        if names != ["cpu", "memory"] {
                            self.diag.unmodeled(InputError::at(
                                origin,
                                InputClass::Unmodeled,
                                format!("{f}.resources"),
                                "BalancedAllocation over resources other than cpu and memory together is not modelled",
                            ));
                        }
                    }
                }
                Some(sc::Args::PodTopologySpread(a)) => {
                    if a.default_constraints.is_some() || a.defaulting_type.as_deref().is_some_and(|t| t != "System") {
                        self.diag.unmodeled(InputError::at(
                            origin,
                            InputClass::Unmodeled,
                            f,
                            "custom default topology spread constraints are not modelled; the system defaults apply",
                        ));
                    }
                }
                Some(sc::Args::InterPodAffinity(a)) => {
                    // ValidateInterPodAffinityArgs: hardPodAffinityWeight in 0..=100.
                    if let Some(w) = a.hard_pod_affinity_weight {
                        if !(0..=100).contains(&w) {
                            self.diag.error(InputError::at(
                                origin,
                                InputClass::Invalid,
                                format!("{f}.hardPodAffinityWeight"),
                                format!("{w} is out of range; kube-scheduler accepts 0 to 100"),
                            ));
                        }
                        s.hard_pod_affinity_weight = w;
                    }
                    s.ignore_preferred_terms_of_existing_pods =
                        a.ignore_preferred_terms_of_existing_pods.unwrap_or(false);
                }
                Some(sc::Args::NodeAffinity(a)) => {
                    if let Some(added) = &a.added_affinity {
                        self.added_affinity(added, origin, &format!("{f}.addedAffinity"), &mut s);
                    }
                }
                None if sc::UNDECODED_ARGS.contains(&pc.name.as_str()) => {}
                None => self.diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    format!("{pf}.pluginConfig[{i}].name"),
                    format!("configuration of plugin {:?} is not modelled", pc.name),
                )),
            }
        }
        s
    }

    /// NodeAffinityArgs `addedAffinity` (node_affinity.go, New): its required terms are ANDed
    /// into the NodeAffinity filter of every pod, its preferred terms' weights added to every
    /// pod's NodeAffinity score. Terms that fail to parse make kube-scheduler refuse the
    /// configuration (ValidateNodeAffinityArgs).
    fn added_affinity(
        &mut self,
        added: &k8s_openapi::api::core::v1::NodeAffinity,
        origin: &Origin,
        f: &str,
        s: &mut Scheduler,
    ) {
        let unparsable = |term: &[pod::NodeReq], field: String, diag: &mut Diag| {
            if term.iter().any(|r| matches!(r, pod::NodeReq::Unparsable)) {
                diag.error(InputError::at(origin, InputClass::Invalid, field, "a value that is no valid label value (or, for Gt and Lt, no integer): kube-scheduler refuses the configuration (ValidateNodeAffinityArgs)"));
            }
        };
        if let Some(required) = &added.required_during_scheduling_ignored_during_execution {
            let rf = format!("{f}.requiredDuringSchedulingIgnoredDuringExecution");
            let terms: Vec<Vec<pod::NodeReq>> = required
                .node_selector_terms
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let tf = format!("{rf}.nodeSelectorTerms[{i}]");
                    let term = pod::node_term(t, origin, &tf, &mut self.diag);
                    unparsable(&term, tf, &mut self.diag);
                    term
                })
                .collect();
            for (n, ok) in self.nodes.iter().zip(&mut s.added_affinity_ok) {
                *ok = terms.iter().any(|t| pod::term_matches(t, n, &self.labels));
            }
        }
        for (i, p) in added.preferred_during_scheduling_ignored_during_execution.iter().flatten().enumerate() {
            let pf = format!("{f}.preferredDuringSchedulingIgnoredDuringExecution[{i}]");
            if p.weight < 0 {
                self.diag.unmodeled(InputError::at(origin, InputClass::Unmodeled, format!("{pf}.weight"), "a negative weight gives nodes a negative NodeAffinity score, which kube-scheduler's framework refuses when it scores; this is not modelled"));
                continue;
            }
            let term = pod::node_term(&p.preference, origin, &format!("{pf}.preference"), &mut self.diag);
            unparsable(&term, format!("{pf}.preference"), &mut self.diag);
            // A weight of 0 or an empty term is skipped (NewPreferredSchedulingTerms); an
            // empty term matches no node anyway.
            for (n, w) in self.nodes.iter().zip(&mut s.added_preferred_weight) {
                if pod::term_matches(&term, n, &self.labels) {
                    *w += p.weight as i64;
                }
            }
        }
    }

    fn descheduler(&mut self) -> Option<Descheduler> {
        let pols = &self.inputs.descheduler_policies;
        if pols.len() > 1 {
            self.diag.error(InputError::at(
                &pols[1].origin,
                InputClass::Invalid,
                "kind",
                format!("a second DeschedulerPolicy; the first is in {}", pols[0].origin),
            ));
        }
        let Object { origin, value: p } = pols.first()?;
        if p.node_selector.is_some() {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "nodeSelector",
                "restricting the descheduler to some nodes is not modelled",
            ));
        }
        if p.metrics_collector.is_some() || p.metrics_providers.is_some() {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "metricsProviders",
                "real-usage metrics are not modelled; utilization is computed from requests",
            ));
        }
        let mut profiles = Vec::new();
        for (pi, prof) in p.profiles.iter().enumerate() {
            let pf = format!("profiles[{pi}]");
            let mut args: BTreeMap<String, Option<Args>> = BTreeMap::new();
            for (ci, pc) in prof.plugin_config.iter().enumerate() {
                let f = format!("{pf}.pluginConfig[{ci}].args");
                match ds::decode_args(origin, &f, &pc.name, pc.args.clone()) {
                    Ok(a) => {
                        if let Some(a) = &a {
                            self.validate_args(origin, &f, a);
                        }
                        args.insert(pc.name.clone(), a);
                    }
                    Err(es) => es.into_iter().for_each(|e| self.diag.error(e)),
                }
            }
            let mut evictor =
                Evictor { node_fit: false, evict_local_storage_pods: false, ignore_pvc_pods: false, min_replicas: 0 };
            if let Some(Some(Args::DefaultEvictor(a))) = args.get("DefaultEvictor") {
                let ci = prof.plugin_config.iter().position(|c| c.name == "DefaultEvictor").unwrap_or(0);
                let f = format!("{pf}.pluginConfig[{ci}].args");
                evictor = Evictor {
                    node_fit: a.node_fit,
                    evict_local_storage_pods: a.evict_local_storage_pods,
                    ignore_pvc_pods: a.ignore_pvc_pods,
                    min_replicas: a.min_replicas.unwrap_or(0) as i64,
                };
                for (set, field) in [
                    (a.label_selector.is_some(), "labelSelector"),
                    (a.namespace_label_selector.is_some(), "namespaceLabelSelector"),
                    (a.priority_threshold.is_some(), "priorityThreshold"),
                    (a.min_pod_age.is_some(), "minPodAge"),
                    (a.pod_protections.is_some(), "podProtections"),
                    (a.node_selector.is_some(), "nodeSelector"),
                    (a.ignore_pods_without_pdb, "ignorePodsWithoutPDB"),
                    // It decides what happens to pods annotated
                    // descheduler.alpha.kubernetes.io/prefer-no-eviction, an annotation kbmc
                    // does not read.
                    (a.no_eviction_policy.is_some(), "noEvictionPolicy"),
                ] {
                    if set {
                        self.diag.unmodeled(InputError::at(
                            origin,
                            InputClass::Unmodeled,
                            format!("{f}.{field}"),
                            format!("DefaultEvictor {field} is not modelled"),
                        ));
                    }
                }
            }
            // The descheduler always runs DefaultEvictor at filter and preEvictionFilter
            // (policyconfig.go, setDefaultEvictor) and refuses names there that are no evictor
            // plugin (profile.go, NewProfile); DefaultEvictor is the only one.
            for (point, list) in [
                ("filter", &prof.plugins.filter.enabled),
                ("preevictionfilter", &prof.plugins.pre_eviction_filter.enabled),
            ] {
                for (i, name) in list.iter().enumerate().filter(|(_, n)| *n != "DefaultEvictor") {
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::Invalid,
                        format!("{pf}.plugins.{point}.enabled[{i}]"),
                        format!("{name:?} is no evictor plugin; the descheduler accepts only DefaultEvictor here"),
                    ));
                }
            }
            let mut deschedule = Vec::new();
            let mut balance = Vec::new();
            for (point, list, is_balance) in [
                ("deschedule", &prof.plugins.deschedule.enabled, false),
                ("balance", &prof.plugins.balance.enabled, true),
            ] {
                for (i, name) in list.iter().enumerate() {
                    let f = format!("{pf}.plugins.{point}.enabled[{i}]");
                    let belongs_to_balance = matches!(
                        name.as_str(),
                        "RemoveDuplicates"
                            | "RemovePodsViolatingTopologySpreadConstraint"
                            | "LowNodeUtilization"
                            | "HighNodeUtilization"
                    );
                    if ds::UNMODELED_PLUGINS.contains(&name.as_str()) {
                        self.diag.unmodeled(InputError::at(
                            origin,
                            InputClass::Unmodeled,
                            f,
                            format!("descheduler plugin {name} is not modelled"),
                        ));
                        continue;
                    }
                    if !matches!(
                        name.as_str(),
                        "RemoveDuplicates"
                            | "RemovePodsViolatingTopologySpreadConstraint"
                            | "LowNodeUtilization"
                            | "RemovePodsViolatingNodeTaints"
                            | "RemovePodsViolatingNodeAffinity"
                            | "RemovePodsViolatingInterPodAntiAffinity"
                    ) {
                        self.diag.error(InputError::at(
                            origin,
                            InputClass::Invalid,
                            f,
                            format!("unknown descheduler plugin {name:?}"),
                        ));
                        continue;
                    }
                    if belongs_to_balance != is_balance {
                        self.diag.error(InputError::at(
                            origin,
                            InputClass::Invalid,
                            f,
                            format!(
                                "{name} is a {} plugin, not a {point} one (the descheduler refuses this profile)",
                                if belongs_to_balance { "balance" } else { "deschedule" }
                            ),
                        ));
                        continue;
                    }
                    let Some(a) = args.get(name.as_str()) else {
                        self.diag.error(InputError::at(origin, InputClass::MissingOrMistyped, format!("{pf}.pluginConfig"), format!("plugin {name} is enabled but has no pluginConfig entry; the descheduler fails with \"unable to find plugin config\" (add `- name: {name}`)")));
                        continue;
                    };
                    let ci = prof.plugin_config.iter().position(|c| &c.name == name).unwrap_or(0);
                    let af = format!("{pf}.pluginConfig[{ci}].args");
                    if let Some(plugin) = self.desched_plugin(origin, &af, a.as_ref()) {
                        if is_balance {
                            balance.push(plugin);
                        } else {
                            deschedule.push(plugin);
                        }
                    }
                }
            }
            profiles.push(DeschedulerProfile { name: prof.name.clone(), deschedule, balance, evictor });
        }
        Some(Descheduler {
            profiles,
            max_per_node: p.max_no_of_pods_to_evict_per_node.map(|v| v as i64),
            max_per_namespace: p.max_no_of_pods_to_evict_per_namespace.map(|v| v as i64),
            max_total: p.max_no_of_pods_to_evict_total.map(|v| v as i64),
            origin: origin.clone(),
        })
    }

    /// What upstream validates of every pluginConfig entry, enabled or not
    /// (validateDeschedulerConfiguration in pkg/descheduler/policyconfig.go) and kbmc reads
    /// whatever the plugin's other arguments: a namespace filter with `include` and `exclude`
    /// not both set (ValidateRemoveDuplicatesArgs and the other plugins' Validate*Args),
    /// LowNodeUtilization's `evictableNamespaces` with `exclude` only
    /// (ValidateLowNodeUtilizationArgs), RemovePodsViolatingNodeTaints with `includedTaints`
    /// or `excludedTaints`, not both (ValidateRemovePodsViolatingNodeTaintsArgs).
    fn validate_args(&mut self, origin: &Origin, f: &str, args: &Args) {
        if let Args::RemovePodsViolatingNodeTaints(a) = args {
            if !a.excluded_taints.is_empty() && a.included_taints.as_ref().is_some_and(|t| !t.is_empty()) {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    format!("{f}.includedTaints"),
                    "includedTaints and excludedTaints are both set; the descheduler refuses the policy (\"either includedTaints or excludedTaints can be set, but not both\")",
                ));
            }
        }
        let (field, ns) = match args {
            Args::RemoveDuplicates(a) => ("namespaces", &a.namespaces),
            Args::RemovePodsViolatingTopologySpreadConstraint(a) => ("namespaces", &a.namespaces),
            Args::RemovePodsViolatingNodeTaints(a) => ("namespaces", &a.namespaces),
            Args::RemovePodsViolatingNodeAffinity(a) => ("namespaces", &a.namespaces),
            Args::RemovePodsViolatingInterPodAntiAffinity(a) => ("namespaces", &a.namespaces),
            Args::LowNodeUtilization(a) => ("evictableNamespaces", &a.evictable_namespaces),
            Args::DefaultEvictor(_) => return,
        };
        let Some(ns) = ns else { return };
        if field == "evictableNamespaces" && !ns.include.is_empty() {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                format!("{f}.evictableNamespaces.include"),
                "only exclude can be set here; the descheduler refuses the policy (\"only Exclude namespaces can be set, inclusion is not supported\")",
            ));
        } else if !ns.include.is_empty() && !ns.exclude.is_empty() {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                format!("{f}.{field}"),
                "include and exclude are both set; the descheduler refuses the policy (\"only one of Include/Exclude namespaces can be set\")",
            ));
        }
    }

    /// The IR of an enabled plugin whose args are at `f` (`profiles[i].pluginConfig[j].args`).
    fn desched_plugin(&mut self, origin: &Origin, f: &str, args: Option<&Args>) -> Option<DeschedulerPlugin> {
        // Validated with every pluginConfig entry (`validate_args`).
        let namespaces = |ns: &Option<ds::Namespaces>| {
            ns.as_ref()
                .map(|n| Namespaces { include: n.include.clone(), exclude: n.exclude.clone() })
                .unwrap_or_default()
        };
        let label_selector = |sel: &Option<serde_yaml::Value>, diag: &mut Diag| {
            if sel.is_some() {
                diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    format!("{f}.labelSelector"),
                    "a plugin's labelSelector is not modelled (every pod is considered)",
                ));
            }
        };
        Some(match args? {
            Args::RemoveDuplicates(a) => {
                // Upstream skips pods whose owner's kind is excluded (removeduplicates.go,
                // ownerKinds): every pod kbmc models is a ReplicaSet's, so excluding that
                // kind leaves the plugin nothing to evict, and other kinds change nothing.
                if a.exclude_owner_kinds.iter().any(|k| k == "ReplicaSet") {
                    return None;
                }
                DeschedulerPlugin::RemoveDuplicates { namespaces: namespaces(&a.namespaces) }
            }
            Args::RemovePodsViolatingTopologySpreadConstraint(a) => {
                label_selector(&a.label_selector, &mut self.diag);
                let cs = a.constraints.clone().unwrap_or_else(|| vec!["DoNotSchedule".into()]);
                let mut hard = false;
                let mut soft = false;
                for (i, c) in cs.iter().enumerate() {
                    match c.as_str() {
                        "DoNotSchedule" => hard = true,
                        "ScheduleAnyway" => soft = true,
                        o => self.diag.error(InputError::at(
                            origin,
                            InputClass::Invalid,
                            format!("{f}.constraints[{i}]"),
                            format!("unknown value {o:?}; expected DoNotSchedule or ScheduleAnyway"),
                        )),
                    }
                }
                DeschedulerPlugin::RemovePodsViolatingTopologySpreadConstraint {
                    hard,
                    soft,
                    topology_balance_node_fit: a.topology_balance_node_fit.unwrap_or(true),
                    namespaces: namespaces(&a.namespaces),
                }
            }
            Args::LowNodeUtilization(a) => {
                if a.use_deviation_thresholds {
                    self.diag.unmodeled(InputError::at(
                        origin,
                        InputClass::Unmodeled,
                        format!("{f}.useDeviationThresholds"),
                        "deviation thresholds are not modelled",
                    ));
                }
                if a.eviction_limits.is_some() {
                    self.diag.unmodeled(InputError::at(
                        origin,
                        InputClass::Unmodeled,
                        format!("{f}.evictionLimits"),
                        "LowNodeUtilization's own eviction limits are not modelled",
                    ));
                }
                if a.metrics_utilization.is_some() {
                    self.diag.unmodeled(InputError::at(
                        origin,
                        InputClass::Unmodeled,
                        format!("{f}.metricsUtilization"),
                        "real-usage metrics are not modelled; utilization is computed from requests",
                    ));
                }
                let th = |m: &BTreeMap<String, f64>, field: &str, diag: &mut Diag| {
                    let mut t = Thresholds { cpu: None, memory: None, pods: None };
                    for (k, v) in m {
                        if !(0.0..=100.0).contains(v) {
                            diag.error(InputError::at(
                                origin,
                                InputClass::Invalid,
                                format!("{f}.{field}.{k}"),
                                format!("{v} is out of range; expected a percentage 0..100"),
                            ));
                        }
                        // Percent thresholds compared on integers: keep the exact value when whole.
                        let p = v.floor() as i64;
                        match k.as_str() {
                            "cpu" => t.cpu = Some(p),
                            "memory" => t.memory = Some(p),
                            "pods" => t.pods = Some(p),
                            o => diag.unmodeled(InputError::at(
                                origin,
                                InputClass::Unmodeled,
                                format!("{f}.{field}.{o}"),
                                format!("resource {o:?} is not modelled"),
                            )),
                        }
                    }
                    t
                };
                let thresholds = th(&a.thresholds, "thresholds", &mut self.diag);
                let target_thresholds = th(&a.target_thresholds, "targetThresholds", &mut self.diag);
                if a.thresholds.keys().ne(a.target_thresholds.keys()) || a.thresholds.is_empty() {
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::Invalid,
                        format!("{f}.thresholds"),
                        "thresholds and targetThresholds must be non-empty and name the same resources",
                    ));
                }
                // validateLowNodeUtilizationThresholds (lownodeutilization/validation.go).
                for (k, v) in &a.thresholds {
                    if let Some(t) = a.target_thresholds.get(k).filter(|t| v > *t) {
                        self.diag.error(InputError::at(
                            origin,
                            InputClass::Invalid,
                            format!("{f}.thresholds.{k}"),
                            format!("thresholds' {k} percentage {v} is greater than targetThresholds' {t}"),
                        ));
                    }
                }
                DeschedulerPlugin::LowNodeUtilization {
                    thresholds,
                    target_thresholds,
                    number_of_nodes: a.number_of_nodes as i64,
                    evictable_namespaces: namespaces(&a.evictable_namespaces),
                }
            }
            Args::RemovePodsViolatingNodeTaints(a) => {
                label_selector(&a.label_selector, &mut self.diag);
                DeschedulerPlugin::RemovePodsViolatingNodeTaints {
                    include_prefer_no_schedule: a.include_prefer_no_schedule,
                    excluded_taints: a.excluded_taints.clone(),
                    included_taints: a.included_taints.clone(),
                    namespaces: namespaces(&a.namespaces),
                }
            }
            Args::RemovePodsViolatingInterPodAntiAffinity(a) => {
                label_selector(&a.label_selector, &mut self.diag);
                DeschedulerPlugin::RemovePodsViolatingInterPodAntiAffinity { namespaces: namespaces(&a.namespaces) }
            }
            Args::RemovePodsViolatingNodeAffinity(a) => {
                label_selector(&a.label_selector, &mut self.diag);
                if a.node_affinity_type.is_empty() {
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::MissingOrMistyped,
                        format!("{f}.nodeAffinityType"),
                        "required (the descheduler validates it before defaulting)",
                    ));
                }
                let mut required = false;
                let mut preferred = false;
                for (i, t) in a.node_affinity_type.iter().enumerate() {
                    match t.as_str() {
                        "requiredDuringSchedulingIgnoredDuringExecution" => required = true,
                        "preferredDuringSchedulingIgnoredDuringExecution" => preferred = true,
                        o => self.diag.error(InputError::at(
                            origin,
                            InputClass::Invalid,
                            format!("{f}.nodeAffinityType[{i}]"),
                            format!("unknown value {o:?}"),
                        )),
                    }
                }
                DeschedulerPlugin::RemovePodsViolatingNodeAffinity {
                    required,
                    preferred,
                    namespaces: namespaces(&a.namespaces),
                }
            }
            Args::DefaultEvictor(_) => return None,
        })
    }

    fn controllers(&mut self, c: &spec::Controllers, has_hpa: bool, has_descheduler: bool) -> Controllers {
        let origin = self.spec_origin.clone();
        let need = |v: Option<bool>, present: bool, field: &str, what: &str, diag: &mut Diag| match v {
            Some(true) if !present => {
                diag.error(InputError::at(
                    &origin,
                    InputClass::DanglingReference,
                    format!("spec.controllers.{field}"),
                    format!("enabled, but there is no {what} among the inputs"),
                ));
                false
            }
            Some(v) => v,
            None => present,
        };
        Controllers {
            deployment: c.deployment.unwrap_or(true),
            scheduler: c.scheduler.unwrap_or(true),
            kubelet: c.kubelet.unwrap_or(true),
            hpa: need(c.hpa, has_hpa, "hpa", "HorizontalPodAutoscaler", &mut self.diag),
            descheduler: need(c.descheduler, has_descheduler, "descheduler", "DeschedulerPolicy", &mut self.diag),
            node_lifecycle: c.node_lifecycle.unwrap_or(true),
            taint_eviction: c.taint_eviction.unwrap_or(true),
        }
    }

    /// Resolves a Verification's reference to a Deployment at `field`: `namespace/name`, or
    /// `name` alone when one Deployment among the inputs has that name (in any namespace).
    fn resolve_deployment(&mut self, reference: &str, field: &str) -> Option<DeploymentId> {
        let found: Vec<usize> = match reference.split_once('/') {
            Some((ns, name)) => (0..self.deployments.len())
                .filter(|&i| self.deployments[i].namespace == ns && self.deployments[i].object_name == name)
                .collect(),
            None => (0..self.deployments.len()).filter(|&i| self.deployments[i].object_name == reference).collect(),
        };
        match found[..] {
            [i] => Some(DeploymentId(i as u32)),
            [] => {
                let message = match reference.split_once('/') {
                    Some((ns, name)) => format!("no Deployment named {name:?} in namespace {ns:?} in the manifests"),
                    None => format!("no Deployment named {reference:?} in the manifests"),
                };
                self.diag.error(InputError::at(&self.spec_origin, InputClass::DanglingReference, field, message));
                None
            }
            _ => {
                let candidates: Vec<String> =
                    found.iter().map(|&i| format!("{:?}", self.deployments[i].name)).collect();
                self.diag.error(InputError::at(
                    &self.spec_origin,
                    InputClass::Invalid,
                    field,
                    format!(
                        "{reference:?} is ambiguous: Deployments of that name run in {} namespaces; write one of {} (namespace/name)",
                        found.len(),
                        candidates.join(", ")
                    ),
                ));
                None
            }
        }
    }

    /// Resolves an optional deployment reference: the only Deployment when omitted.
    fn deployment_ref(&mut self, name: &Option<String>, field: &str) -> Option<DeploymentId> {
        match name {
            Some(n) => self.resolve_deployment(n, field),
            None if self.deployments.len() == 1 => Some(DeploymentId(0)),
            None => {
                if !self.deployments.is_empty() {
                    self.diag.error(InputError::at(
                        &self.spec_origin,
                        InputClass::MissingOrMistyped,
                        field,
                        "required: there is more than one Deployment",
                    ));
                }
                None
            }
        }
    }

    fn cpu(
        &mut self,
        q: &k8s_openapi::apimachinery::pkg::api::resource::Quantity,
        field: &str,
        allow_negative: bool,
    ) -> i64 {
        let origin = self.spec_origin.clone();
        match Quantity::parse(&q.0) {
            Ok(v) if v.is_negative() && !allow_negative => {
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::BadQuantity,
                    field,
                    format!("negative quantity {:?}", q.0),
                ));
                0
            }
            Ok(v) => convert(Some(v), |q| q.millis(Round::Up), &origin, field, &mut self.diag),
            Err(e) => {
                self.diag.error(InputError::at(&origin, InputClass::BadQuantity, field, e.0));
                0
            }
        }
    }

    fn events(
        &mut self,
        events: &[spec::Event],
        applies: &[(usize, DeploymentId, GroupId, ApplyReplicas, Strategy)],
    ) -> Vec<Event> {
        let origin = self.spec_origin.clone();
        let mut out = Vec::new();
        for (i, e) in events.iter().enumerate() {
            let f = format!("spec.events[{i}]");
            let ev = match e {
                spec::Event::CpuChange { deployment, delta, budget } => {
                    let Some(d) = self.deployment_ref(deployment, &format!("{f}.deployment")) else { continue };
                    let min = self.cpu(&delta.min, &format!("{f}.delta.min"), true);
                    let max = self.cpu(&delta.max, &format!("{f}.delta.max"), true);
                    if min > max {
                        self.diag.error(InputError::at(
                            &origin,
                            InputClass::Invalid,
                            format!("{f}.delta"),
                            "min is greater than max",
                        ));
                    }
                    Event::CpuChange { deployment: d, delta_milli: Range { min, max }, budget: *budget as i64 }
                }
                spec::Event::CpuPattern { deployment, bootstrap, steady } => {
                    let Some(d) = self.deployment_ref(deployment, &format!("{f}.deployment")) else { continue };
                    let bootstrap_milli = self.cpu(bootstrap, &format!("{f}.bootstrap"), false);
                    let steady_milli = self.cpu(steady, &format!("{f}.steady"), false);
                    Event::CpuPattern { deployment: d, bootstrap_milli, steady_milli }
                }
                spec::Event::KernelPanic { threshold_percent, budget, recovery } => {
                    if !(1..=100).contains(threshold_percent) {
                        self.diag.error(InputError::at(
                            &origin,
                            InputClass::Invalid,
                            format!("{f}.thresholdPercent"),
                            "expected a percentage 1..100",
                        ));
                    }
                    Event::KernelPanic {
                        threshold_percent: *threshold_percent as i64,
                        budget: *budget as i64,
                        recovery: *recovery,
                    }
                }
                spec::Event::NodeFailure { pool, budget, recovery } => {
                    let pool = match pool {
                        None => None,
                        Some(p) => match self.pools.iter().position(|q| &q.name == p) {
                            Some(i) => Some(PoolId(i as u32)),
                            None => {
                                self.diag.error(InputError::at(
                                    &origin,
                                    InputClass::DanglingReference,
                                    format!("{f}.pool"),
                                    format!("no node pool named {p:?}"),
                                ));
                                continue;
                            }
                        },
                    };
                    Event::NodeFailure { pool, budget: *budget as i64, recovery: *recovery }
                }
                spec::Event::ApplyDeployment { budget, .. } | spec::Event::RolloutRestart { budget, .. } => {
                    let Some(&(_, deployment, revision, replicas, strategy)) = applies.iter().find(|a| a.0 == i) else {
                        continue;
                    };
                    Event::ApplyDeployment { deployment, revision, replicas, strategy, budget: *budget as i64 }
                }
                spec::Event::ScaleDeployment { deployment, delta, budget } => {
                    let Some(d) = self.deployment_ref(deployment, &format!("{f}.deployment")) else { continue };
                    if delta.min > delta.max {
                        self.diag.error(InputError::at(
                            &origin,
                            InputClass::Invalid,
                            format!("{f}.delta"),
                            "min is greater than max",
                        ));
                    }
                    Event::ScaleDeployment {
                        deployment: d,
                        delta: Range { min: delta.min, max: delta.max },
                        budget: *budget as i64,
                    }
                }
                spec::Event::Maintenance { max_unavailable, budget } => {
                    if *max_unavailable == 0 {
                        self.diag.error(InputError::at(
                            &origin,
                            InputClass::Invalid,
                            format!("{f}.maxUnavailable"),
                            "expected at least 1",
                        ));
                    }
                    Event::Maintenance {
                        max_unavailable: *max_unavailable as i64,
                        budget: budget.map(|b| b as i64).unwrap_or(self.nodes.len() as i64),
                    }
                }
            };
            out.push((i, ev));
        }
        self.shared_event_state(&out);
        out.into_iter().map(|(_, e)| e).collect()
    }

    /// Events of one type share per-node state in the model: every maintenance event counts
    /// the same cordoned and maintained nodes, and a recovery step brings back any NotReady
    /// (or panicked) node it may fail, whichever event failed it. Specs whose meaning would depend on
    /// keeping them apart are rejected rather than checked with a silently different meaning.
    fn shared_event_state(&mut self, events: &[(usize, Event)]) {
        let origin = self.spec_origin.clone();
        let maintenance: Vec<usize> =
            events.iter().filter(|(_, e)| matches!(e, Event::Maintenance { .. })).map(|(i, _)| *i).collect();
        if let [first, rest @ ..] = &maintenance[..] {
            for i in rest {
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::Invalid,
                    format!("spec.events[{i}]"),
                    format!(
                        "a second maintenance event (the first is spec.events[{first}]); kbmc models one \
                         drain at a time per cluster: use one event, with maxUnavailable for nodes drained \
                         at once and budget for nodes maintained in all"
                    ),
                ));
            }
        }
        // A pod follows one lifecycle: its warm-up is one kind of pod (model `Kind::warming`).
        let mut patterns: Vec<(usize, DeploymentId)> = Vec::new();
        for (i, e) in events {
            let Event::CpuPattern { deployment, .. } = e else { continue };
            if let Some((first, _)) = patterns.iter().find(|(_, d)| d == deployment) {
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::Invalid,
                    format!("spec.events[{i}]"),
                    format!(
                        "a second cpuPattern for the same Deployment (the first is spec.events[{first}]); \
                         a pod has one bootstrap and one steady level"
                    ),
                ));
            } else {
                patterns.push((*i, *deployment));
            }
        }
        let panics: Vec<(usize, i64, bool)> = events
            .iter()
            .filter_map(|(i, e)| match e {
                Event::KernelPanic { threshold_percent, recovery, .. } => Some((*i, *threshold_percent, *recovery)),
                _ => None,
            })
            .collect();
        if let [(first, threshold, recovery), rest @ ..] = &panics[..] {
            for (i, _, _) in rest.iter().filter(|(_, t, r)| (t, r) != (threshold, recovery)) {
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::Invalid,
                    format!("spec.events[{i}]"),
                    format!(
                        "kernelPanic events spec.events[{first}] and spec.events[{i}] differ in \
                         thresholdPercent or recovery; kbmc does not track which event took a node down, \
                         so use one event (its budget counts panics)"
                    ),
                ));
            }
        }
        let failures: Vec<(usize, Option<PoolId>, bool)> = events
            .iter()
            .filter_map(|(i, e)| match e {
                Event::NodeFailure { pool, recovery, .. } => Some((*i, *pool, *recovery)),
                _ => None,
            })
            .collect();
        for (a, &(i, pool_i, rec_i)) in failures.iter().enumerate() {
            for &(j, pool_j, rec_j) in &failures[a + 1..] {
                let overlap = pool_i.is_none() || pool_j.is_none() || pool_i == pool_j;
                if overlap && rec_i != rec_j {
                    self.diag.error(InputError::at(
                        &origin,
                        InputClass::Invalid,
                        format!("spec.events[{j}].recovery"),
                        format!(
                            "nodeFailure events spec.events[{i}] and spec.events[{j}] can fail the same \
                             nodes but differ in recovery; kbmc does not track which event failed a node, \
                             so give them disjoint pools or the same recovery"
                        ),
                    ));
                }
            }
        }
    }

    fn intents(&mut self, intents: &[spec::Intent], hpas: &[Hpa]) -> Vec<Intent> {
        use spec::Intent as S;
        let origin = self.spec_origin.clone();
        if intents.is_empty() {
            // As Kivi does, check schedulability when nothing else is asked; `inspect` shows it.
            return vec![Intent::PodAlwaysSchedulable];
        }
        let mut out = Vec::new();
        for (i, it) in intents.iter().enumerate() {
            let f = format!("spec.intents[{i}].deployment");
            let intent = match it {
                S::PodAlwaysSchedulable {} => Intent::PodAlwaysSchedulable,
                S::NoKernelPanicLoop { times } => Intent::NoKernelPanicLoop { times: *times as i64 },
                S::NoReplicaOscillation { deployment, drop } => {
                    let Some(d) = self.deployment_ref(deployment, &f) else { continue };
                    if self.deployments[d.index()].hpa.is_none() {
                        self.diag.error(InputError::at(
                            &origin,
                            InputClass::Invalid,
                            format!("spec.intents[{i}]"),
                            "noReplicaOscillation watches an HPA, but the Deployment has none",
                        ));
                    }
                    Intent::NoReplicaOscillation { deployment: d, drop: *drop as i64 }
                }
                S::ReplicasMeetMin { deployment } => {
                    let Some(d) = self.deployment_ref(deployment, &f) else { continue };
                    let dep = &self.deployments[d.index()];
                    let min = match dep.hpa {
                        Some(h) => hpas[h.index()].min_replicas,
                        None => dep.replicas.min,
                    };
                    Intent::ReplicasMeetMin { deployment: d, min }
                }
                S::ReplicasMeetExpected { deployment, replicas, offset } => {
                    let Some(d) = self.deployment_ref(deployment, &f) else { continue };
                    let expected = match (replicas, offset) {
                        (Some(r), None) => Expected::Replicas(*r as i64),
                        (None, Some(o)) => Expected::DesiredPlus(*o),
                        _ => {
                            self.diag.error(InputError::at(
                                &origin,
                                InputClass::Invalid,
                                format!("spec.intents[{i}]"),
                                "set exactly one of `replicas` (a count) or `offset` (relative to desired replicas)",
                            ));
                            continue;
                        }
                    };
                    Intent::ReplicasMeetExpected { deployment: d, expected }
                }
                S::NoEvictionCycle { deployment } => {
                    let Some(d) = self.deployment_ref(deployment, &f) else { continue };
                    Intent::NoEvictionCycle { deployment: d }
                }
                S::PodsBalanced { deployment, max_skew } => {
                    let Some(d) = self.deployment_ref(deployment, &f) else { continue };
                    Intent::PodsBalanced { deployment: d, max_skew: *max_skew as i64 }
                }
                S::ReplicasWithin { deployment, min, max } => {
                    let Some(d) = self.deployment_ref(deployment, &f) else { continue };
                    if min > max {
                        self.diag.error(InputError::at(
                            &origin,
                            InputClass::Invalid,
                            format!("spec.intents[{i}]"),
                            "min is greater than max",
                        ));
                    }
                    Intent::ReplicasWithin { deployment: d, min: *min as i64, max: *max as i64 }
                }
                S::AllPodsEventuallyRun {} => Intent::AllPodsEventuallyRun,
            };
            if out.contains(&intent) {
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::Invalid,
                    format!("spec.intents[{i}]"),
                    "duplicate intent",
                ));
            }
            out.push(intent);
        }
        out
    }

    /// Memory is counted in exact bytes; this rejects the inputs whose arithmetic could leave
    /// i64 (the concrete search checks every operation and would stop on an overflow):
    /// - per node, BalancedAllocation compares requested/allocatable of CPU and memory over
    ///   lcm(cpu millicores, memory bytes), times 50: 50 × lcm must fit, and 100 × the
    ///   allocatable memory of all node slots together (the descheduler's headroom sums);
    /// - per pod, a memory request or usage (and an HPA's AverageValue target, a milli-value,
    ///   over 1000) is summed over at most the model's pod bound, taken to milli-bytes (× 1000)
    ///   or percentages (× 100, × a Utilization target above 1000 %) and compared with a
    ///   tolerance (× 10): quantity × pod bound × 10 × max(1000, target %) must fit.
    fn memory_magnitudes(&mut self, hpas: &[Hpa], bounds: &Bounds) {
        let fits = |x: i128| x <= i64::MAX as i128;
        let gcd = |mut a: i128, mut b: i128| {
            while b != 0 {
                (a, b) = (b, a % b);
            }
            a
        };
        let mut total: i128 = 0;
        for (pi, pool) in self.pools.iter().enumerate() {
            let a = self.nodes[pool.first.index()].allocatable;
            total += a.memory as i128 * pool.count.max as i128;
            let (c, m) = (a.cpu_milli as i128, a.memory as i128);
            if c > 0 && m > 0 && !fits(50 * (c / gcd(c, m) * m)) {
                let field =
                    if pool.concrete { "status.allocatable".to_string() } else { format!("spec.nodePools[{pi}]") };
                self.diag.error(InputError::at(
                    &pool.origin,
                    InputClass::Invalid,
                    field,
                    format!(
                        "allocatable cpu {c}m and memory {m} bytes: kbmc scores NodeResourcesBalancedAllocation exactly over lcm(cpu millicores, memory bytes) = {}, and 50 times it exceeds {} (i64); round the memory to a whole Ki or Mi",
                        c / gcd(c, m) * m,
                        i64::MAX
                    ),
                ));
            }
        }
        if !fits(100 * total) {
            self.diag.error(InputError::at(
                &self.spec_origin,
                InputClass::Invalid,
                "spec.nodePools",
                format!(
                    "the nodes' allocatable memory totals {total} bytes; kbmc's exact arithmetic needs 100 times it within {} (i64)",
                    i64::MAX
                ),
            ));
        }
        let pods = bounds.max_pods_per_deployment as i128 * self.deployments.len().max(1) as i128;
        let target_pct = hpas
            .iter()
            .flat_map(|h| &h.metrics)
            .filter_map(|m| match (m.resource, m.target) {
                (ResourceName::Memory, MetricTarget::Utilization(t)) => Some(t as i128),
                _ => None,
            })
            .fold(1000, i128::max);
        let factor = pods * 10 * target_pct;
        let limit = i64::MAX as i128 / factor;
        // (where, field, what, bytes) of every per-pod memory quantity.
        let mut quantities: Vec<(Origin, String, &str, i64)> = Vec::new();
        for (gi, facts) in self.facts.iter().enumerate() {
            let (dep, revision) = self.group_owner[gi];
            let field = if revision == 0 {
                "spec.template.spec.containers[].resources.requests.memory".to_string()
            } else {
                format!(
                    "revision {revision} (applyDeployment): spec.template.spec.containers[].resources.requests.memory"
                )
            };
            // Scoring counts each container's unset memory request as 200Mi (never less than
            // the request itself).
            let bytes = facts.score_requests.memory;
            let what = if facts.score_requests.memory != facts.requests.memory {
                "a pod's memory request as scoring counts it (200Mi for each container that sets none)"
            } else {
                "a pod's memory request"
            };
            quantities.push((self.deployments[dep.index()].origin.clone(), field, what, bytes));
        }
        for d in self.deployments.iter().filter(|d| d.initial_usage != self.facts[d.revisions[0].index()].requests) {
            let field = format!("spec.workloads[deployment {}].usage.memory", d.name);
            quantities.push((self.spec_origin.clone(), field, "a pod's memory usage", d.initial_usage.memory));
        }
        for h in hpas {
            for (mi, m) in h.metrics.iter().enumerate() {
                if let (ResourceName::Memory, MetricTarget::AverageValue(t)) = (m.resource, m.target) {
                    let field = format!("spec.metrics[{mi}].resource.target.averageValue");
                    quantities.push((h.origin.clone(), field, "an AverageValue target", t / 1000));
                }
            }
        }
        for (origin, field, what, bytes) in quantities {
            if bytes as i128 > limit {
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::Invalid,
                    field,
                    format!(
                        "{what} of {bytes} bytes is above {limit} bytes, the most kbmc's exact arithmetic allows with a bound of {pods} pods (memory × pods × 10 × max(1000, the Utilization target in %) must stay within i64)"
                    ),
                ));
            }
        }
    }

    /// The model's bounds, and per Deployment the pods it may have at once (see
    /// `limits::pods_bound`).
    fn bounds(&mut self, b: &spec::Bounds, hpas: &[Hpa], events: &[Event]) -> (Bounds, Vec<i64>) {
        let origin = self.spec_origin.clone();
        if b.steps == 0 || b.steps > 10_000 {
            self.diag.error(InputError::at(&origin, InputClass::Invalid, "spec.bounds.steps", "expected 1..10000"));
        }
        let per_deployment: Vec<i64> = (0..self.deployments.len())
            .map(|di| {
                let d = &self.deployments[di];
                let ours = |dep: &DeploymentId| dep.index() == di;
                // A snapshot's pods of every revision are there at the start.
                let at_start: i64 = self
                    .initial_pods
                    .iter()
                    .filter(|p| self.group_owner[p.group.index()].0.index() == di)
                    .map(|p| p.count)
                    .sum();
                // Every replica count an apply sets first, then every scale-up on top of the
                // largest: the events happen in any order, so a scale may follow any apply.
                let applied = events.iter().filter_map(|e| match e {
                    Event::ApplyDeployment { deployment, replicas: ApplyReplicas::Set(r), .. } if ours(deployment) => {
                        Some(*r)
                    }
                    _ => None,
                });
                let scale_ups = events.iter().filter_map(|e| match e {
                    Event::ScaleDeployment { deployment, delta, budget } if ours(deployment) => {
                        Some((delta.max, *budget))
                    }
                    _ => None,
                });
                // A rolling update may surge above desired replicas, with any applied strategy.
                let strategies = std::iter::once(d.strategy).chain(events.iter().filter_map(|e| match e {
                    Event::ApplyDeployment { deployment, strategy, .. } if ours(deployment) => Some(*strategy),
                    _ => None,
                }));
                super::limits::pods_bound(
                    &d.replicas,
                    d.placement.iter().map(|p| p.1).sum::<i64>().max(at_start),
                    d.hpa.map(|h| &hpas[h.index()]),
                    applied,
                    scale_ups,
                    strategies,
                )
            })
            .collect();
        let max_pods = per_deployment.iter().copied().fold(1, i64::max);
        let bounds = Bounds {
            steps: b.steps as i64,
            max_nodes_per_pool: b.max_nodes_per_pool as i64,
            max_pods_per_node: b.max_pods_per_node as i64,
            max_pods_per_deployment: max_pods,
        };
        (bounds, per_deployment)
    }
}

fn score_weight<'a>(s: &'a mut Scheduler, name: &str) -> Option<&'a mut i64> {
    Some(match name {
        "NodeResourcesFit" => &mut s.weight_node_resources_fit,
        "NodeResourcesBalancedAllocation" => &mut s.weight_balanced_allocation,
        "NodeAffinity" => &mut s.weight_node_affinity,
        "TaintToleration" => &mut s.weight_taint_toleration,
        "PodTopologySpread" => &mut s.weight_pod_topology_spread,
        "InterPodAffinity" => &mut s.weight_inter_pod_affinity,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    /// The build's errors for one multi-document YAML text (empty when it builds).
    fn errors(yaml: &str) -> String {
        let (mut inputs, mut errors) = (crate::manifest::Inputs::default(), Vec::new());
        let opts = crate::manifest::LoadOptions::default();
        crate::manifest::load_text(std::path::Path::new("test.yaml"), yaml, opts, &mut inputs, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        match super::build(&inputs, super::BuildOptions::default()) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    fn web(replicas: i64, memory: &str) -> String {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers: [{{name: c, image: web:1, resources: {{requests: {{cpu: \"1\", memory: {memory}}}}}}}]\n---\n")
    }

    fn pool(cpu: &str, memory: &str) -> String {
        format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: n, count: 1, capacity: {{cpu: \"{cpu}\", memory: \"{memory}\"}}}}]\n")
    }

    /// A KubeSchedulerConfiguration whose default profile has `plugin_config` (flow YAML).
    fn scheduler_config(plugin_config: &str) -> String {
        format!("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n  - pluginConfig: {plugin_config}\n---\n")
    }

    fn scheduler_of(yaml: &str) -> super::Scheduler {
        let (mut inputs, mut errors) = (crate::manifest::Inputs::default(), Vec::new());
        crate::manifest::load_text(std::path::Path::new("t.yaml"), yaml, Default::default(), &mut inputs, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        super::build(&inputs, super::BuildOptions::default()).expect("builds").0.scheduler
    }

    /// kube-scheduler's v1 defaulting of plugin args (pkg/scheduler/apis/config/v1/defaults.go
    /// SetDefaults_NodeResourcesFitArgs and
    /// SetDefaults_NodeResourcesBalancedAllocationArgs): an empty resource list is the default
    /// cpu and memory, a weight of 0 is 1; then validation (validation_pluginargs.go
    /// ValidateNodeResourcesBalancedAllocationArgs): BalancedAllocation's weights must be 1.
    #[test]
    fn scoring_resources_default_as_v1_does() {
        let base = format!("{}{}", web(1, "1Gi"), pool("8", "8Gi"));
        let fit = |resources: &str| {
            let cfg = scheduler_config(&format!("[{{name: NodeResourcesFit, args: {{scoringStrategy: {{type: MostAllocated, resources: {resources}}}}}}}]"));
            let s = scheduler_of(&format!("{cfg}{base}"));
            (s.scoring_cpu_weight, s.scoring_memory_weight)
        };
        assert_eq!(fit("[]"), (1, 1), "no resources: the default set");
        assert_eq!(fit("[{name: cpu, weight: 0}, {name: memory, weight: 3}]"), (1, 3), "weight 0 is 1");
        assert_eq!(fit("[{name: memory}]"), (0, 1));
        let balanced = |resources: &str| {
            errors(&format!(
                "{}{base}",
                scheduler_config(&format!(
                    "[{{name: NodeResourcesBalancedAllocation, args: {{resources: {resources}}}}}]"
                ))
            ))
        };
        assert_eq!(balanced("[]"), "");
        assert_eq!(balanced("[{name: memory, weight: 0}, {name: cpu}]"), "");
        assert!(balanced("[{name: cpu, weight: 2}, {name: memory}]").contains("resources[0].weight: must be 1"));
        assert!(balanced("[{name: cpu}, {name: cpu}, {name: memory}]")
            .contains("resources[1].name: \"cpu\" is listed twice"));
        assert!(balanced("[{name: cpu}]").contains("other than cpu and memory together is not modelled"));
    }

    /// Memory in bytes keeps every product within i64 or is refused with the field and the
    /// limit: BalancedAllocation's lcm(cpu millicores, memory bytes), and a pod's memory
    /// times the pod bound.
    #[test]
    fn memory_magnitudes_are_bounded() {
        assert_eq!(errors(&format!("{}{}", web(3, "1Gi"), pool("896", "32Ti"))), "");
        // 2^44 + 1 bytes share no factor with 10^6 millicores: lcm 1.76e19.
        let e = errors(&format!("{}{}", web(3, "1Gi"), pool("1000", "17592186044417")));
        assert!(e.contains("spec.nodePools[0]") && e.contains("lcm(cpu millicores, memory bytes)"), "{e}");
        // 1000 pods of 1Ti (a bound of 1250 with the 25 % surge): 1.1e12 bytes × 1250 pods ×
        // 10 × 1000 leaves i64.
        let e = errors(&format!("{}{}", web(1000, "1Ti"), pool("64", "64Gi")));
        assert!(
            e.contains("requests.memory: a pod's memory request of 1099511627776 bytes is above 737869762948 bytes"),
            "{e}"
        );
        assert!(!e.contains("usage"), "{e}");
        assert_eq!(errors(&format!("{}{}", web(1000, "64Gi"), pool("64", "64Gi"))), "");
    }

    /// An HPA's scaleTargetRef names a Deployment of the HPA's own namespace (it has no
    /// namespace field; the HPA controller scales `namespace/name` of the HPA's namespace).
    #[test]
    fn an_hpa_targets_a_deployment_of_its_own_namespace() {
        let hpa = |namespace: &str| {
            format!("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: web{namespace}}}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}\n  maxReplicas: 3\n---\n")
        };
        let base = format!("{}{}", web(1, "1Gi"), pool("8", "8Gi"));
        assert_eq!(errors(&format!("{}{base}", hpa(""))), "");
        assert_eq!(errors(&format!("{}{base}", hpa(", namespace: default"))), "");
        let e = errors(&format!("{}{base}", hpa(", namespace: prod")));
        assert!(e.contains("spec.scaleTargetRef.name") && e.contains("namespace \"prod\""), "{e}");
    }

    /// Node conditions other than Ready that taint the node and make the kubelet refuse pods
    /// are refused when True; a Node or Deployment being deleted is refused.
    #[test]
    fn pressure_conditions_and_deletions_are_refused() {
        let node = |extra: &str| {
            format!("apiVersion: v1\nkind: Node\nmetadata: {{name: n1{extra}}}\nstatus:\n  allocatable: {{cpu: \"8\", memory: 8Gi}}\n  conditions: [{{type: Ready, status: \"True\"}}, {{type: MemoryPressure, status: \"STATUS\"}}]\n---\n")
        };
        let base = format!("{}{}", web(1, "1Gi"), pool("8", "8Gi"));
        assert_eq!(errors(&format!("{}{base}", node("").replace("STATUS", "False"))), "");
        let e = errors(&format!("{}{base}", node("").replace("STATUS", "True")));
        assert!(e.contains("status.conditions[1]") && e.contains("MemoryPressure True"), "{e}");
        let e = errors(&format!(
            "{}{base}",
            node(", deletionTimestamp: \"2020-01-01T00:00:00Z\"").replace("STATUS", "False")
        ));
        assert!(e.contains("metadata.deletionTimestamp") && e.contains("Node being deleted"), "{e}");
        let deleting = web(1, "1Gi").replace("{name: web}", "{name: web, deletionTimestamp: \"2020-01-01T00:00:00Z\"}");
        let e = errors(&format!("{deleting}{}", pool("8", "8Gi")));
        assert!(e.contains("metadata.deletionTimestamp"), "{e}");
    }

    /// What the API server rejects in a Deployment's pod template
    /// (ValidatePodTemplateSpecForReplicaSet): a restartPolicy other than Always, and
    /// activeDeadlineSeconds.
    #[test]
    fn a_deployments_template_restarts_always_and_has_no_deadline() {
        let with = |field: &str| {
            let d = web(1, "1Gi").replace("      containers:", &format!("      {field}\n      containers:"));
            errors(&format!("{d}{}", pool("8", "8Gi")))
        };
        assert_eq!(with("restartPolicy: Always"), "");
        assert!(with("restartPolicy: OnFailure").contains("spec.template.spec.restartPolicy"));
        assert!(with("activeDeadlineSeconds: 30").contains("spec.template.spec.activeDeadlineSeconds"));
    }

    /// An applied manifest is a new version of the initial Deployment of the same name and
    /// namespace; of another namespace it would be a new Deployment, which is refused.
    #[test]
    fn an_applied_deployment_keeps_its_namespace() {
        let dir = std::env::temp_dir().join(format!("kbmc-apply-namespace-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("apply")).unwrap();
        std::fs::write(dir.join("deployment.yaml"), web(1, "1Gi")).unwrap();
        let verification =
            format!("{}  events: [{{type: applyDeployment, manifest: apply/v2.yaml, budget: 1}}]\n", pool("8", "8Gi"));
        std::fs::write(dir.join("verification.yaml"), verification).unwrap();
        let apply = |namespace: &str| {
            let v2 = web(1, "1Gi").replace("web:1", "web:2");
            let v2 = v2.replace("{name: web}", &format!("{{name: web, namespace: {namespace}}}"));
            std::fs::write(dir.join("apply/v2.yaml"), v2).unwrap();
            crate::load_model(std::slice::from_ref(&dir), false).map(|_| ()).map_err(|e| e.to_string())
        };
        let (same, other) = (apply("default"), apply("prod"));
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(same, Ok(()));
        let e = other.expect_err("another namespace");
        assert!(e.contains("namespace \"prod\", which is not among the initial Deployments"), "{e}");
    }

    /// `web` in namespaces prod and staging, each with an HPA named web, and `spec` (YAML
    /// lines under `spec:`, after the pool).
    fn two_webs(spec: &str) -> String {
        let hpa = |ns: &str| {
            format!("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: web, namespace: {ns}}}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}\n  maxReplicas: 3\n---\n")
        };
        let in_ns = |ns: &str| web(1, "1Gi").replace("{name: web}", &format!("{{name: web, namespace: {ns}}}"));
        format!("{}{}{}{}{}{spec}", in_ns("prod"), hpa("prod"), in_ns("staging"), hpa("staging"), pool("8", "8Gi"))
    }

    fn model_of(yaml: &str) -> super::Model {
        let (mut inputs, mut errors) = (crate::manifest::Inputs::default(), Vec::new());
        crate::manifest::load_text(std::path::Path::new("t.yaml"), yaml, Default::default(), &mut inputs, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        super::build(&inputs, super::BuildOptions::default()).unwrap_or_else(|e| panic!("{e}")).0
    }

    /// A Deployment is identified by namespace and name: `web` in prod and staging are two,
    /// shown as `prod/web` and `staging/web` (their HPAs likewise), each HPA scaling the one of
    /// its own namespace; the same name twice in one namespace is a duplicate.
    #[test]
    fn deployments_of_one_name_in_two_namespaces_are_two() {
        let m = model_of(&two_webs(""));
        let names: Vec<(&str, &str, &str)> =
            m.deployments.iter().map(|d| (d.name.as_str(), d.object_name.as_str(), d.namespace.as_str())).collect();
        assert_eq!(names, [("prod/web", "web", "prod"), ("staging/web", "web", "staging")]);
        let hpas: Vec<(&str, usize)> = m.hpas.iter().map(|h| (h.name.as_str(), h.target.index())).collect();
        assert_eq!(hpas, [("prod/web", 0), ("staging/web", 1)]);
        // A unique name keeps its plain form, whatever its namespace.
        let alone = model_of(&format!(
            "{}{}",
            web(1, "1Gi").replace("{name: web}", "{name: web, namespace: prod}"),
            pool("8", "8Gi")
        ));
        assert_eq!(alone.deployments[0].name, "web");
        let twice = format!(
            "{}{}{}",
            web(1, "1Gi"),
            web(2, "1Gi").replace("{name: web}", "{name: web, namespace: default}"),
            pool("8", "8Gi")
        );
        let e = errors(&twice);
        assert!(
            e.contains("metadata.name") && e.contains("duplicate Deployment \"web\" in namespace \"default\""),
            "{e}"
        );
    }

    /// A reference in the Verification is `namespace/name`, or `name` where that name is
    /// unique; an ambiguous plain name is an error naming the field and the candidates.
    #[test]
    fn references_to_deployments_of_a_shared_name_need_the_namespace() {
        let ok = model_of(&two_webs("  intents: [{type: noEvictionCycle, deployment: staging/web}]\n  events: [{type: rolloutRestart, deployment: prod/web}]\n"));
        assert_eq!(ok.intents, [super::Intent::NoEvictionCycle { deployment: super::DeploymentId(1) }]);
        assert!(matches!(ok.events[..], [super::Event::ApplyDeployment { deployment: super::DeploymentId(0), .. }]));
        assert_eq!(ok.deployments[0].revisions.len(), 2);
        assert_eq!(ok.intent_label(&ok.intents[0]), "noEvictionCycle(staging/web)");
        let e = errors(&two_webs("  intents: [{type: noEvictionCycle, deployment: web}]\n"));
        assert!(
            e.contains("spec.intents[0].deployment")
                && e.contains("\"web\" is ambiguous")
                && e.contains("\"prod/web\", \"staging/web\""),
            "{e}"
        );
        let e = errors(&two_webs("  workloads: [{deployment: web, replicas: 2}]\n"));
        assert!(e.contains("spec.workloads[0].deployment") && e.contains("ambiguous"), "{e}");
        let e =
            errors(&two_webs("  events: [{type: scaleDeployment, deployment: dev/web, delta: {min: 1, max: 1}}]\n"));
        assert!(
            e.contains("spec.events[0].deployment") && e.contains("no Deployment named \"web\" in namespace \"dev\""),
            "{e}"
        );
        // Two workloads naming one Deployment, once plainly and once with its namespace.
        let e = errors(&format!(
            "{}{}  workloads: [{{deployment: web}}, {{deployment: default/web}}]\n",
            web(1, "1Gi"),
            pool("8", "8Gi")
        ));
        assert!(
            e.contains("spec.workloads[1].deployment") && e.contains("already described by spec.workloads[0]"),
            "{e}"
        );
    }

    /// The descheduler validates every pluginConfig entry, enabled or not
    /// (validateDeschedulerConfiguration, pkg/descheduler/policyconfig.go), and
    /// ValidateLowNodeUtilizationArgs refuses `evictableNamespaces.include`
    /// (nodeutilization/validation.go: "only Exclude namespaces can be set, inclusion is not
    /// supported"); `exclude` alone is read.
    #[test]
    fn evictable_namespaces_take_exclude_only() {
        let policy = |args: &str, enabled: &str| {
            format!("apiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\nprofiles:\n  - name: p\n    pluginConfig: [{{name: LowNodeUtilization, args: {{thresholds: {{cpu: 20}}, targetThresholds: {{cpu: 50}}, {args}}}}}]\n    plugins: {{balance: {{enabled: [{enabled}]}}}}\n---\n")
        };
        let base = format!("{}{}", web(1, "1Gi"), pool("8", "8Gi"));
        let e = errors(&format!("{}{base}", policy("evictableNamespaces: {include: [default]}", "LowNodeUtilization")));
        assert!(
            e.contains("profiles[0].pluginConfig[0].args.evictableNamespaces.include")
                && e.contains("only Exclude namespaces can be set"),
            "{e}"
        );
        // Not enabled: still validated.
        let e = errors(&format!("{}{base}", policy("evictableNamespaces: {include: [default]}", "")));
        assert!(e.contains("evictableNamespaces.include"), "{e}");
        let m = model_of(&format!(
            "{}{base}",
            policy("evictableNamespaces: {exclude: [kube-system]}", "LowNodeUtilization")
        ));
        let plugin = &m.descheduler.expect("a policy").profiles[0].balance[0];
        assert_eq!(plugin.namespaces(), &super::Namespaces { include: vec![], exclude: vec!["kube-system".into()] });
    }
}
