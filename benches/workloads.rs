//! Time to a verdict on generated workloads (benches/common/workloads.rs): N Deployments of 3
//! replicas with a soft zone spread on M nodes in three zones, under a descheduler and one
//! node failure, a `noEvictionCycle` intent each, for N in 1, 2, 4, 8, 16, 32 and M in 6, 12,
//! 48; then microservices-demo's published manifests on 3 and 12 nodes with one node failure
//! and `podAlwaysSchedulable`; then live snapshots (`snapshot-k1`, `-k4`, `-k16`): Nodes,
//! Deployments, ReplicaSets and Running pods of microservices-demo copied into k namespaces on
//! 3k nodes of 4 CPU / 16 GiB in three zones, with kube-system (CoreDNS, metrics-server, a
//! kube-proxy pod per node), no Verification, so checked with the spec kbmc infers; and tight
//! snapshots (`tight-snapshot-k1`, `-k4`): the same with each node's allocatable CPU just
//! above its pods' requests, one node failure and `podAlwaysSchedulable`, checked by the
//! symbolic engine alone (`--explicit-states 0`), which must find the replacement that fits
//! nowhere; and live snapshots of another application (`bookinfo-k1`, `-k4`, `-k16`):
//! bookinfo's six Deployments (one with two replicas under a PodDisruptionBudget) copied
//! into k namespaces on 4k GKE nodes in two zones, with kube-system (kube-dns, metrics-server,
//! a fluentbit pod per node), checked as the other snapshots are. Each
//! cluster is checked by the kbmc binary as a child process (`kbmc check --all --format
//! json`) under a time limit per run: the generated clusters and microservices-demo once with
//! `--engine symbolic` and once with `--engine explicit`, the snapshots once with kbmc's
//! default engine (no `--engine`), the tight ones once with `--explicit-states 0`. One Markdown table row per run: per-intent verdicts (each
//! holding one with its step bound and, where kbmc reports it, its event bound), the event
//! bound the check reached, when every intent was first decided (under how many events, and
//! after how long: read off the child's progress lines, as a deepening check passes each event
//! bound, so a check that goes on deepening until its time limit still shows when its first
//! complete answer came), wall-clock time to the verdicts, CPU time, states (explicit) and
//! depth, and the child's peak resident memory (its rusage `ru_maxrss`, Z3's share included).
//! Results go to docs/performance.md.
//!
//! `cargo bench --bench workloads [-- OPTIONS] [FILTER...]`:
//! - `--quick`: only N = 1, 2 on 6 nodes, microservices-demo on 3 nodes, `snapshot-k1`,
//!   `tight-snapshot-k1` and `bookinfo-k1`;
//! - FILTER: only the clusters whose label (`n4-m12`, `microservices-demo-m3`,
//!   `snapshot-k4`) contains it, a number whole (`snapshot-k1` is not `snapshot-k16`);
//! - `--engine symbolic|explicit`: that engine only, for every cluster (the snapshots too);
//! - `--time-limit S`: kbmc's `--time-limit` per run (default 120 s; a run that has not
//!   stopped by itself is killed at twice that, at least a minute after it);
//! - `--first`: without `--all` (as `kbmc check` runs by default: stop at the first violation);
//! - `--kbmc PATH`: another kbmc binary (default: the one `cargo bench` built);
//! - `--write DIR N M`, `--write DIR microservices-demo M`, `--write DIR snapshot K`,
//!   `--write DIR tight-snapshot K` or `--write DIR bookinfo K`: write that cluster to DIR
//!   and run nothing.
//!
//! Never asserts on time; a run that fails to give a verdict prints what it said instead.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[path = "common/workloads.rs"]
mod workloads;

/// The per-run time limit without `--time-limit`, in seconds.
const TIME_LIMIT: u64 = 120;

/// When a run that has not stopped by itself is killed: at twice its time limit, and at
/// least a minute after it (kbmc looks at its limit between frames and queries, so a run may
/// overrun it by one unrolled frame).
fn kill_after(time_limit: u64) -> Duration {
    Duration::from_secs((2 * time_limit).max(time_limit + 60))
}

const USAGE: &str = "usage: cargo bench --bench workloads -- [--quick] [--engine symbolic|explicit] [--time-limit S] [--first] [--kbmc PATH] [FILTER...]
       cargo bench --bench workloads -- --write DIR N M
       cargo bench --bench workloads -- --write DIR microservices-demo M
       cargo bench --bench workloads -- --write DIR snapshot K
       cargo bench --bench workloads -- --write DIR tight-snapshot K
       cargo bench --bench workloads -- --write DIR bookinfo K";

/// One cluster of the family.
#[derive(Clone, Copy)]
enum Cluster {
    /// `n` generated Deployments on `m` nodes.
    Generated { n: usize, m: usize },
    /// microservices-demo on `m` nodes.
    Demo { m: usize },
    /// A live snapshot of microservices-demo in `k` namespaces on `3k` nodes.
    Snapshot { k: usize },
    /// The same with capacity made tight, one node failure and `podAlwaysSchedulable`.
    Tight { k: usize },
    /// A live snapshot of bookinfo in `k` namespaces on `4k` nodes.
    Bookinfo { k: usize },
}

impl Cluster {
    fn label(self) -> String {
        match self {
            Cluster::Generated { n, m } => format!("n{n}-m{m}"),
            Cluster::Demo { m } => format!("microservices-demo-m{m}"),
            Cluster::Snapshot { k } => format!("snapshot-k{k}"),
            Cluster::Tight { k } => format!("tight-snapshot-k{k}"),
            Cluster::Bookinfo { k } => format!("bookinfo-k{k}"),
        }
    }

    /// The table's N and M: what runs, on how many nodes.
    fn size(self) -> (String, usize) {
        match self {
            Cluster::Generated { n, m } => (n.to_string(), m),
            Cluster::Demo { m } => ("microservices-demo".to_string(), m),
            Cluster::Snapshot { k } => (format!("snapshot k={k}"), 3 * k),
            Cluster::Tight { k } => (format!("tight snapshot k={k}"), 3 * k),
            Cluster::Bookinfo { k } => (format!("bookinfo k={k}"), 4 * k),
        }
    }

    /// The engines it is checked with: `given` (`--engine`), else both for the generated
    /// clusters and microservices-demo, kbmc's default (`None`: no `--engine`) for snapshots,
    /// and the symbolic engine alone ([`SYMBOLIC_ALONE`]) for tight snapshots.
    fn engines(self, given: Option<&'static str>) -> Vec<Option<&'static str>> {
        match (given, self) {
            (Some(e), _) => vec![Some(e)],
            (None, Cluster::Snapshot { .. } | Cluster::Bookinfo { .. }) => vec![None],
            (None, Cluster::Tight { .. }) => vec![Some(SYMBOLIC_ALONE)],
            (None, _) => vec![Some("symbolic"), Some("explicit")],
        }
    }

    fn write(self, dir: &Path) -> std::io::Result<()> {
        match self {
            Cluster::Generated { n, m } => workloads::write(dir, n, m),
            Cluster::Demo { m } => workloads::write_microservices_demo(dir, m),
            Cluster::Snapshot { k } => workloads::write_snapshot(dir, k),
            Cluster::Tight { k } => workloads::write_tight_snapshot(dir, k),
            Cluster::Bookinfo { k } => workloads::write_bookinfo_snapshot(dir, k),
        }
    }
}

/// The engine name that runs the default engine with `--explicit-states 0`: the symbolic
/// engine alone, no explicit search first.
const SYMBOLIC_ALONE: &str = "symbolic-alone";

/// The whole family, or with `quick` its smallest clusters.
fn family(quick: bool) -> Vec<Cluster> {
    let (ns, ms, demo, ks): (&[usize], &[usize], &[usize], &[usize]) =
        if quick { (&[1, 2], &[6], &[3], &[1]) } else { (&[1, 2, 4, 8, 16, 32], &[6, 12, 48], &[3, 12], &[1, 4, 16]) };
    let mut v = Vec::new();
    for &m in ms {
        for &n in ns {
            v.push(Cluster::Generated { n, m });
        }
    }
    v.extend(demo.iter().map(|&m| Cluster::Demo { m }));
    v.extend(ks.iter().map(|&k| Cluster::Snapshot { k }));
    v.extend(ks.iter().filter(|&&k| k <= 4).map(|&k| Cluster::Tight { k }));
    v.extend(ks.iter().map(|&k| Cluster::Bookinfo { k }));
    v
}

struct Args {
    quick: bool,
    /// `--engine`, if given.
    engine: Option<&'static str>,
    time_limit: u64,
    all: bool,
    kbmc: PathBuf,
    filters: Vec<String>,
    write: Option<(PathBuf, Cluster)>,
}

fn parse() -> Result<Args, String> {
    let mut a = Args {
        quick: false,
        engine: None,
        time_limit: TIME_LIMIT,
        all: true,
        kbmc: PathBuf::from(env!("CARGO_BIN_EXE_kbmc")),
        filters: Vec::new(),
        write: None,
    };
    let mut it = std::env::args().skip(1);
    let number = |what: &str, v: Option<String>| -> Result<usize, String> {
        let v = v.ok_or(format!("{what}: a number is missing"))?;
        v.parse().map_err(|_| format!("{what}: expected a whole number, got {v:?}"))
    };
    while let Some(arg) = it.next() {
        match arg.as_str() {
            // What `cargo bench` passes to every bench.
            "--bench" => {}
            "--quick" => a.quick = true,
            "--first" => a.all = false,
            "--engine" => {
                a.engine = match it.next().as_deref() {
                    Some("symbolic") => Some("symbolic"),
                    Some("explicit") => Some("explicit"),
                    Some(other) => return Err(format!("--engine: expected symbolic or explicit, got {other:?}")),
                    None => return Err("--engine: expected symbolic or explicit, got nothing".into()),
                }
            }
            "--time-limit" => a.time_limit = number("--time-limit", it.next())? as u64,
            "--kbmc" => a.kbmc = it.next().ok_or("--kbmc: a path is missing")?.into(),
            "--write" => {
                let dir = PathBuf::from(it.next().ok_or("--write: DIR is missing")?);
                let first = it
                    .next()
                    .ok_or("--write: N (or microservices-demo, snapshot, tight-snapshot or bookinfo) is missing")?;
                let cluster = if first == "microservices-demo" {
                    Cluster::Demo { m: number("--write microservices-demo M", it.next())? }
                } else if first == "snapshot" {
                    Cluster::Snapshot { k: number("--write snapshot K", it.next())? }
                } else if first == "tight-snapshot" {
                    Cluster::Tight { k: number("--write tight-snapshot K", it.next())? }
                } else if first == "bookinfo" {
                    Cluster::Bookinfo { k: number("--write bookinfo K", it.next())? }
                } else {
                    let n = number("--write N", Some(first))?;
                    Cluster::Generated { n, m: number("--write N M", it.next())? }
                };
                a.write = Some((dir, cluster));
            }
            s if s.starts_with('-') => return Err(format!("unknown option {s:?}")),
            s => a.filters.push(s.to_string()),
        }
    }
    if a.time_limit == 0 {
        return Err("--time-limit: 0 would let a run go on without end; give seconds above 0".into());
    }
    Ok(a)
}

fn main() {
    let a = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("workloads: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    if let Some((dir, cluster)) = &a.write {
        if let Err(e) = cluster.write(dir) {
            eprintln!("workloads: writing {} into {}: {e}", cluster.label(), dir.display());
            std::process::exit(2);
        }
        println!("wrote {} into {}: kbmc check {}", cluster.label(), dir.display(), dir.display());
        return;
    }
    println!(
        "kbmc: {}; per-run time limit {} s; {}; load average at start: {}",
        a.kbmc.display(),
        a.time_limit,
        if a.all { "--all" } else { "first violation" },
        load_average()
    );
    println!("\n| engine | N | M | verdicts | events | all decided | time | cpu | states | depth | peak RSS |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let root = std::env::temp_dir().join(format!("kbmc-bench-workloads-{}", std::process::id()));
    for cluster in family(a.quick) {
        let label = cluster.label();
        if !a.filters.is_empty() && !a.filters.iter().any(|f| selects(f, &label)) {
            continue;
        }
        let dir = root.join(&label);
        if let Err(e) = cluster.write(&dir) {
            eprintln!("workloads: writing {label} into {}: {e}", dir.display());
            std::process::exit(2);
        }
        let (n, m) = cluster.size();
        for engine in cluster.engines(a.engine) {
            let r = run(&a, &dir, engine);
            println!(
                "| {} | {n} | {m} | {} | {} | {} | {:.2} s | {:.2} s | {} | {} | {} MiB |",
                engine.unwrap_or("default"),
                r.verdicts,
                r.events,
                r.decided,
                r.wall.as_secs_f64(),
                r.cpu.as_secs_f64(),
                r.states.map_or("-".to_string(), |s| s.to_string()),
                r.depth.map_or("-".to_string(), |d| d.to_string()),
                r.max_rss_kib / 1024
            );
        }
    }
    std::fs::remove_dir_all(&root).ok();
    println!("\nload average at end: {}", load_average());
}

/// Whether FILTER `f` selects the cluster labelled `label`: `label` contains it, and not as
/// the start of a longer number (`snapshot-k1` is not `snapshot-k16`, `n1` not `n16-m6`).
fn selects(f: &str, label: &str) -> bool {
    label.match_indices(f).any(|(i, _)| {
        let ends_in_digit = f.ends_with(|c: char| c.is_ascii_digit());
        !(ends_in_digit && label[i + f.len()..].starts_with(|c: char| c.is_ascii_digit()))
    })
}

/// The 1-, 5- and 15-minute load averages, as /proc/loadavg gives them.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unavailable".into())
}

/// What one run of kbmc gave.
struct Outcome {
    verdicts: String,
    /// The bound on events in one run the check reached ([`events`]).
    events: String,
    /// When every intent was first decided ([`decided`]).
    decided: String,
    wall: Duration,
    /// User and system time of the child.
    cpu: Duration,
    states: Option<u64>,
    depth: Option<u64>,
    max_rss_kib: i64,
}

/// Runs `kbmc check` on `dir` with `engine` (`None`: kbmc's default) as a child process,
/// killed at [`kill_after`]. The child's stdout and stderr go to files (a counterexample's JSON
/// may be larger than a pipe holds); it is waited for without being reaped first (`waitid`
/// with `WNOWAIT`), so that the watchdog can never signal a reused process id, then reaped by
/// `wait4` for its resource usage.
fn run(a: &Args, dir: &Path, engine: Option<&str>) -> Outcome {
    let name = engine.unwrap_or("default");
    let out_path = dir.with_extension(format!("{name}.json"));
    let err_path = dir.with_extension(format!("{name}.stderr"));
    let mut cmd = Command::new(&a.kbmc);
    cmd.args(["check", "--format", "json", "--time-limit", &a.time_limit.to_string()]);
    // The progress lines, which kbmc writes only to a terminal unless asked: [`decided`] reads
    // the deepening's.
    cmd.env("RUST_LOG", "kbmc::progress=info");
    match engine {
        Some(SYMBOLIC_ALONE) => {
            cmd.args(["--explicit-states", "0"]);
        }
        Some(e) => {
            cmd.args(["--engine", e]);
        }
        None => {}
    }
    if a.all {
        cmd.arg("--all");
    }
    cmd.arg(dir)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("the bench's temporary directory is writable"))
        .stderr(std::fs::File::create(&err_path).expect("the bench's temporary directory is writable"));
    let start = Instant::now();
    let child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("workloads: cannot run {}: {e}", a.kbmc.display());
            std::process::exit(2);
        }
    };
    let pid = child.id() as libc::pid_t;
    let (stop, stopped) = mpsc::channel::<()>();
    let limit = kill_after(a.time_limit);
    let watchdog = std::thread::spawn(move || {
        if stopped.recv_timeout(limit) == Err(mpsc::RecvTimeoutError::Timeout) {
            // SAFETY: `pid` is our child, not yet reaped (main waits for this thread first).
            unsafe { libc::kill(pid, libc::SIGKILL) };
            return true;
        }
        false
    });
    // SAFETY: plain system calls on our own child with zeroed out-structures.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        while libc::waitid(libc::P_PID, pid as libc::id_t, &mut info, libc::WEXITED | libc::WNOWAIT) != 0 {
            assert_eq!(std::io::Error::last_os_error().raw_os_error(), Some(libc::EINTR), "waitid on the child");
        }
    }
    let wall = start.elapsed();
    stop.send(()).ok();
    let killed = watchdog.join().expect("the watchdog thread ends");
    let mut status = 0;
    // SAFETY: as above; this reaps the child.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        let r = libc::wait4(pid, &mut status, 0, &mut usage);
        assert_eq!(r, pid, "wait4 reaps the child: {}", std::io::Error::last_os_error());
        usage
    };
    // The child is reaped: `child` must not wait for it again (dropping it does not).
    drop(child);
    let tv = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    let mut o = Outcome {
        verdicts: String::new(),
        events: "-".to_string(),
        decided: "-".to_string(),
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        states: None,
        depth: None,
        max_rss_kib: usage.ru_maxrss,
    };
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let code = if libc::WIFEXITED(status) { Some(libc::WEXITSTATUS(status)) } else { None };
    o.verdicts = if killed {
        format!("killed at {} s (time limit {} s): no verdict", kill_after(a.time_limit).as_secs(), a.time_limit)
    } else {
        match (code, serde_json::from_str::<serde_json::Value>(&stdout)) {
            (Some(0 | 1 | 3), Ok(j)) => {
                o.states = j["effort"]["states"].as_u64().filter(|_| j["effort"]["engine"] == "explicit");
                o.depth = j["effort"]["depth"].as_u64();
                o.events = events(&j);
                o.decided = decided(&stderr, &j, wall);
                summary(&j)
            }
            _ => format!(
                "no verdict: exit {}: {}",
                code.map_or("by a signal".to_string(), |c| c.to_string()),
                stderr.lines().next().unwrap_or("(nothing on stderr)")
            ),
        }
    };
    std::fs::remove_file(&out_path).ok();
    std::fs::remove_file(&err_path).ok();
    o
}

/// The bound on events in one run the check reached, from the JSON's top-level `events`:
/// `2 of 16` (deepened from one while time remained: `2 of 16, deepened`), `all` when it is
/// null (every event's own budget was allowed), `-` when a kbmc too old to report it ran.
fn events(j: &serde_json::Value) -> String {
    match j.get("events") {
        None => "-".into(),
        Some(serde_json::Value::Null) => "all".into(),
        Some(e) => format!(
            "{} of {}{}",
            e["bound"],
            e["total"],
            if e["deepened"].as_bool() == Some(true) { ", deepened" } else { "" }
        ),
    }
}

/// When every intent was decided, per event bound: `<=1 events, 0.7 s; <=2 events, 41.3 s`
/// from each progress line of the event bound's deepening (`with up to 1 of 16 events: 13
/// violated, 30 hold, 0 open (0.7 s); now 2 events ...`) that leaves none open; else, where the
/// report itself leaves no intent unknown, the run's own bound and wall-clock time; else `-`
/// (some intent unknown).
fn decided(stderr: &str, j: &serde_json::Value, wall: Duration) -> String {
    let mut levels = Vec::new();
    for line in stderr.lines() {
        let Some(rest) = line.split("with up to ").nth(1) else { continue };
        let bound = rest.split(' ').next().unwrap_or("?");
        let Some((counts, after)) = rest.split_once(" open (") else { continue };
        let open = counts.rsplit(' ').next().and_then(|n| n.parse::<u64>().ok());
        let secs = after.split(" s)").next().unwrap_or("?");
        if open == Some(0) {
            levels.push(format!("<={bound} events, {secs} s"));
        }
    }
    if !levels.is_empty() {
        return levels.join("; ");
    }
    let results = j["results"].as_array().map_or(&[][..], Vec::as_slice);
    if results.is_empty() || results.iter().any(|r| r["verdict"] == "unknown") {
        return "-".into();
    }
    let bound = j["events"]["bound"].as_u64().map_or("all".to_string(), |b| format!("<={b}"));
    format!("{bound} events, {:.1} s", wall.as_secs_f64())
}

/// Per-intent verdicts, alike ones counted: `noEvictionCycle: 3× violated@15, 29× holds(<=30)`.
/// `violated@k`: a counterexample of k steps; `holds(all)`: every reachable state explored;
/// `holds(<=k)`: no violation within k steps; `proved`: for every run length; a holding or
/// proved verdict under an event bound (the result's `events_bound`, where kbmc reports one)
/// says it: `holds(<=30, <=2 events)`, `proved(<=2 events)`;
/// `unknown(<=k)`: cut short (a time or memory limit) with no violation within k steps;
/// `unknown(not decided)`: stopped at another intent's violation (without `--all`).
fn summary(j: &serde_json::Value) -> String {
    let mut groups: Vec<(String, String, usize)> = Vec::new();
    for r in j["results"].as_array().into_iter().flatten() {
        let intent = r["intent"].as_str().unwrap_or("?");
        let kind = intent.split('(').next().unwrap_or(intent).to_string();
        let events = r["events_bound"].as_u64().map_or(String::new(), |b| format!(", <={b} events"));
        let word = match r["verdict"].as_str() {
            Some("violated") => {
                format!("violated@{}", r["trace"]["steps"].as_array().map_or(0, Vec::len))
            }
            Some("holds") if r["bound"]["exhaustive"].as_bool() == Some(true) => format!("holds(all{events})"),
            Some("holds") => format!("holds(<={}{events})", r["bound"]["steps"]),
            Some("proved") if events.is_empty() => "proved".into(),
            Some("proved") => format!("proved({})", &events[2..]),
            _ => {
                let reason = r["reason"].as_str().unwrap_or("");
                let within = reason.split("no violation within ").nth(1).and_then(|s| s.split(' ').next());
                match within {
                    _ if reason.starts_with("not decided") => "unknown(not decided)".into(),
                    Some(k) if k.parse::<u64>().is_ok() => format!("unknown(<={k})"),
                    _ => format!("unknown({})", reason.chars().take(40).collect::<String>()),
                }
            }
        };
        match groups.iter_mut().find(|(k, w, _)| *k == kind && *w == word) {
            Some(g) => g.2 += 1,
            None => groups.push((kind, word, 1)),
        }
    }
    let mut kinds: Vec<&str> = Vec::new();
    for (kind, _, _) in &groups {
        if !kinds.contains(&kind.as_str()) {
            kinds.push(kind);
        }
    }
    let per_kind: Vec<String> = kinds
        .iter()
        .map(|k| {
            let words: Vec<String> =
                groups.iter().filter(|(kind, _, _)| kind == k).map(|(_, w, c)| format!("{c}× {w}")).collect();
            format!("{k}: {}", words.join(", "))
        })
        .collect();
    per_kind.join("; ")
}
