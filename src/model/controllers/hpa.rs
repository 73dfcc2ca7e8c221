//! HorizontalPodAutoscaler (autoscaling/v2) controller: one sync of one HPA per step.
//!
//! Follows kubernetes `pkg/controller/podautoscaler/horizontal.go` and
//! `replica_calculator.go`: `current` is the target's `spec.replicas` (0 disables the HPA);
//! outside [minReplicas, maxReplicas] it jumps to the bound; otherwise each Resource metric
//! proposes `ceil(ratio × readyPods)` where ratio = utilization / target, utilization being
//! `int(Σ usage × 100 / Σ requests)` over running pods (AverageValue: Σ usage / (target ×
//! pods)), and a ratio within the 10 % tolerance (inclusive) proposes `current`; the largest
//! proposal wins. Without `behavior`: the scale-down stabilization takes the largest
//! recommendation of the window, then the scale-up limit max(2 × current, 4) and the bounds
//! clamp. With `behavior`: stabilization in both directions, then the policies' rate limits
//! (Pods: ±value; Percent: up rounds up, down truncates) chosen by selectPolicy.
//! Abstracted (no clock): each stabilization window is a one-value memory — the extreme
//! recommendation since the window last emptied — and every sync either keeps the window or
//! finds it expired (both are possible, as any amount of time may pass between syncs); rate
//! policies measure from the current replica count, as if no earlier change fell within their
//! period. Pods are grouped as upstream's groupPods does: running on a Ready node = ready
//! with metrics; running on a NotReady node = missing (no metrics); not started = unready;
//! terminating = ignored. Unready pods on a scale-up and missing pods on any change enter a
//! second ratio (see `proposal`); with no ready pod the sync fails and changes nothing.

use super::super::{running_replicas, Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::{Metric, MetricTarget, PolicyKind, ResourceName, ScalingRules, SelectPolicy};
use crate::model::node::{active_on, ready, running_of_group};
use crate::model::state::Conditions;

pub struct Hpa;

/// How a stabilization window merges a new recommendation (max down, min up).
type Merge<'a, D> = dyn Fn(&<D as Domain>::Int, &<D as Domain>::Int) -> <D as Domain>::Int + 'a;

const SYNC: u8 = 0;

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// `ceil(util × count / target)`, split on `count` (at most `p`) so that the product stays linear.
fn scaled<D: Domain>(d: &D, util: &D::Int, count: &D::Int, target: i64, p: i64) -> D::Int {
    // A known count picks its one case at once (the loop below is as long as `p`, which
    // maxReplicas bounds).
    if let Some(c) = d.known(count) {
        return if (1..=p).contains(&c) { d.div_ceil_const(&d.mul_const(util, c), target) } else { d.int(0) };
    }
    let mut out = d.int(0);
    for k in 1..=p {
        // A long unrolling is cut short when a limit of the run is passed; the engine then
        // discards what was built and reports unknown (`crate::limits`).
        if crate::limits::cut_short(k) {
            break;
        }
        out = d.ite(&d.eq(count, &d.int(k)), &d.div_ceil_const(&d.mul_const(util, k), target), &out);
    }
    out
}

/// What one pod of group `g` counts as its request in `metric` (the app containers' sum);
/// `None` when some container requests nothing of the resource.
fn metric_request(m: &Model, g: usize, metric: &Metric) -> Option<i64> {
    let r = m.ir.groups[g].metric_requests;
    if metric.resource == ResourceName::Cpu {
        r.cpu_milli
    } else {
        r.memory
    }
}

/// The Utilization metric fails upstream: some pod of the target lacks a request for its
/// resource (calculateRequests: "missing request"), or the pods with metrics request 0 in
/// total (GetResourceUtilizationRatio). With no pod with metrics the sync fails anyway.
fn metric_fails<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, dep: usize, metric: &Metric) -> D::Bool {
    if !matches!(metric.target, MetricTarget::Utilization(_)) {
        return d.bool(false);
    }
    let groups = &m.groups_of[dep];
    let lacking = groups.iter().copied().filter(|&g| metric_request(m, g, metric).is_none());
    let missing_request = d.any_of(lacking.map(|g| {
        let pods = d.add(
            &st.pending[g],
            &d.sum_of((0..m.nodes()).map(|j| d.add(&active_on(d, m, st, g, j), &st.terminating[g][j]))),
        );
        d.gt(&pods, &d.int(0))
    }));
    let requesting = groups.iter().copied().filter(|&g| metric_request(m, g, metric).unwrap_or(0) > 0);
    let with_metrics = |g: usize| {
        d.sum_of((0..m.nodes()).map(|j| d.ite(&ready(d, st, j), &running_of_group(d, m, st, g, j), &d.int(0))))
    };
    let zero_total = d.all(requesting.map(|g| d.eq(&with_metrics(g), &d.int(0))).collect::<Vec<_>>().iter());
    d.or(&missing_request, &zero_total)
}

/// A value (utilization or average) within the 10 % tolerance of `target`, both ends included.
fn within<D: Domain>(d: &D, v: &D::Int, target: i64) -> D::Bool {
    d.and(&d.le(&d.int(9 * target), &d.mul_const(v, 10)), &d.le(&d.mul_const(v, 10), &d.int(11 * target)))
}

/// The second pass of GetResourceReplicas and calcPlainMetricReplicas: `value2` over `count2`
/// pods is the value computed again with unready and missing pods; `current` when it is
/// within tolerance, turns the first value's direction (`up`, `down`), or its count would,
/// else the count it asks for.
fn second_pass<D: Domain>(
    d: &D,
    current: &D::Int,
    target: i64,
    (up, down): (&D::Bool, &D::Bool),
    (value2, count2): (&D::Int, &D::Int),
    p: i64,
) -> D::Int {
    let (up2, down2) = (d.gt(value2, &d.int(target)), d.lt(value2, &d.int(target)));
    let new = scaled(d, value2, count2, target, p);
    let keep = d.any(
        [
            within(d, value2, target),
            d.and(down, &up2),
            d.and(up, &down2),
            d.and(&down2, &d.gt(&new, current)),
            d.and(&up2, &d.lt(&new, current)),
        ]
        .iter(),
    );
    d.ite(&keep, current, &new)
}

/// The proposal of one metric (or `current` when within tolerance): replica_calculator.go's
/// GetResourceReplicas (Utilization) and GetRawResourceReplicas (AverageValue), pods grouped
/// as its groupPods does. Pods with metrics: running on a Ready node (`n` of them). Unready:
/// not started (phase Pending: unscheduled or bound). Missing: running on a NotReady node (no
/// metrics). Terminating pods are ignored. When unready pods exist on a scale-up, or missing
/// pods on any change, the ratio is computed again with unready pods at 0, missing ones at 0
/// on a scale-up and at the target (Utilization: max(100 %, target) of their requests) on a
/// scale-down, and the change is dropped if that ratio is within tolerance, turns the
/// direction, or its count would.
fn proposal<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    dep: usize,
    metric: &Metric,
    current: &D::Int,
    n: &D::Int,
) -> D::Int {
    let p = m.max_pods.max(1);
    let zero = d.int(0);
    let reqs: Vec<i64> = m.groups_of[dep].iter().map(|&g| metric_request(m, g, metric).unwrap_or(0)).collect();
    let unit = reqs.iter().copied().fold(0, gcd).max(1);
    let max_units: i64 = reqs.iter().map(|r| r / unit).max().unwrap_or(1).max(1) * p;
    // With metrics: usage and requests (in units of `unit`).
    let (mut usage, mut req_units) = (d.int(0), d.int(0));
    // Missing (on NotReady nodes) and unready (not started): count and requests.
    let (mut missing, mut missing_units, mut missing_req) = (d.int(0), d.int(0), d.int(0));
    let (mut unready, mut unready_units) = (d.int(0), d.int(0));
    for (gi, &g) in m.groups_of[dep].iter().enumerate() {
        let not_started = d.add(&st.pending[g], &d.sum_of((0..m.nodes()).map(|node| st.bound[g][node].clone())));
        unready = d.add(&unready, &not_started);
        unready_units = d.add(&unready_units, &d.mul_const(&not_started, reqs[gi] / unit));
        for &k in &m.kinds_of_group[g] {
            let kind = &m.kinds[k];
            let u = if metric.resource == ResourceName::Cpu { kind.cpu_usage } else { kind.mem_usage };
            for node in 0..m.nodes() {
                let is_ready = ready(d, st, node);
                let c = &d.ite(&is_ready, &st.running[k][node], &zero);
                usage = d.add(&usage, &d.mul_const(c, u));
                req_units = d.add(&req_units, &d.mul_const(c, reqs[gi] / unit));
                let gone = &d.ite(&is_ready, &zero, &st.running[k][node]);
                missing = d.add(&missing, gone);
                missing_units = d.add(&missing_units, &d.mul_const(gone, reqs[gi] / unit));
                missing_req = d.add(&missing_req, &d.mul_const(gone, reqs[gi]));
            }
        }
    }
    let any_missing = d.gt(&missing, &zero);
    // The pods of the second pass: ready ones, plus missing and unready ones where they enter.
    let counted = |with_missing: &D::Bool, with_unready: &D::Bool| {
        d.add(&d.add(n, &d.ite(with_missing, &missing, &zero)), &d.ite(with_unready, &unready, &zero))
    };
    match metric.target {
        MetricTarget::Utilization(target) => {
            // Utilization from a hundredfold usage: int(usage × 100 / requests).
            let util_of = |usage100: &D::Int, req_units: &D::Int| {
                d.div_bounded(&d.div_const(usage100, unit), &d.max(req_units, &d.int(1)), 1, max_units)
            };
            let util = util_of(&d.mul_const(&usage, 100), &req_units);
            let (up, down) = (d.gt(&util, &d.int(target)), d.lt(&util, &d.int(target)));
            let plain = d.ite(&within(d, &util, target), current, &scaled(d, &util, n, target, p));
            // Missing pods count only when the first ratio points somewhere.
            let with_missing = d.and(&any_missing, &d.or(&up, &down));
            let with_unready = d.and(&d.gt(&unready, &zero), &up);
            // Per pod, int(request × max(100, target) / 100) as upstream computes it per pod in
            // milli-units, hundredfold here: for CPU (millicores) a multiple of 100 % is exact
            // and any other percentage truncates; for memory, milli-bytes never truncate
            // (request × 1000 × fallback / 100), so the hundredfold value is request × fallback.
            let fallback = target.max(100);
            let missing_usage100 = if fallback == 100 {
                d.mul_const(&missing_req, 100)
            } else {
                let mut acc = d.int(0);
                for (gi, &g) in m.groups_of[dep].iter().enumerate() {
                    let per_pod100 = if metric.resource == ResourceName::Cpu {
                        reqs[gi] * fallback / 100 * 100
                    } else {
                        reqs[gi] * fallback
                    };
                    for &k in &m.kinds_of_group[g] {
                        for node in 0..m.nodes() {
                            acc = d.add(
                                &acc,
                                &d.mul_const(&d.ite(&ready(d, st, node), &zero, &st.running[k][node]), per_pod100),
                            );
                        }
                    }
                }
                acc
            };
            let usage2 =
                d.add(&d.mul_const(&usage, 100), &d.ite(&d.and(&any_missing, &down), &missing_usage100, &zero));
            let req2 = d.add(
                &d.add(&req_units, &d.ite(&with_missing, &missing_units, &zero)),
                &d.ite(&with_unready, &unready_units, &zero),
            );
            let count2 = counted(&with_missing, &with_unready);
            let util2 = util_of(&usage2, &req2);
            let adjusted = second_pass(d, current, target, (&up, &down), (&util2, &count2), p);
            d.ite(&d.or(&with_missing, &with_unready), &adjusted, &plain)
        }
        MetricTarget::AverageValue(target) => {
            // GetMetricUsageRatio averages milli-values with an integer division by the pods
            // counted: millicores for CPU (kbmc's unit), milli-bytes for memory (kbmc's bytes
            // times 1000); the target is a milli-value too.
            let scale = if metric.resource == ResourceName::Cpu { 1 } else { 1000 };
            let t = target.max(1);
            let usage = d.mul_const(&usage, scale);
            let average = |usage: &D::Int, count: &D::Int| d.div_bounded(usage, &d.max(count, &d.int(1)), 1, p);
            let avg = average(&usage, n);
            let (up, down) = (d.gt(&avg, &d.int(t)), d.lt(&avg, &d.int(t)));
            let plain = d.ite(&within(d, &avg, t), current, &scaled(d, &avg, n, t, p));
            let with_missing = d.and(&any_missing, &d.or(&up, &down));
            let with_unready = d.and(&d.gt(&unready, &zero), &up);
            // calcPlainMetricReplicas: missing pods at the target on a scale-down, else 0.
            let usage2 = d.add(&usage, &d.ite(&d.and(&any_missing, &down), &d.mul_const(&missing, t), &zero));
            let count2 = counted(&with_missing, &with_unready);
            let avg2 = average(&usage2, &count2);
            let adjusted = second_pass(d, current, t, (&up, &down), (&avg2, &count2), p);
            d.ite(&d.or(&with_missing, &with_unready), &adjusted, &plain)
        }
    }
}

fn rate_limit<D: Domain>(d: &D, rules: &ScalingRules, current: &D::Int, up: bool) -> D::Int {
    let props: Vec<D::Int> = rules
        .policies
        .iter()
        .map(|p| match (p.kind, up) {
            (PolicyKind::Pods, true) => d.add(current, &d.int(p.value)),
            (PolicyKind::Pods, false) => d.sub(current, &d.int(p.value)),
            (PolicyKind::Percent, true) => d.add(current, &d.div_ceil_const(&d.mul_const(current, p.value), 100)),
            (PolicyKind::Percent, false) => d.div_const(&d.mul_const(current, (100 - p.value).max(0)), 100),
        })
        .collect();
    if props.is_empty() || rules.select_policy == SelectPolicy::Disabled {
        return current.clone();
    }
    // Max picks the largest change: the largest value up, the smallest down.
    let pick_largest = (rules.select_policy == SelectPolicy::Max) == up;
    let mut acc = props[0].clone();
    for p in &props[1..] {
        acc = if pick_largest { d.max(&acc, p) } else { d.min(&acc, p) };
    }
    acc
}

/// The HPA's new desired replicas and window memories: (desired, window_max, window_min).
pub fn sync<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, h: usize, expired: bool) -> (D::Int, D::Int, D::Int) {
    let hpa = &m.ir.hpas[h];
    let dep = hpa.target.index();
    let current = st.desired[dep].clone();
    // Ready pods with metrics: running on a Ready node.
    let mut n = d.int(0);
    for &g in &m.groups_of[dep] {
        for node in 0..m.nodes() {
            n = d.add(&n, &d.ite(&ready(d, st, node), &running_of_group(d, m, st, g, node), &d.int(0)));
        }
    }
    // The largest proposal of the metrics that do not fail (computeReplicasForMetrics).
    let mut raw = d.int(0);
    let mut fails = Vec::new();
    for metric in &hpa.metrics {
        let f = metric_fails(d, m, st, dep, metric);
        raw = d.max(&raw, &d.ite(&f, &d.int(0), &proposal(d, m, st, dep, metric, &current, &n)));
        fails.push(f);
    }
    // The sync fails, changing and recording nothing: no running pod (no metrics), every
    // metric failing, or some failing while the others would scale down.
    let all_fail = d.all(fails.iter());
    let some_fail = d.any(fails.iter());
    let failed = d.any([all_fail, d.and(&some_fail, &d.lt(&raw, &current))].iter());
    let has_metrics = d.and(&d.gt(&n, &d.int(0)), &d.not(&failed));
    let raw = d.ite(&has_metrics, &raw, &current);
    let (min, max) = (d.int(hpa.min_replicas), d.int(hpa.max_replicas));
    // A recommendation above the model's largest count is remembered as that count: it is
    // at least maxReplicas (`ir::limits`), and every use of a window (the legacy clamp, or
    // stabilization against a current count within the bounds, then the limits up to
    // maxReplicas) gives the same result for both, so the window stays within what a state
    // holds however far a tiny request puts the utilization.
    let raw = d.min(&raw, &d.int(crate::ir::limits::MAX_COUNT));
    let remember = |w: &D::Int, better: &Merge<D>| -> D::Int {
        // The window holds `current` as its first recommendation, like the controller's first sight.
        let prev = d.ite(&d.lt(w, &d.int(0)), &current, w);
        if expired {
            raw.clone()
        } else {
            better(&prev, &raw)
        }
    };
    let (result, wmax, wmin) = match &hpa.behavior {
        None => {
            let wmax = remember(&st.hpa_window_max[h], &|a, b| d.max(a, b));
            let limit = d.max(&d.mul_const(&current, 2), &d.int(4));
            let max_allowed = d.min(&max, &limit);
            (d.clamp(&wmax, &min, &max_allowed), wmax, st.hpa_window_min[h].clone())
        }
        Some((up, down)) => {
            let wmax = if down.stabilization_window_seconds > 0 {
                remember(&st.hpa_window_max[h], &|a, b| d.max(a, b))
            } else {
                d.int(-1)
            };
            let wmin = if up.stabilization_window_seconds > 0 {
                remember(&st.hpa_window_min[h], &|a, b| d.min(a, b))
            } else {
                d.int(-1)
            };
            let down_rec = if down.stabilization_window_seconds > 0 { wmax.clone() } else { raw.clone() };
            let up_rec = if up.stabilization_window_seconds > 0 { wmin.clone() } else { raw.clone() };
            let stabilized =
                d.ite(&d.lt(&current, &up_rec), &up_rec, &d.ite(&d.gt(&current, &down_rec), &down_rec, &current));
            let max_allowed = d.min(&max, &d.max(&rate_limit(d, up, &current, true), &current));
            let min_allowed = d.max(&min, &d.min(&rate_limit(d, down, &current, false), &current));
            let r = d.ite(
                &d.gt(&stabilized, &current),
                &d.min(&stabilized, &max_allowed),
                &d.ite(&d.lt(&stabilized, &current), &d.max(&stabilized, &min_allowed), &current),
            );
            (r, wmax, wmin)
        }
    };
    // Without metrics (no ready pod) the sync fails and changes nothing.
    let result = d.ite(&has_metrics, &result, &current);
    // Outside the bounds the HPA jumps to them, bypassing metrics and stabilization.
    let result = d.ite(&d.gt(&current, &max), &max, &d.ite(&d.lt(&current, &min), &min, &result));
    let in_bounds = d.all([d.ge(&current, &min), d.le(&current, &max), has_metrics.clone()].iter());
    let wmax = d.ite(&in_bounds, &wmax, &st.hpa_window_max[h]);
    let wmin = d.ite(&in_bounds, &wmin, &st.hpa_window_min[h]);
    (result, wmax, wmin)
}

impl<D: Domain> Controller<D> for Hpa {
    fn explicit_hints(&self) -> Option<&dyn crate::model::hints::ExplicitHints> {
        Some(self)
    }
    fn name(&self) -> &'static str {
        "hpa"
    }
    fn class(&self) -> Class {
        Class::Periodic
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        if !m.ir.controllers.hpa {
            return;
        }
        for h in 0..m.ir.hpas.len() {
            out.push(Step::new(actor, SYNC, h, 0, 0));
            out.push(Step::new(actor, SYNC, h, 0, 1));
        }
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let h = s.a as usize;
        let dep = m.ir.hpas[h].target.index();
        let (r, wmax, wmin) = sync(d, m, st, h, s.v == 1);
        let enabled = d.gt(&st.desired[dep], &d.int(0));
        let changes = d.any(
            [d.ne(&r, &st.desired[dep]), d.ne(&wmax, &st.hpa_window_max[h]), d.ne(&wmin, &st.hpa_window_min[h])].iter(),
        );
        // An expiry only matters when a window holds something.
        let meaningful = if s.v == 1 {
            d.or(&d.ge(&st.hpa_window_max[h], &d.int(0)), &d.ge(&st.hpa_window_min[h], &d.int(0)))
        } else {
            d.bool(true)
        };
        d.all([enabled, changes, meaningful].iter())
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let h = s.a as usize;
        let dep = m.ir.hpas[h].target.index();
        let (r, wmax, wmin) = sync(d, m, st, h, s.v == 1);
        nx.desired[dep] = r;
        nx.hpa_window_max[h] = wmax;
        nx.hpa_window_min[h] = wmin;
    }
    fn describe(&self, m: &Model, s: &Step, before: &ClusterState<Concrete>, after: &ClusterState<Concrete>) -> String {
        let h = s.a as usize;
        let hpa = &m.ir.hpas[h];
        let dep = hpa.target.index();
        let (b, a) = (before.desired[dep], after.desired[dep]);
        let why = if s.v == 1 { " (the stabilization window has expired)" } else { "" };
        let running = running_replicas(&Concrete, m, before, dep);
        if a == b {
            format!(
                "{} keeps {} at {} and records its recommendation{why}",
                hpa.name,
                m.ir.deployments[dep].name,
                crate::count(b, "replica", "replicas")
            )
        } else {
            format!(
                "{} scales {} from {b} to {} ({running} running){why}",
                hpa.name,
                m.ir.deployments[dep].name,
                crate::count(a, "replica", "replicas")
            )
        }
    }
}

impl crate::model::hints::ExplicitHints for Hpa {
    /// A sync changes desired replicas (the Deployment creates or deletes pods in steps of
    /// its own) and the recommendations remembered.
    fn keeps_pod_placement(&self, _s: &Step) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::{deployment, model};

    /// An HPA of Deployment `web` with one Resource metric (`resource`: its `resource:` value)
    /// and `behavior` lines (indented two spaces, or empty).
    fn hpa_yaml(min: i64, max: i64, resource: &str, behavior: &str) -> String {
        format!("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: web}}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}\n  minReplicas: {min}\n  maxReplicas: {max}\n  metrics: [{{type: Resource, resource: {resource}}}]\n{behavior}---\n")
    }

    fn c3_like(behavior: &str) -> Model {
        let hpa = hpa_yaml(3, 6, "{name: cpu, target: {type: Utilization, averageUtilization: 91}}", behavior);
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 1, capacity: {cpu: \"64\", memory: 64Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 5}]}]\n  events: [{type: cpuChange, deployment: web, delta: {min: \"1\", max: \"6\"}}]\n";
        model(&format!("{}{hpa}{spec}", deployment("web", 5, "8", "8Gi", "")))
    }

    /// Moves one pod of `m`'s first group from the 8-core level to `usage` millicores.
    fn one_pod_at(m: &Model, usage: i64) -> ClusterState<Concrete> {
        let mut st = m.initial_state(&[1]);
        let base = m.kinds.iter().position(|k| k.cpu_usage == 8000).unwrap();
        let hot = m.kinds.iter().position(|k| k.cpu_usage == usage).unwrap();
        st.running[base][0] -= 1;
        st.running[hot][0] += 1;
        st
    }

    /// 4 pods at 8 cores and one at 9 over 8-core requests: utilization int(4100000/40000) =
    /// 102 %, outside 91 % +- 10 %, so ceil(5 * 102 / 91) = 6.
    #[test]
    fn utilization_is_truncated_then_scaled() {
        let m = c3_like("");
        let (desired, _, _) = sync(&Concrete, &m, &one_pod_at(&m, 9000), 0, false);
        assert_eq!(desired, 6);
        // 100 % is within the tolerance of 91 % (|100/91 - 1| <= 0.1): no change.
        let (desired, _, _) = sync(&Concrete, &m, &m.initial_state(&[1]), 0, false);
        assert_eq!(desired, 5);
    }

    /// Without behavior, a scale-down waits for the window's larger recommendation to expire.
    #[test]
    fn legacy_scale_down_is_stabilized() {
        let hpa = hpa_yaml(1, 6, "{name: cpu, target: {type: Utilization, averageUtilization: 91}}", "");
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 1, capacity: {cpu: \"64\", memory: 64Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 6}], usage: {cpu: \"4\"}}]\n";
        let m = model(&format!("{}{hpa}{spec}", deployment("web", 6, "8", "8Gi", "")));
        let mut st = m.initial_state(&[1]);
        st.hpa_window_max[0] = 6;
        // 6 pods at 50 % against 91 %: the raw recommendation is ceil(6 * 50 / 91) = 4.
        assert_eq!(sync(&Concrete, &m, &st, 0, false), (6, 6, -1), "the window still holds 6");
        assert_eq!(sync(&Concrete, &m, &st, 0, true), (4, 4, -1), "once the window expires, 4");
    }

    #[test]
    fn behavior_policies_limit_the_rate() {
        let m = c3_like("  behavior:\n    scaleUp:\n      policies: [{type: Pods, value: 1, periodSeconds: 60}]\n");
        let mut st = one_pod_at(&m, 14000);
        st.desired[0] = 3;
        // Far above target: the recommendation is large, but Pods 1 allows only one more.
        let (desired, _, _) = sync(&Concrete, &m, &st, 0, false);
        assert_eq!(desired, 4);
    }

    /// One Deployment (1-core requests, `usage` per pod) under an HPA at 50 % CPU, min 1,
    /// max 10, on two nodes: `placement` says where its running pods are.
    fn at_half(usage: &str, placement: &str, replicas: i64) -> Model {
        let hpa = hpa_yaml(1, 10, "{name: cpu, target: {type: Utilization, averageUtilization: 50}}", "");
        let spec = format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: n, count: 2, capacity: {{cpu: \"64\", memory: 64Gi}}}}]\n  workloads: [{{deployment: web, placement: [{placement}], usage: {{cpu: \"{usage}\"}}}}]\n");
        model(&format!("{}{hpa}{spec}", deployment("web", replicas, "1", "1Gi", "")))
    }

    /// groupPods: a pod not started yet is unready, and on a scale-up it counts at 0 %. One
    /// running pod at 100 % and two pending against 50 %: by the ready pod alone the proposal
    /// is ceil(2 × 1) = 2, a scale-down of an overloaded Deployment; with the pending pods at
    /// 0 % utilization is int(100 / 3) = 33 %, the direction turns, and upstream keeps 3.
    #[test]
    fn pending_pods_count_at_zero_on_a_scale_up() {
        let m = at_half("1", "{node: n-0, count: 1}", 3);
        let mut st = m.initial_state(&[2]);
        st.pending[0] = 2;
        assert_eq!(sync(&Concrete, &m, &st, 0, true).0, 3);
        // Without the pending pods the same load asks for 2.
        st.pending[0] = 0;
        assert_eq!(sync(&Concrete, &m, &st, 0, true).0, 2);
    }

    /// groupPods: a running pod without metrics (its node is NotReady) is missing, and on a
    /// scale-down it counts at 100 % of its request. Two pods at 20 % and one missing against
    /// 50 %: by the ready pods alone ceil(20 × 2 / 50) = 1; with the missing pod at 100 %,
    /// int(140 / 3) = 46 % is within tolerance and upstream keeps 3.
    #[test]
    fn missing_pods_count_at_their_request_on_a_scale_down() {
        let m = at_half("200m", "{node: n-0, count: 2}, {node: n-1, count: 1}", 3);
        let mut st = m.initial_state(&[2]);
        st.status[1] = crate::model::state::NOT_READY;
        assert_eq!(sync(&Concrete, &m, &st, 0, true).0, 3);
        // On a scale-up the missing pod counts at 0 %: three pods of which two at 100 %
        // against 50 %: int(200 / 3) = 66 %, ceil(66 × 3 / 50) = 4 (by the ready pods alone, 4 too).
        let m = at_half("1", "{node: n-0, count: 2}, {node: n-1, count: 1}", 3);
        let mut st = m.initial_state(&[2]);
        st.status[1] = crate::model::state::NOT_READY;
        assert_eq!(sync(&Concrete, &m, &st, 0, true).0, 4);
    }

    /// calculateRequests sums the app containers' requests (init containers do not count,
    /// unlike the scheduler's effective request), and fails the metric when a container
    /// requests nothing of the resource.
    #[test]
    fn utilization_is_over_the_app_containers_requests() {
        let hpa = hpa_yaml(1, 10, "{name: cpu, target: {type: Utilization, averageUtilization: 60}}", "");
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 1, capacity: {cpu: \"64\", memory: 64Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 2}], usage: {cpu: \"400m\"}}]\n";
        // 500m app container, 2-core init container: 800m over 1000m is 80 %, ceil(2 × 80 / 60) = 3
        // (over the 4-core effective request it would be 20 % and a scale-down to 1).
        let init = "initContainers: [{name: init, image: init:1, resources: {requests: {cpu: \"2\", memory: 1Gi}}}]";
        let m = model(&format!("{}{hpa}{spec}", deployment("web", 2, "500m", "1Gi", init)));
        assert_eq!(m.ir.groups[0].requests.cpu_milli, 2000);
        assert_eq!(sync(&Concrete, &m, &m.initial_state(&[1]), 0, true).0, 3);
        // A second container without a cpu request: rejected in the Deployment's manifest (the
        // HPA could never act), and a revision without it (as an applyDeployment could bring)
        // fails the metric while its pods exist: nothing changes.
        let two = deployment("web", 2, "500m", "1Gi", "  - {name: log, image: log:1}");
        let (mut inputs, mut errors) = (crate::manifest::Inputs::default(), Vec::new());
        let text = format!("{two}{hpa}{spec}");
        let opts = crate::manifest::LoadOptions::default();
        crate::manifest::load_text(std::path::Path::new("test.yaml"), &text, opts, &mut inputs, &mut errors);
        let built = crate::ir::build(&inputs, crate::ir::BuildOptions::default());
        assert!(built.is_err_and(|e| e.to_string().contains("needs the Deployment's containers to request it")));
        let mut ir = m.ir.clone();
        ir.groups[0].metric_requests.cpu_milli = None;
        let lacking = Model::new(&ir);
        assert_eq!(sync(&Concrete, &lacking, &lacking.initial_state(&[1]), 0, true).0, 2);
    }

    /// AverageValue of memory: upstream averages milli-bytes, so 2 pods at 166Mi and one
    /// pending pod (counted at 0 on the scale-up) average 110.67Mi against 100Mi, outside the
    /// tolerance: ceil(1.1067 × 3) = 4. An average truncated to whole MiB (110) would keep 3.
    #[test]
    fn memory_averages_are_not_rounded_to_mebibytes() {
        let hpa = hpa_yaml(1, 10, "{name: memory, target: {type: AverageValue, averageValue: 100Mi}}", "");
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 1, capacity: {cpu: \"64\", memory: 64Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 2}], usage: {memory: 166Mi}}]\n";
        let m = model(&format!("{}{hpa}{spec}", deployment("web", 3, "1", "1Gi", "")));
        let mut st = m.initial_state(&[1]);
        st.pending[0] = 1;
        assert_eq!(sync(&Concrete, &m, &st, 0, true).0, 4);
    }

    /// AverageValue of memory in bytes: 3 pods using 33.3Mi each (34917580.8 bytes, read as
    /// `Value()` reads it: 34917581) against 100Mi (104857600 bytes). Upstream (GetRawResourceReplicas,
    /// GetMetricUsageRatio) averages milli-values: 34917581000 / 104857600000 = 0.333, outside
    /// the tolerance, and proposes ceil(0.333 × 3) = ceil(0.999) = 1. Usage rounded up to
    /// whole MiB (34Mi) would give ceil(0.34 × 3) = 2.
    #[test]
    fn memory_average_value_is_in_bytes() {
        let hpa = hpa_yaml(1, 10, "{name: memory, target: {type: AverageValue, averageValue: 100Mi}}", "");
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 1, capacity: {cpu: \"64\", memory: 64Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 3}], usage: {memory: 33.3Mi}}]\n";
        let m = model(&format!("{}{hpa}{spec}", deployment("web", 3, "1", "1Gi", "")));
        assert_eq!(m.ir.deployments[0].initial_usage.memory, 34_917_581);
        assert_eq!(m.ir.hpas[0].metrics[0].target, MetricTarget::AverageValue(104_857_600_000));
        let st = m.initial_state(&[1]);
        // The window expired: the recommendation itself.
        assert_eq!(sync(&Concrete, &m, &st, 0, true).0, 1);
        // 110Mi + 1 byte per pod is just above the tolerance (ratio 1.1000000095): ceil(3.3) = 4;
        // exactly 110Mi is within it (both ends included) and keeps 3.
        for (usage, want) in [("115343361", 4), ("110Mi", 3)] {
            let spec = spec.replace("33.3Mi", usage);
            let m = model(&format!("{}{hpa}{spec}", deployment("web", 3, "1", "1Gi", "")));
            assert_eq!(sync(&Concrete, &m, &m.initial_state(&[1]), 0, true).0, want, "usage {usage}");
        }
    }

    /// Deployment `web` (1-core requests) under an HPA at `target` % CPU, 1..10 replicas, on
    /// one node, whose pods may use any of `levels` (a cpuChange from the first level reaches
    /// the others), and a state with one running pod per entry of `usages` (millicores).
    fn per_pod(target: i64, levels: &[i64]) -> Model {
        let hpa =
            hpa_yaml(1, 10, &format!("{{name: cpu, target: {{type: Utilization, averageUtilization: {target}}}}}"), "");
        let (lo, hi) = (levels[1] - levels[0], levels[levels.len() - 1] - levels[0]);
        let spec = format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: n, count: 1, capacity: {{cpu: \"64\", memory: 64Gi}}}}]\n  workloads: [{{deployment: web, placement: [{{node: n-0, count: 1}}], usage: {{cpu: \"{}m\"}}}}]\n  events: [{{type: cpuChange, deployment: web, delta: {{min: \"{lo}m\", max: \"{hi}m\"}}}}]\n", levels[0]);
        model(&format!("{}{hpa}{spec}", deployment("web", 1, "1", "1Gi", "")))
    }

    fn running(m: &Model, usages: &[i64]) -> ClusterState<Concrete> {
        let mut st = m.initial_state(&[1]);
        for &k in &m.kinds_of_group[0] {
            st.running[k][0] = 0;
        }
        for u in usages {
            let k = m.kinds_of_group[0].iter().copied().find(|&k| m.kinds[k].cpu_usage == *u && !m.kinds[k].warming);
            st.running[k.expect("a usage level of the model")][0] += 1;
        }
        st.desired[0] = usages.len() as i64;
        st
    }

    /// Every multiset of `n` values of `levels` (non-decreasing sequences).
    fn multisets(levels: &[i64], n: usize) -> Vec<Vec<i64>> {
        if n == 0 {
            return vec![vec![]];
        }
        let mut out = Vec::new();
        for (i, &l) in levels.iter().enumerate() {
            for mut rest in multisets(&levels[i..], n - 1) {
                rest.insert(0, l);
                out.push(rest);
            }
        }
        out
    }

    /// Without a usage change, a scale-down is not followed by a scale-up: the survivors use
    /// at most what all the pods used, over R >= N × int(U) / target requests, so their
    /// utilization is at most target × U / int(U), within the 10 % tolerance once U >= 10 %
    /// (whichever pods the ReplicaSet deleted). This is why an HPA whose pods keep their
    /// usage does not scale a Deployment up and down in a cycle (docs/modeling/preemption.md).
    /// Below 10 %, the truncation to whole percents can undo it: ten pods, one at 590m and
    /// nine idle, are at int(5.9) = 5 % against 50 %: ceil(10 × 5 / 50) = 1; if the busy pod
    /// survives it is at 59 %, and the HPA asks for ceil(59 / 50) = 2.
    #[test]
    fn a_scale_down_is_not_undone_without_a_usage_change() {
        let levels = [0, 200, 400, 600, 800, 1000];
        let mut downs = 0;
        for target in [50, 80] {
            let m = per_pod(target, &levels);
            for n in 1..=8 {
                for usages in multisets(&levels, n) {
                    let util = usages.iter().sum::<i64>() * 100 / (1000 * n as i64);
                    let (r, _, _) = sync(&Concrete, &m, &running(&m, &usages), 0, true);
                    if r >= n as i64 || util < 10 {
                        continue;
                    }
                    downs += 1;
                    // Every choice of the r pods that survive.
                    let survivors = (0..1u32 << n).filter(|b| b.count_ones() as i64 == r);
                    for b in survivors {
                        let kept: Vec<i64> = (0..n).filter(|i| b & (1 << i) != 0).map(|i| usages[i]).collect();
                        let (again, _, _) = sync(&Concrete, &m, &running(&m, &kept), 0, true);
                        assert!(again <= r, "target {target}: {usages:?} -> {r}, then {kept:?} -> {again}");
                    }
                }
            }
        }
        assert!(downs > 100, "only {downs} scale-downs explored");
        let m = per_pod(50, &[0, 590]);
        let mut usages = vec![0; 9];
        usages.push(590);
        assert_eq!(sync(&Concrete, &m, &running(&m, &usages), 0, true).0, 1);
        assert_eq!(sync(&Concrete, &m, &running(&m, &[590]), 0, true).0, 2);
    }

    #[test]
    fn out_of_bounds_jumps_to_the_bound() {
        let m = c3_like("");
        let mut st = m.initial_state(&[1]);
        st.desired[0] = 9;
        assert_eq!(sync(&Concrete, &m, &st, 0, false).0, 6);
        st.desired[0] = 1;
        assert_eq!(sync(&Concrete, &m, &st, 0, false).0, 3);
    }
}
