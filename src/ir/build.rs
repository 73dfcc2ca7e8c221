//! Builds the IR from decoded manifests and the Verification spec: resolves names to ids,
//! converts quantities to integer units, precomputes static per-node facts, fills Kubernetes
//! defaults, and checks every reference and bound. All errors are collected and returned
//! together; unmodelled fields are errors unless `allow_unmodeled` demotes them to warnings.

use std::collections::BTreeMap;

use super::pod::TemplateFacts;
use super::*;
use crate::error::{Error, InputClass, InputError, Origin};
use crate::manifest::quantity::Quantity;
use crate::manifest::Inputs;
use crate::spec;

mod deployments;
mod descheduler;
mod events;
mod hpa;
mod nodes;
mod scheduler;
mod snapshot;
#[cfg(test)]
mod test_inputs;

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

#[cfg(test)]
mod tests {
    use super::test_inputs::{errors, pool, web};

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
}
