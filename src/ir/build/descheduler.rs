//! The descheduler's policy: the DeschedulerPolicy (one at most) -> the `Descheduler`: each
//! profile's enabled deschedule and balance plugins with their args, its DefaultEvictor's
//! settings, and the policy's eviction limits. Owns what the descheduler validates of a
//! policy (pkg/descheduler/policyconfig.go `validateDeschedulerConfiguration`, profile.go
//! `NewProfile`, the plugins' `Validate*Args`) and refusing what kbmc does not model
//! (metrics, plugin label selectors, the other plugins and evictor fields); must not decide
//! what a plugin evicts (that is `model/controllers/descheduler/`).

use std::collections::BTreeMap;

use super::Builder;
use crate::error::{InputClass, InputError, Origin};
use crate::ir::{Descheduler, DeschedulerPlugin, DeschedulerProfile, Evictor, Namespaces, Thresholds};
use crate::manifest::descheduler::{self as ds, Args};
use crate::manifest::Object;

impl Builder<'_> {
    /// The DeschedulerPolicy, when there is one: refuses a second one and the policy fields
    /// kbmc does not model, then reads each profile and the policy's eviction limits.
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
        let profiles = p.profiles.iter().enumerate().map(|(pi, prof)| self.desched_profile(origin, pi, prof)).collect();
        Some(Descheduler {
            profiles,
            max_per_node: p.max_no_of_pods_to_evict_per_node.map(|v| v as i64),
            max_per_namespace: p.max_no_of_pods_to_evict_per_namespace.map(|v| v as i64),
            max_total: p.max_no_of_pods_to_evict_total.map(|v| v as i64),
            origin: origin.clone(),
        })
    }

    /// Profile `pi` of the policy: its pluginConfig entries' args (each validated), its
    /// DefaultEvictor's settings, and its enabled deschedule and balance plugins.
    fn desched_profile(&mut self, origin: &Origin, pi: usize, prof: &ds::Profile) -> DeschedulerProfile {
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
        let evictor = match args.get("DefaultEvictor") {
            Some(Some(Args::DefaultEvictor(a))) => {
                let ci = prof.plugin_config.iter().position(|c| c.name == "DefaultEvictor").unwrap_or(0);
                self.evictor(origin, &format!("{pf}.pluginConfig[{ci}].args"), a)
            }
            _ => Evictor {
                node_fit: false,
                evict_local_storage_pods: false,
                ignore_pvc_pods: false,
                min_replicas: 0,
                protect_from_priority: Some(super::priority::SYSTEM_CRITICAL),
            },
        };
        // The descheduler always runs DefaultEvictor at filter and preEvictionFilter
        // (policyconfig.go, setDefaultEvictor) and refuses names there that are no evictor
        // plugin (profile.go, NewProfile); DefaultEvictor is the only one.
        for (point, list) in
            [("filter", &prof.plugins.filter.enabled), ("preevictionfilter", &prof.plugins.pre_eviction_filter.enabled)]
        {
            for (i, name) in list.iter().enumerate().filter(|(_, n)| *n != "DefaultEvictor") {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    format!("{pf}.plugins.{point}.enabled[{i}]"),
                    format!("{name:?} is no evictor plugin; the descheduler accepts only DefaultEvictor here"),
                ));
            }
        }
        let deschedule = self.enabled_plugins(origin, &pf, prof, &args, Point::Deschedule);
        let balance = self.enabled_plugins(origin, &pf, prof, &args, Point::Balance);
        DeschedulerProfile { name: prof.name.clone(), deschedule, balance, evictor }
    }

    /// The DefaultEvictor's settings from its args `a` (at `f`), refusing the fields kbmc
    /// does not model.
    fn evictor(&mut self, origin: &Origin, f: &str, a: &ds::DefaultEvictorArgs) -> Evictor {
        let evictor = Evictor {
            node_fit: a.node_fit,
            evict_local_storage_pods: a.evict_local_storage_pods,
            ignore_pvc_pods: a.ignore_pvc_pods,
            min_replicas: a.min_replicas.unwrap_or(0) as i64,
            protect_from_priority: self.evictor_priority(origin, f, a),
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
        evictor
    }

    /// The plugins profile `prof` (at `pf`) enables at extension point `point`, read from
    /// their pluginConfig entries' `args`: each must be a modelled plugin of that point
    /// with an entry.
    fn enabled_plugins(
        &mut self,
        origin: &Origin,
        pf: &str,
        prof: &ds::Profile,
        args: &BTreeMap<String, Option<Args>>,
        point: Point,
    ) -> Vec<DeschedulerPlugin> {
        let list = match point {
            Point::Deschedule => &prof.plugins.deschedule.enabled,
            Point::Balance => &prof.plugins.balance.enabled,
        };
        let mut plugins = Vec::new();
        for (i, name) in list.iter().enumerate() {
            if !self.plugin_fits_point(origin, &format!("{pf}.plugins.{}.enabled[{i}]", point.name()), name, point) {
                continue;
            }
            let Some(a) = args.get(name.as_str()) else {
                self.diag.error(InputError::at(origin, InputClass::MissingOrMistyped, format!("{pf}.pluginConfig"), format!("plugin {name} is enabled but has no pluginConfig entry; the descheduler fails with \"unable to find plugin config\" (add `- name: {name}`)")));
                continue;
            };
            let ci = prof.plugin_config.iter().position(|c| &c.name == name).unwrap_or(0);
            let af = format!("{pf}.pluginConfig[{ci}].args");
            plugins.extend(self.desched_plugin(origin, &af, a.as_ref()));
        }
        plugins
    }

    /// Whether plugin `name`, enabled at `f` for extension point `point`, is one kbmc
    /// models and belongs to that point; what it is not is reported.
    fn plugin_fits_point(&mut self, origin: &Origin, f: &str, name: &str, point: Point) -> bool {
        let belongs_to_balance = matches!(
            name,
            "RemoveDuplicates"
                | "RemovePodsViolatingTopologySpreadConstraint"
                | "LowNodeUtilization"
                | "HighNodeUtilization"
        );
        if ds::UNMODELED_PLUGINS.contains(&name) {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                f,
                format!("descheduler plugin {name} is not modelled"),
            ));
            return false;
        }
        if !matches!(
            name,
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
            return false;
        }
        if belongs_to_balance != matches!(point, Point::Balance) {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                f,
                format!(
                    "{name} is a {} plugin, not a {} one (the descheduler refuses this profile)",
                    if belongs_to_balance { "balance" } else { "deschedule" },
                    point.name()
                ),
            ));
            return false;
        }
        true
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
            Args::RemovePodsViolatingTopologySpreadConstraint(a) => self.topology_spread_plugin(origin, f, a),
            Args::LowNodeUtilization(a) => self.low_node_utilization_plugin(origin, f, a),
            Args::RemovePodsViolatingNodeTaints(a) => {
                self.plugin_label_selector(origin, f, &a.label_selector);
                DeschedulerPlugin::RemovePodsViolatingNodeTaints {
                    include_prefer_no_schedule: a.include_prefer_no_schedule,
                    excluded_taints: a.excluded_taints.clone(),
                    included_taints: a.included_taints.clone(),
                    namespaces: namespaces(&a.namespaces),
                }
            }
            Args::RemovePodsViolatingInterPodAntiAffinity(a) => {
                self.plugin_label_selector(origin, f, &a.label_selector);
                DeschedulerPlugin::RemovePodsViolatingInterPodAntiAffinity { namespaces: namespaces(&a.namespaces) }
            }
            Args::RemovePodsViolatingNodeAffinity(a) => self.node_affinity_plugin(origin, f, a),
            Args::DefaultEvictor(_) => return None,
        })
    }

    /// A plugin's `labelSelector` (at `f`) is not modelled.
    fn plugin_label_selector(&mut self, origin: &Origin, f: &str, sel: &Option<serde_yaml::Value>) {
        if sel.is_some() {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                format!("{f}.labelSelector"),
                "a plugin's labelSelector is not modelled (every pod is considered)",
            ));
        }
    }

    /// RemovePodsViolatingTopologySpreadConstraint with args `a` (at `f`): which constraints
    /// it balances, DoNotSchedule's by default.
    fn topology_spread_plugin(&mut self, origin: &Origin, f: &str, a: &ds::TopologySpreadArgs) -> DeschedulerPlugin {
        self.plugin_label_selector(origin, f, &a.label_selector);
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

    /// LowNodeUtilization with args `a` (at `f`): its thresholds, which must name the same
    /// resources as its target thresholds and stay at or under them.
    fn low_node_utilization_plugin(
        &mut self,
        origin: &Origin,
        f: &str,
        a: &ds::LowNodeUtilizationArgs,
    ) -> DeschedulerPlugin {
        for (set, field, why) in [
            (a.use_deviation_thresholds, "useDeviationThresholds", "deviation thresholds are not modelled"),
            (
                a.eviction_limits.is_some(),
                "evictionLimits",
                "LowNodeUtilization's own eviction limits are not modelled",
            ),
            (
                a.metrics_utilization.is_some(),
                "metricsUtilization",
                "real-usage metrics are not modelled; utilization is computed from requests",
            ),
        ] {
            if set {
                self.diag.unmodeled(InputError::at(origin, InputClass::Unmodeled, format!("{f}.{field}"), why));
            }
        }
        let thresholds = self.thresholds(origin, &format!("{f}.thresholds"), &a.thresholds);
        let target_thresholds = self.thresholds(origin, &format!("{f}.targetThresholds"), &a.target_thresholds);
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

    /// Percentages per resource (at `f`), each 0..100, of cpu, memory and pods.
    fn thresholds(&mut self, origin: &Origin, f: &str, m: &BTreeMap<String, f64>) -> Thresholds {
        let mut t = Thresholds { cpu: None, memory: None, pods: None };
        for (k, v) in m {
            if !(0.0..=100.0).contains(v) {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    format!("{f}.{k}"),
                    format!("{v} is out of range; expected a percentage 0..100"),
                ));
            }
            let p = *v;
            match k.as_str() {
                "cpu" => t.cpu = Some(p),
                "memory" => t.memory = Some(p),
                "pods" => t.pods = Some(p),
                o => self.diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    format!("{f}.{o}"),
                    format!("resource {o:?} is not modelled"),
                )),
            }
        }
        t
    }

    /// RemovePodsViolatingNodeAffinity with args `a` (at `f`): which node affinity it
    /// enforces, of `nodeAffinityType` (required).
    fn node_affinity_plugin(&mut self, origin: &Origin, f: &str, a: &ds::NodeAffinityArgs) -> DeschedulerPlugin {
        self.plugin_label_selector(origin, f, &a.label_selector);
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
}

/// A plugin's namespace filter in the IR (none: every namespace), validated with every
/// pluginConfig entry (`validate_args`).
fn namespaces(ns: &Option<ds::Namespaces>) -> Namespaces {
    ns.as_ref().map(|n| Namespaces { include: n.include.clone(), exclude: n.exclude.clone() }).unwrap_or_default()
}

/// The two extension points whose plugins evict: deschedule and balance.
#[derive(Clone, Copy)]
enum Point {
    Deschedule,
    Balance,
}

impl Point {
    /// The name the policy gives the point (`plugins.<name>.enabled`).
    fn name(self) -> &'static str {
        match self {
            Point::Deschedule => "deschedule",
            Point::Balance => "balance",
        }
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
