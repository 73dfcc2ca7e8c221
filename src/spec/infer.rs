//! The Verification kbmc infers when the inputs hold none, and its commented YAML (`kbmc
//! init`). Owns the choice of pools, intents and events a user of a cluster would want checked
//! by default; reads the model built from the manifests alone (`ir::Model`), never YAML, and
//! builds nothing itself: `ir::build` validates the inferred spec as it does a written one.
//!
//! What is inferred (docs/spec.md, "No spec: what kbmc infers"):
//! - pools: Node manifests equal in capacity, allocatable, taints and every label but
//!   `kubernetes.io/hostname` and the zone's (`topology.kubernetes.io/zone`, its deprecated
//!   `failure-domain.beta.kubernetes.io/zone`; a label whose value is the node's zone, as
//!   GKE's `topology.gke.io/zone`, compares as the zone) form one pool (`nodes:`), spread
//!   over their zones (each node keeps its zone label; the engines treat nodes of one zone
//!   as interchangeable); a Node unlike every other stays a pool of its own, named after it;
//! - per Deployment: `replicasMeetMin` (with an HPA) or `replicasMeetExpected` with offset
//!   minus the resolved `maxUnavailable` (RollingUpdate without an HPA), `noEvictionCycle`,
//!   `noPreemptionCycle` where pods of a higher priority may preempt its pods,
//!   `noReplicaOscillation` where an HPA exists; `podAlwaysSchedulable` once;
//! - per StatefulSet (a workload beside the Deployments): as a Deployment without an HPA,
//!   with `replicasMeetExpected` at offset -1 (its rolling update replaces one pod at a
//!   time), and `statefulSetAvailable` with `maxUnavailable: 0` (no ordinal stays down for
//!   ever); never the `forceDeletePods` event (see `rollout_events`);
//! - events: the failures of one [`Scenario`], cluster-wide rather than per pool (a budget per
//!   pool would add up to losing every pool at once, which no one plans for): one node
//!   (`nodeFailure`, any pool, budget 1), or, as a check of its own, the nodes of one zone
//!   (`scope: zone`, budget the largest zone's Ready nodes); with recovery unless a
//!   StatefulSet is among the inputs (its pod on a node that never comes back is what strands
//!   it); one drain of one node
//!   (`maintenance`), a `rolloutRestart` of each Deployment and StatefulSet, and for each HPA
//!   with a CPU target a load that takes its pods from the target level to one at which its
//!   minimum of pods asks for its maximum.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::{
    Bounds, Controllers, Event, FailureScope, Intent, Metadata, NodePool, QuantityRange, Timing, Usage, Verification,
    VerificationSpec, Workload,
};
use crate::ir::{self, IntOrPercent, MetricTarget, ResourceName, Strategy};

/// The failures an inferred spec plans for; each is a check of its own (`--scenario`), so
/// that no run loses more than one of them allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// One node fails (any node), and may recover.
    Node,
    /// The nodes of one zone fail (whichever zone first), and may recover; needs two zones.
    Zone,
}

/// An inferred Verification, with a comment per pool, event and intent saying why it is there
/// (what `kbmc init` prints above each).
#[derive(Clone, Debug)]
pub struct Inferred {
    pub verification: Verification,
    /// The failure scenario in words, for the header of a check and `kbmc init`.
    pub scenario: String,
    pub pool_notes: Vec<String>,
    pub workload_notes: Vec<String>,
    pub event_notes: Vec<String>,
    pub intent_notes: Vec<String>,
    /// Things left out, with why (a Recreate Deployment's replica floor, an HPA on memory).
    pub omitted: Vec<String>,
}

/// The zones of `m`'s Ready nodes (their `topology.kubernetes.io/zone` labels), each with its
/// number of Ready nodes, in order of first node.
fn zones(m: &ir::Model) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = Vec::new();
    for n in (0..m.nodes.len()).filter(|&n| m.nodes[n].ready) {
        let Some(v) = m.zone_label(n) else { continue };
        let z = m.labels.value_name(v);
        match out.iter_mut().find(|(name, _)| name == z) {
            Some((_, c)) => *c += 1,
            None => out.push((z.to_string(), 1)),
        }
    }
    out
}

/// The Verification to check `m` (built from the manifests with an empty spec) by default,
/// planning for the failures of `scenario`; an error says why a scenario does not apply.
pub fn infer(m: &ir::Model, name: &str, scenario: Scenario) -> Result<Inferred, String> {
    let zones = zones(m);
    if scenario == Scenario::Zone && zones.len() < 2 {
        return Err(format!(
            "--scenario zone needs Ready nodes in two zones or more (label topology.kubernetes.io/zone); these are in {}",
            match zones.as_slice() {
                [] => "none".to_string(),
                [(z, _)] => format!("one, {z}"),
                _ => unreachable!("two zones or more"),
            }
        ));
    }
    let mut out = empty(name);
    infer_pools(m, &mut out);
    failure_events(m, &zones, scenario, &mut out);
    if !m.nodes.is_empty() {
        out.verification.spec.events.push(Event::Maintenance { max_unavailable: 1, budget: Some(1) });
        out.event_notes.push("one node is drained (cordoned, its pods evicted) and returned".into());
    }
    rollout_events(m, &mut out);
    load_events(m, &mut out);
    out.verification.spec.intents.push(Intent::PodAlwaysSchedulable {});
    out.intent_notes.push("every pod created finds a node".into());
    for di in 0..m.deployments.len() {
        deployment_intents(m, di, &mut out);
    }
    if !m.pdbs.is_empty() && !m.nodes.is_empty() {
        let spec = &mut out.verification.spec;
        spec.intents.push(Intent::DrainCompletes {});
        out.intent_notes.push("the drain finishes: no PodDisruptionBudget refuses its evictions for ever".into());
        spec.intents.push(Intent::DisruptionsWithinBudget {});
        out.intent_notes.push("no drain or descheduler eviction takes a PodDisruptionBudget below its minimum".into());
    }
    Ok(out)
}

/// An inferred Verification named `name` with nothing in it yet.
fn empty(name: &str) -> Inferred {
    Inferred {
        scenario: String::new(),
        verification: Verification {
            api_version: "kbmc.dev/v1alpha1".into(),
            kind: "Verification".into(),
            metadata: Metadata { name: Some(name.to_string()), labels: None, annotations: None },
            spec: VerificationSpec {
                node_pools: Vec::new(),
                workloads: Vec::new(),
                controllers: Controllers::default(),
                timing: Timing::default(),
                events: Vec::new(),
                intents: Vec::new(),
                bounds: Bounds::default(),
                cluster_autoscaler: None,
            },
        },
        pool_notes: Vec::new(),
        workload_notes: Vec::new(),
        event_notes: Vec::new(),
        intent_notes: Vec::new(),
        omitted: Vec::new(),
    }
}

/// A `nodes:` pool per group of alike nodes of `m` (a node unlike every other stays a pool of
/// its own and needs none), with a note saying over which zones it spreads.
fn infer_pools(m: &ir::Model, out: &mut Inferred) {
    let spec = &mut out.verification.spec;
    for members in &pools(m) {
        if members.len() == 1 {
            continue;
        }
        let names: Vec<String> = members.iter().map(|&n| m.nodes[n].name.clone()).collect();
        let pool = pool_name(m, &names, &spec.node_pools);
        let mut pool_zones: Vec<&str> = Vec::new();
        for &n in members {
            if let Some(z) = m.zone_label(n).map(|v| m.labels.value_name(v)) {
                if !pool_zones.contains(&z) {
                    pool_zones.push(z);
                }
            }
        }
        out.pool_notes.push(if pool_zones.len() > 1 {
            format!(
                "{} nodes alike in capacity, allocatable, taints and labels but their zone: one pool over zones {}, nodes of one zone checked as interchangeable",
                names.len(),
                pool_zones.join(", ")
            )
        } else {
            format!(
                "{} nodes alike in capacity, allocatable, taints and labels: one pool, checked as interchangeable",
                names.len()
            )
        });
        spec.node_pools.push(NodePool {
            name: pool,
            count: None,
            nodes: names,
            labels: BTreeMap::new(),
            capacity: None,
            allocatable: None,
            taints: Vec::new(),
            unschedulable: false,
            autoscaling: None,
        });
    }
}

/// The one failure event of `scenario` (cluster-wide, whatever the pools), with the scenario
/// in words.
fn failure_events(m: &ir::Model, zones: &[(String, u32)], scenario: Scenario, out: &mut Inferred) {
    let spec = &mut out.verification.spec;
    // With a StatefulSet the node fails for good: its pod there stays Terminating until the
    // node is back (the kubelet confirms the deletion) or an operator force-deletes it, so a
    // node that may come back at any time would hide the StatefulSet staying degraded (C13,
    // C14). Without one, the node may recover.
    let recovery = !m.deployments.iter().any(|d| d.stateful.is_some());
    let comes_back = if recovery { "may recover" } else { "stays down (a StatefulSet is among the inputs)" };
    let zone_names: Vec<&str> = zones.iter().map(|(z, _)| z.as_str()).collect();
    match scenario {
        Scenario::Node => {
            spec.events.push(Event::NodeFailure { pool: None, budget: 1, recovery, scope: FailureScope::Node });
            out.event_notes.push(if recovery {
                "one node, any node, fails (NotReady) and may recover".to_string()
            } else {
                "one node, any node, fails (NotReady) for good: a StatefulSet's pod there stays Terminating until someone acts".to_string()
            });
            out.scenario = format!("one node failure (any node), which {comes_back}");
            if zones.len() > 1 {
                out.scenario +=
                    &format!("; one zone ({}) is a check of its own: --scenario zone", zone_names.join(", "));
            }
        }
        Scenario::Zone => {
            let largest = zones.iter().map(|(_, c)| *c).max().unwrap_or(1);
            spec.events.push(Event::NodeFailure { pool: None, budget: largest, recovery, scope: FailureScope::Zone });
            out.event_notes.push(format!(
                "the nodes of one zone ({}, whichever fails first) fail (NotReady) and {comes_back}; budget: the largest zone's {largest} node(s)",
                zone_names.join(", ")
            ));
            out.scenario = format!(
                "one zone ({}) fails, its nodes one by one or all together, and {comes_back}; one node failure is a check of its own: --scenario node",
                zone_names.join(", ")
            );
        }
    }
}

/// Whether Deployment `d` of `m` is the target of a VerticalPodAutoscaler that acts. Such a
/// target neither rolls out nor takes cpuChange loads in kbmc (ir/build/vpa.rs refuses both):
/// its checks go without them.
fn vpa_target(m: &ir::Model, d: usize) -> bool {
    m.vpas.iter().any(|v| v.target.index() == d && v.mode != crate::ir::VpaMode::Off)
}

/// A `rolloutRestart` of each Deployment and StatefulSet kbmc can roll out, and why a
/// StatefulSet goes without `forceDeletePods`.
fn rollout_events(m: &ir::Model, out: &mut Inferred) {
    for (di, d) in m.deployments.iter().enumerate() {
        if vpa_target(m, di) {
            out.omitted.push(format!(
                "no rolloutRestart of {}: a rollout of a VerticalPodAutoscaler's target is not modelled",
                d.name
            ));
            continue;
        }
        out.verification.spec.events.push(Event::RolloutRestart {
            deployment: Some(d.name.clone()),
            daemon_set: None,
            budget: 1,
        });
        out.event_notes.push(format!("a rollout of {} (kubectl rollout restart)", d.name));
    }
    // No `forceDeletePods`: it is an operator's remedy (`kubectl delete pod --force`, or the
    // out-of-service taint), not something the cluster does. With it, a StatefulSet's pod
    // stranded Terminating on a node that failed for good would be replaced and the check
    // pass on a fix nobody has applied; without it the check shows the StatefulSet degraded
    // until someone acts (docs/modeling/statefulset.md), and `kbmc init` says how to add it.
    for d in m.deployments.iter().filter(|d| d.stateful.is_some()) {
        out.omitted.push(format!(
            "no forceDeletePods for {}: it is the operator's remedy for a pod stranded on a failed node; add the event to check with that remedy",
            d.name
        ));
    }
}

/// For each HPA with a CPU target, its pods' usage at the target and a `cpuChange` load that
/// takes its minimum of pods to ask for its maximum.
fn load_events(m: &ir::Model, out: &mut Inferred) {
    let spec = &mut out.verification.spec;
    for h in &m.hpas {
        let d = &m.deployments[h.target.index()];
        if vpa_target(m, h.target.index()) {
            out.omitted.push(format!(
                "no cpuChange load on {}: a VerticalPodAutoscaler's recommendations over usage a cpuChange reaches are not modelled (add a cpuPattern)",
                d.name
            ));
            continue;
        }
        match load(m, h) {
            Some((level, step)) => {
                spec.workloads.push(Workload {
                    deployment: d.name.clone(),
                    replicas: None,
                    placement: Vec::new(),
                    usage: Some(Usage { cpu: Some(milli(level)), memory: None }),
                });
                out.workload_notes.push(format!(
                    "each pod of {} starts at the HPA {}'s CPU target: the HPA keeps the replicas it has",
                    d.name, h.name
                ));
                spec.events.push(Event::CpuChange {
                    deployment: Some(d.name.clone()),
                    delta: QuantityRange { min: milli(0), max: milli(step) },
                    budget: h.min_replicas.max(1) as u32,
                });
                out.event_notes.push(format!(
                    "load on {}: each of {} pods may rise to {}m CPU, at which {} pods ask the HPA for its maximum of {}",
                    d.name,
                    h.min_replicas.max(1),
                    level + step,
                    h.min_replicas.max(1),
                    h.max_replicas
                ));
            }
            None => out.omitted.push(format!(
                "no load event for the HPA {}: it has no CPU target kbmc can move (memory only)",
                h.name
            )),
        }
    }
}

/// The intents about Deployment (or StatefulSet) `di` of `m`: its replica floor, no eviction
/// or preemption cycle, a StatefulSet's availability and an HPA's oscillation.
fn deployment_intents(m: &ir::Model, di: usize, out: &mut Inferred) {
    let spec = &mut out.verification.spec;
    let d = &m.deployments[di];
    let deployment = Some(d.name.clone());
    let hpa = m.hpas.iter().find(|h| h.target.index() == di);
    match (hpa, d.strategy) {
        // A StatefulSet's rolling update replaces one pod at a time (kbmc refuses its
        // maxUnavailable), whatever its pod management and update strategy.
        (None, _) if d.stateful.is_some() => {
            spec.intents.push(Intent::ReplicasMeetExpected {
                deployment: deployment.clone(),
                replicas: None,
                offset: Some(-1),
            });
            out.intent_notes.push(format!(
                "running replicas of {} stay at least at the desired count minus one (a StatefulSet replaces one pod at a time)",
                d.name
            ));
        }
        (Some(h), _) => {
            spec.intents.push(Intent::ReplicasMeetMin { deployment: deployment.clone() });
            out.intent_notes.push(format!(
                "running replicas of {}, once at the HPA's minimum of {}, stay there",
                d.name, h.min_replicas
            ));
        }
        (None, Strategy::RollingUpdate { max_surge, max_unavailable }) => {
            let unavailable = resolve_max_unavailable(d.replicas.max, max_surge, max_unavailable);
            spec.intents.push(Intent::ReplicasMeetExpected {
                deployment: deployment.clone(),
                replicas: None,
                offset: Some(-unavailable),
            });
            out.intent_notes.push(format!(
                "running replicas of {} stay at least at the desired count minus maxUnavailable ({unavailable})",
                d.name
            ));
        }
        (None, Strategy::Recreate) => out
            .omitted
            .push(format!("no replica floor for {}: its Recreate strategy stops every pod in a rollout", d.name)),
    }
    spec.intents.push(Intent::NoEvictionCycle { deployment: deployment.clone() });
    out.intent_notes.push(format!("no controller keeps evicting pods of {} in a cycle", d.name));
    // Pods some pod of a higher priority may preempt.
    let preemptible = m.controllers.scheduler
        && m.groups
            .iter()
            .filter(|h| h.deployment().map(|x| x.index()) == Some(di))
            .any(|h| m.groups.iter().any(|g| g.preempts && g.priority > h.priority));
    if preemptible {
        spec.intents.push(Intent::NoPreemptionCycle { deployment: deployment.clone() });
        out.intent_notes.push(format!("kube-scheduler does not keep preempting pods of {} in a cycle", d.name));
    }
    if d.stateful.is_some() {
        spec.intents.push(Intent::StatefulSetAvailable { stateful_set: deployment.clone(), max_unavailable: 0 });
        out.intent_notes.push(format!(
            "no ordinal of {} below its replicas stays without a running pod for ever (a rollout or a failed node may take one down for a while)",
            d.name
        ));
    }
    if hpa.is_some() {
        spec.intents.push(Intent::NoReplicaOscillation { deployment, drop: 3 });
        out.intent_notes.push(format!(
            "once the HPA has scaled {} to its maximum, running replicas do not fall 3 or more below it",
            d.name
        ));
    }
}

fn milli(v: i64) -> Quantity {
    Quantity(format!("{v}m"))
}

/// Node slots grouped into pools of alike nodes, each group in node order, groups in the
/// order of their first node.
fn pools(m: &ir::Model) -> Vec<Vec<usize>> {
    let own = ["kubernetes.io/hostname", "topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone"]
        .map(|k| m.labels.find_key(k));
    let key = |n: &ir::Node| (n.capacity, n.allocatable, n.taints.clone(), n.labels_alike(&own));
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, n) in m.nodes.iter().enumerate() {
        match groups.iter_mut().find(|g| key(&m.nodes[g[0]]) == key(n)) {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    groups
}

/// A pool's name: the longest common prefix of its nodes' names without trailing `-`
/// (`worker-1`, `worker-2`: `worker`), when that names no node or pool yet; else `pool-<k>`.
fn pool_name(m: &ir::Model, names: &[String], taken: &[NodePool]) -> String {
    let first = names[0].as_str();
    let mut len = first.len();
    for n in &names[1..] {
        len = len.min(first.bytes().zip(n.bytes()).take_while(|(a, b)| a == b).count());
    }
    let prefix = first[..len].trim_end_matches(['-', '.', '_']);
    let free = |s: &str| !s.is_empty() && !m.nodes.iter().any(|n| n.name == s) && !taken.iter().any(|p| p.name == s);
    if free(prefix) {
        return prefix.to_string();
    }
    (taken.len() + 1..).map(|k| format!("pool-{k}")).find(|s| free(s)).expect("some pool-<k> is free")
}

/// RollingUpdate's maxUnavailable as the Deployment controller resolves it against the
/// replicas (deploymentutil.ResolveFenceposts: surge rounds up, unavailable down; both zero
/// means one unavailable).
fn resolve_max_unavailable(replicas: i64, surge: IntOrPercent, unavailable: IntOrPercent) -> i64 {
    let resolve = |v: IntOrPercent, up: bool| match v {
        IntOrPercent::Int(i) => i,
        IntOrPercent::Percent(p) if up => (p * replicas + 99) / 100,
        IntOrPercent::Percent(p) => p * replicas / 100,
    };
    let (s, u) = (resolve(surge, true), resolve(unavailable, false));
    if s == 0 && u == 0 {
        1
    } else {
        u
    }
}

/// The per-pod CPU usage (millicores) at which the HPA `h` keeps its replicas, and the rise
/// after which its minimum of pods asks for its maximum: the target level `L`, and `k·L` with
/// `(k + 1)·min ≥ max` (one step, so the load adds one usage level per pod, not many).
fn load(m: &ir::Model, h: &ir::Hpa) -> Option<(i64, i64)> {
    let d = &m.deployments[h.target.index()];
    let group = m.groups.get(d.revisions.first()?.index())?;
    let level = h.metrics.iter().find_map(|metric| match (metric.resource, metric.target) {
        (ResourceName::Cpu, MetricTarget::Utilization(t)) => {
            group.metric_requests.cpu_milli.map(|r| (r * t + 99) / 100)
        }
        (ResourceName::Cpu, MetricTarget::AverageValue(v)) => Some(v),
        _ => None,
    })?;
    if level <= 0 {
        return None;
    }
    let min = h.min_replicas.max(1);
    let k = ((h.max_replicas + min - 1) / min - 1).max(1);
    Some((level, k * level))
}

/// The inferred Verification as YAML that `kbmc check` reads back unchanged, with a comment
/// on each entry saying why it is there.
pub fn render(inf: &Inferred, sources: &str) -> String {
    let v = &inf.verification;
    let s = &v.spec;
    let mut y = String::new();
    let q = |s: &str| format!("{s:?}");
    y.push_str(&format!(
        "# The Verification kbmc infers for {sources} (docs/spec.md, \"No spec: what kbmc infers\").\n\
         # Edit it and pass it with the manifests: kbmc check <manifests> <this file>\n"
    ));
    y.push_str(&format!("# Failure scenario: {}.\n", inf.scenario));
    for o in &inf.omitted {
        y.push_str(&format!("# Left out: {o}.\n"));
    }
    y.push_str(&format!("apiVersion: {}\nkind: {}\n", v.api_version, v.kind));
    if let Some(name) = &v.metadata.name {
        y.push_str(&format!("metadata:\n  name: {}\n", q(name)));
    }
    y.push_str("spec:\n");
    if s.node_pools.is_empty() {
        y.push_str("  # Every Node is unlike the others: each is a pool of its own, named after it.\n");
    } else {
        y.push_str("  # Nodes not listed here are each a pool of their own, named after the node.\n  nodePools:\n");
        for (p, note) in s.node_pools.iter().zip(&inf.pool_notes) {
            y.push_str(&format!("    # {note}\n    - name: {}\n      nodes:\n", q(&p.name)));
            for n in &p.nodes {
                y.push_str(&format!("        - {}\n", q(n)));
            }
        }
    }
    if !s.workloads.is_empty() {
        y.push_str("  workloads:\n");
        for (w, note) in s.workloads.iter().zip(&inf.workload_notes) {
            y.push_str(&format!("    # {note}\n    - deployment: {}\n", q(&w.deployment)));
            if let Some(Usage { cpu: Some(cpu), .. }) = &w.usage {
                y.push_str(&format!("      usage:\n        cpu: {}\n", q(&cpu.0)));
            }
        }
    }
    y.push_str("  events:\n");
    for (e, note) in s.events.iter().zip(&inf.event_notes) {
        y.push_str(&format!("    # {note}\n"));
        match e {
            Event::NodeFailure { pool, budget, recovery, scope } => {
                y.push_str("    - type: nodeFailure\n");
                if let Some(p) = pool {
                    y.push_str(&format!("      pool: {}\n", q(p)));
                }
                y.push_str(&format!("      budget: {budget}\n      recovery: {recovery}\n"));
                if *scope == FailureScope::Zone {
                    y.push_str("      scope: zone\n");
                }
            }
            Event::Maintenance { max_unavailable, budget } => {
                y.push_str(&format!("    - type: maintenance\n      maxUnavailable: {max_unavailable}\n"));
                if let Some(b) = budget {
                    y.push_str(&format!("      budget: {b}\n"));
                }
            }
            Event::RolloutRestart { deployment, daemon_set, budget } => {
                y.push_str("    - type: rolloutRestart\n");
                if let Some(d) = deployment {
                    y.push_str(&format!("      deployment: {}\n", q(d)));
                }
                if let Some(s) = daemon_set {
                    y.push_str(&format!("      daemonSet: {}\n", q(s)));
                }
                y.push_str(&format!("      budget: {budget}\n"));
            }
            Event::CpuChange { deployment, delta, budget } => {
                y.push_str("    - type: cpuChange\n");
                if let Some(d) = deployment {
                    y.push_str(&format!("      deployment: {}\n", q(d)));
                }
                y.push_str(&format!(
                    "      delta: {{min: {}, max: {}}}\n      budget: {budget}\n",
                    q(&delta.min.0),
                    q(&delta.max.0)
                ));
            }
            // Not inferred; written as their fields say should that change.
            Event::CpuPattern { .. }
            | Event::KernelPanic { .. }
            | Event::ApplyDeployment { .. }
            | Event::ScaleDeployment { .. }
            | Event::ForceDeletePods { .. } => {
                y.push_str("    # (not written: kbmc infers no event of this type)\n");
            }
        }
    }
    y.push_str("  intents:\n");
    for (i, note) in s.intents.iter().zip(&inf.intent_notes) {
        y.push_str(&format!("    # {note}\n"));
        let dep = |d: &Option<String>| d.as_ref().map(|d| format!("\n      deployment: {}", q(d))).unwrap_or_default();
        let line = match i {
            Intent::PodAlwaysSchedulable {} => "type: podAlwaysSchedulable".to_string(),
            Intent::NoKernelPanicLoop { times } => format!("type: noKernelPanicLoop\n      times: {times}"),
            Intent::NoReplicaOscillation { deployment, drop } => {
                format!("type: noReplicaOscillation{}\n      drop: {drop}", dep(deployment))
            }
            Intent::ReplicasMeetMin { deployment } => format!("type: replicasMeetMin{}", dep(deployment)),
            Intent::ReplicasMeetExpected { deployment, replicas, offset } => format!(
                "type: replicasMeetExpected{}{}{}",
                dep(deployment),
                replicas.map(|r| format!("\n      replicas: {r}")).unwrap_or_default(),
                offset.map(|o| format!("\n      offset: {o}")).unwrap_or_default()
            ),
            Intent::NoEvictionCycle { deployment } => format!("type: noEvictionCycle{}", dep(deployment)),
            Intent::NoPreemptionCycle { deployment } => format!("type: noPreemptionCycle{}", dep(deployment)),
            Intent::PodsBalanced { deployment, max_skew } => {
                format!("type: podsBalanced{}\n      maxSkew: {max_skew}", dep(deployment))
            }
            Intent::ReplicasWithin { deployment, min, max } => {
                format!("type: replicasWithin{}\n      min: {min}\n      max: {max}", dep(deployment))
            }
            Intent::AllPodsEventuallyRun {} => "type: allPodsEventuallyRun".to_string(),
            Intent::DrainCompletes {} => "type: drainCompletes".to_string(),
            Intent::DisruptionsWithinBudget {} => "type: disruptionsWithinBudget".to_string(),
            Intent::StatefulSetAvailable { stateful_set, max_unavailable } => format!(
                "type: statefulSetAvailable{}\n      maxUnavailable: {max_unavailable}",
                stateful_set.as_ref().map(|d| format!("\n      statefulSet: {}", q(d))).unwrap_or_default()
            ),
            Intent::NodeCountWithin { pool, min, max } => {
                format!("type: nodeCountWithin\n      pool: {}\n      min: {min}\n      max: {max}", q(pool))
            }
            Intent::NoNodeChurn { pool } => format!(
                "type: noNodeChurn{}",
                pool.as_ref().map(|p| format!("\n      pool: {}", q(p))).unwrap_or_default()
            ),
        };
        y.push_str(&format!("    - {line}\n"));
    }
    let b = &s.bounds;
    y.push_str(&format!(
        "  # How far to look: steps per run; kbmc scale's sizes.\n  bounds:\n    steps: {}\n    maxNodesPerPool: {}\n    maxPodsPerNode: {}\n",
        b.steps, b.max_nodes_per_pool, b.max_pods_per_node
    ));
    y
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_unavailable_resolves_as_the_deployment_controller_does() {
        // 25 % of 3: surge rounds up to 1, unavailable down to 0.
        assert_eq!(resolve_max_unavailable(3, IntOrPercent::Percent(25), IntOrPercent::Percent(25)), 0);
        assert_eq!(resolve_max_unavailable(8, IntOrPercent::Percent(25), IntOrPercent::Percent(25)), 2);
        // Both zero: one may be unavailable, or the rollout could never progress.
        assert_eq!(resolve_max_unavailable(3, IntOrPercent::Int(0), IntOrPercent::Percent(10)), 1);
        assert_eq!(resolve_max_unavailable(3, IntOrPercent::Int(1), IntOrPercent::Int(2)), 2);
    }
}
