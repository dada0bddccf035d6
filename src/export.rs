//! Downloads of many records, shared by the register's open data and the
//! back office's export: CSV (RFC 4180, UTF-8, CRLF, a header row) or
//! NDJSON (one JSON record a line, verbatim), chosen by `format=` or
//! `Accept`, and streamed: a producer task hands encoded pages over a small
//! channel, so memory stays constant whatever the size, and a client that
//! goes away ends the producer.
//!
//! CSV cells that a spreadsheet would take for a formula (starting with
//! `=`, `+`, `-`, `@`, a tab or a carriage return) get a leading `'`.

use std::borrow::Cow;

use actix_web::HttpResponse;
use actix_web::http::header;
use actix_web::web::Bytes;
use chrono::NaiveDate;
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use tokio::sync::mpsc;

use crate::error::{ApiError, Say};

/// Encoded pages waiting for the client, at most.
const BUFFERED: usize = 4;

/// A download's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Ndjson,
}

impl Format {
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Ndjson => "application/x-ndjson",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Ndjson => "ndjson",
        }
    }

    /// From `format=`, else the first of `Accept` that is offered, else
    /// CSV (an `Accept` that names neither is disregarded, RFC 9110 §12.1).
    pub fn chosen(format: Option<&str>, accept: Option<&str>) -> Result<Self, ApiError> {
        match format {
            Some("csv") => return Ok(Self::Csv),
            Some("ndjson") => return Ok(Self::Ndjson),
            Some(_) => {
                return Err(ApiError::bad_field(
                    "format",
                    "unknown_code",
                    Say::new("unsupported_format"),
                ));
            }
            None => {}
        }
        for range in accept.unwrap_or_default().split(',') {
            let media = range
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            match media.as_str() {
                "text/csv" => return Ok(Self::Csv),
                "application/x-ndjson" | "application/ndjson" => return Ok(Self::Ndjson),
                _ => {}
            }
        }
        Ok(Self::Csv)
    }
}

/// A record of a download: itself as JSON, and its CSV row.
pub trait Record: Serialize {
    /// The CSV header, in order.
    const COLUMNS: &'static [&'static str];
    /// The cells of its row, as many as [`Self::COLUMNS`].
    fn cells(&self) -> Vec<String>;
}

/// A cell as a spreadsheet will not run it.
pub fn neutralised(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Records in the format; the CSV header before them when `header`.
pub fn encode<R: Record>(records: &[R], format: Format, header: bool) -> std::io::Result<Vec<u8>> {
    match format {
        Format::Ndjson => {
            let mut out = Vec::new();
            for r in records {
                serde_json::to_writer(&mut out, r)?;
                out.push(b'\n');
            }
            Ok(out)
        }
        Format::Csv => {
            let mut w = csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(Vec::new());
            if header {
                w.write_record(R::COLUMNS)?;
            }
            for r in records {
                w.write_record(r.cells().iter().map(|c| neutralised(c).into_owned()))?;
            }
            w.into_inner().map_err(|e| e.into_error())
        }
    }
}

/// Where a producer sends its encoded pages; `send` fails once the client
/// has gone.
pub type Pages = mpsc::Sender<Result<Bytes, std::io::Error>>;

/// A channel of pages and the body that streams them after `head`.
pub fn channel(
    head: Vec<u8>,
) -> (
    Pages,
    impl Stream<Item = Result<Bytes, std::io::Error>> + 'static,
) {
    let (tx, mut rx) = mpsc::channel(BUFFERED);
    let body = futures_util::stream::once(async move { Ok(Bytes::from(head)) })
        .chain(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)));
    (tx, body)
}

/// The head of a download: `stem-YYYY-MM-DD.ext` as its file name, the
/// CSV header row.
pub fn head<R: Record>(format: Format) -> std::io::Result<Vec<u8>> {
    match format {
        Format::Csv => encode::<R>(&[], format, true),
        Format::Ndjson => Ok(Vec::new()),
    }
}

/// A streamed answer of `format`, to be saved as `stem-day.ext`.
pub fn streamed(
    mut response: actix_web::HttpResponseBuilder,
    format: Format,
    stem: &str,
    day: NaiveDate,
    body: impl Stream<Item = Result<Bytes, std::io::Error>> + 'static,
) -> HttpResponse {
    response
        .content_type(format.media_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{stem}-{day}.{}\"",
                format.extension()
            ),
        ))
        .streaming(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_others_kept() {
        for cell in ["=1+1", "+47", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralised(cell), format!("'{cell}"));
        }
        for cell in ["Fjordvik kommune", "", "'quoted", "1-2"] {
            assert_eq!(neutralised(cell), cell);
        }
    }

    #[test]
    fn the_format_is_chosen_by_parameter_then_accept() {
        assert_eq!(
            Format::chosen(Some("ndjson"), Some("text/csv")).unwrap(),
            Format::Ndjson
        );
        assert_eq!(Format::chosen(None, None).unwrap(), Format::Csv);
        assert_eq!(
            Format::chosen(None, Some("application/x-ndjson;q=1, text/csv;q=0.5")).unwrap(),
            Format::Ndjson
        );
        assert_eq!(Format::chosen(None, Some("*/*")).unwrap(), Format::Csv);
        assert_eq!(
            Format::chosen(None, Some("application/pdf")).unwrap(),
            Format::Csv
        );
        assert!(Format::chosen(Some("xml"), None).is_err());
    }
}
