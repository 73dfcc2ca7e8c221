//! Engines: explore the model and produce a verdict per intent. `explicit` enumerates states;
//! `symbolic` unrolls the same transitions in Z3; `portfolio` combines them into one check
//! (which runs first, for how long, and what the explicit engine hands the symbolic one);
//! `simulate` takes one random run; `witnesses` searches concrete states by depth for the
//! symbolic engine's probes; `por` holds the steps' footprints and the dependency they give,
//! which both engines read (the explicit search's ample sets, the symbolic engine's rounds). Every engine explores the model's step relation
//! (`model::relation`: what is enabled, canonical choice among identical nodes, the stutter
//! label), so that all explore one relation; what one engine's results hand the other goes
//! through the portfolio.

pub mod explicit;
pub(crate) mod por;
pub mod portfolio;
pub mod simulate;
pub mod symbolic;
pub mod witnesses;
