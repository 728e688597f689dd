//! Search across a shop: words (tantivy, BM25 with typo tolerance and completion) and
//! meaning (sentence vectors from candle in an HNSW graph), fused by reciprocal rank. Each
//! shop has its own index directory, so a search can only ever see its own shop's objects;
//! personal data is searched and shown only for callers allowed to see it. Nothing here
//! knows about HTTP or the warehouse: the caller hands in [`Doc`]s.

pub mod embed;
pub mod index;

pub use embed::{EmbedError, Embedder, SentenceModel};
pub use index::{Access, Doc, Graph, Hit, Kind, Personal, SearchError, SearchIndex, SyncStats};
