//! A live snapshot of a managed cluster (tests/fixtures/live/microservices-demo-3z: three
//! nodes in three zones, microservices-demo's twelve one-replica Deployments, kube-system
//! with CoreDNS, metrics-server and the kube-proxy DaemonSet) checked with the spec kbmc
//! infers: it loads without `--allow-unmodeled`, its nodes form one pool over three zones,
//! and no counterexample loses more nodes than its failure scenario allows. A second snapshot
//! (tests/fixtures/live/bookinfo-4n2z: another application, provider and node count) keeps
//! these results from being tuned to the first.
//!
//! The explicit search is bounded by steps and states (not by time): 5 steps reach a node
//! failure, the taint eviction of its pods and the violation it causes (the single replica
//! of a Deployment gone); the state cap keeps the cycle intents, which would explore every
//! rollout interleaving, from taking long. Verdicts past the cap are unknown; the violations
//! found are real runs (each is replayed) and are what the property is about.

use kbmc::domain::Concrete;
use kbmc::engine::explicit::{check, Options};
use kbmc::model::state::NOT_READY;
use kbmc::model::Model;
use kbmc::spec::infer::Scenario;
use kbmc::verdict::Verdict;

use super::*;

const LIVE: &str = "tests/fixtures/live/microservices-demo-3z";
const STEPS: usize = 5;
const MAX_STATES: usize = 60_000;

/// The inferred spec of the fixture for `scenario`, checked with every intent decided as
/// far as the bounds allow: the model and each violated intent's trace, replayed.
fn violations(scenario: Scenario) -> (Model, Vec<(String, kbmc::trace::Trace)>) {
    let dir = root().join(LIVE);
    let (ir, _) = kbmc::load_model_with(&[dir], false, scenario).unwrap_or_else(|e| panic!("{scenario:?}: {e}"));
    assert!(ir.spec_inferred);
    let m = Model::new(&ir);
    let r =
        check(&m, &Options { max_depth: STEPS, max_states: MAX_STATES, symmetry: true, reduction: false, all: true });
    let reg = kbmc::model::registry::<Concrete>();
    let mut out = Vec::new();
    for i in r.results {
        if let Verdict::Violated(t) = i.verdict {
            kbmc::trace::replay(&m, &reg, &t).unwrap_or_else(|e| panic!("{}: {e}", i.name));
            out.push((i.name, t));
        }
    }
    (m, out)
}

/// The nodes NotReady in each state of `t`.
fn down(t: &kbmc::trace::Trace) -> Vec<Vec<usize>> {
    t.states.iter().map(|st| (0..st.status.len()).filter(|&n| st.status[n] == NOT_READY).collect()).collect()
}

/// The default scenario: one node, any node. Every counterexample has at most one node
/// NotReady in any state, and some counterexample takes a node down (a single-replica
/// Deployment's pod evicted from its failed node), so the bound is met, not vacuous.
#[test]
fn a_live_snapshot_checks_with_one_node_failure_at_a_time() {
    let (m, found) = violations(Scenario::Node);
    assert_eq!(
        m.ir.pools.len(),
        1,
        "one pool over three zones: {:?}",
        m.ir.pools.iter().map(|p| &p.name).collect::<Vec<_>>()
    );
    assert!(m.ir.scenario.as_deref().is_some_and(|s| s.starts_with("one node failure")), "{:?}", m.ir.scenario);
    assert!(m.preempts, "CoreDNS and metrics-server (system-cluster-critical) may preempt the shop's pods");
    assert!(!found.is_empty(), "no violation within {STEPS} steps");
    let mut failed = 0;
    for (name, t) in &found {
        for (i, nodes) in down(t).iter().enumerate() {
            assert!(nodes.len() <= 1, "{name}: state {i} has {} nodes NotReady", nodes.len());
        }
        failed += down(t).iter().any(|d| !d.is_empty()) as usize;
    }
    assert!(failed > 0, "no counterexample takes a node down: {:?}", found.iter().map(|(n, _)| n).collect::<Vec<_>>());
}

/// The zone scenario: the NotReady nodes of every state of every counterexample are of one
/// zone.
#[test]
fn a_live_snapshot_checks_with_one_zone_down() {
    let (m, found) = violations(Scenario::Zone);
    assert!(m.ir.scenario.as_deref().is_some_and(|s| s.starts_with("one zone")), "{:?}", m.ir.scenario);
    assert!(!found.is_empty(), "no violation within {STEPS} steps");
    for (name, t) in &found {
        for (i, nodes) in down(t).iter().enumerate() {
            let zones: std::collections::BTreeSet<_> = nodes.iter().map(|&n| m.ir.zone_label(n)).collect();
            assert!(zones.len() <= 1, "{name}: state {i} has nodes of {} zones NotReady", zones.len());
        }
    }
}

/// `kbmc check` on the snapshot without a spec: no input error (no `--allow-unmodeled`), the
/// header names the inferred spec's failure scenario and the other one, and `--scenario
/// zone` is refused beside a written Verification.
#[test]
fn the_header_says_which_failure_scenario_holds() {
    // The header is the point here, not the search: a short one.
    let args = ["check", "--engine", "explicit", "--steps", "2", "--max-states", "2000", "--no-color"];
    let r = kbmc(&[&args[..], &[LIVE]].concat());
    assert!(r.code == 1 || r.code == 3, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(
            "  scenario:    one node failure (any node), which may recover; one zone (eu-west-1a, eu-west-1b, eu-west-1c) is a check of its own: --scenario zone"
        ),
        "{}",
        r.stdout
    );
    let z = kbmc(&[&args[..], &["--scenario", "zone", LIVE]].concat());
    assert!(z.code == 1 || z.code == 3, "{}\n{}", z.stdout, z.stderr);
    assert!(z.stdout.contains("  scenario:    one zone (eu-west-1a, eu-west-1b, eu-west-1c) fails"), "{}", z.stdout);
    let init = kbmc(&["init", "--scenario", "zone", LIVE]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    assert!(
        init.stdout.contains("    - type: nodeFailure\n      budget: 1\n      recovery: true\n      scope: zone\n"),
        "{}",
        init.stdout
    );
    let given = kbmc(&["check", "--scenario", "zone", "cases/c1-hpa-oscillation"]);
    assert_eq!(given.code, 2, "{}", given.stderr);
    assert!(given.stderr.contains("--scenario applies to the spec kbmc infers"), "{}", given.stderr);
    // One zone only: the zone scenario does not apply.
    let one = kbmc(&["init", "--scenario", "zone", "tests/fixtures/dump"]);
    assert_eq!(one.code, 2, "{}", one.stderr);
    assert!(one.stderr.contains("needs Ready nodes in two zones or more"), "{}", one.stderr);
}

/// What `kbmc check` says of the live snapshot before its first trace, and that it fits one
/// screen: the single-replica Deployments as one finding ahead of the verdicts, one line per
/// node; their replicasMeetExpected violations as one grouped line with one representative
/// counterexample (the others named); the intents the first violation left open on one line;
/// a header whose spec and events are counted, not listed per Deployment, whose workloads are
/// grouped by replicas with every name, and whose assumptions are ids (what each means comes
/// at the end); and a step table whose node columns leave out the names' common domain.
#[test]
fn the_live_report_groups_its_findings() {
    let args = ["check", "--steps", "5", "--max-states", "60000", "--no-color", LIVE];
    let r = kbmc(&args);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    let first_trace = lines.iter().position(|l| l.starts_with("counterexample for")).expect("a counterexample");
    let before = &lines[..first_trace];
    // One screen: 40 rows of a terminal 120 columns wide, each line taking the rows it wraps to.
    let rows: usize = before.iter().map(|l| l.chars().count().div_ceil(120).max(1)).sum();
    assert!(rows <= 40, "{rows} rows of 120 columns before the first trace:\n{}", r.stdout);
    let loss = before.iter().position(|l| l.starts_with("single-node loss")).expect("the single-node finding");
    let grouped = before
        .iter()
        .position(|l| l.starts_with("replicasMeetExpected: violated for 13 Deployments: frontend, adservice"))
        .expect("one grouped replicasMeetExpected line");
    assert!(loss < grouped, "{}", r.stdout);
    assert!(
        before[loss].ends_with("13 Deployments run one replica; a nodeFailure of its node leaves none:"),
        "{}",
        before[loss]
    );
    // One line per node, each naming the Deployments that node alone runs.
    for (node, first) in [
        ("ip-10-0-1-17.eu-west-1.compute.internal", "frontend, cartservice"),
        ("ip-10-0-2-41.eu-west-1.compute.internal", "adservice, redis-cart"),
        ("ip-10-0-3-88.eu-west-1.compute.internal", "currencyservice, loadgenerator"),
    ] {
        let line = format!("  {node}: {first}, ");
        assert!(before[loss + 1..grouped].iter().any(|l| l.starts_with(&line)), "{line:?} in\n{}", r.stdout);
    }
    let undecided = before
        .iter()
        .filter(|l| {
            l.starts_with(
                "not decided (the check stopped at its first violation, found at step 1; --all decides every intent): ",
            )
        })
        .collect::<Vec<_>>();
    assert_eq!(undecided.len(), 1, "{}", r.stdout);
    assert!(
        undecided[0].contains(
            "): podAlwaysSchedulable, noEvictionCycle x14, noPreemptionCycle x14, replicasMeetExpected(coredns);"
        ),
        "{}",
        undecided[0]
    );
    assert!(!r.stdout.contains("unknown: not decided"), "no undecided intent keeps a line of its own:\n{}", r.stdout);
    assert_eq!(r.stdout.matches("counterexample for").count(), 1, "one representative trace:\n{}", r.stdout);
    assert!(r.stdout.contains("(one of 13 alike)"), "{}", r.stdout);
    assert!(r.stdout.contains("replicasMeetExpected(metrics-server) (1 step)"), "{}", r.stdout);
    let spec = before.iter().find(|l| l.starts_with("  spec:")).expect("the spec line");
    assert!(
        spec.ends_with("podAlwaysSchedulable, replicasMeetExpected x14, noEvictionCycle x14, noPreemptionCycle x14"),
        "{spec}"
    );
    let events = before.iter().find(|l| l.starts_with("  events:")).expect("the events line");
    assert!(events.ends_with("rolloutRestart (up to 1x) x14"), "{events}");
    let workloads = before.iter().position(|l| l.starts_with("  workloads:")).expect("the workloads line");
    assert!(before[workloads].starts_with("  workloads:   13 x 1 replica: frontend, adservice, "), "{}", r.stdout);
    let named =
        before[workloads..].iter().take_while(|l| !l.starts_with("  controllers:")).copied().collect::<String>();
    for d in
        &kbmc::load_model_with(&[root().join(LIVE)], false, Scenario::Node).expect("the fixture loads").0.deployments
    {
        assert!(named.contains(&d.name), "{} missing from the workloads:\n{}", d.name, r.stdout);
    }
    assert!(named.ends_with("; coredns: 2 replicas"), "{named}");
    let assumes = before.iter().find(|l| l.starts_with("  assumes:")).expect("the assumes line");
    assert!(assumes.starts_with("  assumes:     replicaset-chosen-evicted, replicaset-targets, "), "{assumes}");
    let end = r.stdout.rfind("\nassumptions (").expect("the assumptions explained at the end");
    assert!(r.stdout[end..].contains("\n  replicaset-targets: during a rollout "), "{}", r.stdout);
    // The step table: node columns without the nodes' common domain, said once under it.
    let table = lines[first_trace..]
        .iter()
        .skip_while(|l| !l.starts_with("  after each step"))
        .take_while(|l| !l.starts_with("  alike"))
        .collect::<Vec<_>>();
    assert!(table.len() > 2, "{}", r.stdout);
    for l in &table {
        assert!(l.chars().count() <= 120, "a table line wider than 120 columns: {l}");
    }
    assert!(table[1].contains("  ip-10-0-1-17  ip-10-0-2-41  ip-10-0-3-88  "), "{}", table[1]);
    assert!(table.iter().any(|l| **l == "    (node names without .eu-west-1.compute.internal)"), "{}", r.stdout);
    // The story keeps the names whole.
    assert!(r.stdout.contains("node ip-10-0-1-17.eu-west-1.compute.internal fails"), "{}", r.stdout);
}

const EVERY_KIND: &str = "tests/fixtures/live/every-kind";

/// The one `kubectl get` line of README.md and docs/cli.md (the same in both), and the kinds
/// kbmc reads from a cluster it names; the fixture, a dump of every one of them as kubectl
/// prints it, loads with the spec kbmc infers and holds each.
#[test]
fn a_dump_of_every_kind_kbmc_reads_loads() {
    let line = |file: &str| -> String {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("kubectl get ")).collect();
        assert_eq!(lines.len(), 1, "{file}: one kubectl get line: {lines:?}");
        lines[0].to_string()
    };
    let dump = line("README.md");
    assert_eq!(dump, line("docs/cli.md"), "README.md and docs/cli.md give the same dump line");
    for kind in [
        "nodes,",
        ",ns,",
        ",pc,",
        ",sc,",
        ",deploy,",
        ",rs,",
        ",sts,",
        ",ds,",
        ",pods,",
        ",horizontalpodautoscalers.v2.autoscaling,",
        ",pdb",
        "echo ,verticalpodautoscalers)",
    ] {
        assert!(dump.contains(kind), "the dump line lacks {kind}: {dump}");
    }
    assert!(dump.ends_with(" -A -o yaml > cluster.yaml"), "{dump}");
    let r = kbmc(&["inspect", EVERY_KIND]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (ir, _) = kbmc::load_model_with(&[root().join(EVERY_KIND)], false, Scenario::Node).expect("the dump loads");
    assert!(ir.spec_inferred);
    let names = |v: Vec<&str>| v.into_iter().map(str::to_string).collect::<Vec<_>>();
    assert_eq!(ir.nodes.len(), 2);
    assert_eq!(names(ir.deployments.iter().map(|d| d.name.as_str()).collect()), ["web", "api", "db"]);
    assert!(ir.deployments[2].stateful.is_some(), "db is the StatefulSet");
    assert_eq!(names(ir.daemon_sets.iter().map(|d| d.name.as_str()).collect()), ["log-agent"]);
    assert_eq!(names(ir.hpas.iter().map(|h| h.name.as_str()).collect()), ["web"]);
    assert_eq!(names(ir.vpas.iter().map(|v| v.name.as_str()).collect()), ["api"]);
    assert_eq!(ir.pdbs.len(), 1);
    assert!(ir.priority_classes.iter().any(|c| c.name == "shop-high" && c.value == 1000));
}

/// The second live snapshot (tests/fixtures/live/bookinfo-4n2z: four GKE nodes in two zones,
/// Istio's bookinfo with productpage-v1 at two replicas in two zones under a
/// PodDisruptionBudget, kube-system with kube-dns, metrics-server and the fluentbit-gke
/// DaemonSet), so that what kbmc says of a live snapshot is not tuned to the first one.
const BOOKINFO: &str = "tests/fixtures/live/bookinfo-4n2z";

/// The states the one-event explicit search of the bookinfo snapshot may store: three times
/// the 3,512 it stored when set, plus 50, rounded up (as tests/it/budgets.rs sets budgets).
const BOOKINFO_STATES: u64 = 10_590;

/// The running pods of Deployment `d` on Ready nodes in each state of a JSON trace.
fn running_on_ready(trace: &serde_json::Value, d: &str) -> Vec<u64> {
    let revision = format!("{d}@");
    let states = trace["states"].as_array().expect("a trace's states");
    let on = |node: &serde_json::Value| -> u64 {
        let pods = node["pods"].as_object().expect("a node's pods");
        pods.iter().filter(|(k, _)| k.starts_with(&revision)).map(|(_, p)| p["running"].as_u64().unwrap_or(0)).sum()
    };
    let ready = |st: &serde_json::Value| -> u64 {
        let nodes = st["nodes"].as_object().expect("a state's nodes");
        nodes.values().filter(|n| n["status"] == "Ready").map(on).sum()
    };
    states.iter().map(ready).collect()
}

/// The bookinfo snapshot loads without `--allow-unmodeled` (GKE's `topology.gke.io/zone`
/// does not split its node pool), its four nodes form one pool over two zones, and the
/// explicit search at one event decides every intent within its work budget: the one-replica
/// Deployments (and metrics-server) lose their replica with the node that runs it, while
/// productpage-v1 and kube-dns, two replicas on nodes of two zones, keep one running in every
/// state of any counterexample.
#[test]
fn a_second_live_snapshot_checks_at_one_event() {
    let (ir, _) = kbmc::load_model_with(&[root().join(BOOKINFO)], false, Scenario::Node)
        .unwrap_or_else(|e| panic!("{BOOKINFO}: {e}"));
    assert!(ir.spec_inferred);
    assert_eq!(ir.nodes.len(), 4);
    assert_eq!(ir.pools.len(), 1, "one pool: {:?}", ir.pools.iter().map(|p| &p.name).collect::<Vec<_>>());
    let zones: std::collections::BTreeSet<_> = (0..ir.nodes.len()).map(|n| ir.zone_label(n)).collect();
    assert_eq!(zones.len(), 2, "two zones: {zones:?}");
    assert!(zones.iter().all(Option::is_some), "every node has a zone");
    let r = kbmc(&["check", BOOKINFO, "--all", "--engine", "explicit", "--events", "1", "--format", "json"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let v: serde_json::Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("no JSON ({e}): {}", r.stderr));
    let states = v["effort"]["states"].as_u64().expect("the states stored");
    assert!(states <= BOOKINFO_STATES, "{states} states stored, budget {BOOKINFO_STATES}");
    let results = v["results"].as_array().expect("the results");
    let verdict = |name: &str| results.iter().find(|x| x["intent"] == name).map(|x| &x["verdict"]);
    for x in results {
        assert!(x["verdict"] == "holds" || x["verdict"] == "violated", "{}: {}", x["intent"], x["verdict"]);
    }
    for d in ["details-v1", "ratings-v1", "reviews-v1", "reviews-v2", "reviews-v3", "metrics-server"] {
        let name = format!("replicasMeetExpected({d})");
        assert_eq!(verdict(&name).and_then(|x| x.as_str()), Some("violated"), "{name}");
    }
    for d in ["productpage-v1", "kube-dns"] {
        let name = format!("replicasMeetExpected({d})");
        let Some(x) = results.iter().find(|x| x["intent"] == name.as_str() && x["verdict"] == "violated") else {
            continue;
        };
        let running = running_on_ready(&x["trace"], d);
        assert!(running.iter().all(|&n| n >= 1), "{name}: a state with no replica running: {running:?}");
    }
}
