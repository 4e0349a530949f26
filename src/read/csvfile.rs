//! A CSV file of articles: a header row naming the columns `id` and `text`
//! (and, optionally, `title` and `date`, the publication date), in any order and
//! case, other columns ignored; one article per row, read with the `csv` crate
//! (RFC 4180 quoting, so texts may hold commas, quotes and line breaks).
//!
//! A bad row (a wrong number of fields, invalid UTF-8, an empty id or text, a
//! bad date) is one skipped document named by its line; a file without the
//! `id` and `text` columns, or an I/O error, is one error for the file.

use std::io::Read;

use crate::doc::Article;

use super::jsonl::parse_date;
use super::textfile::check_content;
use super::{ReadError, Record};

/// Where the article fields are in a row.
struct Columns {
    id: usize,
    text: usize,
    title: Option<usize>,
    date: Option<usize>,
}

/// The articles of the CSV in `input`; `source` names it in errors.
pub fn read_csv<R: Read + 'static>(input: R, source: String) -> Box<dyn Iterator<Item = Record>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(input);
    let whole = |reason: String| -> Box<dyn Iterator<Item = Record>> {
        Box::new(std::iter::once(Err(ReadError { source: source.clone(), line: Some(1), doc_id: None, reason })))
    };
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(e) => return whole(format!("unreadable CSV header: {e} (the file is skipped)")),
    };
    let find = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let (Some(id), Some(text)) = (find("id"), find("text")) else {
        let found: Vec<&str> = headers.iter().collect();
        return whole(format!(
            "no \"id\" and \"text\" columns: a CSV of articles has a header row naming the columns id and text \
             (title and date optional), this one has {found:?} (the file is skipped)"
        ));
    };
    let columns = Columns { id, text, title: find("title"), date: find("date") };
    let mut done = false;
    let mut row = csv::StringRecord::new();
    Box::new(std::iter::from_fn(move || {
        if done {
            return None;
        }
        let error = |line: u64, doc_id: Option<String>, reason: String| ReadError {
            source: source.clone(),
            line: Some(line as usize),
            doc_id,
            reason,
        };
        match reader.read_record(&mut row) {
            Ok(false) => {
                done = true;
                None
            }
            Ok(true) => {
                let line = row.position().map_or(0, |p| p.line());
                Some(article(&row, &columns).map_err(|(id, reason)| error(line, id, reason)))
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                if e.is_io_error() {
                    done = true;
                    return Some(Err(error(line, None, format!("read error: {e} (the rest of the file is skipped)"))));
                }
                Some(Err(error(line, None, format!("malformed CSV row: {e}"))))
            }
        }
    }))
}

/// The article in one row, or why it is not one (with the id when known).
fn article(row: &csv::StringRecord, columns: &Columns) -> Result<Article, (Option<String>, String)> {
    let field = |i: usize| row.get(i).unwrap_or_default();
    let id = field(columns.id).trim().to_string();
    if id.is_empty() {
        return Err((None, "empty \"id\"".to_string()));
    }
    let fail = |reason: String| (Some(id.clone()), reason);
    let text = field(columns.text).to_string();
    check_content(&text).map_err(fail)?;
    let published = match columns.date.map(field).map(str::trim) {
        Some(date) if !date.is_empty() => Some(parse_date(date).map_err(fail)?),
        _ => None,
    };
    let title = columns.title.map(field).filter(|t| !t.trim().is_empty()).map(str::to_string);
    Ok(Article { id, title, text, published })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(data: &'static str) -> Vec<Record> {
        read_csv(data.as_bytes(), "a.csv".into()).collect()
    }

    #[test]
    fn reads_rows_with_quoted_texts_in_any_column_order() {
        let records = read(concat!(
            "Title,ID,Text,source,date\n",
            "\"T, one\",a1,\"LockBit hacked Boeing, it said.\nMore \"\"news\"\".\",x,2023-05-01\n",
            ",a2,Clop hacked Toyota.,y,\n",
        ));
        let a1 = records[0].as_ref().unwrap();
        assert_eq!((a1.id.as_str(), a1.title.as_deref()), ("a1", Some("T, one")));
        assert_eq!(a1.text, "LockBit hacked Boeing, it said.\nMore \"news\".");
        assert_eq!(a1.published.unwrap().to_string(), "2023-05-01");
        let a2 = records[1].as_ref().unwrap();
        assert_eq!((a2.id.as_str(), a2.title.as_deref(), a2.published), ("a2", None, None));
        assert_eq!(records.len(), 2);
    }

    #[test]
    fn bad_rows_are_named_by_line_and_reading_goes_on() {
        let records = read("id,text,date\na,ok,\nb,,\nc,x,May 1\nd,two,fields,extra\n,x,\ne,fine,\n");
        let errors: Vec<String> = records.iter().filter_map(|r| r.as_ref().err()).map(|e| e.to_string()).collect();
        assert_eq!(errors[0], "a.csv:3 (b): empty text");
        assert!(errors[1].starts_with("a.csv:4 (c): bad \"date\""), "{errors:?}");
        assert!(errors[2].starts_with("a.csv:5: malformed CSV row"), "{errors:?}");
        assert_eq!(errors[3], "a.csv:6: empty \"id\"");
        assert_eq!(records.last().unwrap().as_ref().unwrap().id, "e");
    }

    #[test]
    fn a_file_without_the_columns_is_one_error() {
        let records = read("name,body\na,b\n");
        assert_eq!(records.len(), 1);
        assert!(records[0].as_ref().unwrap_err().reason.starts_with("no \"id\" and \"text\" columns"));
    }
}
