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
    for cmd in ["inspect", "check", "scale", "simulate"] {
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
    assert!(a.stdout.contains("noEvictionCycle: violated: after step"), "{}", a.stdout);
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
    assert!(r.stdout.contains("noEvictionCycle: agree"), "{}", r.stdout);
    assert!(
        r.stdout.contains("explicit: violated: cycle of 3 step(s)")
            && r.stdout.contains("symbolic: violated: cycle of 3 step(s)"),
        "{}",
        r.stdout
    );
}
