//! The one limits mechanism of a run: a time limit and a memory limit, watched by a thread
//! that raises a process-wide flag when either is passed. Engines, `simulate`, `scale`,
//! `compare` and `dump` poll [`stopped`] inside their long loops (a relaxed atomic load, cheap
//! enough for the innermost ones) and end with an honest "unknown" naming the limit. The state
//! limit of the explicit engine stays an option of that engine (it counts its own states).
//!
//! The first part of a run may be given a share of the time limit ([`share`]: `check
//! --baseline` checks the change in the first half and its baseline in the rest): the limit
//! is then also reached when the share runs out, and the stop names the share. So may each
//! part of a check on its own thread ([`part`]: `crate::parts`), looked at by [`stopped`]
//! itself on that thread rather than raised as the process-wide flag.
//!
//! Memory is the process's resident set, read from `/proc/self/statm` (so it counts Z3's
//! allocations too); where that file cannot be read, only the time limit is watched. This
//! module must not decide verdicts or print anything: it only says which limit was passed.
//!
//! The clock is the real one, unless `KBMC_TEST_STATES_PER_SECOND` is set to a positive
//! number N: time then advances by 1/N s with each state an explicit search expands and each
//! solver check the symbolic engine makes ([`tick`]), and by nothing else, so that tests cut a
//! search short at the same state, and a symbolic check at the same query, on every machine (a
//! tiny wall-clock limit cuts them wherever the machine happens to be).

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A limit that cut a run short.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The time limit, in seconds.
    Time(u64),
    /// The memory limit, in bytes.
    Memory(u64),
    /// The share of the time limit of the first part of the run (see [`share`]): whose (`the
    /// change`), when it ends in milliseconds of the run, and the time limit in seconds.
    Share { of: &'static str, ms: u64, limit: u64 },
    /// The share of the time limit one part of a check was given on its thread (see [`part`]):
    /// when it ends in milliseconds of the run, and the time limit in seconds.
    Part { ms: u64, limit: u64 },
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Time(s) => write!(f, "the time limit of {s} s (--time-limit)"),
            Stop::Memory(b) => write!(f, "the memory limit of {} MiB (--max-memory)", b.div_ceil(1 << 20)),
            Stop::Share { of, ms, limit } => {
                write!(f, "{of}'s share of the time limit (the first {} of {limit} s, --time-limit)", seconds(*ms))
            }
            Stop::Part { ms, limit } => {
                write!(f, "this part's share of the time limit (up to {} of {limit} s, --time-limit)", seconds(*ms))
            }
        }
    }
}

impl Stop {
    /// The short form reports open with: "time limit" or "memory limit".
    pub fn kind(&self) -> &'static str {
        match self {
            Stop::Time(_) | Stop::Share { .. } | Stop::Part { .. } => "time limit",
            Stop::Memory(_) => "memory limit",
        }
    }
}

/// `ms` milliseconds as people read a share of a limit in whole seconds: `150 s`, `2.5 s`.
pub fn seconds(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{} s", format!("{:.3}", ms as f64 / 1000.0).trim_end_matches('0'))
    }
}

/// 0: no limit passed; 1: time; 2: memory; 3: the share of the time limit in [`SHARE`].
static STOPPED: AtomicU8 = AtomicU8::new(0);
/// The limit passed, for [`stopped`]'s answer: seconds or bytes.
static LIMIT: AtomicU64 = AtomicU64::new(0);
/// The watched time limit, for [`left`] and the shares.
static TIME_LIMIT: OnceLock<Duration> = OnceLock::new();
/// When the watch began: time 0 of the real clock.
static START: OnceLock<Instant> = OnceLock::new();
/// States per second of the test clock (see the module doc); 0: the real clock.
static STATES_PER_SECOND: AtomicU64 = AtomicU64::new(0);
/// The states expanded so far, with the test clock.
static TICKS: AtomicU64 = AtomicU64::new(0);
/// The share of the time limit under way, if any. Raising or clearing a stop of a share is
/// done holding it, so that a share's stop never outlives the share.
static SHARE: Mutex<Option<Current>> = Mutex::new(None);

/// A share of the time limit under way: whose, and when it ends (run time).
#[derive(Clone, Copy)]
struct Current {
    of: &'static str,
    end: Duration,
}

/// The limit that cut the run short, if any. Cheap: callers poll it inside long loops.
#[inline]
pub fn stopped() -> Option<Stop> {
    match STOPPED.load(Ordering::Relaxed) {
        0 => part_passed(),
        1 => Some(Stop::Time(LIMIT.load(Ordering::Relaxed))),
        2 => Some(Stop::Memory(LIMIT.load(Ordering::Relaxed))),
        _ => {
            let share = *SHARE.lock().unwrap_or_else(|e| e.into_inner());
            let limit = TIME_LIMIT.get().map_or(0, Duration::as_secs);
            Some(share.map_or(Stop::Time(limit), |c| Stop::Share { of: c.of, ms: c.end.as_millis() as u64, limit }))
        }
    }
}

std::thread_local! {
    /// The end of the share of the time limit the part of a check on this thread was given
    /// ([`part`]), in run time.
    static PART: std::cell::Cell<Option<Duration>> = const { std::cell::Cell::new(None) };
}

/// The stop of this thread's part, where its share has passed.
fn part_passed() -> Option<Stop> {
    let end = PART.with(|p| p.get())?;
    (elapsed() >= end)
        .then(|| Stop::Part { ms: end.as_millis() as u64, limit: TIME_LIMIT.get().map_or(0, Duration::as_secs) })
}

/// A part's share of the time limit on its thread (see [`part`]); dropping it ends the share.
pub struct Part(());

impl Drop for Part {
    fn drop(&mut self) {
        PART.with(|p| p.set(None));
    }
}

/// Gives the part of a check that runs on this thread `share` of the time limit from now
/// (`crate::parts`: parts run one after another, or side by side on threads): until the
/// returned guard is dropped, [`stopped`] and [`left`] on this thread also count the share's
/// end, and what the part does not use is left to the parts after it. `None` without a
/// watched time limit.
pub fn part(share: Duration) -> Option<Part> {
    TIME_LIMIT.get()?;
    let end = elapsed() + share;
    PART.with(|p| p.set(Some(end)));
    Some(Part(()))
}

/// The time since the watch began, by the clock the run is watched with.
fn elapsed() -> Duration {
    match STATES_PER_SECOND.load(Ordering::Relaxed) {
        0 => START.get().map_or(Duration::ZERO, Instant::elapsed),
        n => Duration::from_secs_f64(TICKS.load(Ordering::Relaxed) as f64 / n as f64),
    }
}

/// What the run's time limit, or the share of it under way, leaves (zero once it has passed);
/// `None` without a watched time limit. Solver queries take the smaller of this and their own
/// share, so that no query outlasts the run (`compare` starts the symbolic engine after the
/// explicit one).
pub fn left() -> Option<Duration> {
    let limit = *TIME_LIMIT.get()?;
    let end = SHARE.lock().unwrap_or_else(|e| e.into_inner()).map_or(limit, |c| c.end.min(limit));
    let end = PART.with(|p| p.get()).map_or(end, |p| p.min(end));
    Some(end.saturating_sub(elapsed()))
}

/// Whether the test clock runs (see the module doc): its time is the work done by every
/// thread together, so work on several threads at once would cut a run at a state that
/// depends on how the threads were scheduled.
pub fn test_clock() -> bool {
    STATES_PER_SECOND.load(Ordering::Relaxed) != 0
}

/// One state expanded by an explicit search, or one solver check: with the test clock, time
/// advances by one tick and the time limit is looked at; with the real clock, nothing (the
/// watching thread looks).
#[inline]
pub fn tick() {
    if STATES_PER_SECOND.load(Ordering::Relaxed) != 0 {
        TICKS.fetch_add(1, Ordering::Relaxed);
        look_at_clock();
    }
}

/// Raises the stop of the share under way, or of the time limit, where it has passed (the
/// share first: where both end together, the share is what the part was given).
fn look_at_clock() {
    let Some(&limit) = TIME_LIMIT.get() else { return };
    let now = elapsed();
    let share = SHARE.lock().unwrap_or_else(|e| e.into_inner());
    if share.is_some_and(|c| now >= c.end) {
        raise(3, 0);
    } else if now >= limit {
        raise(1, limit.as_secs());
    }
}

/// A share of the time limit (see [`share`]); dropping it ends the share, and a stop it
/// raised with it, so that the next part of the run starts afresh.
pub struct Share(());

impl Drop for Share {
    fn drop(&mut self) {
        let mut share = SHARE.lock().unwrap_or_else(|e| e.into_inner());
        *share = None;
        if STOPPED.load(Ordering::Relaxed) == 3 {
            STOPPED.store(0, Ordering::Relaxed);
        }
    }
}

/// Gives the part of the run under way, called `of` in what a stop says (`the change`), the
/// first `1/parts` of the time limit, counted from the start of the run: until the returned
/// share is dropped, the time limit is also reached when that has passed, and what the share
/// does not use is left to the rest of the run. `None` without a watched time limit.
pub fn share(of: &'static str, parts: u32) -> Option<Share> {
    let limit = *TIME_LIMIT.get()?;
    *SHARE.lock().unwrap_or_else(|e| e.into_inner()) = Some(Current { of, end: limit / parts.max(1) });
    Some(Share(()))
}

/// For a loop whose length input sets (a split on every value up to maxReplicas): whether
/// to leave it at iteration `k`, a limit having been passed. Asked every 1024 iterations; the
/// caller's engine discards what the loop built (see [`stopped`]).
#[inline]
pub fn cut_short(k: i64) -> bool {
    k % 1024 == 0 && stopped().is_some()
}

fn raise(kind: u8, limit: u64) {
    if STOPPED.load(Ordering::Relaxed) == 0 {
        LIMIT.store(limit, Ordering::Relaxed);
        STOPPED.store(kind, Ordering::Relaxed);
    }
}

/// The limits of a run. `None`: no such limit.
#[derive(Clone, Copy, Debug, Default)]
pub struct Limits {
    pub time: Option<Duration>,
    /// Bytes of resident memory.
    pub memory: Option<u64>,
}

/// The watching thread; dropping it stops the thread (the flag stays as it is).
pub struct Watch {
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}

/// How often the watching thread looks at the clock and the resident set.
const TICK: Duration = Duration::from_millis(20);

/// Starts watching `limits` from now. One watch per process: it raises the process-wide flag.
pub fn watch(limits: Limits) -> Watch {
    let done = Arc::new(AtomicBool::new(false));
    let _ = START.set(Instant::now());
    if let Some(t) = limits.time {
        let _ = TIME_LIMIT.set(t);
    }
    let test_clock = std::env::var("KBMC_TEST_STATES_PER_SECOND").ok().and_then(|n| n.parse::<u64>().ok());
    STATES_PER_SECOND.store(test_clock.unwrap_or(0), Ordering::Relaxed);
    let real_clock = test_clock.unwrap_or(0) == 0;
    // A memory limit below what the process already holds stops it before any work, however
    // soon the watching thread would first look.
    if let (Some(max), Some(rss)) = (limits.memory, resident_bytes()) {
        if rss > max {
            raise(2, max);
        }
    }
    let flag = done.clone();
    let thread = std::thread::Builder::new()
        .name("kbmc-limits".into())
        .spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                // A share may end before the limit, and another begin after it: the thread
                // watches until the run ends, whatever it raised.
                if real_clock && STOPPED.load(Ordering::Relaxed) == 0 {
                    look_at_clock();
                }
                if let (Some(max), Some(rss)) = (limits.memory, resident_bytes()) {
                    if rss > max {
                        raise(2, max);
                        return;
                    }
                }
                std::thread::park_timeout(TICK);
            }
        })
        .ok();
    Watch { done, thread }
}

/// The resident set of this process in bytes (`/proc/self/statm`, second field, in pages).
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * page_size())
}

/// The page size `statm` counts in: 4 KiB on the platforms kbmc runs on, unless the kernel's
/// auxiliary vector says otherwise.
fn page_size() -> u64 {
    std::fs::read("/proc/self/auxv")
        .ok()
        .and_then(|a| {
            // (key, value) pairs of native words; AT_PAGESZ is 6.
            a.chunks_exact(16).find_map(|c| {
                let k = u64::from_ne_bytes(c[..8].try_into().ok()?);
                let v = u64::from_ne_bytes(c[8..].try_into().ok()?);
                (k == 6).then_some(v)
            })
        })
        .filter(|&p| p.is_power_of_two())
        .unwrap_or(4096)
}

/// The default memory limit: half of the machine's memory (`MemTotal` in `/proc/meminfo`),
/// leaving the other half to the rest of the machine; `None` where it cannot be read.
pub fn default_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024 / 2)
}

/// Parses a `--max-memory` value: a whole number of bytes with an optional binary suffix
/// (`K`, `M`, `G`, `T`, or `KiB`, `MiB`, `GiB`, `TiB`); `0` means no limit. Reports state the
/// limit in MiB, so a size that is not a whole number of MiB (at least 1) is refused rather
/// than reported as another.
pub fn parse_memory(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num.parse().map_err(|_| format!("{s:?} is not a memory size (a whole number, e.g. 4G or 512M)"))?;
    let shift = match unit {
        "" => 0,
        "K" | "KiB" => 10,
        "M" | "MiB" => 20,
        "G" | "GiB" => 30,
        "T" | "TiB" => 40,
        _ => return Err(format!("{s:?}: unknown unit {unit:?} (use K, M, G or T, powers of 1024)")),
    };
    let bytes = n.checked_mul(1 << shift).ok_or_else(|| format!("{s:?} is too large"))?;
    const MIB: u64 = 1 << 20;
    if bytes > 0 && bytes < MIB {
        return Err(format!(
            "{s:?} is below 1 MiB, the smallest memory limit kbmc takes (it counts whole MiB; 0 for no limit)"
        ));
    }
    if bytes % MIB != 0 {
        return Err(format!(
            "{s:?} is not a whole number of MiB (it is {:.2} MiB); kbmc counts and reports its memory limit in whole MiB: give {}M or {}M",
            bytes as f64 / MIB as f64,
            bytes / MIB,
            bytes / MIB + 1
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_sizes_parse() {
        assert_eq!(parse_memory("0"), Ok(0));
        assert_eq!(parse_memory("512M"), Ok(512 << 20));
        assert_eq!(parse_memory("4GiB"), Ok(4 << 30));
        assert_eq!(parse_memory("1048576"), Ok(1 << 20));
        assert_eq!(parse_memory("3072K"), Ok(3 << 20));
        assert!(parse_memory("4GB").is_err());
        assert!(parse_memory("-1").is_err());
        assert!(parse_memory("99999999999T").is_err());
        // Reports say the limit in MiB: a size that is not a whole number of them is refused,
        // not reported as another.
        assert!(parse_memory("1K").is_err_and(|e| e.contains("below 1 MiB")));
        assert!(parse_memory("1000").is_err_and(|e| e.contains("below 1 MiB")));
        assert!(parse_memory("1500K").is_err_and(|e| e.contains("give 1M or 2M")));
    }

    #[test]
    fn resident_memory_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(resident_bytes().is_some_and(|b| b > 0));
            assert!(default_memory().is_some_and(|b| b > 0));
            assert_eq!(page_size() % 4096, 0);
        }
    }
}
