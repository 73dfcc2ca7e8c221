//! Command-line behaviour: help documents the exit codes, usage errors exit 2, commands that
//! are not built yet say so and never pretend to verify.

use super::*;

#[test]
fn help_documents_exit_codes() {
    let r = kbmc(&["--help"]);
    assert_eq!(r.code, 0);
    for line in ["0  every intent holds", "1  some intent is violated", "2  input or usage error", "3  inconclusive"] {
        assert!(r.stdout.contains(line), "help lacks {line:?}: {}", r.stdout);
    }
    // Each subcommand's help lists examples and the exit codes.
    for cmd in ["init", "inspect", "check", "scale", "simulate"] {
        let r = kbmc(&[cmd, "--help"]);
        assert_eq!(r.code, 0, "{cmd}");
        assert!(r.stdout.contains("Examples:") && r.stdout.contains(&format!("kbmc {cmd} ")), "{cmd}: {}", r.stdout);
        assert!(r.stdout.contains("Exit codes"), "{cmd}: {}", r.stdout);
    }
}

/// `kbmc simulate`: the same seed gives the same run; a run that reaches C8's eviction cycle
/// says so and exits 1; a run of a fixed case exits 0 and claims nothing beyond the run.
#[test]
fn simulate_is_repeatable_and_evaluates_intents() {
    let run = |seed: &str| {
        kbmc(&["simulate", "--no-color", "--seed", seed, "--steps", "25", "cases/c8-descheduler-spread-loop"])
    };
    let (a, b) = (run("3"), run("3"));
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(a.code, 1, "{}", a.stderr);
    assert!(a.stdout.contains("noEvictionCycle(web): violated: after step"), "{}", a.stdout);
    assert!(a.stdout.contains("run with seed 3: 25 step(s)"), "{}", a.stdout);
    let fixed = kbmc(&["simulate", "--no-color", "--seed", "1", "cases/c3-conflicting-spread-fixed"]);
    assert_eq!(fixed.code, 0, "{}", fixed.stderr);
    assert!(fixed.stdout.contains("podAlwaysSchedulable: not violated along this run"), "{}", fixed.stdout);
    // Every seed's run replays on the concrete semantics (kbmc exits 4 otherwise).
    for seed in 0..20 {
        let r = kbmc(&["simulate", "--seed", &seed.to_string(), "cases/c1-hpa-oscillation"]);
        assert!(r.code == 0 || r.code == 1, "seed {seed}: {}", r.stderr);
    }
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(kbmc(&[]).code, 2);
    assert_eq!(kbmc(&["inspect"]).code, 2);
    assert_eq!(kbmc(&["frobnicate"]).code, 2);
    assert_eq!(kbmc(&["inspect", "--format", "xml", "cases/c3-conflicting-spread"]).code, 2);
}

#[test]
fn bad_input_exits_2_before_checking() {
    let r = kbmc(&["check", "tests/fixtures/bad/bad-quantity"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("invalid quantity"), "{}", r.stderr);
}

/// `kbmc compare` runs both engines and exits 0 when they agree.
#[test]
fn compare_reports_agreement() {
    let r = kbmc(&["compare", "--steps", "5", "cases/c7-taint-nodename-loop"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("noEvictionCycle(agent): agree"), "{}", r.stdout);
    assert!(
        r.stdout.contains("explicit: violated: cycle of 3 step(s)")
            && r.stdout.contains("symbolic: violated: cycle of 3 step(s)"),
        "{}",
        r.stdout
    );
}

/// `kbmc compare --format json`: per intent, named with what it is about, both engines'
/// verdicts and their agreement.
#[test]
fn compare_writes_json() {
    let r = kbmc(&["compare", "--steps", "5", "--format", "json", "cases/c7-taint-nodename-loop"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(v["schema"], "kbmc.dev/compare/v1");
    assert_eq!(v["exit_code"], 0);
    let row = &v["intents"][0];
    assert_eq!(row["intent"], "noEvictionCycle(agent)");
    assert_eq!(row["explicit"]["verdict"], "violated");
    assert_eq!(row["symbolic"]["verdict"], "violated");
    assert_eq!(row["agree"], true);
}

/// `kbmc simulate --format json|itf`: the same run as the text, for machines.
#[test]
fn simulate_writes_json_and_itf() {
    let args = ["simulate", "--seed", "3", "--steps", "25", "cases/c8-descheduler-spread-loop"];
    let j = kbmc(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(j.code, 1, "{}", j.stderr);
    let v: serde_json::Value = serde_json::from_str(&j.stdout).expect("JSON");
    assert_eq!(v["schema"], "kbmc.dev/simulate/v1");
    assert_eq!(v["seed"], 3);
    assert_eq!(v["steps_taken"], 25);
    let seen = v["intents"].as_array().unwrap();
    assert!(seen.iter().any(|i| i["intent"] == "noEvictionCycle(web)" && i["seen"] == "violated"), "{seen:?}");
    assert_eq!(v["trace"]["steps"].as_array().unwrap().len(), 25);
    let i = kbmc(&[&args[..], &["--format", "itf"]].concat());
    assert_eq!(i.code, 1, "{}", i.stderr);
    let doc: serde_json::Value = serde_json::from_str(i.stdout.trim()).expect("one ITF document");
    assert_eq!(doc["#meta"]["format"], "ITF");
    assert_eq!(doc["states"].as_array().unwrap().len(), 26);
    assert!(doc["#meta"]["intent"].as_str().unwrap().contains("noEvictionCycle(web)"), "{doc}");
}

/// A plain `RUST_LOG=debug` shows kbmc's own debug lines, not the z3 crate's line per dropped
/// term (millions on a large check); a filter that names z3 still shows those.
#[test]
fn debug_logs_leave_z3_out_unless_asked() {
    let case = [
        "check",
        "cases/c1-hpa-oscillation/manifests",
        "cases/c1-hpa-oscillation/verification.yaml",
        "--explicit-states",
        "0",
        "--steps",
        "3",
    ];
    let plain = crate::kbmc_env(&[("RUST_LOG", "debug")], &case);
    assert!(plain.stderr.contains("[DEBUG kbmc"), "{}", plain.stderr);
    assert!(!plain.stderr.contains("[DEBUG z3"), "{}", &plain.stderr[..plain.stderr.len().min(2000)]);
    let named = crate::kbmc_env(&[("RUST_LOG", "debug,z3=debug")], &case);
    assert!(named.stderr.contains("[DEBUG z3"), "{}", &named.stderr[..named.stderr.len().min(2000)]);
}
