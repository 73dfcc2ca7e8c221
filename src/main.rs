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
    if std::io::stderr().is_terminal() && std::env::var_os("RUST_LOG").is_none() {
        logger.filter_module(kbmc::PROGRESS, log::LevelFilter::Info);
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
    let cli = kbmc::cli::Cli::parse();
    let code = match kbmc::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // Messages quote input (names, paths): escaped so that it cannot drive a terminal.
            eprintln!("{}", kbmc::report::terminal_safe(&e.to_string(), false));
            e.exit_code()
        }
    };
    std::process::exit(code);
}
