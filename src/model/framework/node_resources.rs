//! kube-scheduler's NodeResources plugins, per node over the requests the framework's runtime
//! (`mod.rs`) sums once per state: NodeResourcesFit's filter and score and
//! NodeResourcesBalancedAllocation's score. It owns no step and must not read anything but a
//! node's allocatable, the requests on it and the incoming pod's.
//!
//! Follows kubernetes `pkg/scheduler/framework/plugins/noderesources/`:
//! - fit.go `Filter` (`fitsRequest`): requests against allocatable minus the requests of
//!   every pod on the node, terminating ones included; the pod count; a resource the pod
//!   does not request is not checked.
//! - least_allocated.go and most_allocated.go (the `scoringStrategy`, LeastAllocated or
//!   MostAllocated, with its resource weights) over `score_requests`: 100m/200Mi stand in for
//!   each container's unset request, an explicit 0 counts as 0.
//! - balanced_allocation.go `balancedResourceScorer`: `(1 - |cpuFraction - memFraction| / 2)
//!   * MaxNodeScore`, truncated, over the actual requests.

use super::super::Model;
use super::{filter_on, NodeLoads};
use crate::domain::Domain;
use crate::ir::ScoringStrategy;

/// NodeResourcesFit's filter for a pod of group `g` on node `n`, whose pods request `load`
/// (cpu millicores, memory bytes, pods) already.
pub fn fits<D: Domain>(d: &D, m: &Model, g: usize, n: usize, load: [&D::Int; 3]) -> D::Bool {
    let a = m.ir.nodes[n].allocatable;
    let r = m.ir.groups[g].requests;
    let [cpu, mem, pods] = load;
    let mut ok = d.le(&d.add(pods, &d.int(1)), &d.int(a.pods));
    if r.cpu_milli > 0 {
        ok = d.and(&ok, &d.le(&d.add(cpu, &d.int(r.cpu_milli)), &d.int(a.cpu_milli)));
    }
    if r.memory > 0 {
        ok = d.and(&ok, &d.le(&d.add(mem, &d.int(r.memory)), &d.int(a.memory)));
    }
    ok
}

/// [`fits`] where the filter is on; true where the configuration disables it.
pub fn filter<D: Domain>(d: &D, m: &Model, g: usize, n: usize, load: [&D::Int; 3]) -> D::Bool {
    if !filter_on(m, "NodeResourcesFit") {
        return d.bool(true);
    }
    fits(d, m, g, n, load)
}

/// The messages upstream's NodeResourcesFit gives for a pod of group `g` on node `n` with
/// `load` there (concrete), one for each resource short.
pub fn rejections(m: &Model, g: usize, n: usize, load: (i64, i64, i64)) -> Vec<String> {
    let (cpu, mem, pods) = load;
    let a = m.ir.nodes[n].allocatable;
    let r = m.ir.groups[g].requests;
    let mut why = Vec::new();
    if pods + 1 > a.pods {
        why.push("Too many pods".to_string());
    }
    if r.cpu_milli > 0 && cpu + r.cpu_milli > a.cpu_milli {
        why.push("Insufficient cpu".to_string());
    }
    if r.memory > 0 && mem + r.memory > a.memory {
        why.push("Insufficient memory".to_string());
    }
    why
}

/// NodeResourcesFit's score (0..=100) of node `n` for a pod of group `g`, or `None` where it
/// scores nothing (weight 0, or no resource with a weight and an allocatable).
pub fn fit_score<D: Domain>(d: &D, m: &Model, loads: &NodeLoads<D>, g: usize, n: usize) -> Option<D::Int> {
    let grp = &m.ir.groups[g];
    let cfg = &m.ir.scheduler;
    let (pc, pm) = (grp.score_requests.cpu_milli, grp.score_requests.memory);
    let a = m.ir.nodes[n].allocatable;
    // Requested as scoring counts it, with the incoming pod.
    let nz_cpu = d.add(&loads.nonzero[n].0, &d.int(pc));
    let nz_mem = d.add(&loads.nonzero[n].1, &d.int(pm));
    if cfg.weight_node_resources_fit <= 0 {
        return None;
    }
    let per = |req: &D::Int, alloc: i64| -> D::Int {
        if alloc <= 0 {
            return d.int(0);
        }
        match cfg.scoring {
            ScoringStrategy::LeastAllocated => d.ite(
                &d.gt(req, &d.int(alloc)),
                &d.int(0),
                &d.div_const(&d.mul_const(&d.sub(&d.int(alloc), req), 100), alloc),
            ),
            ScoringStrategy::MostAllocated => d.div_const(&d.mul_const(&d.min(req, &d.int(alloc)), 100), alloc),
        }
    };
    let (wc, wm) = (cfg.scoring_cpu_weight, cfg.scoring_memory_weight);
    let wsum = (if a.cpu_milli > 0 { wc } else { 0 }) + (if a.memory > 0 { wm } else { 0 });
    if wsum <= 0 {
        return None;
    }
    let s = d.add(&d.mul_const(&per(&nz_cpu, a.cpu_milli), wc), &d.mul_const(&per(&nz_mem, a.memory), wm));
    Some(d.div_const(&s, wsum))
}

/// NodeResourcesBalancedAllocation's score (0..=100) of node `n` for a pod of group `g`, or
/// `None` where it scores nothing (weight 0, a pod without requests, a node without cpu or
/// memory).
pub fn balanced_allocation_score<D: Domain>(
    d: &D,
    m: &Model,
    loads: &NodeLoads<D>,
    g: usize,
    n: usize,
) -> Option<D::Int> {
    let grp = &m.ir.groups[g];
    let a = m.ir.nodes[n].allocatable;
    if m.ir.scheduler.weight_balanced_allocation <= 0
        || (grp.requests.cpu_milli <= 0 && grp.requests.memory <= 0)
        || a.cpu_milli <= 0
        || a.memory <= 0
    {
        return None;
    }
    let (cpu, mem, _) = &loads.requested[n];
    let rc = d.min(&d.add(cpu, &d.int(grp.requests.cpu_milli)), &d.int(a.cpu_milli));
    let rm = d.min(&d.add(mem, &d.int(grp.requests.memory)), &d.int(a.memory));
    // (1 - |rc/Ac - rm/Am| / 2) * 100, truncated: 100 - ceil(50 |rc*Am - rm*Ac| / (Ac*Am)),
    // computed over lcm(Ac, Am) (Ac = g*ac, Am = g*am, g their gcd) as
    // 100 - ceil(50 |rc*am - rm*ac| / (g*ac*am)), so that the products stay below
    // 50 lcm(Ac, Am), which building the model bounds.
    let g = gcd(a.cpu_milli, a.memory);
    let (ac, am) = (a.cpu_milli / g, a.memory / g);
    let diff = d.sub(&d.mul_const(&rc, am), &d.mul_const(&rm, ac));
    let absd = d.max(&diff, &d.sub(&d.int(0), &diff));
    Some(d.sub(&d.int(100), &d.div_ceil_const(&d.mul_const(&absd, 50), g * ac * am)))
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{feasible, scores_with};
    use super::*;
    use crate::domain::Concrete;
    use crate::model::testkit::{deployment, model, node};

    /// Memory fits in bytes: a node with 1000Mi + 512Ki allocatable (1024512Ki) holds two pods
    /// of 500Mi + 256Ki (512256Ki) each, exactly, as upstream's Fit compares `Value()`s. (In
    /// whole MiB, allocatable rounded down and requests up, 2 × 501 > 1000 would refuse the
    /// second pod.)
    #[test]
    fn memory_fits_to_the_byte() {
        let spec = |placed: i64| {
            format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {{name: n, count: 1, capacity: {{cpu: \"4\", memory: 1024512Ki}}}}\n  workloads:\n    - deployment: web\n      placement: [{{node: n-0, count: {placed}}}]\n")
        };
        // Both placed at start: the validator accepts it.
        let m = model(&format!("{}{}", deployment("web", 2, "1", "512256Ki", ""), spec(2)));
        assert_eq!(m.ir.nodes[0].allocatable.memory, 1_049_100_288);
        assert_eq!(m.ir.groups[0].requests.memory, 524_550_144);
        // One placed, one pending: the scheduler binds it there.
        let m = model(&format!("{}{}", deployment("web", 2, "1", "512256Ki", ""), spec(1)));
        let mut st = m.initial_state(&[1]);
        st.pending[0] = 1;
        assert_eq!(feasible(&Concrete, &m, &st, 0), vec![true]);
        // One byte more per pod does not fit.
        let m = model(&format!("{}{}", deployment("web", 2, "1", "524550145", ""), spec(1)));
        let mut st = m.initial_state(&[1]);
        st.pending[0] = 1;
        assert_eq!(feasible(&Concrete, &m, &st, 0), vec![false]);
    }

    /// The LeastAllocated example of the scheduler's source (4000m / 8Gi node, 1000m / 2Gi
    /// requested, a 500m / 1Gi pod: 62 per resource), plus the other default plugins.
    #[test]
    fn default_scores_on_one_node() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: n, count: 1, capacity: {cpu: \"4\", memory: 8Gi}}\n  workloads:\n    - deployment: base\n      placement: [{node: n-0, count: 1}]\n";
        let m = model(&format!(
            "{}{}{spec}",
            deployment("base", 1, "1", "2Gi", ""),
            deployment("web", 1, "500m", "1Gi", "")
        ));
        let st = m.initial_state(&[1]);
        let g = m.ir.deployments.iter().position(|d| d.name == "web").unwrap();
        let feas = feasible(&Concrete, &m, &st, g);
        // LeastAllocated 62, BalancedAllocation 100 (equal fractions), TaintToleration 100 x 3,
        // PodTopologySpread system default on hostname 100 x 2 (the zone key is absent).
        let loads = NodeLoads::of(&Concrete, &m, &st);
        assert_eq!(scores_with(&Concrete, &m, &st, &loads, g, &feas), vec![62 + 100 + 300 + 200]);
    }

    /// Scores in bytes tie where whole MiB would not. A 500m / 4352Ki (4.25Mi) pod on empty
    /// nodes a (4 cores, 1Gi) and b (4 cores, 1000Mi), by upstream's formulas:
    /// - NodeResourcesFit LeastAllocated (least_allocated.go, `(capacity - requested) *
    ///   MaxNodeScore / capacity` per resource, then the weighted mean, integer divisions):
    ///   cpu (4000 - 500) * 100 / 4000 = 87 on both; memory a: (1024 - 4.25) * 100 / 1024 =
    ///   99.58 -> 99, b: (1000 - 4.25) * 100 / 1000 = 99.575 -> 99; (87 + 99) / 2 = 93 on both.
    /// - BalancedAllocation (balanced_allocation.go, `int64((1 - |cpuFraction - memFraction| /
    ///   2) * MaxNodeScore)`): a: (1 - |0.125 - 4.25/1024| / 2) * 100 = 93.96 -> 93, b: (1 -
    ///   |0.125 - 0.00425| / 2) * 100 = 93.96 -> 93.
    ///
    /// So 93 + 93 on both: a tie, and upstream may bind to either. With the request rounded up
    /// to 5Mi, b's BalancedAllocation would be (1 - |0.125 - 0.005| / 2) * 100 = 94 and a's
    /// 93.99 -> 93, leaving b alone at the top.
    #[test]
    fn resource_scores_follow_bytes() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: a, count: 1, capacity: {cpu: \"4\", memory: 1Gi}}\n    - {name: b, count: 1, capacity: {cpu: \"4\", memory: 1000Mi}}\n";
        let m = model(&format!("{}{spec}", deployment("web", 1, "500m", "4352Ki", "")));
        let mut st = m.initial_state(&[1, 1]);
        st.pending[0] = 1;
        let feas = feasible(&Concrete, &m, &st, 0);
        assert_eq!(feas, vec![true, true]);
        // Plus TaintToleration 100 x 3 and PodTopologySpread's system default 100 x 2 on both.
        let loads = NodeLoads::of(&Concrete, &m, &st);
        assert_eq!(scores_with(&Concrete, &m, &st, &loads, 0, &feas), vec![93 + 93 + 500, 93 + 93 + 500]);
        let reg = crate::model::registry::<Concrete>();
        let enabled: Vec<usize> = crate::model::all_steps(&m, &reg)
            .iter()
            .filter(|s| {
                reg[s.actor as usize].name() == "scheduler" && reg[s.actor as usize].guard(&Concrete, &m, s, &st)
            })
            .map(|s| s.b as usize)
            .collect();
        assert_eq!(enabled, vec![node(&m, "a-0"), node(&m, "b-0")]);
    }
}
