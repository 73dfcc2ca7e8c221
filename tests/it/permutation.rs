//! A verdict never depends on the order objects are listed in the input: every bundled case
//! and every valid fixture small enough to check in a test, with its documents gathered into
//! one file in another order (reversed, rotated by one, shuffled by a fixed seed), gives the
//! same exit code, and per intent the same verdict and counterexample length, as listed.
//! Files an `applyDeployment` event names (`apply/`) stay files of their own, as the spec
//! refers to them by path.

use std::path::{Path, PathBuf};

use super::*;

/// The YAML files of `dir` kbmc loads as the cluster and spec (not `apply/`), in path order.
fn loaded_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                if !p.ends_with("apply") {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The documents of `dir`'s loaded files, in order, without those that hold only comments.
fn documents(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for f in loaded_files(dir) {
        let text = std::fs::read_to_string(&f).unwrap();
        let mut doc = Vec::new();
        for line in text.lines().chain(std::iter::once("---")) {
            if line.trim_end() == "---" {
                let content = doc.iter().any(|l: &&str| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
                if content {
                    out.push(doc.join("\n"));
                }
                doc.clear();
            } else {
                doc.push(line);
            }
        }
    }
    out
}

/// The exit code and, per intent, its verdict and counterexample length.
fn outcome(dir: &Path) -> (i32, Vec<(String, String, Option<usize>)>) {
    let r = kbmc(&["check", "--format", "json", dir.to_str().unwrap()]);
    let json: serde_json::Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{}: {e}\n{}{}", dir.display(), r.stdout, r.stderr));
    let mut per_intent: Vec<(String, String, Option<usize>)> = json["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|x| {
            (
                x["intent"].as_str().unwrap_or_default().to_string(),
                x["verdict"].as_str().unwrap_or_default().to_string(),
                x["trace"]["steps"].as_array().map(Vec::len),
            )
        })
        .collect();
    per_intent.sort();
    (r.code, per_intent)
}

/// `docs` in a fixed shuffled order (a linear congruential generator's, seed 7).
fn shuffled(docs: &[String]) -> Vec<String> {
    let mut v = docs.to_vec();
    let mut x: u64 = 7;
    for i in (1..v.len()).rev() {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        v.swap(i, (x >> 33) as usize % (i + 1));
    }
    v
}

#[test]
fn verdicts_do_not_depend_on_the_order_of_documents() {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for parent in ["cases", "tests/fixtures/good"] {
        let mut found: Vec<PathBuf> =
            std::fs::read_dir(root().join(parent)).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
        found.sort();
        dirs.extend(found);
    }
    dirs.push(root().join("tests/fixtures/events/two-failures"));
    assert!(dirs.len() > 50, "{dirs:?}");
    let scratch = std::env::temp_dir().join(format!("kbmc-permutation-{}", std::process::id()));
    let mut differ = Vec::new();
    for dir in &dirs {
        let docs = documents(dir);
        assert!(docs.len() > 1, "{}: a case has a spec and manifests", dir.display());
        let listed = outcome(dir);
        let mut rotated = docs.clone();
        rotated.rotate_left(1);
        let reversed: Vec<String> = docs.iter().rev().cloned().collect();
        for (how, order) in [("reversed", reversed), ("rotated", rotated), ("shuffled", shuffled(&docs))] {
            let _ = std::fs::remove_dir_all(&scratch);
            std::fs::create_dir_all(&scratch).unwrap();
            if dir.join("apply").is_dir() {
                for e in std::fs::read_dir(dir.join("apply")).unwrap() {
                    let p = e.unwrap().path();
                    std::fs::create_dir_all(scratch.join("apply")).unwrap();
                    std::fs::copy(&p, scratch.join("apply").join(p.file_name().unwrap())).unwrap();
                }
            }
            std::fs::write(scratch.join("all.yaml"), order.join("\n---\n") + "\n").unwrap();
            let got = outcome(&scratch);
            if got != listed {
                differ.push(format!("{} {how}: listed {listed:?}, now {got:?}", rel(dir)));
            }
        }
    }
    std::fs::remove_dir_all(&scratch).ok();
    assert!(differ.is_empty(), "verdicts that depend on the order of the input:\n{}", differ.join("\n"));
}
