//! Frames: the state at one step of the unrolling as solver terms. Fresh constants named
//! `<object>.<field>@<step>` (docs/encoding.md), a concrete state lifted to constants, a
//! frame's fields as flat lists of terms and back, and equality of frames and of two nodes
//! within one frame. It must not assert anything (the unrolling and the queries do).

use z3::ast::{Ast, Bool, Int};

use crate::domain::{Concrete, Symbolic};
use crate::model::{ClusterState, Model};

/// Fresh constants for frame `k`, named `<object>.<field>@<k>`.
pub(super) fn frame(m: &Model, k: usize) -> ClusterState<Symbolic> {
    let ir = &m.ir;
    let node = |n: usize, f: &str| format!("node.{}.{f}@{k}", ir.nodes[n].name);
    let int = |name: String| Int::new_const(name);
    let boolean = |name: String| Bool::new_const(name);
    let nn = ir.nodes.len();
    // Deployment and node names may contain dots (both are DNS subdomains): `pod.a.b.c` would
    // be group `a.b` on node `c` and group `a` on node `b.c`, one solver constant for two
    // fields. A dotted name is bracketed (`pod.[a.b].c`), which no Kubernetes name contains.
    let part = |name: &str| if name.contains('.') { format!("[{name}]") } else { name.to_string() };
    let per_group = |f: &str| -> Vec<Vec<Int>> {
        (0..ir.groups.len())
            .map(|g| {
                (0..nn)
                    .map(|n| int(format!("pod.{}.{}.{f}@{k}", part(&m.group_name(g)), part(&ir.nodes[n].name))))
                    .collect()
            })
            .collect()
    };
    ClusterState {
        present: (0..nn).map(|n| boolean(node(n, "present"))).collect(),
        status: (0..nn).map(|n| int(node(n, "status"))).collect(),
        cordoned: (0..nn).map(|n| boolean(node(n, "cordoned"))).collect(),
        draining: (0..nn).map(|n| boolean(node(n, "draining"))).collect(),
        maintained: (0..nn).map(|n| boolean(node(n, "maintained"))).collect(),
        panics: (0..nn).map(|n| int(node(n, "panics"))).collect(),
        pending: (0..ir.groups.len()).map(|g| int(format!("pod.{}.pending@{k}", m.group_name(g)))).collect(),
        bound: per_group("bound"),
        running: m
            .kinds
            .iter()
            .map(|kind| {
                (0..nn)
                    .map(|n| {
                        int(format!(
                            "pod.{}:{}m{}.{}.running@{k}",
                            m.group_name(kind.group.index()),
                            kind.cpu_usage,
                            if kind.warming { "-warming" } else { "" },
                            ir.nodes[n].name
                        ))
                    })
                    .collect()
            })
            .collect(),
        terminating: per_group("terminating"),
        evicting: if m.defers_evictions.contains(&true) { per_group("evicting") } else { Vec::new() },
        deleting: if m.marks_deletions {
            let mut rows = per_group("deleting");
            rows.extend(m.kinds.iter().map(|kind| {
                (0..nn)
                    .map(|n| {
                        int(format!(
                            "pod.{}:{}m{}.{}.deleting@{k}",
                            part(&m.group_name(kind.group.index())),
                            kind.cpu_usage,
                            if kind.warming { "-warming" } else { "" },
                            part(&ir.nodes[n].name)
                        ))
                    })
                    .collect::<Vec<_>>()
            }));
            rows
        } else {
            Vec::new()
        },
        queued: if m.queues_evictions { per_group("queued") } else { Vec::new() },
        desired: ir.deployments.iter().map(|d| int(format!("deployment.{}.desired@{k}", d.name))).collect(),
        revision: ir.deployments.iter().map(|d| int(format!("deployment.{}.revision@{k}", d.name))).collect(),
        hpa_window_max: ir.hpas.iter().map(|h| int(format!("hpa.{}.windowMax@{k}", h.name))).collect(),
        hpa_window_min: ir.hpas.iter().map(|h| int(format!("hpa.{}.windowMin@{k}", h.name))).collect(),
        budget: ir
            .events
            .iter()
            .enumerate()
            .map(|(e, ev)| int(format!("event.{e}.{}.budget@{k}", ev.name())))
            .collect(),
        monitor: ir
            .intents
            .iter()
            .enumerate()
            .map(|(i, it)| boolean(format!("intent.{i}.{}.monitor@{k}", it.name())))
            .collect(),
        stateful: m.stateful_names().into_iter().map(|n| int(format!("{n}@{k}"))).collect(),
        nominated: if m.preempts { per_group("nominated") } else { Vec::new() },
        preempting: if m.preempts { per_group("preempting") } else { Vec::new() },
        unscheduled: m
            .daemon_groups
            .iter()
            .map(|&g| {
                (0..nn)
                    .map(|n| int(format!("pod.{}.{}.unscheduled@{k}", part(&m.group_name(g)), part(&ir.nodes[n].name))))
                    .collect()
            })
            .collect(),
        daemon_revision: ir
            .daemon_sets
            .iter()
            .map(|s| int(format!("daemonset.{}.revision@{k}", part(&s.name))))
            .collect(),
        scaling_down: if m.ir.autoscaler.is_some() {
            vec![
                (0..nn).map(|n| int(node(n, "scalingDown"))).collect(),
                (0..nn).map(|n| int(node(n, "unneeded"))).collect(),
            ]
        } else {
            Vec::new()
        },
        scale_up_hold: if m.ir.autoscaler.is_some() {
            vec![int(format!("clusterAutoscaler.scaleUpHold@{k}"))]
        } else {
            Vec::new()
        },
    }
}

/// `a == b`, field by field.
pub(super) fn equal(a: &ClusterState<Symbolic>, b: &ClusterState<Symbolic>) -> Bool {
    let mut parts: Vec<Bool> = Vec::new();
    let ints = |x: &Vec<Int>, y: &Vec<Int>, out: &mut Vec<Bool>| out.extend(x.iter().zip(y).map(|(p, q)| p.eq(q)));
    let bools = |x: &Vec<Bool>, y: &Vec<Bool>, out: &mut Vec<Bool>| out.extend(x.iter().zip(y).map(|(p, q)| p.iff(q)));
    bools(&a.present, &b.present, &mut parts);
    ints(&a.status, &b.status, &mut parts);
    bools(&a.cordoned, &b.cordoned, &mut parts);
    bools(&a.draining, &b.draining, &mut parts);
    bools(&a.maintained, &b.maintained, &mut parts);
    ints(&a.panics, &b.panics, &mut parts);
    ints(&a.pending, &b.pending, &mut parts);
    for (x, y) in a
        .bound
        .iter()
        .zip(&b.bound)
        .chain(a.running.iter().zip(&b.running))
        .chain(a.terminating.iter().zip(&b.terminating))
        .chain(a.evicting.iter().zip(&b.evicting))
        .chain(a.deleting.iter().zip(&b.deleting))
        .chain(a.queued.iter().zip(&b.queued))
        .chain(a.nominated.iter().zip(&b.nominated))
        .chain(a.preempting.iter().zip(&b.preempting))
        .chain(a.unscheduled.iter().zip(&b.unscheduled))
        .chain(a.scaling_down.iter().zip(&b.scaling_down))
    {
        ints(x, y, &mut parts);
    }
    ints(&a.desired, &b.desired, &mut parts);
    ints(&a.revision, &b.revision, &mut parts);
    ints(&a.hpa_window_max, &b.hpa_window_max, &mut parts);
    ints(&a.hpa_window_min, &b.hpa_window_min, &mut parts);
    ints(&a.budget, &b.budget, &mut parts);
    bools(&a.monitor, &b.monitor, &mut parts);
    ints(&a.stateful, &b.stateful, &mut parts);
    ints(&a.daemon_revision, &b.daemon_revision, &mut parts);
    ints(&a.scale_up_hold, &b.scale_up_hold, &mut parts);
    Bool::and(&parts)
}

/// A state's integer and boolean field values, in `ClusterState::map`'s order.
pub(super) type Fields = (Vec<Int>, Vec<Bool>);

/// The integer and boolean values of a state, in `ClusterState::map`'s order.
pub(super) fn fields(st: &ClusterState<Symbolic>) -> Fields {
    let ints = std::cell::RefCell::new(Vec::new());
    let bools = std::cell::RefCell::new(Vec::new());
    let _: ClusterState<Concrete> = st.map(
        &|i: &Int| {
            ints.borrow_mut().push(i.clone());
            0
        },
        &|b: &Bool| {
            bools.borrow_mut().push(b.clone());
            false
        },
    );
    (ints.into_inner(), bools.into_inner())
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

/// Node `n`'s per-node values (those `same_node` compares) when all are constants.
fn node_values(st: &ClusterState<Symbolic>, n: usize) -> Option<Vec<i64>> {
    let mut out = vec![
        st.present[n].as_bool()? as i64,
        st.status[n].as_i64()?,
        st.cordoned[n].as_bool()? as i64,
        st.draining[n].as_bool()? as i64,
        st.maintained[n].as_bool()? as i64,
        st.panics[n].as_i64()?,
    ];
    for row in st.pod_rows() {
        out.push(row[n].as_i64()?);
    }
    Some(out)
}

/// Whether nodes `a` and `b` are in the same per-node state.
pub(super) fn same_node(st: &ClusterState<Symbolic>, a: usize, b: usize) -> Bool {
    let mut parts = vec![
        st.present[a].iff(&st.present[b]),
        st.status[a].eq(&st.status[b]),
        st.cordoned[a].iff(&st.cordoned[b]),
        st.draining[a].iff(&st.draining[b]),
        st.maintained[a].iff(&st.maintained[b]),
        st.panics[a].eq(&st.panics[b]),
    ];
    for row in st.pod_rows() {
        parts.push(row[a].eq(&row[b]));
    }
    Bool::and(&parts)
}

/// A state's integer and boolean field values (`None`: not a constant).
pub(super) type Values = (Vec<Option<i64>>, Vec<Option<bool>>);

/// Every field value of a concrete state, integers and booleans, in `fields` order (unlike a
/// packed key, this holds any value, also off the invariant).
pub(super) fn values(st: &ClusterState<Concrete>) -> Values {
    let (i, b) = fields(&lift(st));
    (i.iter().map(|x| x.as_i64()).collect(), b.iter().map(|x| x.as_bool()).collect())
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
                    let on =
                        d.sum_of(m.groups_of[dep].iter().map(|&g| crate::model::running_of_group(&d, &m, &st, g, n)));
                    replicas = d.add(&replicas, &d.ite(&crate::model::ready(&d, &st, n), &on, &d.int(0)));
                }
                let got = crate::model::running_replicas(&d, &m, &st, dep);
                assert_eq!(got.to_string(), replicas.to_string(), "{}", case.display());
            }
            let requested = crate::model::requested(&d, &m, &st);
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
