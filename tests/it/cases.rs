//! Every bundled case loads, validates and is shown by `kbmc inspect`.

use super::*;

const CASES: [&str; 20] = [
    "c1-hpa-oscillation",
    "c2-apply-resets-replicas",
    "c3-conflicting-spread",
    "c4-kernel-panic-loop",
    "c5-remove-duplicates-loop",
    "c6-maintenance-drain",
    "c7-taint-nodename-loop",
    "c8-descheduler-spread-loop",
    "c9-pdb-blocks-drain",
    "c10-anti-affinity-rollout",
    "c11-anti-affinity-hpa-max",
    "c12-anti-affinity-descheduler-loop",
    "c13-statefulset-node-failure",
    "c14-statefulset-zone-volume",
    "c15-daemonset-surge-full-node",
    "c16-preemption-second-scheduler-loop",
    "c18-scale-up-never-helps",
    "c19-zonal-group-scale-up-wrong-zone",
    "c20-vpa-hpa-cpu-conflict",
    "c21-vpa-pdb-blocks-resize",
];

#[test]
fn every_case_and_its_fix_are_present() {
    let names: Vec<String> =
        case_dirs().iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    for c in CASES {
        assert!(names.contains(&c.to_string()), "missing case {c}");
        assert!(names.contains(&format!("{c}-fixed")), "missing case {c}-fixed");
    }
    assert_eq!(names.len(), 2 * CASES.len(), "{names:?}");
    for dir in case_dirs() {
        for f in ["verification.yaml", "expected.txt", "README.md"] {
            assert!(dir.join(f).is_file(), "{} lacks {f}", rel(&dir));
        }
        assert!(dir.join("manifests").is_dir(), "{} lacks manifests/", rel(&dir));
    }
}

#[test]
fn every_case_inspects() {
    for dir in case_dirs() {
        let r = kbmc(&["inspect", &rel(&dir)]);
        assert_eq!(r.code, 0, "{}: {}", rel(&dir), r.stderr);
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(r.stdout.starts_with(&format!("model {name}\n")), "{name}: {}", r.stdout);
        for section in
            ["node slots", "deployments (", "pod groups (", "scheduler:", "descheduler:", "events (", "intents ("]
        {
            assert!(r.stdout.contains(section), "{name} lacks {section}");
        }
        assert!(r.stderr.is_empty(), "{name} warned: {}", r.stderr);
    }
}

#[test]
fn every_case_inspects_as_json() {
    for dir in case_dirs() {
        let r = kbmc(&["inspect", "--format", "json", &rel(&dir)]);
        assert_eq!(r.code, 0, "{}: {}", rel(&dir), r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("valid JSON");
        assert!(v["nodes"].as_array().is_some_and(|n| !n.is_empty()));
        assert!(v["intents"].as_array().is_some_and(|n| !n.is_empty()));
    }
}

#[test]
fn inspect_output_is_stable() {
    let a = kbmc(&["inspect", "cases/c8-descheduler-spread-loop"]);
    let b = kbmc(&["inspect", "cases/c8-descheduler-spread-loop"]);
    assert_eq!(a.stdout, b.stdout);
}

/// The model facts each case is built on (what Kivi's case generator sets up).
#[test]
fn cases_resolve_to_the_intended_models() {
    let show = |c: &str| kbmc(&["inspect", &format!("cases/{c}")]).stdout;

    let c2 = show("c2-apply-resets-replicas");
    assert!(
        c2.contains(
            "replicas reset to 1 where the last applied version sets spec.replicas (the initial manifest does)"
        ),
        "{c2}"
    );
    let c2f = show("c2-apply-resets-replicas-fixed");
    assert!(c2f.contains("replicas kept where the last applied version does not set spec.replicas"), "{c2f}");
    assert!(
        c2f.contains("replicas: 3 (spec.replicas absent, defaults to 1)") || c2f.contains("replicas: 3 ("),
        "{c2f}"
    );

    let c3 = show("c3-conflicting-spread");
    assert!(c3.contains("at start: running on zone-a-0 x2, zone-a-1 x1, zone-b-0 x2"), "{c3}");
    assert_eq!(c3.matches("DoNotSchedule").count(), 2, "{c3}");
    let c3f = show("c3-conflicting-spread-fixed");
    assert!(c3f.contains("topology.kubernetes.io/zone maxSkew 1 ScheduleAnyway"), "{c3f}");

    let c4f = show("c4-kernel-panic-loop-fixed");
    assert!(c4f.contains("capacity: cpu 64,") && c4f.contains("allocatable: cpu 60,"), "{c4f}");

    let c5f = show("c5-remove-duplicates-loop-fixed");
    assert!(c5f.contains("evictor: nodeFit true"), "{c5f}");

    let c7 = show("c7-taint-nodename-loop");
    assert!(c7.contains("tainted-0: no (NoExecute taint)"), "{c7}");
    assert!(c7.contains("plain-0: no (nodeName)"), "{c7}");
    let c7f = show("c7-taint-nodename-loop-fixed");
    assert!(c7f.contains("tainted-0: yes"), "{c7f}");

    let c4 = show("c4-kernel-panic-loop");
    assert!(c4.contains("on a NotReady node: evicted after its 300 s toleration"), "{c4}");
    let delays = kbmc(&["inspect", "tests/fixtures/good/toleration-delays"]).stdout;
    for line in [
        "on a NotReady node: evicted after its 300 s toleration",
        "on a NotReady node: evicted after its 30 s toleration",
        "on a NotReady node: stays (tolerates the unreachable taint for ever)",
    ] {
        assert!(delays.contains(line), "{line}: {delays}");
    }

    let c8 = show("c8-descheduler-spread-loop");
    assert!(c8.contains("on-demand-0: yes | 5"), "{c8}");
    assert!(c8.contains("spot-1: yes | 4"), "{c8}");
    assert!(c8.contains("(constraints DoNotSchedule and ScheduleAnyway, topologyBalanceNodeFit true)"), "{c8}");
    let c8f = show("c8-descheduler-spread-loop-fixed");
    assert!(c8f.contains("(constraints DoNotSchedule, topologyBalanceNodeFit true)"), "{c8f}");

    let c1 = show("c1-hpa-oscillation");
    assert!(c1.contains("cpuPattern of web: usage 8 after start, then 3"), "{c1}");
    assert!(c1.contains("spread: kubernetes.io/hostname maxSkew 3 ScheduleAnyway (system default)"), "{c1}");
}

/// Every case's verdicts, with the explicit engine: each of C1–C9 violates its intent
/// (exit 1) and each -fixed variant holds with the whole state space explored (exit 0);
/// every line of expected.txt appears in the output.
#[test]
fn explicit_engine_finds_every_case_and_verifies_every_fix() {
    for dir in case_dirs() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let r = kbmc(&["check", "--engine", "explicit", "--all", &rel(&dir)]);
        let fixed = name.ends_with("-fixed");
        assert_eq!(r.code, if fixed { 0 } else { 1 }, "{name}\nstdout: {}\nstderr: {}", r.stdout, r.stderr);
        let expected = std::fs::read_to_string(dir.join("expected.txt")).unwrap();
        for line in expected.lines().filter(|l| !l.trim().is_empty()) {
            assert!(r.stdout.contains(line), "{name}: expected line {line:?} missing from:\n{}", r.stdout);
        }
        if fixed {
            assert!(r.stdout.contains("every reachable state was explored"), "{name}: {}", r.stdout);
            assert!(!r.stdout.contains(": violated"), "{name}: {}", r.stdout);
            assert!(r.stdout.contains(" 0 violated,"), "{name}: {}", r.stdout);
        } else {
            assert!(r.stdout.contains("counterexample for"), "{name}: {}", r.stdout);
        }
    }
}

/// Every case's verdicts with the default engine, whose explicit search runs first (ADR
/// 0006): the same exit codes and expected.txt lines as the explicit engine, each -fixed
/// variant decided by that search alone ("every reachable state was explored": nothing is
/// left for the symbolic engine), and each violation found by it.
#[test]
fn default_engine_decides_every_case_by_its_explicit_search() {
    for dir in case_dirs() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let r = kbmc(&["check", "--all", "--no-color", &rel(&dir)]);
        let fixed = name.ends_with("-fixed");
        assert_eq!(r.code, if fixed { 0 } else { 1 }, "{name}\nstdout: {}\nstderr: {}", r.stdout, r.stderr);
        let expected = std::fs::read_to_string(dir.join("expected.txt")).unwrap();
        for line in expected.lines().filter(|l| !l.trim().is_empty()) {
            assert!(r.stdout.contains(line), "{name}: expected line {line:?} missing from:\n{}", r.stdout);
        }
        assert!(r.stdout.starts_with(&format!("kbmc check {name} (engine explicit)")), "{name}: {}", r.stdout);
        if fixed {
            assert!(r.stdout.contains("every reachable state was explored"), "{name}: {}", r.stdout);
        }
    }
}

/// The counterexamples tell the incidents' stories (the step that matters is there).
#[test]
fn counterexamples_read_as_the_incidents() {
    let story = |c: &str| kbmc(&["check", "--engine", "explicit", &format!("cases/{c}")]).stdout;
    let c3 = story("c3-conflicting-spread");
    assert!(c3.contains("[hpa] web scales web from 5 to 6 replicas"), "{c3}");
    assert!(
        c3.contains(
            "fits no node (zone-a-0: PodTopologySpread: a pod here exceeds maxSkew 1 on kubernetes.io/hostname and maxSkew 1 on topology.kubernetes.io/zone; zone-a-1: PodTopologySpread: a pod here exceeds maxSkew 1 on topology.kubernetes.io/zone; zone-b-0: PodTopologySpread: a pod here exceeds maxSkew 1 on kubernetes.io/hostname)"
        ),
        "{c3}"
    );
    let c2 = story("c2-apply-resets-replicas");
    assert!(
        c2.contains("spec.replicas dropped from the last applied manifest, so the API server defaults it: 3 -> 1"),
        "{c2}"
    );
    let c5 = story("c5-remove-duplicates-loop");
    assert!(
        c5.contains("-- loop starts here --")
            && c5.contains("[descheduler] picks to evict 1 pod(s) of web on large-0 (RemoveDuplicates)")
            && c5.contains("[descheduler] evicts a pod of web using "),
        "{c5}"
    );
    assert!(c5.contains("binds a pod of web to large-0"), "{c5}");
    let c7 = story("c7-taint-nodename-loop");
    assert!(c7.contains("NoExecute taint key1=value1:NoExecute not tolerated"), "{c7}");
    let c8 = story("c8-descheduler-spread-loop");
    assert!(
        c8.contains("(RemovePodsViolatingTopologySpreadConstraint)")
            && c8.contains("binds a pod of web to on-demand-0"),
        "{c8}"
    );
    let c1 = story("c1-hpa-oscillation");
    assert!(c1.contains("scales web from 4 to 6 replicas") && c1.contains("scales web from 4 to 3 replicas"), "{c1}");
    let c4 = story("c4-kernel-panic-loop");
    assert!(c4.contains("(panic #3)"), "{c4}");
    let c6 = story("c6-maintenance-drain");
    assert!(c6.contains("kubectl drain general-1: cordoned, eviction of 2 pod(s) requested"), "{c6}");
    assert!(c6.contains("[eviction] evicts a running pod of web from general-1 (kubectl drain general-1)"), "{c6}");
    let c9 = story("c9-pdb-blocks-drain");
    assert!(
        c9.contains("refused for now: web: PodDisruptionBudget web-pdb (minAvailable 3) allows 0 disruptions"),
        "{c9}"
    );
    assert!(
        c9.contains("[stutter] no controller or event can act") && c9.contains("retries evicting a pod of web"),
        "{c9}"
    );
}

/// Exact explored-state counts on the bundled clusters: a change in the semantics or the
/// search shows up here and must be explained.
#[test]
fn state_counts_are_stable() {
    for (case, states) in [
        ("c3-conflicting-spread-fixed", 116),
        ("c5-remove-duplicates-loop", 9),
        ("c7-taint-nodename-loop-fixed", 3),
        ("c8-descheduler-spread-loop-fixed", 65),
        // Two event bounds of 42 states each: the second reaches no more, so the deepening
        // stops there (no panic ever fires).
        ("c4-kernel-panic-loop-fixed", 84),
    ] {
        let r = kbmc(&["check", "--engine", "explicit", &format!("cases/{case}")]);
        assert!(r.stdout.contains(&format!("explored {states} states")), "{case}: {}", r.stdout);
    }
}

/// A search bound that cuts the state space gives a bounded verdict, never "every state".
#[test]
fn bounded_search_says_so() {
    let r = kbmc(&["check", "--engine", "explicit", "--steps", "3", "cases/c8-descheduler-spread-loop-fixed"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("noEvictionCycle(web): holds within 3 steps"), "{}", r.stdout);
}

/// Symmetry reduction over identical nodes changes no verdict and no shortest counterexample
/// length, on every case, and its traces (mapped back from renamed states) are real runs.
#[test]
fn symmetry_reduction_keeps_verdicts_and_shortest_traces() {
    use kbmc::engine::explicit::{check, Options};
    use kbmc::verdict::Verdict;
    for dir in case_dirs() {
        let (ir, _) = kbmc::load_model(std::slice::from_ref(&dir), false).unwrap();
        let m = kbmc::model::Model::new(&ir);
        let run = |symmetry| {
            check(
                &m,
                &Options {
                    max_depth: ir.bounds.steps as usize,
                    max_states: 2_000_000,
                    symmetry,
                    reduction: false,
                    all: true,
                },
            )
        };
        let (on, off) = (run(true), run(false));
        for (a, b) in on.results.iter().zip(&off.results) {
            let shape = |v: &Verdict| match v {
                Verdict::Violated(t) => {
                    format!("violated {} loop {:?}", t.steps.len(), t.loop_start.map(|l| t.steps.len() - l))
                }
                Verdict::Holds { exhaustive, .. } => format!("holds exhaustive={exhaustive}"),
                Verdict::Proved { k, by } => format!("proved k={k} ({by:?})"),
                Verdict::Unknown { .. } => "unknown".into(),
            };
            assert_eq!(shape(&a.verdict), shape(&b.verdict), "{} {}", rel(&dir), a.name);
            if let Verdict::Violated(t) = &a.verdict {
                let reg = kbmc::model::registry::<kbmc::domain::Concrete>();
                kbmc::trace::replay(&m, &reg, t).unwrap_or_else(|e| panic!("{} {}: {e}", rel(&dir), a.name));
            }
        }
        assert!(on.effort.states <= off.effort.states);
    }
}

/// A bundled case's model, registry and step labels, and the graph of (at most 3000 of) its
/// reachable states: what the agreement tests below walk state by state.
struct Explored {
    m: kbmc::model::Model,
    reg: Vec<Box<dyn kbmc::model::Controller<kbmc::domain::Concrete>>>,
    labels: Vec<kbmc::model::Step>,
    g: kbmc::engine::explicit::Graph,
}

impl Explored {
    /// Calls `f` with every label enabled in every explored state: its actor, the label, the
    /// state and the state after the step.
    fn each_step(
        &self,
        mut f: impl FnMut(&dyn kbmc::model::Controller<kbmc::domain::Concrete>, &kbmc::model::Step, &State, State),
    ) {
        let d = kbmc::domain::Concrete;
        for st in (0..self.g.states.len() as u32).map(|u| self.g.states.get(u)) {
            for s in &self.labels {
                let c = self.reg[s.actor as usize].as_ref();
                if c.guard(&d, &self.m, s, &st) {
                    f(c, s, &st, c.update(&d, &self.m, s, &st));
                }
            }
        }
    }
}

/// Calls `f` with every label enabled in every explored state of every bundled case (the
/// case's folder and exploration, the actor, the label, the state and the state after the
/// step); `f` says whether it checked the step. Fails unless more than a thousand were.
fn each_case_step(
    mut f: impl FnMut(
        &std::path::Path,
        &Explored,
        &dyn kbmc::model::Controller<kbmc::domain::Concrete>,
        &kbmc::model::Step,
        &State,
        State,
    ) -> bool,
) {
    let mut checked = 0;
    for dir in case_dirs() {
        let x = explored(&dir, false);
        x.each_step(|c, s, st, after| checked += f(&dir, &x, c, s, st, after) as usize);
    }
    assert!(checked > 1000, "only {checked} steps checked");
}

/// A concrete state.
type State = kbmc::model::ClusterState<kbmc::domain::Concrete>;

fn explored(dir: &std::path::Path, symmetry: bool) -> Explored {
    use kbmc::engine::explicit::{explore, Options};
    let (ir, _) = kbmc::load_model(&[dir.to_path_buf()], false).unwrap();
    let m = kbmc::model::Model::new(&ir);
    let reg = kbmc::model::registry();
    let labels = kbmc::model::all_steps(&m, &reg);
    let opts = Options { max_depth: ir.bounds.steps as usize, max_states: 3000, symmetry, reduction: false, all: true };
    let g = explore(&m, &opts, |_, _| true);
    Explored { m, reg, labels, g }
}

/// Batched guards (the scheduler's, for either engine) agree with the per-label guards, and an actor's
/// `any_enabled` with the disjunction of its guards, on every reachable state of every case.
#[test]
fn batched_guards_agree_with_guards() {
    use kbmc::domain::Concrete;
    for dir in case_dirs() {
        let Explored { m, reg, labels, g } = explored(&dir, false);
        for st in (0..g.states.len() as u32).map(|u| g.states.get(u)) {
            let st = &st;
            for (actor, c) in reg.iter().enumerate() {
                let mine: Vec<_> = labels.iter().copied().filter(|s| s.actor as usize == actor).collect();
                if let Some(batch) = kbmc::engine::explicit::hints::of(&**c).batch_guard(&m, &mine, st) {
                    let single: Vec<bool> = mine.iter().map(|s| c.guard(&Concrete, &m, s, st)).collect();
                    assert_eq!(batch, single, "{} {}", rel(&dir), c.name());
                }
                if let Some(batch) = kbmc::engine::symbolic::hints::of(&**c).batch_guard(&Concrete, &m, &mine, st) {
                    let single: Vec<bool> = mine.iter().map(|s| c.guard(&Concrete, &m, s, st)).collect();
                    assert_eq!(batch, single, "{} {}: symbolic batch_guard", rel(&dir), c.name());
                }
                if let Some(any) = kbmc::engine::symbolic::hints::of(&**c).any_enabled(&Concrete, &m, st) {
                    let some = mine.iter().any(|s| c.guard(&Concrete, &m, s, st));
                    assert_eq!(any, some, "{} {}: any_enabled", rel(&dir), c.name());
                }
            }
        }
    }
}

/// States with equal guard keys enable the same labels of the actor (the explicit engine
/// remembers guards by key), on every reachable state of every case; where an actor's key has
/// rows per node, states whose keys are equal up to renaming nodes of one static class enable
/// labels renamed likewise; and keys do stand for more than one state, so neither check is
/// vacuous.
#[test]
fn guard_keys_decide_guards() {
    use kbmc::domain::Concrete;
    use kbmc::model::relation::static_classes;
    use std::collections::hash_map::{Entry, HashMap};
    /// Per actor and key: the guards of the first state with that key, and its id.
    type Seen = HashMap<(usize, Vec<i64>), (Vec<bool>, u32)>;
    // Remembers `guards` under `key`, or checks them against those already remembered.
    fn agree(seen: &mut Seen, key: (usize, Vec<i64>), guards: Vec<bool>, u: u32, what: &str) -> bool {
        match seen.entry(key) {
            Entry::Occupied(e) => {
                let (first, v) = e.get();
                assert_eq!(&guards, first, "{what}: states {v} and {u} have one guard key and different guards");
                true
            }
            Entry::Vacant(e) => {
                e.insert((guards, u));
                false
            }
        }
    }
    let (mut shared, mut shared_renamed) = (0, 0);
    for dir in case_dirs() {
        // States as reached: renaming has states to identify.
        let Explored { m, reg, labels, g } = explored(&dir, false);
        let (classes, nn) = (static_classes(&m), m.nodes());
        let mut seen = HashMap::new();
        let mut seen_renamed = HashMap::new();
        let mut key = Vec::new();
        for u in 0..g.states.len() as u32 {
            let st = g.states.get(u);
            for (actor, c) in reg.iter().enumerate() {
                let Some(width) = kbmc::engine::explicit::hints::of(&**c).guard_key(&m, &st, &mut key) else {
                    continue;
                };
                let what = format!("{} {}", rel(&dir), c.name());
                let mine: Vec<_> = labels.iter().filter(|s| s.actor as usize == actor).collect();
                let guards: Vec<bool> = mine.iter().map(|s| c.guard(&Concrete, &m, s, &st)).collect();
                let plain = agree(&mut seen, (actor, key.clone()), guards.clone(), u, &what);
                shared += plain as usize;
                if width == 0 {
                    continue;
                }
                assert!(
                    mine.len().is_multiple_of(nn) && mine.iter().enumerate().all(|(i, s)| c.node_of(s) == Some(i % nn)),
                    "{what}: a key with rows needs labels in blocks of one per node"
                );
                // The key and guards with the nodes in the order of (static class, row).
                let rows_at = key.len() - nn * width;
                let row = |n: usize| &key[rows_at + n * width..rows_at + (n + 1) * width];
                let mut order: Vec<usize> = (0..nn).collect();
                order.sort_by(|&a, &b| (classes[a], row(a)).cmp(&(classes[b], row(b))));
                let mut canon = key[..rows_at].to_vec();
                let mut place = vec![0; nn];
                for (p, &n) in order.iter().enumerate() {
                    canon.push(classes[n] as i64);
                    canon.extend_from_slice(row(n));
                    place[n] = p;
                }
                let mut renamed = vec![false; guards.len()];
                for (i, &ok) in guards.iter().enumerate() {
                    renamed[i - i % nn + place[i % nn]] = ok;
                }
                let by_renaming = agree(&mut seen_renamed, (actor, canon), renamed, u, &format!("{what} (renamed)"));
                shared_renamed += (by_renaming && !plain) as usize;
            }
        }
    }
    assert!(shared > 1000, "guard keys stood for {shared} repeated states only");
    assert!(shared_renamed > 100, "renamed guard keys stood for {shared_renamed} more states only");
}

/// A search, which remembers guards by key, takes from every state it expands exactly the
/// steps a one-off question (which remembers nothing) says are enabled, in every case.
#[test]
fn remembered_guards_enable_what_guards_do() {
    use kbmc::model::relation::{enabled, symmetry_classes};
    let mut expanded = 0;
    for dir in case_dirs() {
        let Explored { m, reg, labels, g } = explored(&dir, true);
        let classes = symmetry_classes(&m);
        for u in 0..g.states.len() as u32 {
            let taken: Vec<_> = g.successors(u).map(|(_, s)| s).collect();
            if taken.is_empty() && !g.stutters[u as usize] {
                continue; // not expanded: at the depth bound or past the state limit
            }
            if g.state_limit_at.is_some() && u + 1 == g.expanded {
                continue; // expanded in part: the state limit stopped the search among its successors
            }
            let st = g.states.get(u);
            assert_eq!(taken, enabled(&m, &reg, &labels, &classes, true, &st), "{} state {u}", rel(&dir));
            expanded += 1;
        }
    }
    assert!(expanded > 5_000, "only {expanded} states expanded");
}

/// Where a search stores states as reached and the scheduler's guard keys as they stand keep
/// missing (C8's spread over twelve nodes), it remembers the guards up to renaming identical
/// nodes, and still takes from every state it expands exactly the steps a one-off question
/// enables (under debug assertions each remembered guard is also checked as it is used).
#[test]
fn renamed_guard_keys_enable_what_guards_do() {
    use kbmc::engine::explicit::{explore, Options};
    use kbmc::model::relation::{enabled, symmetry_classes};
    let dir = root().join("tests/fixtures/large/spread-many-nodes");
    let (ir, _) = kbmc::load_model(&[dir], false).unwrap();
    let m = kbmc::model::Model::new(&ir);
    let reg = kbmc::model::registry();
    let labels = kbmc::model::all_steps(&m, &reg);
    let opts = Options { max_depth: 40, max_states: 80_000, symmetry: true, reduction: false, all: true };
    let g = explore(&m, &opts, |_, _| true);
    assert!(g.renamed_guards > 100, "guards remembered up to renaming were used {} times", g.renamed_guards);
    let classes = symmetry_classes(&m);
    // The state limit stopped the search part-way through expanding the last state it
    // expanded (states are expanded in id order): its steps taken are the first enabled.
    let last = (0..g.states.len() as u32).rev().find(|&u| g.successors(u).next().is_some());
    let mut expanded = 0;
    for u in 0..g.states.len() as u32 {
        let taken: Vec<_> = g.successors(u).map(|(_, s)| s).collect();
        if taken.is_empty() && !g.stutters[u as usize] {
            continue; // not expanded: past the state limit
        }
        let st = g.states.get(u);
        let mut steps = enabled(&m, &reg, &labels, &classes, true, &st);
        if Some(u) == last {
            steps.truncate(taken.len());
        }
        assert_eq!(taken, steps, "state {u}");
        expanded += 1;
    }
    assert!(g.state_limit_at.is_some() && expanded > 1000, "only {expanded} states expanded");
}

/// A step changes only the node conditions its actor says it can (the explicit engine leaves
/// the others out of stored states), on every reachable step of every bundled case.
#[test]
fn node_conditions_change_only_by_actors_that_say_so() {
    let (mut left_out, mut autoscaled) = (0, 0);
    for dir in case_dirs() {
        let x = explored(&dir, false);
        x.each_step(|c, s, st, after| {
            let changed = after.conditions_differing_from(st);
            let said = c.node_conditions_changed();
            assert!(
                !changed.has(said.others()),
                "{} {}: {s:?} changes node conditions {changed:?}, not only {said:?}",
                rel(&dir),
                c.name()
            );
        });
        if x.g.states.fields().left_out.has(kbmc::model::state::Conditions::ALL) {
            left_out += 1;
        } else {
            autoscaled += 1;
            assert!(x.m.ir.autoscaler.is_some(), "{}: every node condition stored", rel(&dir));
        }
    }
    // Every bundled case leaves some condition out (presence, at least, never changes), but
    // those with the cluster autoscaler: it adds and deletes nodes, taints them, and ends a
    // drain of a node it deletes.
    assert_eq!(autoscaled, 4, "C18, C19 and their fixes");
    assert_eq!(left_out, 2 * CASES.len() - autoscaled);
}

/// An actor that says each of its steps on a node changes only that node's per-node values
/// (the explicit engine then patches a successor's key from its parent's at that node) does
/// so, on every reachable step of every bundled case.
#[test]
fn steps_change_only_the_node_their_actor_says() {
    use kbmc::model::state::Fields;
    each_case_step(|dir, _, c, s, st, after| {
        let Some(n) = c.node_of(s).filter(|_| kbmc::engine::explicit::hints::of(c).changes_only_its_node()) else {
            return false;
        };
        let mut patched = st.pack();
        after.pack_dirty_into(None, &[n], Fields::ALL, &mut patched);
        assert_eq!(patched, after.pack(), "{} {}: {s:?} changes another node", rel(dir), c.name());
        true
    });
}

/// `Controller::keeps_pod_placement` is a promise the explicit engine relies on to skip
/// podAlwaysSchedulable on states such a step reached: every reachable step that makes it
/// leaves pending pods, each node's pods per group (bound or running, and terminating), node
/// conditions and every group's feasible nodes as they were.
#[test]
fn placement_keeping_steps_keep_feasible_nodes() {
    use kbmc::model::framework::{feasible_with, scheduled, NodeLoads};
    let d = kbmc::domain::Concrete;
    let placement = |m: &kbmc::model::Model, st: &State| {
        let loads = NodeLoads::for_filters(&d, m, st);
        let per_group: Vec<_> = (0..m.ir.groups.len())
            .map(|g| {
                let on_nodes: Vec<_> = (0..st.present.len())
                    .map(|n| {
                        (kbmc::model::node::running_of_group(&d, m, st, g, n) + st.bound[g][n], st.terminating[g][n])
                    })
                    .collect();
                let feasible = scheduled(m, g).then(|| feasible_with(&d, m, st, &loads, g));
                (on_nodes, feasible)
            })
            .collect();
        let conditions = (&st.present, &st.status, &st.cordoned, &st.draining, &st.maintained, &st.panics);
        format!("{:?} {per_group:?} {conditions:?}", st.pending)
    };
    each_case_step(|dir, x, c, s, st, after| {
        if !kbmc::engine::explicit::hints::of(c).keeps_pod_placement(s) {
            return false;
        }
        let (before, after) = (placement(&x.m, st), placement(&x.m, &after));
        assert_eq!(before, after, "{} {}: {s:?} moves a pod or changes a node", rel(dir), c.name());
        true
    });
}

/// The concrete sums of running replicas and of live pods the search uses (observations,
/// the Deployment's batched guards) agree with the definitions every engine shares, on every
/// explored state of every bundled case.
#[test]
fn replicas_summed_two_ways_agree() {
    let d = kbmc::domain::Concrete;
    let mut checked = 0;
    for dir in case_dirs() {
        let x = explored(&dir, false);
        for st in (0..x.g.states.len() as u32).map(|u| x.g.states.get(u)) {
            for dep in 0..x.m.ir.deployments.len() {
                assert_eq!(
                    kbmc::model::running_replicas_of(&x.m, &st, dep),
                    kbmc::model::running_replicas(&d, &x.m, &st, dep),
                    "{} deployment {dep}",
                    rel(&dir)
                );
                checked += 1;
            }
            for g in 0..x.m.ir.groups.len() {
                assert_eq!(
                    kbmc::model::live_of_group_of(&x.m, &st, g),
                    kbmc::model::live_of_group(&d, &x.m, &st, g),
                    "{} group {g}",
                    rel(&dir)
                );
            }
        }
    }
    assert!(checked > 1000, "only {checked} states checked");
}

/// A state limit never turns into a claim about runs it did not explore: an intent not
/// decided within the bound asked for is unknown (exit 3), with the depth fully reached.
#[test]
fn state_limit_is_honest() {
    let r = kbmc(&["check", "--engine", "explicit", "--max-states", "20", "cases/c8-descheduler-spread-loop-fixed"]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(
        r.stdout.contains("noEvictionCycle(web): unknown: the state limit of 20 states (--max-states) was reached"),
        "{}",
        r.stdout
    );
    let r = kbmc(&["check", "--engine", "explicit", "--max-states", "20", "cases/c3-conflicting-spread-fixed"]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "podAlwaysSchedulable: unknown: the state limit of 20 states (--max-states) was reached at depth"
        ) && r.stdout.contains("longer runs not covered"),
        "{}",
        r.stdout
    );
}

/// `timing: interleaved` lets periodic controllers and events act mid-reaction: more states,
/// the same verdict on C8.
#[test]
fn interleaved_timing_explores_more() {
    let dir = std::env::temp_dir().join(format!("kbmc-interleaved-{}", std::process::id()));
    let case = dir.join("c8");
    std::fs::create_dir_all(case.join("manifests")).unwrap();
    let src = root().join("cases/c8-descheduler-spread-loop");
    for f in ["manifests/deployment.yaml", "manifests/descheduler-policy.yaml"] {
        std::fs::copy(src.join(f), case.join(f)).unwrap();
    }
    let spec = std::fs::read_to_string(src.join("verification.yaml"))
        .unwrap()
        .replace("\nspec:\n", "\nspec:\n  timing: interleaved\n");
    std::fs::write(case.join("verification.yaml"), spec).unwrap();
    let states = |out: &str| -> usize {
        out.split("explored ").nth(1).and_then(|s| s.split(' ').next()).and_then(|n| n.parse().ok()).unwrap()
    };
    let urgent = kbmc(&["check", "--engine", "explicit", "cases/c8-descheduler-spread-loop"]);
    let inter = kbmc(&["check", "--engine", "explicit", case.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(inter.code, 1, "{}", inter.stdout);
    assert!(inter.stdout.contains("noEvictionCycle(web): violated"), "{}", inter.stdout);
    assert!(states(&inter.stdout) > states(&urgent.stdout));
}

/// A drain of nodes whose pods a PodDisruptionBudget with `minAvailable` equal to the
/// replicas guards never evicts one of them: no enabled step from any reachable state of
/// C9 takes a running pod of `web` off a node being drained, and neither engine's
/// counterexample reports an eviction (the drain is stuck instead).
#[test]
fn a_budget_of_every_replica_keeps_a_drain_from_evicting() {
    let dir = root().join("cases/c9-pdb-blocks-drain");
    let x = explored(&dir, false);
    x.each_step(|c, s, st, after| {
        for n in (0..x.m.nodes()).filter(|&n| st.draining[n]) {
            let running = |z: &State| kbmc::model::node::running_of_group(&kbmc::domain::Concrete, &x.m, z, 0, n);
            assert!(running(&after) >= running(st), "{} {s:?} evicts from drained node {n}", c.name());
        }
    });
    // Each node's drain is reached (no symmetry reduction here), with its pod still running.
    let drained: Vec<usize> = (0..x.g.states.len() as u32)
        .map(|u| x.g.states.get(u))
        .filter_map(|st| (0..x.m.nodes()).find(|&n| st.draining[n] && st.running[0][n] == 1))
        .collect();
    assert_eq!(drained.len(), 3, "{drained:?}");
    for engine in ["explicit", "symbolic"] {
        // The symbolic engine alone (without it, the default check's explicit search decides).
        let r = kbmc(&["check", "--engine", engine, "--explicit-states", "0", "cases/c9-pdb-blocks-drain"]);
        assert_eq!(r.code, 1, "{engine}: {}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("drainCompletes: violated"), "{engine}: {}", r.stdout);
        assert!(!r.stdout.contains("[eviction]"), "{engine} reports an eviction: {}", r.stdout);
        assert!(r.stdout.contains("PodDisruptionBudget web-pdb"), "{engine}: {}", r.stdout);
    }
}

/// `inspect` shows the PriorityClasses and each pod group's priority and preemption policy
/// where the inputs have priorities (C16's classes), and nothing of them where they have
/// none (C8: its text is as before).
#[test]
fn inspect_shows_priorities_where_the_inputs_have_some() {
    let show = |c: &str| kbmc(&["inspect", &format!("cases/{c}")]).stdout;
    let c16f = show("c16-preemption-second-scheduler-loop-fixed");
    for line in [
        "\npriority classes (4):\n  system-cluster-critical: value 2000000000, preemptionPolicy PreemptLowerPriority (built in)\n",
        "  online: value 100000, preemptionPolicy Never\n  batch: value 1000, preemptionPolicy PreemptLowerPriority\n",
        "  api@r0\n    labels: app=api\n    requests: cpu 3, memory 2Gi\n    priority: 100000, preemptionPolicy Never\n",
    ] {
        assert!(c16f.contains(line), "{line}: {c16f}");
    }
    let c16 = show("c16-preemption-second-scheduler-loop");
    assert!(c16.contains("    priority: 100000, preemptionPolicy PreemptLowerPriority\n"), "{c16}");
    assert!(c16.contains("    priority: 1000, preemptionPolicy PreemptLowerPriority\n"), "{c16}");
    let c8 = show("c8-descheduler-spread-loop");
    assert!(!c8.contains("priority classes") && !c8.contains("    priority: "), "{c8}");
}

/// The case ADR 0007 dropped: LowNodeUtilization and the cluster autoscaler's scale-down
/// together hold `noNodeChurn` on configurations it measured: one autoscaled pool of 4-core
/// nodes (2 at start, 1..3), 3 pods of 1 core, (thresholds, targetThresholds) of (20, 50) and
/// (40, 70) on CPU, scaleDownUtilizationThreshold 0.5, urgent timing. The pods start on one
/// node, so that LowNodeUtilization has an overutilized node and an underutilized one (as the
/// scheduler spreads them, 2 and 1, neither pair of thresholds sees both). The explicit
/// search explores every reachable state, and among them LowNodeUtilization evicts and the
/// autoscaler removes a node: the verdict is about the two acting together.
#[test]
fn low_node_utilization_and_the_autoscaler_do_not_churn() {
    let dir = std::env::temp_dir().join(format!("kbmc-adr-0007-{}", std::process::id()));
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: app, image: web:1, resources: {requests: {cpu: \"1\", memory: 1Gi}}}]\n";
    let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nmetadata: {name: lnu}\nspec:\n  nodePools:\n    - {name: workers, count: 2, capacity: {cpu: \"4\", memory: 16Gi}, autoscaling: {min: 1, max: 3}}\n  workloads: [{deployment: web, placement: [{node: workers-0, count: 3}]}]\n  clusterAutoscaler: {scaleDownUtilizationThreshold: 0.5}\n  timing: urgent\n  intents: [{type: noNodeChurn}]\n  bounds: {steps: 40}\n";
    for (low, high) in [(20, 50), (40, 70)] {
        let case = dir.join(format!("lnu-{low}-{high}"));
        std::fs::create_dir_all(case.join("manifests")).unwrap();
        let policy = format!("apiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\nprofiles:\n  - name: default\n    pluginConfig:\n      - name: LowNodeUtilization\n        args: {{thresholds: {{cpu: {low}}}, targetThresholds: {{cpu: {high}}}}}\n    plugins:\n      balance: {{enabled: [LowNodeUtilization]}}\n");
        std::fs::write(case.join("manifests/cluster.yaml"), format!("{deployment}---\n{policy}")).unwrap();
        std::fs::write(case.join("verification.yaml"), spec).unwrap();
        let name = format!("({low}, {high})");
        let r = kbmc(&["check", "--engine", "explicit", "--no-color", case.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{name}\nstdout: {}\nstderr: {}", r.stdout, r.stderr);
        assert!(r.stdout.contains("noNodeChurn: holds: every reachable state was explored"), "{name}: {}", r.stdout);
        assert!(
            r.stdout.contains(" 1 proved for every run length, 0 hold within the bound, 0 unknown"),
            "{name}: {}",
            r.stdout
        );
        let x = explored(&case, false);
        let (mut evicts, mut removes) = (false, false);
        x.each_step(|c, _, st, after| {
            let fewer_running =
                (0..st.running.len()).any(|g| (0..st.running[g].len()).any(|n| after.running[g][n] < st.running[g][n]));
            evicts |= c.name() == "descheduler" && fewer_running;
            removes |=
                c.name() == "cluster-autoscaler" && (0..st.present.len()).any(|n| st.present[n] && !after.present[n]);
        });
        assert!(evicts, "{name}: no LowNodeUtilization eviction is reachable");
        assert!(removes, "{name}: no scale-down is reachable");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// C20's counterexample names the VPA's recommendations, its updater's evictions and the
/// HPA's decisions.
#[test]
fn the_vpa_hpa_conflict_reads_as_the_incident() {
    let r = kbmc(&["check", "--engine", "explicit", "cases/c20-vpa-hpa-cpu-conflict"]);
    for line in [
        "[vpa-recommender] VPA web recommends cpu 1500m",
        "[vpa-updater] evicts a pod of web@r0",
        "are not VPA web's recommendation",
        "[hpa] web scales web from 2 to 3 replicas",
        "[hpa] web scales web from 3 to 4 replicas",
        "[hpa] web scales web from 4 to 3 replicas (4 running) (the stabilization window has expired)",
        "reached its HPA maximum of 4 replicas and is now down to 2 running",
    ] {
        assert!(r.stdout.contains(line), "{line:?} missing from:\n{}", r.stdout);
    }
}

/// C21's counterexample is the VPA's recommendation followed by nothing at all: the budget
/// refuses the updater's eviction, so `report` stays pending; the fix lets it run.
#[test]
fn a_budget_that_refuses_the_vpa_reads_as_the_incident() {
    let r = kbmc(&["check", "--engine", "explicit", "cases/c21-vpa-pdb-blocks-resize"]);
    for line in [
        "controllers: deployment, scheduler, kubelet, node-lifecycle, taint-eviction, vpa-recommender, vpa-updater",
        "[vpa-recommender] VPA web recommends cpu 580m",
        "[stutter] no controller or event can act",
    ] {
        assert!(r.stdout.contains(line), "{line:?} missing from:\n{}", r.stdout);
    }
    assert!(!r.stdout.contains("[vpa-updater]"), "{}", r.stdout);
}
