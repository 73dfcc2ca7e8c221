//! Frames: the state at one step of the unrolling as solver terms. Fresh constants named
//! `<object>.<field>@<step>` (docs/encoding.md), a concrete state lifted to constants, a
//! frame's fields as flat lists of terms and back, and equality of frames and of two nodes
//! within one frame. It must not assert anything (the unrolling and the queries do).

use z3::ast::{Ast, Bool, Int};

use crate::domain::{Concrete, Symbolic};
use crate::model::state::Slot;
use crate::model::{ClusterState, Model};

/// Fresh constants for frame `k`, named `<object>.<field>@<k>` (each field's names are its
/// declaration's, `model::state::Field::pattern`).
pub(super) fn frame(m: &Model, k: usize) -> ClusterState<Symbolic> {
    ClusterState::build(m, &mut |name| Int::new_const(format!("{name}@{k}")), &mut |name| {
        Bool::new_const(format!("{name}@{k}"))
    })
}

/// A term per value of `st`, in the order of its packed key (`ClusterState::for_each_packed`).
enum Term<'a> {
    Int(&'a Int),
    Bool(&'a Bool),
}

/// Every value of `st` as a term, in packed order.
fn terms(st: &ClusterState<Symbolic>) -> Vec<Term<'_>> {
    let mut out = Vec::new();
    st.for_each_packed(|_, slot| match slot {
        Slot::Ints(v) => out.extend(v.iter().map(Term::Int)),
        Slot::Bools(v) => out.extend(v.iter().map(Term::Bool)),
        Slot::Grid(rows) => out.extend(rows.iter().flatten().map(Term::Int)),
    });
    out
}

/// `a == b`, value by value in packed order.
pub(super) fn equal(a: &ClusterState<Symbolic>, b: &ClusterState<Symbolic>) -> Bool {
    let parts: Vec<Bool> = terms(a)
        .into_iter()
        .zip(terms(b))
        .map(|pair| match pair {
            (Term::Int(p), Term::Int(q)) => p.eq(q),
            (Term::Bool(p), Term::Bool(q)) => p.iff(q),
            _ => unreachable!("two frames of one model have one shape"),
        })
        .collect();
    Bool::and(&parts)
}

/// A state's integer and boolean field values, in `ClusterState::map`'s order.
pub(super) type Fields = (Vec<Int>, Vec<Bool>);

/// The integer and boolean values of a state, in `ClusterState::map`'s order (declaration
/// order).
pub(super) fn fields(st: &ClusterState<Symbolic>) -> Fields {
    let (mut ints, mut bools) = (Vec::new(), Vec::new());
    for slot in st.slots() {
        match slot {
            Slot::Ints(v) => ints.extend(v.iter().cloned()),
            Slot::Bools(v) => bools.extend(v.iter().cloned()),
            Slot::Grid(rows) => ints.extend(rows.iter().flatten().cloned()),
        }
    }
    (ints, bools)
}

/// A state shaped as `shape` with the values `ints` and `bools` (in `fields`' order).
pub(super) fn with_fields(shape: &ClusterState<Symbolic>, ints: Vec<Int>, bools: Vec<Bool>) -> ClusterState<Symbolic> {
    let (mut ints, mut bools) = (ints.into_iter(), bools.into_iter());
    let (ints, bools) = (std::cell::RefCell::new(&mut ints), std::cell::RefCell::new(&mut bools));
    shape.map::<Symbolic>(&|_| ints.borrow_mut().next().expect("one value per integer field"), &|_| {
        bools.borrow_mut().next().expect("one value per boolean field")
    })
}

/// Whether the states with field values `a` and `b` (as `fields` gives them) are the same in
/// every state: each field the same term, or simplifying to the same term. False when unsure
/// (a sound answer for dropping self-loops: only sure ones are).
pub(super) fn same_state(a: &Fields, b: &Fields) -> bool {
    a.0.iter().zip(&b.0).all(|(x, y)| x == y || x.simplify() == y.simplify())
        && a.1.iter().zip(&b.1).all(|(x, y)| x == y || x.simplify() == y.simplify())
}

/// Per node n: whether a lower node of the same static class (`classes`) is in the same
/// per-node state in `st`. Nodes whose per-node values are all constants (most of a large
/// pool in the first frames) are matched by those values, not pairwise: pairs of constant
/// nodes are decided here, and only pairs with a node of unknown values become formulas, so
/// a pool of a thousand idle nodes costs a thousand lookups rather than half a million
/// comparisons. Each entry is the disjunction of `same_node` over the lower nodes, simplified.
pub(super) fn twins(st: &ClusterState<Symbolic>, classes: &[usize]) -> Vec<Bool> {
    let nn = classes.len();
    let constant: Vec<Option<Vec<i64>>> = (0..nn).map(|n| node_values(st, n)).collect();
    let mut first: std::collections::HashMap<(usize, &[i64]), usize> = std::collections::HashMap::new();
    // Per class, the nodes seen so far whose values are not all constants.
    let mut unknown: std::collections::HashMap<usize, Vec<usize>> = std::collections::HashMap::new();
    (0..nn)
        .map(|n| {
            let lower_unknown = unknown.get(&classes[n]).map(|v| v.as_slice()).unwrap_or(&[]);
            let twin = match &constant[n] {
                Some(vals) => {
                    if first.insert((classes[n], vals.as_slice()), n).is_some() {
                        return Bool::from_bool(true);
                    }
                    Bool::or(&lower_unknown.iter().map(|&j| same_node(st, j, n)).collect::<Vec<_>>())
                }
                None => Bool::or(
                    &(0..n).filter(|&j| classes[j] == classes[n]).map(|j| same_node(st, j, n)).collect::<Vec<_>>(),
                ),
            };
            if constant[n].is_none() {
                unknown.entry(classes[n]).or_default().push(n);
            }
            twin.simplify()
        })
        .collect()
}

/// Node `n`'s values of every per-node field, in packed order.
fn node_terms(st: &ClusterState<Symbolic>, n: usize) -> Vec<Term<'_>> {
    let mut out = Vec::new();
    st.for_each_packed(|shape, slot| {
        if !shape.per_node() {
            return;
        }
        match slot {
            Slot::Ints(v) => out.push(Term::Int(&v[n])),
            Slot::Bools(v) => out.push(Term::Bool(&v[n])),
            Slot::Grid(rows) => out.extend(rows.iter().map(|r| Term::Int(&r[n]))),
        }
    });
    out
}

/// Node `n`'s per-node values (those `same_node` compares) when all are constants.
fn node_values(st: &ClusterState<Symbolic>, n: usize) -> Option<Vec<i64>> {
    node_terms(st, n)
        .into_iter()
        .map(|t| match t {
            Term::Int(x) => x.as_i64(),
            Term::Bool(b) => b.as_bool().map(|b| b as i64),
        })
        .collect()
}

/// Whether nodes `a` and `b` are in the same per-node state.
pub(super) fn same_node(st: &ClusterState<Symbolic>, a: usize, b: usize) -> Bool {
    let parts: Vec<Bool> = node_terms(st, a)
        .into_iter()
        .zip(node_terms(st, b))
        .map(|pair| match pair {
            (Term::Int(p), Term::Int(q)) => p.eq(q),
            (Term::Bool(p), Term::Bool(q)) => p.iff(q),
            _ => unreachable!("one field is of one kind"),
        })
        .collect();
    Bool::and(&parts)
}

/// A state's integer and boolean field values (`None`: not a constant).
pub(super) type Values = (Vec<Option<i64>>, Vec<Option<bool>>);

/// Every field value of a concrete state, integers and booleans, in `fields` order (unlike a
/// packed key, this holds any value, also off the invariant).
pub(super) fn values(st: &ClusterState<Concrete>) -> Values {
    // Read off the concrete state in `fields`' order, without making a solver term of each.
    let (mut ints, mut bools) = (Vec::new(), Vec::new());
    for slot in st.slots() {
        match slot {
            Slot::Ints(v) => ints.extend(v.iter().map(|&x| Some(x))),
            Slot::Bools(v) => bools.extend(v.iter().map(|&x| Some(x))),
            Slot::Grid(rows) => ints.extend(rows.iter().flatten().map(|&x| Some(x))),
        }
    }
    (ints, bools)
}

/// Each field value of a concrete state, in `fields` order (the integers, then the booleans as
/// 0 and 1), to `f`, until `f` returns false; whether it never did. Reads the state in place,
/// where [`values`] makes vectors of it.
pub(super) fn each_value(st: &ClusterState<Concrete>, mut f: impl FnMut(i64) -> bool) -> bool {
    let slots = st.slots();
    for slot in &slots {
        let all = match slot {
            Slot::Ints(v) => v.iter().all(|&x| f(x)),
            Slot::Grid(rows) => rows.iter().flatten().all(|&x| f(x)),
            Slot::Bools(_) => true,
        };
        if !all {
            return false;
        }
    }
    slots.iter().all(|slot| match slot {
        Slot::Bools(v) => v.iter().all(|&x| f(i64::from(x))),
        _ => true,
    })
}

/// A concrete state as solver constants (frame 0 of a run from it: the unrolling propagates
/// them).
pub(super) fn lift(st: &ClusterState<Concrete>) -> ClusterState<Symbolic> {
    st.map::<Symbolic>(&|i: &i64| Int::from_i64(*i), &|b: &bool| Bool::from_bool(*b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Domain;
    use crate::model::testkit::{deployment, model};

    /// Group `web` on node `x.n-0` and group `web.x` on node `n-0` would both be
    /// `pod.web.x.n-0.bound@0` if names were joined by dots alone: every field of a frame
    /// must be a constant of its own.
    #[test]
    fn every_field_of_a_frame_is_its_own_constant() {
        // A pool name is a DNS-1123 label (no dots), a Node's name a subdomain: the dotted
        // node comes from a Node manifest.
        let node = "apiVersion: v1\nkind: Node\nmetadata: {name: x.n-0}\nstatus: {allocatable: {cpu: \"8\", memory: 8Gi, pods: \"110\"}}\n---\n";
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 1, capacity: {cpu: \"8\", memory: 8Gi}}]\n";
        let m = model(&format!(
            "{}{}{node}{spec}",
            deployment("web", 1, "1", "1Gi", ""),
            deployment("web.x", 1, "1", "1Gi", "")
        ));
        let mut names: Vec<String> = m.ir.nodes.iter().map(|n| n.name.clone()).collect();
        names.sort();
        assert_eq!(names, ["n-0", "x.n-0"]);
        let (ints, bools) = fields(&frame(&m, 0));
        let consts: Vec<String> =
            ints.iter().map(|v| v.to_string()).chain(bools.iter().map(|v| v.to_string())).collect();
        let distinct: std::collections::HashSet<&String> = consts.iter().collect();
        assert_eq!(distinct.len(), consts.len(), "{consts:?}");
        assert!(consts.iter().any(|c| c.contains("pod.[web.x].n-0.bound@0")), "{consts:?}");
    }

    /// The model sums pods per node over whole per-node vectors (a speed-up of the explicit
    /// engine); the solver must still be given the terms a node-by-node sum builds, in its
    /// order. Checked on every bundled case, among them Deployments with two revisions and
    /// groups with several usage kinds.
    #[test]
    fn per_node_sums_give_the_terms_of_node_by_node_sums() {
        let cases = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/cases"));
        let (mut revisions, mut kinds) = (false, false);
        for case in std::fs::read_dir(cases).expect("cases/ is there").map(|e| e.expect("a case").path()) {
            let (ir, _) = crate::load_model(std::slice::from_ref(&case), false).expect("a bundled case loads");
            let m = Model::new(&ir);
            revisions |= m.groups_of.iter().any(|g| g.len() > 1);
            kinds |= m.kinds_of_group.iter().any(|k| k.len() > 1);
            let (d, st) = (Symbolic, frame(&m, 0));
            for dep in 0..m.ir.deployments.len() {
                let mut replicas = d.int(0);
                for n in 0..m.nodes() {
                    let on = d.sum_of(
                        m.groups_of[dep].iter().map(|&g| crate::model::node::running_of_group(&d, &m, &st, g, n)),
                    );
                    replicas = d.add(&replicas, &d.ite(&crate::model::node::ready(&d, &st, n), &on, &d.int(0)));
                }
                let got = crate::model::running_replicas(&d, &m, &st, dep);
                assert_eq!(got.to_string(), replicas.to_string(), "{}", case.display());
            }
            let requested = crate::model::node::requested(&d, &m, &st);
            for (n, got) in requested.iter().enumerate() {
                let f = m.ir.nodes[n].fixed;
                let (mut cpu, mut mem, mut pods) = (d.int(f.cpu_milli), d.int(f.memory), d.int(f.pods));
                let counts = (m.ir.groups.iter().enumerate())
                    .map(|(g, grp)| (d.add(&st.bound[g][n], &st.terminating[g][n]), grp.requests))
                    .chain(
                        m.kinds
                            .iter()
                            .enumerate()
                            .map(|(k, kind)| (st.running[k][n].clone(), m.ir.groups[kind.group.index()].requests)),
                    );
                for (c, r) in counts {
                    cpu = d.add(&cpu, &d.mul_const(&c, r.cpu_milli));
                    mem = d.add(&mem, &d.mul_const(&c, r.memory));
                    pods = d.add(&pods, &c);
                }
                assert_eq!(
                    (got.0.to_string(), got.1.to_string(), got.2.to_string()),
                    (cpu.to_string(), mem.to_string(), pods.to_string()),
                    "{} node {n}",
                    case.display()
                );
            }
        }
        assert!(revisions && kinds, "no bundled case has two revisions of a Deployment and several usage kinds");
    }
}
