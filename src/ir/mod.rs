//! The validated, numbered, finite model that every engine reads. Owns the typed ids, the
//! interned labels, every static fact precomputed per (pod group, node) — affinity, taints,
//! topology domains, spread selectors — and every bound. It is built once by `build` from the
//! decoded manifests and spec; it must not know YAML and does no I/O after building.
//!
//! Units: CPU in millicores, memory in bytes, pods as counts, each read from its quantity as
//! upstream reads it (`MilliValue()` for CPU, `Value()` for memory and pods: exact, a fraction
//! of the unit rounded up), requests and allocatable alike. HPA AverageValue targets are
//! milli-units (`MilliValue()`), as the HPA controller compares them.

mod affinity;
mod build;
mod diag;
mod labels;
pub mod limits;
mod namespaces;
mod pod;
mod validate;
pub mod vpa;

use serde::Serialize;

pub use affinity::{InterPodAffinity, PodAffinityTerm};
pub use build::{build, BuildOptions};
pub use labels::{LabelKey, LabelValue, Labels};
pub use pod::TO_BE_DELETED;

use crate::error::Origin;
pub use crate::spec::Timing;

macro_rules! id {
    ($name:ident, $what:literal) => {
        #[doc = concat!("Index of a ", $what, " in the model.")]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub struct $name(pub u32);
        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}
id!(NodeId, "node slot");
id!(PoolId, "node pool");
id!(GroupId, "pod group (one pod template revision of a Deployment)");
id!(DeploymentId, "Deployment");
id!(HpaId, "HorizontalPodAutoscaler");
id!(DaemonSetId, "DaemonSet");

/// An inclusive integer range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Range {
    pub min: i64,
    pub max: i64,
}

impl Range {
    pub fn fixed(v: i64) -> Self {
        Range { min: v, max: v }
    }
}

impl std::fmt::Display for Range {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.min == self.max {
            write!(f, "{}", self.min)
        } else {
            write!(f, "{}..{}", self.min, self.max)
        }
    }
}

/// CPU, memory and pod count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Resources {
    /// Millicores.
    pub cpu_milli: i64,
    /// Bytes.
    pub memory: i64,
    pub pods: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Model {
    pub name: String,
    /// The Verification was inferred from the manifests (none was given).
    pub spec_inferred: bool,
    /// The failure scenario an inferred spec plans for (`spec::infer::Scenario`), in words.
    pub scenario: Option<String>,
    /// What `--allow-unmodeled` dropped: each object or field that changes Kubernetes'
    /// behaviour but was left out of the model (`Deployment/web spec.template...`).
    pub dropped: Vec<String>,
    pub labels: Labels,
    pub pools: Vec<Pool>,
    /// Node slots: each pool expanded to its maximum count, pools in order.
    pub nodes: Vec<Node>,
    pub deployments: Vec<Deployment>,
    pub groups: Vec<PodGroup>,
    pub hpas: Vec<Hpa>,
    pub scheduler: Scheduler,
    pub descheduler: Option<Descheduler>,
    pub controllers: Controllers,
    pub timing: Timing,
    pub events: Vec<Event>,
    pub intents: Vec<Intent>,
    pub bounds: Bounds,
    /// A snapshot's pods of Deployments: the initial state besides `Deployment::placement`.
    pub initial_pods: Vec<InitialPods>,
    /// A snapshot's pods no modelled controller owns.
    pub fixed_pods: Vec<FixedPods>,
    /// PodDisruptionBudgets, in input order.
    pub pdbs: Vec<Pdb>,
    /// PriorityClasses: the inputs' and the two built-in system classes (`priority.rs`).
    pub priority_classes: Vec<PriorityClass>,
    /// apps/v1 DaemonSets, in input order.
    pub daemon_sets: Vec<DaemonSet>,
    /// The cluster autoscaler's options, when some pool is autoscaled.
    pub autoscaler: Option<Autoscaler>,
    /// VerticalPodAutoscalers (`vpa.rs`), at most one per Deployment.
    pub vpas: Vec<Vpa>,
}

/// A VerticalPodAutoscaler's `updatePolicy.updateMode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum VpaMode {
    /// Recommendations only: no pod is changed.
    Off,
    /// The admission controller sets the requests of pods created from now on; the updater
    /// evicts nothing.
    Initial,
    /// `Recreate`, and `Auto` (which upstream runs as Recreate): the updater also evicts pods
    /// whose requests are not the recommendation.
    Recreate,
    /// The updater resizes a running pod in place where its node has room, and evicts it
    /// otherwise.
    InPlaceOrRecreate,
}

impl VpaMode {
    /// Whether the updater may evict or resize pods in this mode (Recreate, InPlaceOrRecreate).
    pub fn updates(self) -> bool {
        matches!(self, VpaMode::Recreate | VpaMode::InPlaceOrRecreate)
    }

    pub fn name(self) -> &'static str {
        match self {
            VpaMode::Off => "Off",
            VpaMode::Initial => "Initial",
            VpaMode::Recreate => "Recreate",
            VpaMode::InPlaceOrRecreate => "InPlaceOrRecreate",
        }
    }
}

/// One recommendation the recommender can give (see `vpa.rs`): the per-pod CPU usage whose
/// history gives it, and the pod requests the admission controller then sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct VpaLevel {
    /// The CPU usage (millicores) whose samples make the 90th percentile.
    pub usage_cpu_milli: i64,
    /// The recommended target (capped): CPU millicores and memory bytes.
    pub target_cpu_milli: i64,
    pub target_memory: i64,
    /// The revision of the target Deployment whose pods carry the admitted requests (0: the
    /// template's, when they are equal; always 0 under mode Off, which changes no pod).
    pub revision: u32,
}

/// An autoscaling.k8s.io/v1 VerticalPodAutoscaler (`build/vpa.rs`, `model/controllers/vpa.rs`).
#[derive(Clone, Debug, Serialize)]
pub struct Vpa {
    /// `metadata.name`, or `namespace/name` when another VPA has it in another namespace.
    pub name: String,
    pub target: DeploymentId,
    pub mode: VpaMode,
    /// Live pods the updater needs before it evicts any (`updatePolicy.minReplicas`, else the
    /// updater's `--min-replicas` default 2).
    pub min_replicas: i64,
    /// Whether CPU and memory are controlled (`controlledResources`; a container policy with
    /// `mode: Off` controls neither).
    pub controls_cpu: bool,
    pub controls_memory: bool,
    /// `controlledValues: RequestsOnly` (false: RequestsAndLimits, the default). Without
    /// limits (a controlled container with limits is refused) both set the same requests.
    pub requests_only: bool,
    /// `minAllowed` / `maxAllowed` of the container's policy: CPU millicores, memory bytes.
    pub min_allowed: (Option<i64>, Option<i64>),
    pub max_allowed: (Option<i64>, Option<i64>),
    /// The recommendations the recommender can give, one per CPU usage level of the target's
    /// pods, in increasing usage.
    pub levels: Vec<VpaLevel>,
    #[serde(skip)]
    pub origin: Origin,
}

/// The cluster autoscaler's options (cluster-autoscaler's flags of the same names).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Autoscaler {
    /// `--scale-down-utilization-threshold` as a fraction `num / den` (default 1 / 2).
    pub threshold: (i64, i64),
    /// `--expander`: the strategies in chain order.
    pub expander: Vec<Expander>,
    pub balance_similar_node_groups: bool,
    pub skip_nodes_with_local_storage: bool,
    pub skip_nodes_with_system_pods: bool,
}

/// A scale-up expander strategy (`--expander`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Expander {
    Random,
    LeastWaste,
    MostPods,
    Priority,
}

impl Expander {
    pub fn name(self) -> &'static str {
        match self {
            Expander::Random => "random",
            Expander::LeastWaste => "least-waste",
            Expander::MostPods => "most-pods",
            Expander::Priority => "priority",
        }
    }
}

/// A `scheduling.k8s.io/v1` PriorityClass, as the Priority admission plugin resolves it into
/// the pods that name it (`spec.priority`, `spec.preemptionPolicy`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PriorityClass {
    pub name: String,
    pub value: i64,
    /// `globalDefault`: pods that name no class get this one's value and policy.
    pub global_default: bool,
    /// `preemptionPolicy: PreemptLowerPriority` (the default); false for `Never`.
    pub preempts: bool,
    /// One of the API server's own classes (system-cluster-critical, system-node-critical).
    pub builtin: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Pool {
    pub name: String,
    pub count: Range,
    /// The slots of this pool in `Model::nodes`: `first .. first + count.max`.
    pub first: NodeId,
    /// A pool made from one concrete Node manifest (count 1, never scaled).
    pub concrete: bool,
    /// A node group of the cluster autoscaler: its size moves within this range (`count` is
    /// then the size at start) and it has `autoscaling.max` slots.
    pub autoscaling: Option<Range>,
    /// The cloud provider's node template where the spec gives one (`autoscaling.template`):
    /// a node of the pool's shape with the template's labels and taints, as the autoscaler
    /// assumes a new node to be while it has no node of the group to copy.
    pub template: Option<Box<Node>>,
    /// A multi-zone node group (`autoscaling.zones`): `autoscaling.max` slots per zone, slot
    /// `i` in zone `i % K`; a pool without it is in no zone of its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zones: Option<Zones>,
    #[serde(skip)]
    pub origin: Origin,
}

/// The zones of a multi-zone node group and where the cloud launches its new nodes.
#[derive(Clone, Debug, Serialize)]
pub struct Zones {
    /// At least two distinct zones, in the spec's order.
    pub names: Vec<String>,
    pub distribution: ZoneDistribution,
}

/// Which zone the cloud puts a new node of a multi-zone group in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ZoneDistribution {
    /// EC2 Auto Scaling's `balanced-best-effort` (its default): a zone with the fewest nodes
    /// of the group, or, after a failed launch there, another zone. Launch failures are the
    /// cloud's capacity, which kbmc does not track: every zone is a choice, as under `Any`.
    Balanced,
    /// EC2 Auto Scaling's `balanced-only`: a zone with the fewest nodes of the group, present
    /// or asked for; every tied zone is a choice. A failed launch is retried in that zone
    /// (the node is late or never comes, as any node asked for may be).
    BalancedOnly,
    /// Any zone of the group.
    Any,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Effect {
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Taint {
    pub key: String,
    pub value: String,
    pub effect: Effect,
}

impl std::fmt::Display for Taint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.value.is_empty() {
            write!(f, "{}:{:?}", self.key, self.effect)
        } else {
            write!(f, "{}={}:{:?}", self.key, self.value, self.effect)
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Node {
    pub name: String,
    pub pool: PoolId,
    /// Position inside its pool; slot i of a pool is present when the pool has more than i nodes.
    pub index_in_pool: u32,
    pub labels: Vec<(LabelKey, LabelValue)>,
    /// What the machine has (kernel panic thresholds are relative to this).
    pub capacity: Resources,
    /// What pods may request (capacity minus system and kube reservations).
    pub allocatable: Resources,
    pub taints: Vec<Taint>,
    /// Cordoned at start (`spec.unschedulable`).
    pub unschedulable: bool,
    /// Ready at start (a Node manifest whose Ready condition is not True starts NotReady).
    pub ready: bool,
    /// Requests of the snapshot's fixed pods on this node (see [`FixedPods`]): every sum of
    /// a node's requests starts from it.
    pub fixed: Resources,
    /// The same as scoring counts them (100m CPU / 200Mi memory per container that sets none).
    pub fixed_score: Resources,
}

impl Node {
    pub fn label(&self, key: LabelKey) -> Option<LabelValue> {
        self.labels.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    /// Its labels as the nodes of one pool must share them, `own` being the keys of the
    /// hostname, the zone and the deprecated zone (left out). A provider's copy of the zone
    /// (GKE's `topology.gke.io/zone`, a CSI driver's topology label), a label whose value is
    /// the node's zone, compares as "the node's zone" (`None`): nodes of two zones may carry
    /// it, and nodes of one zone alike have equal labels.
    pub fn labels_alike(&self, own: &[Option<LabelKey>; 3]) -> Vec<(LabelKey, Option<LabelValue>)> {
        let zone = own[1].and_then(|z| self.label(z));
        self.labels
            .iter()
            .filter(|(k, _)| !own.contains(&Some(*k)))
            .map(|&(k, v)| (k, (zone != Some(v)).then_some(v)))
            .collect()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum IntOrPercent {
    Int(i64),
    Percent(i64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Strategy {
    Recreate,
    RollingUpdate { max_surge: IntOrPercent, max_unavailable: IntOrPercent },
}

#[derive(Clone, Debug, Serialize)]
pub struct Deployment {
    /// How kbmc names the Deployment everywhere (reports, verdict subjects, references in the
    /// Verification, solver constants): its `metadata.name`, or `namespace/name` when another
    /// Deployment among the inputs has the same name in another namespace. Unique among the
    /// Deployments.
    pub name: String,
    /// `metadata.name`.
    pub object_name: String,
    pub namespace: String,
    /// Desired replicas at start (`spec.replicas`, 1 when absent) and the range `kbmc scale`
    /// verifies over.
    pub replicas: Range,
    /// Per revision (see `revisions`), whether its manifest sets `spec.replicas`: `kubectl
    /// apply` of a manifest without it resets it to 1 only if the last applied one set it.
    pub revision_sets_replicas: Vec<bool>,
    pub strategy: Strategy,
    /// Pod template revisions: index 0 is the manifest's, later ones come from applyDeployment.
    pub revisions: Vec<GroupId>,
    pub hpa: Option<HpaId>,
    /// Pods running at start: (node, count) of revision 0.
    pub placement: Vec<(NodeId, i64)>,
    /// Per-pod usage at start.
    pub initial_usage: Resources,
    #[serde(skip)]
    pub origin: Origin,
    /// An apps/v1 StatefulSet, not a Deployment: its pods have ordinals and its own
    /// controller (`model/controllers/statefulset/`); `None` for a Deployment.
    pub stateful: Option<StatefulSet>,
}

/// `spec.podManagementPolicy` of a StatefulSet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PodManagement {
    /// One pod at a time, in ordinal order, each waiting for its predecessors to be Running
    /// and Ready (the default).
    OrderedReady,
    /// Pods created and deleted without waiting for each other.
    Parallel,
}

/// `spec.updateStrategy` of a StatefulSet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum StatefulUpdate {
    /// Pods at or above `partition` are replaced by the update revision, highest ordinal first.
    RollingUpdate { partition: i64 },
    /// Pods are replaced only when something else deletes them.
    OnDelete,
}

/// What a StatefulSet adds to a [`Deployment`] entry: its policies and its pod groups, one
/// per (revision, ordinal, zone of the ordinal's volume).
#[derive(Clone, Debug, Serialize)]
pub struct StatefulSet {
    pub pod_management: PodManagement,
    pub update: StatefulUpdate,
    /// Ordinals 0..ordinals are modelled: the most replicas the set can be asked for.
    pub ordinals: u32,
    /// The zones (`topology.kubernetes.io/zone` values of the nodes) a volume of its
    /// volumeClaimTemplates can be provisioned in, when those volumes are zonal and bound
    /// where the pod is first scheduled (WaitForFirstConsumer); empty when the claims place
    /// no constraint kbmc models.
    pub claim_zones: Vec<LabelValue>,
    /// Per revision, per ordinal, per volume zone (0: not bound yet, z + 1: `claim_zones[z]`;
    /// only 0 without zonal claims): the pod group.
    pub groups: Vec<Vec<Vec<GroupId>>>,
}

/// Which StatefulSet pod a pod group holds: at most one pod of the group exists at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Ordinal {
    pub ordinal: u32,
    /// The zone (index into `StatefulSet::claim_zones`) its volume is bound in, for which the
    /// scheduler's VolumeZone filter keeps the pod; `None`: not bound yet, or not zonal.
    pub claim_zone: Option<u32>,
}

/// A topology spread constraint of one pod group, resolved against the nodes.
#[derive(Clone, Debug, Serialize)]
pub struct SpreadConstraint {
    pub max_skew: i64,
    pub topology_key: LabelKey,
    /// DoNotSchedule (a filter) or ScheduleAnyway (a score).
    pub hard: bool,
    pub min_domains: Option<i64>,
    /// nodeAffinityPolicy Honor: only nodes matching the pod's node affinity count as domains.
    pub honor_node_affinity: bool,
    /// nodeTaintsPolicy Honor: only nodes whose taints the pod tolerates count as domains.
    pub honor_node_taints: bool,
    /// Which pod groups the labelSelector matches (same namespace only) for counting. An
    /// empty selector `{}` counts no pods, as upstream's countPodsMatchSelector.
    pub selects: Vec<bool>,
    /// Which pod groups the descheduler's RemovePodsViolatingTopologySpreadConstraint counts
    /// (same namespace only): as `selects`, except that an empty selector `{}` matches every
    /// pod there (labels.Everything, which the descheduler's `Selector.Matches` accepts; the
    /// scheduler's countPodsMatchSelector returns 0 for an empty selector first).
    pub desched_selects: Vec<bool>,
    /// Whether the selector matches the incoming pod itself (selfMatch).
    pub self_match: bool,
    /// Injected by the scheduler's system defaults (the template has no constraints).
    pub system_default: bool,
    /// Per node slot: the snapshot's fixed pods there that `selects` would match (same
    /// namespace, labels matching; none for an empty selector or a system default). The
    /// descheduler does not count them: its evictor's filter admits no pod of an owner it
    /// cannot see, and kbmc does not model which of theirs it would admit.
    pub fixed: Vec<i64>,
}

/// Per-node static facts of a pod group.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Placement {
    /// NodeName filter: `spec.nodeName` names this node (true everywhere when unset).
    pub node_name_ok: bool,
    /// nodeSelector and required node affinity both hold.
    pub affinity_ok: bool,
    /// Sum of weights of matching preferred node affinity terms.
    pub preferred_weight: i64,
    /// An untolerated NoSchedule taint: the scheduler filters the node.
    pub untolerated_no_schedule: bool,
    /// An untolerated NoExecute taint: the scheduler filters the node and the kubelet rejects
    /// the pod (a toleration with `tolerationSeconds` counts as tolerating here).
    pub untolerated_no_execute: bool,
    /// A NoExecute taint no toleration without `tolerationSeconds` tolerates: taint eviction
    /// deletes the group's pods here (at once, or once the seconds run out: timing).
    pub evicted_no_execute: bool,
    /// Number of untolerated PreferNoSchedule taints (TaintToleration score).
    pub untolerated_prefer_no_schedule: i64,
    /// Indices (into the node's `taints`) of every taint the pod does not tolerate.
    pub untolerated: Vec<usize>,
    /// VolumeZone: the group's bound volume is in this node's zone (true for a group without
    /// one).
    pub volume_zone_ok: bool,
}

/// What the HPA's utilization divides by (replica_calculator.go, calculateRequests): the
/// app containers' requests summed, init containers not counted (sidecars are rejected on
/// input); `None` for a resource some container does not request, which makes upstream's
/// metric on it fail.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MetricRequests {
    /// Millicores.
    pub cpu_milli: Option<i64>,
    /// Bytes.
    pub memory: Option<i64>,
}

/// The controller whose pods a pod group holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Owner {
    Deployment(DeploymentId),
    DaemonSet(DaemonSetId),
}

/// A DaemonSet's `spec.updateStrategy`, with apps/v1's defaults filled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum DaemonStrategy {
    OnDelete,
    RollingUpdate { max_surge: IntOrPercent, max_unavailable: IntOrPercent },
}

/// An apps/v1 DaemonSet: one pod per eligible node, each created with a required node
/// affinity on its node's name and bound by the scheduler.
#[derive(Clone, Debug, Serialize)]
pub struct DaemonSet {
    /// `metadata.name`, or `namespace/name` when another DaemonSet among the inputs has the
    /// same name in another namespace.
    pub name: String,
    pub object_name: String,
    pub namespace: String,
    pub strategy: DaemonStrategy,
    /// Pod template revisions: index 0 is the manifest's, index 1 a rolloutRestart's.
    pub revisions: Vec<GroupId>,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Clone, Debug, Serialize)]
pub struct PodGroup {
    pub owner: Owner,
    pub revision: u32,
    /// Pod labels (with `pod-template-hash` style revision identity kept implicit).
    pub labels: Vec<(String, String)>,
    pub requests: Resources,
    /// The requests NodeResourcesFit scoring counts, for the pod and for the pods on a node:
    /// per container, a resource it does not set at all counts as 100m CPU or 200Mi memory,
    /// and one set explicitly, also to 0, as set (containers summed, init containers at
    /// their maximum, as `requests`). Filters, BalancedAllocation and the descheduler read
    /// `requests`.
    pub score_requests: Resources,
    /// The requests the HPA's utilization counts (see [`MetricRequests`]).
    pub metric_requests: MetricRequests,
    /// `spec.nodeName`, when set (the scheduler is bypassed).
    pub node_name: Option<String>,
    /// Tolerates the `node.kubernetes.io/unschedulable:NoSchedule` taint of cordoned nodes.
    pub tolerates_unschedulable: bool,
    /// Tolerates the `ToBeDeletedByClusterAutoscaler:NoSchedule` taint the cluster autoscaler
    /// puts on a node it removes (a toleration with `operator: Exists` whose key is that or
    /// empty and whose effect is NoSchedule or empty). Not the same fact as
    /// `tolerates_unschedulable`: the autoscaler does not cordon (see `pod::TO_BE_DELETED`).
    pub tolerates_to_be_deleted: bool,
    /// Seconds after which the taint of a node that stopped reporting (failed or panicked),
    /// `node.kubernetes.io/unreachable:NoExecute`, evicts the group's pods: the first matching
    /// toleration's `tolerationSeconds`, 300 (DefaultTolerationSeconds) when none matches;
    /// `None` when it tolerates the taint for ever.
    pub unreachable_eviction_after: Option<i64>,
    /// Per node slot, indexed by NodeId.
    pub per_node: Vec<Placement>,
    pub spread: Vec<SpreadConstraint>,
    /// `podAffinity` and `podAntiAffinity` terms, resolved against the groups.
    pub pod_affinity: InterPodAffinity,
    /// Has emptyDir/hostPath volumes (descheduler's PodsWithLocalStorage protection).
    pub local_storage: bool,
    /// Has persistentVolumeClaim volumes.
    pub pvc: bool,
    /// Has `requiredDuringSchedulingIgnoredDuringExecution` node affinity (not just a nodeSelector).
    pub has_required_affinity: bool,
    /// Which of CPU and memory the pods' requests name (see [`RequestNames`]).
    pub request_names: RequestNames,
    /// Sets `spec.nodeSelector` (even empty) or `spec.affinity.nodeAffinity` (required or
    /// preferred): what the descheduler's topology spread balancing reads as a pod with
    /// "selectors or affinity" (`hasSelectorOrAffinity`), the last it takes from a domain.
    pub selector_or_affinity: bool,
    /// The pods' QoS class (what LowNodeUtilization orders a node's pods by).
    pub qos: Qos,
    /// A StatefulSet's pod group: which ordinal (`None` for a Deployment's).
    pub ordinal: Option<Ordinal>,
    /// `spec.priority` as the Priority admission plugin sets it: the value of the class the
    /// template names, else of the globalDefault class, else 0.
    pub priority: i64,
    /// `spec.preemptionPolicy` as admission sets it: PreemptLowerPriority (true) or Never.
    pub preempts: bool,
    /// The template's `cluster-autoscaler.kubernetes.io/safe-to-evict` annotation, when
    /// `"true"` or `"false"`.
    pub safe_to_evict: Option<bool>,
    /// Per pool: the placement facts on its cloud provider template node (`Pool::template`).
    pub per_template: Vec<Option<Placement>>,
}

impl PodGroup {
    /// The Deployment whose revision this group is, if a Deployment owns it.
    pub fn deployment(&self) -> Option<DeploymentId> {
        match self.owner {
            Owner::Deployment(d) => Some(d),
            Owner::DaemonSet(_) => None,
        }
    }

    /// The DaemonSet whose revision this group is, if a DaemonSet owns it.
    pub fn daemon_set(&self) -> Option<DaemonSetId> {
        match self.owner {
            Owner::DaemonSet(s) => Some(s),
            Owner::Deployment(_) => None,
        }
    }
}

/// Which of CPU and memory a pod's requests name: some container or init container sets a
/// request for it, or a limit (the API server then sets the request to the limit), an
/// explicit zero included. The descheduler's NodeFit checks these and the pod count only
/// (node.go `fitsRequest` checks the names in `PodRequestsAndLimits`' list).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RequestNames {
    pub cpu: bool,
    pub memory: bool,
}

/// A pod's QoS class, in the order LowNodeUtilization evicts them (lowest first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Qos {
    BestEffort,
    Burstable,
    Guaranteed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ResourceName {
    Cpu,
    Memory,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum MetricTarget {
    /// Percent of requests.
    Utilization(i64),
    /// Per-pod average in milli-units of the resource, as upstream's `MilliValue()`:
    /// millicores (cpu) or milli-bytes (memory).
    AverageValue(i64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Metric {
    pub resource: ResourceName,
    pub target: MetricTarget,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PolicyKind {
    Pods,
    Percent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ScalingPolicy {
    pub kind: PolicyKind,
    pub value: i64,
    pub period_seconds: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum SelectPolicy {
    Max,
    Min,
    Disabled,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScalingRules {
    pub stabilization_window_seconds: i64,
    pub select_policy: SelectPolicy,
    pub policies: Vec<ScalingPolicy>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Hpa {
    /// `metadata.name`, or `namespace/name` when another HPA among the inputs has the same
    /// name in another namespace (as Deployments are named). Unique among the HPAs.
    pub name: String,
    pub target: DeploymentId,
    pub min_replicas: i64,
    pub max_replicas: i64,
    pub metrics: Vec<Metric>,
    /// `spec.behavior` with upstream defaults filled in; `None` is the legacy path (scale-up
    /// limit max(2·current, 4), 300 s scale-down stabilization).
    pub behavior: Option<(ScalingRules, ScalingRules)>,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ScoringStrategy {
    LeastAllocated,
    MostAllocated,
}

/// kube-scheduler's default profile with KubeSchedulerConfiguration overrides applied.
#[derive(Clone, Debug, Serialize)]
pub struct Scheduler {
    /// Score weights; 0 means the plugin is disabled.
    pub weight_node_resources_fit: i64,
    pub weight_balanced_allocation: i64,
    pub weight_node_affinity: i64,
    pub weight_taint_toleration: i64,
    pub weight_pod_topology_spread: i64,
    pub weight_inter_pod_affinity: i64,
    /// InterPodAffinityArgs `hardPodAffinityWeight` (default 1): the score an existing pod's
    /// required affinity term gives the nodes of its domain when the incoming pod matches it.
    pub hard_pod_affinity_weight: i64,
    /// InterPodAffinityArgs `ignorePreferredTermsOfExistingPods` (default false).
    pub ignore_preferred_terms_of_existing_pods: bool,
    pub scoring: ScoringStrategy,
    pub scoring_cpu_weight: i64,
    pub scoring_memory_weight: i64,
    /// Filters disabled by configuration (normally empty).
    pub disabled_filters: Vec<String>,
    /// NodeAffinity's `addedAffinity` (NodeAffinityArgs), per node slot: whether its required
    /// terms match the node (true everywhere without them). The NodeAffinity filter ANDs it
    /// with the pod's own node affinity; nothing else reads it (the kubelet's admission, the
    /// descheduler and PodTopologySpread's nodeAffinityPolicy see the pod's affinity only).
    pub added_affinity_ok: Vec<bool>,
    /// Per node slot, the summed weight of `addedAffinity`'s preferred terms that match it,
    /// which the NodeAffinity score adds to the pod's own preferred weight.
    pub added_preferred_weight: Vec<i64>,
}

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler {
            weight_node_resources_fit: 1,
            weight_balanced_allocation: 1,
            weight_node_affinity: 2,
            weight_taint_toleration: 3,
            weight_pod_topology_spread: 2,
            weight_inter_pod_affinity: 2,
            hard_pod_affinity_weight: 1,
            ignore_preferred_terms_of_existing_pods: false,
            scoring: ScoringStrategy::LeastAllocated,
            scoring_cpu_weight: 1,
            scoring_memory_weight: 1,
            disabled_filters: Vec::new(),
            added_affinity_ok: Vec::new(),
            added_preferred_weight: Vec::new(),
        }
    }
}

/// Which namespaces' pods a descheduler plugin considers: its `namespaces` argument, or
/// LowNodeUtilization's `evictableNamespaces` (exclude only). As upstream's pod filter
/// (kubernetes-sigs/descheduler pkg/descheduler/pod/pods.go, `BuildFilterFunc`): with
/// `include` only those namespaces, with `exclude` every namespace but those, with neither
/// every namespace. Upstream's validation refuses `include` and `exclude` together.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Namespaces {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

impl Namespaces {
    /// Whether the plugin considers pods of namespace `ns`.
    pub fn admits(&self, ns: &str) -> bool {
        (self.include.is_empty() || self.include.iter().any(|n| n == ns)) && !self.exclude.iter().any(|n| n == ns)
    }
}

#[derive(Clone, Debug, Serialize)]
pub enum DeschedulerPlugin {
    RemoveDuplicates {
        namespaces: Namespaces,
    },
    RemovePodsViolatingTopologySpreadConstraint {
        hard: bool,
        soft: bool,
        topology_balance_node_fit: bool,
        namespaces: Namespaces,
    },
    LowNodeUtilization {
        thresholds: Thresholds,
        target_thresholds: Thresholds,
        number_of_nodes: i64,
        /// `evictableNamespaces`: exclude only (upstream refuses `include` here).
        evictable_namespaces: Namespaces,
    },
    RemovePodsViolatingNodeTaints {
        include_prefer_no_schedule: bool,
        excluded_taints: Vec<String>,
        /// `None`: every taint (the argument absent); `Some`: only those listed.
        included_taints: Option<Vec<String>>,
        namespaces: Namespaces,
    },
    RemovePodsViolatingNodeAffinity {
        required: bool,
        preferred: bool,
        namespaces: Namespaces,
    },
    RemovePodsViolatingInterPodAntiAffinity {
        namespaces: Namespaces,
    },
}

impl DeschedulerPlugin {
    pub fn name(&self) -> &'static str {
        match self {
            DeschedulerPlugin::RemoveDuplicates { .. } => "RemoveDuplicates",
            DeschedulerPlugin::RemovePodsViolatingTopologySpreadConstraint { .. } => {
                "RemovePodsViolatingTopologySpreadConstraint"
            }
            DeschedulerPlugin::LowNodeUtilization { .. } => "LowNodeUtilization",
            DeschedulerPlugin::RemovePodsViolatingNodeTaints { .. } => "RemovePodsViolatingNodeTaints",
            DeschedulerPlugin::RemovePodsViolatingNodeAffinity { .. } => "RemovePodsViolatingNodeAffinity",
            DeschedulerPlugin::RemovePodsViolatingInterPodAntiAffinity { .. } => {
                "RemovePodsViolatingInterPodAntiAffinity"
            }
        }
    }

    /// The namespaces whose pods the plugin considers.
    pub fn namespaces(&self) -> &Namespaces {
        match self {
            DeschedulerPlugin::RemoveDuplicates { namespaces }
            | DeschedulerPlugin::RemovePodsViolatingTopologySpreadConstraint { namespaces, .. }
            | DeschedulerPlugin::RemovePodsViolatingNodeTaints { namespaces, .. }
            | DeschedulerPlugin::RemovePodsViolatingNodeAffinity { namespaces, .. }
            | DeschedulerPlugin::RemovePodsViolatingInterPodAntiAffinity { namespaces } => namespaces,
            DeschedulerPlugin::LowNodeUtilization { evictable_namespaces, .. } => evictable_namespaces,
        }
    }
}

/// LowNodeUtilization thresholds in percent of allocatable, as written (upstream's
/// `api.Percentage` is a float64); `None` = resource not considered.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Thresholds {
    pub cpu: Option<f64>,
    pub memory: Option<f64>,
    pub pods: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Evictor {
    pub node_fit: bool,
    pub evict_local_storage_pods: bool,
    pub ignore_pvc_pods: bool,
    /// Pods of an owner with fewer replicas are not evicted (active when > 1).
    pub min_replicas: i64,
    /// Pods of this priority or higher are not evicted: system-critical ones (2000000000 and
    /// up) and those at or above `priorityThreshold`, unless `evictSystemCriticalPods`.
    pub protect_from_priority: Option<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DeschedulerProfile {
    pub name: String,
    /// Run first, in order.
    pub deschedule: Vec<DeschedulerPlugin>,
    /// Run after every profile's deschedule plugins, in order.
    pub balance: Vec<DeschedulerPlugin>,
    pub evictor: Evictor,
}

#[derive(Clone, Debug, Serialize)]
pub struct Descheduler {
    pub profiles: Vec<DeschedulerProfile>,
    pub max_per_node: Option<i64>,
    pub max_per_namespace: Option<i64>,
    pub max_total: Option<i64>,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Controllers {
    pub deployment: bool,
    pub scheduler: bool,
    pub kubelet: bool,
    pub hpa: bool,
    pub descheduler: bool,
    pub node_lifecycle: bool,
    pub taint_eviction: bool,
    pub cluster_autoscaler: bool,
}

/// What `kubectl apply` of a new Deployment version does to `spec.replicas`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ApplyReplicas {
    /// The new manifest sets replicas.
    Set(i64),
    /// The new manifest does not set it. The three-way merge compares it with the last
    /// applied manifest, the one of the Deployment's current revision: when that set it the
    /// field is removed and the API server defaults it to 1, else the live value (e.g. the
    /// HPA's) stays.
    Omitted,
    /// Not an apply: `kubectl rollout restart` patches the pod template only, so the live
    /// value stays and the last applied manifest is unchanged.
    Kept,
}

#[derive(Clone, Debug, Serialize)]
pub enum Event {
    CpuChange {
        deployment: DeploymentId,
        delta_milli: Range,
        budget: i64,
    },
    CpuPattern {
        deployment: DeploymentId,
        bootstrap_milli: i64,
        steady_milli: i64,
    },
    KernelPanic {
        threshold_percent: i64,
        budget: i64,
        recovery: bool,
    },
    NodeFailure {
        pool: Option<PoolId>,
        budget: i64,
        recovery: bool,
        /// `scope: zone`: a node fails only while every node NotReady by a failure is of its
        /// zone ([`Model::zone_label`]).
        one_zone: bool,
    },
    ApplyDeployment {
        deployment: DeploymentId,
        revision: GroupId,
        replicas: ApplyReplicas,
        strategy: Strategy,
        budget: i64,
    },
    ScaleDeployment {
        deployment: DeploymentId,
        delta: Range,
        budget: i64,
    },
    /// `kubectl rollout restart` of a DaemonSet: its template as revision 1.
    RolloutDaemonSet {
        daemon_set: DaemonSetId,
        budget: i64,
    },
    Maintenance {
        max_unavailable: i64,
        budget: i64,
    },
    /// A force delete of the StatefulSet's pods on a NotReady node, `budget` nodes in all.
    ForceDeletePods {
        statefulset: DeploymentId,
        budget: i64,
    },
}

impl Event {
    pub fn name(&self) -> &'static str {
        match self {
            Event::CpuChange { .. } => "cpuChange",
            Event::CpuPattern { .. } => "cpuPattern",
            Event::KernelPanic { .. } => "kernelPanic",
            Event::NodeFailure { .. } => "nodeFailure",
            Event::ApplyDeployment { replicas: ApplyReplicas::Kept, .. } => "rolloutRestart",
            Event::ApplyDeployment { .. } => "applyDeployment",
            Event::ScaleDeployment { .. } => "scaleDeployment",
            Event::RolloutDaemonSet { .. } => "rolloutRestart",
            Event::Maintenance { .. } => "maintenance",
            Event::ForceDeletePods { .. } => "forceDeletePods",
        }
    }

    /// The Deployment (or StatefulSet) the event names, if any.
    pub fn deployment(&self) -> Option<DeploymentId> {
        match self {
            Event::CpuChange { deployment, .. }
            | Event::CpuPattern { deployment, .. }
            | Event::ApplyDeployment { deployment, .. }
            | Event::ScaleDeployment { deployment, .. } => Some(*deployment),
            Event::ForceDeletePods { statefulset, .. } => Some(*statefulset),
            Event::KernelPanic { .. }
            | Event::NodeFailure { .. }
            | Event::Maintenance { .. }
            | Event::RolloutDaemonSet { .. } => None,
        }
    }

    /// The event with the Deployments and pod groups it names renamed by `dep` and `group`.
    pub fn renamed(&self, dep: impl Fn(DeploymentId) -> DeploymentId, group: impl Fn(GroupId) -> GroupId) -> Event {
        let mut x = self.clone();
        match &mut x {
            Event::CpuChange { deployment, .. }
            | Event::CpuPattern { deployment, .. }
            | Event::ScaleDeployment { deployment, .. } => *deployment = dep(*deployment),
            Event::ForceDeletePods { statefulset, .. } => *statefulset = dep(*statefulset),
            Event::ApplyDeployment { deployment, revision, .. } => {
                *deployment = dep(*deployment);
                *revision = group(*revision);
            }
            Event::KernelPanic { .. }
            | Event::NodeFailure { .. }
            | Event::Maintenance { .. }
            | Event::RolloutDaemonSet { .. } => {}
        }
        x
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Expected {
    Replicas(i64),
    DesiredPlus(i64),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Intent {
    PodAlwaysSchedulable,
    NoKernelPanicLoop {
        times: i64,
    },
    NoReplicaOscillation {
        deployment: DeploymentId,
        drop: i64,
    },
    ReplicasMeetMin {
        deployment: DeploymentId,
        min: i64,
    },
    ReplicasMeetExpected {
        deployment: DeploymentId,
        expected: Expected,
    },
    NoEvictionCycle {
        deployment: DeploymentId,
    },
    NoPreemptionCycle {
        deployment: DeploymentId,
    },
    PodsBalanced {
        deployment: DeploymentId,
        max_skew: i64,
    },
    ReplicasWithin {
        deployment: DeploymentId,
        min: i64,
        max: i64,
    },
    AllPodsEventuallyRun,
    /// Every drain a maintenance event starts finishes (a lasso in which one never does
    /// violates it).
    DrainCompletes,
    /// No voluntary eviction (a drain's, the descheduler's) takes a PodDisruptionBudget's
    /// healthy pods below the number it requires.
    DisruptionsWithinBudget,
    /// No cycle every state of which has more than `max_unavailable` of the StatefulSet's
    /// ordinals below its desired replicas without a Running pod on a Ready node.
    StatefulSetAvailable {
        statefulset: DeploymentId,
        max_unavailable: i64,
    },
    /// The pool's present nodes stay within [min, max].
    NodeCountWithin {
        pool: PoolId,
        min: i64,
        max: i64,
    },
    /// No reachable cycle in which a node joins the pool (`None`: any autoscaled pool).
    NoNodeChurn {
        pool: Option<PoolId>,
    },
}

impl Intent {
    /// kbmc's name for the intent.
    pub fn name(&self) -> &'static str {
        match self {
            Intent::PodAlwaysSchedulable => "podAlwaysSchedulable",
            Intent::NoKernelPanicLoop { .. } => "noKernelPanicLoop",
            Intent::NoReplicaOscillation { .. } => "noReplicaOscillation",
            Intent::ReplicasMeetMin { .. } => "replicasMeetMin",
            Intent::ReplicasMeetExpected { .. } => "replicasMeetExpected",
            Intent::NoEvictionCycle { .. } => "noEvictionCycle",
            Intent::NoPreemptionCycle { .. } => "noPreemptionCycle",
            Intent::PodsBalanced { .. } => "podsBalanced",
            Intent::ReplicasWithin { .. } => "replicasWithin",
            Intent::AllPodsEventuallyRun => "allPodsEventuallyRun",
            Intent::DrainCompletes => "drainCompletes",
            Intent::DisruptionsWithinBudget => "disruptionsWithinBudget",
            Intent::StatefulSetAvailable { .. } => "statefulSetAvailable",
            Intent::NodeCountWithin { .. } => "nodeCountWithin",
            Intent::NoNodeChurn { .. } => "noNodeChurn",
        }
    }

    /// Kivi's name, where Kivi has the intent.
    pub fn kivi_name(&self) -> Option<&'static str> {
        Some(match self {
            Intent::PodAlwaysSchedulable => "pod_always_schedulable",
            Intent::NoKernelPanicLoop { .. } => "no_kernel_panic",
            Intent::NoReplicaOscillation { .. } => "no_oscillation_replica_num",
            Intent::ReplicasMeetMin { .. } => "replica_num_always_meet_min",
            Intent::ReplicasMeetExpected { .. } => "replica_num_always_meet_exp",
            Intent::NoEvictionCycle { .. } => "no_oscillation_eviction",
            Intent::PodsBalanced { .. } => "pod_balance_across_node",
            Intent::ReplicasWithin { .. }
            | Intent::NoPreemptionCycle { .. }
            | Intent::AllPodsEventuallyRun
            | Intent::DrainCompletes
            | Intent::DisruptionsWithinBudget
            | Intent::StatefulSetAvailable { .. }
            | Intent::NodeCountWithin { .. }
            | Intent::NoNodeChurn { .. } => return None,
        })
    }

    /// The Deployment (or StatefulSet) the intent is about, if it names one.
    pub fn subject(&self) -> Option<DeploymentId> {
        match self {
            Intent::NoReplicaOscillation { deployment, .. }
            | Intent::ReplicasMeetMin { deployment, .. }
            | Intent::ReplicasMeetExpected { deployment, .. }
            | Intent::NoEvictionCycle { deployment }
            | Intent::NoPreemptionCycle { deployment }
            | Intent::PodsBalanced { deployment, .. }
            | Intent::ReplicasWithin { deployment, .. }
            | Intent::StatefulSetAvailable { statefulset: deployment, .. } => Some(*deployment),
            _ => None,
        }
    }

    /// Safety intents are violated by a finite run; the others need a cycle (lasso).
    pub fn is_cycle(&self) -> bool {
        matches!(
            self,
            Intent::NoEvictionCycle { .. }
                | Intent::AllPodsEventuallyRun
                | Intent::DrainCompletes
                | Intent::StatefulSetAvailable { .. }
                | Intent::NoPreemptionCycle { .. }
                | Intent::NoNodeChurn { .. }
        )
    }

    /// The Deployment (or StatefulSet) the intent names, if any.
    pub fn deployment(&self) -> Option<DeploymentId> {
        let mut x = self.clone();
        x.deployment_mut().map(|d| *d)
    }

    /// The Deployment (or StatefulSet) the intent names, to rename it.
    pub fn deployment_mut(&mut self) -> Option<&mut DeploymentId> {
        match self {
            Intent::NoReplicaOscillation { deployment, .. }
            | Intent::ReplicasMeetMin { deployment, .. }
            | Intent::ReplicasMeetExpected { deployment, .. }
            | Intent::NoEvictionCycle { deployment }
            | Intent::PodsBalanced { deployment, .. }
            | Intent::ReplicasWithin { deployment, .. }
            | Intent::NoPreemptionCycle { deployment } => Some(deployment),
            Intent::StatefulSetAvailable { statefulset, .. } => Some(statefulset),
            Intent::PodAlwaysSchedulable
            | Intent::NoKernelPanicLoop { .. }
            | Intent::AllPodsEventuallyRun
            | Intent::DrainCompletes
            | Intent::DisruptionsWithinBudget
            | Intent::NodeCountWithin { .. }
            | Intent::NoNodeChurn { .. } => None,
        }
    }
}

/// Where a snapshot's pods of a Deployment are at start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PodPhase {
    /// Created, not bound to a node (phase Pending, no `spec.nodeName`).
    Pending,
    /// Bound, not started (phase Pending with `spec.nodeName`).
    Bound,
    /// Phase Running.
    Running,
    /// `metadata.deletionTimestamp` set: stopping, still holding its requests.
    Terminating,
    /// Terminating, and its DisruptionTarget condition is True with reason
    /// PreemptionByScheduler: a preemption deleted it (the scheduler's
    /// `podTerminatingByPreemption`, which `PodEligibleToPreemptOthers` reads).
    Preempted,
}

/// Pods of one group at start, from a snapshot's Pods.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InitialPods {
    pub group: GroupId,
    /// `None` for pending pods.
    pub node: Option<NodeId>,
    pub phase: PodPhase,
    pub count: i64,
}

/// A snapshot's pods that no modelled controller owns (bare pods, pods of Jobs, DaemonSets,
/// StatefulSets ...), grouped by node, namespace and labels: load that stays where it is.
#[derive(Clone, Debug, Serialize)]
pub struct FixedPods {
    pub node: NodeId,
    pub namespace: String,
    pub labels: Vec<(String, String)>,
    /// Per pod.
    pub requests: Resources,
    pub count: i64,
    /// `Kind/name` of the first pod's owner, or `Pod/name` for a bare pod.
    pub owner: String,
    /// `spec.priority` (0 when absent): a pod of a lower priority than a preemptor's could be
    /// preempted, which a fixed pod never is (refused where it could be).
    pub priority: i64,
}

/// A policy/v1 PodDisruptionBudget: the pod groups its selector matches (pods of its own
/// namespace) and the budget the disruption controller derives from it.
#[derive(Clone, Debug, Serialize)]
pub struct Pdb {
    /// How kbmc shows it: `metadata.name`, or `namespace/name` when PDBs of that name exist in
    /// several namespaces.
    pub name: String,
    pub namespace: String,
    pub budget: PdbBudget,
    /// Per pod group: the selector matches the group's pods. A nil selector matches none, an
    /// empty one (`{}`) every pod of the namespace (policy/v1).
    pub selects: Vec<bool>,
    /// `unhealthyPodEvictionPolicy: AlwaysAllow` (absent or `IfHealthyBudget`: false).
    pub always_allow: bool,
}

/// `spec.minAvailable` or `spec.maxUnavailable` (the API server admits at most one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PdbBudget {
    MinAvailable(IntOrPercent),
    MaxUnavailable(IntOrPercent),
    /// Neither set: the disruption controller expects no pods and allows no disruption.
    Unset,
}

impl std::fmt::Display for PdbBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = |x: &IntOrPercent| match x {
            IntOrPercent::Int(i) => i.to_string(),
            IntOrPercent::Percent(p) => format!("{p}%"),
        };
        match self {
            PdbBudget::MinAvailable(x) => write!(f, "minAvailable {}", v(x)),
            PdbBudget::MaxUnavailable(x) => write!(f, "maxUnavailable {}", v(x)),
            PdbBudget::Unset => write!(f, "neither minAvailable nor maxUnavailable"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Bounds {
    pub steps: i64,
    pub max_nodes_per_pool: i64,
    pub max_pods_per_node: i64,
    /// Upper bound on pods of one Deployment that can exist at once (desired maximum plus
    /// rolling-update surge); every per-deployment counter is within 0..=this.
    pub max_pods_per_deployment: i64,
    /// Events in one run at most, all kinds together (`spec.bounds.events`, `--events`); `None`:
    /// each event's own budget alone.
    pub events: Option<i64>,
}

impl Pool {
    /// Node slots of the pool: its largest size (an autoscaled pool's `autoscaling.max`, per
    /// zone of a multi-zone group).
    pub fn slots(&self) -> i64 {
        Pool::slots_of(self.count.max, self.autoscaling, self.zones.as_ref())
    }

    /// Node slots of a pool of at most `count_max` nodes at start, autoscaled within
    /// `autoscaling` over `zones`.
    pub fn slots_of(count_max: i64, autoscaling: Option<Range>, zones: Option<&Zones>) -> i64 {
        let per_zone = zones.map_or(1, |z| z.names.len() as i64);
        autoscaling.map_or(count_max, |a| (a.max * per_zone).max(count_max))
    }

    /// The zone (index into `zones.names`) of the pool's slot `i`, for a multi-zone group.
    pub fn zone_of_slot(&self, i: usize) -> Option<usize> {
        self.zones.as_ref().map(|z| i % z.names.len())
    }
}

impl Model {
    /// The value of node slot `n`'s `topology.kubernetes.io/zone` label, if it has one.
    pub fn zone_label(&self, n: usize) -> Option<LabelValue> {
        self.labels.find_key("topology.kubernetes.io/zone").and_then(|k| self.nodes[n].label(k))
    }
    /// The zone (an index into its pool's `zones.names`) of node slot `n` in a multi-zone
    /// node group; none outside one.
    pub fn zone_of_node(&self, n: usize) -> Option<usize> {
        let node = &self.nodes[n];
        self.pools[node.pool.index()].zone_of_slot(node.index_in_pool as usize)
    }
    /// The PodDisruptionBudgets whose selector matches the pods of group `g`.
    pub fn pdbs_of_group(&self, g: usize) -> Vec<usize> {
        (0..self.pdbs.len()).filter(|&p| self.pdbs[p].selects[g]).collect()
    }
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }
    pub fn group(&self, id: GroupId) -> &PodGroup {
        &self.groups[id.index()]
    }
    pub fn deployment(&self, id: DeploymentId) -> &Deployment {
        &self.deployments[id.index()]
    }
    /// The namespace of group `g`'s pods (its owner's).
    pub fn group_namespace(&self, g: usize) -> &str {
        match self.groups[g].owner {
            Owner::Deployment(d) => &self.deployments[d.index()].namespace,
            Owner::DaemonSet(s) => &self.daemon_sets[s.index()].namespace,
        }
    }
    /// What reports call intent `i`: its name, with the Deployment it is about
    /// (`noEvictionCycle(web)`).
    pub fn intent_label(&self, i: &Intent) -> String {
        if let Some(d) = i.subject() {
            return format!("{}({})", i.name(), self.deployment(d).name);
        }
        match i {
            Intent::NodeCountWithin { pool, .. } | Intent::NoNodeChurn { pool: Some(pool) } => {
                format!("{}({})", i.name(), self.pools[pool.index()].name)
            }
            _ => i.name().to_string(),
        }
    }

    /// The Deployment reports call `name` (`web`, or `prod/web` where the name is shared).
    pub fn deployment_by_name(&self, name: &str) -> Option<DeploymentId> {
        self.deployments.iter().position(|d| d.name == name).map(|i| DeploymentId(i as u32))
    }
}
