//! A search a limit cuts short reports every violation it found, and the work it did. On the live fixture thirteen
//! Deployments of one replica each are violated at depth 1 (their node fails); the test clock
//! (`KBMC_TEST_STATES_PER_SECOND`, src/limits.rs) passes the time limit once the explicit
//! search has expanded its initial state, at the same state on every machine. The thirteen
//! come out violated, each with its one-step run (rebuilt when found, and replayed), and only
//! what the search had not decided is unknown, naming the time limit.

use serde_json::Value;

use super::*;

const LIVE: &str = "tests/fixtures/live/microservices-demo-3z";

#[test]
fn a_depth_one_violation_stands_when_the_time_limit_cuts_the_search() {
    let r = kbmc_env(
        &[("KBMC_TEST_STATES_PER_SECOND", "1")],
        &["check", "--engine", "explicit", "--all", "--time-limit", "1", "--format", "json", LIVE],
    );
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(doc["effort"]["depth"], 1, "the search stopped after the initial state: {}", doc["effort"]);
    let results = doc["results"].as_array().unwrap();
    let one_replica = [
        "frontend",
        "adservice",
        "currencyservice",
        "cartservice",
        "redis-cart",
        "loadgenerator",
        "recommendationservice",
        "checkoutservice",
        "emailservice",
        "paymentservice",
        "shippingservice",
        "productcatalogservice",
        "metrics-server",
    ];
    for d in one_replica {
        let name = format!("replicasMeetExpected({d})");
        let x = results.iter().find(|x| x["intent"] == name.as_str()).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(x["verdict"], "violated", "{name}: {x}");
        assert_eq!(x["trace"]["steps"].as_array().unwrap().len(), 1, "{name}: {x}");
    }
    let violated = results.iter().filter(|x| x["verdict"] == "violated").count();
    assert_eq!(violated, one_replica.len(), "{}", r.stdout);
    for x in results.iter().filter(|x| x["verdict"] != "violated") {
        assert_eq!(x["verdict"], "unknown", "{x}");
        let reason = x["reason"].as_str().unwrap();
        assert!(reason.starts_with("the time limit of 1 s (--time-limit) was reached at depth 1"), "{x}");
    }
    // The text says it too: none of them is a violation "found but not rebuilt".
    let r = kbmc_env(
        &[("KBMC_TEST_STATES_PER_SECOND", "1")],
        &["check", "--engine", "explicit", "--all", "--time-limit", "1", "--no-color", LIVE],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("replicasMeetExpected: violated for 13 Deployments: frontend,"), "{}", r.stdout);
    assert!(!r.stdout.contains("rebuilt"), "{}", r.stdout);
}

/// A reduced search cut short is made again without the reduction (check.rs); the effort
/// reported is both searches', not only the second one's, which the same limit cuts at once.
#[test]
fn a_cut_reduced_search_reports_both_searches_effort() {
    let r = kbmc_env(
        &[("KBMC_TEST_STATES_PER_SECOND", "1")],
        &[
            "check",
            "--engine",
            "explicit",
            "--reduction",
            "por",
            "--all",
            "--time-limit",
            "1",
            "--format",
            "json",
            LIVE,
        ],
    );
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).expect("JSON");
    let states = doc["effort"]["states"].as_u64().expect("states");
    // The reduced search stored the initial state's successors; the search again stored the
    // initial state before the limit stopped it.
    assert!(states > 2, "{}", doc["effort"]);
}
