//! Time to load and validate each bundled case (manifests + spec -> IR): the fixed cost every
//! kbmc command pays before any search; then `kbmc inspect`'s load and build of a generated
//! cluster dump (5,000 Nodes, a List of 2,000 Deployments), which must stay near-linear.
//! Run with `cargo bench --bench load`.

use std::path::PathBuf;
use std::time::Instant;

#[path = "common/dump.rs"]
mod dump;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("cases");
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    let rounds = 50;
    println!("{:<36} {:>12} {:>8} {:>8}", "case", "load+build", "nodes", "groups");
    for dir in dirs {
        let start = Instant::now();
        let mut model = None;
        for _ in 0..rounds {
            model = Some(kbmc::load_model(std::slice::from_ref(&dir), false).expect("case loads").0);
        }
        let per = start.elapsed() / rounds;
        let m = model.unwrap();
        println!(
            "{:<36} {:>10.3}ms {:>8} {:>8}",
            dir.file_name().unwrap().to_string_lossy(),
            per.as_secs_f64() * 1e3,
            m.nodes.len(),
            m.groups.len()
        );
    }
    for (nodes, deployments) in [(1_250, 500), (5_000, 2_000)] {
        let dir = std::env::temp_dir().join(format!("kbmc-bench-dump-{}-{nodes}", std::process::id()));
        dump::write(&dir, nodes, deployments);
        let start = Instant::now();
        let m = kbmc::load_model(std::slice::from_ref(&dir), false).expect("the dump loads").0;
        let took = start.elapsed();
        std::fs::remove_dir_all(&dir).ok();
        println!(
            "{:<36} {:>10.3}ms {:>8} {:>8}",
            format!("dump {nodes} nodes {deployments} deployments"),
            took.as_secs_f64() * 1e3,
            m.nodes.len(),
            m.groups.len()
        );
    }
}
