//! StatefulSet controller: creates, deletes and replaces a StatefulSet's pods by ordinal.
//!
//! Follows kubernetes `pkg/controller/statefulset/stateful_set_control.go`: `updateStatefulSet`
//! (replicas `[0, spec.replicas)` and condemned pods at or above, the monotonic rule of
//! OrderedReady against the burst of Parallel, then the rolling update), `processReplica` (a
//! missing ordinal is created, at the current revision below the partition and at the update
//! revision otherwise — `newVersionedStatefulSetPod` in `stateful_set_utils.go`; under
//! OrderedReady the sync stops at the first ordinal that is missing, terminating, or not
//! Running and Ready), `processCondemned` (condemned pods deleted from the highest ordinal
//! down; under OrderedReady one per sync, waiting for a terminating one and for unhealthy
//! ones but the first unhealthy), the rolling update's loop from the highest ordinal down to
//! the partition (delete the first pod not at the update revision, wait at the first
//! unavailable one) and `completeRollingUpdate` (`stateful_set_status_updater.go`: the current
//! revision becomes the update revision once every created pod is updated and ready); and
//! `isRunningAndReady`, `isHealthy`, `isUnavailable` of `stateful_set_utils.go`.
//!
//! Modelled: a pod's identity is its group (one per revision, ordinal and zone of the
//! ordinal's volume, `ir::Ordinal`), and at most one pod per ordinal exists, terminating ones
//! included: a new pod of an ordinal is created only once the old one is gone, which for a
//! pod on a NotReady node is never, until its node is back or it is force-deleted (the
//! kubelet's stop waits for a Ready node; `forceDeletePods`). Running and Ready is running on
//! a Ready node (node lifecycle marks a NotReady node's pods not ready); minReadySeconds is 0
//! (others are refused), so available is ready. Each create and each delete is a fast step of
//! its own, as a Parallel sync's calls land one by one while other controllers act; under
//! OrderedReady a sync does one of them anyway. A zonal volume claim is bound by the
//! scheduler's bind (`model::claims::bind_claim_into`, VolumeBinding's PreBind) in the zone of
//! the node; from then on the ordinal's pods are created in the group of that zone, which the
//! VolumeZone filter keeps there. Which groups hold an ordinal's pod is `model::ordinals`'.
//! The rolling update replaces one pod at a time. Under Parallel it depends on the
//! MaxUnavailableStatefulSet feature gate (off up to 1.34, on by default from 1.35), which
//! kbmc's input does not say: with the gate off (the loop of `updateStatefulSet`) the next pod
//! is deleted while a lower replica is unavailable; with it on
//! (`updateStatefulSetAfterInvariantEstablished`, `maxUnavailable` unset: 1) the update waits
//! while any replica is unavailable. A first step chooses the gate (`Model::gate_at`), so the
//! runs of both are explored; under OrderedReady the two agree (the sync reaches the update
//! only with every replica healthy). A `maxUnavailable` is refused.
//! Abstracted: the completion of a rolling update may
//! happen while a pod just created is not yet scheduled (upstream does not count a pod
//! created in the same sync): it only adds runs. Failed pods, identity and storage repairs of
//! existing pods, and claims deleted on scale-down are not modelled (no such pods; the rest is
//! refused on input).

use super::super::{Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::{PodManagement, StatefulUpdate};
use crate::model::node::{ready, running_of_group};
use crate::model::ordinals::{groups_of_ordinal, stateful_set};
use crate::model::state::Conditions;

pub struct StatefulSetController;

const CREATE: u8 = 0;
const DELETE_CONDEMNED: u8 = 1;
const DELETE_UPDATE: u8 = 2;
const COMPLETE: u8 = 3;
/// Chooses whether the cluster runs with the MaxUnavailableStatefulSet gate (`v`: 0 off, 1 on).
const GATE: u8 = 4;

/// Whether StatefulSet `d`'s rolling update is one the MaxUnavailableStatefulSet gate
/// changes: a Parallel StatefulSet with a RollingUpdate and a revision to roll out.
pub fn gate_matters(d: &crate::ir::Deployment) -> bool {
    d.revisions.len() > 1
        && d.stateful.as_ref().is_some_and(|s| {
            s.pod_management == PodManagement::Parallel && matches!(s.update, StatefulUpdate::RollingUpdate { .. })
        })
}

/// What the sync reads of each ordinal's pod (at most one exists).
pub struct Pods<D: Domain> {
    /// The pod exists: pending, bound, running or terminating.
    pub exists: Vec<D::Bool>,
    /// It is bound or running on a node, or terminating (not merely pending).
    pub placed: Vec<D::Bool>,
    /// It is terminating (deletion requested, not confirmed).
    pub terminating: Vec<D::Bool>,
    /// It is Running and Ready: running on a Ready node.
    pub ready: Vec<D::Bool>,
    /// It is not terminating and not at the update revision.
    pub stale: Vec<D::Bool>,
}

impl<D: Domain> Pods<D> {
    pub fn of(d: &D, m: &Model, st: &ClusterState<D>, dep: usize) -> Self {
        let s = stateful_set(m, dep);
        let zero = d.int(0);
        let n = s.ordinals as usize;
        let mut p = Pods { exists: vec![], placed: vec![], terminating: vec![], ready: vec![], stale: vec![] };
        for o in 0..n {
            let (mut pending, mut placed, mut term, mut ready_n, mut stale) =
                (d.int(0), d.int(0), d.int(0), d.int(0), d.int(0));
            for g in groups_of_ordinal(m, dep, o) {
                let rev = m.ir.groups[g].revision as i64;
                let mut live = st.pending[g].clone();
                pending = d.add(&pending, &st.pending[g]);
                for node in 0..m.nodes() {
                    let running = running_of_group(d, m, st, g, node);
                    live = d.add(&live, &d.add(&st.bound[g][node], &running));
                    placed = d.add(&placed, &d.add(&st.bound[g][node], &running));
                    term = d.add(&term, &st.terminating[g][node]);
                    ready_n = d.add(&ready_n, &d.ite(&ready(d, st, node), &running, &zero));
                }
                let old = d.ne(&st.revision[dep], &d.int(rev));
                stale = d.add(&stale, &d.ite(&old, &live, &zero));
            }
            let placed = d.add(&placed, &term);
            p.exists.push(d.gt(&d.add(&pending, &placed), &zero));
            p.placed.push(d.gt(&placed, &zero));
            p.terminating.push(d.gt(&term, &zero));
            p.ready.push(d.gt(&ready_n, &zero));
            p.stale.push(d.gt(&stale, &zero));
        }
        p
    }

    /// `isHealthy`: Running and Ready and not terminating.
    pub fn healthy(&self, d: &D, o: usize) -> D::Bool {
        d.and(&self.ready[o], &d.not(&self.terminating[o]))
    }
}

/// Whether ordinal `o` is below the desired replicas (a replica, not condemned).
fn replica<D: Domain>(d: &D, st: &ClusterState<D>, dep: usize, o: usize) -> D::Bool {
    d.lt(&d.int(o as i64), &st.desired[dep])
}

/// Under OrderedReady, every replica is healthy and no condemned pod exists in the state:
/// what a sync needs to reach its condemned pods (healthy replicas) and its update (both).
fn settled<D: Domain>(d: &D, st: &ClusterState<D>, dep: usize, p: &Pods<D>, condemned_too: bool) -> D::Bool {
    let n = p.exists.len();
    d.all_of((0..n).map(|j| {
        let r = replica(d, st, dep, j);
        let cond = if condemned_too { d.not(&p.exists[j]) } else { d.bool(true) };
        d.ite_bool(&r, &p.healthy(d, j), &cond)
    }))
}

fn guard_of<D: Domain>(d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
    let (dep, o) = (s.a as usize, s.b as usize);
    let ss = stateful_set(m, dep);
    let p = Pods::of(d, m, st, dep);
    let n = p.exists.len();
    let monotonic = ss.pod_management == PodManagement::OrderedReady;
    match s.op {
        CREATE => {
            let mut c = vec![replica(d, st, dep, o), d.not(&p.exists[o])];
            if monotonic {
                // processReplica stops the sync at the first ordinal that is not healthy.
                c.extend((0..o).map(|j| p.healthy(d, j)));
            }
            d.all(c.iter())
        }
        DELETE_CONDEMNED => {
            let mut c = vec![d.not(&replica(d, st, dep, o)), p.exists[o].clone(), d.not(&p.terminating[o])];
            if monotonic {
                c.push(settled(d, st, dep, &p, false));
                // The highest condemned pod: the one the sync processes first and last.
                c.extend((o + 1..n).map(|j| d.not(&p.exists[j])));
                // Not Running and Ready: deleted only as the first unhealthy pod (condemned
                // ones below it, which exist, are healthy).
                let first_unhealthy = d.all_of(
                    (0..o).map(|j| d.implies(&d.and(&d.not(&replica(d, st, dep, j)), &p.exists[j]), &p.healthy(d, j))),
                );
                c.push(d.or(&p.ready[o], &first_unhealthy));
            }
            d.all(c.iter())
        }
        DELETE_UPDATE => {
            let StatefulUpdate::RollingUpdate { partition } = ss.update else { return d.bool(false) };
            if (o as i64) < partition {
                return d.bool(false);
            }
            let mut c = vec![replica(d, st, dep, o), p.stale[o].clone()];
            if monotonic {
                c.push(settled(d, st, dep, &p, true));
            }
            // The loop from the highest replica down: every one above is updated and
            // available (else it is deleted first, or the loop waits there).
            c.extend(
                (o + 1..n).map(|j| d.implies(&replica(d, st, dep, j), &d.and(&p.healthy(d, j), &d.not(&p.stale[j])))),
            );
            if let Some(at) = m.gate_at(dep) {
                // The gate is chosen; with it on, no replica is unavailable (a missing one
                // counts: the sync creates it before it gets here).
                let gate = &st.stateful[at];
                let all_healthy = d.all_of((0..n).map(|j| d.implies(&replica(d, st, dep, j), &p.healthy(d, j))));
                c.push(d.ne(gate, &d.int(-1)));
                c.push(d.or(&d.ne(gate, &d.int(1)), &all_healthy));
            }
            d.all(c.iter())
        }
        GATE => {
            let at = m.gate_at(dep).expect("gate labels come from steps()");
            d.eq(&st.stateful[at], &d.int(-1))
        }
        _ => {
            let at = m.stateful_at[dep].expect("a StatefulSet");
            let mut c = vec![d.ne(&st.stateful[at], &st.revision[dep])];
            // Every created pod updated and ready (a pending pod aside: see the module).
            c.extend((0..n).map(|j| d.implies(&p.placed[j], &d.all([p.healthy(d, j), d.not(&p.stale[j])].iter()))));
            d.all(c.iter())
        }
    }
}

/// The revision a pod created now for ordinal `o` gets: the current one below the partition
/// of a RollingUpdate, else the update revision (`newVersionedStatefulSetPod`).
fn new_revision<D: Domain>(m: &Model, st: &ClusterState<D>, dep: usize, o: usize) -> D::Int {
    match stateful_set(m, dep).update {
        StatefulUpdate::RollingUpdate { partition } if (o as i64) < partition => {
            st.stateful[m.stateful_at[dep].expect("a StatefulSet")].clone()
        }
        _ => st.revision[dep].clone(),
    }
}

/// Deletes ordinal `o`'s pod: a pending one goes at once (no kubelet to wait for), a bound or
/// running one becomes terminating on its node.
fn delete_into<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, dep: usize, o: usize, nx: &mut ClusterState<D>) {
    let zero = d.int(0);
    for g in groups_of_ordinal(m, dep, o) {
        nx.pending[g] = zero.clone();
        for n in 0..m.nodes() {
            let running = running_of_group(d, m, st, g, n);
            nx.terminating[g][n] = d.add(&st.terminating[g][n], &d.add(&st.bound[g][n], &running));
            nx.bound[g][n] = zero.clone();
            for &k in &m.kinds_of_group[g] {
                nx.running[k][n] = zero.clone();
            }
        }
    }
}

impl<D: Domain> Controller<D> for StatefulSetController {
    fn name(&self) -> &'static str {
        "statefulset"
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
        for (dep, d) in m.ir.deployments.iter().enumerate() {
            let Some(s) = &d.stateful else { continue };
            for o in 0..s.ordinals as usize {
                out.push(Step::new(actor, CREATE, dep, o, 0));
                out.push(Step::new(actor, DELETE_CONDEMNED, dep, o, 0));
                if matches!(s.update, StatefulUpdate::RollingUpdate { partition } if (o as i64) >= partition)
                    && d.revisions.len() > 1
                {
                    out.push(Step::new(actor, DELETE_UPDATE, dep, o, 0));
                }
            }
            if gate_matters(d) {
                for on in [0, 1] {
                    out.push(Step::new(actor, GATE, dep, 0, on));
                }
            }
            // The current revision matters only to pods created below a partition.
            if matches!(s.update, StatefulUpdate::RollingUpdate { partition } if partition > 0) && d.revisions.len() > 1
            {
                out.push(Step::new(actor, COMPLETE, dep, 0, 0));
            }
        }
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        guard_of(d, m, s, st)
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let (dep, o) = (s.a as usize, s.b as usize);
        match s.op {
            CREATE => {
                let rev = new_revision(m, st, dep, o);
                // The group of the volume's zone (slot 0: not bound yet).
                let slot = match m.claim_at(dep, o) {
                    Some(at) => d.add(&st.stateful[at], &d.int(1)),
                    None => d.int(0),
                };
                for (r, by_ordinal) in stateful_set(m, dep).groups.iter().enumerate() {
                    for (z, g) in by_ordinal[o].iter().enumerate() {
                        let here = d.and(&d.eq(&rev, &d.int(r as i64)), &d.eq(&slot, &d.int(z as i64)));
                        let g = g.index();
                        nx.pending[g] = d.add(&st.pending[g], &d.ite(&here, &d.int(1), &d.int(0)));
                    }
                }
            }
            DELETE_CONDEMNED | DELETE_UPDATE => delete_into(d, m, st, dep, o, nx),
            GATE => {
                let at = m.gate_at(dep).expect("gate labels come from steps()");
                nx.stateful[at] = d.int(s.v);
            }
            _ => {
                let at = m.stateful_at[dep].expect("a StatefulSet");
                nx.stateful[at] = st.revision[dep].clone();
            }
        }
    }
    fn describe(&self, m: &Model, s: &Step, before: &ClusterState<Concrete>, after: &ClusterState<Concrete>) -> String {
        let (dep, o) = (s.a as usize, s.b as usize);
        let name = &m.ir.deployments[dep].name;
        let pod = |st: &ClusterState<Concrete>| {
            groups_of_ordinal(m, dep, o)
                .find(|&g| {
                    st.pending[g] > 0
                        || (0..m.nodes()).any(|n| {
                            st.bound[g][n] + st.terminating[g][n] + running_of_group(&Concrete, m, st, g, n) > 0
                        })
                })
                .map(|g| m.group_name(g))
                .unwrap_or_else(|| format!("{name}-{o}"))
        };
        match s.op {
            CREATE => format!(
                "StatefulSet {name} creates pod {} (ordinal {o} of {} replicas)",
                pod(after),
                after.desired[dep]
            ),
            DELETE_CONDEMNED => format!(
                "StatefulSet {name} deletes pod {} (ordinal {o} is at or above its {} replicas; highest first)",
                pod(before),
                before.desired[dep]
            ),
            DELETE_UPDATE => format!(
                "StatefulSet {name} deletes pod {} for its rolling update to revision {} (highest ordinal not updated)",
                pod(before),
                before.revision[dep]
            ),
            GATE if s.v == 1 => format!(
                "the cluster runs with the MaxUnavailableStatefulSet feature gate (the default from Kubernetes 1.35): StatefulSet {name}'s rolling update waits while a replica is unavailable"
            ),
            GATE => format!(
                "the cluster runs without the MaxUnavailableStatefulSet feature gate (Kubernetes up to 1.34): StatefulSet {name}'s rolling update deletes its next pod while a lower replica is unavailable"
            ),
            _ => format!("StatefulSet {name}'s rolling update completes: current revision {}", after.revision[dep]),
        }
    }
}

/// Ordinals below the StatefulSet's desired replicas without a Running pod on a Ready node:
/// what `statefulSetAvailable` counts.
pub fn unavailable<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, dep: usize) -> D::Int {
    let p = Pods::of(d, m, st, dep);
    d.sum_of((0..p.ready.len()).map(|o| {
        let down = d.and(&replica(d, st, dep, o), &d.not(&p.ready[o]));
        d.ite(&down, &d.int(1), &d.int(0))
    }))
}

#[cfg(test)]
mod tests;
