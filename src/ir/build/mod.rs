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

/// Builds and validates the model.
pub fn build(inputs: &Inputs, opts: BuildOptions) -> Result<(Model, Vec<InputError>), Error> {
    let mut diag = Diag::new(inputs.warnings.clone(), opts.allow_unmodeled);
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
        ordinals: Vec::new(),
        classes: Vec::new(),
        group_priority: Vec::new(),
        daemon_sets: Vec::new(),
        daemon_pods: Vec::new(),
        vpa_targets: Vec::new(),
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
    b.classes = b.priority_classes();
    b.deployments_from_manifests(spec);
    let replica_sets = b.snapshot_replica_sets();
    let applies = b.applied_revisions(spec);
    b.snapshot_pods(&replica_sets);
    b.check_snapshot_fits();
    let vpas = b.vpas(spec);
    b.daemon_sets_from_manifests(spec);
    let groups = b.resolve_groups();
    let pdbs = b.pdbs(&groups);
    let hpas = b.hpas();
    let scheduler = b.scheduler();
    let descheduler = b.descheduler();
    let controllers = b.controllers(&spec.controllers, !hpas.is_empty(), descheduler.is_some());
    if controllers.scheduler {
        b.check_preemption(&groups, &pdbs);
    }
    let autoscaler = b.autoscaler(spec.cluster_autoscaler.as_ref(), controllers.cluster_autoscaler);
    if autoscaler.is_some() && controllers.scheduler {
        b.check_autoscaler_preemption(&groups);
    }
    if autoscaler.is_some() {
        b.check_autoscaler_daemon_sets();
    }
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
        scenario: inputs.scenario.clone(),
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
        pdbs,
        priority_classes: b.classes,
        daemon_sets: b.daemon_sets,
        autoscaler,
        vpas,
    };
    Ok((model, b.diag.warnings))
}
