//! Deployment and ReplicaSet controllers: create missing pods, delete surplus ones, roll out a
//! new pod template (RollingUpdate within maxSurge/maxUnavailable, or Recreate).
//!
//! Follows kubernetes `pkg/controller/replicaset/replica_set.go` (manageReplicas,
//! getPodsToDelete), `pkg/controller/controller_utils.go` (ActivePodsWithRanks) and
//! `pkg/controller/deployment/{rolling,recreate}.go`, `util/deployment_util.go`.
//!
//! Modelled: terminating pods do not count as replicas; all missing pods are created in one
//! sync (slow-start batches succeed); scale-down deletes unscheduled pods first, then bound
//! pods that have not started, then running pods on the node with the most pods of the same
//! Deployment (ties between nodes are a nondeterministic choice, as upstream's order is
//! arbitrary there); pods with `spec.nodeName` are created bound to that node.
//! Abstracted: a ReplicaSet's `spec.replicas` is not stored — each revision's target size is
//! derived from the live pod counts at each sync; surplus pods are deleted one per step with
//! ranks recomputed after each deletion (upstream ranks once per sync, so kbmc admits a few
//! victim orders upstream would not pick); among running pods of the chosen node a pod of any
//! usage level may go (upstream's ready-time and creation-time order is not modelled: no
//! timestamps). Availability = running
//! (minReadySeconds 0).

use super::super::{
    active_on, is_current, live_of_group, live_of_group_of, ready, running_of_group, Class, ClusterState, Controller,
    Model, Step,
};
use crate::domain::{Concrete, Domain};
use crate::ir::{IntOrPercent, Strategy};
use crate::model::state::Conditions;

pub struct DeploymentController;

const CREATE: u8 = 0;
const DELETE_PENDING: u8 = 1;
const DELETE_ON: u8 = 2;

/// The strategy in force: the one of the Deployment's current revision.
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
    let groups = &m.groups_of[dep];
    let desired = &st.desired[dep];
    let mut result = d.int(0);
    // Every revision's live pods, summed once where the first branch needs them (each branch
    // summed them again): a solver is given the same terms, made in the same order.
    let mut live: Vec<D::Int> = Vec::new();
    // The target depends on which revision is current: branch over revisions with ite.
    for (rev, &cur) in groups.iter().enumerate() {
        let is_cur = d.eq(&st.revision[dep], &d.int(rev as i64));
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

/// Available pods of group `g` on node `n`: running on a Ready node (minReadySeconds 0). The
/// node lifecycle controller marks the pods of a NotReady node not ready (MarkPodsNotReady).
fn available_on<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, n: usize) -> D::Int {
    d.ite(&ready(d, st, n), &running_of_group(d, m, st, g, n), &d.int(0))
}

/// The nodes whose pods of group `g` a scale-down takes first, in ActivePodsWithRanks'
/// order before the rank: bound pods not started (phase Pending) if any, else running pods
/// that are not ready (on a NotReady node) if any, else running pods.
fn victim_nodes<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize) -> Vec<D::Bool> {
    let nn = m.nodes();
    let zero = d.int(0);
    let has_bound: Vec<D::Bool> = (0..nn).map(|j| d.gt(&st.bound[g][j], &zero)).collect();
    let has_running: Vec<D::Bool> = (0..nn).map(|j| d.gt(&running_of_group(d, m, st, g, j), &zero)).collect();
    let unready: Vec<D::Bool> = (0..nn).map(|j| d.and(&has_running[j], &d.not(&ready(d, st, j)))).collect();
    let any_bound = d.any(has_bound.iter());
    let any_unready = d.any(unready.iter());
    (0..nn)
        .map(|j| d.ite_bool(&any_bound, &has_bound[j], &d.ite_bool(&any_unready, &unready[j], &has_running[j])))
        .collect()
}

/// Pods of Deployment `dep` on node `n` that are not terminating (the deletion rank).
fn rank<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, dep: usize, n: usize) -> D::Int {
    d.sum_of(m.groups_of[dep].iter().map(|&h| active_on(d, m, st, h, n)))
}

fn surplus<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize) -> D::Int {
    let live = live_of_group(d, m, st, g);
    d.sub(&live, &target_with(d, m, st, g, Some(&live)))
}

/// [`surplus`] of a concrete state, with the group's own live pods summed by
/// [`live_of_group_of`] (the target is the one definition; debug builds compare).
fn surplus_of(m: &Model, st: &ClusterState<Concrete>, g: usize) -> i64 {
    let live = live_of_group_of(m, st, g);
    let sur = live - target_with(&Concrete, m, st, g, Some(&live));
    debug_assert_eq!(sur, surplus(&Concrete, m, st, g), "model bug: a surplus summed two ways disagrees");
    sur
}

/// Which pod of the chosen node a DELETE_ON label deletes. A bound pod that has not started
/// goes first (phase Pending before Running); the label of the group's first kind stands for
/// it. Among running pods upstream goes by ready time, restarts and creation time, compared
/// in logarithmic buckets with ties broken by UID (`ActivePodsWithRanks`, LogarithmicScaleDown):
/// kbmc keeps no timestamps, so a running pod of any usage kind may be the one.
fn victim_kind<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, s: &Step, any_bound: &D::Bool) -> D::Bool {
    let (g, n, k) = (s.a as usize, s.b as usize, s.v as usize);
    let first = k == m.kinds_of_group[g][0];
    d.ite_bool(any_bound, &d.bool(first), &d.gt(&st.running[k][n], &d.int(0)))
}

fn node_name_target(m: &Model, g: usize) -> Option<Option<usize>> {
    m.ir.groups[g].node_name.as_ref().map(|name| m.ir.nodes.iter().position(|n| &n.name == name))
}

impl<D: Domain> Controller<D> for DeploymentController {
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
        for g in 0..m.ir.groups.len() {
            out.push(Step::new(actor, CREATE, g, 0, 0));
            out.push(Step::new(actor, DELETE_PENDING, g, 0, 0));
            // One label per node and usage kind: which running pod goes is a choice (below).
            for n in 0..m.nodes() {
                for &k in &m.kinds_of_group[g] {
                    out.push(Step::new(actor, DELETE_ON, g, n, k as i64));
                }
            }
        }
    }
    /// A bind, start, deletion, eviction or usage change on a node changes that node's pods
    /// (and pending pods or budgets, which are not per node).
    fn changes_only_its_node(&self) -> bool {
        true
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        (s.op == DELETE_ON).then_some(s.b as usize)
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let g = s.a as usize;
        let sur = surplus(d, m, st, g);
        match s.op {
            CREATE => d.and(&is_current(d, m, st, g), &d.lt(&sur, &d.int(0))),
            DELETE_PENDING => d.and(&d.gt(&sur, &d.int(0)), &d.gt(&st.pending[g], &d.int(0))),
            _ => {
                let n = s.b as usize;
                let dep = m.dep_of_group(g);
                let no_pending = d.eq(&st.pending[g], &d.int(0));
                let any_bound = d.any_of((0..m.nodes()).map(|j| d.gt(&st.bound[g][j], &d.int(0))));
                let cand = victim_nodes(d, m, st, g);
                let my_rank = rank(d, m, st, dep, n);
                let best = d.all(
                    (0..m.nodes())
                        .map(|j| d.implies(&cand[j], &d.le(&rank(d, m, st, dep, j), &my_rank)))
                        .collect::<Vec<_>>()
                        .iter(),
                );
                d.all(
                    [d.gt(&sur, &d.int(0)), no_pending, cand[n].clone(), best, victim_kind(d, m, st, s, &any_bound)]
                        .iter(),
                )
            }
        }
    }
    fn batch_guard(&self, m: &Model, labels: &[Step], st: &ClusterState<Concrete>) -> Option<Vec<bool>> {
        let d = Concrete;
        let nn = m.nodes();
        // Per group, each computed at most once and only when a label needs it: the surplus;
        // for deletions on a node (only with a surplus and nothing pending), the nodes holding
        // candidates with the top rank and whether a bound pod exists (it goes first).
        let mut surpluses: Vec<Option<i64>> = vec![None; m.ir.groups.len()];
        let mut victims: Vec<Option<(Vec<bool>, bool)>> = vec![None; m.ir.groups.len()];
        Some(
            labels
                .iter()
                .map(|s| {
                    let g = s.a as usize;
                    let sur = *surpluses[g].get_or_insert_with(|| surplus_of(m, st, g));
                    match s.op {
                        CREATE => st.revision[m.dep_of_group(g)] == m.ir.groups[g].revision as i64 && sur < 0,
                        DELETE_PENDING => sur > 0 && st.pending[g] > 0,
                        _ if sur <= 0 || st.pending[g] != 0 => false,
                        _ => {
                            let (best, any_bound) = victims[g].get_or_insert_with(|| {
                                let dep = m.dep_of_group(g);
                                let cand = victim_nodes(&d, m, st, g);
                                let ranks: Vec<i64> = (0..nn).map(|j| rank(&d, m, st, dep, j)).collect();
                                let top = (0..nn).filter(|&j| cand[j]).map(|j| ranks[j]).max().unwrap_or(i64::MIN);
                                let any_bound = (0..nn).any(|j| st.bound[g][j] > 0);
                                ((0..nn).map(|j| cand[j] && ranks[j] == top).collect(), any_bound)
                            });
                            best[s.b as usize] && victim_kind(&d, m, st, s, any_bound)
                        }
                    }
                })
                .collect(),
        )
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
            DELETE_PENDING => {
                let k = d.min(&surplus(d, m, st, g), &st.pending[g]);
                nx.pending[g] = d.sub(&st.pending[g], &k);
            }
            _ => {
                let (n, k) = (s.b as usize, s.v as usize);
                let one = d.int(1);
                let has_bound = d.gt(&st.bound[g][n], &d.int(0));
                nx.bound[g][n] = d.ite(&has_bound, &d.sub(&st.bound[g][n], &one), &st.bound[g][n]);
                // Otherwise one running pod of the label's usage kind.
                nx.running[k][n] = d.ite(&has_bound, &st.running[k][n], &d.sub(&st.running[k][n], &one));
                nx.terminating[g][n] = d.add(&st.terminating[g][n], &one);
            }
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
                    "ReplicaSet of {} creates {created} pod(s){via} (Deployment {dep} wants {desired} replicas)",
                    m.group_name(g)
                )
            }
            DELETE_PENDING => format!(
                "ReplicaSet of {} deletes {} unscheduled pod(s) (surplus)",
                m.group_name(g),
                before.pending[g] - after.pending[g]
            ),
            _ => {
                let (n, k) = (s.b as usize, s.v as usize);
                // Which pod: one not started yet, or (when the group's pods can differ in
                // usage) a running one at the label's usage.
                let which = if before.bound[g][n] > after.bound[g][n] {
                    "a pod not started yet".to_string()
                } else if m.kinds_of_group[g].len() > 1 {
                    let kind = &m.kinds[k];
                    let warming = if kind.warming { ", warming up" } else { "" };
                    format!("a running pod using {}m CPU{warming}", kind.cpu_usage)
                } else {
                    "a running pod".to_string()
                };
                let why = if crate::model::ready(&Concrete, before, n) {
                    "the node with the most of its replicas"
                } else {
                    "not ready: the node is NotReady"
                };
                format!("ReplicaSet of {} deletes {which} on {} ({why})", m.group_name(g), m.node_name(n))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
