//! kube-scheduler's NodeAffinity plugin, filter and score, from what the IR resolves per pod
//! group and node (`ir::Placement`: nodeSelector and required terms, the weights of the
//! preferred terms that match) and the configuration's `addedAffinity`
//! (`ir::SchedulerConfig`), which only the scheduler sees: the pod's own affinity facts (the
//! kubelet's admission, the descheduler, nodeAffinityPolicy) leave it out. It owns no step
//! and must not read the state.
//!
//! Follows kubernetes `pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go`:
//! `Filter` (the configuration's `addedNodeSelector`, then the pod's nodeSelector and
//! required terms), `Score` (the pod's preferred terms that match, plus the configuration's
//! `addedPrefSchedTerms`) and `NormalizeScore` (DefaultNormalizeScore over the feasible
//! nodes).

use super::super::Model;
use super::normalize_static;
use crate::domain::Domain;

/// NodeAffinity's filter for a pod of group `g` on node `n`.
pub fn filter(m: &Model, g: usize, n: usize) -> bool {
    m.ir.groups[g].per_node[n].affinity_ok && m.ir.scheduler.added_affinity_ok[n]
}

/// What fails [`filter`] on node `n` for a pod of group `g`: the pod's affinity, the
/// configuration's, or both.
pub fn rejections(m: &Model, g: usize, n: usize) -> Vec<String> {
    let mut why = Vec::new();
    if !m.ir.groups[g].per_node[n].affinity_ok {
        why.push("the pod's nodeSelector/node affinity does not match".to_string());
    }
    if !m.ir.scheduler.added_affinity_ok[n] {
        why.push("the scheduler's addedAffinity does not match".to_string());
    }
    why
}

/// NodeAffinity's normalized score per node for a pod of group `g`, or `None` where no
/// preferred term matches any node (every node 0).
pub fn score<D: Domain>(d: &D, m: &Model, g: usize, feas: &[D::Bool]) -> Option<Vec<D::Int>> {
    let raw: Vec<i64> = m.ir.groups[g]
        .per_node
        .iter()
        .zip(&m.ir.scheduler.added_preferred_weight)
        .map(|(p, added)| p.preferred_weight + added)
        .collect();
    raw.iter().any(|w| *w > 0).then(|| normalize_static(d, &raw, feas, false))
}

#[cfg(test)]
mod tests {
    use super::super::{feasible, rejections, scores_with, NodeLoads};
    use crate::domain::Concrete;
    use crate::model::testkit::{deployment, model};

    /// NodeAffinityArgs `addedAffinity` (node_affinity.go: Filter checks addedNodeSelector
    /// before the pod's affinity; Score adds addedPrefSchedTerms): the scheduler's filter and
    /// score see it, the pod's own affinity facts (the kubelet's admission, the descheduler,
    /// nodeAffinityPolicy) do not, and nodes it tells apart are not interchangeable.
    #[test]
    fn added_affinity_is_the_schedulers_only() {
        let config = |added: &str| {
            format!("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n  - pluginConfig: [{{name: NodeAffinity, args: {{addedAffinity: {added}}}}}]\n---\n")
        };
        let required = "{requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [zone-b]}]}, {matchFields: [{key: metadata.name, operator: In, values: [a-1]}]}]}}";
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: a, count: 2, labels: {topology.kubernetes.io/zone: zone-a}, capacity: {cpu: \"64\", memory: 64Gi}}\n    - {name: b, count: 1, labels: {topology.kubernetes.io/zone: zone-b}, capacity: {cpu: \"64\", memory: 64Gi}}\n";
        let m = model(&format!("{}{}{spec}", deployment("web", 1, "1", "1Gi", ""), config(required)));
        let mut st = m.initial_state(&[2, 1]);
        st.pending[0] = 1;
        assert_eq!(feasible(&Concrete, &m, &st, 0), vec![false, true, true], "zone-b, or the node named a-1");
        assert!(m.ir.groups[0].per_node.iter().all(|p| p.affinity_ok), "the pod's own affinity is untouched");
        assert_eq!(rejections(&m, &st, 0)[0].1, vec!["the scheduler's addedAffinity does not match"]);
        assert_eq!(crate::model::relation::static_classes(&m), vec![0, 1, 2], "a-0 and a-1 differ");
        let preferred = "{preferredDuringSchedulingIgnoredDuringExecution: [{weight: 4, preference: {matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [zone-a]}]}}]}";
        let m = model(&format!("{}{}{spec}", deployment("web", 1, "1", "1Gi", ""), config(preferred)));
        assert_eq!(m.ir.scheduler.added_preferred_weight, vec![4, 4, 0]);
        let mut st = m.initial_state(&[2, 1]);
        st.pending[0] = 1;
        let loads = NodeLoads::of(&Concrete, &m, &st);
        let feas = feasible(&Concrete, &m, &st, 0);
        let sc = scores_with(&Concrete, &m, &st, &loads, 0, &feas);
        // NodeAffinity 100 x 2 on zone-a, 0 on zone-b; the rest is alike on all three.
        assert_eq!((sc[0] - sc[2], sc[1] - sc[2]), (200, 200));
    }

    /// kube-scheduler refuses an addedAffinity that fails to parse (ValidateNodeAffinityArgs).
    #[test]
    fn unparsable_added_affinity_is_refused() {
        let yaml = format!("{}apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n  - pluginConfig: [{{name: NodeAffinity, args: {{addedAffinity: {{requiredDuringSchedulingIgnoredDuringExecution: {{nodeSelectorTerms: [{{matchExpressions: [{{key: zone, operator: NotIn, values: [\"a b\"]}}]}}]}}}}}}}}]\n---\napiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: n, count: 1, capacity: {{cpu: \"8\", memory: 8Gi}}}}]\n", deployment("web", 1, "1", "1Gi", ""));
        let mut inputs = crate::manifest::Inputs::default();
        let mut errors = Vec::new();
        crate::manifest::load_text(std::path::Path::new("t.yaml"), &yaml, Default::default(), &mut inputs, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let e = crate::ir::build(&inputs, Default::default()).expect_err("refused").to_string();
        assert!(e.contains("profiles[0].pluginConfig[0].args.addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]") && e.contains("ValidateNodeAffinityArgs"), "{e}");
    }
}
