//! kube-scheduler's InterPodAffinity plugin, filter and score, over the pods per group and
//! node: what the framework's runtime (`mod.rs`) asks of it for a pod of one group. It owns
//! no step and must not read anything but the state's pod counts and the IR's resolved terms
//! (`ir::affinity`).
//!
//! Follows kubernetes `pkg/scheduler/framework/plugins/interpodaffinity/`:
//! - filtering.go `PreFilter` and `Filter`: every pod on a node counts, terminating ones
//!   included (the scheduler's cache keeps a pod until it is deleted); counts are per topology
//!   pair (key, value) of the existing pod's node. `satisfyPodAffinity`: the node has every
//!   required term's key and, for each term, a pod matching all the terms is in its domain; or
//!   no pod anywhere matches all the terms and the incoming pod matches them itself.
//!   `satisfyPodAntiAffinity`: for each required anti-affinity term whose key the node has, no
//!   matching pod in its domain. `satisfyExistingPodsAntiAffinity`: no pod with a required
//!   anti-affinity term that matches the incoming pod is in the node's domain of that term.
//! - scoring.go `PreScore`, `Score` and `NormalizeScore`: per node, the incoming pod's
//!   preferred terms add (affinity) or subtract (anti-affinity) their weight per matching pod
//!   in the node's domain; each existing pod's required affinity terms (weight
//!   `hardPodAffinityWeight`) and preferred affinity terms the incoming pod matches add, its
//!   preferred anti-affinity terms subtract, for the nodes of its domain
//!   (`ignorePreferredTermsOfExistingPods` drops the existing pods' preferred terms when the
//!   incoming pod has none); then `100 * (s - min) / (max - min)` over the feasible nodes in
//!   float64, truncated (0 when all are equal). The float quotient is exact but where
//!   `(s - min) / (max - min)` is 29/100, 57/100 or 58/100, which truncate to one less
//!   (`float64(0.29) * 100 = 28.999999999999996`).
//!
//! The snapshot's fixed pods count where a term matches them; fixed pods with inter-pod
//! affinity of their own are refused on input, so only the groups' terms act.

use super::super::{ClusterState, Model};
use crate::domain::{Concrete, Domain};
use crate::ir::PodAffinityTerm;

/// Per group and node: every pod of the group there (bound, running or terminating).
pub fn pods_per_node<D: Domain>(d: &D, st: &ClusterState<D>, active: &[Vec<D::Int>]) -> Vec<Vec<D::Int>> {
    active.iter().zip(&st.terminating).map(|(a, t)| a.iter().zip(t).map(|(x, y)| d.add(x, y)).collect()).collect()
}

/// Whether any group has an inter-pod affinity term (else the plugin is skipped).
pub fn any(m: &Model) -> bool {
    m.ir.groups.iter().any(|g| !g.pod_affinity.is_empty())
}

/// The node's value index for the term's key (`None`: the node lacks the key).
fn domain_of(m: &Model, t: &PodAffinityTerm, n: usize) -> Option<usize> {
    m.topology[t.topology_key.0 as usize].1[n]
}

/// Per value of `t`'s key: the sum of `per_node` over the nodes with that value.
fn per_domain<D: Domain>(d: &D, m: &Model, t: &PodAffinityTerm, per_node: &[D::Int]) -> Vec<D::Int> {
    let (nv, idx) = &m.topology[t.topology_key.0 as usize];
    let mut out = vec![d.int(0); *nv];
    for (n, v) in idx.iter().enumerate() {
        if let Some(v) = v {
            out[*v] = d.add(&out[*v], &per_node[n]);
        }
    }
    out
}

/// Per node: the pods term `t` matches there (groups it selects, and fixed pods).
fn matched_per_node<D: Domain>(d: &D, t: &PodAffinityTerm, pods: &[Vec<D::Int>], nn: usize) -> Vec<D::Int> {
    (0..nn)
        .map(|n| {
            let mut c = d.int(t.fixed[n]);
            for (h, sel) in t.selects.iter().enumerate() {
                if *sel {
                    c = d.add(&c, &pods[h][n]);
                }
            }
            c
        })
        .collect()
}

/// Why the filter rejects node `n` for a pod of group `g` (concrete states, for traces): the
/// term named by its field, or `None` when the node passes.
pub fn rejection(m: &Model, pods: &[Vec<i64>], g: usize, n: usize) -> Option<String> {
    let d = Concrete;
    let grp = &m.ir.groups[g];
    let name = m.group_name(g);
    let ok = affinity_ok(&d, m, pods, g);
    if !ok[n] {
        let t = grp
            .pod_affinity
            .required
            .iter()
            .find(|t| domain_of(m, t, n).is_none())
            .or(grp.pod_affinity.required.first());
        let why = match t {
            Some(t) if domain_of(m, t, n).is_none() => {
                format!("the node has no label {}", m.ir.labels.key_name(t.topology_key))
            }
            _ => "no pod it selects in the node's domain".to_string(),
        };
        let field = t.map(|t| t.field.as_str()).unwrap_or("affinity.podAffinity");
        return Some(format!("InterPodAffinity: {name}'s {field} ({why})"));
    }
    for t in &grp.pod_affinity.required_anti {
        let Some(v) = domain_of(m, t, n) else { continue };
        let c = per_domain(&d, m, t, &matched_per_node(&d, t, pods, m.nodes()))[v];
        if c > 0 {
            let key = m.ir.labels.key_name(t.topology_key);
            return Some(format!(
                "InterPodAffinity: {name}'s {} ({c} pod(s) it selects in {key} of the node)",
                t.field
            ));
        }
    }
    for (h, other) in m.ir.groups.iter().enumerate() {
        for t in other.pod_affinity.required_anti.iter().filter(|t| t.selects[g]) {
            let Some(v) = domain_of(m, t, n) else { continue };
            let c = per_domain(&d, m, t, &pods[h])[v];
            if c > 0 {
                let key = m.ir.labels.key_name(t.topology_key);
                return Some(format!(
                    "InterPodAffinity: {}'s {} ({c} pod(s) of {} in {key} of the node keep {name} away)",
                    m.group_name(h),
                    t.field,
                    m.group_name(h)
                ));
            }
        }
    }
    None
}

/// `satisfyPodAffinity` per node, for a pod of group `g`.
fn affinity_ok<D: Domain>(d: &D, m: &Model, pods: &[Vec<D::Int>], g: usize) -> Vec<D::Bool> {
    let terms = &m.ir.groups[g].pod_affinity.required;
    let nn = m.nodes();
    if terms.is_empty() {
        return vec![d.bool(true); nn];
    }
    // Pods matching every term, per node: the groups every term selects, and fixed pods.
    let all_groups: Vec<usize> = (0..m.ir.groups.len()).filter(|&h| terms.iter().all(|t| t.selects[h])).collect();
    let all_fixed = &m.ir.groups[g].pod_affinity.required_fixed;
    let matching: Vec<D::Int> = (0..nn)
        .map(|n| {
            let mut c = d.int(all_fixed[n]);
            for &h in &all_groups {
                c = d.add(&c, &pods[h][n]);
            }
            c
        })
        .collect();
    // affinityCounts is empty when no node that has some term's key holds a matching pod.
    let keyed = |n: usize| terms.iter().any(|t| domain_of(m, t, n).is_some());
    let none_anywhere = d.all_of((0..nn).filter(|&n| keyed(n)).map(|n| d.le(&matching[n], &d.int(0))));
    let self_match = terms.iter().all(|t| t.selects[g]);
    let per_term: Vec<Vec<D::Int>> = terms.iter().map(|t| per_domain(d, m, t, &matching)).collect();
    (0..nn)
        .map(|n| {
            let mut exist = d.bool(true);
            for (t, counts) in terms.iter().zip(&per_term) {
                match domain_of(m, t, n) {
                    None => return d.bool(false),
                    Some(v) => exist = d.and(&exist, &d.gt(&counts[v], &d.int(0))),
                }
            }
            if self_match {
                d.or(&exist, &none_anywhere)
            } else {
                exist
            }
        })
        .collect()
}

/// The InterPodAffinity filter for a pod of group `g`, per node. `pods`: every pod per group
/// and node ([`pods_per_node`]).
pub fn filter<D: Domain>(d: &D, m: &Model, pods: &[Vec<D::Int>], g: usize) -> Vec<D::Bool> {
    let nn = m.nodes();
    let mut ok = affinity_ok(d, m, pods, g);
    // The incoming pod's required anti-affinity.
    for t in &m.ir.groups[g].pod_affinity.required_anti {
        let counts = per_domain(d, m, t, &matched_per_node(d, t, pods, nn));
        for (n, o) in ok.iter_mut().enumerate() {
            if let Some(v) = domain_of(m, t, n) {
                *o = d.and(o, &d.le(&counts[v], &d.int(0)));
            }
        }
    }
    // Existing pods' required anti-affinity terms that match the incoming pod.
    for (h, other) in m.ir.groups.iter().enumerate() {
        for t in other.pod_affinity.required_anti.iter().filter(|t| t.selects[g]) {
            let counts = per_domain(d, m, t, &pods[h]);
            for (n, o) in ok.iter_mut().enumerate() {
                if let Some(v) = domain_of(m, t, n) {
                    *o = d.and(o, &d.le(&counts[v], &d.int(0)));
                }
            }
        }
    }
    ok
}

/// The raw (not normalized) InterPodAffinity score of every node for a pod of group `g`.
fn raw_scores<D: Domain>(d: &D, m: &Model, pods: &[Vec<D::Int>], g: usize) -> Vec<D::Int> {
    let nn = m.nodes();
    let cfg = &m.ir.scheduler;
    let own = &m.ir.groups[g].pod_affinity;
    let mut raw = vec![d.int(0); nn];
    // Adds `sign * weight * count[domain of n]` to every node with the key.
    let mut add = |t: &PodAffinityTerm, weight: i64, counts: Vec<D::Int>| {
        for (n, r) in raw.iter_mut().enumerate() {
            if let Some(v) = domain_of(m, t, n) {
                *r = d.add(r, &d.mul_const(&counts[v], weight));
            }
        }
    };
    for (terms, sign) in [(&own.preferred, 1), (&own.preferred_anti, -1)] {
        for t in terms {
            add(t, sign * t.weight, per_domain(d, m, t, &matched_per_node(d, t, pods, nn)));
        }
    }
    let existing_preferred =
        !cfg.ignore_preferred_terms_of_existing_pods || !own.preferred.is_empty() || !own.preferred_anti.is_empty();
    for (h, other) in m.ir.groups.iter().enumerate() {
        let a = &other.pod_affinity;
        if cfg.hard_pod_affinity_weight > 0 {
            for t in a.required.iter().filter(|t| t.selects[g]) {
                add(t, cfg.hard_pod_affinity_weight, per_domain(d, m, t, &pods[h]));
            }
        }
        if existing_preferred {
            for t in a.preferred.iter().filter(|t| t.selects[g]) {
                add(t, t.weight, per_domain(d, m, t, &pods[h]));
            }
            for t in a.preferred_anti.iter().filter(|t| t.selects[g]) {
                add(t, -t.weight, per_domain(d, m, t, &pods[h]));
            }
        }
    }
    raw
}

/// Whether the plugin can score anything for a pod of group `g` (some term scores it).
fn scores_anything(m: &Model, g: usize) -> bool {
    let own = &m.ir.groups[g].pod_affinity;
    !own.preferred.is_empty()
        || !own.preferred_anti.is_empty()
        || m.ir.groups.iter().any(|o| {
            let a = &o.pod_affinity;
            (m.ir.scheduler.hard_pod_affinity_weight > 0 && a.required.iter().any(|t| t.selects[g]))
                || a.preferred.iter().chain(&a.preferred_anti).any(|t| t.selects[g])
        })
}

/// Quotients `k / 100` that float64 truncates to `k - 1` in `100 * (a / b)`.
const FLOAT_SHORT: [i64; 3] = [29, 57, 58];

/// `int64(100 * (float64(a) / float64(b)))` for `0 <= a <= b`, `b >= 1`: the quotient
/// `floor(100 a / b)`, one less where `a / b` is one of [`FLOAT_SHORT`] over 100.
fn normalized<D: Domain>(d: &D, a: &D::Int, b: &D::Int) -> D::Int {
    let num = d.mul_const(a, 100);
    let q = d.div_capped(&num, b, 100);
    let short = d.any_of(FLOAT_SHORT.iter().map(|&k| d.eq(&num, &d.mul_const(b, k))));
    d.sub(&q, &d.count(&short))
}

/// InterPodAffinity's normalized score per node (0..=100 on feasible nodes, 0 elsewhere), or
/// `None` when no term can score the pod (every node 0).
pub fn scores<D: Domain>(d: &D, m: &Model, pods: &[Vec<D::Int>], g: usize, feas: &[D::Bool]) -> Option<Vec<D::Int>> {
    if !scores_anything(m, g) {
        return None;
    }
    let raw = raw_scores(d, m, pods, g);
    let max = d.masked_max(&raw, feas, 0);
    let min = d.masked_min(&raw, feas, 0);
    let diff = d.sub(&max, &min);
    let pos = d.gt(&diff, &d.int(0));
    let den = d.max(&diff, &d.int(1));
    Some(
        raw.iter()
            .zip(feas)
            .map(|(r, f)| {
                let s = d.ite(&pos, &normalized(d, &d.sub(r, &min), &den), &d.int(0));
                d.ite(f, &s, &d.int(0))
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The normalization agrees with upstream's float64 arithmetic on every quotient up to
    /// a difference of 400.
    #[test]
    fn normalization_follows_float64() {
        for b in 1..=400i64 {
            for a in 0..=b {
                let float = (100.0 * (a as f64 / b as f64)) as i64;
                assert_eq!(normalized(&Concrete, &a, &b), float, "{a}/{b}");
            }
        }
        assert_eq!(normalized(&Concrete, &29, &100), 28);
    }
}

/// Upstream's tables, translated: each test names its file, test function and case.
#[cfg(test)]
mod upstream {
    use super::super::{feasible, filters};
    use super::*;
    use crate::model::testkit::model;

    /// A Deployment `name` whose pods carry `labels` (a flow mapping) and the pod-spec YAML
    /// `extra`, in namespace `ns`.
    fn dep(name: &str, ns: &str, labels: &str, extra: &str) -> String {
        let extra: String = extra.lines().map(|l| format!("      {l}\n")).collect();
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  replicas: 1\n  selector: {{matchLabels: {{kbmc-test: {name}}}}}\n  template:\n    metadata: {{labels: {{kbmc-test: {name}, {labels}}}}}\n    spec:\n      containers: [{{name: c, image: i, resources: {{requests: {{cpu: 100m, memory: 100Mi}}}}}}]\n{extra}---\n")
    }

    /// `pools`: YAML lines of node pools (one node each); `existing`: (name, namespace,
    /// labels, pod-spec extra, node); the incoming pod is Deployment `in` (labels, extra).
    /// Returns the model, a state with the existing pods running and one incoming pod
    /// pending, and the incoming group.
    fn setup(
        pools: &[(&str, &str)],
        existing: &[(&str, &str, &str, &str, &str)],
        incoming: (&str, &str, &str),
    ) -> (Model, ClusterState<Concrete>, usize) {
        setup_with("", pools, existing, incoming)
    }

    /// `setup` with the documents `docs` (Namespace manifests) among the inputs.
    fn setup_with(
        docs: &str,
        pools: &[(&str, &str)],
        existing: &[(&str, &str, &str, &str, &str)],
        incoming: (&str, &str, &str),
    ) -> (Model, ClusterState<Concrete>, usize) {
        let mut yaml = docs.to_string();
        for (name, ns, labels, extra, _) in existing {
            yaml += &dep(name, ns, labels, extra);
        }
        yaml += &dep("in", incoming.0, incoming.1, incoming.2);
        yaml += "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n";
        for (name, labels) in pools {
            yaml += &format!(
                "    - {{name: {name}, count: 1, labels: {labels}, capacity: {{cpu: \"64\", memory: 64Gi}}}}\n"
            );
        }
        yaml += "  workloads:\n";
        for (name, ns, _, _, node) in existing {
            yaml += &format!("    - {{deployment: {ns}/{name}, placement: [{{node: {node}-0, count: 1}}]}}\n");
        }
        let m = model(&yaml);
        let mut st = m.initial_state(&vec![1; pools.len()]);
        let g = m.ir.deployments.iter().position(|d| d.object_name == "in").unwrap();
        for n in 0..m.nodes() {
            st.bound[g][n] = 0;
            st.terminating[g][n] = 0;
            for &k in &m.kinds_of_group[g] {
                st.running[k][n] = 0;
            }
        }
        st.pending[g] = 1;
        (m, st, g)
    }

    /// The InterPodAffinity filter per node.
    fn passes(m: &Model, st: &ClusterState<Concrete>, g: usize) -> Vec<bool> {
        filters(&Concrete, m, st, g).iter().map(|f| f[5]).collect()
    }

    /// The InterPodAffinity score per node, normalized (weight 1).
    fn score(m: &Model, st: &ClusterState<Concrete>, g: usize) -> Vec<i64> {
        let feas = feasible(&Concrete, m, st, g);
        let pods = pods_per_node(&Concrete, st, &active(m, st));
        scores(&Concrete, m, &pods, g, &feas).unwrap_or(vec![0; m.nodes()])
    }

    /// Per group and node: its pods there that are not terminating.
    fn active(m: &Model, st: &ClusterState<Concrete>) -> Vec<Vec<i64>> {
        (0..m.ir.groups.len())
            .map(|h| (0..m.nodes()).map(|n| crate::model::node::active_on(&Concrete, m, st, h, n)).collect())
            .collect()
    }

    const MACHINE1: (&str, &str) = ("machine1", "{region: r1, zone: z11}");

    fn term(key: &str, exprs: &str) -> String {
        format!("{{topologyKey: {key}, labelSelector: {{matchExpressions: {exprs}}}}}")
    }

    fn affinity(side: &str, terms: &[String]) -> String {
        format!("affinity:\n  {side}:\n    requiredDuringSchedulingIgnoredDuringExecution: [{}]", terms.join(", "))
    }

    /// filtering_test.go TestRequiredAffinitySingleNode.
    #[test]
    fn required_affinity_single_node() {
        let scan_in = term("region", "[{key: service, operator: In, values: [securityscan, value2]}]");
        // "satisfies with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using
        // In operator that matches the existing pod"
        let (m, st, g) = setup(
            &[MACHINE1],
            &[("e", "default", "service: securityscan", "", "machine1")],
            ("default", "security: S1", &affinity("podAffinity", std::slice::from_ref(&scan_in))),
        );
        assert_eq!(passes(&m, &st, g), [true]);
        // "... using not in operator in labelSelector that matches the existing pod"
        let not_in = term("region", "[{key: service, operator: NotIn, values: [securityscan3, value3]}]");
        let (m, st, g) = setup(
            &[MACHINE1],
            &[("e", "default", "service: securityscan", "", "machine1")],
            ("default", "security: S1", &affinity("podAffinity", &[not_in])),
        );
        assert_eq!(passes(&m, &st, g), [true]);
        // "Does not satisfy the PodAffinity with labelSelector because of diff Namespace"
        let diff_ns = "{topologyKey: region, namespaces: [DiffNameSpace], labelSelector: {matchExpressions: [{key: service, operator: In, values: [securityscan, value2]}]}}".to_string();
        let (m, st, g) = setup(
            &[MACHINE1],
            &[("e", "ns", "service: securityscan", "", "machine1")],
            ("default", "security: S1", &affinity("podAffinity", &[diff_ns])),
        );
        assert_eq!(passes(&m, &st, g), [false]);
        // "Doesn't satisfy the PodAffinity because of unmatching labelSelector with the
        // existing pod" (the incoming pod does not match its own term either)
        let anti_scan = term("region", "[{key: service, operator: In, values: [antivirusscan, value2]}]");
        let (m, st, g) = setup(
            &[MACHINE1],
            &[("e", "default", "service: securityscan", "", "machine1")],
            ("default", "service: securityscan", &affinity("podAffinity", std::slice::from_ref(&anti_scan))),
        );
        assert_eq!(passes(&m, &st, g), [false]);
        // "satisfies the PodAffinity but doesn't satisfy the PodAntiAffinity with the existing pod"
        let both = format!(
            "{}\n  podAntiAffinity:\n    requiredDuringSchedulingIgnoredDuringExecution: [{}]",
            affinity("podAffinity", std::slice::from_ref(&scan_in)),
            term("zone", "[{key: service, operator: In, values: [securityscan, value2]}]")
        );
        let (m, st, g) = setup(
            &[MACHINE1],
            &[("e", "default", "service: securityscan", "", "machine1")],
            ("default", "security: S1", &both),
        );
        assert_eq!(passes(&m, &st, g), [false]);
        let why = crate::model::framework::rejections(&m, &st, g);
        assert!(
            why[0]
                .1
                .iter()
                .any(|r| r.contains("affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]")),
            "{why:?}"
        );
        // "satisfies the PodAffinity and PodAntiAffinity but doesn't satisfy PodAntiAffinity
        // symmetry with the existing pod": the existing pod keeps securityscan pods out of its zone.
        let existing_anti = affinity(
            "podAntiAffinity",
            &[term("zone", "[{key: service, operator: In, values: [securityscan, value2]}]")],
        );
        let incoming = format!(
            "{}\n  podAntiAffinity:\n    requiredDuringSchedulingIgnoredDuringExecution: [{}]",
            affinity("podAffinity", std::slice::from_ref(&scan_in)),
            term("node", "[{key: service, operator: In, values: [antivirusscan, value2]}]")
        );
        let (m, st, g) = setup(
            &[MACHINE1],
            &[("e", "default", "service: securityscan", &existing_anti, "machine1")],
            ("default", "service: securityscan", &incoming),
        );
        assert_eq!(passes(&m, &st, g), [false]);
        let why = crate::model::framework::rejections(&m, &st, g);
        assert!(why[0].1.iter().any(|r| r.contains("keep in away")), "{why:?}");
        // "verify that PodAntiAffinity from existing pod is respected when pod has no
        // AntiAffinity constraints. doesn't satisfy PodAntiAffinity symmetry with the existing pod"
        let (m, st, g) = setup(
            &[MACHINE1],
            &[("e", "default", "service: securityscan", &existing_anti, "machine1")],
            ("default", "service: securityscan", ""),
        );
        assert_eq!(passes(&m, &st, g), [false]);
        // "... satisfy PodAntiAffinity symmetry with the existing pod" (NotIn)
        let existing_not_in = affinity(
            "podAntiAffinity",
            &[term("zone", "[{key: service, operator: NotIn, values: [securityscan, value2]}]")],
        );
        let (m, st, g) = setup(
            &[MACHINE1],
            &[("e", "default", "service: securityscan", &existing_not_in, "machine1")],
            ("default", "service: securityscan", ""),
        );
        assert_eq!(passes(&m, &st, g), [true]);
        // "pod matches its own Label in PodAffinity and that matches the existing pod Labels":
        // the matching pod is on no node of the snapshot, and the incoming pod's NotIn term
        // excludes itself.
        let own_not = affinity(
            "podAffinity",
            &[term("region", "[{key: service, operator: NotIn, values: [securityscan, value2]}]")],
        );
        let (m, st, g) = setup(&[MACHINE1], &[], ("default", "service: securityscan", &own_not));
        assert_eq!(passes(&m, &st, g), [false]);
    }

    /// filtering_test.go TestRequiredAffinitySingleNode, its NamespaceSelector cases, over
    /// scoring_test.go's `namespaces` (subteam1.team1 and subteam2.team1 labelled team: team1,
    /// subteam1.team2 and subteam2.team2 team: team2; written with `-` for `.` here, as the API
    /// server takes only DNS labels as namespace names). Upstream's incoming pod is in a
    /// namespace with no Namespace object, whose labels the lister reads as empty; here it is
    /// `default`, given as a Namespace without labels (without one kbmc refuses the selector).
    #[test]
    fn required_affinity_single_node_namespace_selector() {
        let mut namespaces = String::from("apiVersion: v1\nkind: Namespace\nmetadata: {name: default}\n---\n");
        for (name, team) in [
            ("subteam1-team1", "team1"),
            ("subteam2-team1", "team1"),
            ("subteam1-team2", "team2"),
            ("subteam2-team2", "team2"),
        ] {
            namespaces += &format!(
                "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}, labels: {{team: {team}}}}}\n---\n"
            );
        }
        let scan = "labelSelector: {matchExpressions: [{key: service, operator: In, values: [securityscan, value2]}]}";
        let team1 = "namespaceSelector: {matchExpressions: [{key: team, operator: In, values: [team1]}]}";
        let t = |key: &str, ns: &str| format!("{{topologyKey: {key}, {scan}, {ns}}}");
        let case = |existing_ns: &str, incoming_ns: &str, side: &str, term: String| {
            let (m, st, g) = setup_with(
                &namespaces,
                &[MACHINE1],
                &[("e", existing_ns, "service: securityscan", "", "machine1")],
                (incoming_ns, "security: S1", &affinity(side, &[term])),
            );
            passes(&m, &st, g)
        };
        // "affinity with NamespaceSelector"
        assert_eq!(case("subteam1-team1", "default", "podAffinity", t("region", team1)), [true]);
        // "affinity with non-matching NamespaceSelector"
        assert_eq!(case("subteam1-team2", "default", "podAffinity", t("region", team1)), [false]);
        // "anti-affinity with matching NamespaceSelector"
        assert_eq!(case("subteam2-team1", "subteam1-team1", "podAntiAffinity", t("zone", team1)), [false]);
        // "anti-affinity with matching all NamespaceSelector"
        let all = "namespaceSelector: {}";
        assert_eq!(case("subteam2-team1", "subteam1-team1", "podAntiAffinity", t("zone", all)), [false]);
        // "anti-affinity with non-matching NamespaceSelector"
        assert_eq!(case("subteam1-team2", "subteam1-team1", "podAntiAffinity", t("zone", team1)), [true]);
    }

    /// filtering_test.go TestRequiredAffinityMultipleNodes.
    #[test]
    fn required_affinity_multiple_nodes() {
        let china = ("machine1", "{region: China}");
        let china_az1 = ("machine2", "{region: China, az: az1}");
        let india = ("machine3", "{region: India}");
        // "A pod can be scheduled onto all the nodes that have the same topology key & label
        // value with one of them has an existing pod that matches the affinity rules"
        let foo_bar = affinity("podAffinity", &[term("region", "[{key: foo, operator: In, values: [bar]}]")]);
        let (m, st, g) = setup(
            &[china, china_az1, india],
            &[("p1", "default", "foo: bar", "", "machine1")],
            ("default", "x: y", &foo_bar),
        );
        assert_eq!(passes(&m, &st, g), [true, true, false]);
        // "The affinity rule is to schedule all of the pods of this collection to the same
        // zone. The first pod of the collection should not be blocked from being scheduled
        // onto any node, even there's no existing pod that matches the rule anywhere."
        let two = affinity(
            "podAffinity",
            &[
                term("zone", "[{key: foo, operator: In, values: [bar]}]"),
                term("zone", "[{key: service, operator: In, values: [securityscan]}]"),
            ],
        );
        let (m, st, g) = setup(
            &[("node-a", "{zone: az1, hostname: h1}"), ("node-b", "{zone: az2, hostname: h2}")],
            &[("p1", "default", "foo: bar", "", "node-a")],
            ("default", "foo: bar, service: securityscan", &two),
        );
        assert_eq!(passes(&m, &st, g), [true, true]);
        // "NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod
        // that matches the inter pod affinity rule. The pod can not be scheduled onto nodeA and nodeB."
        let anti_abc = affinity("podAntiAffinity", &[term("region", "[{key: foo, operator: In, values: [abc]}]")]);
        let (m, st, g) = setup(
            &[("node-a", "{region: r1, hostname: nodeA}"), ("node-b", "{region: r1, hostname: nodeB}")],
            &[("p1", "default", "foo: abc", "", "node-a")],
            ("default", "x: y", &anti_abc),
        );
        assert_eq!(passes(&m, &st, g), [false, false]);
        // "... The pod can not be scheduled onto nodeA and nodeB but can be scheduled onto nodeC"
        let (m, st, g) = setup(
            &[("node-a", "{region: China}"), ("node-b", "{region: China, az: az1}"), ("node-c", "{region: India}")],
            &[("p1", "default", "foo: abc", "", "node-a")],
            ("default", "x: y", &anti_abc),
        );
        assert_eq!(passes(&m, &st, g), [false, false, true]);
    }

    fn preferred(side: &str, terms: &[(i64, String)]) -> String {
        let t: Vec<String> = terms.iter().map(|(w, t)| format!("{{weight: {w}, podAffinityTerm: {t}}}")).collect();
        format!("{side}:\n  preferredDuringSchedulingIgnoredDuringExecution: [{}]", t.join(", "))
    }

    /// scoring_test.go TestPreferredAffinity.
    #[test]
    fn preferred_affinity() {
        let china = "{region: China}";
        let india = "{region: India}";
        let az1 = "{az: az1}";
        let s1 = "security: S1";
        let s2 = "security: S2";
        let stay_s1 = format!(
            "affinity:\n  {}",
            preferred("podAffinity", &[(5, term("region", "[{key: security, operator: In, values: [S1]}]"))])
                .replace('\n', "\n  ")
        );
        // "Affinity: pod that matches topology key & pods in nodes will get high score
        // comparing to others which doesn't match either pods in nodes or in topology key"
        let (m, st, g) = setup(
            &[("node1", china), ("node2", india), ("node3", az1)],
            &[("a", "default", s1, "", "node1"), ("b", "default", s2, "", "node2"), ("c", "default", s1, "", "node3")],
            ("default", s1, &stay_s1),
        );
        assert_eq!(score(&m, &st, g), [100, 0, 0]);
        // "All the nodes that have the same topology key & label value with one of them has
        // an existing pod that match the affinity rules, have the same score"
        let (m, st, g) = setup(
            &[("node1", china), ("node2", "{region: China, az: az1}"), ("node3", india)],
            &[("a", "default", s1, "", "node1")],
            ("default", "x: y", &stay_s1),
        );
        assert_eq!(score(&m, &st, g), [100, 100, 0]);
        // "Affinity: different Label operators and values for pod affinity scheduling
        // preference, including some match failures": raw 2, 10, 0 -> 20, 100, 0.
        let affinity3 = format!(
            "affinity:\n  {}",
            preferred(
                "podAffinity",
                &[
                    (8, term("region", "[{key: security, operator: NotIn, values: [S1]}, {key: security, operator: In, values: [S2]}]")),
                    (2, term("region", "[{key: security, operator: Exists}, {key: wrongkey, operator: DoesNotExist}]")),
                ]
            )
            .replace('\n', "\n  ")
        );
        let (m, st, g) = setup(
            &[("node1", china), ("node2", india), ("node3", az1)],
            &[("a", "default", s1, "", "node1"), ("b", "default", s2, "", "node2"), ("c", "default", s1, "", "node3")],
            ("default", s1, &affinity3),
        );
        assert_eq!(score(&m, &st, g), [20, 100, 0]);
        // "Affinity symmetry: considered RequiredDuringSchedulingIgnoredDuringExecution in pod
        // affinity symmetry": hardPodAffinityWeight 1 for each existing pod's required terms.
        let hard = affinity(
            "podAffinity",
            &[
                term("region", "[{key: security, operator: In, values: [S1, value2]}]"),
                term("region", "[{key: security, operator: Exists}, {key: wrongkey, operator: DoesNotExist}]"),
            ],
        );
        let (m, st, g) = setup(
            &[("node1", china), ("node2", india), ("node3", az1)],
            &[("a", "default", s1, &hard, "node1"), ("b", "default", s2, &hard, "node2")],
            ("default", s1, ""),
        );
        assert_eq!(score(&m, &st, g), [100, 100, 0]);
        // "Anti Affinity: one node has more matching pods comparing to other node, so the
        // node which has more unmatches will get high score"
        let away_s1 = format!(
            "affinity:\n  {}",
            preferred("podAntiAffinity", &[(5, term("az", "[{key: security, operator: In, values: [S1]}]"))])
                .replace('\n', "\n  ")
        );
        let (m, mut st, g) = setup(
            &[("node1", az1), ("node2", india)],
            &[("a", "default", s1, "", "node1"), ("b", "default", s2, "", "node2")],
            ("default", s1, &away_s1),
        );
        st.bound[0][0] += 1; // a second S1 pod on node1
        assert_eq!(score(&m, &st, g), [0, 100]);
        // "Anti Affinity symmetry: the existing pods in node which has anti affinity match
        // will get high score"
        let away_s2 = away_s1.replace("[S1]", "[S2]");
        let (m, st, g) = setup(
            &[("node1", az1), ("node2", "{az: az2}")],
            &[("a", "default", s1, &away_s2, "node1"), ("b", "default", s2, &away_s1, "node2")],
            ("default", s2, ""),
        );
        assert_eq!(score(&m, &st, g), [0, 100]);
        // "Avoid panic when partial nodes in a topology don't have pods with affinity"
        let both = format!(
            "affinity:\n  {}\n  {}",
            preferred("podAffinity", &[(8, term("region", "[{key: security, operator: In, values: [S1]}]"))])
                .replace('\n', "\n  "),
            preferred("podAntiAffinity", &[(5, term("az", "[{key: security, operator: In, values: [S2]}]"))])
                .replace('\n', "\n  ")
        );
        let (m, st, g) = setup(
            &[("node1", china), ("node2", china)],
            &[("a", "default", s1, "", "node1"), ("b", "default", "x: y", &both, "node2")],
            ("default", s1, ""),
        );
        assert_eq!(score(&m, &st, g), [0, 0]);
        // The plugin's default weight is 2 (default_plugins.go).
        assert_eq!(m.ir.scheduler.weight_inter_pod_affinity, 2);
    }

    /// A terminating pod still counts (the scheduler's cache keeps it until it is deleted),
    /// and `matchLabelKeys: [pod-template-hash]` confines a term to the pod's own revision.
    #[test]
    fn terminating_pods_count_and_match_label_keys_select_the_revision() {
        let anti =
            affinity("podAntiAffinity", &["{topologyKey: zone, labelSelector: {matchLabels: {app: web}}}".to_string()]);
        let (m, mut st, g) = setup(
            &[("a", "{zone: a}"), ("b", "{zone: b}")],
            &[("e", "default", "app: web", "", "a")],
            ("default", "app: web", &anti),
        );
        assert_eq!(passes(&m, &st, g), [false, true]);
        // The existing pod terminating on a: still there for InterPodAffinity.
        let e = 0;
        for &k in &m.kinds_of_group[e] {
            st.running[k][0] = 0;
        }
        st.bound[e][0] = 0;
        st.terminating[e][0] = 1;
        assert_eq!(passes(&m, &st, g), [false, true]);
        st.terminating[e][0] = 0;
        assert_eq!(passes(&m, &st, g), [true, true]);
        let by_hash = affinity(
            "podAntiAffinity",
            &["{topologyKey: zone, labelSelector: {matchLabels: {app: web}}, matchLabelKeys: [pod-template-hash]}"
                .to_string()],
        );
        let (m, st, g) = setup(
            &[("a", "{zone: a}"), ("b", "{zone: b}")],
            &[("e", "default", "app: web", "", "a")],
            ("default", "app: web", &by_hash),
        );
        assert_eq!(passes(&m, &st, g), [true, true], "another revision's pods do not count");
        assert!(m.ir.groups[g].pod_affinity.required_anti[0].selects[g]);
    }
}
