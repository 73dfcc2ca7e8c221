//! Lassos for cycle intents: "some earlier frame l equals frame k, and the intent's watch
//! accepts the loop" (`model::intents::Watch`: a step inside the loop, of the kind the watch
//! names, raises its measure; or every frame of the loop is bad), one formula per loop start
//! so that the loop start can be read from a model. It must not assert them (the bounded
//! query does), nor know an intent by name.

use z3::ast::Bool;

use super::frame::equal;
use super::unroll::Unrolling;
use crate::domain::Symbolic;
use crate::ir::Intent;
use crate::model::intents::{self, Property, StepKind, Watch};
use crate::model::Model;

impl Unrolling {
    /// "Frame l equals frame k" (every field), built once per pair: frames are never changed
    /// once added.
    pub(super) fn closes(&self, l: usize, k: usize) -> Bool {
        self.closes.borrow_mut().entry((l, k)).or_insert_with(|| equal(&self.frames[l], &self.frames[k])).clone()
    }

    /// A lasso ending at frame k that violates cycle intent `intent`, as one formula per loop
    /// start l (so that the loop start can be read from the model).
    pub(super) fn lasso(&self, m: &Model, intent: &Intent, k: usize) -> Vec<Bool> {
        let d = Symbolic;
        (0..k)
            .map(|l| {
                let closes = self.closes(l, k);
                let watched = match intents::property(intent) {
                    Property::Cycle(Watch::Rises { measure, by }) => Bool::or(
                        &(l..k)
                            .map(|j| {
                                let rises =
                                    measure.value(&d, m, &self.frames[j + 1]).gt(measure.value(&d, m, &self.frames[j]));
                                match by {
                                    Some(StepKind::Evicts) => Bool::and(&[self.evicts_at[j].clone(), rises]),
                                    Some(StepKind::Preempts) => Bool::and(&[self.preempts_at[j].clone(), rises]),
                                    None => rises,
                                }
                            })
                            .collect::<Vec<_>>(),
                    ),
                    Property::Cycle(Watch::EveryState) => Bool::and(
                        &(l..=k)
                            .map(|j| intents::loop_state(&d, m, &self.frames[j], intent).expect("a loop-state intent"))
                            .collect::<Vec<_>>(),
                    ),
                    // A change alone violates no intent; safety intents are no lassos.
                    Property::Cycle(Watch::Changes(_)) | Property::Safety { .. } => Bool::from_bool(false),
                };
                Bool::and(&[closes, watched])
            })
            .collect()
    }
}
