//! The pods a preemption nominated to a node (`ClusterState::nominated`, rows only where
//! `Model::preempts`): which pending pods have none, what deleting a pending pod does to the
//! nominations, and how a pod is filtered and bound with the nominated pods counted. Owns no
//! step; the scheduler binds a pod without a nomination through it, preemption one with a
//! nomination, and the ReplicaSet and the VPA updater, which delete pending pods, read and
//! update the nominations through it. Must not choose victims or candidates
//! (`controllers/preemption/`) nor filter or score a node but through `framework/`.
//!
//! Follows kubernetes `pkg/scheduler/schedule_one.go` `evaluateNominatedNode` (a nominated
//! pod tries its nominated node first and is bound there when it passes the filters, else it
//! is scheduled as any pod) and `pkg/scheduler/framework/runtime/framework.go`
//! `RunFilterPluginsWithNominatedPods` / `addNominatedPods` (a pod passes a node only with the
//! pods nominated to it of equal or higher priority, itself excepted, counted as if they ran
//! there). A ReplicaSet or the VPA updater deleting a pending pod may take a nominated one or
//! not, the others keeping their nominations ([`forget_deleted`]).

use super::framework::{self, node_resources};
use super::node::requested;
use super::{ClusterState, Model};
use crate::domain::Domain;

/// Pending pods of group `g` without a nomination (all of them where nothing preempts).
pub fn unnominated<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize) -> D::Int {
    if m.preempts {
        d.sub(&st.pending[g], &d.sum(st.nominated[g].iter()))
    } else {
        st.pending[g].clone()
    }
}

/// Pending pods of group `g` without a nomination that the scheduler may try for node `n`:
/// any of a Deployment's; of a DaemonSet's, those created for `n` (a DaemonSet's pod is
/// nominated, if at all, to the node it was created for).
pub fn unnominated_for<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, n: usize) -> D::Int {
    match m.daemon_row[g] {
        Some(r) => d.sub(&st.unscheduled[r][n], &st.nominated[g][n]),
        None => unnominated(d, m, st, g),
    }
}

/// A node's load (cpu millicores, memory bytes, pods) as the filters of a pod of group `g`
/// see it: every pod on it, the snapshot's fixed pods, and the pods nominated to it of
/// priority at least `g`'s, one of `g`'s fewer where the pod itself is nominated there (`own`).
pub fn loads<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, own: Option<usize>) -> Vec<[D::Int; 3]> {
    with_nominated(d, m, st, &requested(d, m, st), g, own)
}

/// [`loads`], given every node's requests ([`requested`]).
fn with_nominated<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    requested: &[(D::Int, D::Int, D::Int)],
    g: usize,
    own: Option<usize>,
) -> Vec<[D::Int; 3]> {
    let p = m.ir.groups[g].priority;
    let mut out: Vec<[D::Int; 3]> = requested.iter().map(|(c, mm, n)| [c.clone(), mm.clone(), n.clone()]).collect();
    for (h, grp) in m.ir.groups.iter().enumerate().filter(|(_, h)| h.priority >= p) {
        for (n, l) in out.iter_mut().enumerate() {
            let mut c = st.nominated[h][n].clone();
            if h == g && own == Some(n) {
                c = d.sub(&c, &d.int(1));
            }
            l[0] = d.add(&l[0], &d.mul_const(&c, grp.requests.cpu_milli));
            l[1] = d.add(&l[1], &d.mul_const(&c, grp.requests.memory));
            l[2] = d.add(&l[2], &c);
        }
    }
    out
}

/// Whether a pod of group `g` (nominated to `own`) passes every filter on each node, the
/// nominated pods counted (`RunFilterPluginsWithNominatedPods`), given the state's loads: the
/// scheduler's filters where the model cannot preempt, and preemption's dry run.
pub fn feasible_with<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    nl: &framework::NodeLoads<D>,
    g: usize,
    own: Option<usize>,
) -> Vec<D::Bool> {
    let filters = framework::filters_with(d, m, st, nl, g);
    if !m.preempts {
        return filters.iter().map(|f| d.all(f.iter())).collect();
    }
    let loads = with_nominated(d, m, st, nl.requested(), g, own);
    filters
        .iter()
        .enumerate()
        .map(|(n, f)| d.and(&d.all(f.iter()), &node_resources::filter(d, m, g, n, loads[n].each_ref())))
        .collect()
}

/// A pending pod of `g` nominated to `own` (none: `None`), which `here` says exists and is
/// tried, is bound to `n`: its nominated node when that passes the filters
/// (`evaluateNominatedNode`), else a top-scoring feasible node. A DaemonSet's pod is bound to
/// the node it was created for when that passes the filters, with no score to compare (no
/// other node passes NodeAffinity). The scheduler's guard for a pod without a nomination,
/// and preemption's for one with.
pub fn bind<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    g: usize,
    own: Option<usize>,
    n: usize,
    here: D::Bool,
) -> D::Bool {
    Binds::new(m, st).bind(d, g, own, n, here)
}

/// [`bind`] for many labels of one state: the state's loads summed once, and each pod group's
/// feasibility and scores once per nomination, every label's guard then built from them as
/// [`bind`] builds it (which is one label's use of this). A frame of the symbolic engine asks
/// the binds of every group on every node; summing the loads again for each took most of a
/// large cluster's frame.
pub struct Binds<'a, D: Domain> {
    m: &'a Model,
    st: &'a ClusterState<D>,
    loads: Option<framework::NodeLoads<D>>,
    /// Per (group, nomination): feasibility per node.
    feasible: rustc_hash::FxHashMap<(usize, Option<usize>), Vec<D::Bool>>,
    /// Per (group, nomination): scores per node, for a group whose pods are scored (not a
    /// DaemonSet's).
    scores: rustc_hash::FxHashMap<(usize, Option<usize>), Vec<D::Int>>,
}

impl<'a, D: Domain> Binds<'a, D> {
    pub fn new(m: &'a Model, st: &'a ClusterState<D>) -> Self {
        Binds { m, st, loads: None, feasible: Default::default(), scores: Default::default() }
    }

    /// [`feasible_with`] of a pod of `g` nominated to `own`, the loads summed once.
    pub fn feasible(&mut self, d: &D, g: usize, own: Option<usize>) -> &[D::Bool] {
        let Binds { m, st, loads, feasible, .. } = self;
        let (m, st) = (*m, *st);
        feasible.entry((g, own)).or_insert_with(|| {
            let loads = loads.get_or_insert_with(|| framework::NodeLoads::of(d, m, st));
            feasible_with(d, m, st, loads, g, own)
        })
    }

    /// [`bind`]'s guard, with what earlier labels of the same state summed.
    pub fn bind(&mut self, d: &D, g: usize, own: Option<usize>, n: usize, here: D::Bool) -> D::Bool {
        // No such pod: nothing to filter or score (in a concrete state most labels stop here,
        // and the filters read every node's load).
        if d.known_bool(&here) == Some(false) {
            return here;
        }
        let m = self.m;
        self.feasible(d, g, own);
        let Binds { st, loads, feasible, scores, .. } = self;
        let feas = &feasible[&(g, own)];
        if m.daemon_row[g].is_some() {
            if own.is_some_and(|o| o != n) {
                return d.bool(false);
            }
            return d.and(&here, &feas[n]);
        }
        let sc = scores.entry((g, own)).or_insert_with(|| {
            let loads = loads.as_ref().expect("the loads feasibility was summed from");
            framework::scores_with(d, m, st, loads, g, feas)
        });
        let top = d.all_of((0..m.nodes()).map(|j| d.implies(&feas[j], &d.ge(&sc[n], &sc[j]))));
        let scheduled = d.and(&feas[n], &top);
        let chosen = match own {
            Some(o) if o == n => feas[n].clone(),
            Some(o) => d.and(&d.not(&feas[o]), &scheduled),
            None => scheduled,
        };
        d.and(&here, &chosen)
    }
}

/// After a ReplicaSet or the VPA updater deleted one pending pod of `g` (from `st` to `nx`):
/// with `from` the node it was nominated to, that node has one nomination of `g` fewer; the
/// pending pods left keep theirs. Upstream picks pending pods by age and UID, never by
/// `status.nominatedNodeName`, so the callers offer every choice (a pod without a
/// nomination, or one nominated to any node with one) as a label of its own.
pub fn forget_deleted<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    nx: &mut ClusterState<D>,
    g: usize,
    from: Option<usize>,
) {
    if let (true, Some(n)) = (m.preempts, from) {
        nx.nominated[g][n] = d.sub(&st.nominated[g][n], &d.int(1));
    }
}
