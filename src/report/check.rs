//! `kbmc check` output for people: a header (what was checked), a verdict line per intent
//! (stating its bound), the engine's effort, then each counterexample as a story of controller
//! actions, one line per step, with the loop start of a lasso marked, followed by a table of
//! what changed per step; a summary line last. Colour only when asked (a terminal).

use std::fmt::Write;

use super::machine::{trace_lines, verdict_line};
use super::view::{self, Header};
use crate::model::Model;
use crate::trace::Trace;
use crate::verdict::{CheckResult, Verdict};

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
    let none = |v: &[String]| if v.is_empty() { "none".to_string() } else { v.join(", ") };
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
    let _ = writeln!(o, "  cluster:     {}", h.cluster);
    let _ = writeln!(o, "  workloads:   {}", none(&h.workloads));
    let _ = writeln!(o, "  controllers: {}", h.controllers.join(", "));
    let _ = writeln!(o, "  events:      {}", none(&h.events));
    let _ = writeln!(o, "  bounds:      {} steps, {} timing", h.steps, h.timing);
    for (i, a) in h.assumptions.iter().enumerate() {
        let label = if i == 0 { "assumes:" } else { "" };
        let _ = writeln!(o, "  {label:<12} {}: {}", a.id, a.text);
    }
    o
}

/// Per step: pending pods, pods per node (bound + running, `-k` for k terminating) and desired
/// replicas, for the nodes present in some state (`-` where a node the cluster autoscaler
/// added or removed is absent). Nodes that never hold a pod in the trace are left out, and the
/// table says how many.
pub fn table(m: &Model, t: &Trace) -> String {
    let present: Vec<usize> = (0..m.nodes()).filter(|&n| t.states.iter().any(|st| st.present[n])).collect();
    let pods_on = |st: &crate::model::ClusterState<crate::domain::Concrete>, n: usize| -> (i64, i64) {
        let live: i64 = (0..m.ir.groups.len()).map(|g| st.bound[g][n]).sum::<i64>()
            + st.running.iter().map(|row| row[n]).sum::<i64>();
        let term: i64 = st.terminating.iter().map(|row| row[n]).sum();
        (live, term)
    };
    let shown: Vec<usize> = present
        .iter()
        .copied()
        .filter(|&n| t.states.iter().any(|st| pods_on(st, n) != (0, 0) || st.present[n] != t.states[0].present[n]))
        .collect();
    let deps: Vec<&str> = m.ir.deployments.iter().map(|d| d.name.as_str()).collect();
    let mut cols: Vec<String> = vec!["step".into(), "pending".into()];
    cols.extend(shown.iter().map(|&n| m.node_name(n).to_string()));
    cols.extend(deps.iter().map(|d| format!("desired {d}")));
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (i, st) in t.states.iter().enumerate() {
        let mut r = vec![if i == 0 { "start".to_string() } else { format!("{}", i - 1) }];
        // A DaemonSet's pods pending for their node count too.
        r.push(st.pending.iter().chain(st.unscheduled.iter().flatten()).sum::<i64>().to_string());
        for &n in &shown {
            if !st.present[n] {
                r.push("-".to_string());
                continue;
            }
            let (live, term) = pods_on(st, n);
            let ready = if st.status[n] == crate::model::state::READY { "" } else { "!" };
            r.push(if term > 0 { format!("{live}-{term}{ready}") } else { format!("{live}{ready}") });
        }
        r.extend(st.desired.iter().map(|d| d.to_string()));
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
    let hidden = present.len() - shown.len();
    if hidden > 0 {
        let _ = writeln!(o, "    ({hidden} node(s) without pods throughout are not shown)");
    }
    o
}

pub fn render(m: &Model, h: &Header, r: &CheckResult, color: bool) -> String {
    let mut o = header_lines("check", h);
    let w = &mut o;
    for (i, ir) in r.results.iter().enumerate() {
        let alias = ir.kivi_name.map(|k| format!(" [Kivi: {k}]")).unwrap_or_default();
        let line = verdict_line(&ir.verdict);
        let cut = line.find([' ', ':']).unwrap_or(line.len());
        let assumed = view::assuming_text(m, i, &ir.verdict);
        let _ = writeln!(w, "{}: {}{}{alias}{assumed}", ir.name, paint(color, &ir.verdict, &line[..cut]), &line[cut..]);
    }
    let e = &r.effort;
    if e.engine == "symbolic" {
        let _ = writeln!(
            w,
            "unrolled {} steps with Z3 ({} conflicts, {} decisions), in {:.3} s",
            e.depth, e.conflicts, e.decisions, e.seconds
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
    for ir in &r.results {
        let Verdict::Violated(t) = &ir.verdict else { continue };
        let _ = writeln!(w, "\ncounterexample for {}:", ir.name);
        for l in trace_lines(t).lines() {
            let _ = writeln!(w, "  {l}");
        }
        w.push_str(&table(m, t));
    }
    let s = view::summary(r);
    let _ = writeln!(
        w,
        "\n{} intent(s): {} violated, {} proved for every run length, {} hold within the bound, {} unknown ({:.3} s)",
        s.intents, s.violated, s.proved, s.holds, s.unknown, e.seconds
    );
    o
}
