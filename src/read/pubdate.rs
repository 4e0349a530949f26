//! The publication date of a web page, from its metadata, in order of trust:
//!
//! 1. `<meta property="article:published_time">` (Open Graph; also as `name=`);
//! 2. `datePublished` in JSON-LD (`<script type="application/ld+json">`), an
//!    article's first (`NewsArticle`, `BlogPosting`...), else any object's;
//! 3. `<time datetime>`: the first inside `<article>`, else the first on the page.
//!
//! Each gives the date as written, `YYYY-MM-DD` or an ISO 8601 date-time of
//! which the date is kept (no time-zone conversion, as for JSON Lines input);
//! a value that does not start with a date is passed over for the next source.

use chrono::NaiveDate;
use dom_query::Document;
use serde_json::Value;

/// The page's publication date, when its metadata gives one.
pub fn published(page: &Document) -> Option<NaiveDate> {
    open_graph(page).or_else(|| json_ld(page)).or_else(|| time_element(page))
}

fn open_graph(page: &Document) -> Option<NaiveDate> {
    page.select(r#"meta[property="article:published_time"], meta[name="article:published_time"]"#)
        .iter()
        .find_map(|meta| meta.attr("content").and_then(|c| date_of(&c)))
}

fn json_ld(page: &Document) -> Option<NaiveDate> {
    let mut any = None;
    for script in page.select(r#"script[type="application/ld+json"]"#).iter() {
        let Ok(value) = serde_json::from_str::<Value>(script.text().trim()) else { continue };
        let mut found = Vec::new();
        collect_date_published(&value, &mut found);
        if let Some(date) = found.iter().find(|(article, _)| *article).map(|(_, d)| *d) {
            return Some(date);
        }
        any = any.or(found.first().map(|(_, d)| *d));
    }
    any
}

/// Every object's `datePublished` in `value` (lists and `@graph` included), in
/// document order, with whether the object is an article.
fn collect_date_published(value: &Value, found: &mut Vec<(bool, NaiveDate)>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| collect_date_published(item, found)),
        Value::Object(fields) => {
            if let Some(date) = fields.get("datePublished").and_then(Value::as_str).and_then(date_of) {
                found.push((fields.get("@type").is_some_and(is_article_type), date));
            }
            if let Some(graph) = fields.get("@graph") {
                collect_date_published(graph, found);
            }
        }
        _ => {}
    }
}

/// `NewsArticle`, `ReportageNewsArticle`, `BlogPosting`... (or a list holding one).
fn is_article_type(kind: &Value) -> bool {
    match kind {
        Value::String(s) => s.ends_with("Article") || s == "BlogPosting" || s == "Report",
        Value::Array(kinds) => kinds.iter().any(is_article_type),
        _ => false,
    }
}

fn time_element(page: &Document) -> Option<NaiveDate> {
    let first =
        |selector: &str| page.select(selector).iter().find_map(|t| t.attr("datetime").and_then(|d| date_of(&d)));
    first("article time[datetime]").or_else(|| first("time[datetime]"))
}

/// The date at the start of `value`: `2024-03-05`, `2024-03-05T10:00:00Z`...
fn date_of(value: &str) -> Option<NaiveDate> {
    let value = value.trim();
    let date = value.get(..10)?;
    let rest = &value[10..];
    if !(rest.is_empty() || rest.starts_with(['T', 't', ' '])) {
        return None;
    }
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(html: &str) -> Option<String> {
        published(&Document::from(html)).map(|d| d.to_string())
    }

    const OG: &str = r#"<meta property="article:published_time" content="2024-03-05T23:30:00-05:00">"#;
    const LD: &str = r#"<script type="application/ld+json">{"@context": "https://schema.org",
        "@graph": [{"@type": "WebPage", "datePublished": "2024-01-01"},
                   {"@type": ["NewsArticle"], "datePublished": "2024-02-02T08:00:00Z"}]}</script>"#;
    const TIME: &str = r#"<aside><time datetime="2026-11-29">yesterday</time></aside>
        <article><time datetime="2024-04-04T10:00">4 April</time></article>"#;

    #[test]
    fn open_graph_then_json_ld_then_time() {
        let page = |head: &str, body: &str| format!("<html><head>{head}</head><body>{body}</body></html>");
        assert_eq!(date(&page(&format!("{LD}{OG}"), TIME)).as_deref(), Some("2024-03-05"));
        assert_eq!(date(&page(LD, TIME)).as_deref(), Some("2024-02-02"));
        assert_eq!(date(&page("", TIME)).as_deref(), Some("2024-04-04"));
        assert_eq!(date(&page("", r#"<p><time datetime="2024-05-05">May</time></p>"#)).as_deref(), Some("2024-05-05"));
        assert_eq!(date(&page("", "<p>No date.</p>")), None);
    }

    #[test]
    fn json_ld_without_an_article_gives_any_date_published() {
        let ld = r#"<script type="application/ld+json">[{"@type": "WebPage", "datePublished": "2024-01-01"}]</script>"#;
        assert_eq!(date(ld).as_deref(), Some("2024-01-01"));
    }

    #[test]
    fn values_that_are_not_dates_pass_to_the_next_source() {
        let bad_og = r#"<meta property="article:published_time" content="Tuesday">"#;
        let broken_ld = r#"<script type="application/ld+json">{"datePublished": "2024-01-01",</script>"#;
        let html = format!("{bad_og}{broken_ld}<time datetime='2024-06-06'>June</time>");
        assert_eq!(date(&html).as_deref(), Some("2024-06-06"));
        assert_eq!(date_of("2024-13-01"), None);
        assert_eq!(date_of("2024-03-05x"), None);
        assert_eq!(date_of(" 2024-03-05 10:00 "), NaiveDate::from_ymd_opt(2024, 3, 5));
    }
}
