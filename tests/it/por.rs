//! Partial-order reduction in the explicit engine (`--reduction por`) against the full search:
//! on 200 small generated clusters (fixed seeds: 1-3 Deployments, 2-4 nodes, a few steps,
//! a mix of events, controllers, timing and intents), on every bundled case and on a live
//! snapshot at one event, both searches give every intent the same verdict, and every
//! counterexample of the reduced search replays as a run of the model. Verdicts only, never
//! time.

use std::path::{Path, PathBuf};

use kbmc::engine::explicit::{check, Options};
use kbmc::verdict::{CheckResult, Verdict};

use super::Seq;

/// Writes generated cluster `seed` into `dir`.
pub(crate) fn write(dir: &Path, seed: u64) {
    let mut r = Seq(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5bd1);
    std::fs::create_dir_all(dir).unwrap();
    let deps = 1 + r.next(3) as usize;
    let nodes = 2 + r.next(3) as usize;
    let descheduler = r.chance(30);
    let mut m = String::from("apiVersion: v1\nkind: List\nitems:\n");
    let mut replicas = Vec::new();
    let mut milli = Vec::new();
    for i in 0..deps {
        let reps = 1 + r.next(3);
        replicas.push(reps);
        let cpu = r.pick(&["500m", "1", "2", "3"]);
        milli.push(if cpu == "500m" { 500 } else { cpu.parse::<u64>().unwrap() * 1000 });
        let spread = match r.next(3) {
            0 => String::new(),
            k => format!(
                "        topologySpreadConstraints:\n        - maxSkew: 1\n          topologyKey: kubernetes.io/hostname\n          whenUnsatisfiable: {}\n          labelSelector: {{matchLabels: {{app: d{i}}}}}\n",
                if k == 1 { "DoNotSchedule" } else { "ScheduleAnyway" }
            ),
        };
        m.push_str(&format!(
            "- apiVersion: apps/v1
  kind: Deployment
  metadata: {{name: d{i}}}
  spec:
    replicas: {reps}
    selector: {{matchLabels: {{app: d{i}}}}}
    template:
      metadata: {{labels: {{app: d{i}}}}}
      spec:
        containers:
        - name: c
          image: d{i}:1
          resources: {{requests: {{cpu: \"{cpu}\", memory: 1Gi}}}}
{spread}"
        ));
    }
    std::fs::write(dir.join("deployments.yaml"), m).unwrap();
    if descheduler {
        std::fs::write(
            dir.join("policy.yaml"),
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
        )
        .unwrap();
    }
    // One pool, or two (so that nodes differ and identical ones are fewer).
    let capacity = r.pick(&["2", "4", "8"]);
    let mut v = format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nmetadata: {{name: por-{seed}}}\nspec:\n");
    if r.chance(50) {
        v.push_str(&format!(
            "  nodePools:\n    - {{name: a, count: {nodes}, capacity: {{cpu: \"{capacity}\", memory: 16Gi}}}}\n"
        ));
    } else {
        let first = 1 + r.next(nodes as u64 - 1) as usize;
        v.push_str(&format!(
            "  nodePools:\n    - {{name: a, count: {first}, capacity: {{cpu: \"{capacity}\", memory: 16Gi}}}}\n    - {{name: b, count: {}, capacity: {{cpu: \"4\", memory: 16Gi}}}}\n",
            nodes - first
        ));
    }
    if r.chance(40) {
        v.push_str("  timing: interleaved\n");
    }
    // Some Deployments start with their pods running on the first node (where they fit), the
    // others with none.
    let mut free = capacity.parse::<u64>().unwrap() * 1000;
    let mut placed = Vec::new();
    for i in 0..deps {
        if r.chance(40) && milli[i] * replicas[i] <= free {
            free -= milli[i] * replicas[i];
            placed.push(i);
        }
    }
    if !placed.is_empty() {
        v.push_str("  workloads:\n");
        for &i in &placed {
            v.push_str(&format!(
                "    - deployment: d{i}\n      placement:\n        - {{node: a-0, count: {}}}\n",
                replicas[i]
            ));
        }
    }
    let mut events = Vec::new();
    if r.chance(50) {
        events.push("    - {type: nodeFailure, budget: 1}\n".to_string());
    }
    if r.chance(25) {
        events.push("    - {type: scaleDeployment, deployment: d0, delta: {min: -1, max: 1}, budget: 1}\n".to_string());
    }
    if r.chance(15) {
        events.push("    - {type: maintenance, budget: 1}\n".to_string());
    }
    if !events.is_empty() {
        v.push_str("  events:\n");
        for e in events {
            v.push_str(&e);
        }
    }
    let mut intents = Vec::new();
    if r.chance(30) {
        intents.push("    - {type: podAlwaysSchedulable}\n".to_string());
    }
    for (i, max) in replicas.iter().enumerate().take(deps) {
        match r.next(6) {
            0 => intents.push(format!("    - {{type: noEvictionCycle, deployment: d{i}}}\n")),
            1 => intents.push(format!("    - {{type: replicasMeetExpected, deployment: d{i}, replicas: 1}}\n")),
            2 => intents.push(format!("    - {{type: replicasWithin, deployment: d{i}, min: 0, max: {max}}}\n")),
            3 => intents.push(format!("    - {{type: podsBalanced, deployment: d{i}, maxSkew: 1}}\n")),
            4 => intents.push(format!("    - {{type: replicasMeetExpected, deployment: d{i}, offset: -1}}\n")),
            _ => {}
        }
    }
    if r.chance(50) || intents.is_empty() {
        intents.push("    - {type: allPodsEventuallyRun}\n".to_string());
    }
    v.push_str("  intents:\n");
    for i in intents {
        v.push_str(&i);
    }
    v.push_str(&format!("  bounds: {{steps: {}}}\n", 30 + r.next(10)));
    std::fs::write(dir.join("verification.yaml"), v).unwrap();
}

/// An intent's verdict as both searches must agree on it: its kind, and for a holds verdict
/// whether every reachable state was explored.
fn shape(v: &Verdict) -> String {
    match v {
        Verdict::Violated(t) => format!("violated{}", if t.loop_start.is_some() { " (cycle)" } else { "" }),
        Verdict::Holds { exhaustive, steps } => format!("holds exhaustive={exhaustive} steps={steps}"),
        Verdict::Proved { k, by } => format!("proved k={k} ({by:?})"),
        Verdict::Unknown { .. } => "unknown".into(),
    }
}

/// Checks `dir` with and without the reduction: the same verdict per intent, each reduced
/// counterexample a run of the model. The states the reduction expanded in part.
fn agree(dir: &Path, what: &str) -> u64 {
    agree_within(dir, what, None, 2_000)
}

/// [`agree`] with up to `events` events in a run and `max_states` states per search.
fn agree_within(dir: &Path, what: &str, events: Option<i64>, max_states: usize) -> u64 {
    let (ir, _) = kbmc::load_model(&[dir.to_path_buf()], false).unwrap_or_else(|e| panic!("{what}: {e}"));
    let mut m = kbmc::model::Model::new(&ir);
    m.events_bound = events;
    let run = |reduction| -> CheckResult {
        check(&m, &Options { max_depth: ir.bounds.steps as usize, max_states, symmetry: true, reduction, all: true })
    };
    let (full, reduced) = (run(false), run(true));
    let reg = kbmc::model::registry::<kbmc::domain::Concrete>();
    for (a, b) in full.results.iter().zip(&reduced.results) {
        assert_eq!(a.name, b.name, "{what}");
        assert_eq!(shape(&a.verdict), shape(&b.verdict), "{what}: {}", a.name);
        if let Verdict::Violated(t) = &b.verdict {
            kbmc::trace::replay(&m, &reg, t).unwrap_or_else(|e| panic!("{what} {}: {e}", b.name));
        }
    }
    assert!(reduced.effort.states <= full.effort.states || reduced.effort.reduced.is_none(), "{what}");
    reduced.effort.reduced.unwrap_or(0)
}

/// Checks the generated clusters of shard `shard` of two (`agree`); the states expanded
/// through smaller ample sets. The 120 clusters (times `KBMC_GENERATED_FACTOR`) are two tests
/// of every other seed, so the test threads share them.
fn generated(shard: u64) -> u64 {
    let base = std::env::temp_dir().join(format!("kbmc-it-por-{}-{shard}", std::process::id()));
    let mut reduced = 0;
    for seed in super::shard_seeds(120, shard, 2) {
        let dir = base.join(seed.to_string());
        write(&dir, seed);
        reduced += agree(&dir, &format!("generated cluster {seed} ({})", dir.display()));
        std::fs::remove_dir_all(&dir).ok();
    }
    std::fs::remove_dir_all(&base).ok();
    reduced
}

// The reduction did something: states were expanded through smaller ample sets.
/// Shard 0: the even seeds of the generated clusters.
#[test]
fn reduction_keeps_verdicts_on_generated_clusters_shard_0() {
    assert!(generated(0) > 0, "no state was reduced on any generated cluster");
}

/// Shard 1: the odd seeds.
#[test]
fn reduction_keeps_verdicts_on_generated_clusters_shard_1() {
    assert!(generated(1) > 0, "no state was reduced on any generated cluster");
}

#[test]
fn reduction_keeps_verdicts_on_bundled_cases() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("cases")).unwrap().map(|e| e.unwrap().path()).collect();
    dirs.sort();
    assert!(dirs.len() >= 16);
    for dir in dirs {
        let what = dir.file_name().unwrap().to_string_lossy().into_owned();
        agree(&dir, &what);
    }
}

/// A live snapshot (bookinfo on four GKE nodes, the spec kbmc infers, one event in a run),
/// with room for about six times the states it has: the same verdicts.
#[test]
fn reduction_keeps_verdicts_on_a_live_snapshot() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/live/bookinfo-4n2z");
    agree_within(&dir, "bookinfo-4n2z", Some(1), 20_000);
}

/// Checks `dir` with the kubelet's prompt stops (`Model::prompt_stops`) and without: where
/// both searches decided an intent (a violation, or every reachable state explored), the same
/// verdict, and counterexamples as long or longer (the stops now taken first), each replayed;
/// an intent whose search was cut is not compared. Returns (intents compared, prompt stops in
/// the counterexamples plus one where the stops left fewer states): whether the stops did
/// anything.
fn prompt_stops_agree(dir: &Path, what: &str, max_states: usize) -> (usize, usize) {
    let (ir, _) = kbmc::load_model(&[dir.to_path_buf()], false).unwrap_or_else(|e| panic!("{what}: {e}"));
    let mut m = kbmc::model::Model::new(&ir);
    let opts = Options { max_depth: ir.bounds.steps as usize, max_states, symmetry: true, reduction: false, all: true };
    let prompt = check(&m, &opts);
    m.prompt_stops = false;
    let full = check(&m, &opts);
    m.prompt_stops = true;
    let reg = kbmc::model::registry::<kbmc::domain::Concrete>();
    let decided = |v: &Verdict| matches!(v, Verdict::Violated(_) | Verdict::Holds { exhaustive: true, .. });
    let (mut compared, mut taken) = (0, (full.effort.states > prompt.effort.states) as usize);
    for (a, b) in full.results.iter().zip(&prompt.results) {
        if !decided(&a.verdict) || !decided(&b.verdict) {
            continue;
        }
        compared += 1;
        assert_eq!(
            shape(&a.verdict).split(" steps=").next(),
            shape(&b.verdict).split(" steps=").next(),
            "{what}: {}",
            a.name
        );
        if let (Verdict::Violated(t), Verdict::Violated(u)) = (&a.verdict, &b.verdict) {
            assert!(u.steps.len() >= t.steps.len(), "{what} {}: {} < {}", a.name, u.steps.len(), t.steps.len());
            kbmc::trace::replay(&m, &reg, u).unwrap_or_else(|e| panic!("{what} {}: {e}", b.name));
            taken += u.steps.iter().filter(|s| s.text.starts_with("on cordoned")).count();
        }
    }
    (compared, taken)
}

/// The kubelet's prompt stop on every bundled case and on the generated clusters with a drain:
/// the same verdicts.
#[test]
fn prompt_stops_keep_verdicts() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("cases")).unwrap().map(|e| e.unwrap().path()).collect();
    dirs.sort();
    let (mut compared, mut used) = (0, 0);
    // The others have no cordoned node: no prompt stop, the same model.
    for dir in dirs.into_iter().filter(|d| drains_a_node(d)) {
        let what = dir.file_name().unwrap().to_string_lossy().into_owned();
        let (c, u) = prompt_stops_agree(&dir, &what, 200_000);
        compared += c;
        used += u;
    }
    let base = std::env::temp_dir().join(format!("kbmc-it-prompt-{}", std::process::id()));
    let mut drains = 0;
    for seed in 0..200 {
        let dir = base.join(seed.to_string());
        write(&dir, seed);
        if drains_a_node(&dir) {
            let (c, u) = prompt_stops_agree(&dir, &format!("generated cluster {seed}"), 2_000);
            drains += (c > 0) as usize;
            compared += c;
            used += u;
        }
        std::fs::remove_dir_all(&dir).ok();
    }
    std::fs::remove_dir_all(&base).ok();
    assert!(drains >= 15, "{drains} generated clusters with a drain compared");
    assert!(compared >= 40 && used > 0, "{compared} intents compared, {used}");
}

/// Whether the Verification in `dir` has a drain.
fn drains_a_node(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("verification.yaml")).is_ok_and(|v| v.contains("type: maintenance"))
}
