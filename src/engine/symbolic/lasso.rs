//! Lassos for cycle intents: "some earlier frame l equals frame k, and the watched change
//! happens on a step inside the loop" (an eviction that adds terminating pods of the
//! Deployment for noEvictionCycle, a preemption victim's deletion for noPreemptionCycle, a
//! node added to the pool for noNodeChurn; at every frame of the loop, waiting pods for
//! allPodsEventuallyRun and a drain in progress for drainCompletes), one formula per loop
//! start so that the loop start can be read from
//! a model. It must not assert them (the bounded query does).

use z3::ast::{Bool, Int};

use super::frame::equal;
use super::unroll::Unrolling;
use crate::domain::Symbolic;
use crate::ir::Intent;
use crate::model::{intents, ClusterState, Model};

impl Unrolling {
    /// A lasso ending at frame k that violates cycle intent `intent`, as one formula per loop
    /// start l (so that the loop start can be read from the model).
    pub(super) fn lasso(&self, m: &Model, intent: &Intent, k: usize) -> Vec<Bool> {
        let d = Symbolic;
        let term = |f: &ClusterState<Symbolic>, dep: usize| -> Int {
            Int::add(&m.groups_of[dep].iter().flat_map(|&g| f.terminating[g].iter()).collect::<Vec<_>>())
        };
        (0..k)
            .map(|l| {
                let closes = equal(&self.frames[l], &self.frames[k]);
                let watched = match intent {
                    Intent::NoEvictionCycle { deployment } => {
                        let dep = deployment.index();
                        Bool::or(
                            &(l..k)
                                .map(|j| {
                                    Bool::and(&[
                                        self.evicts_at[j].clone(),
                                        term(&self.frames[j + 1], dep).gt(term(&self.frames[j], dep)),
                                    ])
                                })
                                .collect::<Vec<_>>(),
                        )
                    }
                    Intent::NoPreemptionCycle { deployment } => {
                        let dep = deployment.index();
                        Bool::or(
                            &(l..k)
                                .map(|j| {
                                    Bool::and(&[
                                        self.preempts_at[j].clone(),
                                        term(&self.frames[j + 1], dep).gt(term(&self.frames[j], dep)),
                                    ])
                                })
                                .collect::<Vec<_>>(),
                        )
                    }
                    Intent::AllPodsEventuallyRun | Intent::DrainCompletes | Intent::StatefulSetAvailable { .. } => {
                        Bool::and(
                            &(l..=k)
                                .map(|j| {
                                    intents::loop_state(&d, m, &self.frames[j], intent).expect("a loop-state intent")
                                })
                                .collect::<Vec<_>>(),
                        )
                    }
                    Intent::NoNodeChurn { pool } => Bool::or(
                        &(l..k)
                            .map(|j| {
                                intents::churn_nodes(&d, m, &self.frames[j + 1], *pool).gt(intents::churn_nodes(
                                    &d,
                                    m,
                                    &self.frames[j],
                                    *pool,
                                ))
                            })
                            .collect::<Vec<_>>(),
                    ),
                    _ => Bool::from_bool(false),
                };
                Bool::and(&[closes, watched])
            })
            .collect()
    }
}
