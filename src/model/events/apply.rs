//! applyDeployment: `kubectl apply` of a new version of a Deployment. The pod template
//! becomes the new revision (the Deployment controller rolls it out); `spec.replicas` follows
//! the three-way merge: set by the new manifest, applied; dropped from a manifest that set it,
//! removed and defaulted to 1 by the API server; absent from both, the live value stays.

use super::super::{Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::{ApplyReplicas, Event};

pub struct ApplyDeployment;

impl<D: Domain> Controller<D> for ApplyDeployment {
    fn name(&self) -> &'static str {
        "kubectl-apply"
    }
    fn class(&self) -> Class {
        Class::Event
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        for (e, ev) in super::indexed(m) {
            if matches!(ev, Event::ApplyDeployment { .. }) {
                out.push(Step::new(actor, 0, e, 0, 0));
            }
        }
    }
    fn guard(&self, d: &D, _m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        d.gt(&st.budget[s.a as usize], &d.int(0))
    }
    fn update(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> ClusterState<D> {
        let e = s.a as usize;
        let Event::ApplyDeployment { deployment, revision, replicas, .. } = &m.ir.events[e] else { return st.clone() };
        let dep = deployment.index();
        let mut nx = st.clone();
        nx.revision[dep] = d.int(m.ir.groups[revision.index()].revision as i64);
        match replicas {
            ApplyReplicas::Set(r) => nx.desired[dep] = d.int(*r),
            ApplyReplicas::ResetToOne => nx.desired[dep] = d.int(1),
            ApplyReplicas::Keep => {}
        }
        nx.budget[e] = d.sub(&st.budget[e], &d.int(1));
        nx
    }
    fn describe(&self, m: &Model, s: &Step, before: &ClusterState<Concrete>, after: &ClusterState<Concrete>) -> String {
        let Event::ApplyDeployment { deployment, replicas, .. } = &m.ir.events[s.a as usize] else {
            return String::new();
        };
        let dep = deployment.index();
        let name = &m.ir.deployments[dep].name;
        let what = match replicas {
            ApplyReplicas::Set(r) => format!("spec.replicas set to {r}"),
            ApplyReplicas::ResetToOne => format!(
                "spec.replicas dropped from the manifest, so the API server defaults it: {} -> 1",
                before.desired[dep]
            ),
            ApplyReplicas::Keep => format!("spec.replicas kept at {}", after.desired[dep]),
        };
        format!("kubectl apply of a new version of {name}: new pod template (revision {}), {what}", after.revision[dep])
    }
}
