//! What the symbolic engine may ask of an actor beyond its semantics, to give the solver
//! cheaper formulas: "some label of this actor is enabled" written without the disjunction of
//! every guard. Optional (the default is that disjunction) and equivalent to it (a test checks
//! it on the reachable states of every bundled case). A controller implements this trait next
//! to its semantics and adds one line to [`of`]. Must not change what a step does; imports no
//! solver (the formulas are built through the value domain).

use std::any::Any;

use crate::domain::Domain;
use crate::model::{ClusterState, Controller, Model};

pub trait Hints<D: Domain> {
    /// A formula equivalent to "some label of this actor is enabled" (the disjunction of
    /// every label's guard in `st`) that is cheaper for a solver to decide; the symbolic
    /// engine uses it where the timing policy and the stutter ask whether an actor can act.
    /// `None`: the disjunction of the guards.
    fn any_enabled(&self, _d: &D, _m: &Model, _st: &ClusterState<D>) -> Option<D::Bool> {
        None
    }
}

/// An actor without hints.
struct None_;

impl<D: Domain> Hints<D> for None_ {}

/// The hints of actor `c`: one line per controller or event that has any.
pub fn of<D: Domain>(c: &dyn Controller<D>) -> &'static dyn Hints<D> {
    use crate::model::controllers::scheduler;
    let c: &dyn Any = c;
    if c.is::<scheduler::Scheduler>() {
        return &scheduler::Scheduler;
    }
    &None_
}
