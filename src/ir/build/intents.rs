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
    /// The Verification's intents, each resolved (`intent`) and none twice; podAlwaysSchedulable
    /// when none is given.
    pub(super) fn intents(&mut self, intents: &[spec::Intent], hpas: &[Hpa]) -> Vec<Intent> {
        if intents.is_empty() {
            // As Kivi does, check schedulability when nothing else is asked; `inspect` shows it.
            return vec![Intent::PodAlwaysSchedulable];
        }
        let mut out = Vec::new();
        for (i, it) in intents.iter().enumerate() {
            let Some(intent) = self.intent(i, it, hpas) else { continue };
            if out.contains(&intent) {
                self.diag.error(InputError::at(
                    &self.spec_origin,
                    InputClass::Invalid,
                    format!("spec.intents[{i}]"),
                    "duplicate intent",
                ));
            }
            out.push(intent);
        }
        out
    }

    /// Intent `i` with its Deployment, StatefulSet or pool resolved; `None` after an error
    /// that leaves it meaningless.
    fn intent(&mut self, i: usize, it: &spec::Intent, hpas: &[Hpa]) -> Option<Intent> {
        use spec::Intent as S;
        let f = format!("spec.intents[{i}].deployment");
        Some(match it {
            S::PodAlwaysSchedulable {} => Intent::PodAlwaysSchedulable,
            S::NoKernelPanicLoop { times } => Intent::NoKernelPanicLoop { times: *times as i64 },
            S::NoReplicaOscillation { deployment, drop } => {
                let d = self.deployment_ref(deployment, &f)?;
                if self.deployments[d.index()].hpa.is_none() {
                    self.diag.error(InputError::at(
                        &self.spec_origin,
                        InputClass::Invalid,
                        format!("spec.intents[{i}]"),
                        "noReplicaOscillation watches an HPA, but the Deployment has none",
                    ));
                }
                Intent::NoReplicaOscillation { deployment: d, drop: *drop as i64 }
            }
            S::ReplicasMeetMin { deployment } => {
                let d = self.deployment_ref(deployment, &f)?;
                let dep = &self.deployments[d.index()];
                let min = match dep.hpa {
                    Some(h) => hpas[h.index()].min_replicas,
                    None => dep.replicas.min,
                };
                Intent::ReplicasMeetMin { deployment: d, min }
            }
            S::ReplicasMeetExpected { deployment, replicas, offset } => {
                let d = self.deployment_ref(deployment, &f)?;
                let expected = self.expected_replicas(i, *replicas, *offset)?;
                Intent::ReplicasMeetExpected { deployment: d, expected }
            }
            S::NoEvictionCycle { deployment } => {
                Intent::NoEvictionCycle { deployment: self.deployment_ref(deployment, &f)? }
            }
            S::NoPreemptionCycle { deployment } => {
                Intent::NoPreemptionCycle { deployment: self.deployment_ref(deployment, &f)? }
            }
            S::PodsBalanced { deployment, max_skew } => {
                let d = self.deployment_ref(deployment, &f)?;
                Intent::PodsBalanced { deployment: d, max_skew: *max_skew as i64 }
            }
            S::ReplicasWithin { deployment, min, max } => {
                let d = self.deployment_ref(deployment, &f)?;
                self.check_intent_range(i, *min, *max);
                Intent::ReplicasWithin { deployment: d, min: *min as i64, max: *max as i64 }
            }
            S::AllPodsEventuallyRun {} => Intent::AllPodsEventuallyRun,
            S::DrainCompletes {} => Intent::DrainCompletes,
            S::DisruptionsWithinBudget {} => Intent::DisruptionsWithinBudget,
            S::StatefulSetAvailable { stateful_set, max_unavailable } => {
                let d = self.statefulset_ref(stateful_set, &format!("spec.intents[{i}].statefulSet"))?;
                Intent::StatefulSetAvailable { statefulset: d, max_unavailable: *max_unavailable as i64 }
            }
            S::NodeCountWithin { pool, min, max } => {
                let p = self.autoscaled_pool_ref(pool, &format!("spec.intents[{i}].pool"))?;
                self.check_intent_range(i, *min, *max);
                Intent::NodeCountWithin { pool: p, min: *min as i64, max: *max as i64 }
            }
            S::NoNodeChurn { pool } => self.no_node_churn(i, pool.as_deref())?,
        })
    }

    /// What replicasMeetExpected (intent `i`) expects: exactly one of a count and an offset
    /// from the desired replicas.
    fn expected_replicas(&mut self, i: usize, replicas: Option<u32>, offset: Option<i64>) -> Option<Expected> {
        match (replicas, offset) {
            (Some(r), None) => Some(Expected::Replicas(r as i64)),
            (None, Some(o)) => Some(Expected::DesiredPlus(o)),
            _ => {
                self.diag.error(InputError::at(
                    &self.spec_origin,
                    InputClass::Invalid,
                    format!("spec.intents[{i}]"),
                    "set exactly one of `replicas` (a count) or `offset` (relative to desired replicas)",
                ));
                None
            }
        }
    }

    /// An error on intent `i` when its `min` is greater than its `max`.
    fn check_intent_range(&mut self, i: usize, min: u32, max: u32) {
        if min > max {
            self.diag.error(InputError::at(
                &self.spec_origin,
                InputClass::Invalid,
                format!("spec.intents[{i}]"),
                "min is greater than max",
            ));
        }
    }

    /// noNodeChurn (intent `i`) of one autoscaled pool, or of every node group when there is
    /// some autoscaled pool.
    fn no_node_churn(&mut self, i: usize, pool: Option<&str>) -> Option<Intent> {
        match pool {
            Some(pool) => {
                let p = self.autoscaled_pool_ref(pool, &format!("spec.intents[{i}].pool"))?;
                Some(Intent::NoNodeChurn { pool: Some(p) })
            }
            None if self.pools.iter().all(|p| p.autoscaling.is_none()) => {
                self.diag.error(InputError::at(
                    &self.spec_origin,
                    InputClass::Invalid,
                    format!("spec.intents[{i}]"),
                    "noNodeChurn watches the cluster autoscaler's node groups, but no pool of spec.nodePools has `autoscaling`",
                ));
                None
            }
            None => Some(Intent::NoNodeChurn { pool: None }),
        }
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
