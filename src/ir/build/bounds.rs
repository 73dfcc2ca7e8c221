//! The numbers that keep the model finite and its arithmetic exact: `spec.bounds` ->
//! `Bounds`, with the pods each Deployment may have at once (`limits::pods_bound`), and
//! `memory_magnitudes`, which refuses the inputs whose memory in exact bytes could take an
//! operation of the search beyond i64. Owns those limits; must not round or cap a quantity to
//! make it fit (it refuses, naming the field and the limit).

use super::Builder;
use crate::error::{InputClass, InputError, Origin};
use crate::ir::{ApplyReplicas, Bounds, DeploymentId, Event, Hpa, MetricTarget, Owner, ResourceName};
use crate::spec;

/// Whether `x` fits in an i64.
fn fits(x: i128) -> bool {
    x <= i64::MAX as i128
}

/// The greatest common divisor of `a` and `b`.
fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// A per-pod memory quantity `memory_magnitudes` checks: where it is, what it is, its bytes.
struct MemoryQuantity {
    origin: Origin,
    field: String,
    what: &'static str,
    bytes: i64,
}

impl Builder<'_> {
    /// Memory is counted in exact bytes; this rejects the inputs whose arithmetic could leave
    /// i64 (the concrete search checks every operation and would stop on an overflow):
    /// - per node, BalancedAllocation compares requested/allocatable of CPU and memory over
    ///   lcm(cpu millicores, memory bytes), times 50: 50 × lcm must fit, and 100 × the
    ///   allocatable memory of all node slots together (the descheduler's headroom sums);
    /// - per pod, a memory request or usage (and an HPA's AverageValue target, a milli-value,
    ///   over 1000) is summed over at most the model's pod bound, taken to milli-bytes (× 1000)
    ///   or percentages (× 100, × a Utilization target above 1000 %) and compared with a
    ///   tolerance (× 10): quantity × pod bound × 10 × max(1000, target %) must fit.
    pub(super) fn memory_magnitudes(&mut self, hpas: &[Hpa], bounds: &Bounds) {
        self.node_memory_magnitudes();
        self.pod_memory_magnitudes(hpas, bounds);
    }

    /// The per-node half of `memory_magnitudes`: each pool's lcm of allocatable CPU and
    /// memory, and the allocatable memory of all node slots together.
    fn node_memory_magnitudes(&mut self) {
        let mut total: i128 = 0;
        for (pi, pool) in self.pools.iter().enumerate() {
            // A pool of count 0 has no node of its own (`first` is where its nodes would start).
            if pool.count.max == 0 {
                continue;
            }
            let a = self.nodes[pool.first.index()].allocatable;
            total += a.memory as i128 * pool.count.max as i128;
            let (c, m) = (a.cpu_milli as i128, a.memory as i128);
            if c > 0 && m > 0 && !fits(50 * (c / gcd(c, m) * m)) {
                let field =
                    if pool.concrete { "status.allocatable".to_string() } else { format!("spec.nodePools[{pi}]") };
                self.diag.error(InputError::at(
                    &pool.origin,
                    InputClass::Invalid,
                    field,
                    format!(
                        "allocatable cpu {c}m and memory {m} bytes: kbmc scores NodeResourcesBalancedAllocation exactly over lcm(cpu millicores, memory bytes) = {}, and 50 times it exceeds {} (i64); round the memory to a whole Ki or Mi",
                        c / gcd(c, m) * m,
                        i64::MAX
                    ),
                ));
            }
        }
        if !fits(100 * total) {
            self.diag.error(InputError::at(
                &self.spec_origin,
                InputClass::Invalid,
                "spec.nodePools",
                format!(
                    "the nodes' allocatable memory totals {total} bytes; kbmc's exact arithmetic needs 100 times it within {} (i64)",
                    i64::MAX
                ),
            ));
        }
    }

    /// The per-pod half of `memory_magnitudes`: every per-pod memory quantity against the
    /// limit the pod bound and the largest memory Utilization target leave.
    fn pod_memory_magnitudes(&mut self, hpas: &[Hpa], bounds: &Bounds) {
        let pods = bounds.max_pods_per_deployment as i128 * self.deployments.len().max(1) as i128;
        let target_pct = hpas
            .iter()
            .flat_map(|h| &h.metrics)
            .filter_map(|m| match (m.resource, m.target) {
                (ResourceName::Memory, MetricTarget::Utilization(t)) => Some(t as i128),
                _ => None,
            })
            .fold(1000, i128::max);
        let factor = pods * 10 * target_pct;
        let limit = i64::MAX as i128 / factor;
        for MemoryQuantity { origin, field, what, bytes } in self.pod_memory_quantities(hpas) {
            if bytes as i128 > limit {
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::Invalid,
                    field,
                    format!(
                        "{what} of {bytes} bytes is above {limit} bytes, the most kbmc's exact arithmetic allows with a bound of {pods} pods (memory × pods × 10 × max(1000, the Utilization target in %) must stay within i64)"
                    ),
                ));
            }
        }
    }

    /// Every per-pod memory quantity: each group's memory request (as scoring counts it),
    /// each workload's memory usage at start where given, each HPA's memory AverageValue
    /// target (in bytes).
    fn pod_memory_quantities(&self, hpas: &[Hpa]) -> Vec<MemoryQuantity> {
        let mut quantities: Vec<MemoryQuantity> = Vec::new();
        for (gi, facts) in self.facts.iter().enumerate() {
            let (owner, revision) = self.group_owner[gi];
            let field = if revision == 0 {
                "spec.template.spec.containers[].resources.requests.memory".to_string()
            } else {
                format!(
                    "revision {revision} (applyDeployment): spec.template.spec.containers[].resources.requests.memory"
                )
            };
            // Scoring counts each container's unset memory request as 200Mi (never less than
            // the request itself).
            let bytes = facts.score_requests.memory;
            let what = if facts.score_requests.memory != facts.requests.memory {
                "a pod's memory request as scoring counts it (200Mi for each container that sets none)"
            } else {
                "a pod's memory request"
            };
            let origin = match owner {
                Owner::Deployment(d) => self.deployments[d.index()].origin.clone(),
                Owner::DaemonSet(s) => self.daemon_sets[s.index()].origin.clone(),
            };
            quantities.push(MemoryQuantity { origin, field, what, bytes });
        }
        for d in self.deployments.iter().filter(|d| d.initial_usage != self.facts[d.revisions[0].index()].requests) {
            let field = format!("spec.workloads[deployment {}].usage.memory", d.name);
            let (origin, bytes) = (self.spec_origin.clone(), d.initial_usage.memory);
            quantities.push(MemoryQuantity { origin, field, what: "a pod's memory usage", bytes });
        }
        for h in hpas {
            for (mi, m) in h.metrics.iter().enumerate() {
                if let (ResourceName::Memory, MetricTarget::AverageValue(t)) = (m.resource, m.target) {
                    let field = format!("spec.metrics[{mi}].resource.target.averageValue");
                    let (origin, bytes) = (h.origin.clone(), t / 1000);
                    quantities.push(MemoryQuantity { origin, field, what: "an AverageValue target", bytes });
                }
            }
        }
        quantities
    }

    /// The model's bounds, and per Deployment the pods it may have at once (see
    /// `limits::pods_bound`).
    pub(super) fn bounds(&mut self, b: &spec::Bounds, hpas: &[Hpa], events: &[Event]) -> (Bounds, Vec<i64>) {
        let origin = self.spec_origin.clone();
        if b.steps == 0 || b.steps > 10_000 {
            self.diag.error(InputError::at(&origin, InputClass::Invalid, "spec.bounds.steps", "expected 1..10000"));
        }
        let per_deployment: Vec<i64> = (0..self.deployments.len())
            .map(|di| {
                let d = &self.deployments[di];
                let ours = |dep: &DeploymentId| dep.index() == di;
                // A snapshot's pods of every revision are there at the start.
                let at_start: i64 = self
                    .initial_pods
                    .iter()
                    .filter(|p| self.group_owner[p.group.index()].0 == Owner::Deployment(DeploymentId(di as u32)))
                    .map(|p| p.count)
                    .sum();
                // Every replica count an apply sets first, then every scale-up on top of the
                // largest: the events happen in any order, so a scale may follow any apply.
                let applied = events.iter().filter_map(|e| match e {
                    Event::ApplyDeployment { deployment, replicas: ApplyReplicas::Set(r), .. } if ours(deployment) => {
                        Some(*r)
                    }
                    _ => None,
                });
                let scale_ups = events.iter().filter_map(|e| match e {
                    Event::ScaleDeployment { deployment, delta, budget } if ours(deployment) => {
                        Some((delta.max, *budget))
                    }
                    _ => None,
                });
                // A rolling update may surge above desired replicas, with any applied strategy.
                let strategies = std::iter::once(d.strategy).chain(events.iter().filter_map(|e| match e {
                    Event::ApplyDeployment { deployment, strategy, .. } if ours(deployment) => Some(*strategy),
                    _ => None,
                }));
                crate::ir::limits::pods_bound(
                    &d.replicas,
                    d.placement.iter().map(|p| p.1).sum::<i64>().max(at_start),
                    d.hpa.map(|h| &hpas[h.index()]),
                    applied,
                    scale_ups,
                    strategies,
                )
            })
            .collect();
        let max_pods = per_deployment.iter().copied().fold(1, i64::max);
        let bounds = Bounds {
            steps: b.steps as i64,
            max_nodes_per_pool: b.max_nodes_per_pool as i64,
            max_pods_per_node: b.max_pods_per_node as i64,
            max_pods_per_deployment: max_pods,
            events: b.events.map(i64::from),
        };
        (bounds, per_deployment)
    }
}

#[cfg(test)]
mod tests {
    use crate::ir::build::test_inputs::{errors, pool, web};

    /// Memory in bytes keeps every product within i64 or is refused with the field and the
    /// limit: BalancedAllocation's lcm(cpu millicores, memory bytes), and a pod's memory
    /// times the pod bound.
    #[test]
    fn memory_magnitudes_are_bounded() {
        assert_eq!(errors(&format!("{}{}", web(3, "1Gi"), pool("896", "32Ti"))), "");
        // 2^44 + 1 bytes share no factor with 10^6 millicores: lcm 1.76e19.
        let e = errors(&format!("{}{}", web(3, "1Gi"), pool("1000", "17592186044417")));
        assert!(e.contains("spec.nodePools[0]") && e.contains("lcm(cpu millicores, memory bytes)"), "{e}");
        // 1000 pods of 1Ti (a bound of 1250 with the 25 % surge): 1.1e12 bytes × 1250 pods ×
        // 10 × 1000 leaves i64.
        let e = errors(&format!("{}{}", web(1000, "1Ti"), pool("64", "64Gi")));
        assert!(
            e.contains("requests.memory: a pod's memory request of 1099511627776 bytes is above 737869762948 bytes"),
            "{e}"
        );
        assert!(!e.contains("usage"), "{e}");
        assert_eq!(errors(&format!("{}{}", web(1000, "64Gi"), pool("64", "64Gi"))), "");
    }

    /// A pool of count 0 last has no node to read a shape from: it is skipped, not indexed
    /// past the nodes (a mutated C7 made `inspect` panic here).
    #[test]
    fn an_empty_last_pool_builds() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: a, count: 1, capacity: {cpu: \"64\", memory: 64Gi}}\n    - {name: b, count: 0, capacity: {cpu: \"64\", memory: 64Gi}}\n";
        assert_eq!(errors(&format!("{}{}", web(1, "1Gi"), spec)), "");
    }
}
