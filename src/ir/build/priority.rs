//! PriorityClasses (`scheduling.k8s.io/v1`) and the priority of each pod group, as the API
//! server resolves them. Owns validating the classes and resolving a pod template's
//! `priorityClassName`; must not decide what the scheduler or the descheduler do with a
//! priority (`model::controllers::preemption`, the descheduler's evictor).
//!
//! Upstream facts it follows:
//! - `pkg/apis/scheduling/validation/validation.go` `ValidatePriorityClass`: the name is a
//!   DNS subdomain, a name starting with `system-` is reserved for the built-in classes, a
//!   user class's value is at most `HighestUserDefinablePriority` (1000000000),
//!   `preemptionPolicy` is `PreemptLowerPriority` (the default, `SetDefaults_PriorityClass`)
//!   or `Never`.
//! - `pkg/apis/scheduling/types.go` `SystemPriorityClasses`: `system-cluster-critical`
//!   (2000000000) and `system-node-critical` (2000001000), which the API server creates
//!   itself; a dump of a cluster lists them, with those values.
//! - `plugin/pkg/admission/priority/admission.go` `validatePriorityClass`: at most one class
//!   is `globalDefault`; `admitPod`: a pod naming no class gets the globalDefault class's
//!   value and policy, else priority 0 (`DefaultPriorityWhenNoDefaultClassExists`) and
//!   PreemptLowerPriority; a class name that does not exist is refused ("no PriorityClass
//!   with name ... was found"); a `spec.priority` or `spec.preemptionPolicy` the pod sets
//!   itself that differs from the class's is refused.
//!
//! [`Builder::pod_priority`] is what every part that reads a pod template calls (Deployments
//! here; a DaemonSet or StatefulSet part does the same with its template's facts), so that
//! every pod group gets its priority one way.

use super::Builder;
use crate::error::{InputClass, InputError, Origin};
use crate::ir::pod::TemplateFacts;
use crate::ir::PriorityClass;

/// `HighestUserDefinablePriority`.
pub const HIGHEST_USER_DEFINABLE: i64 = 1_000_000_000;
/// `SystemCriticalPriority`: the value of system-cluster-critical; pods at or above it are
/// critical (the descheduler's `IsCriticalPriorityPod`).
pub const SYSTEM_CRITICAL: i64 = 2_000_000_000;
/// The built-in classes the API server creates (`SystemPriorityClasses`).
pub const BUILTIN: [(&str, i64); 2] =
    [("system-cluster-critical", SYSTEM_CRITICAL), ("system-node-critical", SYSTEM_CRITICAL + 1000)];

impl Builder<'_> {
    /// Reads the PriorityClass manifests, validated as the API server validates them, plus
    /// the built-in system classes.
    pub(super) fn priority_classes(&mut self) -> Vec<PriorityClass> {
        let mut out: Vec<PriorityClass> = BUILTIN
            .iter()
            .map(|&(name, value)| PriorityClass {
                name: name.to_string(),
                value,
                global_default: false,
                preempts: true,
                builtin: true,
            })
            .collect();
        let mut defaults: Vec<(String, Origin)> = Vec::new();
        for obj in &self.inputs.priority_classes {
            let pc = &obj.value;
            let origin = &obj.origin;
            let name = pc.metadata.name.clone().unwrap_or_default();
            let value = pc.value.unwrap_or(0) as i64;
            let preempts = match pc.preemption_policy.as_deref() {
                None | Some("PreemptLowerPriority") => true,
                Some("Never") => false,
                Some(other) => {
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::Invalid,
                        "preemptionPolicy",
                        format!("{other:?}; expected PreemptLowerPriority or Never"),
                    ));
                    true
                }
            };
            if let Some(&(_, v)) = BUILTIN.iter().find(|(n, _)| *n == name) {
                // A dump lists the API server's own classes: accepted when they are what it
                // creates.
                if value != v || pc.global_default == Some(true) || !preempts {
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::Invalid,
                        "value",
                        format!("{name} is a built-in PriorityClass (value {v}, not globalDefault, PreemptLowerPriority); the API server does not let it be changed"),
                    ));
                }
                continue;
            }
            if name.starts_with("system-") {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    "metadata.name",
                    format!("{name:?}: the prefix \"system-\" is reserved for the built-in PriorityClasses (system-cluster-critical, system-node-critical)"),
                ));
                continue;
            }
            if value > HIGHEST_USER_DEFINABLE {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    "value",
                    format!("{value}: a user-defined PriorityClass's value is at most {HIGHEST_USER_DEFINABLE} (HighestUserDefinablePriority)"),
                ));
            }
            if out.iter().any(|c| c.name == name) {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    "metadata.name",
                    format!("a second PriorityClass named {name:?}; PriorityClasses are cluster-scoped and a name exists once"),
                ));
                continue;
            }
            if pc.metadata.deletion_timestamp.is_some() {
                self.diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    "metadata.deletionTimestamp",
                    "a PriorityClass being deleted is not modelled",
                ));
            }
            let global_default = pc.global_default == Some(true);
            if global_default {
                defaults.push((name.clone(), origin.clone()));
            }
            out.push(PriorityClass { name, value, global_default, preempts, builtin: false });
        }
        if let [(first, _), rest @ ..] = defaults.as_slice() {
            for (name, origin) in rest {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    "globalDefault",
                    format!("PriorityClass {name} is globalDefault, and so is {first}; the Priority admission plugin allows one default"),
                ));
            }
        }
        out
    }

    /// The priority and preemption policy (`true`: PreemptLowerPriority) the Priority
    /// admission plugin gives a pod of a template with facts `f` (`prefix` is the template's
    /// field path, e.g. `spec.template`), against the classes read by
    /// [`priority_classes`](Self::priority_classes). Errors as admission refuses the pod.
    pub(super) fn pod_priority(&mut self, f: &TemplateFacts, origin: &Origin, prefix: &str) -> (i64, bool) {
        let spec = format!("{prefix}.spec");
        let (value, preempts) = match &f.priority_class {
            Some(name) => match self.classes.iter().find(|c| &c.name == name) {
                Some(c) => (c.value, c.preempts),
                None => {
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::DanglingReference,
                        format!("{spec}.priorityClassName"),
                        format!("no PriorityClass with name {name:?} was found; the Priority admission plugin refuses the pod (add the scheduling.k8s.io/v1 PriorityClass to the inputs)"),
                    ));
                    return (0, true);
                }
            },
            None => self.classes.iter().find(|c| c.global_default).map_or((0, true), |c| (c.value, c.preempts)),
        };
        if let Some(p) = f.priority.filter(|&p| p as i64 != value) {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                format!("{spec}.priority"),
                format!("{p}, but the Priority admission plugin computes {value} from the PriorityClass and refuses a pod that sets another"),
            ));
        }
        let policy = if preempts { "PreemptLowerPriority" } else { "Never" };
        if let Some(p) = f.preemption_policy.as_deref().filter(|&p| p != policy) {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                format!("{spec}.preemptionPolicy"),
                format!("{p:?}, but the Priority admission plugin computes {policy} from the PriorityClass and refuses a pod that sets another"),
            ));
        }
        (value, preempts)
    }

    /// The value of PriorityClass `name`, if it exists (for a DefaultEvictor's
    /// `priorityThreshold.name`).
    pub(super) fn class_value(&self, name: &str) -> Option<i64> {
        self.classes.iter().find(|c| c.name == name).map(|c| c.value)
    }
}

impl Builder<'_> {
    /// The priorities of the pod groups read so far whose pods may preempt.
    pub(super) fn preemptor_priorities(&self) -> impl Iterator<Item = i64> + '_ {
        self.group_priority.iter().filter(|(_, preempts)| *preempts).map(|(v, _)| *v)
    }

    /// Where the scheduler may preempt (a group whose pods may preempt has a group of lower
    /// priority beside it), refuses what kbmc's preemption does not model: required
    /// inter-pod (anti-)affinity and hard topology spread constraints (SelectVictimsOnNode's
    /// removal of victims and addNominatedPods update those plugins' pre-filter state across
    /// nodes), a pod group that two PodDisruptionBudgets select, and more than 100 node slots
    /// (DefaultPreemption then dry-runs a random subset of the nodes). A DaemonSet's pods
    /// preempt on their own node and are preempted like any pod (`model::controllers::
    /// preemption`).
    pub(super) fn check_preemption(&mut self, groups: &[crate::ir::PodGroup], pdbs: &[crate::ir::Pdb]) {
        let preemptors: Vec<i64> = groups.iter().filter(|g| g.preempts).map(|g| g.priority).collect();
        let can_preempt = |p: i64| preemptors.iter().any(|&q| q > p);
        let victims: Vec<usize> = (0..groups.len()).filter(|&h| can_preempt(groups[h].priority)).collect();
        if victims.is_empty() {
            return;
        }
        let why = "the scheduler may preempt here (a pod group that may preempt has one of lower priority beside it)";
        // One error per Deployment and field, whichever of its revisions has it.
        let mut seen = std::collections::BTreeSet::new();
        let mut refuse = |b: &mut Self, g: usize, field: &str, what: String| {
            if !seen.insert((groups[g].owner, field.to_string())) {
                return;
            }
            let origin = match groups[g].owner {
                crate::ir::Owner::Deployment(d) => b.deployments[d.index()].origin.clone(),
                crate::ir::Owner::DaemonSet(s) => b.daemon_sets[s.index()].origin.clone(),
            };
            b.diag.unmodeled(InputError::at(
                &origin,
                InputClass::Unmodeled,
                field.to_string(),
                format!("{what}; {why}, and kbmc's preemption does not model it"),
            ));
        };
        for (g, grp) in groups.iter().enumerate() {
            if !grp.pod_affinity.required.is_empty() || !grp.pod_affinity.required_anti.is_empty() {
                refuse(self, g, "spec.template.spec.affinity", "required inter-pod (anti-)affinity: preemption's dry run updates InterPodAffinity's pre-filter state as it removes victims".into());
            }
            if grp.spread.iter().any(|c| c.hard) {
                refuse(self, g, "spec.template.spec.topologySpreadConstraints", "a DoNotSchedule topology spread constraint: preemption's dry run updates PodTopologySpread's pre-filter state as it removes victims and adds nominated pods".into());
            }
        }
        for &h in &victims {
            let selecting: Vec<&str> = pdbs.iter().filter(|p| p.selects[h]).map(|p| p.name.as_str()).collect();
            if selecting.len() > 1 {
                refuse(
                    self,
                    h,
                    "metadata.labels",
                    format!(
                        "its pods are selected by {} PodDisruptionBudgets ({})",
                        selecting.len(),
                        selecting.join(", ")
                    ),
                );
            }
        }
        if self.nodes.len() > 100 {
            let origin = self.spec_origin.clone();
            self.diag.unmodeled(InputError::at(&origin, InputClass::Unmodeled, "spec.nodePools", format!("{} node slots: past 100 nodes DefaultPreemption dry-runs a random subset of them (minCandidateNodesAbsolute 100); {why}", self.nodes.len())));
        }
    }
}

impl Builder<'_> {
    /// The priority from which DefaultEvictor `a` protects pods (descheduler
    /// `pkg/framework/plugins/defaultevictor/defaultevictor.go`): unless
    /// `evictSystemCriticalPods`, system-critical pods (`IsCriticalPriorityPod`: priority at
    /// least 2000000000) and, with a `priorityThreshold`, pods whose priority is not below it
    /// (`IsPodEvictableBasedOnPriority`); the threshold's `name` is a PriorityClass whose
    /// value it takes (`GetPriorityValueFromPriorityThreshold`, an error when there is none),
    /// and `name` and `value` together are refused (`ValidateDefaultEvictorArgs`). `field` is
    /// the args' path.
    pub(super) fn evictor_priority(
        &mut self,
        origin: &Origin,
        field: &str,
        a: &crate::manifest::descheduler::DefaultEvictorArgs,
    ) -> Option<i64> {
        if a.evict_system_critical_pods {
            return None;
        }
        let Some(t) = &a.priority_threshold else { return Some(SYSTEM_CRITICAL) };
        let f = format!("{field}.priorityThreshold");
        let err = |b: &mut Self, what: String| {
            b.diag.error(InputError::at(origin, InputClass::Invalid, f.clone(), what));
        };
        let Some(map) = t.as_mapping() else {
            err(self, "expected a mapping with `value` (an integer) or `name` (a PriorityClass)".into());
            return Some(SYSTEM_CRITICAL);
        };
        let mut value = None;
        let mut name = None;
        for (k, v) in map {
            match (k.as_str(), v) {
                (Some("value"), v) => match v.as_i64().and_then(|x| i32::try_from(x).ok()) {
                    Some(x) => value = Some(x as i64),
                    None if v.is_null() => {}
                    None => err(self, format!("value: {v:?} is no 32-bit integer")),
                },
                (Some("name"), v) => match v.as_str() {
                    Some(s) if !s.is_empty() => name = Some(s.to_string()),
                    Some(_) => {}
                    None if v.is_null() => {}
                    None => err(self, format!("name: {v:?} is no string")),
                },
                (k, _) => err(self, format!("unknown field {k:?}; expected value or name")),
            }
        }
        let threshold = match (value, name) {
            (Some(_), Some(_)) => {
                err(self, "priority threshold misconfigured, only one of priorityThreshold fields can be set (ValidateDefaultEvictorArgs)".into());
                return Some(SYSTEM_CRITICAL);
            }
            (Some(v), None) => v,
            (None, Some(n)) => match self.class_value(&n) {
                Some(v) => v,
                None => {
                    err(self, format!("name: no PriorityClass {n:?} among the inputs; the descheduler fails to start when it cannot get the class"));
                    return Some(SYSTEM_CRITICAL);
                }
            },
            (None, None) => return Some(SYSTEM_CRITICAL),
        };
        Some(threshold.min(SYSTEM_CRITICAL))
    }
}

#[cfg(test)]
mod tests {
    use crate::model::testkit::deployment;

    fn build(yaml: &str) -> Result<crate::ir::Model, String> {
        let mut inputs = crate::manifest::Inputs::default();
        let mut errors = Vec::new();
        crate::manifest::load_text(std::path::Path::new("t.yaml"), yaml, Default::default(), &mut inputs, &mut errors);
        if !errors.is_empty() {
            return Err(format!("{errors:?}"));
        }
        crate::ir::build(&inputs, Default::default()).map(|(m, _)| m).map_err(|e| e.to_string())
    }

    fn class(name: &str, rest: &str) -> String {
        format!("apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {{name: {name}}}\n{rest}\n---\n")
    }

    const SPEC: &str = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 1, capacity: {cpu: \"8\", memory: 8Gi}}]\n";

    /// admission.go `admitPod`: a named class's value and policy; the globalDefault class's
    /// for a pod naming none; 0 and PreemptLowerPriority without a default; the built-in
    /// system classes exist without a manifest.
    #[test]
    fn templates_get_their_class() {
        let yaml = format!(
            "{}{}{}{}{}{SPEC}",
            class("batch", "value: 10\npreemptionPolicy: Never"),
            class("base", "value: 5\nglobalDefault: true"),
            deployment("a", 1, "1", "1Gi", "priorityClassName: batch"),
            deployment("b", 1, "1", "1Gi", ""),
            deployment("c", 1, "1", "1Gi", "priorityClassName: system-node-critical"),
        );
        let m = build(&yaml).unwrap();
        let got: Vec<(i64, bool)> = m.groups.iter().map(|g| (g.priority, g.preempts)).collect();
        assert_eq!(got, vec![(10, false), (5, true), (2_000_001_000, true)]);
        let m = build(&format!("{}{SPEC}", deployment("b", 1, "1", "1Gi", ""))).unwrap();
        assert_eq!((m.groups[0].priority, m.groups[0].preempts), (0, true));
    }

    /// A DaemonSet where the scheduler may preempt builds (its pods preempt on their own node
    /// and are preempted like any pod: `model::controllers::preemption`), with its class's
    /// priority; beside priorities that cannot preempt it builds too.
    #[test]
    fn a_daemon_set_where_the_scheduler_may_preempt_builds() {
        let agent = |class: &str| {
            format!(
                "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: agent}}\nspec:\n  selector: {{matchLabels: {{app: agent}}}}\n  template:\n    metadata: {{labels: {{app: agent}}}}\n    spec:\n      {class}\n      containers: [{{name: c, image: a, resources: {{requests: {{cpu: 100m, memory: 64Mi}}}}}}]\n---\n"
            )
        };
        let m = build(&format!(
            "{}{}{}{SPEC}",
            agent("priorityClassName: system-node-critical"),
            deployment("a", 1, "1", "1Gi", ""),
            deployment("b", 1, "1", "1Gi", "priorityClassName: system-cluster-critical"),
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        let daemon = m.groups.iter().find(|g| g.daemon_set().is_some()).expect("the DaemonSet's group");
        assert_eq!((daemon.priority, daemon.preempts), (2_000_001_000, true));
        assert!(crate::model::Model::new(&m).preempts);
        let built = build(&format!(
            "{}{}{}{SPEC}",
            class("never", "value: 10\npreemptionPolicy: Never"),
            agent("priorityClassName: never"),
            deployment("a", 1, "1", "1Gi", ""),
        ));
        assert!(built.is_ok(), "{built:?}");
    }

    /// ValidatePriorityClass and admission's checks, each an error naming the field.
    #[test]
    fn bad_classes_are_refused() {
        let err = |yaml: String| build(&format!("{yaml}{SPEC}")).expect_err("refused");
        let e = err(format!(
            "{}{}",
            class("a", "value: 1\nglobalDefault: true"),
            class("b", "value: 2\nglobalDefault: true")
        ));
        assert!(e.contains("globalDefault") && e.contains("one default"), "{e}");
        let e = err(class("a", "value: 1\npreemptionPolicy: Sometimes"));
        assert!(e.contains("preemptionPolicy") && e.contains("PreemptLowerPriority or Never"), "{e}");
        let e = err(class("a", "value: 1000000001"));
        assert!(e.contains("HighestUserDefinablePriority"), "{e}");
        let e = err(class("system-mine", "value: 1"));
        assert!(e.contains("reserved"), "{e}");
        let e = err(class("system-cluster-critical", "value: 7"));
        assert!(e.contains("built-in"), "{e}");
        let ok = build(&format!(
            "{}{}{SPEC}",
            class("system-cluster-critical", "value: 2000000000"),
            deployment("w", 1, "1", "1Gi", "")
        ));
        assert!(ok.is_ok(), "{ok:?}");
        let e = err(format!(
            "{}{}",
            class("a", "value: 1"),
            deployment("w", 1, "1", "1Gi", "priorityClassName: a\npriority: 2")
        ));
        assert!(e.contains("spec.template.spec.priority") && e.contains("computes 1"), "{e}");
        let e = err(format!(
            "{}{}",
            class("a", "value: 1"),
            deployment("w", 1, "1", "1Gi", "priorityClassName: a\npreemptionPolicy: Never")
        ));
        assert!(e.contains("spec.template.spec.preemptionPolicy"), "{e}");
        let e = err(class("a", "globalDefault: true"));
        assert!(e.contains("value"), "{e}");
    }

    /// ValidateDefaultEvictorArgs: `name` and `value` together are refused; a `name` without
    /// its class is an error.
    #[test]
    fn evictor_thresholds_are_checked() {
        let policy = |args: &str| {
            format!("apiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\nprofiles:\n  - name: p\n    pluginConfig: [{{name: DefaultEvictor, args: {{priorityThreshold: {args}}}}}, {{name: RemoveDuplicates}}]\n    plugins: {{balance: {{enabled: [RemoveDuplicates]}}}}\n---\n")
        };
        let with = |args: &str| {
            build(&format!("{}{}{}{SPEC}", class("a", "value: 7"), deployment("w", 1, "1", "1Gi", ""), policy(args)))
        };
        let e = with("{value: 1, name: a}").expect_err("refused");
        assert!(e.contains("priorityThreshold") && e.contains("only one of"), "{e}");
        let e = with("{name: b}").expect_err("refused");
        assert!(e.contains("no PriorityClass \"b\""), "{e}");
        let m = with("{name: a}").unwrap();
        assert_eq!(m.descheduler.unwrap().profiles[0].evictor.protect_from_priority, Some(7));
    }
}
