//! The descheduler's policy: the DeschedulerPolicy (one at most) -> the `Descheduler`: each
//! profile's enabled deschedule and balance plugins with their args, its DefaultEvictor's
//! settings, and the policy's eviction limits. Owns what the descheduler validates of a
//! policy (pkg/descheduler/policyconfig.go `validateDeschedulerConfiguration`, profile.go
//! `NewProfile`, the plugins' `Validate*Args`) and refusing what kbmc does not model
//! (metrics, plugin label selectors, the other plugins and evictor fields); must not decide
//! what a plugin evicts (that is `model/controllers/descheduler/`).

use std::collections::BTreeMap;

use super::{Builder, Diag};
use crate::error::{InputClass, InputError, Origin};
use crate::ir::{Descheduler, DeschedulerPlugin, DeschedulerProfile, Evictor, Namespaces, Thresholds};
use crate::manifest::descheduler::{self as ds, Args};
use crate::manifest::Object;

impl Builder<'_> {
    pub(super) fn descheduler(&mut self) -> Option<Descheduler> {
        let pols = &self.inputs.descheduler_policies;
        if pols.len() > 1 {
            self.diag.error(InputError::at(
                &pols[1].origin,
                InputClass::Invalid,
                "kind",
                format!("a second DeschedulerPolicy; the first is in {}", pols[0].origin),
            ));
        }
        let Object { origin, value: p } = pols.first()?;
        if p.node_selector.is_some() {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "nodeSelector",
                "restricting the descheduler to some nodes is not modelled",
            ));
        }
        if p.metrics_collector.is_some() || p.metrics_providers.is_some() {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "metricsProviders",
                "real-usage metrics are not modelled; utilization is computed from requests",
            ));
        }
        let mut profiles = Vec::new();
        for (pi, prof) in p.profiles.iter().enumerate() {
            let pf = format!("profiles[{pi}]");
            let mut args: BTreeMap<String, Option<Args>> = BTreeMap::new();
            for (ci, pc) in prof.plugin_config.iter().enumerate() {
                let f = format!("{pf}.pluginConfig[{ci}].args");
                match ds::decode_args(origin, &f, &pc.name, pc.args.clone()) {
                    Ok(a) => {
                        if let Some(a) = &a {
                            self.validate_args(origin, &f, a);
                        }
                        args.insert(pc.name.clone(), a);
                    }
                    Err(es) => es.into_iter().for_each(|e| self.diag.error(e)),
                }
            }
            let mut evictor = Evictor {
                node_fit: false,
                evict_local_storage_pods: false,
                ignore_pvc_pods: false,
                min_replicas: 0,
                protect_from_priority: Some(super::priority::SYSTEM_CRITICAL),
            };
            if let Some(Some(Args::DefaultEvictor(a))) = args.get("DefaultEvictor") {
                let ci = prof.plugin_config.iter().position(|c| c.name == "DefaultEvictor").unwrap_or(0);
                let f = format!("{pf}.pluginConfig[{ci}].args");
                evictor = Evictor {
                    node_fit: a.node_fit,
                    evict_local_storage_pods: a.evict_local_storage_pods,
                    ignore_pvc_pods: a.ignore_pvc_pods,
                    min_replicas: a.min_replicas.unwrap_or(0) as i64,
                    protect_from_priority: self.evictor_priority(origin, &f, a),
                };
                for (set, field) in [
                    (a.label_selector.is_some(), "labelSelector"),
                    (a.namespace_label_selector.is_some(), "namespaceLabelSelector"),
                    (a.min_pod_age.is_some(), "minPodAge"),
                    (a.pod_protections.is_some(), "podProtections"),
                    (a.node_selector.is_some(), "nodeSelector"),
                    (a.ignore_pods_without_pdb, "ignorePodsWithoutPDB"),
                    // Without a DaemonSet among the inputs there is no daemon pod to evict.
                    (a.evict_daemon_set_pods && !self.daemon_sets.is_empty(), "evictDaemonSetPods"),
                    // It decides what happens to pods annotated
                    // descheduler.alpha.kubernetes.io/prefer-no-eviction, an annotation kbmc
                    // does not read.
                    (a.no_eviction_policy.is_some(), "noEvictionPolicy"),
                ] {
                    if set {
                        self.diag.unmodeled(InputError::at(
                            origin,
                            InputClass::Unmodeled,
                            format!("{f}.{field}"),
                            format!("DefaultEvictor {field} is not modelled"),
                        ));
                    }
                }
            }
            // The descheduler always runs DefaultEvictor at filter and preEvictionFilter
            // (policyconfig.go, setDefaultEvictor) and refuses names there that are no evictor
            // plugin (profile.go, NewProfile); DefaultEvictor is the only one.
            for (point, list) in [
                ("filter", &prof.plugins.filter.enabled),
                ("preevictionfilter", &prof.plugins.pre_eviction_filter.enabled),
            ] {
                for (i, name) in list.iter().enumerate().filter(|(_, n)| *n != "DefaultEvictor") {
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::Invalid,
                        format!("{pf}.plugins.{point}.enabled[{i}]"),
                        format!("{name:?} is no evictor plugin; the descheduler accepts only DefaultEvictor here"),
                    ));
                }
            }
            let mut deschedule = Vec::new();
            let mut balance = Vec::new();
            for (point, list, is_balance) in [
                ("deschedule", &prof.plugins.deschedule.enabled, false),
                ("balance", &prof.plugins.balance.enabled, true),
            ] {
                for (i, name) in list.iter().enumerate() {
                    let f = format!("{pf}.plugins.{point}.enabled[{i}]");
                    let belongs_to_balance = matches!(
                        name.as_str(),
                        "RemoveDuplicates"
                            | "RemovePodsViolatingTopologySpreadConstraint"
                            | "LowNodeUtilization"
                            | "HighNodeUtilization"
                    );
                    if ds::UNMODELED_PLUGINS.contains(&name.as_str()) {
                        self.diag.unmodeled(InputError::at(
                            origin,
                            InputClass::Unmodeled,
                            f,
                            format!("descheduler plugin {name} is not modelled"),
                        ));
                        continue;
                    }
                    if !matches!(
                        name.as_str(),
                        "RemoveDuplicates"
                            | "RemovePodsViolatingTopologySpreadConstraint"
                            | "LowNodeUtilization"
                            | "RemovePodsViolatingNodeTaints"
                            | "RemovePodsViolatingNodeAffinity"
                            | "RemovePodsViolatingInterPodAntiAffinity"
                    ) {
                        self.diag.error(InputError::at(
                            origin,
                            InputClass::Invalid,
                            f,
                            format!("unknown descheduler plugin {name:?}"),
                        ));
                        continue;
                    }
                    if belongs_to_balance != is_balance {
                        self.diag.error(InputError::at(
                            origin,
                            InputClass::Invalid,
                            f,
                            format!(
                                "{name} is a {} plugin, not a {point} one (the descheduler refuses this profile)",
                                if belongs_to_balance { "balance" } else { "deschedule" }
                            ),
                        ));
                        continue;
                    }
                    let Some(a) = args.get(name.as_str()) else {
                        self.diag.error(InputError::at(origin, InputClass::MissingOrMistyped, format!("{pf}.pluginConfig"), format!("plugin {name} is enabled but has no pluginConfig entry; the descheduler fails with \"unable to find plugin config\" (add `- name: {name}`)")));
                        continue;
                    };
                    let ci = prof.plugin_config.iter().position(|c| &c.name == name).unwrap_or(0);
                    let af = format!("{pf}.pluginConfig[{ci}].args");
                    if let Some(plugin) = self.desched_plugin(origin, &af, a.as_ref()) {
                        if is_balance {
                            balance.push(plugin);
                        } else {
                            deschedule.push(plugin);
                        }
                    }
                }
            }
            profiles.push(DeschedulerProfile { name: prof.name.clone(), deschedule, balance, evictor });
        }
        Some(Descheduler {
            profiles,
            max_per_node: p.max_no_of_pods_to_evict_per_node.map(|v| v as i64),
            max_per_namespace: p.max_no_of_pods_to_evict_per_namespace.map(|v| v as i64),
            max_total: p.max_no_of_pods_to_evict_total.map(|v| v as i64),
            origin: origin.clone(),
        })
    }

    /// What upstream validates of every pluginConfig entry, enabled or not
    /// (validateDeschedulerConfiguration in pkg/descheduler/policyconfig.go) and kbmc reads
    /// whatever the plugin's other arguments: a namespace filter with `include` and `exclude`
    /// not both set (ValidateRemoveDuplicatesArgs and the other plugins' Validate*Args),
    /// LowNodeUtilization's `evictableNamespaces` with `exclude` only
    /// (ValidateLowNodeUtilizationArgs), RemovePodsViolatingNodeTaints with `includedTaints`
    /// or `excludedTaints`, not both (ValidateRemovePodsViolatingNodeTaintsArgs).
    fn validate_args(&mut self, origin: &Origin, f: &str, args: &Args) {
        if let Args::RemovePodsViolatingNodeTaints(a) = args {
            if !a.excluded_taints.is_empty() && a.included_taints.as_ref().is_some_and(|t| !t.is_empty()) {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    format!("{f}.includedTaints"),
                    "includedTaints and excludedTaints are both set; the descheduler refuses the policy (\"either includedTaints or excludedTaints can be set, but not both\")",
                ));
            }
        }
        let (field, ns) = match args {
            Args::RemoveDuplicates(a) => ("namespaces", &a.namespaces),
            Args::RemovePodsViolatingTopologySpreadConstraint(a) => ("namespaces", &a.namespaces),
            Args::RemovePodsViolatingNodeTaints(a) => ("namespaces", &a.namespaces),
            Args::RemovePodsViolatingNodeAffinity(a) => ("namespaces", &a.namespaces),
            Args::RemovePodsViolatingInterPodAntiAffinity(a) => ("namespaces", &a.namespaces),
            Args::LowNodeUtilization(a) => ("evictableNamespaces", &a.evictable_namespaces),
            Args::DefaultEvictor(_) => return,
        };
        let Some(ns) = ns else { return };
        if field == "evictableNamespaces" && !ns.include.is_empty() {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                format!("{f}.evictableNamespaces.include"),
                "only exclude can be set here; the descheduler refuses the policy (\"only Exclude namespaces can be set, inclusion is not supported\")",
            ));
        } else if !ns.include.is_empty() && !ns.exclude.is_empty() {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                format!("{f}.{field}"),
                "include and exclude are both set; the descheduler refuses the policy (\"only one of Include/Exclude namespaces can be set\")",
            ));
        }
    }

    /// The IR of an enabled plugin whose args are at `f` (`profiles[i].pluginConfig[j].args`).
    fn desched_plugin(&mut self, origin: &Origin, f: &str, args: Option<&Args>) -> Option<DeschedulerPlugin> {
        // Validated with every pluginConfig entry (`validate_args`).
        let namespaces = |ns: &Option<ds::Namespaces>| {
            ns.as_ref()
                .map(|n| Namespaces { include: n.include.clone(), exclude: n.exclude.clone() })
                .unwrap_or_default()
        };
        let label_selector = |sel: &Option<serde_yaml::Value>, diag: &mut Diag| {
            if sel.is_some() {
                diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    format!("{f}.labelSelector"),
                    "a plugin's labelSelector is not modelled (every pod is considered)",
                ));
            }
        };
        Some(match args? {
            Args::RemoveDuplicates(a) => {
                // Upstream skips pods whose owner's kind is excluded (removeduplicates.go,
                // ownerKinds): every pod kbmc models is a ReplicaSet's, so excluding that
                // kind leaves the plugin nothing to evict, and other kinds change nothing.
                if a.exclude_owner_kinds.iter().any(|k| k == "ReplicaSet") {
                    return None;
                }
                DeschedulerPlugin::RemoveDuplicates { namespaces: namespaces(&a.namespaces) }
            }
            Args::RemovePodsViolatingTopologySpreadConstraint(a) => {
                label_selector(&a.label_selector, &mut self.diag);
                let cs = a.constraints.clone().unwrap_or_else(|| vec!["DoNotSchedule".into()]);
                let mut hard = false;
                let mut soft = false;
                for (i, c) in cs.iter().enumerate() {
                    match c.as_str() {
                        "DoNotSchedule" => hard = true,
                        "ScheduleAnyway" => soft = true,
                        o => self.diag.error(InputError::at(
                            origin,
                            InputClass::Invalid,
                            format!("{f}.constraints[{i}]"),
                            format!("unknown value {o:?}; expected DoNotSchedule or ScheduleAnyway"),
                        )),
                    }
                }
                DeschedulerPlugin::RemovePodsViolatingTopologySpreadConstraint {
                    hard,
                    soft,
                    topology_balance_node_fit: a.topology_balance_node_fit.unwrap_or(true),
                    namespaces: namespaces(&a.namespaces),
                }
            }
            Args::LowNodeUtilization(a) => {
                if a.use_deviation_thresholds {
                    self.diag.unmodeled(InputError::at(
                        origin,
                        InputClass::Unmodeled,
                        format!("{f}.useDeviationThresholds"),
                        "deviation thresholds are not modelled",
                    ));
                }
                if a.eviction_limits.is_some() {
                    self.diag.unmodeled(InputError::at(
                        origin,
                        InputClass::Unmodeled,
                        format!("{f}.evictionLimits"),
                        "LowNodeUtilization's own eviction limits are not modelled",
                    ));
                }
                if a.metrics_utilization.is_some() {
                    self.diag.unmodeled(InputError::at(
                        origin,
                        InputClass::Unmodeled,
                        format!("{f}.metricsUtilization"),
                        "real-usage metrics are not modelled; utilization is computed from requests",
                    ));
                }
                let th = |m: &BTreeMap<String, f64>, field: &str, diag: &mut Diag| {
                    let mut t = Thresholds { cpu: None, memory: None, pods: None };
                    for (k, v) in m {
                        if !(0.0..=100.0).contains(v) {
                            diag.error(InputError::at(
                                origin,
                                InputClass::Invalid,
                                format!("{f}.{field}.{k}"),
                                format!("{v} is out of range; expected a percentage 0..100"),
                            ));
                        }
                        let p = *v;
                        match k.as_str() {
                            "cpu" => t.cpu = Some(p),
                            "memory" => t.memory = Some(p),
                            "pods" => t.pods = Some(p),
                            o => diag.unmodeled(InputError::at(
                                origin,
                                InputClass::Unmodeled,
                                format!("{f}.{field}.{o}"),
                                format!("resource {o:?} is not modelled"),
                            )),
                        }
                    }
                    t
                };
                let thresholds = th(&a.thresholds, "thresholds", &mut self.diag);
                let target_thresholds = th(&a.target_thresholds, "targetThresholds", &mut self.diag);
                if a.thresholds.keys().ne(a.target_thresholds.keys()) || a.thresholds.is_empty() {
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::Invalid,
                        format!("{f}.thresholds"),
                        "thresholds and targetThresholds must be non-empty and name the same resources",
                    ));
                }
                // validateLowNodeUtilizationThresholds (lownodeutilization/validation.go).
                for (k, v) in &a.thresholds {
                    if let Some(t) = a.target_thresholds.get(k).filter(|t| v > *t) {
                        self.diag.error(InputError::at(
                            origin,
                            InputClass::Invalid,
                            format!("{f}.thresholds.{k}"),
                            format!("thresholds' {k} percentage {v} is greater than targetThresholds' {t}"),
                        ));
                    }
                }
                DeschedulerPlugin::LowNodeUtilization {
                    thresholds,
                    target_thresholds,
                    number_of_nodes: a.number_of_nodes as i64,
                    evictable_namespaces: namespaces(&a.evictable_namespaces),
                }
            }
            Args::RemovePodsViolatingNodeTaints(a) => {
                label_selector(&a.label_selector, &mut self.diag);
                DeschedulerPlugin::RemovePodsViolatingNodeTaints {
                    include_prefer_no_schedule: a.include_prefer_no_schedule,
                    excluded_taints: a.excluded_taints.clone(),
                    included_taints: a.included_taints.clone(),
                    namespaces: namespaces(&a.namespaces),
                }
            }
            Args::RemovePodsViolatingInterPodAntiAffinity(a) => {
                label_selector(&a.label_selector, &mut self.diag);
                DeschedulerPlugin::RemovePodsViolatingInterPodAntiAffinity { namespaces: namespaces(&a.namespaces) }
            }
            Args::RemovePodsViolatingNodeAffinity(a) => {
                label_selector(&a.label_selector, &mut self.diag);
                if a.node_affinity_type.is_empty() {
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::MissingOrMistyped,
                        format!("{f}.nodeAffinityType"),
                        "required (the descheduler validates it before defaulting)",
                    ));
                }
                let mut required = false;
                let mut preferred = false;
                for (i, t) in a.node_affinity_type.iter().enumerate() {
                    match t.as_str() {
                        "requiredDuringSchedulingIgnoredDuringExecution" => required = true,
                        "preferredDuringSchedulingIgnoredDuringExecution" => preferred = true,
                        o => self.diag.error(InputError::at(
                            origin,
                            InputClass::Invalid,
                            format!("{f}.nodeAffinityType[{i}]"),
                            format!("unknown value {o:?}"),
                        )),
                    }
                }
                DeschedulerPlugin::RemovePodsViolatingNodeAffinity {
                    required,
                    preferred,
                    namespaces: namespaces(&a.namespaces),
                }
            }
            Args::DefaultEvictor(_) => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::ir::build::test_inputs::{errors, model_of, pool, web};

    /// The descheduler validates every pluginConfig entry, enabled or not
    /// (validateDeschedulerConfiguration, pkg/descheduler/policyconfig.go), and
    /// ValidateLowNodeUtilizationArgs refuses `evictableNamespaces.include`
    /// (nodeutilization/validation.go: "only Exclude namespaces can be set, inclusion is not
    /// supported"); `exclude` alone is read.
    #[test]
    fn evictable_namespaces_take_exclude_only() {
        let policy = |args: &str, enabled: &str| {
            format!("apiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\nprofiles:\n  - name: p\n    pluginConfig: [{{name: LowNodeUtilization, args: {{thresholds: {{cpu: 20}}, targetThresholds: {{cpu: 50}}, {args}}}}}]\n    plugins: {{balance: {{enabled: [{enabled}]}}}}\n---\n")
        };
        let base = format!("{}{}", web(1, "1Gi"), pool("8", "8Gi"));
        let e = errors(&format!("{}{base}", policy("evictableNamespaces: {include: [default]}", "LowNodeUtilization")));
        assert!(
            e.contains("profiles[0].pluginConfig[0].args.evictableNamespaces.include")
                && e.contains("only Exclude namespaces can be set"),
            "{e}"
        );
        // Not enabled: still validated.
        let e = errors(&format!("{}{base}", policy("evictableNamespaces: {include: [default]}", "")));
        assert!(e.contains("evictableNamespaces.include"), "{e}");
        let m = model_of(&format!(
            "{}{base}",
            policy("evictableNamespaces: {exclude: [kube-system]}", "LowNodeUtilization")
        ));
        let plugin = &m.descheduler.expect("a policy").profiles[0].balance[0];
        assert_eq!(plugin.namespaces(), &super::Namespaces { include: vec![], exclude: vec!["kube-system".into()] });
    }
}
