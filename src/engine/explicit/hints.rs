//! The explicit engine's access to the hints an actor offers (`model::hints::ExplicitHints`,
//! declared by the model next to each controller's semantics): [`of`] gives an actor's, or
//! the defaults. The tests below check every hint against the controller's own guards and
//! updates on the reachable states of every bundled case. Must not change what a step does.

use crate::domain::Concrete;
pub use crate::model::hints::ExplicitHints as Hints;
use crate::model::Controller;

/// The hints of actor `c`: its own, or the defaults.
pub fn of(c: &dyn Controller<Concrete>) -> &dyn Hints {
    crate::model::relation::hints_of(c)
}
