//! What is checked: the Verification's `spec.intents` -> `Intent`s, their Deployments
//! resolved (podAlwaysSchedulable when none is given, which `inspect` shows). Owns refusing
//! the intents that cannot mean what they say (noReplicaOscillation without an HPA, both or
//! neither of `replicas` and `offset`, min above max, duplicates); must not evaluate an
//! intent (that is `model/intents.rs`).

use super::Builder;
use crate::error::{InputClass, InputError};
use crate::ir::{Expected, Hpa, Intent};
use crate::spec;

impl Builder<'_> {
    pub(super) fn intents(&mut self, intents: &[spec::Intent], hpas: &[Hpa]) -> Vec<Intent> {
        use spec::Intent as S;
        let origin = self.spec_origin.clone();
        if intents.is_empty() {
            // As Kivi does, check schedulability when nothing else is asked; `inspect` shows it.
            return vec![Intent::PodAlwaysSchedulable];
        }
        let mut out = Vec::new();
        for (i, it) in intents.iter().enumerate() {
            let f = format!("spec.intents[{i}].deployment");
            let intent = match it {
                S::PodAlwaysSchedulable {} => Intent::PodAlwaysSchedulable,
                S::NoKernelPanicLoop { times } => Intent::NoKernelPanicLoop { times: *times as i64 },
                S::NoReplicaOscillation { deployment, drop } => {
                    let Some(d) = self.deployment_ref(deployment, &f) else { continue };
                    if self.deployments[d.index()].hpa.is_none() {
                        self.diag.error(InputError::at(
                            &origin,
                            InputClass::Invalid,
                            format!("spec.intents[{i}]"),
                            "noReplicaOscillation watches an HPA, but the Deployment has none",
                        ));
                    }
                    Intent::NoReplicaOscillation { deployment: d, drop: *drop as i64 }
                }
                S::ReplicasMeetMin { deployment } => {
                    let Some(d) = self.deployment_ref(deployment, &f) else { continue };
                    let dep = &self.deployments[d.index()];
                    let min = match dep.hpa {
                        Some(h) => hpas[h.index()].min_replicas,
                        None => dep.replicas.min,
                    };
                    Intent::ReplicasMeetMin { deployment: d, min }
                }
                S::ReplicasMeetExpected { deployment, replicas, offset } => {
                    let Some(d) = self.deployment_ref(deployment, &f) else { continue };
                    let expected = match (replicas, offset) {
                        (Some(r), None) => Expected::Replicas(*r as i64),
                        (None, Some(o)) => Expected::DesiredPlus(*o),
                        _ => {
                            self.diag.error(InputError::at(
                                &origin,
                                InputClass::Invalid,
                                format!("spec.intents[{i}]"),
                                "set exactly one of `replicas` (a count) or `offset` (relative to desired replicas)",
                            ));
                            continue;
                        }
                    };
                    Intent::ReplicasMeetExpected { deployment: d, expected }
                }
                S::NoEvictionCycle { deployment } => {
                    let Some(d) = self.deployment_ref(deployment, &f) else { continue };
                    Intent::NoEvictionCycle { deployment: d }
                }
                S::NoPreemptionCycle { deployment } => {
                    let Some(d) = self.deployment_ref(deployment, &f) else { continue };
                    Intent::NoPreemptionCycle { deployment: d }
                }
                S::PodsBalanced { deployment, max_skew } => {
                    let Some(d) = self.deployment_ref(deployment, &f) else { continue };
                    Intent::PodsBalanced { deployment: d, max_skew: *max_skew as i64 }
                }
                S::ReplicasWithin { deployment, min, max } => {
                    let Some(d) = self.deployment_ref(deployment, &f) else { continue };
                    if min > max {
                        self.diag.error(InputError::at(
                            &origin,
                            InputClass::Invalid,
                            format!("spec.intents[{i}]"),
                            "min is greater than max",
                        ));
                    }
                    Intent::ReplicasWithin { deployment: d, min: *min as i64, max: *max as i64 }
                }
                S::AllPodsEventuallyRun {} => Intent::AllPodsEventuallyRun,
                S::DrainCompletes {} => Intent::DrainCompletes,
                S::DisruptionsWithinBudget {} => Intent::DisruptionsWithinBudget,
                S::StatefulSetAvailable { stateful_set, max_unavailable } => {
                    let f = format!("spec.intents[{i}].statefulSet");
                    let Some(d) = self.statefulset_ref(stateful_set, &f) else { continue };
                    Intent::StatefulSetAvailable { statefulset: d, max_unavailable: *max_unavailable as i64 }
                }
                S::NodeCountWithin { pool, min, max } => {
                    let Some(p) = self.autoscaled_pool_ref(pool, &format!("spec.intents[{i}].pool")) else { continue };
                    if min > max {
                        self.diag.error(InputError::at(
                            &origin,
                            InputClass::Invalid,
                            format!("spec.intents[{i}]"),
                            "min is greater than max",
                        ));
                    }
                    Intent::NodeCountWithin { pool: p, min: *min as i64, max: *max as i64 }
                }
                S::NoNodeChurn { pool } => match pool {
                    Some(pool) => {
                        let Some(p) = self.autoscaled_pool_ref(pool, &format!("spec.intents[{i}].pool")) else {
                            continue;
                        };
                        Intent::NoNodeChurn { pool: Some(p) }
                    }
                    None if self.pools.iter().all(|p| p.autoscaling.is_none()) => {
                        self.diag.error(InputError::at(
                            &origin,
                            InputClass::Invalid,
                            format!("spec.intents[{i}]"),
                            "noNodeChurn watches the cluster autoscaler's node groups, but no pool of spec.nodePools has `autoscaling`",
                        ));
                        continue;
                    }
                    None => Intent::NoNodeChurn { pool: None },
                },
            };
            if out.contains(&intent) {
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::Invalid,
                    format!("spec.intents[{i}]"),
                    "duplicate intent",
                ));
            }
            out.push(intent);
        }
        out
    }

    /// The pool named `name`, which must be autoscaled (an error at `field` otherwise).
    fn autoscaled_pool_ref(&mut self, name: &str, field: &str) -> Option<crate::ir::PoolId> {
        let Some(at) = self.pools.iter().position(|p| p.name == name) else {
            let known: Vec<&str> =
                self.pools.iter().filter(|p| p.autoscaling.is_some()).map(|p| p.name.as_str()).collect();
            self.diag.error(InputError::at(
                &self.spec_origin,
                InputClass::DanglingReference,
                field,
                format!(
                    "no pool named {name:?}; autoscaled pools: {}",
                    if known.is_empty() { "none".to_string() } else { known.join(", ") }
                ),
            ));
            return None;
        };
        if self.pools[at].autoscaling.is_none() {
            self.diag.error(InputError::at(
                &self.spec_origin,
                InputClass::Invalid,
                field,
                format!("pool {name:?} is not autoscaled (it has no `autoscaling: {{min, max}}`), so its node count never changes"),
            ));
            return None;
        }
        Some(crate::ir::PoolId(at as u32))
    }
}
