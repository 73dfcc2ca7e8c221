//! Node provisioning: a node the cluster autoscaler asked for arrives after the cloud
//! provider's provisioning delay, a time kbmc does not track — an event with no budget that may
//! come at any step. It registers first (the Node object appears, NotReady: the scheduler does
//! not use it, but topology spread counts its domain where the node taints policy ignores
//! taints), then its kubelet reports Ready. Owns those two steps only; must not decide
//! whether a node is asked for (`controllers::cluster_autoscaler`).
//!
//! Follows kubernetes/autoscaler `cluster-autoscaler/clusterstate/clusterstate.go` (upcoming
//! nodes: the target size above the registered nodes; a registered node not Ready yet) and
//! the kubelet's node registration (`pkg/kubelet/kubelet_node_status.go` `registerWithAPIServer`,
//! the Ready condition once the runtime and network are up). A node that never arrives
//! (`max-node-provision-time`) is not modelled: the event may simply not come.

use super::super::state::{Conditions, JOINING, READY};
use super::super::{Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::model::node::{slots, upcoming};

pub struct NodeProvisioning;

/// The asked-for node registers, NotReady.
const REGISTER: u8 = 0;
/// The registered node becomes Ready.
const READY_OP: u8 = 1;

impl<D: Domain> Controller<D> for NodeProvisioning {
    fn name(&self) -> &'static str {
        "node-provisioning"
    }
    fn class(&self) -> Class {
        Class::Event
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::PRESENT.with(Conditions::STATUS)
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        if m.ir.autoscaler.is_none() || !m.ir.controllers.cluster_autoscaler {
            return;
        }
        for (p, pool) in m.ir.pools.iter().enumerate() {
            if pool.autoscaling.is_none() {
                continue;
            }
            for n in slots(m, p) {
                out.push(Step::new(actor, REGISTER, p, n, 0));
                out.push(Step::new(actor, READY_OP, p, n, 0));
            }
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        Some(s.b as usize)
    }
    fn guard(&self, d: &D, _m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let n = s.b as usize;
        match s.op {
            REGISTER => upcoming(d, st, n),
            _ => d.and(&st.present[n], &d.eq(&st.status[n], &d.int(JOINING))),
        }
    }
    fn update_into(&self, d: &D, _m: &Model, s: &Step, _st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let n = s.b as usize;
        match s.op {
            REGISTER => nx.present[n] = d.bool(true),
            _ => nx.status[n] = d.int(READY),
        }
    }
    fn describe(&self, m: &Model, s: &Step, _b: &ClusterState<Concrete>, _a: &ClusterState<Concrete>) -> String {
        let n = s.b as usize;
        let pool = &m.ir.pools[s.a as usize].name;
        match s.op {
            REGISTER => {
                let p = &m.ir.pools[s.a as usize];
                let zone = match (&p.zones, m.ir.zone_of_node(n)) {
                    (Some(z), Some(i)) => format!(" in zone {}", z.names[i]),
                    _ => String::new(),
                };
                format!("node {} of node group {pool} registers{zone} (NotReady while it starts)", m.node_name(n))
            }
            _ => format!("node {} of node group {pool} is Ready", m.node_name(n)),
        }
    }
}
