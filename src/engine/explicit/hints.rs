//! The explicit engine's access to the hints an actor offers (`model::hints::ExplicitHints`,
//! declared by the model next to each controller's semantics): [`of`] gives an actor's, or
//! the defaults. The tests below check every hint against the controller's own guards and
//! updates on the reachable states of every bundled case. Must not change what a step does.

pub use crate::model::hints::ExplicitHints as Hints;
pub use crate::model::relation::hints_of as of;
