//! The register described as an open dataset, in DCAT-AP-NO (Turtle), for
//! the national data catalogue (data.norge.no) to harvest: a catalogue
//! with one dataset, its publisher and contact point, and the export's two
//! distributions under NLOD 2.0.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use sha2::{Digest, Sha256};

use super::public::{Allowed, Public};
use crate::api::if_none_match;
use crate::error::{ApiError, Problem};

/// The authority: Datatilsynet, organisation number 974 761 467.
const PUBLISHER: &str = "https://data.brreg.no/enhetsregisteret/api/enheter/974761467";
const LICENCE: &str = "http://data.norge.no/nlod/no/2.0";

/// The catalogue, with every link under `base`.
pub fn turtle(base: &str) -> String {
    format!(
        r#"@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<{base}/v1/register/catalog#catalog>
    a dcat:Catalog ;
    dct:title "Datatilsynets åpne data om meldeplikt"@nb , "The Norwegian Data Protection Authority's open data on notifications"@en ;
    dct:description "Katalog over åpne datasett fra meldetjenesten for behandling av personopplysninger."@nb , "Catalogue of open datasets from the notification service for processing of personal data."@en ;
    dct:publisher <{PUBLISHER}> ;
    dct:language <http://publications.europa.eu/resource/authority/language/NOB> , <http://publications.europa.eu/resource/authority/language/ENG> ;
    foaf:homepage <{base}/register> ;
    dcat:dataset <{base}/v1/register/catalog#register> .

<{base}/v1/register/catalog#register>
    a dcat:Dataset ;
    dct:identifier "{base}/v1/register/catalog#register" ;
    dct:title "Fortegnelse over meldte behandlinger av personopplysninger"@nb , "Register of notified processing of personal data"@en ;
    dct:description "Alle gjeldende meldinger om behandling av personopplysninger til Datatilsynet, i siste bekreftede versjon: behandlingsansvarlig og representant med navn og identifikator, lov, rettslig grunnlag, sektor, formål, startdato, registrert, sist bekreftet, utløpsdato, databehandlere med land og overføringer ut av Norge. Ingen kontaktopplysninger."@nb , "Every notification of processing of personal data to the Norwegian Data Protection Authority that is valid now, in its latest confirmed version: the controller and representative with name and identifier, law, legal ground, sector, purpose, start date, registered, last confirmed, expiry date, processors with their countries, and transfers out of Norway. No contact details."@en ;
    dct:publisher <{PUBLISHER}> ;
    dcat:contactPoint [
        a vcard:Organization ;
        vcard:fn "Datatilsynet" ;
        vcard:hasEmail <mailto:postkasse@datatilsynet.no> ;
        vcard:hasURL <https://www.datatilsynet.no>
    ] ;
    dcat:theme <http://publications.europa.eu/resource/authority/data-theme/GOVE> , <http://publications.europa.eu/resource/authority/data-theme/JUST> ;
    dcat:keyword "personvern"@nb , "meldeplikt"@nb , "personopplysninger"@nb , "privacy"@en , "personal data"@en ;
    dct:language <http://publications.europa.eu/resource/authority/language/NOB> , <http://publications.europa.eu/resource/authority/language/NNO> , <http://publications.europa.eu/resource/authority/language/ENG> ;
    dct:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC> ;
    dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/CONT> ;
    dct:spatial <https://data.geonorge.no/administrativeEnheter/nasjon/id/173163> ;
    dcat:landingPage <{base}/register> ;
    dcat:distribution <{base}/v1/register/catalog#csv> , <{base}/v1/register/catalog#ndjson> .

<{base}/v1/register/catalog#csv>
    a dcat:Distribution ;
    dct:title "Fortegnelsen som CSV"@nb , "The register as CSV"@en ;
    dct:description "RFC 4180, UTF-8, én rad per melding med overskriftsrad; lister skilt med «; ». Celler som begynner med =, +, -, @, tabulator eller vognretur får en innledende apostrof."@nb , "RFC 4180, UTF-8, one row per notification with a header row; lists joined with \"; \". Cells starting with =, +, -, @, tab or carriage return get a leading apostrophe."@en ;
    dcat:accessURL <{base}/v1/register/export?format=csv> ;
    dcat:downloadURL <{base}/v1/register/export?format=csv> ;
    dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> ;
    dcat:mediaType <https://www.iana.org/assignments/media-types/text/csv> ;
    dct:license <{LICENCE}> .

<{base}/v1/register/catalog#ndjson>
    a dcat:Distribution ;
    dct:title "Fortegnelsen som NDJSON"@nb , "The register as NDJSON"@en ;
    dct:description "Én JSON-oppføring per linje, slik API-et viser den."@nb , "One JSON entry per line, as the API shows it."@en ;
    dcat:accessURL <{base}/v1/register/export?format=ndjson> ;
    dcat:downloadURL <{base}/v1/register/export?format=ndjson> ;
    dct:format <http://publications.europa.eu/resource/authority/file-type/JSON> ;
    dcat:mediaType <https://www.iana.org/assignments/media-types/application/x-ndjson> ;
    dct:license <{LICENCE}> ;
    dct:conformsTo <{base}/openapi.json> .
"#
    )
}

/// The register as an open dataset, described in DCAT-AP-NO (Turtle) for
/// the national data catalogue: titles and descriptions in bokmål and
/// English, the publisher, a contact point, the CSV and NDJSON
/// distributions of the export, licence NLOD 2.0.
#[utoipa::path(
    tag = "register",
    operation_id = "get_register_catalog",
    security(()),
    responses(
        (status = 200, description = "The catalogue", content_type = "text/turtle", body = String,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 429, description = "Too many requests from this address", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/catalog")]
pub(super) async fn get_register_catalog(
    req: HttpRequest,
    _allowed: Allowed,
    public: web::Data<Public>,
) -> Result<HttpResponse, ApiError> {
    let body = turtle(&public.public_url);
    let etag = format!(
        "\"{}\"",
        &hex::encode(Sha256::digest(body.as_bytes()))[..32]
    );
    let mut response = if if_none_match(&req, &etag) {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag.clone()))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"));
    if if_none_match(&req, &etag) {
        return Ok(response.finish());
    }
    Ok(response
        .content_type("text/turtle; charset=utf-8")
        .body(body))
}
