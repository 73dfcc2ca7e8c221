//! applyDeployment: `kubectl apply` of a new version of a Deployment. The pod template
//! becomes the new revision (the Deployment controller rolls it out); `spec.replicas` follows
//! the three-way merge: set by the new manifest, applied; dropped from the last applied
//! manifest (the current revision's) that set it, removed and defaulted to 1 by the API
//! server; absent from both, the live value stays. So applying the same manifest twice resets
//! at most once.

use super::super::{Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::{ApplyReplicas, Event};
use crate::model::state::Conditions;

pub struct ApplyDeployment;

/// Whether the last manifest applied to Deployment `dep`, its current revision's, set
/// `spec.replicas`.
fn last_applied_set_replicas<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, dep: usize) -> D::Bool {
    let sets = &m.ir.deployments[dep].revision_sets_replicas;
    d.any_of((0..sets.len()).filter(|&r| sets[r]).map(|r| d.eq(&st.revision[dep], &d.int(r as i64))))
}

impl<D: Domain> Controller<D> for ApplyDeployment {
    fn name(&self) -> &'static str {
        "kubectl-apply"
    }
    fn class(&self) -> Class {
        Class::Event
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        for (e, ev) in super::indexed(m) {
            if matches!(ev, Event::ApplyDeployment { .. }) {
                out.push(Step::new(actor, 0, e, 0, 0));
            }
        }
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        super::may_fire(d, m, st, s.a as usize)
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let e = s.a as usize;
        let Event::ApplyDeployment { deployment, revision, replicas, .. } = &m.ir.events[e] else { return };
        let dep = deployment.index();
        nx.revision[dep] = d.int(m.ir.groups[revision.index()].revision as i64);
        match replicas {
            ApplyReplicas::Set(r) => nx.desired[dep] = d.int(*r),
            ApplyReplicas::Kept => {}
            ApplyReplicas::Omitted => {
                let dropped = last_applied_set_replicas(d, m, st, dep);
                nx.desired[dep] = d.ite(&dropped, &d.int(1), &st.desired[dep]);
            }
        }
        nx.budget[e] = d.sub(&st.budget[e], &d.int(1));
    }
    fn describe(&self, m: &Model, s: &Step, before: &ClusterState<Concrete>, after: &ClusterState<Concrete>) -> String {
        let Event::ApplyDeployment { deployment, replicas, .. } = &m.ir.events[s.a as usize] else {
            return String::new();
        };
        let dep = deployment.index();
        let name = &m.ir.deployments[dep].name;
        let what = match replicas {
            ApplyReplicas::Kept => {
                return format!(
                "kubectl rollout restart of {name}: its pod template again as revision {}, spec.replicas kept at {}",
                after.revision[dep], after.desired[dep]
            )
            }
            ApplyReplicas::Set(r) => format!("spec.replicas set to {r}"),
            ApplyReplicas::Omitted if last_applied_set_replicas(&Concrete, m, before, dep) => format!(
                "spec.replicas dropped from the last applied manifest, so the API server defaults it: {} -> 1",
                before.desired[dep]
            ),
            ApplyReplicas::Omitted => {
                format!(
                    "spec.replicas kept at {} (the last applied manifest did not set it either)",
                    after.desired[dep]
                )
            }
        };
        if before.revision[dep] == after.revision[dep] {
            format!("kubectl apply of {name} again: same pod template (revision {}), {what}", after.revision[dep])
        } else {
            format!(
                "kubectl apply of a new version of {name}: new pod template (revision {}), {what}",
                after.revision[dep]
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{all_steps, registry};

    /// `kubectl apply` merges against the last applied manifest: the first apply of a version
    /// without `spec.replicas` resets the field the initial manifest set, a second apply of
    /// the same version keeps what `kubectl scale` made of it since.
    #[test]
    fn a_second_apply_of_the_same_version_keeps_the_live_replicas() {
        let dir = std::env::temp_dir().join(format!("kbmc-apply-twice-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("apply")).unwrap();
        let dep = |replicas: &str| {
            format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n{replicas}  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers: [{{name: c, image: web:1, resources: {{requests: {{cpu: \"1\", memory: 1Gi}}}}}}]\n")
        };
        std::fs::write(dir.join("deployment.yaml"), dep("  replicas: 3\n")).unwrap();
        std::fs::write(dir.join("apply/v2.yaml"), dep("").replace("web:1", "web:2")).unwrap();
        std::fs::write(dir.join("verification.yaml"), "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 1, capacity: {cpu: \"8\", memory: 8Gi}}]\n  events:\n    - {type: applyDeployment, manifest: apply/v2.yaml, budget: 2}\n    - {type: scaleDeployment, deployment: web, delta: {min: 2, max: 2}, budget: 1}\n").unwrap();
        let (ir, _) = crate::load_model(std::slice::from_ref(&dir), false).expect("loads");
        std::fs::remove_dir_all(&dir).ok();
        let m = Model::new(&ir);
        let reg = registry::<Concrete>();
        let labels = all_steps(&m, &reg);
        let take = |name: &str, st: &ClusterState<Concrete>| -> (ClusterState<Concrete>, String) {
            let s = labels.iter().find(|s| reg[s.actor as usize].name() == name).expect("a label");
            let c = &reg[s.actor as usize];
            assert!(c.guard(&Concrete, &m, s, st), "{name} is enabled");
            let nx = c.update(&Concrete, &m, s, st);
            let what = c.describe(&m, s, st, &nx);
            (nx, what)
        };
        let st = m.initial_states().remove(0);
        assert_eq!(st.desired[0], 3);
        let (st, what) = take("kubectl-apply", &st);
        assert_eq!(st.desired[0], 1, "{what}");
        assert!(what.contains("defaults it: 3 -> 1"), "{what}");
        let (st, _) = take("kubectl-scale", &st);
        assert_eq!(st.desired[0], 3);
        let (st, what) = take("kubectl-apply", &st);
        assert_eq!(st.desired[0], 3, "{what}");
        assert!(what.contains("again: same pod template") && what.contains("kept at 3"), "{what}");
    }
}
