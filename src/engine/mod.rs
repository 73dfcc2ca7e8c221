//! Engines: explore the model and produce a verdict per intent. `explicit` enumerates states;
//! `symbolic` unrolls the same transitions in Z3; `portfolio` combines them into one check
//! (which runs first, for how long, and what the explicit engine hands the symbolic one);
//! `simulate` takes one random run. Each engine must not reach into another's internals:
//! they meet in the portfolio through their public functions.

pub mod explicit;
pub mod portfolio;
pub mod simulate;
pub mod symbolic;
