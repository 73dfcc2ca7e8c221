//! `--format html`: one self-contained page per report (its style, pictures and a few lines of
//! script inline; no network, no external font, script or stylesheet, which the page's
//! Content-Security-Policy also forbids), rendered from the report values the JSON formats
//! print (`machine::json_with`, `scale::json`, `compare::json`), so that the page says what
//! the JSON says. This module owns the page around the content, the colours of workloads and
//! escaping; `check` the findings, `svg` the picture of a counterexample, `runs` the scale
//! chart and the comparison table. Everything here reads those values only and must not
//! compute verdicts.

mod check;
mod runs;
mod svg;

use std::collections::HashMap;
use std::fmt::Write;

use serde_json::Value;

pub use check::check;
pub use runs::{compare, scale};

/// Where the assumptions are explained: the repository's soundness page, each assumption an
/// anchor of it by id (`tests/it/docs.rs` checks that every id is one). A relative link while
/// Cargo.toml names no repository.
fn soundness(id: &str) -> String {
    let page = "docs/modeling/soundness.md";
    match env!("CARGO_PKG_REPOSITORY") {
        "" => format!("{page}#{id}"),
        repo => format!("{}/blob/main/{page}#{id}", repo.trim_end_matches('/')),
    }
}

/// `text` for HTML text and attribute values: the five characters markup gives a meaning
/// escaped, and control characters (but newline and tab) written as visible `\u{..}`, as the
/// text report writes them, so that input can neither add markup nor hide what follows.
pub fn escape(text: &str) -> String {
    let mut o = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => o.push_str(&c.escape_unicode().to_string()),
            c => o.push(c),
        }
    }
    o
}

/// A JSON string's text (empty for anything else).
fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// A JSON number as an integer (0 for anything else).
fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

/// A JSON array's items (none for anything else).
fn items(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

/// The page: `title`, the shared style with `css` after it, `body` inside `<main>`, and the
/// script that only adds hovering and expanding (the page reads the same without it).
fn page(title: &str, css: &str, body: &str) -> String {
    let mut o = String::with_capacity(body.len() + STYLE.len() + SCRIPT.len() + 1024);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n\
         <meta name=\"generator\" content=\"kbmc {}\">\n<title>{}</title>\n<style>\n{STYLE}{css}</style>\n</head>\n<body>\n{DEFS}<main>\n{body}</main>\n\
         <footer>kbmc {}</footer>\n<script>\n{SCRIPT}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        escape(title),
        env!("CARGO_PKG_VERSION"),
    );
    o
}

/// The workloads of a report in one order, each with its colour: the Deployments as the
/// header lists them, then every other owner of pods the traces show (a DaemonSet, a fixed
/// pod), in the order first seen. Colours are hues a golden angle apart, so that about twenty
/// are told apart; beyond, the lightness changes every twenty, and every cell's title names
/// what it shows.
struct Palette {
    names: Vec<String>,
    index: HashMap<String, usize>,
    deployments: usize,
}

impl Palette {
    /// The palette of a check report (`kbmc.dev/check/v2`).
    fn of(check: &Value) -> Palette {
        let names: Vec<String> = items(&check["header"]["workloads"])
            .iter()
            .map(|w| text(w).split_once(": ").map_or(text(w), |(name, _)| name).to_string())
            .collect();
        let mut p = Palette { index: HashMap::new(), deployments: names.len(), names: Vec::new() };
        for n in names {
            p.add(n);
        }
        for r in items(&check["results"]) {
            for st in items(&r["trace"]["states"]) {
                let groups = st["nodes"].as_object().into_iter().flat_map(|nodes| nodes.values());
                let groups = groups.filter_map(|n| n["pods"].as_object()).flat_map(|pods| pods.keys());
                let pending = st["pending"].as_object().into_iter().flat_map(|p| p.keys());
                for g in groups.chain(pending).collect::<Vec<_>>() {
                    let w = p.workload(g);
                    p.add(w);
                }
            }
        }
        p
    }

    fn add(&mut self, name: String) {
        if !self.index.contains_key(&name) {
            self.index.insert(name.clone(), self.names.len());
            self.names.push(name);
        }
    }

    /// The workload a pod group belongs to: the group's name without its revision (`web@r1`)
    /// and volume zone (`db-0[eu-west-1a]`), and a StatefulSet's pod (`db-0`) its
    /// StatefulSet's.
    fn workload(&self, group: &str) -> String {
        let base = group.split(['@', '[']).next().unwrap_or(group);
        let known = |n: &str| self.index.get(n).is_some_and(|&i| i < self.deployments);
        if known(base) {
            return base.to_string();
        }
        match base.rsplit_once('-') {
            Some((set, ordinal)) if known(set) && ordinal.bytes().all(|b| b.is_ascii_digit()) => set.to_string(),
            _ => base.to_string(),
        }
    }

    /// The colour index of a pod group's workload.
    fn of_group(&self, group: &str) -> usize {
        self.index.get(&self.workload(group)).copied().unwrap_or(0)
    }

    /// One class per workload, `w<index>`, filling and stroking in its colour.
    fn css(&self) -> String {
        let mut o = String::new();
        for i in 0..self.names.len() {
            let _ = writeln!(o, ".w{i}{{fill:{c};stroke:{c};background:{c}}}", c = colour(i));
        }
        o
    }
}

/// The colour of workload `i`.
fn colour(i: usize) -> String {
    // From blue: red is the colour of a violation.
    let hue = (210.0 + i as f64 * 137.508) % 360.0;
    let lightness = [44, 62, 32][(i / 20) % 3];
    format!("hsl({hue:.0},62%,{lightness}%)")
}

/// A list of names inline, or past `INLINE` of them folded behind the count and the first
/// few.
fn list(names: &[String], noun: &str) -> String {
    const INLINE: usize = 12;
    let joined = names.iter().map(|n| escape(n)).collect::<Vec<_>>().join(", ");
    if names.len() <= INLINE {
        return if names.is_empty() { "none".to_string() } else { joined };
    }
    let first = names[..4].iter().map(|n| escape(n)).collect::<Vec<_>>().join(", ");
    format!("<details><summary>{} {noun}: {first}, &#8230;</summary>{joined}</details>", names.len())
}

/// Marker shapes and patterns the pictures share (ids are the page's, so defined once).
const DEFS: &str = "<svg class=\"defs\" width=\"0\" height=\"0\" aria-hidden=\"true\"><defs>\
<pattern id=\"kbmc-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
<rect width=\"6\" height=\"6\" fill=\"#ffebe9\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#ff8182\" stroke-width=\"2\"/></pattern>\
</defs></svg>\n";

const STYLE: &str = include_str!("style.css");

const SCRIPT: &str = include_str!("script.js");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_control_characters_are_escaped() {
        assert_eq!(escape("a<b>&\"c\"'d'"), "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;");
        assert_eq!(
            escape("</script><script>alert(1)</script>"),
            "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(escape("x\u{1b}[2J\ny\tz\r"), "x\\u{1b}[2J\ny\tz\\u{d}");
        assert_eq!(escape("plain ünïcode"), "plain ünïcode");
    }

    #[test]
    fn a_pod_group_belongs_to_its_workload() {
        let check =
            serde_json::json!({"header": {"workloads": ["web: 2 replicas", "db: 3 replicas", "db-0: 1 replica"]}});
        let p = Palette::of(&check);
        assert_eq!(p.workload("web"), "web");
        assert_eq!(p.workload("web@r1"), "web");
        assert_eq!(p.workload("db-2@r1[eu-west-1a]"), "db");
        // A Deployment named like a StatefulSet's pod is its own.
        assert_eq!(p.workload("db-0"), "db-0");
        assert_eq!(p.workload("kube-proxy"), "kube-proxy");
        assert_eq!(p.of_group("db-1"), 1);
    }

    #[test]
    fn colours_differ_within_twenty_and_past_them() {
        let cs: Vec<String> = (0..60).map(colour).collect();
        let distinct: std::collections::BTreeSet<&String> = cs.iter().collect();
        assert_eq!(distinct.len(), 60);
    }

    /// 200 Deployments on 48 nodes and a 60-step trace that changes every node at every
    /// step (no row folds) and a Deployment's desired replicas at each: the page stays under
    /// 5 MB.
    #[test]
    fn a_large_report_stays_under_five_megabytes() {
        use serde_json::json;
        let (deps, nodes, steps) = (200, 48, 60);
        let state = |s: usize| {
            let nodes: serde_json::Map<String, Value> = (0..nodes)
                .map(|n| {
                    let pods: serde_json::Map<String, Value> = (0..5)
                        .map(|k| {
                            (
                                format!("d{}", (n * 5 + k + s) % deps),
                                json!({"bound": 0, "running": 1, "terminating": k % 2}),
                            )
                        })
                        .collect();
                    let status = if (n + s).is_multiple_of(7) { "NotReady" } else { "Ready" };
                    (
                        format!("ip-10-0-{n}-1.eu-west-1.compute.internal"),
                        json!({"status": status, "cordoned": false, "panics": 0, "pods": pods}),
                    )
                })
                .collect();
            // A step changes one Deployment's desired replicas at most: the first 60 change.
            let desired: serde_json::Map<String, Value> =
                (0..deps).map(|d| (format!("d{d}"), json!(1 + i64::from(d < s)))).collect();
            json!({"nodes": nodes, "pending": {"d0": s % 3}, "desired": desired})
        };
        let trace = json!({
            "start": null, "violation": "d0 has 0 replicas running", "loop_start": null,
            "steps": (0..steps).map(|i| json!({"index": i, "actor": "scheduler", "text": format!("binds a pod of d{i} to ip-10-0-{i}-1.eu-west-1.compute.internal (score 700; others: 650)")})).collect::<Vec<_>>(),
            "states": (0..=steps).map(state).collect::<Vec<_>>(),
        });
        let v = json!({
            "header": {"model": "large", "engine": "explicit", "spec": "given", "cluster": "n: 48 nodes",
                "workloads": (0..deps).map(|d| format!("d{d}: 1 replica")).collect::<Vec<_>>(),
                "controllers": ["scheduler"], "events": [], "intents": ["replicasMeetExpected(d0)"], "steps": steps,
                "timing": "urgent", "assumptions": [], "dropped": []},
            "summary": {"intents": 1, "violated": 1, "proved": 0, "holds": 0, "unknown": 0},
            "exit_code": 1, "effort": {"engine": "explicit", "states": 1, "transitions": 1, "depth": steps, "seconds": 0.1},
            "events": null, "single_node_losses": [], "groups": [],
            "results": [{"intent": "replicasMeetExpected(d0)", "kivi_name": null, "verdict": "violated", "message": "violated after 60 step(s)", "trace": trace}],
        });
        let page = check(&v);
        assert_eq!(page.matches("class=\"node-row\"").count(), nodes);
        assert!(page.contains("class=\"frame violated\" data-step=\"59\""));
        assert!(page.len() < 5_000_000, "{} bytes", page.len());
        // benches/html.sh times a browser on this page.
        if let Some(path) = std::env::var_os("KBMC_HTML_LARGE") {
            std::fs::write(path, &page).expect("the page is written");
        }
    }

    #[test]
    fn long_lists_fold() {
        let names: Vec<String> = (0..20).map(|i| format!("d{i}")).collect();
        assert_eq!(list(&names[..2], "Deployments"), "d0, d1");
        assert!(list(&names, "Deployments").starts_with("<details><summary>20 Deployments: d0, d1, d2, d3, &#8230;"));
        assert_eq!(list(&[], "Deployments"), "none");
        assert_eq!(list(&["<b>".to_string()], "x"), "&lt;b&gt;");
    }
}
