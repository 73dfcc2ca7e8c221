//! kube-scheduler's scheduling framework: the filter and score plugins, a file each named after
//! upstream's plugin folder under `pkg/scheduler/framework/plugins/`, and here the runtime
//! that runs them for a pod of one group over every node. No controller owns it: the
//! scheduler binds with it, preemption dry-runs it (with the nominated pods counted:
//! `model::nominations`), the cluster autoscaler simulates with it, the descheduler's spread
//! plugin reads its topology domains and the intents ask it where a pending pod fits. It owns
//! no step and must not write a state.
//!
//! Follows kubernetes `pkg/scheduler/framework/runtime/framework.go`: `RunFilterPlugins`
//! (every filter of [`FILTERS`] each configuration leaves on, [`filter_on`]) and
//! `RunScorePlugins` (each score normalized over the feasible nodes, DefaultNormalizeScore for
//! the static ones, and weighted as configured). The plugins:
//! - filters: NodeUnschedulable (`node_unschedulable.rs`), NodeName (`node_name.rs`),
//!   TaintToleration (`taint_toleration.rs`), NodeAffinity (`node_affinity.rs`), VolumeZone
//!   (`volume_zone.rs`), NodeResourcesFit (`node_resources.rs`), PodTopologySpread
//!   (`pod_topology_spread.rs`) and InterPodAffinity (`inter_pod_affinity.rs`);
//! - scores: NodeResourcesFit and NodeResourcesBalancedAllocation (`node_resources.rs`),
//!   NodeAffinity, TaintToleration, PodTopologySpread and InterPodAffinity.
//!
//! [`NodeLoads`] sums what they read of a state's nodes once per state. Abstracted: NotReady
//! nodes are infeasible (their not-ready taint is not tolerated), a filter of the runtime's
//! own; ImageLocality is not run (every node is taken to hold the same images, assumption
//! `image-locality`).
//!
//! Each plugin's unit tests are at the end of its file (InterPodAffinity's translations of
//! upstream's tables in `mod upstream` beside them), the runtime's at the end of this one.

use super::node::{ready, requested, running_per_node};
use super::{ClusterState, Model};
use crate::domain::{Concrete, Domain};

pub mod inter_pod_affinity;
pub mod node_affinity;
pub mod node_name;
pub mod node_resources;
pub mod node_unschedulable;
pub mod pod_topology_spread;
pub mod taint_toleration;
pub mod volume_zone;

/// Whether filter plugin `name` runs: the KubeSchedulerConfiguration disables it by name or
/// disables every filter (`*`).
pub fn filter_on(m: &Model, name: &str) -> bool {
    !m.ir.scheduler.disabled_filters.iter().any(|f| f == name || f == "*")
}

/// What the filters and scores read of a state's nodes, summed once per state rather than
/// once per plugin, constraint and pod group (a search asks for every group's filters and
/// scores in every state it expands).
pub struct NodeLoads<D: Domain> {
    /// Per node: the requests of every pod on it (see [`requested`]).
    requested: Vec<(D::Int, D::Int, D::Int)>,
    /// Per node: the same (cpu, memory) as scoring counts them (`PodGroup::score_requests`).
    nonzero: Vec<(D::Int, D::Int)>,
    /// Per pod group and node: its pods there that are not terminating (bound or running).
    active: Vec<Vec<D::Int>>,
    /// Per pod group and node: all its pods there, terminating ones included (what
    /// InterPodAffinity counts); empty where no group has inter-pod affinity.
    pods: Vec<Vec<D::Int>>,
}

impl<D: Domain> NodeLoads<D> {
    /// The loads filters and scores read.
    pub fn of(d: &D, m: &Model, st: &ClusterState<D>) -> Self {
        Self::summed(d, m, st, true)
    }

    /// The loads filters read (requests, and pods per group where some group spreads its
    /// pods), not those only scores read: what feasibility alone needs, as
    /// podAlwaysSchedulable asks after every step.
    pub fn for_filters(d: &D, m: &Model, st: &ClusterState<D>) -> Self {
        Self::summed(d, m, st, false)
    }

    /// Per node: the requests of every pod on it, as [`requested`] gives them.
    pub fn requested(&self) -> &[(D::Int, D::Int, D::Int)] {
        &self.requested
    }

    fn summed(d: &D, m: &Model, st: &ClusterState<D>, scores: bool) -> Self {
        // Summed over whole per-node vectors, group by group: each node gets the terms of
        // `active_on` and a node-by-node sum, in their order, for a fraction of the lookups.
        let mut active = Vec::with_capacity(m.ir.groups.len());
        let mut nonzero_sums = Vec::new();
        let affinity = inter_pod_affinity::any(m);
        if scores || affinity || m.ir.groups.iter().any(|g| !g.spread.is_empty()) {
            if scores {
                nonzero_sums =
                    m.ir.nodes.iter().map(|n| (d.int(n.fixed_score.cpu_milli), d.int(n.fixed_score.memory))).collect();
            }
            for (h, hg) in m.ir.groups.iter().enumerate() {
                // Each node's running pods, then its bound ones added in front, in the same
                // vector: one allocation per group (this is summed in every state).
                let mut act = running_per_node(d, m, st, h);
                for (a, b) in act.iter_mut().zip(&st.bound[h]) {
                    *a = d.add(b, a);
                }
                let (hc, hm) = (hg.score_requests.cpu_milli, hg.score_requests.memory);
                for (((cpu, mem), a), t) in nonzero_sums.iter_mut().zip(&act).zip(&st.terminating[h]) {
                    let c = d.add(a, t);
                    *cpu = d.add(cpu, &d.mul_const(&c, hc));
                    *mem = d.add(mem, &d.mul_const(&c, hm));
                }
                active.push(act);
            }
        }
        let pods = if affinity { inter_pod_affinity::pods_per_node(d, st, &active) } else { Vec::new() };
        NodeLoads { requested: requested(d, m, st), nonzero: nonzero_sums, active, pods }
    }
}

/// Distinct values of label key `key` among the nodes, and for each node its value's index.
pub fn domains_of(ir: &crate::ir::Model, key: crate::ir::LabelKey) -> (usize, Vec<Option<usize>>) {
    let mut vals = Vec::new();
    let idx = ir
        .nodes
        .iter()
        .map(|node| {
            node.label(key).map(|v| match vals.iter().position(|x| *x == v) {
                Some(i) => i,
                None => {
                    vals.push(v);
                    vals.len() - 1
                }
            })
        })
        .collect();
    (vals.len(), idx)
}

/// The filter plugins, in the order `filters` reports them.
pub const FILTERS: [&str; 6] = [
    "node Ready",
    "NodeUnschedulable",
    "NodeName/NodeAffinity/TaintToleration/VolumeZone",
    "NodeResourcesFit",
    "PodTopologySpread",
    "InterPodAffinity",
];

/// Every filter for a pod of group `g`, per node and per filter plugin (see `FILTERS`).
pub fn filters<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize) -> Vec<[D::Bool; 6]> {
    filters_with(d, m, st, &NodeLoads::of(d, m, st), g)
}

/// [`filters`], given the state's [`NodeLoads`].
pub fn filters_with<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    loads: &NodeLoads<D>,
    g: usize,
) -> Vec<[D::Bool; 6]> {
    let nn = m.nodes();
    let spread_ok = if filter_on(m, "PodTopologySpread") {
        pod_topology_spread::filter(d, m, st, loads, g)
    } else {
        vec![d.bool(true); nn]
    };
    // Which plugins are on, looked up once rather than per node.
    let [unschedulable_on, name_on, affinity_on, taints_on, fit_on, volume_zone_on] =
        ["NodeUnschedulable", "NodeName", "NodeAffinity", "TaintToleration", "NodeResourcesFit", "VolumeZone"]
            .map(|f| filter_on(m, f));
    let mut interpod = if loads.pods.is_empty() || !filter_on(m, "InterPodAffinity") {
        vec![d.bool(true); nn]
    } else {
        inter_pod_affinity::filter(d, m, &loads.pods, g)
    };
    (0..nn)
        .map(|n| {
            let unsched = if unschedulable_on { node_unschedulable::filter(d, m, st, g, n) } else { d.bool(true) };
            let static_ok = (!name_on || node_name::filter(m, g, n))
                && (!affinity_on || node_affinity::filter(m, g, n))
                && (!volume_zone_on || volume_zone::filter(m, g, n))
                && (!taints_on || taint_toleration::filter(m, g, n));
            // TaintToleration reads the state's taint too: the cluster autoscaler's
            // ToBeDeletedByClusterAutoscaler, where the node carries it.
            let placed = match taints_on.then(|| crate::model::node::to_be_deleted_tolerated(d, m, st, g, n)).flatten()
            {
                Some(tolerated) if static_ok => tolerated,
                _ => d.bool(static_ok),
            };
            let mut fit = d.bool(true);
            if fit_on {
                let (cpu, mem, pods) = &loads.requested[n];
                fit = node_resources::fits(d, m, g, n, [cpu, mem, pods]);
            }
            [
                ready(d, st, n),
                unsched,
                placed,
                fit,
                spread_ok[n].clone(),
                std::mem::replace(&mut interpod[n], d.bool(true)),
            ]
        })
        .collect()
}

/// Whether a pod of group `g` passes every filter, per node.
pub fn feasible<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize) -> Vec<D::Bool> {
    feasible_with(d, m, st, &NodeLoads::of(d, m, st), g)
}

/// [`feasible`], given the state's [`NodeLoads`].
pub fn feasible_with<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    loads: &NodeLoads<D>,
    g: usize,
) -> Vec<D::Bool> {
    filters_with(d, m, st, loads, g).iter().map(|f| d.all(f.iter())).collect()
}

/// Why a pod of group `g` cannot go to each node (concrete states only, for traces), one
/// phrase per failing filter saying what failed on that node (`NotReady`, `cordoned`,
/// `Insufficient cpu`, the untolerated taint, ...), never the check that was made; an
/// InterPodAffinity rejection names the term.
pub fn rejections(m: &Model, st: &ClusterState<Concrete>, g: usize) -> Vec<(String, Vec<String>)> {
    let loads = NodeLoads::of(&Concrete, m, st);
    filters_with(&Concrete, m, st, &loads, g)
        .iter()
        .enumerate()
        .filter(|(n, _)| st.present[*n])
        .map(|(n, f)| {
            let mut why = Vec::new();
            for (ok, name) in f.iter().zip(FILTERS) {
                if *ok {
                    continue;
                }
                match name {
                    "node Ready" => why.push(not_ready_words(st.status[n]).to_string()),
                    "NodeUnschedulable" => why.push(node_unschedulable::REJECTION.to_string()),
                    "NodeName/NodeAffinity/TaintToleration/VolumeZone" => {
                        why.extend(static_failures(m, g, n));
                        why.extend(taint_toleration::to_be_deleted_rejection(m, st, g, n));
                    }
                    "NodeResourcesFit" => why.extend(node_resources::rejections(m, g, n, loads.requested[n])),
                    "PodTopologySpread" => why.push(pod_topology_spread::rejection(m, st, &loads, g, n)),
                    _ => why.push(
                        inter_pod_affinity::rejection(m, &loads.pods, g, n)
                            .unwrap_or_else(|| "InterPodAffinity: a required (anti-)affinity term".to_string()),
                    ),
                }
            }
            (m.node_name(n).to_string(), why)
        })
        .collect()
}

/// A node's NotReady state in Kubernetes words (the node-Ready filter failed).
fn not_ready_words(status: i64) -> &'static str {
    match status {
        crate::model::state::PANICKED => "NotReady (kernel panic)",
        crate::model::state::DECLARED_NOT_READY => "NotReady (as its manifest declares)",
        crate::model::state::JOINING => "NotReady (joining)",
        _ => "NotReady",
    }
}

/// Which of the static filters (NodeName, NodeAffinity, TaintToleration, VolumeZone) node `n`
/// fails for a pod of group `g`, each as what is wrong.
fn static_failures(m: &Model, g: usize, n: usize) -> Vec<String> {
    let mut why = Vec::new();
    if filter_on(m, "NodeName") && !node_name::filter(m, g, n) {
        why.push(node_name::REJECTION.to_string());
    }
    if filter_on(m, "NodeAffinity") {
        why.extend(node_affinity::rejections(m, g, n));
    }
    if filter_on(m, "TaintToleration") {
        why.extend(taint_toleration::rejection(m, g, n));
    }
    if filter_on(m, "VolumeZone") && !volume_zone::filter(m, g, n) {
        why.push(volume_zone::REJECTION.to_string());
    }
    why
}

/// Normalizes a static per-node raw score over the feasible nodes (DefaultNormalizeScore):
/// `raw * 100 / max`, or reversed `100 - raw * 100 / max`; all-zero gives 0 (100 reversed).
fn normalize_static<D: Domain>(d: &D, raw: &[i64], feas: &[D::Bool], reverse: bool) -> Vec<D::Int> {
    let raws: Vec<D::Int> = raw.iter().map(|r| d.int(*r)).collect();
    let max = d.masked_max(&raws, feas, 0);
    // A known maximum (always, in a concrete state) is one of the positive raw scores, or 0:
    // the split on its values below comes down to this.
    if let Some(w) = d.known(&max) {
        return raw
            .iter()
            .map(|&r| {
                d.int(match (w > 0, reverse) {
                    (false, rev) => 100 * rev as i64,
                    (true, false) => r * 100 / w,
                    (true, true) => 100 - r * 100 / w,
                })
            })
            .collect();
    }
    let mut distinct: Vec<i64> = raw.iter().copied().filter(|r| *r > 0).collect();
    distinct.sort();
    distinct.dedup();
    raw.iter()
        .map(|&r| {
            let mut s = d.int(if reverse { 100 } else { 0 });
            for &w in &distinct {
                let v = if reverse { 100 - r * 100 / w } else { r * 100 / w };
                s = d.ite(&d.eq(&max, &d.int(w)), &d.int(v), &s);
            }
            s
        })
        .collect()
}

/// The weighted total score of every node for a pod of group `g` (meaningful on feasible
/// nodes), given the state's [`NodeLoads`].
pub fn scores_with<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    loads: &NodeLoads<D>,
    g: usize,
    feas: &[D::Bool],
) -> Vec<D::Int> {
    let cfg = &m.ir.scheduler;
    let nn = m.nodes();
    assert_eq!(loads.nonzero.len(), nn, "model bug: scores need NodeLoads::of, not NodeLoads::for_filters");
    let mut total: Vec<D::Int> = vec![d.int(0); nn];
    for n in 0..nn {
        if let Some(s) = node_resources::fit_score(d, m, loads, g, n) {
            total[n] = d.add(&total[n], &d.mul_const(&s, cfg.weight_node_resources_fit));
        }
        if let Some(s) = node_resources::balanced_allocation_score(d, m, loads, g, n) {
            total[n] = d.add(&total[n], &d.mul_const(&s, cfg.weight_balanced_allocation));
        }
    }
    if cfg.weight_node_affinity > 0 {
        if let Some(ss) = node_affinity::score(d, m, g, feas) {
            for (n, s) in ss.into_iter().enumerate() {
                total[n] = d.add(&total[n], &d.mul_const(&s, cfg.weight_node_affinity));
            }
        }
    }
    if cfg.weight_taint_toleration > 0 {
        for (n, s) in taint_toleration::score(d, m, g, feas).into_iter().enumerate() {
            total[n] = d.add(&total[n], &d.mul_const(&s, cfg.weight_taint_toleration));
        }
    }
    if cfg.weight_inter_pod_affinity > 0 && !loads.pods.is_empty() {
        if let Some(ss) = inter_pod_affinity::scores(d, m, &loads.pods, g, feas) {
            for (n, s) in ss.into_iter().enumerate() {
                total[n] = d.add(&total[n], &d.mul_const(&s, cfg.weight_inter_pod_affinity));
            }
        }
    }
    if cfg.weight_pod_topology_spread > 0 {
        if let Some(ss) = pod_topology_spread::scores(d, m, st, loads, g, feas) {
            for (n, s) in ss.into_iter().enumerate() {
                total[n] = d.add(&total[n], &d.mul_const(&s, cfg.weight_pod_topology_spread));
            }
        }
    }
    total
}

/// Pods of group `g` go through the scheduler (no `spec.nodeName`).
pub fn scheduled(m: &Model, g: usize) -> bool {
    m.ir.groups[g].node_name.is_none()
}

/// Up to this many nodes the symbolic formulas are written as `Controller::guard` writes
/// them, so that the formulas, and the solver's models, are exactly the guard's. Past it
/// the scheduler's symbolic batch guard writes "the node has the top score" against the maximum of the
/// feasible scores (one `ite` chain per pod group) rather than against every feasible node
/// (a comparison per pair of nodes), and the spread score splits only on the cluster sizes
/// still possible; both say the same as the small form.
pub const SMALL_CLUSTER_NODES: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::{deployment, model};

    #[test]
    fn cordoned_and_not_ready_nodes_are_infeasible() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: a, count: 2, labels: {topology.kubernetes.io/zone: zone-a}, capacity: {cpu: \"64\", memory: 64Gi}}\n    - {name: b, count: 1, labels: {topology.kubernetes.io/zone: zone-b}, capacity: {cpu: \"64\", memory: 64Gi}}\n  workloads:\n    - deployment: web\n      placement: [{node: a-0, count: 2}, {node: a-1, count: 1}, {node: b-0, count: 2}]\n";
        let m = model(&format!("{}{spec}", deployment("web", 6, "1", "1Gi", "")));
        let mut st = m.initial_state(&[2, 1]);
        st.pending[0] = 1;
        st.cordoned[0] = true;
        st.status[1] = crate::model::state::NOT_READY;
        assert_eq!(feasible(&Concrete, &m, &st, 0), vec![false, false, true]);
        let why = rejections(&m, &st, 0);
        assert_eq!(why[0].1, vec!["cordoned (spec.unschedulable)"]);
        assert_eq!(why[1].1, vec!["NotReady"]);
        assert!(!why.iter().flat_map(|(_, r)| r).any(|r| r.contains("Ready") && !r.contains("NotReady")));
    }

    /// Preferred node affinity is normalized over feasible nodes: weights 5, 4, 4 -> 100, 80, 80.
    #[test]
    fn preferred_affinity_normalizes() {
        let d = Concrete;
        assert_eq!(normalize_static(&d, &[5, 4, 4], &[true, true, true], false), vec![100, 80, 80]);
        // Only feasible nodes set the maximum (the infeasible node's score is never compared).
        assert_eq!(normalize_static(&d, &[5, 4, 4], &[false, true, true], false)[1..], [100, 100]);
        assert_eq!(normalize_static(&d, &[0, 0], &[true, true], true), vec![100, 100]);
        assert_eq!(normalize_static(&d, &[2, 1, 0], &[true, true, true], true), vec![0, 50, 100]);
    }
}
