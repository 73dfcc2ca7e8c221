//! The autoscaling.k8s.io/v1 VerticalPodAutoscaler as kbmc reads it: small serde structs with
//! the fields of upstream's API types (kubernetes/autoscaler
//! vertical-pod-autoscaler/pkg/apis/autoscaling.k8s.io/v1/types.go:
//! `VerticalPodAutoscalerSpec`, `PodUpdatePolicy`, `PodResourcePolicy`,
//! `ContainerResourcePolicy`). Every field upstream has is declared, so a typo is an unknown
//! field; which of them kbmc models, and what it refuses, is `ir/build/vpa.rs`'s to decide.
//! It must not interpret the object.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerticalPodAutoscaler {
    pub api_version: String,
    pub kind: String,
    #[serde(default)]
    pub metadata: ObjectMeta,
    pub spec: VpaSpec,
    /// The recommendation upstream's recommender wrote: kbmc computes its own from the usage
    /// the spec gives, so a status is read and not used.
    #[serde(default)]
    pub status: Option<serde_yaml::Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VpaSpec {
    pub target_ref: Option<TargetRef>,
    #[serde(default)]
    pub update_policy: Option<UpdatePolicy>,
    #[serde(default)]
    pub resource_policy: Option<ResourcePolicy>,
    /// Alternative recommenders by name (refused: only the default recommender is modelled).
    #[serde(default)]
    pub recommenders: Option<serde_yaml::Value>,
}

/// `autoscaling/v1 CrossVersionObjectReference`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetRef {
    #[serde(default)]
    pub api_version: Option<String>,
    pub kind: String,
    pub name: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdatePolicy {
    #[serde(default)]
    pub update_mode: Option<String>,
    #[serde(default)]
    pub min_replicas: Option<i32>,
    #[serde(default)]
    pub eviction_requirements: Option<serde_yaml::Value>,
    #[serde(default, rename = "evictAfterOOMSeconds")]
    pub evict_after_oom_seconds: Option<serde_yaml::Value>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourcePolicy {
    #[serde(default)]
    pub container_policies: Vec<ContainerPolicy>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerPolicy {
    #[serde(default)]
    pub container_name: Option<String>,
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub min_allowed: Option<BTreeMap<String, Quantity>>,
    #[serde(default)]
    pub max_allowed: Option<BTreeMap<String, Quantity>>,
    #[serde(default)]
    pub controlled_resources: Option<Vec<String>>,
    #[serde(default)]
    pub controlled_values: Option<String>,
}
