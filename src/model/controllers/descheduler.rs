//! Descheduler: one run of every profile (all Deschedule plugins, then all Balance plugins)
//! per step, evicting pods that the scheduler will then place again.
//!
//! Follows kubernetes-sigs/descheduler `pkg/descheduler/descheduler.go` and
//! `pkg/framework/plugins/`: the run considers Ready nodes (cordoned ones included) and
//! aborts with one or none; DefaultEvictor filters out pods with local storage or PVCs as
//! configured and, with nodeFit, pods that fit on no other Ready node (unschedulable,
//! selector/affinity, NoSchedule/NoExecute taints, requests of all non-terminal pods —
//! terminating ones included — and pod count); per-node, per-namespace and total eviction
//! limits. Plugins: RemoveDuplicates (owner = ReplicaSet,
//! i.e. one pod template revision; upperAvg = ceil(occurrences / target nodes), target nodes
//! being the Ready nodes the pod's selector, affinity and taints allow, at least two);
//! RemovePodsViolatingTopologySpreadConstraint (the constraints named by `constraints`,
//! counting the pods the evictor's Filter admits, minDomains ignored, balanceDomains'
//! two-pointer moves, a pod marked only if it fits a node of a below-average domain under
//! topologyBalanceNodeFit, marks of all constraints evicted together); LowNodeUtilization (usage by requests; under: every threshold
//! resource `<=`; over: some target resource `>`; evicts from over- to under-utilized while
//! both have room); RemovePodsViolatingNodeTaints (one untolerated NoSchedule taint —
//! PreferNoSchedule when asked, the unschedulable taint of a cordoned node included — that
//! passes includedTaints/excludedTaints); RemovePodsViolatingNodeAffinity (required: a pod with
//! required node affinity whose node no longer matches and that fits some node; preferred: a
//! Ready node offers a larger preferred weight).
//! Orders: where upstream's order is arbitrary (map iteration over nodes and domains, an
//! unstable sort of equal-sized domains or of equally used nodes), each node order is a step
//! label (`order_count`, `permutation`): the run visits nodes, ranks tied domains and walks a
//! domain's nodes in that order. LowNodeUtilization takes its overutilized nodes by
//! descending usage (sortNodesByUsage: cpu millicores + memory bytes + pods), an order that
//! breaks that sort being no run (the guard refuses it), and a node's pods by QoS class,
//! BestEffort first (SortPodsBasedOnPriorityLowToHigh; kbmc has no priorities, so all are
//! equal). Topology spread counts with the descheduler's selector semantics (`labelSelector:
//! {}` matches every pod of the namespace) and merges constraints as hasIdenticalConstraints.
//! Abstracted: a pod marked by two spread constraints is counted once per (group, node) as the
//! larger of the two marks; a run's evictions happen in one step, except that running pods of
//! a group with several usage kinds are only picked by the run and then evicted one atomic
//! step each (`Eviction`), each choosing the victim's kind.
//! Under-approximations (runs upstream can take that kbmc does not explore):
//! - more than [`ORDER_NODES_MAX`] nodes: index order only (`order_count`);
//! - one node order serves the whole run: upstream's plugins, and its passes over several
//!   spread constraints, each break ties anew, so runs where two of them break ties
//!   differently (LowNodeUtilization's sort constraining the order that topology spread's
//!   ties then see, say) are missed;
//! - pods of different groups on one node are taken group by group in index order (within a
//!   QoS class for LowNodeUtilization): upstream's pod order there is arbitrary, and a
//!   different mix of groups can be evicted before LowNodeUtilization's node reaches its
//!   target or the headroom runs out, or before a per-node, namespace or total limit stops
//!   RemoveDuplicates, RemovePodsViolatingNodeTaints, RemovePodsViolatingNodeAffinity or the
//!   spread plugin's evictions;
//! - topology spread marks a domain's moves on its (group, node) cells in order, ignoring
//!   upstream's preference (sortDomains, then a stable sort by PodFitsAnyOtherNode) for pods
//!   without node selector or affinity and for pods that fit a below-average node, so runs
//!   where such a pod is the victim while kbmc picks another (or none) are missed.

use super::super::{active_on, ready, Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::{DeschedulerPlugin, DeschedulerProfile, SpreadConstraint};
use crate::model::state::Conditions;

pub struct Descheduler;

/// Evicts up to `count` pods of group `g` from node `n` (bound first, then running, most
/// loaded usage first); returns the new state and how many were evicted.
fn evict<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    g: usize,
    n: usize,
    count: &D::Int,
) -> (ClusterState<D>, D::Int) {
    // Nothing to evict: the state as it is (counts are never negative, so every `min` below
    // would be 0; a solver's simplifier cannot see that without the invariant).
    if d.known(count).is_some_and(|c| c <= 0) {
        return (st.clone(), d.int(0));
    }
    let mut nx = st.clone();
    let mut left = d.max(count, &d.int(0));
    let take = d.min(&left, &st.bound[g][n]);
    nx.bound[g][n] = d.sub(&st.bound[g][n], &take);
    left = d.sub(&left, &take);
    let mut total = take;
    for &k in m.kinds_of_group[g].iter().rev() {
        let take = d.min(&left, &st.running[k][n]);
        nx.running[k][n] = d.sub(&st.running[k][n], &take);
        left = d.sub(&left, &take);
        total = d.add(&total, &take);
    }
    nx.terminating[g][n] = d.add(&st.terminating[g][n], &total);
    (nx, total)
}

/// Requests of the non-terminal pods on node `n`, terminating ones included, and of the
/// snapshot's fixed pods there (what NodeFit and LowNodeUtilization count).
fn used<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, n: usize) -> (D::Int, D::Int, D::Int) {
    let f = m.ir.nodes[n].fixed;
    let (mut cpu, mut mem, mut pods) = (d.int(f.cpu_milli), d.int(f.memory), d.int(f.pods));
    for (g, grp) in m.ir.groups.iter().enumerate() {
        let c = d.add(&active_on(d, m, st, g, n), &st.terminating[g][n]);
        cpu = d.add(&cpu, &d.mul_const(&c, grp.requests.cpu_milli));
        mem = d.add(&mem, &d.mul_const(&c, grp.requests.memory));
        pods = d.add(&pods, &c);
    }
    (cpu, mem, pods)
}

/// NodeFit without its resource check (what it asks of the node a pod already runs on):
/// node affinity, NoSchedule and NoExecute taints, Ready and not cordoned.
fn node_fit_placement<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, t: usize) -> D::Bool {
    let p = &m.ir.groups[g].per_node[t];
    if !p.affinity_ok || p.untolerated_no_schedule || p.untolerated_no_execute {
        return d.bool(false);
    }
    d.and(&ready(d, st, t), &d.not(&st.cordoned[t]))
}

/// NodeFit: a pod of group `g` would fit on node `t`.
fn node_fit<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, t: usize) -> D::Bool {
    let grp = &m.ir.groups[g];
    let p = &grp.per_node[t];
    if !p.affinity_ok || p.untolerated_no_schedule || p.untolerated_no_execute {
        return d.bool(false);
    }
    let a = m.ir.nodes[t].allocatable;
    let (cpu, mem, pods) = used(d, m, st, t);
    d.all(
        [
            node_fit_placement(d, m, st, g, t),
            d.le(&d.add(&cpu, &d.int(grp.requests.cpu_milli)), &d.int(a.cpu_milli)),
            d.le(&d.add(&mem, &d.int(grp.requests.memory)), &d.int(a.memory)),
            d.le(&d.add(&pods, &d.int(1)), &d.int(a.pods)),
        ]
        .iter(),
    )
}

/// Node `n` is not cordoned, or pods of `g` tolerate the taint a cordoned node carries
/// (node.kubernetes.io/unschedulable:NoSchedule).
fn cordon_tolerated<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, n: usize) -> D::Bool {
    if m.ir.groups[g].tolerates_unschedulable {
        d.bool(true)
    } else {
        d.not(&st.cordoned[n])
    }
}

/// A pod of `g` now on node `n` fits some other node (NodeFit), from the run's fit matrix.
fn fits_elsewhere<D: Domain>(d: &D, lim: &Limits<D>, g: usize, n: usize) -> D::Bool {
    d.any(lim.fit[g].iter().enumerate().filter(|(t, _)| *t != n).map(|(_, f)| f))
}

/// DefaultEvictor Filter: the pods of `g` may be evicted at all.
fn filter<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, p: &DeschedulerProfile, g: usize) -> D::Bool {
    let grp = &m.ir.groups[g];
    if (grp.local_storage && !p.evictor.evict_local_storage_pods) || (grp.pvc && p.evictor.ignore_pvc_pods) {
        return d.bool(false);
    }
    if p.evictor.min_replicas > 1 {
        // Every pod the informer lists with the ReplicaSet as owner: pending and terminating
        // ones too. A run's evictions leave the count as it was (the evicted pods are
        // terminating), so node order does not matter here.
        let owned = d.add(
            &st.pending[g],
            &d.sum_of((0..m.nodes()).map(|j| d.add(&active_on(d, m, st, g, j), &st.terminating[g][j]))),
        );
        return d.ge(&owned, &d.int(p.evictor.min_replicas));
    }
    d.bool(true)
}

/// DefaultEvictor Filter and PreEvictionFilter (nodeFit) for the pods of `g` on node `n`.
fn evictable<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    p: &DeschedulerProfile,
    lim: &Limits<D>,
    g: usize,
    n: usize,
) -> D::Bool {
    let ok = filter(d, m, st, p, g);
    if p.evictor.node_fit {
        d.and(&ok, &fits_elsewhere(d, lim, g, n))
    } else {
        ok
    }
}

/// Per-run eviction limits: evicted so far per node, per namespace and in total.
struct Limits<D: Domain> {
    per_node: Vec<D::Int>,
    per_namespace: Vec<D::Int>,
    total: D::Int,
    /// NodeFit of each group on each node. Invariant during a run: evicted pods still count
    /// (terminating) and no node changes readiness, so it is computed once.
    fit: Vec<Vec<D::Bool>>,
}

/// The index of group `g`'s namespace among the Deployments' namespaces.
fn namespace_of(m: &Model, g: usize) -> usize {
    let ns = &m.ir.deployments[m.dep_of_group(g)].namespace;
    m.ir.deployments.iter().position(|d| &d.namespace == ns).expect("a group's Deployment exists")
}

/// Evicts up to `want` pods of `g` from `n` within the limits; returns the state and how many.
fn evict_limited<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    lim: &mut Limits<D>,
    g: usize,
    n: usize,
    want: &D::Int,
) -> (ClusterState<D>, D::Int) {
    let ds = m.ir.descheduler.as_ref().expect("descheduler steps exist only with a policy");
    let ns = namespace_of(m, g);
    let mut allowed = d.max(want, &d.int(0));
    if let Some(cap) = ds.max_per_node {
        allowed = d.min(&allowed, &d.max(&d.int(0), &d.sub(&d.int(cap), &lim.per_node[n])));
    }
    if let Some(cap) = ds.max_per_namespace {
        allowed = d.min(&allowed, &d.max(&d.int(0), &d.sub(&d.int(cap), &lim.per_namespace[ns])));
    }
    if let Some(cap) = ds.max_total {
        allowed = d.min(&allowed, &d.max(&d.int(0), &d.sub(&d.int(cap), &lim.total)));
    }
    let (nx, done) = evict(d, m, st, g, n, &allowed);
    lim.per_node[n] = d.add(&lim.per_node[n], &done);
    lim.per_namespace[ns] = d.add(&lim.per_namespace[ns], &done);
    lim.total = d.add(&lim.total, &done);
    (nx, done)
}

fn remove_duplicates<D: Domain>(
    d: &D,
    m: &Model,
    st: ClusterState<D>,
    p: &DeschedulerProfile,
    lim: &mut Limits<D>,
    order: &[usize],
) -> ClusterState<D> {
    let nn = m.nodes();
    let mut st = st;
    for g in 0..m.ir.groups.len() {
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

/// The spread constraints the plugin balances, with their owner group (whose node affinity
/// and tolerations the inclusion policies read). Two constraints are merged where upstream's
/// `hasIdenticalConstraints` (topologyspreadconstraint.go) would merge them: equal maxSkew,
/// topologyKey, selector (compared by the groups it counts, which confines it to its
/// namespace), nodeAffinityPolicy and nodeTaintsPolicy, and, where a policy is Honor, the
/// owner's required node affinity (with its nodeSelector) and tolerations, here compared by
/// what they decide on every node. whenUnsatisfiable and minDomains are not fields of
/// upstream's constraint, so a hard and a soft constraint alike in the rest merge. Comparing
/// by effect rather than by spelling merges more than upstream's `reflect.DeepEqual`; the
/// constraints upstream then balances twice compute the same moves on the same pods, which
/// matters only through the arbitrary order of equal-sized domains, which each pass breaks
/// anew (see the module's under-approximations).
fn balanced_constraints(m: &Model, hard: bool, soft: bool) -> Vec<(usize, &SpreadConstraint)> {
    let mut out: Vec<(usize, &SpreadConstraint)> = Vec::new();
    let affinity = |g: usize| m.ir.groups[g].per_node.iter().map(|p| p.affinity_ok).collect::<Vec<_>>();
    let taints = |g: usize| {
        let grp = &m.ir.groups[g];
        let per_node = grp.per_node.iter().map(|p| (p.untolerated_no_schedule, p.untolerated_no_execute));
        (per_node.collect::<Vec<_>>(), grp.tolerates_unschedulable)
    };
    for (g, grp) in m.ir.groups.iter().enumerate() {
        for c in &grp.spread {
            if c.system_default || !((c.hard && hard) || (!c.hard && soft)) {
                continue;
            }
            let same = |(h, o): &(usize, &SpreadConstraint)| {
                o.topology_key == c.topology_key
                    && o.max_skew == c.max_skew
                    && o.desched_selects == c.desched_selects
                    && o.honor_node_affinity == c.honor_node_affinity
                    && o.honor_node_taints == c.honor_node_taints
                    && (!c.honor_node_affinity || affinity(*h) == affinity(g))
                    && (!c.honor_node_taints || taints(*h) == taints(g))
            };
            if !out.iter().any(same) {
                out.push((g, c));
            }
        }
    }
    out
}

/// Which constraints RemovePodsViolatingTopologySpreadConstraint balances, and whether an
/// evicted pod must fit on another node (topologyBalanceNodeFit).
struct SpreadArgs {
    hard: bool,
    soft: bool,
    node_fit_check: bool,
}

fn topology_spread<D: Domain>(
    d: &D,
    m: &Model,
    st: ClusterState<D>,
    p: &DeschedulerProfile,
    lim: &mut Limits<D>,
    args: SpreadArgs,
    order: &[usize],
) -> ClusterState<D> {
    let SpreadArgs { hard, soft, node_fit_check } = args;
    let nn = m.nodes();
    let ng = m.ir.groups.len();
    // Pods marked for eviction per (group, node), over every constraint, on the state before
    // the plugin runs; evicted together at the end, as upstream evicts its marked set.
    let mut marked: Vec<Vec<D::Int>> = vec![vec![d.int(0); nn]; ng];
    for (owner, c) in balanced_constraints(m, hard, soft) {
        // Domains: values of the key on Ready nodes passing the inclusion policies.
        let (nv, dom) = super::scheduler::domains(m, c);
        if nv == 0 {
            continue;
        }
        let selected: Vec<usize> = (0..ng).filter(|&h| c.desched_selects[h]).collect();
        let mut registered = vec![d.bool(false); nv];
        let mut size = vec![d.int(0); nv];
        let owner_p = &m.ir.groups[owner].per_node;
        for n in 0..nn {
            let Some(v) = dom[n] else { continue };
            let rd = ready(d, &st, n);
            let mut inc = rd.clone();
            if c.honor_node_affinity && !owner_p[n].affinity_ok {
                inc = d.bool(false);
            }
            if c.honor_node_taints && (owner_p[n].untolerated_no_schedule || owner_p[n].untolerated_no_execute) {
                inc = d.bool(false);
            }
            if c.honor_node_taints {
                inc = d.and(&inc, &cordon_tolerated(d, m, &st, owner, n));
            }
            // Only pods the evictor's Filter admits are counted at all.
            let mut pods = d.int(0);
            for &h in &selected {
                let ok = filter(d, m, &st, p, h);
                pods = d.add(&pods, &d.ite(&ok, &active_on(d, m, &st, h, n), &d.int(0)));
            }
            let pods = d.ite(&rd, &pods, &d.int(0));
            registered[v] = d.or(&registered[v], &d.or(&inc, &d.gt(&pods, &d.int(0))));
            size[v] = d.add(&size[v], &pods);
        }
        let ndom = d.sum_of(registered.iter().map(|r| d.count(r)));
        let sum = d.sum(size.iter());
        let big = d.int(i32::MAX as i64);
        let mx = d.masked_max(&size, &registered, 0);
        let mn = d.masked_min(&size, &registered, 0);
        let unbalanced = d.gt(&d.sub(&mx, &mn), &d.int(c.max_skew));
        let v_bound = nv as i64;
        let vd = d.max(&ndom, &d.int(1));
        // x * #domains, split on #domains so that it stays linear.
        let times_domains = |x: &D::Int| -> D::Int {
            let mut r = d.int(0);
            for k in 1..=v_bound {
                r = d.ite(&d.eq(&vd, &d.int(k)), &d.mul_const(x, k), &r);
            }
            r
        };
        let below_avg: Vec<D::Bool> =
            (0..nv).map(|v| d.and(&registered[v], &d.lt(&times_domains(&size[v]), &sum))).collect();
        // Sort registered domains ascending by size, unregistered last. Upstream lists the
        // domains from a map (arbitrary order) and sorts them with sort.Slice (insertion sort,
        // stable, at the sizes kbmc reaches): equal sizes keep the map's order. Here that
        // order is the run's node order (a domain where its first node comes), and the sort
        // is stable, so every order of equal-sized domains is some order's outcome.
        let mut first: Vec<usize> = (0..nv).collect();
        first.sort_by_key(|&v| order.iter().position(|&n| dom[n] == Some(v)).unwrap_or(nn));
        let mut key: Vec<D::Int> = first.iter().map(|&v| d.ite(&registered[v], &size[v], &big)).collect();
        let mut id: Vec<D::Int> = first.iter().map(|&v| d.int(v as i64)).collect();
        for pass in 0..nv {
            for a in 0..nv.saturating_sub(1 + pass) {
                let swap = d.gt(&key[a], &key[a + 1]);
                let (ka, kb) = (d.ite(&swap, &key[a + 1], &key[a]), d.ite(&swap, &key[a], &key[a + 1]));
                let (ia, ib) = (d.ite(&swap, &id[a + 1], &id[a]), d.ite(&swap, &id[a], &id[a + 1]));
                key[a] = ka;
                key[a + 1] = kb;
                id[a] = ia;
                id[a + 1] = ib;
            }
        }
        // balanceDomains, with i and j as values and every array access an ite over positions.
        let at = |arr: &[D::Int], idx: &D::Int| -> D::Int {
            let mut r = d.int(0);
            for (k, x) in arr.iter().enumerate() {
                r = d.ite(&d.eq(idx, &d.int(k as i64)), x, &r);
            }
            r
        };
        let mut sizes = key.clone();
        let mut moved = vec![d.int(0); nv];
        let mut i = d.int(0);
        let mut j = d.sub(&ndom, &d.int(1));
        for _ in 0..(3 * nv + 2) {
            let active = d.and(&unbalanced, &d.lt(&i, &j));
            // |D_j| <= idealAvg  <=>  |D_j| * #domains <= sum.
            let sj = at(&sizes, &j);
            let step_down = d.and(&active, &d.le(&times_domains(&sj), &sum));
            let j2 = d.ite(&step_down, &d.sub(&j, &d.int(1)), &j);
            let (si, sj2) = (at(&sizes, &i), at(&sizes, &j2));
            let skew = d.sub(&sj2, &si);
            let skew_ok = d.le(&skew, &d.int(c.max_skew));
            // aboveAvg = ceil(|D_j| - avg), belowAvg = ceil(avg - |D_i|), halfSkew = ceil((skew - maxSkew)/2).
            let mut above = d.int(0);
            let mut below = d.int(0);
            for k in 1..=v_bound {
                let is_k = d.eq(&vd, &d.int(k));
                let a = d.div_ceil_const(&d.max(&d.int(0), &d.sub(&d.mul_const(&sj2, k), &sum)), k);
                let b = d.div_ceil_const(&d.max(&d.int(0), &d.sub(&sum, &d.mul_const(&si, k))), k);
                above = d.ite(&is_k, &a, &above);
                below = d.ite(&is_k, &b, &below);
            }
            let half = d.div_ceil_const(&d.max(&d.int(0), &d.sub(&skew, &d.int(c.max_skew))), 2);
            let mv = d.min(&d.min(&above, &below), &half);
            let do_move = d.all([active.clone(), d.not(&skew_ok), d.gt(&mv, &d.int(0))].iter());
            for k in 0..nv {
                let is_i = d.eq(&i, &d.int(k as i64));
                let is_j = d.eq(&j2, &d.int(k as i64));
                sizes[k] = d.ite(
                    &d.and(&do_move, &is_j),
                    &d.sub(&sizes[k], &mv),
                    &d.ite(&d.and(&do_move, &is_i), &d.add(&sizes[k], &mv), &sizes[k]),
                );
                moved[k] = d.ite(&d.and(&do_move, &is_j), &d.add(&moved[k], &mv), &moved[k]);
            }
            let advance_i = d.and(&active, &d.not(&do_move));
            i = d.ite(&advance_i, &d.add(&i, &d.int(1)), &i);
            j = d.ite(&active, &j2, &j);
        }
        // Mark the moved pods of each domain on its nodes in the run's node order. With
        // topologyBalanceNodeFit a pod is marked only if it fits a node of a below-average
        // domain (it is moved in the bookkeeping either way).
        // Moves per domain (positions map back to domains through the sort).
        let moved_dom: Vec<D::Int> = (0..nv)
            .map(|v| {
                d.sum(
                    (0..nv)
                        .map(|pos| d.ite(&d.eq(&id[pos], &d.int(v as i64)), &moved[pos], &d.int(0)))
                        .collect::<Vec<_>>()
                        .iter(),
                )
            })
            .collect();
        for v in 0..nv {
            let mut left = moved_dom[v].clone();
            for &n in order.iter().filter(|&&n| dom[n] == Some(v)) {
                for &h in &selected {
                    let mut ok = d.and(&ready(d, &st, n), &evictable(d, m, &st, p, lim, h, n));
                    if node_fit_check {
                        let fits = (0..nn)
                            .filter(|&t| t != n && dom[t].is_some_and(|w| w != v))
                            .map(|t| d.and(&below_avg[dom[t].unwrap()], &lim.fit[h][t]))
                            .collect::<Vec<_>>();
                        ok = d.and(&ok, &d.any(fits.iter()));
                    }
                    let counted = d.ite(&filter(d, m, &st, p, h), &active_on(d, m, &st, h, n), &d.int(0));
                    let want = d.min(&left, &counted);
                    left = d.sub(&left, &want);
                    let mark = d.ite(&ok, &want, &d.int(0));
                    marked[h][n] = d.max(&marked[h][n], &mark);
                }
            }
        }
    }
    // Upstream evicts its marked set (a map: arbitrary order) under the limits: nodes in the
    // run's order.
    let mut st = st;
    for &n in order {
        for h in 0..ng {
            st = evict_limited(d, m, &st, lim, h, n, &marked[h][n]).0;
        }
    }
    st
}

/// Percent of allocatable used by requests on node `n` above/below a threshold, per resource.
fn low_node_utilization<D: Domain>(
    d: &D,
    m: &Model,
    st: ClusterState<D>,
    p: &DeschedulerProfile,
    lim: &mut Limits<D>,
    plugin: &DeschedulerPlugin,
    order: &[usize],
) -> (ClusterState<D>, D::Bool) {
    let DeschedulerPlugin::LowNodeUtilization { thresholds, target_thresholds, number_of_nodes } = plugin else {
        return (st, d.bool(true));
    };
    let nn = m.nodes();
    let mut st = st;
    // pct_r > t  <=>  used_r * 100 > t * alloc_r (exact, no division).
    let over = |used: &D::Int, alloc: i64, t: i64| d.gt(&d.mul_const(used, 100), &d.int(t * alloc));
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
        let u = d.all([rd.clone(), d.not(&st.cordoned[n]), is_under.clone()].iter());
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
    // Headroom of the underutilized nodes up to their target thresholds.
    let cap = |n: usize| {
        let a = m.ir.nodes[n].allocatable;
        (
            target_thresholds.cpu.map(|t| t * a.cpu_milli / 100).unwrap_or(a.cpu_milli),
            target_thresholds.memory.map(|t| t * a.memory / 100).unwrap_or(a.memory),
            target_thresholds.pods.map(|t| t * a.pods / 100).unwrap_or(a.pods),
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
    // A node's pods in SortPodsBasedOnPriorityLowToHigh's order: all of one priority (kbmc
    // has none), so by QoS class, BestEffort first; groups of one class in index order.
    let mut by_qos: Vec<usize> = (0..m.ir.groups.len()).collect();
    by_qos.sort_by_key(|&g| m.ir.groups[g].qos);
    for &n in order {
        let (cc, cm, cp) = cap(n);
        // The node's usage as the plugin books it: lowered by each eviction's requests
        // (the evicted pod is still terminating, but upstream no longer counts it).
        let (mut u_cpu, mut u_mem, mut u_pods) = usage(&st, n);
        for &g in &by_qos {
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

fn node_taints<D: Domain>(
    d: &D,
    m: &Model,
    st: ClusterState<D>,
    p: &DeschedulerProfile,
    lim: &mut Limits<D>,
    plugin: &DeschedulerPlugin,
    order: &[usize],
) -> ClusterState<D> {
    let DeschedulerPlugin::RemovePodsViolatingNodeTaints {
        include_prefer_no_schedule,
        excluded_taints,
        included_taints,
    } = plugin
    else {
        return st;
    };
    let passes = |key: &str, value: &str| {
        let listed = |list: &[String]| list.iter().any(|x| x == key || *x == format!("{key}={value}"));
        // upstream tests `IncludedTaints == nil`: an explicit empty list includes no taint.
        included_taints.as_deref().is_none_or(listed) && !listed(excluded_taints)
    };
    let mut st = st;
    for &n in order {
        let node = &m.ir.nodes[n];
        for g in 0..m.ir.groups.len() {
            let grp = &m.ir.groups[g];
            // One taint that is considered, passes the include/exclude lists and is not tolerated.
            let static_violation = grp.per_node[n].untolerated.iter().any(|&t| {
                let taint = &node.taints[t];
                let considered = taint.effect == crate::ir::Effect::NoSchedule
                    || (*include_prefer_no_schedule && taint.effect == crate::ir::Effect::PreferNoSchedule);
                considered && passes(&taint.key, &taint.value)
            });
            // The taint a cordoned node carries: node.kubernetes.io/unschedulable:NoSchedule.
            let cordon_violation = if !grp.tolerates_unschedulable && passes("node.kubernetes.io/unschedulable", "") {
                st.cordoned[n].clone()
            } else {
                d.bool(false)
            };
            let violated = d.or(&d.bool(static_violation), &cordon_violation);
            let ok = d.all([violated, ready(d, &st, n), evictable(d, m, &st, p, lim, g, n)].iter());
            let want = d.ite(&ok, &active_on(d, m, &st, g, n), &d.int(0));
            st = evict_limited(d, m, &st, lim, g, n, &want).0;
        }
    }
    st
}

fn node_affinity<D: Domain>(
    d: &D,
    m: &Model,
    st: ClusterState<D>,
    p: &DeschedulerProfile,
    lim: &mut Limits<D>,
    plugin: &DeschedulerPlugin,
    order: &[usize],
) -> ClusterState<D> {
    let DeschedulerPlugin::RemovePodsViolatingNodeAffinity { required, preferred } = plugin else { return st };
    let mut st = st;
    for &n in order {
        for g in 0..m.ir.groups.len() {
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

/// Most nodes for which a descheduler step explores every node order (`n!` labels); beyond
/// it, only index order (an under-approximation the module documentation names).
pub const ORDER_NODES_MAX: usize = 6;

/// How many node orders a descheduler step explores: every permutation of the nodes where
/// the order can change a run's outcome (`uses_node_order`) and there are at most
/// [`ORDER_NODES_MAX`] nodes; index order alone elsewhere.
pub fn order_count(m: &Model) -> usize {
    let nn = m.nodes();
    if nn > ORDER_NODES_MAX || !order_matters(m) {
        1
    } else {
        (1..=nn).product()
    }
}

/// The `k`-th permutation of `0..n` in lexicographic order (0: index order).
pub fn permutation(n: usize, k: usize) -> Vec<usize> {
    let mut left: Vec<usize> = (0..n).collect();
    let mut out = Vec::with_capacity(n);
    let mut k = k;
    for i in (0..n).rev() {
        let f: usize = (1..=i).product();
        out.push(left.remove(k / f));
        k %= f;
    }
    out
}

/// One descheduler run, visiting nodes in `order` wherever upstream's order is arbitrary.
/// Also returns whether `order` is one upstream can take: LowNodeUtilization sorts its
/// source nodes by usage, so only orders consistent with that sort are runs.
pub fn run<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, order: &[usize]) -> (ClusterState<D>, D::Bool) {
    let Some(ds) = &m.ir.descheduler else { return (st.clone(), d.bool(true)) };
    let nn = m.nodes();
    let ready_nodes = d.sum_of((0..nn).map(|n| d.count(&ready(d, st, n))));
    let fit = (0..m.ir.groups.len()).map(|g| (0..nn).map(|t| node_fit(d, m, st, g, t)).collect()).collect();
    let mut lim = Limits {
        per_node: vec![d.int(0); nn],
        per_namespace: vec![d.int(0); m.ir.deployments.len()],
        total: d.int(0),
        fit,
    };
    let mut nx = st.clone();
    let mut possible = d.bool(true);
    for deschedule in [true, false] {
        for p in &ds.profiles {
            let plugins = if deschedule { &p.deschedule } else { &p.balance };
            for plugin in plugins {
                nx = match plugin {
                    DeschedulerPlugin::RemoveDuplicates => remove_duplicates(d, m, nx, p, &mut lim, order),
                    DeschedulerPlugin::RemovePodsViolatingTopologySpreadConstraint {
                        hard,
                        soft,
                        topology_balance_node_fit,
                    } => topology_spread(
                        d,
                        m,
                        nx,
                        p,
                        &mut lim,
                        SpreadArgs { hard: *hard, soft: *soft, node_fit_check: *topology_balance_node_fit },
                        order,
                    ),
                    DeschedulerPlugin::LowNodeUtilization { .. } => {
                        let (out, sorted) = low_node_utilization(d, m, nx, p, &mut lim, plugin, order);
                        possible = d.and(&possible, &sorted);
                        out
                    }
                    DeschedulerPlugin::RemovePodsViolatingNodeTaints { .. } => {
                        node_taints(d, m, nx, p, &mut lim, plugin, order)
                    }
                    DeschedulerPlugin::RemovePodsViolatingNodeAffinity { .. } => {
                        node_affinity(d, m, nx, p, &mut lim, plugin, order)
                    }
                };
            }
        }
    }
    // With one Ready node or none the descheduler aborts the run.
    let go = d.gt(&ready_nodes, &d.int(1));
    let mut out = select(d, &go, &nx, st);
    defer(d, m, st, &mut out);
    (out, possible)
}

/// The node order of descheduler step `s`.
fn order_of(m: &Model, s: &Step) -> Vec<usize> {
    permutation(m.nodes(), s.v as usize)
}

/// Turns the run's evictions of running pods of the groups that defer them
/// (`Model::defers_evictions`) into picks: the pods stay running, `evicting` counts them, and
/// [`Eviction`] steps evict them one at a time, each choosing the victim's usage kind. The
/// run itself took them in `evict`'s fixed kind order; no plugin reads a single kind (they
/// read pods per group and requests), so which kind the run took changed none of its
/// decisions: the picks stand for every choice of kinds upstream's arbitrary pod order can
/// make. Bound pods (no kind) are evicted at once.
fn defer<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, out: &mut ClusterState<D>) {
    for g in (0..m.ir.groups.len()).filter(|&g| m.defers_evictions[g]) {
        for n in 0..m.nodes() {
            let mut taken = d.int(0);
            for &k in &m.kinds_of_group[g] {
                taken = d.add(&taken, &d.sub(&st.running[k][n], &out.running[k][n]));
                out.running[k][n] = st.running[k][n].clone();
            }
            out.terminating[g][n] = d.sub(&out.terminating[g][n], &taken);
            out.evicting[g][n] = d.add(&st.evicting[g][n], &taken);
        }
    }
}

/// `c ? a : b` over whole states (only the pod arrays differ after a descheduler run).
fn select<D: Domain>(d: &D, c: &D::Bool, a: &ClusterState<D>, b: &ClusterState<D>) -> ClusterState<D> {
    let mut out = b.clone();
    let pick = |x: &Vec<Vec<D::Int>>, y: &Vec<Vec<D::Int>>| -> Vec<Vec<D::Int>> {
        x.iter().zip(y).map(|(r, s)| r.iter().zip(s).map(|(p, q)| d.ite(c, p, q)).collect()).collect()
    };
    out.bound = pick(&a.bound, &b.bound);
    out.running = pick(&a.running, &b.running);
    out.terminating = pick(&a.terminating, &b.terminating);
    out
}

/// Pods a run evicts or picks to evict: terminating and picked pods added.
fn evicted_total<D: Domain>(d: &D, before: &ClusterState<D>, after: &ClusterState<D>) -> D::Int {
    let b = d.sum(before.terminating.iter().chain(&before.evicting).flatten());
    let a = d.sum(after.terminating.iter().chain(&after.evicting).flatten());
    d.sub(&a, &b)
}

/// Whether the order in which a run visits nodes can change its outcome (see
/// `uses_node_order` below).
pub fn order_matters(m: &Model) -> bool {
    let Some(ds) = m.ir.descheduler.as_ref().filter(|_| m.ir.controllers.descheduler) else {
        return false;
    };
    ds.max_per_namespace.is_some()
        || ds.max_total.is_some()
        || ds.profiles.iter().flat_map(|p| p.deschedule.iter().chain(&p.balance)).any(|plugin| match plugin {
            DeschedulerPlugin::LowNodeUtilization { .. } => true,
            DeschedulerPlugin::RemovePodsViolatingTopologySpreadConstraint { hard, soft, .. } => {
                !balanced_constraints(m, *hard, *soft).is_empty()
            }
            _ => false,
        })
}

impl<D: Domain> Controller<D> for Descheduler {
    fn name(&self) -> &'static str {
        "descheduler"
    }
    fn class(&self) -> Class {
        Class::Periodic
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    /// One label per node order the run can take (`order_count`): `v` numbers the order.
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        if m.ir.controllers.descheduler && m.ir.descheduler.is_some() {
            for k in 0..order_count(m) {
                out.push(Step::new(actor, 0, 0, 0, k as i64));
            }
        }
    }
    /// Nodes and domains are visited in the step's node order (where upstream's order is
    /// arbitrary). That decides the outcome, for two nodes alike but for their pods, where
    /// something is shared across nodes: the namespace and total eviction limits,
    /// LowNodeUtilization's running headroom, and the balancing of topology spread
    /// constraints (ties between domains, moves marked on a domain's nodes in order).
    /// RemoveDuplicates (which counts before it visits nodes), RemovePodsViolatingNodeTaints
    /// and RemovePodsViolatingNodeAffinity, the DefaultEvictor's minReplicas (its count of the
    /// owner's pods does not change within a run) and the per-node limit decide per node:
    /// with only those, twins stay interchangeable. Where it holds, every node order is a
    /// label (up to [`ORDER_NODES_MAX`] nodes), so the successors are closed under renaming
    /// nodes; it still says so, as no test shows the reduction sound with the orders.
    fn uses_node_order(&self, m: &Model) -> bool {
        order_matters(m)
    }
    fn evicts(&self, _s: &Step) -> bool {
        true
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let (after, possible) = run(d, m, st, &order_of(m, s));
        d.and(&possible, &d.gt(&evicted_total(d, st, &after), &d.int(0)))
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        *nx = run(d, m, st, &order_of(m, s)).0;
    }
    fn describe(&self, m: &Model, s: &Step, before: &ClusterState<Concrete>, after: &ClusterState<Concrete>) -> String {
        let mut parts = Vec::new();
        let mut picks = Vec::new();
        for g in 0..m.ir.groups.len() {
            for n in 0..m.nodes() {
                let k = after.terminating[g][n] - before.terminating[g][n];
                if k > 0 {
                    parts.push(format!("{k} pod(s) of {} from {}", m.group_name(g), m.node_name(n)));
                }
                let p = after.evicting.get(g).map_or(0, |row| row[n]);
                if p > 0 {
                    picks.push(format!("{p} running pod(s) of {} on {}", m.group_name(g), m.node_name(n)));
                }
            }
        }
        let plugins: Vec<&str> =
            m.ir.descheduler
                .iter()
                .flat_map(|ds| ds.profiles.iter().flat_map(|p| p.deschedule.iter().chain(&p.balance).map(|x| x.name())))
                .collect();
        let what = match (parts.is_empty(), picks.is_empty()) {
            (false, true) => format!("evicts {}", parts.join(", ")),
            (true, false) => format!("picks {} to evict", picks.join(", ")),
            _ => format!("evicts {} and picks {} to evict", parts.join(", "), picks.join(", ")),
        };
        if s.v == 0 {
            format!("{what} ({})", plugins.join(", "))
        } else {
            let order: Vec<&str> = order_of(m, s).iter().map(|&n| m.node_name(n)).collect();
            format!("{what} ({}; nodes in the order {})", plugins.join(", "), order.join(", "))
        }
    }
}

/// The evictions a descheduler run picked (`defer`), one pod per step: any running pod of
/// the picked group on the node, of any usage kind, goes (upstream evicts in the order its
/// pod lister returns, arbitrary among pods of one ReplicaSet). No other actor steps until
/// every pick is evicted (the run's evictions are one step in kbmc); groups go in index order,
/// nodes in any order (an order by node index would make renamed nodes behave differently).
pub struct Eviction;

impl<D: Domain> Controller<D> for Eviction {
    fn name(&self) -> &'static str {
        "descheduler"
    }
    fn class(&self) -> Class {
        Class::Atomic
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        for g in (0..m.ir.groups.len()).filter(|&g| m.defers_evictions[g]) {
            for n in 0..m.nodes() {
                for &k in &m.kinds_of_group[g] {
                    out.push(Step::new(actor, 0, g, n, k as i64));
                }
            }
        }
    }
    fn evicts(&self, _s: &Step) -> bool {
        true
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        Some(s.b as usize)
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let (g, n, k) = (s.a as usize, s.b as usize, s.v as usize);
        let earlier = (0..g)
            .filter(|&h| m.defers_evictions[h])
            .flat_map(|h| st.evicting[h].iter())
            .map(|c| d.eq(c, &d.int(0)))
            .collect::<Vec<_>>();
        d.all([d.all(earlier.iter()), d.gt(&st.evicting[g][n], &d.int(0)), d.gt(&st.running[k][n], &d.int(0))].iter())
    }
    fn update_into(&self, d: &D, _m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let (g, n, k) = (s.a as usize, s.b as usize, s.v as usize);
        let one = d.int(1);
        nx.running[k][n] = d.sub(&st.running[k][n], &one);
        nx.evicting[g][n] = d.sub(&st.evicting[g][n], &one);
        nx.terminating[g][n] = d.add(&st.terminating[g][n], &one);
    }
    fn describe(
        &self,
        m: &Model,
        s: &Step,
        _before: &ClusterState<Concrete>,
        _after: &ClusterState<Concrete>,
    ) -> String {
        let (g, n, k) = (s.a as usize, s.b as usize, s.v as usize);
        let warming = if m.kinds[k].warming { ", warming up" } else { "" };
        format!(
            "evicts a pod of {} using {}m CPU{warming} from {}",
            m.group_name(g),
            m.kinds[k].cpu_usage,
            m.node_name(n)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::{deployment, model};

    fn evictions(m: &Model, st: &ClusterState<Concrete>) -> Vec<i64> {
        let after = run(&Concrete, m, st, &(0..m.nodes()).collect::<Vec<_>>()).0;
        (0..m.nodes())
            .map(|n| (0..m.ir.groups.len()).map(|g| after.terminating[g][n] - st.terminating[g][n]).sum())
            .collect()
    }

    fn policy(plugin: &str, args: &str) -> String {
        format!("apiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\nprofiles:\n  - name: p\n    pluginConfig: [{{name: {plugin}{args}}}]\n    plugins: {{balance: {{enabled: [{plugin}]}}}}\n---\n")
    }

    fn cluster(nodes: usize, counts: &[i64], plugin: &str, args: &str, extra: &str) -> Model {
        let placement: Vec<String> = counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, c)| format!("{{node: n-{i}, count: {c}}}"))
            .collect();
        let total: i64 = counts.iter().sum();
        let spec = format!(
            "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: n, count: {nodes}, capacity: {{cpu: \"64\", memory: 64Gi}}}}]\n  workloads: [{{deployment: web, placement: [{}]}}]\n",
            placement.join(", ")
        );
        model(&format!("{}{}{spec}", deployment("web", total, "1", "1Gi", extra), policy(plugin, args)))
    }

    /// RemoveDuplicates: 6 replicas on 3 nodes as 4/1/1: upperAvg = ceil(6 / 3) = 2, so the
    /// first node keeps 2 and loses 2.
    #[test]
    fn remove_duplicates_evicts_down_to_the_upper_average() {
        let m = cluster(3, &[4, 1, 1], "RemoveDuplicates", "", "");
        assert_eq!(evictions(&m, &m.initial_state(&[3])), vec![2, 0, 0]);
        let balanced = cluster(3, &[2, 2, 2], "RemoveDuplicates", "", "");
        assert_eq!(evictions(&balanced, &balanced.initial_state(&[3])), vec![0, 0, 0]);
    }

    /// The worked example in the descheduler's topology-spread source: domains of 2, 3, 5, 5,
    /// 7 and 8 pods with maxSkew 1 balance towards 5 each: 3 pods leave the 8-pod domain and 2
    /// the 7-pod one.
    #[test]
    fn topology_spread_balances_the_documented_example() {
        let spread = "topologySpreadConstraints:\n  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}";
        let m = cluster(6, &[2, 3, 5, 5, 7, 8], "RemovePodsViolatingTopologySpreadConstraint", "", spread);
        assert_eq!(evictions(&m, &m.initial_state(&[6])), vec![0, 0, 0, 0, 2, 3]);
    }

    /// Evictions per node of every enabled descheduler label (one per node order), each
    /// outcome once.
    fn outcomes(m: &Model, st: &ClusterState<Concrete>) -> Vec<Vec<i64>> {
        let mut labels = Vec::new();
        Controller::<Concrete>::steps(&Descheduler, m, 0, &mut labels);
        let mut out: Vec<Vec<i64>> = labels
            .iter()
            .filter(|s| Descheduler.guard(&Concrete, m, s, st))
            .map(|s| {
                let after = Descheduler.update(&Concrete, m, s, st);
                (0..m.nodes())
                    .map(|n| (0..m.ir.groups.len()).map(|g| after.terminating[g][n] - st.terminating[g][n]).sum())
                    .collect()
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn permutations_number_every_order_once() {
        let all: Vec<Vec<usize>> = (0..24).map(|k| permutation(4, k)).collect();
        assert_eq!(all[0], vec![0, 1, 2, 3]);
        assert_eq!(all[23], vec![3, 2, 1, 0]);
        let mut sorted = all.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, all);
    }

    /// RemovePodsViolatingTopologySpreadConstraint (topologyspreadconstraint.go, sortDomains
    /// and balanceDomains): domains of 0, 3 and 3 pods with maxSkew 2 move one pod, from the
    /// domain that sorts last; the two 3-pod domains tie, sort.Slice leaves them in the map's
    /// arbitrary order, so either may lose the pod.
    #[test]
    fn topology_spread_ties_between_domains_are_choices() {
        let spread = "topologySpreadConstraints:\n  - {maxSkew: 2, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}";
        let m = cluster(
            3,
            &[0, 3, 3],
            "RemovePodsViolatingTopologySpreadConstraint",
            ", args: {topologyBalanceNodeFit: false}",
            spread,
        );
        assert_eq!(order_count(&m), 6);
        assert_eq!(outcomes(&m, &m.initial_state(&[3])), vec![vec![0, 0, 1], vec![0, 1, 0]]);
    }

    /// The descheduler's topology spread plugin builds its selector with
    /// metav1.LabelSelectorAsSelector (newTopologySpreadConstraint, topologyspreadconstraint.go):
    /// `labelSelector: {}` is labels.Everything, and Balance counts every pod of the namespace
    /// with `tsc.Selector.Matches`. The scheduler's countPodsMatchSelector (kubernetes
    /// podtopologyspread/common.go) counts none for an empty selector.
    #[test]
    fn an_empty_selector_counts_every_pod_of_the_namespace_in_the_descheduler() {
        let spread = "topologySpreadConstraints:\n  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {}}";
        let m = cluster(2, &[3, 1], "RemovePodsViolatingTopologySpreadConstraint", "", spread);
        let c = &m.ir.groups[0].spread[0];
        assert_eq!((c.selects.clone(), c.desched_selects.clone()), (vec![false], vec![true]));
        assert_eq!(evictions(&m, &m.initial_state(&[2])), vec![1, 0]);
    }

    /// hasIdenticalConstraints (topologyspreadconstraint.go) compares the node inclusion
    /// policies: a constraint honouring taints and one ignoring them stay two. With the taint
    /// honoured the tainted node is no domain and nothing moves; ignored, domains of 2 and 0
    /// pods move one (as upstream's test "2 domains, sizes [2,0], maxSkew=1, move 1 pod since
    /// pod tolerates the node with taint" with topologyBalanceNodeFit off).
    #[test]
    fn constraints_differing_in_a_node_policy_are_balanced_apart() {
        let spread = "topologySpreadConstraints:\n  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, nodeTaintsPolicy: Honor, labelSelector: {matchLabels: {app: web}}}\n  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, nodeTaintsPolicy: Ignore, labelSelector: {matchLabels: {app: web}}}";
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: a, count: 1, capacity: {cpu: \"64\", memory: 64Gi}}\n    - {name: b, count: 1, capacity: {cpu: \"64\", memory: 64Gi}, taints: [{key: k, value: v, effect: NoSchedule}]}\n  workloads: [{deployment: web, placement: [{node: a-0, count: 2}]}]\n";
        let pol = policy("RemovePodsViolatingTopologySpreadConstraint", ", args: {topologyBalanceNodeFit: false}");
        let m = model(&format!("{}{pol}{spec}", deployment("web", 2, "1", "1Gi", spread)));
        assert_eq!(balanced_constraints(&m, true, false).len(), 2);
        assert_eq!(evictions(&m, &m.initial_state(&[1, 1])), vec![1, 0]);
        // Honoured alone: one domain, nothing to balance.
        let honoured = spread.lines().take(2).collect::<Vec<_>>().join("\n");
        let m = model(&format!("{}{pol}{spec}", deployment("web", 2, "1", "1Gi", &honoured)));
        assert_eq!(evictions(&m, &m.initial_state(&[1, 1])), vec![0, 0]);
    }

    /// Only constraints named by `constraints` are balanced (DoNotSchedule by default).
    #[test]
    fn soft_constraints_need_schedule_anyway() {
        let spread = "topologySpreadConstraints:\n  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}";
        let m = cluster(2, &[3, 1], "RemovePodsViolatingTopologySpreadConstraint", "", spread);
        assert_eq!(evictions(&m, &m.initial_state(&[2])), vec![0, 0]);
        let m = cluster(
            2,
            &[3, 1],
            "RemovePodsViolatingTopologySpreadConstraint",
            ", args: {constraints: [DoNotSchedule, ScheduleAnyway]}",
            spread,
        );
        assert_eq!(evictions(&m, &m.initial_state(&[2])), vec![1, 0]);
    }

    /// LowNodeUtilization: a node at 80 % CPU (target 50 %) sheds pods onto a node at 10 %
    /// (threshold 20 %) until it is back at its target: 8 -> 5 cores, 3 evictions.
    #[test]
    fn low_node_utilization_moves_load_to_the_target() {
        let args = ", args: {thresholds: {cpu: 20}, targetThresholds: {cpu: 50}}";
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"10\", memory: 64Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 8}, {node: n-1, count: 1}]}]\n";
        let m = model(&format!("{}{}{spec}", deployment("web", 9, "1", "1Gi", ""), policy("LowNodeUtilization", args)));
        assert_eq!(evictions(&m, &m.initial_state(&[2])), vec![3, 0]);
    }

    /// LowNodeUtilization tracks the headroom of cpu, memory and pods whatever the thresholds
    /// name (lownodeutilization.go, NewLowNodeUtilization: extendedResourceNames is the
    /// thresholds' resources plus cpu, memory and pods; capNodeCapacitiesToThreshold gives a
    /// resource without a threshold the node's whole allocatable; continueEvictionCond stops
    /// once any resource's total headroom is not positive). With CPU thresholds only, n-0 at
    /// 80 % CPU would shed 3 one-core pods to n-1 (as above), but n-1 has 1Gi of memory left
    /// (62Gi of `mem` and 1Gi of web requested of 64Gi): one 1Gi eviction uses it up.
    #[test]
    fn low_node_utilization_stops_when_an_unthresholded_resource_is_used_up() {
        let args = ", args: {thresholds: {cpu: 20}, targetThresholds: {cpu: 50}}";
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"10\", memory: 64Gi}}]\n  workloads:\n    - {deployment: web, placement: [{node: n-0, count: 8}, {node: n-1, count: 1}]}\n    - {deployment: mem, placement: [{node: n-1, count: 1}]}\n";
        let m = model(&format!(
            "{}{}{}{spec}",
            deployment("web", 9, "1", "1Gi", ""),
            deployment("mem", 1, "100m", "62Gi", ""),
            policy("LowNodeUtilization", args)
        ));
        let web = m.groups_of[0][0];
        let after = run(&Concrete, &m, &m.initial_state(&[2]), &[0, 1]).0;
        assert_eq!(after.terminating[web][0], 1);
    }

    /// LowNodeUtilization with nodes of 10 cores, thresholds 20 % and targets 50 %, n-2 at
    /// 1 core (4 cores of headroom), n-0 and n-1 over their target.
    fn low_node_cluster(counts: &[i64]) -> Model {
        let args = ", args: {thresholds: {cpu: 20}, targetThresholds: {cpu: 50}}";
        let placement: Vec<String> =
            counts.iter().enumerate().map(|(i, c)| format!("{{node: n-{i}, count: {c}}}")).collect();
        let spec = format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: n, count: {}, capacity: {{cpu: \"10\", memory: 64Gi}}}}]\n  workloads: [{{deployment: web, placement: [{}]}}]\n", counts.len(), placement.join(", "));
        let total: i64 = counts.iter().sum();
        model(&format!("{}{}{spec}", deployment("web", total, "1", "1Gi", ""), policy("LowNodeUtilization", args)))
    }

    /// LowNodeUtilization (nodeutilization.go, sortNodesByUsage, called by Balance in
    /// lownodeutilization.go) takes the overutilized nodes by descending usage, as upstream's
    /// TestSortNodesByUsage orders them. n-1 (8 cores) goes before n-0 (7): n-1 sheds 3 and
    /// n-0 the one core of headroom left. Index order (n-0 first: 2 and 2) is no run.
    #[test]
    fn low_node_utilization_takes_the_most_used_node_first() {
        let m = low_node_cluster(&[7, 8, 1]);
        let st = m.initial_state(&[3]);
        assert!(!run(&Concrete, &m, &st, &[0, 1, 2]).1);
        assert!(run(&Concrete, &m, &st, &[1, 0, 2]).1);
        assert_eq!(outcomes(&m, &st), vec![vec![1, 3, 0]]);
        // Equal usage: sort.Slice may put either first.
        let m = low_node_cluster(&[8, 8, 1]);
        assert_eq!(outcomes(&m, &m.initial_state(&[3])), vec![vec![1, 3, 0], vec![3, 1, 0]]);
    }

    /// LowNodeUtilization evicts a node's pods in SortPodsBasedOnPriorityLowToHigh's order
    /// (descheduler pkg/descheduler/pod/pods.go; evictPodsFromSourceNodes in
    /// nodeutilization.go): all of one priority, so Burstable before Guaranteed, as upstream's
    /// "without priorities evicting best-effort pods only" case orders by QoS. db
    /// (Guaranteed, 2 cores) is the first group; web (Burstable, 1 core) goes first, and n-0
    /// (4 + 4 of 10 cores) is back at its 5-core target after three of web.
    #[test]
    fn low_node_utilization_evicts_burstable_before_guaranteed() {
        let args = ", args: {thresholds: {cpu: 20}, targetThresholds: {cpu: 50}}";
        let db = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec:\n      containers:\n        - name: c\n          image: db:1\n          resources: {requests: {cpu: \"2\", memory: 1Gi}, limits: {cpu: \"2\", memory: 1Gi}}\n---\n";
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"10\", memory: 64Gi}}]\n  workloads:\n    - {deployment: db, placement: [{node: n-0, count: 2}]}\n    - {deployment: web, placement: [{node: n-0, count: 4}]}\n";
        let m =
            model(&format!("{db}{}{}{spec}", deployment("web", 4, "1", "1Gi", ""), policy("LowNodeUtilization", args)));
        let (db_g, web_g) = (m.groups_of[0][0], m.groups_of[1][0]);
        assert_eq!(
            (m.ir.groups[db_g].qos, m.ir.groups[web_g].qos),
            (crate::ir::Qos::Guaranteed, crate::ir::Qos::Burstable)
        );
        let st = m.initial_state(&[2]);
        let after = run(&Concrete, &m, &st, &[0, 1]).0;
        assert_eq!((after.terminating[db_g][0], after.terminating[web_g][0]), (0, 3));
    }

    /// getTargetNodes skips a node whose NoSchedule taints the pod does not tolerate, and a
    /// cordoned node carries node.kubernetes.io/unschedulable:NoSchedule: with the second node
    /// cordoned there is one target node, fewer than two, and nothing is evicted.
    #[test]
    fn remove_duplicates_does_not_count_a_cordoned_node() {
        let m = cluster(2, &[2, 0], "RemoveDuplicates", "", "");
        let mut st = m.initial_state(&[2]);
        assert_eq!(evictions(&m, &st), vec![1, 0]);
        st.cordoned[1] = true;
        assert_eq!(evictions(&m, &st), vec![0, 0]);
    }

    /// DefaultEvictor minReplicas counts every pod the informer lists for the owner, pending
    /// and terminating ones included: one running pod, one terminating and one pending make
    /// three, enough for minReplicas 3 (counting only bound and running pods said one).
    #[test]
    fn min_replicas_counts_every_pod_of_the_owner() {
        let args = "\n      - {name: DefaultEvictor, args: {minReplicas: 3}}";
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: n, count: 2, capacity: {cpu: \"64\", memory: 64Gi}, taints: [{key: k, value: v, effect: NoSchedule}]}\n  workloads: [{deployment: web, placement: [{node: n-0, count: 1}]}]\n";
        let pol = policy("RemovePodsViolatingNodeTaints", "").replace(
            "pluginConfig: [{name: RemovePodsViolatingNodeTaints}]",
            &format!("pluginConfig:{args}\n      - {{name: RemovePodsViolatingNodeTaints}}"),
        );
        let pol = pol.replace("balance: {enabled", "deschedule: {enabled");
        let m = model(&format!(
            "{}{pol}{spec}",
            deployment("web", 3, "1", "1Gi", "tolerations: [{key: k, operator: Exists, effect: NoExecute}]")
        ));
        let p = &m.ir.descheduler.as_ref().unwrap().profiles[0];
        let mut st = m.initial_state(&[2]);
        st.terminating[0][1] = 1;
        st.pending[0] = 1;
        assert!(filter(&Concrete, &m, &st, p, 0));
        st.pending[0] = 0;
        assert!(!filter(&Concrete, &m, &st, p, 0));
    }

    /// RemovePodsViolatingNodeAffinity evicts a pod when it fits some node (PodFitsAnyNode),
    /// and NodeFit does not ask the pod's own node for room for it again: web (6 cores)
    /// prefers the full spot node and runs on an 8-core node, which it fits as it is.
    #[test]
    fn node_affinity_counts_the_pods_own_node_as_a_fit() {
        let affinity = "affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 10, preference: {matchExpressions: [{key: pool, operator: In, values: [spot]}]}}]}}";
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: spot, count: 1, labels: {pool: spot}, capacity: {cpu: \"2\", memory: 64Gi}}\n    - {name: od, count: 1, labels: {pool: od}, capacity: {cpu: \"8\", memory: 64Gi}}\n  workloads: [{deployment: web, placement: [{node: od-0, count: 1}]}]\n";
        let pol = policy(
            "RemovePodsViolatingNodeAffinity",
            ", args: {nodeAffinityType: [preferredDuringSchedulingIgnoredDuringExecution]}",
        )
        .replace("balance: {enabled", "deschedule: {enabled");
        let m = model(&format!("{}{pol}{spec}", deployment("web", 1, "6", "1Gi", affinity)));
        assert_eq!(evictions(&m, &m.initial_state(&[1, 1])), vec![0, 1]);
    }

    /// RemovePodsViolatingNodeTaints: without `includedTaints` every taint counts; an explicit
    /// empty list includes none (upstream tests the argument against nil).
    #[test]
    fn an_empty_included_taints_list_includes_no_taint() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: n, count: 2, capacity: {cpu: \"64\", memory: 64Gi}, taints: [{key: k, value: v, effect: NoSchedule}]}\n  workloads: [{deployment: web, placement: [{node: n-0, count: 1}]}]\n";
        let run = |args: &str| {
            let pol =
                policy("RemovePodsViolatingNodeTaints", args).replace("balance: {enabled", "deschedule: {enabled");
            let m = model(&format!("{}{pol}{spec}", deployment("web", 1, "1", "1Gi", "")));
            evictions(&m, &m.initial_state(&[2]))
        };
        assert_eq!(run(""), vec![1, 0]);
        assert_eq!(run(", args: {includedTaints: [k]}"), vec![1, 0]);
        assert_eq!(run(", args: {includedTaints: []}"), vec![0, 0]);
    }

    /// With a single Ready node the descheduler aborts its run.
    #[test]
    fn one_ready_node_aborts() {
        let m = cluster(2, &[4, 0], "RemoveDuplicates", "", "");
        let mut st = m.initial_state(&[2]);
        assert_eq!(evictions(&m, &st), vec![2, 0]);
        st.status[1] = crate::model::state::NOT_READY;
        assert_eq!(evictions(&m, &st), vec![0, 0]);
    }

    /// Three pods on n-0, one of them busy after a cpuChange: RemoveDuplicates picks one of
    /// the three (upperAvg 2), and which one goes is upstream's arbitrary order, so both the
    /// idle and the busy pod may be the victim: always taking the busy one would leave out
    /// the runs that keep it.
    #[test]
    fn a_pick_of_several_usage_kinds_evicts_any_of_them() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"64\", memory: 64Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 3}]}]\n  events: [{type: cpuChange, deployment: web, delta: {min: \"1\", max: \"1\"}, budget: 1}]\n";
        let m = model(&format!("{}{}{spec}", deployment("web", 3, "1", "1Gi", ""), policy("RemoveDuplicates", "")));
        assert_eq!(m.defers_evictions, vec![true]);
        let (idle, busy) = (m.kinds_of_group[0][0], m.kinds_of_group[0][1]);
        assert!(m.kinds[busy].cpu_usage > m.kinds[idle].cpu_usage);
        let d = Concrete;
        let mut st = m.initial_state(&[2]);
        st.running[idle][0] = 2;
        st.running[busy][0] = 1;
        // The run picks one pod on n-0 and leaves it running.
        assert!(Controller::<Concrete>::guard(&Descheduler, &d, &m, &Step::new(0, 0, 0, 0, 0), &st));
        let picked = Controller::<Concrete>::update(&Descheduler, &d, &m, &Step::new(0, 0, 0, 0, 0), &st);
        assert_eq!((picked.evicting[0][0], picked.running[idle][0], picked.running[busy][0]), (1, 2, 1));
        assert_eq!(picked.terminating[0][0], 0);
        // One eviction step per kind on n-0, each enabled; none on n-1.
        let mut labels = Vec::new();
        Controller::<Concrete>::steps(&Eviction, &m, 0, &mut labels);
        let enabled: Vec<Step> = labels.into_iter().filter(|s| Eviction.guard(&d, &m, s, &picked)).collect();
        assert_eq!(enabled.len(), 2, "{enabled:?}");
        let mut left: Vec<(i64, i64)> = enabled
            .iter()
            .map(|s| {
                let nx = Eviction.update(&d, &m, s, &picked);
                assert_eq!((nx.evicting[0][0], nx.terminating[0][0]), (0, 1));
                (nx.running[idle][0], nx.running[busy][0])
            })
            .collect();
        left.sort();
        // The idle pod went (the busy one stays), or the busy one did.
        assert_eq!(left, vec![(1, 1), (2, 0)]);
    }
}
