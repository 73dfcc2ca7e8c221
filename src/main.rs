//! The `kbmc` binary: parse arguments, set up logging on stderr, run, map the outcome to an
//! exit code. Everything else lives in the library.

use clap::Parser;

// The explicit engine allocates a state per transition; mimalloc makes that markedly cheaper
// than the system allocator (docs/adr/0001-dependencies.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).format_timestamp(None).init();
    let cli = kbmc::cli::Cli::parse();
    let code = match kbmc::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}
