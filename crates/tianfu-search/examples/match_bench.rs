//! `cargo run --release -p tianfu-search --example match_bench -- [capabilities] [dir] [--reuse]`
//!
//! The same report as `tianfu bench match`, built with the search crate alone: a release build
//! of the whole platform is not needed to time the engine.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let reuse = args.iter().any(|a| a == "--reuse");
    let mut positional = args.iter().filter(|a| !a.starts_with("--"));
    let capabilities = match positional
        .next()
        .map(|s| s.replace('_', "").parse::<usize>())
    {
        None => 1_000_000,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("usage: match_bench [capabilities] [dir] [--reuse]: {e}");
            return ExitCode::FAILURE;
        }
    };
    let dir = positional
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("tianfu-bench-match"));
    match tianfu_search::bench::matching::run(capabilities, &dir, reuse) {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench failed: {e}");
            ExitCode::FAILURE
        }
    }
}
