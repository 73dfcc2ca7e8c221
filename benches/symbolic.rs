//! The symbolic engine on the 16 cases: time to the first counterexample (unrolling up to
//! the explicit engine's depth for it) or to depth 6 for the -fixed variants, with a 30 s
//! per-query timeout and a 60 s budget per case. Run with `cargo bench --bench symbolic [-- FILTER]`; results go to
//! docs/performance.md.

use std::path::PathBuf;
use std::time::Instant;

use kbmc::verdict::Verdict;

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("cases");
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    println!("{:<36} {:>6} {:>10}  verdicts", "case", "depth", "time");
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let (ir, _) = kbmc::load_model(std::slice::from_ref(dir), false).expect("case loads");
        let m = kbmc::model::Model::new(&ir);
        // The depth the explicit engine needs (its counterexamples are shortest), else 6.
        let ex = kbmc::engine::explicit::check(
            &m,
            &kbmc::engine::explicit::Options {
                max_depth: ir.bounds.steps as usize,
                max_states: 2_000_000,
                symmetry: true,
            },
        );
        let depth = ex
            .results
            .iter()
            .filter_map(|r| if let Verdict::Violated(t) = &r.verdict { Some(t.steps.len()) } else { None })
            .max()
            .unwrap_or(6);
        let start = Instant::now();
        let r = kbmc::engine::symbolic::check(
            &m,
            &kbmc::engine::symbolic::Options {
                max_depth: depth,
                timeout_ms: 30_000,
                budget: Some(std::time::Duration::from_secs(60)),
            },
        );
        let secs = start.elapsed().as_secs_f64();
        let verdicts: Vec<String> = r
            .results
            .iter()
            .map(|x| {
                let v = match &x.verdict {
                    Verdict::Violated(t) => format!("violated@{}", t.steps.len()),
                    Verdict::Holds { steps, .. } => format!("holds(<={steps})"),
                    Verdict::Unknown { reason } => format!("unknown({})", reason.chars().take(40).collect::<String>()),
                };
                format!("{}={v}", x.name)
            })
            .collect();
        println!("{name:<36} {depth:>6} {:>8.2}s  {}", secs, verdicts.join(" "));
    }
}
