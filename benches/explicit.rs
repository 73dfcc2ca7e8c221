//! The explicit engine on the 16 cases at Kivi's default scale, and on C1–C8 scaled to 10,
//! 20 and 40 nodes (pools, replicas, HPA bounds and placements grow by the same factor, as
//! Kivi's `-s N` does). Reports time, states, transitions, the deepest state reached and states per second. Run with
//! `cargo bench --bench explicit [-- FILTER]`; results go to docs/performance.md. A run stops
//! at 2 million states, or at `KBMC_BENCH_MAX_STATES`. With `KBMC_BENCH_STORE_FLOOR=1` each
//! run is followed by a replay of its visited-set work alone (an estimate, see
//! [`store_replay`]), with
//! `KBMC_BENCH_EXPAND_FLOOR=1` by a replay of its expanded states' work alone (see
//! [`expand_floor`]).

use std::time::Instant;

use kbmc::engine::explicit::{check, expand_again, explore, Options, Store};

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
    let floor = std::env::var_os("KBMC_BENCH_STORE_FLOOR").is_some();
    let expand = std::env::var_os("KBMC_BENCH_EXPAND_FLOOR").is_some();
    let dirs = common::case_dirs();
    println!(
        "{:<36} {:>6} {:>10} {:>10} {:>12} {:>6} {:>14}  verdicts",
        "case", "nodes", "time", "states", "transitions", "depth", "states/s"
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
                reduction: false,
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
                "{:<36} {:>6} {:>8.1}ms {:>10} {:>12} {:>6} {:>14.0}  {}",
                name,
                ir.nodes.len(),
                secs * 1e3,
                r.effort.states,
                r.effort.transitions,
                r.effort.depth,
                r.effort.states as f64 / secs.max(1e-9),
                verdicts.join(" ")
            );
            if floor {
                store_replay(&m, &opts);
            }
            if expand {
                expand_floor(&m, &opts);
            }
        }
    }
}

/// What the visited set alone costs a search, estimated: the same search is run again and
/// every key it looked up is recorded, in order and in the batches of one expanded state's
/// successors; then a fresh store is timed doing only that work (encoding and hashing each
/// key, prefetching as the engine does, looking it up, inserting it when new). An estimate, not a
/// floor: it may run high, since each key is read back from the recording, where a search
/// looks up a key it has just built, and a search's prefetches overlap more work; and low,
/// since the store's memory may be recycled from the recording, leaving out what fresh pages
/// cost. (The search behind it runs to the state limit: unlike `check`, it does not stop at a
/// violation.)
fn store_replay(m: &kbmc::model::Model, opts: &Options) {
    let g = explore(m, opts, |_, _| true);
    let fields = g.states.fields();
    let n = g.states.len();
    let shape = g.states.get(0);
    let stride = shape.packed_len(fields);
    let mut keys: Vec<i16> = Vec::with_capacity(n * stride);
    let mut key = Vec::new();
    for id in 0..n as u32 {
        g.states.get(id).pack_fields_into(None, fields, &mut key);
        keys.extend_from_slice(&key);
    }
    let key = |v: u32| &keys[v as usize * stride..][..stride];
    // Initial states first (they are the first ids), then each expanded state's successors.
    let inits = g.origins.iter().map(|o| o.0).max().map_or(0, |v| v + 1);
    let batches: Vec<Vec<u32>> = (0..n as u32).map(|u| g.successors(u).map(|(v, _)| v).collect()).collect();
    drop(g);
    let lookups: usize = batches.iter().map(Vec::len).sum();
    let start = std::time::Instant::now();
    let mut s = Store::of_fields(&shape, fields);
    for v in 0..inits {
        s.insert(key(v));
    }
    let (mut hashes, mut encs) = (Vec::new(), Vec::<Vec<u8>>::new());
    for batch in &batches {
        hashes.clear();
        encs.resize_with(encs.len().max(batch.len()), Vec::new);
        for (&v, enc) in batch.iter().zip(&mut encs) {
            enc.clear();
            s.encode(key(v), enc);
            let h = Store::hash(enc);
            s.prefetch(h);
            hashes.push(h);
        }
        for &h in &hashes {
            s.prefetch_match(h);
        }
        for (enc, &h) in encs.iter().zip(&hashes) {
            if s.find_hashed(enc, h).is_none() {
                s.insert_hashed(enc, h);
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(s.len(), n, "the replay stored another number of states than the search");
    println!(
        "{:<36} {:>6} {:>8.1}ms {:>10} {:>12} {:>6} {:>14.0}  the visited set alone, estimated ({} values a key)",
        "  store replay",
        "",
        secs * 1e3,
        n,
        lookups,
        "",
        n as f64 / secs.max(1e-9),
        stride
    );
}

/// What the expanded states alone cost a search: the same search is run again, then each of
/// its states is expanded once more without building a successor (unpacked, its node rows and
/// twins worked out, every guard asked, guards remembered as the search remembers them;
/// [`expand_again`]). A search of these states spends at least this on them before its first
/// successor: a floor beside the visited set's.
fn expand_floor(m: &kbmc::model::Model, opts: &Options) {
    let g = explore(m, opts, |_, _| true);
    // The steps taken from states within the depth bound, counted while the replay runs (an
    // add per state): a state at the bound is expanded, its steps are not taken.
    let mut took = 0;
    let start = std::time::Instant::now();
    expand_again(m, opts, &g, |u, enabled| {
        if (g.depth[u as usize] as usize) < opts.max_depth {
            took += enabled.len();
        }
    });
    let secs = start.elapsed().as_secs_f64();
    // A search the state limit stopped took only some of its last state's steps.
    let agrees = if g.state_limit_at.is_some() { took >= g.transitions } else { took == g.transitions };
    assert!(agrees, "the replay enabled {took} steps, the search took {}", g.transitions);
    let expanded = g.expanded as f64;
    println!(
        "{:<36} {:>6} {:>8.1}ms {:>10} {:>12} {:>6} {:>14.0}  expanded states alone ({:.0} ns each; {} states stored)",
        "  expansion floor",
        "",
        secs * 1e3,
        g.expanded,
        took,
        "",
        expanded / secs.max(1e-9),
        secs * 1e9 / expanded.max(1.0),
        g.states.len()
    );
}
