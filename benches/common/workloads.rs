//! The workloads benchmark's clusters, written to disk: `n` Deployments of 3 replicas with a
//! soft zone spread on `m` nodes in three zone pools, under a descheduler, one node failure
//! and a `noEvictionCycle` intent per Deployment; and microservices-demo's published manifests
//! (tests/corpus/microservices-demo) on one pool of `m` nodes with one node failure. Shared by
//! the workloads bench and the integration tests (through `#[path]`), so both check the same
//! clusters. Writes files only: running kbmc on them is the caller's.

use std::io;
use std::path::{Path, PathBuf};

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
