//! The workloads bench's clusters (benches/common/workloads.rs, shared through `#[path]`)
//! load and check: the smallest generated ones with the explicit engine and a small step
//! bound, a cold-start cluster's default check and a live snapshot's node failure within
//! budgets of states, microservices-demo's and the live snapshots through `inspect` (the
//! snapshot of one copy of microservices-demo is the hand-written fixture it grows from), and
//! bookinfo's snapshot of two copies under one event within a budget of states. Verdict
//! kinds, and time only as one generous bound: a time limit ends every command within it and
//! two seconds.

use std::path::PathBuf;

use super::kbmc;

#[path = "../../benches/common/workloads.rs"]
pub(crate) mod generator;

/// A fresh directory under the system's temporary one.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kbmc-it-workloads-{}-{name}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    dir
}

#[test]
fn generated_clusters_load_and_check() {
    for n in [1, 2] {
        let dir = scratch(&format!("n{n}-m6"));
        generator::write(&dir, n, 6).expect("the generator writes");
        let d = dir.to_string_lossy().into_owned();
        let r = kbmc(&["check", "--engine", "explicit", "--steps", "6", "--format", "json", &d]);
        assert_eq!(r.code, 0, "n={n}: stdout: {}\nstderr: {}", r.stdout, r.stderr);
        assert!(r.stderr.is_empty(), "n={n}: warnings: {}", r.stderr);
        let j: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
        assert_eq!(j["header"]["cluster"], "zone-a: 2 nodes, zone-b: 2 nodes, zone-c: 2 nodes", "n={n}");
        assert!(
            j["header"]["controllers"].as_array().unwrap().iter().any(|c| c == "descheduler"),
            "n={n}: {}",
            j["header"]
        );
        assert!(j["header"]["events"].to_string().contains("nodeFailure"), "n={n}: {}", j["header"]);
        let results = j["results"].as_array().expect("results");
        let intents: Vec<&str> = results.iter().map(|x| x["intent"].as_str().unwrap()).collect();
        let want: Vec<String> = (0..n).map(|i| format!("noEvictionCycle(app-{i})")).collect();
        assert_eq!(intents, want, "n={n}");
        for x in results {
            assert_eq!(x["verdict"], "holds", "n={n}: {x}");
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}

/// The states a cold-start cluster's default check may store: three times what it stored
/// when the budget was set (2,930, every reachable state explored) plus 50, as
/// tests/it/budgets.rs sets the bundled cases' budgets. A change that makes the family ten
/// times more work (ADR 0006's targets, ADR 0008's measurements) fails here whatever the
/// machine's speed; one that makes it more work on purpose sets the budget again and says why.
const COLD_START_N16_M12_STATES: u64 = 8_840;

#[test]
fn a_cold_start_cluster_stays_within_its_work_budget() {
    let dir = scratch("n16-m12");
    generator::write(&dir, 16, 12).expect("the generator writes");
    let d = dir.to_string_lossy().into_owned();
    let r = kbmc(&["check", "--all", "--format", "json", "--time-limit", "300", &d]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    let j: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let results = j["results"].as_array().expect("results");
    assert_eq!(results.len(), 16, "{}", j["results"]);
    for x in results {
        assert_eq!(x["verdict"], "holds", "{x}");
    }
    let states = j["effort"]["states"].as_u64().expect("states in the effort");
    assert!(
        states <= COLD_START_N16_M12_STATES,
        "16 Deployments on 12 nodes stored {states} states, budget {COLD_START_N16_M12_STATES}"
    );
    assert_eq!(j["effort"]["queries"].as_u64().unwrap_or(0), 0, "decided by the explicit search: {}", j["effort"]);
}

/// The states the node failure of a live snapshot of two copies may store: three times what
/// it stored when the budget was set (7,881, every reachable state explored, the copies
/// renamed as interchangeable Deployments) plus 50. Storing each renaming apart, as before
/// copies in namespaces of their own beside a DaemonSet and a preempting CoreDNS were found
/// interchangeable, took 30,786: a change that loses the renaming fails here.
const SNAPSHOT_K2_NODE_FAILURE_STATES: u64 = 23_693;

#[test]
fn a_snapshots_node_failure_stays_within_its_work_budget() {
    let dir = scratch("snapshot-k2-node-failure");
    generator::write_snapshot(&dir, 2).expect("the generator writes k = 2");
    let d = dir.to_string_lossy().into_owned();
    // The inferred spec with its node failure as the only event.
    let init = kbmc(&["init", &d]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    let mut spec: serde_yaml::Value = serde_yaml::from_str(&init.stdout).expect("the inferred spec is YAML");
    let events = spec["spec"]["events"].as_sequence_mut().expect("inferred events");
    events.retain(|e| e["type"] == "nodeFailure");
    assert_eq!(events.len(), 1, "{events:?}");
    std::fs::write(dir.join("spec.yaml"), serde_yaml::to_string(&spec).unwrap()).unwrap();
    let states = decided_states(&["check", "--all", "--engine", "explicit", "--format", "json", &d]);
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        states <= SNAPSHOT_K2_NODE_FAILURE_STATES,
        "the node failure of two copies stored {states} states, budget {SNAPSHOT_K2_NODE_FAILURE_STATES}"
    );
}

/// The states `kbmc ARGS` (a check with `--format json`) stored, once it has exited with 1
/// (some intent violated) and every intent is violated or holds.
fn decided_states(args: &[&str]) -> u64 {
    let r = kbmc(args);
    assert_eq!(r.code, 1, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    let j: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    for x in j["results"].as_array().expect("results") {
        assert!(x["verdict"] == "violated" || x["verdict"] == "holds", "{x}");
    }
    j["effort"]["states"].as_u64().expect("states in the effort")
}

#[test]
fn microservices_demo_on_a_pool_loads() {
    for m in [3, 12] {
        let dir = scratch(&format!("microservices-demo-m{m}"));
        generator::write_microservices_demo(&dir, m).expect("the generator writes");
        let r = kbmc(&["inspect", &dir.to_string_lossy()]);
        assert_eq!(r.code, 0, "m={m}: {}", r.stderr);
        assert!(r.stdout.contains("\ndeployments (12):\n"), "m={m}: {}", r.stdout);
        assert!(r.stdout.contains(&format!("  node (pool): {m} node(s)\n")), "m={m}: {}", r.stdout);
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn the_generator_refuses_what_it_cannot_spread() {
    let dir = scratch("refused");
    for (n, m) in [(0, 6), (1, 2)] {
        let e = generator::write(&dir, n, m).expect_err("refused");
        assert!(e.to_string().contains("at least 1 Deployment and 3 nodes"), "{e}");
    }
    assert!(!dir.exists(), "nothing written for a refused size");
    assert_eq!(generator::zone_counts(7), [3, 2, 2]);
}

/// `kbmc inspect` of `dir`: its output without the first line (the model's name, which is
/// the folder's).
fn inspect(dir: &std::path::Path) -> String {
    let r = kbmc(&["inspect", &dir.to_string_lossy()]);
    assert_eq!(r.code, 0, "{}: {}", dir.display(), r.stderr);
    assert!(r.stderr.is_empty(), "{}: warnings: {}", dir.display(), r.stderr);
    r.stdout.split_once('\n').map_or(String::new(), |(_, rest)| rest.to_string())
}

/// What the snapshot written into `dir` lists: how many objects of a kind, and on how many
/// nodes a DaemonSet's pod runs.
fn listed(dir: &std::path::Path) -> (impl Fn(&str) -> usize, usize) {
    let text = std::fs::read_to_string(dir.join("cluster.yaml")).expect("cluster.yaml");
    let list: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
    let items = list["items"].as_sequence().expect("a kind: List").clone();
    let daemon_nodes: std::collections::BTreeSet<String> = items
        .iter()
        .filter(|o| o["metadata"]["ownerReferences"][0]["kind"] == "DaemonSet")
        .map(|o| o["spec"]["nodeName"].as_str().expect("a node").to_string())
        .collect();
    (move |kind: &str| items.iter().filter(|o| o["kind"] == kind).count(), daemon_nodes.len())
}

/// The snapshot of one copy is the fixture it is grown from, as kbmc models it: the same
/// nodes, workloads, placement, inferred events and intents. The snapshot of four copies loads
/// with its 12 nodes in one pool over three zones and 4 × 12 shop Deployments, namespaced; the
/// one of sixteen is written (its placement fits every node's allocatable).
#[test]
fn snapshots_grow_from_the_live_fixture() {
    let one = scratch("snapshot-k1");
    generator::write_snapshot(&one, 1).expect("the generator writes k = 1");
    let (got, want) = (inspect(&one), inspect(&generator::App::MicroservicesDemo.fixture()));
    // The first line that differs, not the whole model twice.
    if let Some((i, (g, w))) = got.lines().zip(want.lines()).enumerate().find(|(_, (g, w))| g != w) {
        panic!("inspect line {}: the generated k = 1 gives\n{g}\nthe fixture\n{w}", i + 2);
    }
    assert_eq!(got.lines().count(), want.lines().count(), "{got}");

    let four = scratch("snapshot-k4");
    generator::write_snapshot(&four, 4).expect("the generator writes k = 4");
    let out = inspect(&four);
    assert!(out.contains("\nnode slots (12):\n"), "{out}");
    assert!(out.contains("\nnode pools (1):\n"), "{out}");
    assert!(out.contains("\ndeployments (50):\n"), "{out}");
    for c in 0..4 {
        let ns = generator::App::MicroservicesDemo.namespace(c);
        assert!(out.contains(&format!("\n  {ns}/frontend (namespace {ns})\n")), "{ns}: {out}");
    }
    for zone in ["eu-west-1a", "eu-west-1b", "eu-west-1c"] {
        let nodes = out.matches(&format!("topology.kubernetes.io/zone={zone}\n")).count();
        assert_eq!(nodes, 4, "{zone}: {out}");
    }

    let sixteen = scratch("snapshot-k16");
    generator::write_snapshot(&sixteen, 16).expect("the generator writes k = 16");
    let (count, proxied) = listed(&sixteen);
    assert_eq!((count("Node"), count("Deployment"), count("ReplicaSet")), (48, 194, 194));
    // 192 shop pods, CoreDNS's two, metrics-server's, and kube-proxy's on every node.
    assert_eq!(count("Pod"), 192 + 3 + 48);
    assert_eq!(proxied, 48, "one kube-proxy pod per node");
    let e = generator::write_snapshot(&scratch("snapshot-k0"), 0).expect_err("0 copies refused");
    assert!(e.to_string().contains("at least 1"), "{e}");
    for d in [one, four, sixteen] {
        std::fs::remove_dir_all(&d).ok();
    }
}

/// Work budget of the bookinfo snapshot of two copies (8 nodes, 14 Deployments, two
/// PodDisruptionBudgets) under one event of any kind: the states `check --all` stored when
/// the budget was set (4,262, every reachable state explored: every intent violated or proved)
/// plus 10%.
const BOOKINFO_K2_STATES: u64 = 4_700;

/// The bookinfo snapshots grow from their own fixture: one copy has its four nodes, its eight
/// Deployments and its budget; two copies load with 8 nodes in one pool over two zones, a
/// budget per namespace, and one event of any kind decides every intent within a work
/// budget; sixteen copies are written (their placement fits every node's allocatable), with
/// a fluentbit pod per node and addresses of their own.
#[test]
fn bookinfo_snapshots_grow_and_check() {
    let app = generator::App::Bookinfo;
    let one = scratch("bookinfo-k1");
    generator::write_bookinfo_snapshot(&one, 1).expect("the generator writes k = 1");
    let out = inspect(&one);
    assert!(out.contains("\nnode slots (4):\n"), "{out}");
    assert!(out.contains("\ndeployments (8):\n"), "{out}");
    assert!(out.contains("\npod disruption budgets (1):\n"), "{out}");

    let two = scratch("bookinfo-k2");
    generator::write_bookinfo_snapshot(&two, 2).expect("the generator writes k = 2");
    let out = inspect(&two);
    assert!(out.contains("\nnode slots (8):\n"), "{out}");
    assert!(out.contains("\nnode pools (1):\n"), "{out}");
    assert!(out.contains("\ndeployments (14):\n"), "{out}");
    for c in 0..2 {
        let ns = app.namespace(c);
        assert!(
            out.contains(&format!("\n  {ns}/productpage: minAvailable 1, selects {ns}/productpage-v1@r0")),
            "{ns}: {out}"
        );
    }
    for zone in ["europe-west1-b", "europe-west1-c"] {
        let nodes = out.matches(&format!("topology.kubernetes.io/zone={zone}\n")).count();
        assert_eq!(nodes, 4, "{zone}: {out}");
    }
    let d = two.to_string_lossy().into_owned();
    let states = decided_states(&["check", "--all", "--events", "1", "--format", "json", &d]);
    assert!(
        states <= BOOKINFO_K2_STATES,
        "two copies under one event stored {states} states, budget {BOOKINFO_K2_STATES}"
    );

    let sixteen = scratch("bookinfo-k16");
    generator::write_bookinfo_snapshot(&sixteen, 16).expect("the generator writes k = 16");
    let (count, fluentbit) = listed(&sixteen);
    assert_eq!((count("Node"), count("Deployment"), count("PodDisruptionBudget")), (64, 98, 16));
    // 112 bookinfo pods, kube-dns's two, metrics-server's, and fluentbit's on every node.
    assert_eq!(count("Pod"), 112 + 3 + 64);
    assert_eq!(fluentbit, 64, "one fluentbit pod per node");
    let e = generator::write_bookinfo_snapshot(&scratch("bookinfo-k0"), 0).expect_err("0 copies refused");
    assert!(e.to_string().contains("at least 1"), "{e}");
    for d in [one, two, sixteen] {
        std::fs::remove_dir_all(&d).ok();
    }
}

/// `--time-limit 2` ends every command that explores within 2 + 2 s, the check against a
/// baseline with its two shares included, on a snapshot of four copies (12 nodes, 49
/// Deployments) where one state of the explicit search takes about 10 ms in a test build:
/// what is left to do once the limit has passed (rebuilding the runs of the violations the
/// search found, replaying them, the report) is bounded with the rest. Found violations are
/// reported with their runs (each one replayed, so a run that did not replay would be exit 2),
/// and what the limit left undone is unknown: exit 1 or 3, never an error. The bound is
/// generous for a loaded machine; the limit is small so that the test stays short.
#[test]
fn every_command_ends_within_its_time_limit() {
    let dir = scratch("snapshot-k4-limit");
    generator::write_snapshot(&dir, 4).expect("the generator writes k = 4");
    let d = dir.to_str().unwrap();
    let commands: [&[&str]; 8] = [
        &["check"],
        &["check", "--all"],
        &["check", "--all", "--engine", "explicit", "--format", "json"],
        &["check", "--all", "--engine", "symbolic"],
        &["check", "--all", "--baseline", d],
        &["compare"],
        &["simulate"],
        &["dump"],
    ];
    for args in commands {
        ends_within_its_limit(args, d, &[0, 1, 3]);
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// `kbmc ARGS --time-limit 2 DIR` ends within 2 + 2 s with one of the exit codes `codes`.
fn ends_within_its_limit(args: &[&str], dir: &str, codes: &[i32]) {
    let mut all = args.to_vec();
    all.extend(["--time-limit", "2", dir]);
    let start = std::time::Instant::now();
    let r = kbmc(&all);
    let took = start.elapsed();
    assert!(took <= std::time::Duration::from_secs(4), "{args:?} took {took:?} with --time-limit 2");
    assert!(codes.contains(&r.code), "{args:?}: exit {}\n{}{}", r.code, r.stdout, r.stderr);
}

/// The same bound on the snapshot of sixteen copies (48 nodes, 194 Deployments), where one
/// state of the explicit search takes tens of milliseconds in a test build and holds
/// megabytes: its initial state alone has hundreds of successors, each a node failure or a
/// rollout, and the 193 single-replica Deployments are each violated by one of them. Once the
/// limit has passed the search stops between two successors, the symbolic engine asks nothing
/// more, and the runs found are replayed once each, so `check --all` (the default engine)
/// and `compare` end within 2 + 2 s. So does the symbolic engine alone asked for rounds:
/// working out which of its steps are independent would take minutes (every label's update
/// against the whole state), so it keeps one step per frame without trying.
#[test]
fn a_snapshot_of_sixteen_copies_ends_within_its_time_limit() {
    let dir = scratch("snapshot-k16-limit");
    generator::write_snapshot(&dir, 16).expect("the generator writes k = 16");
    let d = dir.to_str().unwrap();
    let rounds = ["check", "--all", "--explicit-states", "0", "--semantics", "step"];
    for args in [&["check", "--all"][..], &["compare"], &rounds] {
        ends_within_its_limit(args, d, &[1, 3]);
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A snapshot of four copies with capacity made tight (each node's allocatable CPU just above
/// what its pods request): the symbolic engine alone (`--explicit-states 0`) finds the node
/// failure whose replacement fits on no node, in four steps (the failure, the toleration
/// running out, the eviction, the replacement's creation), with a run the report replays;
/// within a work budget of queries and conflicts, 3x what a test build took when written (7
/// and about 1,500: its debug cross-checks of the probes make terms of their own, which Z3 numbers
/// and orders with the rest; a release build takes 3 queries and 2 conflicts).
#[test]
fn a_tight_snapshot_s_node_failure_is_found_by_the_symbolic_engine_alone() {
    let dir = scratch("tight-snapshot-k4");
    generator::write_tight_snapshot(&dir, 4).expect("the generator writes a tight k = 4");
    let r = kbmc(&["check", "--explicit-states", "0", "--format", "json", &dir.to_string_lossy()]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let out: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let result = &out["results"][0];
    assert_eq!(
        (result["intent"].as_str(), result["verdict"].as_str()),
        (Some("podAlwaysSchedulable"), Some("violated"))
    );
    let steps = result["trace"]["steps"].as_array().expect("a run");
    assert_eq!(steps.len(), 4, "{}", result["trace"]);
    let kinds: Vec<&str> = steps.iter().map(|s| s["actor"].as_str().unwrap_or("?")).collect();
    assert_eq!(kinds, ["node-failure", "node-lifecycle", "eviction", "deployment"], "{}", result["trace"]);
    assert!(result["trace"].to_string().contains("fits no node"), "{}", result["trace"]);
    let effort = &out["effort"];
    assert_eq!((effort["engine"].as_str(), effort["states"].as_u64()), (Some("symbolic"), Some(0)), "{effort}");
    assert!(effort["queries"].as_u64().is_some_and(|q| q <= 21), "{effort}");
    assert!(effort["conflicts"].as_u64().is_some_and(|c| c <= 4_563), "{effort}");
    std::fs::remove_dir_all(&dir).ok();
}
