//! Checking without a written spec: the Verification kbmc infers from the manifests, the header
//! that says so, and `kbmc init`, whose YAML `kbmc check` accepts unchanged (the same model as
//! the inferred one) on a dump of Nodes and Deployments and on every bundled case's manifests.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::*;

const DUMP: &str = "tests/fixtures/dump";

/// A scratch directory of this test process.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kbmc-infer-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `kbmc init` of `inputs`, written to `out`; its stdout.
fn init_into(inputs: &[&str], out: &Path) -> String {
    let mut args = vec!["init"];
    args.extend_from_slice(inputs);
    let r = kbmc(&args);
    assert_eq!(r.code, 0, "kbmc init {inputs:?}: {}", r.stderr);
    std::fs::write(out, &r.stdout).unwrap();
    r.stdout
}

/// `kbmc inspect` of a check's inputs, the model they resolve to (without the line that says
/// whether the spec was inferred).
fn inspect(inputs: &[&str]) -> String {
    let mut args = vec!["inspect"];
    args.extend_from_slice(inputs);
    let r = kbmc(&args);
    assert_eq!(r.code, 0, "kbmc inspect {inputs:?}: {}", r.stderr);
    r.stdout.lines().filter(|l| !l.starts_with("spec: inferred")).map(|l| format!("{l}\n")).collect()
}

/// The verdict lines of a check (`name: verdict ...`), without header or effort.
fn verdicts(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|l| {
            !l.starts_with(' ')
                && l.contains(": ")
                && !l.starts_with("kbmc ")
                && !l.starts_with("counterexample")
                && !l.contains(" intent(s): ")
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn a_dump_without_a_spec_is_checked_with_the_inferred_one() {
    let r = kbmc(&["check", "--engine", "explicit", "--steps", "6", "--no-color", DUMP]);
    assert!(r.code == 0 || r.code == 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("  spec:        inferred from the manifests"), "{}", r.stdout);
    // Alike workers form one pool; the tainted node is a pool of its own.
    assert!(r.stdout.contains("cluster:     worker: 3 nodes, gpu-1: 1 node"), "{}", r.stdout);
    assert!(r.stdout.lines().any(|l| l.starts_with("podAlwaysSchedulable:")), "{}", r.stdout);
    for (kind, subject) in [
        ("replicasMeetMin", "web"),
        ("noEvictionCycle", "web"),
        ("noReplicaOscillation", "web"),
        ("replicasMeetExpected", "api"),
        ("noEvictionCycle", "api"),
    ] {
        assert!(reports(&r.stdout, kind, subject), "{kind}({subject}) missing:\n{}", r.stdout);
    }
    for event in ["nodeFailure", "maintenance", "rolloutRestart", "cpuChange"] {
        assert!(r.stdout.lines().any(|l| l.starts_with("  events:") && l.contains(event)), "{event}:\n{}", r.stdout);
    }
    let i = kbmc(&["inspect", DUMP]);
    assert!(
        i.stdout.lines().nth(1).is_some_and(|l| l.starts_with("spec: inferred from the manifests")),
        "{}",
        i.stdout
    );
    let j = kbmc(&["check", "--engine", "explicit", "--steps", "2", "--format", "json", DUMP]);
    let v: Value = serde_json::from_str(&j.stdout).expect("JSON");
    assert_eq!(v["header"]["spec"], "inferred");
}

#[test]
fn init_writes_what_check_infers_and_check_accepts_it_unchanged() {
    let dir = scratch("dump");
    let spec = dir.join("verification.yaml");
    let yaml = init_into(&[DUMP], &spec);
    // Commented, and says what it leaves out and why each entry is there.
    assert!(yaml.starts_with("# The Verification kbmc infers"), "{yaml}");
    assert!(yaml.contains("    # every pod created finds a node\n    - type: podAlwaysSchedulable\n"), "{yaml}");
    assert!(
        yaml.contains("      nodes:\n        - \"worker-1\"\n        - \"worker-2\"\n        - \"worker-3\"\n"),
        "{yaml}"
    );
    // maxSurge 1, maxUnavailable 0: no pod of api may be missing.
    assert!(yaml.contains("type: replicasMeetExpected\n      deployment: \"api\"\n      offset: 0\n"), "{yaml}");
    // The same model, and the same verdicts, as the inferred spec.
    let s = spec.to_string_lossy().into_owned();
    assert_eq!(inspect(&[DUMP, &s]), inspect(&[DUMP]));
    let args = ["check", "--engine", "explicit", "--steps", "6", "--no-color", "--all"];
    let given = kbmc(&[&args[..], &[DUMP, &s]].concat());
    let inferred = kbmc(&[&args[..], &[DUMP]].concat());
    assert!(given.code == 0 || given.code == 1, "{}", given.stderr);
    assert_eq!(given.code, inferred.code);
    assert_eq!(verdicts(&given.stdout), verdicts(&inferred.stdout));
    assert!(!given.stdout.contains("spec:        inferred"), "{}", given.stdout);
    // A second init refuses inputs that already hold a Verification.
    let again = kbmc(&["init", DUMP, &s]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(again.stderr.contains("already hold a Verification"), "{}", again.stderr);
    std::fs::remove_dir_all(&dir).ok();
}

/// A dump with `web` in two namespaces: `kbmc init` names each `namespace/name`, and the
/// spec it writes resolves to the inferred model and the same verdicts.
#[test]
fn init_round_trips_with_one_name_in_two_namespaces() {
    const TWO: &str = "tests/fixtures/two-namespaces";
    let dir = scratch("two-namespaces");
    let spec = dir.join("verification.yaml");
    let yaml = init_into(&[TWO], &spec);
    assert!(yaml.contains("type: rolloutRestart\n      deployment: \"prod/web\"\n"), "{yaml}");
    assert!(yaml.contains("type: replicasMeetMin\n      deployment: \"staging/web\"\n"), "{yaml}");
    let s = spec.to_string_lossy().into_owned();
    assert_eq!(inspect(&[TWO, &s]), inspect(&[TWO]));
    let args = ["check", "--engine", "explicit", "--steps", "4", "--no-color", "--all"];
    let given = kbmc(&[&args[..], &[TWO, &s]].concat());
    let inferred = kbmc(&[&args[..], &[TWO]].concat());
    assert!(given.code == 0 || given.code == 1, "{}", given.stderr);
    assert_eq!(given.code, inferred.code);
    assert_eq!(verdicts(&given.stdout), verdicts(&inferred.stdout));
    std::fs::remove_dir_all(&dir).ok();
}

/// The Node manifests of a case's cluster (its pools at their smallest size), from
/// `kbmc inspect --format json`: the cases keep their nodes in the Verification.
fn case_nodes(case: &Path) -> String {
    let r = kbmc(&["inspect", "--format", "json", &rel(case)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let m: Value = serde_json::from_str(&r.stdout).unwrap();
    let (keys, values) = (&m["labels"]["keys"], &m["labels"]["values"]);
    let mut out = String::new();
    for n in m["nodes"].as_array().unwrap() {
        let pool = &m["pools"][n["pool"].as_u64().unwrap() as usize];
        if n["index_in_pool"].as_i64().unwrap() >= pool["count"]["min"].as_i64().unwrap() {
            continue;
        }
        let labels: Vec<String> = n["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|kv| {
                format!(
                    "{:?}: {:?}",
                    keys[kv[0].as_u64().unwrap() as usize].as_str().unwrap(),
                    values[kv[1].as_u64().unwrap() as usize].as_str().unwrap()
                )
            })
            .collect();
        let res =
            |r: &Value| format!("{{cpu: {}m, memory: \"{}\", pods: \"{}\"}}", r["cpu_milli"], r["memory"], r["pods"]);
        let taints: Vec<String> = n["taints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| format!("{{key: {}, value: {}, effect: {}}}", t["key"], t["value"], t["effect"].as_str().unwrap()))
            .collect();
        out += &format!(
            "---\napiVersion: v1\nkind: Node\nmetadata:\n  name: {}\n  labels: {{{}}}\nspec:\n  unschedulable: {}\n  taints: [{}]\nstatus:\n  capacity: {}\n  allocatable: {}\n",
            n["name"],
            labels.join(", "),
            n["unschedulable"],
            taints.join(", "),
            res(&n["capacity"]),
            res(&n["allocatable"]),
        );
    }
    out
}

/// Every bundled case's manifests, with the case's nodes as Node manifests and its
/// Verification left out: `kbmc init`'s spec resolves to the model kbmc infers, and `check`
/// accepts it.
#[test]
fn init_round_trips_on_every_case() {
    for case in case_dirs() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let dir = scratch(&name);
        std::fs::write(dir.join("nodes.yaml"), case_nodes(&case)).unwrap();
        let manifests = rel(&case.join("manifests"));
        let nodes = dir.join("nodes.yaml").to_string_lossy().into_owned();
        let spec = dir.join("verification.yaml");
        init_into(&[&manifests, &nodes], &spec);
        let s = spec.to_string_lossy().into_owned();
        assert_eq!(inspect(&[&manifests, &nodes, &s]), inspect(&[&manifests, &nodes]), "{name}");
        let r = kbmc(&["check", "--engine", "explicit", "--steps", "2", &manifests, &nodes, &s]);
        assert!(r.code == 0 || r.code == 1, "{name}: {}\n{}", r.stdout, r.stderr);
        std::fs::remove_dir_all(&dir).ok();
    }
}

/// A StatefulSet gets `statefulSetAvailable` (no ordinal down for ever) and a replica floor
/// of one below its replicas, and never the operator's `forceDeletePods`, which `kbmc init`
/// names as left out; a node fails for good. Without the remedy the inferred check finds
/// C13's stranded pod.
#[test]
fn a_statefulset_is_checked_available_without_the_operators_remedy() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/c13-statefulset-node-failure");
    let dir = scratch("statefulset");
    std::fs::write(dir.join("nodes.yaml"), case_nodes(&case)).unwrap();
    let manifests = rel(&case.join("manifests"));
    let nodes = dir.join("nodes.yaml").to_string_lossy().into_owned();
    let spec = dir.join("verification.yaml");
    let yaml = init_into(&[&manifests, &nodes], &spec);
    assert!(
        yaml.contains("    - type: statefulSetAvailable\n      statefulSet: \"db\"\n      maxUnavailable: 0\n"),
        "{yaml}"
    );
    assert!(yaml.contains("type: replicasMeetExpected\n      deployment: \"db\"\n      offset: -1\n"), "{yaml}");
    assert!(yaml.contains("type: rolloutRestart\n      deployment: \"db\"\n"), "{yaml}");
    assert!(yaml.contains("# Left out: no forceDeletePods for db: it is the operator's remedy"), "{yaml}");
    assert!(!yaml.contains("type: forceDeletePods"), "{yaml}");
    // One node, any node, fails for good: one that may come back at any time would hide the
    // stranded pod.
    assert!(yaml.contains("type: nodeFailure\n      budget: 1\n      recovery: false\n"), "{yaml}");
    assert!(yaml.contains("# Failure scenario: one node failure (any node), which stays down"), "{yaml}");
    let s = spec.to_string_lossy().into_owned();
    let r = kbmc(&["check", "--engine", "explicit", "--steps", "20", "--all", "--no-color", &manifests, &nodes, &s]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.lines().any(|l| l.starts_with("statefulSetAvailable(db):") && l.contains("violated")),
        "{}",
        r.stdout
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn init_without_nodes_says_what_is_missing() {
    let r = kbmc(&["init", "cases/c1-hpa-oscillation/manifests"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("no v1 Node"), "{}", r.stderr);
}

/// A pool of Node manifests must be made of alike nodes.
#[test]
fn a_pool_of_unlike_nodes_is_refused() {
    let dir = scratch("unlike");
    let spec = dir.join("verification.yaml");
    std::fs::write(
        &spec,
        "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - name: all\n      nodes: [worker-1, gpu-1]\n",
    )
    .unwrap();
    let r = kbmc(&["inspect", DUMP, &spec.to_string_lossy()]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("spec.nodePools[0].nodes[1]") && r.stderr.contains("differs from \"worker-1\" in its taints"),
        "{}",
        r.stderr
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A provider's copy of the zone label (GKE's `topology.gke.io/zone`) does not split a pool
/// over zones, but it is compared as "the node's zone": a node without it is not alike its
/// zone's other nodes (a spread or affinity on that key tells them apart), so it is a pool of
/// its own.
#[test]
fn a_zone_valued_label_joins_zones_but_not_nodes_that_lack_it() {
    let live = root().join("tests/fixtures/live/bookinfo-4n2z");
    // The pools' names, and how many nodes they list (a node unlike every other is a pool
    // of its own, which the spec does not list).
    let pools = |dir: &Path| -> (Vec<String>, usize) {
        let out = init_into(&[dir.to_str().unwrap()], &dir.join("init.yaml"));
        let names = out.lines().filter(|l| l.starts_with("    - name: ")).map(str::to_string).collect();
        (names, out.lines().filter(|l| l.starts_with("        - \"gke-")).count())
    };
    let whole = scratch("gke-whole");
    std::fs::copy(live.join("cluster.yaml"), whole.join("cluster.yaml")).unwrap();
    assert_eq!(pools(&whole), (vec!["    - name: \"gke-bookinfo-default-pool\"".to_string()], 4));
    let dump = std::fs::read_to_string(live.join("cluster.yaml")).unwrap();
    // The first node's copy of its zone removed.
    let line = dump.lines().find(|l| l.trim_start().starts_with("topology.gke.io/zone:")).unwrap();
    let missing = scratch("gke-missing");
    std::fs::write(missing.join("cluster.yaml"), dump.replacen(&format!("{line}\n"), "", 1)).unwrap();
    assert_eq!(pools(&missing).1, 3);
    let _ = std::fs::remove_dir_all(whole);
    let _ = std::fs::remove_dir_all(missing);
}
