//! LowNodeUtilization (`pkg/framework/plugins/nodeutilization/`): usage by requests, against
//! thresholds that are float64 percentages as upstream computes them (`min_over`,
//! `fraction`); under: every threshold resource `<=`; over: some target resource `>`; evicts from over- to
//! under-utilized nodes while both have room. Overutilized nodes go by descending usage
//! (sortNodesByUsage: cpu millicores + memory bytes + pods), a node's pods by priority,
//! lowest first, then QoS class, BestEffort first (SortPodsBasedOnPriorityLowToHigh), the
//! groups of one priority and class in every order on every node (a choice of the step). `evictableNamespaces` excludes namespaces from eviction only (nodeutilization.go
//! `evictPods`: a pod of an excluded namespace fails the pre-eviction filter built
//! `WithoutNamespaces` and is skipped): its pods still count in every node's usage and in
//! the classification, and skipping one changes no count, limit or headroom.

use super::super::super::{ClusterState, Model};
use super::evictor::*;
use super::group_order::{self, Classes};
use crate::domain::Domain;
use crate::ir::{DeschedulerPlugin, DeschedulerProfile, Namespaces};
use crate::model::node::{active_on, ready, spec_unschedulable};

/// The groups the plugin may evict (a Deployment's, in a namespace `evictableNamespaces`
/// admits) in SortPodsBasedOnPriorityLowToHigh's order, one class per priority and QoS
/// class. The sort is a `sort.Slice` over the lister's arbitrary order, so a class's groups
/// come in any order on a node, and with the node's target and the shared headroom any
/// order can change which pods go: every order of a class of two or more is a choice.
fn classes(m: &Model, evictable_namespaces: &Namespaces) -> Classes {
    let mut by_qos: Vec<usize> = (0..m.ir.groups.len())
        .filter(|&g| m.ir.groups[g].daemon_set().is_none() && in_namespaces(m, evictable_namespaces, g))
        .collect();
    let key = |g: usize| (m.ir.groups[g].priority, m.ir.groups[g].qos);
    by_qos.sort_by_key(|&g| key(g));
    group_order::classes(by_qos, key, |_| true)
}

/// How many choices of group orders the plugin adds to a descheduler step.
pub(super) fn choices(m: &Model, plugin: &DeschedulerPlugin) -> usize {
    let DeschedulerPlugin::LowNodeUtilization { evictable_namespaces, .. } = plugin else { return 1 };
    group_order::choices(m, &classes(m, evictable_namespaces))
}

/// The group orders of choice `choice` in words, where they differ from the first.
pub(super) fn describe_choice(m: &Model, plugin: &DeschedulerPlugin, choice: usize) -> Vec<String> {
    let DeschedulerPlugin::LowNodeUtilization { evictable_namespaces, .. } = plugin else { return Vec::new() };
    group_order::describe(m, &classes(m, evictable_namespaces), choice)
}

/// The least usage (millicores, bytes or pods) at which upstream calls a node of allocatable
/// `alloc` above threshold `t` percent: ResourceUsageToResourceThreshold computes
/// `float64(used) / float64(alloc) * 100` and isNodeAboveThreshold asks `t < percent`, both
/// in float64. The percentage never falls as usage grows (float64 division and
/// multiplication by positive numbers are monotone), so the least such usage decides it,
/// found by bisection (thresholds are at most 100, so twice the allocatable is above). With
/// no allocatable, the percentage is 0 and no usage is above.
pub(super) fn min_over(alloc: i64, t: f64) -> i64 {
    if alloc <= 0 {
        return i64::MAX;
    }
    let above = |u: i64| (u as f64) / (alloc as f64) * 100.0 > t;
    // above(hi) holds; above(lo - 1) does not (or lo is 0).
    let (mut lo, mut hi) = (0i64, alloc.saturating_mul(2).saturating_add(1));
    if !above(hi) {
        return i64::MAX;
    }
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if above(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// `int64(float64(t) * 0.01 * float64(capacity))`: a target threshold's share of a
/// capacity, as capNodeCapacityToThreshold computes it (truncated toward zero).
pub(super) fn fraction(t: f64, capacity: i64) -> i64 {
    (t * 0.01 * capacity as f64) as i64
}

/// Percent of allocatable used by requests on node `n` above/below a threshold, per resource.
#[allow(clippy::too_many_arguments)]
pub(super) fn low_node_utilization<D: Domain>(
    d: &D,
    m: &Model,
    st: ClusterState<D>,
    p: &DeschedulerProfile,
    lim: &mut Limits<D>,
    plugin: &DeschedulerPlugin,
    order: &[usize],
    choice: usize,
) -> (ClusterState<D>, D::Bool) {
    let DeschedulerPlugin::LowNodeUtilization { thresholds, target_thresholds, number_of_nodes, evictable_namespaces } =
        plugin
    else {
        return (st, d.bool(true));
    };
    let nn = m.nodes();
    let mut st = st;
    // Upstream's percentage `used / alloc * 100` in float64 exceeds t from `min_over` on.
    let over = |used: &D::Int, alloc: i64, t: f64| d.ge(used, &d.int(min_over(alloc, t)));
    let usage = |st: &ClusterState<D>, n: usize| used(d, m, st, n);
    let mut under = Vec::new();
    let mut overu = Vec::new();
    for n in 0..nn {
        let a = m.ir.nodes[n].allocatable;
        let (cpu, mem, pods) = usage(&st, n);
        let checks = [
            (thresholds.cpu, &cpu, a.cpu_milli),
            (thresholds.memory, &mem, a.memory),
            (thresholds.pods, &pods, a.pods),
        ];
        let is_under =
            d.all(checks.iter().filter_map(|(t, u, al)| t.map(|t| d.not(&over(u, *al, t)))).collect::<Vec<_>>().iter());
        let tchecks = [
            (target_thresholds.cpu, &cpu, a.cpu_milli),
            (target_thresholds.memory, &mem, a.memory),
            (target_thresholds.pods, &pods, a.pods),
        ];
        let is_over = d.any_of(tchecks.iter().filter_map(|(t, u, al)| t.map(|t| over(u, *al, t))));
        let rd = ready(d, &st, n);
        // `IsNodeUnschedulable` reads `spec.unschedulable` only: a node the cluster autoscaler
        // is removing (its taint, not a cordon) may still count as underutilized.
        let unschedulable = spec_unschedulable(d, m, &st, n);
        let u = d.all([rd.clone(), d.not(&unschedulable), is_under.clone()].iter());
        under.push(u.clone());
        overu.push(d.all([rd, d.not(&u), is_over].iter()));
    }
    let n_under = d.sum_of(under.iter().map(|u| d.count(u)));
    let n_over = d.sum_of(overu.iter().map(|u| d.count(u)));
    let n_ready = d.sum_of((0..nn).map(|n| d.count(&ready(d, &st, n))));
    let go =
        d.all([d.gt(&n_under, &d.int(*number_of_nodes)), d.gt(&n_over, &d.int(0)), d.lt(&n_under, &n_ready)].iter());
    // sortNodesByUsage (nodeutilization.go): the overutilized nodes by descending usage, the
    // sum over cpu (millicores), memory (bytes) and pods; ties in sort.Slice's arbitrary
    // order. The run's node order is one upstream can take iff it lists the overutilized
    // nodes by non-increasing usage.
    let sort_key = |n: usize| {
        let (cpu, mem, pods) = usage(&st, n);
        d.add(&d.add(&cpu, &mem), &pods)
    };
    let keys: Vec<D::Int> = (0..nn).map(sort_key).collect();
    let mut sorted = Vec::new();
    for (i, &a) in order.iter().enumerate() {
        for &b in &order[i + 1..] {
            let both = d.and(&overu[a], &overu[b]);
            sorted.push(d.or(&d.not(&both), &d.ge(&keys[a], &keys[b])));
        }
    }
    let sorted = d.or(&d.not(&go), &d.all(sorted.iter()));
    // Headroom of the underutilized nodes up to their target thresholds
    // (capNodeCapacityToThreshold).
    let cap = |n: usize| {
        let a = m.ir.nodes[n].allocatable;
        (
            target_thresholds.cpu.map(|t| fraction(t, a.cpu_milli)).unwrap_or(a.cpu_milli),
            target_thresholds.memory.map(|t| fraction(t, a.memory)).unwrap_or(a.memory),
            target_thresholds.pods.map(|t| fraction(t, a.pods)).unwrap_or(a.pods),
        )
    };
    let mut avail = [d.int(0), d.int(0), d.int(0)];
    for n in 0..nn {
        let (cc, cm, cp) = cap(n);
        let (u_cpu, u_mem, u_pods) = usage(&st, n);
        let room = [d.sub(&d.int(cc), &u_cpu), d.sub(&d.int(cm), &u_mem), d.sub(&d.int(cp), &u_pods)];
        for r in 0..3 {
            avail[r] = d.add(&avail[r], &d.ite(&under[n], &room[r], &d.int(0)));
        }
    }
    // A node's pods in SortPodsBasedOnPriorityLowToHigh's order: lower priority first, then
    // by QoS class, BestEffort first; groups of one priority and class in the order the
    // step's choice names for the node. Pods of an excluded namespace are skipped where
    // upstream would evict them.
    let classes = classes(m, evictable_namespaces);
    for &n in order {
        let (cc, cm, cp) = cap(n);
        // The node's usage as the plugin books it: lowered by each eviction's requests
        // (the evicted pod is still terminating, but upstream no longer counts it).
        let (mut u_cpu, mut u_mem, mut u_pods) = usage(&st, n);
        for g in group_order::group_orders(&classes, choice, n) {
            let grp = &m.ir.groups[g];
            // The pod must tolerate every taint of some underutilized node.
            let dest_ok = d.any(
                (0..nn)
                    .filter(|&t| {
                        grp.per_node[t].untolerated_no_schedule as i64
                            + grp.per_node[t].untolerated_no_execute as i64
                            + grp.per_node[t].untolerated_prefer_no_schedule
                            == 0
                    })
                    .map(|t| under[t].clone())
                    .collect::<Vec<_>>()
                    .iter(),
            );
            let ok = d.all([go.clone(), overu[n].clone(), dest_ok, evictable(d, m, &st, p, lim, g, n)].iter());
            // Evict one pod at a time while the node is above target and headroom remains.
            let r = grp.requests;
            for _ in 0..m.max_pods {
                let above =
                    d.any([d.gt(&u_cpu, &d.int(cc)), d.gt(&u_mem, &d.int(cm)), d.gt(&u_pods, &d.int(cp))].iter());
                let room = d.all_of(avail.iter().map(|a| d.gt(a, &d.int(0))));
                let still = d.gt(&active_on(d, m, &st, g, n), &d.int(0));
                let now = d.all([ok.clone(), above, room, still].iter());
                let want = d.count(&now);
                // Headroom shrinks only by what was really evicted (limits may refuse).
                let (next, done) = evict_limited(d, m, &st, lim, g, n, &want);
                st = next;
                avail[0] = d.sub(&avail[0], &d.mul_const(&done, r.cpu_milli));
                avail[1] = d.sub(&avail[1], &d.mul_const(&done, r.memory));
                avail[2] = d.sub(&avail[2], &done);
                u_cpu = d.sub(&u_cpu, &d.mul_const(&done, r.cpu_milli));
                u_mem = d.sub(&u_mem, &d.mul_const(&done, r.memory));
                u_pods = d.sub(&u_pods, &done);
            }
        }
    }
    (st, sorted)
}
