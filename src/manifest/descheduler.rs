//! The descheduler's `descheduler/v1alpha2` DeschedulerPolicy as serde structs (there are no
//! published Rust types). Field names and defaults follow kubernetes-sigs/descheduler
//! `pkg/api/v1alpha2/types.go` and each plugin's `types.go`. Plugin args are decoded per plugin
//! name in `decode_args`, so an error points at `profiles[i].pluginConfig[j].args.<field>`.
//! Interpretation (which plugins run, their effect) belongs to `ir/` and `model/`.

use serde::Deserialize;

use super::decode::decode_value;
use crate::error::{InputError, Origin};

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeschedulerPolicy {
    pub api_version: String,
    pub kind: String,
    #[serde(default)]
    pub metadata: Option<serde_yaml::Value>,
    #[serde(default)]
    pub profiles: Vec<Profile>,
    /// A label selector string restricting the nodes the descheduler looks at.
    #[serde(default)]
    pub node_selector: Option<String>,
    #[serde(default)]
    pub max_no_of_pods_to_evict_per_node: Option<u32>,
    #[serde(default)]
    pub max_no_of_pods_to_evict_per_namespace: Option<u32>,
    #[serde(default)]
    pub max_no_of_pods_to_evict_total: Option<u32>,
    /// Operational settings that cannot change which pods are evicted.
    #[serde(default)]
    pub eviction_failure_event_notification: Option<bool>,
    #[serde(default)]
    pub grace_period_seconds: Option<i64>,
    /// Real-usage metrics sources; modelled evictions use requests, so these are unmodelled.
    #[serde(default)]
    pub metrics_collector: Option<serde_yaml::Value>,
    #[serde(default)]
    pub metrics_providers: Option<serde_yaml::Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub name: String,
    #[serde(default)]
    pub plugin_config: Vec<PluginConfig>,
    #[serde(default)]
    pub plugins: Plugins,
}

#[derive(Clone, Debug, Deserialize)]
pub struct PluginConfig {
    pub name: String,
    #[serde(default)]
    pub args: Option<serde_yaml::Value>,
}

/// Upstream's JSON keys here are all lowercase (`preevictionfilter`, not camelCase).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub struct Plugins {
    #[serde(default)]
    pub presort: PluginSet,
    #[serde(default)]
    pub sort: PluginSet,
    #[serde(default)]
    pub deschedule: PluginSet,
    #[serde(default)]
    pub balance: PluginSet,
    #[serde(default)]
    pub filter: PluginSet,
    #[serde(default, rename = "preevictionfilter")]
    pub pre_eviction_filter: PluginSet,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct PluginSet {
    #[serde(default)]
    pub enabled: Vec<String>,
    #[serde(default)]
    pub disabled: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DefaultEvictorArgs {
    #[serde(default)]
    pub node_selector: Option<String>,
    #[serde(default)]
    pub evict_local_storage_pods: bool,
    #[serde(default)]
    pub evict_daemon_set_pods: bool,
    #[serde(default)]
    pub evict_system_critical_pods: bool,
    #[serde(default)]
    pub ignore_pvc_pods: bool,
    #[serde(default)]
    pub evict_failed_bare_pods: bool,
    #[serde(default)]
    pub label_selector: Option<serde_yaml::Value>,
    #[serde(default)]
    pub namespace_label_selector: Option<serde_yaml::Value>,
    #[serde(default)]
    pub priority_threshold: Option<serde_yaml::Value>,
    #[serde(default)]
    pub node_fit: bool,
    #[serde(default)]
    pub min_replicas: Option<u32>,
    #[serde(default)]
    pub min_pod_age: Option<String>,
    /// Upstream's JSON name is `ignorePodsWithoutPDB` (not the camelCase of the field).
    #[serde(default, rename = "ignorePodsWithoutPDB")]
    pub ignore_pods_without_pdb: bool,
    #[serde(default)]
    pub no_eviction_policy: Option<String>,
    #[serde(default)]
    pub pod_protections: Option<serde_yaml::Value>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Namespaces {
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveDuplicatesArgs {
    #[serde(default)]
    pub namespaces: Option<Namespaces>,
    #[serde(default)]
    pub exclude_owner_kinds: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopologySpreadArgs {
    #[serde(default)]
    pub namespaces: Option<Namespaces>,
    #[serde(default)]
    pub label_selector: Option<serde_yaml::Value>,
    /// Which constraints to balance: `DoNotSchedule`, `ScheduleAnyway` (default DoNotSchedule).
    #[serde(default)]
    pub constraints: Option<Vec<String>>,
    #[serde(default)]
    pub topology_balance_node_fit: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LowNodeUtilizationArgs {
    #[serde(default)]
    pub use_deviation_thresholds: bool,
    #[serde(default)]
    pub thresholds: std::collections::BTreeMap<String, f64>,
    #[serde(default)]
    pub target_thresholds: std::collections::BTreeMap<String, f64>,
    #[serde(default)]
    pub number_of_nodes: u32,
    #[serde(default)]
    pub evictable_namespaces: Option<Namespaces>,
    #[serde(default)]
    pub metrics_utilization: Option<serde_yaml::Value>,
    #[serde(default)]
    pub eviction_limits: Option<EvictionLimits>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct EvictionLimits {
    #[serde(default)]
    pub node: Option<u32>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeTaintsArgs {
    #[serde(default)]
    pub namespaces: Option<Namespaces>,
    #[serde(default)]
    pub label_selector: Option<serde_yaml::Value>,
    #[serde(default)]
    pub include_prefer_no_schedule: bool,
    #[serde(default)]
    pub excluded_taints: Vec<String>,
    /// Absent: every taint; an explicit list (even an empty one) names the taints included.
    #[serde(default)]
    pub included_taints: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeAffinityArgs {
    #[serde(default)]
    pub namespaces: Option<Namespaces>,
    #[serde(default)]
    pub label_selector: Option<serde_yaml::Value>,
    #[serde(default)]
    pub node_affinity_type: Vec<String>,
}

/// RemovePodsViolatingInterPodAntiAffinity's args (removepodsviolatinginterpodantiaffinity/types.go).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InterPodAntiAffinityArgs {
    #[serde(default)]
    pub namespaces: Option<Namespaces>,
    #[serde(default)]
    pub label_selector: Option<serde_yaml::Value>,
}

/// A plugin's decoded args.
#[derive(Clone, Debug)]
pub enum Args {
    DefaultEvictor(DefaultEvictorArgs),
    RemoveDuplicates(RemoveDuplicatesArgs),
    RemovePodsViolatingTopologySpreadConstraint(TopologySpreadArgs),
    LowNodeUtilization(LowNodeUtilizationArgs),
    RemovePodsViolatingNodeTaints(NodeTaintsArgs),
    RemovePodsViolatingNodeAffinity(NodeAffinityArgs),
    RemovePodsViolatingInterPodAntiAffinity(InterPodAntiAffinityArgs),
}

/// Plugins that exist upstream but are not modelled by kbmc.
pub const UNMODELED_PLUGINS: &[&str] =
    &["HighNodeUtilization", "RemovePodsHavingTooManyRestarts", "PodLifeTime", "RemoveFailedPods"];

/// Decodes the args of plugin `name` found at `field` (e.g. `profiles[0].pluginConfig[1].args`).
/// `Ok(None)` means the plugin exists upstream but kbmc does not model it.
pub fn decode_args(
    origin: &Origin,
    field: &str,
    name: &str,
    args: Option<serde_yaml::Value>,
) -> Result<Option<Args>, Vec<InputError>> {
    let v = args.unwrap_or(serde_yaml::Value::Mapping(Default::default()));
    Ok(Some(match name {
        "DefaultEvictor" => Args::DefaultEvictor(decode_value(origin, field, v)?),
        "RemoveDuplicates" => Args::RemoveDuplicates(decode_value(origin, field, v)?),
        "RemovePodsViolatingTopologySpreadConstraint" => {
            Args::RemovePodsViolatingTopologySpreadConstraint(decode_value(origin, field, v)?)
        }
        "LowNodeUtilization" => Args::LowNodeUtilization(decode_value(origin, field, v)?),
        "RemovePodsViolatingNodeTaints" => Args::RemovePodsViolatingNodeTaints(decode_value(origin, field, v)?),
        "RemovePodsViolatingNodeAffinity" => Args::RemovePodsViolatingNodeAffinity(decode_value(origin, field, v)?),
        "RemovePodsViolatingInterPodAntiAffinity" => {
            Args::RemovePodsViolatingInterPodAntiAffinity(decode_value(origin, field, v)?)
        }
        n if UNMODELED_PLUGINS.contains(&n) => return Ok(None),
        n => {
            return Err(vec![InputError::at(
                origin,
                crate::error::InputClass::MissingOrMistyped,
                field.trim_end_matches(".args").to_string() + ".name",
                format!("unknown descheduler plugin {n:?}"),
            )])
        }
    }))
}
