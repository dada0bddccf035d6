//! The code lists of the form, with labels in the language asked for.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::{AcceptLanguage, cacheable};
use crate::domain::code_lists::{CodeList, LIST_NAMES, code_list};
use crate::domain::i18n::Lang;
use crate::error::{ApiError, Problem};

/// Code lists change with a release: a day of caching.
const DAY: u32 = 86_400;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_code_lists).service(get_code_list);
}

/// One code and its label.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeView {
    #[schema(example = "county_or_municipal")]
    pub code: &'static str,
    #[schema(example = "Fylkeskommunal/kommunal")]
    pub label: &'static str,
    /// Facts about the code: `law` of a legal ground, `eea` of a country,
    /// `description_required`, `sectors` and `research_required` of a purpose.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<&'static str, String>,
}

/// A code list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeListView {
    #[schema(example = "sectors")]
    pub name: &'static str,
    pub language: Lang,
    pub codes: Vec<CodeView>,
}

/// Every code list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeListsView {
    pub language: Lang,
    pub lists: Vec<CodeListView>,
}

fn view(list: CodeList, lang: Lang) -> CodeListView {
    CodeListView {
        name: list.name,
        language: lang,
        codes: list
            .entries
            .into_iter()
            .map(|e| CodeView {
                code: e.code,
                label: e.label.get(lang),
                attributes: e.attributes.into_iter().collect(),
            })
            .collect(),
    }
}

/// Every code list of the form, labels in the language of `Accept-Language`
/// (nb, nn or en; nb by default).
#[utoipa::path(
    tag = "code lists",
    operation_id = "list_code_lists",
    security(()),
    params(("Accept-Language" = Option<String>, Header, description = "nb, nn or en")),
    responses(
        (status = 200, description = "The lists", body = CodeListsView,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
    )
)]
#[get("/v1/code-lists")]
async fn list_code_lists(req: HttpRequest, lang: AcceptLanguage) -> Result<HttpResponse, ApiError> {
    let lists = LIST_NAMES
        .iter()
        .filter_map(|name| code_list(name))
        .map(|list| view(list, lang.0))
        .collect();
    cacheable(
        &req,
        lang.0,
        &CodeListsView {
            language: lang.0,
            lists,
        },
        DAY,
    )
}

/// One code list: `laws`, `legal-grounds`, `registration-kinds`,
/// `sensitive-categories`, `sectors`, `purposes`, `processor-roles`,
/// `transfer-bases`, `research-consent`, `identifier-schemes`, `countries`,
/// `eea` or `languages`.
#[utoipa::path(
    tag = "code lists",
    operation_id = "get_code_list",
    security(()),
    params(
        ("name" = String, Path, description = "The list", example = "purposes"),
        ("Accept-Language" = Option<String>, Header, description = "nb, nn or en"),
    ),
    responses(
        (status = 200, description = "The list", body = CodeListView,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 404, description = "No such list", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/code-lists/{name}")]
async fn get_code_list(
    req: HttpRequest,
    lang: AcceptLanguage,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let list = code_list(&name).ok_or(ApiError::NotFound)?;
    cacheable(&req, lang.0, &view(list, lang.0), DAY)
}
