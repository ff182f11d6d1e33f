//! Opening, writing and reloading the index.

use std::fs;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use jieba_rs::Jieba;
use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument};

use crate::matching::thesaurus::Thesaurus;
use crate::matching::{Engine, MatchHit, MatchQuery};
use crate::pool::SearchPool;
use crate::schema::{self, Fields};
use crate::suggest::Suggestion;
use crate::suggest::live::LiveVocabulary;
use crate::tokenizer::{self, load_jieba};
use crate::{ListingDoc, ListingKind, SearchError, SearchQuery, SearchResults};

/// Split between the writer's indexing threads; enough to batch 100k listings per segment.
const WRITER_MEMORY_BYTES: usize = 50_000_000;
const FINGERPRINT_FILE: &str = "tianfu-search.version";

/// Small document-store blocks: every hit on a result page decompresses the block holding it,
/// and tantivy's default (16 KiB) made that the largest cost of a search at a million listings.
const DOCSTORE_BLOCK_BYTES: usize = 4096;

fn settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_blocksize: DOCSTORE_BLOCK_BYTES,
        ..tantivy::IndexSettings::default()
    }
}

/// What a search needs; cheap to clone (every part is shared).
#[derive(Clone)]
pub(crate) struct Reader {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    pub(crate) jieba: Arc<Jieba>,
    pub(crate) thesaurus: Arc<Thesaurus>,
    /// Place names a match leaves out of the asking text (none until the app names them).
    pub(crate) places: Arc<std::sync::RwLock<crate::matching::places::PlaceNames>>,
    /// Each segment's fast-field columns, opened once rather than on every match.
    pub(crate) columns: crate::matching::candidates::ColumnCache,
}

/// The listing index. Put it behind an `Arc`: searches queue for the search pool, writes
/// are serialised by the writer's mutex.
pub struct SearchIndex {
    read: Reader,
    writer: Mutex<IndexWriter<TantivyDocument>>,
    pool: SearchPool,
    /// The market's words for 您是不是要找, rebuilt on every commit.
    vocabulary: LiveVocabulary,
}

impl SearchIndex {
    /// Opens the on-disk index in `dir`, creating it if missing. An index built with another
    /// schema or dictionary is deleted and recreated empty: the caller must then reindex.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        let (schema, _) = schema::build();
        fs::create_dir_all(dir)?;
        let fingerprint_path = dir.join(FINGERPRINT_FILE);
        let expected = schema::fingerprint();
        let directory = MmapDirectory::open(dir)?;
        if Index::exists(&directory).map_err(tantivy::TantivyError::from)? {
            let same_schema = Index::open(directory.clone()).is_ok_and(|i| i.schema() == schema);
            let same_analyzers =
                fs::read_to_string(&fingerprint_path).ok() == Some(expected.clone());
            if !(same_schema && same_analyzers) {
                wipe_files(dir)?;
            }
        }
        let directory = MmapDirectory::open(dir)?;
        let index = Index::builder()
            .schema(schema)
            .settings(settings())
            .open_or_create(directory)?;
        fs::write(&fingerprint_path, expected)?;
        Self::from_index(index, None)
    }

    /// An index in RAM, for tests and tools. One indexing thread, so the same listings make
    /// the same segments and equal scores tie the same way on every run.
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, _) = schema::build();
        Self::from_index(
            Index::builder()
                .schema(schema)
                .settings(settings())
                .create_in_ram()?,
            Some(1),
        )
    }

    fn from_index(index: Index, writer_threads: Option<usize>) -> Result<Self, SearchError> {
        let (_, fields) = schema::build();
        let jieba = load_jieba()?;
        schema::register_tokenizers(&index, &jieba);
        let writer = match writer_threads {
            Some(threads) => index.writer_with_num_threads(threads, WRITER_MEMORY_BYTES)?,
            None => index.writer(WRITER_MEMORY_BYTES)?,
        };
        // Manual: `commit` decides when writes become visible, so a caller that commits
        // and then searches always sees its own writes.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let read = Reader {
            index,
            reader,
            fields,
            jieba,
            thesaurus: Arc::new(Thesaurus::built_in()),
            places: Default::default(),
            columns: Default::default(),
        };
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let vocabulary = LiveVocabulary::default();
        vocabulary.refresh(&read.reader, read.fields.text)?;
        Ok(SearchIndex {
            pool: SearchPool::start(read.clone(), cores)?,
            read,
            writer: Mutex::new(writer),
            vocabulary,
        })
    }

    /// The official place names (province, cities, counties with their suffix) that matching
    /// leaves out of a need's or a capability's text: see [`crate::matching::places`].
    pub fn set_place_names(
        &self,
        names: impl IntoIterator<Item = String>,
    ) -> Result<(), SearchError> {
        *self
            .read
            .places
            .write()
            .map_err(|_| SearchError::Poisoned)? = crate::matching::places::PlaceNames::new(names);
        Ok(())
    }

    fn writer(&self) -> Result<MutexGuard<'_, IndexWriter<TantivyDocument>>, SearchError> {
        self.writer.lock().map_err(|_| SearchError::Poisoned)
    }

    /// Adds the listing, replacing any earlier version with the same kind and id.
    /// Visible to searches after the next [`commit`](Self::commit).
    pub fn upsert(&self, doc: &ListingDoc) -> Result<(), SearchError> {
        let writer = self.writer()?;
        writer.delete_term(schema::key_term(&self.read.fields, doc.kind, doc.id));
        let searchable = ListingDoc {
            title: tokenizer::simplified(&doc.title),
            body: tokenizer::simplified(&doc.body),
            keywords: doc
                .keywords
                .iter()
                .map(|k| tokenizer::simplified(k))
                .collect(),
            ..doc.clone()
        };
        let text = format!(
            "{} {} {}",
            searchable.title,
            searchable.keywords.join(" "),
            searchable.body
        );
        let concepts = self.read.thesaurus.features(&text);
        writer.add_document(schema::to_document(
            &self.read.fields,
            doc,
            &searchable,
            &concepts,
        ))?;
        Ok(())
    }

    pub fn delete(&self, kind: ListingKind, id: i64) -> Result<(), SearchError> {
        self.writer()?
            .delete_term(schema::key_term(&self.read.fields, kind, id));
        Ok(())
    }

    /// Removes every listing (before a full reindex); takes effect on commit.
    pub fn clear(&self) -> Result<(), SearchError> {
        self.writer()?.delete_all_documents()?;
        Ok(())
    }

    /// Merges every segment into one, waiting for it. Worth it after a bulk load (a full
    /// reindex): each segment answers a match with its own pruned search, so a million
    /// listings in sixteen segments cost several times what one segment does. Later writes
    /// make small segments again, which the writer's merge policy folds in.
    ///
    /// The writer's merge policy may be merging some of the segments in the background after
    /// the last commits; tantivy refuses a merge that names them, so this waits for that merge
    /// to end and asks again with the segments as they then are.
    pub fn merge_segments(&self) -> Result<(), SearchError> {
        const TRIES: u32 = 600;
        let mut tries = 0;
        loop {
            let ids = self.read.index.searchable_segment_ids()?;
            if ids.len() > 1 {
                match self.writer()?.merge(&ids).wait() {
                    Err(tantivy::TantivyError::InvalidArgument(_)) if tries < TRIES => {
                        tries += 1;
                        std::thread::sleep(std::time::Duration::from_secs(1));
                        continue;
                    }
                    other => {
                        other?;
                    }
                }
            }
            self.read.reader.reload()?;
            return self
                .vocabulary
                .refresh(&self.read.reader, self.read.fields.text);
        }
    }

    /// How many segments searches go through.
    pub fn segments(&self) -> usize {
        self.read.reader.searcher().segment_readers().len()
    }

    /// Listings visible to searches now.
    pub fn num_docs(&self) -> u64 {
        self.read.reader.searcher().num_docs()
    }

    /// Makes all writes durable and visible to the next search.
    pub fn commit(&self) -> Result<(), SearchError> {
        self.writer()?.commit()?;
        self.read.reader.reload()?;
        self.vocabulary
            .refresh(&self.read.reader, self.read.fields.text)
    }

    /// 您是不是要找: a correction of `q`, a search that found `found` listings, towards words
    /// the market uses (see [`crate::suggest`]). In memory, on the caller's thread.
    pub fn suggest(&self, q: &str, found: usize) -> Option<Suggestion> {
        self.vocabulary.get().suggest(&self.read.jieba, q, found)
    }

    /// Words in the suggestion vocabulary and the heap bytes it holds.
    pub fn vocabulary_size(&self) -> (usize, usize) {
        let v = self.vocabulary.get();
        (v.len(), v.memory_bytes())
    }

    /// Ranked matches for a listing (see [`crate::matching`]), on the search pool.
    pub fn matches(
        &self,
        query: &MatchQuery,
        engine: Engine,
    ) -> Result<Vec<MatchHit>, SearchError> {
        let query = query.clone();
        self.pool
            .run(move |reader| crate::matching::matches(reader, &query, engine))?
    }

    /// Runs the query when the search pool has a free thread (see [`crate::pool`]).
    pub fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        let query = query.clone();
        self.pool
            .run(move |reader| crate::query::search(reader, &query))?
    }

    /// The words the index would store for `text`, in order (search mode, so a compound is
    /// followed by the words inside it); for matching listings against each other.
    pub fn tokens(&self, text: &str) -> Vec<String> {
        tokenizer::jieba_tokens(&self.read.jieba, text)
            .into_iter()
            .map(|t| t.text)
            .collect()
    }
}

/// Deletes the plain files of an index directory, leaving subdirectories and the directory
/// itself alone: tantivy keeps everything flat, and the app may own the folder.
fn wipe_files(dir: &Path) -> Result<(), SearchError> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}
