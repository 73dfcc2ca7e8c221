//! `kbmc scale` on the scaling specs in scaling/: each case's smallest violating topology,
//! single-query and enumeration modes agree, and the conclusion names exactly what was covered.

use std::path::PathBuf;

use kbmc::scale::{self, Conclusion, Engine, Options, Outcome};

use super::{kbmc, root};

/// The inputs of a scaling run: the case's manifests and its scaling spec.
fn inputs(case: &str) -> Vec<PathBuf> {
    vec![root().join("cases").join(case).join("manifests"), root().join("scaling").join(format!("{case}.yaml"))]
}

fn model(case: &str) -> kbmc::model::Model {
    let (ir, _) = kbmc::load_model(&inputs(case), false).expect("scaling spec loads");
    kbmc::model::Model::new(&ir)
}

fn options(m: &kbmc::model::Model, engine: Engine, enumerate: bool) -> Options {
    Options {
        engine,
        max_nodes_per_pool: m.ir.bounds.max_nodes_per_pool,
        max_pods_per_node: m.ir.bounds.max_pods_per_node,
        steps: m.ir.bounds.steps as usize,
        max_states: 2_000_000,
        timeout_ms: 0,
        budget: None,
        enumerate,
        prove: None,
        semantics: Default::default(),
    }
}

/// (case, nodes, pods) of the smallest violating topology kbmc finds, and Kivi's (../shared/reference/kivi.md §5.2).
const SMALLEST: [(&str, i64, i64, i64, i64); 8] = [
    ("c1-hpa-oscillation", 1, 1, 1, 3),
    ("c2-apply-resets-replicas", 1, 1, 1, 2),
    ("c3-conflicting-spread", 3, 1, 3, 3),
    ("c4-kernel-panic-loop", 2, 5, 2, 5),
    // Kivi: 2 nodes / 2 pods. kube-scheduler's default topology spread puts the second pod
    // on the small node, so duplicates need 4 replicas here (docs/modeling/kivi.md).
    ("c5-remove-duplicates-loop", 2, 4, 2, 2),
    ("c6-maintenance-drain", 2, 2, 2, 2),
    ("c7-taint-nodename-loop", 1, 1, 1, 1),
    ("c8-descheduler-spread-loop", 3, 6, 3, 6),
];

#[test]
fn smallest_violating_topology_of_every_case() {
    for (case, nodes, pods, kivi_nodes, _) in SMALLEST {
        let m = model(case);
        let r = scale::run(&m, &options(&m, Engine::Explicit, false), |_| {});
        let Conclusion::Violated { topology, result, .. } = &r.conclusion else {
            panic!("{case}: expected a violation, got {:?}", r.conclusion);
        };
        assert_eq!((topology.nodes(), topology.pods()), (nodes, pods), "{case}");
        assert!(topology.nodes() <= kivi_nodes, "{case}: more nodes than Kivi needs");
        // The trace starts from that topology.
        for ir in &result.results {
            if let kbmc::verdict::Verdict::Violated(t) = &ir.verdict {
                assert_eq!(&m.topology_of(&t.states[0]), topology, "{case}: {}", ir.name);
                let reg = kbmc::model::registry::<kbmc::domain::Concrete>();
                kbmc::trace::replay(&m, &reg, t).unwrap_or_else(|e| panic!("{case}: {}: {e}", ir.name));
            }
        }
        // Every smaller size was covered and holds.
        let last = r.levels.last().expect("a row per size");
        assert_eq!(last.outcome, Outcome::Violated, "{case}");
        assert!(r.levels[..r.levels.len() - 1].iter().all(|l| matches!(l.outcome, Outcome::Holds { .. })), "{case}");
    }
}

/// The two modes (one query per size, one per topology) reach the same conclusion on every
/// scaling spec, with the same rows (up to 2 nodes per pool, to keep the suite quick; the
/// benches run the full sweeps).
/// An autoscaled pool keeps `kbmc scale`'s meaning: its `count` is the size at start, which the
/// cluster autoscaler then moves within `autoscaling` in every run; the smallest violating
/// topology names both.
#[test]
fn autoscaled_pools_scale_by_their_start_size() {
    let m = model("c18-scale-up-never-helps");
    let r = scale::run(&m, &options(&m, Engine::Explicit, false), |_| {});
    let Conclusion::Violated { topology, .. } = &r.conclusion else { panic!("{:?}", r.conclusion) };
    assert_eq!((topology.nodes(), topology.pods()), (1, 3), "general 1 node, gpu none; api 2 and trainer 1");
    let m = model("c18-scale-up-never-helps-fixed");
    let r = scale::run(&m, &options(&m, Engine::Explicit, false), |_| {});
    let Conclusion::Holds { statement } = &r.conclusion else { panic!("{:?}", r.conclusion) };
    assert!(statement.contains("general 1..3 nodes, gpu 0 nodes at start (autoscaled within 0..2)"), "{statement}");
}

/// The scaling specs, by name.
fn scaling_specs() -> Vec<String> {
    let mut specs: Vec<String> = std::fs::read_dir(root().join("scaling"))
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().to_str().and_then(|n| n.strip_suffix(".yaml")).map(String::from))
        .collect();
    specs.sort();
    assert_eq!(specs.len(), 18, "one scaling spec per case");
    specs
}

// Three tests of every third spec each, so the test threads share them.
#[test]
fn single_query_and_enumeration_agree_shard_0() {
    single_query_and_enumeration_agree(&scaling_specs().into_iter().step_by(3).collect::<Vec<_>>());
}

#[test]
fn single_query_and_enumeration_agree_shard_1() {
    single_query_and_enumeration_agree(&scaling_specs().into_iter().skip(1).step_by(3).collect::<Vec<_>>());
}

#[test]
fn single_query_and_enumeration_agree_shard_2() {
    single_query_and_enumeration_agree(&scaling_specs().into_iter().skip(2).step_by(3).collect::<Vec<_>>());
}

fn single_query_and_enumeration_agree(specs: &[String]) {
    for case in specs {
        let m = model(case);
        let mut o = options(&m, Engine::Explicit, false);
        o.max_nodes_per_pool = 2;
        let one = scale::run(&m, &o, |_| {});
        o.enumerate = true;
        let each = scale::run(&m, &o, |_| {});
        let rows = |r: &scale::ScaleResult| -> Vec<(i64, usize, Outcome)> {
            r.levels.iter().map(|l| (l.nodes, l.topologies, l.outcome.clone())).collect()
        };
        assert_eq!(rows(&one), rows(&each), "{case}");
        match (&one.conclusion, &each.conclusion) {
            (Conclusion::Violated { topology: a, .. }, Conclusion::Violated { topology: b, .. }) => {
                assert_eq!(a, b, "{case}")
            }
            (Conclusion::Holds { statement: a }, Conclusion::Holds { statement: b }) => assert_eq!(a, b, "{case}"),
            (a, b) => panic!("{case}: modes disagree: {a:?} against {b:?}"),
        }
    }
}

/// The symbolic engine's one-query-per-size topologies agree with the explicit engine where
/// both are quick.
#[test]
fn symbolic_topologies_agree_with_explicit() {
    for case in ["c2-apply-resets-replicas", "c7-taint-nodename-loop"] {
        let m = model(case);
        let ex = scale::run(&m, &options(&m, Engine::Explicit, false), |_| {});
        let sy = scale::run(&m, &options(&m, Engine::Symbolic, false), |_| {});
        match (&ex.conclusion, &sy.conclusion) {
            (Conclusion::Violated { topology: a, .. }, Conclusion::Violated { topology: b, .. }) => {
                assert_eq!(a, b, "{case}")
            }
            (a, b) => panic!("{case}: engines disagree: {a:?} against {b:?}"),
        }
    }
}

/// The conclusion names the pools' and replicas' ranges exactly as covered.
#[test]
fn conclusion_states_exactly_what_was_covered() {
    let m = model("c7-taint-nodename-loop-fixed");
    let r = scale::run(&m, &options(&m, Engine::Explicit, false), |_| {});
    let Conclusion::Holds { statement } = &r.conclusion else { panic!("{:?}", r.conclusion) };
    assert_eq!(
        statement,
        "no violation in any run (every reachable state explored) for every cluster with tainted 0..3 nodes, \
         plain 0..3 nodes (1..6 nodes in all) and agent 1..18 replicas (228 topologies), replicas at most 6 per node"
    );
    // A smaller confident size covers less, and says so.
    let mut o = options(&m, Engine::Explicit, false);
    o.max_nodes_per_pool = 1;
    o.max_pods_per_node = 2;
    let r = scale::run(&m, &o, |_| {});
    let Conclusion::Holds { statement } = &r.conclusion else { panic!("{:?}", r.conclusion) };
    assert!(
        statement.contains("tainted 0..1 nodes, plain 0..1 nodes (1..2 nodes in all) and agent 1..4 replicas"),
        "{statement}"
    );
}

#[test]
fn cli_reports_rows_and_the_smallest_topology() {
    let r = kbmc(&["scale", "cases/c8-descheduler-spread-loop/manifests", "scaling/c8-descheduler-spread-loop.yaml"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("smallest violating topology: on-demand: 1 node, spot: 2 nodes; web: 6 replicas"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("starting from on-demand: 1 node, spot: 2 nodes; web: 6 replicas"), "{}", r.stdout);
    let r = kbmc(&[
        "scale",
        "--max-nodes-per-pool",
        "2",
        "cases/c7-taint-nodename-loop-fixed/manifests",
        "scaling/c7-taint-nodename-loop-fixed.yaml",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("tainted 0..2 nodes, plain 0..2 nodes (1..4 nodes in all)"), "{}", r.stdout);
}

/// `scale --format json`: every size's row and the conclusion, with the smallest violating
/// topology's check in the `check --format json` form (validated against its schema), and
/// the exit code of the text form.
#[test]
fn json_output_has_every_row_and_the_conclusion() {
    let scale_json = |case: &str| {
        let spec = format!("scaling/{case}.yaml");
        let r = kbmc(&["scale", "--format", "json", &format!("cases/{case}/manifests"), &spec]);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("valid JSON");
        (r.code, v)
    };
    let (code, v) = scale_json("c3-conflicting-spread");
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["schema"], "kbmc.dev/scale/v2");
    assert_eq!(v["exit_code"], 1);
    let levels = v["levels"].as_array().unwrap();
    assert_eq!(levels.len(), 3, "{levels:?}");
    assert_eq!(levels.last().unwrap()["outcome"], "violated");
    assert_eq!(v["conclusion"]["verdict"], "violated");
    assert_eq!(v["conclusion"]["topology"], "zone-a: 1 node, zone-b: 2 nodes; web: 1 replica");
    let check = &v["conclusion"]["check"];
    assert!(super::output::schema().is_valid(check), "{check}");
    let (code, v) = scale_json("c7-taint-nodename-loop-fixed");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["conclusion"]["verdict"], "holds");
    assert!(v["conclusion"]["statement"].as_str().unwrap().contains("(228 topologies)"), "{v}");
}

/// `scale --engine symbolic --prove`: each size's intents are proved for every run length
/// (C7-fixed's eviction-cycle intent by completeness at its recurrence diameter), rows say so,
/// the conclusion claims every run, and JSON marks the rows `proved`, not `exhaustive`. Without
/// --prove the same query holds only within the bound; with the explicit engine --prove is a
/// usage error.
#[test]
fn scale_with_prove_covers_every_run_length() {
    let case = "c7-taint-nodename-loop-fixed";
    let args = |extra: &[&'static str]| -> Vec<&'static str> {
        let mut a = vec!["scale", "--engine", "symbolic", "--max-nodes-per-pool", "2", "--no-color"];
        a.extend_from_slice(extra);
        a.extend_from_slice(&[
            "cases/c7-taint-nodename-loop-fixed/manifests",
            "scaling/c7-taint-nodename-loop-fixed.yaml",
        ]);
        a
    };
    let r = kbmc(&args(&["--prove"]));
    assert_eq!(r.code, 0, "{case}: {}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout.matches("holds in every run (proved)").count(), 4, "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "no violation in any run (every intent proved for every run length) for every cluster with tainted 0..2 nodes"
        ),
        "{}",
        r.stdout
    );
    let r = kbmc(&args(&["--prove", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("valid JSON");
    for l in v["levels"].as_array().unwrap() {
        assert_eq!((l["proved"].as_bool(), l["exhaustive"].as_bool()), (Some(true), Some(false)), "{l}");
    }
    let r = kbmc(&args(&["--steps", "4"]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("no violation within 4 steps for every cluster"), "{}", r.stdout);
    let r = kbmc(&[
        "scale",
        "--prove",
        "cases/c7-taint-nodename-loop-fixed/manifests",
        "scaling/c7-taint-nodename-loop-fixed.yaml",
    ]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("--prove runs on the symbolic engine (--engine symbolic)"), "{}", r.stderr);
}
