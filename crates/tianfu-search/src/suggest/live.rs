//! The vocabulary an index keeps in memory, rebuilt from its term dictionary when it changes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use tantivy::schema::Field;
use tantivy::{IndexReader, Searcher};

use super::Vocabulary;
use crate::SearchError;

/// Up to this many listings a commit rebuilds the vocabulary before it returns (a few
/// milliseconds), so a search right after a commit already knows the new words; beyond it the
/// rebuild runs on its own thread and the old vocabulary serves meanwhile.
const REBUILD_INLINE_UP_TO: u64 = 5_000;

/// The market's words with their listing counts, read from every segment of `field`.
pub fn read_terms(searcher: &Searcher, field: Field) -> Result<Vocabulary, SearchError> {
    let mut terms: Vec<(String, u32)> = Vec::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            if let Ok(word) = std::str::from_utf8(stream.key()) {
                terms.push((word.to_owned(), stream.value().doc_freq));
            }
        }
    }
    Ok(Vocabulary::build(terms))
}

/// Shared between the index and the rebuilding thread.
#[derive(Clone, Default)]
pub struct LiveVocabulary {
    current: Arc<RwLock<Arc<Vocabulary>>>,
    rebuilding: Arc<AtomicBool>,
    /// A commit came while a background rebuild ran: rebuild again when it ends.
    again: Arc<AtomicBool>,
}

impl LiveVocabulary {
    pub fn get(&self) -> Arc<Vocabulary> {
        self.current
            .read()
            .map(|v| Arc::clone(&v))
            .unwrap_or_default()
    }

    fn set(&self, vocabulary: Vocabulary) {
        if let Ok(mut current) = self.current.write() {
            *current = Arc::new(vocabulary);
        }
    }

    /// Rebuilds from the index as `reader` sees it now (just after a commit).
    pub fn refresh(&self, reader: &IndexReader, field: Field) -> Result<(), SearchError> {
        let searcher = reader.searcher();
        if searcher.num_docs() <= REBUILD_INLINE_UP_TO {
            self.set(read_terms(&searcher, field)?);
            return Ok(());
        }
        self.again.store(true, Ordering::SeqCst);
        if self.rebuilding.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let live = self.clone();
        let reader = reader.clone();
        std::thread::Builder::new()
            .name("search-vocabulary".into())
            .spawn(move || {
                while live.again.swap(false, Ordering::SeqCst) {
                    if let Ok(vocabulary) = read_terms(&reader.searcher(), field) {
                        live.set(vocabulary);
                    }
                }
                live.rebuilding.store(false, Ordering::SeqCst);
            })?;
        Ok(())
    }
}
