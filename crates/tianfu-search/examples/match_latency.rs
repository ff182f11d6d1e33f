//! `cargo run --release -p tianfu-search --example match_latency -- DIR [clients] [rounds]`
//!
//! Only the latency part of `match_bench`, over a market an earlier `match_bench` left in DIR:
//! the labelled needs' top-10, one client and then `clients` at once, plus where one need's
//! time goes. Quick enough to run after each change to the engine (the full bench rebuilds
//! and re-evaluates everything).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first().map(PathBuf::from) else {
        eprintln!("usage: match_latency DIR [clients] [rounds]");
        return ExitCode::FAILURE;
    };
    let number = |i: usize, default: usize| {
        args.get(i)
            .and_then(|s| s.parse::<usize>().ok())
            .unwrap_or(default)
    };
    match tianfu_search::bench::matching::latency(&dir, number(1, 32), number(2, 50)) {
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
