//! PodDisruptionBudgets: the status the disruption controller computes from the pods, and the
//! check the Eviction API makes before a voluntary eviction (a drain's, the descheduler's).
//! Involuntary deletions (node lifecycle and taint eviction, a kernel panic, a node failure, a
//! ReplicaSet's scale-down) never ask it. Written once over the value domain; it owns no
//! actor: the evicting actors call it.
//!
//! Follows kubernetes:
//! - `pkg/controller/disruption/disruption.go`: `getExpectedPodCount` (an integer
//!   `minAvailable` expects the selected pods that exist and desires that many healthy; a
//!   percentage, or `maxUnavailable`, expects the sum of the scales of the selected pods'
//!   controllers (`getExpectedScale`: a ReplicaSet owned by a Deployment counts as the
//!   Deployment, its `spec.replicas`), percentages rounded up (`GetScaledValueFromIntOrPercent`
//!   with roundUp), `desiredHealthy = expected − maxUnavailable` floored at 0); neither set
//!   expects none), `countHealthyPods` (not being deleted, and Ready) and `updatePdbStatus`
//!   (`disruptionsAllowed = currentHealthy − desiredHealthy`, 0 when that is not positive or
//!   no pod is expected).
//! - `pkg/registry/core/pod/storage/eviction.go`: a pod that is not running (phase Pending) or
//!   already being deleted is deleted without a look at any PDB (`canIgnorePDB`); a pod two
//!   PDBs select cannot be evicted (an error, "more than one PodDisruptionBudget"); a pod no
//!   PDB selects is evicted; a pod that is not Ready is evicted without using the budget
//!   under `unhealthyPodEvictionPolicy: AlwaysAllow`, or under the default `IfHealthyBudget`
//!   while `currentHealthy >= desiredHealthy > 0`; otherwise `checkAndDecrement` refuses
//!   (429) unless `disruptionsAllowed > 0`, and an allowed eviction takes one from it.
//!
//! What kbmc tracks: a pod is Ready when it runs on a Ready node (pods start ready; node
//! lifecycle marks a NotReady node's pods not ready), bound pods that have not started are
//! phase Pending, and an evicted pod is terminating at once (upstream records it in the PDB's
//! `disruptedPods` until it is deleted, which the controller counts the same way). The status
//! is computed from the state each time it is asked, as the disruption controller (a fast
//! controller reacting to pod events) would have it, except for one lag kbmc keeps: a node
//! that fails (nodeFailure, kernelPanic) keeps its pods Ready until node lifecycle marks them
//! after its grace period (`MarkPodsNotReady`, 40 s), and the status counts them healthy
//! until the controller's next sync after that. That window is timing, which kbmc does not
//! keep, so it is a flag per node (`ClusterState::pdb_stale`, only where `Model::pdb_lag`):
//! set by the failure, cleared by [`StatusSync`] (a periodic step: under the urgent policy fast
//! evictions come first) or by the node's recovery. While it is set the Eviction API's check
//! ([`guard`]) counts the node's running pods healthy, and treats each of them as the pod
//! upstream may have either way (Ready, or marked not Ready while the status still counts it):
//! what it lets go is a superset of both. Preemption's PDB split, the cluster autoscaler's
//! planner and the `disruptionsWithinBudget` monitor read the current status ([`status`]).

use super::{Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::{IntOrPercent, PdbBudget};
use crate::model::node::{queued_on, ready, running_of_group};
use crate::model::state::Conditions;

/// A PDB's status as the disruption controller computes it.
pub struct Status<D: Domain> {
    pub expected: D::Int,
    pub desired_healthy: D::Int,
    pub current_healthy: D::Int,
}

/// Pods of group `g` the pod informer lists (pending, bound, running, terminating).
fn listed<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize) -> D::Int {
    let mut r = st.pending[g].clone();
    for n in 0..m.nodes() {
        r = d.add(&r, &d.add(&crate::model::node::active_on(d, m, st, g, n), &st.terminating[g][n]));
        if let Some(row) = m.daemon_row[g] {
            r = d.add(&r, &st.unscheduled[row][n]);
        }
    }
    r
}

/// `GetScaledValueFromIntOrPercent(v, total, roundUp: true)`.
fn scaled<D: Domain>(d: &D, v: IntOrPercent, total: &D::Int) -> D::Int {
    match v {
        IntOrPercent::Int(i) => d.int(i),
        IntOrPercent::Percent(p) => d.div_ceil_const(&d.mul_const(total, p), 100),
    }
}

/// The status of PDB `p` in state `st`, as the cluster is now.
pub fn status<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, p: usize) -> Status<D> {
    status_as(d, m, st, p, false)
}

/// The status of PDB `p` the Eviction API may read in state `st`: the pods of a node whose
/// failure the status does not show yet (`pdb_stale`) still counted healthy.
pub fn api_status<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, p: usize) -> Status<D> {
    status_as(d, m, st, p, true)
}

/// Whether the status counts node `n`'s running pods healthy: on a Ready node, or, where
/// `lagging`, on a failed node the status does not know failed yet.
fn counted<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, n: usize, lagging: bool) -> D::Bool {
    let r = ready(d, st, n);
    if lagging && m.pdb_lag {
        d.or(&r, &d.eq(&st.pdb_stale[0][n], &d.int(1)))
    } else {
        r
    }
}

fn status_as<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, p: usize, lagging: bool) -> Status<D> {
    let pdb = &m.ir.pdbs[p];
    let groups: Vec<usize> = (0..m.ir.groups.len()).filter(|&g| pdb.selects[g]).collect();
    let mut current = d.int(0);
    for &g in &groups {
        for n in 0..m.nodes() {
            let healthy = counted(d, m, st, n, lagging);
            current = d.add(&current, &d.ite(&healthy, &running_of_group(d, m, st, g, n), &d.int(0)));
        }
    }
    // getExpectedScale: each Deployment with a selected pod counts once, at its scale.
    let scale = || {
        let mut e = d.int(0);
        for dep in 0..m.ir.deployments.len() {
            // A DaemonSet's groups: refused on input under a percentage or maxUnavailable.
            let mine: Vec<usize> = groups
                .iter()
                .copied()
                .filter(|&g| m.ir.groups[g].deployment().is_some_and(|x| x.index() == dep))
                .collect();
            if mine.is_empty() {
                continue;
            }
            let pods = d.sum_of(mine.iter().map(|&g| listed(d, m, st, g)));
            e = d.add(&e, &d.ite(&d.gt(&pods, &d.int(0)), &st.desired[dep], &d.int(0)));
        }
        e
    };
    let (expected, desired_healthy) = match pdb.budget {
        PdbBudget::MinAvailable(IntOrPercent::Int(k)) => {
            (d.sum_of(groups.iter().map(|&g| listed(d, m, st, g))), d.int(k))
        }
        PdbBudget::MinAvailable(v) => {
            let e = scale();
            let desired = scaled(d, v, &e);
            (e, desired)
        }
        PdbBudget::MaxUnavailable(v) => {
            let e = scale();
            let desired = d.max(&d.sub(&e, &scaled(d, v, &e)), &d.int(0));
            (e, desired)
        }
        PdbBudget::Unset => (d.int(0), d.int(0)),
    };
    Status { expected, desired_healthy, current_healthy: current }
}

/// `disruptionsAllowed` of a status.
pub fn allowed<D: Domain>(d: &D, s: &Status<D>) -> D::Int {
    let surplus = d.sub(&s.current_healthy, &s.desired_healthy);
    d.ite(&d.and(&d.gt(&s.expected, &d.int(0)), &d.gt(&surplus, &d.int(0))), &surplus, &d.int(0))
}

/// How the Eviction API treats the running pods of a group on a node.
pub enum Guard<D: Domain> {
    /// No PDB selects them: every eviction succeeds.
    Free,
    /// Two or more PDBs select them: every eviction fails.
    Refused,
    /// One PDB: `take` evictions may succeed one after another from this state (each allowed
    /// one of a Ready pod takes one from `disruptionsAllowed`; a pod that is not Ready and may
    /// go without the budget takes none, so `take` is then the model's pod bound).
    Budget { pdb: usize, take: D::Int },
}

/// How the Eviction API treats a running pod of group `g` on node `n` in state `st`.
pub fn guard<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, n: usize) -> Guard<D> {
    let pdbs = m.ir.pdbs_of_group(g);
    let &[p] = pdbs.as_slice() else {
        return if pdbs.is_empty() { Guard::Free } else { Guard::Refused };
    };
    let s = api_status(d, m, st, p);
    let budget = allowed(d, &s);
    // A pod that is not Ready: AlwaysAllow, or IfHealthyBudget while the application is not
    // disrupted, lets it go without the budget; otherwise the budget decides. A pod of a
    // failed node the status still counts is taken this way too: upstream it may already be
    // marked not Ready, and this take is never below the budget a Ready pod would use.
    let free_unready = if m.ir.pdbs[p].always_allow {
        d.bool(true)
    } else {
        d.and(&d.ge(&s.current_healthy, &s.desired_healthy), &d.gt(&s.desired_healthy, &d.int(0)))
    };
    let unready_take = d.ite(&free_unready, &d.int(m.max_pods), &budget);
    Guard::Budget { pdb: p, take: d.ite(&ready(d, st, n), &budget, &unready_take) }
}

/// Whether the Eviction API lets one running pod of group `g` on node `n` go now.
pub fn allows<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, n: usize) -> D::Bool {
    match guard(d, m, st, g, n) {
        Guard::Free => d.bool(true),
        Guard::Refused => d.bool(false),
        Guard::Budget { take, .. } => d.gt(&take, &d.int(0)),
    }
}

/// How many running pods of group `g` on node `n` the Eviction API lets go one after another
/// from `st`, if it limits them (`None`: no PDB selects them).
pub fn running_cap<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, n: usize) -> Option<D::Int> {
    match guard(d, m, st, g, n) {
        Guard::Free => None,
        Guard::Refused => Some(d.int(0)),
        Guard::Budget { take, .. } => Some(take),
    }
}

/// The indices of the `disruptionsWithinBudget` intents.
fn budget_intents(m: &Model) -> impl Iterator<Item = usize> + '_ {
    (0..m.ir.intents.len()).filter(|&i| matches!(m.ir.intents[i], crate::ir::Intent::DisruptionsWithinBudget))
}

/// After an eviction step from `st` to `nx`, voluntary where `voluntary` holds: turns on the monitor of every
/// `disruptionsWithinBudget` intent when the step lowered some PDB's healthy pods below the
/// number it requires (what the Eviction API's check exists to prevent).
pub fn note_breach<D: Domain>(d: &D, m: &Model, voluntary: &D::Bool, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
    let intents: Vec<usize> = budget_intents(m).collect();
    if intents.is_empty() || m.ir.pdbs.is_empty() {
        return;
    }
    let mut breach = d.bool(false);
    if d.known_bool(voluntary) == Some(false) {
        return;
    }
    for p in 0..m.ir.pdbs.len() {
        let before = status(d, m, st, p);
        let after = status(d, m, nx, p);
        let lowered = d.lt(&after.current_healthy, &before.current_healthy);
        let below = d.lt(&after.current_healthy, &after.desired_healthy);
        breach = d.or(&breach, &d.and(&lowered, &below));
    }
    for i in intents {
        nx.monitor[i] = d.or(&st.monitor[i], &d.and(voluntary, &breach));
    }
}

/// PDB `p`'s status as the Eviction API reads it, in words: "PodDisruptionBudget web-pdb
/// (minAvailable 3) allows 0 disruptions: 3 healthy pods, 3 required"; where it still counts
/// a failed node's pods healthy, how many are healthy now too.
pub fn describe(m: &Model, st: &ClusterState<Concrete>, p: usize) -> String {
    let s = api_status(&Concrete, m, st, p);
    let now = status(&Concrete, m, st, p).current_healthy;
    let pdb = &m.ir.pdbs[p];
    let lag = if now == s.current_healthy {
        String::new()
    } else {
        let nodes: Vec<&str> =
            (0..m.nodes()).filter(|&n| m.pdb_lag && st.pdb_stale[0][n] == 1).map(|n| m.node_name(n)).collect();
        format!(
            " by its status, which counts the pods of {} before they are marked not ready ({now} now)",
            nodes.join(", ")
        )
    };
    format!(
        "PodDisruptionBudget {} ({}) allows {}: {} healthy{lag}, {} required",
        pdb.name,
        pdb.budget,
        crate::count(allowed(&Concrete, &s), "disruption", "disruptions"),
        crate::count(s.current_healthy, "pod", "pods"),
        s.desired_healthy
    )
}

/// Why the Eviction API refuses a running pod of group `g` on node `n`, if it does.
pub fn refusal(m: &Model, st: &ClusterState<Concrete>, g: usize, n: usize) -> Option<String> {
    match guard(&Concrete, m, st, g, n) {
        Guard::Free => None,
        Guard::Refused => {
            let names: Vec<&str> = m.ir.pdbs_of_group(g).iter().map(|&p| m.ir.pdbs[p].name.as_str()).collect();
            Some(format!(
                "the pods of {} have more than one PodDisruptionBudget ({}), which the eviction subresource does not support",
                m.group_name(g),
                names.join(", ")
            ))
        }
        Guard::Budget { pdb, take } => (take <= 0).then(|| describe(m, st, pdb)),
    }
}

/// The drains held up by the Eviction API in state `st`: per draining node whose queued
/// running pods it refuses, "kubectl drain a-0 retries evicting a pod of web: <why>".
pub fn blocked_drains(m: &Model, st: &ClusterState<Concrete>) -> Vec<String> {
    let mut out = Vec::new();
    if m.ir.pdbs.is_empty() || !m.queues_evictions {
        return out;
    }
    for n in (0..m.nodes()).filter(|&n| st.draining[n]) {
        for g in 0..m.ir.groups.len() {
            let queued = queued_on(&Concrete, m, st, g, n);
            if queued > 0 && running_of_group(&Concrete, m, st, g, n) > 0 {
                if let Some(why) = refusal(m, st, g, n) {
                    out.push(format!(
                        "kubectl drain {} retries evicting a pod of {}: {why}",
                        m.node_name(n),
                        m.group_name(g)
                    ));
                }
            }
        }
    }
    out
}

/// Marks node `n`'s pods as counted healthy by the status after the node fails in the step
/// to `nx` (node lifecycle has not marked them, the disruption controller not synced).
pub fn note_failure_into<D: Domain>(d: &D, m: &Model, n: usize, nx: &mut ClusterState<D>) {
    if m.pdb_lag {
        nx.pdb_stale[0][n] = d.int(1);
    }
}

/// Node `n` is Ready again in `nx`: its pods are healthy whichever status is read.
pub fn note_recovery_into<D: Domain>(d: &D, m: &Model, n: usize, nx: &mut ClusterState<D>) {
    if m.pdb_lag {
        nx.pdb_stale[0][n] = d.int(0);
    }
}

/// The disruption controller catching up with a failed node: node lifecycle has marked its
/// pods not Ready (`MarkPodsNotReady`, after the grace period) and the controller's sync
/// (`trySync`, `countHealthyPods`) writes statuses that count them unhealthy. One step per
/// node, periodic: the grace period is timing, so evictions may come before it or after it.
pub struct StatusSync;

const SYNC: u8 = 0;

impl<D: Domain> Controller<D> for StatusSync {
    fn name(&self) -> &'static str {
        "disruption"
    }
    fn class(&self) -> Class {
        Class::Periodic
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        if m.pdb_lag {
            out.extend((0..m.nodes()).map(|n| Step::new(actor, SYNC, n, 0, 0)));
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        Some(s.a as usize)
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    fn guard(&self, d: &D, _m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        d.eq(&st.pdb_stale[0][s.a as usize], &d.int(1))
    }
    fn update_into(&self, d: &D, _m: &Model, s: &Step, _st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        nx.pdb_stale[0][s.a as usize] = d.int(0);
    }
    fn describe(&self, m: &Model, s: &Step, _b: &ClusterState<Concrete>, _a: &ClusterState<Concrete>) -> String {
        format!(
            "node lifecycle marks the pods of {} not ready and the disruption controller's PodDisruptionBudget statuses count them unhealthy",
            m.node_name(s.a as usize)
        )
    }
}

#[cfg(test)]
mod tests;
