//! A pool's node slots (a pool's nodes take consecutive slots, `ir::Pool::first` on) and how
//! many of them hold a node. Must not decide that a node joins or leaves a pool (the cluster
//! autoscaler and node provisioning do).

use crate::domain::{Concrete, Domain};
use crate::model::{ClusterState, Model};

/// The node slots of pool `p`.
pub fn slots(m: &Model, p: usize) -> std::ops::Range<usize> {
    let pool = &m.ir.pools[p];
    let first = pool.first.index();
    first..first + pool.slots() as usize
}

/// Present nodes of pool `p` (a node that joined and is not Ready yet counts; one the
/// autoscaler asked for that has not registered does not).
pub fn pool_size<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, p: usize) -> D::Int {
    let pool = &m.ir.pools[p];
    let first = pool.first.index();
    d.sum_of((first..first + pool.slots() as usize).map(|n| d.count(&st.present[n])))
}

/// [`pool_size`] of a concrete state.
pub fn pool_size_of(m: &Model, st: &ClusterState<Concrete>, p: usize) -> i64 {
    let pool = &m.ir.pools[p];
    let first = pool.first.index();
    st.present[first..first + pool.slots() as usize].iter().filter(|&&x| x).count() as i64
}
