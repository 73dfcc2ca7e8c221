//! RemovePodsViolatingInterPodAntiAffinity
//! (`pkg/framework/plugins/removepodsviolatinginterpodantiaffinity/pod_antiaffinity.go`,
//! `Deschedule`; `pkg/utils/predicates.go`, `CheckPodsWithAntiAffinityExist` and
//! `hasSameLabelValue`): node by node, a node's pods in order (QoS class, BestEffort first,
//! after lower priorities, as `SortPodsBasedOnPriorityLowToHigh`), a pod is evicted when one
//! of its required anti-affinity terms matches another listed pod in its namespaces (the
//! term's `namespaces`, or its own; `namespaceSelector` is not read) on the same node, or on
//! a node with the same value of the term's key; an evicted pod leaves the list, so the pods
//! after it no longer see it. Listed: the pods on the run's (Ready) nodes in the namespaces
//! the plugin's `namespaces` filter admits, terminating ones included (the evictor refuses
//! to evict those: "pod is terminating").
//!
//! With pods as counts, a node's `c` evictable pods of one group go all when a term matches
//! `q >= 1` listed pods besides them in their domain, else `c - 1` when a term matches the
//! group's own pods (each eviction takes one partner away from the rest, so the last one
//! stays), else none; the per-node, namespace and total limits cut that short as elsewhere.
//! Order on a node: `SortPodsBasedOnPriorityLowToHigh` is a `sort.Slice` by priority (each
//! group's, from its PriorityClass) then QoS class, over the pod lister's arbitrary order, so
//! the pods of one priority and QoS class come in any order. Where that can change what the plugin evicts (a term
//! of one group selects another group of the class, two groups of the class share a
//! PodDisruptionBudget, or an eviction limit is set), every order of the class's groups on
//! every node is a choice of the step (`choices`, `group_orders`): a group's pods go one after
//! another, and a refused pod (PodDisruptionBudget, namespace limit) stays listed while the
//! plugin goes on to the next pod, as upstream's loop does. Pods of two groups interleaved
//! pod by pod are not explored (the descheduler's `descheduler-order` assumption names it).

use super::super::super::{ClusterState, Model};
use super::evictor::*;
use super::group_order::{self, Classes};
use crate::domain::{Concrete, Domain};
use crate::ir::{DeschedulerPlugin, DeschedulerProfile, Namespaces, PodAffinityTerm};
use crate::model::node::{active_on, ready};

/// Nodes `n` and `j` are in one domain of `t`'s key as `hasSameLabelValue` says: the same
/// node, or both with the key and the same value.
fn same_domain(m: &Model, t: &PodAffinityTerm, n: usize, j: usize) -> bool {
    let idx = &m.topology[t.topology_key.0 as usize].1;
    n == j || (idx[n].is_some() && idx[n] == idx[j])
}

/// Whether the order in which a run visits nodes can change what this plugin evicts: some
/// required anti-affinity term's key has a value two nodes share (evictions on one node then
/// take partners away from pods on another).
pub(super) fn order_matters(m: &Model) -> bool {
    m.ir.groups.iter().flat_map(|g| &g.pod_affinity.required_anti).any(|t| {
        let idx = &m.topology[t.topology_key.0 as usize].1;
        (0..idx.len()).any(|n| (0..n).any(|j| idx[n].is_some() && idx[n] == idx[j]))
    })
}

/// The groups the plugin may evict (admitted by its namespace filter, with required
/// anti-affinity terms), one class per priority and QoS class in the order the sort puts
/// them, each with whether the order of its groups on a node can change what the plugin
/// evicts.
fn classes(m: &Model, namespaces: &Namespaces) -> Classes {
    let ng = m.ir.groups.len();
    let mut by_qos: Vec<usize> = (0..ng)
        .filter(|&g| in_namespaces(m, namespaces, g) && !m.ir.groups[g].pod_affinity.required_anti.is_empty())
        .collect();
    // SortPodsBasedOnPriorityLowToHigh: lower priority first, then the QoS class.
    let key = |g: usize| (m.ir.groups[g].priority, m.ir.groups[g].qos);
    by_qos.sort_by_key(|&g| key(g));
    let limits = group_order::limits_set(m);
    group_order::classes(by_qos, key, |c| {
        let pair = |g: usize, h: usize| {
            m.ir.groups[g].pod_affinity.required_anti.iter().any(|t| t.desched_selects[h])
                || m.ir.pdbs.iter().any(|p| p.selects[g] && p.selects[h])
        };
        limits || c.iter().any(|&g| c.iter().any(|&h| g != h && pair(g, h)))
    })
}

/// How many choices of group orders this plugin adds to a descheduler step: every node's
/// group orders, combined (1 where no order matters).
pub(super) fn choices(m: &Model, plugin: &DeschedulerPlugin) -> usize {
    let DeschedulerPlugin::RemovePodsViolatingInterPodAntiAffinity { namespaces } = plugin else { return 1 };
    group_order::choices(m, &classes(m, namespaces))
}

/// The group orders of choice `choice` in words, for the nodes where it differs from index
/// order: "on a-0 web@r1 before web@r0".
pub(super) fn describe_choice(m: &Model, plugin: &DeschedulerPlugin, choice: usize) -> Vec<String> {
    let DeschedulerPlugin::RemovePodsViolatingInterPodAntiAffinity { namespaces } = plugin else { return Vec::new() };
    group_order::describe(m, &classes(m, namespaces), choice)
}

/// Why the plugin evicts pods of group `g` on node `n` in state `st` (the run's start), in
/// words: the first required anti-affinity term of `g` that selects another listed pod in its
/// domain, "cache's affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]
/// selects 1 other pod on rack-0, a node without the label topology.kubernetes.io/zone that
/// the descheduler still counts as the pod's domain" (hasSameLabelValue: the same node).
pub(super) fn why(m: &Model, st: &ClusterState<Concrete>, g: usize, n: usize) -> Option<String> {
    let listed = |h: usize, j: usize| {
        if ready(&Concrete, st, j) {
            active_on(&Concrete, m, st, h, j) + st.terminating[h][j]
        } else {
            0
        }
    };
    for t in &m.ir.groups[g].pod_affinity.required_anti {
        let mut q: i64 = 0;
        for (h, sel) in t.desched_selects.iter().enumerate() {
            if *sel {
                q += (0..m.nodes()).filter(|&j| same_domain(m, t, n, j)).map(|j| listed(h, j)).sum::<i64>();
            }
        }
        if t.desched_selects[g] {
            q -= 1;
        }
        if q >= 1 {
            let key = m.ir.labels.key_name(t.topology_key);
            let place = if m.topology[t.topology_key.0 as usize].1[n].is_some() {
                format!("in {key} of {}", m.node_name(n))
            } else {
                format!(
                    "on {}, a node without the label {key} that the descheduler still counts as the pod's domain",
                    m.node_name(n)
                )
            };
            return Some(format!(
                "{}'s {} selects {} {place}",
                m.group_name(g),
                t.field,
                crate::count(q, "other pod", "other pods")
            ));
        }
    }
    None
}

#[allow(clippy::too_many_arguments)]
pub(super) fn inter_pod_anti_affinity<D: Domain>(
    d: &D,
    m: &Model,
    st: ClusterState<D>,
    p: &DeschedulerProfile,
    lim: &mut Limits<D>,
    plugin: &DeschedulerPlugin,
    order: &[usize],
    choice: usize,
) -> ClusterState<D> {
    let DeschedulerPlugin::RemovePodsViolatingInterPodAntiAffinity { namespaces } = plugin else { return st };
    let nn = m.nodes();
    let ng = m.ir.groups.len();
    let admitted: Vec<bool> = (0..ng).map(|g| in_namespaces(m, namespaces, g)).collect();
    if !(0..ng).any(|g| admitted[g] && !m.ir.groups[g].pod_affinity.required_anti.is_empty()) {
        return st;
    }
    // The listed pods per group and node: on Ready nodes, of admitted namespaces, terminating
    // ones included; the plugin's evictions take pods off the list.
    let mut listed: Vec<Vec<D::Int>> = (0..ng)
        .map(|h| {
            (0..nn)
                .map(|n| {
                    if !admitted[h] {
                        return d.int(0);
                    }
                    let all = d.add(&active_on(d, m, &st, h, n), &st.terminating[h][n]);
                    d.ite(&ready(d, &st, n), &all, &d.int(0))
                })
                .collect()
        })
        .collect();
    let classes = classes(m, namespaces);
    let mut st = st;
    for &n in order {
        for g in group_order::group_orders(&classes, choice, n) {
            let terms = &m.ir.groups[g].pod_affinity.required_anti;
            let c = active_on(d, m, &st, g, n);
            // Per term: listed pods it matches in the node's domain, besides the group's
            // evictable pods here.
            let mut others = d.bool(false);
            let mut own = false;
            for t in terms {
                let mut q = d.int(0);
                for (h, sel) in t.desched_selects.iter().enumerate() {
                    if !*sel {
                        continue;
                    }
                    for j in (0..nn).filter(|&j| same_domain(m, t, n, j)) {
                        q = d.add(&q, &listed[h][j]);
                    }
                }
                if t.desched_selects[g] {
                    q = d.sub(&q, &c);
                    own = true;
                }
                others = d.or(&others, &d.ge(&q, &d.int(1)));
            }
            let some = if own { d.max(&d.sub(&c, &d.int(1)), &d.int(0)) } else { d.int(0) };
            let count = d.ite(&others, &c, &some);
            let ok = d.and(&ready(d, &st, n), &evictable(d, m, &st, p, lim, g, n));
            let want = d.ite(&ok, &count, &d.int(0));
            let (nx, done) = evict_limited(d, m, &st, lim, g, n, &want);
            st = nx;
            listed[g][n] = d.sub(&listed[g][n], &done);
        }
    }
    st
}
