//! kube-scheduler: binds one pending pod per step to a feasible node with the top total score.
//! Owns the bind step, its guard, its description and the engine hints for it; must not
//! filter or score a node itself (the plugins and the runtime that runs them are
//! `model::framework`'s; where the model preempts, `model::nominations` counts the nominated
//! pods).
//!
//! Follows kubernetes `pkg/scheduler/schedule_one.go` (`schedulePod`: `findNodesThatFitPod`,
//! `prioritizeNodes`, `selectHost`). Kubernetes picks uniformly among top-scoring nodes, so
//! every one of them is a possible step.
//! A DaemonSet's pod is created for one node (a required node affinity on `metadata.name`,
//! controllers/daemonset/) and pending in `ClusterState::unscheduled` per node: only that
//! node can be feasible, so it binds there when every filter passes, with no score to compare,
//! and stays pending while one fails (where the model preempts, it may preempt on that node:
//! controllers/preemption/).
//! Abstracted: an unschedulable pod stays pending and is retried whenever a node becomes
//! feasible (the scheduling queue's backoff and flush are timing). Where the model may
//! preempt, a pod is filtered with the pods nominated to a node counted there, and pods with
//! a nomination are bound by controllers/preemption/.

use super::super::framework::{feasible, feasible_with, scheduled, scores_with, NodeLoads, SMALL_CLUSTER_NODES};
use super::super::{nominations, Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::model::state::{Conditions, READY};

pub struct Scheduler;

const BIND: u8 = 0;

/// Pods of group `g` pending for node `n`: a DaemonSet's pods created for `n`, or any pending
/// pod of a Deployment's group (whose pods may go to any node).
pub fn pending_for<'a, D: Domain>(m: &Model, st: &'a ClusterState<D>, g: usize, n: usize) -> &'a D::Int {
    match m.daemon_row[g] {
        Some(r) => &st.unscheduled[r][n],
        None => &st.pending[g],
    }
}

/// Whether group `g` has a pod pending somewhere, for sure not (`Some(false)`), or maybe.
fn none_pending<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize) -> bool {
    match m.daemon_row[g] {
        Some(r) => st.unscheduled[r].iter().all(|x| d.known(x) == Some(0)),
        None => d.known(&st.pending[g]) == Some(0),
    }
}

impl<D: Domain> Controller<D> for Scheduler {
    fn explicit_hints(&self) -> Option<&dyn crate::model::hints::ExplicitHints> {
        Some(self)
    }
    fn symbolic_hints(&self) -> Option<&dyn crate::model::hints::SymbolicHints<D>> {
        Some(self)
    }
    fn name(&self) -> &'static str {
        "scheduler"
    }
    fn class(&self) -> Class {
        Class::Fast
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        if !m.ir.controllers.scheduler {
            return;
        }
        for g in (0..m.ir.groups.len()).filter(|&g| scheduled(m, g)) {
            for n in 0..m.nodes() {
                out.push(Step::new(actor, BIND, g, n, 0));
            }
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        Some(s.b as usize)
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let (g, n) = (s.a as usize, s.b as usize);
        if m.preempts {
            return preempting_guard(d, m, st, &mut nominations::Binds::new(m, st), g, n);
        }
        let loads = NodeLoads::of(d, m, st);
        let feas = feasible_with(d, m, st, &loads, g);
        let pending = d.gt(pending_for(m, st, g, n), &d.int(0));
        if m.daemon_row[g].is_some() {
            // Its node is the only one its node affinity admits: no score to compare.
            return d.and(&pending, &feas[n]);
        }
        let sc = scores_with(d, m, st, &loads, g, &feas);
        let top = d.all_of((0..m.nodes()).map(|j| d.implies(&feas[j], &d.ge(&sc[n], &sc[j]))));
        d.all([pending, feas[n].clone(), top].iter())
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let (g, n) = (s.a as usize, s.b as usize);
        match m.daemon_row[g] {
            Some(r) => nx.unscheduled[r][n] = d.sub(&st.unscheduled[r][n], &d.int(1)),
            None => nx.pending[g] = d.sub(&st.pending[g], &d.int(1)),
        }
        nx.bound[g][n] = d.add(&st.bound[g][n], &d.int(1));
        // VolumeBinding's PreBind: a StatefulSet pod's WaitForFirstConsumer volume is
        // provisioned in the zone of the node it is bound to.
        crate::model::claims::bind_claim_into(d, m, g, n, nx);
    }
    fn describe(
        &self,
        m: &Model,
        s: &Step,
        before: &ClusterState<Concrete>,
        _after: &ClusterState<Concrete>,
    ) -> String {
        let (g, n) = (s.a as usize, s.b as usize);
        if m.daemon_row[g].is_some() {
            return format!("binds a pod of {} to {} (the node it was created for)", m.group_name(g), m.node_name(n));
        }
        let d = Concrete;
        let loads = NodeLoads::of(&d, m, before);
        let feas = feasible_with(&d, m, before, &loads, g);
        let sc = scores_with(&d, m, before, &loads, g, &feas);
        let others: Vec<String> =
            (0..m.nodes()).filter(|&j| feas[j] && j != n).map(|j| format!("{} {}", m.node_name(j), sc[j])).collect();
        let rest = if others.is_empty() {
            "the only feasible node".to_string()
        } else {
            format!("others: {}", others.join(", "))
        };
        format!("binds a pod of {} to {} (score {}; {rest})", m.group_name(g), m.node_name(n), sc[n])
    }
}

impl crate::model::hints::ExplicitHints for Scheduler {
    /// A bind, start, deletion, eviction or usage change on a node changes that node's pods
    /// (and pending pods or budgets, which are not per node).
    fn changes_only_its_node(&self) -> bool {
        true
    }
    /// Which groups have a pod pending and, if any does, what the filters and scores read of
    /// each node, a row per node: its conditions, and per group its active pods (bound or
    /// running) and its terminating ones, which decide [`NodeLoads`]. Not which usage kind a
    /// running pod has, nor whether a pod is bound or started: the states of a search differ
    /// mostly there, so few distinct keys stand for many states (hundreds for C8's 1.4 M
    /// states at 9 nodes). Filters and scores read a node's static facts, its row and sums
    /// over all nodes, never its index, so nodes with the same static facts can be renamed:
    /// C8 at 39 nodes, whose descheduler keeps states from being renamed, has 1,729 keys in
    /// its first 2,048 lookups but four up to renaming.
    fn guard_key(&self, m: &Model, st: &ClusterState<Concrete>, key: &mut Vec<i64>) -> Option<usize> {
        key.clear();
        // Where the model preempts, a pod nominated somewhere is preemption's to bind: the
        // scheduler tries the others (`unnominated`).
        key.extend((0..m.ir.groups.len()).filter(|&g| scheduled(m, g)).map(|g| {
            let tried = match m.daemon_row[g] {
                None if m.preempts => nominations::unnominated(&Concrete, m, st, g) > 0,
                _ => !none_pending(&Concrete, m, st, g),
            };
            tried as i64
        }));
        if !key.contains(&1) {
            // Nothing to bind: every guard is false whatever the nodes say.
            return Some(0);
        }
        let nn = m.nodes();
        // Per node: conditions, per group its active and terminating pods, then per DaemonSet
        // group its pods pending for the node, then where the model preempts per group its
        // pods nominated to the node (the filters count them).
        let daemons = 1 + 2 * m.kinds_of_group.len();
        let nominated = daemons + m.daemon_groups.len();
        let width = nominated + if m.preempts { m.ir.groups.len() } else { 0 };
        let at = key.len();
        key.resize(at + nn * width, 0);
        // Row by row over zipped per-node vectors (indexing every vector at every node made the
        // key 6 % of C4's instructions).
        let rows = key[at..].chunks_exact_mut(width);
        for (r, ((&p, &s), &c)) in rows.zip(st.present.iter().zip(&st.status).zip(&st.cordoned)) {
            r[0] = p as i64 | ((s == READY) as i64) << 1 | (c as i64) << 2;
        }
        // The filters tell the cordon from the cluster autoscaler's taint, which `cordoned`
        // holds alike; a node it removes is told apart (no bit on other pools' nodes).
        for (n, r) in key[at..].chunks_exact_mut(width).enumerate().filter(|_| !st.scaling_down.is_empty()) {
            if crate::model::node::scaling_down(&Concrete, st, n) {
                r[0] |= 1 << 3 | (crate::model::node::spec_unschedulable(&Concrete, m, st, n) as i64) << 4;
            }
        }
        for (g, kinds) in m.kinds_of_group.iter().enumerate() {
            let rows = key[at..].chunks_exact_mut(width);
            for (r, (&b, &t)) in rows.zip(st.bound[g].iter().zip(&st.terminating[g])) {
                r[1 + 2 * g] = b;
                r[2 + 2 * g] = t;
            }
            for &k in kinds {
                for (r, &x) in key[at..].chunks_exact_mut(width).zip(&st.running[k]) {
                    r[1 + 2 * g] += x;
                }
            }
        }
        for (i, row) in st.unscheduled.iter().enumerate() {
            for (r, &x) in key[at..].chunks_exact_mut(width).zip(row) {
                r[daemons + i] = x;
            }
        }
        for (g, row) in st.nominated.iter().enumerate().filter(|_| m.preempts) {
            for (r, &x) in key[at..].chunks_exact_mut(width).zip(row) {
                r[nominated + g] = x;
            }
        }
        Some(width)
    }
    fn batch_guard(&self, m: &Model, labels: &[Step], st: &ClusterState<Concrete>) -> Option<Vec<bool>> {
        if m.preempts {
            return Some(batch_guard_preempting(m, labels, st));
        }
        let d = Concrete;
        // Per pod group: feasibility, the top score and every node's score.
        type Ranked = (Vec<bool>, i64, Vec<i64>);
        let mut cache: Vec<Option<Ranked>> = vec![None; m.ir.groups.len()];
        let mut loads = None;
        Some(
            labels
                .iter()
                .map(|s| {
                    let (g, n) = (s.a as usize, s.b as usize);
                    if *pending_for(m, st, g, n) == 0 {
                        return false;
                    }
                    let (feas, top, sc) = cache[g].get_or_insert_with(|| {
                        let loads = loads.get_or_insert_with(|| NodeLoads::of(&d, m, st));
                        let feas = feasible_with(&d, m, st, loads, g);
                        let sc = scores_with(&d, m, st, loads, g, &feas);
                        let top = (0..m.nodes()).filter(|&j| feas[j]).map(|j| sc[j]).max().unwrap_or(i64::MIN);
                        (feas, top, sc)
                    });
                    feas[n] && (m.daemon_row[g].is_some() || sc[n] == *top)
                })
                .collect(),
        )
    }
}

/// The scheduler's guards where the model preempts, as `Controller::guard` gives them
/// ([`nominations::bind`] for a pod without a nomination): the filters with the nominated pods
/// counted and the scores once per pod group, the node loads once per state.
fn batch_guard_preempting(m: &Model, labels: &[Step], st: &ClusterState<Concrete>) -> Vec<bool> {
    let d = Concrete;
    // Per pod group: feasibility, and (not for a DaemonSet's pods) the top score and every
    // node's score.
    type Ranked = (Vec<bool>, Option<(i64, Vec<i64>)>);
    let mut cache: Vec<Option<Ranked>> = vec![None; m.ir.groups.len()];
    let mut loads = None;
    labels
        .iter()
        .map(|s| {
            let (g, n) = (s.a as usize, s.b as usize);
            if nominations::unnominated_for(&d, m, st, g, n) <= 0 {
                return false;
            }
            let (feas, ranked) = cache[g].get_or_insert_with(|| {
                let loads = loads.get_or_insert_with(|| NodeLoads::of(&d, m, st));
                let feas = nominations::feasible_with(&d, m, st, loads, g, None);
                let ranked = m.daemon_row[g].is_none().then(|| {
                    let sc = scores_with(&d, m, st, loads, g, &feas);
                    let top = (0..m.nodes()).filter(|&j| feas[j]).map(|j| sc[j]).max().unwrap_or(i64::MIN);
                    (top, sc)
                });
                (feas, ranked)
            });
            feas[n] && ranked.as_ref().is_none_or(|(top, sc)| sc[n] == *top)
        })
        .collect()
}

/// The bind of a pod of `g` to `n` where the model preempts: pods nominated by a preemption
/// are counted where they are nominated, and bound by controllers/preemption/; a pod without
/// a nomination is bound through the filters with them counted (a DaemonSet's to its own node
/// alone). `binds` holds what other labels of the same state summed.
fn preempting_guard<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    binds: &mut nominations::Binds<D>,
    g: usize,
    n: usize,
) -> D::Bool {
    let here = d.gt(&nominations::unnominated_for(d, m, st, g, n), &d.int(0));
    binds.bind(d, g, None, n, here)
}

impl<D: Domain> crate::model::hints::SymbolicHints<D> for Scheduler {
    /// Some bind is enabled exactly when a pod of some group is pending and a node is feasible
    /// for it: among feasible nodes one has the top score, so the score comparisons (the
    /// costly part for a solver) drop out.
    fn any_enabled(&self, d: &D, m: &Model, st: &ClusterState<D>) -> Option<D::Bool> {
        if !m.ir.controllers.scheduler {
            return Some(d.bool(false));
        }
        if m.preempts {
            return None;
        }
        Some(d.any_of((0..m.ir.groups.len()).filter(|&g| scheduled(m, g)).map(|g| match m.daemon_row[g] {
            Some(r) => d.any_of(
                feasible(d, m, st, g).into_iter().zip(&st.unscheduled[r]).map(|(f, u)| d.and(&d.gt(u, &d.int(0)), &f)),
            ),
            None => d.and(&d.gt(&st.pending[g], &d.int(0)), &d.any_of(feasible(d, m, st, g))),
        })))
    }
    /// Node loads once per state, feasibility and scores once per pod group, then each label's
    /// guard as `Controller::guard` writes it (pairwise top score up to
    /// [`SMALL_CLUSTER_NODES`] nodes, against the maximum beyond). Where the model preempts,
    /// the binds through [`nominations::Binds`], which does the same per group and nomination.
    fn batch_guard(&self, d: &D, m: &Model, labels: &[Step], st: &ClusterState<D>) -> Option<Vec<D::Bool>> {
        if m.preempts {
            let mut binds = nominations::Binds::new(m, st);
            return Some(
                labels.iter().map(|s| preempting_guard(d, m, st, &mut binds, s.a as usize, s.b as usize)).collect(),
            );
        }
        let nn = m.nodes();
        let mut loads = None;
        // Per pod group: feasibility, scores and, past the pairwise size, the top score.
        type Ranked<D> = (Vec<<D as Domain>::Bool>, Vec<<D as Domain>::Int>, Option<<D as Domain>::Int>);
        let mut cache: Vec<Option<Ranked<D>>> = (0..m.ir.groups.len()).map(|_| None).collect();
        Some(
            labels
                .iter()
                .map(|s| {
                    let (g, n) = (s.a as usize, s.b as usize);
                    if d.known(pending_for(m, st, g, n)) == Some(0) {
                        return d.bool(false);
                    }
                    let pending = d.gt(pending_for(m, st, g, n), &d.int(0));
                    let (feas, sc, max) = cache[g].get_or_insert_with(|| {
                        let loads = loads.get_or_insert_with(|| NodeLoads::of(d, m, st));
                        let feas = feasible_with(d, m, st, loads, g);
                        let sc = scores_with(d, m, st, loads, g, &feas);
                        let max = (nn > SMALL_CLUSTER_NODES).then(|| d.masked_max(&sc, &feas, 0));
                        (feas, sc, max)
                    });
                    let top = match max {
                        _ if m.daemon_row[g].is_some() => d.bool(true),
                        Some(max) => d.ge(&sc[n], max),
                        None => d.all_of((0..nn).map(|j| d.implies(&feas[j], &d.ge(&sc[n], &sc[j])))),
                    };
                    d.all([pending, feas[n].clone(), top].iter())
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::{deployment, model, node};

    #[test]
    fn bind_goes_to_a_top_scoring_node_only() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: a, count: 2, labels: {topology.kubernetes.io/zone: zone-a}, capacity: {cpu: \"64\", memory: 64Gi}}\n    - {name: b, count: 1, labels: {topology.kubernetes.io/zone: zone-b}, capacity: {cpu: \"64\", memory: 64Gi}}\n  workloads:\n    - deployment: web\n      placement: [{node: a-0, count: 2}, {node: a-1, count: 1}, {node: b-0, count: 2}]\n";
        let m = model(&format!("{}{spec}", deployment("web", 6, "1", "1Gi", "")));
        let mut st = m.initial_state(&[2, 1]);
        st.pending[0] = 1;
        let reg = crate::model::registry::<Concrete>();
        let steps = crate::model::all_steps(&m, &reg);
        let enabled: Vec<usize> = steps
            .iter()
            .filter(|s| {
                reg[s.actor as usize].name() == "scheduler" && reg[s.actor as usize].guard(&Concrete, &m, s, &st)
            })
            .map(|s| s.b as usize)
            .collect();
        // a-1 holds the fewest pods: LeastAllocated and the system-default spread both prefer it.
        assert_eq!(enabled, vec![node(&m, "a-1")]);
    }
}
