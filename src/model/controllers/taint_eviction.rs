//! Taint eviction controller: pods that do not tolerate a NoExecute taint of their node are
//! deleted.
//!
//! Follows kubernetes `pkg/controller/tainteviction/taint_eviction.go` (processPodOnNode): an
//! untolerated NoExecute taint deletes the pod at once. Pods bound by `spec.nodeName` bypass
//! the scheduler's TaintToleration filter, so they can land on such a node and be evicted.
//! Abstracted: `tolerationSeconds` is rejected as unmodelled input (except on the node
//! condition taints, which node lifecycle models), so every toleration here holds forever;
//! with `--allow-unmodeled` a toleration with seconds is ignored here and the pod is evicted
//! at once instead of after the delay.

use super::super::{active_on, Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::model::state::Conditions;

pub struct TaintEviction;

impl<D: Domain> Controller<D> for TaintEviction {
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
                    out.push(Step::new(actor, 0, g, n, 0));
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
        Some(s.b as usize)
    }
    fn evicts(&self, _s: &Step) -> bool {
        true
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let (g, n) = (s.a as usize, s.b as usize);
        d.and(&st.present[n], &d.gt(&active_on(d, m, st, g, n), &d.int(0)))
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let (g, n) = (s.a as usize, s.b as usize);
        nx.terminating[g][n] = d.add(&st.terminating[g][n], &active_on(d, m, st, g, n));
        nx.bound[g][n] = d.int(0);
        for &k in &m.kinds_of_group[g] {
            nx.running[k][n] = d.int(0);
        }
    }
    fn describe(
        &self,
        m: &Model,
        s: &Step,
        before: &ClusterState<Concrete>,
        _after: &ClusterState<Concrete>,
    ) -> String {
        let (g, n) = (s.a as usize, s.b as usize);
        let taints: Vec<String> = m.ir.nodes[n]
            .taints
            .iter()
            .filter(|t| t.effect == crate::ir::Effect::NoExecute)
            .map(|t| t.to_string())
            .collect();
        format!(
            "evicts {} pod(s) of {} from {}: NoExecute taint {} not tolerated",
            active_on(&Concrete, m, before, g, n),
            m.group_name(g),
            m.node_name(n),
            taints.join(", ")
        )
    }
}
