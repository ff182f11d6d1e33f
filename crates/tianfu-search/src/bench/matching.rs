//! `tianfu bench match`: the evaluation set's recall@10 and MRR for the engine and for plain
//! BM25, top-10 latency with a large generated market of capabilities, and the throughput of a
//! full refresh (every open need matched again, as the nightly job does).

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use super::corpus::{self, Rng};
use super::{cpu_time, dir_size, memory, ms, percentiles};
use crate::matching::eval::{self, EvalReport, EvalSet};
use crate::matching::lexicon::Lexicon;
use crate::matching::{Engine, MatchQuery};
use crate::{ListingKind, SearchError, SearchIndex};

const COMMIT_EVERY: usize = 100_000;
/// Beside the capabilities, a market has needs and studios; they share the index, so matching
/// has to find the wanted kinds among them. One need for every three capabilities is assumed;
/// one studio for every fifty follows the seeds (1,012 studios for 54,210 scientists in a city).
const NEEDS_PER_CAPABILITY: usize = 3;
const CAPABILITIES_PER_STUDIO: usize = 50;
const EXPERTS: usize = 3;
const LATENCY_QUERIES: usize = 400;
/// People opening needs' pages at once; each asks for this many needs' matches in turn.
const CLIENTS: usize = 32;
const QUERIES_PER_CLIENT: usize = 50;
const REFRESH_LISTINGS: usize = 2_000;

pub struct MatchBenchReport {
    pub eval: EvalReport,
    /// The labelled set's needs and capabilities among the generated listings.
    pub at_scale: EvalReport,
    pub capabilities: usize,
    pub needs: usize,
    pub studios: usize,
    pub build: Duration,
    pub index_bytes: u64,
    pub p50: Duration,
    pub p99: Duration,
    /// The same top-10, 32 clients at once.
    pub clients_p50: Duration,
    pub clients_p99: Duration,
    pub lexicon_words: usize,
    /// Resident memory the lexicon added when it was loaded, and how long that took.
    pub lexicon_kib: u64,
    pub lexicon_load: Duration,
    /// The scientists (studios) for a need, top 3.
    pub experts_p50: Duration,
    pub experts_p99: Duration,
    pub refresh_per_sec: f64,
    pub threads: usize,
}

/// The labelled needs' top-10, one after another.
fn one_client(index: &SearchIndex, set: &EvalSet) -> Result<Vec<Duration>, SearchError> {
    let mut times = Vec::with_capacity(LATENCY_QUERIES);
    for i in 0..LATENCY_QUERIES {
        let query = eval::need_query(set, i % set.needs.len());
        let t = Instant::now();
        index.matches(&query, Engine::Full)?;
        times.push(t.elapsed());
    }
    Ok(times)
}

/// Many people at once: each client's wait includes the others' (the search pool has one
/// thread per core).
fn many_clients(
    index: &Arc<SearchIndex>,
    set: &Arc<EvalSet>,
    clients: usize,
    rounds: usize,
) -> Result<Vec<Duration>, SearchError> {
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            let index = Arc::clone(index);
            let set = Arc::clone(set);
            thread::spawn(move || -> Result<Vec<Duration>, SearchError> {
                let mut times = Vec::with_capacity(rounds);
                for i in 0..rounds {
                    let query = eval::need_query(&set, (c * 7 + i) % set.needs.len());
                    let t = Instant::now();
                    index.matches(&query, Engine::Full)?;
                    times.push(t.elapsed());
                }
                Ok(times)
            })
        })
        .collect();
    let mut all = Vec::with_capacity(clients * rounds);
    for handle in handles {
        all.extend(
            handle
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p))?,
        );
    }
    Ok(all)
}

/// The latency figures alone, over the market an earlier [`run`] left in `dir`.
pub fn latency(dir: &Path, clients: usize, rounds: usize) -> Result<String, SearchError> {
    let set = Arc::new(EvalSet::built_in());
    let index = Arc::new(SearchIndex::open(dir)?);
    eval::load(&index, &set)?;
    // Warm the caches as a running server's are.
    one_client(&index, &set)?;
    let cpu = cpu_time();
    let (p50, p99) = percentiles(one_client(&index, &set)?);
    let cpu_per_need = (cpu_time() - cpu) / LATENCY_QUERIES as u32;
    let started = Instant::now();
    let all = many_clients(&index, &set, clients, rounds)?;
    let elapsed = started.elapsed().as_secs_f64();
    let count = all.len();
    let (c50, c99) = percentiles(all);
    Ok(format!(
        "{} listings; top-10 for a need, 1 client: p50 {:.2} ms p99 {:.2} ms, \
         {:.2} ms of CPU a need\n\
         {clients} clients at once: p50 {:.2} ms p99 {:.2} ms ({:.0} needs/s)\n",
        index.num_docs(),
        ms(p50),
        ms(p99),
        ms(cpu_per_need),
        ms(c50),
        ms(c99),
        count as f64 / elapsed.max(1e-9)
    ))
}

/// `reuse` keeps the market an earlier run left in `dir` (the labelled set is indexed again).
pub fn run(n: usize, dir: &Path, reuse: bool) -> Result<MatchBenchReport, SearchError> {
    let (before, _) = memory();
    let started = Instant::now();
    let lexicon_words = Lexicon::built_in().len();
    let lexicon_load = started.elapsed();
    let lexicon_kib = memory().0.saturating_sub(before);
    let set = Arc::new(EvalSet::built_in());
    let eval = eval::run(&set)?;

    let index = Arc::new(SearchIndex::open(dir)?);
    let started = Instant::now();
    let need_count = n / NEEDS_PER_CAPABILITY;
    let studios = n / CAPABILITIES_PER_STUDIO;
    if !(reuse && index.num_docs() > 0) {
        index.clear()?;
        let mut rng = Rng::new(0x005e_ed0f_7a1f);
        for i in 0..n + need_count + studios {
            let mut doc = corpus::listing(&mut rng, i as i64 + 1_000_000);
            doc.kind = if i < n {
                ListingKind::Offer
            } else if i < n + need_count {
                ListingKind::Need
            } else {
                ListingKind::Studio
            };
            index.upsert(&doc)?;
            if (i + 1) % COMMIT_EVERY == 0 {
                index.commit()?;
            }
        }
        index.commit()?;
    }
    // As `tianfu reindex` does after a bulk load.
    if index.segments() > 1 {
        index.merge_segments()?;
    }
    eval::load(&index, &set)?;
    let build = started.elapsed();

    // Latency: the evaluation needs, one client, as a person opening a need's page.
    let times = one_client(&index, &set)?;
    // The labelled set again, now among all the generated listings.
    let at_scale = eval::report(&index, &set)?;

    // The same needs asking for the scientists who could answer them (studios).
    let mut expert_times = Vec::with_capacity(LATENCY_QUERIES);
    for i in 0..LATENCY_QUERIES {
        let mut query = eval::need_query(&set, i % set.needs.len());
        query.kinds = vec![ListingKind::Studio];
        query.limit = EXPERTS;
        let t = Instant::now();
        index.matches(&query, Engine::Full)?;
        expert_times.push(t.elapsed());
    }
    let (p50, p99) = percentiles(times);
    let (experts_p50, experts_p99) = percentiles(expert_times);

    let all = many_clients(&index, &set, CLIENTS, QUERIES_PER_CLIENT)?;
    let (clients_p50, clients_p99) = percentiles(all);

    // Refresh: generated needs matched from as many threads as the pool has.
    let threads = thread::available_parallelism().map_or(2, |n| n.get());
    let mut rng = Rng::new(0x0ead_beef);
    let needs: Vec<MatchQuery> = (0..REFRESH_LISTINGS)
        .map(|i| {
            let doc = corpus::listing(&mut rng, i as i64);
            MatchQuery {
                text: format!("{} {} {}", doc.title, doc.keywords.join(" "), doc.body),
                kinds: vec![ListingKind::Offer, ListingKind::Achievement],
                industry: doc.industry,
                region_code: doc.region_code,
                service_type: doc.service_type,
                price_fen: doc.price_fen,
                now: 1_760_000_000,
                own: None,
                exclude: Vec::new(),
                limit: 10,
            }
        })
        .collect();
    let started = Instant::now();
    let chunks: Vec<Vec<MatchQuery>> = needs
        .chunks(REFRESH_LISTINGS.div_ceil(threads))
        .map(<[MatchQuery]>::to_vec)
        .collect();
    let handles: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            let index = Arc::clone(&index);
            thread::spawn(move || -> Result<(), SearchError> {
                for q in &chunk {
                    index.matches(q, Engine::Full)?;
                }
                Ok(())
            })
        })
        .collect();
    for handle in handles {
        handle
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))?;
    }
    let refresh_per_sec = REFRESH_LISTINGS as f64 / started.elapsed().as_secs_f64().max(1e-9);

    Ok(MatchBenchReport {
        eval,
        at_scale,
        capabilities: n + set.capabilities.len(),
        needs: need_count,
        studios,
        build,
        index_bytes: dir_size(dir)?,
        p50,
        p99,
        clients_p50,
        clients_p99,
        lexicon_words,
        lexicon_kib,
        lexicon_load,
        experts_p50,
        experts_p99,
        refresh_per_sec,
        threads,
    })
}

impl fmt::Display for MatchBenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "lexicon: {} words, {:.1} MiB resident, loaded in {:.0} ms",
            self.lexicon_words,
            self.lexicon_kib as f64 / 1024.0,
            ms(self.lexicon_load)
        )?;
        write!(f, "{}", self.eval)?;
        writeln!(
            f,
            "indexed: {} capabilities, {} needs, {} studios (build {:.1} s, {:.1} MiB on disk)",
            self.capabilities,
            self.needs,
            self.studios,
            self.build.as_secs_f64(),
            self.index_bytes as f64 / 1_048_576.0
        )?;
        write!(f, "the labelled set among them — {}", self.at_scale)?;
        writeln!(
            f,
            "top-10 capabilities for a need, 1 client: p50 {:.2} ms p99 {:.2} ms",
            ms(self.p50),
            ms(self.p99)
        )?;
        writeln!(
            f,
            "top-10 capabilities for a need, {CLIENTS} clients at once: p50 {:.2} ms p99 {:.2} ms",
            ms(self.clients_p50),
            ms(self.clients_p99)
        )?;
        writeln!(
            f,
            "top-{EXPERTS} scientists (studios) for a need, 1 client: p50 {:.2} ms p99 {:.2} ms",
            ms(self.experts_p50),
            ms(self.experts_p99)
        )?;
        writeln!(
            f,
            "full refresh: {:.0} listings/s on {} threads ({:.1} min for 100,000 open listings)",
            self.refresh_per_sec,
            self.threads,
            100_000.0 / self.refresh_per_sec.max(1e-9) / 60.0
        )
    }
}
