//! RemovePodsViolatingNodeTaints (`pkg/framework/plugins/removepodsviolatingnodetaints/`):
//! one untolerated NoSchedule taint — PreferNoSchedule when asked, the unschedulable taint of
//! a cordoned node and the cluster autoscaler's `ToBeDeletedByClusterAutoscaler` (whose value
//! is a timestamp, so only its key can be listed) included — that passes
//! includedTaints/excludedTaints, for the pods of the
//! namespaces its `namespaces` filter admits (node_taint.go `New`: `WithNamespaces`,
//! `WithoutNamespaces`).

use super::super::super::{ClusterState, Model};
use super::evictor::*;
use super::group_order;
use crate::domain::Domain;
use crate::ir::TO_BE_DELETED;
use crate::ir::{DeschedulerPlugin, DeschedulerProfile};
use crate::model::node::{active_on, ready, spec_unschedulable, to_be_deleted_tolerated};

/// How many choices of group orders the plugin adds to a descheduler step.
pub(super) fn choices(m: &Model, plugin: &DeschedulerPlugin) -> usize {
    let DeschedulerPlugin::RemovePodsViolatingNodeTaints { namespaces, .. } = plugin else { return 1 };
    group_order::choices(m, &group_order::listed(m, namespaces))
}

/// The group orders of choice `choice` in words, where they differ from the first.
pub(super) fn describe_choice(m: &Model, plugin: &DeschedulerPlugin, choice: usize) -> Vec<String> {
    let DeschedulerPlugin::RemovePodsViolatingNodeTaints { namespaces, .. } = plugin else { return Vec::new() };
    group_order::describe(m, &group_order::listed(m, namespaces), choice)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn node_taints<D: Domain>(
    d: &D,
    m: &Model,
    st: ClusterState<D>,
    p: &DeschedulerProfile,
    lim: &mut Limits<D>,
    plugin: &DeschedulerPlugin,
    order: &[usize],
    choice: usize,
) -> ClusterState<D> {
    let DeschedulerPlugin::RemovePodsViolatingNodeTaints {
        include_prefer_no_schedule,
        excluded_taints,
        included_taints,
        namespaces,
    } = plugin
    else {
        return st;
    };
    let passes = |key: &str, value: &str| {
        let listed = |list: &[String]| list.iter().any(|x| x == key || *x == format!("{key}={value}"));
        // upstream tests `IncludedTaints == nil`: an explicit empty list includes no taint.
        included_taints.as_deref().is_none_or(listed) && !listed(excluded_taints)
    };
    let classes = group_order::listed(m, namespaces);
    let mut st = st;
    for &n in order {
        let node = &m.ir.nodes[n];
        for g in group_order::group_orders(&classes, choice, n) {
            let grp = &m.ir.groups[g];
            // One taint that is considered, passes the include/exclude lists and is not tolerated.
            let static_violation = grp.per_node[n].untolerated.iter().any(|&t| {
                let taint = &node.taints[t];
                let considered = taint.effect == crate::ir::Effect::NoSchedule
                    || (*include_prefer_no_schedule && taint.effect == crate::ir::Effect::PreferNoSchedule);
                considered && passes(&taint.key, &taint.value)
            });
            // The taint a cordoned node carries, node.kubernetes.io/unschedulable:NoSchedule, and
            // the one a node the cluster autoscaler removes carries,
            // ToBeDeletedByClusterAutoscaler:NoSchedule, each tolerated by its own toleration.
            let mut cordon_violation = d.bool(false);
            if !grp.tolerates_unschedulable && passes("node.kubernetes.io/unschedulable", "") {
                cordon_violation = d.or(&cordon_violation, &spec_unschedulable(d, m, &st, n));
            }
            if passes(TO_BE_DELETED, "") {
                if let Some(tolerated) = to_be_deleted_tolerated(d, m, &st, g, n) {
                    cordon_violation = d.or(&cordon_violation, &d.not(&tolerated));
                }
            }
            let violated = d.or(&d.bool(static_violation), &cordon_violation);
            let ok = d.all([violated, ready(d, &st, n), evictable(d, m, &st, p, lim, g, n)].iter());
            let want = d.ite(&ok, &active_on(d, m, &st, g, n), &d.int(0));
            st = evict_limited(d, m, &st, lim, g, n, &want).0;
        }
    }
    st
}
