//! A search a limit cuts short reports every violation it found, and the work it did. On the live fixture thirteen
//! Deployments of one replica each are violated at depth 1 (their node fails); the test clock
//! (`KBMC_TEST_STATES_PER_SECOND`, src/limits.rs) passes the time limit once the explicit
//! search has expanded its initial state, at the same state on every machine. The thirteen
//! come out violated, each with its one-step run (rebuilt when found, and replayed), and only
//! what the search had not decided is unknown, naming the time limit. What would follow a
//! limit that has passed (the cycle search over the stored graph, the symbolic engine's next
//! query, which the test clock also counts) is not begun. The checks of one search give
//! `--events 16`, every event the fixture has, so that the check is one part (a check at one
//! event is sixteen, the cheapest first: src/parts.rs), and the last test shows the parts'
//! shares of the limit.

use serde_json::Value;

use super::*;

const LIVE: &str = "tests/fixtures/live/microservices-demo-3z";

/// `kbmc check --all --time-limit 1 --format json` with `args` on `target`, under a test clock
/// of `per_second` states (and solver checks) a second: its exit code and its JSON report.
fn cut(per_second: &str, args: &[&str], target: &str) -> (i32, Value) {
    let mut all = vec!["check", "--all", "--time-limit", "1", "--format", "json"];
    all.extend_from_slice(args);
    all.push(target);
    let r = kbmc_env(&[("KBMC_TEST_STATES_PER_SECOND", per_second)], &all);
    let doc =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{args:?} {target}: {e}: {}{}", r.stdout, r.stderr));
    (r.code, doc)
}

#[test]
fn a_depth_one_violation_stands_when_the_time_limit_cuts_the_search() {
    let (code, doc) = cut("1", &["--engine", "explicit", "--events", "16"], LIVE);
    assert_eq!(code, 1, "{doc}");
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
    assert_eq!(violated, one_replica.len(), "{doc}");
    for x in results.iter().filter(|x| x["verdict"] != "violated") {
        assert_eq!(x["verdict"], "unknown", "{x}");
        let reason = x["reason"].as_str().unwrap();
        assert!(reason.starts_with("the time limit of 1 s (--time-limit) was reached at depth 1"), "{x}");
    }
    // The text says it too: none of them is a violation "found but not rebuilt".
    let r = kbmc_env(
        &[("KBMC_TEST_STATES_PER_SECOND", "1")],
        &["check", "--engine", "explicit", "--all", "--events", "16", "--time-limit", "1", "--no-color", LIVE],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("replicasMeetExpected: violated for 13 Deployments: frontend,"), "{}", r.stdout);
    assert!(!r.stdout.contains("rebuilt"), "{}", r.stdout);
}

/// A reduced search cut short is made again without the reduction (check.rs); the effort
/// reported is both searches', not only the second one's, which the same limit cuts at once.
#[test]
fn a_cut_reduced_search_reports_both_searches_effort() {
    let (code, doc) = cut("1", &["--engine", "explicit", "--reduction", "por", "--events", "16"], LIVE);
    assert_eq!(code, 1, "{doc}");
    let states = doc["effort"]["states"].as_u64().expect("states");
    // The reduced search stored the initial state's successors; the search again stored the
    // initial state before the limit stopped it.
    assert!(states > 2, "{}", doc["effort"]);
}

/// C8's explicit search stores 128 states, and its one intent is a cycle intent, looked for
/// on the stored graph once the search is done. On a test clock of 128 states a second the
/// time limit of 1 s passes as the last state is expanded: the search is complete, but the
/// cycle search that would follow goes over the whole graph (on a large cluster, millions of
/// states once per cycle intent), so it is not begun and the intent is unknown, saying why.
/// One state more a second and the limit is never reached: the eviction cycle is found.
#[test]
fn no_cycle_is_looked_for_once_the_time_limit_has_passed() {
    let case = "cases/c8-descheduler-spread-loop";
    let check = |per_second: &str| {
        let (code, doc) = cut(per_second, &["--engine", "explicit"], case);
        assert_eq!(doc["effort"]["states"], 128, "{}", doc["effort"]);
        (code, doc["results"][0].clone())
    };
    let (code, x) = check("128");
    assert_eq!(
        (code, x["message"].as_str().unwrap()),
        (
            3,
            "unknown: the time limit of 1 s (--time-limit) was reached while cycles were looked for among the 128 states explored: none found before it (raise --time-limit)"
        )
    );
    let (code, x) = check("129");
    assert_eq!((code, &x["verdict"]), (1, &Value::from("violated")), "{}", x["message"]);
}

/// The symbolic engine asks one query per open intent at each depth; once the time limit
/// has passed it asks no more, even in the middle of a depth (building a query takes time on
/// a large cluster, whatever the solver's timeout). On the live fixture's 43 intents, the
/// symbolic engine alone, with a test clock that passes the limit at the fifth solver check
/// (in the queries of depth 0, most of which need none), the check ends there: every intent
/// is unknown, naming the limit and the depth, and no query follows (one may be under way: a
/// query with a witness hint is two checks). Every event may act (`--events 16`, their
/// budgets' sum): the check is one part, the whole model.
#[test]
fn no_query_is_asked_once_the_time_limit_has_passed() {
    let (code, doc) = cut("5", &["--engine", "symbolic", "--explicit-states", "0", "--events", "16"], LIVE);
    assert_eq!(code, 3, "{doc}");
    let queries = doc["effort"]["queries"].as_u64().expect("queries");
    assert!((5..=6).contains(&queries), "{queries} queries: {}", doc["effort"]);
    let results = doc["results"].as_array().unwrap();
    assert_eq!(results.len(), 43);
    for x in results {
        assert_eq!(x["verdict"], "unknown", "{x}");
        assert_eq!(
            x["reason"],
            "the time limit of 1 s (--time-limit) was reached at depth 0 of 30: the initial states not checked against every intent, longer runs not covered",
            "{x}"
        );
    }
}

/// With up to one event in a run the live fixture's check is sixteen parts, one per event
/// (src/parts.rs), each given its share of what the time limit leaves when it starts. On a
/// test clock of 100 states a second and a limit of 10 s, the node failure's and the drain's
/// searches (tens of thousands of states each) are cut by their shares, and the parts after
/// them still run: every part is begun, the thirteen depth-one violations of the node failure
/// are found, and what is open names the share that cut it and its part.
#[test]
fn each_part_gets_its_share_of_the_time_limit() {
    let args =
        ["check", "--all", "--engine", "explicit", "--events", "1", "--time-limit", "10", "--format", "json", LIVE];
    let r = kbmc_env(&[("KBMC_TEST_STATES_PER_SECOND", "100")], &args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).expect("JSON");
    let results = doc["results"].as_array().unwrap();
    let violated = results.iter().filter(|x| x["verdict"] == "violated").count();
    assert_eq!(violated, 13, "{doc}");
    let reasons: Vec<&str> = results.iter().filter_map(|x| x["reason"].as_str()).collect();
    assert!(!reasons.is_empty(), "{doc}");
    for reason in &reasons {
        assert!(!reason.contains("before this part was begun"), "{reason}");
    }
    assert!(
        reasons.iter().any(|r| r.starts_with("this part's share of the time limit (up to ")
            && r.contains("(in the part of the check where the events are nodeFailure")),
        "{reasons:#?}"
    );
}

/// Parts that finish early leave time the last parts may not need: once every part ran, those
/// whose share cut them short run again with what the limit leaves (src/parts.rs). The
/// one-event check explores 34,761 states uncut (`--engine explicit --events 1`); on a test
/// clock that allows 3 % more work than that, the first pass still cuts a drain's part by its
/// share; it runs again, and its work counts in the check's: more states than the uncut check.
#[test]
fn parts_cut_by_their_share_run_again_with_the_time_left() {
    let total = 34_761;
    let per_second = (total * 103 / 1000).to_string();
    let args =
        ["check", "--all", "--engine", "explicit", "--events", "1", "--time-limit", "10", "--format", "json", LIVE];
    let r = kbmc_env(&[("KBMC_TEST_STATES_PER_SECOND", &per_second)], &args);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr));
    let states = doc["effort"]["states"].as_u64().unwrap();
    assert!(states > total, "no part ran again: {states} states of {total}");
}
