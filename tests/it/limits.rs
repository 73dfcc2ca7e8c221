//! Exit 0 only for what was asked: runs cut short by a state, time or memory limit exit 3 and
//! say what they covered; command-line bounds are checked; input the API server rejects is
//! exit 2 with the field; output cannot drive a terminal, and a closed or full stdout is
//! handled. Each test starts from a bundled case, mutated in a temporary copy.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::*;

/// A copy of `case` under the temporary directory, named `name`, with each `(file, from, to)`
/// replacement applied once (the text must be there).
fn mutated(case: &str, name: &str, edits: &[(&str, &str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kbmc-limits-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root().join("cases").join(case), &dir);
    for (file, from, to) in edits {
        let p = dir.join(file);
        let text = std::fs::read_to_string(&p).expect("the case file exists");
        assert!(text.contains(from), "{name}: {file} lacks {from:?}");
        std::fs::write(&p, text.replacen(from, to, 1)).expect("the copy is writable");
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("temporary directory");
    for e in std::fs::read_dir(from).expect("case directory") {
        let e = e.expect("directory entry");
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else if p.extension().is_some_and(|x| x == "yaml") {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}

fn run_on(args: &[&str], dir: &Path) -> Run {
    let mut all: Vec<&str> = args.to_vec();
    let d = dir.to_str().expect("a UTF-8 path");
    all.push(d);
    let r = kbmc(&all);
    let _ = std::fs::remove_dir_all(dir);
    r
}

/// C1 with an HPA whose maxReplicas is 20000 and requests small enough for the model's
/// arithmetic: every engine has a long way to go (the explicit engine through the replica
/// counts, the symbolic one through their splits).
fn huge_hpa(name: &str) -> PathBuf {
    mutated(
        "c1-hpa-oscillation",
        name,
        &[
            // Within the model's capacity (32767 pods), so the input is accepted and the
            // search is long.
            ("manifests/hpa.yaml", "maxReplicas: 6", "maxReplicas: 20000"),
            ("manifests/deployment.yaml", "memory: 8Gi", "memory: \"1000\""),
        ],
    )
}

/// As [`huge_hpa`], from the fixed C1 on six nodes and without podAlwaysSchedulable (pods past
/// the nodes' pod capacity would violate it): an intent that holds, so a search can only end
/// at its bound or at a limit. On three nodes an optimised build explores every reachable
/// state (about 50,000) within a second; six nodes take many times that.
fn huge_hpa_holding(name: &str) -> PathBuf {
    mutated(
        "c1-hpa-oscillation-fixed",
        name,
        &[
            ("manifests/hpa.yaml", "maxReplicas: 6", "maxReplicas: 20000"),
            ("manifests/deployment.yaml", "memory: 8Gi", "memory: \"1000\""),
            ("verification.yaml", "    - type: podAlwaysSchedulable\n", ""),
            ("verification.yaml", "count: 3", "count: 6"),
        ],
    )
}

#[test]
fn a_state_limit_is_unknown_never_holds() {
    let r = kbmc(&["check", "--engine", "explicit", "--max-states", "50", "cases/c3-conflicting-spread"]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("holds within"), "{}", r.stdout);
    assert!(
        r.stdout.contains("podAlwaysSchedulable: unknown")
            && r.stdout.contains("the state limit of 50 states (--max-states) was reached at depth"),
        "{}",
        r.stdout
    );
}

#[test]
fn command_line_bounds_are_checked() {
    for args in [
        &["check", "--steps", "0"][..],
        &["check", "--steps", "1000000000"],
        &["check", "--steps", "10001"],
        &["check", "--max-states", "0"],
        &["check", "--max-memory", "4GB"],
        &["check", "--max-memory", "1K"],
        &["check", "--max-memory", "1500K"],
        &["simulate", "--steps", "0"],
        &["compare", "--steps", "0"],
        &["dump", "--steps", "0"],
        &["dump", "--steps", "20000"],
        &["scale", "--max-nodes-per-pool", "0"],
    ] {
        let mut a = args.to_vec();
        a.push("cases/c1-hpa-oscillation");
        let r = kbmc(&a);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("error:"), "{args:?}: {}", r.stderr);
    }
}

/// An engine cut short leaves `compare` inconclusive (exit 3), never DISAGREE (exit 4).
#[test]
fn compare_treats_a_cut_short_engine_as_inconclusive() {
    let r = kbmc(&["compare", "--max-states", "1", "--steps", "3", "cases/c3-conflicting-spread"]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("podAlwaysSchedulable: inconclusive") && !r.stdout.contains("DISAGREE"), "{}", r.stdout);
    let help = kbmc(&["compare", "--help"]);
    assert!(help.stdout.contains("--time-limit") && help.stdout.contains("--max-memory"), "{}", help.stdout);
    assert!(
        help.stdout.contains("3  inconclusive") && help.stdout.contains("4  the engines disagree"),
        "{}",
        help.stdout
    );
}

/// The time limit cuts the explicit and the symbolic engine short on an HPA of 20,000
/// replicas, and the SMT-LIB dump.
#[test]
fn the_time_limit_cuts_long_loops_short() {
    for engine in ["explicit", "symbolic"] {
        // A bound no search reaches in 2 s, on an intent that holds: the limit decides.
        let r =
            run_on(&["check", "--engine", engine, "--steps", "2000", "--time-limit", "2"], &huge_hpa_holding(engine));
        assert_eq!(r.code, 3, "{engine}: {}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("the time limit of 2 s (--time-limit) was reached"), "{engine}: {}", r.stdout);
    }
    let r = run_on(&["dump", "--steps", "6", "--time-limit", "1"], &huge_hpa("dump"));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("unknown: time limit"), "{}", r.stderr);
    let r = run_on(&["compare", "--steps", "2000", "--time-limit", "2"], &huge_hpa_holding("compare"));
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
}

/// The fixed C1 on a pool of 1,000 nodes: each step of the symbolic unrolling takes seconds
/// to encode (guards and next states on every node), so a short time limit passes inside an
/// encoding, which is polled throughout (`symbolic/unroll.rs`). Wherever the limit falls, the
/// run ends unknown at some depth k with no violation within k - 1 steps, and every intent
/// not proved says so (a frame cut short is never asked: no verdict comes from it), in the
/// words of the run's limit or of the engine's share of it, whichever is seen first. With
/// `--prove` the explicit search runs first; where the limit passes in it, the symbolic
/// engine is not started, and the search says how far it got: every state within k steps.
#[test]
fn the_time_limit_cuts_a_frame_of_a_large_pool_short() {
    // Scratch names of their own: other tests in this file mutate cases under "compare".
    let pool = |name: &str| {
        mutated(
            "c1-hpa-oscillation-fixed",
            &format!("pool-{name}"),
            &[("verification.yaml", "count: 3", "count: 1000")],
        )
    };
    for (name, args) in [
        // The symbolic engine alone: the default check's explicit search explores this
        // pool's every reachable state within the limit.
        ("check", &["check", "--explicit-states", "0", "--steps", "2000", "--time-limit", "2"][..]),
        ("prove", &["check", "--prove", "--steps", "2000", "--time-limit", "2"]),
        ("compare", &["compare", "--steps", "2000", "--time-limit", "2"]),
    ] {
        let r = run_on(args, &pool(name));
        // With --prove an intent may be proved in time; nothing else ends before the bound.
        let codes: &[i32] = if name == "prove" { &[0, 3] } else { &[3] };
        assert!(codes.contains(&r.code), "{name}: {}{}", r.stdout, r.stderr);
        assert!(!r.stdout.contains(": violated") && !r.stdout.contains("DISAGREE"), "{name}: {}", r.stdout);
        // The symbolic engine's verdicts (compare's explicit ones count depth otherwise).
        let reasons: Vec<&str> =
            r.stdout.lines().filter(|l| l.contains(": unknown") && !l.trim_start().starts_with("explicit:")).collect();
        assert!(r.code == 0 || !reasons.is_empty(), "{name}: {}", r.stdout);
        for line in reasons {
            // Passed before depth 0 was done (a loaded machine), nothing is said covered.
            if line.contains("the time limit of 2 s (--time-limit) was reached before the symbolic engine started")
                || line.contains("the initial states not checked against every intent")
            {
                continue;
            }
            // The symbolic engine's share of the limit (here all of it) may be seen to pass
            // before the run's limit is: "the time limit ran out after N s: no violation within
            // K - 1 step(s), depth K not finished".
            if let Some(after) = line.split("the time limit ran out after ").nth(1) {
                let rest = after.split(" s: no violation within ").nth(1).unwrap_or_else(|| panic!("{name}: {line}"));
                let covered: usize = rest.split(' ').next().and_then(|d| d.parse().ok()).expect("a depth");
                assert!(rest.contains(&format!(", depth {} not finished", covered + 1)), "{name}: {line}");
                continue;
            }
            // "... was reached at depth K of 2000: no violation within K - 1 step(s)".
            let stage = line
                .split("the time limit of 2 s (--time-limit) was reached at depth ")
                .nth(1)
                .unwrap_or_else(|| panic!("{name}: not the time limit: {line}"));
            let k: usize = stage.split(' ').next().and_then(|d| d.parse().ok()).expect("a depth");
            let symbolic = format!("{k} of 2000: no violation within {} step(s)", k.saturating_sub(1));
            let explicit = format!("{k} of 2000: no violation within {k} step(s), longer runs not covered (raise");
            assert!(
                stage.starts_with(&symbolic) || (name == "prove" && stage.starts_with(&explicit)),
                "{name}: {line}"
            );
        }
    }
}

/// A memory limit below what the process already holds stops the search at once.
#[test]
fn the_memory_limit_ends_in_unknown() {
    let r = kbmc(&["check", "--engine", "explicit", "--max-memory", "1M", "cases/c8-descheduler-spread-loop"]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("unknown") && r.stdout.contains("memory limit of 1 MiB (--max-memory)"), "{}", r.stdout);
    let r = kbmc(&["simulate", "--max-memory", "1M", "--steps", "100", "cases/c1-hpa-oscillation-fixed"]);
    assert!(r.code == 3 || r.code == 1, "{}{}", r.stdout, r.stderr);
    if r.code == 3 {
        assert!(r.stdout.contains("unknown: memory limit"), "{}", r.stdout);
    }
}

/// A report that cannot be written whole is exit 2 with the reason on stderr, whatever
/// stopped it: a reader that closed the pipe early (`kbmc ... | head -c 10`), a stdout closed
/// before kbmc started (`>&-`), or a full disk.
#[test]
fn a_closed_pipe_is_exit_2_with_a_message() {
    // The JSON inspection of the live fixture (180 KB) is larger than a pipe holds: once the
    // first ten bytes are read and the read end is closed, its writes meet a broken pipe.
    let mut child = Command::new(env!("CARGO_BIN_EXE_kbmc"))
        .args(["inspect", "--format", "json", "tests/fixtures/live/microservices-demo-3z"])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kbmc runs");
    let mut head = [0u8; 10];
    child.stdout.take().expect("piped").read_exact(&mut head).expect("ten bytes");
    let out = child.wait_with_output().expect("kbmc ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error: cannot write to standard output: its reader closed it"), "{stderr}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_stdout_closed_at_start_is_exit_2_with_a_message() {
    // A shell closes descriptor 1 and runs kbmc in its place.
    let bin = env!("CARGO_BIN_EXE_kbmc");
    for args in [&["check", "--engine", "explicit", "cases/c3-conflicting-spread"][..], &["--help"]] {
        let out = Command::new("sh")
            .arg("-c")
            .arg("exec \"$0\" \"$@\" >&-")
            .arg(bin)
            .args(args)
            .current_dir(root())
            .output()
            .expect("sh runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("error: cannot write to standard output: it was closed when kbmc started"), "{stderr}");
    }
}

#[test]
fn a_write_error_is_exit_2() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else { return };
    let out = Command::new(env!("CARGO_BIN_EXE_kbmc"))
        .args(["inspect", "cases/c1-hpa-oscillation"])
        .current_dir(root())
        .stdout(full)
        .output()
        .expect("kbmc runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error: cannot write to standard output"), "{stderr}");
}

/// A replacement in a case's file: (file, from, to).
type Edit<'a> = (&'a str, &'a str, &'a str);

/// Each mutation of C1 is input the API server (or kbmc's spec) rejects: exit 2 naming the
/// field.
#[test]
fn invalid_input_is_exit_2_with_the_field() {
    const D: &str = "manifests/deployment.yaml";
    const H: &str = "manifests/hpa.yaml";
    const V: &str = "verification.yaml";
    let long = "a".repeat(300);
    let long_name = format!("name: {long}\n  namespace");
    let cases: Vec<(&str, Vec<Edit>, &str)> = vec![
        ("node-name", vec![(D, "      containers:", "      nodeName: nowhere-0\n      containers:")], "spec.template.spec.nodeName: no node named \"nowhere-0\""),
        ("policy-value", vec![(H, "  metrics:", "  behavior:\n    scaleDown:\n      policies: [{type: Pods, value: 0, periodSeconds: 15}]\n  metrics:")], "spec.behavior.scaleDown.policies[0].value: 0 is out of range"),
        ("period", vec![(H, "  metrics:", "  behavior:\n    scaleUp:\n      policies: [{type: Pods, value: 1, periodSeconds: 0}]\n  metrics:")], "spec.behavior.scaleUp.policies[0].periodSeconds: 0 is out of range"),
        ("window", vec![(H, "  metrics:", "  behavior:\n    scaleDown:\n      stabilizationWindowSeconds: -1\n  metrics:")], "spec.behavior.scaleDown.stabilizationWindowSeconds: -1 is out of range"),
        ("empty-name", vec![(D, "name: web\n  namespace", "name: \"\"\n  namespace")], "metadata.name"),
        ("upper-name", vec![(D, "name: web\n  namespace", "name: Web\n  namespace")], "the name \"Web\" is invalid"),
        ("slash-name", vec![(D, "name: web\n  namespace", "name: a/b\n  namespace")], "the name \"a/b\" is invalid"),
        ("long-name", vec![(D, "name: web\n  namespace", &long_name)], "must be no more than 253 characters"),
        ("label-key", vec![(D, "      labels:\n        app: web", "      labels:\n        app: web\n        \"bad key!\": x")], "the label key \"bad key!\" is invalid"),
        ("duplicate-workload", vec![(V, "  events:", "  workloads: [{deployment: web}, {deployment: web}]\n  events:")], "spec.workloads[1].deployment: \"web\" is already described by spec.workloads[0]"),
        ("topology-key", vec![(D, "      containers:", "      topologySpreadConstraints: [{maxSkew: 1, topologyKey: \"\", whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}]\n      containers:")], "topologyKey: the topology key \"\" is invalid: is required"),
        ("recreate", vec![(D, "  template:", "  strategy: {type: Recreate, rollingUpdate: {maxSurge: 1}}\n  template:")], "may not be specified when strategy `type` is 'Recreate'"),
        ("gt-selector", vec![(D, "    matchLabels:\n      app: web", "    matchLabels:\n      app: web\n    matchExpressions: [{key: app, operator: Gt, values: [abc]}]")], "unknown operator \"Gt\""),
        ("drop-zero", vec![(V, "drop: 3", "drop: 0")], "spec.intents[0].drop: 0 is out of range"),
        ("str-tag", vec![(D, "replicas: 1", "replicas: !!str 1")], "spec.replicas: invalid type: string \"1\""),
        ("intent-field", vec![(V, "drop: 3", "drop: -1")], "spec.intents[0].drop: invalid value: integer `-1`"),
        ("event-type", vec![(V, "type: cpuPattern", "type: cpuPatern")], "spec.events[0].type: unknown variant `cpuPatern`"),
        ("max-surge", vec![(D, "  template:", "  strategy: {rollingUpdate: {maxSurge: \"abc%\", maxUnavailable: -1}}\n  template:")], "maxSurge: \"abc%\" is not allowed"),
    ];
    for (name, edits, expected) in cases {
        let r = run_on(&["inspect"], &mutated("c1-hpa-oscillation", name, &edits));
        assert_eq!(r.code, 2, "{name}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(expected), "{name}: expected {expected:?} in\n{}", r.stderr);
        assert!(!r.stderr.contains("String(") && !r.stderr.contains("Int("), "{name}: {}", r.stderr);
    }
}

#[test]
fn more_invalid_input_is_exit_2() {
    let lnu = mutated(
        "c8-descheduler-spread-loop",
        "lnu",
        &[
            (
                "manifests/descheduler-policy.yaml",
                "pluginConfig:",
                "pluginConfig:\n      - name: LowNodeUtilization\n        args: {thresholds: {cpu: 60}, targetThresholds: {cpu: 50}}",
            ),
            (
                "manifests/descheduler-policy.yaml",
                "          - RemovePodsViolatingTopologySpreadConstraint",
                "          - RemovePodsViolatingTopologySpreadConstraint\n          - LowNodeUtilization",
            ),
        ],
    );
    let r = run_on(&["inspect"], &lnu);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("thresholds' cpu percentage 60 is greater than targetThresholds' 50"), "{}", r.stderr);
    let times = mutated("c4-kernel-panic-loop", "times", &[("verification.yaml", "times: 3", "times: 0")]);
    let r = run_on(&["inspect"], &times);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("spec.intents[0].times: 0 is out of range"), "{}", r.stderr);
}

#[test]
fn an_applied_manifest_may_not_change_the_selector() {
    let dir = mutated(
        "c2-apply-resets-replicas",
        "selector",
        &[(
            "apply/deployment-v2.yaml",
            "    matchLabels:\n      app: web",
            "    matchLabels:\n      app: web\n      tier: v2",
        )],
    );
    let v2 = dir.join("apply/deployment-v2.yaml");
    let text = std::fs::read_to_string(&v2).expect("applied manifest");
    let text = text.replacen("        app: web", "        app: web\n        tier: v2", 1);
    std::fs::write(&v2, text).expect("write");
    let r = run_on(&["inspect"], &dir);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("spec.selector: field is immutable"), "{}", r.stderr);
}

/// Names cannot drive the terminal: an escape sequence in a name is rejected, and quoted
/// escaped in the message.
#[test]
fn escapes_in_names_are_rejected_and_escaped() {
    let dir = mutated(
        "c1-hpa-oscillation",
        "ansi",
        &[("verification.yaml", "name: c1-hpa-oscillation", "name: \"red\\e[31mX\\e[0m\"")],
    );
    let r = run_on(&["check", "--engine", "explicit"], &dir);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains('\u{1b}') && r.stderr.contains("red\\u{1b}[31mX"), "{}", r.stderr);
}

#[test]
fn a_byte_order_mark_and_an_empty_directory_are_named() {
    let dir = mutated("c1-hpa-oscillation", "bom", &[]);
    let v = dir.join("verification.yaml");
    let text = std::fs::read_to_string(&v).expect("spec");
    std::fs::write(&v, format!("\u{feff}{text}")).expect("write");
    let r = run_on(&["inspect"], &dir);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("verification.yaml: the file starts with a UTF-8 byte-order mark"), "{}", r.stderr);
    let empty = std::env::temp_dir().join(format!("kbmc-limits-{}-empty", std::process::id()));
    std::fs::create_dir_all(&empty).expect("temporary directory");
    let r = run_on(&["check"], &empty);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!r.stderr.contains("error: : ") && r.stderr.contains("no YAML or JSON file"), "{}", r.stderr);
}

/// A List of 2,000 one-replica Deployments that all differ (their labels) on three nodes, and
/// 3,000 such Deployments one document each: the explicit engine's check ends unknown at its
/// time limit, under a 2 GB memory limit. Before, the search for interchangeable Deployments
/// compared every Deployment with every class found so far, each comparison serializing a copy
/// of the whole model whose per-group selector vectors grow with the square of the groups
/// (gigabytes at 3,000), and it held every successor of a state at once (3,000 whole states):
/// a 20 s limit gave no output for minutes, or 4 GB.
#[test]
fn thousands_of_deployments_stop_at_the_time_limit() {
    let deployment = |i: usize, indent: &str| {
        let body = format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{i}, namespace: default}}\nspec:\n  replicas: 1\n  selector: {{matchLabels: {{app: app-{i}}}}}\n  template:\n    metadata: {{labels: {{app: app-{i}}}}}\n    spec:\n      containers:\n      - name: c\n        image: registry.example.com/app:1\n        resources: {{requests: {{cpu: 10m, memory: 16Mi}}}}\n"
        );
        let mut lines = body.lines();
        let first = format!("{indent}- {}\n", lines.next().unwrap_or_default());
        first + &lines.map(|l| format!("{indent}  {l}\n")).collect::<String>()
    };
    let list =
        format!("apiVersion: v1\nkind: List\nitems:\n{}", (0..2000).map(|i| deployment(i, "")).collect::<String>());
    let documents = (0..3000)
        .map(|i| deployment(i, "").lines().map(|l| format!("{}\n", &l[2..])).collect::<String>())
        .collect::<Vec<_>>()
        .join("---\n");
    for (name, text) in [("2000-list", list), ("3000-documents", documents)] {
        let dir = std::env::temp_dir().join(format!("kbmc-limits-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("deployments.yaml"), text).unwrap();
        std::fs::write(
            dir.join("verification.yaml"),
            "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nmetadata: {name: many}\nspec:\n  nodePools: [{name: worker, count: 3, capacity: {cpu: \"64\", memory: 256Gi}}]\n  events: [{type: nodeFailure, budget: 1}]\n  intents: [{type: podAlwaysSchedulable}]\n",
        )
        .unwrap();
        let r = kbmc(&[
            "check",
            "--engine",
            "explicit",
            "--time-limit",
            "5",
            "--max-memory",
            "2000M",
            "--no-color",
            dir.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 3, "{name}: {}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("the time limit of 5 s (--time-limit) was reached"), "{name}: {}", r.stdout);
        // The header names 60 workloads and counts the others.
        let words = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(words.contains("more: kbmc inspect lists every one)"), "{name}: {}", r.stdout);
        assert!(r.stdout.lines().count() < 40, "{name}: {}", r.stdout);
        std::fs::remove_dir_all(&dir).ok();
    }
}
