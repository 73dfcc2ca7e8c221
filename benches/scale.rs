//! `kbmc scale` sweeps on the 16 scaling specs (scaling/): each to its first violation or to
//! the confident size, once with one query per cluster size and once with one query per
//! topology (`--enumerate`, rayon). Results go to docs/performance.md, next to Kivi's sweeps
//! (../shared/reference/kivi.md §5.2). Run with `cargo bench --bench scale [-- FILTER]`.

use std::path::PathBuf;
use std::time::Instant;

use kbmc::scale::{self, Conclusion, Engine, Options};

mod common;

// As the kbmc binary does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    println!(
        "{:<36} {:>10} {:>6} {:>10} {:>10}  conclusion",
        "scaling spec", "topologies", "sizes", "one/size", "enumerate"
    );
    for dir in common::case_dirs() {
        let case = dir.file_name().unwrap().to_string_lossy().into_owned();
        if filter.as_ref().is_some_and(|f| !case.contains(f.as_str())) {
            continue;
        }
        let inputs = vec![dir.join("manifests"), root.join("scaling").join(format!("{case}.yaml"))];
        let (ir, _) = kbmc::load_model(&inputs, false).expect("scaling spec loads");
        let m = kbmc::model::Model::new(&ir);
        let mut opts = Options {
            engine: Engine::Explicit,
            max_nodes_per_pool: ir.bounds.max_nodes_per_pool,
            max_pods_per_node: ir.bounds.max_pods_per_node,
            steps: ir.bounds.steps as usize,
            max_states: 5_000_000,
            timeout_ms: 0,
            budget: None,
            enumerate: false,
            prove: None,
            semantics: Default::default(),
        };
        let mut times = Vec::new();
        let mut last = None;
        for enumerate in [false, true] {
            opts.enumerate = enumerate;
            let start = Instant::now();
            let r = scale::run(&m, &opts, |_| {});
            times.push(start.elapsed().as_secs_f64());
            last = Some(r);
        }
        let r = last.expect("ran");
        let covered: usize = r.levels.iter().map(|l| l.topologies).sum();
        let conclusion = match &r.conclusion {
            Conclusion::Violated { described, .. } => format!("violated at {described}"),
            Conclusion::Holds { statement } => statement.chars().take(60).collect::<String>() + "…",
            Conclusion::Unknown { statement } => format!("unknown: {statement}"),
        };
        println!("{case:<36} {covered:>10} {:>6} {:>9.3}s {:>9.3}s  {conclusion}", r.levels.len(), times[0], times[1]);
    }
}
