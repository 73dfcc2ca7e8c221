//! A check's parts on threads and in shards: the report of a check with `--threads 1` and with
//! `--threads 2` are the same, and `kbmc merge` of its shards' reports (`--shard I/N` for N =
//! 1, 2, 3 and 7) is the report of the unsharded check, byte for byte with the seconds taken
//! out, with its exit code; on every bundled case, both live fixtures, the snapshot of four
//! copies and two pull requests checked against their dumps. A missing, repeated or foreign
//! shard is refused with its name.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::*;

/// The report with every "seconds" taken out (they differ from run to run), as text.
fn without_seconds(stdout: &str, what: &str) -> String {
    fn strip(v: Value) -> Value {
        match v {
            Value::Object(o) => Value::Object(
                o.into_iter().filter(|(k, _)| !k.contains("second")).map(|(k, x)| (k, strip(x))).collect(),
            ),
            Value::Array(a) => Value::Array(a.into_iter().map(strip).collect()),
            v => v,
        }
    }
    let v: Value = serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {stdout}"));
    serde_json::to_string_pretty(&strip(v)).expect("JSON")
}

/// A folder of its own for one test's shard reports.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("shards").join(name);
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// The check `args` (a JSON report, on `input`) with one thread and with two, the same; then
/// sharded into 1, 2, 3 and 7 shards and merged, the same again, with the same exit code.
fn shards_merge_into_the_check(name: &str, args: &[&str], input: &str) {
    shards_merge_into_the_check_in(&[1, 2, 3, 7], name, args, input);
}

/// [`shards_merge_into_the_check`] with the check sharded into each of `counts` shards.
fn shards_merge_into_the_check_in(counts: &[usize], name: &str, args: &[&str], input: &str) {
    let run = |extra: &[&str]| {
        let mut a: Vec<&str> = vec!["check", "--format", "json"];
        a.extend_from_slice(args);
        a.extend_from_slice(extra);
        a.push(input);
        kbmc(&a)
    };
    let one = run(&["--threads", "1"]);
    assert!(matches!(one.code, 0 | 1 | 3), "{name}: exit {}: {}", one.code, one.stderr);
    let want = without_seconds(&one.stdout, name);
    let two = run(&["--threads", "2"]);
    assert_eq!((two.code, without_seconds(&two.stdout, name)), (one.code, want.clone()), "{name}: --threads 2");
    let dir = scratch(name);
    for &n in counts {
        let mut reports = Vec::new();
        for i in 0..n {
            let shard = format!("{i}/{n}");
            let r = run(&["--shard", &shard, "--threads", "1"]);
            assert_eq!(r.code, 0, "{name}: shard {shard}: {}", r.stderr);
            let path = dir.join(format!("n{n}-{i}.json"));
            std::fs::write(&path, &r.stdout).expect("a shard's report written");
            reports.push(path.to_string_lossy().into_owned());
        }
        let mut a = vec!["merge", "--format", "json"];
        a.extend(reports.iter().map(String::as_str));
        let merged = kbmc(&a);
        assert_eq!(merged.code, one.code, "{name}: merge of {n} shards: {}", merged.stderr);
        let got = without_seconds(&merged.stdout, name);
        if got != want {
            let line = got.lines().zip(want.lines()).position(|(g, w)| g != w).unwrap_or(0);
            panic!(
                "{name}: merge of {n} shards differs from the check at line {line}:\n{}\nthe check:\n{}",
                got.lines().skip(line.saturating_sub(3)).take(8).collect::<Vec<_>>().join("\n"),
                want.lines().skip(line.saturating_sub(3)).take(8).collect::<Vec<_>>().join("\n")
            );
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// The bundled cases whose index leaves `rest` modulo 4, each with up to one event in a run
/// (a case with two events is two parts).
fn bundled(rest: usize) {
    for (i, dir) in case_dirs().iter().enumerate().filter(|(i, _)| i % 4 == rest) {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        shards_merge_into_the_check(&format!("{i}-{name}"), &["--all", "--events", "1"], &rel(dir));
    }
}

#[test]
fn bundled_cases_merge_a() {
    bundled(0);
}

#[test]
fn bundled_cases_merge_b() {
    bundled(1);
}

#[test]
fn bundled_cases_merge_c() {
    bundled(2);
}

#[test]
fn bundled_cases_merge_d() {
    bundled(3);
}

/// The live fixtures, one event in a run: microservices-demo on three nodes (sixteen parts:
/// a node failure, a drain, fourteen rollout restarts; each search cut at a few thousand
/// states, a deterministic limit) and bookinfo on four (every part searched to the end).
#[test]
fn live_fixtures_merge() {
    let args = ["--all", "--events", "1", "--engine", "explicit", "--max-states", "2000"];
    shards_merge_into_the_check("microservices-demo", &args, "tests/fixtures/live/microservices-demo-3z");
    shards_merge_into_the_check("bookinfo", &["--all", "--events", "1"], "tests/fixtures/live/bookinfo-4n2z");
}

/// The snapshot of four copies (12 nodes, 52 events: 52 parts), one event in a run, each part's
/// search cut at 100 states within 5 steps; in 7 shards (each run loads the twelve-node
/// snapshot again: the smaller inputs above cover 1, 2 and 3).
#[test]
fn a_snapshot_of_four_copies_merges() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("shards-snapshot-k4");
    std::fs::remove_dir_all(&dir).ok();
    super::workloads::generator::write_snapshot(&dir, 4).expect("the generator writes k = 4");
    let args = ["--all", "--events", "1", "--engine", "explicit", "--max-states", "100", "--steps", "5"];
    shards_merge_into_the_check_in(&[7], "snapshot-k4", &args, &dir.to_string_lossy());
    std::fs::remove_dir_all(&dir).ok();
}

/// A pull request checked against its dump (`--baseline`): the change's and the baseline's
/// parts dealt to the shards together; merged, the report of the unsharded check against the
/// baseline, its time shares and exit code (1: a new violation) included: the anti-affinity
/// change (one part a side) in 1, 2, 3 and 7 shards, and a change to bookinfo (a part per
/// node's failure a side) in 3, in JSON, text and SARIF (`baselineState`).
#[test]
fn a_check_against_a_baseline_merges() {
    let dump = "tests/fixtures/live/bookinfo-4n2z/cluster.yaml";
    let change = "tests/fixtures/baseline/bookinfo-spread";
    let args = ["--events", "1", "--time-limit", "600", "--baseline", dump];
    let small = ["--events", "1", "--engine", "explicit", "--baseline", "tests/fixtures/baseline/cluster.yaml"];
    shards_merge_into_the_check("anti-affinity-against-its-dump", &small, "tests/fixtures/baseline/anti-affinity");

    let dir = scratch("against-its-dump");
    let mut shards = Vec::new();
    for i in 0..3 {
        let mut a = vec!["check", "--format", "json", "--shard"];
        let shard = format!("{i}/3");
        a.push(&shard);
        a.extend_from_slice(&args);
        a.push(change);
        let r = kbmc(&a);
        assert_eq!(r.code, 0, "shard {shard}: {}", r.stderr);
        let path = dir.join(format!("{i}.json"));
        std::fs::write(&path, &r.stdout).expect("a shard's report written");
        shards.push(path.to_string_lossy().into_owned());
    }
    let unsharded = |format: &str| {
        let mut a = vec!["check", "--no-color", "--format", format];
        a.extend_from_slice(&args);
        a.push(change);
        kbmc(&a)
    };
    let merged = |format: &str| {
        let mut a = vec!["merge", "--no-color", "--format", format];
        a.extend(shards.iter().map(String::as_str));
        kbmc(&a)
    };
    let (want, got) = (unsharded("json"), merged("json"));
    assert_eq!((got.code, want.code), (1, 1), "{}", got.stderr);
    assert_eq!(without_seconds(&got.stdout, "json"), without_seconds(&want.stdout, "json"));
    let (want, got) = (unsharded("sarif"), merged("sarif"));
    assert_eq!((got.code, want.code), (1, 1), "{}", got.stderr);
    assert_eq!(without_seconds(&got.stdout, "sarif"), without_seconds(&want.stdout, "sarif"));
    assert!(got.stdout.contains("\"baselineState\": \"new\""), "{}", got.stdout);
    // Each line without its seconds ("in 0.580 s", "(0.433 s)").
    let timeless = |text: &str| -> Vec<String> {
        let seconds = |w: &&str| w.contains('.') && w.trim_start_matches('(').parse::<f64>().is_ok();
        text.lines().map(|l| l.split(' ').filter(|w| !seconds(w)).collect::<Vec<_>>().join(" ")).collect()
    };
    let (want, got) = (unsharded("text"), merged("text"));
    assert_eq!(got.code, 1, "{}", got.stderr);
    assert_eq!(timeless(&got.stdout), timeless(&want.stdout));
    for line in [
        "  time:        600 s (--time-limit) in equal shares",
        "  new:       podAlwaysSchedulable\n",
        "the change adds 1 violation\n",
    ] {
        assert!(got.stdout.contains(line), "missing {line:?} in\n{}", got.stdout);
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Writes shard `shard` of `case`'s check at one event into `dir`, and returns its path.
fn shard_of(dir: &Path, case: &str, shard: &str) -> String {
    let r = kbmc(&["check", "--all", "--events", "1", "--format", "json", "--shard", shard, case]);
    assert_eq!(r.code, 0, "{case} {shard}: {}", r.stderr);
    let path = dir.join(format!("{}-{}.json", case.replace('/', "_"), shard.replace('/', "of")));
    std::fs::write(&path, &r.stdout).expect("written");
    path.to_string_lossy().into_owned()
}

/// What merge refuses: a missing shard, one given twice, one of another check, a file that is
/// no shard's report; and what --shard needs.
#[test]
fn merge_refuses_shards_that_are_not_one_check() {
    let dir = scratch("refused");
    let bookinfo = "tests/fixtures/live/bookinfo-4n2z";
    let (a, b) = (shard_of(&dir, bookinfo, "0/2"), shard_of(&dir, bookinfo, "1/2"));
    let refused = |reports: &[&str], says: &str| {
        let mut args = vec!["merge"];
        args.extend_from_slice(reports);
        let r = kbmc(&args);
        assert_eq!(r.code, 2, "{reports:?}: {}", r.stdout);
        assert!(r.stderr.contains(says), "{reports:?}: expected {says:?} in: {}", r.stderr);
    };
    refused(&[&a], "shard(s) 1/2 missing");
    refused(&[&a, &b, &b], "is given twice");
    let other = shard_of(&dir, "cases/c13-statefulset-node-failure-fixed", "1/2");
    refused(&[&a, &other], "a shard of another check");
    let plain = dir.join("plain.json");
    std::fs::write(&plain, kbmc(&["check", "--format", "json", bookinfo]).stdout).unwrap();
    refused(&[&plain.to_string_lossy()], "not a shard's report");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&a).unwrap()).unwrap();
    if let Err(e) = super::output::schema().validate(&doc) {
        panic!("a shard's report does not match docs/schema/check-v2.json: {e}");
    }
    let ok = kbmc(&["merge", "--format", "sarif", &a, &b]);
    assert_eq!(ok.code, 1, "{}", ok.stderr);
    assert!(ok.stdout.contains("\"version\": \"2.1.0\""), "{}", ok.stdout);

    let r = kbmc(&["check", "--shard", "0/2", "--format", "json", bookinfo]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--shard needs an event bound: give --events N"), "{}", r.stderr);
    let r = kbmc(&["check", "--shard", "0/2", "--events", "1", bookinfo]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("add --format json"), "{}", r.stderr);
    for bad in ["2/2", "1", "0/0", "a/3"] {
        let r = kbmc(&["check", "--shard", bad, "--events", "1", "--format", "json", bookinfo]);
        assert_eq!(r.code, 2, "--shard {bad}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
