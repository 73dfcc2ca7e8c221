//! rolloutRestart of a DaemonSet: `kubectl rollout restart daemonset/<name>` patches an
//! annotation into its pod template, which makes the template revision 1 (a new
//! ControllerRevision hash); the DaemonSet controller (`controllers/daemonset.rs`) then rolls
//! it out by its `updateStrategy`. Once per DaemonSet and run (`ir/build/daemonsets.rs`
//! refuses more); must not touch pods.

use super::super::{Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::Event;
use crate::model::state::Conditions;

pub struct RolloutDaemonSet;

impl<D: Domain> Controller<D> for RolloutDaemonSet {
    fn name(&self) -> &'static str {
        "kubectl-rollout"
    }
    fn class(&self) -> Class {
        Class::Event
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        for (e, ev) in super::indexed(m) {
            if let Event::RolloutDaemonSet { daemon_set, .. } = ev {
                out.push(Step::new(actor, 0, e, daemon_set.index(), 0));
            }
        }
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        d.and(&super::may_fire(d, m, st, s.a as usize), &d.eq(&st.daemon_revision[s.b as usize], &d.int(0)))
    }
    fn update_into(&self, d: &D, _m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let e = s.a as usize;
        nx.daemon_revision[s.b as usize] = d.int(1);
        nx.budget[e] = d.sub(&st.budget[e], &d.int(1));
    }
    fn describe(
        &self,
        m: &Model,
        s: &Step,
        _before: &ClusterState<Concrete>,
        _after: &ClusterState<Concrete>,
    ) -> String {
        let name = &m.ir.daemon_sets[s.b as usize].name;
        format!("kubectl rollout restart of DaemonSet {name}: its pod template again as revision 1")
    }
}
