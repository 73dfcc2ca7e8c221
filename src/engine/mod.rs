//! Engines: explore the model and produce a verdict per intent. `explicit` enumerates states;
//! `symbolic` unrolls the same transitions in Z3.

pub mod explicit;
pub mod portfolio;
pub mod simulate;
pub mod symbolic;
