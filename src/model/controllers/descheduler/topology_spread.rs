//! RemovePodsViolatingTopologySpreadConstraint
//! (`pkg/framework/plugins/removepodsviolatingtopologyspreadconstraint/`): the constraints
//! named by `constraints`, counting the pods the evictor's Filter admits, minDomains ignored,
//! balanceDomains' two-pointer moves, a pod marked only if it fits a node of a below-average
//! domain under topologyBalanceNodeFit, marks of all constraints evicted together. Counts use
//! the descheduler's selector semantics (`labelSelector: {}` matches every pod of the
//! namespace) and merge constraints as hasIdenticalConstraints. Its `namespaces` filter
//! (topologyspreadconstraint.go `New`: `WithNamespaces`, `WithoutNamespaces`) drops the
//! pods of other namespaces from the listing that `Balance` groups by namespace, so a
//! namespace it does not admit has no constraints balanced, no pods counted and none
//! evicted; a constraint counts pods of its own namespace only, so the others are untouched.
//!
//! Which pods a domain gives up follows upstream's two sorts (`sortDomains`, then
//! `balanceDomains`' stable sort by `PodFitsAnyOtherNode`), taken from the back: first the
//! pods that fit a node of a below-average domain other than their own, then the others;
//! within each, pods without nodeSelector or node affinity before those with
//! (`hasSelectorOrAffinity`), and among those the highest priority first (the sort is
//! ascending by priority and the plugin takes from the end). A pod that does not fit is
//! still counted as moved, and under topologyBalanceNodeFit not marked. Groups that tie on
//! all of that come in upstream's arbitrary order: where a constraint selects two or more
//! groups of one tie, every order of them is a choice of the step (`choices`), one order per
//! constraint for all of its domains; a domain's nodes come in the run's node order.

use super::super::super::{ClusterState, Model};
use super::evictor::*;
use crate::domain::Domain;
use crate::ir::{DeschedulerPlugin, DeschedulerProfile, Namespaces, SpreadConstraint};
use crate::model::node::{active_on, ready};

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
pub(super) fn balanced_constraints<'a>(
    m: &'a Model,
    hard: bool,
    soft: bool,
    namespaces: &Namespaces,
) -> Vec<(usize, &'a SpreadConstraint)> {
    let mut out: Vec<(usize, &SpreadConstraint)> = Vec::new();
    let affinity = |g: usize| m.ir.groups[g].per_node.iter().map(|p| p.affinity_ok).collect::<Vec<_>>();
    let taints = |g: usize| {
        let grp = &m.ir.groups[g];
        let per_node = grp.per_node.iter().map(|p| (p.untolerated_no_schedule, p.untolerated_no_execute));
        (per_node.collect::<Vec<_>>(), grp.tolerates_unschedulable, grp.tolerates_to_be_deleted)
    };
    for (g, grp) in m.ir.groups.iter().enumerate().filter(|(g, _)| in_namespaces(m, namespaces, *g)) {
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

/// The groups constraint `c` counts, in the order the plugin takes them from a domain (see
/// the module documentation), split into ties: groups of one tie (the same
/// `selector_or_affinity` and priority) come in an order upstream leaves arbitrary.
fn ties(m: &Model, c: &SpreadConstraint) -> Vec<Vec<usize>> {
    let mut gs: Vec<usize> = (0..m.ir.groups.len()).filter(|&h| c.desched_selects[h]).collect();
    let key = |h: usize| (m.ir.groups[h].selector_or_affinity, std::cmp::Reverse(m.ir.groups[h].priority));
    gs.sort_by_key(|&h| key(h));
    let mut out: Vec<Vec<usize>> = Vec::new();
    for h in gs {
        match out.last_mut() {
            Some(t) if key(t[0]) == key(h) => t.push(h),
            _ => out.push(vec![h]),
        }
    }
    out
}

/// Orders of the ties of every balanced constraint: the product of their sizes' factorials.
fn tie_orders(ties: &[Vec<Vec<usize>>]) -> usize {
    ties.iter().flatten().try_fold(1usize, |acc, t| acc.checked_mul((1..=t.len()).product())).unwrap_or(usize::MAX)
}

/// Every balanced constraint's ties (see [`ties`]), in `balanced_constraints`' order.
fn all_ties(m: &Model, plugin: &DeschedulerPlugin) -> Vec<Vec<Vec<usize>>> {
    let DeschedulerPlugin::RemovePodsViolatingTopologySpreadConstraint { hard, soft, namespaces, .. } = plugin else {
        return Vec::new();
    };
    balanced_constraints(m, *hard, *soft, namespaces).into_iter().map(|(_, c)| ties(m, c)).collect()
}

/// How many orders of tied groups the plugin adds to a descheduler step (1 where no
/// constraint selects two groups of one tie).
pub(super) fn choices(m: &Model, plugin: &DeschedulerPlugin) -> usize {
    tie_orders(&all_ties(m, plugin))
}

/// Each balanced constraint's groups in the order the plugin takes them under choice
/// `choice` (below [`choices`]): ties in key order, each tie's groups in the permutation its
/// digit names.
fn taking_orders(all: &[Vec<Vec<usize>>], choice: usize) -> Vec<Vec<usize>> {
    let mut rest = choice;
    all.iter()
        .map(|ties| {
            let mut out = Vec::new();
            for t in ties {
                let f: usize = (1..=t.len()).product();
                out.extend(super::permutation(t.len(), rest % f).into_iter().map(|i| t[i]));
                rest /= f;
            }
            out
        })
        .collect()
}

/// The orders of tied groups of choice `choice` in words where they differ from index order:
/// "spread on zone takes web before api".
pub(super) fn describe_choice(m: &Model, plugin: &DeschedulerPlugin, choice: usize) -> Vec<String> {
    let all = all_ties(m, plugin);
    let DeschedulerPlugin::RemovePodsViolatingTopologySpreadConstraint { hard, soft, namespaces, .. } = plugin else {
        return Vec::new();
    };
    let constraints = balanced_constraints(m, *hard, *soft, namespaces);
    let (mine, first) = (taking_orders(&all, choice), taking_orders(&all, 0));
    let mut out = Vec::new();
    for ((o, z), (_, c)) in mine.iter().zip(&first).zip(&constraints) {
        if o != z {
            let names: Vec<String> = o.iter().map(|&g| m.group_name(g)).collect();
            let key = m.ir.labels.key_name(c.topology_key);
            out.push(format!("spread on {key} takes {}", names.join(" before ")));
        }
    }
    out
}

/// Which constraints RemovePodsViolatingTopologySpreadConstraint balances, and whether an
/// evicted pod must fit on another node (topologyBalanceNodeFit).
pub(super) struct SpreadArgs<'a> {
    pub(super) hard: bool,
    pub(super) soft: bool,
    pub(super) node_fit_check: bool,
    pub(super) namespaces: &'a Namespaces,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn topology_spread<D: Domain>(
    d: &D,
    m: &Model,
    st: ClusterState<D>,
    p: &DeschedulerProfile,
    lim: &mut Limits<D>,
    args: SpreadArgs,
    order: &[usize],
    choice: usize,
) -> ClusterState<D> {
    let SpreadArgs { hard, soft, node_fit_check, namespaces } = args;
    let nn = m.nodes();
    let ng = m.ir.groups.len();
    // Pods marked for eviction per (group, node), over every constraint, on the state before
    // the plugin runs; evicted together at the end, as upstream evicts its marked set.
    let mut marked: Vec<Vec<D::Int>> = vec![vec![d.int(0); nn]; ng];
    let constraints = balanced_constraints(m, hard, soft, namespaces);
    let takes = taking_orders(&constraints.iter().map(|(_, c)| ties(m, c)).collect::<Vec<_>>(), choice);
    let run = SpreadRun { d, m, st: &st, p, lim, order };
    for ((owner, c), take) in constraints.into_iter().zip(takes) {
        let Some(s) = run.domains(owner, c) else { continue };
        let moves = run.moves(c, &s);
        run.mark(&s, &moves, &take, node_fit_check, &mut marked);
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

/// What every constraint of one run of the plugin reads: the state it runs on, the profile,
/// the run's limits (their NodeFit) and its node order.
struct SpreadRun<'a, D: Domain> {
    d: &'a D,
    m: &'a Model,
    st: &'a ClusterState<D>,
    p: &'a DeschedulerProfile,
    lim: &'a Limits<D>,
    order: &'a [usize],
}

/// One balanced constraint's domains in the state the plugin runs on.
struct SpreadDomains<'a, D: Domain> {
    /// The number of domains, and per node its domain (a value of the key), if any.
    nv: usize,
    dom: &'a [Option<usize>],
    /// Per domain: whether it counts as one (a node of it passes the inclusion policies, or
    /// it has a counted pod), and its counted pods.
    registered: Vec<D::Bool>,
    size: Vec<D::Int>,
    /// Per node: it is Ready and passes the inclusion policies (filterEligibleNodes).
    eligible: Vec<D::Bool>,
}

/// What balanceDomains moves out of each domain, and which domains are below the average.
struct SpreadMoves<D: Domain> {
    below_avg: Vec<D::Bool>,
    moved: Vec<D::Int>,
}

impl<'a, D: Domain> SpreadRun<'a, D> {
    /// Constraint `c`'s domains (owned by group `owner`): values of the key on Ready nodes
    /// passing the inclusion policies, with the pods the evictor's Filter admits counted.
    /// `None` where no node has the key.
    fn domains(&self, owner: usize, c: &SpreadConstraint) -> Option<SpreadDomains<'a, D>> {
        let (d, m, st) = (self.d, self.m, self.st);
        let (nn, ng) = (m.nodes(), m.ir.groups.len());
        let (nv, dom) = crate::model::framework::pod_topology_spread::domains(m, c);
        if nv == 0 {
            return None;
        }
        let selected: Vec<usize> = (0..ng).filter(|&h| c.desched_selects[h]).collect();
        let mut registered = vec![d.bool(false); nv];
        let mut size = vec![d.int(0); nv];
        // Nodes passing the inclusion policies (filterEligibleNodes), Ready ones only.
        let mut eligible = vec![d.bool(false); nn];
        let owner_p = &m.ir.groups[owner].per_node;
        for n in 0..nn {
            let Some(v) = dom[n] else { continue };
            let rd = ready(d, st, n);
            let mut inc = rd.clone();
            if c.honor_node_affinity && !owner_p[n].affinity_ok {
                inc = d.bool(false);
            }
            if c.honor_node_taints && (owner_p[n].untolerated_no_schedule || owner_p[n].untolerated_no_execute) {
                inc = d.bool(false);
            }
            if c.honor_node_taints {
                inc = d.and(&inc, &cordon_tolerated(d, m, st, owner, n));
            }
            // Only pods the evictor's Filter admits are counted at all.
            let mut pods = d.int(0);
            for &h in &selected {
                let ok = filter(d, m, st, self.p, h);
                pods = d.add(&pods, &d.ite(&ok, &active_on(d, m, st, h, n), &d.int(0)));
            }
            let pods = d.ite(&rd, &pods, &d.int(0));
            eligible[n] = inc.clone();
            registered[v] = d.or(&registered[v], &d.or(&inc, &d.gt(&pods, &d.int(0))));
            size[v] = d.add(&size[v], &pods);
        }
        Some(SpreadDomains { nv, dom, registered, size, eligible })
    }

    /// balanceDomains over `s`, constraint `c`'s domains: the pods it moves out of each
    /// domain where the constraint is unbalanced.
    fn moves(&self, c: &SpreadConstraint, s: &SpreadDomains<D>) -> SpreadMoves<D> {
        let (d, nv) = (self.d, s.nv);
        let ndom = d.sum_of(s.registered.iter().map(|r| d.count(r)));
        let sum = d.sum(s.size.iter());
        let big = d.int(i32::MAX as i64);
        let mx = d.masked_max(&s.size, &s.registered, 0);
        let mn = d.masked_min(&s.size, &s.registered, 0);
        let unbalanced = d.gt(&d.sub(&mx, &mn), &d.int(c.max_skew));
        let vd = d.max(&ndom, &d.int(1));
        let below_avg: Vec<D::Bool> = (0..nv)
            .map(|v| d.and(&s.registered[v], &d.lt(&times_domains(d, &vd, nv as i64, &s.size[v]), &sum)))
            .collect();
        let (key, id) = self.sorted_domains(s, &big);
        let moved = balance_domains(d, c.max_skew, key, &ndom, &sum, &vd, &unbalanced);
        // Moves per domain (positions map back to domains through the sort).
        let moved = (0..nv)
            .map(|v| {
                d.sum(
                    (0..nv)
                        .map(|pos| d.ite(&d.eq(&id[pos], &d.int(v as i64)), &moved[pos], &d.int(0)))
                        .collect::<Vec<_>>()
                        .iter(),
                )
            })
            .collect();
        SpreadMoves { below_avg, moved }
    }

    /// The domains of `s` sorted ascending by size, unregistered last (`big` their key): each
    /// position's key and domain. Upstream lists the domains from a map (arbitrary order) and
    /// sorts them with sort.Slice (insertion sort, stable, at the sizes kbmc reaches): equal
    /// sizes keep the map's order. Here that order is the run's node order (a domain where its
    /// first node comes), and the sort is stable, so every order of equal-sized domains is
    /// some order's outcome.
    fn sorted_domains(&self, s: &SpreadDomains<D>, big: &D::Int) -> (Vec<D::Int>, Vec<D::Int>) {
        let (d, nv, nn) = (self.d, s.nv, self.m.nodes());
        let mut first: Vec<usize> = (0..nv).collect();
        first.sort_by_key(|&v| self.order.iter().position(|&n| s.dom[n] == Some(v)).unwrap_or(nn));
        let mut key: Vec<D::Int> = first.iter().map(|&v| d.ite(&s.registered[v], &s.size[v], big)).collect();
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
        (key, id)
    }

    /// Marks the pods each domain of `s` gives up in `marked`, taken from the back of
    /// upstream's sorted list: pods that fit a node of a below-average domain other than their
    /// own (PodFitsAnyOtherNode against nodesBelowIdealAvg) first, then the rest; within each,
    /// groups in `take` order, a group's pods over the domain's nodes in the run's node order.
    /// A pod that does not fit counts as moved either way; under topologyBalanceNodeFit
    /// (`node_fit_check`) it is not marked.
    fn mark(
        &self,
        s: &SpreadDomains<D>,
        moves: &SpreadMoves<D>,
        take: &[usize],
        node_fit_check: bool,
        marked: &mut [Vec<D::Int>],
    ) {
        let (d, m, st, p, lim) = (self.d, self.m, self.st, self.p, self.lim);
        let nn = m.nodes();
        let below: Vec<D::Bool> = (0..nn)
            .map(|t| match s.dom[t] {
                Some(w) => d.and(&s.eligible[t], &moves.below_avg[w]),
                None => d.bool(false),
            })
            .collect();
        let fits_below = |h: usize, n: usize| -> D::Bool {
            d.any((0..nn).filter(|&t| t != n).map(|t| d.and(&below[t], &lim.fit[h][t])).collect::<Vec<_>>().iter())
        };
        for v in 0..s.nv {
            let nodes: Vec<usize> = self.order.iter().copied().filter(|&n| s.dom[n] == Some(v)).collect();
            let fits: Vec<Vec<D::Bool>> =
                take.iter().map(|&h| nodes.iter().map(|&n| fits_below(h, n)).collect()).collect();
            let mut left = moves.moved[v].clone();
            for fitting in [true, false] {
                for (hi, &h) in take.iter().enumerate() {
                    for (ni, &n) in nodes.iter().enumerate() {
                        let this_pass = if fitting { fits[hi][ni].clone() } else { d.not(&fits[hi][ni]) };
                        let listed = d.and(&ready(d, st, n), &filter(d, m, st, p, h));
                        let counted = d.ite(&d.and(&this_pass, &listed), &active_on(d, m, st, h, n), &d.int(0));
                        let want = d.min(&left, &counted);
                        left = d.sub(&left, &want);
                        let mut ok = evictable(d, m, st, p, lim, h, n);
                        if node_fit_check && !fitting {
                            ok = d.bool(false);
                        }
                        let mark = d.ite(&ok, &want, &d.int(0));
                        marked[h][n] = d.max(&marked[h][n], &mark);
                    }
                }
            }
        }
    }
}

/// `x` times the number of domains `vd` (at most `v_bound`), split on `vd` so that it stays
/// linear.
fn times_domains<D: Domain>(d: &D, vd: &D::Int, v_bound: i64, x: &D::Int) -> D::Int {
    let mut r = d.int(0);
    for k in 1..=v_bound {
        r = d.ite(&d.eq(vd, &d.int(k)), &d.mul_const(x, k), &r);
    }
    r
}

/// `arr[idx]`, an ite over positions.
fn at<D: Domain>(d: &D, arr: &[D::Int], idx: &D::Int) -> D::Int {
    let mut r = d.int(0);
    for (k, x) in arr.iter().enumerate() {
        r = d.ite(&d.eq(idx, &d.int(k as i64)), x, &r);
    }
    r
}

/// balanceDomains' two-pointer moves over domains sorted ascending by size (`sizes`), with
/// `ndom` domains of `sum` pods (`vd`: `ndom`, at least 1), where the constraint is
/// `unbalanced`: the pods moved out of each position, i and j as values and every array
/// access an ite over positions.
fn balance_domains<D: Domain>(
    d: &D,
    max_skew: i64,
    mut sizes: Vec<D::Int>,
    ndom: &D::Int,
    sum: &D::Int,
    vd: &D::Int,
    unbalanced: &D::Bool,
) -> Vec<D::Int> {
    let nv = sizes.len();
    let v_bound = nv as i64;
    let mut moved = vec![d.int(0); nv];
    let mut i = d.int(0);
    let mut j = d.sub(ndom, &d.int(1));
    for _ in 0..(3 * nv + 2) {
        let active = d.and(unbalanced, &d.lt(&i, &j));
        // |D_j| <= idealAvg  <=>  |D_j| * #domains <= sum.
        let sj = at(d, &sizes, &j);
        let step_down = d.and(&active, &d.le(&times_domains(d, vd, v_bound, &sj), sum));
        let j2 = d.ite(&step_down, &d.sub(&j, &d.int(1)), &j);
        let (si, sj2) = (at(d, &sizes, &i), at(d, &sizes, &j2));
        let skew = d.sub(&sj2, &si);
        let skew_ok = d.le(&skew, &d.int(max_skew));
        // aboveAvg = ceil(|D_j| - avg), belowAvg = ceil(avg - |D_i|), halfSkew = ceil((skew - maxSkew)/2).
        let mut above = d.int(0);
        let mut below = d.int(0);
        for k in 1..=v_bound {
            let is_k = d.eq(vd, &d.int(k));
            let a = d.div_ceil_const(&d.max(&d.int(0), &d.sub(&d.mul_const(&sj2, k), sum)), k);
            let b = d.div_ceil_const(&d.max(&d.int(0), &d.sub(sum, &d.mul_const(&si, k))), k);
            above = d.ite(&is_k, &a, &above);
            below = d.ite(&is_k, &b, &below);
        }
        let half = d.div_ceil_const(&d.max(&d.int(0), &d.sub(&skew, &d.int(max_skew))), 2);
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
    moved
}
