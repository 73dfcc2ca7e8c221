//! kube-scheduler's PodTopologySpread plugin, filter and score, over the pods per group and
//! node the framework's runtime (`mod.rs`) sums once per state. It owns no step and must not
//! read anything but the state's pods and node conditions and the IR's spread constraints.
//!
//! Follows kubernetes `pkg/scheduler/framework/plugins/podtopologyspread/`:
//! - filtering.go `PreFilter` and `Filter` (DoNotSchedule): minDomains, nodeAffinityPolicy
//!   and nodeTaintsPolicy decide which nodes' pods count; nodes lacking a constraint's key
//!   are infeasible.
//! - scoring.go `PreScore`, `Score` and `NormalizeScore` (ScheduleAnyway): explicit
//!   constraints ignore nodes lacking a key; under the system defaults such a node is in the
//!   domain "". Abstracted: the weights ln(size + 2) (`topologyNormalizingWeight`) are
//!   computed in thousandths and rounded, as upstream rounds the float sum.

use super::super::node::ready;
use super::super::{ClusterState, Model};
use super::{NodeLoads, SMALL_CLUSTER_NODES};
use crate::domain::{Concrete, Domain};
use crate::ir::SpreadConstraint;

const HOSTNAME: &str = "kubernetes.io/hostname";

/// Whether node `n` has constraint `c`'s key.
fn has_key(m: &Model, c: &SpreadConstraint, n: usize) -> bool {
    m.topology[c.topology_key.0 as usize].1[n].is_some()
}

/// Pods matched by constraint `c` on node `n` (not terminating), the snapshot's fixed pods
/// there included.
fn matching<D: Domain>(d: &D, loads: &NodeLoads<D>, c: &SpreadConstraint, n: usize) -> D::Int {
    let mut t = d.int(c.fixed[n]);
    for (h, sel) in c.selects.iter().enumerate() {
        if *sel {
            t = d.add(&t, &loads.active[h][n]);
        }
    }
    t
}

/// Whether node `n` passes constraint `c`'s inclusion policies for pods of group `g`.
fn included<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, c: &SpreadConstraint, n: usize) -> D::Bool {
    let p = &m.ir.groups[g].per_node[n];
    let mut ok = st.present[n].clone();
    if c.honor_node_affinity && !p.affinity_ok {
        ok = d.bool(false);
    }
    if c.honor_node_taints {
        if p.untolerated_no_schedule || p.untolerated_no_execute {
            ok = d.bool(false);
        }
        // The dynamic taints: unschedulable (cordoned), the cluster autoscaler's
        // ToBeDeletedByClusterAutoscaler, and not-ready.
        ok = d.and(&ok, &crate::model::node::state_taints_tolerated(d, m, st, g, n));
        ok = d.and(&ok, &ready(d, st, n));
    }
    ok
}

/// Distinct values of a constraint's key, and for each node its value's index.
pub fn domains<'m>(m: &'m Model, c: &SpreadConstraint) -> (usize, &'m [Option<usize>]) {
    let (nv, idx) = &m.topology[c.topology_key.0 as usize];
    (*nv, idx)
}

/// PodTopologySpread's filter for a pod of group `g`, per node: whether a pod there keeps
/// every hard constraint's skew within maxSkew (false on a node without some constraint's
/// key).
pub fn filter<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, loads: &NodeLoads<D>, g: usize) -> Vec<D::Bool> {
    let nn = m.nodes();
    let hard: Vec<&SpreadConstraint> = m.ir.groups[g].spread.iter().filter(|c| c.hard).collect();
    // PreFilter: per hard constraint, the count per domain over contributing nodes.
    let keyed: Vec<bool> = (0..nn).map(|n| hard.iter().all(|c| has_key(m, c, n))).collect();
    let mut ok: Vec<D::Bool> = (0..nn).map(|n| d.bool(keyed[n])).collect();
    for c in &hard {
        let c_ok = spread_constraint(d, m, st, loads, g, c, &keyed);
        for n in 0..nn {
            ok[n] = d.and(&ok[n], &c_ok[n]);
        }
    }
    ok
}

/// PodTopologySpread's filter for one hard constraint `c` of group `g`, per node: whether a
/// pod there keeps the skew within maxSkew (false on a node without the key). Only nodes with
/// every hard constraint's key (`keyed`, per node) contribute to a domain's count.
fn spread_constraint<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    loads: &NodeLoads<D>,
    g: usize,
    c: &SpreadConstraint,
    keyed: &[bool],
) -> Vec<D::Bool> {
    let nn = m.nodes();
    let (nv, val) = domains(m, c);
    let contributes: Vec<D::Bool> =
        (0..nn).map(|n| if keyed[n] { included(d, m, st, g, c, n) } else { d.bool(false) }).collect();
    let mut registered = vec![d.bool(false); nv];
    let mut count = vec![d.int(0); nv];
    for n in 0..nn {
        if let Some(v) = val[n] {
            registered[v] = d.or(&registered[v], &contributes[n]);
            count[v] = d.add(&count[v], &d.ite(&contributes[n], &matching(d, loads, c, n), &d.int(0)));
        }
    }
    let global_min = d.masked_min(&count, &registered, 0);
    let domains_num = d.sum_of(registered.iter().map(|r| d.count(r)));
    let min_domains = c.min_domains.unwrap_or(1);
    let min_match = d.ite(&d.lt(&domains_num, &d.int(min_domains)), &d.int(0), &global_min);
    let self_match = if c.self_match { 1 } else { 0 };
    (0..nn)
        .map(|n| match val[n] {
            None => d.bool(false),
            Some(v) => d.le(&d.sub(&d.add(&count[v], &d.int(self_match)), &min_match), &d.int(c.max_skew)),
        })
        .collect()
}

/// What the filter found on node `n` for a pod of group `g`: a missing key of a hard
/// constraint, or the constraint whose maxSkew a pod there would exceed.
pub fn rejection(m: &Model, st: &ClusterState<Concrete>, loads: &NodeLoads<Concrete>, g: usize, n: usize) -> String {
    let hard: Vec<&SpreadConstraint> = m.ir.groups[g].spread.iter().filter(|c| c.hard).collect();
    if let Some(c) = hard.iter().find(|c| !has_key(m, c, n)) {
        return format!("PodTopologySpread: no label {}", m.ir.labels.key_name(c.topology_key));
    }
    let keyed: Vec<bool> = (0..m.nodes()).map(|j| hard.iter().all(|c| has_key(m, c, j))).collect();
    let exceeded: Vec<String> = hard
        .iter()
        .filter(|c| !spread_constraint(&Concrete, m, st, loads, g, c, &keyed)[n])
        .map(|c| format!("maxSkew {} on {}", c.max_skew, m.ir.labels.key_name(c.topology_key)))
        .collect();
    format!("PodTopologySpread: a pod here exceeds {}", exceeded.join(" and "))
}

/// round(1000 * ln(size + 2)), the spread score weight in thousandths.
pub fn spread_weight(size: usize) -> i64 {
    (1000.0 * ((size + 2) as f64).ln()).round() as i64
}

/// PodTopologySpread's normalized score per node (0 where ignored or infeasible).
pub fn scores<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    loads: &NodeLoads<D>,
    g: usize,
    feas: &[D::Bool],
) -> Option<Vec<D::Int>> {
    let grp = &m.ir.groups[g];
    let soft: Vec<&SpreadConstraint> = grp.spread.iter().filter(|c| !c.hard).collect();
    if soft.is_empty() {
        return None;
    }
    let nn = m.nodes();
    let require_all = soft.iter().any(|c| !c.system_default);
    let host = m.ir.labels.keys.iter().position(|k| k == HOSTNAME);
    let all_keys = |n: usize| soft.iter().all(|c| has_key(m, c, n));
    // Feasible nodes lacking a key are ignored (score 0) when constraints are explicit.
    let counted: Vec<D::Bool> =
        (0..nn).map(|n| if !require_all || all_keys(n) { feas[n].clone() } else { d.bool(false) }).collect();
    let mut raw_milli: Vec<D::Int> = vec![d.int(0); nn];
    for c in &soft {
        let (nv, val) = domains(m, c);
        let is_host = host.is_some_and(|h| h as u32 == c.topology_key.0);
        // Each node's domain as PreScore keys it: the node's value of the key, which upstream
        // reads as "" on a node without it (`node.Labels[key]`). That matters only with the
        // system defaults, where such a node is not ignored: it adds the "" domain to the size
        // and its pods to that domain's count, though its own score takes no term for the key
        // (Score reads only a label the node has). The "" domain is the value "" where a node
        // has it, else one more.
        let (nv, dom) = if require_all || val.iter().all(Option::is_some) {
            (nv, val.to_vec())
        } else {
            let key = c.topology_key;
            let blank = (0..nn)
                .find(|&n| m.ir.nodes[n].label(key).is_some_and(|v| m.ir.labels.value_name(v).is_empty()))
                .and_then(|n| val[n]);
            let extra = usize::from(blank.is_none());
            (nv + extra, val.iter().map(|v| Some(v.or(blank).unwrap_or(nv))).collect())
        };
        // size: domains among counted nodes (hostname: the number of counted nodes).
        let size = if is_host {
            d.sum_of(counted.iter().map(|x| d.count(x)))
        } else {
            let mut present = vec![d.bool(false); nv];
            for n in 0..nn {
                if let Some(v) = dom[n] {
                    present[v] = d.or(&present[v], &counted[n]);
                }
            }
            d.sum_of(present.iter().map(|p| d.count(p)))
        };
        // Domain counts over all nodes passing the key requirement and the inclusion policies.
        let mut count = vec![d.int(0); nv];
        if !is_host {
            for n in 0..nn {
                if let Some(v) = dom[n] {
                    if !require_all || all_keys(n) {
                        let inc = included(d, m, st, g, c, n);
                        count[v] = d.add(&count[v], &d.ite(&inc, &matching(d, loads, c, n), &d.int(0)));
                    }
                }
            }
        }
        let max_size = if is_host { nn } else { nv };
        // The sizes to split on: all of 0..=max_size, or, on a cluster past
        // `SMALL_CLUSTER_NODES` nodes, those between the counted nodes known to count and the
        // ones not known not to (a thousand-way split per node is a million terms per pod
        // group; in a large pool most nodes' feasibility is known).
        let (lo, hi) = if is_host && nn > SMALL_CLUSTER_NODES {
            let known: Vec<Option<i64>> = counted.iter().map(|x| d.known(&d.count(x))).collect();
            let lo = known.iter().filter(|k| **k == Some(1)).count();
            (lo, nn - known.iter().filter(|k| **k == Some(0)).count())
        } else {
            (0, max_size)
        };
        for n in 0..nn {
            // A node without the key takes no term for it.
            let (Some(_), Some(v)) = (val[n], dom[n]) else { continue };
            let cnt = if is_host { matching(d, loads, c, n) } else { count[v].clone() };
            // cnt * weight(size), split on the size so that the product stays linear.
            let term = if lo == 0 {
                d.mul_table(&cnt, &size, &m.spread_weights[..=hi])
            } else {
                mul_table_from(d, &cnt, &size, lo, &m.spread_weights[lo..=hi])
            };
            let term = d.add(&term, &d.int(1000 * (c.max_skew - 1)));
            raw_milli[n] = d.add(&raw_milli[n], &term);
        }
    }
    // round half up, as math.Round on the non-negative float sum.
    let raw: Vec<D::Int> = raw_milli.iter().map(|r| d.div_const(&d.add(r, &d.int(500)), 1000)).collect();
    let max = d.max(&d.int(0), &d.masked_max(&raw, &counted, 0));
    let min = d.masked_min(&raw, &counted, 0);
    Some(
        (0..nn)
            .map(|n| {
                let num = d.mul_const(&d.sub(&d.add(&max, &min), &raw[n]), 100);
                // On a counted node min <= raw <= max, so the quotient lies in 0..=100 whatever
                // the size of max (a split on max's values would be hundreds of cases at scale).
                let norm =
                    d.ite(&d.eq(&max, &d.int(0)), &d.int(100), &d.div_capped(&num, &d.max(&max, &d.int(1)), 100));
                d.ite(&counted[n], &norm, &d.int(0))
            })
            .collect(),
    )
}

/// `a * table[key - lo]`, where `key` is known to lie in `lo..lo + table.len()`: as
/// `Domain::mul_table`, over a window of keys.
fn mul_table_from<D: Domain>(d: &D, a: &D::Int, key: &D::Int, lo: usize, table: &[i64]) -> D::Int {
    let mut r = d.mul_const(a, table[table.len() - 1]);
    for (k, &w) in table.iter().enumerate().rev().skip(1) {
        r = d.ite(&d.eq(key, &d.int((lo + k) as i64)), &d.mul_const(a, w), &r);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::super::feasible;
    use super::*;
    use crate::model::testkit::{deployment, model};

    #[test]
    fn spread_weights_follow_ln_size_plus_two() {
        assert_eq!(spread_weight(1), 1099);
        assert_eq!(spread_weight(2), 1386);
        assert_eq!(spread_weight(3), 1609);
    }

    const SPREAD_BOTH: &str = "topologySpreadConstraints:\n  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}\n  - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}";

    fn cluster(spread: &str) -> Model {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: a, count: 2, labels: {topology.kubernetes.io/zone: zone-a}, capacity: {cpu: \"64\", memory: 64Gi}}\n    - {name: b, count: 1, labels: {topology.kubernetes.io/zone: zone-b}, capacity: {cpu: \"64\", memory: 64Gi}}\n  workloads:\n    - deployment: web\n      placement: [{node: a-0, count: 2}, {node: a-1, count: 1}, {node: b-0, count: 2}]\n";
        model(&format!("{}{spec}", deployment("web", 6, "1", "1Gi", spread)))
    }

    fn with_pending(m: &Model) -> ClusterState<Concrete> {
        let mut st = m.initial_state(&[2, 1]);
        st.pending[0] = 1;
        st
    }

    /// Kubernetes' documented "conflicting constraints" example (topology spread docs): with
    /// 2 + 1 pods in zone A and 2 in zone B, the zone constraint allows only zone B and the
    /// host constraint only the node with one pod, so the pod stays Pending.
    #[test]
    fn documented_conflicting_spread_constraints() {
        let m = cluster(SPREAD_BOTH);
        let st = with_pending(&m);
        assert_eq!(feasible(&Concrete, &m, &st, 0), vec![false, false, false]);
        let host_only = cluster(&SPREAD_BOTH.lines().take(2).collect::<Vec<_>>().join("\n"));
        let st = with_pending(&host_only);
        assert_eq!(
            feasible(&Concrete, &host_only, &st, 0),
            vec![false, true, false],
            "only a-1 (1 pod) keeps host skew <= 1"
        );
        let zone_only = cluster(&[SPREAD_BOTH.lines().next().unwrap(), SPREAD_BOTH.lines().nth(2).unwrap()].join("\n"));
        let st = with_pending(&zone_only);
        assert_eq!(
            feasible(&Concrete, &zone_only, &st, 0),
            vec![false, false, true],
            "only zone B keeps zone skew <= 1"
        );
    }

    /// Upstream's scoring_test.go, TestPreScoreStateEmptyNodes "system default constraints and
    /// a replicaset": with the system defaults, nodes without a zone label are not ignored but
    /// make one more zone, "" (two nodes in zone mars and two without a zone: zone weight
    /// ln(2 + 2), hostname weight ln(4 + 2)); the unlabeled nodes' own scores take no zone
    /// term. With 3 pods on a-0 the raw scores are 16, 10, 2, 2 and normalize to 12, 50, 100,
    /// 100 (a zone weight of ln(1 + 2), as before, gives 15, 9, 2, 2: 13, 53, 100, 100).
    #[test]
    fn system_default_spread_counts_unlabeled_nodes_as_one_zone() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: a, count: 2, labels: {topology.kubernetes.io/zone: mars}, capacity: {cpu: \"64\", memory: 64Gi}}\n    - {name: c, count: 2, capacity: {cpu: \"64\", memory: 64Gi}}\n  workloads:\n    - deployment: web\n      placement: [{node: a-0, count: 3}]\n";
        let m = model(&format!("{}{spec}", deployment("web", 4, "1", "1Gi", "")));
        assert!(m.ir.groups[0].spread.iter().all(|c| c.system_default));
        let mut st = m.initial_state(&[2, 2]);
        st.pending[0] = 1;
        let loads = NodeLoads::of(&Concrete, &m, &st);
        let feas = feasible(&Concrete, &m, &st, 0);
        assert_eq!(feas, vec![true; 4]);
        assert_eq!(scores(&Concrete, &m, &st, &loads, 0, &feas), Some(vec![12, 50, 100, 100]));
        // Explicit constraints require every key: the unlabeled nodes are ignored (score 0).
        let spread = "topologySpreadConstraints:\n  - {maxSkew: 5, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}";
        let m = model(&format!("{}{spec}", deployment("web", 4, "1", "1Gi", spread)));
        let loads = NodeLoads::of(&Concrete, &m, &st);
        let scores = scores(&Concrete, &m, &st, &loads, 0, &feas).expect("a soft constraint");
        assert_eq!(&scores[2..], &[0, 0]);
    }
}
