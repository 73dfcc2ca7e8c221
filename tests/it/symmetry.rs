//! Symmetry between interchangeable Deployments in the explicit engine
//! (`engine/explicit/deployments.rs`) against the search without it (symmetry between
//! identical nodes on in both, as always): on 90 small generated clusters (fixed seeds)
//! built to have interchangeable Deployments often (copies of one or two templates, placed,
//! evented and checked alike or not, some in namespaces of their own, beside a DaemonSet or a
//! Deployment that may preempt them) and on every bundled
//! case, both searches give every intent the same verdict, safety counterexamples of the same
//! length, and every counterexample of the reduced search replays as a run of the model.
//! Verdicts only, never time.

use std::path::{Path, PathBuf};

use kbmc::engine::explicit::{check, Deployments, Options};
use kbmc::verdict::{CheckResult, Verdict};

use super::Seq;

/// Writes generated cluster `seed` into `dir`: copies of one or two Deployment templates
/// (two or three Deployments in all), each template's copies placed, evented and checked
/// alike, except where a draw breaks the symmetry on purpose (the first copy alone placed,
/// scaled or checked; a descheduler eviction limit that makes group order matter). Some
/// clusters put each copy in a namespace of its own, run a DaemonSet on every node, or add a
/// Deployment of a higher priority that may preempt the copies (whose victim order is one a
/// renaming can change: the search then stops renaming, `Deployments::watched`).
fn write(dir: &Path, seed: u64) {
    let mut r = Seq(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x2b7e);
    // The draws for what kbmc renamed later (namespaces, a DaemonSet, a preempting
    // Deployment) come from a stream of their own, so that every other draw of a seed stays
    // what it was.
    let mut x = Seq(seed.wrapping_mul(0xc2b2_ae3d_27d4_eb4f) ^ 0x51f1);
    let namespaced = x.chance(35);
    let daemon = x.chance(30);
    let critical = x.chance(25);
    std::fs::create_dir_all(dir).unwrap();
    let templates = 1 + r.next(2) as usize;
    let mut copies = vec![2; templates];
    if templates == 1 && r.chance(40) {
        copies[0] = 3;
    }
    let nodes = 2 + r.next(2) as usize;
    let capacity: u64 = r.pick(&["2", "4"]).parse().unwrap();
    let descheduler = r.chance(35);
    let mut manifests = String::from("apiVersion: v1\nkind: List\nitems:\n");
    let mut pdbs = String::new();
    // Per Deployment: (name, template, copy index, replicas, millicores).
    let mut deps: Vec<(String, usize, usize, u64, u64)> = Vec::new();
    for (t, &n) in copies.iter().enumerate() {
        let reps = 1 + r.next(2);
        let cpu = r.pick(&["500m", "1"]);
        let milli = if cpu == "500m" { 500 } else { 1000 };
        let spread = r.next(3);
        let pdb = r.chance(15);
        for c in 0..n {
            let name = format!("t{t}c{c}");
            // Each copy in a namespace of its own: copies of one application, as a live
            // cluster runs them.
            let ns = if namespaced { format!(", namespace: ns{c}") } else { String::new() };
            let constraint = match spread {
                0 => String::new(),
                k => format!(
                    "        topologySpreadConstraints:\n        - maxSkew: 1\n          topologyKey: kubernetes.io/hostname\n          whenUnsatisfiable: {}\n          labelSelector: {{matchLabels: {{app: {name}}}}}\n",
                    // (kbmc refuses a hard spread where the scheduler may preempt.)
                    if k == 1 && !critical { "DoNotSchedule" } else { "ScheduleAnyway" }
                ),
            };
            manifests.push_str(&format!(
                "- apiVersion: apps/v1
  kind: Deployment
  metadata: {{name: {name}{ns}}}
  spec:
    replicas: {reps}
    selector: {{matchLabels: {{app: {name}}}}}
    template:
      metadata: {{labels: {{app: {name}}}}}
      spec:
        containers:
        - name: c
          image: t{t}:1
          resources: {{requests: {{cpu: \"{cpu}\", memory: 1Gi}}}}
{constraint}"
            ));
            if pdb {
                pdbs.push_str(&format!(
                    "- apiVersion: policy/v1\n  kind: PodDisruptionBudget\n  metadata: {{name: {name}{ns}}}\n  spec:\n    minAvailable: 1\n    selector: {{matchLabels: {{app: {name}}}}}\n"
                ));
            }
            deps.push((name, t, c, reps, milli));
        }
    }
    if !pdbs.is_empty() {
        manifests.push_str(&pdbs);
    }
    // A node agent on every node, as kube-proxy is.
    if daemon {
        manifests.push_str(
            "- apiVersion: apps/v1
  kind: DaemonSet
  metadata: {name: agent}
  spec:
    selector: {matchLabels: {app: agent}}
    template:
      metadata: {labels: {app: agent}}
      spec:
        containers:
        - {name: c, image: agent:1, resources: {requests: {cpu: 100m, memory: 64Mi}}}
",
        );
    }
    // One Deployment alone of a higher priority, which may preempt the copies where it does
    // not fit: it asks for a whole node but the agent's share, so it preempts wherever the
    // copies took room first.
    if critical {
        let whole = capacity * 1000 - 100;
        manifests.push_str(&format!(
            "- apiVersion: scheduling.k8s.io/v1
  kind: PriorityClass
  metadata: {{name: high}}
  value: 1000
- apiVersion: apps/v1
  kind: Deployment
  metadata: {{name: critical}}
  spec:
    replicas: 1
    selector: {{matchLabels: {{app: critical}}}}
    template:
      metadata: {{labels: {{app: critical}}}}
      spec:
        priorityClassName: high
        containers:
        - {{name: c, image: critical:1, resources: {{requests: {{cpu: {whole}m, memory: 1Gi}}}}}}
"
        ));
    }
    std::fs::write(dir.join("manifests.yaml"), manifests).unwrap();
    if descheduler {
        let limit = if r.chance(25) { "maxNoOfPodsToEvictPerNode: 1\n" } else { "" };
        std::fs::write(
            dir.join("policy.yaml"),
            format!(
                "apiVersion: descheduler/v1alpha2
kind: DeschedulerPolicy
{limit}profiles:
  - name: default
    pluginConfig:
      - name: RemoveDuplicates
      - name: RemovePodsViolatingTopologySpreadConstraint
        args:
          constraints: [DoNotSchedule, ScheduleAnyway]
    plugins:
      balance:
        enabled: [RemoveDuplicates, RemovePodsViolatingTopologySpreadConstraint]
"
            ),
        )
        .unwrap();
    }
    let mut v =
        format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nmetadata: {{name: symmetry-{seed}}}\nspec:\n");
    v.push_str(&format!(
        "  nodePools:\n    - {{name: a, count: {nodes}, capacity: {{cpu: \"{capacity}\", memory: 16Gi}}}}\n"
    ));
    if r.chance(30) {
        v.push_str("  timing: interleaved\n");
    }
    // Per template: its copies start with their pods on a-0 (all of them, or the first
    // only), or with none.
    // (A DaemonSet's pod starts on every node and takes its share.)
    let mut free = capacity * 1000 - if daemon { 100 } else { 0 };
    let mut placed = Vec::new();
    for t in 0..templates {
        let mine: Vec<usize> = (0..deps.len()).filter(|&i| deps[i].1 == t).collect();
        let all = r.chance(70);
        if r.chance(45) {
            for &i in mine.iter().take(if all { mine.len() } else { 1 }) {
                let need = deps[i].3 * deps[i].4;
                if need <= free {
                    free -= need;
                    placed.push(i);
                }
            }
        }
    }
    if !placed.is_empty() {
        v.push_str("  workloads:\n");
        for &i in &placed {
            v.push_str(&format!(
                "    - deployment: {}\n      placement:\n        - {{node: a-0, count: {}}}\n",
                deps[i].0, deps[i].3
            ));
        }
    }
    let mut events = Vec::new();
    if r.chance(50) {
        events.push("    - {type: nodeFailure, budget: 1}\n".to_string());
    }
    for t in 0..templates {
        if r.chance(20) {
            let all = r.chance(70);
            for (name, _, c, ..) in deps.iter().filter(|d| d.1 == t) {
                if all || *c == 0 {
                    events.push(format!(
                        "    - {{type: scaleDeployment, deployment: {name}, delta: {{min: -1, max: 1}}, budget: 1}}\n"
                    ));
                }
            }
        }
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
    for t in 0..templates {
        let kind = r.next(6);
        let all = r.chance(75);
        for (name, _, c, reps, _) in deps.iter().filter(|d| d.1 == t) {
            if !all && *c > 0 {
                continue;
            }
            match kind {
                0 => intents.push(format!("    - {{type: noEvictionCycle, deployment: {name}}}\n")),
                1 => intents
                    .push(format!("    - {{type: replicasMeetExpected, deployment: {name}, replicas: {reps}}}\n")),
                2 => intents
                    .push(format!("    - {{type: replicasWithin, deployment: {name}, min: 0, max: {}}}\n", reps - 1)),
                3 => intents.push(format!("    - {{type: podsBalanced, deployment: {name}, maxSkew: 1}}\n")),
                4 => intents.push(format!("    - {{type: replicasMeetExpected, deployment: {name}, offset: -1}}\n")),
                _ => {}
            }
        }
    }
    if r.chance(40) || intents.is_empty() {
        intents.push("    - {type: allPodsEventuallyRun}\n".to_string());
    }
    v.push_str("  intents:\n");
    for i in intents {
        v.push_str(&i);
    }
    v.push_str(&format!("  bounds: {{steps: {}}}\n", 20 + r.next(15)));
    std::fs::write(dir.join("verification.yaml"), v).unwrap();
}

/// An intent's verdict as both searches must agree on it: its kind, for a safety violation
/// the length of its counterexample (both are shortest), and for a holds verdict whether
/// every reachable state was explored and within how many steps.
fn shape(v: &Verdict) -> String {
    match v {
        Verdict::Violated(t) if t.loop_start.is_some() => "violated (cycle)".into(),
        Verdict::Violated(t) => format!("violated in {} step(s)", t.steps.len()),
        Verdict::Holds { exhaustive, steps } => format!("holds exhaustive={exhaustive} steps={steps}"),
        Verdict::Proved { k, by } => format!("proved k={k} ({by:?})"),
        Verdict::Unknown { .. } => "unknown".into(),
    }
}

/// Checks `dir` with and without symmetry between Deployments: the same verdict per intent, each counterexample
/// of the reduced search a run of the model (a lasso through its own Deployment's eviction
/// for `noEvictionCycle`, whose trace names it). Whether the model has interchangeable
/// Deployments the check renamed, and whether both searches finished within the state limit.
fn agree(dir: &Path, what: &str) -> (bool, bool) {
    let (ir, _) = kbmc::load_model(&[dir.to_path_buf()], false).unwrap_or_else(|e| panic!("{what}: {e}"));
    let m = kbmc::model::Model::new(&ir);
    let run = |m: &kbmc::model::Model| -> CheckResult {
        check(
            m,
            &Options {
                max_depth: ir.bounds.steps as usize,
                max_states: 20_000,
                symmetry: true,
                reduction: false,
                all: true,
            },
        )
    };
    let limited_in = |r: &CheckResult| r.results.iter().any(|r| matches!(r.verdict, Verdict::Unknown { .. }));
    // The reduced search first: where it stops at the state limit the full one (never
    // smaller) would too, and verdicts are not compared, so it is not run; nor where no two
    // Deployments are interchangeable, as the two searches are then the same one.
    let reduced = run(&m);
    let renames = Deployments::of(&m).is_some();
    let full = (renames && !limited_in(&reduced)).then(|| {
        let mut apart = m.clone();
        apart.symmetric_deployments = false;
        run(&apart)
    });
    let limited = limited_in(&reduced) || full.as_ref().is_some_and(limited_in);
    let reg = kbmc::model::registry::<kbmc::domain::Concrete>();
    for (i, b) in reduced.results.iter().enumerate() {
        if let Some(a) = full.as_ref().map(|f| &f.results[i]) {
            assert_eq!(a.name, b.name, "{what}");
            if !limited {
                assert_eq!(shape(&a.verdict), shape(&b.verdict), "{what}: {}", a.name);
            }
        }
        if let Verdict::Violated(t) = &b.verdict {
            kbmc::trace::replay(&m, &reg, t).unwrap_or_else(|e| panic!("{what} {}: {e}", b.name));
            // A lasso for noEvictionCycle(x) evicts pods of x itself along its loop.
            if let Some(x) = b.name.strip_prefix("noEvictionCycle(").and_then(|x| x.strip_suffix(')')) {
                let dep = m.ir.deployment_by_name(x).expect("the intent's Deployment").index();
                let start = t.loop_start.expect("a lasso");
                let evicts = (start..t.steps.len()).any(|k| {
                    kbmc::model::terminating_pods(&m, &t.states[k + 1], dep)
                        > kbmc::model::terminating_pods(&m, &t.states[k], dep)
                });
                assert!(evicts, "{what} {}: the loop evicts no pod of {x}", b.name);
            }
        }
    }
    // Whether the check stored states up to renaming Deployments: it does where their group
    // is larger than that of identical nodes.
    let order = |classes: &[Vec<usize>]| -> f64 {
        classes.iter().map(|c| (2..=c.len()).map(|k| (k as f64).ln()).sum::<f64>()).sum()
    };
    let renamed = Deployments::of(&m).is_some_and(|d| d.log_order() > order(&kbmc::model::relation::node_classes(&m)));
    (renamed, !limited)
}

/// Checks the generated clusters of shard `shard` of three (`agree`); how many were compared
/// in full with Deployments renamed, and how many in full. The 90 clusters (times
/// `KBMC_GENERATED_FACTOR`) are three tests of every third seed, so the test threads share
/// them.
fn generated(shard: u64) -> (usize, usize) {
    let base = std::env::temp_dir().join(format!("kbmc-it-symmetry-{}-{shard}", std::process::id()));
    let (mut symmetric, mut compared) = (0, 0);
    let seeds = super::shard_seeds(90, shard, SHARDS);
    let count = seeds.len();
    for seed in seeds {
        let dir = base.join(seed.to_string());
        write(&dir, seed);
        let (sym, complete) = agree(&dir, &format!("generated cluster {seed} ({})", dir.display()));
        symmetric += (sym && complete) as usize;
        compared += complete as usize;
        std::fs::remove_dir_all(&dir).ok();
    }
    std::fs::remove_dir_all(&base).ok();
    eprintln!("shard {shard}: {count} clusters, {symmetric} renamed and {compared} compared in full");
    assert!(
        compared * 5 >= count * 4 && symmetric * 50 >= count * 6,
        "shard {shard}: {compared} of {count} compared in full, {symmetric} renamed"
    );
    (symmetric, compared)
}

// Most clusters are compared in full, many of them with Deployments renamed: at least four in
// five compared and six in fifty renamed per shard (the fixed seeds give 27 to 28 of 30
// compared and 4 to 5 renamed per shard, 83 and 13 of the 90 in all; in 4 of them a
// preemption ends the renaming and the search is made again without it).
const SHARDS: u64 = 3;

/// Shard 0: seeds 0, 3, 6, ... of the generated clusters.
#[test]
fn deployment_symmetry_keeps_verdicts_on_generated_clusters_shard_0() {
    generated(0);
}

/// Shard 1: seeds 1, 4, 7, ... of the generated clusters.
#[test]
fn deployment_symmetry_keeps_verdicts_on_generated_clusters_shard_1() {
    generated(1);
}

/// Shard 2: seeds 2, 5, 8, ... of the generated clusters.
#[test]
fn deployment_symmetry_keeps_verdicts_on_generated_clusters_shard_2() {
    generated(2);
}

#[test]
fn deployment_symmetry_keeps_verdicts_on_bundled_cases() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("cases")).unwrap().map(|e| e.unwrap().path()).collect();
    dirs.sort();
    assert!(dirs.len() >= 16);
    for dir in dirs {
        let what = dir.file_name().unwrap().to_string_lossy().into_owned();
        agree(&dir, &what);
    }
}
