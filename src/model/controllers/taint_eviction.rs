//! Taint eviction controller: pods that do not tolerate a NoExecute taint of their node are
//! deleted.
//!
//! Follows kubernetes `pkg/controller/tainteviction/taint_eviction.go` (processPodOnNode): an
//! untolerated NoExecute taint deletes the pod at once, one work item per pod, so a node's pods
//! go one step each. `QueuedEviction` carries out the evictions queued for a NotReady node
//! whose pods' toleration ran out (node lifecycle queues them) and those a drain requested;
//! the queue itself is a node fact (`model::node`'s `queued_on`, `queue_into`,
//! `clear_queue_into`), which those who queue and cancel share. Pods bound by `spec.nodeName`
//! bypass the scheduler's TaintToleration filter, so they can land on such a node and be
//! evicted.
//! Abstracted: `tolerationSeconds` is rejected as unmodelled input (except on the node
//! condition taints, which node lifecycle models), so every toleration here holds forever;
//! with `--allow-unmodeled` a toleration with seconds is ignored here and the pod is evicted
//! at once instead of after the delay.

use super::super::{disruption, Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::model::node::{all_disrupted, not_ready, queued_on, voluntary};
use crate::model::state::Conditions;

pub struct TaintEviction;

/// A label's op: evict one bound pod (not started) of the group from the node, or one running
/// pod of the label's usage kind. Upstream handles each pod as its own work item, so which
/// goes first is a choice, and other controllers may act between two of them.
const BOUND: u8 = 0;
const RUNNING: u8 = 1;

/// One label per pod class of group `g` on node `n`: its bound pods, and its running pods of
/// each usage kind.
fn one_pod_labels(m: &Model, actor: usize, g: usize, n: usize, out: &mut Vec<Step>) {
    out.push(Step::new(actor, BOUND, g, n, 0));
    for &k in &m.kinds_of_group[g] {
        out.push(Step::new(actor, RUNNING, g, n, k as i64));
    }
}

/// The label's pod exists: a bound pod of group `s.a` on node `s.b`, or a running one of kind
/// `s.v`.
fn one_pod_exists<D: Domain>(d: &D, st: &ClusterState<D>, s: &Step) -> D::Bool {
    let (g, n) = (s.a as usize, s.b as usize);
    let count = if s.op == BOUND { &st.bound[g][n] } else { &st.running[s.v as usize][n] };
    d.gt(count, &d.int(0))
}

/// Moves the label's pod to terminating, in `nx` (a copy of `st`).
fn evict_one_into<D: Domain>(d: &D, st: &ClusterState<D>, s: &Step, nx: &mut ClusterState<D>) {
    let (g, n) = (s.a as usize, s.b as usize);
    let one = d.int(1);
    if s.op == BOUND {
        nx.bound[g][n] = d.sub(&st.bound[g][n], &one);
    } else {
        let k = s.v as usize;
        nx.running[k][n] = d.sub(&st.running[k][n], &one);
    }
    nx.terminating[g][n] = d.add(&st.terminating[g][n], &one);
}

fn describe_one(m: &Model, s: &Step) -> String {
    let g = s.a as usize;
    let which = if s.op == BOUND {
        "a pod not started yet".to_string()
    } else if m.kinds_of_group[g].len() > 1 {
        format!("a running pod {}", m.usage_words(s.v as usize))
    } else {
        "a running pod".to_string()
    };
    format!("evicts {which} of {} from {}", m.group_name(g), m.node_name(s.b as usize))
}

/// Whether taint eviction itself would delete the queued pods of group `g` on node `n`: the
/// node is NotReady and their toleration of the unreachable taint runs out (node lifecycle
/// queues them at any time after the failure, shortest delay first; here the order is not
/// asked, which only adds runs). A drained node that fails has its pods queued by both; such a
/// pod goes whatever its PodDisruptionBudget says. Not while every zone is fully disrupted:
/// node lifecycle has removed the taint then.
fn forced<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, n: usize) -> D::Bool {
    let c = &m.ir.controllers;
    if c.node_lifecycle && c.taint_eviction && m.ir.groups[g].unreachable_eviction_after.is_some() {
        d.and(&not_ready(d, st, n), &d.not(&all_disrupted(d, m, st)))
    } else {
        d.bool(false)
    }
}

impl<D: Domain> Controller<D> for TaintEviction {
    fn explicit_hints(&self) -> Option<&dyn crate::model::hints::ExplicitHints> {
        Some(self)
    }
    fn name(&self) -> &'static str {
        "taint-eviction"
    }
    fn class(&self) -> Class {
        Class::Fast
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        if !m.ir.controllers.taint_eviction {
            return;
        }
        for (g, grp) in m.ir.groups.iter().enumerate() {
            for n in 0..m.nodes() {
                if grp.per_node[n].evicted_no_execute {
                    one_pod_labels(m, actor, g, n, out);
                }
            }
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        Some(s.b as usize)
    }
    fn evicts(&self, _s: &Step) -> bool {
        true
    }
    fn guard(&self, d: &D, _m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        d.and(&st.present[s.b as usize], &one_pod_exists(d, st, s))
    }
    fn update_into(&self, d: &D, _m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        evict_one_into(d, st, s, nx)
    }
    fn describe(
        &self,
        m: &Model,
        s: &Step,
        _before: &ClusterState<Concrete>,
        _after: &ClusterState<Concrete>,
    ) -> String {
        let n = s.b as usize;
        let taints: Vec<String> = m.ir.nodes[n]
            .taints
            .iter()
            .filter(|t| t.effect == crate::ir::Effect::NoExecute)
            .map(|t| t.to_string())
            .collect();
        format!("{}: NoExecute taint {} not tolerated", describe_one(m, s), taints.join(", "))
    }
}

impl crate::model::hints::ExplicitHints for TaintEviction {
    /// A bind, start, deletion, eviction or usage change on a node changes that node's pods
    /// (and pending pods or budgets, which are not per node).
    fn changes_only_its_node(&self) -> bool {
        true
    }
}

/// The evictions a drain requested, or taint eviction queued once a NotReady node's pods'
/// toleration ran out, one pod per step. Upstream kubectl drain evicts every pod of the node
/// concurrently, and taint eviction has one work item per pod (`processPodOnNode`): the
/// ReplicaSet, the scheduler and the kubelet may act between two evictions of one node, and
/// so they may here (a fast step).
pub struct QueuedEviction;

impl<D: Domain> Controller<D> for QueuedEviction {
    fn explicit_hints(&self) -> Option<&dyn crate::model::hints::ExplicitHints> {
        Some(self)
    }
    fn name(&self) -> &'static str {
        "eviction"
    }
    fn class(&self) -> Class {
        Class::Fast
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        if !m.queues_evictions {
            return;
        }
        for g in 0..m.ir.groups.len() {
            for n in 0..m.nodes() {
                one_pod_labels(m, actor, g, n, out);
            }
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        Some(s.b as usize)
    }
    fn evicts(&self, _s: &Step) -> bool {
        true
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let (g, n) = (s.a as usize, s.b as usize);
        let queued = d.and(&d.gt(&queued_on(d, m, st, g, n), &d.int(0)), &one_pod_exists(d, st, s));
        if s.op == BOUND || m.ir.pdbs.is_empty() {
            // A pod that has not started is phase Pending: the Eviction API deletes it without
            // asking any PodDisruptionBudget (`canIgnorePDB`).
            return queued;
        }
        // A drain's eviction of a running pod asks the Eviction API, which may refuse it
        // (kubectl drain retries it); taint eviction deletes without asking.
        let asked = d.and(&voluntary(d, st, n), &d.not(&forced(d, m, st, g, n)));
        d.and(&queued, &d.implies(&asked, &disruption::allows(d, m, st, g, n)))
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let (g, n) = (s.a as usize, s.b as usize);
        nx.queued[g][n] = d.sub(&queued_on(d, m, st, g, n), &d.int(1));
        evict_one_into(d, st, s, nx);
        disruption::note_breach(d, m, &voluntary(d, st, n), st, nx);
    }
    fn describe(
        &self,
        m: &Model,
        s: &Step,
        before: &ClusterState<Concrete>,
        _after: &ClusterState<Concrete>,
    ) -> String {
        let n = s.b as usize;
        let scaling = before.scaling_down.first().is_some_and(|r| r[n] == 1);
        let why = if before.draining[n] || scaling {
            // The budget that let the eviction through, when one selects the pod.
            let budget = match m.ir.pdbs_of_group(s.a as usize).as_slice() {
                &[p] if s.op == RUNNING && before.status[n] == crate::model::state::READY => {
                    format!("; {}", disruption::describe(m, before, p))
                }
                _ => String::new(),
            };
            let who = if before.draining[n] { "kubectl drain" } else { "cluster-autoscaler drains" };
            format!("{who} {}{budget}", m.node_name(n))
        } else {
            "its toleration of the unreachable taint ran out".to_string()
        };
        format!("{} ({why})", describe_one(m, s))
    }
}

impl crate::model::hints::ExplicitHints for QueuedEviction {
    fn changes_only_its_node(&self) -> bool {
        true
    }
    /// Asked in every state (a fast step): in most states no eviction is queued, and then
    /// none is enabled, with nothing summed per label.
    fn batch_guard(&self, m: &Model, labels: &[Step], st: &ClusterState<Concrete>) -> Option<Vec<bool>> {
        if st.queued.iter().all(|row| row.iter().all(|&q| q == 0)) {
            return Some(vec![false; labels.len()]);
        }
        // A label whose group has nothing queued on its node is off before its pods are
        // counted (`queued_on` is at most what is queued): most labels, while a drain runs.
        Some(
            labels
                .iter()
                .map(|s| {
                    if st.queued[s.a as usize][s.b as usize] <= 0 {
                        debug_assert!(!self.guard(&Concrete, m, s, st), "model bug: {s:?} enabled with nothing queued");
                        return false;
                    }
                    self.guard(&Concrete, m, s, st)
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::RUNNING;
    use crate::domain::Concrete;
    use crate::model::testkit::{deployment, model, node};
    use crate::model::{all_steps, registry, ClusterState, Model, Step};

    fn labels_of(m: &Model, name: &str) -> Vec<Step> {
        let reg = registry::<Concrete>();
        all_steps(m, &reg).into_iter().filter(|s| reg[s.actor as usize].name() == name).collect()
    }

    fn enabled(m: &Model, name: &str, st: &ClusterState<Concrete>) -> Vec<Step> {
        let reg = registry::<Concrete>();
        labels_of(m, name).into_iter().filter(|s| reg[s.actor as usize].guard(&Concrete, m, s, st)).collect()
    }

    fn take(m: &Model, s: &Step, st: &ClusterState<Concrete>) -> ClusterState<Concrete> {
        registry::<Concrete>()[s.actor as usize].update(&Concrete, m, s, st)
    }

    /// Upstream taint eviction has one work item per pod (`processPodOnNode` in
    /// pkg/controller/tainteviction/taint_eviction.go): once the toleration of a failed
    /// node's pods runs out they go one step each, and the ReplicaSet may replace the first
    /// before the second goes. When the node recovers first, the queued evictions are
    /// cancelled (`cancelWorkWithEvent` on the taint's removal).
    #[test]
    fn a_not_ready_node_loses_its_pods_one_work_item_at_a_time() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n  workloads: [{deployment: web, placement: [{node: a-0, count: 2}]}]\n  events: [{type: nodeFailure, budget: 1, recovery: true}]\n";
        let m = model(&format!("{}{spec}", deployment("web", 2, "1", "1Gi", "")));
        let a0 = node(&m, "a-0");
        let st = m.initial_states().remove(0);
        let fail = labels_of(&m, "node-failure").into_iter().find(|s| s.op == 0 && s.b as usize == a0).unwrap();
        let st = take(&m, &fail, &st);
        assert!(enabled(&m, "eviction", &st).is_empty(), "nothing is evicted before the toleration runs out");
        let timer = enabled(&m, "node-lifecycle", &st);
        assert_eq!(timer.len(), 1);
        let queued = take(&m, &timer[0], &st);
        assert_eq!((queued.queued[0][a0], queued.terminating[0][a0]), (2, 0));
        let first = enabled(&m, "eviction", &queued);
        assert_eq!(first.len(), 1, "one label: one running pod of the one usage kind");
        let one = take(&m, &first[0], &queued);
        assert_eq!((one.running[0][a0], one.terminating[0][a0], one.queued[0][a0]), (1, 1, 1));
        // Between the two evictions the ReplicaSet replaces the first pod, or the second goes.
        assert!(!enabled(&m, "deployment", &one).is_empty());
        assert_eq!(enabled(&m, "eviction", &one).len(), 1);
        // The node's recovery cancels the second eviction.
        let recover = labels_of(&m, "node-failure").into_iter().find(|s| s.op == 1 && s.b as usize == a0).unwrap();
        let back = take(&m, &recover, &one);
        assert_eq!(back.queued[0][a0], 0);
        assert!(enabled(&m, "eviction", &back).is_empty());
    }

    /// A drain requests every eviction of its node at once and they happen one step each,
    /// like kubectl drain's concurrent evictions: the maintenance is done only when all its
    /// evicted pods are gone.
    #[test]
    fn a_drain_evicts_pod_by_pod() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n  workloads: [{deployment: web, placement: [{node: a-0, count: 2}]}]\n  events: [{type: maintenance, budget: 1}]\n";
        let m = model(&format!("{}{spec}", deployment("web", 2, "1", "1Gi", "")));
        let a0 = node(&m, "a-0");
        let st = m.initial_states().remove(0);
        let drain = labels_of(&m, "maintenance").into_iter().find(|s| s.op == 0 && s.b as usize == a0).unwrap();
        let st = take(&m, &drain, &st);
        let one = take(&m, &enabled(&m, "eviction", &st)[0], &st);
        assert_eq!((one.running[0][a0], one.terminating[0][a0]), (1, 1));
        assert!(!enabled(&m, "deployment", &one).is_empty(), "the ReplicaSet may act between two evictions");
        let two = take(&m, &enabled(&m, "eviction", &one)[0], &one);
        assert_eq!((two.running[0][a0], two.terminating[0][a0], two.queued[0][a0]), (0, 2, 0));
    }

    /// kubectl drain asks the Eviction API for each pod: with a PodDisruptionBudget of
    /// `maxUnavailable: 1`, the second of a node's two pods goes only once the first one's
    /// replacement runs elsewhere; until then the eviction stays requested (kubectl retries
    /// it). Taint eviction of a failed node's pods asks no budget.
    #[test]
    fn a_drain_evicts_within_the_budget() {
        let pdb = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web-pdb}\nspec: {maxUnavailable: 1, selector: {matchLabels: {app: web}}}\n---\n";
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n  workloads: [{deployment: web, placement: [{node: a-0, count: 2}]}]\n  events: [{type: maintenance, budget: 1}, {type: nodeFailure, budget: 1, recovery: false}]\n  intents: [{type: disruptionsWithinBudget}]\n";
        let m = model(&format!("{}{pdb}{spec}", deployment("web", 2, "1", "1Gi", "")));
        let (a0, a1) = (node(&m, "a-0"), node(&m, "a-1"));
        let st = m.initial_states().remove(0);
        let drain = labels_of(&m, "maintenance").into_iter().find(|s| s.op == 0 && s.b as usize == a0).unwrap();
        let st = take(&m, &drain, &st);
        let one = take(&m, &enabled(&m, "eviction", &st)[0], &st);
        assert_eq!((one.running[0][a0], one.terminating[0][a0], one.queued[0][a0]), (1, 1, 1));
        assert!(enabled(&m, "eviction", &one).is_empty(), "the budget allows no second disruption yet");
        // The replacement runs on a-1: the budget allows one disruption again.
        let mut replaced = one.clone();
        replaced.running[0][a1] = 1;
        assert_eq!(enabled(&m, "eviction", &replaced).len(), 1);
        assert!(!replaced.monitor[0]);
        // An eviction the budget refuses, forced past the guard, is what disruptionsWithinBudget
        // catches.
        let forced = take(
            &m,
            &labels_of(&m, "eviction").into_iter().find(|s| s.op == RUNNING && s.b as usize == a0).unwrap(),
            &one,
        );
        assert!(forced.monitor[0], "a voluntary eviction below the budget sets the intent's monitor");
        // The drained node fails: taint eviction's queued pods go whatever the budget says.
        let mut failed = one.clone();
        failed.status[a0] = crate::model::state::NOT_READY;
        let evictions = enabled(&m, "eviction", &failed);
        assert_eq!(evictions.len(), 1, "the unreachable taint's eviction asks no budget");
        assert!(!take(&m, &evictions[0], &failed).monitor[0], "an involuntary deletion breaks no budget");
    }

    /// A pod placed by `spec.nodeName` on a node whose NoExecute taint it does not tolerate is
    /// evicted at once, pod by pod: a bound pod and a running one are two work items, either
    /// first.
    #[test]
    fn an_untolerated_no_execute_taint_evicts_each_pod_on_its_own() {
        let node_yaml = "apiVersion: v1\nkind: Node\nmetadata: {name: t-0, labels: {kubernetes.io/hostname: t-0}}\nspec: {taints: [{key: k, value: v, effect: NoExecute}]}\nstatus: {allocatable: {cpu: \"8\", memory: 8Gi, pods: \"110\"}}\n---\n";
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 1, capacity: {cpu: \"8\", memory: 8Gi}}]\n  workloads: [{deployment: web, placement: [{node: t-0, count: 1}]}]\n";
        let m = model(&format!("{node_yaml}{}{spec}", deployment("web", 2, "1", "1Gi", "nodeName: t-0")));
        let t0 = node(&m, "t-0");
        let mut st = m.initial_states().remove(0);
        st.bound[0][t0] = 1;
        let both = enabled(&m, "taint-eviction", &st);
        assert_eq!(both.len(), 2, "{both:?}");
        for s in &both {
            let after = take(&m, s, &st);
            assert_eq!(after.terminating[0][t0], 1);
            assert_eq!(after.bound[0][t0] + after.running[0][t0], 1);
        }
    }
}
