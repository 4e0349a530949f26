//! The HTTP response a WARC `response` record holds: its status, whether it
//! is an HTML page and in which charset, and its body as the server meant it
//! (de-chunked and decompressed when the archive kept the transfer as it was).
//!
//! Headers are parsed with `httparse`, leniently as archived responses need
//! (obsolete line folding, spaces before the colon, invalid header lines
//! skipped). A body sent `Transfer-Encoding: chunked` is joined (a last chunk
//! cut short by the archive's truncation is kept as far as it goes);
//! `Content-Encoding` gzip and deflate are undone (a body that does not start
//! as the header says was already decoded by the crawler and is kept as it
//! is); other encodings (br, zstd) are refused.

use std::io::Read;

use flate2::read::{DeflateDecoder, GzDecoder, ZlibDecoder};
use httparse::{ParserConfig, Status};

use super::textfile::too_large;
use super::MAX_DOCUMENT_BYTES;

/// The longest HTTP header block read.
pub const MAX_HEAD_BYTES: usize = 64 << 10;

/// The head of an HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The status code (200, 404...).
    pub status: u16,
    /// The media type of `Content-Type`, lowercased, without parameters.
    pub media_type: Option<String>,
    /// The `charset` parameter of `Content-Type`.
    pub charset: Option<String>,
    /// Bytes of the status line and headers, the blank line included.
    pub len: usize,
    chunked: bool,
    content_encoding: Option<String>,
}

/// Parses the head of the response in `bytes`: `Ok(None)` when `bytes` ends
/// before the blank line that closes it.
pub fn parse_head(bytes: &[u8]) -> Result<Option<Head>, String> {
    let mut headers = [httparse::EMPTY_HEADER; 256];
    let mut response = httparse::Response::new(&mut headers);
    let status = ParserConfig::default()
        .allow_obsolete_multiline_headers_in_responses(true)
        .allow_spaces_after_header_name_in_responses(true)
        .ignore_invalid_headers_in_responses(true)
        .parse_response(&mut response, bytes)
        .map_err(|e| format!("malformed HTTP response: {e}"))?;
    let Status::Complete(len) = status else { return Ok(None) };
    let header = |name: &str| {
        response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_string())
    };
    let content_type = header("content-type");
    let media_type = content_type.as_deref().map(|t| t.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    let charset = content_type.as_deref().and_then(charset_parameter);
    let chunked = header("transfer-encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
    let content_encoding = header("content-encoding")
        .map(|e| e.to_ascii_lowercase())
        .filter(|e| !e.is_empty() && e != "identity" && e != "none");
    Ok(Some(Head { status: response.code.unwrap_or(0), media_type, charset, len, chunked, content_encoding }))
}

/// The `charset` parameter of a `Content-Type` value, unquoted.
fn charset_parameter(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        let value = value.trim().trim_matches(['"', '\'']).trim();
        (name.trim().eq_ignore_ascii_case("charset") && !value.is_empty()).then(|| value.to_string())
    })
}

impl Head {
    /// True when the response is an HTML page: `text/html` or
    /// `application/xhtml+xml`, or, without a `Content-Type`, a body that
    /// starts like one (`body_start`: its first bytes).
    pub fn is_html(&self, body_start: &[u8]) -> bool {
        match self.media_type.as_deref() {
            Some(media) => media == "text/html" || media == "application/xhtml+xml",
            None => {
                let start = body_start.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body_start);
                let start = &start[start.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(start.len())..];
                let starts = |tag: &[u8]| start.len() >= tag.len() && start[..tag.len()].eq_ignore_ascii_case(tag);
                starts(b"<!doctype html") || starts(b"<html")
            }
        }
    }

    /// The body as the server meant it, from the `raw` bytes after the head.
    pub fn body(&self, raw: Vec<u8>) -> Result<Vec<u8>, String> {
        let body = if self.chunked { dechunk(&raw)? } else { raw };
        match self.content_encoding.as_deref() {
            None => Ok(body),
            Some("gzip" | "x-gzip") if body.starts_with(&[0x1f, 0x8b]) => inflate(GzDecoder::new(&body[..]), "gzip"),
            Some("deflate") if body.first() == Some(&0x78) => inflate(ZlibDecoder::new(&body[..]), "deflate"),
            Some("deflate") if !looks_decoded(&body) => inflate(DeflateDecoder::new(&body[..]), "deflate"),
            Some("gzip" | "x-gzip" | "deflate") => Ok(body),
            Some(other) => Err(format!("unsupported Content-Encoding {other:?} (gzip and deflate are read)")),
        }
    }
}

/// True when `body` starts like markup, that is, it was decoded already.
fn looks_decoded(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|&b| b == b'<')
}

fn inflate(decoder: impl Read, name: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    decoder
        .take(MAX_DOCUMENT_BYTES as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("broken {name} Content-Encoding: {e}"))?;
    if out.len() > MAX_DOCUMENT_BYTES {
        return Err(too_large(out.len() as u64));
    }
    Ok(out)
}

/// Joins the chunks of a chunked body.
fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(data.len());
    loop {
        match httparse::parse_chunk_size(data) {
            Ok(Status::Complete((used, 0))) if used > 0 => return Ok(out),
            Ok(Status::Complete((used, size))) => {
                data = &data[used..];
                let size = usize::try_from(size).unwrap_or(usize::MAX).min(data.len());
                out.extend_from_slice(&data[..size]);
                data = &data[size..];
                if data.is_empty() {
                    return Ok(out); // cut short by the archive: keep what there is
                }
                data = data.strip_prefix(b"\r\n").or_else(|| data.strip_prefix(b"\n")).ok_or_else(|| {
                    "malformed chunked body: no line end after a chunk (Transfer-Encoding: chunked)".to_string()
                })?;
            }
            Ok(Status::Partial) if !out.is_empty() => return Ok(out),
            Ok(Status::Partial) | Err(_) => {
                return Err("malformed chunked body: bad chunk size (Transfer-Encoding: chunked)".to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn head(text: &str) -> Head {
        parse_head(text.as_bytes()).unwrap().unwrap()
    }

    #[test]
    fn reads_status_type_and_charset() {
        let h = head("HTTP/1.1 200 OK\r\nContent-Type: text/HTML; Charset=\"ISO-8859-1\"\r\nServer: x\r\n\r\n<html>");
        assert_eq!(
            (h.status, h.media_type.as_deref(), h.charset.as_deref()),
            (200, Some("text/html"), Some("ISO-8859-1"))
        );
        assert_eq!(
            h.len,
            "HTTP/1.1 200 OK\r\nContent-Type: text/HTML; Charset=\"ISO-8859-1\"\r\nServer: x\r\n\r\n".len()
        );
        assert!(h.is_html(b""));
        let h = head("HTTP/1.0 404 Not Found\r\nContent-Type: application/json\r\n\r\n");
        assert_eq!((h.status, h.is_html(b"<html>")), (404, false));
        assert_eq!(parse_head(b"HTTP/1.1 200 OK\r\nContent-Ty").unwrap(), None);
        assert!(parse_head(b"GARBAGE\r\n\r\n").unwrap_err().starts_with("malformed HTTP response"));
    }

    #[test]
    fn archived_oddities_are_tolerated() {
        let h = head("HTTP/1.1 200 OK\r\nContent-Type : text/html\r\nX-Bad\u{1}: y\r\nX-Folded: a\r\n b\r\n\r\n");
        assert_eq!(h.media_type.as_deref(), Some("text/html"));
        let untyped = head("HTTP/1.1 200\r\n\r\n");
        assert!(untyped.is_html(b"\xef\xbb\xbf\n  <!DOCTYPE HTML><html>") && untyped.is_html(b"<html lang=en>"));
        assert!(!untyped.is_html(b"{\"a\": 1}") && !untyped.is_html(b""));
    }

    #[test]
    fn bodies_are_dechunked_and_decompressed() {
        let chunked = head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        assert_eq!(chunked.body(b"5\r\n<html\r\n2;ext=1\r\n>x\r\n0\r\n\r\n".to_vec()).unwrap(), b"<html>x");
        assert_eq!(chunked.body(b"5\r\n<ht".to_vec()).unwrap(), b"<ht");
        assert!(chunked.body(b"zz\r\n".to_vec()).unwrap_err().starts_with("malformed chunked body"));

        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"<html>gzipped</html>").unwrap();
        let gzipped = head("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n");
        assert_eq!(gzipped.body(gz.finish().unwrap()).unwrap(), b"<html>gzipped</html>");
        assert_eq!(gzipped.body(b"<html>decoded by the crawler".to_vec()).unwrap(), b"<html>decoded by the crawler");
        assert!(gzipped.body(vec![0x1f, 0x8b, 8, 0, 0]).unwrap_err().starts_with("broken gzip Content-Encoding"));

        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(b"<p>zlib</p>").unwrap();
        let deflated = head("HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n\r\n");
        assert_eq!(deflated.body(z.finish().unwrap()).unwrap(), b"<p>zlib</p>");
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        raw.write_all(b"<p>raw deflate</p>").unwrap();
        assert_eq!(deflated.body(raw.finish().unwrap()).unwrap(), b"<p>raw deflate</p>");

        let brotli = head("HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n\r\n");
        assert_eq!(
            brotli.body(vec![1, 2]).unwrap_err(),
            "unsupported Content-Encoding \"br\" (gzip and deflate are read)"
        );
    }
}
