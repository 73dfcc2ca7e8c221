//! k-induction (`check --prove`): proofs come with certificates that an independent solver
//! re-checks, and a case with a known violation is never proved.

use super::*;

/// A small model whose intent holds in every run is proved by k-induction, and every
/// certificate it writes (base case, step case, invariant) is unsatisfiable when re-solved
/// from its SMT-LIB text alone.
#[test]
fn proofs_come_with_certificates_that_re_solve_unsat() {
    let dir = std::env::temp_dir().join(format!("kbmc-certificates-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let r = kbmc(&[
        "check",
        "--prove",
        "--time-limit",
        "120",
        "--no-color",
        "--certificate",
        dir.to_str().unwrap(),
        "tests/fixtures/good/provable",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("podAlwaysSchedulable: proved for every run length by k-induction at k = "),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(", 1 proved for every run length,"), "{}", r.stdout);
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.iter().any(|n| n.contains("-base-k")) && names.iter().any(|n| n.contains("-step-k")), "{names:?}");
    for n in &names {
        let solver = z3::Solver::new();
        solver.from_string(std::fs::read_to_string(dir.join(n)).unwrap());
        assert_eq!(solver.check(), z3::SatResult::Unsat, "{n} must be unsatisfiable");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The violating cases whose counterexamples are short are reported violated with --prove,
/// never proved; --prove with the explicit engine is a usage error that says why.
#[test]
fn violating_cases_are_never_proved() {
    for case in ["c2-apply-resets-replicas", "c3-conflicting-spread"] {
        let r = kbmc(&["check", "--prove", "--all", "--time-limit", "60", "--no-color", &format!("cases/{case}")]);
        assert_eq!(r.code, 1, "{case}: {}{}", r.stdout, r.stderr);
        assert!(!r.stdout.contains(": proved"), "{case}: {}", r.stdout);
        assert!(r.stdout.contains(" 0 proved for every run length,"), "{case}: {}", r.stdout);
    }
    let r = kbmc(&["check", "--prove", "--engine", "explicit", "cases/c3-conflicting-spread"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--prove is k-induction on the symbolic engine"), "{}", r.stderr);
}
