//! The explicit engine on the 16 cases at Kivi's default scale, and on C1–C8 scaled to 10,
//! 20 and 40 nodes (pools, replicas, HPA bounds and placements grow by the same factor, as
//! Kivi's `-s N` does). Reports time, states and states per second. Run with
//! `cargo bench --bench explicit [-- FILTER]`; results go to docs/performance.md.

use std::path::PathBuf;
use std::time::Instant;

use kbmc::engine::explicit::{check, Options};
use kbmc::manifest::{load, LoadOptions};
use kbmc::spec::Count;

// As the kbmc binary does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn scaled(dir: &PathBuf, nodes: u32) -> kbmc::ir::Model {
    let mut inputs = load(std::slice::from_ref(dir), LoadOptions::default()).expect("case loads");
    let spec = &mut inputs.verifications[0].value.spec;
    let base: u32 = spec.node_pools.iter().map(|p| p.count.max).sum();
    let f = (nodes / base.max(1)).max(1);
    if f > 1 {
        let originals: Vec<u32> = spec.node_pools.iter().map(|p| p.count.max).collect();
        for p in &mut spec.node_pools {
            p.count = Count { min: p.count.min * f, max: p.count.max * f };
        }
        for w in &mut spec.workloads {
            let mut more = Vec::new();
            for pl in &w.placement {
                // `<pool>-<i>` is copied to `<pool>-<i + k * count>` for each copy k.
                if let Some((pool, i)) = pl.node.rsplit_once('-') {
                    let count = spec.node_pools.iter().position(|p| p.name == pool).map(|j| originals[j]).unwrap_or(1);
                    let i: u32 = i.parse().unwrap_or(0);
                    for k in 1..f {
                        more.push(kbmc::spec::Placement { node: format!("{pool}-{}", i + k * count), count: pl.count });
                    }
                }
            }
            w.placement.extend(more);
            if let Some(r) = &mut w.replicas {
                *r = Count { min: r.min * f, max: r.max * f };
            }
        }
        for d in &mut inputs.deployments {
            if d.value.spec.template.spec.as_ref().is_some_and(|s| s.node_name.is_some()) {
                continue;
            }
            if let Some(r) = &mut d.value.spec.replicas {
                *r *= f as i32;
            }
        }
        for h in &mut inputs.hpas {
            h.value.spec.max_replicas *= f as i32;
            if let Some(m) = &mut h.value.spec.min_replicas {
                *m *= f as i32;
            }
        }
    }
    kbmc::ir::build(&inputs, kbmc::ir::BuildOptions::default()).expect("scaled case builds").0
}

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("cases");
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    println!(
        "{:<36} {:>6} {:>10} {:>10} {:>12} {:>14}  verdicts",
        "case", "nodes", "time", "states", "transitions", "states/s"
    );
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let sizes: &[u32] = if name.ends_with("-fixed") { &[3] } else { &[3, 10, 20, 40] };
        let mut too_slow = false;
        for &n in sizes {
            if too_slow {
                println!("{name:<36} {n:>6}   skipped: the previous size took over 5 s");
                continue;
            }
            let label = format!("{name}@{n}");
            if filter.as_ref().is_some_and(|f| !label.contains(f.as_str())) {
                continue;
            }
            let ir = scaled(dir, n);
            let m = kbmc::model::Model::new(&ir);
            let opts = Options {
                max_depth: ir.bounds.steps as usize * n.div_ceil(3) as usize,
                max_states: 2_000_000,
                symmetry: true,
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
