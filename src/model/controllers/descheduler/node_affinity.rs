//! RemovePodsViolatingNodeAffinity (`pkg/framework/plugins/removepodsviolatingnodeaffinity/`):
//! required: a pod with required node affinity whose node no longer matches and that fits
//! some node; preferred: a Ready node offers a larger preferred weight. Only the pods of the
//! namespaces its `namespaces` filter admits (node_affinity.go `New`: `WithNamespaces`,
//! `WithoutNamespaces`).

use super::super::super::{ClusterState, Model};
use super::evictor::*;
use super::group_order;
use crate::domain::Domain;
use crate::ir::{DeschedulerPlugin, DeschedulerProfile};
use crate::model::node::{active_on, ready};

/// How many choices of group orders the plugin adds to a descheduler step.
pub(super) fn choices(m: &Model, plugin: &DeschedulerPlugin) -> usize {
    let DeschedulerPlugin::RemovePodsViolatingNodeAffinity { namespaces, .. } = plugin else { return 1 };
    group_order::choices(m, &group_order::listed(m, namespaces))
}

/// The group orders of choice `choice` in words, where they differ from the first.
pub(super) fn describe_choice(m: &Model, plugin: &DeschedulerPlugin, choice: usize) -> Vec<String> {
    let DeschedulerPlugin::RemovePodsViolatingNodeAffinity { namespaces, .. } = plugin else { return Vec::new() };
    group_order::describe(m, &group_order::listed(m, namespaces), choice)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn node_affinity<D: Domain>(
    d: &D,
    m: &Model,
    st: ClusterState<D>,
    p: &DeschedulerProfile,
    lim: &mut Limits<D>,
    plugin: &DeschedulerPlugin,
    order: &[usize],
    choice: usize,
) -> ClusterState<D> {
    let DeschedulerPlugin::RemovePodsViolatingNodeAffinity { required, preferred, namespaces } = plugin else {
        return st;
    };
    let classes = group_order::listed(m, namespaces);
    let mut st = st;
    for &n in order {
        for g in group_order::group_orders(&classes, choice, n) {
            let grp = &m.ir.groups[g];
            // Required: only pods with required node affinity (a plain nodeSelector does not count).
            let req_violated = *required && grp.has_required_affinity && !grp.per_node[n].affinity_ok;
            let weights: Vec<D::Int> = grp.per_node.iter().map(|p| d.int(p.preferred_weight)).collect();
            let readies: Vec<D::Bool> = (0..m.nodes()).map(|t| ready(d, &st, t)).collect();
            let best = d.masked_max(&weights, &readies, 0);
            let pref_violated =
                if *preferred { d.gt(&best, &d.int(grp.per_node[n].preferred_weight)) } else { d.bool(false) };
            if !req_violated && !*preferred {
                continue;
            }
            let violated = d.or(&d.bool(req_violated), &pref_violated);
            // PodFitsAnyNode: NodeFit on every Ready node, where on the pod's own node the
            // resource check is skipped (the pod's requests are already there).
            let fits_some = d.or(&d.any(lim.fit[g].iter()), &node_fit_placement(d, m, &st, g, n));
            let ok = d.all([violated, ready(d, &st, n), evictable(d, m, &st, p, lim, g, n), fits_some].iter());
            let want = d.ite(&ok, &active_on(d, m, &st, g, n), &d.int(0));
            st = evict_limited(d, m, &st, lim, g, n, &want).0;
        }
    }
    st
}
