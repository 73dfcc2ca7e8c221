//! The timeouts of solver checks, kept by one thread of kbmc's own that interrupts a check
//! (`Z3_interrupt` on its context) once its deadline has passed. It owns that thread and
//! the list of checks under way; it must not pose a query or read an answer (`solver` does).
//!
//! Z3's own `timeout` parameter is not used: in the Z3 that Debian ships (4.8.12), a timer
//! that has expired goes back to Z3's pool of timer threads still locked, and a tactic that
//! starts a timer of its own later in the same check (QF_LIA's `try_for`, which `or_else`
//! reaches after the cancelled branch) takes that timer and waits on its lock for ever
//! (Z3Prover/z3 pull request 5371, released in 4.8.14). A run then outlived `--time-limit`
//! with no end.
//!
//! An interrupt is only sent while its check is listed, and a check is listed just before it
//! starts and taken off just after it returns, under the same lock. What can still happen: an
//! interrupt lands before Z3 has set the check up, which Z3 forgets when the check starts
//! (the thread interrupts again every few milliseconds until the check is taken off), or just
//! after it returned, which leaves the context cancelled ([`Ticket::disarm`] says whether an
//! interrupt was sent, and `solver` then clears it).

use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How often a check past its deadline is interrupted again while it runs.
const AGAIN: Duration = Duration::from_millis(5);

struct Armed {
    id: u64,
    /// The check's Z3 context, as an address (a context is used by one thread at a time; the
    /// watchdog only calls `Z3_interrupt`, which Z3 allows from any thread).
    context: usize,
    deadline: Instant,
    interrupted: bool,
}

struct Watch {
    armed: Mutex<(u64, Vec<Armed>)>,
    wake: Condvar,
}

static WATCH: OnceLock<Option<&'static Watch>> = OnceLock::new();

/// The watchdog, its thread started on first use; `None` where no thread could be started.
fn watch() -> Option<&'static Watch> {
    *WATCH.get_or_init(|| {
        let w: &'static Watch = Box::leak(Box::new(Watch { armed: Mutex::new((0, Vec::new())), wake: Condvar::new() }));
        std::thread::Builder::new().name("kbmc-z3-timeouts".into()).spawn(move || run(w)).ok().map(|_| w)
    })
}

fn run(w: &'static Watch) {
    let mut guard = w.armed.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let now = Instant::now();
        for a in guard.1.iter_mut().filter(|a| a.deadline <= now) {
            if let Some(ctx) = std::ptr::NonNull::new(a.context as *mut z3_sys::_Z3_context) {
                // SAFETY: the context is alive: its check is listed, and a check is taken off
                // the list (under this lock) before its solver, let alone its context, can be
                // dropped. Z3_interrupt may be called from another thread than the context's.
                unsafe { z3_sys::Z3_interrupt(ctx) };
            }
            a.interrupted = true;
        }
        let next = guard.1.iter().map(|a| if a.interrupted { now + AGAIN } else { a.deadline }).min();
        guard = match next {
            Some(t) => {
                w.wake.wait_timeout(guard, t.saturating_duration_since(now)).unwrap_or_else(|e| e.into_inner()).0
            }
            None => w.wake.wait(guard).unwrap_or_else(|e| e.into_inner()),
        };
    }
}

/// A check listed with the watchdog; [`Ticket::disarm`] takes it off.
#[must_use]
pub(super) struct Ticket {
    id: u64,
    watch: &'static Watch,
}

/// Lists a check on `context` that is to be interrupted at `deadline`; `None` where the
/// watchdog has no thread (the caller then bounds the check by Z3's own timeout).
pub(super) fn arm(context: z3_sys::Z3_context, deadline: Instant) -> Option<Ticket> {
    let watch = watch()?;
    let mut guard = watch.armed.lock().unwrap_or_else(|e| e.into_inner());
    guard.0 += 1;
    let id = guard.0;
    guard.1.push(Armed { id, context: context.as_ptr() as usize, deadline, interrupted: false });
    watch.wake.notify_one();
    Some(Ticket { id, watch })
}

impl Ticket {
    /// Takes the check off the list; whether it was interrupted (its deadline passed).
    pub(super) fn disarm(self) -> bool {
        self.take()
    }

    fn take(&self) -> bool {
        let mut guard = self.watch.armed.lock().unwrap_or_else(|e| e.into_inner());
        match guard.1.iter().position(|a| a.id == self.id) {
            Some(i) => guard.1.swap_remove(i).interrupted,
            None => false,
        }
    }
}

/// A check that unwinds is taken off the list too: its context may be dropped next.
impl Drop for Ticket {
    fn drop(&mut self) {
        self.take();
    }
}
