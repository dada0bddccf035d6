//! `GET /v1/events`: the caller's organisation's events after a cursor
//! (regulators: every organisation's), with long polling.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;
use utoipa::{IntoParams, ToSchema};

use super::EventType;
use super::cloud::CloudEvent;
use super::polls::Polls;
use super::store::{self, Page, Position, Wanted};
use super::wake::Wake;
use crate::auth::{Principal, Role, client};
use crate::db::Pool;
use crate::error::{ApiError, Problem, Say};
use crate::query;
use crate::telemetry::Metrics;

/// The longest a poll may wait, in seconds.
pub const MAX_WAIT: i64 = 30;
const MAX_LIMIT: i64 = 500;
const DEFAULT_LIMIT: i64 = 100;

/// What to read.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsParams {
    /// The `next_cursor` of the previous answer; absent: from the oldest
    /// event kept.
    #[param(pattern = "^([0-9]{1,18}(\\.[0-9]{1,18})?)?$", example = "42")]
    pub after: Option<String>,
    /// Only these types, comma-separated.
    #[param(example = "notification.registered,notification.expired")]
    pub types: Option<String>,
    /// How many events, 1 to 500 (default 100).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// Seconds to wait for an event when there is none yet (0 to 30,
    /// default 0): the answer comes as soon as one commits.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 30)]
    pub wait: Option<String>,
    /// Regulators only: the events of the organisation with this number.
    #[param(example = "974761467")]
    pub organisation: Option<String>,
}

/// A page of events and where to resume.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<CloudEvent>,
    /// Pass as `after` next time; always given, also when no event came,
    /// so a poller never loses its place.
    #[schema(pattern = "^[0-9]{1,18}(\\.[0-9]{1,18})?$", example = "42")]
    pub next_cursor: String,
}

/// Whose stream a request reads.
#[derive(Debug, Clone)]
enum Stream {
    Organisation(uuid::Uuid),
    All { organisation: Option<String> },
}

impl Stream {
    fn parse_after(&self, after: Option<&str>) -> Result<Position, ApiError> {
        let bad = || ApiError::bad_field("after", "invalid_cursor", Say::new("invalid_cursor"));
        let number = |v: &str| {
            (!v.is_empty() && v.len() <= 18 && v.bytes().all(|b| b.is_ascii_digit()))
                .then(|| v.parse::<i64>().ok())
                .flatten()
        };
        let Some(after) = after.filter(|a| !a.is_empty()) else {
            return Ok((0, 0));
        };
        match (self, after.split_once('.')) {
            (Self::Organisation(_), None) => number(after).map(|n| (n, 0)).ok_or_else(bad),
            (Self::All { .. }, Some((a, b))) => {
                Ok((number(a).ok_or_else(bad)?, number(b).ok_or_else(bad)?))
            }
            _ => Err(bad()),
        }
    }

    fn cursor(&self, at: Position) -> String {
        match self {
            Self::Organisation(_) => at.0.to_string(),
            Self::All { .. } => format!("{}.{}", at.0, at.1),
        }
    }

    /// Whether an event of `organisation` may be one this stream shows.
    fn concerns(&self, organisation: uuid::Uuid) -> bool {
        match self {
            Self::Organisation(id) => *id == organisation,
            Self::All { .. } => true,
        }
    }

    /// The page after `after`; with `caller`, first checks that the caller
    /// still exists as it did (a poll that waited, before it answers).
    async fn read(
        &self,
        pool: &Pool,
        after: Position,
        wanted: &Wanted,
        caller: Option<&Principal>,
    ) -> Result<Page, ApiError> {
        let mut conn = pool.get().await?;
        if let Some(caller) = caller {
            (*caller).recheck(&conn).await?;
        }
        Ok(match self {
            Self::Organisation(id) => {
                store::organisation_page(&mut conn, *id, after.0, wanted).await?
            }
            Self::All { organisation } => {
                store::all_page(&mut conn, organisation.as_deref(), after, wanted).await?
            }
        })
    }
}

fn types(value: &Option<String>) -> Result<Option<Vec<String>>, ApiError> {
    let Some(list) = query::given("types", value)? else {
        return Ok(None);
    };
    let mut types = Vec::new();
    for code in list.split(',').map(str::trim) {
        let kind = EventType::parse(code).ok_or_else(|| query::unknown("types", code))?;
        if !types.contains(&kind.code().to_owned()) {
            types.push(kind.code().to_owned());
        }
    }
    Ok(Some(types))
}

/// Lists events after a cursor, oldest first: the caller's organisation's,
/// numbered without gaps; for a regulator every organisation's (or one's,
/// with `organisation`), in the order their transactions ended. With
/// `wait`, an empty answer waits up to that many seconds and comes as soon
/// as an event commits of the stream's organisation. A waiting poll holds
/// no database connection; how many may wait at once is capped per
/// organisation and per client address (429 beyond, with `Retry-After`).
/// Events are kept 90 days (configurable).
#[utoipa::path(
    tag = "events",
    operation_id = "list_events",
    security(("bearer" = []), ("maskinporten" = [])),
    params(EventsParams),
    responses(
        (status = 200, description = "Events after the cursor and where to resume", body = EventList,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "A parameter that cannot be read, named", body = Problem,
            content_type = "application/problem+json"),
        (status = 401, description = "No valid access token, or the caller was removed while it waited", body = Problem,
            content_type = "application/problem+json"),
        (status = 429, description = "Too many polls waiting for this organisation or from this address", body = Problem,
            content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "Seconds to wait"))),
    )
)]
#[get("")]
async fn list_events(
    req: HttpRequest,
    principal: Principal,
    params: web::Query<EventsParams>,
    pool: web::Data<Pool>,
    wake: web::Data<Wake>,
    polls: web::Data<Polls>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, ApiError> {
    let stream = if principal.role == Role::Regulator {
        let organisation = query::given("organisation", &params.organisation)?
            .map(|v| v.chars().filter(|c| !c.is_whitespace()).collect());
        Stream::All { organisation }
    } else {
        if params.organisation.is_some() {
            return Err(ApiError::bad_field(
                "organisation",
                "regulators_only",
                Say::new("events_organisation_regulators_only"),
            ));
        }
        Stream::Organisation(principal.organisation()?)
    };
    let after = stream.parse_after(params.after.as_deref())?;
    let wanted = Wanted {
        types: types(&params.types)?,
        limit: query::limit(params.limit.as_deref(), DEFAULT_LIMIT, MAX_LIMIT)?,
    };
    let wait = query::number_in(params.wait.as_deref(), 0, 0..=MAX_WAIT, || {
        ApiError::bad_field(
            "wait",
            "invalid_wait",
            Say::new("invalid_wait").with("max", MAX_WAIT),
        )
    })?;
    let place = (wait > 0)
        .then(|| {
            polls.enter(
                principal.organisation_id,
                principal.id,
                client::address_key(&req),
            )
        })
        .transpose()?;
    let deadline = Instant::now() + Duration::from_secs(wait as u64);
    // Taken before the first read: an event committed after it wakes us.
    let mut events = wake.events();
    let mut waited = false;
    let _waiting = place.as_ref().map(|_| Waiting::new(&metrics));
    let page = loop {
        metrics.event_reads.inc();
        let page = stream
            .read(&pool, after, &wanted, waited.then_some(&principal))
            .await?;
        if !page.events.is_empty() || Instant::now() >= deadline {
            break page;
        }
        waited = true;
        tokio::select! {
            _ = events.woken(|organisation| stream.concerns(organisation)) => {}
            _ = tokio::time::sleep_until(deadline) => {}
        }
    };
    drop(place);
    let full = page.events.len() as i64 == wanted.limit;
    let last = page.events.last().map(|(_, at)| *at);
    let resume = match (full, last, page.high) {
        (true, Some(last), _) => last,
        (false, last, high) => last.max(high).unwrap_or(after).max(after),
        (true, None, _) => after,
    };
    let mut items = Vec::with_capacity(page.events.len());
    for (event, _) in &page.events {
        items.push(CloudEvent::from_stored(event).ok_or_else(|| {
            ApiError::internal(anyhow::anyhow!(
                "event {} holds data events do not hold",
                event.id
            ))
        })?);
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(EventList {
            items,
            next_cursor: stream.cursor(resume),
        }))
}

/// Counts a waiting poll in the gauge while it lives.
struct Waiting(prometheus::IntGauge);

impl Waiting {
    fn new(metrics: &Metrics) -> Self {
        metrics.event_polls_waiting.inc();
        Self(metrics.event_polls_waiting.clone())
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.dec();
    }
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(utoipa_actix_web::scope("/v1/events").service(list_events));
}
