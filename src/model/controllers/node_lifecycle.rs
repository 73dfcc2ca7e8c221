//! Node lifecycle controller: the pods of a NotReady node are evicted.
//!
//! Follows kubernetes `pkg/controller/nodelifecycle/node_lifecycle_controller.go`: a node whose
//! kubelet stopped reporting (a failure or a kernel panic) gets the
//! `node.kubernetes.io/unreachable:NoExecute` taint, and the taint eviction controller
//! (`pkg/controller/tainteviction`) deletes the pods that do not tolerate it when their
//! toleration runs out (every pod gets a 300 s toleration from the DefaultTolerationSeconds
//! admission plugin). So the eviction needs both controllers, and spares pods that tolerate
//! the taint without `tolerationSeconds`. Pods go when their own toleration runs out: one step
//! per node and distinct delay evicts the groups with that delay, once those with shorter
//! delays have left the node.
//! Zone disruption follows `handleDisruption`: when no node counted in any zone is Ready
//! (every zone `stateFullDisruption`, "master disruption mode"), node lifecycle removes the
//! NoExecute taints of every node and taints none, so no toleration runs out and the queued
//! evictions of the taint are cancelled (`model::node::all_disrupted`, `disruption_into`, which
//! the events that fail a node apply too).
//! Abstracted: the grace period and the delays themselves are timing, so each eviction may
//! happen any time after the node goes NotReady (shortest delay first); so are the tainting
//! rates a zone's state sets (normal, and 0.01/s in a partially disrupted zone of more than 50
//! nodes). A partially disrupted zone of at most 50 nodes taints no more nodes (rate 0), but a
//! node tainted before the zone got there keeps its taint: kbmc does not record when a node
//! was tainted, so any NotReady node there may still lose its pods (an over-approximation).
//! Five minutes are far longer than the fast controllers take, and
//! long enough for the HPA, the descheduler and a node's recovery to come first, so under the
//! urgent policy the eviction is a periodic step, not a fast one (a fast eviction would hide
//! every run in which something else happens while the node is NotReady).

use super::super::{Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::model::node::{active_on, all_disrupted, not_ready, queue_into, queued_on};
use crate::model::state::Conditions;

pub struct NodeLifecycle;

/// After how many seconds on a NotReady node group `g`'s pods are evicted (`None`: never).
fn delay(m: &Model, g: usize) -> Option<i64> {
    m.ir.groups[g].unreachable_eviction_after
}

/// The distinct eviction delays of the model's groups, shortest first: one step per NotReady
/// node and delay.
fn delays(m: &Model) -> Vec<i64> {
    let mut v: Vec<i64> = (0..m.ir.groups.len()).filter_map(|g| delay(m, g)).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Pods (bound or running) on node `n` of the groups whose eviction delay `which` admits.
fn evicted_on<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, n: usize, which: impl Fn(i64) -> bool) -> D::Int {
    d.sum_of((0..m.ir.groups.len()).filter(|&g| delay(m, g).is_some_and(&which)).map(|g| active_on(d, m, st, g, n)))
}

impl<D: Domain> Controller<D> for NodeLifecycle {
    fn name(&self) -> &'static str {
        "node-lifecycle"
    }
    fn class(&self) -> Class {
        Class::Periodic
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        // Node lifecycle only taints the node; the taint eviction controller evicts.
        if !(m.ir.controllers.node_lifecycle && m.ir.controllers.taint_eviction) {
            return;
        }
        // One step per node and delay: the pods whose tolerations run out together.
        let delays = delays(m);
        for n in 0..m.nodes() {
            for &secs in &delays {
                out.push(Step::new(actor, 0, n, 0, secs));
            }
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        Some(s.a as usize)
    }
    /// The pods with delay `s.v` are on the NotReady node, not queued yet, and those with a
    /// shorter one are gone: tolerations counted from the same taint run out shortest first.
    /// Not while every zone is fully disrupted: then no node has the taint.
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let n = s.a as usize;
        let mine = d.gt(&evicted_on(d, m, st, n, |x| x == s.v), &d.int(0));
        let shorter_gone = d.eq(&evicted_on(d, m, st, n, |x| x < s.v), &d.int(0));
        let queued =
            d.sum_of((0..m.ir.groups.len()).filter(|&g| delay(m, g) == Some(s.v)).map(|g| queued_on(d, m, st, g, n)));
        let tainted = d.and(&not_ready(d, st, n), &d.not(&all_disrupted(d, m, st)));
        d.all([tainted, mine, shorter_gone, d.eq(&queued, &d.int(0))].iter())
    }
    /// The tolerations run out: taint eviction queues one work item per pod, and the pods go
    /// one step each (`taint_eviction::QueuedEviction`).
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        queue_into(d, m, st, s.a as usize, |g| delay(m, g) == Some(s.v), nx)
    }
    fn describe(
        &self,
        m: &Model,
        s: &Step,
        before: &ClusterState<Concrete>,
        _after: &ClusterState<Concrete>,
    ) -> String {
        let n = s.a as usize;
        let count = evicted_on(&Concrete, m, before, n, |x| x == s.v);
        format!(
            "the {} s toleration of the unreachable taint runs out for {count} pod(s) on NotReady node {}: taint eviction queues them",
            s.v,
            m.node_name(n)
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::Concrete;
    use crate::model::testkit::{deployment, model, node};
    use crate::model::{all_steps, registry};

    /// Upstream a NotReady node's pods are evicted only after their 300 s toleration, so
    /// under the urgent policy the node's recovery (and the HPA, the descheduler) may come
    /// first: both are choices in the state right after the failure.
    #[test]
    fn a_failed_node_may_recover_before_its_pods_are_evicted() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n  workloads: [{deployment: web, placement: [{node: a-0, count: 2}]}]\n  events: [{type: nodeFailure, budget: 1, recovery: true}]\n";
        let m = model(&format!("{}{spec}", deployment("web", 2, "1", "1Gi", "")));
        let reg = registry::<Concrete>();
        let labels = all_steps(&m, &reg);
        let classes: Vec<usize> = (0..m.nodes()).collect();
        let a0 = node(&m, "a-0");
        let st = m.initial_states().remove(0);
        let fail = labels
            .iter()
            .find(|s| reg[s.actor as usize].name() == "node-failure" && s.op == 0 && s.b as usize == a0)
            .expect("a failure of a-0");
        assert!(reg[fail.actor as usize].guard(&Concrete, &m, fail, &st));
        let st = reg[fail.actor as usize].update(&Concrete, &m, fail, &st);
        let next: Vec<&str> = crate::model::relation::enabled(&m, &reg, &labels, &classes, false, &st)
            .iter()
            .map(|s| reg[s.actor as usize].name())
            .collect();
        assert!(next.contains(&"node-lifecycle"), "{next:?}");
        assert!(next.contains(&"node-failure"), "recovery must be able to come first: {next:?}");
    }

    /// The eviction of a NotReady node's pods is the taint eviction controller's work on the
    /// unreachable taint node lifecycle adds: a pod tolerating that taint without
    /// `tolerationSeconds` stays, one tolerating it for 30 s goes first, one with the default
    /// 300 s toleration after it, and with the taint eviction controller switched off nobody
    /// evicts.
    #[test]
    fn pods_leave_a_not_ready_node_as_their_tolerations_run_out() {
        let spec = |controllers: &str| {
            format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: a, count: 2, capacity: {{cpu: \"8\", memory: 8Gi}}}}]\n  workloads: [{{deployment: web, placement: [{{node: a-0, count: 1}}]}}, {{deployment: db, placement: [{{node: a-0, count: 1}}]}}, {{deployment: log, placement: [{{node: a-0, count: 1}}]}}]\n  events: [{{type: nodeFailure, budget: 1}}]\n{controllers}")
        };
        let tol = |secs: &str| {
            format!("tolerations: [{{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute{secs}}}]")
        };
        let yaml = |controllers: &str| {
            format!(
                "{}{}{}{}",
                deployment("web", 1, "1", "1Gi", ""),
                deployment("db", 1, "1", "1Gi", &tol("")),
                deployment("log", 1, "1", "1Gi", &tol(", tolerationSeconds: 30")),
                spec(controllers)
            )
        };
        // After a-0 fails: node lifecycle's steps on a-0 one after the other, each with the
        // groups it evicts, while one is enabled.
        let evictions = |m: &crate::model::Model| -> Vec<Vec<String>> {
            let reg = registry::<Concrete>();
            let labels = all_steps(m, &reg);
            let a0 = node(m, "a-0");
            let mut st = m.initial_states().remove(0);
            let fail = labels
                .iter()
                .find(|s| reg[s.actor as usize].name() == "node-failure" && s.b as usize == a0)
                .expect("a failure of a-0");
            st = reg[fail.actor as usize].update(&Concrete, m, fail, &st);
            let mine: Vec<_> = labels
                .iter()
                .filter(|s| reg[s.actor as usize].name() == "node-lifecycle" && s.a as usize == a0)
                .collect();
            let mut out = Vec::new();
            let evict: Vec<_> = labels.iter().filter(|s| reg[s.actor as usize].name() == "eviction").collect();
            while let Some(s) = mine.iter().find(|s| reg[s.actor as usize].guard(&Concrete, m, s, &st)) {
                assert_eq!(mine.iter().filter(|s| reg[s.actor as usize].guard(&Concrete, m, s, &st)).count(), 1);
                let before = st.clone();
                st = reg[s.actor as usize].update(&Concrete, m, s, &st);
                // The queued pods go one step each.
                while let Some(e) = evict.iter().find(|e| reg[e.actor as usize].guard(&Concrete, m, e, &st)) {
                    st = reg[e.actor as usize].update(&Concrete, m, e, &st);
                }
                out.push(
                    (0..m.ir.groups.len())
                        .filter(|&g| st.terminating[g][a0] > before.terminating[g][a0])
                        .map(|g| m.group_name(g))
                        .collect(),
                );
            }
            out
        };
        let m = model(&yaml(""));
        assert_eq!(evictions(&m), vec![vec!["log".to_string()], vec!["web".to_string()]]);
        let m = model(&yaml("  controllers: {taintEviction: false}\n"));
        assert!(evictions(&m).is_empty(), "no taint eviction controller, no eviction");
    }

    /// Upstream's TestMonitorNodeHealthEvictPodsWithDisruption
    /// (pkg/controller/nodelifecycle/node_lifecycle_controller_test.go): "Network Disruption:
    /// Only zone is down - eviction shouldn't take place.", "... Both zones down ..." and
    /// "Initially both zones down, one comes back - eviction should take place". Here: once
    /// a-0's toleration ran out and its pods are queued, a-1 fails too; no counted node is
    /// Ready, so the taints go, the queued evictions are cancelled and no toleration runs out,
    /// until a-1 is back. A Ready node labelled `node.kubernetes.io/exclude-disruption` is
    /// not counted and does not keep the cluster out of that mode.
    #[test]
    fn no_eviction_while_every_zone_is_fully_disrupted() {
        let node_yaml = |name: &str, labels: &str| {
            format!("apiVersion: v1\nkind: Node\nmetadata: {{name: {name}, labels: {{{labels}}}}}\nstatus:\n  allocatable: {{cpu: \"8\", memory: 8Gi, pods: \"110\"}}\n  conditions: [{{type: Ready, status: \"True\"}}]\n---\n")
        };
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  workloads: [{deployment: web, placement: [{node: a-0, count: 2}]}]\n  events: [{type: nodeFailure, budget: 2, recovery: true}]\n";
        let yaml = |extra: &str| {
            format!(
                "{}{}{extra}{}{spec}",
                node_yaml("a-0", "topology.kubernetes.io/zone: a"),
                node_yaml("a-1", "topology.kubernetes.io/zone: b"),
                deployment("web", 2, "1", "1Gi", "")
            )
        };
        for extra in ["", &node_yaml("x", "node.kubernetes.io/exclude-disruption: \"\"")] {
            let m = model(&yaml(extra));
            let reg = registry::<Concrete>();
            let labels = all_steps(&m, &reg);
            let (a0, a1) = (node(&m, "a-0"), node(&m, "a-1"));
            let enabled = |name: &str, st: &crate::model::ClusterState<Concrete>| -> Vec<crate::model::Step> {
                labels
                    .iter()
                    .filter(|s| {
                        reg[s.actor as usize].name() == name && reg[s.actor as usize].guard(&Concrete, &m, s, st)
                    })
                    .copied()
                    .collect()
            };
            let take = |s: &crate::model::Step, st: &crate::model::ClusterState<Concrete>| {
                reg[s.actor as usize].update(&Concrete, &m, s, st)
            };
            let failure = |op: u8, n: usize| {
                *labels
                    .iter()
                    .find(|s| reg[s.actor as usize].name() == "node-failure" && s.op == op && s.b as usize == n)
                    .unwrap()
            };
            let st = m.initial_states().remove(0);
            let st = take(&failure(0, a0), &st);
            let timer = enabled("node-lifecycle", &st);
            assert_eq!(timer.len(), 1, "one zone down, the other Ready: the toleration runs out");
            let queued = take(&timer[0], &st);
            assert_eq!(queued.queued[0][a0], 2);
            let both = take(&failure(0, a1), &queued);
            assert_eq!(both.queued[0][a0], 0, "the taint is removed: its queued evictions are cancelled");
            assert!(enabled("eviction", &both).is_empty());
            assert!(enabled("node-lifecycle", &both).is_empty(), "no node is tainted while every zone is down");
            let back = take(&failure(1, a1), &both);
            assert_eq!(enabled("node-lifecycle", &back).len(), 1, "a-1 is back: a-0 is tainted again");
        }
    }
}
