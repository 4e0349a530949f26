//! One article from an HTML page: its main text, without navigation, ads,
//! scripts, related-links lists, cookie banners and other boilerplate (found
//! by `rs-trafilatura`, a port of trafilatura), its title, and its publication
//! date from the page's metadata (see `pubdate.rs`).
//!
//! The text is the extracted text, paragraphs separated by blank lines; every
//! offset the tool reports for the page refers to it (`cyberie text` prints
//! it). A page is decoded as `charset.rs` says. Refused, with the reason: a
//! page that cannot be decoded without guessing, and one with no article text
//! (fewer than [`MIN_WORDS`] words outside the boilerplate: an index page, a
//! page built by scripts, an error page).

use std::fs::File;
use std::io::Read;
use std::path::Path;

use chrono::NaiveDate;
use dom_query::Document;

use crate::doc::Article;

use super::charset::decode_page;
use super::pubdate::published;
use super::textfile::{check_content, too_large};
use super::{decoded, ReadError, Record, MAX_DOCUMENT_BYTES};

/// The fewest words of main text a page must have to be an article.
pub const MIN_WORDS: usize = 10;

/// Reads one HTML page as document `id`, decompressing it when `gzip`.
pub fn read_html_file(path: &Path, id: String, gzip: bool) -> Record {
    let source = path.display().to_string();
    let fail = |reason: String| ReadError { source: source.clone(), line: None, doc_id: Some(id.clone()), reason };
    let file = File::open(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    // Bounded even for what is not a regular file (a pipe) or a gzip bomb.
    let mut bytes = Vec::new();
    decoded(file, gzip)
        .take(MAX_DOCUMENT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(format!("cannot read: {e}")))?;
    if bytes.len() > MAX_DOCUMENT_BYTES {
        let size = match std::fs::metadata(path) {
            Ok(meta) if !gzip && meta.is_file() => meta.len(),
            _ => bytes.len() as u64,
        };
        return Err(fail(too_large(size)));
    }
    let page = decode_page(&bytes, None).map_err(&fail)?;
    article_from_page(id.clone(), &page, None).map_err(fail)
}

/// The article in the decoded `page`, as document `id`; `fallback_date` is
/// its publication date when the page's metadata gives none.
pub fn article_from_page(id: String, page: &str, fallback_date: Option<NaiveDate>) -> Result<Article, String> {
    // A panic of the extractor on some odd page skips that page, not the run.
    let (title, text, published) = std::panic::catch_unwind(|| extract(page))
        .map_err(|_| "the HTML extractor failed on this page (a panic in rs-trafilatura)".to_string())??;
    Ok(Article { id, title, text, published: published.or(fallback_date) })
}

/// The title, main text and publication date of `page`.
fn extract(page: &str) -> Result<(Option<String>, String, Option<NaiveDate>), String> {
    // Without the fallback extractors: on short pages they joined paragraphs
    // without a break ("Monday.Acme said"), and on pages without an article
    // they returned the title or the navigation; the main extraction alone
    // gave the same text on every test page that has an article.
    let options = rs_trafilatura::Options { use_fallback_extraction: false, ..rs_trafilatura::Options::default() };
    let extracted =
        rs_trafilatura::extract_with_options(page, &options).map_err(|e| format!("no article text found ({e})"))?;
    let text = extracted.content_text.trim().to_string();
    let words = text.split_whitespace().count();
    if words < MIN_WORDS {
        return Err(format!(
            "no article text found: {words} words outside navigation and boilerplate (an index, error or \
             script-built page?)"
        ));
    }
    check_content(&text)?;
    let title = extracted.metadata.title.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    Ok((title, text, published(&Document::from(page))))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "<p>Hackers linked to the Lazarus Group stole $41 million from the Stake casino, the FBI said \
        on Wednesday. The agency said the thieves moved the money through several exchanges.</p>\
        <p>Stake said customers' funds were safe and that it had reimbursed its hot wallets within hours.</p>";

    fn page(head: &str, article: &str) -> String {
        format!(
            "<!DOCTYPE html><html><head><title>FBI blames Lazarus for Stake theft | Wire</title>{head}</head><body>\
             <div class='cookie-banner'><p>We use cookies to improve your experience. Accept all?</p></div>\
             <nav><ul><li><a href='/'>Home</a></li><li><a href='/security'>Security</a></li></ul></nav>\
             <main><article><h1>FBI blames Lazarus for Stake theft</h1>{article}</article>\
             <section class='related'><h2>More stories</h2><ul><li><a href='/x'>Ransomware gang hits Acme \
             Corp</a></li><li><a href='/y'>APT28 targets Bundestag</a></li></ul></section></main>\
             <footer><p>Copyright 2023 Wire Ltd. All rights reserved.</p></footer></body></html>"
        )
    }

    #[test]
    fn takes_the_main_text_title_and_date() {
        let head = r#"<meta property="article:published_time" content="2023-09-07T18:00:00Z">"#;
        let article = article_from_page("a".into(), &page(head, STORY), None).unwrap();
        assert_eq!(
            article.text,
            "Hackers linked to the Lazarus Group stole $41 million from the Stake casino, the FBI said on \
             Wednesday. The agency said the thieves moved the money through several exchanges.\n\nStake said \
             customers' funds were safe and that it had reimbursed its hot wallets within hours."
        );
        assert_eq!(article.title.as_deref(), Some("FBI blames Lazarus for Stake theft"));
        assert_eq!(article.published, NaiveDate::from_ymd_opt(2023, 9, 7));
    }

    #[test]
    fn the_fallback_date_serves_only_when_the_page_has_none() {
        let fallback = NaiveDate::from_ymd_opt(2026, 1, 2);
        assert_eq!(article_from_page("a".into(), &page("", STORY), fallback).unwrap().published, fallback);
        let head = r#"<meta property="article:published_time" content="2023-09-07">"#;
        let dated = article_from_page("a".into(), &page(head, STORY), fallback).unwrap();
        assert_eq!(dated.published, NaiveDate::from_ymd_opt(2023, 9, 7));
    }

    #[test]
    fn a_page_without_an_article_is_refused() {
        let page = "<html><head><title>Live</title><script>app()</script></head><body><nav><a href='/'>Home</a> \
                    <a href='/live'>Live</a></nav><div id='app'></div></body></html>";
        let err = article_from_page("a".into(), page, None).unwrap_err();
        assert!(err.starts_with("no article text found"), "{err}");
    }

    #[test]
    fn reads_files_and_names_them_in_errors() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.html");
        std::fs::write(&good, page("", STORY)).unwrap();
        assert!(read_html_file(&good, "good".into(), false).unwrap().text.starts_with("Hackers linked"));
        let gzipped = dir.path().join("good.html.gz");
        let mut gz = flate2::write::GzEncoder::new(File::create(&gzipped).unwrap(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, page("", STORY).as_bytes()).unwrap();
        gz.finish().unwrap();
        assert!(read_html_file(&gzipped, "good".into(), true).unwrap().text.starts_with("Hackers linked"));
        let latin1 = dir.path().join("latin1.htm");
        std::fs::write(&latin1, [page("", "").as_bytes(), b"<p>Caf\xe9</p>"].concat()).unwrap();
        let err = read_html_file(&latin1, "latin1".into(), false).unwrap_err();
        assert_eq!((err.source.as_str(), err.doc_id.as_deref()), (latin1.to_str().unwrap(), Some("latin1")));
        assert!(err.reason.starts_with("unknown encoding: not UTF-8"), "{}", err.reason);
    }
}
