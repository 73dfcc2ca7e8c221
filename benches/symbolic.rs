//! The symbolic engine on the 16 cases: time to the first counterexample (unrolling up to the
//! explicit engine's depth for it) or to a fixed depth for the -fixed variants, once with
//! push/pop and once with assumption literals (both are measured because either may win on a
//! case), and the size of the encoding at that depth (`kbmc dump`: SMT-LIB bytes and declared
//! constants). Then scaled proofs: C3-fixed and C8-fixed scaled to about 40 nodes, 10 steps.
//! Then each -fixed case proved for every run length (`check --prove`, 120 s).
//! A 30 s budget per case and mode (60 s for the scaled proofs). Run with `cargo bench --bench symbolic [-- FILTER]`;
//! results go to docs/performance.md and docs/encoding.md.

use std::time::{Duration, Instant};

use kbmc::engine::portfolio::check;
use kbmc::engine::symbolic::{dump, DumpStart, Incremental, Options, Prove, Semantics};
use kbmc::verdict::Verdict;

mod common;

/// Depth for cases without a counterexample.
const FIXED_DEPTH: usize = 8;

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let root = common::cases_root();
    let dirs = common::case_dirs();
    println!(
        "{:<36} {:>5} {:>10} {:>10} {:>8} {:>11} {:>11}  verdicts (push/pop)",
        "case", "depth", "smt2 bytes", "constants", "asserts", "push/pop", "assumptions"
    );
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let (ir, _) = kbmc::load_model(std::slice::from_ref(dir), false).expect("case loads");
        let m = kbmc::model::Model::new(&ir);
        // The depth the explicit engine needs (its counterexamples are shortest).
        let ex = kbmc::engine::explicit::check(
            &m,
            &kbmc::engine::explicit::Options {
                max_depth: ir.bounds.steps as usize,
                max_states: 2_000_000,
                symmetry: true,
                reduction: false,
                all: true,
            },
        );
        let depth = ex
            .results
            .iter()
            .filter_map(|r| if let Verdict::Violated(t) = &r.verdict { Some(t.steps.len()) } else { None })
            .max()
            .unwrap_or(FIXED_DEPTH);
        let smt = dump(&m, depth, DumpStart::Initial, Semantics::Interleaved).expect("no limit is watched in a bench");
        let constants = smt.lines().filter(|l| l.starts_with("(declare-fun")).count();
        let asserts = smt.lines().filter(|l| l.starts_with("(assert")).count();
        let mut times = Vec::new();
        let mut verdicts: Vec<String> = Vec::new();
        for incremental in [Incremental::PushPop, Incremental::Assumptions] {
            let start = Instant::now();
            let r = check(
                &m,
                &Options {
                    max_depth: depth,
                    timeout_ms: 30_000,
                    budget: Some(Duration::from_secs(30)),
                    incremental,
                    all: true,
                    prove: None,
                    probe: true,
                    semantics: Default::default(),
                },
            );
            times.push(start.elapsed().as_secs_f64());
            if incremental == Incremental::PushPop {
                verdicts = summary(&r);
            }
        }
        println!(
            "{name:<36} {depth:>5} {:>10} {constants:>10} {asserts:>8} {:>10.2}s {:>10.2}s  {}",
            smt.len(),
            times[0],
            times[1],
            verdicts.join(" ")
        );
    }
    println!("\n{:<36} {:>5} {:>5} {:>5} {:>10}  verdicts", "scaled proof", "nodes", "pods", "depth", "time");
    // The cases scaled by 13 (39 nodes, pods as scaled), C3-fixed with twice the pods on each
    // node (130), and C8-fixed with 120 replicas; then both at exactly 40 nodes (the largest
    // pool one node larger) with 120 replicas (C3-fixed: its 65 placed pods and 55 pending).
    for (name, replicas, per_node, exact) in [
        ("c3-conflicting-spread-fixed", None, 1, false),
        ("c3-conflicting-spread-fixed", None, 2, false),
        ("c8-descheduler-spread-loop-fixed", None, 1, false),
        ("c8-descheduler-spread-loop-fixed", Some(120), 1, false),
        ("c3-conflicting-spread-fixed", Some(120), 1, true),
        ("c8-descheduler-spread-loop-fixed", Some(120), 1, true),
    ] {
        let tag = match (replicas, per_node, exact) {
            (Some(r), _, true) => format!("{name}@40!/{r}"),
            (Some(r), _, false) => format!("{name}@40/{r}"),
            (None, 1, _) => format!("{name}@40"),
            (None, p, _) => format!("{name}@40/x{p}"),
        };
        if filter.as_ref().is_some_and(|f| !tag.contains(f.as_str())) {
            continue;
        }
        let ir = if exact {
            common::scaled_exactly(&root.join(name), 40, replicas)
        } else {
            common::scaled_with(&root.join(name), 40, replicas, per_node)
        };
        let m = kbmc::model::Model::new(&ir);
        let pods: i64 = m.initial_states()[0].desired.iter().sum();
        let start = Instant::now();
        let r = check(
            &m,
            &Options {
                max_depth: 10,
                timeout_ms: 0,
                budget: Some(Duration::from_secs(60)),
                incremental: Incremental::Assumptions,
                all: true,
                prove: None,
                probe: true,
                semantics: Default::default(),
            },
        );
        println!(
            "{name:<36} {:>5} {pods:>5} {:>5} {:>9.2}s  {}",
            ir.nodes.len(),
            r.effort.depth,
            start.elapsed().as_secs_f64(),
            summary(&r).join(" ")
        );
    }
    println!("\n{:<36} {:>10}  verdicts", "proof for every run length", "time");
    for dir in dirs.iter().filter(|d| d.to_string_lossy().ends_with("-fixed")) {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if filter.as_ref().is_some_and(|f| !format!("prove:{name}").contains(f.as_str())) {
            continue;
        }
        let (ir, _) = kbmc::load_model(std::slice::from_ref(dir), false).expect("case loads");
        let m = kbmc::model::Model::new(&ir);
        let start = Instant::now();
        let r = check(
            &m,
            &Options {
                max_depth: ir.bounds.steps as usize,
                timeout_ms: 0,
                budget: Some(Duration::from_secs(120)),
                incremental: Incremental::Assumptions,
                all: true,
                prove: Some(Prove { certificates: false, diameter_search: 200_000 }),
                probe: true,
                semantics: Default::default(),
            },
        );
        println!("{name:<36} {:>9.2}s  {}", start.elapsed().as_secs_f64(), summary(&r).join(" "));
    }
}

/// One `intent=verdict` word per intent.
fn summary(r: &kbmc::verdict::CheckResult) -> Vec<String> {
    r.results
        .iter()
        .map(|x| {
            let v = match &x.verdict {
                Verdict::Violated(t) => format!("violated@{}", t.steps.len()),
                Verdict::Holds { steps, .. } => format!("holds(<={steps})"),
                Verdict::Proved { k, by } => format!("proved({by:?}, k={k})"),
                Verdict::Unknown { reason } => format!("unknown({})", reason.chars().take(60).collect::<String>()),
            };
            format!("{}={v}", x.name)
        })
        .collect()
}
