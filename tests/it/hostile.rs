//! Hostile and huge input: every input kbmc is given ends in an exit code of 0, 1, 2 or 3 with
//! a message — never a panic, an abort or a hang. Each test copies a bundled case, changes
//! one thing, and runs the built binary under a wall-clock kill (a hang detector, not a speed
//! assertion). The last test mutates the bundled cases with fixed seeds and checks the same
//! of every mutant.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{case_dirs, root, Scratch};

#[path = "../../benches/common/dump.rs"]
mod dump;

/// How long a run may take before the test calls it a hang. Generous: the debug binary on a
/// busy machine; a hang is a run that never ends.
const HANG: Duration = Duration::from_secs(120);

struct Outcome {
    code: i32,
    stderr: String,
    stdout: String,
}

/// Runs kbmc with `args`, killing it after [`HANG`]; panics (fails the test) on a hang or a
/// signal.
fn run(args: &[&str]) -> Outcome {
    let dir = std::env::temp_dir().join(format!("kbmc-hostile-out-{}-{}", std::process::id(), fresh()));
    std::fs::create_dir_all(&dir).unwrap();
    let (out, err) = (dir.join("stdout"), dir.join("stderr"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_kbmc"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("kbmc starts");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > HANG {
            child.kill().ok();
            child.wait().ok();
            panic!("kbmc {args:?} did not finish within {HANG:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let o = Outcome {
        code: status.code().unwrap_or_else(|| panic!("kbmc {args:?} ended by a signal: {status:?}")),
        stdout: std::fs::read_to_string(&out).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err).unwrap_or_default(),
    };
    std::fs::remove_dir_all(&dir).ok();
    o
}

fn fresh() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// A copy of bundled case `case` (or a fixture under tests/fixtures) in a fresh directory
/// (removed when the test passes), with `from` replaced by `to` in its file `file`.
fn mutant(case: &str, file: &str, from: &str, to: &str) -> Scratch {
    let src =
        if case.contains('/') { root().join("tests/fixtures").join(case) } else { root().join("cases").join(case) };
    let dir = Scratch::new(std::env::temp_dir().join(format!("kbmc-hostile-{}-{}", std::process::id(), fresh())));
    copy_dir(&src, &dir);
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// The exit is an input error (2) whose message names `field` and contains `says`.
fn rejected(o: &Outcome, field: &str, says: &str) {
    assert_eq!(o.code, 2, "expected an input error\nstdout: {}\nstderr: {}", o.stdout, o.stderr);
    assert!(o.stderr.contains(field) && o.stderr.contains(says), "{field} / {says} not in: {}", o.stderr);
}

/// The run ended with a verdict or an input error, never an internal error or a panic.
fn answered(o: &Outcome) {
    assert!((0..=3).contains(&o.code), "exit {}\nstdout: {}\nstderr: {}", o.code, o.stdout, o.stderr);
    assert!(!o.stderr.contains("panicked"), "{}", o.stderr);
}

fn p(dir: &Path) -> &str {
    dir.to_str().unwrap()
}

/// A solver query cut at the time limit ends the run: C2-fixed's proof by the reachable states,
/// one QF_LIA query per state, is cut by the limit in the middle of a query, where Z3's own
/// timer (4.8.12) left the next tactic's timer waiting for ever (src/engine/symbolic/watchdog.rs).
#[test]
fn a_query_cut_by_the_time_limit_ends_the_run() {
    for limit in ["2", "3"] {
        let case = "cases/c2-apply-resets-replicas-fixed";
        let o = run(&["check", "--prove", "--explicit-states", "0", "--time-limit", limit, case]);
        assert_eq!(o.code, 3, "--time-limit {limit}: {}{}", o.stdout, o.stderr);
        let says = format!("the time limit of {limit} s (--time-limit) was reached");
        assert!(o.stdout.contains(&says), "--time-limit {limit}: {}", o.stdout);
    }
}

#[test]
fn replicas_beyond_the_model_are_input_errors_in_every_command() {
    for replicas in ["2147483647", "100000"] {
        let d = mutant(
            "c4-kernel-panic-loop",
            "manifests/deployment.yaml",
            "replicas: 7",
            &format!("replicas: {replicas}"),
        );
        for args in [
            vec!["check", "--engine", "explicit", p(&d)],
            vec!["check", p(&d)],
            vec!["compare", p(&d)],
            vec!["scale", p(&d)],
            vec!["simulate", p(&d)],
            vec!["dump", "--steps", "2", p(&d)],
            vec!["inspect", p(&d)],
        ] {
            rejected(&run(&args), "spec.replicas", "32767");
        }
    }
}

#[test]
fn a_workload_replica_range_beyond_the_model_is_an_input_error() {
    let d = mutant(
        "c1-hpa-oscillation",
        "verification.yaml",
        "  events:",
        "  workloads:\n    - {deployment: web, replicas: {min: 1, max: 100000}}\n  events:",
    );
    rejected(&run(&["check", "--engine", "explicit", p(&d)]), "spec.workloads[0].replicas", "32767");
}

#[test]
fn budgets_beyond_the_model_are_input_errors() {
    for budget in ["1000000", "4294967295"] {
        let d = mutant("c4-kernel-panic-loop", "verification.yaml", "budget: 6", &format!("budget: {budget}"));
        rejected(&run(&["check", "--engine", "explicit", p(&d)]), "spec.events[0].budget", "32767");
    }
}

#[test]
fn hpa_bounds_beyond_the_model_are_input_errors() {
    let d = mutant("c1-hpa-oscillation", "manifests/hpa.yaml", "maxReplicas: 6", "maxReplicas: 2147483647");
    for args in [vec!["check", "--engine", "explicit", p(&d)], vec!["simulate", p(&d)]] {
        rejected(&run(&args), "spec.maxReplicas", "32767");
    }
}

/// Requests below a millicore round up to 1m (upstream's MilliValue), which the HPA's
/// utilization then sees as a huge ratio: a verdict, not a counter out of range.
#[test]
fn tiny_cpu_requests_round_up_and_check() {
    for cpu in ["1n", "0.0000001m", "1e-30"] {
        for case in ["c1-hpa-oscillation", "c4-kernel-panic-loop"] {
            let from = if case.starts_with("c1") { "cpu: \"8\"" } else { "cpu: \"21\"" };
            let d = mutant(case, "manifests/deployment.yaml", from, &format!("cpu: \"{cpu}\""));
            for args in [vec!["check", "--engine", "explicit", p(&d)], vec!["scale", "--steps", "8", p(&d)]] {
                let o = run(&args);
                answered(&o);
                assert_ne!(o.code, 2, "{cpu} is a valid request: {}", o.stderr);
            }
        }
    }
}

#[test]
fn an_average_value_target_of_zero_is_an_input_error() {
    let d = mutant(
        "c1-hpa-oscillation",
        "manifests/hpa.yaml",
        "type: Utilization\n          averageUtilization: 50",
        "type: AverageValue\n          averageValue: \"0\"",
    );
    rejected(&run(&["check", "--engine", "explicit", p(&d)]), "averageValue", "positive");
}

#[test]
fn scale_deltas_beyond_the_model_are_input_errors() {
    for (min, max) in [("-1000000", "1000000"), ("-9223372036854775808", "9223372036854775807")] {
        let d = mutant(
            "good/scale-after-apply",
            "verification.yaml",
            "delta: {min: 2, max: 2}",
            &format!("delta: {{min: {min}, max: {max}}}"),
        );
        for args in [vec!["check", "--engine", "explicit", p(&d)], vec!["compare", p(&d)], vec!["scale", p(&d)]] {
            rejected(&run(&args), "spec.events[0].delta", "32767");
        }
    }
    // Within the range, but with budget enough to pass the pods a Deployment may have.
    let d = mutant(
        "good/scale-after-apply",
        "verification.yaml",
        "delta: {min: 2, max: 2}, budget: 1",
        "delta: {min: 2, max: 30000}, budget: 3",
    );
    rejected(&run(&["check", "--engine", "explicit", p(&d)]), "spec.events[0].delta", "4096");
}

#[test]
fn deeply_nested_flow_collections_fail_fast() {
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let d = mutant(
        "c1-hpa-oscillation",
        "manifests/deployment.yaml",
        "  name: web\n",
        &format!("  name: web\n  annotations: {{a: {deep}}}\n"),
    );
    rejected(&run(&["inspect", p(&d)]), "deployment.yaml", "nested more than 100 deep");
    let deep = format!("{}1{}", "{a: ".repeat(100_000), "}".repeat(100_000));
    let d = mutant("c1-hpa-oscillation", "verification.yaml", "  bounds:", &format!("  x: {deep}\n  bounds:"));
    rejected(&run(&["check", "--engine", "explicit", p(&d)]), "verification.yaml", "nested more than 100 deep");
}

#[test]
fn deeply_nested_block_collections_are_input_errors() {
    let mut deep = String::from("  x:\n");
    for i in 0..2_000 {
        deep.push_str(&format!("{}a:\n", " ".repeat(i + 4)));
    }
    let d = mutant("c1-hpa-oscillation", "verification.yaml", "  bounds:", &format!("{deep}  bounds:"));
    let o = run(&["check", "--engine", "explicit", p(&d)]);
    assert_eq!(o.code, 2, "{}", o.stderr);
}

#[cfg(unix)]
#[test]
fn a_symlink_to_a_parent_directory_is_an_input_error() {
    let d = mutant("c1-hpa-oscillation", "verification.yaml", "steps: 60", "steps: 60");
    std::os::unix::fs::symlink("..", d.join("manifests/up")).unwrap();
    rejected(&run(&["inspect", p(&d)]), "manifests/up", "a second time");
}

/// A symlink among the manifests that leads nowhere — a loop, or dangling — is an error
/// naming the link, whatever its name (it may stand for a manifest or a directory of them),
/// not read as if it were not there.
#[cfg(unix)]
#[test]
fn a_symlink_that_leads_nowhere_is_an_input_error() {
    let d = mutant("c1-hpa-oscillation", "verification.yaml", "steps: 60", "steps: 60");
    std::os::unix::fs::symlink("loop", d.join("manifests/loop")).unwrap();
    let o = run(&["inspect", p(&d)]);
    rejected(&o, "manifests/loop", "a symlink loop");
    let d = mutant("c1-hpa-oscillation", "verification.yaml", "steps: 60", "steps: 60");
    std::os::unix::fs::symlink("gone", d.join("manifests/more")).unwrap();
    rejected(&run(&["inspect", p(&d)]), "manifests/more", "a dangling symlink: its target gone does not exist");
}

/// An input path that cannot be read says why, as the OS does: a symlink to itself is a loop,
/// a name past the OS's limit is too long — not "no such file or directory".
#[cfg(unix)]
#[test]
fn an_unreadable_input_path_says_why() {
    let d = std::env::temp_dir().join(format!("kbmc-hostile-paths-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let me = d.join("me.yaml");
    std::fs::remove_file(&me).ok();
    std::os::unix::fs::symlink("me.yaml", &me).unwrap();
    rejected(&run(&["inspect", p(&me)]), "me.yaml", "a symlink loop");
    let long = d.join("a".repeat(5_000));
    let o = run(&["inspect", p(&long)]);
    rejected(&o, "aaaa", "name too long");
    assert!(!o.stderr.contains("no such file"), "{}", o.stderr);
    std::fs::remove_dir_all(&d).ok();
}

#[cfg(unix)]
#[test]
fn a_fifo_among_the_manifests_is_not_read() {
    let d = mutant("c1-hpa-oscillation", "verification.yaml", "steps: 60", "steps: 60");
    let fifo = d.join("manifests/x.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    rejected(&run(&["inspect", p(&d)]), "x.yaml", "not a regular file");
}

/// A cluster dump of many Nodes (one document each) and a List of many Deployments loads;
/// `cargo bench --bench load` times the 5,000-Node, 2,000-Deployment dump.
#[test]
fn a_cluster_dump_loads() {
    let d = std::env::temp_dir().join(format!("kbmc-hostile-dump-{}", std::process::id()));
    dump::write(&d, 1_000, 400);
    let o = run(&["inspect", p(&d)]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("node slots (1000)") && o.stdout.contains("deployments (400)"), "{}", &o.stdout[..400]);
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn pools_beyond_the_node_slots_are_input_errors() {
    let d = mutant("c1-hpa-oscillation", "verification.yaml", "count: 3", "count: 4294967295");
    rejected(&run(&["inspect", p(&d)]), "spec.nodePools[0].count", "10000");
}

#[test]
fn compare_with_one_state_says_what_it_covered() {
    let o = run(&["compare", "--max-states", "1", "--steps", "4", "cases/c1-hpa-oscillation"]);
    answered(&o);
    assert!(o.stdout.contains("explicit engine"), "{}", o.stdout);
}

/// xorshift64*: a fixed, dependency-free stream of pseudo-random numbers per seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Values a mutation writes in place of a number or quantity: the edges of every integer
/// width, counts around the model's limit, quantities below its unit and beyond i64.
const HOSTILE: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "32767",
    "32768",
    "100000",
    "2147483647",
    "4294967295",
    "-9223372036854775808",
    "9223372036854775807",
    "\"1n\"",
    "\"0.0000001m\"",
    "\"1e-30\"",
    "\"1e30\"",
    "\"0\"",
    "\"-1\"",
    "\"1Ei\"",
    "[]",
    "{}",
    "null",
    "\"x\"",
];

/// One mutation of a YAML text: a number (or quoted quantity) replaced by a hostile value, a
/// line deleted, or a line duplicated.
fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        return text.to_string();
    }
    match rng.below(6) {
        0 => {
            lines.remove(rng.below(lines.len()));
        }
        1 => {
            let i = rng.below(lines.len());
            let l = lines[i].clone();
            lines.insert(i, l);
        }
        _ => {
            // Lines with a value after `: ` that starts like a number or a quoted quantity.
            let candidates: Vec<usize> = (0..lines.len())
                .filter(|&i| {
                    lines[i]
                        .split_once(": ")
                        .is_some_and(|(_, v)| v.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '"'))
                })
                .collect();
            if candidates.is_empty() {
                return text.to_string();
            }
            let i = candidates[rng.below(candidates.len())];
            let (k, _) = lines[i].split_once(": ").unwrap();
            lines[i] = format!("{k}: {}", HOSTILE[rng.below(HOSTILE.len())]);
        }
    }
    lines.join("\n") + "\n"
}

/// Every YAML file under `dir`, sorted.
fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            out.extend(yaml_files(&path));
        } else if path.extension().is_some_and(|x| x == "yaml") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Fixed seeds, a fixed number of mutants per bundled case: each gets one to three mutations
/// in its files and is inspected and checked (explicit engine, small bounds). Every run must
/// end with 0, 1, 2 or 3 and no panic, within the hang limit.
#[test]
fn mutated_cases_never_panic_or_hang() {
    const PER_CASE: u64 = 10;
    for (ci, case) in case_dirs().iter().enumerate() {
        for k in 0..PER_CASE {
            let seed = 0x6b626d63_u64 ^ ((ci as u64) << 32) ^ (k + 1);
            let mut rng = Rng(seed);
            let dir = std::env::temp_dir().join(format!("kbmc-fuzz-{}-{}", std::process::id(), fresh()));
            copy_dir(case, &dir);
            let files = yaml_files(&dir);
            for _ in 0..1 + rng.below(3) {
                let f = &files[rng.below(files.len())];
                let text = std::fs::read_to_string(f).unwrap();
                std::fs::write(f, mutate(&text, &mut rng)).unwrap();
            }
            for args in [
                vec!["inspect", p(&dir)],
                vec!["check", "--engine", "explicit", "--steps", "8", "--max-states", "20000", p(&dir)],
            ] {
                let o = run(&args);
                assert!(
                    (0..=3).contains(&o.code) && !o.stderr.contains("panicked"),
                    "seed {seed:#x} on {}: kbmc {args:?} exited {}\n{}",
                    case.display(),
                    o.code,
                    o.stderr
                );
            }
            std::fs::remove_dir_all(&dir).ok();
        }
    }
}
