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
