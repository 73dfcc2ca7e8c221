//! The DaemonSet controller: one pod per eligible node, created for its node and bound there by
//! the scheduler; a rollout by `updateStrategy`.
//!
//! Follows kubernetes `pkg/controller/daemon/daemon_controller.go`:
//! - `NodeShouldRunDaemonPod` and `predicates`: a node should run the pod when the template's
//!   nodeSelector and required node affinity match it and the pod, with the tolerations
//!   `AddOrUpdateDaemonPodTolerations` adds (pkg/controller/daemon/util/daemonset_util.go:
//!   not-ready and unreachable NoExecute, disk-, memory- and pid-pressure, unschedulable and,
//!   with hostNetwork, network-unavailable NoSchedule; read in `ir/build/daemonsets.rs`),
//!   tolerates every NoSchedule and NoExecute taint of the node; a pod continues running where
//!   every NoExecute taint is tolerated. A NotReady node carries the node lifecycle's
//!   `not-ready` or `unreachable` NoSchedule taint, which no daemon pod tolerates: it should not
//!   run a new pod, and its pod continues (both NoExecute taints are tolerated for ever). A
//!   cordoned node's `unschedulable` taint is tolerated.
//! - `podsShouldBeOnNode` (the manage loop): create a pod for a node that should run one and
//!   has none (`getNodesToDaemonPods` lists terminating pods too: a node whose pod is being
//!   deleted gets its new one once it is gone, or at once when surge is allowed, as
//!   `AllowsSurge`); delete every pod of a node it should not continue on; with surge, of an
//!   old and a new pod the old goes once it is not ready or the new one is available.
//! - `syncNodes`: a created pod carries a required node affinity on `metadata.name`
//!   (`ReplaceDaemonSetPodNodeNameNodeAffinity`), so the default scheduler binds it to its node
//!   or leaves it pending: `ClusterState::unscheduled` per (DaemonSet group, node), which the
//!   scheduler binds through its filters (resources, taints, spread, inter-pod affinity) with
//!   no score to compare. A daemon pod can thus stay pending on a full node.
//! - update.go `rollingUpdate`, `updatedDesiredNodeCounts`, `findUpdatedPodsOnNode`:
//!   desiredNumberScheduled counts the nodes that should run the pod; maxSurge and
//!   maxUnavailable are scaled from it rounding up (`SurgeCount`, `UnavailableCount`), and
//!   maxUnavailable is 1 when both come to 0. Without surge, an old pod that is not available
//!   is deleted, and so are as many available old pods as `maxUnavailable` minus the nodes
//!   counted unavailable (no pod, an old and a new one, a new one not available, an old one not
//!   available) allows. With surge, a new pod is created beside an old one that is not
//!   available, and beside as many available old ones as `maxSurge` minus the nodes whose new
//!   pod is not yet available allows; an old pod goes once the new one beside it is available,
//!   or, on a node that should not run the pod, when it is unavailable or (as far as the
//!   available pods exceed desiredNumberScheduled) available. OnDelete rolls nothing out.
//!
//! Which nodes a sync picks among its candidates follows Go's map order (`nodeToDaemonPods`),
//! which kbmc does not know: every choice is a step, one pod per step, each guard asking the
//! allowance of the state it is taken in. The sync's deletions (creations) land one by one
//! upstream too, and a later step that finds the allowance used up is what the next sync
//! would find; only a change between two of one sync's steps that lowers the allowance (a node
//! failing under the interleaved timing) keeps kbmc from a deletion upstream's sync had
//! already chosen (`daemonset-sync`, flagged under the interleaved timing).
//!
//! Representation: one pod group per DaemonSet revision, as a Deployment's, whose bound,
//! running and terminating pods are per-node counts like every pod's; pending daemon pods are
//! counted per node (`unscheduled`), as each is for one node. Per node and DaemonSet there is
//! at most one pod that is not being deleted per revision, and a run has at most two
//! revisions (one `rolloutRestart`), so a node holds at most one old and one new pod: the
//! guards below read each as "the node's old (new) pod". One group per (DaemonSet, node)
//! would multiply the groups by the nodes and make identical nodes differ in their static
//! facts, losing symmetry; a per-node pending row keeps nodes interchangeable.
//!
//! Abstracted: pods are available once running on a Ready node (`minReadySeconds` is refused
//! above 0); failed and succeeded pods (and the backoff on deleting them) do not exist in
//! kbmc; the burst limit and expectations only order a sync's steps, and kbmc's steps are
//! taken in every order; template generations, history and its cleanup are bookkeeping.
//! This controller must not bind pods (the scheduler does) or start and stop them (the
//! kubelet does).

use super::super::{Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::{DaemonStrategy, IntOrPercent, Placement};
use crate::model::node::{ready, running_of_group};
use crate::model::state::Conditions;

pub struct DaemonSetController;

const CREATE: u8 = 0;
const DELETE: u8 = 1;

/// Which pod of a node a DELETE removes.
const OLD: i64 = 0;
const NEW: i64 = 1;

pub use crate::model::node::daemon_eligible as eligible;

/// The static half of shouldContinueRunning: the node matches and every NoExecute taint of it
/// is tolerated.
pub fn may_continue(p: &Placement) -> bool {
    p.node_name_ok && p.affinity_ok && !p.untolerated_no_execute
}

/// What the guards read of DaemonSet `s` on every node, in one state.
struct View<D: Domain> {
    /// Per node: should run a pod (eligible, present and Ready).
    should_run: Vec<D::Bool>,
    /// Per node: a running pod may stay.
    should_continue: Vec<D::Bool>,
    /// Per node: the new (current revision) pod that is not being deleted, 0 or 1.
    new: Vec<D::Int>,
    /// Per node: the old pod that is not being deleted, 0 or 1.
    old: Vec<D::Int>,
    /// Per node: terminating pods of any revision.
    terminating: Vec<D::Int>,
    /// Per node: the new pod is available (running on a Ready node).
    new_available: Vec<D::Bool>,
    /// Per node: the old pod is available.
    old_available: Vec<D::Bool>,
    /// desiredNumberScheduled.
    desired: D::Int,
    max_surge: D::Int,
    max_unavailable: D::Int,
}

fn scaled<D: Domain>(d: &D, v: IntOrPercent, total: &D::Int) -> D::Int {
    match v {
        IntOrPercent::Int(i) => d.int(i),
        IntOrPercent::Percent(p) => d.div_ceil_const(&d.mul_const(total, p), 100),
    }
}

fn view<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, s: usize) -> View<D> {
    let ds = &m.ir.daemon_sets[s];
    let nn = m.nodes();
    let current = &st.daemon_revision[s];
    let (mut new, mut old, mut terminating) = (vec![d.int(0); nn], vec![d.int(0); nn], vec![d.int(0); nn]);
    let (mut new_running, mut old_running) = (vec![d.int(0); nn], vec![d.int(0); nn]);
    for (r, g) in ds.revisions.iter().enumerate() {
        let g = g.index();
        let row = m.daemon_row[g].expect("a DaemonSet's group has a row");
        let is_new = d.eq(current, &d.int(r as i64));
        for n in 0..nn {
            let running = running_of_group(d, m, st, g, n);
            let live = d.add(&d.add(&st.unscheduled[row][n], &st.bound[g][n]), &running);
            new[n] = d.add(&new[n], &d.ite(&is_new, &live, &d.int(0)));
            old[n] = d.add(&old[n], &d.ite(&is_new, &d.int(0), &live));
            new_running[n] = d.add(&new_running[n], &d.ite(&is_new, &running, &d.int(0)));
            old_running[n] = d.add(&old_running[n], &d.ite(&is_new, &d.int(0), &running));
            terminating[n] = d.add(&terminating[n], &st.terminating[g][n]);
        }
    }
    let facts = &m.ir.groups[ds.revisions[0].index()].per_node;
    let should_run: Vec<D::Bool> =
        (0..nn).map(|n| if eligible(&facts[n]) { ready(d, st, n) } else { d.bool(false) }).collect();
    let should_continue: Vec<D::Bool> =
        (0..nn).map(|n| if may_continue(&facts[n]) { st.present[n].clone() } else { d.bool(false) }).collect();
    let new_available = (0..nn).map(|n| d.and(&ready(d, st, n), &d.gt(&new_running[n], &d.int(0)))).collect();
    let old_available = (0..nn).map(|n| d.and(&ready(d, st, n), &d.gt(&old_running[n], &d.int(0)))).collect();
    let desired = d.sum_of(should_run.iter().map(|b| d.count(b)));
    let (surge, unavailable) = match ds.strategy {
        DaemonStrategy::RollingUpdate { max_surge, max_unavailable } => (max_surge, max_unavailable),
        DaemonStrategy::OnDelete => (IntOrPercent::Int(0), IntOrPercent::Int(0)),
    };
    let max_surge = scaled(d, surge, &desired);
    let mut max_unavailable = scaled(d, unavailable, &desired);
    // updatedDesiredNodeCounts: both 0 with pods to schedule is taken as maxUnavailable 1.
    let fallback =
        d.all([d.gt(&desired, &d.int(0)), d.eq(&max_unavailable, &d.int(0)), d.eq(&max_surge, &d.int(0))].iter());
    max_unavailable = d.ite(&fallback, &d.int(1), &max_unavailable);
    View {
        should_run,
        should_continue,
        new,
        old,
        terminating,
        new_available,
        old_available,
        desired,
        max_surge,
        max_unavailable,
    }
}

/// `AllowsSurge`: the strategy surges (SurgeCount with one node to schedule).
fn allows_surge(m: &Model, s: usize) -> bool {
    match m.ir.daemon_sets[s].strategy {
        DaemonStrategy::RollingUpdate { max_surge, .. } => {
            !matches!(max_surge, IntOrPercent::Int(0) | IntOrPercent::Percent(0))
        }
        DaemonStrategy::OnDelete => false,
    }
}

fn rolling(m: &Model, s: usize) -> bool {
    matches!(m.ir.daemon_sets[s].strategy, DaemonStrategy::RollingUpdate { .. })
}

impl<D: Domain> View<D> {
    fn one(d: &D, x: &D::Int) -> D::Bool {
        d.gt(x, &d.int(0))
    }

    /// Node `n` is among `nodeToDaemonPods` in rollingUpdate: it has a pod (terminating ones
    /// included) or should run one.
    fn listed(&self, d: &D, n: usize) -> D::Bool {
        let pods = d.add(&d.add(&self.new[n], &self.old[n]), &self.terminating[n]);
        d.or(&Self::one(d, &pods), &self.should_run[n])
    }

    /// rollingUpdate without surge: numUnavailable.
    fn unavailable(&self, d: &D) -> D::Int {
        d.sum_of((0..self.new.len()).map(|n| {
            let (nw, od) = (Self::one(d, &self.new[n]), Self::one(d, &self.old[n]));
            let un = d.any(
                [
                    d.and(&d.not(&nw), &d.not(&od)),
                    d.and(&nw, &od),
                    d.all([nw.clone(), d.not(&od), d.not(&self.new_available[n])].iter()),
                    d.all([d.not(&nw), od.clone(), d.not(&self.old_available[n])].iter()),
                ]
                .iter(),
            );
            d.count(&d.and(&self.listed(d, n), &un))
        }))
    }

    /// rollingUpdate with surge: numSurge (nodes whose new pod beside an old one is not yet
    /// available).
    fn surging(&self, d: &D) -> D::Int {
        d.sum_of((0..self.new.len()).map(|n| {
            d.count(
                &d.all([Self::one(d, &self.new[n]), Self::one(d, &self.old[n]), d.not(&self.new_available[n])].iter()),
            )
        }))
    }

    /// rollingUpdate with surge: numAvailable (the old pod's availability where there is one,
    /// else the new one's).
    fn available(&self, d: &D) -> D::Int {
        d.sum_of((0..self.new.len()).map(|n| {
            let a = d.ite_bool(&Self::one(d, &self.old[n]), &self.old_available[n], &self.new_available[n]);
            d.count(&a)
        }))
    }
}

/// Whether DaemonSet `s` creates its current revision's pod for node `n`.
fn create_guard<D: Domain>(d: &D, m: &Model, v: &View<D>, s: usize, n: usize) -> D::Bool {
    let one = |x: &D::Int| View::<D>::one(d, x);
    let (nw, od) = (one(&v.new[n]), one(&v.old[n]));
    // The manage loop: a node that should run a pod and has none (with surge: none that is
    // not being deleted).
    let empty = d.and(&d.not(&nw), &d.not(&od));
    let none_at_all = d.and(&empty, &d.not(&one(&v.terminating[n])));
    let manage = d.and(&v.should_run[n], &if allows_surge(m, s) { empty } else { none_at_all });
    if !(rolling(m, s) && allows_surge(m, s)) {
        return manage;
    }
    // rollingUpdate with surge: beside an old pod that is not available, or within maxSurge.
    let room = d.gt(&d.sub(&v.max_surge, &v.surging(d)), &d.int(0));
    let surge = d.all(
        [
            d.gt(&v.max_surge, &d.int(0)),
            od,
            d.not(&nw),
            v.should_run[n].clone(),
            d.or(&d.not(&v.old_available[n]), &room),
        ]
        .iter(),
    );
    d.or(&manage, &surge)
}

/// Whether DaemonSet `s` deletes node `n`'s old (`which == OLD`) or new pod.
fn delete_guard<D: Domain>(d: &D, m: &Model, v: &View<D>, s: usize, n: usize, which: i64) -> D::Bool {
    let one = |x: &D::Int| View::<D>::one(d, x);
    let (nw, od) = (one(&v.new[n]), one(&v.old[n]));
    let mine = if which == OLD { od.clone() } else { nw.clone() };
    // The manage loop: every pod of a node the pod should not continue on.
    let mut reasons = vec![d.not(&v.should_continue[n])];
    if which == OLD {
        if allows_surge(m, s) {
            // podsShouldBeOnNode with surge: of an old and a new pod, the old one goes once it
            // is not ready or the new one is available.
            reasons.push(
                d.all(
                    [nw.clone(), v.should_continue[n].clone(), d.or(&d.not(&v.old_available[n]), &v.new_available[n])]
                        .iter(),
                ),
            );
        }
        if rolling(m, s) {
            let no_surge = d.eq(&v.max_surge, &d.int(0));
            // Without surge: an old pod alone that is not available, or within maxUnavailable.
            let room = d.gt(&d.sub(&v.max_unavailable, &v.unavailable(d)), &d.int(0));
            let alone = d.and(&d.not(&nw), &d.or(&d.not(&v.old_available[n]), &room));
            reasons.push(d.and(&no_surge, &alone));
            if allows_surge(m, s) {
                let surge = d.gt(&v.max_surge, &d.int(0));
                let excess = d.gt(&d.sub(&v.available(d), &v.desired), &d.int(0));
                let sunset =
                    d.all([d.not(&nw), d.not(&v.should_run[n]), d.or(&d.not(&v.old_available[n]), &excess)].iter());
                let replaced = d.and(&nw, &v.new_available[n]);
                reasons.push(d.and(&surge, &d.or(&sunset, &replaced)));
            }
        }
    }
    d.and(&mine, &d.any(reasons.iter()))
}

/// Only the current revision has pods before any rollout: deleting an old pod needs two.
fn never(m: &Model, s: &Step) -> bool {
    s.op == DELETE && s.v == OLD && m.ir.daemon_sets[s.a as usize].revisions.len() < 2
}

/// Label `s`'s guard, given its DaemonSet's view of the state.
fn guard_in<D: Domain>(d: &D, m: &Model, s: &Step, v: &View<D>) -> D::Bool {
    let (ds, n) = (s.a as usize, s.b as usize);
    match s.op {
        CREATE => create_guard(d, m, v, ds, n),
        _ => delete_guard(d, m, v, ds, n, s.v),
    }
}

impl crate::model::hints::ExplicitHints for DaemonSetController {
    /// Each DaemonSet's view of its pods once per state, not once per label: its labels are
    /// one per node and operation, and each view reads every node.
    fn batch_guard(&self, m: &Model, labels: &[Step], st: &ClusterState<Concrete>) -> Option<Vec<bool>> {
        let d = Concrete;
        let mut views: Vec<Option<View<Concrete>>> = (0..m.ir.daemon_sets.len()).map(|_| None).collect();
        Some(
            labels
                .iter()
                .map(|s| {
                    !never(m, s)
                        && guard_in(&d, m, s, views[s.a as usize].get_or_insert_with(|| view(&d, m, st, s.a as usize)))
                })
                .collect(),
        )
    }
}

impl<D: Domain> Controller<D> for DaemonSetController {
    fn explicit_hints(&self) -> Option<&dyn crate::model::hints::ExplicitHints> {
        Some(self)
    }
    fn name(&self) -> &'static str {
        "daemonset"
    }
    fn class(&self) -> Class {
        Class::Fast
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        for (s, ds) in m.ir.daemon_sets.iter().enumerate() {
            let facts = &m.ir.groups[ds.revisions[0].index()].per_node;
            for n in 0..m.nodes() {
                if eligible(&facts[n]) {
                    out.push(Step::new(actor, CREATE, s, n, 0));
                }
                out.push(Step::new(actor, DELETE, s, n, OLD));
                if ds.revisions.len() > 1 || !may_continue(&facts[n]) {
                    out.push(Step::new(actor, DELETE, s, n, NEW));
                }
            }
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        Some(s.b as usize)
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        if never(m, s) {
            return d.bool(false);
        }
        guard_in(d, m, s, &view(d, m, st, s.a as usize))
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let (si, n) = (s.a as usize, s.b as usize);
        let ds = &m.ir.daemon_sets[si];
        let current = &st.daemon_revision[si];
        for (r, g) in ds.revisions.iter().enumerate() {
            let g = g.index();
            let row = m.daemon_row[g].expect("a DaemonSet's group has a row");
            let is_new = d.eq(current, &d.int(r as i64));
            if s.op == CREATE {
                nx.unscheduled[row][n] = d.add(&st.unscheduled[row][n], &d.count(&is_new));
                continue;
            }
            // The revision whose pod goes: an unscheduled one is gone at once (it has no
            // node to stop on), a bound or running one terminates on its node.
            let this = if s.v == NEW { is_new } else { d.not(&is_new) };
            let k = m.start_kind[g];
            let un = d.and(&this, &d.gt(&st.unscheduled[row][n], &d.int(0)));
            let bd = d.all([this.clone(), d.not(&un), d.gt(&st.bound[g][n], &d.int(0))].iter());
            let rn = d.all([this, d.not(&un), d.not(&bd), d.gt(&st.running[k][n], &d.int(0))].iter());
            nx.unscheduled[row][n] = d.sub(&st.unscheduled[row][n], &d.count(&un));
            if m.preempts {
                // A deleted pending pod takes its nomination (to this node) with it.
                nx.nominated[g][n] = d.min(&st.nominated[g][n], &nx.unscheduled[row][n]);
            }
            nx.bound[g][n] = d.sub(&st.bound[g][n], &d.count(&bd));
            nx.running[k][n] = d.sub(&st.running[k][n], &d.count(&rn));
            nx.terminating[g][n] = d.add(&st.terminating[g][n], &d.add(&d.count(&bd), &d.count(&rn)));
        }
    }
    fn describe(
        &self,
        m: &Model,
        s: &Step,
        before: &ClusterState<Concrete>,
        _after: &ClusterState<Concrete>,
    ) -> String {
        let (si, n) = (s.a as usize, s.b as usize);
        let ds = &m.ir.daemon_sets[si];
        let current = before.daemon_revision[si] as usize;
        let node = m.node_name(n);
        match (s.op, s.v) {
            (CREATE, _) => {
                let g = ds.revisions[current].index();
                format!(
                    "DaemonSet {} creates a pod of {} for {node} (pending until the scheduler binds it there)",
                    ds.name,
                    m.group_name(g)
                )
            }
            (_, which) => {
                let g = ds.revisions[if which == NEW { current } else { 1 - current.min(1) }].index();
                format!("DaemonSet {} deletes the pod of {} on {node}", ds.name, m.group_name(g))
            }
        }
    }
}

#[cfg(test)]
mod tests;
