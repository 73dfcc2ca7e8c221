//! Cycle intents on the explored graph: strongly connected components (iterative Tarjan),
//! and the shortest lasso — a shortest path to a state on a qualifying cycle, then the cycle.
//! Every loop over the graph polls the run's limits (`crate::limits`): a graph of millions of
//! states takes a while to go over, and once a limit has passed the caller says what was not
//! looked for. The components over every edge, and the states with an edge inside their own,
//! are worked out once per graph (`Graph::components`) and shared by every cycle intent that
//! watches all edges.

use std::cell::RefCell;
use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use super::{path_to, Graph};
use crate::domain::Concrete;
use crate::ir::Intent;
use crate::limits::Stop;
use crate::model::intents::{self, Watch};
use crate::model::relation::STUTTER;
use crate::model::{ClusterState, Controller, Model, Step};

/// `Err` with the limit that has passed, if one has.
fn poll() -> Result<(), Stop> {
    crate::limits::stopped().map_or(Ok(()), Err)
}

/// Tarjan's algorithm over the edges that `keep` admits; returns the component of each state.
fn scc(g: &Graph, keep: &dyn Fn(u32, u32) -> bool) -> Result<Vec<u32>, Stop> {
    let n = g.states.len();
    let mut index = vec![u32::MAX; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![u32::MAX; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut next_index = 0u32;
    let mut next_comp = 0u32;
    for root in 0..n as u32 {
        if index[root as usize] != u32::MAX {
            continue;
        }
        let mut work: Vec<(u32, usize)> = vec![(root, 0)];
        index[root as usize] = next_index;
        low[root as usize] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root as usize] = true;
        while let Some(&mut (u, ref mut i)) = work.last_mut() {
            poll()?;
            let succ = g.edges.targets(u);
            if *i < succ.len() {
                let v = succ[*i];
                *i += 1;
                if !keep(u, v) {
                    continue;
                }
                if index[v as usize] == u32::MAX {
                    index[v as usize] = next_index;
                    low[v as usize] = next_index;
                    next_index += 1;
                    stack.push(v);
                    on_stack[v as usize] = true;
                    work.push((v, 0));
                } else if on_stack[v as usize] {
                    low[u as usize] = low[u as usize].min(index[v as usize]);
                }
            } else {
                work.pop();
                if let Some(&(p, _)) = work.last() {
                    low[p as usize] = low[p as usize].min(low[u as usize]);
                }
                if low[u as usize] == index[u as usize] {
                    loop {
                        let w = stack.pop().expect("Tarjan stack");
                        on_stack[w as usize] = false;
                        comp[w as usize] = next_comp;
                        if w == u {
                            break;
                        }
                    }
                    next_comp += 1;
                }
            }
        }
    }
    Ok(comp)
}

/// A path of the graph: its state ids and the steps between them.
type Path = (Vec<u32>, Vec<Step>);

/// Shortest path from `from` to `to` over edges inside component `c`.
fn path_within(g: &Graph, comp: &[u32], c: u32, from: u32, to: u32) -> Result<Option<Path>, Stop> {
    // Per state: its predecessor on the search and the label index of the edge from it, or
    // NONE while unreached. Eight bytes a state: a component may be most of a large graph.
    const NONE: (u32, u32) = (u32::MAX, u32::MAX);
    let mut prev = vec![NONE; g.states.len()];
    let mut q = VecDeque::from([from]);
    prev[from as usize] = (from, u32::MAX);
    while let Some(u) = q.pop_front() {
        poll()?;
        if u == to {
            let mut ids = vec![to];
            let mut steps = Vec::new();
            let mut cur = to;
            while cur != from {
                let (p, l) = prev[cur as usize];
                ids.push(p);
                steps.push(g.labels[l as usize]);
                cur = p;
            }
            ids.reverse();
            steps.reverse();
            return Ok(Some((ids, steps)));
        }
        for (&v, &l) in g.edges.targets(u).iter().zip(g.edges.labels(u)) {
            if comp[v as usize] == c && prev[v as usize] == NONE {
                prev[v as usize] = (u, l);
                q.push_back(v);
            }
        }
    }
    Ok(None)
}

/// The shortest lasso through a qualifying edge inside a strongly connected component: the
/// edge `u -> v` (admitted by `qualifies`, both ends in one component) whose source is closest
/// to an initial state, then the shortest way back from `v` to `u`.
fn lasso(g: &Graph, comp: &[u32], qualifies: &dyn Fn(u32, u32, &Step) -> bool) -> Result<Option<Found>, Stop> {
    lasso_from(g, comp, 0..g.states.len() as u32, qualifies)
}

/// The components over every edge and the states with an edge inside their own component (in
/// id order), shared by every cycle intent of the graph (`Graph::components`).
fn components(g: &Graph) -> Result<&(Vec<u32>, Vec<u32>), Stop> {
    if let Some(c) = g.components.get() {
        return Ok(c);
    }
    let comp = scc(g, &|_, _| true)?;
    let mut sources = Vec::new();
    for u in 0..g.states.len() as u32 {
        poll()?;
        if g.edges.targets(u).iter().any(|&v| comp[v as usize] == comp[u as usize]) {
            sources.push(u);
        }
    }
    Ok(g.components.get_or_init(|| (comp, sources)))
}

/// [`lasso`] over every edge: only the states with an edge inside their own component can
/// be a lasso's source, so only they are looked at (on a graph without cycles, none).
fn lasso_any(g: &Graph, qualifies: &dyn Fn(u32, u32, &Step) -> bool) -> Result<Option<Found>, Stop> {
    let (comp, sources) = components(g)?;
    lasso_from(g, comp, sources.iter().copied(), qualifies)
}

/// [`lasso`] over the sources `from`, in id order.
fn lasso_from(
    g: &Graph,
    comp: &[u32],
    from: impl Iterator<Item = u32>,
    qualifies: &dyn Fn(u32, u32, &Step) -> bool,
) -> Result<Option<Found>, Stop> {
    let mut best: Option<(u32, u32, Step)> = None;
    for u in from {
        poll()?;
        // Only a shallower source than the best so far can improve on it.
        if best.is_some_and(|(b, _, _)| g.depth[u as usize] >= g.depth[b as usize]) {
            continue;
        }
        for (&v, &l) in g.edges.targets(u).iter().zip(g.edges.labels(u)) {
            let s = &g.labels[l as usize];
            if comp[u as usize] == comp[v as usize] && qualifies(u, v, s) {
                best = Some((u, v, *s));
                break;
            }
        }
    }
    let Some((u, v, s)) = best else { return Ok(None) };
    let (mut ids, mut steps) = path_to(g, u);
    let loop_start = ids.len() - 1;
    let Some((back_ids, back_steps)) = path_within(g, comp, comp[u as usize], v, u)? else { return Ok(None) };
    steps.push(s);
    ids.extend(back_ids);
    steps.extend(back_steps);
    Ok(Some((ids, steps, loop_start)))
}

/// `f` of every explored state, by id (each unpacked into one reused state).
fn per_state<T>(g: &Graph, mut f: impl FnMut(&ClusterState<Concrete>) -> T) -> Result<Vec<T>, Stop> {
    let Some(mut st) = (!g.states.is_empty()).then(|| g.states.get(0)) else { return Ok(Vec::new()) };
    (0..g.states.len() as u32)
        .map(|u| {
            poll()?;
            g.states.load(u, &mut st);
            Ok(f(&st))
        })
        .collect()
}

/// `f` of an explored state, by id, computed the first time it is asked for.
fn lazily<'g, T: Copy + 'g>(g: &'g Graph, f: impl Fn(&ClusterState<Concrete>) -> T + 'g) -> impl Fn(u32) -> T + 'g {
    let known: RefCell<FxHashMap<u32, T>> = RefCell::default();
    let st = RefCell::new(None);
    move |u| {
        if let Some(&x) = known.borrow().get(&u) {
            return x;
        }
        let mut st = st.borrow_mut();
        let x = match st.as_mut() {
            Some(st) => {
                g.states.load(u, st);
                f(st)
            }
            None => f(st.insert(g.states.get(u))),
        };
        known.borrow_mut().insert(u, x);
        x
    }
}

/// A lasso: state ids, steps, and the index of the loop start.
pub type Found = (Vec<u32>, Vec<Step>, usize);

/// A lasso that intent `intent`'s watch accepts (a cycle intent, or a safety intent shown as
/// a cycle), if there is one; `Err` with the limit that passed before the graph was gone
/// over.
pub fn find(
    m: &Model,
    reg: &[Box<dyn Controller<Concrete>>],
    g: &Graph,
    intent: &Intent,
) -> Result<Option<Found>, Stop> {
    let d = Concrete;
    let Some(watch) = intents::watch(intent) else { return Ok(None) };
    match watch {
        Watch::Rises { measure, by: Some(kind) }
            if measure
                .deployment()
                .is_some_and(|e| g.deployments.as_ref().is_some_and(|x| x.class_of(e).is_some())) =>
        {
            // States stored up to a renaming of interchangeable Deployments: an edge's target
            // may have the Deployments' blocks in another order than its source, so what the
            // step did is read from its outcome before renaming. Any Deployment of the class
            // stands for this one (the caller renames the run).
            let dep = measure.deployment().unwrap_or_default();
            let class = g.deployments.as_ref().and_then(|x| x.class_of(dep)).unwrap_or_default();
            let st = RefCell::new(g.states.get(0));
            lasso_any(g, &|u, _, s| {
                let actor = &reg[s.actor as usize];
                if !kind.of(actor.as_ref(), s) {
                    return false;
                }
                let mut st = st.borrow_mut();
                g.states.load(u, &mut st);
                let next = actor.update(&d, m, s, &st);
                class.iter().any(|&e| {
                    let of = measure.of_deployment(e);
                    of.value_of(m, &next) > of.value_of(m, &st)
                })
            })
        }
        Watch::Rises { measure, by } => {
            // The measure per state, read only for the ends of a watched edge inside a
            // component (on C8 most states are in none): not every state unpacked.
            let value = lazily(g, |st| measure.value_of(m, st));
            lasso_any(g, &|u, v, s| {
                by.is_none_or(|kind| kind.of(reg[s.actor as usize].as_ref(), s)) && value(v) > value(u)
            })
        }
        Watch::EveryState => {
            let waiting = per_state(g, |st| intents::loop_state(&d, m, st, intent) == Some(true))?;
            // A bad state that stutters forever is the shortest lasso.
            if let Some(u) = (0..g.states.len()).filter(|&u| waiting[u] && g.stutters[u]).min_by_key(|&u| g.depth[u]) {
                let (mut ids, mut steps) = path_to(g, u as u32);
                let loop_start = ids.len() - 1;
                ids.push(u as u32);
                steps.push(STUTTER);
                return Ok(Some((ids, steps, loop_start)));
            }
            let comp = scc(g, &|u, v| waiting[u as usize] && waiting[v as usize])?;
            lasso(g, &comp, &|u, v, _| waiting[u as usize] && waiting[v as usize])
        }
        Watch::Changes(measure) => {
            // Read only for the ends of an edge inside a component, as above.
            let value = lazily(g, |st| measure.value_of(m, st));
            lasso_any(g, &|u, v, _| value(u) != value(v))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::explicit::Store;
    use crate::ir::DeploymentId;
    use crate::model::testkit::{deployment, model};
    use crate::model::{registry, ClusterState};

    fn graph(states: Vec<ClusterState<Concrete>>, edges: &[(u32, u32)]) -> Graph {
        let n = states.len();
        let mut store = Store::new(&states[0]);
        for st in &states {
            store.insert(&st.pack());
        }
        let mut g = Graph {
            states: store,
            canonical: None,
            deployments: None,
            left_renaming: false,
            origins: Vec::new(),
            labels: vec![Step { actor: 0, op: 0, a: 0, b: 0, v: 0 }],
            parent: vec![None; n],
            depth: vec![0; n],
            edges: Default::default(),
            stutters: vec![false; n],
            truncated: false,
            renamed_guards: 0,
            state_limit_at: None,
            stopped_at: None,
            deadline_at: None,
            transitions: 0,
            expanded: n as u32,
            reduced: None,
            components: Default::default(),
        };
        // Transitions are stored by source state, as a search adds them.
        let mut edges = edges.to_vec();
        edges.sort_by_key(|&(u, _)| u);
        for &(u, v) in &edges {
            g.edges.push(u, v, 0);
            if g.parent[v as usize].is_none() && v != 0 {
                g.parent[v as usize] = Some((u, 0));
                g.depth[v as usize] = g.depth[u as usize] + 1;
            }
        }
        g
    }

    /// A replica count that goes up and comes back is reported as a lasso; a one-way change is not.
    #[test]
    fn replica_changes_inside_a_cycle_form_a_lasso() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 1, capacity: {cpu: \"8\", memory: 8Gi}}]\n";
        let m = model(&format!("{}{spec}", deployment("web", 1, "1", "1Gi", "")));
        let reg = registry::<Concrete>();
        let s0 = m.initial_state(&[1]);
        let mut s1 = s0.clone();
        s1.desired[0] = 2;
        let intent = Intent::NoReplicaOscillation { deployment: DeploymentId(0), drop: 1 };
        let cyclic = graph(vec![s0.clone(), s1.clone()], &[(0, 1), (1, 0)]);
        let (ids, steps, loop_start) = find(&m, &reg, &cyclic, &intent).unwrap().expect("a lasso");
        assert_eq!((ids, steps.len(), loop_start), (vec![0, 1, 0], 2, 0));
        let one_way = graph(vec![s0, s1], &[(0, 1), (1, 1)]);
        assert!(find(&m, &reg, &one_way, &intent).unwrap().is_none());
    }
}
