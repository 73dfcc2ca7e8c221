//! Event-bounded checking (`--events`, `spec.bounds.events`, and the deepening without
//! either): the bound a verdict holds under is said with it, a violation found while
//! deepening uses the fewest events, and a counterexample that is stuck only because the
//! bound keeps an event from acting is never reported as a violation (its unknown names the
//! events it waits for).

use serde_json::Value;

use super::*;

/// Two workers, one pod, and two node failures: the pod has nowhere to go only once both
/// workers have failed (a third node it does not tolerate stays Ready, so node lifecycle
/// still evicts).
const TWO_FAILURES: &str = "tests/fixtures/events/two-failures";

fn json(args: &[&str]) -> Value {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let r = kbmc(&all);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{args:?}: no JSON ({e}): {}{}", r.stdout, r.stderr))
}

#[test]
fn a_bound_below_the_budgets_is_said_with_every_verdict() {
    for engine in ["explicit", "symbolic"] {
        let v = json(&["--engine", engine, "--events", "1", TWO_FAILURES]);
        assert_eq!(v["results"][0]["verdict"], "holds", "{engine}: {v}");
        assert_eq!(v["results"][0]["events_bound"], 1, "{engine}: {v}");
        assert!(
            v["results"][0]["message"].as_str().unwrap().contains("with up to 1 event in one run"),
            "{engine}: {v}"
        );
        assert_eq!(v["events"]["bound"], 1, "{engine}: {v}");
        assert_eq!(v["events"]["total"], 2, "{engine}: {v}");
        assert_eq!(v["events"]["deepened"], false, "{engine}: {v}");
        let r = kbmc(&["check", "--no-color", "--engine", engine, "--events", "1", TWO_FAILURES]);
        assert_eq!(r.code, 0, "{engine}: {}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("podAlwaysSchedulable: holds"), "{engine}: {}", r.stdout);
        assert!(r.stdout.contains("with up to 1 event in one run"), "{engine}: {}", r.stdout);
    }
}

#[test]
fn deepening_finds_the_violation_that_needs_two_events() {
    for engine in ["explicit", "symbolic"] {
        let v = json(&["--engine", engine, TWO_FAILURES]);
        assert_eq!(v["results"][0]["verdict"], "violated", "{engine}: {v}");
        // The deepening went to every event's budget: no bound is left to state.
        assert_eq!(v["events"], Value::Null, "{engine}: {v}");
        let steps = v["results"][0]["trace"]["steps"].as_array().unwrap();
        let failures = steps.iter().filter(|s| s["actor"] == "node-failure").count();
        assert_eq!(failures, 2, "{engine}: {v}");
    }
    // The same bound from the spec as from the command line.
    let dir = std::env::temp_dir().join(format!("kbmc-events-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = std::fs::read_to_string(root().join(TWO_FAILURES).join("cluster.yaml")).unwrap();
    std::fs::write(dir.join("cluster.yaml"), spec.replace("    steps: 20", "    steps: 20\n    events: 1")).unwrap();
    let v = json(&[dir.to_str().unwrap()]);
    assert_eq!(v["results"][0]["verdict"], "holds", "{v}");
    assert_eq!(v["results"][0]["events_bound"], 1, "{v}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// C13-fixed's StatefulSet recovers only through its runbook's force-delete, an event: with
/// one event in a run, the node failure takes it and the cluster is stuck only because the
/// bound keeps the force-delete from acting. That lasso is no run of the model, so it is
/// not a violation: with `--events 1` the intent is left undecided, and deepening goes on to
/// two events, where it holds.
#[test]
fn a_lasso_stuck_only_by_the_bound_is_no_violation() {
    let case = "cases/c13-statefulset-node-failure-fixed";
    let v = json(&["--engine", "explicit", "--events", "1", case]);
    assert_eq!(v["results"][0]["verdict"], "unknown", "{v}");
    let reason = v["results"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("an event beyond the bound"), "{v}");
    // The reason names the event the check takes to be still to come.
    assert!(reason.contains("(an operator force-deletes pod(s) db-0 stranded on NotReady node worker-0"), "{v}");
    let v = json(&["--engine", "explicit", case]);
    assert_eq!(v["results"][0]["verdict"], "holds", "{v}");
    assert_eq!(v["events"], Value::Null, "{v}");
}

/// C9's drain, blocked by web's budget, with a rollout restart of web added to the events:
/// under one event the blocked drain is stuck only because the bound keeps the rollout from
/// acting (its surge pod would let the budget allow the eviction), and the reason says so by
/// naming the rollout. Without the bound the rollout is spent on one drain and a later drain
/// is blocked for good: violated (docs/adr/0009-events-that-need-not-happen.md).
#[test]
fn an_undecided_intent_names_the_events_it_waits_for() {
    let dir = std::env::temp_dir().join(format!("kbmc-events-rollout-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(dir.join("manifests")).unwrap();
    let case = root().join("cases/c9-pdb-blocks-drain");
    for f in std::fs::read_dir(case.join("manifests")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, dir.join("manifests").join(f.file_name().unwrap())).unwrap();
    }
    let spec = std::fs::read_to_string(case.join("verification.yaml")).unwrap();
    let rollout = "      budget: 3\n    - type: rolloutRestart\n      deployment: web\n      budget: 1\n";
    assert!(spec.contains("      budget: 3\n"), "{spec}");
    std::fs::write(dir.join("verification.yaml"), spec.replacen("      budget: 3\n", rollout, 1)).unwrap();
    let d = dir.to_str().unwrap();
    let v = json(&["--all", "--events", "1", d]);
    let drain =
        v["results"].as_array().unwrap().iter().find(|x| x["intent"] == "drainCompletes").expect("drainCompletes");
    assert_eq!(drain["verdict"], "unknown", "{v}");
    let reason = drain["reason"].as_str().unwrap();
    assert!(reason.contains("may still act (kubectl rollout restart of web:"), "{reason}");
    let v = json(&["--all", d]);
    let drain =
        v["results"].as_array().unwrap().iter().find(|x| x["intent"] == "drainCompletes").expect("drainCompletes");
    assert_eq!(drain["verdict"], "violated", "{v}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn scale_states_the_bound_it_checks_under() {
    let r = kbmc(&["scale", "--no-color", "--events", "1", "--max-nodes-per-pool", "2", TWO_FAILURES]);
    assert!(r.stdout.contains("every size checked with up to 1 event in one run"), "{}{}", r.stdout, r.stderr);
}

/// A deepening check says, once a level is done, what it decided with that many events and
/// which bound would stop there: the answers with one event are in long before the time
/// limit ends a check of a large cluster.
#[test]
fn each_level_done_is_said_as_progress() {
    let r = kbmc_env(&[("RUST_LOG", "kbmc::progress=info")], &["check", "--engine", "explicit", TWO_FAILURES]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("with up to 1 of 2 events: 0 violated, 1 hold, 0 open")
            && r.stderr.contains("now 2 events in a run (--events 1 stops here)"),
        "{}",
        r.stderr
    );
}
