//! The explicit engine on the 16 cases at Kivi's default scale, and on C1–C8 scaled to 10,
//! 20 and 40 nodes (pools, replicas, HPA bounds and placements grow by the same factor, as
//! Kivi's `-s N` does). Reports time, states and states per second. Run with
//! `cargo bench --bench explicit [-- FILTER]`; results go to docs/performance.md. A run stops
//! at 2 million states, or at `KBMC_BENCH_MAX_STATES`.

use std::time::Instant;

use kbmc::engine::explicit::{check, Options};

mod common;
use common::scaled;

// As the kbmc binary does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    // A smaller limit for profiling runs (callgrind runs about fifty times slower).
    let max_states = match std::env::var("KBMC_BENCH_MAX_STATES") {
        Ok(v) => v.parse().expect("KBMC_BENCH_MAX_STATES: a number of states"),
        Err(_) => 2_000_000,
    };
    let dirs = common::case_dirs();
    println!(
        "{:<36} {:>6} {:>10} {:>10} {:>12} {:>14}  verdicts",
        "case", "nodes", "time", "states", "transitions", "states/s"
    );
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let sizes: &[u32] = if name.ends_with("-fixed") { &[3] } else { &[3, 10, 20, 40] };
        let mut too_slow = false;
        for &n in sizes {
            let label = format!("{name}@{n}");
            if filter.as_ref().is_some_and(|f| !label.contains(f.as_str())) {
                continue;
            }
            if too_slow {
                println!("{name:<36} {n:>6}   skipped: the previous size took over 5 s");
                continue;
            }
            let ir = scaled(dir, n);
            let m = kbmc::model::Model::new(&ir);
            let opts = Options {
                max_depth: ir.bounds.steps as usize * n.div_ceil(3) as usize,
                max_states,
                symmetry: true,
                all: true,
            };
            let start = Instant::now();
            let r = check(&m, &opts);
            let secs = start.elapsed().as_secs_f64();
            too_slow = secs > 5.0;
            let verdicts: Vec<String> = r
                .results
                .iter()
                .map(|x| {
                    let v = match &x.verdict {
                        kbmc::verdict::Verdict::Violated(t) => format!("violated@{}", t.steps.len()),
                        kbmc::verdict::Verdict::Holds { exhaustive: true, .. } => "holds(all)".into(),
                        kbmc::verdict::Verdict::Holds { steps, .. } => format!("holds(<={steps})"),
                        kbmc::verdict::Verdict::Proved { k, by } => format!("proved({by:?}, k={k})"),
                        kbmc::verdict::Verdict::Unknown { .. } => "unknown".into(),
                    };
                    format!("{}={v}", x.name)
                })
                .collect();
            println!(
                "{:<36} {:>6} {:>8.1}ms {:>10} {:>12} {:>14.0}  {}",
                name,
                ir.nodes.len(),
                secs * 1e3,
                r.effort.states,
                r.effort.transitions,
                r.effort.states as f64 / secs.max(1e-9),
                verdicts.join(" ")
            );
        }
    }
}
