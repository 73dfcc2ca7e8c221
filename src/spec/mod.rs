//! kbmc's own input: one `apiVersion: kbmc.dev/v1alpha1`, `kind: Verification` document that
//! says what to verify about the manifests (node pools, initial placement, controllers,
//! events with budgets, intents, bounds). Owns only the serde structs and their YAML shape;
//! docs/spec.md documents every field. Validation and defaults that need the manifests
//! (does the named Deployment exist?) belong to `ir/`.

pub mod infer;

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use serde::{Deserialize, Deserializer, Serialize};

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    pub api_version: String,
    pub kind: String,
    #[serde(default)]
    pub metadata: Metadata,
    pub spec: VerificationSpec,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Metadata {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationSpec {
    #[serde(default)]
    pub node_pools: Vec<NodePool>,
    #[serde(default)]
    pub workloads: Vec<Workload>,
    #[serde(default)]
    pub controllers: Controllers,
    #[serde(default)]
    pub timing: Timing,
    #[serde(default, deserialize_with = "located_events")]
    pub events: Vec<Event>,
    #[serde(default, deserialize_with = "located_intents")]
    pub intents: Vec<Intent>,
    #[serde(default)]
    pub bounds: Bounds,
    /// The cluster autoscaler's options (docs/spec.md, `spec.clusterAutoscaler`).
    #[serde(default)]
    pub cluster_autoscaler: Option<ClusterAutoscaler>,
}

/// A list of internally tagged items (events, intents), each decoded on its own so that an
/// error names the item's index and field: serde reads such an item through a buffer that
/// loses both. The item is read as YAML and decoded again from its YAML text (which keeps
/// YAML's own typing: `steady: 3` is a quantity, `!!str 1` is a string); on an error, the
/// field is the one whose removal makes the error go away or become "missing field".
fn located<'de, D: Deserializer<'de>, T: kbmc_objects::Decode>(d: D, list: &str) -> Result<Vec<T>, D::Error> {
    use serde::de::Error;
    let items: Vec<serde_yaml::Value> = Vec::deserialize(d)?;
    let decode = |v: &serde_yaml::Value| -> Result<T, String> {
        let text = serde_yaml::to_string(v).map_err(|e| e.to_string())?;
        crate::manifest::decode::erased::<T, _>(serde_yaml::Deserializer::from_str(&text)).map_err(|e| {
            // Positions are those of the re-written item, not of the file: left out.
            let m = e.to_string();
            match m.rfind(" at line ") {
                Some(at) => m[..at].to_string(),
                None => m,
            }
        })
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, v) in items.iter().enumerate() {
        match decode(v) {
            Ok(t) => out.push(t),
            Err(e) => {
                let tag = e.contains("unknown variant") || e.contains("missing field `type`");
                let field = v
                    .as_mapping()
                    .filter(|_| !tag)
                    .and_then(|m| {
                        m.keys().filter_map(|k| k.as_str()).filter(|&k| k != "type").find(|&k| {
                            let mut without = m.clone();
                            without.remove(k);
                            match decode(&serde_yaml::Value::Mapping(without)) {
                                Ok(_) => true,
                                Err(e) => e.contains(&format!("missing field `{k}`")),
                            }
                        })
                    })
                    .map(|k| format!(".{k}"))
                    .unwrap_or_else(|| if tag { ".type".into() } else { String::new() });
                let e = if tag { e.strip_prefix("type: ").unwrap_or(&e) } else { &e };
                return Err(D::Error::custom(format!("{list}[{i}]{field}: {e}")));
            }
        }
    }
    Ok(out)
}

fn located_events<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Event>, D::Error> {
    located(d, "events")
}

fn located_intents<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Intent>, D::Error> {
    located(d, "intents")
}

/// A count that is fixed (`3`) or a range (`{min: 1, max: 6}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Count {
    pub min: u32,
    pub max: u32,
}

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Range {
            min: u32,
            max: u32,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Fixed(u32),
            Range(Range),
        }
        match Raw::deserialize(d) {
            Ok(Raw::Fixed(n)) => Ok(Count { min: n, max: n }),
            Ok(Raw::Range(r)) => Ok(Count { min: r.min, max: r.max }),
            Err(_) => Err(serde::de::Error::custom("expected a non-negative count (3) or a range ({min: 1, max: 6})")),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodePool {
    pub name: String,
    /// Required unless `nodes` is given (then it is their number).
    #[serde(default)]
    pub count: Option<Count>,
    /// Node manifests (`metadata.name`) that form this pool instead of `<pool>-<i>` nodes:
    /// they must agree on capacity, allocatable, taints and every label but
    /// `kubernetes.io/hostname`, and the pool's other fields are then left out.
    #[serde(default)]
    pub nodes: Vec<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Required unless `nodes` is given.
    #[serde(default)]
    pub capacity: Option<Resources>,
    /// What pods may request; defaults to `capacity`.
    #[serde(default)]
    pub allocatable: Option<Resources>,
    #[serde(default)]
    pub taints: Vec<Taint>,
    /// Cordoned (`spec.unschedulable` of a Node).
    #[serde(default)]
    pub unschedulable: bool,
    /// A node group of the cluster autoscaler: its size moves within `{min, max}`, new nodes
    /// made from this pool's shape (its template). `count` is then the size at start.
    #[serde(default)]
    pub autoscaling: Option<Autoscaling>,
}

/// An autoscaled node group's size bounds (`--nodes=min:max:name`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Autoscaling {
    pub min: u32,
    pub max: u32,
    /// The cloud provider's node template (on AWS the Auto Scaling group's
    /// `k8s.io/cluster-autoscaler/node-template/label/...` and `.../taint/...` tags), where
    /// it differs from what the nodes register (the pool's `labels` and `taints`): what the
    /// autoscaler assumes a new node looks like while it has no node of the group to copy.
    #[serde(default)]
    pub template: Option<NodeTemplate>,
    /// A multi-zone node group (an AWS Auto Scaling group over several Availability Zones):
    /// the zones its nodes are launched in, each node labelled
    /// `topology.kubernetes.io/zone` with its zone. The cloud, not the autoscaler, picks a new
    /// node's zone (`zoneDistribution`).
    #[serde(default)]
    pub zones: Vec<String>,
    /// Where the cloud launches a new node of a multi-zone group: `balanced` (AWS's
    /// `balanced-best-effort`: a zone with the fewest nodes of the group, another zone after a
    /// failed launch there), `balancedOnly` (AWS's `balanced-only`: a zone with the fewest
    /// nodes, always) or `any` (default: every zone).
    #[serde(default, rename = "zoneDistribution")]
    pub zone_distribution: Option<String>,
}

/// A node group's template as the cloud provider reports it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeTemplate {
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub taints: Vec<Taint>,
}

/// The cluster autoscaler's options, named as its flags are (`--scale-down-utilization-threshold`
/// is `scaleDownUtilizationThreshold`). Unset fields take upstream's defaults.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterAutoscaler {
    /// Utilization (the larger of requested CPU and memory over allocatable) below which a
    /// node may be removed; default 0.5.
    #[serde(default)]
    pub scale_down_utilization_threshold: Option<serde_yaml::Value>,
    /// How long a node must be unneeded before it is removed; default 10m. kbmc has no clock:
    /// a node is found unneeded at one check and removed at a later step, still unneeded.
    #[serde(default)]
    pub scale_down_unneeded_time: Option<String>,
    /// Which node group a scale-up grows: random (default), least-waste, most-pods,
    /// priority, or a comma-separated chain of them.
    #[serde(default)]
    pub expander: Option<String>,
    /// Grow similar node groups evenly; default false.
    #[serde(default)]
    pub balance_similar_node_groups: Option<bool>,
    /// A node with a pod using local storage (emptyDir, hostPath) is never removed; default true.
    #[serde(default)]
    pub skip_nodes_with_local_storage: Option<bool>,
    /// A node with a kube-system pod that no PodDisruptionBudget covers is never removed;
    /// default true.
    #[serde(default)]
    pub skip_nodes_with_system_pods: Option<bool>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Resources {
    pub cpu: Quantity,
    pub memory: Quantity,
    #[serde(default)]
    pub pods: Option<Quantity>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Taint {
    pub key: String,
    #[serde(default)]
    pub value: Option<String>,
    pub effect: String,
}

/// Per-Deployment settings of the verification.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workload {
    /// A Deployment in the manifests: its `metadata.name`, or `namespace/name` (required where
    /// Deployments of that name run in several namespaces).
    pub deployment: String,
    /// Replica range to verify over (`kbmc scale`); defaults to the manifest's `spec.replicas`.
    #[serde(default)]
    pub replicas: Option<Count>,
    /// Pods already running when verification starts. Without it the cluster starts with the
    /// Deployment just created and none of its pods yet.
    #[serde(default)]
    pub placement: Vec<Placement>,
    /// Each pod's usage at start (what metrics-server would report); defaults to its requests.
    #[serde(default)]
    pub usage: Option<Usage>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Placement {
    /// A Node's `metadata.name`, or a pool node `<pool>-<i>` (0-based).
    pub node: String,
    pub count: u32,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Usage {
    #[serde(default)]
    pub cpu: Option<Quantity>,
    #[serde(default)]
    pub memory: Option<Quantity>,
}

/// Which controllers run. Unset means: run it when its objects are present.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Controllers {
    #[serde(default)]
    pub deployment: Option<bool>,
    #[serde(default)]
    pub scheduler: Option<bool>,
    #[serde(default)]
    pub kubelet: Option<bool>,
    #[serde(default)]
    pub hpa: Option<bool>,
    #[serde(default)]
    pub descheduler: Option<bool>,
    #[serde(default)]
    pub node_lifecycle: Option<bool>,
    #[serde(default)]
    pub taint_eviction: Option<bool>,
    /// The cluster autoscaler; default: true when some pool has `autoscaling`.
    #[serde(default)]
    pub cluster_autoscaler: Option<bool>,
}

/// When periodic controllers and events may act relative to fast controllers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Timing {
    /// Fast controllers (deployment, scheduler, kubelet, node lifecycle, taint eviction) act
    /// before periodic ones (HPA, descheduler) and before events: real sync periods differ by
    /// orders of magnitude.
    #[default]
    Urgent,
    /// Any enabled controller or event may act at any step.
    Interleaved,
}

/// An inclusive range of quantities, e.g. a CPU delta `{min: "1", max: "6"}`.
#[derive(Clone, Debug, Deserialize)]
pub struct QuantityRange {
    pub min: Quantity,
    pub max: Quantity,
}

/// An inclusive range of integers, e.g. a replica delta `{min: -3, max: 3}`.
#[derive(Clone, Copy, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IntRange {
    pub min: i64,
    pub max: i64,
}

fn one() -> u32 {
    1
}
fn yes() -> bool {
    true
}

/// Which nodes a `nodeFailure` event's failures may hold NotReady together.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum FailureScope {
    /// Any nodes, as the budget allows.
    #[default]
    Node,
    /// Nodes of one zone (`topology.kubernetes.io/zone`; nodes without the label are one
    /// zone of their own): a node fails only while every node NotReady by a failure is of its
    /// zone.
    Zone,
}

/// Environment transitions, each with a budget: how many times it may fire in one run.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum Event {
    /// One running pod's CPU usage moves by a delta from a range.
    #[serde(rename_all = "camelCase")]
    CpuChange {
        deployment: Option<String>,
        delta: QuantityRange,
        #[serde(default = "one")]
        budget: u32,
    },
    /// Every pod's CPU usage follows its lifecycle: `bootstrap` right after it starts, later
    /// `steady` (each pod makes that move once; the moment is chosen by the checker).
    #[serde(rename_all = "camelCase")]
    CpuPattern { deployment: Option<String>, bootstrap: Quantity, steady: Quantity },
    /// A Ready node whose CPU usage reaches `thresholdPercent` of its allocatable may panic and
    /// become NotReady; with `recovery` it comes back once its usage is below the threshold.
    #[serde(rename_all = "camelCase")]
    KernelPanic {
        #[serde(default = "default_panic_threshold")]
        threshold_percent: u32,
        #[serde(default = "default_panic_budget")]
        budget: u32,
        #[serde(default = "yes")]
        recovery: bool,
    },
    /// Any Ready node may fail (NotReady); with `recovery` it may come back. With `scope:
    /// zone` the nodes NotReady by a failure at any one time are of one zone (a zone outage).
    #[serde(rename_all = "camelCase")]
    NodeFailure {
        #[serde(default)]
        pool: Option<String>,
        #[serde(default = "one")]
        budget: u32,
        #[serde(default = "yes")]
        recovery: bool,
        #[serde(default)]
        scope: FailureScope,
    },
    /// `kubectl apply` of a new version of a Deployment (path relative to this file).
    #[serde(rename_all = "camelCase")]
    ApplyDeployment {
        manifest: String,
        #[serde(default = "one")]
        budget: u32,
    },
    /// `kubectl rollout restart`: the Deployment's own pod template as a new revision, rolled
    /// out as a new version would be; `spec.replicas` is left as it is. With `daemonSet`, the
    /// named DaemonSet's template instead.
    #[serde(rename_all = "camelCase")]
    RolloutRestart {
        deployment: Option<String>,
        #[serde(default)]
        daemon_set: Option<String>,
        #[serde(default = "one")]
        budget: u32,
    },
    /// `kubectl scale` by a delta from a range.
    #[serde(rename_all = "camelCase")]
    ScaleDeployment {
        deployment: Option<String>,
        delta: IntRange,
        #[serde(default = "one")]
        budget: u32,
    },
    /// Node maintenance: drain up to `maxUnavailable` nodes at a time (cordon and evict); each
    /// returns Ready and schedulable afterwards. `budget` nodes are maintained in all.
    #[serde(rename_all = "camelCase")]
    Maintenance {
        #[serde(default = "one")]
        max_unavailable: u32,
        #[serde(default)]
        budget: Option<u32>,
    },
    /// `kubectl delete pod --grace-period=0 --force` of a StatefulSet's pods on a NotReady
    /// node (or the node's `node.kubernetes.io/out-of-service` taint, whose pod garbage
    /// collector does the same): the pod objects go at once, though their kubelet never
    /// confirmed. `budget` nodes' pods in all.
    #[serde(rename_all = "camelCase")]
    ForceDeletePods {
        #[serde(default)]
        stateful_set: Option<String>,
        #[serde(default = "one")]
        budget: u32,
    },
}

fn default_panic_threshold() -> u32 {
    98
}
fn default_panic_budget() -> u32 {
    3
}
fn default_drop() -> u32 {
    3
}
fn default_times() -> u32 {
    3
}
fn default_balance_skew() -> u32 {
    2
}

/// Named properties. Kivi's names are accepted as aliases.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "type", deny_unknown_fields)]
pub enum Intent {
    /// Every pod that is created can be placed on some node.
    #[serde(rename = "podAlwaysSchedulable", alias = "pod_always_schedulable")]
    PodAlwaysSchedulable {},
    /// No node panics `times` times.
    #[serde(rename = "noKernelPanicLoop", alias = "no_kernel_panic", alias = "noKernelPanic")]
    NoKernelPanicLoop {
        #[serde(default = "default_times")]
        times: u32,
    },
    /// Once the HPA has scaled the Deployment to its maximum, replicas never fall by `drop`
    /// or more (or to the minimum) without a change in load.
    #[serde(rename = "noReplicaOscillation", alias = "no_oscillation_replica_num")]
    NoReplicaOscillation {
        #[serde(default)]
        deployment: Option<String>,
        #[serde(default = "default_drop")]
        drop: u32,
    },
    /// Once running replicas reach the minimum (HPA minReplicas, else spec.replicas), they
    /// never fall below it.
    #[serde(rename = "replicasMeetMin", alias = "replica_num_always_meet_min")]
    ReplicasMeetMin {
        #[serde(default)]
        deployment: Option<String>,
    },
    /// Once running replicas reach the expected count, they never fall below it. Expected is
    /// `replicas` or the desired replicas plus `offset` (e.g. -1).
    #[serde(rename = "replicasMeetExpected", alias = "replica_num_always_meet_exp")]
    ReplicasMeetExpected {
        #[serde(default)]
        deployment: Option<String>,
        #[serde(default)]
        replicas: Option<u32>,
        #[serde(default)]
        offset: Option<i64>,
    },
    /// No reachable cycle of states in which a pod of the Deployment is evicted.
    #[serde(rename = "noEvictionCycle", alias = "no_oscillation_eviction")]
    NoEvictionCycle {
        #[serde(default)]
        deployment: Option<String>,
    },
    /// No reachable cycle of states in which a pod of the Deployment is preempted.
    #[serde(rename = "noPreemptionCycle")]
    NoPreemptionCycle {
        #[serde(default)]
        deployment: Option<String>,
    },
    /// Once the Deployment is at its desired size, running pods per Ready node differ by at
    /// most `maxSkew`.
    #[serde(rename = "podsBalanced", alias = "pod_balance_across_node")]
    PodsBalanced {
        #[serde(default)]
        deployment: Option<String>,
        #[serde(default = "default_balance_skew", rename = "maxSkew")]
        max_skew: u32,
    },
    /// Running replicas always within [min, max].
    #[serde(rename = "replicasWithin")]
    ReplicasWithin {
        #[serde(default)]
        deployment: Option<String>,
        min: u32,
        max: u32,
    },
    /// Liveness: every pod eventually runs (no run in which a pod stays pending forever).
    #[serde(rename = "allPodsEventuallyRun")]
    AllPodsEventuallyRun {},
    /// Liveness: every drain a maintenance event starts finishes (no run in which one is
    /// blocked forever, e.g. by a PodDisruptionBudget that never allows an eviction).
    #[serde(rename = "drainCompletes")]
    DrainCompletes {},
    /// No voluntary eviction (a drain's, the descheduler's) takes a PodDisruptionBudget's
    /// healthy pods below the number it requires.
    #[serde(rename = "disruptionsWithinBudget")]
    DisruptionsWithinBudget {},
    /// Liveness: the StatefulSet does not stay degraded for ever: no run ends in a cycle every
    /// state of which has more than `maxUnavailable` of its ordinals below `spec.replicas`
    /// without a Running pod on a Ready node.
    #[serde(rename = "statefulSetAvailable", rename_all = "camelCase")]
    StatefulSetAvailable {
        #[serde(default)]
        stateful_set: Option<String>,
        #[serde(default)]
        max_unavailable: u32,
    },
    /// The autoscaled pool's present nodes always within [min, max].
    #[serde(rename = "nodeCountWithin")]
    NodeCountWithin { pool: String, min: u32, max: u32 },
    /// No reachable cycle in which the cluster autoscaler adds a node to the pool (and so
    /// removes one): nodes churning for ever. `pool` unset: any autoscaled pool.
    #[serde(rename = "noNodeChurn")]
    NoNodeChurn {
        #[serde(default)]
        pool: Option<String>,
    },
}

fn default_pools_max() -> u32 {
    6
}
fn default_pods_per_node() -> u32 {
    6
}
fn default_steps() -> u32 {
    30
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bounds {
    /// Unrolling depth / search depth, in controller or event steps.
    #[serde(default = "default_steps")]
    pub steps: u32,
    /// `kbmc scale`: nodes per pool up to which every topology is covered.
    #[serde(default = "default_pools_max")]
    pub max_nodes_per_pool: u32,
    /// `kbmc scale`: replicas per node up to which every topology is covered.
    #[serde(default = "default_pods_per_node")]
    pub max_pods_per_node: u32,
    /// Events in one run at most, all kinds together (unset: each event's own budget alone,
    /// reached by deepening from one event).
    #[serde(default)]
    pub events: Option<u32>,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            steps: default_steps(),
            max_nodes_per_pool: default_pools_max(),
            max_pods_per_node: default_pods_per_node(),
            events: None,
        }
    }
}
