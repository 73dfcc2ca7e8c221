//! scaleDeployment: `kubectl scale` by a delta from a range (never below zero).

use super::super::{Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::Event;
use crate::model::state::Conditions;

pub struct ScaleDeployment;

impl<D: Domain> Controller<D> for ScaleDeployment {
    fn name(&self) -> &'static str {
        "kubectl-scale"
    }
    fn class(&self) -> Class {
        Class::Event
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        for (e, ev) in super::indexed(m) {
            let Event::ScaleDeployment { delta, .. } = ev else { continue };
            for v in delta.min..=delta.max {
                if v != 0 {
                    out.push(Step::new(actor, 0, e, 0, v));
                }
            }
        }
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let e = s.a as usize;
        let Event::ScaleDeployment { deployment, .. } = &m.ir.events[e] else { return d.bool(false) };
        let after = d.add(&st.desired[deployment.index()], &d.int(s.v));
        d.all(
            [
                super::may_fire(d, m, st, e),
                d.ge(&after, &d.int(0)),
                d.le(&after, &d.int(m.ir.bounds.max_pods_per_deployment)),
            ]
            .iter(),
        )
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let e = s.a as usize;
        let Event::ScaleDeployment { deployment, .. } = &m.ir.events[e] else { return };
        nx.desired[deployment.index()] = d.add(&st.desired[deployment.index()], &d.int(s.v));
        nx.budget[e] = d.sub(&st.budget[e], &d.int(1));
    }
    fn describe(&self, m: &Model, s: &Step, before: &ClusterState<Concrete>, after: &ClusterState<Concrete>) -> String {
        let Event::ScaleDeployment { deployment, .. } = &m.ir.events[s.a as usize] else { return String::new() };
        let dep = deployment.index();
        format!(
            "kubectl scale {} from {} to {}",
            m.ir.deployments[dep].name,
            before.desired[dep],
            crate::count(after.desired[dep], "replica", "replicas")
        )
    }
}
