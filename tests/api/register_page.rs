//! The register's web page: what a person sees when searching the register
//! in a browser. Notifications are registered as they are in life,
//! submitted and confirmed through the API.

use serde_json::{Value, json};

use crate::fixtures::*;
use crate::helpers::*;

/// A notification of `body`, submitted and confirmed; its number.
async fn registered(app: &TestApp, token: &str, body: &Value) -> String {
    let number = submitted(app, token, body).await;
    app.confirm_latest_mail(&number).await;
    number
}

/// A notification of `body`, submitted and waiting for confirmation.
async fn submitted(app: &TestApp, token: &str, body: &Value) -> String {
    let response = app.submit(token, body).await;
    assert_eq!(response.status(), 201, "submitting");
    let body: Value = response.json().await.unwrap();
    body["number"].as_str().unwrap().to_owned()
}

type Pair = (&'static str, &'static str);

/// The search as a browser sends the form: every field, those not in
/// `fields` left empty.
fn form(fields: &[Pair]) -> String {
    let mut query = vec!["lang=nb".to_owned()];
    for name in [
        "q",
        "law",
        "legal_ground",
        "sector",
        "purpose",
        "transfers_abroad",
        "registered_from",
        "registered_to",
    ] {
        let value = fields.iter().find(|(n, _)| *n == name).map_or("", |f| f.1);
        query.push(format!("{name}={value}"));
    }
    format!("/register?{}", query.join("&"))
}

fn named(name: &str) -> Value {
    set(example(), "/controller/name", json!(name))
}

struct Page {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Page {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map_or("", |v| v.to_str().unwrap_or(""))
    }

    /// Whether the page links to the entry `number`.
    fn lists(&self, number: &str) -> bool {
        self.body.contains(&format!("href=\"/register/{number}?"))
    }

    /// The href of the link whose attributes or text hold `marker`, as the
    /// browser reads it (entities decoded).
    fn link(&self, marker: &str) -> Option<String> {
        self.body.split("<a ").skip(1).find_map(|a| {
            let tag = a.split("</a>").next()?;
            tag.contains(marker).then(|| {
                let href = tag.split("href=\"").nth(1)?.split('"').next()?;
                Some(unescape(href))
            })?
        })
    }
}

fn unescape(text: &str) -> String {
    text.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
}

async fn open(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Page {
    let mut request = app.client.get(app.url(path));
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = request.send().await.expect("request");
    Page {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.text().await.unwrap(),
    }
}

async fn get_page(app: &TestApp, path: &str) -> Page {
    open(app, path, &[]).await
}

#[tokio::test]
async fn the_search_lists_what_is_registered_and_finds_it_by_a_word() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let shown = registered(&app, &token, &named("Fjordvik kommune")).await;
    let waiting = submitted(&app, &token, &named("Ventedal kommune")).await;

    let page = get_page(&app, "/register").await;
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type").starts_with("text/html"),
        "{}",
        page.header("content-type")
    );
    assert!(page.lists(&shown), "{}", page.body);
    assert!(page.body.contains("Fjordvik kommune"));
    assert!(page.body.contains("1 treff"), "{}", page.body);
    assert!(
        !page.body.contains(&waiting) && !page.body.contains("Ventedal"),
        "a notification awaiting confirmation is not in the register"
    );
    assert_eq!(
        page.link("Fjordvik kommune").as_deref(),
        Some(format!("/register/{shown}?lang=nb").as_str())
    );
    assert_eq!(page.body.matches("<h1").count(), 1, "one h1");
    for landmark in ["<header", "<nav", "<main id=\"main\"", "<footer"] {
        assert!(page.body.contains(landmark), "{landmark}");
    }
    assert!(page.body.contains("<label for=\"q\">"), "q has a label");

    let found = get_page(&app, "/register?q=fjordvi").await;
    assert_eq!(found.status, 200);
    assert!(found.lists(&shown), "the start of a word finds it");
    assert!(found.body.contains("value=\"fjordvi\""), "the form keeps q");
    let none = get_page(&app, "/register?q=ventedal").await;
    assert!(none.body.contains("0 treff"), "{}", none.body);
    assert!(!none.body.contains(&waiting));
}

#[tokio::test]
async fn filters_sent_by_the_form_with_fields_left_empty_narrow_the_list() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let abroad = registered(&app, &token, &named("Utland kommune")).await;
    let home = registered(
        &app,
        &token,
        &set(named("Heime kommune"), "/transfers_abroad", json!([])),
    )
    .await;
    let all = get_page(&app, &form(&[])).await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert!(all.lists(&abroad) && all.lists(&home));
    assert!(all.body.contains("2 treff"));

    let cases: [(&[Pair], Vec<&String>); 8] = [
        (&[("transfers_abroad", "false")], vec![&home]),
        (&[("transfers_abroad", "true")], vec![&abroad]),
        (&[("sector", "private")], vec![]),
        (
            &[("sector", "county_or_municipal"), ("purpose", "research")],
            vec![&abroad, &home],
        ),
        (&[("law", "helseregisterloven")], vec![]),
        (&[("registered_from", "2026-11-24")], vec![]),
        (
            &[
                ("registered_from", "2026-11-23"),
                ("registered_to", "2026-11-23"),
            ],
            vec![&abroad, &home],
        ),
        (
            &[("q", "heime"), ("transfers_abroad", "false")],
            vec![&home],
        ),
    ];
    for (fields, expected) in cases {
        let page = get_page(&app, &form(fields)).await;
        assert_eq!(page.status, 200, "{fields:?}: {}", page.body);
        for number in [&abroad, &home] {
            assert_eq!(
                page.lists(number),
                expected.contains(&number),
                "{fields:?}: {number}"
            );
        }
        assert!(
            page.body.contains(&format!("{} treff", expected.len())),
            "{fields:?}"
        );
    }
    // The select shows what was chosen.
    let chosen = get_page(&app, &form(&[("sector", "private")])).await;
    assert!(
        chosen
            .body
            .contains("<option value=\"private\" selected>Privat</option>"),
        "{}",
        chosen.body
    );
}

#[tokio::test]
async fn the_next_page_keeps_the_query_and_starts_after_the_last() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let older = registered(&app, &token, &named("Fjordvik kommune")).await;
    app.clock.advance(chrono::Duration::minutes(1));
    let newer = registered(&app, &token, &named("Fjordvik kommune")).await;

    let first = get_page(&app, "/register?q=&sector=&limit=1&lang=en").await;
    assert_eq!(first.status, 200);
    assert!(first.lists(&newer) && !first.lists(&older));
    assert!(first.body.contains("2 results"), "{}", first.body);
    let next = first.link("rel=\"next\"").expect("a next page link");
    assert!(
        next.starts_with("/register?lang=en&limit=1&cursor="),
        "{next}"
    );
    assert!(
        !next.contains("sector="),
        "empty fields are left out: {next}"
    );
    assert!(first.link("First page").is_none());

    let second = get_page(&app, &next).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert!(second.lists(&older) && !second.lists(&newer));
    assert!(second.link("rel=\"next\"").is_none(), "the last page");
    assert_eq!(
        second.link("First page").as_deref(),
        Some("/register?lang=en&limit=1")
    );

    // A search pages by rank, with its words kept.
    let ranked = get_page(&app, "/register?q=fjordvik&limit=1").await;
    let next = ranked.link("rel=\"next\"").expect("a next page link");
    assert!(
        next.contains("q=fjordvik") && next.contains("cursor="),
        "{next}"
    );
    let second = get_page(&app, &next).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert!(second.lists(&older) && !second.lists(&newer));
}

#[tokio::test]
async fn the_language_comes_from_the_query_then_the_header_and_the_switch_keeps_the_query() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let number = registered(&app, &token, &named("Fjordvik kommune")).await;

    let nb = get_page(&app, "/register?q=fjordvik&sector=").await;
    assert!(nb.body.starts_with("<!doctype html>\n<html lang=\"nb\">"));
    assert!(nb.body.contains("Søk i fortegnelsen"));
    assert!(nb.body.contains(">Fjernsynsovervåkning</option>"));
    assert_eq!(nb.header("content-language"), "nb");
    assert_eq!(nb.header("vary"), "Accept-Language");

    let nn = open(
        &app,
        "/register?q=fjordvik&sector=",
        &[("Accept-Language", "nn")],
    )
    .await;
    assert!(nn.body.contains("<html lang=\"nn\">"));
    assert!(
        nn.body.contains(">Fjernsynsovervaking</option>"),
        "{}",
        nn.body
    );
    assert!(nn.body.contains("Namn eller organisasjonsnummer"));

    let en = open(
        &app,
        "/register?q=fjordvik&sector=&lang=en",
        &[("Accept-Language", "nn")],
    )
    .await;
    assert!(en.body.contains("<html lang=\"en\">"), "?lang wins");
    assert!(en.body.contains(">Camera surveillance (CCTV)</option>"));
    assert!(en.body.contains("1 result"));

    // The switch: every parameter kept, only the language replaced.
    for (code, name) in [("nb", "Bokmål"), ("nn", "Nynorsk"), ("en", "English")] {
        let href = en.link(&format!(">{name}")).expect("a language link");
        assert_eq!(href, format!("/register?q=fjordvik&sector=&lang={code}"));
        assert!(
            en.body
                .contains(&format!("lang=\"{code}\" hreflang=\"{code}\""))
        );
    }
    assert!(en.body.contains("aria-current=\"true\">English</a>"));

    let entry = get_page(&app, &format!("/register/{number}?lang=en")).await;
    assert_eq!(entry.status, 200);
    assert!(entry.body.contains("<html lang=\"en\">"));
    for label in [
        "Personal Data Act (s. 31)",
        "County or municipal",
        "Norwegian organisation number 974761467",
        "Drift AS (Norway)",
        "United States",
        "23 November 2026",
        "<dd>Research</dd>",
    ] {
        assert!(entry.body.contains(label), "{label}: {}", entry.body);
    }
    assert!(
        !entry.body.contains("specify"),
        "the form's instructions are not the register's words"
    );
    assert_eq!(
        entry.link(">Nynorsk").as_deref(),
        Some(format!("/register/{number}?lang=nn").as_str())
    );
    let nn_entry = open(
        &app,
        &format!("/register/{number}"),
        &[("Accept-Language", "nn")],
    )
    .await;
    assert!(nn_entry.body.contains("<html lang=\"nn\">"));
    assert!(nn_entry.body.contains("Behandlingsansvarleg"));
    assert!(nn_entry.body.contains("23.11.2026"));
}

#[tokio::test]
async fn what_anyone_typed_is_shown_escaped() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let number = registered(&app, &token, &named("<script>alert(1)</script> & \"co\"")).await;

    for path in [
        "/register".to_owned(),
        format!("/register/{number}"),
        "/register?q=%3Cscript%3Ealert(1)%3C/script%3E%22%3E".to_owned(),
    ] {
        let page = get_page(&app, &path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(!page.body.contains("<script"), "{path}: {}", page.body);
        assert!(
            page.body.contains("&#60;script&#62;") || page.body.contains("&lt;script&gt;"),
            "{path}: {}",
            page.body
        );
    }
    let typed = get_page(&app, "/register?q=%3Cscript%3Ealert(1)%3C/script%3E%22%3E").await;
    assert!(
        typed
            .body
            .contains("value=\"&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#62;\""),
        "{}",
        typed.body
    );
}

#[tokio::test]
async fn the_pages_allow_no_script_and_no_framing() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let number = registered(&app, &token, &example()).await;
    for path in [
        "/register".to_owned(),
        format!("/register/{number}"),
        "/register/accessibility".to_owned(),
        "/register/2026-999999".to_owned(),
        "/register?law=nonsense".to_owned(),
    ] {
        let page = get_page(&app, &path).await;
        let csp = page.header("content-security-policy");
        for directive in [
            "default-src 'none'",
            "style-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(
            !csp.contains("unsafe") && !csp.contains("script-src"),
            "{csp}"
        );
        assert_eq!(page.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(page.header("referrer-policy"), "no-referrer", "{path}");
        assert!(!page.body.contains("<script"), "{path}");
        assert!(!page.body.contains("style="), "{path}: no inline style");
        assert!(
            page.body
                .contains("<link rel=\"stylesheet\" href=\"/register/style.css\">")
        );
        assert!(
            page.body.contains("<a class=\"skip\" href=\"#main\">"),
            "{path}"
        );
        let statement = page
            .link("/register/accessibility")
            .expect("the statement in the footer");
        assert!(statement.starts_with("/register/accessibility?lang="));
    }
    let css = get_page(&app, "/register/style.css").await;
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").starts_with("text/css"));
    assert!(css.body.contains(":focus-visible"));

    let statement = get_page(&app, "/register/accessibility?lang=nn").await;
    assert_eq!(statement.status, 200);
    assert!(
        statement
            .body
            .contains("<h1>Tilgjengelegheitserklæring</h1>")
    );
    assert!(statement.body.contains("WCAG 2.1"));
}

#[tokio::test]
async fn what_is_not_in_the_register_is_a_page_saying_so() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let waiting = submitted(&app, &token, &example()).await;
    for path in [
        format!("/register/{waiting}"),
        "/register/2026-999999".to_owned(),
        "/register/not-a-number".to_owned(),
    ] {
        let page = get_page(&app, &path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(
            page.header("content-type").starts_with("text/html"),
            "{path}"
        );
        assert!(
            page.body.contains("<h1>Finnes ikke i fortegnelsen</h1>"),
            "{path}"
        );
        assert_eq!(page.header("cache-control"), "no-store");
    }
    let english = get_page(&app, "/register/2026-999999?lang=en").await;
    assert!(english.body.contains("<html lang=\"en\">"));
    assert!(english.body.contains("<h1>Not in the register</h1>"));
}

#[tokio::test]
async fn a_field_that_is_not_valid_is_named_on_the_page() {
    let app = spawn_app().await;
    let cases = [
        (
            "law=nonsense",
            "law",
            "«nonsense» er ikke en gyldig verdi for Lov",
        ),
        (
            "registered_from=2026-13-01",
            "registered_from",
            "Først registrert fra og med må være en dato",
        ),
        (
            "transfers_abroad=maybe",
            "transfers_abroad",
            "Overføring til land utenfor EØS",
        ),
        (
            "sector=x&sector=y",
            "sector",
            "Sektor er oppgitt mer enn én gang",
        ),
    ];
    for (query, field, message) in cases {
        let page = get_page(&app, &format!("/register?{query}")).await;
        assert_eq!(page.status, 400, "{query}");
        assert!(
            page.header("content-type").starts_with("text/html"),
            "{query}"
        );
        assert!(page.body.contains(message), "{query}: {}", page.body);
        assert!(
            page.body.contains(&format!("<a href=\"#{field}\">")),
            "{query}: the summary links to the field"
        );
        assert!(
            page.body.contains(&format!(
                "aria-describedby=\"{field}-error\" aria-invalid=\"true\""
            )) && page.body.contains(&format!("id=\"{field}-error\"")),
            "{query}: the field is marked: {}",
            page.body
        );
        assert!(page.body.contains("<title>Feil: "), "{query}");
    }
    // Every field that is wrong, not only the first.
    let both = get_page(&app, "/register?law=nonsense&registered_from=2026-13-01").await;
    assert_eq!(both.status, 400);
    for field in ["law", "registered_from"] {
        assert!(
            both.body.contains(&format!("<a href=\"#{field}\">")),
            "{field}: {}",
            both.body
        );
    }
    // A page size that is not valid is named, and not carried into the
    // form, which can then be sent again.
    let limit = get_page(&app, "/register?limit=500").await;
    assert_eq!(limit.status, 400);
    assert!(
        limit
            .body
            .contains("Treff per side: limit må være fra 1 til 100"),
        "{}",
        limit.body
    );
    assert!(!limit.body.contains("name=\"limit\""));
    let kept = get_page(&app, "/register?limit=5").await;
    assert!(
        kept.body
            .contains("<input type=\"hidden\" name=\"limit\" value=\"5\">")
    );
    let english = get_page(&app, "/register?lang=en&purpose=nonsense").await;
    assert_eq!(english.status, 400);
    assert!(
        english.body.contains("Purpose has no value"),
        "{}",
        english.body
    );
}

#[tokio::test]
async fn a_page_the_client_has_is_answered_304() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let number = registered(&app, &token, &example()).await;
    for path in [
        format!("/register/{number}"),
        "/register?q=fjordvik".to_owned(),
        "/register/accessibility".to_owned(),
        "/register/style.css".to_owned(),
    ] {
        let first = get_page(&app, &path).await;
        assert_eq!(first.status, 200);
        let etag = first.header("etag").to_owned();
        assert!(etag.starts_with('"') && etag.len() == 34, "{path}: {etag}");
        assert!(
            first
                .header("cache-control")
                .starts_with("public, max-age=")
        );
        let again = open(&app, &path, &[("If-None-Match", &etag)]).await;
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), etag);
    }
    let nb = get_page(&app, &format!("/register/{number}")).await;
    let en = get_page(&app, &format!("/register/{number}?lang=en")).await;
    assert_ne!(nb.header("etag"), en.header("etag"));
    assert_eq!(nb.header("cache-control"), "public, max-age=60");
}

#[tokio::test]
async fn the_pages_share_the_per_address_limit_and_say_when_to_come_back() {
    let app = spawn_app_with(|s| s.register_rate_per_min = 1).await;
    let mut last = None;
    for _ in 0..12 {
        let page = get_page(&app, "/register").await;
        if page.status == 429 {
            last = Some(page);
            break;
        }
    }
    let page = last.expect("a 429 within the burst");
    assert!(page.header("content-type").starts_with("text/html"));
    assert!(page.header("retry-after").parse::<u64>().unwrap() >= 1);
    assert!(page.body.contains("<h1>For mange forespørsler</h1>"));
    // The API counts against the same allowance.
    assert_eq!(app.get("/v1/register").await.status(), 429);
}
