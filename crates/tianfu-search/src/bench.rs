//! Load benchmark: build an on-disk index of a synthetic market and time searches on it.
//!
//! `cargo run --release -p tianfu-search --example bench -- 100000 [dir]`

mod corpus;
pub mod matching;

use std::fmt;
use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crate::{ListingKind, SearchError, SearchIndex, SearchQuery, Sort};
use corpus::Rng;

/// A commit every 100k keeps the writer's memory flat however large `n` is.
const COMMIT_EVERY: usize = 100_000;

/// How many queries to time; `run` uses the full plan, the unit test a small one.
#[derive(Debug, Clone, Copy)]
struct Plan {
    single_queries: usize,
    clients: usize,
    queries_per_client: usize,
}

const FULL: Plan = Plan {
    single_queries: 300,
    clients: 32,
    queries_per_client: 50,
};
const SEED: u64 = 0x7f4a_7c15_9e37_79b9;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Latency {
    pub p50: Duration,
    pub p99: Duration,
    pub queries_per_sec: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuerySetReport {
    pub name: &'static str,
    pub single: Latency,
    pub concurrent: Latency,
    /// Mean number of matching listings per query, to show the queries are not trivial.
    pub mean_total: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BenchReport {
    pub docs: usize,
    pub build: Duration,
    pub index_bytes: u64,
    pub sets: Vec<QuerySetReport>,
    pub clients: usize,
    /// Resident memory now and at its peak, in KiB, from /proc/self/status (0 elsewhere).
    pub rss_kib: u64,
    pub peak_rss_kib: u64,
}

/// Builds an index of `n` listings in `dir` (wiping what was there) and measures it.
pub fn run(n: usize, dir: &Path) -> Result<BenchReport, SearchError> {
    run_with(n, dir, FULL)
}

fn run_with(n: usize, dir: &Path, plan: Plan) -> Result<BenchReport, SearchError> {
    let index = Arc::new(SearchIndex::open(dir)?);
    let started = Instant::now();
    index.clear()?;
    let mut rng = Rng::new(SEED);
    for i in 0..n {
        index.upsert(&corpus::listing(&mut rng, i as i64 + 1))?;
        if (i + 1) % COMMIT_EVERY == 0 {
            index.commit()?;
        }
    }
    index.commit()?;
    let build = started.elapsed();

    let mut sets = Vec::new();
    for (name, make) in QUERY_SETS {
        let single_queries = queries(*make, plan.single_queries, 1);
        let (single, totals) = measure(&index, vec![single_queries])?;
        let per_client = (0..plan.clients)
            .map(|c| queries(*make, plan.queries_per_client, 100 + c as u64))
            .collect();
        let (concurrent, _) = measure(&index, per_client)?;
        sets.push(QuerySetReport {
            name,
            single,
            concurrent,
            mean_total: totals.iter().sum::<usize>() as f64 / totals.len().max(1) as f64,
        });
    }
    let (rss_kib, peak_rss_kib) = memory();
    Ok(BenchReport {
        docs: n,
        build,
        index_bytes: dir_size(dir)?,
        sets,
        clients: plan.clients,
        rss_kib,
        peak_rss_kib,
    })
}

type MakeQuery = fn(&mut Rng) -> SearchQuery;

const QUERY_SETS: &[(&str, MakeQuery)] = &[
    ("single word", |rng| {
        text_query(rng.pick(&corpus::all_words()).to_string())
    }),
    // What people type: two or three words of one field, e.g. 锂电池 正极材料.
    ("multi-word", |rng| {
        let sector = rng.pick(corpus::SECTORS);
        let mut q = String::new();
        for _ in 0..2 + rng.below(2) {
            q.push_str(rng.pick::<&str>(sector.words));
            q.push(' ');
        }
        text_query(q)
    }),
    // The worst case: words from different fields rarely meet in one listing, so the search
    // falls back from all words to any word over a large union.
    ("unrelated words", |rng| {
        let words = corpus::all_words();
        let mut q = String::new();
        for _ in 0..2 + rng.below(2) {
            q.push_str(rng.pick::<&str>(&words));
        }
        text_query(q)
    }),
    ("region+kind filter", |rng| {
        let mut query = text_query(rng.pick(&corpus::all_words()).to_string());
        let county = *rng.pick::<&str>(corpus::COUNTIES);
        // Half county, half city subtree: both shapes the UI sends.
        let region = if rng.below(2) == 0 {
            county
        } else {
            &county[..4]
        };
        query.region_code = Some(region.to_string());
        query.kinds = vec![*rng.pick(&ListingKind::ALL)];
        query
    }),
];

fn text_query(q: String) -> SearchQuery {
    SearchQuery {
        q,
        sort: Sort::Relevance,
        limit: 20,
        ..SearchQuery::default()
    }
}

fn queries(make: MakeQuery, count: usize, seed: u64) -> Vec<SearchQuery> {
    let mut rng = Rng::new(SEED ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    (0..count).map(|_| make(&mut rng)).collect()
}

/// Runs each client's queries on its own thread; returns latency over all queries and
/// each query's total.
fn measure(
    index: &Arc<SearchIndex>,
    clients: Vec<Vec<SearchQuery>>,
) -> Result<(Latency, Vec<usize>), SearchError> {
    let started = Instant::now();
    let handles: Vec<_> = clients
        .into_iter()
        .map(|qs| {
            let index = Arc::clone(index);
            thread::spawn(move || -> Result<Vec<(Duration, usize)>, SearchError> {
                qs.iter()
                    .map(|q| {
                        let t = Instant::now();
                        let total = index.search(q)?.total;
                        Ok((t.elapsed(), total))
                    })
                    .collect()
            })
        })
        .collect();
    let mut samples = Vec::new();
    for handle in handles {
        // A panicking search thread is a bug in this crate, not an input error: re-raise it.
        let results = handle
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))?;
        samples.extend(results);
    }
    let wall = started.elapsed();
    let (p50, p99) = percentiles(samples.iter().map(|s| s.0).collect());
    let latency = Latency {
        p50,
        p99,
        queries_per_sec: samples.len() as f64 / wall.as_secs_f64().max(1e-9),
    };
    Ok((latency, samples.into_iter().map(|s| s.1).collect()))
}

/// p50 and p99 of `times`.
pub fn percentiles(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    let at = |q: f64| {
        let i = ((times.len() as f64 * q).ceil() as usize).saturating_sub(1);
        times.get(i).copied().unwrap_or_default()
    };
    (at(0.50), at(0.99))
}

fn memory() -> (u64, u64) {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// CPU time this process has used (user and system), from `/proc/self/stat` in clock ticks
/// of 10 ms: the work a search costs whatever else the machine is doing, where wall-clock
/// latency on a busy machine measures the neighbours too.
fn cpu_time() -> Duration {
    let stat = fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The command name may hold spaces; the fields after its closing parenthesis do not.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

fn dir_size(dir: &Path) -> Result<u64, SearchError> {
    let mut total = 0;
    for entry in fs::read_dir(dir)? {
        let meta = entry?.metadata()?;
        if meta.is_file() {
            total += meta.len();
        }
    }
    Ok(total)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.build.as_secs_f64();
        writeln!(f, "documents: {}", self.docs)?;
        writeln!(
            f,
            "index build: {secs:.2} s ({:.0} docs/s)",
            self.docs as f64 / secs.max(1e-9)
        )?;
        writeln!(
            f,
            "index size on disk: {:.1} MiB",
            self.index_bytes as f64 / 1_048_576.0
        )?;
        for set in &self.sets {
            writeln!(
                f,
                "{}: 1 client p50 {:.2} ms p99 {:.2} ms ({:.0} q/s); {} clients p50 {:.2} ms p99 {:.2} ms ({:.0} q/s); mean matches {:.0}",
                set.name,
                ms(set.single.p50),
                ms(set.single.p99),
                set.single.queries_per_sec,
                self.clients,
                ms(set.concurrent.p50),
                ms(set.concurrent.p99),
                set.concurrent.queries_per_sec,
                set.mean_total,
            )?;
        }
        writeln!(
            f,
            "resident memory: {:.1} MiB now, {:.1} MiB peak",
            self.rss_kib as f64 / 1024.0,
            self.peak_rss_kib as f64 / 1024.0
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_run_reports_real_numbers() {
        let dir = std::env::temp_dir().join(format!("tianfu-search-bench-{}", std::process::id()));
        let plan = Plan {
            single_queries: 30,
            clients: 4,
            queries_per_client: 10,
        };
        let report = run_with(2000, &dir, plan).unwrap();
        fs::remove_dir_all(&dir).ok();
        assert_eq!(report.docs, 2000);
        assert!(report.build > Duration::ZERO);
        assert!(report.index_bytes > 0);
        assert_eq!(report.sets.len(), QUERY_SETS.len());
        for set in &report.sets {
            assert!(set.single.p50 > Duration::ZERO, "{set:?}");
            assert!(set.concurrent.p99 > Duration::ZERO, "{set:?}");
            assert!(set.mean_total > 0.0, "{set:?}");
        }
        assert!(report.rss_kib > 0 && report.peak_rss_kib >= report.rss_kib);
        assert!(report.to_string().contains("p99"));
    }

    #[test]
    fn corpus_is_deterministic() {
        let a = corpus::listing(&mut Rng::new(7), 1);
        let b = corpus::listing(&mut Rng::new(7), 1);
        assert_eq!(a, b);
    }
}
