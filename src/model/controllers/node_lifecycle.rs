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
//! Abstracted: the grace period and the delays themselves are timing, so each eviction may
//! happen any time after the node goes NotReady (shortest delay first); zone-disruption rate
//! limits are not modelled. Five minutes are far longer than the fast controllers take, and
//! long enough for the HPA, the descheduler and a node's recovery to come first, so under the
//! urgent policy the eviction is a periodic step, not a fast one (a fast eviction would hide
//! every run in which something else happens while the node is NotReady).

use super::super::{active_on, not_ready, Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::model::state::Conditions;

pub struct NodeLifecycle;

/// Moves every bound and running pod on node `n` to terminating, in `nx` (a copy of `st`).
pub fn evict_all_into<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    n: usize,
    when: &D::Bool,
    nx: &mut ClusterState<D>,
) {
    evict_groups_into(d, m, st, n, when, |_| true, nx)
}

/// After how many seconds on a NotReady node group `g`'s pods are evicted (`None`: never).
fn delay(m: &Model, g: usize) -> Option<i64> {
    m.ir.groups[g].unreachable_eviction_after
}

/// The distinct eviction delays of the model's groups, shortest first: one eviction step per
/// NotReady node and delay.
fn delays(m: &Model) -> Vec<i64> {
    let mut v: Vec<i64> = (0..m.ir.groups.len()).filter_map(|g| delay(m, g)).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Moves the bound and running pods on node `n` of the groups `which` picks to terminating,
/// in `nx` (a copy of `st`).
fn evict_groups_into<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    n: usize,
    when: &D::Bool,
    which: impl Fn(usize) -> bool,
    nx: &mut ClusterState<D>,
) {
    for g in (0..m.ir.groups.len()).filter(|&g| which(g)) {
        let moved = active_on(d, m, st, g, n);
        nx.terminating[g][n] = d.ite(when, &d.add(&st.terminating[g][n], &moved), &st.terminating[g][n]);
        nx.bound[g][n] = d.ite(when, &d.int(0), &st.bound[g][n]);
        for &k in &m.kinds_of_group[g] {
            nx.running[k][n] = d.ite(when, &d.int(0), &st.running[k][n]);
        }
    }
}

/// Pods (bound or running) on node `n`.
pub fn pods_on<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, n: usize) -> D::Int {
    d.sum_of((0..m.ir.groups.len()).map(|g| active_on(d, m, st, g, n)))
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
    fn evicts(&self, _s: &Step) -> bool {
        true
    }
    /// The pods with delay `s.v` are on the NotReady node and those with a shorter one are
    /// gone: tolerations counted from the same taint run out shortest first.
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let n = s.a as usize;
        let mine = d.gt(&evicted_on(d, m, st, n, |x| x == s.v), &d.int(0));
        let shorter_gone = d.eq(&evicted_on(d, m, st, n, |x| x < s.v), &d.int(0));
        d.all([not_ready(d, st, n), mine, shorter_gone].iter())
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        evict_groups_into(d, m, st, s.a as usize, &d.bool(true), |g| delay(m, g) == Some(s.v), nx)
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
        let what = format!("evicts {count} pod(s) from NotReady node {}", m.node_name(n));
        if delays(m).len() > 1 {
            format!("{what} (their {} s toleration of the unreachable taint ran out)", s.v)
        } else {
            what
        }
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
        let next: Vec<&str> = crate::engine::explicit::enabled(&m, &reg, &labels, &classes, false, &st)
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
            while let Some(s) = mine.iter().find(|s| reg[s.actor as usize].guard(&Concrete, m, s, &st)) {
                assert_eq!(mine.iter().filter(|s| reg[s.actor as usize].guard(&Concrete, m, s, &st)).count(), 1);
                let nx = reg[s.actor as usize].update(&Concrete, m, s, &st);
                out.push(
                    (0..m.ir.groups.len())
                        .filter(|&g| nx.terminating[g][a0] > st.terminating[g][a0])
                        .map(|g| m.group_name(g))
                        .collect(),
                );
                st = nx;
            }
            out
        };
        let m = model(&yaml(""));
        assert_eq!(evictions(&m), vec![vec!["log".to_string()], vec!["web".to_string()]]);
        let m = model(&yaml("  controllers: {taintEviction: false}\n"));
        assert!(evictions(&m).is_empty(), "no taint eviction controller, no eviction");
    }
}
