//! Deployment and ReplicaSet controllers: create missing pods, delete surplus ones, roll out a
//! new pod template (RollingUpdate within maxSurge/maxUnavailable, or Recreate).
//!
//! Follows kubernetes `pkg/controller/replicaset/replica_set.go` (manageReplicas,
//! getPodsToDelete, getPodsRankedByRelatedPodsOnSameNode), `pkg/controller/controller_utils.go`
//! (ActivePodsWithRanks) and `pkg/controller/deployment/{rolling,recreate}.go`,
//! `util/deployment_util.go`.
//!
//! Modelled: terminating pods do not count as replicas; all missing pods are created in one
//! sync (slow-start batches succeed); pods with `spec.nodeName` are created bound to that node.
//! A scale-down deletes unscheduled pods first (those without a nomination in one step, each
//! pod a preemption nominated in a step of its own: upstream's order among unscheduled pods
//! is age and UID, so which of them go is a choice), then ranks the rest once per sync as
//! `getPodsToDelete` does (Pending before Running, not ready before ready, then the number of
//! the Deployment's active pods on the pod's node, higher first) and deletes the first
//! `surplus`; equal keys go by ready time, restarts, creation time and UID upstream, which kbmc
//! does not keep, so every victim set the ranks allow is a successor, and a running pod of any
//! usage level may be the one on its node. A VerticalPodAutoscaler's request variants are one
//! ReplicaSet upstream: their pods are ranked together, whatever their requests
//! ([`sync_groups`]). The sync chooses victims one step each
//! ([`DELETE_ON`] first, then the atomic [`Victims`]), chosen pods staying active in
//! `ClusterState::deleting` so that the ranks stay the sync's; then each chosen pod is deleted
//! in a fast step of its own, as upstream's concurrent deletions land one by one.
//! Abstracted: a ReplicaSet's `spec.replicas` is not stored — each revision's target size is
//! derived from the live pod counts at each sync (flagged `replicaset-targets` during
//! rollouts). Availability = running (minReadySeconds 0).

use super::super::{
    is_current, live_of_group, live_of_group_of, nominations, Class, ClusterState, Controller, Model, Step,
};
use crate::domain::{Concrete, Domain};
use crate::ir::{IntOrPercent, Strategy};
use crate::model::node::{active_on, ready, running_of_group};
use crate::model::state::Conditions;

pub struct DeploymentController;

const CREATE: u8 = 0;
const DELETE_PENDING: u8 = 1;
const DELETE_ON: u8 = 2;
/// Deletes a pod its sync chose: a bound one, or a running one of the label's usage kind.
const DELETE_CHOSEN_BOUND: u8 = 3;
const DELETE_CHOSEN_RUNNING: u8 = 4;
/// Deletes one unscheduled pod nominated to node `b` by a preemption (labels only where the
/// scheduler may preempt): which unscheduled pods a sync deletes goes by age and UID
/// upstream, never by `status.nominatedNodeName`.
const DELETE_NOMINATED: u8 = 5;

/// The strategy in force: the one of the Deployment's current revision.
/// Whether group `g` is a ReplicaSet's (a Deployment's revision): not a StatefulSet's ordinal,
/// not a DaemonSet's.
fn is_replica_set_group(m: &Model, g: usize) -> bool {
    let grp = &m.ir.groups[g];
    grp.ordinal.is_none() && grp.deployment().is_some()
}

fn strategy(m: &Model, dep: usize, rev: usize) -> Strategy {
    let d = &m.ir.deployments[dep];
    if rev == 0 {
        return d.strategy;
    }
    for e in &m.ir.events {
        if let crate::ir::Event::ApplyDeployment { deployment, revision, strategy, .. } = e {
            if deployment.index() == dep && m.ir.groups[revision.index()].revision as usize == rev {
                return *strategy;
            }
        }
    }
    d.strategy
}

/// maxSurge (rounded up) and maxUnavailable (rounded down, clamped to desired; 1 when both 0).
fn fenceposts<D: Domain>(d: &D, desired: &D::Int, s: &Strategy) -> (D::Int, D::Int) {
    let Strategy::RollingUpdate { max_surge, max_unavailable } = s else { return (d.int(0), d.int(0)) };
    let surge = match max_surge {
        IntOrPercent::Int(i) => d.int(*i),
        IntOrPercent::Percent(p) => d.div_ceil_const(&d.mul_const(desired, *p), 100),
    };
    let unavail = match max_unavailable {
        IntOrPercent::Int(i) => d.int(*i),
        IntOrPercent::Percent(p) => d.div_const(&d.mul_const(desired, *p), 100),
    };
    let both_zero = d.and(&d.eq(&surge, &d.int(0)), &d.eq(&unavail, &d.int(0)));
    let unavail = d.ite(&both_zero, &d.int(1), &unavail);
    (surge, d.min(&unavail, desired))
}

/// How many pods group `g` should have right now (its ReplicaSet's target size this sync).
pub fn target<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize) -> D::Int {
    target_with(d, m, st, g, None)
}

/// [`target`], given `g`'s live pods ([`live_of_group`]) where the caller has them.
fn target_with<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, live_g: Option<&D::Int>) -> D::Int {
    let dep = m.dep_of_group(g);
    if m.vpa_of[dep].is_some() {
        return vpa_variant_target(d, m, st, g, live_g);
    }
    let groups = &m.groups_of[dep];
    let desired = &st.desired[dep];
    let mut result = d.int(0);
    // Every revision's live pods, summed once where the first branch needs them (each branch
    // summed them again): a solver is given the same terms, made in the same order.
    let mut live: Vec<D::Int> = Vec::new();
    // The target depends on which revision is current: branch over revisions with ite.
    for (rev, &cur) in groups.iter().enumerate() {
        let is_cur = d.eq(&st.revision[dep], &d.int(rev as i64));
        // In a concrete state only the current revision's branch is the target.
        if d.known_bool(&is_cur) == Some(false) {
            continue;
        }
        let strat = strategy(m, dep, rev);
        if live.is_empty() {
            live = groups
                .iter()
                .map(|&h| match live_g {
                    Some(l) if h == g => l.clone(),
                    _ => live_of_group(d, m, st, h),
                })
                .collect();
        }
        let total = d.sum(live.iter());
        let new = &live[rev];
        let t = match strat {
            Strategy::Recreate => {
                if g == cur {
                    // Wait until no old pod exists at all, terminating ones included.
                    let mut old_left = d.int(0);
                    for (j, &h) in groups.iter().enumerate().filter(|&(_, &h)| h != cur) {
                        old_left = d.add(&old_left, &live[j]);
                        for n in 0..m.nodes() {
                            old_left = d.add(&old_left, &st.terminating[h][n]);
                        }
                    }
                    d.ite(&d.eq(&old_left, &d.int(0)), desired, &d.int(0))
                } else {
                    d.int(0)
                }
            }
            Strategy::RollingUpdate { .. } => {
                let (surge, unavail) = fenceposts(d, desired, &strat);
                if g == cur {
                    let room = d.sub(&d.add(desired, &surge), &total);
                    let grow = d.max(&d.int(0), &d.min(&room, &d.sub(desired, new)));
                    d.ite(&d.ge(new, desired), desired, &d.add(new, &grow))
                } else {
                    // Old revisions shrink oldest first by what availability allows.
                    let running_all = d.sum(
                        groups
                            .iter()
                            .map(|&h| (0..m.nodes()).map(|n| available_on(d, m, st, h, n)).collect::<Vec<_>>())
                            .collect::<Vec<_>>()
                            .iter()
                            .flatten(),
                    );
                    let new_running = d.sum_of((0..m.nodes()).map(|n| available_on(d, m, st, cur, n)));
                    let min_available = d.sub(desired, &unavail);
                    let new_unavailable = d.sub(new, &new_running);
                    let max_scaled_down = d.max(&d.int(0), &d.sub(&d.sub(&total, &min_available), &new_unavailable));
                    let old_unhealthy = d.sub(&d.sub(&total, new), &d.sub(&running_all, &new_running));
                    let cleanup = d.min(&max_scaled_down, &old_unhealthy);
                    let scale = d.max(&d.int(0), &d.sub(&running_all, &min_available));
                    let mut allowed = d.add(&cleanup, &scale);
                    let mut mine = d.int(0);
                    for (j, &h) in groups.iter().enumerate() {
                        if h == cur {
                            continue;
                        }
                        let take = d.min(&allowed, &live[j]);
                        if h == g {
                            mine = d.sub(&live[j], &take);
                        }
                        allowed = d.sub(&allowed, &take);
                    }
                    mine
                }
            }
        };
        result = d.ite(&is_cur, &t, &result);
    }
    result
}

/// [`target`] of a group of a Deployment whose revisions are a VerticalPodAutoscaler's request
/// variants (`vpa.rs`): upstream they are pods of one ReplicaSet whose template never changes,
/// so the Deployment does not roll out between them. The missing pods are created in the
/// current revision (the requests the admission controller gives new pods); pods beyond
/// `desired` are deleted from any revision, each group's surplus being what the other groups'
/// choices have not yet covered. One sync ranks every revision's pods together
/// ([`sync_groups`]): `ActivePodsWithRanks` does not look at requests, so each victim comes
/// from whichever size holds a pod of the first key, and every split of the deletions among
/// the sizes the ranks allow is a successor.
fn vpa_variant_target<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, live_g: Option<&D::Int>) -> D::Int {
    let dep = m.dep_of_group(g);
    let groups = &m.groups_of[dep];
    let mut total = d.int(0);
    let mut others_chosen = d.int(0);
    let mut mine = d.int(0);
    for &h in groups {
        let live = match live_g {
            Some(l) if h == g => l.clone(),
            _ => live_of_group(d, m, st, h),
        };
        total = d.add(&total, &live);
        if h == g {
            mine = live;
        } else {
            others_chosen = d.add(&others_chosen, &chosen_total(d, m, st, h));
        }
    }
    let excess = d.sub(&d.sub(&total, &st.desired[dep]), &others_chosen);
    let zero = d.int(0);
    let shrink = d.min(&mine, &d.max(&zero, &excess));
    let kept = d.sub(&mine, &shrink);
    let grow = d.max(&zero, &d.sub(&zero, &excess));
    d.ite(&is_current(d, m, st, g), &d.add(&kept, &grow), &kept)
}

/// Available pods of group `g` on node `n`: running on a Ready node (minReadySeconds 0). The
/// node lifecycle controller marks the pods of a NotReady node not ready (MarkPodsNotReady).
fn available_on<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, n: usize) -> D::Int {
    d.ite(&ready(d, st, n), &running_of_group(d, m, st, g, n), &d.int(0))
}

/// Pods of group `g` on node `n` that the current sync has chosen to delete: bound (not
/// started) ones, and running ones of usage kind `k`.
/// A chosen pod another controller deleted meanwhile is no longer counted (the ReplicaSet's
/// own delete of it finds it gone).
fn chosen_bound<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, n: usize) -> D::Int {
    if m.marks_deletions {
        d.min(&st.deleting[g][n], &st.bound[g][n])
    } else {
        d.int(0)
    }
}

fn chosen_running<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, k: usize, n: usize) -> D::Int {
    if m.marks_deletions {
        d.min(&st.deleting[m.ir.groups.len() + k][n], &st.running[k][n])
    } else {
        d.int(0)
    }
}

/// Pods of group `g` the current sync has chosen so far, on every node.
pub fn chosen_total<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize) -> D::Int {
    if !m.marks_deletions {
        return d.int(0);
    }
    d.sum_of((0..m.nodes()).flat_map(|n| {
        std::iter::once(chosen_bound(d, m, st, g, n))
            .chain(m.kinds_of_group[g].iter().map(move |&k| chosen_running(d, m, st, k, n)))
    }))
}

/// The groups one ReplicaSet sync ranks together with group `g`: a VerticalPodAutoscaler's
/// request variants are revisions of one ReplicaSet upstream (`vpa_variant_target`), whose
/// `getPodsToDelete` sorts all its pods at once (`ActivePodsWithRanks` never looks at
/// requests); any other group is a ReplicaSet of its own.
fn sync_groups(m: &Model, g: usize) -> &[usize] {
    let dep = m.dep_of_group(g);
    if m.vpa_of[dep].is_some() {
        &m.groups_of[dep]
    } else {
        let own = m.groups_of[dep].iter().find(|&&h| h == g);
        std::slice::from_ref(own.expect("model bug: a ReplicaSet group missing from its Deployment's groups"))
    }
}

/// Pods the current sync of `g`'s ReplicaSet has chosen so far ([`chosen_total`] over
/// [`sync_groups`]).
fn sync_chosen<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize) -> D::Int {
    match sync_groups(m, g) {
        [_] => chosen_total(d, m, st, g),
        hs => d.sum_of(hs.iter().map(|&h| chosen_total(d, m, st, h))),
    }
}

/// Whether `g`'s ReplicaSet has no unscheduled pod left (those go first, in their own step).
fn sync_unscheduled_gone<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize) -> D::Bool {
    match sync_groups(m, g) {
        [_] => d.eq(&st.pending[g], &d.int(0)),
        hs => d.all_of(hs.iter().map(|&h| d.eq(&st.pending[h], &d.int(0)))),
    }
}

/// Whether any pod is marked for deletion: in most states none is, and then no chosen pod is
/// deleted and no sync goes on with its choices.
fn any_marked(st: &ClusterState<Concrete>) -> bool {
    st.deleting.iter().any(|row| row.iter().any(|&c| c != 0))
}

/// [`chosen_total`] of a concrete state by plain sums over whole per-node vectors (debug
/// builds compare): the atomic victim choices ask it in every state.
fn chosen_total_of(m: &Model, st: &ClusterState<Concrete>, g: usize) -> i64 {
    if !m.marks_deletions {
        return 0;
    }
    let ng = m.ir.groups.len();
    let min_sum = |marks: &[i64], pods: &[i64]| -> i64 { marks.iter().zip(pods).map(|(c, p)| *c.min(p)).sum() };
    let total = min_sum(&st.deleting[g], &st.bound[g])
        + m.kinds_of_group[g].iter().map(|&k| min_sum(&st.deleting[ng + k], &st.running[k])).sum::<i64>();
    debug_assert_eq!(total, chosen_total(&Concrete, m, st, g), "model bug: chosen pods summed two ways disagree");
    total
}

/// Where node `n` stands in `ActivePodsWithRanks` order for the pods of group `g` the sync
/// has not chosen yet: whether it holds any, whether those are bound pods not started
/// (phase Pending, which go before Running ones wherever they are), the class (0: bound,
/// 1: running on a NotReady node, whose pods node lifecycle marks not ready; 2: running and
/// ready), and the rank (the Deployment's active pods on the node, every revision, chosen
/// ones included: they are not deleted yet, so the ranks stay those the sync started from).
struct NodeKey<D: Domain> {
    has: D::Bool,
    bound_first: D::Bool,
    class: D::Int,
    rank: D::Int,
}

fn node_keys<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize) -> Vec<NodeKey<D>> {
    let dep = m.dep_of_group(g);
    let zero = d.int(0);
    (0..m.nodes())
        .map(|n| {
            let unbound = d.sub(&st.bound[g][n], &chosen_bound(d, m, st, g, n));
            let unrun = d
                .sum_of(m.kinds_of_group[g].iter().map(|&k| d.sub(&st.running[k][n], &chosen_running(d, m, st, k, n))));
            let bound_first = d.gt(&unbound, &zero);
            let has = d.or(&bound_first, &d.gt(&unrun, &zero));
            let class = d.ite(&bound_first, &zero, &d.ite(&ready(d, st, n), &d.int(2), &d.int(1)));
            NodeKey { has, bound_first, class, rank: rank(d, m, st, dep, n) }
        })
        .collect()
}

/// The [`node_keys`] of every group of `g`'s ReplicaSet ([`sync_groups`]), one node after
/// another per group, and where `g`'s keys start: a VerticalPodAutoscaler's request variants
/// are ranked together, a key of any of them coming first for the next victim.
fn sync_keys<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize) -> (Vec<NodeKey<D>>, usize) {
    let hs = sync_groups(m, g);
    if let [_] = hs {
        return (node_keys(d, m, st, g), 0);
    }
    let at = hs.iter().position(|&h| h == g).expect("model bug: a group outside its own ReplicaSet") * m.nodes();
    (hs.iter().flat_map(|&h| node_keys(d, m, st, h)).collect(), at)
}

/// Whether node `n` holds an unchosen pod that comes first: no node's unchosen pods have a
/// lower class, or the same class and a higher rank. Equal keys are upstream's ready-time,
/// restart and creation-time order in logarithmic buckets, then UID: kbmc keeps none of
/// them, so every node with the first key may give the next victim.
fn is_first<D: Domain>(d: &D, keys: &[NodeKey<D>], n: usize) -> D::Bool {
    let me = &keys[n];
    let before_or_tied =
        |o: &NodeKey<D>| d.or(&d.lt(&me.class, &o.class), &d.and(&d.eq(&me.class, &o.class), &d.ge(&me.rank, &o.rank)));
    d.and(&me.has, &d.all_of(keys.iter().map(|o| d.implies(&o.has, &before_or_tied(o)))))
}

/// [`is_first`] for every node at once, in terms linear in the nodes rather than quadratic:
/// the lowest class among nodes with an unchosen pod (classes are 0, 1 and 2), the highest rank
/// among those of that class, and a node comes first when it has an unchosen pod of that class
/// and that rank. The same answers as [`is_first`] in every state: a node with an unchosen pod
/// precedes or ties every other such node exactly when its class is the lowest and its rank
/// the highest of that class.
fn firsts<D: Domain>(d: &D, keys: &[NodeKey<D>]) -> Vec<D::Bool> {
    let any_of_class = |c: i64| d.any_of(keys.iter().map(|k| d.and(&k.has, &d.eq(&k.class, &d.int(c)))));
    let lowest = d.ite(&any_of_class(0), &d.int(0), &d.ite(&any_of_class(1), &d.int(1), &d.int(2)));
    let top: Vec<D::Bool> = keys.iter().map(|k| d.and(&k.has, &d.eq(&k.class, &lowest))).collect();
    let ranks: Vec<D::Int> = keys.iter().map(|k| k.rank.clone()).collect();
    let highest = d.masked_max(&ranks, &top, 0);
    keys.iter().zip(top).map(|(k, t)| d.and(&t, &d.ge(&k.rank, &highest))).collect()
}

/// Up to this many nodes the symbolic batch guards of [`DeploymentController`] and [`Victims`]
/// leave every label to `Controller::guard` (the formulas the SMT-LIB dumps hold); beyond, a
/// victim choice's guard shares its group's part and [`firsts`] with the other labels.
const PAIRWISE_NODES: usize = 64;

/// The guards of victim choices `labels` (`started`: [`Victims`]) in a state of any domain,
/// the group's part (its phase, surplus, pending pods, keys and [`firsts`]) worked out once
/// per group; other labels by `guard`.
fn batch_pick_guards<D: Domain>(
    d: &D,
    m: &Model,
    labels: &[Step],
    st: &ClusterState<D>,
    started: bool,
    guard: impl Fn(&Step) -> D::Bool,
) -> Vec<D::Bool> {
    type Shared<D> = (<D as Domain>::Bool, Vec<NodeKey<D>>, Vec<<D as Domain>::Bool>);
    let mut per: Vec<Option<Shared<D>>> = (0..m.ir.groups.len()).map(|_| None).collect();
    labels
        .iter()
        .map(|s| {
            if s.op != DELETE_ON {
                return guard(s);
            }
            let (g, n) = (s.a as usize, s.b as usize);
            let (group, keys, first) = per[g].get_or_insert_with(|| {
                let (phase, left) = pick_phase_left(d, m, st, g, started);
                let group = d.all([phase, d.gt(&left, &d.int(0)), sync_unscheduled_gone(d, m, st, g)].iter());
                let (mut keys, at) = sync_keys(d, m, st, g);
                let mut first = firsts(d, &keys);
                // Only `g`'s own nodes are asked below.
                keys.drain(..at);
                keys.truncate(m.nodes());
                first.drain(..at);
                first.truncate(m.nodes());
                (group, keys, first)
            });
            d.all([group.clone(), first[n].clone(), victim_kind(d, m, st, s, &keys[n])].iter())
        })
        .collect()
}

/// Pods of Deployment `dep` on node `n` that are not terminating (the deletion rank).
fn rank<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, dep: usize, n: usize) -> D::Int {
    d.sum_of(m.groups_of[dep].iter().map(|&h| active_on(d, m, st, h, n)))
}

/// Live pods of group `g` beyond its target: what a scale-down sync deletes.
pub fn surplus<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize) -> D::Int {
    let live = live_of_group(d, m, st, g);
    d.sub(&live, &target_with(d, m, st, g, Some(&live)))
}

/// [`surplus`] of a concrete state, with the group's own live pods summed by
/// [`live_of_group_of`] (the target is the one definition; debug builds compare).
fn surplus_of(m: &Model, st: &ClusterState<Concrete>, g: usize) -> i64 {
    let live = live_of_group_of(m, st, g);
    let sur = live - target_of(m, st, g, live);
    debug_assert_eq!(sur, surplus(&Concrete, m, st, g), "model bug: a surplus summed two ways disagrees");
    sur
}

/// [`target_with`] of a concrete state, given `g`'s live pods: the current revision of a
/// RollingUpdate worked out here, with no vector of every revision's live pods (what the
/// Deployment's guards ask of the current revision in nearly every state); the others as
/// `target_with` does.
fn target_of(m: &Model, st: &ClusterState<Concrete>, g: usize, live_g: i64) -> i64 {
    let dep = m.dep_of_group(g);
    let groups = &m.groups_of[dep];
    let rev = st.revision[dep] as usize;
    let strat = strategy(m, dep, rev);
    if m.vpa_of[dep].is_some() || groups.get(rev) != Some(&g) || !matches!(strat, Strategy::RollingUpdate { .. }) {
        return target_with(&Concrete, m, st, g, Some(&live_g));
    }
    let d = Concrete;
    let desired = st.desired[dep];
    let total: i64 = groups.iter().map(|&h| if h == g { live_g } else { live_of_group_of(m, st, h) }).sum();
    let (surge, _) = fenceposts(&d, &desired, &strat);
    let grow = 0.max((desired + surge - total).min(desired - live_g));
    let t = if live_g >= desired { desired } else { live_g + grow };
    debug_assert_eq!(t, target_with(&d, m, st, g, Some(&live_g)), "model bug: a target worked out two ways disagrees");
    t
}

/// Which nodes come first for a group's next victim, and the nodes' keys.
type Firsts = (Vec<bool>, Vec<NodeKey<Concrete>>);

/// What the guards of one concrete state share per group, each worked out at most once and
/// only when a label needs it (`batch_guard` of [`DeploymentController`] and [`Victims`]):
/// the surplus, whether a victim may be chosen at all, and for victim choices the nodes'
/// keys and which of them come first. The atomic [`Victims`] labels are asked in every state, so a group with no choice
/// made (or one made, for the first choice) is settled by the chosen count alone.
struct PerGroup {
    surplus: Vec<Option<i64>>,
    /// Whether the group may choose a victim at all (the label's node aside).
    open: Vec<Option<bool>>,
    firsts: Vec<Option<Firsts>>,
}

impl PerGroup {
    fn new(m: &Model) -> Self {
        let ng = m.ir.groups.len();
        let mut firsts = Vec::new();
        firsts.resize_with(ng, || None);
        PerGroup { surplus: vec![None; ng], open: vec![None; ng], firsts }
    }

    fn surplus(&mut self, m: &Model, st: &ClusterState<Concrete>, g: usize) -> i64 {
        *self.surplus[g].get_or_insert_with(|| surplus_of(m, st, g))
    }

    /// [`pick_guard`] of label `s` in a concrete state.
    fn pick(&mut self, m: &Model, st: &ClusterState<Concrete>, s: &Step, started: bool) -> bool {
        let d = Concrete;
        let g = s.a as usize;
        let open = match self.open[g] {
            Some(open) => open,
            None => {
                let chosen = chosen_total_of(m, st, g);
                let hs = sync_groups(m, g);
                let all = if hs.len() == 1 { chosen } else { hs.iter().map(|&h| chosen_total_of(m, st, h)).sum() };
                let open = (all > 0) == started
                    && hs.iter().all(|&h| st.pending[h] == 0)
                    && self.surplus(m, st, g) - chosen > 0;
                self.open[g] = Some(open);
                open
            }
        };
        if !open {
            debug_assert!(!pick_guard(&d, m, s, st, started), "model bug: a batched victim guard disagrees");
            return false;
        }
        let (first, keys) = self.firsts[g].get_or_insert_with(|| {
            let (mut keys, at) = sync_keys(&d, m, st, g);
            let first = (0..m.nodes()).map(|n| is_first(&d, &keys, at + n)).collect();
            keys.drain(..at);
            keys.truncate(m.nodes());
            (first, keys)
        });
        let n = s.b as usize;
        let ok = first[n] && victim_kind(&d, m, st, s, &keys[n]);
        debug_assert_eq!(ok, pick_guard(&d, m, s, st, started), "model bug: a batched victim guard disagrees");
        ok
    }
}

/// Whether label `(g, n, k)` may be the sync's next victim, given node `n`'s key: a bound
/// pod not started if `n` has an unchosen one (the label of the group's first kind stands
/// for it), else an unchosen running pod of usage kind `k` (any kind: upstream's order
/// among them goes by timestamps kbmc does not keep).
fn victim_kind<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, s: &Step, key: &NodeKey<D>) -> D::Bool {
    let (g, n, k) = (s.a as usize, s.b as usize, s.v as usize);
    let first = k == m.kinds_of_group[g][0];
    let unchosen = d.sub(&st.running[k][n], &chosen_running(d, m, st, k, n));
    d.ite_bool(&key.bound_first, &d.bool(first), &d.gt(&unchosen, &d.int(0)))
}

/// The guard of a victim choice `(g, n, k)` ([`DELETE_ON`] starts a sync, [`Victims`] goes on
/// with it): a surplus not yet covered by the choices made, no unscheduled pod left (those go
/// first, all in one step), and `n` holding a pod that comes first.
fn pick_guard<D: Domain>(d: &D, m: &Model, s: &Step, st: &ClusterState<D>, started: bool) -> D::Bool {
    let (g, n) = (s.a as usize, s.b as usize);
    let (phase, left) = pick_phase_left(d, m, st, g, started);
    let (keys, at) = sync_keys(d, m, st, g);
    d.all(
        [
            phase,
            d.gt(&left, &d.int(0)),
            sync_unscheduled_gone(d, m, st, g),
            is_first(d, &keys, at + n),
            victim_kind(d, m, st, s, &keys[at + n]),
        ]
        .iter(),
    )
}

/// Whether `g`'s ReplicaSet is in the phase of a victim choice (`started`: its sync has chosen
/// a pod already, of any of its groups; else none), and how many more of `g`'s pods the sync
/// may still choose. For a VerticalPodAutoscaler's variant the latter is positive exactly
/// when the ReplicaSet's surplus is not yet covered by all its groups' choices and `g` has an
/// unchosen live pod (`vpa_variant_target` counts the other groups' choices).
fn pick_phase_left<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, started: bool) -> (D::Bool, D::Int) {
    let chosen = chosen_total(d, m, st, g);
    let all = match sync_groups(m, g) {
        [_] => chosen.clone(),
        _ => sync_chosen(d, m, st, g),
    };
    let phase = if started { d.gt(&all, &d.int(0)) } else { d.eq(&all, &d.int(0)) };
    (phase, d.sub(&surplus(d, m, st, g), &chosen))
}

/// A victim choice. Upstream `getPodsToDelete` sorts the ReplicaSet's pods once per sync
/// (`ActivePodsWithRanks`, ranks from the state the sync started in) and deletes the first
/// `surplus`: each choice marks its pod, which stays active and keeps its node's rank, and
/// choices after the first are atomic ([`Victims`]), so the ranks they read are the sync's.
/// The chosen pods are then deleted one step each ([`DELETE_CHOSEN_BOUND`],
/// [`DELETE_CHOSEN_RUNNING`]), as upstream's concurrent deletions land one by one, other
/// controllers acting in between. Without marks (one node: every rank is the same) a choice
/// deletes its pod.
fn pick_update<D: Domain>(d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
    let (g, n, k) = (s.a as usize, s.b as usize, s.v as usize);
    let (zero, one) = (d.int(0), d.int(1));
    let is_bound = d.gt(&d.sub(&st.bound[g][n], &chosen_bound(d, m, st, g, n)), &zero);
    let (b1, r1) = (d.ite(&is_bound, &one, &zero), d.ite(&is_bound, &zero, &one));
    if m.marks_deletions {
        let ng = m.ir.groups.len();
        nx.deleting[g][n] = d.add(&chosen_bound(d, m, st, g, n), &b1);
        nx.deleting[ng + k][n] = d.add(&chosen_running(d, m, st, k, n), &r1);
    } else {
        nx.bound[g][n] = d.sub(&st.bound[g][n], &b1);
        nx.running[k][n] = d.sub(&st.running[k][n], &r1);
        nx.terminating[g][n] = d.add(&st.terminating[g][n], &one);
    }
}

/// Deletes one chosen pod of group `s.a` on node `s.b`: a bound one, or a running one of kind
/// `s.v`.
fn delete_chosen_into<D: Domain>(d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
    let (g, n) = (s.a as usize, s.b as usize);
    let one = d.int(1);
    if s.op == DELETE_CHOSEN_BOUND {
        nx.deleting[g][n] = d.sub(&chosen_bound(d, m, st, g, n), &one);
        nx.bound[g][n] = d.sub(&st.bound[g][n], &one);
    } else {
        let k = s.v as usize;
        nx.deleting[m.ir.groups.len() + k][n] = d.sub(&chosen_running(d, m, st, k, n), &one);
        nx.running[k][n] = d.sub(&st.running[k][n], &one);
    }
    nx.terminating[g][n] = d.add(&st.terminating[g][n], &one);
}

fn delete_chosen_guard<D: Domain>(d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
    let (g, n) = (s.a as usize, s.b as usize);
    let chosen = if s.op == DELETE_CHOSEN_BOUND {
        chosen_bound(d, m, st, g, n)
    } else {
        chosen_running(d, m, st, s.v as usize, n)
    };
    d.gt(&chosen, &d.int(0))
}

/// A victim choice in words: which pod, where, and why it may go.
fn describe_pick(m: &Model, s: &Step, before: &ClusterState<Concrete>, after: &ClusterState<Concrete>) -> String {
    let (g, n, k) = (s.a as usize, s.b as usize, s.v as usize);
    let d = Concrete;
    let (keys, at) = sync_keys(&d, m, before, g);
    let key = &keys[at + n];
    let hs = sync_groups(m, g);
    // A tie with another request size of the same ReplicaSet names the size's group.
    let tied: Vec<String> = (0..keys.len())
        .filter(|&j| j != at + n && keys[j].has && keys[j].class == key.class && keys[j].rank == key.rank)
        .map(|j| {
            let (h, node) = (hs[j / m.nodes()], m.node_name(j % m.nodes()));
            if h == g {
                node.to_string()
            } else {
                format!("{} on {node}", m.group_name(h))
            }
        })
        .collect();
    let which = if key.bound_first {
        "a pod not started yet (phase Pending)".to_string()
    } else {
        let kind = if m.kinds_of_group[g].len() > 1 { format!(" {}", m.usage_words(k)) } else { String::new() };
        let ready = if key.class == 1 { ", not ready: the node is NotReady" } else { "" };
        format!("a running pod{kind}{ready}")
    };
    let dep = &m.ir.deployments[m.dep_of_group(g)].name;
    let ties = if tied.is_empty() {
        "no pod elsewhere comes first".to_string()
    } else {
        format!("tied with {}: equal ranks go by ready time and UID, which kbmc does not know", tied.join(", "))
    };
    let why = format!("rank {}: pods of {dep} on {} when the sync started; {ties}", key.rank, m.node_name(n));
    let name = m.group_name(g);
    if !m.marks_deletions {
        return format!("ReplicaSet of {name} deletes {which} on {} ({why})", m.node_name(n));
    }
    let chosen = chosen_total(&d, m, after, g);
    let all =
        if surplus(&d, m, after, g) <= chosen { format!("; the sync has chosen its {chosen}") } else { String::new() };
    format!("ReplicaSet of {name} chooses {which} on {} to delete ({why}{all})", m.node_name(n))
}

fn node_name_target(m: &Model, g: usize) -> Option<Option<usize>> {
    m.ir.groups[g].node_name.as_ref().map(|name| m.ir.nodes.iter().position(|n| &n.name == name))
}

impl<D: Domain> Controller<D> for DeploymentController {
    fn explicit_hints(&self) -> Option<&dyn crate::model::hints::ExplicitHints> {
        Some(self)
    }
    fn symbolic_hints(&self) -> Option<&dyn crate::model::hints::SymbolicHints<D>> {
        Some(self)
    }
    fn name(&self) -> &'static str {
        "deployment"
    }
    fn class(&self) -> Class {
        Class::Fast
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        if !m.ir.controllers.deployment {
            return;
        }
        // A StatefulSet's groups are its own controller's (`statefulset.rs`), a DaemonSet's
        // the DaemonSet controller's.
        for g in (0..m.ir.groups.len()).filter(|&g| is_replica_set_group(m, g)) {
            out.push(Step::new(actor, CREATE, g, 0, 0));
            out.push(Step::new(actor, DELETE_PENDING, g, 0, 0));
            if m.preempts {
                for n in 0..m.nodes() {
                    out.push(Step::new(actor, DELETE_NOMINATED, g, n, 0));
                }
            }
            // One label per node and usage kind: which running pod goes is a choice (below).
            for n in 0..m.nodes() {
                for &k in &m.kinds_of_group[g] {
                    out.push(Step::new(actor, DELETE_ON, g, n, k as i64));
                }
            }
            if m.marks_deletions {
                for n in 0..m.nodes() {
                    out.push(Step::new(actor, DELETE_CHOSEN_BOUND, g, n, 0));
                    for &k in &m.kinds_of_group[g] {
                        out.push(Step::new(actor, DELETE_CHOSEN_RUNNING, g, n, k as i64));
                    }
                }
            }
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        (s.op >= DELETE_ON).then_some(s.b as usize)
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let g = s.a as usize;
        match s.op {
            CREATE => d.and(&is_current(d, m, st, g), &d.lt(&surplus(d, m, st, g), &d.int(0))),
            DELETE_PENDING => {
                d.and(&d.gt(&surplus(d, m, st, g), &d.int(0)), &d.gt(&nominations::unnominated(d, m, st, g), &d.int(0)))
            }
            DELETE_NOMINATED => {
                d.and(&d.gt(&surplus(d, m, st, g), &d.int(0)), &d.gt(&st.nominated[g][s.b as usize], &d.int(0)))
            }
            DELETE_ON => pick_guard(d, m, s, st, false),
            _ => delete_chosen_guard(d, m, s, st),
        }
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let g = s.a as usize;
        match s.op {
            CREATE => {
                let missing = d.sub(&d.int(0), &surplus(d, m, st, g));
                match node_name_target(m, g) {
                    // spec.nodeName: the pod is created bound to that node (no scheduler).
                    Some(Some(n)) => {
                        let there = st.present[n].clone();
                        nx.bound[g][n] = d.ite(&there, &d.add(&st.bound[g][n], &missing), &st.bound[g][n]);
                        nx.pending[g] = d.ite(&there, &st.pending[g], &d.add(&st.pending[g], &missing));
                    }
                    _ => nx.pending[g] = d.add(&st.pending[g], &missing),
                }
            }
            // Pods without a nomination all at once; nominated ones one step each
            // ([`DELETE_NOMINATED`]), so that how many go, and from which nominated nodes,
            // is a choice, as age and UID decide upstream.
            DELETE_PENDING => {
                let k = d.min(&surplus(d, m, st, g), &nominations::unnominated(d, m, st, g));
                nx.pending[g] = d.sub(&st.pending[g], &k);
            }
            DELETE_NOMINATED => {
                nx.pending[g] = d.sub(&st.pending[g], &d.int(1));
                nominations::forget_deleted(d, m, st, nx, g, Some(s.b as usize));
            }
            DELETE_ON => pick_update(d, m, s, st, nx),
            _ => delete_chosen_into(d, m, s, st, nx),
        }
    }
    fn describe(&self, m: &Model, s: &Step, before: &ClusterState<Concrete>, after: &ClusterState<Concrete>) -> String {
        let g = s.a as usize;
        let dep = &m.ir.deployments[m.dep_of_group(g)].name;
        match s.op {
            CREATE => {
                let created = (after.pending[g] - before.pending[g])
                    + (0..m.nodes()).map(|n| after.bound[g][n] - before.bound[g][n]).sum::<i64>();
                let desired = after.desired[m.dep_of_group(g)];
                let via = match node_name_target(m, g) {
                    Some(Some(n)) => format!(", bound to {} by spec.nodeName", m.node_name(n)),
                    _ => String::new(),
                };
                format!(
                    "ReplicaSet of {} creates {created} pod(s){via} (Deployment {dep} wants {})",
                    m.group_name(g),
                    crate::count(desired, "replica", "replicas")
                )
            }
            DELETE_PENDING => format!(
                "ReplicaSet of {} deletes {} unscheduled pod(s) (surplus)",
                m.group_name(g),
                before.pending[g] - after.pending[g]
            ),
            DELETE_NOMINATED => format!(
                "ReplicaSet of {} deletes an unscheduled pod nominated to {} (surplus; which unscheduled pods go is by age and UID, which kbmc does not know)",
                m.group_name(g),
                m.node_name(s.b as usize)
            ),
            DELETE_ON => describe_pick(m, s, before, after),
            _ => {
                let (n, which) =
                    (s.b as usize, if s.op == DELETE_CHOSEN_BOUND { "not started yet" } else { "running" });
                format!(
                    "ReplicaSet of {} deletes a {which} pod on {} (chosen by its sync)",
                    m.group_name(g),
                    m.node_name(n)
                )
            }
        }
    }
}

impl crate::model::hints::ExplicitHints for DeploymentController {
    /// A bind, start, deletion, eviction or usage change on a node changes that node's pods
    /// (and pending pods or budgets, which are not per node).
    fn changes_only_its_node(&self) -> bool {
        true
    }
    /// A creation of pods that are not created bound (by `spec.nodeName`), and a deletion of
    /// pending pods without a nomination, change pending pods alone.
    fn changes_no_node(&self, m: &Model, s: &Step) -> bool {
        match s.op {
            CREATE => !matches!(node_name_target(m, s.a as usize), Some(Some(_))),
            DELETE_PENDING => true,
            _ => false,
        }
    }
    fn batch_guard(&self, m: &Model, labels: &[Step], st: &ClusterState<Concrete>) -> Option<Vec<bool>> {
        let d = Concrete;
        let mut per = PerGroup::new(m);
        let marked = any_marked(st);
        Some(
            labels
                .iter()
                .map(|s| {
                    let g = s.a as usize;
                    match s.op {
                        CREATE => {
                            st.revision[m.dep_of_group(g)] == m.ir.groups[g].revision as i64
                                && per.surplus(m, st, g) < 0
                        }
                        DELETE_PENDING => nominations::unnominated(&d, m, st, g) > 0 && per.surplus(m, st, g) > 0,
                        DELETE_NOMINATED => st.nominated[g][s.b as usize] > 0 && per.surplus(m, st, g) > 0,
                        DELETE_CHOSEN_BOUND | DELETE_CHOSEN_RUNNING => marked && delete_chosen_guard(&d, m, s, st),
                        _ => per.pick(m, st, s, false),
                    }
                })
                .collect(),
        )
    }
}

impl<D: Domain> crate::model::hints::SymbolicHints<D> for DeploymentController {
    /// Past [`PAIRWISE_NODES`] nodes, each group's victim choices share one ranking of the
    /// nodes (a thousand nodes: a few thousand terms per group instead of millions).
    fn batch_guard(&self, d: &D, m: &Model, labels: &[Step], st: &ClusterState<D>) -> Option<Vec<D::Bool>> {
        (m.nodes() > PAIRWISE_NODES)
            .then(|| batch_pick_guards(d, m, labels, st, false, |s| Controller::<D>::guard(self, d, m, s, st)))
    }
}

/// The victim choices of a ReplicaSet sync after its first ([`DELETE_ON`] by the Deployment
/// controller): atomic, so that no other step changes the ranks the sync goes by (see
/// [`pick_update`]). Labels exist only where deletions are marked (`Model::marks_deletions`).
pub struct Victims;

impl<D: Domain> Controller<D> for Victims {
    fn explicit_hints(&self) -> Option<&dyn crate::model::hints::ExplicitHints> {
        Some(self)
    }
    fn symbolic_hints(&self) -> Option<&dyn crate::model::hints::SymbolicHints<D>> {
        Some(self)
    }
    fn name(&self) -> &'static str {
        "deployment"
    }
    fn class(&self) -> Class {
        Class::Atomic
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        if !m.marks_deletions {
            return;
        }
        for g in (0..m.ir.groups.len()).filter(|&g| is_replica_set_group(m, g)) {
            for n in 0..m.nodes() {
                for &k in &m.kinds_of_group[g] {
                    out.push(Step::new(actor, DELETE_ON, g, n, k as i64));
                }
            }
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        Some(s.b as usize)
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        pick_guard(d, m, s, st, true)
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        pick_update(d, m, s, st, nx)
    }
    fn describe(&self, m: &Model, s: &Step, before: &ClusterState<Concrete>, after: &ClusterState<Concrete>) -> String {
        describe_pick(m, s, before, after)
    }
}

impl crate::model::hints::ExplicitHints for Victims {
    /// Asked in every state (atomic steps come first): a group whose sync has chosen nothing
    /// is settled by one count, not by ranking every node per label.
    fn batch_guard(&self, m: &Model, labels: &[Step], st: &ClusterState<Concrete>) -> Option<Vec<bool>> {
        if !any_marked(st) {
            return Some(vec![false; labels.len()]);
        }
        let mut per = PerGroup::new(m);
        Some(labels.iter().map(|s| per.pick(m, st, s, true)).collect())
    }
    /// A choice marks a pod of its node only.
    fn changes_only_its_node(&self) -> bool {
        true
    }
}

impl<D: Domain> crate::model::hints::SymbolicHints<D> for Victims {
    /// As [`DeploymentController`]'s: one ranking of the nodes per group past
    /// [`PAIRWISE_NODES`] nodes.
    fn batch_guard(&self, d: &D, m: &Model, labels: &[Step], st: &ClusterState<D>) -> Option<Vec<D::Bool>> {
        (m.nodes() > PAIRWISE_NODES)
            .then(|| batch_pick_guards(d, m, labels, st, true, |s| Controller::<D>::guard(self, d, m, s, st)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::node::{active_on, running_of_group};
    use crate::model::testkit::{deployment, model, node};
    use crate::model::{all_steps, registry};

    fn enabled(m: &Model, st: &ClusterState<Concrete>) -> Vec<(u8, usize, usize)> {
        let reg = registry::<Concrete>();
        all_steps(m, &reg)
            .into_iter()
            .filter(|s| {
                reg[s.actor as usize].name() == "deployment" && reg[s.actor as usize].guard(&Concrete, m, s, st)
            })
            .map(|s| (s.op, s.a as usize, s.b as usize))
            .collect()
    }

    fn cluster(replicas: i64, placement: &str, extra: &str) -> Model {
        let spec = format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: n, count: 3, capacity: {{cpu: \"64\", memory: 64Gi}}}}]\n  workloads: [{{deployment: web, placement: [{placement}]}}]\n");
        model(&format!("{}{spec}", deployment("web", replicas, "1", "1Gi", extra)))
    }

    #[test]
    fn creates_missing_pods_in_one_sync() {
        let m = cluster(4, "{node: n-0, count: 1}", "");
        let st = m.initial_state(&[3]);
        assert_eq!(enabled(&m, &st), vec![(CREATE, 0, 0)]);
        let reg = registry::<Concrete>();
        let s = all_steps(&m, &reg)
            .into_iter()
            .find(|s| reg[s.actor as usize].name() == "deployment" && s.op == CREATE)
            .unwrap();
        assert_eq!(reg[s.actor as usize].update(&Concrete, &m, &s, &st).pending[0], 3);
    }

    /// ActivePodsWithRanks: surplus pods go from the node with the most replicas first.
    #[test]
    fn scale_down_deletes_from_the_most_loaded_node() {
        let m = cluster(2, "{node: n-0, count: 1}, {node: n-1, count: 2}", "");
        let st = m.initial_state(&[3]);
        assert_eq!(enabled(&m, &st), vec![(DELETE_ON, 0, node(&m, "n-1"))]);
        // Unscheduled pods go before any running one.
        let mut st2 = st.clone();
        st2.pending[0] = 1;
        assert_eq!(enabled(&m, &st2), vec![(DELETE_PENDING, 0, 0)]);
        // Ties between equally loaded nodes are a choice.
        let m = cluster(1, "{node: n-0, count: 1}, {node: n-1, count: 1}", "");
        assert_eq!(enabled(&m, &m.initial_state(&[3])).len(), 2);
    }

    /// Among running pods of one node upstream deletes by ready time, restarts and creation
    /// time in logarithmic buckets, ties by UID: kbmc keeps no timestamps, so a pod of any
    /// usage may go. Deleting only the busiest pod (as kbmc once did) hid the runs where the
    /// idle one goes and the HPA sees the remaining pods hot.
    #[test]
    fn scale_down_may_delete_a_running_pod_of_any_usage() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 1, capacity: {cpu: \"64\", memory: 64Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 2}]}]\n  events:\n    - {type: cpuChange, deployment: web, delta: {min: \"1\", max: \"1\"}, budget: 1}\n";
        let m = model(&format!("{}{spec}", deployment("web", 2, "1", "1Gi", "")));
        let (idle, hot) = (m.kinds_of_group[0][0], m.kinds_of_group[0][1]);
        assert_eq!((m.kinds[idle].cpu_usage, m.kinds[hot].cpu_usage), (1000, 2000));
        let mut st = m.initial_state(&[1]);
        st.running[idle][0] = 1;
        st.running[hot][0] = 1;
        st.desired[0] = 1;
        let reg = registry::<Concrete>();
        let left: Vec<(i64, i64)> = all_steps(&m, &reg)
            .into_iter()
            .filter(|s| {
                reg[s.actor as usize].name() == "deployment" && reg[s.actor as usize].guard(&Concrete, &m, s, &st)
            })
            .map(|s| {
                let after = reg[s.actor as usize].update(&Concrete, &m, &s, &st);
                (after.running[idle][0], after.running[hot][0])
            })
            .collect();
        assert_eq!(left, vec![(0, 1), (1, 0)]);
        // A pod not started yet goes first, and one label stands for it.
        st.bound[0][0] = 1;
        st.desired[0] = 2;
        assert_eq!(enabled(&m, &st), vec![(DELETE_ON, 0, 0)]);
    }

    /// ActivePodsWithRanks puts not-ready pods before ready ones, ahead of the node rank, and
    /// the node lifecycle controller marks a NotReady node's pods not ready: scaling 3 -> 2
    /// with two pods on n-0 and one on a NotReady n-1 deletes the one on n-1.
    #[test]
    fn scale_down_deletes_not_ready_pods_first() {
        let m = cluster(2, "{node: n-0, count: 2}, {node: n-1, count: 1}", "");
        let mut st = m.initial_state(&[3]);
        assert_eq!(enabled(&m, &st), vec![(DELETE_ON, 0, node(&m, "n-0"))]);
        st.status[node(&m, "n-1")] = crate::model::state::NOT_READY;
        assert_eq!(enabled(&m, &st), vec![(DELETE_ON, 0, node(&m, "n-1"))]);
    }

    /// Every outcome of one ReplicaSet sync from `st`: the Deployment controller's steps and
    /// the sync's atomic victim choices (which go first while enabled), taken in every order
    /// until none is enabled; each
    /// outcome as per node (bound, running, terminating) of group 0, with no choice left
    /// marked.
    fn sync_outcomes(m: &Model, st: &ClusterState<Concrete>) -> std::collections::BTreeSet<Vec<(i64, i64, i64)>> {
        sync_ends(m, st, |st| {
            (0..m.nodes())
                .map(|n| (st.bound[0][n], running_of_group(&Concrete, m, st, 0, n), st.terminating[0][n]))
                .collect()
        })
    }

    /// Every end of one ReplicaSet sync from `st` (as [`sync_outcomes`]), each as `f` sees it.
    fn sync_ends<T: Ord>(
        m: &Model,
        st: &ClusterState<Concrete>,
        f: impl Fn(&ClusterState<Concrete>) -> T,
    ) -> std::collections::BTreeSet<T> {
        let reg = registry::<Concrete>();
        let steps: Vec<Step> =
            all_steps(m, &reg).into_iter().filter(|s| reg[s.actor as usize].name() == "deployment").collect();
        let mut out = std::collections::BTreeSet::new();
        let mut todo = vec![st.clone()];
        while let Some(st) = todo.pop() {
            let on: Vec<&Step> = steps.iter().filter(|s| reg[s.actor as usize].guard(&Concrete, m, s, &st)).collect();
            // The sync's atomic choices pre-empt every other step, as in both engines.
            let atomic = on.iter().any(|s| reg[s.actor as usize].class() == Class::Atomic);
            let next: Vec<_> = on
                .into_iter()
                .filter(|s| !atomic || reg[s.actor as usize].class() == Class::Atomic)
                .map(|s| reg[s.actor as usize].update(&Concrete, m, s, &st))
                .collect();
            if next.is_empty() {
                assert!(st.deleting.iter().flatten().all(|&c| c == 0), "a sync ended with choices marked");
                out.insert(f(&st));
            }
            todo.extend(next);
        }
        out
    }

    /// Running pods of group 0 per node in each outcome of `sync_outcomes`.
    fn running_left(m: &Model, st: &ClusterState<Concrete>) -> Vec<Vec<i64>> {
        sync_outcomes(m, st).into_iter().map(|o| o.iter().map(|c| c.1).collect()).collect()
    }

    /// Upstream ranks once per sync (`getPodsRankedByRelatedPodsOnSameNode` in
    /// pkg/controller/replicaset/replica_set.go, then `ActivePodsWithRanks`): 3 + 3 scaled to 3
    /// gives all six pods rank 3, and ties go by ready time and UID, which kbmc does not
    /// know, so the three victims may all come from one node.
    #[test]
    fn scale_down_ranks_once_per_sync() {
        let m = cluster(3, "{node: n-0, count: 3}, {node: n-1, count: 3}", "");
        let st = m.initial_state(&[3]);
        let left = running_left(&m, &st);
        assert_eq!(left, vec![vec![0, 3, 0], vec![1, 2, 0], vec![2, 1, 0], vec![3, 0, 0]]);
        // 3 + 3 + 3 scaled to 7: both victims may come from one node.
        let m = cluster(7, "{node: n-0, count: 3}, {node: n-1, count: 3}, {node: n-2, count: 3}", "");
        let left = running_left(&m, &m.initial_state(&[3]));
        assert!(left.contains(&vec![1, 3, 3]) && left.contains(&vec![2, 2, 3]), "{left:?}");
        assert_eq!(left.len(), 6);
        // 5 + 3 scaled to 5: the three victims all rank 5 at the start of the sync, so all
        // come from n-0; ranks recomputed after each deletion would also allow 3 + 2.
        let m = cluster(5, "{node: n-0, count: 5}, {node: n-1, count: 3}", "");
        assert_eq!(running_left(&m, &m.initial_state(&[3])), vec![vec![2, 3, 0]]);
    }

    /// Cases of upstream `TestGetPodsToDelete` (pkg/controller/replicaset/replica_set_test.go)
    /// that kbmc can state: a scheduled pod not started is phase Pending; a running pod on a
    /// NotReady node is not ready (node lifecycle's MarkPodsNotReady).
    #[test]
    fn get_pods_to_delete_upstream_cases() {
        let not_ready = |st: &mut ClusterState<Concrete>, n: usize| st.status[n] = crate::model::state::NOT_READY;
        // "diff < len(pods)": a ready pod on node 1 and a not-ready one; diff 1 deletes the
        // not-ready one.
        let m = cluster(1, "{node: n-0, count: 1}, {node: n-1, count: 1}", "");
        let mut st = m.initial_state(&[3]);
        not_ready(&mut st, 1);
        assert_eq!(running_left(&m, &st), vec![vec![1, 0, 0]]);
        // "ready vs not-ready, diff < len(pods)": one ready, two not ready, diff 2.
        let m = cluster(1, "{node: n-0, count: 1}, {node: n-1, count: 2}", "");
        let mut st = m.initial_state(&[3]);
        not_ready(&mut st, 1);
        assert_eq!(running_left(&m, &st), vec![vec![1, 0, 0]]);
        // "scheduled vs unscheduled, diff < len(pods)": the unscheduled pod goes.
        let m = cluster(1, "", "");
        let mut st = m.initial_state(&[3]);
        st.pending[0] = 1;
        st.bound[0][0] = 1;
        assert_eq!(sync_outcomes(&m, &st), [vec![(1, 0, 0), (0, 0, 0), (0, 0, 0)]].into_iter().collect());
        // "pending vs running, diff < len(pods)": a scheduled pending pod and a running
        // not-ready one, diff 1: the pending one goes.
        let m = cluster(1, "{node: n-1, count: 1}", "");
        let mut st = m.initial_state(&[3]);
        not_ready(&mut st, 1);
        st.bound[0][0] = 1;
        assert_eq!(sync_outcomes(&m, &st), [vec![(0, 0, 1), (0, 1, 0), (0, 0, 0)]].into_iter().collect());
        // "ready and colocated with another ready pod vs not colocated, diff < len(pods)"
        // (the related pod counted from the same ReplicaSet): one ready pod on node 1, two on
        // node 2, diff 1: one on node 2 goes.
        let m = cluster(2, "{node: n-0, count: 1}, {node: n-1, count: 2}", "");
        assert_eq!(running_left(&m, &m.initial_state(&[3])), vec![vec![1, 1, 0]]);
        // "various pod phases and conditions, diff < len(pods)": ready on node 1, ready on
        // node 2, not ready, scheduled pending, unscheduled; diff 3 deletes the unscheduled,
        // the scheduled pending and the not-ready pods.
        let m = cluster(2, "{node: n-0, count: 1}, {node: n-1, count: 1}, {node: n-2, count: 1}", "");
        let mut st = m.initial_state(&[3]);
        not_ready(&mut st, 2);
        st.pending[0] = 1;
        st.bound[0][2] = 1;
        assert_eq!(sync_outcomes(&m, &st), [vec![(0, 1, 0), (0, 1, 0), (0, 0, 2)]].into_iter().collect());
        // "various pod phases and conditions, diff = len(pods)": all of them go.
        let mut st = m.initial_state(&[3]);
        not_ready(&mut st, 2);
        st.pending[0] = 1;
        st.bound[0][2] = 1;
        st.desired[0] = 0;
        assert_eq!(sync_outcomes(&m, &st), [vec![(0, 0, 1), (0, 0, 1), (0, 0, 2)]].into_iter().collect());
    }

    /// A Deployment `web` of 4 pods under a VerticalPodAutoscaler on a pool of 3 nodes, with
    /// the recommendation of revision 1 current, and its two request sizes' groups (the
    /// template's, the recommendation's), with no pod placed yet.
    fn vpa_cluster() -> (Model, ClusterState<Concrete>, usize, usize) {
        let vpa = "apiVersion: autoscaling.k8s.io/v1\nkind: VerticalPodAutoscaler\nmetadata: {name: web}\nspec:\n  targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  updatePolicy: {updateMode: Recreate}\n---\n";
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 3, capacity: {cpu: \"64\", memory: 64Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 4}], usage: {cpu: 300m}}]\n";
        let m = model(&format!("{}{vpa}{spec}", deployment("web", 4, "1", "1Gi", "")));
        let (g0, g1) = (m.groups_of[0][0], m.groups_of[0][1]);
        assert_ne!(m.ir.groups[g0].requests, m.ir.groups[g1].requests);
        let mut st = m.initial_state(&[3]);
        st.revision[0] = 1;
        for row in st.running.iter_mut().chain(st.bound.iter_mut()) {
            row.iter_mut().for_each(|c| *c = 0);
        }
        (m, st, g0, g1)
    }

    /// Upstream a VerticalPodAutoscaler's request sizes are pods of one ReplicaSet, and
    /// `ActivePodsWithRanks` (pkg/controller/controller_utils.go) does not look at requests:
    /// one sync ranks both sizes' pods together. Two pods of the template's size and one of
    /// the recommendation's on n-0 (rank 3), one of the recommendation's on n-1 (rank 1),
    /// scaled to 2: both victims are on n-0, of either size (ties go by ready time and UID).
    /// Deleting one size's surplus at a time, as kbmc once did, took the n-1 pod of rank 1
    /// and never one pod of each size.
    #[test]
    fn vpa_sizes_are_ranked_together() {
        let (m, mut st, g0, g1) = vpa_cluster();
        let (k0, k1) = (m.kinds_of_group[g0][0], m.kinds_of_group[g1][0]);
        st.running[k0][0] = 2;
        st.running[k1][0] = 1;
        st.running[k1][1] = 1;
        st.desired[0] = 2;
        let left = |st: &ClusterState<Concrete>| -> Vec<Vec<i64>> {
            [g0, g1].iter().map(|&g| (0..m.nodes()).map(|n| active_on(&Concrete, &m, st, g, n)).collect()).collect()
        };
        let ends = sync_ends(&m, &st, left);
        let want = [vec![vec![0, 0, 0], vec![1, 1, 0]], vec![vec![1, 0, 0], vec![0, 1, 0]]];
        assert_eq!(ends, want.into_iter().collect());
        // A pod of phase Pending goes before a running one whatever its size: a bound pod of
        // the recommendation's size on n-1 and two running ones of the template's on n-0,
        // scaled to 2, delete the bound one.
        let (m, mut st, g0, g1) = vpa_cluster();
        st.running[m.kinds_of_group[g0][0]][0] = 2;
        st.bound[g1][1] = 1;
        st.desired[0] = 2;
        let left =
            |st: &ClusterState<Concrete>| -> (Vec<i64>, Vec<i64>) { (st.running[k0].clone(), st.bound[g1].clone()) };
        assert_eq!(sync_ends(&m, &st, left), [(vec![2, 0, 0], vec![0, 0, 0])].into_iter().collect());
    }

    /// `ActivePodsWithRanks` (pkg/controller/controller_utils.go) orders unscheduled pods by
    /// age and UID and never reads `status.nominatedNodeName`: of three unscheduled pods of
    /// `p`, two nominated (to n-0 and n-1) by a preemption, a surplus of one may take any of
    /// them, and a surplus of two any two, the pod left keeping its nomination. kbmc once
    /// deleted pods without a nomination first and cleared every nomination when it deleted
    /// more.
    #[test]
    fn unscheduled_pods_go_nominated_or_not() {
        let classes = "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: low}\nvalue: 0\n---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 1000\n---\n";
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 3, capacity: {cpu: \"4\", memory: 4Gi}}]\n  workloads: [{deployment: p, placement: [{node: n-2, count: 3}]}, {deployment: w, placement: [{node: n-0, count: 2}, {node: n-1, count: 2}]}]\n";
        let m = model(&format!(
            "{classes}{}{}{spec}",
            deployment("p", 3, "1", "1Gi", "priorityClassName: high"),
            deployment("w", 4, "1", "1Gi", "priorityClassName: low")
        ));
        assert!(m.preempts);
        let p = m.groups_of[0][0];
        let mut st = m.initial_state(&[3]);
        for row in &mut st.running {
            row[2] = 0;
        }
        st.pending[p] = 3;
        st.nominated[p][0] = 1;
        st.nominated[p][1] = 1;
        let left = |st: &ClusterState<Concrete>| (st.pending[p], st.nominated[p].clone());
        st.desired[0] = 2;
        let want = [(2, vec![1, 1, 0]), (2, vec![0, 1, 0]), (2, vec![1, 0, 0])];
        assert_eq!(sync_ends(&m, &st, left), want.into_iter().collect());
        st.desired[0] = 1;
        let want = [(1, vec![0, 0, 0]), (1, vec![0, 1, 0]), (1, vec![1, 0, 0])];
        assert_eq!(sync_ends(&m, &st, left), want.into_iter().collect());
    }

    /// Upstream's deletions of one sync are concurrent API calls that other controllers see
    /// one by one: between two deletions of the chosen pods, the scheduler may bind (here a
    /// pending pod of another Deployment) before the second deletion.
    #[test]
    fn other_controllers_act_between_two_deletions_of_a_sync() {
        let m = cluster(4, "{node: n-0, count: 3}, {node: n-1, count: 3}", "");
        let reg = registry::<Concrete>();
        let steps = all_steps(&m, &reg);
        let mut st = m.initial_state(&[3]);
        // Choose all victims (the first choice and the atomic ones).
        while let Some(s) = steps.iter().find(|s| {
            let c = &reg[s.actor as usize];
            c.name() == "deployment" && s.op == DELETE_ON && c.guard(&Concrete, &m, s, &st)
        }) {
            st = reg[s.actor as usize].update(&Concrete, &m, s, &st);
        }
        assert_eq!(chosen_total(&Concrete, &m, &st, 0), 2);
        let deletions: Vec<_> = steps
            .iter()
            .filter(|s| s.op == DELETE_CHOSEN_RUNNING && reg[s.actor as usize].guard(&Concrete, &m, s, &st))
            .collect();
        assert!(!deletions.is_empty());
        let one = reg[deletions[0].actor as usize].update(&Concrete, &m, deletions[0], &st);
        assert_eq!(chosen_total(&Concrete, &m, &one, 0), 1, "one chosen pod is left to delete");
        assert_eq!(surplus(&Concrete, &m, &one, 0), 1);
        // No new choice while the sync's deletions are under way, and the remaining deletion
        // is a fast step, not an atomic one: other fast controllers may go first.
        assert!(enabled(&m, &one).iter().all(|&(op, _, _)| op == DELETE_CHOSEN_RUNNING), "{:?}", enabled(&m, &one));
        assert!(reg[deletions[0].actor as usize].class() == Class::Fast);
    }

    #[test]
    fn node_name_pods_are_created_bound() {
        let m = cluster(1, "", "nodeName: n-2");
        let st = m.initial_state(&[3]);
        let reg = registry::<Concrete>();
        let s = all_steps(&m, &reg)
            .into_iter()
            .find(|s| reg[s.actor as usize].name() == "deployment" && s.op == CREATE)
            .unwrap();
        let after = reg[s.actor as usize].update(&Concrete, &m, &s, &st);
        assert_eq!((after.pending[0], after.bound[0][2]), (0, 1));
    }

    /// RollingUpdate maxSurge 1, maxUnavailable 0: the new revision grows by one, and old pods
    /// go only once new ones run.
    #[test]
    fn rolling_update_respects_surge_and_availability() {
        let strategy = "strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}";
        let base =
            deployment("web", 3, "1", "1Gi", "").replace("  replicas: 3\n", &format!("  replicas: 3\n  {strategy}\n"));
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 3, capacity: {cpu: \"64\", memory: 64Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 3}]}]\n";
        let m = model(&format!("{base}{spec}"));
        // One revision only: the target is the desired count.
        let st = m.initial_state(&[3]);
        assert_eq!(target(&Concrete, &m, &st, 0), 3);
        let d = Concrete;
        let (surge, unavailable) = fenceposts(&d, &3, &m.ir.deployments[0].strategy);
        assert_eq!((surge, unavailable), (1, 0));
        // Percentages: surge rounds up, unavailable down; both 0 makes unavailable 1.
        let s = Strategy::RollingUpdate {
            max_surge: IntOrPercent::Percent(25),
            max_unavailable: IntOrPercent::Percent(25),
        };
        assert_eq!(fenceposts(&d, &3, &s), (1, 0));
        let s = Strategy::RollingUpdate { max_surge: IntOrPercent::Int(0), max_unavailable: IntOrPercent::Percent(10) };
        assert_eq!(fenceposts(&d, &3, &s), (0, 1));
    }
}
