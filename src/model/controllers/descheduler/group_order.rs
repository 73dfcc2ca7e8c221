//! Orders of the pod groups on one node where upstream's pod order is arbitrary (the pod
//! lister's order, or a `sort.Slice` that leaves ties in it), shared by the plugins that walk
//! a node's pods: each plugin splits the groups into classes in the order its sort puts them,
//! each class saying whether the order of its groups can change what the plugin evicts, and
//! a choice of the step names one order of every such class on every node (one digit per
//! node). No plugin's own rule lives here.

use super::super::super::Model;
use super::evictor::in_namespaces;
use crate::ir::Namespaces;

/// Groups in a plugin's order, as classes: the groups of a class tie in the plugin's sort;
/// the flag says whether their order can change the outcome (only then is it a choice).
pub(super) type Classes = Vec<(Vec<usize>, bool)>;

/// Splits `groups` (already in the plugin's order) into classes of equal `key`; `matters`
/// says, for a class of two or more, whether its order counts.
pub(super) fn classes<K: PartialEq>(
    groups: Vec<usize>,
    key: impl Fn(usize) -> K,
    matters: impl Fn(&[usize]) -> bool,
) -> Classes {
    let mut out: Classes = Vec::new();
    for g in groups {
        match out.last_mut() {
            Some((c, _)) if key(c[0]) == key(g) => c.push(g),
            _ => out.push((vec![g], false)),
        }
    }
    for (c, flag) in &mut out {
        *flag = c.len() > 1 && matters(c);
    }
    out
}

/// Some eviction limit is set: the groups a node's walk takes first use it up.
/// The groups RemovePodsViolatingNodeTaints or RemovePodsViolatingNodeAffinity may evict (a
/// Deployment's, in a namespace its filter admits), as one class: upstream walks a node's pods
/// in the lister's arbitrary order, which can change what it evicts where an eviction limit
/// is set or two of them share a PodDisruptionBudget; there every order of them on every node
/// is a choice of the step.
pub(super) fn listed(m: &Model, namespaces: &Namespaces) -> Classes {
    let gs: Vec<usize> = (0..m.ir.groups.len())
        .filter(|&g| m.ir.groups[g].daemon_set().is_none() && in_namespaces(m, namespaces, g))
        .collect();
    let limits = limits_set(m);
    classes(gs, |_| (), |c| limits || share_a_budget(m, c))
}

pub(super) fn limits_set(m: &Model) -> bool {
    m.ir.descheduler
        .as_ref()
        .is_some_and(|ds| ds.max_per_node.is_some() || ds.max_per_namespace.is_some() || ds.max_total.is_some())
}

/// Two of `groups` share a PodDisruptionBudget: the first evicted takes the disruptions the
/// other would have had.
pub(super) fn share_a_budget(m: &Model, groups: &[usize]) -> bool {
    m.ir.pdbs.iter().any(|p| groups.iter().filter(|&&g| p.selects[g]).count() > 1)
}

/// Group orders of one node: the product of the factorials of the sizes of the classes
/// whose order matters.
pub(super) fn per_node(classes: &Classes) -> usize {
    classes.iter().filter(|(_, matters)| *matters).map(|(c, _)| (1..=c.len()).product::<usize>()).product()
}

/// Choices of group orders over every node (1 where no order matters).
pub(super) fn choices(m: &Model, classes: &Classes) -> usize {
    let k = per_node(classes);
    (0..m.nodes()).try_fold(1usize, |acc, _| acc.checked_mul(k)).unwrap_or(usize::MAX)
}

/// The groups on node `n` in the order of choice `choice` (below [`choices`]): classes in
/// order, the groups of a class whose order matters in the permutation the node's digit
/// names, the others as given.
pub(super) fn group_orders(classes: &Classes, choice: usize, n: usize) -> Vec<usize> {
    let k = per_node(classes);
    let mut digit = (0..n).fold(choice, |c, _| c / k) % k;
    let mut out = Vec::new();
    for (c, matters) in classes {
        if *matters {
            let f: usize = (1..=c.len()).product();
            out.extend(super::permutation(c.len(), digit % f).into_iter().map(|i| c[i]));
            digit /= f;
        } else {
            out.extend(c.iter().copied());
        }
    }
    out
}

/// The group orders of choice `choice` in words, for the nodes where it differs from the
/// first order: "on n-0 web@r1 before web@r0".
pub(super) fn describe(m: &Model, classes: &Classes, choice: usize) -> Vec<String> {
    let mut out = Vec::new();
    for n in 0..m.nodes() {
        let mine = group_orders(classes, choice, n);
        if mine != group_orders(classes, 0, n) {
            let names: Vec<String> = mine.iter().map(|&g| m.group_name(g)).collect();
            out.push(format!("on {} {}", m.node_name(n), names.join(" before ")));
        }
    }
    out
}
