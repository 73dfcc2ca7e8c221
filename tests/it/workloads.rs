//! The workloads bench's clusters (benches/common/workloads.rs, shared through `#[path]`)
//! load and check: the smallest generated ones with the explicit engine and a small step
//! bound, microservices-demo's through `inspect`. Verdict kinds only, never time.

use std::path::PathBuf;

use super::kbmc;

#[path = "../../benches/common/workloads.rs"]
mod generator;

/// A fresh directory under the system's temporary one.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kbmc-it-workloads-{}-{name}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    dir
}

#[test]
fn generated_clusters_load_and_check() {
    for n in [1, 2] {
        let dir = scratch(&format!("n{n}-m6"));
        generator::write(&dir, n, 6).expect("the generator writes");
        let d = dir.to_string_lossy().into_owned();
        let r = kbmc(&["check", "--engine", "explicit", "--steps", "6", "--format", "json", &d]);
        assert_eq!(r.code, 0, "n={n}: stdout: {}\nstderr: {}", r.stdout, r.stderr);
        assert!(r.stderr.is_empty(), "n={n}: warnings: {}", r.stderr);
        let j: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
        assert_eq!(j["header"]["cluster"], "zone-a: 2 nodes, zone-b: 2 nodes, zone-c: 2 nodes", "n={n}");
        assert!(
            j["header"]["controllers"].as_array().unwrap().iter().any(|c| c == "descheduler"),
            "n={n}: {}",
            j["header"]
        );
        assert!(j["header"]["events"].to_string().contains("nodeFailure"), "n={n}: {}", j["header"]);
        let results = j["results"].as_array().expect("results");
        let intents: Vec<&str> = results.iter().map(|x| x["intent"].as_str().unwrap()).collect();
        let want: Vec<String> = (0..n).map(|i| format!("noEvictionCycle(app-{i})")).collect();
        assert_eq!(intents, want, "n={n}");
        for x in results {
            assert_eq!(x["verdict"], "holds", "n={n}: {x}");
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn microservices_demo_on_a_pool_loads() {
    for m in [3, 12] {
        let dir = scratch(&format!("microservices-demo-m{m}"));
        generator::write_microservices_demo(&dir, m).expect("the generator writes");
        let r = kbmc(&["inspect", &dir.to_string_lossy()]);
        assert_eq!(r.code, 0, "m={m}: {}", r.stderr);
        assert!(r.stdout.contains("\ndeployments (12):\n"), "m={m}: {}", r.stdout);
        assert!(r.stdout.contains(&format!("  node (pool): {m} node(s)\n")), "m={m}: {}", r.stdout);
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn the_generator_refuses_what_it_cannot_spread() {
    let dir = scratch("refused");
    for (n, m) in [(0, 6), (1, 2)] {
        let e = generator::write(&dir, n, m).expect_err("refused");
        assert!(e.to_string().contains("at least 1 Deployment and 3 nodes"), "{e}");
    }
    assert!(!dir.exists(), "nothing written for a refused size");
    assert_eq!(generator::zone_counts(7), [3, 2, 2]);
}
