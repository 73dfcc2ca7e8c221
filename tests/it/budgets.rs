//! Work budgets: each bundled case's default `kbmc check` and `kbmc check --prove` stay
//! within a budget of work that does not depend on the machine: the states the explicit
//! search stored, the solver's conflicts and decisions, and the solver queries, as the JSON
//! effort reports them.
//! Each budget is three times the work measured when it was set plus a floor (50 states,
//! 1,000 conflicts and decisions, 20 queries), rounded up, so that another Z3 version's
//! different search does not trip it, while a change that makes a case ten times more work
//! fails here, whatever the machine's speed. No time is asserted (a time limit only keeps a
//! regressed case from running on). Where a change makes a case more work on purpose, its
//! row is set again from the JSON effort of the two runs, and the commit says why.

use super::*;

/// A budget of work: states stored by the explicit search, Z3's conflicts plus decisions,
/// and solver checks.
#[derive(Clone, Copy, Debug)]
struct Work {
    states: u64,
    solver: u64,
    queries: u64,
}

const fn w(states: u64, solver: u64, queries: u64) -> Work {
    Work { states, solver, queries }
}

/// Per bundled case: the budget of `kbmc check` and of `kbmc check --prove`.
const BUDGETS: [(&str, Work, Work); 40] = [
    ("c1-hpa-oscillation", w(570, 1000, 20), w(570, 1000, 20)),
    ("c1-hpa-oscillation-fixed", w(460, 1000, 20), w(460, 1000, 20)),
    ("c10-anti-affinity-rollout", w(60, 1000, 20), w(60, 1000, 20)),
    ("c10-anti-affinity-rollout-fixed", w(120, 1000, 20), w(120, 1000, 20)),
    ("c11-anti-affinity-hpa-max", w(80, 1000, 20), w(80, 1000, 20)),
    ("c11-anti-affinity-hpa-max-fixed", w(470, 1000, 20), w(470, 1000, 20)),
    ("c12-anti-affinity-descheduler-loop", w(100, 1000, 20), w(100, 1000, 20)),
    ("c12-anti-affinity-descheduler-loop-fixed", w(60, 1000, 20), w(60, 1000, 20)),
    ("c13-statefulset-node-failure", w(90, 1000, 20), w(90, 1000, 20)),
    ("c13-statefulset-node-failure-fixed", w(150, 1000, 20), w(150, 1000, 20)),
    ("c14-statefulset-zone-volume", w(150, 1000, 20), w(150, 1000, 20)),
    ("c14-statefulset-zone-volume-fixed", w(220, 1000, 20), w(220, 1000, 20)),
    ("c15-daemonset-surge-full-node", w(60, 1000, 20), w(60, 1000, 20)),
    ("c15-daemonset-surge-full-node-fixed", w(90, 1000, 20), w(90, 1000, 20)),
    ("c16-preemption-second-scheduler-loop", w(100, 1000, 20), w(100, 1000, 20)),
    ("c16-preemption-second-scheduler-loop-fixed", w(60, 1000, 20), w(60, 1000, 20)),
    ("c18-scale-up-never-helps", w(210, 1000, 20), w(210, 1000, 20)),
    ("c18-scale-up-never-helps-fixed", w(130, 1000, 20), w(130, 1000, 20)),
    ("c19-zonal-group-scale-up-wrong-zone", w(180, 1000, 20), w(180, 1000, 20)),
    ("c19-zonal-group-scale-up-wrong-zone-fixed", w(190, 1000, 20), w(190, 1000, 20)),
    ("c20-vpa-hpa-cpu-conflict", w(7010, 1000, 20), w(7010, 1000, 20)),
    ("c20-vpa-hpa-cpu-conflict-fixed", w(440, 1000, 20), w(440, 1000, 20)),
    ("c21-vpa-pdb-blocks-resize", w(60, 1000, 20), w(60, 1000, 20)),
    ("c21-vpa-pdb-blocks-resize-fixed", w(110, 1000, 20), w(110, 1000, 20)),
    ("c2-apply-resets-replicas", w(80, 1000, 20), w(80, 1000, 20)),
    ("c2-apply-resets-replicas-fixed", w(19530, 1000, 20), w(19530, 1000, 20)),
    ("c3-conflicting-spread", w(230, 1000, 20), w(230, 1000, 20)),
    ("c3-conflicting-spread-fixed", w(400, 1000, 20), w(400, 1000, 20)),
    ("c4-kernel-panic-loop", w(2110, 1000, 20), w(2110, 1000, 20)),
    ("c4-kernel-panic-loop-fixed", w(310, 1000, 20), w(310, 1000, 20)),
    ("c5-remove-duplicates-loop", w(80, 1000, 20), w(80, 1000, 20)),
    ("c5-remove-duplicates-loop-fixed", w(60, 1000, 20), w(60, 1000, 20)),
    ("c6-maintenance-drain", w(150, 1000, 20), w(150, 1000, 20)),
    ("c6-maintenance-drain-fixed", w(210, 1000, 20), w(210, 1000, 20)),
    ("c7-taint-nodename-loop", w(150, 1000, 20), w(150, 1000, 20)),
    ("c7-taint-nodename-loop-fixed", w(60, 1000, 20), w(60, 1000, 20)),
    ("c8-descheduler-spread-loop", w(440, 1000, 20), w(440, 1000, 20)),
    ("c8-descheduler-spread-loop-fixed", w(250, 1000, 20), w(250, 1000, 20)),
    ("c9-pdb-blocks-drain", w(60, 1000, 20), w(60, 1000, 20)),
    ("c9-pdb-blocks-drain-fixed", w(460, 1000, 20), w(460, 1000, 20)),
];

/// The work of `kbmc check` on `case` with `extra` arguments, read from its JSON effort.
fn work(case: &str, extra: &[&str]) -> Work {
    let dir = format!("cases/{case}");
    let mut args = vec!["check", "--format", "json", "--time-limit", "120"];
    args.extend_from_slice(extra);
    args.push(&dir);
    let r = kbmc(&args);
    let v: serde_json::Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{case} {extra:?}: no JSON ({e}): {}{}", r.stdout, r.stderr));
    let e = &v["effort"];
    let n = |k: &str| e[k].as_u64().unwrap_or(0);
    Work { states: n("states"), solver: n("conflicts") + n("decisions"), queries: n("queries") }
}

/// What of `done` exceeds `budget`, if anything.
fn over(done: Work, budget: Work) -> Option<String> {
    let mut why = Vec::new();
    if done.states > budget.states {
        why.push(format!("{} states stored, budget {}", done.states, budget.states));
    }
    if done.solver > budget.solver {
        why.push(format!("{} conflicts and decisions, budget {}", done.solver, budget.solver));
    }
    if done.queries > budget.queries {
        why.push(format!("{} solver queries, budget {}", done.queries, budget.queries));
    }
    (!why.is_empty()).then(|| why.join("; "))
}

/// The rows of `cases` whose default check (`prove` false) or check with `--prove` exceed
/// their budgets.
fn over_budget(cases: &[&(&str, Work, Work)], prove: bool) -> Vec<String> {
    let mut failed = Vec::new();
    for &&(case, check, proof) in cases {
        let (what, extra, budget) =
            if prove { ("check --prove", &["--prove"][..], proof) } else { ("check", &[][..], check) };
        if let Some(why) = over(work(case, extra), budget) {
            failed.push(format!("{case}: {what}: {why}"));
        }
    }
    failed
}

fn assert_within(failures: Vec<String>) {
    assert!(failures.is_empty(), "over budget (3x the work measured when set):\n{}", failures.join("\n"));
}

/// C2-fixed's proof explores its 6,493 reachable states (the explicit search that runs first
/// reaches every one, and its verdict stands): by far the most states of any case, so it is a
/// test of its own and the test threads share the others.
const LONGEST_PROOF: &str = "c2-apply-resets-replicas-fixed";

#[test]
fn every_case_has_a_work_budget() {
    for dir in case_dirs() {
        let n = dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(BUDGETS.iter().any(|(c, _, _)| *c == n), "{n} has no work budget in tests/it/budgets.rs");
    }
}

#[test]
fn default_checks_stay_within_their_work_budgets() {
    assert_within(over_budget(&BUDGETS.iter().collect::<Vec<_>>(), false));
}

/// Shard 0 of the proofs: every other case, C2-fixed aside.
#[test]
fn proofs_stay_within_their_work_budgets_shard_0() {
    let rows: Vec<_> = BUDGETS.iter().filter(|r| r.0 != LONGEST_PROOF).step_by(2).collect();
    assert_within(over_budget(&rows, true));
}

/// Shard 1 of the proofs: the other cases, C2-fixed aside.
#[test]
fn proofs_stay_within_their_work_budgets_shard_1() {
    let rows: Vec<_> = BUDGETS.iter().filter(|r| r.0 != LONGEST_PROOF).skip(1).step_by(2).collect();
    assert_within(over_budget(&rows, true));
}

#[test]
fn the_longest_proof_stays_within_its_work_budget() {
    let rows: Vec<_> = BUDGETS.iter().filter(|r| r.0 == LONGEST_PROOF).collect();
    assert_eq!(rows.len(), 1);
    assert_within(over_budget(&rows, true));
}

/// The budget test fails on a case that does more work than its budget: C4's default check,
/// against its own row with one state fewer.
#[test]
fn a_case_over_its_budget_fails() {
    let case = "c4-kernel-panic-loop";
    let done = work(case, &[]);
    assert!(done.states > 0, "{done:?}");
    let row = BUDGETS.iter().find(|r| r.0 == case).expect("a row");
    assert!(over(done, row.1).is_none(), "{case} is over its own budget: {done:?}");
    let lowered = Work { states: done.states - 1, ..row.1 };
    let why = over(done, lowered).expect("one state over the budget is over it");
    assert!(why.contains("states stored"), "{why}");
}

/// The symbolic engine alone (`--explicit-states 0`) on C2-fixed: its widest depth has more
/// states than the witnesses keep on a larger model, and without a layer lemma at every depth
/// the probes and queries past depth 25 took the whole time limit. With the witnesses sized
/// to the model (`witnesses::layer_for`), every depth is pinned by its lemma and the 40 steps
/// hold within a few queries. The budget is this file's rule over the test build's work (16
/// queries, 3,792 conflicts and decisions: a debug build checks evaluated lemmas against the
/// solver too; a release build makes 2 queries).
#[test]
fn the_symbolic_engine_alone_reaches_c2_fixeds_bound_within_its_budget() {
    let case = "cases/c2-apply-resets-replicas-fixed";
    let r = kbmc(&["check", "--explicit-states", "0", "--format", "json", "--time-limit", "120", case]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!((&v["results"][0]["verdict"], &v["results"][0]["bound"]["steps"]), (&"holds".into(), &40.into()));
    let n = |k: &str| v["effort"][k].as_u64().unwrap_or(0);
    let done = Work { states: n("states"), solver: n("conflicts") + n("decisions"), queries: n("queries") };
    if let Some(why) = over(done, w(50, 10_000, 90)) {
        panic!("{case}: check --explicit-states 0: {why}");
    }
}

/// The symbolic engine alone (`--explicit-states 0`) on the cases whose time was its lasso
/// queries or its event bound's levels: C9-fixed (a drain of any of three identical nodes is
/// one part of a level; `drainCompletes`' loops are refuted by the steps between the layer
/// lemmas, `Prober::no_loop_through`), C11-fixed (`allPodsEventuallyRun`'s, likewise) and
/// C4-fixed (every run ends by depth 14 of 80 at each of its six levels: no query is asked
/// past it). A release build made 152,702 conflicts and decisions and 224 queries on C9-fixed
/// before, 126,899 and 38 on C11-fixed, 12 and 810 on C4-fixed; now 9 and 9, 4 and 4, 12 and
/// 12. The budgets are this file's rule over the test build's work (4,690 and 1,538; 9,721 and
/// 381; 10,134 and 90: a debug build checks evaluated lemmas against the side solver too).
#[test]
fn the_symbolic_engine_alone_stays_within_its_work_budgets() {
    let mut failed = Vec::new();
    for (case, budget) in [
        ("c9-pdb-blocks-drain-fixed", w(50, 15_100, 4_700)),
        ("c11-anti-affinity-hpa-max-fixed", w(50, 30_200, 1_200)),
        ("c4-kernel-panic-loop-fixed", w(50, 31_500, 300)),
    ] {
        if let Some(why) = over(work(case, &["--explicit-states", "0"]), budget) {
            failed.push(format!("{case}: check --explicit-states 0: {why}"));
        }
    }
    assert_within(failed);
}
