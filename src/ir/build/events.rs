//! What acts on the cluster: the Verification's `spec.controllers` (which controllers run;
//! the HPA controller and the descheduler by default only when an HPA or a DeschedulerPolicy
//! is among the inputs) and `spec.events` -> `Controllers` and `Event`s, with their
//! references resolved (Deployments, pools, the revisions applyDeployment and rolloutRestart
//! add) and CPU quantities in millicores. Owns refusing events whose meaning would depend on
//! keeping apart the per-node state that the model's events of one type share
//! (`shared_event_state`); must not decide what a controller or an event does (that is
//! `model/controllers/` and `model/events/`).

use super::{convert, Builder, Diag};
use crate::error::{InputClass, InputError};
use crate::ir::{ApplyReplicas, Controllers, DaemonSetId, DeploymentId, Event, GroupId, PoolId, Range, Strategy};
use crate::manifest::quantity::{Quantity, Round};
use crate::spec;

impl Builder<'_> {
    pub(super) fn controllers(&mut self, c: &spec::Controllers, has_hpa: bool, has_descheduler: bool) -> Controllers {
        let origin = self.spec_origin.clone();
        let need = |v: Option<bool>, present: bool, field: &str, what: &str, diag: &mut Diag| match v {
            Some(true) if !present => {
                diag.error(InputError::at(
                    &origin,
                    InputClass::DanglingReference,
                    format!("spec.controllers.{field}"),
                    format!("enabled, but there is no {what} among the inputs"),
                ));
                false
            }
            Some(v) => v,
            None => present,
        };
        Controllers {
            deployment: c.deployment.unwrap_or(true),
            scheduler: c.scheduler.unwrap_or(true),
            kubelet: c.kubelet.unwrap_or(true),
            hpa: need(c.hpa, has_hpa, "hpa", "HorizontalPodAutoscaler", &mut self.diag),
            descheduler: need(c.descheduler, has_descheduler, "descheduler", "DeschedulerPolicy", &mut self.diag),
            node_lifecycle: c.node_lifecycle.unwrap_or(true),
            taint_eviction: c.taint_eviction.unwrap_or(true),
            cluster_autoscaler: need(
                c.cluster_autoscaler,
                self.pools.iter().any(|p| p.autoscaling.is_some()),
                "clusterAutoscaler",
                "pool with `autoscaling` in spec.nodePools",
                &mut self.diag,
            ),
        }
    }

    fn cpu(
        &mut self,
        q: &k8s_openapi::apimachinery::pkg::api::resource::Quantity,
        field: &str,
        allow_negative: bool,
    ) -> i64 {
        let origin = self.spec_origin.clone();
        match Quantity::parse(&q.0) {
            Ok(v) if v.is_negative() && !allow_negative => {
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::BadQuantity,
                    field,
                    format!("negative quantity {:?}", q.0),
                ));
                0
            }
            Ok(v) => convert(Some(v), |q| q.millis(Round::Up), &origin, field, &mut self.diag),
            Err(e) => {
                self.diag.error(InputError::at(&origin, InputClass::BadQuantity, field, e.0));
                0
            }
        }
    }

    /// The Verification's events, each resolved (`event`), then refused where events of one
    /// type would need per-node state of their own (`shared_event_state`). `applies` holds
    /// the revisions applyDeployment and a Deployment's rolloutRestart added, by event index.
    pub(super) fn events(
        &mut self,
        events: &[spec::Event],
        applies: &[(usize, DeploymentId, GroupId, ApplyReplicas, Strategy)],
    ) -> Vec<Event> {
        let mut out = Vec::new();
        for (i, e) in events.iter().enumerate() {
            if let Some(ev) = self.event(i, e, applies) {
                out.push((i, ev));
            }
        }
        self.shared_event_state(&out);
        out.into_iter().map(|(_, e)| e).collect()
    }

    /// Event `i` with its references resolved and CPU quantities in millicores; `None` after
    /// an error that leaves it meaningless, or when its revision could not be added.
    fn event(
        &mut self,
        i: usize,
        e: &spec::Event,
        applies: &[(usize, DeploymentId, GroupId, ApplyReplicas, Strategy)],
    ) -> Option<Event> {
        let f = format!("spec.events[{i}]");
        Some(match e {
            spec::Event::CpuChange { deployment, delta, budget } => {
                let d = self.deployment_ref(deployment, &format!("{f}.deployment"))?;
                let min = self.cpu(&delta.min, &format!("{f}.delta.min"), true);
                let max = self.cpu(&delta.max, &format!("{f}.delta.max"), true);
                self.check_delta(&f, min, max);
                Event::CpuChange { deployment: d, delta_milli: Range { min, max }, budget: *budget as i64 }
            }
            spec::Event::CpuPattern { deployment, bootstrap, steady } => {
                let d = self.deployment_ref(deployment, &format!("{f}.deployment"))?;
                let bootstrap_milli = self.cpu(bootstrap, &format!("{f}.bootstrap"), false);
                let steady_milli = self.cpu(steady, &format!("{f}.steady"), false);
                Event::CpuPattern { deployment: d, bootstrap_milli, steady_milli }
            }
            spec::Event::KernelPanic { threshold_percent, budget, recovery } => {
                if !(1..=100).contains(threshold_percent) {
                    self.diag.error(InputError::at(
                        &self.spec_origin,
                        InputClass::Invalid,
                        format!("{f}.thresholdPercent"),
                        "expected a percentage 1..100",
                    ));
                }
                Event::KernelPanic {
                    threshold_percent: *threshold_percent as i64,
                    budget: *budget as i64,
                    recovery: *recovery,
                }
            }
            spec::Event::NodeFailure { pool, budget, recovery, scope } => Event::NodeFailure {
                pool: self.failure_pool(&f, pool.as_deref()).ok()?,
                budget: *budget as i64,
                recovery: *recovery,
                one_zone: *scope == spec::FailureScope::Zone,
            },
            spec::Event::RolloutRestart { daemon_set: Some(reference), budget, .. } => {
                // Its revision was added with the DaemonSets (`daemon_sets_from_manifests`).
                let s = self.daemon_sets.iter().position(|s| {
                    s.revisions.len() > 1
                        && (reference == &s.object_name || reference == &format!("{}/{}", s.namespace, s.object_name))
                })?;
                Event::RolloutDaemonSet { daemon_set: DaemonSetId(s as u32), budget: *budget as i64 }
            }
            spec::Event::ApplyDeployment { budget, .. } | spec::Event::RolloutRestart { budget, .. } => {
                let &(_, deployment, revision, replicas, strategy) = applies.iter().find(|a| a.0 == i)?;
                Event::ApplyDeployment { deployment, revision, replicas, strategy, budget: *budget as i64 }
            }
            spec::Event::ScaleDeployment { deployment, delta, budget } => {
                let d = self.deployment_ref(deployment, &format!("{f}.deployment"))?;
                self.check_delta(&f, delta.min, delta.max);
                Event::ScaleDeployment {
                    deployment: d,
                    delta: Range { min: delta.min, max: delta.max },
                    budget: *budget as i64,
                }
            }
            spec::Event::Maintenance { max_unavailable, budget } => {
                if *max_unavailable == 0 {
                    self.diag.error(InputError::at(
                        &self.spec_origin,
                        InputClass::Invalid,
                        format!("{f}.maxUnavailable"),
                        "expected at least 1",
                    ));
                }
                Event::Maintenance {
                    max_unavailable: *max_unavailable as i64,
                    budget: budget.map(|b| b as i64).unwrap_or(self.nodes.len() as i64),
                }
            }
            spec::Event::ForceDeletePods { stateful_set, budget } => {
                let d = self.statefulset_ref(stateful_set, &format!("{f}.statefulSet"))?;
                Event::ForceDeletePods { statefulset: d, budget: *budget as i64 }
            }
        })
    }

    /// An error on event field `f` when its delta's `min` is greater than its `max`.
    fn check_delta(&mut self, f: &str, min: i64, max: i64) {
        if min > max {
            self.diag.error(InputError::at(
                &self.spec_origin,
                InputClass::Invalid,
                format!("{f}.delta"),
                "min is greater than max",
            ));
        }
    }

    /// The pool a nodeFailure event (at `f`) names, if any; `Err` (reported) for a name no
    /// pool has.
    fn failure_pool(&mut self, f: &str, pool: Option<&str>) -> Result<Option<PoolId>, ()> {
        let Some(p) = pool else { return Ok(None) };
        match self.pools.iter().position(|q| q.name == p) {
            Some(i) => Ok(Some(PoolId(i as u32))),
            None => {
                self.diag.error(InputError::at(
                    &self.spec_origin,
                    InputClass::DanglingReference,
                    format!("{f}.pool"),
                    format!("no node pool named {p:?}"),
                ));
                Err(())
            }
        }
    }

    /// Events of one type share per-node state in the model: every maintenance event counts
    /// the same cordoned and maintained nodes, and a recovery step brings back any NotReady
    /// (or panicked) node it may fail, whichever event failed it. Specs whose meaning would depend on
    /// keeping them apart are rejected rather than checked with a silently different meaning.
    fn shared_event_state(&mut self, events: &[(usize, Event)]) {
        let origin = self.spec_origin.clone();
        let maintenance: Vec<usize> =
            events.iter().filter(|(_, e)| matches!(e, Event::Maintenance { .. })).map(|(i, _)| *i).collect();
        if let [first, rest @ ..] = &maintenance[..] {
            for i in rest {
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::Invalid,
                    format!("spec.events[{i}]"),
                    format!(
                        "a second maintenance event (the first is spec.events[{first}]); kbmc models one \
                         drain at a time per cluster: use one event, with maxUnavailable for nodes drained \
                         at once and budget for nodes maintained in all"
                    ),
                ));
            }
        }
        // A pod follows one lifecycle: its warm-up is one kind of pod (model `Kind::warming`).
        let mut patterns: Vec<(usize, DeploymentId)> = Vec::new();
        for (i, e) in events {
            let Event::CpuPattern { deployment, .. } = e else { continue };
            if let Some((first, _)) = patterns.iter().find(|(_, d)| d == deployment) {
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::Invalid,
                    format!("spec.events[{i}]"),
                    format!(
                        "a second cpuPattern for the same Deployment (the first is spec.events[{first}]); \
                         a pod has one bootstrap and one steady level"
                    ),
                ));
            } else {
                patterns.push((*i, *deployment));
            }
        }
        let panics: Vec<(usize, i64, bool)> = events
            .iter()
            .filter_map(|(i, e)| match e {
                Event::KernelPanic { threshold_percent, recovery, .. } => Some((*i, *threshold_percent, *recovery)),
                _ => None,
            })
            .collect();
        if let [(first, threshold, recovery), rest @ ..] = &panics[..] {
            for (i, _, _) in rest.iter().filter(|(_, t, r)| (t, r) != (threshold, recovery)) {
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::Invalid,
                    format!("spec.events[{i}]"),
                    format!(
                        "kernelPanic events spec.events[{first}] and spec.events[{i}] differ in \
                         thresholdPercent or recovery; kbmc does not track which event took a node down, \
                         so use one event (its budget counts panics)"
                    ),
                ));
            }
        }
        let failures: Vec<(usize, Option<PoolId>, bool)> = events
            .iter()
            .filter_map(|(i, e)| match e {
                Event::NodeFailure { pool, recovery, .. } => Some((*i, *pool, *recovery)),
                _ => None,
            })
            .collect();
        for (a, &(i, pool_i, rec_i)) in failures.iter().enumerate() {
            for &(j, pool_j, rec_j) in &failures[a + 1..] {
                let overlap = pool_i.is_none() || pool_j.is_none() || pool_i == pool_j;
                if overlap && rec_i != rec_j {
                    self.diag.error(InputError::at(
                        &origin,
                        InputClass::Invalid,
                        format!("spec.events[{j}].recovery"),
                        format!(
                            "nodeFailure events spec.events[{i}] and spec.events[{j}] can fail the same \
                             nodes but differ in recovery; kbmc does not track which event failed a node, \
                             so give them disjoint pools or the same recovery"
                        ),
                    ));
                }
            }
        }
    }
}
