//! What the register's pages show, made ready for their templates: every
//! text in the page's language, every link with the query it keeps.

use actix_web::HttpRequest;
use askama::Template;

use super::form::{FormParams, Kept};
use super::params::MAX_LIMIT;
use super::store::EntryRow;
use super::views::{PublicIdentifier, PublicParty, RegisterEntry};
use super::words;
use crate::clock::oslo_date;
use crate::domain::code_lists::{Law, LegalGround, Purpose, Sector};
use crate::domain::i18n::{Lang, Text};

/// A label as the register shows it: without the form's instruction to
/// the one filling it in ("Forskning (spesifiser i punkt 6d)").
fn plain(label: &str) -> &str {
    match label.rfind(" (") {
        Some(i)
            if label.ends_with(')')
                && ["(spesifiser", "(specify"]
                    .iter()
                    .any(|s| label[i + 1..].starts_with(s)) =>
        {
            &label[..i]
        }
        _ => label,
    }
}

/// A link to the page in one language.
pub struct LangLink {
    pub code: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

/// What every page has around its content.
pub struct Frame {
    pub lang: &'static str,
    pub title: String,
    pub skip: &'static str,
    pub site: &'static str,
    pub authority: &'static str,
    pub home: String,
    pub language_label: &'static str,
    pub languages: Vec<LangLink>,
    pub accessibility_href: String,
    pub accessibility: &'static str,
    pub download: &'static str,
    pub api: &'static str,
}

/// The `<title>` of a page: what it is, then the site.
pub fn title(page: &str, lang: Lang) -> String {
    format!("{page} – {}", words::SITE.get(lang))
}

impl Frame {
    pub fn new(req: &HttpRequest, kept: &Kept, lang: Lang, page: &str) -> Self {
        Self {
            lang: lang.code(),
            title: title(page, lang),
            skip: words::SKIP.get(lang),
            site: words::SITE.get(lang),
            authority: words::AUTHORITY.get(lang),
            home: format!("/register?lang={}", lang.code()),
            language_label: words::LANGUAGE.get(lang),
            languages: Lang::ALL
                .iter()
                .map(|&l| LangLink {
                    code: l.code(),
                    name: words::language_name(l),
                    href: kept.with(req.path(), "lang", l.code()),
                    current: l == lang,
                })
                .collect(),
            accessibility_href: format!("/register/accessibility?lang={}", lang.code()),
            accessibility: words::ACCESSIBILITY.get(lang),
            download: words::DOWNLOAD.get(lang),
            api: words::API.get(lang),
        }
    }
}

/// A page that says one thing: not found, wait, try again.
#[derive(Template)]
#[template(path = "register/message.html")]
pub struct MessagePage {
    pub frame: Frame,
    pub heading: &'static str,
    pub paragraphs: Vec<&'static str>,
    pub back: &'static str,
}

/// A choice of a select.
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// A field of the form, as the template draws it.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    /// `search`, `date` or `select`.
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<Choice>,
    pub hint: Option<&'static str>,
    pub error: Option<String>,
    /// The ids of its hint and its error.
    pub described_by: String,
}

impl Field {
    fn new(
        name: &'static str,
        label: Text,
        kind: &'static str,
        value: &Option<String>,
        lang: Lang,
        errors: &[(String, String)],
    ) -> Self {
        Self {
            name,
            label: label.get(lang),
            kind,
            value: value.clone().unwrap_or_default(),
            options: Vec::new(),
            hint: None,
            error: errors
                .iter()
                .find(|(field, _)| field == name)
                .map(|(_, text)| text.clone()),
            described_by: String::new(),
        }
    }

    fn hint(mut self, hint: Text, lang: Lang) -> Self {
        self.hint = Some(hint.get(lang));
        self
    }

    /// A select of `codes` with their labels, after "any".
    fn choices(
        mut self,
        codes: impl IntoIterator<Item = (&'static str, Text)>,
        lang: Lang,
    ) -> Self {
        let chosen = self.value.trim().to_owned();
        self.options = std::iter::once(("", words::ANY))
            .chain(codes)
            .map(|(value, label)| Choice {
                value,
                label: plain(label.get(lang)),
                selected: value == chosen,
            })
            .collect();
        self
    }

    fn described(mut self) -> Self {
        let ids: Vec<String> = [
            self.hint.map(|_| format!("{}-hint", self.name)),
            self.error.as_ref().map(|_| format!("{}-error", self.name)),
        ]
        .into_iter()
        .flatten()
        .collect();
        self.described_by = ids.join(" ");
        self
    }
}

/// One match in the list.
pub struct Item {
    pub href: String,
    pub name: String,
    pub facts: Vec<(&'static str, String)>,
}

/// The matches: their count, the page of them, the links to more.
pub struct Results {
    pub heading: String,
    pub order: &'static str,
    pub none: &'static str,
    pub items: Vec<Item>,
    pub pages: &'static str,
    pub next: Option<String>,
    pub next_label: &'static str,
    pub first: Option<String>,
    pub first_label: &'static str,
}

/// The search page.
#[derive(Template)]
#[template(path = "register/search.html")]
pub struct SearchPage {
    pub frame: Frame,
    pub heading: &'static str,
    pub intro: &'static str,
    pub errors_title: &'static str,
    /// Each problem: the id of its field on the page (if shown), the text.
    pub errors: Vec<(Option<&'static str>, String)>,
    pub hidden: Vec<(&'static str, String)>,
    pub q: Field,
    pub filters_label: &'static str,
    pub filters: Vec<Field>,
    pub button: &'static str,
    pub results: Option<Results>,
}

fn codes<T: Copy>(
    all: &'static [T],
    code: fn(T) -> &'static str,
    label: fn(T) -> Text,
) -> impl Iterator<Item = (&'static str, Text)> {
    all.iter().map(move |&v| (code(v), label(v)))
}

/// The search form filled in as `form` asks, with `errors` (field, text)
/// shown at their fields and above the form.
pub fn search_page(
    req: &HttpRequest,
    kept: &Kept,
    lang: Lang,
    form: &FormParams,
    errors: &[(String, String)],
) -> SearchPage {
    let field = |name, label, kind, value| Field::new(name, label, kind, value, lang, errors);
    let q = field("q", words::Q, "search", &form.q)
        .hint(words::Q_HINT, lang)
        .described();
    let filters: Vec<Field> = vec![
        field("law", words::LAW, "select", &form.law)
            .choices(codes(Law::ALL, Law::code, Law::label), lang),
        field(
            "legal_ground",
            words::LEGAL_GROUND,
            "select",
            &form.legal_ground,
        )
        .choices(
            codes(LegalGround::ALL, LegalGround::code, LegalGround::label),
            lang,
        ),
        field("sector", words::SECTOR, "select", &form.sector)
            .choices(codes(Sector::ALL, Sector::code, Sector::label), lang),
        field("purpose", words::PURPOSE, "select", &form.purpose)
            .choices(codes(Purpose::ALL, Purpose::code, Purpose::label), lang),
        field(
            "transfers_abroad",
            words::TRANSFERS,
            "select",
            &form.transfers_abroad,
        )
        .choices([("true", words::YES), ("false", words::NO)], lang),
        field(
            "registered_from",
            words::REGISTERED_FROM,
            "date",
            &form.registered_from,
        ),
        field(
            "registered_to",
            words::REGISTERED_TO,
            "date",
            &form.registered_to,
        ),
    ]
    .into_iter()
    .map(Field::described)
    .collect();
    let shown: Vec<&'static str> = std::iter::once(q.name)
        .chain(filters.iter().map(|f| f.name))
        .collect();
    let errors = errors
        .iter()
        .map(|(name, text)| {
            let anchor = shown.iter().find(|s| **s == name.as_str()).copied();
            (anchor, text.clone())
        })
        .collect::<Vec<_>>();
    let mut frame = Frame::new(req, kept, lang, words::SEARCH_TITLE.get(lang));
    if !errors.is_empty() {
        frame.title = format!("{}: {}", words::ERROR.get(lang), frame.title);
    }
    SearchPage {
        frame,
        heading: words::SEARCH_TITLE.get(lang),
        intro: words::INTRO.get(lang),
        errors_title: words::ERRORS.get(lang),
        errors,
        // The page size a link asked for goes on with the next search;
        // one that is not valid does not, or the form could not be sent.
        hidden: form
            .limit
            .as_ref()
            .filter(|l| l.parse::<i64>().is_ok_and(|l| (1..=MAX_LIMIT).contains(&l)))
            .map(|l| ("limit", l.clone()))
            .into_iter()
            .collect(),
        q,
        filters_label: words::FILTERS.get(lang),
        filters,
        button: words::SEARCH.get(lang),
        results: None,
    }
}

/// The page of one entry's link, in `lang`.
fn entry_href(number: &str, lang: Lang) -> String {
    format!("/register/{number}?lang={}", lang.code())
}

/// The list of matches.
pub fn results(
    kept: &Kept,
    lang: Lang,
    rows: &[EntryRow],
    next: Option<&str>,
    total: i64,
    cap: i64,
    ranked: bool,
) -> Results {
    let items = rows
        .iter()
        .map(|row| {
            let e = RegisterEntry::new(row, lang);
            Item {
                href: entry_href(&e.number, lang),
                name: e.controller.name.clone(),
                facts: vec![
                    (words::NUMBER.get(lang), e.number.clone()),
                    (words::PURPOSE.get(lang), plain(&e.purpose.label).to_owned()),
                    (words::SECTOR.get(lang), e.sector.label.clone()),
                    (
                        words::FIRST_REGISTERED.get(lang),
                        words::date(oslo_date(e.first_registered_at), lang),
                    ),
                ],
            }
        })
        .collect();
    Results {
        heading: words::hits(total.min(cap), total > cap, lang),
        order: if ranked {
            words::BEST_FIRST.get(lang)
        } else {
            words::NEWEST_FIRST.get(lang)
        },
        none: words::NO_RESULTS.get(lang),
        items,
        pages: words::PAGES.get(lang),
        next: next.map(|cursor| kept.paging("/register", lang, "cursor", Some(cursor))),
        next_label: words::NEXT.get(lang),
        first: kept
            .has("cursor")
            .then(|| kept.paging("/register", lang, "cursor", None)),
        first_label: words::FIRST_PAGE.get(lang),
    }
}

/// A labelled value, or several.
pub struct Row {
    pub label: &'static str,
    pub values: Vec<String>,
}

/// A part of an entry under its heading.
pub struct Section {
    pub id: &'static str,
    pub heading: &'static str,
    pub rows: Vec<Row>,
}

/// The page of one entry.
#[derive(Template)]
#[template(path = "register/entry.html")]
pub struct EntryPage {
    pub frame: Frame,
    pub heading: String,
    pub number_label: &'static str,
    pub number: String,
    pub back_href: String,
    pub back: &'static str,
    pub sections: Vec<Section>,
}

fn identifier(id: &PublicIdentifier) -> String {
    match &id.country {
        Some(country) => format!("{} {} ({})", id.scheme.label, id.value, country.label),
        None => format!("{} {}", id.scheme.label, id.value),
    }
}

fn party(p: &PublicParty) -> String {
    match &p.identifier {
        Some(id) => format!("{} – {}", p.name, identifier(id)),
        None => p.name.clone(),
    }
}

pub fn entry_page(req: &HttpRequest, kept: &Kept, lang: Lang, row: &EntryRow) -> EntryPage {
    let e = RegisterEntry::new(row, lang);
    let row = |label: Text, values: Vec<String>| Row {
        label: label.get(lang),
        values,
    };
    let none = || vec![words::NONE.get(lang).to_owned()];
    let or_none = |values: Vec<String>| if values.is_empty() { none() } else { values };
    let date = |d| words::date(d, lang);

    let mut controller = vec![row(words::NAME, vec![e.controller.name.clone()])];
    if let Some(id) = &e.controller.identifier {
        controller.push(row(words::IDENTIFIER, vec![identifier(id)]));
    }
    if let Some(representative) = &e.representative {
        controller.push(row(words::REPRESENTATIVE, vec![party(representative)]));
    }
    let mut processing = vec![
        row(words::LAW, vec![e.law.label.clone()]),
        row(words::LEGAL_GROUND, vec![e.legal_ground.label.clone()]),
        row(words::SECTOR, vec![e.sector.label.clone()]),
        row(words::PURPOSE, vec![plain(&e.purpose.label).to_owned()]),
    ];
    if let Some(area) = &e.research_area {
        processing.push(row(
            words::RESEARCH_AREA,
            vec![plain(&area.label).to_owned()],
        ));
    }
    let dates = vec![
        row(words::START, vec![date(e.start_date)]),
        row(
            words::FIRST_REGISTERED,
            vec![date(oslo_date(e.first_registered_at))],
        ),
        row(
            words::LAST_CONFIRMED,
            vec![date(oslo_date(e.last_confirmed_at))],
        ),
        row(words::EXPIRES, vec![date(e.expires_on)]),
        row(words::VERSION, vec![e.version.to_string()]),
    ];
    let mut abroad = vec![
        row(
            words::PROCESSORS,
            or_none(
                e.processors
                    .iter()
                    .map(|p| format!("{} ({})", p.name, p.country.label))
                    .collect(),
            ),
        ),
        row(
            words::TRANSFERS,
            vec![words::yes_no(e.transfers_abroad).get(lang).to_owned()],
        ),
    ];
    if e.transfers_abroad || !e.transfer_countries.is_empty() {
        abroad.push(row(
            words::TRANSFER_COUNTRIES,
            or_none(
                e.transfer_countries
                    .iter()
                    .map(|c| c.label.clone())
                    .collect(),
            ),
        ));
    }
    let section = |id, heading: Text, rows| Section {
        id,
        heading: heading.get(lang),
        rows,
    };
    let page_title = format!("{} {}", e.number, e.controller.name);
    EntryPage {
        frame: Frame::new(req, kept, lang, &page_title),
        heading: e.controller.name.clone(),
        number_label: words::NUMBER.get(lang),
        number: e.number.clone(),
        back_href: format!("/register?lang={}", lang.code()),
        back: words::BACK.get(lang),
        sections: vec![
            section("controller", words::CONTROLLER, controller),
            section("processing", words::PROCESSING, processing),
            section("dates", words::DATES, dates),
            section("abroad", words::PROCESSORS_AND_TRANSFERS, abroad),
        ],
    }
}

/// The accessibility statement.
#[derive(Template)]
#[template(path = "register/accessibility.html")]
pub struct AccessibilityPage {
    pub frame: Frame,
    pub heading: &'static str,
    pub scope: &'static str,
    pub status_title: &'static str,
    pub status: &'static str,
    pub how_title: &'static str,
    pub how: Vec<&'static str>,
    pub feedback_title: &'static str,
    pub feedback: &'static str,
    pub enforcement: &'static str,
}

pub fn accessibility_page(req: &HttpRequest, kept: &Kept, lang: Lang) -> AccessibilityPage {
    AccessibilityPage {
        frame: Frame::new(req, kept, lang, words::ACCESSIBILITY.get(lang)),
        heading: words::ACCESSIBILITY.get(lang),
        scope: words::A11Y_SCOPE.get(lang),
        status_title: words::A11Y_STATUS_TITLE.get(lang),
        status: words::A11Y_STATUS.get(lang),
        how_title: words::A11Y_HOW_TITLE.get(lang),
        how: words::A11Y_HOW.iter().map(|t| t.get(lang)).collect(),
        feedback_title: words::A11Y_FEEDBACK_TITLE.get(lang),
        feedback: words::A11Y_FEEDBACK.get(lang),
        enforcement: words::A11Y_ENFORCEMENT.get(lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_s_instructions_are_left_out_of_labels() {
        assert_eq!(plain("Forskning (spesifiser i punkt 6d)"), "Forskning");
        assert_eq!(plain("Research (specify in 6d)"), "Research");
        assert_eq!(
            plain("Annen behandling i det private (spesifiser i punkt 6c)"),
            "Annen behandling i det private"
        );
        assert_eq!(
            plain("Personopplysningsloven (§ 31)"),
            "Personopplysningsloven (§ 31)"
        );
        assert_eq!(plain("Fjernsynsovervåkning"), "Fjernsynsovervåkning");
    }
}
