//! The HTML of a check report (`kbmc.dev/check/v2`): the header, the single-node loss, the
//! findings as the text report groups them (alike verdicts in one row, the intents a first
//! violation left open by their common reason), the engine's effort, each counterexample
//! (one per group) as `svg`'s picture, the comparison with a baseline, the assumptions linked
//! to the soundness page, and the summary line. Reads the report value only.

use std::collections::HashMap;
use std::fmt::Write;

use serde_json::Value;

use super::{escape, int, items, list, page, soundness, svg, text, Palette};

/// `kbmc check --format html`: the page of a check report.
pub fn check(v: &Value) -> String {
    let palette = Palette::of(v);
    let title = format!("kbmc check {}", text(&v["header"]["model"]));
    page(&title, &palette.css(), &body(v, "check", 1, &palette))
}

/// The check report's content; `level` is its title's heading level (1 on a page of its
/// own, 2 within `scale`'s), its sections one below.
pub(super) fn body(v: &Value, command: &str, level: usize, palette: &Palette) -> String {
    let mut o = header(v, command, level);
    let sub = level + 1;
    o += &losses(v, sub);
    o += &findings(v, sub);
    o += &counterexamples(v, sub, palette);
    o += &baseline(v, sub);
    o += &assumptions(v, sub);
    o += &summary(v);
    o
}

/// What was checked, as the text report's header says it, every list in full (folded where
/// long) and each assumption linked to what it means.
fn header(v: &Value, command: &str, level: usize) -> String {
    let h = &v["header"];
    let strings = |v: &Value| items(v).iter().map(|s| text(s).to_string()).collect::<Vec<_>>();
    let mut o = String::new();
    let _ = writeln!(
        o,
        "<header>\n<h{level}>kbmc {command} {} <small>(engine {})</small></h{level}>\n<dl class=\"header\">",
        escape(text(&h["model"])),
        escape(text(&h["engine"]))
    );
    let mut row = |term: &str, html: String| {
        let _ = writeln!(o, "<dt>{term}</dt><dd>{html}</dd>");
    };
    if text(&h["spec"]) == "inferred" {
        row("spec", "inferred from the manifests (none given; <code>kbmc init</code> prints it to edit)".into());
        if let Some(s) = h["scenario"].as_str() {
            row("scenario", escape(s));
        }
    }
    if !items(&h["dropped"]).is_empty() {
        let dropped = list(&strings(&h["dropped"]), "objects and fields");
        row("dropped", format!("{dropped} (<code>--allow-unmodeled</code>: left out of the model, verdicts assume they have no effect)"));
    }
    row("cluster", escape(text(&h["cluster"])));
    row("workloads", list(&strings(&h["workloads"]), "workloads"));
    row("controllers", list(&strings(&h["controllers"]), "controllers"));
    row("events", list(&strings(&h["events"]), "events"));
    row("intents", list(&strings(&h["intents"]), "intents"));
    let events = match v["events"].as_object() {
        Some(e) => format!(
            ", up to {} in one run ({}; the budgets allow {})",
            crate::count(int(&e["bound"]), "event", "events"),
            if e["deepened"].as_bool() == Some(true) { "deepened from 1" } else { "--events or spec.bounds.events" },
            int(&e["total"])
        ),
        None => String::new(),
    };
    row("bounds", format!("{} steps, {} timing{}", int(&h["steps"]), escape(text(&h["timing"])), escape(&events)));
    let ids: Vec<String> = items(&h["assumptions"])
        .iter()
        .map(|a| format!("<a href=\"#assumption-{0}\">{0}</a>", escape(text(&a["id"]))))
        .collect();
    if !ids.is_empty() {
        row("assumes", format!("{} (explained at the end)", ids.join(", ")));
    }
    o += "</dl>\n</header>\n";
    o
}

/// The Deployments a single node failure takes to zero, per node (one finding, no search).
fn losses(v: &Value, level: usize) -> String {
    let losses = items(&v["single_node_losses"]);
    if losses.is_empty() {
        return String::new();
    }
    let one = losses.iter().all(|l| int(&l["replicas"]) == 1);
    let what = if one {
        "run one replica; a nodeFailure of its node leaves none"
    } else {
        "run every replica on one node; a nodeFailure of that node leaves none"
    };
    let mut o = format!(
        "<section class=\"losses\">\n<h{level}>Single-node loss <small>(from the start state, no search)</small></h{level}>\n<p>{} {what}:</p>\n<table>\n",
        crate::count(losses.len() as i64, "Deployment", "Deployments")
    );
    // Nodes in the order the report names them, the unplaced last.
    let mut nodes: Vec<Option<&str>> = Vec::new();
    for l in losses {
        if !nodes.contains(&l["node"].as_str()) {
            nodes.push(l["node"].as_str());
        }
    }
    nodes.sort_by_key(|n| n.is_none());
    for node in nodes {
        let deps: Vec<String> = losses
            .iter()
            .filter(|l| l["node"].as_str() == node)
            .map(|l| {
                let name = text(&l["deployment"]).to_string();
                if one {
                    name
                } else {
                    format!("{name} ({})", crate::count(int(&l["replicas"]), "replica", "replicas"))
                }
            })
            .collect();
        let _ = writeln!(
            o,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(node.unwrap_or("not on a node yet")),
            list(&deps, "Deployments")
        );
    }
    o += "</table>\n</section>\n";
    o
}

/// A row of the findings: the results it stands for (by index) and its line.
struct Finding {
    members: Vec<usize>,
    /// The intent, or the kind of a group.
    what: String,
    verdict: String,
    message: String,
}

/// The findings in the text report's order: each result on its own, alike verdicts on
/// several workloads in one row (the report's `groups`), and the intents left open for one
/// reason (a first violation stopped the check) in one row, where its first member stands.
fn rows(v: &Value) -> Vec<Finding> {
    let results = items(&v["results"]);
    let index: HashMap<&str, usize> = results.iter().enumerate().map(|(i, r)| (text(&r["intent"]), i)).collect();
    let members =
        |g: &Value| -> Vec<usize> { items(&g["members"]).iter().filter_map(|m| index.get(text(m)).copied()).collect() };
    let mut group: Vec<Option<&Value>> = vec![None; results.len()];
    for g in items(&v["groups"]) {
        for i in members(g) {
            group[i] = Some(g);
        }
    }
    let unknown = |i: usize| results[i]["verdict"] == "unknown";
    let mut out: Vec<Finding> = Vec::new();
    let mut taken = vec![false; results.len()];
    for (i, r) in results.iter().enumerate() {
        if taken[i] {
            continue;
        }
        let alike: Vec<usize> =
            (i..results.len()).filter(|&j| unknown(j) && results[j]["message"] == r["message"]).collect();
        let f = if unknown(i) && alike.len() > 1 {
            Finding {
                what: format!("{} intents", alike.len()),
                verdict: "unknown".into(),
                message: text(&r["message"]).to_string(),
                members: alike,
            }
        } else if let Some(g) = group[i] {
            Finding {
                members: members(g),
                what: text(&g["intent"]).to_string(),
                verdict: text(&g["verdict"]).to_string(),
                message: text(&g["message"]).to_string(),
            }
        } else {
            let kivi = r["kivi_name"].as_str().map(|k| format!(" [Kivi: {k}]")).unwrap_or_default();
            Finding {
                members: vec![i],
                what: text(&r["intent"]).to_string(),
                verdict: text(&r["verdict"]).to_string(),
                message: format!("{}{kivi}", text(&r["message"])),
            }
        };
        for &m in &f.members {
            taken[m] = true;
        }
        out.push(f);
    }
    out
}

/// The findings table, with the engine's effort under it.
fn findings(v: &Value, level: usize) -> String {
    let results = items(&v["results"]);
    let mut o = format!(
        "<section class=\"findings\">\n<h{level}>Findings</h{level}>\n<table>\n<tr><th>intent</th><th>verdict</th><th>in words</th></tr>\n"
    );
    for f in rows(v) {
        let names: Vec<String> = f.members.iter().map(|&i| text(&results[i]["intent"]).to_string()).collect();
        let what = if f.members.len() > 1 {
            format!("{}<br>{}", escape(&f.what), list(&names, "intents"))
        } else {
            escape(&f.what)
        };
        let states: Vec<&str> = f.members.iter().filter_map(|&i| results[i]["baseline_state"].as_str()).collect();
        let state = states.first().map_or(String::new(), |s| format!(" <span class=\"badge {s}\">{s}</span>"));
        let link = f
            .members
            .iter()
            .find(|&&i| results[i]["trace"].is_object() && is_shown(v, i))
            .map_or(String::new(), |&i| format!(" <a href=\"#cx-{i}\">counterexample</a>"));
        let _ = writeln!(
            o,
            "<tr class=\"{verdict}\"><td>{what}</td><td><span class=\"badge {verdict}\">{verdict}</span>{state}</td><td>{}{link}</td></tr>",
            escape(&f.message),
            verdict = escape(&f.verdict),
        );
    }
    o += "</table>\n";
    let _ = writeln!(o, "<p class=\"note\">{}</p>\n</section>", escape(&effort(&v["effort"])));
    o
}

/// The engine's effort, as the text report words it.
fn effort(e: &Value) -> String {
    let seconds = e["seconds"].as_f64().unwrap_or(0.0);
    if e["engine"] == "symbolic" {
        return format!(
            "unrolled {} {} with Z3 ({} conflicts, {} decisions), in {seconds:.3} s",
            int(&e["depth"]),
            if e["semantics"] == "step" { "rounds of independent steps (--semantics step)" } else { "steps" },
            int(&e["conflicts"]),
            int(&e["decisions"])
        );
    }
    let reduction = e["reduction"].as_object().map_or(String::new(), |r| {
        format!(
            " (partial-order reduction: {} expanded in part; a counterexample may not be the shortest)",
            crate::count(int(&r["reduced_states"]), "state", "states")
        )
    });
    format!(
        "explored {} states, {} transitions, depth {}, in {seconds:.3} s{reduction}",
        int(&e["states"]),
        int(&e["transitions"]),
        int(&e["depth"])
    )
}

/// The group result `i` is a member of, if any.
fn group_of(v: &Value, i: usize) -> Option<&Value> {
    let name = &v["results"][i]["intent"];
    items(&v["groups"]).iter().find(|g| items(&g["members"]).contains(name))
}

/// Whether result `i`'s counterexample is drawn: it is violated, and alone or its group's
/// representative.
fn is_shown(v: &Value, i: usize) -> bool {
    let r = &v["results"][i];
    r["trace"].is_object() && group_of(v, i).is_none_or(|g| g["representative"] == r["intent"])
}

/// Each counterexample drawn, with the alike ones of its group named with their length.
fn counterexamples(v: &Value, level: usize, palette: &Palette) -> String {
    let results = items(&v["results"]);
    let mut o = String::new();
    for (i, r) in results.iter().enumerate().filter(|&(i, _)| is_shown(v, i)) {
        let group = group_of(v, i);
        let alike =
            group.map_or(String::new(), |g| format!(" <small>(one of {} alike)</small>", items(&g["members"]).len()));
        let _ = writeln!(
            o,
            "<section class=\"counterexample\" id=\"cx-{i}\">\n<h{level}>Counterexample for {}{alike}</h{level}>",
            escape(text(&r["intent"]))
        );
        svg::picture(&mut o, &format!("cx-{i}"), text(&r["intent"]), &r["trace"], palette);
        if let Some(g) = group {
            let others: Vec<String> = items(&g["members"])
                .iter()
                .filter(|m| **m != r["intent"])
                .filter_map(|m| results.iter().find(|x| x["intent"] == *m))
                .map(|x| {
                    let steps = items(&x["trace"]["steps"]).len() as i64;
                    format!("{} ({})", text(&x["intent"]), crate::count(steps, "step", "steps"))
                })
                .collect();
            let _ = writeln!(
                o,
                "<p class=\"note\">alike, each with its own counterexample: {}</p>",
                list(&others, "intents")
            );
        }
        o += "</section>\n";
    }
    o
}

/// With `check --baseline`: each finding as new or unchanged, the baseline's findings the
/// change fixed, and whether the change adds a violation.
fn baseline(v: &Value, level: usize) -> String {
    let Some(b) = v["baseline"].as_object() else { return String::new() };
    let names = |k: &str| items(&b[k]).iter().map(|s| text(s).to_string()).collect::<Vec<_>>();
    let mut o = format!(
        "<section class=\"baseline\">\n<h{level}>Against the baseline <code>{}</code> <small>(checked alone, every intent decided)</small></h{level}>\n<table>\n",
        escape(text(&b["path"]))
    );
    for state in ["new", "unchanged", "fixed"] {
        let _ = writeln!(
            o,
            "<tr><th><span class=\"badge {state}\">{state}</span></th><td>{}</td></tr>",
            list(&names(state), "intents")
        );
    }
    let new = names("new").len() as i64;
    let adds = if new == 0 {
        "adds no violation".to_string()
    } else {
        format!("adds {}", crate::count(new, "violation", "violations"))
    };
    let _ = writeln!(o, "</table>\n<p>the change {adds}</p>\n</section>");
    o
}

/// What each assumption means, each linked to its entry of the soundness page.
fn assumptions(v: &Value, level: usize) -> String {
    let all = items(&v["header"]["assumptions"]);
    if all.is_empty() {
        return String::new();
    }
    let mut o = format!(
        "<section class=\"assumptions\">\n<h{level}>Assumptions <small>(runs of real Kubernetes the model may miss)</small></h{level}>\n<dl class=\"header\">\n"
    );
    for a in all {
        let id = escape(text(&a["id"]));
        let _ = writeln!(
            o,
            "<dt id=\"assumption-{id}\"><a href=\"{}\">{id}</a></dt><dd>{}</dd>",
            escape(&soundness(text(&a["id"]))),
            escape(text(&a["text"]))
        );
    }
    o += "</dl>\n</section>\n";
    o
}

/// The summary line.
fn summary(v: &Value) -> String {
    let s = &v["summary"];
    format!(
        "<p class=\"summary\">{} intent(s): {} violated, {} proved for every run length, {} hold within the bound, {} unknown ({:.3} s); exit code {}</p>\n",
        int(&s["intents"]),
        int(&s["violated"]),
        int(&s["proved"]),
        int(&s["holds"]),
        int(&s["unknown"]),
        v["effort"]["seconds"].as_f64().unwrap_or(0.0),
        int(&v["exit_code"])
    )
}
