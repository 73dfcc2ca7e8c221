//! The picture of one counterexample, as inline SVG: a column per state (the start, then the
//! state after each step) under the step's actor and text; a row for pending pods, one per
//! node and one per Deployment whose desired replicas the run changes. A node's cell shows
//! its pods by workload, each in the workload's colour: filled running, pale bound but not
//! started, hollow terminating, outlined red when a descheduler run picked it to evict; a
//! NotReady node's cell is hatched red, a cordoned node's framed dashed. The violation is
//! framed at its step, a lasso's loop marked over its columns. As in the text report's table,
//! nodes the run does not change fold away (expandable) and empty ones are counted. Every
//! cell and step carries its full text as its SVG title, which a browser shows on hover
//! without script. Reads the trace value only; decides nothing.

use std::cmp::Ordering;
use std::fmt::Write;

use serde_json::Value;

use super::{escape, int, items, text, Palette};

/// Column width and row height.
const CW: usize = 34;
const RH: usize = 30;
/// The height of the steps' labels above the columns, and of the band under them that marks
/// the loop or the violation.
const HEAD: usize = 170;
const BAND: usize = 22;
/// Room right of the last column for its slanted label.
const PAD: usize = 100;
/// Up to this many nodes with pods (or Deployments) each gets a row whether the run changes
/// it or not, as in the text report's table.
const SMALL: usize = 8;
/// A cell draws one square per pod up to this many, a bar per workload beyond.
const SQUARES: i64 = 12;

/// What one picture shows, worked out from the trace once.
struct Layout<'a> {
    states: &'a [Value],
    steps: &'a [Value],
    /// Nodes with a row of their own, in the natural order of their names.
    shown: Vec<&'a str>,
    /// Nodes holding pods the run never changes: one folded row each.
    folded: Vec<&'a str>,
    /// Nodes without pods throughout that never change: counted, not drawn.
    empty: usize,
    /// Deployments whose desired replicas get a row, and the others.
    desired: Vec<&'a str>,
    constant: Vec<&'a str>,
    /// The end every node name shares, left out of the rows' labels.
    suffix: &'a str,
    /// The width of the rows' labels.
    label_w: usize,
}

/// `a` before `b` with their runs of digits compared as numbers (`node-2` before `node-10`).
fn natural(a: &str, b: &str) -> Ordering {
    fn runs(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, c) in s.char_indices().skip(1) {
            let prev = s[..i].chars().next_back().is_some_and(|p| p.is_ascii_digit());
            if prev != c.is_ascii_digit() {
                out.push((prev, &s[start..i]));
                start = i;
            }
        }
        if !s.is_empty() {
            out.push((s[start..].starts_with(|c: char| c.is_ascii_digit()), &s[start..]));
        }
        out
    }
    let number = |d: &str| {
        let d = d.trim_start_matches('0');
        (d.len(), d.to_string())
    };
    for (x, y) in runs(a).into_iter().zip(runs(b)) {
        let o = match (x, y) {
            ((true, x), (true, y)) => number(x).cmp(&number(y)).then(x.cmp(y)),
            ((_, x), (_, y)) => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    runs(a).len().cmp(&runs(b).len()).then(a.cmp(b))
}

/// Node `n` in state `st` (`None`: not in the cluster then).
fn node<'a>(st: &'a Value, n: &str) -> Option<&'a Value> {
    st["nodes"].get(n)
}

impl<'a> Layout<'a> {
    fn new(t: &'a Value, palette: &Palette) -> Layout<'a> {
        let states = items(&t["states"]);
        let mut names: Vec<&str> = Vec::new();
        for st in states {
            for n in st["nodes"].as_object().into_iter().flat_map(|m| m.keys()) {
                if !names.contains(&n.as_str()) {
                    names.push(n);
                }
            }
        }
        names.sort_by(|a, b| natural(a, b));
        let holding = |n: &str| {
            states.iter().any(|st| node(st, n).is_some_and(|c| c["pods"].as_object().is_some_and(|p| !p.is_empty())))
        };
        let touched = |n: &str| states.iter().any(|st| node(st, n) != node(&states[0], n));
        let wide = names.iter().filter(|n| holding(n)).count() > SMALL;
        let (shown, rest): (Vec<&str>, Vec<&str>) =
            names.iter().copied().partition(|n| touched(n) || (!wide && holding(n)));
        let (folded, empty): (Vec<&str>, Vec<&str>) = rest.into_iter().partition(|n| holding(n));
        let mut deps: Vec<&str> = states
            .first()
            .and_then(|s| s["desired"].as_object())
            .into_iter()
            .flat_map(|m| m.keys())
            .map(|k| k.as_str())
            .collect();
        deps.sort_by_key(|d| palette.of_group(d));
        let few = deps.len() <= SMALL;
        let (desired, constant): (Vec<&str>, Vec<&str>) = deps
            .into_iter()
            .partition(|d| few || states.iter().any(|st| st["desired"][*d] != states[0]["desired"][*d]));
        let suffix = super::super::check::common_domain(&shown);
        let longest = shown
            .iter()
            .map(|n| n.len() - suffix.len())
            .chain(desired.iter().map(|d| d.len() + 8))
            .chain([7])
            .max()
            .unwrap_or(7)
            .min(LABEL_CHARS);
        Layout {
            states,
            steps: items(&t["steps"]),
            shown,
            folded,
            empty: empty.len(),
            desired,
            constant,
            suffix,
            label_w: longest * 7 + 16,
        }
    }

    /// The left edge of column `c`.
    fn x(&self, c: usize) -> usize {
        self.label_w + c * CW
    }

    /// The top of row `r` (0: pending pods).
    fn y(r: usize) -> usize {
        HEAD + BAND + r * RH
    }

    /// When column `c` is, in words: `start`, or `after step 3 (scheduler)`.
    fn when(&self, c: usize) -> String {
        match c.checked_sub(1) {
            None => "start".to_string(),
            Some(i) => format!("after step {i} ({})", text(&self.steps[i]["actor"])),
        }
    }

    /// A node's label: its name without the common end, cut to `LABEL_CHARS`.
    fn label(&self, n: &str) -> String {
        cut(&n[..n.len() - self.suffix.len()], LABEL_CHARS)
    }
}

/// The longest label a row gets, in characters (its title has it whole).
const LABEL_CHARS: usize = 36;

/// `s` cut to `max` characters, an ellipsis ending it where cut.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut o: String = s.chars().take(max - 1).collect();
    o.push('\u{2026}');
    o
}

/// Draws the picture of trace `t` of `intent` into `o`, as a figure with its legend, notes,
/// folded nodes and the steps in words; `id` names it within the page.
pub(super) fn picture(o: &mut String, id: &str, intent: &str, t: &Value, palette: &Palette) {
    let l = Layout::new(t, palette);
    let cols = l.states.len();
    let rows = 1 + l.shown.len() + l.desired.len();
    let label = mark_label(&l, t, intent);
    let (w, h) = ((l.x(cols) + PAD).max(label.right + 8), Layout::y(rows) + 6);
    let _ = writeln!(
        o,
        "<figure class=\"trace\" id=\"{id}-picture\">\n<div class=\"scroll\"><svg class=\"trace\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"counterexample for {}: nodes by steps\" data-x0=\"{}\" data-cw=\"{CW}\">",
        escape(intent),
        l.x(0)
    );
    let _ = writeln!(o, "<rect class=\"hl\" x=\"0\" y=\"0\" width=\"{CW}\" height=\"{h}\"/>");
    head(o, &l, t);
    pending_row(o, &l, palette);
    for (r, n) in l.shown.iter().enumerate() {
        node_row(o, &l, n, 1 + r, palette);
    }
    for (r, d) in l.desired.iter().enumerate() {
        desired_row(o, &l, d, 1 + l.shown.len() + r, palette);
    }
    mark(o, &l, t, intent, rows, &label);
    o.push_str("</svg></div>\n<output class=\"hover\"></output>\n");
    legend(o, &l, palette);
    folded(o, &l, palette);
    steps(o, &l, t);
    o.push_str("</figure>\n");
}

/// Each column's heading: `start`, or the step's index, actor and text (cut; whole in its
/// title), slanted above the column.
fn head(o: &mut String, l: &Layout, t: &Value) {
    let violated_at = t["loop_start"].is_null().then_some(l.steps.len()).filter(|&n| n > 0);
    for c in 0..l.states.len() {
        let x = l.x(c) + CW / 2 + 3;
        let (class, step, title, label) = match c.checked_sub(1) {
            None => {
                let start = t["start"].as_str().map_or(String::new(), |s| format!(": from {s}"));
                ("step", String::new(), format!("start{start}"), "start".to_string())
            }
            Some(i) => {
                let s = &l.steps[i];
                let (actor, words) = (text(&s["actor"]), text(&s["text"]));
                let class = if violated_at == Some(c) { "step violated" } else { "step" };
                (
                    class,
                    format!(" data-step=\"{i}\""),
                    format!("[{i}][{actor}] {words}"),
                    cut(&format!("{i} {actor}: {words}"), 30),
                )
            }
        };
        let _ = writeln!(
            o,
            "<g class=\"{class}\" data-col=\"{c}\"{step}><title>{}</title><text transform=\"translate({x},{}) rotate(-60)\">{}</text></g>",
            escape(&title),
            HEAD - 4,
            escape(&label)
        );
    }
}

/// A row's label at the left, its whole name in its title.
fn row_label(o: &mut String, l: &Layout, r: usize, label: &str, title: &str) {
    let _ = write!(
        o,
        "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\"><title>{}</title>{}</text>",
        l.label_w - 8,
        Layout::y(r) + RH / 2 + 4,
        escape(title),
        escape(label)
    );
}

/// The pods of a node or of the pending row, per pod group: its colour, its kind's class
/// after a space (none: running; `b` bound but not started, `t` terminating, `e` picked to
/// evict, `q` pending) and how many.
type Pods = Vec<(usize, &'static str, i64)>;

fn node_pods(pods: &Value, palette: &Palette) -> Pods {
    let mut v: Pods = Vec::new();
    for (g, c) in pods.as_object().into_iter().flatten() {
        let w = palette.of_group(g);
        let running = int(&c["running"]);
        let evicting = int(&c["evicting"]).clamp(0, running);
        for (kind, n) in
            [("", running - evicting), (" e", evicting), (" b", int(&c["bound"])), (" t", int(&c["terminating"]))]
        {
            if n > 0 {
                v.push((w, kind, n));
            }
        }
    }
    v.sort_by_key(|&(w, _, _)| w);
    v
}

/// A cell's group, moved to its top left corner (`x`, `y`) so that what it holds is drawn
/// in the cell's own small coordinates, and its title.
fn open_cell(o: &mut String, c: usize, x: usize, y: usize, title: &str) {
    let _ = write!(o, "<g data-col=\"{c}\" transform=\"translate({x},{y})\"><title>{}</title>", escape(title));
}

/// A cell's background, with `class` (`cell`, `cell notready`, ...).
fn background(o: &mut String, class: &str) {
    let _ = write!(o, "<rect class=\"{class}\" x=\"1\" y=\"2\" width=\"{}\" height=\"{}\"/>", CW - 2, RH - 4);
}

/// The pods of one cell: a square per pod, four to a line (one path per run of a workload's
/// pods of a kind, which keeps a large page small), or past `SQUARES` of them a bar per
/// workload (as wide as its share) under their number.
fn draw_pods(o: &mut String, pods: &Pods) {
    let total: i64 = pods.iter().map(|p| p.2).sum();
    if total <= SQUARES {
        let mut k = 0;
        for &(w, kind, n) in pods {
            let _ = write!(o, "<path class=\"p w{w}{kind}\" d=\"");
            for _ in 0..n {
                let _ = write!(o, "M{} {}h6v6h-6z", 4 + (k % 4) * 7, 5 + (k / 4) * 7);
                k += 1;
            }
            o.push_str("\"/>");
        }
        return;
    }
    let _ = write!(o, "<text class=\"count\" x=\"{}\" y=\"14\">{total}</text>", CW / 2);
    let mut by_workload: Vec<(usize, i64)> = Vec::new();
    for &(w, _, n) in pods {
        match by_workload.last_mut() {
            Some((last, m)) if *last == w => *m += n,
            _ => by_workload.push((w, n)),
        }
    }
    let (width, mut at) = ((CW - 8) as f64, 4.0);
    for (w, n) in by_workload {
        let share = width * n as f64 / total as f64;
        let _ = write!(o, "<rect class=\"p w{w}\" x=\"{at:.1}\" y=\"18\" width=\"{share:.1}\" height=\"7\"/>");
        at += share;
    }
}

/// What a cell's pods are, a line per pod group (`web: 2 running, 1 terminating`).
fn pods_words(pods: &Value) -> String {
    let mut lines = Vec::new();
    for (g, c) in pods.as_object().into_iter().flatten() {
        let parts: Vec<String> = [
            ("running", int(&c["running"])),
            ("of them picked to evict", int(&c["evicting"])),
            ("bound, not started", int(&c["bound"])),
            ("terminating", int(&c["terminating"])),
        ]
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(what, n)| format!("{n} {what}"))
        .collect();
        lines.push(format!("{g}: {}", parts.join(", ")));
    }
    if lines.is_empty() {
        "no pods".to_string()
    } else {
        lines.join("\n")
    }
}

/// Where a node's cell is drawn: for state `c`, its top left corner at (`x`, `y`), `when`
/// saying when that is.
struct At {
    c: usize,
    x: usize,
    y: usize,
    when: String,
}

/// A node's cell: its status as the cell's look, its pods, and all of it in its title.
fn node_cell(o: &mut String, l: &Layout, n: &str, at: At, palette: &Palette) {
    let At { c, x, y, when } = at;
    let Some(cell) = node(&l.states[c], n) else {
        open_cell(o, c, x, y, &format!("{n} \u{b7} {when}\nnot in the cluster"));
        background(o, "cell absent");
        o.push_str("</g>");
        return;
    };
    let status = text(&cell["status"]);
    let cordoned = cell["cordoned"].as_bool() == Some(true);
    let panics = int(&cell["panics"]);
    let mut said = status.to_string();
    if cordoned {
        said += ", cordoned";
    }
    if panics > 0 {
        said += &format!(", {}", crate::count(panics, "kernel panic", "kernel panics"));
    }
    let mut class = String::from("cell");
    if status != "Ready" {
        class += " notready";
    }
    if cordoned {
        class += " cordoned";
    }
    open_cell(o, c, x, y, &format!("{n} \u{b7} {when}\n{said}\n{}", pods_words(&cell["pods"])));
    background(o, &class);
    draw_pods(o, &node_pods(&cell["pods"], palette));
    o.push_str("</g>");
}

/// A node's row: its label, and its cell in every state.
fn node_row(o: &mut String, l: &Layout, n: &str, r: usize, palette: &Palette) {
    let _ = write!(o, "<g class=\"node-row\" data-node=\"{}\">", escape(n));
    row_label(o, l, r, &l.label(n), n);
    for c in 0..l.states.len() {
        node_cell(o, l, n, At { c, x: l.x(c), y: Layout::y(r), when: l.when(c) }, palette);
    }
    o.push_str("</g>\n");
}

/// The row of pending pods (a DaemonSet's pods waiting for their node count too, as in the
/// report value).
fn pending_row(o: &mut String, l: &Layout, palette: &Palette) {
    o.push_str("<g class=\"pending-row\">");
    row_label(o, l, 0, "pending", "pods not bound to a node");
    for (c, st) in l.states.iter().enumerate() {
        let waiting: Vec<(&String, i64)> =
            st["pending"].as_object().into_iter().flatten().map(|(g, n)| (g, int(n))).filter(|&(_, n)| n > 0).collect();
        let words: Vec<String> = waiting.iter().map(|(g, n)| format!("{g}: {n}")).collect();
        let words = if words.is_empty() { "none".to_string() } else { words.join("\n") };
        open_cell(o, c, l.x(c), Layout::y(0), &format!("pending pods \u{b7} {}\n{words}", l.when(c)));
        background(o, "cell");
        let mut pods: Pods = waiting.iter().map(|&(g, n)| (palette.of_group(g), " q", n)).collect();
        pods.sort_by_key(|&(w, _, _)| w);
        draw_pods(o, &pods);
        o.push_str("</g>");
    }
    o.push_str("</g>\n");
}

/// A Deployment's desired replicas in each state, as a bar (to the most it reaches) under
/// the number.
fn desired_row(o: &mut String, l: &Layout, d: &str, r: usize, palette: &Palette) {
    let _ = write!(o, "<g class=\"desired-row\" data-deployment=\"{}\">", escape(d));
    row_label(o, l, r, &format!("desired {}", cut(d, LABEL_CHARS - 8)), &format!("desired replicas of {d}"));
    let most = l.states.iter().map(|st| int(&st["desired"][d])).max().unwrap_or(0).max(1);
    let w = palette.of_group(d);
    for (c, st) in l.states.iter().enumerate() {
        let n = int(&st["desired"][d]);
        let bar = (n.max(0) as usize * (RH - 16)).div_ceil(most as usize);
        open_cell(o, c, l.x(c), Layout::y(r), &format!("desired replicas of {d} \u{b7} {}: {n}", l.when(c)));
        background(o, "cell");
        let _ = write!(
            o,
            "<rect class=\"p w{w}\" x=\"9\" y=\"{}\" width=\"{}\" height=\"{bar}\"/><text class=\"small\" x=\"{}\" y=\"11\" text-anchor=\"middle\">{n}</text></g>",
            RH - 3 - bar,
            CW - 18,
            CW / 2,
        );
    }
    o.push_str("</g>\n");
}

/// The words in the band over the violation, and where they go: a lasso's from the left
/// of its loop; a safety violation's ending at its frame when they fit left of it, else
/// starting right of it.
struct MarkLabel {
    words: String,
    x: usize,
    anchor: &'static str,
    /// The right end of the words, for the picture's width.
    right: usize,
}

/// Roughly how wide `s` is in the band's bold 11px type.
fn width(s: &str) -> usize {
    s.chars().count() * 13 / 2 + 2
}

fn mark_label(l: &Layout, t: &Value, intent: &str) -> MarkLabel {
    let last = l.states.len() - 1;
    if let Some(start) = loop_start(l, t) {
        let n = l.steps.len() - start;
        let words = format!("\u{21ba} cycle of {}, forever", crate::count(n as i64, "step", "steps"));
        let x = l.x(start) + 4;
        return MarkLabel { right: x + width(&words), words, x, anchor: "start" };
    }
    let words = format!("\u{2717} {intent} violated");
    let end = l.x(last) + CW - 3;
    if end >= l.x(0) + width(&words) {
        MarkLabel { words, x: end, anchor: "end", right: end }
    } else {
        let x = l.x(last) + CW + 4;
        MarkLabel { right: x + width(&words), words: format!("\u{2190} {}", &words), x, anchor: "start" }
    }
}

/// The state a lasso's last step returns to, if the trace is one.
fn loop_start(l: &Layout, t: &Value) -> Option<usize> {
    t["loop_start"].as_u64().map(|s| s as usize).filter(|&s| s < l.states.len())
}

/// The violation: a lasso's loop over its columns, from the state it returns to until the
/// last (that same state again); a safety violation framed at its last state.
fn mark(o: &mut String, l: &Layout, t: &Value, intent: &str, rows: usize, label: &MarkLabel) {
    let last = l.states.len() - 1;
    let (top, bottom) = (HEAD + 2, Layout::y(rows));
    let words = format!(
        "<text class=\"mark\" x=\"{}\" y=\"{}\" text-anchor=\"{}\">{}</text>",
        label.x,
        top + 13,
        label.anchor,
        escape(&label.words)
    );
    if let Some(start) = loop_start(l, t) {
        let (x0, x1) = (l.x(start), l.x(last) + CW);
        let title = format!(
            "{intent} is violated: a reachable cycle of {} from step {start}: after step {}, the run is back in the state before step {start} and repeats forever",
            crate::count((l.steps.len() - start) as i64, "step", "steps"),
            l.steps.len().saturating_sub(1)
        );
        let _ = writeln!(
            o,
            "<g class=\"loop violated\" data-loop=\"{start}\"><title>{}</title><rect class=\"loop\" x=\"{x0}\" y=\"{top}\" width=\"{}\" height=\"{}\" rx=\"3\"/><line class=\"loop-edge\" x1=\"{x0}\" y1=\"{top}\" x2=\"{x0}\" y2=\"{bottom}\"/><line class=\"loop-edge\" x1=\"{x1}\" y1=\"{top}\" x2=\"{x1}\" y2=\"{bottom}\"/>{words}</g>",
            escape(&title),
            x1 - x0,
            BAND - 4,
        );
        return;
    }
    let why = t["violation"].as_str().unwrap_or("the last state violates the intent");
    let step = last.checked_sub(1).map_or("start".to_string(), |s| s.to_string());
    let _ = writeln!(
        o,
        "<g class=\"violation\"><title>{}: {}</title><rect class=\"frame violated\" data-step=\"{step}\" x=\"{}\" y=\"{top}\" width=\"{CW}\" height=\"{}\" rx=\"3\"/>{words}</g>",
        escape(intent),
        escape(why),
        l.x(last),
        bottom - top,
    );
}

/// The colours of the workloads the picture shows, and what the markers mean.
fn legend(o: &mut String, l: &Layout, palette: &Palette) {
    let mut shown: Vec<usize> = Vec::new();
    for st in l.states {
        let groups = l
            .shown
            .iter()
            .filter_map(|n| node(st, n))
            .flat_map(|c| c["pods"].as_object().into_iter().flat_map(|p| p.keys()));
        let pending = st["pending"].as_object().into_iter().flatten().filter(|(_, n)| int(n) > 0).map(|(g, _)| g);
        for g in groups.chain(pending) {
            shown.push(palette.of_group(g));
        }
    }
    shown.extend(l.desired.iter().map(|d| palette.of_group(d)));
    shown.sort_unstable();
    shown.dedup();
    let entries: Vec<String> = shown
        .iter()
        .map(|&w| format!("<li><span class=\"sw w{w}\"></span>{}</li>", escape(&palette.names[w])))
        .collect();
    let entries = if entries.len() > 24 {
        format!(
            "<li><details><summary>{} workloads</summary><ul class=\"legend\">{}</ul></details></li>",
            entries.len(),
            entries.concat()
        )
    } else {
        entries.concat()
    };
    let _ = writeln!(
        o,
        "<ul class=\"legend\">{entries}</ul>\n<p class=\"note\">A square per pod: filled running, pale bound but not started, pale outlined pending, hollow terminating, outlined red picked to evict; a hatched red cell is a NotReady node, a dashed frame a cordoned one. Hover a cell or a step for its full text.</p>"
    );
}

/// The nodes the run does not change, folded (each drawn once: its cell throughout), the
/// Deployments whose desired replicas stay, and what is left out.
fn folded(o: &mut String, l: &Layout, palette: &Palette) {
    if !l.folded.is_empty() {
        let h = l.folded.len() * RH + 4;
        let w = l.x(1) + 200;
        let _ = write!(
            o,
            "<details class=\"folded\"><summary>{} the run does not change (their pods throughout)</summary>\n<svg class=\"folded\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">\n",
            crate::count(l.folded.len() as i64, "node", "nodes")
        );
        for (r, n) in l.folded.iter().enumerate() {
            let y = r * RH;
            let _ = write!(
                o,
                "<g class=\"node-row\" data-node=\"{}\"><text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\"><title>{}</title>{}</text>",
                escape(n),
                l.label_w - 8,
                y + RH / 2 + 4,
                escape(n),
                escape(&l.label(n))
            );
            node_cell(o, l, n, At { c: 0, x: l.x(0), y, when: "throughout the run".into() }, palette);
            let _ = writeln!(
                o,
                "<text class=\"small\" x=\"{}\" y=\"{}\">the same in every state</text></g>",
                l.x(1) + 6,
                y + RH / 2 + 4
            );
        }
        o.push_str("</svg></details>\n");
    }
    if !l.constant.is_empty() {
        let words: Vec<String> =
            l.constant.iter().map(|d| format!("{d}: {}", int(&l.states[0]["desired"][*d]))).collect();
        let _ = writeln!(
            o,
            "<details><summary>{} whose desired replicas the run does not change</summary><p>{}</p></details>",
            crate::count(l.constant.len() as i64, "Deployment", "Deployments"),
            escape(&words.join(", "))
        );
    }
    if l.empty > 0 {
        let _ = writeln!(
            o,
            "<p class=\"note\">{} without pods throughout not shown.</p>",
            crate::count(l.empty as i64, "node", "nodes")
        );
    }
    if !l.suffix.is_empty() {
        let _ = writeln!(o, "<p class=\"note\">Node names without <code>{}</code>.</p>", escape(l.suffix));
    }
}

/// The run in words, one step a line, as the text report tells it.
fn steps(o: &mut String, l: &Layout, t: &Value) {
    if let Some(s) = t["start"].as_str() {
        let _ = writeln!(o, "<p class=\"note\">starting from {}</p>", escape(s));
    }
    let loop_start = t["loop_start"].as_u64().map(|s| s as usize);
    o.push_str("<ol class=\"steps\" start=\"0\">\n");
    for (i, s) in l.steps.iter().enumerate() {
        let class = if loop_start == Some(i) { " class=\"loop-start\" title=\"the loop starts here\"" } else { "" };
        let _ = writeln!(o, "<li{class}><b>{}</b> {}</li>", escape(text(&s["actor"])), escape(text(&s["text"])));
    }
    o.push_str("</ol>\n");
    if let Some(start) = loop_start {
        let mut actors: Vec<&str> = Vec::new();
        for s in &l.steps[start.min(l.steps.len())..] {
            if !actors.contains(&text(&s["actor"])) {
                actors.push(text(&s["actor"]));
            }
        }
        let _ = writeln!(
            o,
            "<p class=\"note\">back to the state before step {start}: the cycle repeats forever; acting in the cycle: {}</p>",
            escape(&actors.join(", "))
        );
    }
    if let Some(v) = t["violation"].as_str() {
        let _ = writeln!(o, "<p class=\"violation\">violated: {}</p>", escape(v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_names_sort_as_numbers() {
        let mut v = vec!["node-10", "node-2", "node-1", "a", "node-02", "ip-10-0-3-88", "ip-10-0-12-1"];
        v.sort_by(|a, b| natural(a, b));
        assert_eq!(v, ["a", "ip-10-0-3-88", "ip-10-0-12-1", "node-1", "node-02", "node-2", "node-10"]);
    }

    /// Beyond eight nodes with pods only the nodes the run changes get a row; the others fold
    /// into one expandable part, each node drawn once, and nodes without pods are counted.
    #[test]
    fn nodes_the_run_does_not_change_fold() {
        use serde_json::json;
        let state = |moved: bool| {
            let mut nodes = serde_json::Map::new();
            for n in 0..10 {
                let pods = if n == 0 && moved {
                    json!({})
                } else {
                    json!({"web": {"bound": 0, "running": 1, "terminating": 0}})
                };
                nodes.insert(
                    format!("node-{n}"),
                    json!({"status": "Ready", "cordoned": false, "panics": 0, "pods": pods}),
                );
            }
            nodes.insert("node-10".into(), json!({"status": "Ready", "cordoned": false, "panics": 0, "pods": {}}));
            json!({"nodes": nodes, "pending": {"web": i64::from(moved)}, "desired": {"web": 10}})
        };
        let t = json!({"start": null, "violation": null, "loop_start": null,
            "steps": [{"index": 0, "actor": "descheduler", "text": "evicts web from node-0"}],
            "states": [state(false), state(true)]});
        let palette = Palette::of(&json!({"header": {"workloads": ["web: 10 replicas"]}}));
        let mut o = String::new();
        picture(&mut o, "f", "replicasMeetExpected(web)", &t, &palette);
        let (drawn, folded) = o.split_once("<details class=\"folded\">").expect("a folded part");
        assert_eq!(drawn.matches("class=\"node-row\"").count(), 1, "{drawn}");
        assert!(drawn.contains("data-node=\"node-0\""));
        assert!(folded.starts_with("<summary>9 nodes the run does not change"), "{folded}");
        assert_eq!(folded.matches("class=\"node-row\"").count(), 9);
        assert!(folded.contains("1 node without pods throughout not shown."), "{folded}");
    }

    #[test]
    fn labels_are_cut_with_an_ellipsis() {
        assert_eq!(cut("general-0", 36), "general-0");
        assert_eq!(cut("abcdef", 4), "abc\u{2026}");
    }
}
