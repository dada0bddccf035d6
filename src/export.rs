//! Downloads of many records, shared by the register's open data and the
//! back office's export: CSV (RFC 4180, UTF-8, CRLF, a header row) or
//! NDJSON (one JSON record a line, verbatim), chosen by `format=` or
//! `Accept`. A download is first written whole to a temporary file (a
//! [`Spool`]) inside one read-only snapshot, at the database's pace, and
//! only then streamed from the file at the reader's: no connection or
//! transaction waits for a reader, memory stays constant whatever the size,
//! and a reader that takes nothing for [`Stall`] is given up on (the file
//! closed, the connection cut rather than ended as if complete).
//!
//! CSV cells that a spreadsheet would take for a formula (starting with
//! `=`, `+`, `-`, `@`, a tab or a carriage return) get a leading `'`.

use std::borrow::Cow;

use actix_web::HttpResponse;
use actix_web::http::header;
use actix_web::web::Bytes;
use chrono::NaiveDate;
use futures_util::Stream;
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};

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

/// How long a download's reader may take nothing before it is given up
/// on (`MELDEPLIKT_EXPORT_STALL_S`).
#[derive(Debug, Clone, Copy)]
pub struct Stall(pub std::time::Duration);

/// Bytes read from the spool and handed to the reader at a time.
const CHUNK: usize = 64 * 1024;

/// A download written out before it is sent: an anonymous temporary file
/// (gone when the last handle closes).
pub struct Spool {
    file: tokio::fs::File,
}

/// Whether a streamed download reached its reader's end whole.
pub type Delivered = oneshot::Receiver<bool>;

impl Spool {
    pub fn new() -> std::io::Result<Self> {
        Ok(Self {
            file: tokio::fs::File::from_std(tempfile::tempfile()?),
        })
    }

    /// Appends encoded records.
    pub async fn push(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.file.write_all(bytes).await
    }

    /// The body: `head`, then what was spooled, chunk by chunk as the
    /// reader takes it. A reader that takes nothing for `stall` is given
    /// up on: the file is closed and the body ends in an error, which cuts
    /// the connection, so that a cut download never looks whole. The
    /// receiver says whether all of it was handed over.
    pub fn stream(
        mut self,
        head: Vec<u8>,
        stall: Stall,
    ) -> (
        impl Stream<Item = Result<Bytes, std::io::Error>> + 'static,
        Delivered,
    ) {
        let (tx, rx) = mpsc::channel::<Bytes>(BUFFERED);
        let (done_tx, done_rx) = oneshot::channel();
        let given_up = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = given_up.clone();
        tokio::spawn(async move {
            let whole = async {
                tx.send_timeout(Bytes::from(head), stall.0).await.ok()?;
                self.file.flush().await.ok()?;
                self.file.rewind().await.ok()?;
                loop {
                    let mut chunk = vec![0; CHUNK];
                    let n = self.file.read(&mut chunk).await.ok()?;
                    if n == 0 {
                        return Some(());
                    }
                    chunk.truncate(n);
                    tx.send_timeout(Bytes::from(chunk), stall.0).await.ok()?;
                }
            }
            .await
            .is_some();
            if !whole {
                flag.store(true, std::sync::atomic::Ordering::SeqCst);
            }
            let _ = done_tx.send(whole);
        });
        let body = futures_util::stream::unfold(Some(rx), move |rx| {
            let given_up = given_up.clone();
            async move {
                let mut rx = rx?;
                match rx.recv().await {
                    Some(bytes) => Some((Ok(bytes), Some(rx))),
                    None if given_up.load(std::sync::atomic::Ordering::SeqCst) => Some((
                        Err(std::io::Error::other("the download was given up on")),
                        None,
                    )),
                    None => None,
                }
            }
        });
        (body, done_rx)
    }
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
