//! `--format html` checked in a real browser: pages for C1, C8 (a cycle), the live fixture
//! and a `scale` run are rendered by headless Chromium, which dumps each page's DOM after its
//! script ran and takes a screenshot. The DOM must show the violation marked at its step (a
//! cycle's loop at its start), a row per node, and the mark the page's script writes last
//! (absent when it threw); Chromium's log must hold no console message (a script error or a
//! load the page's Content-Security-Policy refused is one). Each page must also be one
//! self-contained file, read the same without its script, and print on A4. Without Chromium
//! the browser tests fail where it is required (`KBMC_REQUIRE_CHROMIUM` set, as .ci/run sets
//! it, or `CI=true`) and are skipped with the reason elsewhere. `KBMC_SCREENSHOTS=DIR` keeps
//! the screenshots in DIR (docs/img holds the output reference's).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{kbmc, Scratch};

const LIVE: &str = "tests/fixtures/live/microservices-demo-3z";

/// Chromium's executable: `KBMC_CHROMIUM`, else the first of Debian's and others' names on
/// the PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KBMC_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// The browser, or `None` after saying why the test is skipped; where the browser is required
/// (.ci/run, which installs it, or any CI) a missing one fails the test.
fn browser(test: &str) -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        let required =
            std::env::var_os("KBMC_REQUIRE_CHROMIUM").is_some() || std::env::var("CI").as_deref() == Ok("true");
        assert!(
            !required,
            "{test}: no Chromium on the PATH, and the browser tests are required here (KBMC_REQUIRE_CHROMIUM or \
             CI=true): install Debian's `chromium` package (.ci/run does) or set KBMC_CHROMIUM"
        );
        eprintln!("{test}: skipped: no Chromium on the PATH (apt-get install chromium, or set KBMC_CHROMIUM)");
    }
    found
}

/// A fresh directory for one test's pages and the browser's profile (some megabytes).
fn scratch(name: &str) -> Scratch {
    Scratch::new(std::env::temp_dir().join(format!("kbmc-html-{name}-{}", std::process::id())))
}

/// Runs headless Chromium on `page` with `args`, within two minutes; its stdout and stderr.
fn headless(exe: &Path, dir: &Path, page: &Path, args: &[&str]) -> (String, String) {
    let (out, err) = (dir.join("browser.out"), dir.join("browser.err"));
    let mut child = Command::new(exe)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars"])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        // No name resolves: a page that reached for the network would fail to.
        .arg("--host-resolver-rules=MAP * ~NOTFOUND")
        .args(["--enable-logging=stderr", "--v=0"])
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).expect("stdout file"))
        .stderr(std::fs::File::create(&err).expect("stderr file"))
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("chromium runs") {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish {} within two minutes", page.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    assert!(status.success(), "chromium failed on {}: {status}\n{}", page.display(), read(&err));
    (read(&out), read(&err))
}

/// The page `args` print, written to `dir`, after checking it is one self-contained file:
/// nothing loaded from elsewhere, the Content-Security-Policy that forbids it.
fn page(dir: &Path, name: &str, args: &[&str], codes: &[i32]) -> PathBuf {
    let r = kbmc(args);
    assert!(codes.contains(&r.code), "{args:?}: exit {}\n{}", r.code, r.stderr);
    let html = &r.stdout;
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"), "{args:?}: not a page");
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"), "{args:?}: no CSP");
    for external in ["<link", " src=", "@import", "url(http", "url(//", "@font-face"] {
        assert!(!html.contains(external), "{args:?}: the page loads something (`{external}`)");
    }
    let remote = remote_references(html);
    assert!(remote.is_empty(), "{args:?}: the page loads from elsewhere: {remote:?}");
    let path = dir.join(format!("{name}.html"));
    std::fs::write(&path, html).expect("the page is written");
    path
}

/// Every `src` or `href` of `html` that names another host (`http://`, `https://`, `//`) on
/// an element that would load it: everything but a link (`<a>`), which only a reader follows.
fn remote_references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for (at, _) in html.match_indices(attr) {
            let value = html[at + attr.len()..].split('"').next().unwrap_or_default();
            let remote = ["http://", "https://", "//"].iter().any(|p| value.to_ascii_lowercase().starts_with(p));
            let tag = html[..at].rsplit('<').next().unwrap_or_default();
            let element = tag.split(|c: char| c.is_whitespace() || c == '>').next().unwrap_or_default();
            if remote && element != "a" {
                found.push(format!("<{element} {attr}{value}\""));
            }
        }
    }
    found
}

/// The page's DOM after its script ran, with a screenshot of its first screen; asserts the
/// script ran to its end, no console message was logged, and the page without its script
/// reads the same.
fn render(exe: &Path, dir: &Path, page: &Path, name: &str) -> String {
    let (dom, log) = headless(exe, dir, page, &["--dump-dom"]);
    assert!(dom.contains("data-script=\"ran\""), "{name}: the page's script did not run to its end\n{log}");
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "{name}: console messages:\n{}", console.join("\n"));
    reads_without_script(exe, dir, page, name, &dom);
    let shot = dir.join(format!("{name}.png"));
    headless(exe, dir, page, &[&format!("--screenshot={}", shot.display()), "--window-size=1280,1000"]);
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{name}: screenshot of {} bytes", png.len());
    if let Some(keep) = std::env::var_os("KBMC_SCREENSHOTS") {
        std::fs::copy(&shot, Path::new(&keep).join(format!("html-{name}.png"))).expect("the screenshot is kept");
    }
    dom
}

/// The page with its script left out renders the same content as `dom`, the page's DOM
/// after its script ran, but for the button the script adds: the script only adds hovering
/// and expanding. (Headless Chromium dumps no DOM with script disabled, so the script is cut
/// out of the file instead.)
fn reads_without_script(exe: &Path, dir: &Path, page: &Path, name: &str, dom: &str) {
    let html = std::fs::read_to_string(page).expect("the page");
    let (before, rest) = html.split_once("<script>").expect("the page has its script");
    let after = rest.split_once("</script>").expect("the script ends").1;
    let bare = dir.join(format!("{name}-without-script.html"));
    std::fs::write(&bare, format!("{before}{after}")).expect("the page without its script is written");
    let (bare_dom, _) = headless(exe, dir, &bare, &["--dump-dom"]);
    assert!(!bare_dom.contains("data-script"), "{name}: a script ran in the page without one");
    let main = |d: &str| d.split_once("<main>").and_then(|(_, m)| m.split_once("</main>")).map(|(m, _)| m.to_string());
    let scripted = main(dom).expect("a <main>").replace("<button type=\"button\">expand all</button>", "");
    assert!(
        main(&bare_dom).as_deref() == Some(scripted.as_str()),
        "{name}: the page reads differently without its script"
    );
}

/// Every node's row in `dom` (the picture's and the folded ones).
fn node_rows(dom: &str) -> Vec<&str> {
    dom.split("class=\"node-row\" data-node=\"").skip(1).filter_map(|s| s.split('"').next()).collect()
}

#[test]
fn c1_shows_its_oscillation_and_the_step_that_violates() {
    let Some(exe) = browser("c1") else { return };
    let dir = scratch("c1");
    let page = page(&dir, "c1", &["check", "--format", "html", "cases/c1-hpa-oscillation"], &[1]);
    let dom = render(&exe, &dir, &page, "c1");
    assert!(dom.contains("class=\"frame violated\" data-step=\"31\""), "the violation is not marked at step 31");
    assert!(dom.contains("<g class=\"step violated\" data-col=\"32\" data-step=\"31\">"), "step 31 is not marked");
    for n in ["general-0", "general-1", "general-2"] {
        assert!(node_rows(&dom).contains(&n), "no row of {n}: {:?}", node_rows(&dom));
    }
    // The HPA's scaling up and down, in the desired replicas' row.
    assert!(dom.contains("class=\"desired-row\" data-deployment=\"web\""));
    assert!(dom.contains("desired replicas of web \u{b7} after step 12 (hpa): 6"));
    assert!(dom.contains("desired replicas of web \u{b7} after step 29 (hpa): 3"));
}

/// Printed, the page is A4: its style's `@page` size, which Chromium's PDF takes.
#[test]
fn c1_prints_on_a4() {
    let Some(exe) = browser("c1-print") else { return };
    let dir = scratch("c1-print");
    let page = page(&dir, "c1", &["check", "--format", "html", "cases/c1-hpa-oscillation"], &[1]);
    let pdf = dir.join("c1.pdf");
    headless(&exe, &dir, &page, &[&format!("--print-to-pdf={}", pdf.display()), "--no-pdf-header-footer"]);
    let bytes = std::fs::read(&pdf).expect("a PDF");
    let text = String::from_utf8_lossy(&bytes);
    let boxes: Vec<Vec<f64>> = text
        .split("/MediaBox")
        .skip(1)
        .filter_map(|s| s.trim_start().strip_prefix('[')?.split(']').next())
        .map(|b| b.split_whitespace().filter_map(|n| n.parse().ok()).collect())
        .collect();
    assert!(!boxes.is_empty(), "no page in the PDF");
    for b in &boxes {
        // A4 is 595.28 x 841.89 points.
        let a4 = b.len() == 4 && (b[2] - b[0] - 595.3).abs() < 1.5 && (b[3] - b[1] - 841.9).abs() < 1.5;
        assert!(a4, "a page of {b:?} points, not A4");
    }
}

#[test]
fn c8_marks_its_loop() {
    let Some(exe) = browser("c8") else { return };
    let dir = scratch("c8");
    let page = page(&dir, "c8", &["check", "--format", "html", "cases/c8-descheduler-spread-loop"], &[1]);
    let dom = render(&exe, &dir, &page, "c8");
    assert!(dom.contains("class=\"loop violated\" data-loop=\"11\""), "the loop is not marked from step 11");
    assert!(dom.contains("<li class=\"loop-start\""), "the steps do not say where the loop starts");
    assert_eq!(node_rows(&dom), ["on-demand-0", "spot-0", "spot-1"]);
    // The descheduler's victim, outlined, and its pod terminating after the eviction.
    assert!(dom.contains("class=\"p w0 e\""), "no pod picked to evict is drawn");
    assert!(dom.contains("class=\"p w0 t\""), "no terminating pod is drawn");
}

#[test]
fn the_live_fixture_shows_the_failed_node_and_every_node() {
    let Some(exe) = browser("live") else { return };
    let dir = scratch("live");
    let page = page(&dir, "live", &["check", "--format", "html", "--time-limit", "30", LIVE], &[1, 3]);
    let dom = render(&exe, &dir, &page, "live");
    assert!(dom.contains("class=\"frame violated\" data-step=\"0\""), "the one-step violation is not marked");
    assert!(dom.contains("class=\"cell notready\""), "the failed node is not drawn NotReady");
    let rows = node_rows(&dom);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows.iter().all(|n| n.ends_with(".eu-west-1.compute.internal")), "{rows:?}");
    assert!(dom.contains("Single-node loss"));
    assert!(dom.contains("href=\"#assumption-snapshot-state\""), "the header's assumptions are not linked");
    assert!(dom.contains("soundness.md#snapshot-state\""), "the assumption is not linked to the soundness page");
}

#[test]
fn a_scale_run_charts_its_sizes() {
    let Some(exe) = browser("scale") else { return };
    let dir = scratch("scale");
    let args =
        ["scale", "--format", "html", "cases/c3-conflicting-spread/manifests", "scaling/c3-conflicting-spread.yaml"];
    let page = page(&dir, "scale", &args, &[1]);
    let dom = render(&exe, &dir, &page, "scale");
    for (nodes, outcome) in [(1, "holds"), (2, "holds"), (3, "violated")] {
        let bar = format!("class=\"size\" data-nodes=\"{nodes}\" data-outcome=\"{outcome}\"");
        assert!(dom.contains(&bar), "no bar for {nodes} node(s), {outcome}");
    }
    // The smallest violating topology's counterexample, drawn as check draws one.
    assert!(dom.contains("class=\"frame violated\" data-step=\"13\""), "the violation is not marked at step 13");
    assert_eq!(node_rows(&dom).len(), 3, "{:?}", node_rows(&dom));
}

/// `compare --format html` without a browser: the agreement table and each engine's time.
#[test]
fn compare_has_the_agreement_and_each_engines_time() {
    let dir = scratch("compare");
    let args = ["compare", "--steps", "5", "--format", "html", "cases/c7-taint-nodename-loop"];
    let html = std::fs::read_to_string(page(&dir, "compare", &args, &[0])).unwrap();
    assert!(html.contains("<td>noEvictionCycle(agent)</td><td><span class=\"badge agree\">agree</span>"), "{html}");
    for engine in ["explicit", "symbolic"] {
        let row = html.split(&format!("<tr><th>{engine}</th><td>")).nth(1).unwrap_or_default();
        let time = row.split("<td class=\"num\">").nth(1).unwrap_or_default();
        assert!(time.starts_with(|c: char| c.is_ascii_digit()) && time.contains(" s</td>"), "{engine}: {row}");
    }
}

/// The page says what the JSON report says: every step of the counterexample in its words,
/// every assumption with its entry, the same exit code.
#[test]
fn the_page_says_what_the_json_says() {
    let case = "cases/c8-descheduler-spread-loop";
    let json = kbmc(&["check", "--format", "json", case]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let html = kbmc(&["check", "--format", "html", case]);
    assert_eq!(html.code, json.code);
    let escaped = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('\'', "&#39;");
    for step in v["results"][0]["trace"]["steps"].as_array().unwrap() {
        let words = step["text"].as_str().unwrap();
        assert!(html.stdout.contains(&escaped(words)), "the page lacks step `{words}`");
    }
    for a in v["header"]["assumptions"].as_array().unwrap() {
        let (id, text) = (a["id"].as_str().unwrap(), a["text"].as_str().unwrap());
        assert!(html.stdout.contains(&format!("id=\"assumption-{id}\"")), "no entry for {id}");
        assert!(html.stdout.contains(&escaped(text)), "{id}: its text is missing");
    }
}

/// `check --baseline --format html`: each finding's state against the baseline, and the
/// comparison (tests/it/baseline.rs has the case).
#[test]
fn a_baseline_page_says_new_unchanged_and_fixed() {
    let dump = "tests/fixtures/baseline/cluster.yaml";
    let args = [
        "check",
        "--engine",
        "explicit",
        "--format",
        "html",
        "--baseline",
        dump,
        "tests/fixtures/baseline/anti-affinity",
    ];
    let html = std::fs::read_to_string(page(&scratch("baseline"), "baseline", &args, &[1])).unwrap();
    assert!(
        html.contains("<span class=\"badge violated\">violated</span> <span class=\"badge new\">new</span>"),
        "{html}"
    );
    assert!(html.contains("<span class=\"badge unchanged\">unchanged</span>"), "{html}");
    assert!(html.contains("<th><span class=\"badge new\">new</span></th><td>podAlwaysSchedulable</td>"), "{html}");
    assert!(html.contains("<p>the change adds 1 violation</p>"), "{html}");
}

/// What counts as loading from elsewhere: a remote `src` or `href` on anything but a link.
#[test]
fn remote_references_are_found() {
    let html = "<a href=\"https://example.com/doc\">doc</a><a href=\"#x\">x</a>\
                <img src=\"http://example.com/i.png\"><svg><use xlink:href=\"//cdn.example.com/s.svg#a\"/></svg>\
                <link rel=\"stylesheet\" href=\"HTTPS://example.com/s.css\">";
    assert_eq!(
        remote_references(html),
        [
            "<img src=\"http://example.com/i.png\"",
            "<use href=\"//cdn.example.com/s.svg#a\"",
            "<link href=\"HTTPS://example.com/s.css\"",
        ]
    );
}
