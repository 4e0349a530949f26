//! Articles from web archives (`.warc`, `.warc.gz`), read as a stream in
//! bounded memory: each `response` record holding an HTML page with HTTP
//! status 200 is one article (see `html.rs`). Its id is the record's
//! `WARC-Target-URI`, else its `WARC-Record-ID`; its publication date the
//! page's own (`pubdate.rs`), else the record's `WARC-Date`. All other records
//! (requests, metadata, warcinfo, revisits, DNS lookups) and responses that are
//! not HTTP 200 or not HTML are passed over quietly and counted in
//! [`ArchiveProgress`], as are the records and bytes read.
//!
//! Record headers are parsed by the `warc` crate's parser; the records are
//! framed here (a header block of at most 64 KB, `Content-Length` bytes, a
//! blank line), so that a body is never held whole unless it is an HTML page
//! (at most [`MAX_DOCUMENT_BYTES`]), and so that a gzip member can be checked
//! before its record is trusted. Whether the file is compressed is told by
//! its content (`WARC/` or a gzip header), whatever its name; it is read from
//! its start without seeking, so a FIFO reads too (but after a broken gzip
//! member only a seekable file can go on at the next one).
//!
//! Bad input: a page that cannot be read (its encoding, no article text, too
//! large, a malformed HTTP response) is one skipped document, named by its
//! record's byte offset and URI. In a compressed archive each record is its
//! own gzip member (as the standard recommends and crawlers write): a broken
//! member is one skipped document, its record dropped even when its data
//! seemed to decode, and reading goes on at the next member; a file cut short
//! ends with one error. In an uncompressed archive a malformed or cut-short
//! record ends the file with one error.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate};
use flate2::bufread::GzDecoder;

use crate::doc::Article;

use super::charset::decode_page;
use super::html::article_from_page;
use super::http::{parse_head, MAX_HEAD_BYTES};
use super::textfile::too_large;
use super::{ReadError, Record, MAX_DOCUMENT_BYTES};

/// The longest WARC record header block read.
const MAX_WARC_HEAD_BYTES: u64 = 64 << 10;

/// The first bytes of a gzip member (with the deflate method).
const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// What the archive readers of a run have seen so far, shared with the
/// progress display and the summary.
#[derive(Debug, Default)]
pub struct ArchiveProgress {
    records: AtomicU64,
    bytes: AtomicU64,
    total_bytes: AtomicU64,
    pages: AtomicU64,
    other: AtomicU64,
    not_ok: AtomicU64,
    not_html: AtomicU64,
}

/// A snapshot of [`ArchiveProgress`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ArchiveCounts {
    /// WARC records read.
    pub records: u64,
    /// Bytes of the archive files read (as stored: compressed for `.warc.gz`).
    pub bytes: u64,
    /// The sizes of the archive files opened so far.
    pub total_bytes: u64,
    /// HTML pages with HTTP status 200: articles, or documents skipped.
    pub pages: u64,
    /// Records other than HTTP responses (requests, metadata, warcinfo...).
    pub other: u64,
    /// HTTP responses with a status other than 200.
    pub not_ok: u64,
    /// HTTP 200 responses that are not HTML.
    pub not_html: u64,
}

impl ArchiveProgress {
    /// The counts so far.
    pub fn counts(&self) -> ArchiveCounts {
        let get = |n: &AtomicU64| n.load(Ordering::Relaxed);
        ArchiveCounts {
            records: get(&self.records),
            bytes: get(&self.bytes),
            total_bytes: get(&self.total_bytes),
            pages: get(&self.pages),
            other: get(&self.other),
            not_ok: get(&self.not_ok),
            not_html: get(&self.not_html),
        }
    }

    fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

/// A buffered file that knows how far into it reading has gone.
struct Counted {
    inner: BufReader<File>,
    position: u64,
}

impl Counted {
    /// Reads `file` from byte `position`.
    fn at(mut file: File, position: u64) -> io::Result<Counted> {
        file.seek(SeekFrom::Start(position))?;
        Ok(Counted { inner: BufReader::with_capacity(256 << 10, file), position })
    }
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.position += n as u64;
        Ok(n)
    }
}

impl BufRead for Counted {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        self.inner.consume(n);
        self.position += n as u64;
    }
}

/// Where reading stands in the file.
enum Stream {
    /// An uncompressed archive.
    Plain(Counted),
    /// Before a gzip member (or the end of the file).
    Gap(Counted),
    /// Inside the gzip member that starts at byte `start`.
    Member { start: u64, decoded: Box<BufReader<GzDecoder<Counted>>> },
    /// Nothing more to read.
    Done,
}

/// The articles of one WARC file, in order; see the module documentation.
pub struct WarcReader {
    path: String,
    stream: Stream,
    progress: Arc<ArchiveProgress>,
    /// Bytes of the file already added to the progress.
    reported: u64,
    /// The file's size.
    size: u64,
    /// Where the record being read starts (in an uncompressed archive).
    record_start: u64,
}

/// What reading one record gave.
enum Outcome {
    Article(Article),
    Skipped { id: String, reason: String },
    PassedOver,
}

/// A record that could not be read to its end: the stream is no longer in step.
struct Broken {
    id: Option<String>,
    reason: String,
    /// The file ended inside the record.
    truncated: bool,
}

impl Broken {
    fn io(id: Option<&str>, error: io::Error) -> Broken {
        let truncated = error.kind() == io::ErrorKind::UnexpectedEof;
        Broken { id: id.map(str::to_string), reason: error.to_string(), truncated }
    }

    fn cut(id: Option<&str>) -> Broken {
        Broken { id: id.map(str::to_string), reason: "the file ends inside the record".to_string(), truncated: true }
    }
}

impl WarcReader {
    /// Opens the archive at `path`, counting what it reads into `progress`.
    pub fn open(path: &Path, progress: Arc<ArchiveProgress>) -> Result<WarcReader, ReadError> {
        let name = path.display().to_string();
        let fail = |reason: String| ReadError { source: name.clone(), line: None, doc_id: None, reason };
        let file = File::open(path).map_err(|e| fail(format!("cannot open: {e}")))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        ArchiveProgress::add(&progress.total_bytes, size);
        // Not `Counted::at`: no seek at the start, so that a FIFO reads too.
        let mut raw = Counted { inner: BufReader::with_capacity(256 << 10, file), position: 0 };
        let start = raw.fill_buf().map_err(|e| fail(format!("cannot read: {e}")))?;
        let stream = if start.is_empty() {
            return Err(fail("empty file: no WARC records".to_string()));
        } else if start.starts_with(&GZIP_MAGIC[..2]) {
            Stream::Gap(raw)
        } else if start.starts_with(b"WARC/") {
            Stream::Plain(raw)
        } else {
            return Err(fail("not a WARC file: it starts with neither \"WARC/\" nor a gzip header".to_string()));
        };
        Ok(WarcReader { path: name, stream, progress, reported: 0, size, record_start: 0 })
    }

    /// Reads on to the next article or skipped document, or the end.
    fn step(&mut self) -> Option<Record> {
        loop {
            match &mut self.stream {
                Stream::Done => return None,
                Stream::Gap(raw) => match raw.fill_buf() {
                    Ok([]) => self.stream = Stream::Done,
                    Ok([first, ..]) if *first == GZIP_MAGIC[0] => {
                        let Stream::Gap(raw) = std::mem::replace(&mut self.stream, Stream::Done) else {
                            unreachable!("matched a gap")
                        };
                        let start = raw.position;
                        self.stream = Stream::Member { start, decoded: Box::new(BufReader::new(GzDecoder::new(raw))) };
                    }
                    Ok(_) => {
                        let reason = "not a gzip member (stray bytes between members)".to_string();
                        return Some(Err(self.broken(Broken { id: None, reason, truncated: false })));
                    }
                    Err(e) => return Some(Err(self.broken(Broken::io(None, e)))),
                },
                Stream::Plain(raw) => {
                    let start = raw.position;
                    self.record_start = start;
                    return match read_record(raw, &self.progress) {
                        Ok(None) => {
                            self.stream = Stream::Done;
                            None
                        }
                        Ok(Some(outcome)) => match self.outcome(outcome, &format!("record at byte {start}")) {
                            Some(record) => Some(record),
                            None => continue,
                        },
                        Err(broken) => Some(Err(self.broken(broken))),
                    };
                }
                Stream::Member { start, decoded } => {
                    let place = format!("gzip member at byte {start}");
                    match read_record(decoded, &self.progress) {
                        // The member ended cleanly, its checksum verified.
                        Ok(None) => self.end_member(),
                        Ok(Some(outcome)) => {
                            // Trust the record only once its member has ended soundly
                            // (or goes on soundly, for a file compressed as one stream).
                            match decoded.fill_buf() {
                                Ok([]) => self.end_member(),
                                Ok(_) => {}
                                Err(e) => {
                                    let id = match &outcome {
                                        Outcome::Article(article) => Some(article.id.as_str()),
                                        Outcome::Skipped { id, .. } => Some(id.as_str()),
                                        Outcome::PassedOver => None,
                                    };
                                    let broken = Broken::io(id, e);
                                    return Some(Err(self.broken(broken)));
                                }
                            }
                            if let Some(record) = self.outcome(outcome, &place) {
                                return Some(record);
                            }
                        }
                        Err(broken) => return Some(Err(self.broken(broken))),
                    }
                }
            }
        }
    }

    /// After a gzip member ended cleanly: on to the next.
    fn end_member(&mut self) {
        if let Stream::Member { decoded, .. } = std::mem::replace(&mut self.stream, Stream::Done) {
            self.stream = Stream::Gap(decoded.into_inner().into_inner());
        }
    }

    /// The record for `outcome` of the record at `place`; `None` when passed over.
    fn outcome(&self, outcome: Outcome, place: &str) -> Option<Record> {
        match outcome {
            Outcome::Article(article) => Some(Ok(article)),
            Outcome::Skipped { id, reason } => {
                Some(Err(ReadError { source: format!("{}, {place}", self.path), line: None, doc_id: Some(id), reason }))
            }
            Outcome::PassedOver => None,
        }
    }

    /// The error for a record that broke the stream, and where reading goes on:
    /// at the next gzip member, or nowhere.
    fn broken(&mut self, broken: Broken) -> ReadError {
        let Broken { id, reason, truncated } = broken;
        let (place, reason) = match std::mem::replace(&mut self.stream, Stream::Done) {
            Stream::Plain(_) => {
                let what = if truncated { "truncated" } else { "malformed WARC record" };
                let reason = format!("{what}: {reason}; the rest of the file is skipped");
                (format!("record at byte {}", self.record_start), reason)
            }
            Stream::Member { start, decoded } => {
                let raw = decoded.into_inner().into_inner();
                let (next, reason) = self.resync(raw, start + 1, &reason);
                let reason = if truncated && next.is_none() {
                    "truncated: the file ends inside this gzip member".to_string()
                } else {
                    format!("broken gzip member: {reason}")
                };
                (format!("gzip member at byte {start}"), with_next(reason, next))
            }
            Stream::Gap(raw) => {
                let start = raw.position;
                let (next, reason) = self.resync(raw, start + 1, &reason);
                (format!("byte {start}"), with_next(reason, next))
            }
            Stream::Done => ("end".to_string(), reason),
        };
        ReadError { source: format!("{}, {place}", self.path), line: None, doc_id: id, reason }
    }

    /// Finds the next gzip member at or after byte `from` and reads on there;
    /// returns its offset (`None`: there is none) and `reason`, with a read
    /// error added should the search fail.
    fn resync(&mut self, raw: Counted, from: u64, reason: &str) -> (Option<u64>, String) {
        let mut file = raw.inner.into_inner();
        match next_member(&mut file, from).and_then(|next| match next {
            Some(next) => Counted::at(file, next).map(|raw| (Some(next), Some(raw))),
            None => Ok((None, None)),
        }) {
            Ok((next, raw)) => {
                if let Some(raw) = raw {
                    self.stream = Stream::Gap(raw);
                }
                (next, reason.to_string())
            }
            Err(e) => (None, format!("{reason}; then {e}")),
        }
    }

    fn report_progress(&mut self) {
        let position = match &self.stream {
            Stream::Plain(raw) | Stream::Gap(raw) => raw.position,
            Stream::Member { decoded, .. } => decoded.get_ref().get_ref().position,
            Stream::Done => self.size,
        };
        if position > self.reported {
            ArchiveProgress::add(&self.progress.bytes, position - self.reported);
            self.reported = position;
        }
    }
}

/// `reason`, saying where reading goes on.
fn with_next(reason: String, next: Option<u64>) -> String {
    match next {
        Some(next) => format!("{reason}; reading goes on at the next gzip member, byte {next}"),
        None => format!("{reason}; no gzip member follows"),
    }
}

impl Iterator for WarcReader {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        let record = self.step();
        self.report_progress();
        record
    }
}

/// The offset of the first gzip header at or after byte `from` of `file`.
fn next_member(file: &mut File, from: u64) -> io::Result<Option<u64>> {
    file.seek(SeekFrom::Start(from))?;
    let mut buffer = vec![0u8; 256 << 10];
    let (mut offset, mut kept) = (from, 0usize);
    loop {
        let n = file.read(&mut buffer[kept..])?;
        if n == 0 {
            return Ok(None);
        }
        let filled = kept + n;
        if let Some(i) = buffer[..filled].windows(GZIP_MAGIC.len()).position(|w| w == GZIP_MAGIC) {
            return Ok(Some(offset + i as u64));
        }
        // Keep the last bytes, which may begin a header that the next read completes.
        kept = (GZIP_MAGIC.len() - 1).min(filled);
        buffer.copy_within(filled - kept..filled, 0);
        offset += (filled - kept) as u64;
    }
}

/// Reads the next record of `input` and the blank line after it; `Ok(None)`
/// at the end of the input.
fn read_record(input: &mut impl BufRead, progress: &ArchiveProgress) -> Result<Option<Outcome>, Broken> {
    let Some(head) = read_warc_head(input)? else { return Ok(None) };
    ArchiveProgress::add(&progress.records, 1);
    let malformed = |what: &str| Broken { id: None, reason: what.to_string(), truncated: false };
    let (_, (_, fields, length)) =
        warc::parser::headers(&head).map_err(|_| malformed(&format!("bad header block: {}", first_line(&head))))?;
    let field = |name: &str| {
        fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    };
    if field("Content-Length").is_none() {
        return Err(malformed("no Content-Length"));
    }
    let kind = field("WARC-Type").unwrap_or_default();
    let id = field("WARC-Target-URI")
        .map(|uri| uri.trim().trim_start_matches('<').trim_end_matches('>').to_string())
        .filter(|uri| !uri.is_empty())
        .or_else(|| field("WARC-Record-ID").map(|id| id.trim().to_string()))
        .unwrap_or_default();
    let is_http = field("Content-Type").is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("application/http"));
    let warc_date =
        field("WARC-Date").and_then(|d| DateTime::parse_from_rfc3339(d.trim()).ok()).map(|d| d.date_naive());

    let mut block = input.take(length as u64);
    let outcome = if kind.eq_ignore_ascii_case("response") && is_http {
        read_response(&mut block, id.clone(), warc_date, progress).map_err(|e| Broken::io(Some(&id), e))?
    } else {
        ArchiveProgress::add(&progress.other, 1);
        Outcome::PassedOver
    };
    io::copy(&mut block, &mut io::sink()).map_err(|e| Broken::io(Some(&id), e))?;
    if block.limit() > 0 {
        return Err(Broken::cut(Some(&id)));
    }
    let mut end = [0u8; 4];
    input.read_exact(&mut end).map_err(|e| Broken::io(Some(&id), e))?;
    if &end != b"\r\n\r\n" {
        let reason = "no blank line after the record's Content-Length bytes (a wrong Content-Length?)";
        return Err(Broken { id: Some(id), reason: reason.to_string(), truncated: false });
    }
    Ok(Some(outcome))
}

/// The header block of the next record, up to its blank line; blank lines
/// before it are passed over. `Ok(None)` at the end of the input.
fn read_warc_head(input: &mut impl BufRead) -> Result<Option<Vec<u8>>, Broken> {
    let mut head = Vec::new();
    let mut limited = input.take(MAX_WARC_HEAD_BYTES);
    loop {
        let start = head.len();
        let n = limited.read_until(b'\n', &mut head).map_err(|e| Broken::io(None, e))?;
        if n == 0 {
            return match (head.is_empty(), limited.limit()) {
                (true, _) => Ok(None),
                (false, 0) => Err(Broken {
                    id: None,
                    reason: format!("a record header over {} KB: {}", MAX_WARC_HEAD_BYTES >> 10, first_line(&head)),
                    truncated: false,
                }),
                (false, _) => Err(Broken::cut(None)),
            };
        }
        if head[start..].iter().all(u8::is_ascii_whitespace) {
            if start == 0 {
                head.clear();
                continue;
            }
            return Ok(Some(head));
        }
        if start == 0 && !head.starts_with(b"WARC/") {
            let reason = format!("not a WARC record header: {}", first_line(&head));
            return Err(Broken { id: None, reason, truncated: false });
        }
    }
}

/// The first line of `bytes`, for messages.
fn first_line(bytes: &[u8]) -> String {
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let line: String = String::from_utf8_lossy(line).trim().chars().take(60).collect();
    format!("{line:?}")
}

/// Reads an HTTP response block (up to its end) into an outcome.
fn read_response(
    block: &mut impl Read,
    id: String,
    warc_date: Option<NaiveDate>,
    progress: &ArchiveProgress,
) -> io::Result<Outcome> {
    let skipped = |reason: String| Outcome::Skipped { id: id.clone(), reason };
    let mut bytes = Vec::new();
    let head = loop {
        let before = bytes.len();
        block.by_ref().take(8 << 10).read_to_end(&mut bytes)?;
        match parse_head(&bytes) {
            Ok(Some(head)) => break head,
            Ok(None) if bytes.len() == before => {
                return Ok(skipped("malformed HTTP response: it ends inside its headers".to_string()))
            }
            Ok(None) if bytes.len() > MAX_HEAD_BYTES => {
                return Ok(skipped(format!("malformed HTTP response: headers over {} KB", MAX_HEAD_BYTES >> 10)))
            }
            Ok(None) => {}
            Err(reason) => return Ok(skipped(reason)),
        }
    };
    if head.status != 200 {
        ArchiveProgress::add(&progress.not_ok, 1);
        return Ok(Outcome::PassedOver);
    }
    if !head.is_html(&bytes[head.len..]) {
        ArchiveProgress::add(&progress.not_html, 1);
        return Ok(Outcome::PassedOver);
    }
    ArchiveProgress::add(&progress.pages, 1);
    let mut body = bytes.split_off(head.len);
    let room = (MAX_DOCUMENT_BYTES + 1).saturating_sub(body.len());
    block.take(room as u64).read_to_end(&mut body)?;
    if body.len() > MAX_DOCUMENT_BYTES {
        let rest = io::copy(block, &mut io::sink())?;
        return Ok(skipped(too_large(body.len() as u64 + rest)));
    }
    let page = head.body(body).and_then(|body| decode_page(&body, head.charset.as_deref()));
    Ok(match page.and_then(|page| article_from_page(id.clone(), &page, warc_date)) {
        Ok(article) => Outcome::Article(article),
        Err(reason) => skipped(reason),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const PAGE: &str = "<html><head><title>Akira hits Acme</title>{meta}</head><body><nav><a href='/'>Home</a> \
        <a href='/news'>News</a></nav><article><h1>Akira hits Acme</h1><p>The Akira ransomware gang breached \
        Acme Corp last week, stealing 40 GB of files, the company said on Monday.</p><p>Acme said its plants \
        kept running and that it had told the police.</p></article><footer>(c) 2024 Wire</footer></body></html>";

    fn page(meta: &str) -> String {
        PAGE.replace("{meta}", meta)
    }

    /// A WARC record of `kind` for `uri` with `block` as its content.
    fn record(kind: &str, uri: &str, content_type: &str, block: &[u8]) -> Vec<u8> {
        let head = format!(
            "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{uri}>\r\nWARC-Date: 2024-05-06T07:08:09Z\r\n\
             WARC-Target-URI: {uri}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            block.len()
        );
        [head.as_bytes(), block, b"\r\n\r\n"].concat()
    }

    fn response(uri: &str, status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
        let http = [format!("HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n\r\n").as_bytes(), body].concat();
        record("response", uri, "application/http; msgtype=response", &http)
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    }

    fn read(bytes: &[u8], name: &str) -> (Vec<Record>, ArchiveCounts) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let progress = Arc::new(ArchiveProgress::default());
        let records = match WarcReader::open(&path, Arc::clone(&progress)) {
            Ok(reader) => reader.collect(),
            Err(e) => vec![Err(e)],
        };
        (records, progress.counts())
    }

    fn summary(records: &[Record]) -> Vec<String> {
        records
            .iter()
            .map(|r| match r {
                Ok(a) => format!("ok {} {:?}", a.id, a.published.map(|d| d.to_string())),
                Err(e) => {
                    let source = e.source.rsplit_once(", ").map_or("", |(_, place)| place);
                    format!("err {source} {:?}: {}", e.doc_id, e.reason)
                }
            })
            .collect()
    }

    fn crawl() -> Vec<Vec<u8>> {
        vec![
            record("warcinfo", "", "application/warc-fields", b"software: test\r\n"),
            record("request", "https://a.example/1", "application/http; msgtype=request", b"GET /1 HTTP/1.1\r\n\r\n"),
            response(
                "https://a.example/1",
                "200 OK",
                "text/html; charset=utf-8",
                page(r#"<meta property="article:published_time" content="2024-05-01">"#).as_bytes(),
            ),
            response("https://a.example/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n\0\0"),
            response("https://a.example/old", "404 Not Found", "text/html", b"<html>gone</html>"),
            response("https://a.example/2", "200 OK", "text/html", page("").as_bytes()),
            record("response", "dns:a.example", "text/dns", b"a.example. 300 IN A 10.0.0.1\r\n"),
            record("metadata", "https://a.example/2", "application/warc-fields", b"via: x\r\n"),
        ]
    }

    #[test]
    fn html_responses_become_articles_and_the_rest_is_counted() {
        let expected = ["ok https://a.example/1 Some(\"2024-05-01\")", "ok https://a.example/2 Some(\"2024-05-06\")"];
        let plain = crawl().concat();
        let (records, counts) = read(&plain, "crawl.warc");
        assert_eq!(summary(&records), expected);
        let expected_counts = ArchiveCounts {
            records: 8,
            bytes: plain.len() as u64,
            total_bytes: plain.len() as u64,
            pages: 2,
            other: 4,
            not_ok: 1,
            not_html: 1,
        };
        assert_eq!(counts, expected_counts);
        let article = records[0].as_ref().unwrap();
        assert_eq!(article.title.as_deref(), Some("Akira hits Acme"));
        assert!(article.text.starts_with("The Akira ransomware gang breached Acme Corp last week"), "{}", article.text);

        let members: Vec<u8> = crawl().iter().flat_map(|r| gzip(r)).collect();
        let (records, counts) = read(&members, "crawl.warc.gz");
        assert_eq!(summary(&records), expected);
        assert_eq!(
            counts,
            ArchiveCounts { bytes: members.len() as u64, total_bytes: members.len() as u64, ..expected_counts }
        );
        // One gzip stream for the whole file reads the same.
        let (records, _) = read(&gzip(&plain), "one-stream.warc.gz");
        assert_eq!(summary(&records), expected);
    }

    #[test]
    fn a_record_without_a_target_uri_is_named_by_its_record_id() {
        let http = [b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n".as_slice(), page("").as_bytes()].concat();
        let head = format!(
            "WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:1234>\r\nWARC-Date: 2024-05-06T07:08:09Z\r\n\
             Content-Type: application/http\r\nContent-Length: {}\r\n\r\n",
            http.len()
        );
        let (records, _) = read(&[head.as_bytes(), &http, b"\r\n\r\n"].concat(), "x.warc");
        assert_eq!(summary(&records), ["ok <urn:uuid:1234> Some(\"2024-05-06\")"]);
    }

    #[test]
    fn pages_are_decoded_by_the_http_charset_and_bad_ones_skipped_with_their_place() {
        let latin1: Vec<u8> = page("").replace("Acme", "Ac\u{e9}me").chars().map(|c| c as u8).collect();
        let members: Vec<u8> = [
            response("https://a.example/latin1", "200 OK", "text/html; charset=iso-8859-1", &latin1),
            response("https://a.example/undeclared", "200 OK", "text/html", &latin1),
            response("https://a.example/klingon", "200 OK", "text/html; charset=x-klingon", page("").as_bytes()),
            response("https://a.example/short", "200 OK", "text/html", b"<html><body><p>Gone.</p></body></html>"),
            response("https://a.example/ok", "200 OK", "text/html", page("").as_bytes()),
        ]
        .iter()
        .flat_map(|r| gzip(r))
        .collect();
        let (records, counts) = read(&members, "odd.warc.gz");
        assert!(records[0].as_ref().unwrap().text.contains("breached Ac\u{e9}me Corp"), "{records:?}");
        let lines = summary(&records);
        assert!(lines[1].contains("(\"https://a.example/undeclared\"): unknown encoding: not UTF-8"), "{lines:?}");
        assert!(lines[1].starts_with("err gzip member at byte "), "{lines:?}");
        assert!(lines[2].ends_with("(\"https://a.example/klingon\"): unknown encoding: \"x-klingon\" in the HTTP Content-Type header, cannot decode the page"), "{lines:?}");
        assert!(lines[3].contains("(\"https://a.example/short\"): no article text found"), "{lines:?}");
        assert_eq!(lines[4], "ok https://a.example/ok Some(\"2024-05-06\")");
        assert_eq!((lines.len(), counts.pages), (5, 5));
    }

    #[test]
    fn a_broken_gzip_member_is_skipped_and_reading_goes_on() {
        let records: Vec<Vec<u8>> = ["1", "2", "3"]
            .iter()
            .map(|n| gzip(&response(&format!("https://a.example/{n}"), "200 OK", "text/html", page("").as_bytes())))
            .collect();
        let mut data = records.concat();
        let second = records[0].len();
        let middle = second + records[1].len() / 2;
        data[middle..middle + 8].fill(0);
        let (read_back, _) = read(&data, "broken.warc.gz");
        let lines = summary(&read_back);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[0], "ok https://a.example/1 Some(\"2024-05-06\")");
        assert!(lines[1].starts_with(&format!("err gzip member at byte {second} ")), "{lines:?}");
        assert!(lines[1].contains(": broken gzip member: "), "{lines:?}");
        assert!(
            lines[1]
                .ends_with(&format!("; reading goes on at the next gzip member, byte {}", second + records[1].len())),
            "{lines:?}"
        );
        assert_eq!(lines[2], "ok https://a.example/3 Some(\"2024-05-06\")");
    }

    #[test]
    fn a_truncated_archive_ends_with_one_error() {
        let records: Vec<Vec<u8>> = ["1", "2"]
            .iter()
            .map(|n| response(&format!("https://a.example/{n}"), "200 OK", "text/html", page("").as_bytes()))
            .collect();
        let gz: Vec<u8> = records.iter().flat_map(|r| gzip(r)).collect();
        let (read_back, _) = read(&gz[..gz.len() - 20], "cut.warc.gz");
        let lines = summary(&read_back);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0], "ok https://a.example/1 Some(\"2024-05-06\")");
        let second = gzip(&records[0]).len();
        assert_eq!(
            lines[1],
            format!(
                "err gzip member at byte {second} Some(\"https://a.example/2\"): truncated: the file ends inside this \
                 gzip member; no gzip member follows"
            )
        );

        let plain = records.concat();
        let (read_back, _) = read(&plain[..plain.len() - 100], "cut.warc");
        let lines = summary(&read_back);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[1].starts_with(&format!("err record at byte {} ", records[0].len())), "{lines:?}");
        assert!(lines[1].ends_with("Some(\"https://a.example/2\"): truncated: the file ends inside the record; the rest of the file is skipped"), "{lines:?}");
    }

    #[test]
    fn files_that_are_not_warc_are_refused_at_once() {
        let (records, _) = read(b"<html>not an archive</html>", "page.warc");
        assert_eq!(
            records[0].as_ref().unwrap_err().reason,
            "not a WARC file: it starts with neither \"WARC/\" nor a gzip header"
        );
        let (records, _) = read(b"", "empty.warc.gz");
        assert_eq!(records[0].as_ref().unwrap_err().reason, "empty file: no WARC records");
        let (records, _) = read(&gzip(b"just some text\n"), "text.warc.gz");
        assert_eq!(records.len(), 1);
        let reason = &records[0].as_ref().unwrap_err().reason;
        assert!(reason.starts_with("broken gzip member: not a WARC record header: \"just some text\""), "{reason}");
    }

    #[test]
    fn a_wrong_content_length_ends_a_plain_archive() {
        let mut bad = response("https://a.example/1", "200 OK", "text/html", page("").as_bytes());
        let at = bad.windows(16).position(|w| w == b"Content-Length: ").unwrap() + 16;
        bad[at] = b'1'; // a longer length: the blank line is not where it should be
        let (records, _) = read(
            &[bad, response("https://a.example/2", "200 OK", "text/html", page("").as_bytes())].concat(),
            "bad.warc",
        );
        assert_eq!(records.len(), 1, "{:?}", summary(&records));
    }
}
