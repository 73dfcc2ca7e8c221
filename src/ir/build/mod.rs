//! Builds the IR from decoded manifests and the Verification spec: resolves names to ids,
//! converts quantities to integer units, precomputes static per-node facts, fills Kubernetes
//! defaults, and checks every reference and bound. All errors are collected and returned
//! together; unmodelled fields are errors unless `allow_unmodeled` demotes them to warnings.
//!
//! Each part of the input is read in a file of its own under `build/`, as an `impl Builder`
//! block: `nodes.rs` (pools and Node manifests), `deployments.rs` (Deployments, their
//! revisions' pod groups, references to them), `snapshot.rs` (a cluster snapshot's
//! ReplicaSets and Pods), `hpa.rs`, `vpa.rs` (VerticalPodAutoscalers and the revisions their
//! recommendations add), `scheduler.rs` (the KubeSchedulerConfiguration),
//! `descheduler.rs` (the DeschedulerPolicy), `events.rs` (spec.controllers and spec.events),
//! `pdb.rs` (PodDisruptionBudgets), `statefulsets.rs` (StatefulSets, their ordinals' pod
//! groups and the StorageClasses of their claims), `priority.rs` (PriorityClasses and each pod
//! group's priority), `autoscaler.rs` (the cluster autoscaler's options), `intents.rs` and
//! `bounds.rs`. This file holds the
//! `Builder` they share, the quantity and naming helpers more than one part uses, and
//! `build`, which checks that there is one Verification, calls the parts in order and
//! assembles the `Model`; it must not interpret any other kind of object itself (`dropped`
//! only names one for reports).

use std::collections::BTreeMap;

pub(super) use super::diag::Diag;
use super::pod::TemplateFacts;
use super::*;
use crate::error::{Error, InputClass, InputError, Origin};
use crate::manifest::quantity::Quantity;
use crate::manifest::Inputs;

mod autoscaler;
mod bounds;
mod daemonsets;
mod deployments;
mod descheduler;
mod events;
mod hpa;
mod intents;
mod nodes;
mod pdb;
mod priority;
mod scheduler;
mod snapshot;
mod statefulsets;
#[cfg(test)]
mod test_inputs;
mod vpa;

#[derive(Clone, Copy, Debug, Default)]
pub struct BuildOptions {
    pub allow_unmodeled: bool,
}

const HOSTNAME: &str = "kubernetes.io/hostname";
/// The well-known zone label: where a zonal volume is (CSI drivers put the same zone under
/// their own topology key; kbmc reads this one), and what a multi-zone node group gives each
/// node.
const ZONE: &str = "topology.kubernetes.io/zone";
/// Its deprecated predecessor, which clouds still set beside it with the same value.
const BETA_ZONE: &str = "failure-domain.beta.kubernetes.io/zone";

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
    /// Per group: its owner and revision.
    group_owner: Vec<(Owner, u32)>,
    spec_origin: Origin,
    initial_pods: Vec<InitialPods>,
    fixed_pods: Vec<FixedPods>,
    /// The StatefulSets' pod groups and their ordinals (`statefulsets.rs`).
    ordinals: Vec<(GroupId, Ordinal)>,
    /// The PriorityClasses (`priority.rs`), read before any pod template.
    classes: Vec<PriorityClass>,
    /// Per group, parallel to `facts`: its priority and whether it may preempt.
    group_priority: Vec<(i64, bool)>,
    daemon_sets: Vec<DaemonSet>,
    /// A snapshot's pods of the DaemonSets among the inputs (`snapshot.rs`), held to each
    /// DaemonSet's start state by `daemonsets.rs`.
    daemon_pods: Vec<snapshot::DaemonPod>,
    /// Deployments whose revisions are a VerticalPodAutoscaler's request variants of one
    /// ReplicaSet (`vpa.rs`), not rollouts: their pods are the same ReplicaSet's.
    vpa_targets: Vec<DeploymentId>,
}

/// Builds and validates the model: finds the one Verification, checks the numbers that size
/// what is allocated, builds the nodes, the workloads and their pod groups, the controllers'
/// configurations, the events, intents and bounds, and assembles the `Model`.
pub fn build(inputs: &Inputs, opts: BuildOptions) -> Result<(Model, Vec<InputError>), Error> {
    let verification = the_verification(inputs)?;
    let mut diag = Diag::new(inputs.warnings.clone(), opts.allow_unmodeled);
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
    let mut b = Builder::new(inputs, diag, verification.origin.clone());
    let spec = &verification.value.spec;
    b.nodes_and_names(&verification.value);
    let parts = b.parts(spec);
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
    Ok(b.model(name, spec.timing, parts))
}

/// The one Verification document among the inputs: none, or a second one, is an error that
/// says where to look.
fn the_verification(inputs: &Inputs) -> Result<&crate::manifest::Object<crate::spec::Verification>, Error> {
    match inputs.verifications.as_slice() {
        [v] => Ok(v),
        [] if inputs.files.is_empty() => Err(Error::Usage(
            "no YAML or JSON file (*.yaml, *.yml, *.json) among the paths given, so no `apiVersion: kbmc.dev/v1alpha1, kind: Verification` document either; kbmc needs one to know what to verify (see docs/spec.md)".into(),
        )),
        [] => {
            let file = inputs.files.first().cloned().unwrap_or_default();
            Err(Error::input(InputError::file(
                &file,
                InputClass::MissingOrMistyped,
                "no `apiVersion: kbmc.dev/v1alpha1, kind: Verification` document among the inputs; kbmc needs one to know what to verify (see docs/spec.md)",
            )))
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
            Err(Error::Input(errs))
        }
    }
}

/// What the parts of the build return, for [`Builder::model`] to assemble.
struct Parts {
    groups: Vec<PodGroup>,
    pdbs: Vec<Pdb>,
    hpas: Vec<Hpa>,
    vpas: Vec<Vpa>,
    scheduler: Scheduler,
    descheduler: Option<Descheduler>,
    controllers: Controllers,
    autoscaler: Option<Autoscaler>,
    events: Vec<Event>,
    intents: Vec<Intent>,
    bounds: Bounds,
}

impl<'a> Builder<'a> {
    fn new(inputs: &'a Inputs, diag: Diag, spec_origin: Origin) -> Self {
        Builder {
            inputs,
            diag,
            labels: Labels::default(),
            pools: Vec::new(),
            nodes: Vec::new(),
            deployments: Vec::new(),
            facts: Vec::new(),
            group_owner: Vec::new(),
            spec_origin,
            initial_pods: Vec::new(),
            fixed_pods: Vec::new(),
            ordinals: Vec::new(),
            classes: Vec::new(),
            group_priority: Vec::new(),
            daemon_sets: Vec::new(),
            daemon_pods: Vec::new(),
            vpa_targets: Vec::new(),
        }
    }

    /// The nodes (the spec's pools and Node manifests), then the checks of names, labels and
    /// API ranges that need the nodes' names.
    fn nodes_and_names(&mut self, verification: &crate::spec::Verification) {
        let spec = &verification.spec;
        self.labels.key(HOSTNAME);
        self.pools_from_spec(&spec.node_pools);
        self.pools_from_nodes(&spec.node_pools);
        if self.nodes.is_empty() {
            self.diag.error(InputError::at(
                &self.spec_origin,
                InputClass::Invalid,
                "spec.nodePools",
                "no nodes: add spec.nodePools or v1 Node manifests",
            ));
        }
        super::validate::names_and_labels(self.inputs, verification, &self.spec_origin, &mut self.diag);
        super::validate::api_ranges(self.inputs, &mut self.diag);
        super::validate::spec_values(spec, &self.spec_origin, &mut self.diag);
        let node_names: Vec<&str> = self.nodes.iter().map(|n| n.name.as_str()).collect();
        super::validate::node_names(self.inputs, &node_names, &mut self.diag);
    }

    /// Every part after the nodes, in the order each needs the ones before: priority classes
    /// before any pod template, workloads and a snapshot's pods before the pod groups are
    /// resolved, the groups before the budgets, controllers and events, and the bounds last.
    fn parts(&mut self, spec: &crate::spec::VerificationSpec) -> Parts {
        self.classes = self.priority_classes();
        self.deployments_from_manifests(spec);
        let replica_sets = self.snapshot_replica_sets();
        let applies = self.applied_revisions(spec);
        self.snapshot_pods(&replica_sets);
        self.check_snapshot_fits();
        let vpas = self.vpas(spec);
        self.daemon_sets_from_manifests(spec);
        let groups = self.resolve_groups();
        self.check_not_ready_tolerations();
        let pdbs = self.pdbs(&groups);
        let hpas = self.hpas();
        let scheduler = self.scheduler();
        let descheduler = self.descheduler();
        let controllers = self.controllers(&spec.controllers, !hpas.is_empty(), descheduler.is_some());
        if controllers.scheduler {
            self.check_preemption(&groups, &pdbs);
        }
        let autoscaler = self.autoscaler(spec.cluster_autoscaler.as_ref(), controllers.cluster_autoscaler);
        if autoscaler.is_some() && controllers.scheduler {
            self.check_autoscaler_preemption(&groups);
        }
        if autoscaler.is_some() {
            self.check_autoscaler_daemon_sets();
        }
        let events = self.events(&spec.events, &applies);
        let intents = self.intents(&spec.intents, &hpas);
        let (bounds, per_deployment) = self.bounds(&spec.bounds, &hpas, &events);
        if self.diag.errors.is_empty() {
            let origin = self.spec_origin.clone();
            self.diag.errors.extend(super::limits::check_model(
                &self.deployments,
                &per_deployment,
                &hpas,
                &events,
                &origin,
            ));
        }
        if self.diag.errors.is_empty() {
            self.memory_magnitudes(&hpas, &bounds);
        }
        Parts { groups, pdbs, hpas, vpas, scheduler, descheduler, controllers, autoscaler, events, intents, bounds }
    }

    /// The `Model` of a build without errors, and the warnings it collected.
    fn model(self, name: String, timing: Timing, p: Parts) -> (Model, Vec<InputError>) {
        let inputs = self.inputs;
        let model = Model {
            name,
            spec_inferred: inputs.spec_inferred,
            scenario: inputs.scenario.clone(),
            dropped: self
                .diag
                .warnings
                .iter()
                .filter(|w| w.class == InputClass::Unmodeled)
                .map(|w| dropped(w, inputs))
                .collect(),
            labels: self.labels,
            pools: self.pools,
            nodes: self.nodes,
            deployments: self.deployments,
            groups: p.groups,
            hpas: p.hpas,
            scheduler: p.scheduler,
            descheduler: p.descheduler,
            controllers: p.controllers,
            timing,
            events: p.events,
            intents: p.intents,
            bounds: p.bounds,
            initial_pods: self.initial_pods,
            fixed_pods: self.fixed_pods,
            pdbs: p.pdbs,
            priority_classes: self.classes,
            daemon_sets: self.daemon_sets,
            autoscaler: p.autoscaler,
            vpas: p.vpas,
        };
        (model, self.diag.warnings)
    }
}
