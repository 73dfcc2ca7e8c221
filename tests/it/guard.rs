//! The "nothing accepted is silently ignored" guard: every field kbmc's manifest types accept
//! is either read by the IR builder, refused, or listed as unable to change the model, with
//! the reason, and each claim is checked. The types: kbmc's own serde structs (src/manifest:
//! KubeSchedulerConfiguration, DeschedulerPolicy and each plugin's args) and the Kubernetes
//! kinds it reads, k8s-openapi's types with every field of the API (`KINDS`: Deployment,
//! Node, HorizontalPodAutoscaler, ReplicaSet, Pod, PodDisruptionBudget, Namespace,
//! PriorityClass, StatefulSet, StorageClass, DaemonSet).
//!
//! - The accepted fields are derived from the types themselves: a tracing `Deserializer`
//!   answers each `deserialize_struct` with every name the type lists in its `FIELDS`
//!   (serde's derive and k8s-openapi's generated decoders both pass them; renames applied)
//!   and descends into each field's type, so a field added to a struct, or to the Kubernetes
//!   API in a new k8s-openapi, appears here without anyone listing it. It gives a resource
//!   its own apiVersion and kind, Time a timestamp, Quantity and IntOrString a string, and a
//!   map one entry (traced under `path{}`).
//! - `TABLE` (the policy structs) and `kube_rows` (the kinds) give each field path `Read`,
//!   `Refused` or `Inert(reason)`, with a YAML value to set it to in a base fixture that
//!   builds (`@other.path=value` sets a field read only alongside a sibling with it).
//!   `Read`: setting it changes what loading and building give (the IR, its warnings or its
//!   errors). `Refused`: setting it is an error (unmodelled, or what the API server rejects).
//!   `Inert`: setting it changes none of that. So a field that stops being read fails its
//!   `Read` row, one no longer refused its `Refused` row, and one listed as inert that starts
//!   to matter its `Inert` row.
//! - Every traced path needs a row (or an ancestor row marked as covering its subtree, used
//!   for a subtree read, refused or inert as a whole: a volume source, a probe, a security
//!   context, a status), and every row a traced path.
//! - Adding a kind is an entry in `KINDS` (its type, base document and fixture) and its rows;
//!   `kinds_loaded` fails to compile when loading keeps a kind that is not named there.
//! - Two base fixtures (`Fixture`), each checked to build: `Base`, every kind but the
//!   StatefulSet and the StorageClass, with both policies; `Stateful`, every kind and the
//!   KubeSchedulerConfiguration but no DeschedulerPolicy, which is refused beside a
//!   StatefulSet. A root's rows are checked on its kind's fixture (the policies' on `Base`).
//!
//! A snapshot's ReplicaSets and Pods (the initial state, docs/spec.md "Snapshots") are kinds
//! here too. A Pod is two roots, as kbmc reads it two ways: `Pod`, a running pod of the
//! Deployment's current ReplicaSet, whose fields kbmc takes from its template (one that
//! differs in what kbmc reads is refused), and `FixedPod`, a bare pod, fixed load on its
//! node. The base ReplicaSet is current by its revision annotation, as a dumped ReplicaSet
//! beside a Deployment written by hand is (its template holds what the API server defaults).
//!
//! A `Read` row checks that the field is used, not how: how is each model's own tests'. A
//! row whose field sits in a list element the base fixture lacks is set in an element of its
//! own, which may miss required siblings: such a `Read` row shows only that the field is
//! looked at.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::Path;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{Namespace, Node, Pod};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::api::storage::v1::StorageClass;

use kbmc::manifest::descheduler as ds;
use kbmc::manifest::scheduler_config as sc;
use kbmc::manifest::{load_text, Inputs, LoadOptions};

// ---- the tracer ------------------------------------------------------------------------------

/// A Deserializer that produces a value of any serde-derived struct while recording, for
/// every struct it meets, each field's path (`a.b[].c`: `[]` an element of a sequence).
struct Tracer<'a> {
    path: String,
    seen: &'a RefCell<BTreeSet<String>>,
    /// The (apiVersion, kind) of the Kubernetes resource this value is: the root's, or one
    /// nested in it (`NESTED`). k8s-openapi's decoders refuse any other value of a resource's
    /// `apiVersion` and `kind`.
    type_meta: Option<(&'static str, &'static str)>,
    /// The string to give here: a resource's own apiVersion or kind, else "".
    text: &'static str,
}

/// The resources k8s-openapi decodes inside another (by the name its decoder gives
/// `deserialize_struct`), with their type meta: a StatefulSet's volumeClaimTemplates. One
/// missing here fails the trace with k8s-openapi's own error.
const NESTED: [(&str, (&str, &str)); 1] = [("PersistentVolumeClaim", ("v1", "PersistentVolumeClaim"))];

#[derive(Debug)]
struct TraceError(String);
impl std::fmt::Display for TraceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for TraceError {}
impl de::Error for TraceError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        TraceError(msg.to_string())
    }
}

impl<'a> Tracer<'a> {
    fn child(&self, name: &str) -> Tracer<'a> {
        let path = if self.path.is_empty() { name.to_string() } else { format!("{}.{name}", self.path) };
        let text = match (self.type_meta, name) {
            (Some((api_version, _)), "apiVersion") => api_version,
            (Some((_, kind)), "kind") => kind,
            _ => "",
        };
        Tracer { path, seen: self.seen, type_meta: None, text }
    }

    /// A value below this one that is no struct field (a sequence's element, a map's value).
    fn inner(&self, path: String) -> Tracer<'a> {
        Tracer { path, seen: self.seen, type_meta: None, text: "" }
    }
}

impl<'de, 'a> Deserializer<'de> for Tracer<'a> {
    type Error = TraceError;
    /// Opaque values (serde_yaml::Value, serde_json::Value) and the types that take a number
    /// or a string (k8s-openapi's Quantity, IntOrString): the string "0".
    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_str("0")
    }
    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_bool(false)
    }
    fn deserialize_i8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_i64(0)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_i64(0)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_i64(0)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_i64(0)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_u64(0)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_u64(0)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_u64(0)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_u64(0)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_f64(0.0)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_f64(0.0)
    }
    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_char('x')
    }
    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_str(self.text)
    }
    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_str(self.text)
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_bytes(&[])
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_bytes(&[])
    }
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_some(self)
    }
    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_unit()
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, v: V) -> Result<V::Value, TraceError> {
        v.visit_unit()
    }
    /// k8s-openapi's Time and MicroTime parse an RFC 3339 timestamp inside their newtype.
    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, v: V) -> Result<V::Value, TraceError> {
        match name {
            "Time" | "MicroTime" => {
                v.visit_newtype_struct(de::value::StrDeserializer::<TraceError>::new("1970-01-01T00:00:00Z"))
            }
            _ => v.visit_newtype_struct(self),
        }
    }
    /// One element, traced under `path[]`.
    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        let path = format!("{}[]", self.path);
        v.visit_seq(One { item: Some(self.inner(path)) })
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, v: V) -> Result<V::Value, TraceError> {
        self.deserialize_seq(v)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        v: V,
    ) -> Result<V::Value, TraceError> {
        self.deserialize_seq(v)
    }
    /// One entry, its value traced under `path{}` (so a struct inside a map would show; the
    /// maps of the kinds here hold strings, numbers and quantities).
    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_map(Fields { fields: &["{}"], at: 0, parent: self, entry: true })
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, TraceError> {
        let nested = NESTED.iter().find(|(n, _)| *n == name).map(|(_, meta)| *meta);
        let this = Tracer { type_meta: self.type_meta.or(nested), ..self };
        for f in fields {
            this.seen.borrow_mut().insert(this.child(f).path);
        }
        v.visit_map(Fields { fields, at: 0, parent: this, entry: false })
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, TraceError> {
        Err(TraceError(format!("{}: enum {name}: the tracer does not descend into enums", self.path)))
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_str("")
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_unit()
    }
}

struct One<'a> {
    item: Option<Tracer<'a>>,
}

impl<'de, 'a> SeqAccess<'de> for One<'a> {
    type Error = TraceError;
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, TraceError> {
        self.item.take().map(|t| seed.deserialize(t)).transpose()
    }
}

/// A struct's fields as map entries: each name once, its value traced under the field's path.
/// Or, with `entry`, a map's one entry: the key "k", its value under `path{}`.
struct Fields<'a> {
    fields: &'static [&'static str],
    at: usize,
    parent: Tracer<'a>,
    entry: bool,
}

impl<'de, 'a> MapAccess<'de> for Fields<'a> {
    type Error = TraceError;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, TraceError> {
        let Some(name) = self.fields.get(self.at) else { return Ok(None) };
        let key = if self.entry { "k" } else { name };
        seed.deserialize(de::value::StrDeserializer::<TraceError>::new(key)).map(Some)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, TraceError> {
        let name = self.fields[self.at];
        self.at += 1;
        if self.entry {
            let path = format!("{}{name}", self.parent.path);
            return seed.deserialize(self.parent.inner(path));
        }
        seed.deserialize(self.parent.child(name))
    }
}

/// Every field path of `T` (and of the structs inside it).
fn fields_of<T: de::DeserializeOwned>() -> BTreeSet<String> {
    trace::<T>(None)
}

/// Every field path of a Kubernetes resource's type.
fn fields_of_resource<T: de::DeserializeOwned + k8s_openapi::Resource>() -> BTreeSet<String> {
    trace::<T>(Some((T::API_VERSION, T::KIND)))
}

fn trace<T: de::DeserializeOwned>(type_meta: Option<(&'static str, &'static str)>) -> BTreeSet<String> {
    let seen = RefCell::new(BTreeSet::new());
    T::deserialize(Tracer { path: String::new(), seen: &seen, type_meta, text: "" })
        .unwrap_or_else(|e| panic!("tracing: {e}"));
    seen.into_inner()
}

// ---- what the structs accept ---------------------------------------------------------------

/// The roots: each document kind and each plugin's args, with every path it accepts. The
/// plugin args come from `decode_args` of each plugin name; the `match`es are exhaustive, so
/// a new args type cannot be decoded without a root here.
fn accepted() -> Vec<(&'static str, BTreeSet<String>)> {
    let mut roots = vec![
        ("KubeSchedulerConfiguration", fields_of::<sc::KubeSchedulerConfiguration>()),
        ("DeschedulerPolicy", fields_of::<ds::DeschedulerPolicy>()),
        ("VerticalPodAutoscaler", fields_of::<kbmc::manifest::vpa::VerticalPodAutoscaler>()),
    ];
    roots.extend(KINDS.iter().map(|k| (k.root, (k.fields)())));
    let origin = kbmc::error::Origin::new(Path::new("guard.yaml"), 1);
    for name in SCHEDULER_PLUGINS {
        match sc::decode_args(&origin, "args", name, None).expect("empty args decode") {
            Some(sc::Args::NodeResourcesFit(_)) => {
                roots.push(("NodeResourcesFit", fields_of::<sc::NodeResourcesFitArgs>()))
            }
            Some(sc::Args::NodeResourcesBalancedAllocation(_)) => {
                roots.push(("NodeResourcesBalancedAllocation", fields_of::<sc::BalancedAllocationArgs>()))
            }
            Some(sc::Args::PodTopologySpread(_)) => {
                roots.push(("PodTopologySpread", fields_of::<sc::PodTopologySpreadArgs>()))
            }
            Some(sc::Args::NodeAffinity(_)) => roots.push(("NodeAffinity", fields_of::<sc::NodeAffinityArgs>())),
            Some(sc::Args::InterPodAffinity(_)) => {
                roots.push(("InterPodAffinity", fields_of::<sc::InterPodAffinityArgs>()))
            }
            None => panic!("{name}: its args are not decoded"),
        }
    }
    for name in DESCHEDULER_PLUGINS {
        match ds::decode_args(&origin, "args", name, None) {
            Ok(Some(ds::Args::DefaultEvictor(_))) => {
                roots.push(("DefaultEvictor", fields_of::<ds::DefaultEvictorArgs>()))
            }
            Ok(Some(ds::Args::RemoveDuplicates(_))) => {
                roots.push(("RemoveDuplicates", fields_of::<ds::RemoveDuplicatesArgs>()))
            }
            Ok(Some(ds::Args::RemovePodsViolatingTopologySpreadConstraint(_))) => {
                roots.push(("RemovePodsViolatingTopologySpreadConstraint", fields_of::<ds::TopologySpreadArgs>()))
            }
            Ok(Some(ds::Args::LowNodeUtilization(_))) => {
                roots.push(("LowNodeUtilization", fields_of::<ds::LowNodeUtilizationArgs>()))
            }
            Ok(Some(ds::Args::RemovePodsViolatingNodeTaints(_))) => {
                roots.push(("RemovePodsViolatingNodeTaints", fields_of::<ds::NodeTaintsArgs>()))
            }
            Ok(Some(ds::Args::RemovePodsViolatingNodeAffinity(_))) => {
                roots.push(("RemovePodsViolatingNodeAffinity", fields_of::<ds::NodeAffinityArgs>()))
            }
            Ok(Some(ds::Args::RemovePodsViolatingInterPodAntiAffinity(_))) => {
                roots.push(("RemovePodsViolatingInterPodAntiAffinity", fields_of::<ds::InterPodAntiAffinityArgs>()))
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    roots
}

/// The scheduler plugins whose args kbmc decodes, each one's index in the base fixture's
/// `pluginConfig`.
const SCHEDULER_PLUGINS: [&str; 5] =
    ["NodeResourcesFit", "NodeResourcesBalancedAllocation", "PodTopologySpread", "NodeAffinity", "InterPodAffinity"];
/// The descheduler plugins whose args kbmc decodes, likewise.
const DESCHEDULER_PLUGINS: [&str; 7] = [
    "DefaultEvictor",
    "RemoveDuplicates",
    "RemovePodsViolatingTopologySpreadConstraint",
    "LowNodeUtilization",
    "RemovePodsViolatingNodeTaints",
    "RemovePodsViolatingNodeAffinity",
    "RemovePodsViolatingInterPodAntiAffinity",
];

/// A Kubernetes kind kbmc reads (k8s-openapi's type): its root name in the table, its fields,
/// its document, and the fixture its rows are checked on. Adding a kind is an entry here and
/// its rows.
struct Kind {
    root: &'static str,
    fields: fn() -> BTreeSet<String>,
    doc: &'static str,
    fixture: Fixture,
}

/// The base fixtures a row is checked on. A StatefulSet beside a DeschedulerPolicy is refused
/// (the descheduler over a StatefulSet's pods is not modelled), so the StatefulSet's and the
/// StorageClass's rows are checked on a fixture of their own: every kind's document, the
/// KubeSchedulerConfiguration, and no DeschedulerPolicy.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Fixture {
    /// Every kind but the StatefulSet and the StorageClass, both policies.
    Base,
    /// Every kind, the KubeSchedulerConfiguration.
    Stateful,
    /// A VerticalPodAutoscaler on a Deployment of one container (the base Deployment's init
    /// container is refused under a VPA), on its own.
    Vpa,
}

/// A snapshot's Pod is two roots: a pod of a Deployment's ReplicaSet (`Pod`) and a pod no
/// modelled controller owns (`FixedPod`), which kbmc reads differently.
const KINDS: [Kind; 12] = [
    Kind { root: "Deployment", fields: fields_of_resource::<Deployment>, doc: DEPLOYMENT, fixture: Fixture::Base },
    Kind { root: "Node", fields: fields_of_resource::<Node>, doc: NODE, fixture: Fixture::Base },
    Kind {
        root: "HorizontalPodAutoscaler",
        fields: fields_of_resource::<HorizontalPodAutoscaler>,
        doc: HPA,
        fixture: Fixture::Base,
    },
    Kind { root: "ReplicaSet", fields: fields_of_resource::<ReplicaSet>, doc: REPLICA_SET, fixture: Fixture::Base },
    Kind { root: "Pod", fields: fields_of_resource::<Pod>, doc: POD, fixture: Fixture::Base },
    Kind { root: "FixedPod", fields: fields_of_resource::<Pod>, doc: FIXED_POD, fixture: Fixture::Base },
    Kind {
        root: "PodDisruptionBudget",
        fields: fields_of_resource::<PodDisruptionBudget>,
        doc: PDB,
        fixture: Fixture::Base,
    },
    Kind { root: "Namespace", fields: fields_of_resource::<Namespace>, doc: NAMESPACE, fixture: Fixture::Base },
    Kind {
        root: "PriorityClass",
        fields: fields_of_resource::<PriorityClass>,
        doc: PRIORITY_CLASS_DOC,
        fixture: Fixture::Base,
    },
    Kind {
        root: "StatefulSet",
        fields: fields_of_resource::<StatefulSet>,
        doc: STATEFUL_SET,
        fixture: Fixture::Stateful,
    },
    Kind {
        root: "StorageClass",
        fields: fields_of_resource::<StorageClass>,
        doc: STORAGE_CLASS,
        fixture: Fixture::Stateful,
    },
    Kind { root: "DaemonSet", fields: fields_of_resource::<DaemonSet>, doc: DAEMON_SET, fixture: Fixture::Base },
];

/// Every kind loading keeps is a root here: a new list in `Inputs` fails to compile until it
/// is named below, and a new kind needs an entry in `KINDS`.
#[allow(dead_code)]
fn kinds_loaded(inputs: Inputs) {
    let Inputs {
        deployments: _,          // KINDS: Deployment
        nodes: _,                // KINDS: Node
        hpas: _,                 // KINDS: HorizontalPodAutoscaler
        descheduler_policies: _, // root DeschedulerPolicy
        scheduler_configs: _,    // root KubeSchedulerConfiguration
        verifications: _,        // kbmc's own spec (src/spec), outside this guard
        applied: _,              // Deployments again, from applyDeployment events
        pods: _,                 // KINDS: Pod (of a Deployment's ReplicaSet) and FixedPod
        replica_sets: _,         // KINDS: ReplicaSet
        pdbs: _,                 // KINDS: PodDisruptionBudget
        namespaces: _,           // KINDS: Namespace
        priority_classes: _,     // KINDS: PriorityClass
        quotas: _,               // ResourceQuotas: only their namespace is read (refused or a note)
        statefulsets: _,         // KINDS: StatefulSet
        storage_classes: _,      // KINDS: StorageClass
        daemon_sets: _,          // KINDS: DaemonSet
        vpas: _,                 // root VerticalPodAutoscaler (kbmc's own struct, fixture Vpa)
        spec_inferred: _,        // whether the Verification was inferred, not a kind
        scenario: _,             // an inferred spec's failure scenario, not a kind
        warnings: _,
        files: _,
    } = inputs;
}

// ---- the base fixture ----------------------------------------------------------------------

/// A cluster that builds: 101 node slots from pools and one Node (so that
/// percentageOfNodesToScore matters), one Deployment with an HPA, a snapshot of its current
/// ReplicaSet with one running pod and a bare pod on the Node, a KubeSchedulerConfiguration
/// and a DeschedulerPolicy naming every plugin whose args kbmc decodes, in the orders above.
const VERIFICATION: &str = r#"apiVersion: kbmc.dev/v1alpha1
kind: Verification
spec:
  nodePools:
    - {name: a, count: 99, labels: {topology.kubernetes.io/zone: a}, capacity: {cpu: "8", memory: 8Gi}}
    - {name: b, count: 1, labels: {topology.kubernetes.io/zone: b}, capacity: {cpu: "8", memory: 8Gi}}
"#;

/// Written by hand: the revision annotation ties it to its dumped ReplicaSet, whose template
/// the API server defaulted. Its pods spread over nodes and count the bare pod labelled app=web.
const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: web, uid: d-1, annotations: {deployment.kubernetes.io/revision: "1"}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      initContainers: [{name: i, image: init:1}]
      containers: [{name: c, image: web:1, ports: [{containerPort: 80}], resources: {requests: {cpu: "1", memory: 1Gi}}}]
      topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}]
"#;

/// A DaemonSet with a small pod on every node.
const DAEMON_SET: &str = r#"apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      initContainers: [{name: i, image: init:1}]
      containers: [{name: c, image: agent:1, ports: [{containerPort: 80}], resources: {requests: {cpu: 100m, memory: 64Mi}}}]
      topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: agent}}}]
"#;

/// The Deployment's current ReplicaSet as `kubectl get rs -o yaml` gives it.
const REPLICA_SET: &str = r#"apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-h1
  uid: r-1
  labels: {app: web, pod-template-hash: h1}
  annotations: {deployment.kubernetes.io/revision: "1"}
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d-1, controller: true, blockOwnerDeletion: true}]
spec:
  replicas: 2
  selector: {matchLabels: {app: web, pod-template-hash: h1}}
  template:
    metadata: {labels: {app: web, pod-template-hash: h1}}
    spec:
      terminationGracePeriodSeconds: 30
      initContainers: [{name: i, image: init:1}]
      containers: [{name: c, image: web:1, ports: [{containerPort: 80}], resources: {requests: {cpu: "1", memory: 1Gi}}}]
      topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}]
"#;

/// A running pod of the ReplicaSet: its template after admission (DefaultTolerationSeconds'
/// tolerations, priority 0, the QoS class), with a container status that agrees with it.
const POD: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: web-h1-x
  uid: p-1
  labels: {app: web, pod-template-hash: h1}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-h1, uid: r-1, controller: true, blockOwnerDeletion: true}]
spec:
  nodeName: a-0
  priority: 0
  initContainers: [{name: i, image: init:1}]
  containers: [{name: c, image: web:1, ports: [{containerPort: 80}], resources: {requests: {cpu: "1", memory: 1Gi}}}]
  tolerations:
    - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 300}
    - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 300}
  topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}]
status:
  phase: Running
  qosClass: Burstable
  containerStatuses: [{name: c, ready: true, restartCount: 0, image: web:1, imageID: x, resources: {requests: {cpu: "1", memory: 1Gi}}}]
"#;

/// A bare pod on the Node: fixed load, counted by web's spread constraint. Its container
/// status reports no resources (as before in-place resizes).
const FIXED_POD: &str = r#"apiVersion: v1
kind: Pod
metadata: {name: debug, uid: p-2, labels: {app: web}}
spec:
  nodeName: n1
  priority: 0
  initContainers: [{name: i, image: init:1}]
  containers: [{name: c, image: debug:1, resources: {requests: {cpu: 100m, memory: 128Mi}}}]
status:
  phase: Running
  qosClass: Burstable
  containerStatuses: [{name: c, ready: true, restartCount: 0, image: debug:1, imageID: x}]
"#;

const NODE: &str = r#"apiVersion: v1
kind: Node
metadata: {name: n1, labels: {topology.kubernetes.io/zone: a}}
spec:
  taints: [{key: dedicated, value: x, effect: PreferNoSchedule}]
status:
  allocatable: {cpu: "8", memory: 8Gi, pods: "110"}
  capacity: {cpu: "8", memory: 8Gi, pods: "110"}
  conditions: [{type: Ready, status: "True"}]
"#;

const HPA: &str = r#"apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 4
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
"#;

/// A budget whose selector matches no pod of the fixture (web's pods and the bare pod share
/// their labels: a budget over both is refused).
const PDB: &str = r#"apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: api}}
"#;

/// The namespace of the fixture's objects, labelled.
const NAMESPACE: &str = r#"apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {team: a}}
"#;

/// A PriorityClass no pod of the fixture names.
const PRIORITY_CLASS_DOC: &str = r#"apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: batch}
value: 10
"#;

/// A StatefulSet of two pods shaped as the Deployment's template, in the Stateful fixture:
/// its claim `data` names the zonal StorageClass, `logs` takes the default one (the same),
/// so each ordinal has a group per volume zone (none yet, a, b).
const STATEFUL_SET: &str = r#"apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      initContainers: [{name: i, image: init:1}]
      containers: [{name: c, image: db:1, ports: [{containerPort: 80}], resources: {requests: {cpu: "1", memory: 1Gi}}}]
      topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: db}}}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {storageClassName: disk, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
    - metadata: {name: logs}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
"#;

/// A zonal disk bound where its pod is first scheduled, the default class.
const STORAGE_CLASS: &str = r#"apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: disk, annotations: {storageclass.kubernetes.io/is-default-class: "true"}}
provisioner: ebs.csi.aws.com
volumeBindingMode: WaitForFirstConsumer
"#;

const VPA_VERIFICATION: &str = r#"apiVersion: kbmc.dev/v1alpha1
kind: Verification
spec:
  nodePools: [{name: a, count: 2, capacity: {cpu: "8", memory: 8Gi}}]
"#;

/// A Deployment of one container, as a VPA is modelled on.
const VPA_DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: web:1, resources: {requests: {cpu: "1", memory: 1Gi}}}]
"#;

const VPA: &str = r#"apiVersion: autoscaling.k8s.io/v1
kind: VerticalPodAutoscaler
metadata: {name: web}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  updatePolicy: {updateMode: Recreate, minReplicas: 2}
  resourcePolicy:
    containerPolicies:
      - {containerName: "*", mode: Auto, minAllowed: {cpu: 100m}, maxAllowed: {cpu: "4"}, controlledResources: [cpu, memory], controlledValues: RequestsAndLimits}
"#;

/// A base fixture's documents.
fn base(fixture: Fixture) -> Vec<String> {
    if fixture == Fixture::Vpa {
        return vec![VPA_VERIFICATION.to_string(), VPA_DEPLOYMENT.to_string(), VPA.to_string()];
    }
    let mut docs = vec![VERIFICATION.to_string()];
    let kinds = KINDS.iter().filter(|k| fixture == Fixture::Stateful || k.fixture == Fixture::Base);
    docs.extend(kinds.map(|k| k.doc.to_string()));
    docs.push(SCHEDULER.to_string());
    if fixture == Fixture::Base {
        docs.push(DESCHEDULER.to_string());
    }
    docs
}

const SCHEDULER: &str = r#"apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - schedulerName: default-scheduler
    plugins:
      score:
        enabled: [{name: NodeResourcesFit, weight: 2}]
        disabled: [{name: ImageLocality}]
      filter:
        enabled: [{name: NodeAffinity}]
        disabled: [{name: NodeResourcesBalancedAllocation}]
    pluginConfig:
      - name: NodeResourcesFit
        args: {scoringStrategy: {type: LeastAllocated, resources: [{name: cpu, weight: 2}, {name: memory, weight: 1}]}}
      - name: NodeResourcesBalancedAllocation
        args: {resources: [{name: cpu, weight: 1}, {name: memory, weight: 1}]}
      - name: PodTopologySpread
        args: {defaultingType: System}
      - name: NodeAffinity
        args: {addedAffinity: {}}
      - name: InterPodAffinity
        args: {}
"#;

const DESCHEDULER: &str = r#"apiVersion: descheduler/v1alpha2
kind: DeschedulerPolicy
profiles:
  - name: p
    pluginConfig:
      - name: DefaultEvictor
        args: {nodeFit: false}
      - name: RemoveDuplicates
        args: {}
      - name: RemovePodsViolatingTopologySpreadConstraint
        args: {constraints: [DoNotSchedule]}
      - name: LowNodeUtilization
        args: {thresholds: {cpu: 20}, targetThresholds: {cpu: 50}}
      - name: RemovePodsViolatingNodeTaints
        args: {}
      - name: RemovePodsViolatingNodeAffinity
        args: {nodeAffinityType: [requiredDuringSchedulingIgnoredDuringExecution]}
      - name: RemovePodsViolatingInterPodAntiAffinity
        args: {}
    plugins:
      deschedule: {enabled: [RemovePodsViolatingNodeTaints, RemovePodsViolatingNodeAffinity, RemovePodsViolatingInterPodAntiAffinity]}
      balance: {enabled: [RemoveDuplicates, RemovePodsViolatingTopologySpreadConstraint, LowNodeUtilization]}
"#;

/// Where a root's paths start: (the fixture its rows are checked on, its document there, YAML
/// path prefix).
fn anchor(root: &str) -> (Fixture, &'static str, String) {
    if let Some(k) = KINDS.iter().find(|k| k.root == root) {
        return (k.fixture, k.doc, String::new());
    }
    if root == "KubeSchedulerConfiguration" {
        return (Fixture::Base, SCHEDULER, String::new());
    }
    if root == "DeschedulerPolicy" {
        return (Fixture::Base, DESCHEDULER, String::new());
    }
    if root == "VerticalPodAutoscaler" {
        return (Fixture::Vpa, VPA, String::new());
    }
    if let Some(i) = SCHEDULER_PLUGINS.iter().position(|p| *p == root) {
        return (Fixture::Base, SCHEDULER, format!("profiles[].pluginConfig[{i}].args"));
    }
    let i = DESCHEDULER_PLUGINS.iter().position(|p| *p == root).expect("a root");
    (Fixture::Base, DESCHEDULER, format!("profiles[].pluginConfig[{i}].args"))
}

/// What loading and building the fixture give: the IR (as JSON) and its warnings, or the
/// errors.
fn outcome(docs: &[String]) -> Result<String, String> {
    let yaml = docs.join("---\n");
    let (mut inputs, mut errors) = (Inputs::default(), Vec::new());
    load_text(Path::new("guard.yaml"), &yaml, LoadOptions::default(), &mut inputs, &mut errors);
    if !errors.is_empty() {
        return Err(errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"));
    }
    match kbmc::ir::build(&inputs, kbmc::ir::BuildOptions::default()) {
        Ok((ir, warnings)) => Ok(format!("{}\n{warnings:?}", serde_json::to_string(&ir).expect("the IR serializes"))),
        Err(e) => Err(e.to_string()),
    }
}

/// `doc` with the value at `path` (`a.b[]` walks the first element, `a[2]` the third; missing
/// mappings are made) set to `value` (YAML).
fn set(doc: &str, path: &str, value: &str) -> String {
    let mut root: serde_yaml::Value = serde_yaml::from_str(doc).expect("fixture YAML");
    let value: serde_yaml::Value = serde_yaml::from_str(value).unwrap_or_else(|e| panic!("{value}: {e}"));
    let mut at = &mut root;
    for seg in path.split('.') {
        let (key, index) = match seg.split_once('[') {
            Some((k, rest)) => (k, Some(rest.trim_end_matches(']').parse::<usize>().unwrap_or(0))),
            None => (seg, None),
        };
        if at.is_null() {
            *at = serde_yaml::Value::Mapping(Default::default());
        }
        let map = at.as_mapping_mut().unwrap_or_else(|| panic!("{path}: {seg} is below no mapping"));
        at = map.entry(serde_yaml::Value::String(key.into())).or_insert(serde_yaml::Value::Null);
        if let Some(i) = index {
            if at.is_null() {
                *at = serde_yaml::Value::Sequence(Vec::new());
            }
            let seq = at.as_sequence_mut().unwrap_or_else(|| panic!("{path}: {seg} is no sequence"));
            while seq.len() <= i {
                seq.push(serde_yaml::Value::Null);
            }
            at = &mut seq[i];
        }
    }
    *at = value;
    serde_yaml::to_string(&root).expect("YAML")
}

// ---- the table -----------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Use {
    /// The builder reads it: the value given changes the outcome.
    Read,
    /// It cannot change the model, for the reason given: the value given changes nothing.
    Inert(&'static str),
    /// It would change the model and is not modelled: the value given is an error.
    Refused,
}
use Use::{Inert, Read, Refused};

/// (root, field path, use, whether the row also covers the field's subtree, YAML value to
/// set). A subtree row is only for a subtree read or refused as a whole.
type Row = (&'static str, &'static str, Use, bool, &'static str);

const OPERATIONAL: &str = "operational: how kube-scheduler runs, not where it places a pod";
const TIMING: &str =
    "retry timing of unschedulable pods, which kbmc abstracts (a pod is retried whenever a node becomes feasible)";
const TYPE_META: &str = "the args' type meta; kbmc decodes args by their plugin's name";

const TABLE: &[Row] = &[
    // KubeSchedulerConfiguration
    ("KubeSchedulerConfiguration", "apiVersion", Read, false, "kubescheduler.config.k8s.io/v1beta3"),
    ("KubeSchedulerConfiguration", "kind", Read, false, "KubeProxyConfiguration"),
    ("KubeSchedulerConfiguration", "parallelism", Inert(OPERATIONAL), false, "32"),
    ("KubeSchedulerConfiguration", "leaderElection", Inert(OPERATIONAL), false, "{leaderElect: true}"),
    ("KubeSchedulerConfiguration", "clientConnection", Inert(OPERATIONAL), false, "{qps: 100}"),
    ("KubeSchedulerConfiguration", "healthBindAddress", Inert(OPERATIONAL), false, "0.0.0.0:10251"),
    ("KubeSchedulerConfiguration", "metricsBindAddress", Inert(OPERATIONAL), false, "0.0.0.0:10251"),
    ("KubeSchedulerConfiguration", "enableProfiling", Inert(OPERATIONAL), false, "true"),
    ("KubeSchedulerConfiguration", "enableContentionProfiling", Inert(OPERATIONAL), false, "true"),
    ("KubeSchedulerConfiguration", "podInitialBackoffSeconds", Inert(TIMING), false, "5"),
    ("KubeSchedulerConfiguration", "podMaxBackoffSeconds", Inert(TIMING), false, "60"),
    ("KubeSchedulerConfiguration", "delayCacheUntilActive", Inert(OPERATIONAL), false, "true"),
    ("KubeSchedulerConfiguration", "percentageOfNodesToScore", Read, false, "50"),
    ("KubeSchedulerConfiguration", "extenders", Read, false, "[{urlPrefix: http://x}]"),
    ("KubeSchedulerConfiguration", "profiles", Read, false, "[]"),
    ("KubeSchedulerConfiguration", "profiles[].schedulerName", Read, false, "other-scheduler"),
    ("KubeSchedulerConfiguration", "profiles[].percentageOfNodesToScore", Read, false, "50"),
    ("KubeSchedulerConfiguration", "profiles[].plugins", Read, false, "{}"),
    ("KubeSchedulerConfiguration", "profiles[].plugins.score", Read, false, "{}"),
    ("KubeSchedulerConfiguration", "profiles[].plugins.score.enabled", Read, false, "[]"),
    ("KubeSchedulerConfiguration", "profiles[].plugins.score.enabled[].name", Read, false, "TaintToleration"),
    ("KubeSchedulerConfiguration", "profiles[].plugins.score.enabled[].weight", Read, false, "5"),
    ("KubeSchedulerConfiguration", "profiles[].plugins.score.disabled", Read, false, "[{name: NodeAffinity}]"),
    ("KubeSchedulerConfiguration", "profiles[].plugins.score.disabled[].name", Read, false, "TaintToleration"),
    (
        "KubeSchedulerConfiguration",
        "profiles[].plugins.score.disabled[].weight",
        Inert("a disabled plugin has no weight to apply"),
        false,
        "7",
    ),
    ("KubeSchedulerConfiguration", "profiles[].plugins.filter", Read, false, "{disabled: [{name: TaintToleration}]}"),
    ("KubeSchedulerConfiguration", "profiles[].plugins.filter.enabled", Read, false, "[{name: NodePorts}]"),
    ("KubeSchedulerConfiguration", "profiles[].plugins.filter.enabled[].name", Read, false, "NodePorts"),
    (
        "KubeSchedulerConfiguration",
        "profiles[].plugins.filter.enabled[].weight",
        Inert("weights apply to score plugins only"),
        false,
        "7",
    ),
    ("KubeSchedulerConfiguration", "profiles[].plugins.filter.disabled", Read, false, "[]"),
    ("KubeSchedulerConfiguration", "profiles[].plugins.filter.disabled[].name", Read, false, "TaintToleration"),
    (
        "KubeSchedulerConfiguration",
        "profiles[].plugins.filter.disabled[].weight",
        Inert("weights apply to score plugins only"),
        false,
        "7",
    ),
    ("KubeSchedulerConfiguration", "profiles[].plugins.preEnqueue", Read, true, "{enabled: [{name: X}]}"),
    ("KubeSchedulerConfiguration", "profiles[].plugins.queueSort", Read, true, "{enabled: [{name: X}]}"),
    ("KubeSchedulerConfiguration", "profiles[].plugins.preFilter", Read, true, "{disabled: [{name: X}]}"),
    ("KubeSchedulerConfiguration", "profiles[].plugins.postFilter", Read, true, "{disabled: [{name: X}]}"),
    ("KubeSchedulerConfiguration", "profiles[].plugins.preScore", Read, true, "{disabled: [{name: X}]}"),
    ("KubeSchedulerConfiguration", "profiles[].plugins.reserve", Read, true, "{enabled: [{name: X}]}"),
    ("KubeSchedulerConfiguration", "profiles[].plugins.permit", Read, true, "{enabled: [{name: X}]}"),
    ("KubeSchedulerConfiguration", "profiles[].plugins.preBind", Read, true, "{enabled: [{name: X}]}"),
    ("KubeSchedulerConfiguration", "profiles[].plugins.bind", Read, true, "{enabled: [{name: X}]}"),
    ("KubeSchedulerConfiguration", "profiles[].plugins.postBind", Read, true, "{enabled: [{name: X}]}"),
    ("KubeSchedulerConfiguration", "profiles[].plugins.multiPoint", Read, true, "{disabled: [{name: X}]}"),
    ("KubeSchedulerConfiguration", "profiles[].pluginConfig", Read, false, "[]"),
    ("KubeSchedulerConfiguration", "profiles[].pluginConfig[].name", Read, false, "NodeResourcesBalancedAllocation"),
    // The args' fields are rows of their own roots.
    ("KubeSchedulerConfiguration", "profiles[].pluginConfig[].args", Read, false, "{scoringStrategy: {type: MostAllocated}}"),
    // NodeResourcesFit
    ("NodeResourcesFit", "apiVersion", Inert(TYPE_META), false, "kubescheduler.config.k8s.io/v1"),
    ("NodeResourcesFit", "kind", Inert(TYPE_META), false, "NodeResourcesFitArgs"),
    (
        "NodeResourcesFit",
        "ignoredResources",
        Inert("it exempts extended resources from the Fit filter, and kbmc models cpu and memory only"),
        false,
        "[example.com/gpu]",
    ),
    (
        "NodeResourcesFit",
        "ignoredResourceGroups",
        Inert("it exempts extended resources from the Fit filter, and kbmc models cpu and memory only"),
        false,
        "[example.com]",
    ),
    ("NodeResourcesFit", "scoringStrategy", Read, false, "{type: MostAllocated}"),
    ("NodeResourcesFit", "scoringStrategy.type", Read, false, "MostAllocated"),
    ("NodeResourcesFit", "scoringStrategy.resources", Read, false, "[{name: memory}]"),
    ("NodeResourcesFit", "scoringStrategy.resources[].name", Read, false, "memory"),
    ("NodeResourcesFit", "scoringStrategy.resources[].weight", Read, false, "5"),
    (
        "NodeResourcesFit",
        "scoringStrategy.requestedToCapacityRatio",
        Inert("read only with type RequestedToCapacityRatio, which is refused as unmodelled"),
        false,
        "{shape: [{utilization: 0, score: 10}]}",
    ),
    // NodeResourcesBalancedAllocation
    ("NodeResourcesBalancedAllocation", "apiVersion", Inert(TYPE_META), false, "kubescheduler.config.k8s.io/v1"),
    ("NodeResourcesBalancedAllocation", "kind", Inert(TYPE_META), false, "NodeResourcesBalancedAllocationArgs"),
    ("NodeResourcesBalancedAllocation", "resources", Read, false, "[{name: cpu}]"),
    ("NodeResourcesBalancedAllocation", "resources[].name", Read, false, "example.com/gpu"),
    ("NodeResourcesBalancedAllocation", "resources[].weight", Read, false, "2"),
    // PodTopologySpread
    ("PodTopologySpread", "apiVersion", Inert(TYPE_META), false, "kubescheduler.config.k8s.io/v1"),
    ("PodTopologySpread", "kind", Inert(TYPE_META), false, "PodTopologySpreadArgs"),
    ("PodTopologySpread", "defaultConstraints", Read, false, "[]"),
    ("PodTopologySpread", "defaultingType", Read, false, "List"),
    // NodeAffinity
    ("NodeAffinity", "apiVersion", Inert(TYPE_META), false, "kubescheduler.config.k8s.io/v1"),
    ("NodeAffinity", "kind", Inert(TYPE_META), false, "NodeAffinityArgs"),
    (
        "NodeAffinity",
        "addedAffinity",
        Read,
        false,
        "{requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [b]}]}]}}",
    ),
    (
        "NodeAffinity",
        "addedAffinity.requiredDuringSchedulingIgnoredDuringExecution",
        Read,
        true,
        "{nodeSelectorTerms: [{matchFields: [{key: metadata.name, operator: In, values: [b-0]}]}]}",
    ),
    (
        "NodeAffinity",
        "addedAffinity.preferredDuringSchedulingIgnoredDuringExecution",
        Read,
        true,
        "[{weight: 3, preference: {matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [b]}]}}]",
    ),
    // InterPodAffinity
    ("InterPodAffinity", "apiVersion", Inert(TYPE_META), false, "kubescheduler.config.k8s.io/v1"),
    ("InterPodAffinity", "kind", Inert(TYPE_META), false, "InterPodAffinityArgs"),
    ("InterPodAffinity", "hardPodAffinityWeight", Read, false, "5"),
    ("InterPodAffinity", "ignorePreferredTermsOfExistingPods", Read, false, "true"),
    // DeschedulerPolicy
    ("DeschedulerPolicy", "apiVersion", Read, false, "descheduler/v1alpha1"),
    ("DeschedulerPolicy", "kind", Read, false, "Policy"),
    ("DeschedulerPolicy", "metadata", Inert("an object's name and labels; the descheduler reads none"), false, "{name: x}"),
    ("DeschedulerPolicy", "nodeSelector", Read, false, "zone=a"),
    ("DeschedulerPolicy", "maxNoOfPodsToEvictPerNode", Read, false, "1"),
    ("DeschedulerPolicy", "maxNoOfPodsToEvictPerNamespace", Read, false, "1"),
    ("DeschedulerPolicy", "maxNoOfPodsToEvictTotal", Read, false, "1"),
    (
        "DeschedulerPolicy",
        "evictionFailureEventNotification",
        Inert("it only emits Events about failed evictions"),
        false,
        "true",
    ),
    (
        "DeschedulerPolicy",
        "gracePeriodSeconds",
        Inert("how long an evicted pod takes to terminate: timing, which kbmc abstracts"),
        false,
        "30",
    ),
    ("DeschedulerPolicy", "metricsCollector", Read, false, "{enabled: true}"),
    ("DeschedulerPolicy", "metricsProviders", Read, false, "[{source: KubernetesMetrics}]"),
    ("DeschedulerPolicy", "profiles", Read, false, "[]"),
    ("DeschedulerPolicy", "profiles[].name", Read, false, "other"),
    ("DeschedulerPolicy", "profiles[].pluginConfig", Read, false, "[]"),
    ("DeschedulerPolicy", "profiles[].pluginConfig[].name", Read, false, "RemoveDuplicates"),
    // The args' fields are rows of their own roots.
    ("DeschedulerPolicy", "profiles[].pluginConfig[].args", Read, false, "{nodeFit: true}"),
    ("DeschedulerPolicy", "profiles[].plugins", Read, false, "{}"),
    ("DeschedulerPolicy", "profiles[].plugins.deschedule", Read, false, "{}"),
    ("DeschedulerPolicy", "profiles[].plugins.deschedule.enabled", Read, false, "[]"),
    (
        "DeschedulerPolicy",
        "profiles[].plugins.deschedule.disabled",
        Inert(DISABLED),
        false,
        "[RemovePodsViolatingNodeTaints]",
    ),
    ("DeschedulerPolicy", "profiles[].plugins.balance", Read, false, "{}"),
    ("DeschedulerPolicy", "profiles[].plugins.balance.enabled", Read, false, "[]"),
    ("DeschedulerPolicy", "profiles[].plugins.balance.disabled", Inert(DISABLED), false, "[LowNodeUtilization]"),
    ("DeschedulerPolicy", "profiles[].plugins.filter", Read, false, "{enabled: [Foo]}"),
    ("DeschedulerPolicy", "profiles[].plugins.filter.enabled", Read, false, "[Foo]"),
    ("DeschedulerPolicy", "profiles[].plugins.filter.disabled", Inert(DISABLED), false, "[DefaultEvictor]"),
    ("DeschedulerPolicy", "profiles[].plugins.preevictionfilter", Read, false, "{enabled: [Foo]}"),
    ("DeschedulerPolicy", "profiles[].plugins.preevictionfilter.enabled", Read, false, "[Foo]"),
    ("DeschedulerPolicy", "profiles[].plugins.preevictionfilter.disabled", Inert(DISABLED), false, "[DefaultEvictor]"),
    ("DeschedulerPolicy", "profiles[].plugins.presort", Inert(UNUSED_POINT), true, "{enabled: [Foo], disabled: [Bar]}"),
    ("DeschedulerPolicy", "profiles[].plugins.sort", Inert(UNUSED_POINT), true, "{enabled: [Foo], disabled: [Bar]}"),
    // DefaultEvictor
    ("DefaultEvictor", "nodeSelector", Read, false, "zone=a"),
    ("DefaultEvictor", "evictLocalStoragePods", Read, false, "true"),
    ("DefaultEvictor", "evictDaemonSetPods", Refused, false, "true"),
    ("DefaultEvictor", "evictSystemCriticalPods", Read, false, "true"),
    ("DefaultEvictor", "ignorePvcPods", Read, false, "true"),
    ("DefaultEvictor", "evictFailedBarePods", Inert("kbmc models no bare pods and no Failed phase"), false, "true"),
    ("DefaultEvictor", "labelSelector", Read, false, "{matchLabels: {app: web}}"),
    ("DefaultEvictor", "namespaceLabelSelector", Read, false, "{matchLabels: {team: a}}"),
    ("DefaultEvictor", "priorityThreshold", Read, false, "{value: 100}"),
    ("DefaultEvictor", "nodeFit", Read, false, "true"),
    ("DefaultEvictor", "minReplicas", Read, false, "3"),
    ("DefaultEvictor", "minPodAge", Read, false, "5m"),
    ("DefaultEvictor", "ignorePodsWithoutPDB", Read, false, "true"),
    ("DefaultEvictor", "noEvictionPolicy", Read, false, "Mandatory"),
    ("DefaultEvictor", "podProtections", Read, false, "{extraEnabled: [PodsWithPVC]}"),
    // RemoveDuplicates
    ("RemoveDuplicates", "namespaces", Read, false, "{exclude: [kube-system]}"),
    ("RemoveDuplicates", "namespaces.include", Read, false, "[default]"),
    ("RemoveDuplicates", "namespaces.exclude", Read, false, "[kube-system]"),
    ("RemoveDuplicates", "excludeOwnerKinds", Read, false, "[ReplicaSet]"),
    // RemovePodsViolatingTopologySpreadConstraint
    ("RemovePodsViolatingTopologySpreadConstraint", "namespaces", Read, false, "{exclude: [kube-system]}"),
    ("RemovePodsViolatingTopologySpreadConstraint", "namespaces.include", Read, false, "[default]"),
    ("RemovePodsViolatingTopologySpreadConstraint", "namespaces.exclude", Read, false, "[kube-system]"),
    ("RemovePodsViolatingTopologySpreadConstraint", "labelSelector", Read, false, "{matchLabels: {app: web}}"),
    ("RemovePodsViolatingTopologySpreadConstraint", "constraints", Read, false, "[ScheduleAnyway]"),
    ("RemovePodsViolatingTopologySpreadConstraint", "topologyBalanceNodeFit", Read, false, "false"),
    // LowNodeUtilization
    ("LowNodeUtilization", "useDeviationThresholds", Read, false, "true"),
    ("LowNodeUtilization", "thresholds", Read, false, "{cpu: 10}"),
    ("LowNodeUtilization", "targetThresholds", Read, false, "{cpu: 60}"),
    ("LowNodeUtilization", "numberOfNodes", Read, false, "3"),
    ("LowNodeUtilization", "evictableNamespaces", Read, false, "{exclude: [kube-system]}"),
    ("LowNodeUtilization", "evictableNamespaces.include", Refused, false, "[default]"),
    ("LowNodeUtilization", "evictableNamespaces.exclude", Read, false, "[kube-system]"),
    ("LowNodeUtilization", "metricsUtilization", Read, false, "{metricsServer: true}"),
    ("LowNodeUtilization", "evictionLimits", Read, false, "{}"),
    ("LowNodeUtilization", "evictionLimits.node", Read, false, "2"),
    // RemovePodsViolatingNodeTaints
    ("RemovePodsViolatingNodeTaints", "namespaces", Read, false, "{exclude: [kube-system]}"),
    ("RemovePodsViolatingNodeTaints", "namespaces.include", Read, false, "[default]"),
    ("RemovePodsViolatingNodeTaints", "namespaces.exclude", Read, false, "[kube-system]"),
    ("RemovePodsViolatingNodeTaints", "labelSelector", Read, false, "{matchLabels: {app: web}}"),
    ("RemovePodsViolatingNodeTaints", "includePreferNoSchedule", Read, false, "true"),
    ("RemovePodsViolatingNodeTaints", "excludedTaints", Read, false, "[dedicated]"),
    ("RemovePodsViolatingNodeTaints", "includedTaints", Read, false, "[dedicated]"),
    // RemovePodsViolatingNodeAffinity
    ("RemovePodsViolatingNodeAffinity", "namespaces", Read, false, "{exclude: [kube-system]}"),
    ("RemovePodsViolatingNodeAffinity", "namespaces.include", Read, false, "[default]"),
    ("RemovePodsViolatingNodeAffinity", "namespaces.exclude", Read, false, "[kube-system]"),
    ("RemovePodsViolatingNodeAffinity", "labelSelector", Read, false, "{matchLabels: {app: web}}"),
    (
        "RemovePodsViolatingNodeAffinity",
        "nodeAffinityType",
        Read,
        false,
        "[preferredDuringSchedulingIgnoredDuringExecution]",
    ),
    // RemovePodsViolatingInterPodAntiAffinity
    ("RemovePodsViolatingInterPodAntiAffinity", "namespaces", Read, false, "{exclude: [kube-system]}"),
    ("RemovePodsViolatingInterPodAntiAffinity", "namespaces.include", Read, false, "[default]"),
    ("RemovePodsViolatingInterPodAntiAffinity", "namespaces.exclude", Read, false, "[kube-system]"),
    ("RemovePodsViolatingInterPodAntiAffinity", "labelSelector", Read, false, "{matchLabels: {app: web}}"),
];

const DISABLED: &str =
    "the descheduler builds each extension point from `enabled` alone and never reads `disabled` (pkg/framework/profile/profile.go, NewProfile)";
const UNUSED_POINT: &str =
    "the descheduler's profiles run no presort or sort plugins (pkg/framework/profile/profile.go builds deschedule, balance, filter and preEvictionFilter only)";

/// Every row: the policy structs' table and the Kubernetes kinds'.
static ROWS: std::sync::LazyLock<Vec<Row>> =
    std::sync::LazyLock::new(|| TABLE.iter().copied().chain(kube_rows()).chain(vpa_rows()).collect());

/// The row covering `path` of `root`: its own, or a subtree row above it.
fn row_for(root: &str, path: &str) -> Option<&'static Row> {
    ROWS.iter().find(|r| r.0 == root && r.1 == path).or_else(|| {
        ROWS.iter().find(|r| {
            r.0 == root && r.3 && (path.starts_with(&format!("{}.", r.1)) || path.starts_with(&format!("{}[]", r.1)))
        })
    })
}

/// Every path the structs accept has a row, and every row names an accepted path.
#[test]
fn every_accepted_field_is_read_or_inert_with_a_reason() {
    let roots = accepted();
    let mut missing = Vec::new();
    for (root, paths) in &roots {
        for p in paths {
            if row_for(root, p).is_none() {
                missing.push(format!("{root}: {p}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "fields the manifest structs accept that the table neither marks read nor inert (with a reason):\n{}",
        missing.join("\n")
    );
    let stale: Vec<String> = ROWS
        .iter()
        .filter(|r| !roots.iter().any(|(root, paths)| *root == r.0 && paths.contains(r.1)))
        .map(|r| format!("{}: {}", r.0, r.1))
        .collect();
    assert!(stale.is_empty(), "rows naming no accepted field:\n{}", stale.join("\n"));
}

/// Each row's claim holds on its base fixture: setting a `Read` field changes what loading
/// and building give, setting an `Inert` one changes nothing.
#[test]
fn read_fields_change_the_model_and_inert_ones_do_not() {
    let fixtures = [Fixture::Base, Fixture::Stateful, Fixture::Vpa].map(|f| {
        let docs = base(f);
        let before = outcome(&docs);
        assert!(before.is_ok(), "the {f:?} fixture builds: {before:?}");
        (f, docs, before)
    });
    let mut wrong = Vec::new();
    for (root, path, used, _, value) in ROWS.iter() {
        let (fixture, doc, prefix) = anchor(root);
        let (_, base, before) = fixtures.iter().find(|(f, ..)| *f == fixture).expect("a fixture");
        let within = |p: &str| if prefix.is_empty() { p.to_string() } else { format!("{prefix}.{p}") };
        let i = base.iter().position(|d| d == doc).expect("the root's document");
        let with = |at: &str, value: &str| {
            let mut docs = base.clone();
            docs[i] = set(doc, &within(at), value);
            outcome(&docs)
        };
        // `@parent=value`: a field read only alongside a sibling is set with it, in its parent
        // `value`, and compared with that parent without it.
        let (before, after) = match value.strip_prefix('@').and_then(|v| v.split_once('=')) {
            Some((at, v)) => {
                let key = path.rsplit('.').next().expect("a field");
                let mut without: serde_yaml::Value = serde_yaml::from_str(v).expect("row YAML");
                without.as_mapping_mut().expect("a mapping").remove(key).expect("the row's field in its parent");
                (with(at, &serde_yaml::to_string(&without).expect("YAML")), with(at, v))
            }
            None => (before.clone(), with(path, value)),
        };
        match used {
            Read if after == before => {
                wrong.push(format!("{root}: {path} = {value}: marked read, but the model is the same"))
            }
            Refused if after.is_ok() => {
                wrong.push(format!("{root}: {path} = {value}: marked refused, but it loads and builds"))
            }
            Inert(why) if after != before => wrong.push(format!(
                "{root}: {path} = {value}: marked inert ({why}), but it changes the outcome: {}",
                after.err().unwrap_or_else(|| "the IR differs".into())
            )),
            _ => {}
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The tracer finds what the derive lists: renamed fields, nested structs, elements of
/// sequences and options, and a foreign type's fields (k8s-openapi's NodeAffinity); and
/// through k8s-openapi's generated decoders, past their Time, Quantity and IntOrString.
#[test]
fn the_tracer_sees_every_field() {
    let fields = fields_of_resource::<Deployment>();
    for f in [
        "apiVersion",
        "metadata.creationTimestamp",
        "spec.strategy.rollingUpdate.maxSurge",
        "spec.template.spec.containers[].resources.limits",
        "spec.template.spec.volumes[].csi.volumeAttributes",
        "status.conditions[].lastUpdateTime",
    ] {
        assert!(fields.contains(f), "{f}: {fields:?}");
    }
    assert!(!fields.iter().any(|f| f.contains("{}")), "no map here holds a struct");
    let fields = fields_of::<ds::DefaultEvictorArgs>();
    assert!(fields.contains("ignorePodsWithoutPDB") && fields.contains("evictLocalStoragePods"));
    let fields = fields_of::<sc::KubeSchedulerConfiguration>();
    assert!(fields.contains("profiles[].plugins.score.enabled[].weight"), "{fields:?}");
    let fields = fields_of::<sc::NodeAffinityArgs>();
    assert!(
        fields.contains(
            "addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[].matchExpressions[].values"
        ),
        "{fields:?}"
    );
}

// ---- the Kubernetes kinds' rows ------------------------------------------------------------

const STATUS: &str = "status is what the controllers observe and write back; kbmc starts each run from the spec and the Verification's placement";
const BOOKKEEPING: &str =
    "object bookkeeping (identity, versions, field managers, owners, timestamps); no modelled controller decides on it";
const FINALIZERS: &str = "finalizers only hold an object's deletion, and kbmc models no deletion of one";
const OWN_LABELS: &str = "an object's own labels and annotations; the modelled controllers select and read the pods', and the nodes' labels only";
const TEMPLATE_META: &str = "the ReplicaSet controller copies only a template's labels, annotations and finalizers to its pods (controller_utils GetPodFromTemplate)";
const RUNTIME: &str = "what runs inside the pod (process, environment, identity, network setup, security); kbmc models a pod by its requests and placement, starts and stops it at once, and counts it ready while it runs";
const PROBES: &str = "probes decide at run time when a container is ready or restarted; kbmc counts a running pod ready and abstracts restarts";
const IMAGE: &str = "what runs inside the container; kbmc scores as if every node held the same images (assumption image-locality, reported)";
const RESIZE: &str =
    "in-place resizes of a running pod, which kbmc does not model (requests change only with a new revision)";
const CLAIMS: &str = "names an entry of the pod's resourceClaims, which are refused";
const DELAY: &str = "a delay, and kbmc abstracts time (starts, stops and availability are at once)";
const OTHER_SOURCE: &str = "read only when type is Resource; a metric source of another type is refused (the API server rejects it alongside type Resource)";
const VOLUME: &str = "mounted by the kubelet at run time; no scheduler filter, scorer or descheduler check reads it";

/// Which pod spec a row generator walks: a Deployment's template, a snapshot's pod of a
/// Deployment's ReplicaSet (kbmc gives it its template's facts: what differs is refused), or a
/// snapshot's fixed pod (load on its node, bound for the whole run).
#[derive(Clone, Copy, PartialEq)]
enum Of {
    Template,
    Replica,
    Fixed,
}

impl Of {
    /// The use of a field in a template, in a ReplicaSet's pod, in a fixed pod.
    fn pick<T>(self, template: T, replica: T, fixed: T) -> T {
        match self {
            Of::Template => template,
            Of::Replica => replica,
            Of::Fixed => fixed,
        }
    }
}

const FIXED: &str = "a fixed pod stays bound to its node for the whole run (assumption fixed-pods, reported): what would place, move, evict or end it is not modelled";
const FIXED_PORTS: &str = "a fixed pod's host ports block only pods that ask for the same host port, and host ports on kbmc's pods are refused";
const FIXED_CLAIMS: &str = "devices a fixed pod holds matter only to pods that claim devices, and resource claims on kbmc's pods are refused (cpu or memory a claim takes from the node shows in status.nodeAllocatableResourceClaimStatuses, which is refused)";
const FIXED_VOLUMES: &str = "a fixed pod is never evicted (fixed-pods), so the descheduler's volume protections do not apply; its volumes constrain only pods with volumes the scheduler's volume plugins act on: refused on kbmc's pods, or claims, which assume pvc-unconstrained";
const NO_EXIT: &str = "kbmc's pods run until deleted (no container exits), so how their containers restart does not matter; a Deployment's template must say Always";
const PRIORITY_CLASS: &str = "the Priority admission plugin resolves the class into spec.priority, which is all the scheduler and the descheduler read (a class without a priority is refused)";

/// The rows of a container's fields under `prefix` of `root`, for app containers (`init`
/// false) or init containers, in a pod spec of kind `of`.
fn container_rows(root: &'static str, prefix: &str, init: bool, of: Of) -> Vec<Row> {
    let p = |f: &str| -> &'static str { Box::leak(format!("{prefix}.{f}").into_boxed_str()) };
    // A ReplicaSet's pod with requests other than its template's is refused.
    let requests = of.pick(Read, Refused, Read);
    let mut rows: Vec<Row> = vec![
        (root, p("args"), Inert(RUNTIME), false, "[--x]"),
        (root, p("command"), Inert(RUNTIME), false, "[/bin/x]"),
        (root, p("env"), Inert(RUNTIME), true, "[{name: A, value: b}]"),
        (root, p("envFrom"), Inert(RUNTIME), true, "[{configMapRef: {name: c}}]"),
        (root, p("image"), Inert(IMAGE), false, "web:2"),
        (root, p("imagePullPolicy"), Inert(RUNTIME), false, "Always"),
        (root, p("lifecycle"), Inert(RUNTIME), true, "{preStop: {sleep: {seconds: 5}}}"),
        (root, p("livenessProbe"), Inert(PROBES), true, "{httpGet: {port: 80}}"),
        (root, p("readinessProbe"), Inert(PROBES), true, "{httpGet: {port: 80}}"),
        (root, p("startupProbe"), Inert(PROBES), true, "{httpGet: {port: 80}}"),
        (root, p("name"), Inert("container names identify containers for the kubelet and for people"), false, "other"),
        (root, p("resizePolicy"), Inert(RESIZE), true, "[{resourceName: cpu, restartPolicy: RestartContainer}]"),
        (root, p("resources"), requests, false, "{requests: {cpu: \"4\"}}"),
        (root, p("resources.requests"), requests, false, "{cpu: \"4\"}"),
        (
            root,
            p("resources.limits"),
            // Standing in for an absent request (refused on a ReplicaSet's pod either way, with
            // the requests it comes to).
            Read,
            false,
            p("resources={requests: {memory: 1Gi}, limits: {cpu: \"4\"}}").replacen("spec", "@spec", 1).leak(),
        ),
        (root, p("resources.claims"), Inert(of.pick(CLAIMS, CLAIMS, FIXED_CLAIMS)), true, "[{name: gpu}]"),
        (
            root,
            p("restartPolicyRules"),
            Inert(RUNTIME),
            true,
            "[{action: Restart, exitCodes: {operator: In, values: [42]}}]",
        ),
        (root, p("securityContext"), Inert(RUNTIME), true, "{runAsUser: 1000}"),
        (root, p("stdin"), Inert(RUNTIME), false, "true"),
        (root, p("stdinOnce"), Inert(RUNTIME), false, "true"),
        (root, p("tty"), Inert(RUNTIME), false, "true"),
        (root, p("terminationMessagePath"), Inert(RUNTIME), false, "/tmp/x"),
        (root, p("terminationMessagePolicy"), Inert(RUNTIME), false, "FallbackToLogsOnError"),
        (root, p("volumeDevices"), Inert(RUNTIME), true, "[{name: d, devicePath: /dev/x}]"),
        (root, p("volumeMounts"), Inert(RUNTIME), true, "[{name: d, mountPath: /x}]"),
        (root, p("workingDir"), Inert(RUNTIME), false, "/x"),
    ];
    let ports = if init {
        "init containers' ports are no host ports the NodePorts filter counts (it counts app containers'; sidecar init containers are refused)"
    } else {
        "a container port that is not a host port reaches the pod only; no scheduler filter reads it"
    };
    rows.extend([
        (root, p("ports"), Inert(ports), false, "[{containerPort: 8080}]"),
        (root, p("ports[].containerPort"), Inert(ports), false, "8080"),
        (root, p("ports[].hostIP"), Inert(ports), false, "10.0.0.1"),
        (root, p("ports[].name"), Inert(ports), false, "http"),
        (root, p("ports[].protocol"), Inert(ports), false, "UDP"),
    ]);
    if init {
        rows.push((root, p("ports[].hostPort"), Inert(ports), false, "80"));
        // A sidecar: its requests add to the pod's, which is not modelled.
        rows.push((root, p("restartPolicy"), Refused, false, "Always"));
    } else {
        rows.push((root, p("ports[].hostPort"), of.pick(Refused, Refused, Inert(FIXED_PORTS)), false, "80"));
        rows.push((root, p("restartPolicy"), Inert(RUNTIME), false, "Never"));
    }
    rows
}

/// The rows of a pod spec's fields under `prefix` (`spec.template.spec` of a Deployment,
/// `spec` of a Pod) of `root`, in a pod spec of kind `of`. A ReplicaSet's pod carries the
/// template's spec after admission in the base fixture, so a field kbmc reads on a template
/// is refused on it when it differs.
fn pod_spec_rows(root: &'static str, prefix: &str, of: Of) -> Vec<Row> {
    let p = |f: &str| -> &'static str {
        Box::leak(if f.is_empty() { prefix.to_string() } else { format!("{prefix}.{f}") }.into_boxed_str())
    };
    // Read on a template; refused on a ReplicaSet's pod where it differs from the template.
    let templated = of.pick(Read, Refused, Inert(FIXED));
    let unmodelled = of.pick(Refused, Refused, Inert(FIXED));
    let zone_b = "{nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [b]}]}]}}}";
    let pod_affinity = "{requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: web}}}]}";
    let spread = "[{maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}]";
    let mut rows: Vec<Row> = vec![
        (root, p(""), of.pick(Read, Refused, Read), false, "{containers: [{name: c, image: web:1}]}"),
        (root, p("activeDeadlineSeconds"), unmodelled, false, "60"),
        (
            root,
            p("affinity"),
            of.pick(Read, Refused, Refused),
            false,
            of.pick(zone_b, zone_b, "{podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: web}}}]}}"),
        ),
        // Every field of nodeAffinity is read: terms, requirements, weights.
        (root, p("affinity.nodeAffinity"), templated, true, "{preferredDuringSchedulingIgnoredDuringExecution: [{weight: 5, preference: {matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [b]}]}}]}"),
        // Every field of podAffinity and podAntiAffinity is read: terms, selectors, keys,
        // namespaces, weights. A fixed pod's inter-pod affinity is refused.
        (root, p("affinity.podAffinity"), of.pick(Read, Refused, Refused), true, pod_affinity),
        (root, p("affinity.podAntiAffinity"), of.pick(Read, Refused, Refused), true, pod_affinity),
        (root, p("automountServiceAccountToken"), Inert(RUNTIME), false, "false"),
        (root, p("containers"), of.pick(Read, Refused, Read), false, "[{name: c, image: web:1, resources: {requests: {cpu: \"2\"}}}]"),
        (root, p("initContainers"), of.pick(Read, Refused, Read), false, "[{name: i, image: init:1, resources: {requests: {cpu: \"4\"}}}]"),
        (root, p("dnsConfig"), Inert(RUNTIME), true, "{nameservers: [1.1.1.1]}"),
        (root, p("dnsPolicy"), Inert(RUNTIME), false, "Default"),
        (root, p("enableServiceLinks"), Inert(RUNTIME), false, "false"),
        (root, p("ephemeralContainers"), Inert("ephemeral containers cannot be set when a pod is created; they are added to running pods for debugging and carry no requests"), true, "[{name: debug, image: busybox}]"),
        (root, p("evictionResponders"), unmodelled, true, "[{name: example.com/drain, priority: 10}]"),
        (root, p("hostAliases"), Inert(RUNTIME), true, "[{ip: 10.0.0.1, hostnames: [x]}]"),
        (root, p("hostIPC"), Inert(RUNTIME), false, "true"),
        // With container ports, each is a host port.
        (root, p("hostNetwork"), of.pick(Refused, Refused, Inert(FIXED_PORTS)), false, "true"),
        (root, p("hostPID"), Inert(RUNTIME), false, "true"),
        (root, p("hostUsers"), Inert(RUNTIME), false, "false"),
        (root, p("hostname"), Inert(RUNTIME), false, "x"),
        (root, p("hostnameOverride"), Inert(RUNTIME), false, "x"),
        (root, p("imagePullSecrets"), Inert(RUNTIME), true, "[{name: pull}]"),
        (root, p("nodeName"), Read, false, of.pick("n1", "n1", "a-0")),
        (root, p("nodeSelector"), templated, false, "{topology.kubernetes.io/zone: b}"),
        (root, p("os"), unmodelled, false, "{name: windows}"),
        (root, p("os.name"), unmodelled, false, "windows"),
        // On a fixed pod it adds to the requests on its node (PodRequests).
        (root, p("overhead"), of.pick(Refused, Refused, Read), false, "{cpu: 100m}"),
        // A template's policy other than its class's is refused, as admission refuses the
        // pod; a ReplicaSet's pod gets its template's.
        (
            root,
            p("preemptionPolicy"),
            of.pick(
                Refused,
                Inert("a ReplicaSet's pod gets its template's priority and policy, which admission resolved from the class"),
                Inert("a bound pod preempts nothing"),
            ),
            false,
            "Never",
        ),
        // A fixed pod below a priority that may preempt could be preempted: refused.
        (root, p("priority"), Refused, false, of.pick("100", "100", "-1")),
        (root, p("priorityClassName"), of.pick(Read, Inert(PRIORITY_CLASS), Inert(PRIORITY_CLASS)), false, of.pick("batch", "high", "high")),
        (root, p("readinessGates"), Inert("readiness gates are conditions other controllers set at run time; kbmc counts a running pod ready (for a snapshot, assumption snapshot-state)"), true, "[{conditionType: example.com/ready}]"),
        (root, p("resourceClaims"), of.pick(Refused, Refused, Inert(FIXED_CLAIMS)), true, "[{name: gpu, resourceClaimName: gpu}]"),
        (root, p("resources"), Refused, true, "{requests: {cpu: \"1\"}}"),
        (root, p("restartPolicy"), of.pick(Refused, Inert(NO_EXIT), Inert(FIXED)), false, "Never"),
        (root, p("runtimeClassName"), of.pick(Refused, Refused, Inert("admission puts a RuntimeClass's overhead in spec.overhead, which is read, and its scheduling constraints into the spec of a pod that is bound for good")), false, "kata"),
        (root, p("schedulerName"), unmodelled, false, "other-scheduler"),
        (root, p("schedulingGates"), unmodelled, true, "[{name: example.com/wait}]"),
        (root, p("schedulingGroup"), unmodelled, true, "{podGroupName: g}"),
        (root, p("securityContext"), Inert(RUNTIME), true, "{runAsUser: 1000}"),
        (root, p("serviceAccount"), Inert(RUNTIME), false, "x"),
        (root, p("serviceAccountName"), Inert(RUNTIME), false, "x"),
        (root, p("setHostnameAsFQDN"), Inert(RUNTIME), false, "true"),
        (root, p("shareProcessNamespace"), Inert(RUNTIME), false, "true"),
        (root, p("subdomain"), Inert(RUNTIME), false, "x"),
        (root, p("terminationGracePeriodSeconds"), Inert(DELAY), false, "5"),
        // Key, operator, value, effect and tolerationSeconds are all read.
        (root, p("tolerations"), templated, true, "[{key: dedicated, operator: Exists}]"),
    ];
    if of == Of::Fixed {
        // The descheduler balances by the constraints of every pod it may evict: one that
        // selects a Deployment's pods is refused (a DeschedulerPolicy is among the inputs).
        rows.push((root, p("topologySpreadConstraints"), Refused, true, spread));
        rows.push((
            root,
            p("volumes"),
            Inert(FIXED_VOLUMES),
            true,
            "[{name: d, persistentVolumeClaim: {claimName: c}}]",
        ));
    } else {
        // The base template spreads over kubernetes.io/hostname, ScheduleAnyway, selecting app=web.
        let spread_use = of.pick(Read, Refused, Refused);
        rows.extend([
            (root, p("topologySpreadConstraints"), spread_use, false, spread),
            (root, p("topologySpreadConstraints[].maxSkew"), spread_use, false, "2"),
            (root, p("topologySpreadConstraints[].topologyKey"), spread_use, false, "topology.kubernetes.io/zone"),
            (root, p("topologySpreadConstraints[].whenUnsatisfiable"), spread_use, false, "DoNotSchedule"),
            (
                root,
                p("topologySpreadConstraints[].labelSelector"),
                spread_use,
                true,
                "{matchLabels: {app: web, tier: x}}",
            ),
            (root, p("topologySpreadConstraints[].minDomains"), spread_use, false, "2"),
            (root, p("topologySpreadConstraints[].nodeAffinityPolicy"), spread_use, false, "Ignore"),
            (root, p("topologySpreadConstraints[].nodeTaintsPolicy"), spread_use, false, "Honor"),
            (root, p("topologySpreadConstraints[].matchLabelKeys"), Refused, false, "[pod-template-hash]"),
            (root, p("volumes"), spread_use, false, "[{name: d, emptyDir: {}}]"),
            (root, p("volumes[].name"), Inert(VOLUME), false, "d"),
            // Their presence is read (the evictor's local-storage and PVC checks), as a whole.
            (root, p("volumes[].emptyDir"), spread_use, true, "{}"),
            (root, p("volumes[].hostPath"), spread_use, true, "{path: /x}"),
            (root, p("volumes[].persistentVolumeClaim"), spread_use, true, "{claimName: c}"),
        ]);
        rows.extend(volume_rows(root, &format!("{prefix}.volumes[]")));
    }
    rows.extend(container_rows(root, &format!("{prefix}.containers[]"), false, of));
    rows.extend(container_rows(root, &format!("{prefix}.initContainers[]"), true, of));
    rows
}

/// The rows of an ObjectMeta's bookkeeping fields under `prefix` of `root`, with `why`, but
/// those in `own` (the kind's rows give them).
fn meta_rows(root: &'static str, prefix: &str, why: &'static str, own: &[&str]) -> Vec<Row> {
    let p = |f: &str| -> &'static str { Box::leak(format!("{prefix}{f}").into_boxed_str()) };
    let rows = vec![
        (root, p("creationTimestamp"), Inert(why), false, "2020-01-01T00:00:00Z"),
        (root, p("deletionGracePeriodSeconds"), Inert(why), false, "30"),
        (root, p("generateName"), Inert(why), false, "x-"),
        (root, p("generation"), Inert(why), false, "7"),
        (root, p("managedFields"), Inert(why), true, "[{manager: kubectl, operation: Apply}]"),
        (root, p("ownerReferences"), Inert(why), true, "[{apiVersion: v1, kind: ConfigMap, name: o, uid: u}]"),
        (root, p("resourceVersion"), Inert(why), false, "\"42\""),
        (root, p("selfLink"), Inert(why), false, "/x"),
        (root, p("uid"), Inert(why), false, "u-1"),
    ];
    rows.into_iter().filter(|r| !own.iter().any(|o| r.1 == p(o))).collect()
}

fn kube_rows() -> Vec<Row> {
    let mut rows: Vec<Row> = vec![
        // Deployment
        ("Deployment", "apiVersion", Read, false, "apps/v1beta2"),
        ("Deployment", "kind", Read, false, "StatefulSet"),
        ("Deployment", "metadata", Read, false, "{name: api}"),
        ("Deployment", "metadata.name", Read, false, "api"),
        ("Deployment", "metadata.namespace", Read, false, "prod"),
        ("Deployment", "metadata.labels", Inert(OWN_LABELS), false, "{tier: x}"),
        // Its revision names its current ReplicaSet where the templates differ (a template
        // written by hand beside a dumped ReplicaSet, as in the base fixture).
        ("Deployment", "metadata.annotations", Read, false, "{deployment.kubernetes.io/revision: \"3\"}"),
        // Its ReplicaSets' controller references carry it (ClaimReplicaSets compares uids).
        ("Deployment", "metadata.uid", Refused, false, "u-1"),
        ("Deployment", "metadata.deletionTimestamp", Refused, false, "2020-01-01T00:00:00Z"),
        ("Deployment", "metadata.finalizers", Inert(FINALIZERS), false, "[example.com/hold]"),
        ("Deployment", "spec", Read, false, "{selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: web:1}]}}}"),
        ("Deployment", "spec.minReadySeconds", Inert(DELAY), false, "30"),
        ("Deployment", "spec.paused", Refused, false, "true"),
        ("Deployment", "spec.progressDeadlineSeconds", Inert("it only sets the Progressing condition; no controller acts on it"), false, "60"),
        ("Deployment", "spec.replicas", Read, false, "3"),
        ("Deployment", "spec.revisionHistoryLimit", Inert("how many old ReplicaSets at zero replicas are kept; rollbacks are not modelled"), false, "1"),
        // matchLabels and each requirement's key, operator and values are all read.
        ("Deployment", "spec.selector", Read, true, "{matchLabels: {app: web, v: \"2\"}}"),
        ("Deployment", "spec.strategy", Read, false, "{type: Recreate}"),
        ("Deployment", "spec.strategy.type", Read, false, "Recreate"),
        ("Deployment", "spec.strategy.rollingUpdate", Read, false, "{maxSurge: 0, maxUnavailable: 1}"),
        ("Deployment", "spec.strategy.rollingUpdate.maxSurge", Read, false, "3"),
        ("Deployment", "spec.strategy.rollingUpdate.maxUnavailable", Read, false, "3"),
        ("Deployment", "spec.template", Read, false, "{metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: web:1}]}}"),
        ("Deployment", "spec.template.metadata", Read, false, "{labels: {app: web, v: \"2\"}}"),
        ("Deployment", "spec.template.metadata.labels", Read, false, "{app: web, v: \"2\"}"),
        // Read for the descheduler's evict and prefer-no-eviction keys (refused); other
        // annotations are the same on every pod of a ReplicaSet, so pod-deletion-cost
        // cannot rank them.
        ("Deployment", "spec.template.metadata.annotations", Refused, false, "{descheduler.alpha.kubernetes.io/evict: \"true\"}"),
        ("Deployment", "spec.template.metadata.finalizers", Refused, false, "[example.com/hold]"),
        ("Deployment", "spec.template.metadata.name", Inert(TEMPLATE_META), false, "x"),
        ("Deployment", "spec.template.metadata.namespace", Inert(TEMPLATE_META), false, "prod"),
        ("Deployment", "spec.template.metadata.deletionTimestamp", Inert(TEMPLATE_META), false, "2020-01-01T00:00:00Z"),
        ("Deployment", "status", Inert(STATUS), true, "{replicas: 5, readyReplicas: 1}"),
        // Node
        ("Node", "apiVersion", Read, false, "v2"),
        ("Node", "kind", Read, false, "Pod"),
        ("Node", "metadata", Read, false, "{name: n2}"),
        ("Node", "metadata.name", Read, false, "n2"),
        ("Node", "metadata.labels", Read, false, "{topology.kubernetes.io/zone: b}"),
        ("Node", "metadata.annotations", Inert(OWN_LABELS), false, "{node.alpha.kubernetes.io/ttl: \"0\"}"),
        ("Node", "metadata.namespace", Inert("Nodes are cluster-scoped; the API server drops a namespace"), false, "x"),
        ("Node", "metadata.deletionTimestamp", Refused, false, "2020-01-01T00:00:00Z"),
        ("Node", "metadata.finalizers", Inert(FINALIZERS), false, "[example.com/hold]"),
        ("Node", "spec", Read, false, "{unschedulable: true}"),
        ("Node", "spec.configSource", Inert("kubelet configuration source (deprecated, unused by the kubelet)"), true, "{configMap: {name: c, namespace: kube-system, kubeletConfigKey: k}}"),
        ("Node", "spec.externalID", Inert(BOOKKEEPING), false, "x"),
        ("Node", "spec.providerID", Inert(BOOKKEEPING), false, "aws:///x"),
        ("Node", "spec.podCIDR", Inert(RUNTIME), false, "10.0.0.0/24"),
        ("Node", "spec.podCIDRs", Inert(RUNTIME), false, "[10.0.0.0/24]"),
        ("Node", "spec.podPreemptionPolicy", Inert("it disables preemption for in-place resizes (alpha); kbmc models no resizes and no priorities"), true, "{disableResizePreemption: [autoscaler]}"),
        ("Node", "spec.taints", Read, false, "[{key: k, effect: NoSchedule}]"),
        ("Node", "spec.taints[].key", Read, false, "other"),
        ("Node", "spec.taints[].value", Read, false, "y"),
        ("Node", "spec.taints[].effect", Read, false, "NoSchedule"),
        ("Node", "spec.taints[].timeAdded", Inert(DELAY), false, "2020-01-01T00:00:00Z"),
        ("Node", "spec.unschedulable", Read, false, "true"),
        ("Node", "status", Read, false, "{allocatable: {cpu: \"4\", memory: 8Gi}}"),
        ("Node", "status.addresses", Inert(RUNTIME), true, "[{type: InternalIP, address: 10.0.0.1}]"),
        ("Node", "status.allocatable", Read, false, "{cpu: \"4\", memory: 8Gi}"),
        ("Node", "status.capacity", Read, false, "{cpu: \"16\", memory: 16Gi}"),
        ("Node", "status.conditions", Read, false, "[{type: Ready, status: \"False\"}]"),
        ("Node", "status.conditions[].type", Read, false, "DiskPressure"),
        ("Node", "status.conditions[].status", Read, false, "\"False\""),
        ("Node", "status.conditions[].reason", Inert(STATUS), false, "KubeletReady"),
        ("Node", "status.conditions[].message", Inert(STATUS), false, "ok"),
        ("Node", "status.conditions[].lastHeartbeatTime", Inert(DELAY), false, "2020-01-01T00:00:00Z"),
        ("Node", "status.conditions[].lastTransitionTime", Inert(DELAY), false, "2020-01-01T00:00:00Z"),
        ("Node", "status.config", Inert("the kubelet's configuration status"), true, "{error: x}"),
        ("Node", "status.daemonEndpoints", Inert(RUNTIME), true, "{kubeletEndpoint: {Port: 10250}}"),
        ("Node", "status.declaredFeatures", Inert("read by the scheduler's NodeDeclaredFeatures plugin only behind an alpha feature gate, off by default"), false, "[X]"),
        ("Node", "status.features", Inert(RUNTIME), true, "{supplementalGroupsPolicy: true}"),
        ("Node", "status.images", Inert(IMAGE), true, "[{names: [web:1], sizeBytes: 1000000}]"),
        ("Node", "status.nodeInfo", Inert("the kubelet's report of its versions and system; the scheduler reads node labels, not this"), true, "{kubeletVersion: v1.37.0}"),
        ("Node", "status.phase", Inert("deprecated and never set"), false, "Running"),
        ("Node", "status.runtimeHandlers", Inert("runtime handlers serve RuntimeClasses, which are refused"), true, "[{name: runc}]"),
        ("Node", "status.volumesAttached", Inert(STATUS), true, "[{name: v, devicePath: /dev/x}]"),
        ("Node", "status.volumesInUse", Inert(STATUS), false, "[v]"),
        // HorizontalPodAutoscaler
        ("HorizontalPodAutoscaler", "apiVersion", Read, false, "autoscaling/v1"),
        ("HorizontalPodAutoscaler", "kind", Read, false, "Scale"),
        ("HorizontalPodAutoscaler", "metadata", Read, false, "{name: other}"),
        ("HorizontalPodAutoscaler", "metadata.name", Read, false, "other"),
        ("HorizontalPodAutoscaler", "metadata.namespace", Read, false, "prod"),
        ("HorizontalPodAutoscaler", "metadata.labels", Inert(OWN_LABELS), false, "{tier: x}"),
        ("HorizontalPodAutoscaler", "metadata.annotations", Inert(OWN_LABELS), false, "{x: y}"),
        ("HorizontalPodAutoscaler", "metadata.deletionTimestamp", Refused, false, "2020-01-01T00:00:00Z"),
        ("HorizontalPodAutoscaler", "metadata.finalizers", Inert(FINALIZERS), false, "[example.com/hold]"),
        ("HorizontalPodAutoscaler", "spec", Read, false, "{scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 6}"),
        ("HorizontalPodAutoscaler", "spec.scaleTargetRef", Read, false, "{kind: Deployment, name: other}"),
        ("HorizontalPodAutoscaler", "spec.scaleTargetRef.apiVersion", Read, false, "apps/v1beta1"),
        ("HorizontalPodAutoscaler", "spec.scaleTargetRef.kind", Read, false, "StatefulSet"),
        ("HorizontalPodAutoscaler", "spec.scaleTargetRef.name", Read, false, "other"),
        ("HorizontalPodAutoscaler", "spec.minReplicas", Read, false, "2"),
        ("HorizontalPodAutoscaler", "spec.maxReplicas", Read, false, "6"),
        ("HorizontalPodAutoscaler", "spec.metrics", Read, false, "[]"),
        ("HorizontalPodAutoscaler", "spec.metrics[].type", Read, false, "Pods"),
        ("HorizontalPodAutoscaler", "spec.metrics[].resource", Read, false, "{name: memory, target: {type: Utilization, averageUtilization: 50}}"),
        ("HorizontalPodAutoscaler", "spec.metrics[].resource.name", Read, false, "memory"),
        ("HorizontalPodAutoscaler", "spec.metrics[].resource.target", Read, false, "{type: AverageValue, averageValue: 500m}"),
        ("HorizontalPodAutoscaler", "spec.metrics[].resource.target.type", Read, false, "AverageValue"),
        ("HorizontalPodAutoscaler", "spec.metrics[].resource.target.averageUtilization", Read, false, "70"),
        // Read with type AverageValue: set with it.
        ("HorizontalPodAutoscaler", "spec.metrics[].resource.target.averageValue", Read, false, "@spec.metrics[].resource.target={type: AverageValue, averageValue: 500m}"),
        ("HorizontalPodAutoscaler", "spec.metrics[].resource.target.value", Inert("a Resource metric's target is Utilization or AverageValue; `value` is type Value's, which is refused"), false, "\"5\""),
        ("HorizontalPodAutoscaler", "spec.metrics[].pods", Inert(OTHER_SOURCE), true, "{metric: {name: x}, target: {type: AverageValue, averageValue: \"1\"}}"),
        ("HorizontalPodAutoscaler", "spec.metrics[].object", Inert(OTHER_SOURCE), true, "{metric: {name: x}, describedObject: {kind: Service, name: s}, target: {type: Value, value: \"1\"}}"),
        ("HorizontalPodAutoscaler", "spec.metrics[].external", Inert(OTHER_SOURCE), true, "{metric: {name: x}, target: {type: Value, value: \"1\"}}"),
        ("HorizontalPodAutoscaler", "spec.metrics[].containerResource", Inert(OTHER_SOURCE), true, "{name: cpu, container: c, target: {type: Utilization, averageUtilization: 50}}"),
        ("HorizontalPodAutoscaler", "spec.behavior", Read, false, "{scaleDown: {stabilizationWindowSeconds: 0}}"),
        ("HorizontalPodAutoscaler", "status", Inert("status is what the HPA controller writes back; its recommendations live in the controller's memory, which kbmc starts empty"), true, "{currentReplicas: 3, desiredReplicas: 4}"),
    ];
    for dir in ["scaleUp", "scaleDown"] {
        let p = |f: &str| -> &'static str { Box::leak(format!("spec.behavior.{dir}{f}").into_boxed_str()) };
        rows.extend([
            ("HorizontalPodAutoscaler", p(""), Read, false, "{selectPolicy: Disabled}"),
            ("HorizontalPodAutoscaler", p(".selectPolicy"), Read, false, "Min"),
            ("HorizontalPodAutoscaler", p(".stabilizationWindowSeconds"), Read, false, "120"),
            ("HorizontalPodAutoscaler", p(".tolerance"), Refused, false, "\"0.05\""),
            ("HorizontalPodAutoscaler", p(".policies"), Read, false, "[{type: Pods, value: 1, periodSeconds: 60}]"),
            ("HorizontalPodAutoscaler", p(".policies[].type"), Read, false, "Percent"),
            ("HorizontalPodAutoscaler", p(".policies[].value"), Read, false, "3"),
            ("HorizontalPodAutoscaler", p(".policies[].periodSeconds"), Read, false, "30"),
        ]);
    }
    rows.extend(meta_rows("Deployment", "metadata.", BOOKKEEPING, &["uid"]));
    rows.extend(meta_rows("Deployment", "spec.template.metadata.", TEMPLATE_META, &[]));
    rows.extend(meta_rows("Node", "metadata.", BOOKKEEPING, &[]));
    rows.extend(meta_rows("HorizontalPodAutoscaler", "metadata.", BOOKKEEPING, &[]));
    rows.extend(pdb_rows());
    rows.extend(namespace_rows());
    rows.extend(priority_class_rows());
    rows.extend(pod_spec_rows("Deployment", "spec.template.spec", Of::Template));
    rows.extend(pod_spec_rows("Pod", "spec", Of::Replica));
    rows.extend(pod_spec_rows("FixedPod", "spec", Of::Fixed));
    rows.extend(daemon_set_rows());
    rows.extend(pod_rows());
    rows.extend(replica_set_rows());
    rows.extend(statefulset_rows());
    rows.extend(storage_class_rows());
    rows
}

const SET_TEMPLATE_META: &str = "the StatefulSet controller copies only a template's labels, annotations and finalizers to its pods (newStatefulSetPod: controller_utils GetPodFromTemplate)";
const CLAIM_META: &str = "bookkeeping the API server sets itself when the StatefulSet controller creates each ordinal's claim from the template (getPersistentVolumeClaims)";

/// The rows of a StatefulSet (src/ir/build/statefulsets.rs), on the Stateful fixture. Its
/// template is read as a Deployment's (`pod_spec_rows`), but for `nodeName`, refused; its
/// claim rows are set on `data`, a zonal claim (a claim of no zonal class assumes
/// pvc-unconstrained, so what it says of its volume changes nothing modelled).
fn statefulset_rows() -> Vec<Row> {
    const SET: &str = "StatefulSet";
    const CLAIM_DELETED: &str =
        "what becomes of the claims when the StatefulSet is deleted, and kbmc models no deletion of one";
    const CLAIM_SHAPE: &str = "the volume's size and whether it is a block device or a filesystem; kbmc takes provisioning to succeed in the zone of the pod's first node (docs/modeling/statefulset.md)";
    let mut rows: Vec<Row> = vec![
        (SET, "apiVersion", Read, false, "apps/v1beta2"),
        (SET, "kind", Read, false, "Deployment"),
        (SET, "metadata", Read, false, "{name: other}"),
        (SET, "metadata.name", Read, false, "other"),
        (SET, "metadata.namespace", Read, false, "prod"),
        (SET, "metadata.labels", Inert(OWN_LABELS), false, "{tier: x}"),
        (SET, "metadata.annotations", Inert(OWN_LABELS), false, "{x: y}"),
        (SET, "metadata.deletionTimestamp", Refused, false, "2020-01-01T00:00:00Z"),
        (SET, "metadata.finalizers", Inert(FINALIZERS), false, "[example.com/hold]"),
        (SET, "spec", Read, false, "{selector: {matchLabels: {app: db}}, template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c, image: db:1}]}}}"),
        (SET, "spec.minReadySeconds", Refused, false, "30"),
        (SET, "spec.ordinals", Refused, false, "{start: 3}"),
        (SET, "spec.ordinals.start", Refused, false, "3"),
        (SET, "spec.persistentVolumeClaimRetentionPolicy", Refused, false, "{whenScaled: Delete}"),
        (SET, "spec.persistentVolumeClaimRetentionPolicy.whenScaled", Refused, false, "Delete"),
        (SET, "spec.persistentVolumeClaimRetentionPolicy.whenDeleted", Inert(CLAIM_DELETED), false, "Delete"),
        (SET, "spec.podManagementPolicy", Read, false, "Parallel"),
        (SET, "spec.replicas", Read, false, "3"),
        (SET, "spec.revisionHistoryLimit", Inert("how many old ControllerRevisions are kept; rollbacks are not modelled"), false, "1"),
        // matchLabels and each requirement's key, operator and values are all read (it must
        // match the template's labels).
        (SET, "spec.selector", Read, true, "{matchLabels: {app: db, v: \"2\"}}"),
        (SET, "spec.serviceName", Inert("the headless Service that gives the pods their DNS names; no modelled controller reads it"), false, "other"),
        (SET, "spec.template", Read, false, "{metadata: {labels: {app: db}}, spec: {containers: [{name: c, image: db:1}]}}"),
        (SET, "spec.template.metadata", Read, false, "{labels: {app: db, v: \"2\"}}"),
        (SET, "spec.template.metadata.labels", Read, false, "{app: db, v: \"2\"}"),
        (SET, "spec.template.metadata.annotations", Refused, false, "{descheduler.alpha.kubernetes.io/evict: \"true\"}"),
        (SET, "spec.template.metadata.finalizers", Refused, false, "[example.com/hold]"),
        (SET, "spec.template.metadata.name", Inert(SET_TEMPLATE_META), false, "x"),
        (SET, "spec.template.metadata.namespace", Inert(SET_TEMPLATE_META), false, "prod"),
        (SET, "spec.template.metadata.deletionTimestamp", Inert(SET_TEMPLATE_META), false, "2020-01-01T00:00:00Z"),
        (SET, "spec.updateStrategy", Read, false, "{type: OnDelete}"),
        (SET, "spec.updateStrategy.type", Read, false, "OnDelete"),
        (SET, "spec.updateStrategy.rollingUpdate", Read, false, "{partition: 1}"),
        (SET, "spec.updateStrategy.rollingUpdate.partition", Read, false, "1"),
        (SET, "spec.updateStrategy.rollingUpdate.maxUnavailable", Refused, false, "2"),
        (SET, "spec.volumeClaimTemplates", Read, false, "[]"),
        // k8s-openapi refuses another type meta in an embedded claim.
        (SET, "spec.volumeClaimTemplates[].apiVersion", Read, false, "v2"),
        (SET, "spec.volumeClaimTemplates[].kind", Read, false, "Pod"),
        // A claim template needs a name.
        (SET, "spec.volumeClaimTemplates[].metadata", Read, false, "{}"),
        (SET, "spec.volumeClaimTemplates[].metadata.name", Inert("it names each ordinal's claim (data-db-0); kbmc only requires one"), false, "other"),
        (SET, "spec.volumeClaimTemplates[].metadata.namespace", Inert("the controller makes each claim in the StatefulSet's namespace (getPersistentVolumeClaims)"), false, "prod"),
        (SET, "spec.volumeClaimTemplates[].metadata.labels", Inert("a claim's labels; no modelled controller selects claims"), false, "{tier: x}"),
        // The beta storage-class annotation names the class before storageClassName does.
        (SET, "spec.volumeClaimTemplates[].metadata.annotations", Read, false, "{volume.beta.kubernetes.io/storage-class: other}"),
        (SET, "spec.volumeClaimTemplates[].metadata.deletionTimestamp", Inert(CLAIM_META), false, "2020-01-01T00:00:00Z"),
        (SET, "spec.volumeClaimTemplates[].metadata.finalizers", Inert("finalizers hold a claim's deletion, and kbmc deletes no claim"), false, "[example.com/hold]"),
        // Copied to each claim: the garbage collector deletes a claim whose owners are gone.
        (SET, "spec.volumeClaimTemplates[].metadata.ownerReferences", Refused, true, "[{apiVersion: v1, kind: ConfigMap, name: o, uid: u}]"),
        (SET, "spec.volumeClaimTemplates[].spec", Read, false, "{storageClassName: \"\"}"),
        // ReadWriteOnce and ReadWriteOncePod are; a zonal disk shared by several nodes is refused.
        (SET, "spec.volumeClaimTemplates[].spec.accessModes", Read, false, "[ReadWriteMany]"),
        (SET, "spec.volumeClaimTemplates[].spec.resources", Inert(CLAIM_SHAPE), true, "{requests: {storage: 100Gi}}"),
        (SET, "spec.volumeClaimTemplates[].spec.volumeMode", Inert(CLAIM_SHAPE), false, "Block"),
        // Provisioned only once the class exists, and kbmc reads no VolumeAttributesClass.
        (SET, "spec.volumeClaimTemplates[].spec.volumeAttributesClassName", Refused, false, "fast"),
        (SET, "spec.volumeClaimTemplates[].spec.storageClassName", Read, false, "other"),
        // A zonal claim bound to a volume that is not provisioned for its pod's first node:
        // one chosen by a selector or a name, or made from a data source.
        (SET, "spec.volumeClaimTemplates[].spec.selector", Refused, true, "{matchLabels: {tier: x}}"),
        (SET, "spec.volumeClaimTemplates[].spec.volumeName", Refused, false, "pv-1"),
        (SET, "spec.volumeClaimTemplates[].spec.dataSource", Refused, true, "{kind: PersistentVolumeClaim, name: src}"),
        (SET, "spec.volumeClaimTemplates[].spec.dataSourceRef", Refused, true, "{kind: PersistentVolumeClaim, name: src}"),
        (SET, "spec.volumeClaimTemplates[].status", Inert("what the volume controller writes on a claim; the controller creates each claim from the template's spec"), true, "{phase: Bound}"),
        (SET, "status", Inert(STATUS), true, "{replicas: 5, readyReplicas: 1, currentRevision: db-1}"),
    ];
    rows.extend(meta_rows(SET, "metadata.", BOOKKEEPING, &[]));
    rows.extend(meta_rows(SET, "spec.template.metadata.", SET_TEMPLATE_META, &[]));
    rows.extend(meta_rows(SET, "spec.volumeClaimTemplates[].metadata.", CLAIM_META, &["ownerReferences"]));
    // A StatefulSet's pods bound by nodeName past the scheduler are refused.
    rows.extend(pod_spec_rows(SET, "spec.template.spec", Of::Template).into_iter().map(|r| {
        if r.1 == "spec.template.spec.nodeName" {
            (r.0, r.1, Refused, r.3, r.4)
        } else {
            r
        }
    }));
    rows
}

/// The rows of a StorageClass (src/ir/build/statefulsets.rs), on the Stateful fixture: the
/// StatefulSet's claim `data` names it and `logs` takes it as the default.
fn storage_class_rows() -> Vec<Row> {
    const CLASS: &str = "StorageClass";
    let mut rows: Vec<Row> = vec![
        (CLASS, "apiVersion", Read, false, "storage.k8s.io/v1beta1"),
        (CLASS, "kind", Read, false, "VolumeAttributesClass"),
        (CLASS, "metadata", Read, false, "{name: disk}"),
        (CLASS, "metadata.name", Read, false, "other"),
        (CLASS, "metadata.namespace", Inert("a StorageClass is cluster-scoped"), false, "prod"),
        (CLASS, "metadata.labels", Inert(OWN_LABELS), false, "{tier: x}"),
        // The default-class annotation.
        (CLASS, "metadata.annotations", Read, false, "{x: y}"),
        (CLASS, "metadata.deletionTimestamp", Refused, false, "2020-01-01T00:00:00Z"),
        (CLASS, "metadata.finalizers", Inert(FINALIZERS), false, "[example.com/hold]"),
        // Which disks are zonal.
        (CLASS, "provisioner", Read, false, "example.com/nfs"),
        // Read for what places a zonal disk: regional and zone-redundant disks and the in-tree
        // zone and zones parameters (allowed topologies) are refused; the others (disk type,
        // encryption, iops) do not place it.
        (CLASS, "parameters", Read, false, "{zones: \"a,b\"}"),
        (CLASS, "allowedTopologies", Refused, true, "[{matchLabelExpressions: [{key: topology.kubernetes.io/zone, values: [a]}]}]"),
        (CLASS, "volumeBindingMode", Read, false, "Immediate"),
        (CLASS, "reclaimPolicy", Inert("what becomes of a volume once its claim is deleted, and kbmc deletes no claim (whenScaled: Delete is refused)"), false, "Retain"),
        (CLASS, "allowVolumeExpansion", Inert("whether a claim may grow later; kbmc resizes no claim"), false, "true"),
        (CLASS, "mountOptions", Inert(VOLUME), false, "[ro]"),
    ];
    rows.extend(meta_rows(CLASS, "metadata.", BOOKKEEPING, &[]));
    rows
}

/// The rows of a DaemonSet: its own fields, and its template's as a Deployment's, but for
/// `nodeName` (refused: such pods would bypass the scheduler).
fn daemon_set_rows() -> Vec<Row> {
    let mut rows: Vec<Row> = vec![
        ("DaemonSet", "apiVersion", Read, false, "apps/v1beta2"),
        ("DaemonSet", "kind", Read, false, "StatefulSet"),
        ("DaemonSet", "metadata", Read, false, "{name: other}"),
        ("DaemonSet", "metadata.name", Read, false, "other"),
        ("DaemonSet", "metadata.namespace", Read, false, "prod"),
        ("DaemonSet", "metadata.labels", Inert(OWN_LABELS), false, "{tier: x}"),
        ("DaemonSet", "metadata.annotations", Inert(OWN_LABELS), false, "{x: y}"),
        ("DaemonSet", "metadata.deletionTimestamp", Refused, false, "2020-01-01T00:00:00Z"),
        ("DaemonSet", "metadata.finalizers", Inert(FINALIZERS), false, "[example.com/hold]"),
        ("DaemonSet", "spec", Read, false, "{selector: {matchLabels: {app: x}}, template: {metadata: {labels: {app: x}}, spec: {containers: [{name: c, image: x:1, resources: {requests: {cpu: 200m}}}]}}}"),
        ("DaemonSet", "spec.minReadySeconds", Refused, false, "30"),
        ("DaemonSet", "spec.revisionHistoryLimit", Inert("how many old ControllerRevisions are kept; rollbacks are not modelled"), false, "1"),
        ("DaemonSet", "spec.selector", Read, true, "{matchLabels: {app: agent, v: \"2\"}}"),
        ("DaemonSet", "spec.updateStrategy", Read, false, "{type: OnDelete}"),
        ("DaemonSet", "spec.updateStrategy.type", Read, false, "OnDelete"),
        ("DaemonSet", "spec.updateStrategy.rollingUpdate", Read, false, "{maxUnavailable: 2}"),
        ("DaemonSet", "spec.updateStrategy.rollingUpdate.maxSurge", Read, false, "3"),
        ("DaemonSet", "spec.updateStrategy.rollingUpdate.maxUnavailable", Read, false, "3"),
        ("DaemonSet", "spec.template", Read, false, "{metadata: {labels: {app: agent}}, spec: {containers: [{name: c, image: agent:1, resources: {requests: {cpu: 200m}}}]}}"),
        ("DaemonSet", "spec.template.metadata", Read, false, "{labels: {app: agent, v: \"2\"}}"),
        ("DaemonSet", "spec.template.metadata.labels", Read, false, "{app: agent, v: \"2\"}"),
        ("DaemonSet", "spec.template.metadata.annotations", Refused, false, "{descheduler.alpha.kubernetes.io/evict: \"true\"}"),
        ("DaemonSet", "spec.template.metadata.finalizers", Refused, false, "[example.com/hold]"),
        ("DaemonSet", "spec.template.metadata.name", Inert(DAEMON_META), false, "x"),
        ("DaemonSet", "spec.template.metadata.namespace", Inert(DAEMON_META), false, "prod"),
        ("DaemonSet", "spec.template.metadata.deletionTimestamp", Inert(DAEMON_META), false, "2020-01-01T00:00:00Z"),
        ("DaemonSet", "status", Inert(STATUS), true, "{numberReady: 1, desiredNumberScheduled: 3}"),
    ];
    rows.extend(meta_rows("DaemonSet", "metadata.", BOOKKEEPING, &[]));
    rows.extend(meta_rows("DaemonSet", "spec.template.metadata.", DAEMON_META, &[]));
    for mut row in pod_spec_rows("DaemonSet", "spec.template.spec", Of::Template) {
        if row.1 == "spec.template.spec.nodeName" {
            row.2 = Refused;
        }
        rows.push(row);
    }
    rows
}

const DAEMON_META: &str = "the DaemonSet controller copies only a template's labels, annotations and finalizers to its pods (CreatePodTemplate)";

/// The rows of a PodDisruptionBudget.
/// A Namespace's name and labels are what an inter-pod affinity term's namespaceSelector
/// matches (src/ir/namespaces.rs and its tests, and the InterPodAffinity upstream tests); the
/// fixture has no such term, so here their rows show them validated as the API server does.
fn namespace_rows() -> Vec<Row> {
    const NS_FINALIZERS: &str =
        "the namespace controller's finalizers run when the namespace is deleted, and kbmc models no deletion of one";
    let mut rows: Vec<Row> = vec![
        ("Namespace", "apiVersion", Read, false, "v2"),
        ("Namespace", "kind", Read, false, "StatefulSet"),
        ("Namespace", "metadata", Read, false, "{labels: {team: a}}"),
        ("Namespace", "metadata.name", Read, false, "Not_A_Label"),
        (
            "Namespace",
            "metadata.namespace",
            Inert("a Namespace is cluster-scoped; kbmc only checks the value is a valid name"),
            false,
            "prod",
        ),
        ("Namespace", "metadata.labels", Read, false, "{\"not a key\": a}"),
        ("Namespace", "metadata.annotations", Inert(OWN_LABELS), false, "{x: y}"),
        ("Namespace", "metadata.deletionTimestamp", Refused, false, "2020-01-01T00:00:00Z"),
        ("Namespace", "metadata.finalizers", Inert(FINALIZERS), false, "[example.com/hold]"),
        ("Namespace", "spec", Inert(NS_FINALIZERS), true, "{finalizers: [kubernetes]}"),
        ("Namespace", "status", Read, false, "{phase: Terminating}"),
        ("Namespace", "status.phase", Refused, false, "Terminating"),
        (
            "Namespace",
            "status.conditions",
            Inert("the namespace controller's report on its deletion, which kbmc does not model"),
            true,
            "[{type: NamespaceDeletionDiscoveryFailure, status: \"False\"}]",
        ),
    ];
    rows.extend(meta_rows("Namespace", "metadata.", BOOKKEEPING, &[]));
    rows
}

/// A PriorityClass's value and policy are what the pods naming it get (src/ir/build/priority.rs
/// and its tests); the fixture's class is named by no pod, so its rows show the class read
/// into the model and validated as the API server does.
fn priority_class_rows() -> Vec<Row> {
    let mut rows: Vec<Row> = vec![
        ("PriorityClass", "apiVersion", Read, false, "scheduling.k8s.io/v1beta1"),
        ("PriorityClass", "kind", Read, false, "StatefulSet"),
        ("PriorityClass", "metadata", Read, false, "{name: other}"),
        ("PriorityClass", "metadata.name", Read, false, "other"),
        ("PriorityClass", "metadata.namespace", Inert("a PriorityClass is cluster-scoped"), false, "prod"),
        ("PriorityClass", "metadata.labels", Inert(OWN_LABELS), false, "{tier: x}"),
        ("PriorityClass", "metadata.annotations", Inert(OWN_LABELS), false, "{x: y}"),
        ("PriorityClass", "metadata.deletionTimestamp", Refused, false, "2020-01-01T00:00:00Z"),
        ("PriorityClass", "metadata.finalizers", Inert(FINALIZERS), false, "[example.com/hold]"),
        ("PriorityClass", "value", Read, false, "20"),
        // Every pod naming no class gets the default's value: the fixture's Deployment.
        ("PriorityClass", "globalDefault", Read, false, "true"),
        ("PriorityClass", "preemptionPolicy", Read, false, "Never"),
        (
            "PriorityClass",
            "description",
            Inert("a note for people; the Priority admission plugin reads value and policy"),
            false,
            "x",
        ),
    ];
    rows.extend(meta_rows("PriorityClass", "metadata.", BOOKKEEPING, &[]));
    rows
}

fn pdb_rows() -> Vec<Row> {
    let mut rows: Vec<Row> = vec![
        ("PodDisruptionBudget", "apiVersion", Read, false, "policy/v1beta1"),
        ("PodDisruptionBudget", "kind", Read, false, "Eviction"),
        ("PodDisruptionBudget", "metadata", Read, false, "{name: other}"),
        ("PodDisruptionBudget", "metadata.name", Read, false, "other"),
        ("PodDisruptionBudget", "metadata.namespace", Read, false, "prod"),
        ("PodDisruptionBudget", "metadata.labels", Inert(OWN_LABELS), false, "{tier: x}"),
        ("PodDisruptionBudget", "metadata.annotations", Inert(OWN_LABELS), false, "{x: y}"),
        ("PodDisruptionBudget", "metadata.deletionTimestamp", Refused, false, "2020-01-01T00:00:00Z"),
        ("PodDisruptionBudget", "metadata.finalizers", Inert(FINALIZERS), false, "[example.com/hold]"),
        ("PodDisruptionBudget", "spec", Read, false, "{maxUnavailable: 1}"),
        ("PodDisruptionBudget", "spec.minAvailable", Read, false, "\"50%\""),
        // Set beside minAvailable: the API server rejects both.
        ("PodDisruptionBudget", "spec.maxUnavailable", Read, false, "1"),
        // matchLabels and each requirement's key, operator and values are all read: this
        // selector matches web's pods and the bare pod, a budget kbmc refuses.
        ("PodDisruptionBudget", "spec.selector", Read, true, "{matchLabels: {app: web}}"),
        ("PodDisruptionBudget", "spec.unhealthyPodEvictionPolicy", Read, false, "AlwaysAllow"),
        ("PodDisruptionBudget", "status", Inert("the disruption controller writes it from the pods, and the Eviction API reads it; kbmc computes it from the state where it is asked"), true, "{disruptionsAllowed: 3, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2}"),
    ];
    rows.extend(meta_rows("PodDisruptionBudget", "metadata.", BOOKKEEPING, &[]));
    rows
}

const POD_AGE: &str = "a pod's age and uid break ties among equal ranks in a ReplicaSet's scale-down, where kbmc explores every order (the descheduler's minPodAge, which reads the age, is refused)";
const ADOPTED: &str = "without it the reference is no controller's, and the owner whose selector matches the orphan adopts it (ClaimObject): here the same owner";
const OWNER_API: &str = "a controller is found by kind, name and uid; the group version names the kind's schema";
const BLOCK_DELETION: &str = "it makes the owner's foreground deletion wait for this object, and kbmc deletes no owner";
const FIXED_ANNOTATIONS: &str = "a fixed pod is never deleted by a modelled ReplicaSet or evicted by the descheduler (fixed-pods): its deletion cost and the descheduler's annotations have nothing to rank or protect";
const READINESS: &str =
    "readiness and its history; kbmc counts a Running pod ready (assumption snapshot-state, reported)";
const DEVICE_HEALTH: &str = "the health of devices a container holds through resource claims; kbmc's pods claim none (refused), and no modelled controller reads it";
const POD_LEVEL_STATUS: &str = "pod-level status resources count only for a pod with pod-level resources (PodRequests: IsPodLevelRequestsSet), which are refused";
const CLAIM_STATUS: &str = "it names the ResourceClaims made for the pod's resource claims; kbmc's pods claim no devices (refused), and devices a fixed pod holds matter only to pods that claim some";
const RESIZE_STATUS: &str = "the requests the kubelet reports are read (a pod whose reported requests differ from its spec's is refused), and this says only how a resize goes";

/// The rows of a snapshot's Pod: `Pod` is a pod of the Deployment's ReplicaSet, running;
/// `FixedPod` a bare pod, running, fixed load on its node.
fn pod_rows() -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for (root, of) in [("Pod", Of::Replica), ("FixedPod", Of::Fixed)] {
        let fixed = of == Of::Fixed;
        let by = |replica: Use, fixed_pod: Use| if fixed { fixed_pod } else { replica };
        rows.extend([
            (root, "apiVersion", Read, false, "v2"),
            (root, "kind", Read, false, "Service"),
            (root, "metadata", Read, false, "{name: x}"),
            // A Deployment's pods are counted per revision and node, not named; a bare pod is
            // listed by name.
            (root, "metadata.name", by(Inert("a Deployment's pods are counted per revision, node and phase, and named only in kbmc's messages"), Read), false, "other"),
            (root, "metadata.namespace", Read, false, "prod"),
            (root, "metadata.labels", by(Refused, Read), false, if fixed { "{app: api}" } else { "{app: web}" }),
            (
                root,
                "metadata.annotations",
                by(Refused, Inert(FIXED_ANNOTATIONS)),
                false,
                if fixed { "{descheduler.alpha.kubernetes.io/evict: \"true\"}" } else { "{controller.kubernetes.io/pod-deletion-cost: \"5\"}" },
            ),
            (root, "metadata.deletionTimestamp", by(Read, Refused), false, "2020-01-01T00:00:00Z"),
            (root, "metadata.deletionGracePeriodSeconds", Inert(DELAY), false, "30"),
            (root, "metadata.finalizers", by(Refused, Inert("finalizers only hold a pod's deletion, and a fixed pod is never deleted (fixed-pods)")), false, "[example.com/hold]"),
            (root, "metadata.creationTimestamp", Inert(POD_AGE), false, "2020-01-01T00:00:00Z"),
            (root, "metadata.uid", Inert(POD_AGE), false, "p-0"),
        ]);
        if fixed {
            // The controller reference, as a whole, names the owner a fixed pod is listed by.
            rows.push((
                root,
                "metadata.ownerReferences",
                Read,
                true,
                "[{apiVersion: batch/v1, kind: Job, name: j, uid: j-1, controller: true}]",
            ));
        } else {
            rows.extend([
                (
                    root,
                    "metadata.ownerReferences",
                    Read,
                    false,
                    "[{apiVersion: batch/v1, kind: Job, name: j, uid: j-1, controller: true}]",
                ),
                (root, "metadata.ownerReferences[].apiVersion", Inert(OWNER_API), false, "apps/v1beta2"),
                (root, "metadata.ownerReferences[].kind", Read, false, "Job"),
                (root, "metadata.ownerReferences[].name", Read, false, "web-other"),
                (root, "metadata.ownerReferences[].uid", Refused, false, "r-0"),
                (root, "metadata.ownerReferences[].controller", Inert(ADOPTED), false, "false"),
                (root, "metadata.ownerReferences[].blockOwnerDeletion", Inert(BLOCK_DELETION), false, "false"),
            ]);
        }
        rows.extend(meta_rows(
            root,
            "metadata.",
            BOOKKEEPING,
            &["creationTimestamp", "deletionGracePeriodSeconds", "ownerReferences", "uid"],
        ));
        rows.extend([
            (root, "status", Read, false, "{phase: Succeeded}"),
            (root, "status.phase", Read, false, "Succeeded"),
            (root, "status.qosClass", Refused, false, "Guaranteed"),
            (root, "status.conditions", Inert(READINESS), true, "[{type: Ready, status: \"False\"}]"),
            (root, "status.containerStatuses", Inert(READINESS), false, "[]"),
            // What a resize has reached: a status whose requests differ from the spec's is refused.
            (root, "status.containerStatuses[].resources", Refused, true, "{requests: {cpu: \"3\"}}"),
            // Counted only beside the status's resources (AggregateContainerRequests).
            (
                root,
                "status.containerStatuses[].allocatedResources",
                Refused,
                false,
                if fixed {
                    "@status.containerStatuses[]={name: c, ready: true, restartCount: 0, image: debug:1, imageID: x, resources: {requests: {cpu: 100m, memory: 128Mi}}, allocatedResources: {cpu: \"3\"}}"
                } else {
                    "{cpu: \"3\"}"
                },
            ),
            (root, "status.containerStatuses[].name", Inert("it names the container whose status this is: a status whose requests differ from its container's is refused, one of no container is not counted (AggregateContainerRequests)"), false, "other"),
            (root, "status.containerStatuses[].allocatedResourcesStatus", Inert(DEVICE_HEALTH), true, "[{name: claim:gpu, resources: [{resourceID: d, health: Unhealthy}]}]"),
            (root, "status.containerStatuses[].containerID", Inert(RUNTIME), false, "containerd://x"),
            (root, "status.containerStatuses[].image", Inert(IMAGE), false, "web:2"),
            (root, "status.containerStatuses[].imageID", Inert(IMAGE), false, "sha256:x"),
            (root, "status.containerStatuses[].ready", Inert(READINESS), false, "false"),
            (root, "status.containerStatuses[].started", Inert(READINESS), false, "false"),
            (root, "status.containerStatuses[].state", Inert(READINESS), true, "{waiting: {reason: CrashLoopBackOff}}"),
            (root, "status.containerStatuses[].lastState", Inert(READINESS), true, "{terminated: {exitCode: 1}}"),
            (root, "status.containerStatuses[].restartCount", Inert("restarts break ties among equal ranks in a ReplicaSet's scale-down, where kbmc explores every order"), false, "7"),
            (root, "status.containerStatuses[].stopSignal", Inert(RUNTIME), false, "SIGTERM"),
            (root, "status.containerStatuses[].user", Inert(RUNTIME), true, "{linux: {uid: 1000, gid: 1000}}"),
            (root, "status.containerStatuses[].volumeMounts", Inert(RUNTIME), true, "[{name: d, mountPath: /x}]"),
            (root, "status.initContainerStatuses", Inert("init containers' statuses count only for sidecars (AggregateContainerRequests), which are refused"), true, "[{name: i, ready: false, restartCount: 0, image: init:1, imageID: x, resources: {requests: {cpu: \"3\"}}}]"),
            (root, "status.ephemeralContainerStatuses", Inert("ephemeral containers carry no requests"), true, "[{name: debug, ready: false, restartCount: 0, image: busybox, imageID: x}]"),
            (root, "status.allocatedResources", Inert(POD_LEVEL_STATUS), false, "{cpu: \"3\"}"),
            (root, "status.resources", Inert(POD_LEVEL_STATUS), true, "{requests: {cpu: \"3\"}}"),
            (root, "status.resize", Inert(RESIZE_STATUS), false, "Infeasible"),
            (root, "status.observedGeneration", Inert(STATUS), false, "3"),
            (root, "status.resourceClaimStatuses", Inert(CLAIM_STATUS), true, "[{name: gpu, resourceClaimName: web-gpu}]"),
            (root, "status.extendedResourceClaimStatus", Inert(CLAIM_STATUS), true, "{resourceClaimName: web-ext, requestMappings: [{containerName: c, resourceName: example.com/gpu, requestName: r}]}"),
            // cpu or memory allocated through DRA claims counts on the node besides the requests.
            (root, "status.nodeAllocatableResourceClaimStatuses", Refused, true, "[{resourceClaimName: web-cpu, containers: [c], mapping: [{name: cpu, quantity: \"2\"}]}]"),
            (root, "status.volumeHealth", Inert("the health of the pod's volumes as the kubelet reports it; no modelled controller reads it"), true, "[{name: d, healthConditions: [{status: \"False\"}]}]"),
            (root, "status.hostIP", Inert(RUNTIME), false, "10.0.0.1"),
            (root, "status.hostIPs", Inert(RUNTIME), true, "[{ip: 10.0.0.1}]"),
            (root, "status.podIP", Inert(RUNTIME), false, "10.1.0.1"),
            (root, "status.podIPs", Inert(RUNTIME), true, "[{ip: 10.1.0.1}]"),
            (root, "status.message", Inert(STATUS), false, "x"),
            (root, "status.reason", Inert(STATUS), false, "x"),
            // Read on a pending pod, where it is refused (the scheduler tries the node first).
            (root, "status.nominatedNodeName", Inert("the node a preemption nominated an unbound pod to; the scheduler's nominator forgets a bound pod's (a pending pod of a Deployment with one is refused)"), false, "n1"),
            (root, "status.startTime", Inert("when the kubelet took the pod; the HPA's CPU initialization period, which reads it, is abstracted (assumption hpa, reported)"), false, "2020-01-01T00:00:00Z"),
        ]);
    }
    rows
}

/// The rows of a snapshot's ReplicaSet: the Deployment's current one, by its revision
/// annotation (its template carries what the API server defaults, the Deployment's was
/// written without it).
fn replica_set_rows() -> Vec<Row> {
    let rs = "ReplicaSet";
    let mut rows: Vec<Row> = vec![
        (rs, "apiVersion", Read, false, "apps/v1beta2"),
        (rs, "kind", Read, false, "StatefulSet"),
        (rs, "metadata", Read, false, "{name: web-h1}"),
        (rs, "metadata.name", Read, false, "web-other"),
        (rs, "metadata.namespace", Read, false, "prod"),
        // Its Deployment's selector must match them (ClaimReplicaSets releases it otherwise).
        (rs, "metadata.labels", Refused, false, "{app: other}"),
        // The revision marks it current where the templates differ.
        (rs, "metadata.annotations", Read, false, "{x: y}"),
        (rs, "metadata.deletionTimestamp", Refused, false, "2020-01-01T00:00:00Z"),
        (rs, "metadata.finalizers", Inert(FINALIZERS), false, "[example.com/hold]"),
        // Its pods' controller references carry it.
        (rs, "metadata.uid", Refused, false, "r-0"),
        (rs, "metadata.ownerReferences", Read, false, "[{apiVersion: apps/v1, kind: StatefulSet, name: s, uid: s-1, controller: true}]"),
        (rs, "metadata.ownerReferences[].apiVersion", Inert(OWNER_API), false, "apps/v1beta2"),
        (rs, "metadata.ownerReferences[].kind", Read, false, "StatefulSet"),
        (rs, "metadata.ownerReferences[].name", Read, false, "api"),
        (rs, "metadata.ownerReferences[].uid", Refused, false, "d-0"),
        (rs, "metadata.ownerReferences[].controller", Inert(ADOPTED), false, "false"),
        (rs, "metadata.ownerReferences[].blockOwnerDeletion", Inert(BLOCK_DELETION), false, "false"),
        (rs, "spec", Read, false, "{selector: {matchLabels: {app: web, pod-template-hash: h1}}}"),
        (rs, "spec.minReadySeconds", Inert(DELAY), false, "30"),
        // Outside a rollout it must be its Deployment's (2 here).
        (rs, "spec.replicas", Refused, false, "3"),
        // Which pods it keeps and adopts; it must match its template.
        (rs, "spec.selector", Read, true, "{matchLabels: {app: web, tier: x}}"),
        // Equal to the Deployment's (ignoring pod-template-hash) it is current; current by the
        // revision, it must agree with the Deployment's on what kbmc reads (refused here);
        // else it is an older revision, read as a Deployment's template.
        (rs, "spec.template", Read, true, "{metadata: {labels: {app: web, pod-template-hash: h1}}, spec: {containers: [{name: c, image: web:1, resources: {requests: {cpu: \"2\", memory: 1Gi}}}]}}"),
        (rs, "status", Inert(STATUS), true, "{replicas: 5, readyReplicas: 1}"),
    ];
    rows.extend(meta_rows(rs, "metadata.", BOOKKEEPING, &["ownerReferences", "uid"]));
    rows
}

/// The volume sources other than the three read above: refused where the scheduler's volume
/// plugins (VolumeRestrictions, NodeVolumeLimits, VolumeBinding) act on them, else inert.
fn volume_rows(root: &'static str, prefix: &str) -> Vec<Row> {
    const SCHEDULED: [&str; 10] = [
        "awsElasticBlockStore",
        "azureDisk",
        "cinder",
        "csi",
        "ephemeral",
        "gcePersistentDisk",
        "iscsi",
        "portworxVolume",
        "rbd",
        "vsphereVolume",
    ];
    const MOUNTED: [&str; 17] = [
        "azureFile",
        "cephfs",
        "configMap",
        "downwardAPI",
        "fc",
        "flexVolume",
        "flocker",
        "gitRepo",
        "glusterfs",
        "image",
        "nfs",
        "photonPersistentDisk",
        "projected",
        "quobyte",
        "scaleIO",
        "secret",
        "storageos",
    ];
    let p = |f: &str| -> &'static str { Box::leak(format!("{prefix}.{f}").into_boxed_str()) };
    // `{}`: k8s-openapi fills a source's required fields with defaults.
    let refused = SCHEDULED.iter().map(|f| (root, p(f), Refused, true, "{}"));
    refused.chain(MOUNTED.iter().map(|f| (root, p(f), Inert(VOLUME), true, "{}"))).collect()
}

/// The VerticalPodAutoscaler's rows (kbmc's own struct, fields as upstream's API types).
fn vpa_rows() -> Vec<Row> {
    const V: &str = "VerticalPodAutoscaler";
    const CP: &str = "spec.resourcePolicy.containerPolicies[]";
    let mut rows: Vec<Row> = vec![
        (V, "apiVersion", Read, false, "autoscaling.k8s.io/v1beta2"),
        (V, "kind", Read, false, "Scale"),
        (V, "metadata", Read, false, "{name: other}"),
        (V, "metadata.name", Read, false, "other"),
        (V, "metadata.namespace", Read, false, "prod"),
        (V, "metadata.labels", Inert(OWN_LABELS), false, "{tier: x}"),
        (V, "metadata.annotations", Inert(OWN_LABELS), false, "{x: y}"),
        (V, "metadata.deletionTimestamp", Refused, false, "2020-01-01T00:00:00Z"),
        (V, "metadata.finalizers", Inert(FINALIZERS), false, "[example.com/hold]"),
        (V, "spec", Read, false, "{targetRef: {kind: Deployment, name: web}}"),
        (V, "spec.targetRef", Read, false, "{kind: StatefulSet, name: web}"),
        (V, "spec.targetRef.apiVersion", Read, false, "apps/v1beta1"),
        (V, "spec.targetRef.kind", Read, false, "StatefulSet"),
        (V, "spec.targetRef.name", Read, false, "other"),
        (V, "spec.updatePolicy", Read, false, "{updateMode: Initial}"),
        (V, "spec.updatePolicy.updateMode", Read, false, "Initial"),
        (V, "spec.updatePolicy.minReplicas", Read, false, "3"),
        (
            V,
            "spec.updatePolicy.evictionRequirements",
            Refused,
            false,
            "[{resources: [cpu], changeRequirement: TargetHigherThanRequests}]",
        ),
        (V, "spec.updatePolicy.evictAfterOOMSeconds", Refused, false, "60"),
        (V, "spec.resourcePolicy", Read, false, "{}"),
        (V, "spec.resourcePolicy.containerPolicies", Read, false, "[]"),
        (V, "spec.recommenders", Refused, false, "[{name: custom}]"),
        (
            V,
            "status",
            Inert("the recommender writes it; kbmc computes the recommendations from the usage the spec gives"),
            false,
            "{recommendation: {containerRecommendations: []}}",
        ),
    ];
    for (field, value) in [
        ("containerName", "other"),
        ("mode", "\"Off\""),
        ("minAllowed", "{cpu: \"2\"}"),
        ("maxAllowed", "{cpu: 200m}"),
        ("controlledResources", "[memory]"),
        ("controlledValues", "RequestsOnly"),
    ] {
        let path: &'static str = Box::leak(format!("{CP}.{field}").into_boxed_str());
        rows.push((V, path, Read, false, value));
    }
    rows.extend(meta_rows(V, "metadata.", BOOKKEEPING, &[]));
    rows
}
