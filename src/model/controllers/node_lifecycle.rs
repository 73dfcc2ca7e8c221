//! Node lifecycle controller: the pods of a NotReady node are evicted.
//!
//! Follows kubernetes `pkg/controller/nodelifecycle/node_lifecycle_controller.go`: a NotReady
//! node gets the `node.kubernetes.io/not-ready:NoExecute` taint, and pods that do not tolerate
//! it (every pod gets a 300 s toleration from the DefaultTolerationSeconds admission plugin)
//! are deleted when their toleration runs out.
//! Abstracted: the grace period and the 300 s toleration are timing, so eviction is one step
//! that may happen any time after the node goes NotReady; zone-disruption rate limits are not
//! modelled.

use super::super::{active_on, not_ready, Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};

pub struct NodeLifecycle;

/// Moves every bound and running pod on node `n` to terminating.
pub fn evict_all<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, n: usize, when: &D::Bool) -> ClusterState<D> {
    let mut nx = st.clone();
    for g in 0..m.ir.groups.len() {
        let moved = active_on(d, m, st, g, n);
        nx.terminating[g][n] = d.ite(when, &d.add(&st.terminating[g][n], &moved), &st.terminating[g][n]);
        nx.bound[g][n] = d.ite(when, &d.int(0), &st.bound[g][n]);
        for &k in &m.kinds_of_group[g] {
            nx.running[k][n] = d.ite(when, &d.int(0), &st.running[k][n]);
        }
    }
    nx
}

/// Pods (bound or running) on node `n`.
pub fn pods_on<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, n: usize) -> D::Int {
    d.sum_of((0..m.ir.groups.len()).map(|g| active_on(d, m, st, g, n)))
}

impl<D: Domain> Controller<D> for NodeLifecycle {
    fn name(&self) -> &'static str {
        "node-lifecycle"
    }
    fn class(&self) -> Class {
        Class::Fast
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        if !m.ir.controllers.node_lifecycle {
            return;
        }
        for n in 0..m.nodes() {
            out.push(Step::new(actor, 0, n, 0, 0));
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        Some(s.a as usize)
    }
    fn evicts(&self, _s: &Step) -> bool {
        true
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let n = s.a as usize;
        d.and(&not_ready(d, st, n), &d.gt(&pods_on(d, m, st, n), &d.int(0)))
    }
    fn update(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> ClusterState<D> {
        evict_all(d, m, st, s.a as usize, &d.bool(true))
    }
    fn describe(
        &self,
        m: &Model,
        s: &Step,
        before: &ClusterState<Concrete>,
        _after: &ClusterState<Concrete>,
    ) -> String {
        let n = s.a as usize;
        format!("evicts {} pod(s) from NotReady node {}", pods_on(&Concrete, m, before, n), m.node_name(n))
    }
}
