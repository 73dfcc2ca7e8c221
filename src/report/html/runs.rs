//! The HTML of `scale` (`kbmc.dev/scale/v2`: a chart of the topologies each cluster size
//! covered, coloured by its outcome, the sizes' table, and the conclusion, with the smallest
//! violating topology's check drawn as `check` draws one) and of `compare`
//! (`kbmc.dev/compare/v1`: the agreement table and each engine's effort and time). Reads
//! the report values only.

use std::fmt::Write;

use serde_json::Value;

use super::{escape, int, items, page, text, Palette};

/// A size's outcome in words, as the text report has it.
fn outcome(l: &Value) -> String {
    match text(&l["outcome"]) {
        "holds" if l["proved"] == true => "holds in every run (proved)".to_string(),
        "holds" if l["exhaustive"] == true => "holds (every reachable state)".to_string(),
        "holds" => format!("holds within {} steps", int(&l["depth"])),
        "violated" => "violated".to_string(),
        _ => format!("unknown: {}", text(&l["reason"])),
    }
}

/// `kbmc scale --format html`.
pub fn scale(v: &Value) -> String {
    let engine = text(&v["engine"]);
    let mut o = format!(
        "<header>\n<h1>kbmc scale {} <small>(engine {})</small></h1>\n",
        escape(text(&v["model"])),
        escape(engine)
    );
    if let Some(b) = v["events_bound"].as_i64() {
        let _ = writeln!(
            o,
            "<p>every size checked with up to {} in one run (--events or spec.bounds.events)</p>",
            crate::count(b, "event", "events")
        );
    }
    o += "</header>\n<section class=\"sizes\">\n<h2>Cluster sizes</h2>\n";
    chart(&mut o, items(&v["levels"]));
    o += "<table>\n<tr><th class=\"num\">nodes</th><th class=\"num\">topologies</th><th class=\"num\">time</th><th>result</th></tr>\n";
    for l in items(&v["levels"]) {
        let _ = writeln!(
            o,
            "<tr class=\"{}\"><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.3} s</td><td>{}</td></tr>",
            escape(text(&l["outcome"])),
            int(&l["nodes"]),
            int(&l["topologies"]),
            l["seconds"].as_f64().unwrap_or(0.0),
            escape(&outcome(l))
        );
    }
    o += "</table>\n</section>\n";
    let c = &v["conclusion"];
    let seconds = v["seconds"].as_f64().unwrap_or(0.0);
    let mut css = String::new();
    match text(&c["verdict"]) {
        "violated" => {
            let check = &c["check"];
            let names: Vec<&str> = items(&check["results"])
                .iter()
                .filter(|r| r["verdict"] == "violated")
                .map(|r| text(&r["intent"]))
                .collect();
            let _ = writeln!(
                o,
                "<p class=\"summary\">smallest violating topology: {} ({} violated), in {seconds:.3} s; exit code {}</p>\n<section class=\"smallest\">",
                escape(text(&c["topology"])),
                escape(&names.join(", ")),
                int(&v["exit_code"])
            );
            let palette = Palette::of(check);
            css = palette.css();
            o += &super::check::body(check, "check", 2, &palette);
            o += "</section>\n";
        }
        verdict => {
            let word = if verdict == "unknown" { "unknown: " } else { "" };
            let _ = writeln!(
                o,
                "<p class=\"summary\">{word}{}, in {seconds:.3} s; exit code {}</p>",
                escape(text(&c["statement"])),
                int(&v["exit_code"])
            );
        }
    }
    page(&format!("kbmc scale {}", text(&v["model"])), &css, &o)
}

/// The chart of the sizes: a bar per size as high as the topologies it covered (a
/// logarithmic scale, so that one topology still shows beside thousands), in the colour of
/// its outcome, each with its numbers in its title.
fn chart(o: &mut String, levels: &[Value]) {
    const BAR: usize = 44;
    const GAP: usize = 18;
    const TALL: f64 = 150.0;
    let (left, top) = (8, 22);
    // Wide enough for the axis' words under a single bar.
    let w = (left + levels.len() * (BAR + GAP) + GAP).max(330);
    let h = top + TALL as usize + 40;
    let most = levels.iter().map(|l| int(&l["topologies"])).max().unwrap_or(1).max(1);
    let scale = |n: i64| TALL * ((n.max(1) as f64).log10() + 1.0) / ((most as f64).log10() + 1.0);
    let _ = writeln!(
        o,
        "<figure class=\"chart\"><div class=\"scroll\"><svg class=\"scale-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"topologies covered per cluster size, by outcome\">"
    );
    let base = top + TALL as usize;
    for (i, l) in levels.iter().enumerate() {
        let x = left + GAP + i * (BAR + GAP);
        let n = int(&l["topologies"]);
        let bar = scale(n);
        let (nodes, what) = (int(&l["nodes"]), text(&l["outcome"]));
        let _ = writeln!(
            o,
            "<g class=\"size\" data-nodes=\"{nodes}\" data-outcome=\"{}\"><title>{}: {}, {} ({:.3} s)</title><rect class=\"bar {}\" x=\"{x}\" y=\"{:.1}\" width=\"{BAR}\" height=\"{bar:.1}\"/><text class=\"count\" x=\"{}\" y=\"{:.1}\">{n}</text><text class=\"count\" x=\"{}\" y=\"{}\">{nodes}</text></g>",
            escape(what),
            crate::count(nodes, "node", "nodes"),
            crate::count(n, "topology", "topologies"),
            escape(what),
            l["seconds"].as_f64().unwrap_or(0.0),
            escape(what),
            base as f64 - bar,
            x + BAR / 2,
            base as f64 - bar - 4.0,
            x + BAR / 2,
            base + 14
        );
    }
    let _ = writeln!(
        o,
        "<line x1=\"{left}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#59636e\"/><text class=\"small\" x=\"{left}\" y=\"{}\">nodes in the cluster (bars: topologies covered, logarithmic)</text></svg></div>",
        w - 4,
        base + 32
    );
    o.push_str(
        "<ul class=\"legend\"><li><span class=\"sw\" style=\"background:#1a7f37\"></span>holds</li><li><span class=\"sw\" style=\"background:#cf222e\"></span>violated</li><li><span class=\"sw\" style=\"background:#9a6700\"></span>unknown</li></ul></figure>\n",
    );
}

/// `kbmc compare --format html`.
pub fn compare(v: &Value) -> String {
    let mut o = format!("<header>\n<h1>kbmc compare {}</h1>\n</header>\n", escape(text(&v["model"])));
    o += "<section class=\"agreement\">\n<h2>Verdicts per engine</h2>\n<table>\n<tr><th>intent</th><th>agreement</th><th>explicit</th><th>symbolic</th></tr>\n";
    for r in items(&v["intents"]) {
        let (class, word) = match r["agree"].as_bool() {
            Some(true) => ("agree", "agree"),
            Some(false) => ("disagree", "DISAGREE (a bug in kbmc: please report it)"),
            None => ("inconclusive", "inconclusive"),
        };
        let engine = |e: &Value| {
            let verdict = escape(text(&e["verdict"]));
            format!("<span class=\"badge {verdict}\">{verdict}</span> {}", escape(text(&e["message"])))
        };
        let _ = writeln!(
            o,
            "<tr class=\"{class}\"><td>{}</td><td><span class=\"badge {class}\">{word}</span></td><td>{}</td><td>{}</td></tr>",
            escape(text(&r["intent"])),
            engine(&r["explicit"]),
            engine(&r["symbolic"])
        );
    }
    o += "</table>\n</section>\n<section class=\"effort\">\n<h2>Effort and time</h2>\n<table>\n<tr><th>engine</th><th>effort</th><th class=\"num\">time</th></tr>\n";
    for engine in ["explicit", "symbolic"] {
        // The effort in words ends in its time (`..., 0.011 s`).
        let effort = text(&v["effort"][engine]);
        let (what, time) = effort.rsplit_once(", ").unwrap_or((effort, ""));
        let _ =
            writeln!(o, "<tr><th>{engine}</th><td>{}</td><td class=\"num\">{}</td></tr>", escape(what), escape(time));
    }
    let _ = writeln!(o, "</table>\n</section>\n<p class=\"summary\">exit code {}</p>", int(&v["exit_code"]));
    page(&format!("kbmc compare {}", text(&v["model"])), "", &o)
}
