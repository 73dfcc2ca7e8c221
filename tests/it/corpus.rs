//! The corpus of public manifests (tests/corpus/, see its README): every application loads as
//! published, with its Services, ServiceAccounts and other kinds that cannot change
//! scheduling ignored, and is checked on three Nodes.

use super::*;

fn corpus_dirs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("tests/corpus"))
        .expect("tests/corpus exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

#[test]
fn every_corpus_application_loads_and_checks() {
    let dirs = corpus_dirs();
    let names: Vec<String> = dirs.iter().map(|d| d.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["bookinfo", "guestbook", "microservices-demo", "podinfo"]);
    for dir in &dirs {
        let d = rel(dir);
        assert!(dir.join("LICENSE").is_file(), "{d}: no LICENSE");
        // The explicit engine: these clusters start empty, and a few steps of it show the
        // model is built and runs; the symbolic engine is exercised on them by compare.
        let r = kbmc(&["check", "--engine", "explicit", &d]);
        assert_eq!(r.code, 0, "{d}: stdout: {}\nstderr: {}", r.stdout, r.stderr);
        assert!(r.stderr.is_empty(), "{d}: warnings: {}", r.stderr);
        assert!(r.stdout.contains("podAlwaysSchedulable: holds within 3 steps"), "{d}: {}", r.stdout);
    }
}

/// The corpus holds what makes it a test of reading real manifests: kinds kbmc ignores, and
/// the Deployments of each application all read.
#[test]
fn the_corpus_has_what_users_write() {
    let mut kinds = std::collections::BTreeSet::new();
    for dir in corpus_dirs() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
            kinds.extend(text.lines().filter_map(|l| l.strip_prefix("kind: ")).map(str::to_string));
        }
    }
    for k in ["Deployment", "Service", "ServiceAccount", "HorizontalPodAutoscaler"] {
        assert!(kinds.contains(k), "no {k} in the corpus: {kinds:?}");
    }
    let r = kbmc(&["inspect", "tests/corpus/microservices-demo"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("\ndeployments (12):\n"), "{}", r.stdout);
}
