//! `cargo run --release -p tianfu-search --example bench -- [n] [dir]`

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let n = match args.next().map(|s| s.replace('_', "").parse::<usize>()) {
        None => 100_000,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("usage: bench [n] [dir]: {e}");
            return ExitCode::FAILURE;
        }
    };
    let dir = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("tianfu-search-bench"));
    match tianfu_search::bench::run(n, &dir) {
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
