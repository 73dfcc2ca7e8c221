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
//! controller reacting to pod events) would have it: a stale status is not modelled.

use super::{ready, running_of_group, ClusterState, Model};
use crate::domain::{Concrete, Domain};
use crate::ir::{IntOrPercent, PdbBudget};

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
        r = d.add(&r, &d.add(&super::active_on(d, m, st, g, n), &st.terminating[g][n]));
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

/// The status of PDB `p` in state `st`.
pub fn status<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, p: usize) -> Status<D> {
    let pdb = &m.ir.pdbs[p];
    let groups: Vec<usize> = (0..m.ir.groups.len()).filter(|&g| pdb.selects[g]).collect();
    let mut current = d.int(0);
    for &g in &groups {
        for n in 0..m.nodes() {
            current = d.add(&current, &d.ite(&ready(d, st, n), &running_of_group(d, m, st, g, n), &d.int(0)));
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
    let s = status(d, m, st, p);
    let budget = allowed(d, &s);
    // A pod that is not Ready: AlwaysAllow, or IfHealthyBudget while the application is not
    // disrupted, lets it go without the budget; otherwise the budget decides.
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

/// PDB `p`'s status in words: "PodDisruptionBudget web-pdb (minAvailable 3) allows 0
/// disruptions: 3 healthy pods, 3 required".
pub fn describe(m: &Model, st: &ClusterState<Concrete>, p: usize) -> String {
    let s = status(&Concrete, m, st, p);
    let pdb = &m.ir.pdbs[p];
    format!(
        "PodDisruptionBudget {} ({}) allows {}: {} healthy, {} required",
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
            let queued = super::controllers::taint_eviction::queued_on(&Concrete, m, st, g, n);
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

#[cfg(test)]
mod tests;
