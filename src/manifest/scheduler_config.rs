//! kube-scheduler's `kubescheduler.config.k8s.io/v1` KubeSchedulerConfiguration as serde
//! structs: profiles (plugin sets, plugin weights) and the args of the plugins whose args
//! change placement (`decode_args`), as well as the operational fields (leader election,
//! client connection, ...) so that they are accepted. Which field the model reads, and why
//! the others cannot change it, is the IR builder's business (tests/it/guard.rs checks that
//! every field here is one or the other). Follows kubernetes `pkg/scheduler/apis/config/v1`
//! (staging/src/k8s.io/kube-scheduler/config/v1).

use serde::Deserialize;

use super::decode::decode_value;
use crate::error::{InputError, Origin};

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubeSchedulerConfiguration {
    pub api_version: String,
    pub kind: String,
    #[serde(default)]
    pub profiles: Vec<Profile>,
    // Operational settings: they cannot change where a pod is placed.
    #[serde(default)]
    pub parallelism: Option<i32>,
    #[serde(default)]
    pub leader_election: Option<serde_yaml::Value>,
    #[serde(default)]
    pub client_connection: Option<serde_yaml::Value>,
    #[serde(default)]
    pub health_bind_address: Option<String>,
    #[serde(default)]
    pub metrics_bind_address: Option<String>,
    #[serde(default)]
    pub enable_profiling: Option<bool>,
    #[serde(default)]
    pub enable_contention_profiling: Option<bool>,
    #[serde(default)]
    pub pod_initial_backoff_seconds: Option<i64>,
    #[serde(default)]
    pub pod_max_backoff_seconds: Option<i64>,
    #[serde(default)]
    pub delay_cache_until_active: Option<bool>,
    /// Changes placement (fewer nodes scored); not modelled: every feasible node is scored.
    #[serde(default)]
    pub percentage_of_nodes_to_score: Option<i32>,
    #[serde(default)]
    pub extenders: Option<serde_yaml::Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    #[serde(default)]
    pub scheduler_name: Option<String>,
    #[serde(default)]
    pub plugins: Option<Plugins>,
    #[serde(default)]
    pub plugin_config: Vec<PluginConfig>,
    #[serde(default)]
    pub percentage_of_nodes_to_score: Option<i32>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plugins {
    #[serde(default)]
    pub pre_enqueue: Option<PluginSet>,
    #[serde(default)]
    pub queue_sort: Option<PluginSet>,
    #[serde(default)]
    pub pre_filter: Option<PluginSet>,
    #[serde(default)]
    pub filter: Option<PluginSet>,
    #[serde(default)]
    pub post_filter: Option<PluginSet>,
    #[serde(default)]
    pub pre_score: Option<PluginSet>,
    #[serde(default)]
    pub score: Option<PluginSet>,
    #[serde(default)]
    pub reserve: Option<PluginSet>,
    #[serde(default)]
    pub permit: Option<PluginSet>,
    #[serde(default)]
    pub pre_bind: Option<PluginSet>,
    #[serde(default)]
    pub bind: Option<PluginSet>,
    #[serde(default)]
    pub post_bind: Option<PluginSet>,
    #[serde(default)]
    pub multi_point: Option<PluginSet>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct PluginSet {
    #[serde(default)]
    pub enabled: Vec<Plugin>,
    #[serde(default)]
    pub disabled: Vec<Plugin>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Plugin {
    pub name: String,
    #[serde(default)]
    pub weight: Option<i32>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct PluginConfig {
    pub name: String,
    #[serde(default)]
    pub args: Option<serde_yaml::Value>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeResourcesFitArgs {
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub ignored_resources: Vec<String>,
    #[serde(default)]
    pub ignored_resource_groups: Vec<String>,
    #[serde(default)]
    pub scoring_strategy: Option<ScoringStrategy>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoringStrategy {
    #[serde(default, rename = "type")]
    pub type_: Option<String>,
    #[serde(default)]
    pub resources: Option<Vec<ResourceSpec>>,
    #[serde(default)]
    pub requested_to_capacity_ratio: Option<serde_yaml::Value>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ResourceSpec {
    pub name: String,
    #[serde(default)]
    pub weight: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BalancedAllocationArgs {
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub resources: Option<Vec<ResourceSpec>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodTopologySpreadArgs {
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub default_constraints: Option<serde_yaml::Value>,
    #[serde(default)]
    pub defaulting_type: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeAffinityArgs {
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    /// Node affinity the scheduler applies to every pod on top of the pod's own.
    #[serde(default)]
    pub added_affinity: Option<k8s_openapi::api::core::v1::NodeAffinity>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InterPodAffinityArgs {
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    /// Score weight of an existing pod's required affinity term that the incoming pod matches.
    #[serde(default)]
    pub hard_pod_affinity_weight: Option<i64>,
    #[serde(default)]
    pub ignore_preferred_terms_of_existing_pods: Option<bool>,
}

/// A plugin's decoded args.
#[derive(Clone, Debug)]
pub enum Args {
    NodeResourcesFit(NodeResourcesFitArgs),
    NodeResourcesBalancedAllocation(BalancedAllocationArgs),
    PodTopologySpread(PodTopologySpreadArgs),
    NodeAffinity(NodeAffinityArgs),
    InterPodAffinity(InterPodAffinityArgs),
}

/// Plugins whose args kbmc accepts without decoding them: they configure what the model has
/// no counterpart for (DefaultPreemption: no priorities, so no preemption; VolumeBinding:
/// volume binding is not modelled).
pub const UNDECODED_ARGS: &[&str] = &["DefaultPreemption", "VolumeBinding"];

/// Decodes the args of plugin `name` found at `field` (e.g. `profiles[0].pluginConfig[1].args`).
/// `Ok(None)`: a plugin of `UNDECODED_ARGS`, or one kbmc does not know (the caller says which).
pub fn decode_args(
    origin: &Origin,
    field: &str,
    name: &str,
    args: Option<serde_yaml::Value>,
) -> Result<Option<Args>, Vec<InputError>> {
    let v = args.unwrap_or(serde_yaml::Value::Mapping(Default::default()));
    Ok(Some(match name {
        "NodeResourcesFit" => Args::NodeResourcesFit(decode_value(origin, field, v)?),
        "NodeResourcesBalancedAllocation" => Args::NodeResourcesBalancedAllocation(decode_value(origin, field, v)?),
        "PodTopologySpread" => Args::PodTopologySpread(decode_value(origin, field, v)?),
        "NodeAffinity" => Args::NodeAffinity(decode_value(origin, field, v)?),
        "InterPodAffinity" => Args::InterPodAffinity(decode_value(origin, field, v)?),
        _ => return Ok(None),
    }))
}
