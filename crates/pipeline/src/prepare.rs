//! Preparing an uploaded file for loading: one streaming pass that unpacks gzip (bounded in
//! size and ratio, against gzip bombs), drops a BOM, turns Latin-1 into UTF-8, refuses
//! binary bytes inside text and JSON nested deeper than a limit, and writes the result next
//! to the loader. Memory stays flat whatever the file size.

use crate::sniff::{Encoding, Format, SniffError, Sniffed, sniff};
use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest size after decompression.
    pub max_bytes: u64,
    /// Largest decompressed / compressed ratio (real exports compress 5-20×).
    pub max_ratio: u64,
    /// Deepest JSON nesting accepted.
    pub max_json_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 8 << 30,
            max_ratio: 200,
            max_json_depth: 64,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Prepared {
    pub path: PathBuf,
    pub sniffed: Sniffed,
    pub gzip: bool,
    /// Bytes after preparation.
    pub bytes: u64,
    /// The declared or detected encoding had to be replaced by Latin-1 part-way.
    pub fell_back_to_latin1: bool,
    /// `path` is the source file itself: it needed no change to be loaded.
    pub as_is: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Sniff(#[from] SniffError),
    #[error("the file is larger than the limit of {limit} bytes once unpacked")]
    TooLarge { limit: u64 },
    #[error(
        "the compressed file unpacks to more than {ratio} times its size; refusing it as a likely gzip bomb"
    )]
    GzipBomb { ratio: u64 },
    #[error("the gzip data is damaged: {0}")]
    BadGzip(String),
    #[error("the JSON is nested more than {limit} levels deep")]
    TooDeep { limit: usize },
    #[error("binary content inside a text file at byte {0}")]
    BinaryInText(u64),
    /// Not a data export: what it is, in words.
    #[error(
        "this is {0}, not a data export; upload the shop's exports as CSV, Excel, JSON or Parquet"
    )]
    NotData(String),
}

const HEAD: usize = 64 * 1024;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PrepareError + '_ {
    move |source| PrepareError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn open(src: &Path) -> Result<(Box<dyn Read>, bool, u64), PrepareError> {
    let f = File::open(src).map_err(io(src))?;
    let compressed_len = f.metadata().map_err(io(src))?.len();
    let mut r = BufReader::new(f);
    let mut magic = [0u8; 2];
    let n = read_full(&mut r, &mut magic).map_err(io(src))?;
    let f2 = File::open(src).map_err(io(src))?;
    if n == 2 && magic == [0x1f, 0x8b] {
        Ok((
            Box::new(MultiGzDecoder::new(BufReader::new(f2))),
            true,
            compressed_len,
        ))
    } else {
        Ok((Box::new(BufReader::new(f2)), false, compressed_len))
    }
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Tracks JSON nesting across chunks.
#[derive(Default)]
struct Depth {
    depth: usize,
    in_str: bool,
    escaped: bool,
}

impl Depth {
    fn feed(&mut self, chunk: &[u8], limit: usize) -> Result<(), PrepareError> {
        for &b in chunk {
            if self.in_str {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_str = false;
                }
                continue;
            }
            match b {
                b'"' => self.in_str = true,
                b'[' | b'{' => {
                    self.depth += 1;
                    if self.depth > limit {
                        return Err(PrepareError::TooDeep { limit });
                    }
                }
                b']' | b'}' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
        }
        Ok(())
    }
}

/// Prepare `src` into `work_dir`. The output name says what it holds (`prepared.csv`,
/// `.json`, `.ndjson`, `.parquet`).
pub fn prepare(src: &Path, work_dir: &Path, limits: &Limits) -> Result<Prepared, PrepareError> {
    prepare_with(src, work_dir, limits, Mode::default())
}

/// The first records of `src`, for a preview: delimited text and NDJSON stop at the first
/// line end after `bytes` (other formats are prepared whole). The checks cover that part.
pub fn prepare_head(
    src: &Path,
    work_dir: &Path,
    limits: &Limits,
    bytes: u64,
) -> Result<Prepared, PrepareError> {
    prepare_with(
        src,
        work_dir,
        limits,
        Mode {
            head: Some(bytes),
            ..Mode::default()
        },
    )
}

#[derive(Debug, Clone, Copy, Default)]
struct Mode {
    /// Leave a file that needs no change where it is.
    in_place: bool,
    /// Stop after about this many bytes, at a line end.
    head: Option<u64>,
}

/// [`prepare`], but a file the loader can read as it is (plain UTF-8 delimited text without
/// a byte-order mark, JSON, Parquet; not gzip) is only checked, not copied: the result
/// points at `src` itself (`as_is`). For sources the database may read in place.
pub fn prepare_in_place(
    src: &Path,
    work_dir: &Path,
    limits: &Limits,
) -> Result<Prepared, PrepareError> {
    prepare_with(
        src,
        work_dir,
        limits,
        Mode {
            in_place: true,
            ..Mode::default()
        },
    )
}

fn prepare_with(
    src: &Path,
    work_dir: &Path,
    limits: &Limits,
    mode: Mode,
) -> Result<Prepared, PrepareError> {
    // Workbooks become CSV first (a copy of our own, so never read in place); images and
    // documents are named and refused.
    let mut head = [0u8; 4096];
    let n = std::fs::File::open(src)
        .and_then(|mut f| read_full(&mut f, &mut head))
        .map_err(io(src))?;
    match crate::workbook::recognise(&head[..n]) {
        Some(crate::workbook::Binary::NotData(what)) => {
            return Err(PrepareError::NotData(what.to_string()));
        }
        Some(crate::workbook::Binary::Workbook) => {
            std::fs::create_dir_all(work_dir).map_err(io(work_dir))?;
            let csv = work_dir.join("workbook.csv");
            crate::workbook::to_csv(src, &csv, limits.max_bytes)?;
            let mode = Mode {
                in_place: false,
                ..mode
            };
            let p = prepare_with(&csv, work_dir, limits, mode);
            let _ = std::fs::remove_file(&csv);
            return p;
        }
        None => {}
    }
    match run(src, work_dir, limits, None, mode) {
        Ok(p) => Ok(p),
        Err(Retry::Latin1) => {
            run(src, work_dir, limits, Some(Encoding::Latin1), mode).map_err(Retry::into_error)
        }
        Err(Retry::Fail(e)) => Err(e),
    }
}

/// Why a pass stopped: start over as Latin-1, or a real error.
enum Retry {
    Latin1,
    Fail(PrepareError),
}

impl Retry {
    fn into_error(self) -> PrepareError {
        match self {
            Retry::Fail(e) => e,
            Retry::Latin1 => PrepareError::BinaryInText(0),
        }
    }
}

impl From<PrepareError> for Retry {
    fn from(e: PrepareError) -> Self {
        Retry::Fail(e)
    }
}

fn run(
    src: &Path,
    work_dir: &Path,
    limits: &Limits,
    force: Option<Encoding>,
    mode: Mode,
) -> Result<Prepared, Retry> {
    let (mut r, gzip, compressed_len) = open(src)?;
    let mut head = vec![0u8; HEAD];
    let n = read_full(&mut r, &mut head).map_err(|e| {
        if gzip {
            PrepareError::BadGzip(e.to_string())
        } else {
            PrepareError::Io {
                path: src.to_path_buf(),
                source: e,
            }
        }
    })?;
    head.truncate(n);
    let complete = n < HEAD;
    let mut sniffed = sniff(&head, complete).map_err(PrepareError::from)?;
    if let Some(enc) = force {
        sniffed.encoding = enc;
    }
    let ext = match sniffed.format {
        Format::Delimited { .. } => "csv",
        Format::Json => "json",
        Format::NdJson => "ndjson",
        Format::Parquet => "parquet",
    };
    let whitespace = matches!(
        sniffed.format,
        Format::Delimited {
            delimiter: b' ',
            ..
        }
    );
    // Bytes the loader reads unchanged need no copy: only the checks below run.
    let as_is = mode.in_place
        && mode.head.is_none()
        && !gzip
        && sniffed.encoding == Encoding::Utf8
        && !whitespace;
    let out_path = if as_is {
        src.to_path_buf()
    } else {
        work_dir.join(format!("prepared.{ext}"))
    };
    let out: Box<dyn Write> = if as_is {
        Box::new(std::io::sink())
    } else {
        std::fs::create_dir_all(work_dir).map_err(io(work_dir))?;
        Box::new(File::create(&out_path).map_err(io(&out_path))?)
    };
    let mut w = BufWriter::with_capacity(1 << 20, out);
    // Whitespace-separated text becomes tab-separated, so the loader sees one delimiter.
    let emit = |w: &mut BufWriter<Box<dyn Write>>,
                text: &str,
                line: &mut String,
                whitespace: bool|
     -> std::io::Result<u64> {
        if !whitespace {
            w.write_all(text.as_bytes())?;
            return Ok(text.len() as u64);
        }
        let mut n = 0;
        for c in text.chars() {
            if c == '\n' {
                let joined = line.split_whitespace().collect::<Vec<_>>().join("\t");
                w.write_all(joined.as_bytes())?;
                w.write_all(b"\n")?;
                n += joined.len() as u64 + 1;
                line.clear();
            } else {
                line.push(c);
            }
        }
        Ok(n)
    };
    let text = sniffed.format != Format::Parquet;
    let json = matches!(sniffed.format, Format::Json | Format::NdJson);
    let mut depth = Depth::default();
    let mut total_in: u64 = 0;
    let mut total_out: u64 = 0;
    let mut carry: Vec<u8> = Vec::new();
    let mut first = true;
    let mut line = String::new();
    // Where a preview stops: line-based formats only.
    let head_limit = mode
        .head
        .filter(|_| matches!(sniffed.format, Format::Delimited { .. } | Format::NdJson));
    // The part of `text` to write, and whether to stop after it.
    let cut = |text: &str, written: u64| -> (usize, bool) {
        match head_limit {
            Some(n) if written + text.len() as u64 >= n => match text.rfind('\n') {
                Some(i) => (i + 1, true),
                None => (text.len(), false),
            },
            _ => (text.len(), false),
        }
    };
    let mut stopped = false;
    let mut buf = head;
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        if buf.is_empty() {
            let k = r.read(&mut chunk).map_err(|e| {
                if gzip {
                    PrepareError::BadGzip(e.to_string())
                } else {
                    PrepareError::Io {
                        path: src.to_path_buf(),
                        source: e,
                    }
                }
            })?;
            if k == 0 {
                break;
            }
            buf = chunk[..k].to_vec();
        }
        let mut data: &[u8] = &buf;
        if first && sniffed.encoding == Encoding::Utf8Bom && data.starts_with(&[0xEF, 0xBB, 0xBF]) {
            data = &data[3..];
        }
        first = false;
        total_in += data.len() as u64;
        if total_in > limits.max_bytes {
            return Err(PrepareError::TooLarge {
                limit: limits.max_bytes,
            }
            .into());
        }
        if gzip
            && compressed_len > 0
            && total_in / compressed_len.max(1) > limits.max_ratio
            && total_in > 1 << 20
        {
            return Err(PrepareError::GzipBomb {
                ratio: limits.max_ratio,
            }
            .into());
        }
        if text {
            if let Some(i) = memchr::memchr(0, data) {
                return Err(
                    PrepareError::BinaryInText(total_in - data.len() as u64 + i as u64).into(),
                );
            }
            if json {
                depth.feed(data, limits.max_json_depth)?;
            }
        }
        match (text, sniffed.encoding) {
            (true, Encoding::Latin1) => {
                let s: String = data.iter().map(|&b| b as char).collect();
                let (n, stop) = cut(&s, total_out);
                total_out += emit(&mut w, &s[..n], &mut line, whitespace).map_err(io(&out_path))?;
                stopped = stop;
            }
            (true, _) => {
                // Validate UTF-8 across chunk borders; on the first invalid byte start over
                // as Latin-1 (exports with mixed encodings exist).
                carry.extend_from_slice(data);
                let valid = match std::str::from_utf8(&carry) {
                    Ok(_) => carry.len(),
                    Err(e) if e.error_len().is_none() => e.valid_up_to(),
                    Err(_) => return Err(Retry::Latin1),
                };
                let text = std::str::from_utf8(&carry[..valid]).unwrap_or_default();
                let (n, stop) = cut(text, total_out);
                total_out += if as_is {
                    n as u64 // checked, nothing to write
                } else {
                    emit(&mut w, &text[..n], &mut line, whitespace).map_err(io(&out_path))?
                };
                carry.drain(..valid);
                stopped = stop;
            }
            (false, _) => {
                if !as_is {
                    w.write_all(data).map_err(io(&out_path))?;
                }
                total_out += data.len() as u64;
            }
        }
        buf.clear();
        if stopped {
            // The rest of the file is not part of the preview.
            carry.clear();
            line.clear();
            break;
        }
    }
    if !carry.is_empty() {
        return Err(Retry::Latin1);
    }
    if !line.is_empty() {
        total_out += emit(&mut w, "\n", &mut line, whitespace).map_err(io(&out_path))?;
    }
    if whitespace {
        sniffed.format = match sniffed.format {
            Format::Delimited { header, .. } => Format::Delimited {
                delimiter: b'\t',
                quote: None,
                header,
            },
            f => f,
        };
    }
    w.flush().map_err(io(&out_path))?;
    Ok(Prepared {
        path: out_path,
        sniffed,
        gzip,
        bytes: total_out,
        fell_back_to_latin1: force == Some(Encoding::Latin1),
        as_is,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_latin1_and_bom_become_plain_utf8() {
        let d = tempfile::tempdir().unwrap();
        let src = write(
            d.path(),
            "export.txt",
            &gz(b"name;city\nJos\xE9;M\xE1laga\n"),
        );
        let p = prepare(&src, &d.path().join("w"), &Limits::default()).unwrap();
        assert!(p.gzip);
        assert_eq!(p.sniffed.encoding, Encoding::Latin1);
        assert_eq!(
            std::fs::read_to_string(&p.path).unwrap(),
            "name;city\nJosé;Málaga\n"
        );
        let src = write(d.path(), "bom.csv", b"\xEF\xBB\xBFa,b\n1,2\n");
        let p = prepare(&src, &d.path().join("w2"), &Limits::default()).unwrap();
        assert_eq!(std::fs::read(&p.path).unwrap(), b"a,b\n1,2\n");
    }

    #[test]
    fn whitespace_separated_becomes_tab_separated() {
        let d = tempfile::tempdir().unwrap();
        let p = prepare(
            &write(
                d.path(),
                "w.txt",
                b"sku   qty  price
A1  2   3.5
B2 1 10",
            ),
            &d.path().join("w"),
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(
            p.sniffed.format,
            Format::Delimited {
                delimiter: b'\t',
                quote: None,
                header: true
            }
        );
        assert_eq!(
            std::fs::read_to_string(&p.path).unwrap(),
            "sku\tqty\tprice\nA1\t2\t3.5\nB2\t1\t10\n"
        );
    }

    #[test]
    fn invalid_utf8_after_the_sample_falls_back_to_latin1() {
        let d = tempfile::tempdir().unwrap();
        let mut bytes = b"sku,name\n".to_vec();
        for i in 0..10_000 {
            bytes.extend_from_slice(format!("A{i},plain\n").as_bytes());
        }
        bytes.extend_from_slice(b"Z1,Caf\xE9\n");
        let p = prepare(
            &write(d.path(), "x.csv", &bytes),
            &d.path().join("w"),
            &Limits::default(),
        )
        .unwrap();
        assert!(p.fell_back_to_latin1);
        assert!(
            std::fs::read_to_string(&p.path)
                .unwrap()
                .ends_with("Z1,Café\n")
        );
    }

    #[test]
    fn in_place_and_head_only() {
        let d = tempfile::tempdir().unwrap();
        let mut csv = b"sku,qty\n".to_vec();
        for i in 0..100_000 {
            csv.extend_from_slice(format!("A{i},{}\n", i % 7).as_bytes());
        }
        let src = write(d.path(), "big.csv", &csv);
        let p = prepare_in_place(&src, &d.path().join("w"), &Limits::default()).unwrap();
        assert!(p.as_is && p.path == src && p.bytes == csv.len() as u64);
        assert!(!d.path().join("w").exists());
        // A byte-order mark (or gzip, Latin-1, whitespace columns) needs a copy.
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(&csv);
        let p = prepare_in_place(
            &write(d.path(), "bom.csv", &bom),
            &d.path().join("w2"),
            &Limits::default(),
        )
        .unwrap();
        assert!(!p.as_is && p.path != src);
        // A preview stops at a line end after the bytes asked for.
        let p = prepare_head(&src, &d.path().join("w3"), &Limits::default(), 100_000).unwrap();
        let head = std::fs::read(&p.path).unwrap();
        assert!(head.len() >= 100_000 && head.len() < 100_000 + (1 << 20));
        assert!(head.ends_with(b"\n") && csv.starts_with(&head));
        // JSON is prepared whole.
        let json = format!("[{}]", vec!["{\"a\": 1}"; 20_000].join(","));
        let p = prepare_head(
            &write(d.path(), "a.json", json.as_bytes()),
            &d.path().join("w4"),
            &Limits::default(),
            1000,
        )
        .unwrap();
        assert_eq!(std::fs::read(&p.path).unwrap(), json.as_bytes());
    }

    #[test]
    fn gzip_bomb_and_size_limit() {
        let d = tempfile::tempdir().unwrap();
        let mut big = b"a,b\n".to_vec();
        big.extend(std::iter::repeat_n(b'1', 50 << 20));
        let src = write(d.path(), "bomb.gz", &gz(&big));
        assert!(matches!(
            prepare(&src, &d.path().join("w"), &Limits::default()),
            Err(PrepareError::GzipBomb { .. })
        ));
        let src = write(d.path(), "big.csv", &big[..4 << 20]);
        let l = Limits {
            max_bytes: 1 << 20,
            ..Default::default()
        };
        assert!(matches!(
            prepare(&src, &d.path().join("w2"), &l),
            Err(PrepareError::TooLarge { .. })
        ));
        let src = write(d.path(), "cut.gz", &gz(b"a,b\n1,2\n")[..12]);
        assert!(matches!(
            prepare(&src, &d.path().join("w3"), &Limits::default()),
            Err(PrepareError::BadGzip(_)) | Err(PrepareError::Sniff(_))
        ));
    }

    #[test]
    fn deep_json_and_binary_are_refused() {
        let d = tempfile::tempdir().unwrap();
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let src = write(d.path(), "deep.json", deep.as_bytes());
        assert!(matches!(
            prepare(&src, &d.path().join("w"), &Limits::default()),
            Err(PrepareError::TooDeep { limit: 64 })
        ));
        // Brackets inside strings do not count.
        let ok = format!("[{{\"a\": \"{}\"}}]", "[".repeat(1000));
        assert!(
            prepare(
                &write(d.path(), "ok.json", ok.as_bytes()),
                &d.path().join("w2"),
                &Limits::default()
            )
            .is_ok()
        );
        let mut bin = b"a,b\n1,2\n".to_vec();
        bin.extend(std::iter::repeat_n(b'x', 70_000));
        bin.push(0);
        assert!(matches!(
            prepare(
                &write(d.path(), "bin.csv", &bin),
                &d.path().join("w3"),
                &Limits::default()
            ),
            Err(PrepareError::BinaryInText(_))
        ));
        assert!(matches!(
            prepare(
                &write(d.path(), "elf", b"\x7fELF\x02\x01\x01\x00"),
                &d.path().join("w4"),
                &Limits::default()
            ),
            Err(PrepareError::Sniff(SniffError::Binary(_)))
        ));
    }
}
