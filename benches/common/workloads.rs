//! The workloads benchmark's clusters, written to disk: `n` Deployments of 3 replicas with a
//! soft zone spread on `m` nodes in three zone pools, under a descheduler, one node failure
//! and a `noEvictionCycle` intent per Deployment; microservices-demo's published manifests
//! (tests/corpus/microservices-demo) on one pool of `m` nodes with one node failure; and live
//! snapshots of microservices-demo copied into `k` namespaces on `3k` nodes, grown from the
//! hand-written snapshot tests/fixtures/live/microservices-demo-3z (no Verification: kbmc
//! infers the spec), and the same with capacity made tight (no node with room for another
//! pod) beside a Verification of one node failure and `podAlwaysSchedulable`; and live
//! snapshots of bookinfo copied into `k` namespaces on `4k` nodes, grown the same way from
//! tests/fixtures/live/bookinfo-4n2z. Shared by the workloads bench and the integration tests
//! (through `#[path]`), so both check the same clusters. Writes files only: running kbmc on
//! them is the caller's.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

/// The step bound every generated Verification sets (`spec.bounds.steps`).
pub const STEPS: u32 = 30;

/// Replicas of each generated Deployment: one per zone.
pub const REPLICAS: usize = 3;

/// The zones the generated nodes are spread over, one node pool each.
pub const ZONES: [&str; 3] = ["zone-a", "zone-b", "zone-c"];

/// The folder of microservices-demo's manifests in the corpus.
pub fn microservices_demo_corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/microservices-demo")
}

/// The nodes of each zone pool for `m` nodes in all: `m / 3` each, the first `m % 3` zones
/// one more. A zone left with none has no pool.
pub fn zone_counts(m: usize) -> [usize; 3] {
    let mut c = [m / 3; 3];
    for x in c.iter_mut().take(m % 3) {
        *x += 1;
    }
    c
}

/// Writes the generated cluster of `n` Deployments on `m` nodes into `dir` (created):
/// deployments.yaml (a `kind: List`), descheduler-policy.yaml and verification.yaml.
///
/// Each Deployment `app-<i>` (namespace `default`) asks for [`REPLICAS`] pods of 100m CPU and
/// 128Mi, spread over `topology.kubernetes.io/zone` with `maxSkew: 1` and `ScheduleAnyway`.
/// Nodes (8 CPU, 32Gi) form one pool per zone ([`zone_counts`]); the cluster starts with each
/// Deployment's pods running one per zone, on the zone's nodes in turn, so that the run is
/// spent on the failure and what the descheduler makes of it. The descheduler runs
/// RemoveDuplicates and RemovePodsViolatingTopologySpreadConstraint (soft constraints
/// included); one node may fail (and recover); `noEvictionCycle` is asked of every Deployment
/// within [`STEPS`] steps.
pub fn write(dir: &Path, n: usize, m: usize) -> io::Result<()> {
    if n == 0 || m < ZONES.len() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{n} Deployment(s) on {m} node(s): the generator needs at least 1 Deployment and 3 nodes (one per zone)"),
        ));
    }
    std::fs::create_dir_all(dir)?;
    let mut d = String::from("apiVersion: v1\nkind: List\nitems:\n");
    for i in 0..n {
        d.push_str(&format!(
            "- apiVersion: apps/v1
  kind: Deployment
  metadata: {{name: app-{i}, namespace: default}}
  spec:
    replicas: {REPLICAS}
    selector: {{matchLabels: {{app: app-{i}}}}}
    template:
      metadata: {{labels: {{app: app-{i}}}}}
      spec:
        containers:
        - name: c
          image: registry.example.com/app:1
          resources: {{requests: {{cpu: 100m, memory: 128Mi}}}}
        topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: ScheduleAnyway
          labelSelector: {{matchLabels: {{app: app-{i}}}}}
"
        ));
    }
    std::fs::write(dir.join("deployments.yaml"), d)?;
    std::fs::write(
        dir.join("descheduler-policy.yaml"),
        "apiVersion: descheduler/v1alpha2
kind: DeschedulerPolicy
profiles:
  - name: default
    pluginConfig:
      - name: RemoveDuplicates
      - name: RemovePodsViolatingTopologySpreadConstraint
        args:
          constraints: [DoNotSchedule, ScheduleAnyway]
    plugins:
      balance:
        enabled: [RemoveDuplicates, RemovePodsViolatingTopologySpreadConstraint]
",
    )?;
    let counts = zone_counts(m);
    let mut v = format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nmetadata: {{name: workloads-n{n}-m{m}}}\nspec:\n  nodePools:\n");
    for (zone, &count) in ZONES.iter().zip(&counts) {
        v.push_str(&format!(
            "    - name: {zone}\n      count: {count}\n      labels: {{topology.kubernetes.io/zone: {zone}}}\n      capacity: {{cpu: \"8\", memory: 32Gi}}\n"
        ));
    }
    v.push_str("  workloads:\n");
    for i in 0..n {
        v.push_str(&format!("    - deployment: app-{i}\n      placement:\n"));
        // One replica per zone, on that zone's nodes in turn as the Deployments go.
        for (zone, &count) in ZONES.iter().zip(&counts) {
            v.push_str(&format!("        - {{node: {zone}-{}, count: 1}}\n", i % count));
        }
    }
    v.push_str("  events:\n    - type: nodeFailure\n      budget: 1\n  intents:\n");
    for i in 0..n {
        v.push_str(&format!("    - {{type: noEvictionCycle, deployment: app-{i}}}\n"));
    }
    v.push_str(&format!("  bounds: {{steps: {STEPS}}}\n"));
    std::fs::write(dir.join("verification.yaml"), v)
}

/// Writes microservices-demo on `m` nodes into `dir` (created): the corpus's published
/// manifests and licence, unchanged, and a verification.yaml with one pool of `m` nodes of
/// 4 CPU and 16Gi, one node failure (and recovery) and `podAlwaysSchedulable` within
/// [`STEPS`] steps. The corpus's nodes.yaml is not copied: the pool is the cluster.
pub fn write_microservices_demo(dir: &Path, m: usize) -> io::Result<()> {
    if m == 0 {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "microservices-demo on 0 nodes: give at least 1"));
    }
    std::fs::create_dir_all(dir)?;
    let corpus = microservices_demo_corpus();
    for f in ["kubernetes-manifests.yaml", "LICENSE"] {
        std::fs::copy(corpus.join(f), dir.join(f))?;
    }
    std::fs::write(
        dir.join("verification.yaml"),
        format!(
            "apiVersion: kbmc.dev/v1alpha1
kind: Verification
metadata: {{name: microservices-demo-m{m}}}
spec:
  nodePools:
    - name: node
      count: {m}
      capacity: {{cpu: \"4\", memory: 16Gi}}
  events:
    - type: nodeFailure
      budget: 1
  intents:
    - type: podAlwaysSchedulable
  bounds: {{steps: {STEPS}}}
"
        ),
    )
}

/// The live snapshots a family of snapshots is grown from (each folder's README.md says what
/// it holds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum App {
    /// tests/fixtures/live/microservices-demo-3z: twelve one-replica Deployments on three AWS
    /// nodes, one per zone, placed round-robin; kube-proxy as a DaemonSet.
    MicroservicesDemo,
    /// tests/fixtures/live/bookinfo-4n2z: six Deployments (productpage with two replicas under
    /// a PodDisruptionBudget) on four GKE nodes in two zones; fluentbit as a DaemonSet.
    Bookinfo,
}

impl App {
    /// The fixture's folder.
    pub fn fixture(self) -> PathBuf {
        let dir = match self {
            App::MicroservicesDemo => "microservices-demo-3z",
            App::Bookinfo => "bookinfo-4n2z",
        };
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/live").join(dir)
    }

    /// The fixture's nodes: a snapshot of `k` copies has `k` times as many.
    pub fn nodes(self) -> usize {
        match self {
            App::MicroservicesDemo => 3,
            App::Bookinfo => 4,
        }
    }

    /// The namespace of copy `c` of the application in a snapshot: `default` for the first
    /// (the fixture's own namespace), `shop-<c>` or `bookinfo-<c>` for the others.
    pub fn namespace(self, c: usize) -> String {
        match (c, self) {
            (0, _) => "default".to_string(),
            (c, App::MicroservicesDemo) => format!("shop-{c}"),
            (c, App::Bookinfo) => format!("bookinfo-{c}"),
        }
    }
}

/// Writes a live snapshot of microservices-demo copied into `k` namespaces on `3k` nodes into
/// `dir` (created): one cluster.yaml, a `kind: List` as `kubectl get
/// nodes,deploy,rs,pods,hpa,ds -A -o yaml` prints it, and no Verification.
///
/// Every object is one of the fixture's ([`live_fixture`]) with its shape, status and
/// bookkeeping kept; what a copy changes is what the API server would give it of its own:
/// - Nodes: `k` per zone (eu-west-1a, b, c), the fixture's node of that zone and copies of it
///   whose host part of the name goes up by one (`ip-10-0-1-17`, `ip-10-0-1-18`, ...), each
///   with its own uid and providerID. The nodes are listed zone by zone in turn: a, b, c, a, ...
/// - The twelve Deployments of the `default` namespace, each with its ReplicaSet and Running
///   pod, once per namespace [`shop_namespace`]`(0..k)` under the same names and
///   `pod-template-hash` (the hash is of the pod template, which a namespace does not change),
///   with their own uids and ownerReferences to them. Pod `j` of copy `c` runs on node
///   `(12c + j) mod 3k` in the listing order (round-robin, as the fixture places its pods).
/// - kube-system as in the fixture (CoreDNS's two pods and metrics-server's stay on the
///   fixture's nodes), and the kube-proxy DaemonSet with one Running pod per node, each with
///   the DaemonSet controller's affinity to its node's name; its status counts `3k` nodes.
///
/// A pod other than the fixture's own on its fixture node gets its node's address as `hostIP`
/// and a `podIP` of its own (the node's for a hostNetwork pod, else in 100.64.0.0/16). Refused (nothing
/// written) when `k` is 0, when a name or address would run out of range, or when the pods
/// placed on a node would request more CPU, memory or pods than its allocatable.
pub fn write_snapshot(dir: &Path, k: usize) -> io::Result<()> {
    let items = snapshot(App::MicroservicesDemo, k)?;
    write_list(
        dir,
        App::MicroservicesDemo,
        &format!("A live snapshot of microservices-demo in {k} namespace(s) on {} nodes", 3 * k),
        items,
    )
}

/// Writes a live snapshot of bookinfo copied into `k` namespaces on `4k` nodes into `dir`
/// (created), grown from tests/fixtures/live/bookinfo-4n2z as [`write_snapshot`] grows
/// microservices-demo's, with these differences:
/// - Nodes: copy `i` of each of the fixture's four GKE nodes, listed in the fixture's order
///   copy by copy (zones b, b, c, c, b, ...), named as GKE names a pool's instances (the last
///   four characters its own, from its uid), with its InternalIP, ExternalIP and podCIDR
///   moved on by `4i` addresses (subnets), and its providerID and annotations naming it.
/// - The six Deployments of `default`, their ReplicaSets, their seven pods and productpage's
///   PodDisruptionBudget, once per namespace [`App::namespace`]`(0..k)`. The seven pods of
///   each copy are dealt round-robin over the nodes in listing order, as microservices-demo's
///   fixture deals its own: pod `j` of copy `c` runs on node `(7c + j) mod 4k`. So the
///   snapshot of one copy is the fixture with its pods dealt anew (both productpage pods
///   still in two zones), not the fixture itself.
/// - A pod placed anew gets an address of its node's podCIDR (`.100` on), or its node's
///   InternalIP on the host network.
/// - kube-system as in the fixture (kube-dns's two pods and metrics-server's stay on the
///   fixture's nodes), and the fluentbit DaemonSet with one Running pod per node.
pub fn write_bookinfo_snapshot(dir: &Path, k: usize) -> io::Result<()> {
    let items = snapshot(App::Bookinfo, k)?;
    write_list(
        dir,
        App::Bookinfo,
        &format!("A live snapshot of bookinfo in {k} namespace(s) on {} nodes", 4 * k),
        items,
    )
}

/// Headroom a tight snapshot leaves on each node, in millicores: below the smallest CPU request
/// of a shop pod (70m), so that no pod fits anywhere but where it runs.
pub const TIGHT_HEADROOM_MILLICORES: u64 = 50;

/// Writes [`write_snapshot`]'s snapshot with capacity made tight, and a Verification beside it
/// (spec.yaml): each node's allocatable CPU is what its pods request plus
/// [`TIGHT_HEADROOM_MILLICORES`], so a replacement for any pod of a failed node fits on no
/// other; the spec has one node failure (any node, which may recover) and
/// `podAlwaysSchedulable`. Every node is a node pool of its own (their allocatable differs).
pub fn write_tight_snapshot(dir: &Path, k: usize) -> io::Result<()> {
    let mut items = snapshot(App::MicroservicesDemo, k)?;
    let load = node_loads(&items).map_err(|e| bad(format!("a snapshot of {k} copies: {e}")))?;
    for o in items.iter_mut().filter(|o| o["kind"] == "Node") {
        let name = text(o, &["metadata", "name"]).map_err(bad)?.to_string();
        let cpu = load[&name].0 + TIGHT_HEADROOM_MILLICORES;
        o["status"]["allocatable"]["cpu"] = Value::from(format!("{cpu}m"));
    }
    check_snapshot(&items).map_err(|e| bad(format!("a tight snapshot of {k} copies: {e}")))?;
    write_list(
        dir,
        App::MicroservicesDemo,
        &format!(
            "A live snapshot of microservices-demo in {k} namespace(s) on {} nodes, each node's allocatable CPU {TIGHT_HEADROOM_MILLICORES}m above its pods' requests",
            3 * k
        ),
        items,
    )?;
    std::fs::write(
        dir.join("spec.yaml"),
        "# One node failure on a cluster with no room to spare: its pods' replacements fit nowhere.\n\
         apiVersion: kbmc.dev/v1alpha1\n\
         kind: Verification\n\
         metadata:\n  name: tight\n\
         spec:\n  \
           events:\n    - type: nodeFailure\n      budget: 1\n      recovery: true\n  \
           intents:\n    - type: podAlwaysSchedulable\n",
    )
}

/// The objects of a snapshot of `k` copies of `app`, checked ([`check_snapshot`]).
fn snapshot(app: App, k: usize) -> io::Result<Vec<Value>> {
    if k == 0 {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "a snapshot of 0 copies: give at least 1"));
    }
    let path = app.fixture().join("cluster.yaml");
    let text = std::fs::read_to_string(&path)?;
    let fixture: Value = serde_yaml::from_str(&text).map_err(|e| bad(format!("{}: {e}", path.display())))?;
    let f = Fixture::read(app, &fixture).map_err(|e| bad(format!("{}: {e}", path.display())))?;
    let items = f.grow(k).map_err(|e| bad(format!("a snapshot of {k} copies: {e}")))?;
    check_snapshot(&items).map_err(|e| bad(format!("a snapshot of {k} copies: {e}")))?;
    Ok(items)
}

/// Writes `items` into `dir` (created) as one cluster.yaml, a `kind: List`, under a comment
/// line that says what it is and which of `app`'s fixtures it was grown from.
fn write_list(dir: &Path, app: App, what: &str, items: Vec<Value>) -> io::Result<()> {
    let mut list = Mapping::new();
    list.insert("apiVersion".into(), "v1".into());
    list.insert("kind".into(), "List".into());
    let mut meta = Mapping::new();
    meta.insert("resourceVersion".into(), "".into());
    list.insert("metadata".into(), Value::Mapping(meta));
    list.insert("items".into(), Value::Sequence(items));
    let body = serde_yaml::to_string(&Value::Mapping(list)).map_err(|e| bad(e.to_string()))?;
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("cluster.yaml"),
        format!(
            "# {what}, written by\n# benches/common/workloads.rs from tests/fixtures/live/{}.\n{body}",
            app.fixture().file_name().map_or(String::new(), |f| f.to_string_lossy().into_owned())
        ),
    )
}

fn bad(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// The fixture's objects, sorted into what a snapshot copies.
struct Fixture {
    app: App,
    /// The nodes, in the fixture's order.
    nodes: Vec<Value>,
    /// The application: each object of `default` (Deployments with their ReplicaSets and
    /// pods, PodDisruptionBudgets), in order.
    shop: Vec<Value>,
    /// kube-system's objects other than its DaemonSet's pods, in order.
    system: Vec<Value>,
    /// The DaemonSet pod of each node (kube-proxy's, fluentbit's), in the order of `nodes`.
    proxies: Vec<Value>,
}

fn text<'a>(v: &'a Value, path: &[&str]) -> Result<&'a str, String> {
    let mut x = v;
    for p in path {
        x = x.get(p).ok_or_else(|| format!("{} has no {}", describe(v), path.join(".")))?;
    }
    x.as_str().ok_or_else(|| format!("{}: {} is not a string", describe(v), path.join(".")))
}

fn describe(v: &Value) -> String {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("?").to_string();
    let name = v.get("metadata").and_then(|m| m.get("name")).and_then(Value::as_str).unwrap_or("?");
    format!("{} {name}", s("kind"))
}

impl Fixture {
    fn read(app: App, fixture: &Value) -> Result<Fixture, String> {
        let items = fixture.get("items").and_then(Value::as_sequence).ok_or("no items: not a kind: List")?;
        let mut f = Fixture { app, nodes: Vec::new(), shop: Vec::new(), system: Vec::new(), proxies: Vec::new() };
        let mut proxies = Vec::new();
        for item in items {
            let kind = text(item, &["kind"])?;
            text(item, &["metadata", "name"])?;
            text(item, &["metadata", "uid"])?;
            text(item, &["metadata", "resourceVersion"])?;
            if kind == "Node" {
                text(item, &["spec", "providerID"])?;
                f.nodes.push(item.clone());
                continue;
            }
            if kind == "ReplicaSet" || kind == "Pod" {
                // Every ReplicaSet and pod has an owner a copy must point to anew.
                let owners = item["metadata"].get("ownerReferences").and_then(Value::as_sequence);
                if owners.is_none_or(|o| o.len() != 1) {
                    return Err(format!("{}: expected one ownerReference", describe(item)));
                }
            }
            if kind == "Pod" {
                text(item, &["spec", "nodeName"])?;
                text(item, &["status", "hostIP"])?;
                text(item, &["status", "podIP"])?;
            }
            match text(item, &["metadata", "namespace"])? {
                "default" => f.shop.push(item.clone()),
                "kube-system" if kind == "Pod" && item["metadata"]["ownerReferences"][0]["kind"] == "DaemonSet" => {
                    proxies.push(item.clone())
                }
                "kube-system" => f.system.push(item.clone()),
                ns => return Err(format!("{}: namespace {ns:?}, expected default or kube-system", describe(item))),
            }
        }
        if f.nodes.len() != app.nodes() {
            return Err(format!("{} nodes, expected {}", f.nodes.len(), app.nodes()));
        }
        // Each node's DaemonSet pod, in the nodes' order.
        for n in &f.nodes {
            let name = text(n, &["metadata", "name"])?;
            let mine: Vec<&Value> = proxies.iter().filter(|p| text(p, &["spec", "nodeName"]) == Ok(name)).collect();
            if mine.len() != 1 {
                return Err(format!("{} DaemonSet pods on {name}, expected one", mine.len()));
            }
            f.proxies.push(mine[0].clone());
        }
        if proxies.len() != f.nodes.len() {
            return Err(format!("{} DaemonSet pods on {} nodes", proxies.len(), f.nodes.len()));
        }
        Ok(f)
    }

    /// The items of the snapshot of `k` copies: nodes, the shop's copies, kube-system.
    fn grow(&self, k: usize) -> Result<Vec<Value>, String> {
        // Node slot `s` is copy `s / nf` of the fixture's node `s % nf`.
        let nf = self.nodes.len();
        let mut nodes = Vec::new();
        for s in 0..nf * k {
            nodes.push(node_copy(self.app, &self.nodes[s % nf], s / nf, nf)?);
        }
        let node_name = |s: usize| text(&nodes[s], &["metadata", "name"]).map(str::to_string);
        let mut items = nodes.clone();
        // The pods placed so far on each slot, for their addresses.
        let mut placed = vec![0usize; nf * k];
        let mut next_pod = 0;
        for c in 0..k {
            let ns = self.app.namespace(c);
            for obj in &self.shop {
                let mut o = obj.clone();
                o["metadata"]["namespace"] = Value::from(ns.clone());
                renumber(&mut o, c)?;
                if let Some(owners) = o["metadata"].get_mut("ownerReferences").and_then(Value::as_sequence_mut) {
                    let uid = text(&owners[0], &["uid"])?.to_string();
                    owners[0]["uid"] = Value::from(uid_copy(&uid, c)?);
                }
                if text(&o, &["kind"])? == "Pod" {
                    let s = next_pod % (nf * k);
                    next_pod += 1;
                    place(&mut o, c == 0, &nodes[s], s, &mut placed[s])?;
                }
                items.push(o);
            }
        }
        for obj in &self.system {
            let mut o = obj.clone();
            if text(&o, &["kind"])? == "DaemonSet" {
                for f in [
                    "currentNumberScheduled",
                    "desiredNumberScheduled",
                    "numberAvailable",
                    "numberReady",
                    "updatedNumberScheduled",
                ] {
                    o["status"][f] = Value::from((nf * k) as u64);
                }
            }
            items.push(o);
        }
        for s in 0..nf * k {
            let mut p = self.proxies[s % nf].clone();
            renumber(&mut p, s / nf)?;
            if s >= nf {
                let uid = text(&p, &["metadata", "uid"])?.to_string();
                let owner = text(&p["metadata"]["ownerReferences"][0], &["name"])?.to_string();
                p["metadata"]["name"] = Value::from(format!("{owner}-{}", suffix(&uid)?));
                let name = node_name(s)?;
                let values = p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
                    ["nodeSelectorTerms"][0]["matchFields"][0]["values"]
                    .as_sequence_mut()
                    .ok_or("the DaemonSet pod's node affinity has no matchFields values")?;
                *values = vec![Value::from(name)];
                place(&mut p, false, &nodes[s], s, &mut placed[s])?;
            }
            items.push(p);
        }
        Ok(items)
    }
}

/// Copy `i` of `uid` (0: itself): its first group XORed with a multiple of `i`, so copies
/// of one uid differ and copies of different uids stay apart ([`check_snapshot`] makes sure).
fn uid_copy(uid: &str, i: usize) -> Result<String, String> {
    if i == 0 {
        return Ok(uid.to_string());
    }
    let (head, tail) = uid.split_once('-').ok_or_else(|| format!("uid {uid:?} is not a UUID"))?;
    let h = u32::from_str_radix(head, 16).map_err(|_| format!("uid {uid:?} is not a UUID"))?;
    Ok(format!("{:08x}-{tail}", h ^ (i as u32).wrapping_mul(0x9e37_79b9)))
}

/// Copy `i` of an object's uid and resourceVersion (0: unchanged).
fn renumber(o: &mut Value, i: usize) -> Result<(), String> {
    let uid = uid_copy(text(o, &["metadata", "uid"])?, i)?;
    o["metadata"]["uid"] = Value::from(uid);
    let rv = text(o, &["metadata", "resourceVersion"])?;
    let rv: u64 = rv.parse().map_err(|_| format!("{}: resourceVersion {rv:?} is not a number", describe(o)))?;
    o["metadata"]["resourceVersion"] = Value::from((rv + 100_000 * i as u64).to_string());
    Ok(())
}

/// The 5-character suffix kube's name generator would give, taken from `uid`'s digits.
fn suffix(uid: &str) -> Result<String, String> {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let hex: String = uid.chars().filter(|c| *c != '-').collect();
    let mut x = u128::from_str_radix(&hex, 16).map_err(|_| format!("uid {uid:?} is not a UUID"))?;
    let mut s = String::new();
    for _ in 0..5 {
        s.push(ALPHABET[(x % ALPHABET.len() as u128) as usize] as char);
        x /= ALPHABET.len() as u128;
    }
    Ok(s)
}

/// Copy `i` of a fixture node of `app` (which has `nf` nodes), as [`aws_node_copy`] or
/// [`gke_node_copy`] names it.
fn node_copy(app: App, node: &Value, i: usize, nf: usize) -> Result<Value, String> {
    match app {
        App::MicroservicesDemo => aws_node_copy(node, i),
        App::Bookinfo => gke_node_copy(node, i, nf),
    }
}

/// Copy `i` of a GKE node of a fixture of `nf` nodes: `gke-<cluster>-<pool>-<group>-k7qd`
/// becomes `gke-<cluster>-<pool>-<group>-<four characters of its own>` (from its uid), with
/// its hostname label, uid, resourceVersion, providerID, annotations that name it and
/// `instance_id` to match, and its addresses and podCIDR moved on by `nf * i` (so that the
/// copies of `nf` nodes with consecutive ones have consecutive ones too).
fn gke_node_copy(node: &Value, i: usize, nf: usize) -> Result<Value, String> {
    let mut n = node.clone();
    if i == 0 {
        return Ok(n);
    }
    let name = text(node, &["metadata", "name"])?.to_string();
    let (prefix, _) = name.rsplit_once('-').ok_or_else(|| format!("node {name:?}: not named gke-...-XXXX"))?;
    renumber(&mut n, i)?;
    let uid = text(&n, &["metadata", "uid"])?.to_string();
    let new = format!("{prefix}-{}", &suffix(&uid)?[..4]);
    n["metadata"]["name"] = Value::from(new.clone());
    n["metadata"]["labels"]["kubernetes.io/hostname"] = Value::from(new.clone());
    let provider = text(&n, &["spec", "providerID"])?.to_string();
    n["spec"]["providerID"] = Value::from(provider.replace(&name, &new));
    if let Some(notes) = n["metadata"].get_mut("annotations").and_then(Value::as_mapping_mut) {
        for (key, v) in notes.iter_mut() {
            let Some(t) = v.as_str() else { continue };
            *v = if key.as_str() == Some("container.googleapis.com/instance_id") {
                let id: u64 = t.parse().map_err(|_| format!("node {name:?}: instance_id {t:?} is not a number"))?;
                Value::from((id + i as u64).to_string())
            } else {
                Value::from(t.replace(&name, &new))
            };
        }
    }
    let step = (nf * i) as u32;
    for a in n["status"]["addresses"].as_sequence_mut().into_iter().flatten() {
        let kind = text(a, &["type"])?.to_string();
        if kind == "Hostname" {
            a["address"] = Value::from(new.clone());
        } else {
            a["address"] = Value::from(ip_plus(text(a, &["address"])?, step)?);
        }
    }
    let cidr = text(&n, &["spec", "podCIDR"])?.to_string();
    let (base, bits) = cidr.split_once('/').ok_or_else(|| format!("node {name:?}: podCIDR {cidr:?}"))?;
    if bits != "24" {
        return Err(format!("node {name:?}: podCIDR {cidr:?}, expected a /24"));
    }
    let moved = format!("{}/24", ip_plus(base, step << 8)?);
    n["spec"]["podCIDR"] = Value::from(moved.clone());
    n["spec"]["podCIDRs"] = Value::Sequence(vec![Value::from(moved)]);
    Ok(n)
}

/// The IPv4 address `n` after `ip`; refused past the end of its /8.
fn ip_plus(ip: &str, n: u32) -> Result<String, String> {
    let a: std::net::Ipv4Addr = ip.parse().map_err(|_| format!("{ip:?} is not an IPv4 address"))?;
    let x = u32::from(a).checked_add(n).ok_or_else(|| format!("no address {n} after {ip}"))?;
    if x >> 24 != u32::from(a) >> 24 {
        return Err(format!("no address {n} after {ip} in its /8"));
    }
    Ok(std::net::Ipv4Addr::from(x).to_string())
}

/// Copy `i` of an AWS fixture node: `ip-10-0-1-17.<domain>` becomes
/// `ip-10-0-1-<17 + i>.<domain>`, with its hostname label, uid, resourceVersion and
/// providerID to match.
fn aws_node_copy(node: &Value, i: usize) -> Result<Value, String> {
    let mut n = node.clone();
    if i == 0 {
        return Ok(n);
    }
    let name = text(node, &["metadata", "name"])?;
    let (host, domain) = name.split_once('.').unwrap_or((name, ""));
    let (prefix, last) = host.rsplit_once('-').ok_or_else(|| format!("node {name:?}: not named ip-A-B-C-D"))?;
    let last: usize = last.parse().map_err(|_| format!("node {name:?}: not named ip-A-B-C-D"))?;
    if last + i > 254 {
        return Err(format!("node {name:?} has no copy {i}: its address would pass .254"));
    }
    let new =
        if domain.is_empty() { format!("{prefix}-{}", last + i) } else { format!("{prefix}-{}.{domain}", last + i) };
    n["metadata"]["name"] = Value::from(new.clone());
    n["metadata"]["labels"]["kubernetes.io/hostname"] = Value::from(new);
    renumber(&mut n, i)?;
    let uid = text(&n, &["metadata", "uid"])?.to_string();
    let provider = text(&n, &["spec", "providerID"])?;
    // aws:///<zone>/i-0<16 hex digits>: the instance id from the uid, as the fixture's are.
    let (zone, _) = provider.rsplit_once('/').ok_or_else(|| format!("node {name:?}: providerID {provider:?}"))?;
    let hex: String = uid.chars().filter(|c| *c != '-').take(16).collect();
    n["spec"]["providerID"] = Value::from(format!("{zone}/i-0{hex}"));
    Ok(n)
}

/// A node's address: its InternalIP where its status lists one, else what its name gives
/// (`ip-10-0-1-17...` is 10.0.1.17).
fn node_ip(node: &Value) -> Result<String, String> {
    let internal = node["status"]["addresses"].as_sequence().into_iter().flatten().find(|a| a["type"] == "InternalIP");
    if let Some(a) = internal {
        return text(a, &["address"]).map(str::to_string);
    }
    let name = text(node, &["metadata", "name"])?;
    let host = name.split('.').next().unwrap_or(name);
    let ip = host.strip_prefix("ip-").map(|h| h.replace('-', "."));
    ip.filter(|ip| ip.split('.').count() == 4).ok_or_else(|| format!("node {name:?}: not named ip-A-B-C-D"))
}

/// Puts pod `p` on `node` (slot `s`, which has `n` pods placed by the generator so far).
/// The fixture's own pod (`own`) that stays on its node keeps its addresses; any other gets
/// its own: its node's on the host network, else one of its node's podCIDR from `.100` on
/// where the node has one, else `100.64.<s>.<n>`.
fn place(p: &mut Value, own: bool, node: &Value, s: usize, n: &mut usize) -> Result<(), String> {
    let name = text(node, &["metadata", "name"])?.to_string();
    if own && text(p, &["spec", "nodeName"])? == name {
        return Ok(());
    }
    *n += 1;
    let host_ip = node_ip(node)?;
    let host_network = p["spec"].get("hostNetwork").and_then(Value::as_bool) == Some(true);
    if s > 255 || *n > 254 {
        return Err(format!("no pod address left for {} on slot {s}", describe(p)));
    }
    let pod_ip = match node["spec"].get("podCIDR").and_then(Value::as_str) {
        _ if host_network => host_ip.clone(),
        Some(cidr) if *n <= 155 => ip_plus(cidr.split('/').next().unwrap_or(cidr), 99 + *n as u32)?,
        Some(_) => return Err(format!("no pod address left for {} on {name}", describe(p))),
        None => format!("100.64.{s}.{n}"),
    };
    p["spec"]["nodeName"] = Value::from(name);
    if let Some(ips) = p["status"].get_mut("podIPs").and_then(Value::as_sequence_mut) {
        *ips = vec![Value::Mapping([("ip".into(), Value::from(pod_ip.clone()))].into_iter().collect())];
    }
    p["status"]["podIP"] = Value::from(pod_ip);
    p["status"]["hostIP"] = Value::from(host_ip);
    Ok(())
}

/// CPU in millicores, memory in bytes: a Kubernetes quantity of the forms the fixture uses
/// (`100m`, `4`, `0.5`; `64Mi`, `16Gi`, `83873772Ki`, `1G`, plain bytes).
fn quantity(v: &Value) -> Result<(u64, u64), String> {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => return Err(format!("quantity {other:?}")),
    };
    let err = || format!("quantity {s:?}");
    let (num, mult): (&str, f64) = [
        ("Ki", 1024f64),
        ("Mi", 1024f64.powi(2)),
        ("Gi", 1024f64.powi(3)),
        ("Ti", 1024f64.powi(4)),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("m", 1e-3),
    ]
    .iter()
    .find_map(|(suf, m)| s.strip_suffix(suf).map(|n| (n, *m)))
    .unwrap_or((&s, 1.0));
    let x = num.parse::<f64>().map_err(|_| err())? * mult;
    // As CPU (millicores) and as memory (bytes): the caller knows which it asked.
    Ok(((x * 1000.0).round() as u64, x.round() as u64))
}

/// What the snapshot must be to load as a cluster: each kind, namespace and name once, each
/// uid once, each pod address once (but a hostNetwork pod's, its node's), every pod on a
/// listed node, and no node given more than its allocatable CPU,
/// memory and pod count by the requests of its pods (the larger of their containers' sum and
/// any init container's).
fn check_snapshot(items: &[Value]) -> Result<(), String> {
    let mut names = BTreeSet::new();
    let mut uids = BTreeSet::new();
    for o in items {
        let key = (
            text(o, &["kind"])?.to_string(),
            o["metadata"].get("namespace").and_then(Value::as_str).unwrap_or("").to_string(),
            text(o, &["metadata", "name"])?.to_string(),
        );
        if !names.insert(key.clone()) {
            return Err(format!("{} {}/{} twice", key.0, key.1, key.2));
        }
        if !uids.insert(text(o, &["metadata", "uid"])?.to_string()) {
            return Err(format!("{}: its uid is another object's", describe(o)));
        }
    }
    let mut addresses = BTreeSet::new();
    for o in items.iter().filter(|o| o["kind"] == "Pod") {
        let ip = text(o, &["status", "podIP"])?;
        if o["spec"]["hostNetwork"] != true && !addresses.insert(ip.to_string()) {
            return Err(format!("{}: its podIP {ip} is another pod's", describe(o)));
        }
    }
    let load = node_loads(items)?;
    for o in items.iter().filter(|o| o["kind"] == "Node") {
        let name = text(o, &["metadata", "name"])?;
        let a = &o["status"]["allocatable"];
        let (cpu, mem, pods) = (quantity(&a["cpu"])?.0, quantity(&a["memory"])?.1, quantity(&a["pods"])?.1);
        let (c, m, p) = load[name];
        if c > cpu || m > mem || p > pods {
            return Err(format!(
                "node {name}: its pods request cpu {c}m, memory {}Mi and {p} pods, above its allocatable cpu {cpu}m, memory {}Mi, {pods} pods",
                m >> 20,
                mem >> 20
            ));
        }
    }
    Ok(())
}

/// Per node, what its pods request: CPU in millicores, memory in bytes, and the pod count (a
/// pod's request the larger of its containers' sum and any init container's).
fn node_loads(items: &[Value]) -> Result<BTreeMap<String, (u64, u64, u64)>, String> {
    let mut load: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    for o in items.iter().filter(|o| o["kind"] == "Node") {
        load.insert(text(o, &["metadata", "name"])?.to_string(), (0, 0, 0));
    }
    for o in items.iter().filter(|o| o["kind"] == "Pod") {
        let node = text(o, &["spec", "nodeName"])?;
        let requests = |list: &str| -> Result<Vec<(u64, u64)>, String> {
            let mut v = Vec::new();
            for c in o["spec"].get(list).and_then(Value::as_sequence).into_iter().flatten() {
                let r = c.get("resources").and_then(|r| r.get("requests"));
                let cpu = r.and_then(|r| r.get("cpu")).map(quantity).transpose()?.map_or(0, |q| q.0);
                let mem = r.and_then(|r| r.get("memory")).map(quantity).transpose()?.map_or(0, |q| q.1);
                v.push((cpu, mem));
            }
            Ok(v)
        };
        let (mut cpu, mut mem) = requests("containers")?.iter().fold((0, 0), |(c, m), (c2, m2)| (c + c2, m + m2));
        for (c, m) in requests("initContainers")? {
            cpu = cpu.max(c);
            mem = mem.max(m);
        }
        let l = load.get_mut(node).ok_or_else(|| format!("{} runs on {node}, which is not listed", describe(o)))?;
        *l = (l.0 + cpu, l.1 + mem, l.2 + 1);
    }
    Ok(load)
}
