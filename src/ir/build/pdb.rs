//! policy/v1 PodDisruptionBudgets -> `ir::Pdb`: the budget (`minAvailable` or
//! `maxUnavailable`, an integer or a percentage), the pod groups the selector matches in the
//! PDB's namespace, and `unhealthyPodEvictionPolicy`. Owns the checks the API server makes on a
//! PDB and refusing what kbmc cannot represent; must not decide how evictions use the budget
//! (that is `model::disruption`).
//!
//! Upstream facts it follows:
//! - `ValidatePodDisruptionBudgetSpec` (pkg/apis/policy/validation/validation.go):
//!   `minAvailable` and `maxUnavailable` may not both be set; each is a non-negative integer or
//!   a percentage of at most 100%; `unhealthyPodEvictionPolicy` is `IfHealthyBudget` or
//!   `AlwaysAllow`.
//! - The selector (policy/v1 semantics, k/k #119732): a nil selector matches no pod, an empty
//!   one (`{}`) every pod of the PDB's namespace, in the eviction subresource
//!   (pkg/registry/core/pod/storage/eviction.go, `getPodDisruptionBudgets`) as in the
//!   disruption controller (pkg/controller/disruption/disruption.go, `getPodsForPdb`).
//! - The status (`currentHealthy`, `disruptionsAllowed`, ...) is what the disruption
//!   controller computes from the pods; kbmc computes it from the state instead of reading
//!   it.
//! - A snapshot's fixed pods (pods no modelled controller owns) that a PDB selects besides a
//!   Deployment's pods are refused: their controllers' scale, which the disruption controller
//!   reads (`getExpectedScale`), is not read, and their readiness is not tracked. A PDB that
//!   selects fixed pods only cannot refuse any eviction kbmc makes (fixed pods are never
//!   evicted) and is kept with no group.

use std::collections::BTreeSet;

use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{shared_names, Builder};
use crate::error::{InputClass, InputError, Origin};
use crate::ir::labels::all_match;
use crate::ir::{IntOrPercent, Pdb, PdbBudget, PodGroup};
use crate::manifest::Object;

/// A non-negative integer or a percentage of at most 100 (`ValidateNonnegativeIntOrPercent`
/// and `IsValidPercent` of the policy validation).
fn int_or_percent(v: &IntOrString) -> Result<IntOrPercent, String> {
    match v {
        IntOrString::Int(i) if *i >= 0 => Ok(IntOrPercent::Int(*i as i64)),
        IntOrString::Int(i) => Err(format!("{i} must be greater than or equal to 0")),
        IntOrString::String(s) => {
            let digits = s.strip_suffix('%').filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
            match digits.map(|d| d.parse::<i64>()) {
                Some(Ok(p)) if p <= 100 => Ok(IntOrPercent::Percent(p)),
                Some(_) => Err(format!("{s:?} must not be greater than 100%")),
                None => Err(format!(
                    "{s:?} is not allowed; expected a non-negative integer or a percentage such as \"50%\""
                )),
            }
        }
    }
}

impl Builder<'_> {
    /// Reads every PodDisruptionBudget, resolving its selector against the pod groups.
    pub(super) fn pdbs(&mut self, groups: &[PodGroup]) -> Vec<Pdb> {
        let inputs = self.inputs;
        let shared = shared_names(inputs.pdbs.iter().map(|o| &o.value.metadata));
        inputs.pdbs.iter().filter_map(|o| self.read_pdb(o, groups, &shared)).collect()
    }

    /// One PodDisruptionBudget: its budget, its eviction policy for unhealthy pods and the
    /// groups it selects; `None` when it is refused. `shared` holds the names several
    /// namespaces use.
    fn read_pdb(
        &mut self,
        o: &Object<PodDisruptionBudget>,
        groups: &[PodGroup],
        shared: &BTreeSet<String>,
    ) -> Option<Pdb> {
        let origin = &o.origin;
        let meta = &o.value.metadata;
        let object_name = meta.name.clone().unwrap_or_default();
        let namespace = meta.namespace.clone().unwrap_or_else(|| "default".into());
        let object = format!("PodDisruptionBudget/{object_name}");
        if meta.deletion_timestamp.is_some() {
            self.diag.unmodeled(
                InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    "metadata.deletionTimestamp",
                    "a PodDisruptionBudget being deleted still guards evictions until it is gone, which is not modelled",
                )
                .with_object(object.clone()),
            );
            return None;
        }
        let spec = o.value.spec.clone().unwrap_or_default();
        let budget = self.pdb_budget(&spec, origin, &object)?;
        let always_allow = self.pdb_always_allow(&spec, origin, &object)?;
        // A nil selector matches no pod; `{}` every pod of the namespace.
        let selector =
            spec.selector.as_ref().map(|s| crate::ir::pod::label_selector(s, origin, "spec.selector", &mut self.diag));
        let matches = |labels: &[(String, String)]| {
            selector
                .as_ref()
                .is_some_and(|sel| all_match(sel, |k| labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str())))
        };
        let selects: Vec<bool> =
            (0..groups.len()).map(|g| self.owner_namespace(g) == namespace && matches(&groups[g].labels)).collect();
        // getExpectedScale finds no scale for a DaemonSet (it has no scale subresource),
        // so the disruption controller's failSafe allows no disruption while one of its
        // pods is selected; an integer minAvailable counts pods and needs no scale.
        let daemon = (0..groups.len()).find(|&g| selects[g] && groups[g].daemon_set().is_some());
        let by_count = matches!(budget, PdbBudget::MinAvailable(IntOrPercent::Int(_)) | PdbBudget::Unset);
        if let (Some(g), false) = (daemon, by_count) {
            let owner = self.owner_name(g).to_string();
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "spec.selector",
                format!("selects pods of DaemonSet {owner:?} under a percentage or maxUnavailable: the disruption controller finds no scale for a DaemonSet and allows no disruption while such a pod exists, which is not modelled; use an integer minAvailable"),
            ));
            return None;
        }
        let fixed = self.fixed_pods.iter().find(|fp| fp.namespace == namespace && matches(&fp.labels));
        if let (Some(fp), true) = (fixed, selects.contains(&true)) {
            self.diag.unmodeled(
                InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    "spec.selector",
                    format!(
                        "selects {} (pods no modelled controller owns) besides a Deployment's pods: their scale and readiness, which the disruption controller counts, are not modelled",
                        fp.owner
                    ),
                )
                .with_object(object),
            );
            return None;
        }
        let name = if shared.contains(&object_name) { format!("{namespace}/{object_name}") } else { object_name };
        Some(Pdb { name, namespace, budget, selects, always_allow })
    }

    /// A PDB's budget: `minAvailable` or `maxUnavailable` (not both), or neither; `None`
    /// after an error (at `origin`, naming `object`).
    fn pdb_budget(&mut self, spec: &PodDisruptionBudgetSpec, origin: &Origin, object: &str) -> Option<PdbBudget> {
        let mut parse = |v: &IntOrString, field: &str| match int_or_percent(v) {
            Ok(x) => Some(x),
            Err(why) => {
                self.diag
                    .error(InputError::at(origin, InputClass::Invalid, field, why).with_object(object.to_string()));
                None
            }
        };
        match (&spec.min_available, &spec.max_unavailable) {
            (Some(_), Some(_)) => {
                self.diag.error(
                    InputError::at(
                        origin,
                        InputClass::Invalid,
                        "spec",
                        "minAvailable and maxUnavailable cannot be both set (the API server rejects the PodDisruptionBudget)",
                    )
                    .with_object(object.to_string()),
                );
                None
            }
            (Some(v), None) => parse(v, "spec.minAvailable").map(PdbBudget::MinAvailable),
            (None, Some(v)) => parse(v, "spec.maxUnavailable").map(PdbBudget::MaxUnavailable),
            (None, None) => Some(PdbBudget::Unset),
        }
    }

    /// Whether a PDB's `unhealthyPodEvictionPolicy` is AlwaysAllow (IfHealthyBudget by
    /// default); `None` after an error (at `origin`, naming `object`).
    fn pdb_always_allow(&mut self, spec: &PodDisruptionBudgetSpec, origin: &Origin, object: &str) -> Option<bool> {
        match spec.unhealthy_pod_eviction_policy.as_deref() {
            None | Some("IfHealthyBudget") => Some(false),
            Some("AlwaysAllow") => Some(true),
            Some(other) => {
                self.diag.error(
                    InputError::at(
                        origin,
                        InputClass::Invalid,
                        "spec.unhealthyPodEvictionPolicy",
                        format!("unsupported value {other:?}; expected \"IfHealthyBudget\" or \"AlwaysAllow\""),
                    )
                    .with_object(object.to_string()),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::ir::{IntOrPercent, PdbBudget};
    use crate::manifest::{load_text, Inputs, LoadOptions};

    fn build(yaml: &str) -> Result<crate::ir::Model, String> {
        let mut inputs = Inputs::default();
        let mut errors = Vec::new();
        load_text(std::path::Path::new("pdb.yaml"), yaml, LoadOptions::default(), &mut inputs, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        crate::ir::build(&inputs, crate::ir::BuildOptions::default()).map(|(m, _)| m).map_err(|e| e.to_string())
    }

    const CLUSTER: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web, tier: front}}\n    spec: {containers: [{name: c, image: web:1, resources: {requests: {cpu: 100m, memory: 64Mi}}}]}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db, namespace: data}\nspec:\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: c, image: db:1, resources: {requests: {cpu: 100m, memory: 64Mi}}}]}\n---\napiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n---\n";

    fn pdb(spec: &str) -> String {
        format!(
            "{CLUSTER}apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: web-pdb}}\nspec: {spec}\n"
        )
    }

    #[test]
    fn budgets_and_selectors_are_read() {
        let m = build(&pdb("{minAvailable: 2, selector: {matchLabels: {app: web}}}")).unwrap();
        assert_eq!(m.pdbs[0].budget, PdbBudget::MinAvailable(IntOrPercent::Int(2)));
        assert_eq!(m.pdbs[0].selects, vec![true, false], "a PDB selects pods of its own namespace only");
        let m = build(&pdb("{maxUnavailable: \"50%\", unhealthyPodEvictionPolicy: AlwaysAllow, selector: {matchExpressions: [{key: tier, operator: In, values: [front]}]}}")).unwrap();
        assert_eq!(m.pdbs[0].budget, PdbBudget::MaxUnavailable(IntOrPercent::Percent(50)));
        assert!(m.pdbs[0].always_allow);
        assert_eq!(m.pdbs[0].selects, vec![true, false]);
        // policy/v1: a nil selector matches nothing, `{}` every pod of the namespace.
        assert_eq!(build(&pdb("{minAvailable: 1}")).unwrap().pdbs[0].selects, vec![false, false]);
        assert_eq!(build(&pdb("{minAvailable: 1, selector: {}}")).unwrap().pdbs[0].selects, vec![true, false]);
        assert_eq!(build(&pdb("{selector: {}}")).unwrap().pdbs[0].budget, PdbBudget::Unset);
    }

    #[test]
    fn bad_budgets_name_file_object_and_field() {
        for (spec, field, what) in [
            ("{minAvailable: 1, maxUnavailable: 1, selector: {}}", "spec", "cannot be both set"),
            ("{minAvailable: -1, selector: {}}", "spec.minAvailable", "greater than or equal to 0"),
            ("{maxUnavailable: \"150%\", selector: {}}", "spec.maxUnavailable", "not be greater than 100%"),
            ("{maxUnavailable: \"half\", selector: {}}", "spec.maxUnavailable", "expected a non-negative integer"),
            (
                "{minAvailable: 1, unhealthyPodEvictionPolicy: Never, selector: {}}",
                "spec.unhealthyPodEvictionPolicy",
                "IfHealthyBudget",
            ),
            (
                "{minAvailable: 1, selector: {matchExpressions: [{key: app, operator: Is, values: [web]}]}}",
                "spec.selector.matchExpressions[0].operator",
                "unknown operator",
            ),
        ] {
            let e = build(&pdb(spec)).expect_err(spec);
            assert!(e.contains("pdb.yaml") && e.contains(field) && e.contains(what), "{spec}: {e}");
            assert!(!field.starts_with("spec.selector") || e.contains("document 4"), "{e}");
        }
        let e = build(&pdb("{minAvailable: 1, maxUnavailable: 1}")).unwrap_err();
        assert!(e.contains("PodDisruptionBudget/web-pdb"), "{e}");
    }
}
