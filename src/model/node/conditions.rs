//! A node's Ready condition as the state holds it (`status`, `present`): Ready, NotReady for
//! any reason, panicked, and a slot whose node is asked for and has not registered. Must not
//! say why a node is in a condition or change one (the events and the autoscaler do).

use crate::domain::Domain;
use crate::model::state::{JOINING, PANICKED, READY};
use crate::model::ClusterState;

/// Node `n` is in the topology and Ready.
#[inline]
pub fn ready<D: Domain>(d: &D, st: &ClusterState<D>, n: usize) -> D::Bool {
    d.and(&st.present[n], &d.eq(&st.status[n], &d.int(READY)))
}

/// Node `n` is NotReady for any reason (and present).
pub fn not_ready<D: Domain>(d: &D, st: &ClusterState<D>, n: usize) -> D::Bool {
    d.and(&st.present[n], &d.ne(&st.status[n], &d.int(READY)))
}

/// Node `n` has panicked and not recovered.
pub fn panicked<D: Domain>(d: &D, st: &ClusterState<D>, n: usize) -> D::Bool {
    d.eq(&st.status[n], &d.int(PANICKED))
}

/// Slot `n` is asked for and has not registered yet (an upcoming node).
pub fn upcoming<D: Domain>(d: &D, st: &ClusterState<D>, n: usize) -> D::Bool {
    d.and(&d.not(&st.present[n]), &d.eq(&st.status[n], &d.int(JOINING)))
}
