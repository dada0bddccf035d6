//! The search form of the register's page as the browser sends it: every
//! field a text, empty when left alone (a select at "any"); the language
//! the page is asked in; and the links that keep what was asked.

use actix_web::HttpRequest;
use actix_web::http::header;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::{KnownFormat, RefOr};

use super::params::{MAX_LIMIT, SearchParams};
use crate::domain::code_lists::{Law, LegalGround, Purpose, Sector};
use crate::domain::i18n::Lang;

/// The language of a page: `lang` in the query, else `Accept-Language`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangParam {
    /// `nb`, `nn` or `en`: the language of the page, before
    /// `Accept-Language`. Anything else is ignored.
    #[param(example = "nn")]
    pub lang: Option<String>,
}

impl LangParam {
    /// The language `req` asks for.
    pub fn of(req: &HttpRequest) -> Lang {
        serde_urlencoded::from_str::<Self>(req.query_string())
            .ok()
            .and_then(|p| p.lang)
            .and_then(|code| Lang::parse(&code))
            .unwrap_or_else(|| {
                Lang::from_accept_language(
                    req.headers()
                        .get(header::ACCEPT_LANGUAGE)
                        .and_then(|v| v.to_str().ok()),
                )
            })
    }
}

/// The search form, as sent: each field may be empty, which is the same
/// as absent. The same checks as the API's search follow.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormParams {
    /// Words in the controller's, representative's or processors' names,
    /// or an identifier such as an organisation number.
    #[param(example = "fjordvik")]
    pub q: Option<String>,
    #[param(schema_with = law)]
    pub law: Option<String>,
    #[param(schema_with = legal_ground)]
    pub legal_ground: Option<String>,
    #[param(schema_with = sector)]
    pub sector: Option<String>,
    #[param(schema_with = purpose)]
    pub purpose: Option<String>,
    #[param(schema_with = transfers_abroad)]
    pub transfers_abroad: Option<String>,
    #[param(schema_with = registered_from)]
    pub registered_from: Option<String>,
    #[param(schema_with = registered_to)]
    pub registered_to: Option<String>,
    #[param(schema_with = limit)]
    pub limit: Option<String>,
    /// The position after the previous page, from its "next page" link.
    pub cursor: Option<String>,
}

impl FormParams {
    /// The search the form asks for, its empty fields left out.
    pub fn search(&self) -> SearchParams {
        SearchParams {
            q: self.q.clone(),
            identifier: None,
            law: self.law.clone(),
            legal_ground: self.legal_ground.clone(),
            sector: self.sector.clone(),
            purpose: self.purpose.clone(),
            transfers_abroad: self.transfers_abroad.clone(),
            registered_from: self.registered_from.clone(),
            registered_to: self.registered_to.clone(),
            limit: self.limit.clone(),
            cursor: self.cursor.clone(),
        }
        .without_empty()
    }
}

/// One of `values`, or empty.
fn one_of(description: &str, values: impl IntoIterator<Item = &'static str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(std::iter::once("").chain(values)))
        .into()
}

fn empty() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(0))
}

fn law() -> RefOr<Schema> {
    one_of(
        "A law's code; empty is any",
        Law::ALL.iter().map(|v| v.code()),
    )
}

fn legal_ground() -> RefOr<Schema> {
    one_of(
        "A legal ground's code; empty is any",
        LegalGround::ALL.iter().map(|v| v.code()),
    )
}

fn sector() -> RefOr<Schema> {
    one_of(
        "A sector's code; empty is any",
        Sector::ALL.iter().map(|v| v.code()),
    )
}

fn purpose() -> RefOr<Schema> {
    one_of(
        "A purpose's code; empty is any",
        Purpose::ALL.iter().map(|v| v.code()),
    )
}

fn transfers_abroad() -> RefOr<Schema> {
    one_of(
        "`true`: only entries whose data leaves Norway for a country outside the EEA; `false`: only those where none does; empty: both",
        ["true", "false"],
    )
}

fn date(description: &str) -> RefOr<Schema> {
    AnyOfBuilder::new()
        .description(Some(description))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
        )
        .item(empty())
        .into()
}

fn registered_from() -> RefOr<Schema> {
    date("First registered on or after this day (Norwegian time); empty is any")
}

fn registered_to() -> RefOr<Schema> {
    date("First registered on or before this day (Norwegian time); empty is any")
}

fn limit() -> RefOr<Schema> {
    AnyOfBuilder::new()
        .description(Some("How many entries on a page; empty is 20"))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .maximum(Some(MAX_LIMIT)),
        )
        .item(empty())
        .into()
}

/// The query of a request as its pairs, in order, to write links that
/// keep it.
#[derive(Debug, Clone, Default)]
pub struct Kept(Vec<(String, String)>);

impl Kept {
    pub fn of(req: &HttpRequest) -> Self {
        Self(serde_urlencoded::from_str(req.query_string()).unwrap_or_default())
    }

    /// Whether `name` is in the query with a value.
    pub fn has(&self, name: &str) -> bool {
        self.0
            .iter()
            .any(|(n, v)| n == name && !v.trim().is_empty())
    }

    /// `path` with the query kept, `name` set to `value` (in its place, or
    /// last).
    pub fn with(&self, path: &str, name: &str, value: &str) -> String {
        let mut pairs = self.0.clone();
        match pairs.iter().position(|(n, _)| n == name) {
            Some(i) => {
                pairs[i].1 = value.to_owned();
                let mut seen = false;
                pairs.retain(|(n, _)| n != name || !std::mem::replace(&mut seen, true));
            }
            None => pairs.push((name.to_owned(), value.to_owned())),
        }
        link(path, &pairs)
    }

    /// `path` with the query kept but for `dropped` and empty fields, and
    /// `lang` set: the next page, or the first one.
    pub fn paging(&self, path: &str, lang: Lang, dropped: &str, cursor: Option<&str>) -> String {
        let mut pairs: Vec<(String, String)> = self
            .0
            .iter()
            .filter(|(n, v)| n != dropped && n != "lang" && !v.trim().is_empty())
            .cloned()
            .collect();
        pairs.insert(0, ("lang".to_owned(), lang.code().to_owned()));
        if let Some(cursor) = cursor {
            pairs.push(("cursor".to_owned(), cursor.to_owned()));
        }
        link(path, &pairs)
    }
}

fn link(path: &str, pairs: &[(String, String)]) -> String {
    match serde_urlencoded::to_string(pairs) {
        Ok(query) if !query.is_empty() => format!("{path}?{query}"),
        _ => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn links_keep_the_query_and_replace_one_field() {
        let req = TestRequest::get()
            .uri("/register?q=fjord+vik&law=&lang=nb&sector=private&lang=en")
            .to_http_request();
        let kept = Kept::of(&req);
        assert_eq!(
            kept.with("/register", "lang", "nn"),
            "/register?q=fjord+vik&law=&lang=nn&sector=private"
        );
        assert_eq!(
            kept.paging("/register", Lang::En, "cursor", Some("1_2026-000001")),
            "/register?lang=en&q=fjord+vik&sector=private&cursor=1_2026-000001"
        );
        let bare = Kept::of(&TestRequest::get().uri("/register").to_http_request());
        assert_eq!(bare.with("/register", "lang", "en"), "/register?lang=en");
        assert_eq!(
            bare.paging("/register", Lang::Nb, "cursor", None),
            "/register?lang=nb"
        );
    }

    #[test]
    fn the_query_language_wins_over_the_header() {
        let req = TestRequest::get()
            .uri("/register?lang=en")
            .insert_header(("Accept-Language", "nn"))
            .to_http_request();
        assert_eq!(LangParam::of(&req), Lang::En);
        let req = TestRequest::get()
            .uri("/register?lang=xx")
            .insert_header(("Accept-Language", "nn"))
            .to_http_request();
        assert_eq!(LangParam::of(&req), Lang::Nn);
        let req = TestRequest::get().uri("/register").to_http_request();
        assert_eq!(LangParam::of(&req), Lang::Nb);
    }
}
