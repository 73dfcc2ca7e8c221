//! Decoding: a model's values of a frame read back as a concrete state (`Bmc` reads a run
//! frame by frame with it, the diameter and step-case queries compare frames by it). It must
//! not judge what it reads (a run is replayed on the concrete semantics before it is
//! reported).

use z3::ast::{Bool, Int};

use crate::domain::{Concrete, Symbolic};
use crate::model::ClusterState;

/// Reads frame `st` back from a model.
pub(super) fn decode(model: &z3::Model, st: &ClusterState<Symbolic>) -> ClusterState<Concrete> {
    st.map::<Concrete>(
        &|i: &Int| model.eval(i, true).and_then(|v| v.as_i64()).expect("a model assigns every integer"),
        &|b: &Bool| model.eval(b, true).and_then(|v| v.as_bool()).expect("a model assigns every boolean"),
    )
}
