//! What the benches share: a case scaled to about `nodes` nodes, as Kivi's `-s N` does.

use std::path::PathBuf;

use kbmc::manifest::{load, LoadOptions};
use kbmc::spec::Count;

/// The bundled cases' folder.
pub fn cases_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("cases")
}

/// Every bundled case, sorted by name.
pub fn case_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(cases_root()).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    dirs
}

/// The case in `dir` with pools, replicas, HPA bounds and placements multiplied by the same
/// factor (`nodes` / the case's node count).
// Not every bench scales cases (each bench compiles this module on its own).
#[allow(dead_code)]
pub fn scaled(dir: &PathBuf, nodes: u32) -> kbmc::ir::Model {
    scaled_with(dir, nodes, None, 1)
}

/// `scaled`, and with `replicas` every Deployment the scheduler places asks for that many
/// replicas (the scaled proof bench's target names 40 nodes and 120 pods); `per_node` multiplies the
/// pods placed on each node, replicas and HPA bounds once more (C3-fixed's placement and HPA
/// floor fix its pod count, so more pods means more per node).
#[allow(dead_code)]
pub fn scaled_with(dir: &PathBuf, nodes: u32, replicas: Option<i32>, per_node: u32) -> kbmc::ir::Model {
    scale(dir, nodes, replicas, per_node, false)
}

/// `scaled_with`, then the largest pool grown by the nodes scaling left short of `nodes`
/// (13 copies of a 3-node case are 39 nodes; this makes them 40). The extra node starts
/// empty.
#[allow(dead_code)]
pub fn scaled_exactly(dir: &PathBuf, nodes: u32, replicas: Option<i32>) -> kbmc::ir::Model {
    scale(dir, nodes, replicas, 1, true)
}

/// A bundled case's pool size: every case's pools are `<pool>-<i>` pools with a count.
fn count(p: &kbmc::spec::NodePool) -> Count {
    p.count.expect("the bundled cases give every pool a count")
}

fn scale(dir: &PathBuf, nodes: u32, replicas: Option<i32>, per_node: u32, exact: bool) -> kbmc::ir::Model {
    let mut inputs = load(std::slice::from_ref(dir), LoadOptions::default()).expect("case loads");
    let spec = &mut inputs.verifications[0].value.spec;
    let base: u32 = spec.node_pools.iter().map(|p| count(p).max).sum();
    let f = (nodes / base.max(1)).max(1);
    if per_node > 1 {
        for w in &mut spec.workloads {
            for pl in &mut w.placement {
                pl.count *= per_node;
            }
            if let Some(r) = &mut w.replicas {
                *r = Count { min: r.min * per_node, max: r.max * per_node };
            }
        }
        for d in &mut inputs.deployments {
            if let Some(r) = &mut d.value.spec.replicas {
                *r *= per_node as i32;
            }
        }
        for h in &mut inputs.hpas {
            h.value.spec.max_replicas *= per_node as i32;
            if let Some(m) = &mut h.value.spec.min_replicas {
                *m *= per_node as i32;
            }
        }
    }
    if f > 1 {
        let originals: Vec<u32> = spec.node_pools.iter().map(|p| count(p).max).collect();
        for p in &mut spec.node_pools {
            p.count = Some(Count { min: count(p).min * f, max: count(p).max * f });
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
    let spec = &mut inputs.verifications[0].value.spec;
    let total: u32 = spec.node_pools.iter().map(|p| count(p).max).sum();
    if exact && total < nodes {
        if let Some(p) = spec.node_pools.iter_mut().max_by_key(|p| count(p).max) {
            p.count = Some(Count { min: count(p).min + nodes - total, max: count(p).max + nodes - total });
        }
    }
    if let Some(r) = replicas {
        for d in &mut inputs.deployments {
            if d.value.spec.template.spec.as_ref().is_some_and(|s| s.node_name.is_none()) {
                d.value.spec.replicas = Some(r);
            }
        }
    }
    kbmc::ir::build(&inputs, kbmc::ir::BuildOptions::default()).expect("scaled case builds").0
}
