//! The one limits mechanism of a run: a time limit and a memory limit, watched by a thread
//! that raises a process-wide flag when either is passed. Engines, `simulate`, `scale`,
//! `compare` and `dump` poll [`stopped`] inside their long loops (a relaxed atomic load, cheap
//! enough for the innermost ones) and end with an honest "unknown" naming the limit. The state
//! limit of the explicit engine stays an option of that engine (it counts its own states).
//!
//! Memory is the process's resident set, read from `/proc/self/statm` (so it counts Z3's
//! allocations too); where that file cannot be read, only the time limit is watched. This
//! module must not decide verdicts or print anything: it only says which limit was passed.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A limit that cut a run short.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The time limit, in seconds.
    Time(u64),
    /// The memory limit, in bytes.
    Memory(u64),
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Time(s) => write!(f, "the time limit of {s} s (--time-limit)"),
            Stop::Memory(b) => write!(f, "the memory limit of {} MiB (--max-memory)", b.div_ceil(1 << 20)),
        }
    }
}

impl Stop {
    /// The short form reports open with: "time limit" or "memory limit".
    pub fn kind(&self) -> &'static str {
        match self {
            Stop::Time(_) => "time limit",
            Stop::Memory(_) => "memory limit",
        }
    }
}

/// 0: no limit passed; 1: time; 2: memory.
static STOPPED: AtomicU8 = AtomicU8::new(0);
/// The limit passed, for [`stopped`]'s answer: seconds or bytes.
static LIMIT: AtomicU64 = AtomicU64::new(0);
/// When the watched time limit runs out, for [`left`].
static DEADLINE: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// The limit that cut the run short, if any. Cheap: callers poll it inside long loops.
#[inline]
pub fn stopped() -> Option<Stop> {
    match STOPPED.load(Ordering::Relaxed) {
        0 => None,
        1 => Some(Stop::Time(LIMIT.load(Ordering::Relaxed))),
        _ => Some(Stop::Memory(LIMIT.load(Ordering::Relaxed))),
    }
}

/// What the run's time limit leaves (zero once it has passed); `None` without a watched time
/// limit. Solver queries take the smaller of this and their own share, so that no query
/// outlasts the run (`compare` starts the symbolic engine after the explicit one).
pub fn left() -> Option<Duration> {
    DEADLINE.get().map(|d| d.saturating_duration_since(Instant::now()))
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
    let start = Instant::now();
    if let Some(t) = limits.time {
        let _ = DEADLINE.set(start + t);
    }
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
                if let Some(t) = limits.time {
                    if start.elapsed() >= t {
                        raise(1, t.as_secs());
                        return;
                    }
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
