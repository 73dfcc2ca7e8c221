//! The "nothing accepted is silently ignored" guard: every field kbmc's own manifest structs
//! accept (src/manifest: KubeSchedulerConfiguration, DeschedulerPolicy and each plugin's
//! args) is either read by the IR builder or listed as unable to change the model, with the
//! reason, and both claims are checked.
//!
//! - The accepted fields are derived from the serde structs themselves: a tracing
//!   `Deserializer` answers each `deserialize_struct` with every name serde's derive lists in
//!   its `FIELDS` (renames applied) and descends into each field's type, so a field added to
//!   a struct appears here without anyone listing it.
//! - `TABLE` gives each field path `Read` or `Inert(reason)`, with a YAML value to set it to
//!   in a base fixture that builds. `Read`: setting it changes what loading and building
//!   give (the IR, its warnings or its errors). `Inert`: setting it changes none of that.
//!   So a field that stops being read fails its `Read` row, and a field listed as inert that
//!   starts to matter fails its `Inert` row.
//! - Every traced path needs a row (or an ancestor row marked as covering its subtree, used
//!   only for a subtree refused or read as a whole), and every row a traced path.
//!
//! The Kubernetes kinds (Deployment, Node, HPA) are k8s-openapi's types with every field of
//! the API; they are outside this guard (the pod-spec fields that would change behaviour are
//! refused in src/ir/pod.rs by name).

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::Path;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use kbmc::manifest::descheduler as ds;
use kbmc::manifest::scheduler_config as sc;
use kbmc::manifest::{load_text, Inputs, LoadOptions};

// ---- the tracer ------------------------------------------------------------------------------

/// A Deserializer that produces a value of any serde-derived struct while recording, for
/// every struct it meets, each field's path (`a.b[].c`: `[]` an element of a sequence).
struct Tracer<'a> {
    path: String,
    seen: &'a RefCell<BTreeSet<String>>,
}

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
        Tracer { path, seen: self.seen }
    }
}

impl<'de, 'a> Deserializer<'de> for Tracer<'a> {
    type Error = TraceError;
    /// Opaque values (serde_yaml::Value) and anything untyped: null.
    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_unit()
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
        v.visit_str("")
    }
    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_str("")
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
    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, v: V) -> Result<V::Value, TraceError> {
        v.visit_newtype_struct(self)
    }
    /// One element, traced under `path[]`.
    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        let path = format!("{}[]", self.path);
        v.visit_seq(One { item: Some(Tracer { path, seen: self.seen }) })
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
    /// Maps of the structs here hold strings and numbers: an empty one.
    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_map(Fields { fields: &[], at: 0, parent: self })
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, TraceError> {
        for f in fields {
            self.seen.borrow_mut().insert(self.child(f).path);
        }
        v.visit_map(Fields { fields, at: 0, parent: self })
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
struct Fields<'a> {
    fields: &'static [&'static str],
    at: usize,
    parent: Tracer<'a>,
}

impl<'de, 'a> MapAccess<'de> for Fields<'a> {
    type Error = TraceError;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, TraceError> {
        let Some(name) = self.fields.get(self.at) else { return Ok(None) };
        seed.deserialize(de::value::StrDeserializer::<TraceError>::new(name)).map(Some)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, TraceError> {
        let name = self.fields[self.at];
        self.at += 1;
        seed.deserialize(self.parent.child(name))
    }
}

/// Every field path of `T` (and of the structs inside it).
fn fields_of<T: de::DeserializeOwned>() -> BTreeSet<String> {
    let seen = RefCell::new(BTreeSet::new());
    T::deserialize(Tracer { path: String::new(), seen: &seen }).unwrap_or_else(|e| panic!("tracing: {e}"));
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
    ];
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
            other => panic!("{name}: {other:?}"),
        }
    }
    roots
}

/// The scheduler plugins whose args kbmc decodes, each one's index in the base fixture's
/// `pluginConfig`.
const SCHEDULER_PLUGINS: [&str; 4] =
    ["NodeResourcesFit", "NodeResourcesBalancedAllocation", "PodTopologySpread", "NodeAffinity"];
/// The descheduler plugins whose args kbmc decodes, likewise.
const DESCHEDULER_PLUGINS: [&str; 6] = [
    "DefaultEvictor",
    "RemoveDuplicates",
    "RemovePodsViolatingTopologySpreadConstraint",
    "LowNodeUtilization",
    "RemovePodsViolatingNodeTaints",
    "RemovePodsViolatingNodeAffinity",
];

// ---- the base fixture ----------------------------------------------------------------------

/// A cluster that builds: 101 node slots (so that percentageOfNodesToScore matters), one
/// Deployment, a KubeSchedulerConfiguration and a DeschedulerPolicy naming every plugin whose
/// args kbmc decodes, in the orders above.
const CLUSTER: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: web:1, resources: {requests: {cpu: "1", memory: 1Gi}}}]
---
apiVersion: kbmc.dev/v1alpha1
kind: Verification
spec:
  nodePools:
    - {name: a, count: 100, labels: {topology.kubernetes.io/zone: a}, capacity: {cpu: "8", memory: 8Gi}}
    - {name: b, count: 1, labels: {topology.kubernetes.io/zone: b}, capacity: {cpu: "8", memory: 8Gi}}
  workloads: [{deployment: web, placement: [{node: a-0, count: 2}]}]
"#;

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
    plugins:
      deschedule: {enabled: [RemovePodsViolatingNodeTaints, RemovePodsViolatingNodeAffinity]}
      balance: {enabled: [RemoveDuplicates, RemovePodsViolatingTopologySpreadConstraint, LowNodeUtilization]}
"#;

/// Where a root's paths start in the base fixture: (document, YAML path prefix).
fn anchor(root: &str) -> (&'static str, String) {
    if root == "KubeSchedulerConfiguration" {
        return (SCHEDULER, String::new());
    }
    if root == "DeschedulerPolicy" {
        return (DESCHEDULER, String::new());
    }
    if let Some(i) = SCHEDULER_PLUGINS.iter().position(|p| *p == root) {
        return (SCHEDULER, format!("profiles[].pluginConfig[{i}].args"));
    }
    let i = DESCHEDULER_PLUGINS.iter().position(|p| *p == root).expect("a root");
    (DESCHEDULER, format!("profiles[].pluginConfig[{i}].args"))
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

enum Use {
    /// The builder reads it: the value given changes the outcome.
    Read,
    /// It cannot change the model, for the reason given: the value given changes nothing.
    Inert(&'static str),
}
use Use::{Inert, Read};

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
    ("DefaultEvictor", "evictDaemonSetPods", Inert("kbmc models no DaemonSet pods"), false, "true"),
    (
        "DefaultEvictor",
        "evictSystemCriticalPods",
        Inert("kbmc models no system-critical pods (priorities are refused on input)"),
        false,
        "true",
    ),
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
    ("LowNodeUtilization", "evictableNamespaces.include", Read, false, "[default]"),
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
];

const DISABLED: &str =
    "the descheduler builds each extension point from `enabled` alone and never reads `disabled` (pkg/framework/profile/profile.go, NewProfile)";
const UNUSED_POINT: &str =
    "the descheduler's profiles run no presort or sort plugins (pkg/framework/profile/profile.go builds deschedule, balance, filter and preEvictionFilter only)";

/// The row covering `path` of `root`: its own, or a subtree row above it.
fn row_for<'t>(root: &str, path: &str) -> Option<&'t Row> {
    TABLE.iter().find(|r| r.0 == root && r.1 == path).or_else(|| {
        TABLE.iter().find(|r| {
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
    let stale: Vec<String> = TABLE
        .iter()
        .filter(|r| !roots.iter().any(|(root, paths)| *root == r.0 && paths.contains(r.1)))
        .map(|r| format!("{}: {}", r.0, r.1))
        .collect();
    assert!(stale.is_empty(), "rows naming no accepted field:\n{}", stale.join("\n"));
}

/// Each row's claim holds on the base fixture: setting a `Read` field changes what loading
/// and building give, setting an `Inert` one changes nothing.
#[test]
fn read_fields_change_the_model_and_inert_ones_do_not() {
    let base = [CLUSTER.to_string(), SCHEDULER.to_string(), DESCHEDULER.to_string()];
    let before = outcome(&base);
    assert!(before.is_ok(), "the base fixture builds: {before:?}");
    let mut wrong = Vec::new();
    for (root, path, used, _, value) in TABLE {
        let (doc, prefix) = anchor(root);
        let full = if prefix.is_empty() { path.to_string() } else { format!("{prefix}.{path}") };
        let mut docs = base.clone();
        let i = docs.iter().position(|d| d == doc).expect("the root's document");
        docs[i] = set(doc, &full, value);
        let after = outcome(&docs);
        match used {
            Read if after == before => {
                wrong.push(format!("{root}: {path} = {value}: marked read, but the model is the same"))
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
/// sequences and options, and a foreign type's fields (k8s-openapi's NodeAffinity).
#[test]
fn the_tracer_sees_every_field() {
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
