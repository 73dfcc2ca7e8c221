//! The `kbmc` binary: parse arguments, set up logging on stderr, run, map the outcome to an
//! exit code. Everything else lives in the library.

use std::io::{IsTerminal, Write};

use clap::Parser;

// The explicit engine allocates a state per transition; mimalloc makes that markedly cheaper
// than the system allocator (docs/adr/0001-dependencies.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut logger = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn"));
    // Progress of long runs (depth reached, states, topologies) goes to stderr, and only when
    // a person is watching it: stderr is a terminal and RUST_LOG does not say otherwise.
    let asked = std::env::var("RUST_LOG").ok();
    if std::io::stderr().is_terminal() && asked.is_none() {
        logger.filter_module(kbmc::PROGRESS, log::LevelFilter::Info);
    }
    // The z3 crate logs every AST it drops at debug level: a plain `RUST_LOG=debug` would
    // bury kbmc's own lines under millions of those. Only a filter that names z3 shows them.
    if asked.is_some_and(|f| !f.contains("z3")) {
        logger.filter_module("z3", log::LevelFilter::Info);
    }
    logger
        .format(|buf, r| {
            if r.target() == kbmc::PROGRESS {
                writeln!(buf, "kbmc: {}", r.args())
            } else {
                writeln!(buf, "[{} {}] {}", r.level(), r.target(), r.args())
            }
        })
        .init();
    // Before the arguments are parsed: `--help` writes to stdout too.
    let outcome = if stdout_closed_at_start() {
        Err(kbmc::error::Error::Output(
            "cannot write to standard output: it was closed when kbmc started (as by `>&-`); redirect it to a file or to /dev/null instead"
                .into(),
        ))
    } else {
        kbmc::run(kbmc::cli::Cli::parse())
    };
    let code = match outcome {
        Ok(code) => code,
        Err(e) => {
            // Messages quote input (names, paths): escaped so that it cannot drive a terminal.
            eprintln!("{}", kbmc::report::terminal_safe(&e.to_string(), false));
            e.exit_code()
        }
    };
    std::process::exit(code);
}

/// Whether file descriptor 1 was closed when the process started (`kbmc check ... >&-`). Rust's
/// runtime opens /dev/null on a closed standard descriptor before `main`, so a report written
/// there afterwards is lost without an error; a function the loader runs from `.init_array`
/// comes before the runtime and looks at `/proc/self/fd`, which lists open descriptors only
/// (where `/proc` is not mounted nothing is known, and nothing is said).
#[cfg(target_os = "linux")]
fn stdout_closed_at_start() -> bool {
    use std::sync::atomic::{AtomicBool, Ordering};
    static CLOSED: AtomicBool = AtomicBool::new(false);
    extern "C" fn look() {
        // Short literal paths: std converts them on the stack, no allocation before `main`.
        let closed =
            std::fs::metadata("/proc/self/fd").is_ok() && std::fs::symlink_metadata("/proc/self/fd/1").is_err();
        CLOSED.store(closed, Ordering::Relaxed);
    }
    #[used]
    #[link_section = ".init_array"]
    static LOOK: extern "C" fn() = look;
    CLOSED.load(Ordering::Relaxed)
}

#[cfg(not(target_os = "linux"))]
fn stdout_closed_at_start() -> bool {
    false
}
