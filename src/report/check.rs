//! `kbmc check` output for people: a header (what was checked, short enough for a screen: the
//! assumptions by id), the Deployments a single node failure takes to zero (one finding, no
//! search, per node), a verdict line per intent (stating its bound) or per group of alike
//! verdicts on several workloads, and one for the intents a first violation left undecided,
//! the engine's effort, then each counterexample (one per group, the others named with their
//! length) as a story of controller actions, one line per step, with the loop start of a
//! lasso marked, followed by a table of what changed per step; then what each assumption
//! means, and a summary line last. Colour only when asked (a terminal).

use std::fmt::Write;

use super::machine::{trace_lines, verdict_line};
use super::view::{self, Header};
use crate::model::Model;
use crate::trace::Trace;
use crate::verdict::{CheckResult, EventBound, Verdict};

/// ANSI colour for a verdict word, when colour is on.
fn paint(on: bool, v: &Verdict, text: &str) -> String {
    if !on {
        return text.to_string();
    }
    let code = match v {
        Verdict::Violated(_) => "31",
        Verdict::Holds { .. } | Verdict::Proved { .. } => "32",
        Verdict::Unknown { .. } => "33",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// The header of `kbmc <command>`: cluster, workloads, controllers, events, intents and bounds.
pub fn header_lines(command: &str, h: &Header) -> String {
    header_with_events(command, h, None)
}

/// [`header_lines`], its bounds line saying how many events one run held where a check went
/// to less than the budgets allow.
fn header_with_events(command: &str, h: &Header, events: Option<EventBound>) -> String {
    let none = |v: &[String]| if v.is_empty() { "none".to_string() } else { alike(v) };
    let mut o = String::new();
    let _ = writeln!(o, "kbmc {command} {} (engine {})", h.model, h.engine);
    if h.spec == "inferred" {
        let _ = writeln!(
            o,
            "  spec:        inferred from the manifests (none given; `kbmc init` prints it to edit): {}",
            none(&h.intents)
        );
        if let Some(s) = &h.scenario {
            let _ = writeln!(o, "  scenario:    {s}");
        }
    }
    if !h.dropped.is_empty() {
        let _ = writeln!(
            o,
            "  dropped:     {} (--allow-unmodeled: left out of the model, verdicts assume they have no effect)",
            h.dropped.join(", ")
        );
    }
    let pools = pools(&h.cluster);
    if pools.len() > NAMES {
        o += &wrap("  cluster:     ", &by_replicas(&pools));
    } else {
        let _ = writeln!(o, "  cluster:     {}", h.cluster);
    }
    let workloads = if h.workloads.is_empty() { "none".to_string() } else { by_replicas(&h.workloads) };
    o += &wrap("  workloads:   ", &workloads);
    let _ = writeln!(o, "  controllers: {}", h.controllers.join(", "));
    let _ = writeln!(o, "  events:      {}", none(&h.events));
    let events = events.map_or(String::new(), |e| {
        format!(
            ", up to {} in one run ({}; the budgets allow {})",
            crate::count(e.reached, "event", "events"),
            if e.deepened { "deepened from 1" } else { "--events or spec.bounds.events" },
            e.total
        )
    });
    let _ = writeln!(o, "  bounds:      {} steps, {} timing{events}", h.steps, h.timing);
    if let Some(t) = &h.time {
        let _ = writeln!(o, "  time:        {t}");
    }
    if !h.assumptions.is_empty() {
        let ids: Vec<&str> = h.assumptions.iter().map(|a| a.id).collect();
        o += &wrap("  assumes:     ", &format!("{} (explained at the end)", ids.join(", ")));
    }
    o
}

/// What each assumption the header names means, one line each: the end of a text report,
/// so that the header stays short (empty when the model assumes nothing).
pub fn assumption_lines(h: &Header) -> String {
    let mut o = String::new();
    if h.assumptions.is_empty() {
        return o;
    }
    let _ = writeln!(o, "\nassumptions (runs of real Kubernetes the model may miss):");
    for a in &h.assumptions {
        let _ = writeln!(o, "  {}: {}", a.id, a.text);
    }
    o
}

/// The width of a screen, 120 columns: the header's long lists, the single-node loss's lists
/// and the table's notes are wrapped at it.
const WIDTH: usize = 120;

/// `label` and `text` as lines of at most `WIDTH` characters, broken at spaces, each line
/// after the first indented as far as `label` is long; a word longer than a line stands
/// alone on its line, unbroken.
fn wrap(label: &str, text: &str) -> String {
    let indent = label.chars().count();
    let mut o = String::from(label);
    let mut col = indent;
    let mut first = true;
    for word in text.split(' ') {
        let len = word.chars().count();
        if !first && col + 1 + len > WIDTH {
            o.push('\n');
            o.extend(std::iter::repeat_n(' ', indent));
            col = indent;
            first = true;
        }
        if !first {
            o.push(' ');
            col += 1;
        }
        o.push_str(word);
        col += len;
        first = false;
    }
    o.push('\n');
    o
}

/// The header's workloads (`frontend: 1 replica`), those that share their replicas (and no
/// HPA) counted under one entry with every name: `13 x 1 replica: frontend, adservice, ...;
/// coredns: 2 replicas`, so that the line stays short at fifty Deployments without leaving
/// one out. Without any two alike, the workloads as they are, comma-separated. Past
/// `NAMES` names the line says how many more there are (`kbmc inspect` lists every one), so
/// that the header of thousands of Deployments still fits on a screen.
fn by_replicas(workloads: &[String]) -> String {
    // A workload's name holds no ": " (a DNS name, `namespace/name`); what follows it is
    // its replicas and HPA.
    let mut entries: Vec<(&str, Vec<&str>)> = Vec::new();
    for w in workloads {
        let (name, what) = w.split_once(": ").unwrap_or((w.as_str(), ""));
        match entries.iter_mut().find(|(k, _)| *k == what) {
            Some((_, names)) => names.push(name),
            None => entries.push((what, vec![name])),
        }
    }
    let mut shown = 0;
    let mut more = 0;
    let mut take = |n: usize| {
        let k = n.min(NAMES.saturating_sub(shown));
        shown += k;
        more += n - k;
        k
    };
    let mut line = if entries.iter().all(|(_, names)| names.len() == 1) {
        workloads[..take(workloads.len())].join(", ")
    } else {
        entries
            .iter()
            .filter_map(|(what, names)| match names.as_slice() {
                [one] => (take(1) == 1).then(|| format!("{one}: {what}")),
                many => {
                    let k = take(many.len());
                    let rest = if k < many.len() { ", ..." } else { "" };
                    (k > 0).then(|| format!("{} x {what}: {}{rest}", many.len(), many[..k].join(", ")))
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    if more > 0 {
        line += &format!(" (and {more} more: kbmc inspect lists every one)");
    }
    line
}

/// The pools of the header's cluster line (`on-demand: 1 node, spot: 0..3 nodes (node group
/// 0..3 over zones a, b)`): its entries, split at the commas outside parentheses. Past `NAMES`
/// pools (a dump of thousands of unlike Nodes, each a pool) the text header shows them as the
/// workloads line does, alike ones counted under one entry, `NAMES` names at most and a count
/// of the others; JSON keeps every one.
fn pools(cluster: &str) -> Vec<String> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0usize, 0);
    for (i, c) in cluster.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 && cluster[i..].starts_with(", ") => {
                out.push(cluster[start..i].to_string());
                start = i + 2;
            }
            _ => {}
        }
    }
    if start < cluster.len() {
        out.push(cluster[start..].to_string());
    }
    out
}

/// How many workload names the header's workloads line gives at most.
const NAMES: usize = 60;

/// Up to this many nodes with pods, or Deployments, each gets its column whether the run
/// touches it or not.
const TABLE_COLUMNS: usize = 8;

/// `items` joined by commas, each item that recurs (an inferred spec's `rolloutRestart (up to
/// 1x)` per Deployment) once with its count, and the intents of one kind about several
/// subjects (`replicasMeetExpected(web)`, `replicasMeetExpected(api)`) as one entry with their
/// count: the header stays a few lines at fifty Deployments, whose names the workloads line
/// gives.
fn alike(items: &[String]) -> String {
    let mut entries: Vec<(String, usize)> = Vec::new();
    for item in items {
        let key = match item.split_once('(') {
            Some((kind, rest)) if rest.ends_with(')') && !kind.contains(' ') => kind.to_string(),
            _ => item.clone(),
        };
        match entries.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => entries.push((key, 1)),
        }
    }
    let single = |key: &str| items.iter().find(|i| i.starts_with(key)).cloned().unwrap_or_default();
    entries
        .iter()
        .map(|(key, n)| if *n == 1 { single(key) } else { format!("{key} x{n}") })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Per step: pending pods, pods per node (bound + running, `-k` for k terminating) and desired
/// replicas, for the nodes present in some state (`-` where a node the cluster autoscaler
/// added or removed is absent). Beyond `TABLE_COLUMNS` nodes with pods (or Deployments), only
/// the nodes (or Deployments) the run touches get a column of their own (a node whose cell
/// changes; a Deployment whose desired replicas, pending pods or pods on some node change), so
/// that the table stays readable at fifty Deployments: the other nodes share one column (their
/// pods, summed) and so do the other Deployments (their desired replicas, summed), and a note
/// names how many each holds. Nodes that never hold a pod and never change are left out, and
/// the table says how many.
pub fn table(m: &Model, t: &Trace) -> String {
    type St = crate::model::ClusterState<crate::domain::Concrete>;
    let present: Vec<usize> = (0..m.nodes()).filter(|&n| t.states.iter().any(|st| st.present[n])).collect();
    let pods_on = |st: &St, n: usize| -> (i64, i64) {
        let live: i64 = (0..m.ir.groups.len()).map(|g| st.bound[g][n]).sum::<i64>()
            + st.running.iter().map(|row| row[n]).sum::<i64>();
        let term: i64 = st.terminating.iter().map(|row| row[n]).sum();
        (live, term)
    };
    let cell = |st: &St, n: usize| -> String {
        if !st.present[n] {
            return "-".to_string();
        }
        let (live, term) = pods_on(st, n);
        let ready = if st.status[n] == crate::model::state::READY { "" } else { "!" };
        if term > 0 {
            format!("{live}-{term}{ready}")
        } else {
            format!("{live}{ready}")
        }
    };
    // Whether `f` of some state differs from `f` of the first (a long run, as `simulate`
    // takes, has thousands of states).
    fn changes<T: PartialEq>(states: &[St], f: impl Fn(&St) -> T) -> bool {
        let first = states.first().map(&f);
        states.iter().any(|st| Some(f(st)) != first)
    }
    // A small table shows every node that holds a pod, as it always has; beyond
    // `TABLE_COLUMNS` of them, only the nodes the run touches.
    let holding = |n: usize| t.states.iter().any(|st| st.present[n] && pods_on(st, n) != (0, 0));
    let wide = present.iter().filter(|&&n| holding(n)).count() > TABLE_COLUMNS;
    let shown: Vec<usize> =
        present.iter().copied().filter(|&n| changes(&t.states, |st| cell(st, n)) || (!wide && holding(n))).collect();
    let others: Vec<usize> = present
        .iter()
        .copied()
        .filter(|&n| !shown.contains(&n) && t.states.iter().any(|st| st.present[n] && pods_on(st, n) != (0, 0)))
        .collect();
    let empty = present.len() - shown.len() - others.len();
    // A Deployment's desired replicas, and its pods pending and per node and group.
    let footprint = |st: &St, d: usize| -> Vec<i64> {
        let mut f = vec![st.desired[d]];
        for &g in &m.groups_of[d] {
            f.push(st.pending[g]);
            for n in 0..m.nodes() {
                let running: i64 = m.kinds_of_group[g].iter().map(|&k| st.running[k][n]).sum();
                f.extend([st.bound[g][n], running, st.terminating[g][n]]);
            }
        }
        f
    };
    let nd = m.ir.deployments.len();
    let deps: Vec<usize> =
        (0..nd).filter(|&d| nd <= TABLE_COLUMNS || changes(&t.states, |st| footprint(st, d))).collect();
    let rest: Vec<usize> = (0..nd).filter(|d| !deps.contains(d)).collect();
    let mut cols: Vec<String> = vec!["step".into(), "pending".into()];
    let names: Vec<&str> = shown.iter().map(|&n| m.node_name(n)).collect();
    let suffix = common_domain(&names);
    cols.extend(names.iter().map(|n| n[..n.len() - suffix.len()].to_string()));
    if !others.is_empty() {
        cols.push(format!("{} other nodes", others.len()));
    }
    cols.extend(deps.iter().map(|&d| format!("desired {}", m.ir.deployments[d].name)));
    if !rest.is_empty() {
        cols.push(format!("desired {} others", rest.len()));
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (i, st) in t.states.iter().enumerate() {
        let mut r = vec![if i == 0 { "start".to_string() } else { format!("{}", i - 1) }];
        // A DaemonSet's pods pending for their node count too.
        r.push(st.pending.iter().chain(st.unscheduled.iter().flatten()).sum::<i64>().to_string());
        r.extend(shown.iter().map(|&n| cell(st, n)));
        if !others.is_empty() {
            let (live, term) = others
                .iter()
                .filter(|&&n| st.present[n])
                .fold((0, 0), |(l, t), &n| (l + pods_on(st, n).0, t + pods_on(st, n).1));
            r.push(if term > 0 { format!("{live}-{term}") } else { format!("{live}") });
        }
        r.extend(deps.iter().map(|&d| st.desired[d].to_string()));
        if !rest.is_empty() {
            r.push(rest.iter().map(|&d| st.desired[d]).sum::<i64>().to_string());
        }
        rows.push(r);
    }
    let widths: Vec<usize> =
        (0..cols.len()).map(|c| rows.iter().map(|r| r[c].len()).chain([cols[c].len()]).max().unwrap_or(0)).collect();
    let line =
        |cells: &[String]| cells.iter().zip(&widths).map(|(c, w)| format!("{c:>w$}")).collect::<Vec<_>>().join("  ");
    let mut o = String::new();
    let _ = writeln!(o, "  after each step (pods per node: bound + running, -k terminating, ! not Ready):");
    let _ = writeln!(o, "    {}", line(&cols));
    for (i, r) in rows.iter().enumerate() {
        let mark = if t.loop_start == Some(i) { " <- loop start" } else { "" };
        let _ = writeln!(o, "    {}{mark}", line(r));
    }
    if !others.is_empty() {
        let _ =
            writeln!(o, "    ({} node(s) the run does not change share one column: their pods, summed)", others.len());
    }
    if !rest.is_empty() {
        let names: Vec<&str> = rest.iter().map(|&d| m.ir.deployments[d].name.as_str()).collect();
        o += &wrap(
            "    (",
            &format!(
                "{} Deployment(s) the run does not change share one column, their desired replicas summed: {})",
                rest.len(),
                names.join(", ")
            ),
        );
    }
    if empty > 0 {
        let _ = writeln!(o, "    ({empty} node(s) without pods throughout are not shown)");
    }
    if !suffix.is_empty() {
        let _ = writeln!(o, "    (node names without {suffix})");
    }
    o
}

/// The longest end that every name in `names` shares, starting at a `.`, holding a letter and
/// leaving each name something before it (`.eu-west-1.compute.internal` of a cloud's node
/// names); empty when there is none. A node column's heading leaves it out, so that three
/// such nodes fit a screen's width.
pub(super) fn common_domain<'a>(names: &[&'a str]) -> &'a str {
    let Some(first) = names.first() else { return "" };
    first
        .char_indices()
        .filter(|&(i, c)| c == '.' && i > 0)
        .map(|(i, _)| &first[i..])
        // A letter in it: the common end of IP-like names (`10.0.1.17`, `10.0.2.17`) is no
        // domain, and names without it would mislead.
        .filter(|end| end.chars().any(|c| c.is_ascii_alphabetic()))
        .find(|end| names.iter().all(|n| n.len() > end.len() && n.ends_with(end)))
        .unwrap_or("")
}

/// The intents left open by a first violation found at one step, two or more (by index, in
/// the spec's order): one verdict line says it of them all.
fn undecided(r: &CheckResult) -> Vec<(usize, Vec<usize>)> {
    let mut by_step: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, ir) in r.results.iter().enumerate() {
        let Some((step, _)) = crate::verdict::stopped_early(&ir.verdict) else { continue };
        match by_step.iter_mut().find(|(s, _)| *s == step) {
            Some((_, members)) => members.push(i),
            None => by_step.push((step, vec![i])),
        }
    }
    by_step.retain(|(_, members)| members.len() > 1);
    by_step
}

/// The line of the intents [`undecided`] found, after its first words (`not decided`): why,
/// the intents (of one kind about several workloads counted: `noEvictionCycle x14`), and the
/// safety intents among them checked within the steps before that violation.
fn undecided_line(r: &CheckResult, step: usize, members: &[usize]) -> String {
    // Named as alike groups name them, without their Kivi names (JSON keeps those).
    let name = |i: usize| r.results[i].name.clone();
    let names: Vec<String> = members.iter().map(|&i| name(i)).collect();
    let mut line = format!(
        " (the check stopped at its first violation, found at step {step}; --all decides every intent): {}",
        alike(&names)
    );
    let checked: Vec<(String, usize)> = members
        .iter()
        .filter_map(|&i| {
            crate::verdict::stopped_early(&r.results[i].verdict).and_then(|(_, w)| w).map(|w| (name(i), w))
        })
        .collect();
    let mut bounds: Vec<usize> = checked.iter().map(|(_, w)| *w).collect();
    bounds.sort_unstable();
    bounds.dedup();
    for within in bounds {
        let names: Vec<String> = checked.iter().filter(|(_, w)| *w == within).map(|(n, _)| n.clone()).collect();
        let _ = write!(line, "; no violation of {} within {within} step(s)", alike(&names));
    }
    line
}

pub fn render(m: &Model, h: &Header, r: &CheckResult, color: bool) -> String {
    let mut o = header_with_events("check", h, r.events);
    let w = &mut o;
    let losses = crate::model::exposure::single_node_losses(m);
    if let Some(finding) = view::single_node_loss(m, &losses) {
        let _ = writeln!(w, "{}", finding.heading);
        for (node, deps) in finding.per_node {
            w.push_str(&wrap(&format!("  {node}: "), &deps.join(", ")));
        }
    }
    let groups = view::groups(m, r, &losses);
    let group_of = |i: usize| groups.iter().find(|g| g.members.contains(&i));
    let undecided = undecided(r);
    for (i, ir) in r.results.iter().enumerate() {
        if let Some((step, members)) = undecided.iter().find(|(_, members)| members.contains(&i)) {
            // One line for every intent the first violation left open, where the first of
            // them would stand; it comes before the alike groups, which it takes in.
            if members[0] == i {
                let word = paint(color, &ir.verdict, "not decided");
                let _ = writeln!(w, "{word}{}", undecided_line(r, *step, members));
            }
            continue;
        }
        if let Some(g) = group_of(i) {
            // A group's line stands where its first member's would.
            if g.members[0] == i {
                let line = view::group_line(m, r, g);
                let cut = line.find(": ").map_or(0, |c| c + 2);
                let word = line[cut..].find([' ', ':', ';']).map_or(line.len(), |e| cut + e);
                let _ = writeln!(w, "{}{}{}", &line[..cut], paint(color, &ir.verdict, &line[cut..word]), &line[word..]);
            }
            continue;
        }
        let alias = ir.kivi_name.map(|k| format!(" [Kivi: {k}]")).unwrap_or_default();
        let line = verdict_line(&ir.verdict) + &super::machine::events_text(ir);
        let cut = line.find([' ', ':']).unwrap_or(line.len());
        let assumed = view::assuming_text(m, i, &ir.verdict);
        let _ = writeln!(w, "{}: {}{}{alias}{assumed}", ir.name, paint(color, &ir.verdict, &line[..cut]), &line[cut..]);
    }
    let e = &r.effort;
    if e.engine == "symbolic" {
        let _ = writeln!(
            w,
            "unrolled {} {} with Z3 ({} conflicts, {} decisions), in {:.3} s",
            e.depth,
            if e.rounds { "rounds of independent steps (--semantics step)" } else { "steps" },
            e.conflicts,
            e.decisions,
            e.seconds
        );
    } else {
        let reduction = match e.reduced {
            Some(n) => format!(
                " (partial-order reduction: {} expanded in part; a counterexample may not be the shortest)",
                crate::count(n as i64, "state", "states")
            ),
            None => String::new(),
        };
        let _ = writeln!(
            w,
            "explored {} states, {} transitions, depth {}, in {:.3} s{reduction}",
            e.states, e.transitions, e.depth, e.seconds
        );
    }
    for (i, ir) in r.results.iter().enumerate() {
        let Verdict::Violated(t) = &ir.verdict else { continue };
        let group = group_of(i);
        if group.is_some_and(|g| g.representative != i) {
            continue;
        }
        match group {
            Some(g) => {
                let _ = writeln!(w, "\ncounterexample for {} (one of {} alike):", ir.name, g.members.len());
            }
            None => {
                let _ = writeln!(w, "\ncounterexample for {}:", ir.name);
            }
        }
        for l in trace_lines(t).lines() {
            let _ = writeln!(w, "  {l}");
        }
        w.push_str(&table(m, t));
        if let Some(g) = group {
            let others: Vec<String> = g
                .members
                .iter()
                .filter(|&&j| j != i)
                .filter_map(|&j| match &r.results[j].verdict {
                    Verdict::Violated(o) => {
                        Some(format!("{} ({})", r.results[j].name, crate::count(o.steps.len() as i64, "step", "steps")))
                    }
                    _ => None,
                })
                .collect();
            let _ = writeln!(w, "  alike, each with its own counterexample: {}", others.join(", "));
        }
    }
    w.push_str(&assumption_lines(h));
    let s = view::summary(r);
    let _ = writeln!(
        w,
        "\n{} intent(s): {} violated, {} proved for every run length, {} hold within the bound, {} unknown ({:.3} s)",
        s.intents, s.violated, s.proved, s.holds, s.unknown, e.seconds
    );
    o
}

/// After a change's report: each of its findings as new, unchanged or unknown before the
/// change against the baseline, the baseline's findings it fixed, and whether the change adds
/// a violation.
pub fn baseline_section(r: &CheckResult, b: &super::Before) -> String {
    use crate::verdict::BaselineState;
    let none = |v: Vec<&str>| if v.is_empty() { "none".to_string() } else { v.join(", ") };
    let named =
        |s: BaselineState| -> Vec<&str> { b.comparison.in_state(s).map(|i| r.results[i].name.as_str()).collect() };
    let fixed: Vec<&str> = b.comparison.fixed.iter().map(|&i| b.result.results[i].name.as_str()).collect();
    let undecided = named(BaselineState::Unknown);
    let mut o = String::new();
    let open = b.result.results.iter().filter(|x| matches!(x.verdict, Verdict::Unknown { .. })).count();
    let how = if open == 0 {
        "every intent decided".to_string()
    } else {
        format!("every intent asked, {} left unknown", crate::count(open as i64, "intent", "intents"))
    };
    let _ = writeln!(o, "\nagainst the baseline {} (checked alone, {how}):", b.path.display());
    let _ = writeln!(o, "  new:       {}", none(named(BaselineState::New)));
    let _ = writeln!(o, "  unchanged: {}", none(named(BaselineState::Unchanged)));
    if !undecided.is_empty() {
        o += &wrap("  unknown before the change: ", &undecided.join(", "));
    }
    let _ = writeln!(o, "  fixed:     {}", none(fixed));
    let n = b.comparison.new_findings();
    let adds = if n == 0 {
        "the change adds no violation".to_string()
    } else {
        format!("the change adds {}", crate::count(n as i64, "violation", "violations"))
    };
    if undecided.is_empty() {
        let _ = writeln!(o, "{adds}");
    } else {
        let _ = writeln!(
            o,
            "{adds} known to be new; {} unknown before the change (the baseline's check did not decide {} for runs like the change's) may be new too",
            crate::count(undecided.len() as i64, "violation", "violations"),
            if undecided.len() == 1 { "it" } else { "them" }
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_common_domain_is_cut_only_where_every_name_has_it() {
        let cloud = ["ip-10-0-1-17.eu-west-1.compute.internal", "ip-10-0-2-41.eu-west-1.compute.internal"];
        assert_eq!(common_domain(&cloud), ".eu-west-1.compute.internal");
        assert_eq!(common_domain(&["a.x.example", "b.y.example"]), ".example");
        assert_eq!(common_domain(&["node-0", "node-1"]), "");
        assert_eq!(common_domain(&["a.example", "b"]), "");
        // IP-like names share digits, no domain; a name is never cut to nothing.
        assert_eq!(common_domain(&["10.0.1.17", "10.0.2.17"]), "");
        assert_eq!(common_domain(&[".example", "a.example"]), "");
        assert_eq!(common_domain(&[]), "");
    }

    #[test]
    fn long_lists_wrap_under_their_label() {
        let words: Vec<String> = (0..40).map(|i| format!("word-{i:02}")).collect();
        let text = wrap("  label:  ", &words.join(", "));
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len() > 1, "{text}");
        assert!(lines.iter().all(|l| l.chars().count() <= WIDTH), "{text}");
        assert!(lines[1..].iter().all(|l| l.starts_with("          w")), "{text}");
        assert_eq!(text.split_whitespace().skip(1).collect::<Vec<_>>().join(" "), words.join(", "));
        assert_eq!(wrap("  x: ", "short"), "  x: short\n");
    }

    #[test]
    fn workloads_alike_in_replicas_share_an_entry() {
        let w = |v: &[&str]| by_replicas(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            w(&["a: 1 replica", "b: 2 replicas", "c: 1 replica", "d: 2 replicas, HPA d 2..4"]),
            "2 x 1 replica: a, c; b: 2 replicas; d: 2 replicas, HPA d 2..4"
        );
        assert_eq!(w(&["a: 1 replica", "b: 2 replicas"]), "a: 1 replica, b: 2 replicas");
    }

    /// Thousands of Nodes, each a pool of its own: the text header's cluster line gives
    /// `NAMES` of them, alike ones under one count, and says how many more there are; a few
    /// pools stay as they are, zones and all.
    #[test]
    fn a_cluster_of_thousands_of_pools_stays_readable() {
        let cluster = (0..5_000).map(|i| format!("node-{i}: 1 node")).collect::<Vec<_>>().join(", ");
        let line = wrap("  cluster:     ", &by_replicas(&pools(&cluster)));
        assert!(line.starts_with("  cluster:     5000 x 1 node: node-0, node-1,"), "{line}");
        assert!(line.contains("node-59, ... (and 4940 more: kbmc inspect lists every one)"), "{line}");
        assert!(line.lines().all(|l| l.chars().count() <= WIDTH) && line.lines().count() < 10, "{line}");
        let few = "on-demand: 1 node, spot: 0..3 nodes (node group 0..3 over zones a, b)";
        assert_eq!(pools(few), ["on-demand: 1 node", "spot: 0..3 nodes (node group 0..3 over zones a, b)"]);
    }

    /// Thousands of workloads: the line gives `NAMES` names and counts the others.
    #[test]
    fn past_sixty_names_the_workloads_line_counts_the_rest() {
        let alike: Vec<String> = (0..3000).map(|i| format!("d{i}: 1 replica")).collect();
        let line = by_replicas(&alike);
        assert!(line.starts_with("3000 x 1 replica: d0, d1,"), "{line}");
        assert!(line.ends_with("d59, ... (and 2940 more: kbmc inspect lists every one)"), "{line}");
        let mixed: Vec<String> = (0..100).map(|i| format!("d{i}: {i} replicas")).collect();
        let line = by_replicas(&mixed);
        assert_eq!(line.matches("replicas").count(), NAMES, "{line}");
        assert!(line.ends_with("d59: 59 replicas (and 40 more: kbmc inspect lists every one)"), "{line}");
        let (first, second) =
            (0..100).map(|i| format!("d{i}: {} replica", i % 2)).partition::<Vec<_>, _>(|w| w.ends_with(": 0 replica"));
        let line = by_replicas(&[first, second].concat());
        assert!(
            line.contains("50 x 0 replica: d0, d2,")
                && line.contains("; 50 x 1 replica: d1, d3, d5, d7, d9, d11, d13, d15, d17, d19, ..."),
            "{line}"
        );
        assert!(line.ends_with("(and 40 more: kbmc inspect lists every one)"), "{line}");
    }

    #[test]
    fn the_reason_of_an_intent_left_open_is_read_back() {
        let unknown = |r: &str| Verdict::Unknown { reason: r.to_string() };
        let safety = "not decided: the check stopped at the first violation, found at step 4 (no violation of it within 3 step(s)); --all decides every intent";
        assert_eq!(crate::verdict::stopped_early(&unknown(safety)), Some((4, Some(3))));
        let cycle =
            "not decided: the check stopped at the first violation, found at step 4; --all decides every intent";
        assert_eq!(crate::verdict::stopped_early(&unknown(cycle)), Some((4, None)));
        assert_eq!(crate::verdict::stopped_early(&unknown("the time limit of 5 s (--time-limit) was reached")), None);
        assert_eq!(crate::verdict::stopped_early(&Verdict::Holds { steps: 4, exhaustive: false }), None);
    }
}
