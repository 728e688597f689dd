//! One shop's search index in its own directory: a tantivy index for words (BM25, typo
//! tolerant, prefix completion) and, beside it, the sentence vectors of every document that
//! has prose (products, reports, charts, pages, help) in an HNSW graph for meaning.
//!
//! Layout under the shop's `search/` directory:
//! - `text/`: the tantivy index (its commits are atomic);
//! - `vectors.bin`: model id, dimension and `(key, vector)` records, replaced by rename;
//! - `state.tsv`: `key<TAB>hash` of every indexed document, replaced by rename last. It is the
//!   commit marker of a sync: after a crash anywhere, the next sync sees the difference
//!   between what it should hold and this file and redoes just that (deleting a key first
//!   makes re-adding idempotent).
//!
//! The HNSW graph is rebuilt from `vectors.bin` on open and after each sync: shops have
//! thousands of prose documents, which takes well under a second; customers and orders are
//! found by words only, and their vectors would carry no meaning.
//!
//! Personal data: a customer's name, e-mail and city live in fields that are searched and
//! returned only for an [`Access`] that may see personal data; the title everyone sees is
//! built from non-personal facts. Vectors are computed from public text only.

use crate::embed::Embedder;
use hnsw_rs::prelude::{Distance, Hnsw};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, StopWordFilter,
    TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("search index file {0} is damaged")]
    Damaged(PathBuf),
    #[error(transparent)]
    Embed(#[from] crate::embed::EmbedError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SearchError + '_ {
    move |source| SearchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What a document is; results are grouped by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Product,
    Customer,
    Order,
    Report,
    Chart,
    Page,
    Help,
    /// An unusual day the models found.
    Alert,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Product,
        Kind::Customer,
        Kind::Order,
        Kind::Alert,
        Kind::Report,
        Kind::Chart,
        Kind::Page,
        Kind::Help,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Product => "product",
            Kind::Customer => "customer",
            Kind::Order => "order",
            Kind::Report => "report",
            Kind::Chart => "chart",
            Kind::Page => "page",
            Kind::Help => "help",
            Kind::Alert => "alert",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Kinds whose text has meaning worth a vector.
    pub fn has_prose(self) -> bool {
        !matches!(self, Kind::Customer | Kind::Order)
    }
}

/// Personal data of a document (a customer's name, e-mail, city).
#[derive(Debug, Clone, PartialEq)]
pub struct Personal {
    /// Shown instead of the public title to those who may see personal data.
    pub title: String,
    /// Shown under it, before the public title: what tells people of one name apart
    /// (an e-mail, a city).
    pub detail: String,
    /// Searched only for them.
    pub text: String,
}

/// Between a personal title and its detail in the stored field (a separator no tokenizer
/// keeps), so indexes written before details existed need no rebuild: a changed document is
/// simply written again at the next sync.
const DETAIL_SEP: char = '\u{1f}';

/// One findable object.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub kind: Kind,
    /// Unique within its kind (a SKU, a customer reference, an order number).
    pub id: String,
    pub url: String,
    /// The title everyone may see.
    pub title: String,
    /// Public searchable text (category, brand, description, ...).
    pub body: String,
    pub personal: Option<Personal>,
}

impl Doc {
    fn key(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.id)
    }

    fn hash(&self) -> String {
        let mut h = blake3::Hasher::new();
        for s in [
            self.url.as_str(),
            self.title.as_str(),
            self.body.as_str(),
            self.personal.as_ref().map_or("", |p| p.title.as_str()),
            self.personal.as_ref().map_or("", |p| p.detail.as_str()),
            self.personal.as_ref().map_or("", |p| p.text.as_str()),
        ] {
            h.update(s.as_bytes());
            h.update(&[0]);
        }
        h.finalize().to_hex()[..16].to_string()
    }

    /// The text its vector is computed from (never personal data).
    fn prose(&self) -> String {
        format!("{}. {}", self.title, self.body)
    }
}

/// What the asker may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    pub personal_data: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub kind: Kind,
    pub id: String,
    pub url: String,
    pub title: String,
    /// The public title when the personal one is shown.
    pub subtitle: Option<String>,
    pub score: f64,
    /// Which rankings found it: "words", "meaning".
    pub found_by: Vec<&'static str>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyncStats {
    pub documents: usize,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub embedded: usize,
    pub vectors: usize,
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    kind: Field,
    url: Field,
    title: Field,
    body: Field,
    p_title: Field,
    p_text: Field,
}

const TOKENIZER: &str = "sr360";

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let f = Fields {
        key: b.add_text_field("key", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        url: b.add_text_field("url", STORED),
        title: b.add_text_field("title", text.clone().set_stored()),
        body: b.add_text_field("body", text.clone()),
        p_title: b.add_text_field("p_title", text.clone().set_stored()),
        p_text: b.add_text_field("p_text", text),
    };
    (b.build(), f)
}

/// Words lower-cased and folded to ASCII ("Crème" finds "creme"); English stop words are
/// dropped so that a question's "for", "when", "it" do not rank every document.
fn analyzer() -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser);
    match StopWordFilter::new(Language::English) {
        Some(stop) => builder
            .filter(stop)
            .filter(AsciiFoldingFilter)
            .dynamic()
            .build(),
        None => builder.filter(AsciiFoldingFilter).dynamic().build(),
    }
}

/// 1 − cosine for unit vectors, never below zero. anndists' `DistDot` asserts `1 − dot ≥ 0`,
/// which rounding breaks for a vector and itself (a panic on "similar to this product").
#[derive(Debug, Default, Clone, Copy)]
struct UnitDot;

impl Distance<f32> for UnitDot {
    fn eval(&self, a: &[f32], b: &[f32]) -> f32 {
        let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        (1.0 - dot).max(0.0)
    }
}

/// An HNSW graph over unit vectors (cosine similarity), as the index uses it; public for the
/// recall and latency benchmark.
pub struct Graph {
    hnsw: Hnsw<'static, f32, UnitDot>,
    dim: usize,
}

impl Graph {
    /// The graph over `data` (unit vectors of one dimension); item `i` is `data[i]`.
    pub fn build(data: &[Vec<f32>]) -> Option<Graph> {
        let dim = data.first()?.len();
        let layers = 16.min((data.len() as f64).ln().ceil().max(1.0) as usize);
        let hnsw = Hnsw::new(LINKS, data.len(), layers, EF_BUILD, UnitDot);
        let items: Vec<(&Vec<f32>, usize)> = data.iter().enumerate().map(|(i, v)| (v, i)).collect();
        hnsw.parallel_insert(&items);
        Some(Graph { hnsw, dim })
    }

    /// The `k` nearest items to `q` with their cosine similarity, best first.
    pub fn nearest(&self, q: &[f32], k: usize) -> Vec<(usize, f32)> {
        self.nearest_ef(q, k, EF_SEARCH)
    }

    /// As [`Graph::nearest`], looking at `ef` candidates (more: better recall, slower).
    pub fn nearest_ef(&self, q: &[f32], k: usize, ef: usize) -> Vec<(usize, f32)> {
        if q.len() != self.dim {
            return vec![];
        }
        self.hnsw
            .search(q, k, ef.max(k))
            .into_iter()
            .map(|n| (n.d_id, 1.0 - n.distance))
            .collect()
    }
}

/// The vectors of prose documents and the graph over them.
struct Vectors {
    model: String,
    dim: usize,
    keys: Vec<String>,
    data: Vec<Vec<f32>>,
    graph: Option<Graph>,
}

/// Graph parameters: 16 links per node, 200 candidates while building; searches look at
/// [`EF_SEARCH`] candidates: at 100k documents `sr360 bench-search` measured recall@10
/// 0.85–0.90 at 64, 0.95 at 128 and 0.97 at 256 (p99 3.3 ms), so 256: the margin costs
/// little at a shop's size (docs/benchmarks.md has the figures).
const LINKS: usize = 16;
const EF_BUILD: usize = 200;
pub const EF_SEARCH: usize = 256;

impl Vectors {
    fn empty() -> Vectors {
        Vectors {
            model: String::new(),
            dim: 0,
            keys: vec![],
            data: vec![],
            graph: None,
        }
    }

    fn build(&mut self) {
        self.graph = Graph::build(&self.data);
    }

    fn nearest(&self, q: &[f32], k: usize) -> Vec<(usize, f32)> {
        match &self.graph {
            Some(g) => g.nearest(q, k),
            None => vec![],
        }
    }

    fn read(path: &Path) -> Result<Vectors, SearchError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vectors::empty()),
            Err(e) => return Err(io(path)(e)),
        };
        let bad = || SearchError::Damaged(path.to_path_buf());
        let mut r = bytes.as_slice();
        let mut line = String::new();
        std::io::BufReader::new(&mut r)
            .read_line(&mut line)
            .map_err(|_| bad())?;
        let rest = &bytes[line.len()..];
        let head: serde_json::Value = serde_json::from_str(&line).map_err(|_| bad())?;
        let model = head["model"].as_str().ok_or_else(bad)?.to_string();
        let dim = head["dim"].as_u64().ok_or_else(bad)? as usize;
        let keys: Vec<String> = serde_json::from_value(head["keys"].clone()).map_err(|_| bad())?;
        if dim == 0 || rest.len() != keys.len() * dim * 4 {
            return Err(bad());
        }
        let data = rest
            .chunks_exact(dim * 4)
            .map(|c| {
                c.chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect()
            })
            .collect();
        let mut v = Vectors {
            model,
            dim,
            keys,
            data,
            graph: None,
        };
        v.build();
        Ok(v)
    }

    fn write(&self, path: &Path) -> Result<(), SearchError> {
        let head = serde_json::json!({ "model": self.model, "dim": self.dim, "keys": self.keys });
        let mut buf = serde_json::to_vec(&head).map_err(|_| SearchError::Damaged(path.into()))?;
        buf.push(b'\n');
        for v in &self.data {
            for x in v {
                buf.extend_from_slice(&x.to_le_bytes());
            }
        }
        atomic_write(path, &buf)
    }
}

fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), SearchError> {
    let tmp = path.with_extension("partial");
    let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
    f.write_all(bytes).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}

/// One shop's search index. Searches run concurrently with a sync: the words index shows
/// the last commit, and the vectors are swapped in whole when a sync has built them.
pub struct SearchIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    vectors: RwLock<Arc<Vectors>>,
    /// One sync at a time.
    syncing: Mutex<()>,
}

/// Least cosine similarity for a meaning match: every document has a nearest neighbour, but
/// unrelated text scores below this with MiniLM (gibberish finds nothing; "something to cook
/// eggs in" still finds the frying pan).
pub const MIN_SIMILARITY: f32 = 0.25;
/// Candidates taken from each ranking before fusion.
const DEPTH: usize = 50;
/// Reciprocal rank fusion constant (Cormack et al.): 60.
const RRF_K: f64 = 60.0;

impl SearchIndex {
    /// Open the index in `dir`, creating it if missing.
    pub fn open(dir: &Path) -> Result<SearchIndex, SearchError> {
        let text = dir.join("text");
        std::fs::create_dir_all(&text).map_err(io(&text))?;
        let (schema, fields) = schema();
        let index = if text.join("meta.json").is_file() {
            Index::open_in_dir(&text)?
        } else {
            Index::create_in_dir(&text, schema)?
        };
        index.tokenizers().register(TOKENIZER, analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let vectors = Vectors::read(&dir.join("vectors.bin"))?;
        Ok(SearchIndex {
            dir: dir.to_path_buf(),
            index,
            reader,
            fields,
            vectors: RwLock::new(Arc::new(vectors)),
            syncing: Mutex::new(()),
        })
    }

    fn state(&self) -> Result<HashMap<String, String>, SearchError> {
        let path = self.dir.join("state.tsv");
        let f = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
            Err(e) => return Err(io(&path)(e)),
        };
        let mut out = HashMap::new();
        for line in std::io::BufReader::new(f).lines() {
            let line = line.map_err(io(&path))?;
            if let Some((k, h)) = line.rsplit_once('\t') {
                out.insert(k.to_string(), h.to_string());
            }
        }
        Ok(out)
    }

    /// Make the index hold exactly `docs`: only what changed is re-indexed and re-embedded.
    /// Without an embedder, vectors are left as they are (search falls back to words).
    pub fn sync(
        &self,
        docs: &[Doc],
        embedder: Option<&dyn Embedder>,
    ) -> Result<SyncStats, SearchError> {
        let _one = self.syncing.lock().unwrap_or_else(|e| e.into_inner());
        let old = self.state()?;
        let current = self.vectors();
        let mut stats = SyncStats {
            documents: docs.len(),
            ..Default::default()
        };
        let mut seen: HashSet<String> = HashSet::with_capacity(docs.len());
        let mut changed: Vec<&Doc> = vec![];
        let mut state = String::with_capacity(docs.len() * 40);
        for d in docs {
            let key = d.key();
            if !seen.insert(key.clone()) {
                continue;
            }
            let h = d.hash();
            match old.get(&key) {
                Some(o) if *o == h => {}
                Some(_) => {
                    stats.changed += 1;
                    changed.push(d);
                }
                None => {
                    stats.added += 1;
                    changed.push(d);
                }
            }
            state.push_str(&key);
            state.push('\t');
            state.push_str(&h);
            state.push('\n');
        }
        let removed: Vec<&String> = old.keys().filter(|k| !seen.contains(*k)).collect();
        stats.removed = removed.len();
        if !changed.is_empty() || !removed.is_empty() {
            let mut w: IndexWriter<TantivyDocument> =
                self.index.writer_with_num_threads(1, 50_000_000)?;
            let f = self.fields;
            for k in &removed {
                w.delete_term(Term::from_field_text(f.key, k));
            }
            for d in &changed {
                w.delete_term(Term::from_field_text(f.key, &d.key()));
                let mut doc = TantivyDocument::default();
                doc.add_text(f.key, d.key());
                doc.add_text(f.kind, d.kind.as_str());
                doc.add_text(f.url, &d.url);
                doc.add_text(f.title, &d.title);
                doc.add_text(f.body, &d.body);
                if let Some(p) = &d.personal {
                    doc.add_text(f.p_title, format!("{}{DETAIL_SEP}{}", p.title, p.detail));
                    doc.add_text(f.p_text, &p.text);
                }
                w.add_document(doc)?;
            }
            w.commit()?;
            self.reader.reload()?;
        }
        // Vectors: keep those of unchanged prose documents, embed the rest.
        if let Some(e) = embedder {
            let fresh_model = current.model != e.id();
            let keep: HashMap<&str, usize> = if fresh_model {
                HashMap::new()
            } else {
                current
                    .keys
                    .iter()
                    .enumerate()
                    .map(|(i, k)| (k.as_str(), i))
                    .collect()
            };
            let dirty: HashSet<String> = changed.iter().map(|d| d.key()).collect();
            let prose: Vec<&Doc> = docs
                .iter()
                .filter(|d| d.kind.has_prose())
                .filter(|d| seen.contains(&d.key()))
                .collect();
            let mut keys = Vec::with_capacity(prose.len());
            let mut data = Vec::with_capacity(prose.len());
            let mut todo: Vec<&Doc> = vec![];
            let mut done: HashSet<String> = HashSet::new();
            for d in &prose {
                let k = d.key();
                if !done.insert(k.clone()) {
                    continue;
                }
                match keep.get(k.as_str()) {
                    Some(i) if !dirty.contains(&k) => {
                        keys.push(k);
                        data.push(current.data[*i].clone());
                    }
                    _ => todo.push(d),
                }
            }
            let texts: Vec<String> = todo.iter().map(|d| d.prose()).collect();
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let new = e.embed(&refs)?;
            stats.embedded = new.len();
            for (d, v) in todo.iter().zip(new) {
                keys.push(d.key());
                data.push(v);
            }
            let changed_vectors =
                fresh_model || stats.embedded > 0 || keys.len() != current.keys.len();
            if changed_vectors {
                let mut v = Vectors {
                    model: e.id().to_string(),
                    dim: e.dim(),
                    keys,
                    data,
                    graph: None,
                };
                v.write(&self.dir.join("vectors.bin"))?;
                v.build();
                *self.vectors.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(v);
            }
        }
        stats.vectors = self.vectors().keys.len();
        atomic_write(&self.dir.join("state.tsv"), state.as_bytes())?;
        Ok(stats)
    }

    /// Documents indexed.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn vectors(&self) -> Arc<Vectors> {
        self.vectors
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Whether meaning can be searched (vectors exist).
    pub fn has_vectors(&self) -> bool {
        self.vectors().graph.is_some()
    }

    fn tokens(&self, text: &str) -> Vec<String> {
        let mut a = analyzer();
        let mut ts = a.token_stream(text);
        let mut out = vec![];
        while ts.advance() {
            out.push(ts.token().text.clone());
        }
        out
    }

    fn fields_for(&self, access: Access) -> Vec<(Field, f32)> {
        let f = self.fields;
        let mut v = vec![(f.title, 3.0), (f.body, 1.0)];
        if access.personal_data {
            v.extend([(f.p_title, 3.0), (f.p_text, 1.0)]);
        }
        v
    }

    /// Words: each query word, exactly (boosted) or within a typo or two, in the fields the
    /// asker may search; the last word also as a prefix when `complete` is set.
    fn word_query(&self, q: &str, access: Access, complete: bool) -> Option<Box<dyn Query>> {
        let words = self.tokens(q);
        let n = words.len();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![];
        for (i, w) in words.iter().enumerate() {
            let typos: u8 = match w.chars().count() {
                0..=3 => 0,
                4..=7 => 1,
                _ => 2,
            };
            let last = i + 1 == n;
            for (field, boost) in self.fields_for(access) {
                let term = Term::from_field_text(field, w);
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                        boost * 2.0,
                    )),
                ));
                if typos > 0 {
                    clauses.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(FuzzyTermQuery::new(term.clone(), typos, true)),
                            boost * 0.5,
                        )),
                    ));
                }
                if complete && last {
                    clauses.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(FuzzyTermQuery::new_prefix(term, typos.min(1), true)),
                            boost,
                        )),
                    ));
                }
            }
        }
        (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
    }

    fn hit(&self, doc: &TantivyDocument, access: Access) -> Option<Hit> {
        let f = self.fields;
        let s = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let key = s(f.key)?;
        let kind = Kind::parse(&s(f.kind)?)?;
        let title = s(f.title).unwrap_or_default();
        let personal = s(f.p_title).filter(|_| access.personal_data);
        let (title, subtitle) = match personal {
            Some(p) => match p.split_once(DETAIL_SEP) {
                Some((name, detail)) if !detail.is_empty() => {
                    (name.to_string(), Some(format!("{detail} · {title}")))
                }
                Some((name, _)) => (name.to_string(), Some(title)),
                None => (p, Some(title)),
            },
            None => (title, None),
        };
        Some(Hit {
            kind,
            id: key
                .split_once(':')
                .map_or(key.clone(), |(_, id)| id.to_string()),
            url: s(f.url).unwrap_or_default(),
            title,
            subtitle,
            score: 0.0,
            found_by: vec![],
        })
    }

    fn by_key(&self, key: &str, access: Access) -> Result<Option<Hit>, SearchError> {
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.fields.key, key),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&q, &TopDocs::with_limit(1))?;
        match top.first() {
            Some((_, addr)) => Ok(self.hit(&searcher.doc(*addr)?, access)),
            None => Ok(None),
        }
    }

    /// Hybrid search: the word ranking and, when `query_vector` is given, the meaning
    /// ranking, fused by reciprocal rank.
    pub fn search(
        &self,
        q: &str,
        query_vector: Option<&[f32]>,
        access: Access,
        limit: usize,
    ) -> Result<Vec<Hit>, SearchError> {
        let searcher = self.reader.searcher();
        let mut fused: HashMap<String, Hit> = HashMap::new();
        // The last word may be the start of one (as Meilisearch reads it): "hik" finds hiking.
        if let Some(query) = self.word_query(q, access, true) {
            let top = searcher.search(&query, &TopDocs::with_limit(DEPTH))?;
            for (rank, (_, addr)) in top.into_iter().enumerate() {
                let doc: TantivyDocument = searcher.doc(addr)?;
                if let Some(mut h) = self.hit(&doc, access) {
                    h.score = 1.0 / (RRF_K + rank as f64 + 1.0);
                    h.found_by.push("words");
                    fused.insert(format!("{}:{}", h.kind.as_str(), h.id), h);
                }
            }
        }
        if let Some(v) = query_vector {
            let vectors = self.vectors();
            let near = vectors
                .nearest(v, DEPTH)
                .into_iter()
                .filter(|(_, sim)| *sim >= MIN_SIMILARITY);
            for (rank, (i, _sim)) in near.enumerate() {
                let Some(key) = vectors.keys.get(i) else {
                    continue;
                };
                let add = 1.0 / (RRF_K + rank as f64 + 1.0);
                if let Some(h) = fused.get_mut(key) {
                    h.score += add;
                    h.found_by.push("meaning");
                } else if let Some(mut h) = self.by_key(key, access)? {
                    h.score = add;
                    h.found_by.push("meaning");
                    fused.insert(key.clone(), h);
                }
            }
        }
        let mut out: Vec<Hit> = fused.into_values().collect();
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.title.cmp(&b.title))
        });
        out.truncate(limit);
        Ok(out)
    }

    /// Documents of `kind` nearest in meaning to the document `kind:id` (itself left out),
    /// with their cosine similarity: "similar products" from the product texts.
    pub fn similar(&self, kind: Kind, id: &str, k: usize) -> Vec<(String, f32)> {
        let vectors = self.vectors();
        let key = format!("{}:{id}", kind.as_str());
        let Some(i) = vectors.keys.iter().position(|x| *x == key) else {
            return vec![];
        };
        let prefix = format!("{}:", kind.as_str());
        vectors
            .nearest(&vectors.data[i], k + 1 + k / 2)
            .into_iter()
            .filter(|(j, sim)| *j != i && *sim >= MIN_SIMILARITY)
            .filter_map(|(j, sim)| {
                vectors.keys[j]
                    .strip_prefix(&prefix)
                    .map(|id| (id.to_string(), sim))
            })
            .take(k)
            .collect()
    }
}
