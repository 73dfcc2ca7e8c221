//! RemoveDuplicates (`pkg/framework/plugins/removeduplicates/`): owner = ReplicaSet, i.e. one
//! pod template revision; upperAvg = ceil(occurrences / target nodes), target nodes being the
//! Ready nodes the pod's selector, affinity and taints allow, at least two. Its `namespaces`
//! filter (removeduplicates.go `New`: `WithNamespaces`, `WithoutNamespaces`) keeps the pods
//! of other namespaces out of the listing, so they are neither counted nor evicted; an
//! owner's pods share one namespace (the owner key is namespace/kind/name), so a group is
//! considered whole or not at all. Owners go in the order of `duplicatePods`, a map, so in
//! any order: where that can change what is evicted (an eviction limit is set, or two owners
//! share a PodDisruptionBudget), every order of the owners is a choice of the step
//! (`choices`); elsewhere index order stands for all.

use super::super::super::{ClusterState, Model};
use super::evictor::*;
use crate::domain::Domain;
use crate::ir::{DeschedulerPlugin, DeschedulerProfile, Namespaces};
use crate::model::node::{active_on, ready};

/// The owners (groups) the plugin lists, and whether their order can change what it evicts:
/// an eviction limit caps what later owners may evict, a PodDisruptionBudget two of them share
/// lets the first take the disruptions the second would have had.
fn listed(m: &Model, namespaces: &Namespaces) -> (Vec<usize>, bool) {
    // The listing goes through the evictor's filter (removeduplicates.go `New`:
    // `WithFilter(handle.Evictor().Filter)`), which drops a DaemonSet's pods: they are neither
    // owners nor counted.
    let gs: Vec<usize> = (0..m.ir.groups.len())
        .filter(|&g| m.ir.groups[g].daemon_set().is_none() && in_namespaces(m, namespaces, g))
        .collect();
    let limits =
        m.ir.descheduler
            .as_ref()
            .is_some_and(|ds| ds.max_per_node.is_some() || ds.max_per_namespace.is_some() || ds.max_total.is_some());
    let shared = m.ir.pdbs.iter().any(|p| gs.iter().filter(|&&g| p.selects[g]).count() > 1);
    let matters = gs.len() > 1 && (limits || shared);
    (gs, matters)
}

/// How many owner orders the plugin adds to a descheduler step (1 where the order does not
/// matter).
pub(super) fn choices(m: &Model, plugin: &DeschedulerPlugin) -> usize {
    let DeschedulerPlugin::RemoveDuplicates { namespaces } = plugin else { return 1 };
    match listed(m, namespaces) {
        (gs, true) => (1..=gs.len()).product(),
        _ => 1,
    }
}

/// The owners in the order of choice `choice` (below [`choices`]).
fn owners(m: &Model, namespaces: &Namespaces, choice: usize) -> Vec<usize> {
    match listed(m, namespaces) {
        (gs, true) => super::permutation(gs.len(), choice).into_iter().map(|i| gs[i]).collect(),
        (gs, false) => gs,
    }
}

/// The owner order of choice `choice` in words where it is not index order: "owners web@r1,
/// web@r0".
pub(super) fn describe_choice(m: &Model, plugin: &DeschedulerPlugin, choice: usize) -> Vec<String> {
    let DeschedulerPlugin::RemoveDuplicates { namespaces } = plugin else { return Vec::new() };
    let mine = owners(m, namespaces, choice);
    if mine == owners(m, namespaces, 0) {
        return Vec::new();
    }
    let names: Vec<String> = mine.iter().map(|&g| m.group_name(g)).collect();
    vec![format!("owners {}", names.join(", "))]
}

#[allow(clippy::too_many_arguments)]
pub(super) fn remove_duplicates<D: Domain>(
    d: &D,
    m: &Model,
    st: ClusterState<D>,
    p: &DeschedulerProfile,
    lim: &mut Limits<D>,
    plugin: &DeschedulerPlugin,
    order: &[usize],
    choice: usize,
) -> ClusterState<D> {
    let DeschedulerPlugin::RemoveDuplicates { namespaces } = plugin else { return st };
    let nn = m.nodes();
    let mut st = st;
    for g in owners(m, namespaces, choice) {
        let counted: Vec<D::Int> = (0..nn)
            .map(|n| {
                let ok = d.and(&ready(d, &st, n), &evictable(d, m, &st, p, lim, g, n));
                d.ite(&ok, &active_on(d, m, &st, g, n), &d.int(0))
            })
            .collect();
        let occurrence = d.sum(counted.iter());
        let per_node = &m.ir.groups[g].per_node;
        // getTargetNodes: Ready nodes whose NoSchedule and NoExecute taints the pod tolerates
        // (a cordoned node carries node.kubernetes.io/unschedulable:NoSchedule) and whose
        // labels match its node selector and required affinity.
        let targets = d.sum(
            (0..nn)
                .filter(|&n| {
                    per_node[n].affinity_ok
                        && !per_node[n].untolerated_no_schedule
                        && !per_node[n].untolerated_no_execute
                })
                .map(|n| d.count(&d.and(&ready(d, &st, n), &cordon_tolerated(d, m, &st, g, n))))
                .collect::<Vec<_>>()
                .iter(),
        );
        let enough = d.ge(&targets, &d.int(2));
        let t = d.max(&targets, &d.int(1));
        let upper_avg = d.div_bounded(&d.add(&occurrence, &d.sub(&t, &d.int(1))), &t, 1, nn.max(1) as i64);
        for &n in order {
            let excess = d.sub(&counted[n], &upper_avg);
            let want = d.ite(&d.and(&enough, &d.gt(&excess, &d.int(0))), &excess, &d.int(0));
            st = evict_limited(d, m, &st, lim, g, n, &want).0;
        }
    }
    st
}
