//! Everything a notification says, grouped as the form's eight sections,
//! with labels in the reader's language and no codes: what the person
//! confirming reads before confirming. An amendment's rows are compared
//! with the registered version's, so the page can say what changed.

use crate::domain::i18n::{Lang, Text};
use crate::domain::notification::Notification;
use crate::domain::party::Address;
use crate::domain::written::{self, plain};

/// One section of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub heading: &'static str,
    pub rows: Vec<Row>,
}

/// One field and its value (a list shows one value a line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub label: &'static str,
    pub values: Vec<String>,
    /// Differs from the registered version (amendments only).
    pub changed: bool,
}

/// A field that changed, before and after, for the amendment's summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub section: &'static str,
    pub label: &'static str,
    pub before: Vec<String>,
    pub after: Vec<String>,
}

mod words {
    use crate::domain::i18n::Text;

    pub const S1: Text = Text::new(
        "1. Hva meldingen gjelder",
        "1. Kva meldinga gjeld",
        "1. What the notification concerns",
    );
    pub const S2: Text = Text::new(
        "2. Sensitive personopplysninger",
        "2. Sensitive personopplysningar",
        "2. Sensitive personal data",
    );
    pub const S3: Text = Text::new(
        "3. Behandlingsansvarlig",
        "3. Behandlingsansvarleg",
        "3. The controller",
    );
    pub const S4: Text = Text::new("4. Representant", "4. Representant", "4. Representative");
    pub const S5: Text = Text::new(
        "5. Andre som behandler opplysningene",
        "5. Andre som behandlar opplysningane",
        "5. Other processors",
    );
    pub const S6: Text = Text::new(
        "6. Sektor, formål og beskrivelse",
        "6. Sektor, formål og skildring",
        "6. Sector, purpose and description",
    );
    pub const S7: Text = Text::new(
        "7. Overføring til utlandet",
        "7. Overføring til utlandet",
        "7. Transfer abroad",
    );
    pub const S8: Text = Text::new(
        "8. E-post for bekreftelse",
        "8. E-post for stadfesting",
        "8. E-mail for confirmation",
    );
    pub const LAW: Text = Text::new("Lov", "Lov", "Law");
    pub const GROUND: Text = Text::new("Grunnlag", "Grunnlag", "Legal ground");
    pub const KIND: Text = Text::new("Registrering", "Registrering", "Registration");
    pub const RENEWS: Text = Text::new("Fornyer melding", "Fornyar melding", "Renews notification");
    pub const START: Text = Text::new("Planlagt oppstart", "Planlagd oppstart", "Planned start");
    pub const CATEGORIES: Text = Text::new("Kategorier", "Kategoriar", "Categories");
    pub const MANUAL: Text = Text::new(
        "Bare i manuelt register (papir)",
        "Berre i manuelt register (papir)",
        "Only in a manual (paper) register",
    );
    pub const NAME: Text = Text::new("Navn", "Namn", "Name");
    pub const IDENTIFIER: Text = Text::new("Identifikator", "Identifikator", "Identifier");
    pub const ADDRESS: Text = Text::new("Adresse", "Adresse", "Address");
    pub const PHONE: Text = Text::new("Telefon", "Telefon", "Phone");
    pub const TITLE: Text = Text::new(
        "Daglig ansvarlig (tittel)",
        "Dagleg ansvarleg (tittel)",
        "Responsible day to day (title)",
    );
    pub const PROCESSORS: Text = Text::new("Virksomheter", "Verksemder", "Organisations");
    pub const SECTOR: Text = Text::new("Sektor", "Sektor", "Sector");
    pub const PURPOSE: Text = Text::new("Formål", "Formål", "Purpose");
    pub const AREA: Text = Text::new(
        "Forskningen gjelder",
        "Forskinga gjeld",
        "The research concerns",
    );
    pub const DESCRIPTION: Text = Text::new("Beskrivelse", "Skildring", "Description");
    pub const PROJECT: Text = Text::new(
        "Forskningsprosjekt",
        "Forskingsprosjekt",
        "Research project",
    );
    pub const PROJECT_END: Text = Text::new(
        "Prosjektet slutter",
        "Prosjektet sluttar",
        "The project ends",
    );
    pub const CONSENT: Text = Text::new("Samtykke", "Samtykke", "Consent");
    pub const DESTINATIONS: Text = Text::new("Mottakerland", "Mottakarland", "Destinations");
    pub const EMAIL: Text = Text::new("Bekreftes fra", "Blir stadfesta frå", "Confirmed from");
    pub const NONE: Text = Text::new("Ingen", "Ingen", "None");
    pub const NOTHING_LEAVES: Text = Text::new(
        "Ingen opplysninger overføres ut av Norge",
        "Ingen opplysningar blir overførte ut av Noreg",
        "No data leaves Norway",
    );
    pub const YES: Text = Text::new("Ja", "Ja", "Yes");
    pub const NO: Text = Text::new("Nei", "Nei", "No");
}

fn label(text: Text, lang: Lang) -> String {
    plain(text.get(lang)).to_owned()
}

fn address(a: &Address, lang: Lang) -> String {
    format!(
        "{}, {} {}, {}",
        a.street,
        a.postal_code,
        a.town,
        a.country.name().get(lang)
    )
}

/// The notification's eight sections in `lang`.
pub fn sections(n: &Notification, lang: Lang) -> Vec<Section> {
    let row = |label: Text, values: Vec<String>| Row {
        label: label.get(lang),
        values,
        changed: false,
    };
    let one = |label: Text, value: String| row(label, vec![value]);
    let none = || vec![words::NONE.get(lang).to_owned()];
    let yes_no = |b: bool| if b { words::YES } else { words::NO }.get(lang).to_owned();
    let section = |heading: Text, rows: Vec<Row>| Section {
        heading: heading.get(lang),
        rows,
    };

    let mut concerns = vec![
        one(words::LAW, label(n.law().label(), lang)),
        one(words::GROUND, label(n.legal_ground().label(), lang)),
        one(words::KIND, label(n.registration_kind().label(), lang)),
    ];
    if let Some(previous) = n.previous_number() {
        concerns.push(one(words::RENEWS, previous.to_string()));
    }
    concerns.push(one(words::START, written::date(n.start_date(), lang)));

    let categories: Vec<String> = n
        .sensitive_categories()
        .iter()
        .map(|c| label(c.label(), lang))
        .collect();
    let sensitive = vec![
        row(
            words::CATEGORIES,
            if categories.is_empty() {
                none()
            } else {
                categories
            },
        ),
        one(words::MANUAL, yes_no(n.manual_register_only())),
    ];

    let c = n.controller();
    let controller = vec![
        one(words::NAME, c.name.clone()),
        one(words::IDENTIFIER, written::identifier(&c.identifier, lang)),
        one(words::ADDRESS, address(&c.address, lang)),
        one(words::PHONE, c.phone.clone()),
        one(words::TITLE, c.responsible_title.clone()),
    ];

    let representative = match n.representative() {
        None => vec![row(words::NAME, none())],
        Some(r) => {
            let mut rows = vec![one(words::NAME, r.name.clone())];
            if let Some(id) = &r.identifier {
                rows.push(one(words::IDENTIFIER, written::identifier(id, lang)));
            }
            rows.push(one(words::ADDRESS, address(&r.address, lang)));
            rows
        }
    };

    let processors: Vec<String> = n
        .processors()
        .iter()
        .map(|p| {
            let mut parts = vec![p.name.clone()];
            if let Some(id) = &p.identifier {
                parts.push(written::identifier(id, lang));
            }
            parts.push(p.country.name().get(lang).to_owned());
            parts.push(label(p.role.label(), lang));
            parts.join(" – ")
        })
        .collect();
    let processors = vec![row(
        words::PROCESSORS,
        if processors.is_empty() {
            none()
        } else {
            processors
        },
    )];

    let mut purpose = vec![
        one(words::SECTOR, label(n.sector().label(), lang)),
        one(words::PURPOSE, label(n.purpose().label(), lang)),
    ];
    if let Some(area) = n.research_area() {
        purpose.push(one(words::AREA, label(area.label(), lang)));
    }
    purpose.push(row(
        words::DESCRIPTION,
        n.description().map_or_else(none, |d| vec![d.to_owned()]),
    ));
    if let Some(r) = n.research() {
        purpose.push(one(words::PROJECT, r.project_title.clone()));
        purpose.push(one(
            words::PROJECT_END,
            written::date(r.project_end_date, lang),
        ));
        purpose.push(one(words::CONSENT, label(r.consent.label(), lang)));
    }

    let transfers: Vec<String> = n
        .transfers_abroad()
        .iter()
        .map(|t| {
            let basis = label(t.legal_basis.label(), lang);
            match &t.exception {
                Some(exception) => format!("{} – {basis}: {exception}", t.country.name().get(lang)),
                None => format!("{} – {basis}", t.country.name().get(lang)),
            }
        })
        .collect();
    let transfers = vec![row(
        words::DESTINATIONS,
        if transfers.is_empty() {
            vec![words::NOTHING_LEAVES.get(lang).to_owned()]
        } else {
            transfers
        },
    )];

    vec![
        section(words::S1, concerns),
        section(words::S2, sensitive),
        section(words::S3, controller),
        section(words::S4, representative),
        section(words::S5, processors),
        section(words::S6, purpose),
        section(words::S7, transfers),
        section(
            words::S8,
            vec![one(words::EMAIL, n.confirmation_email().to_owned())],
        ),
    ]
}

/// Marks the rows of `after` that differ from `before`, and lists the
/// changes, field by field as the reader sees them (labels, not codes).
pub fn compare(before: &[Section], after: &mut [Section]) -> Vec<Change> {
    let mut changes = Vec::new();
    for (i, section) in after.iter_mut().enumerate() {
        let old: &[Row] = before.get(i).map_or(&[], |s| &s.rows);
        for row in &mut section.rows {
            let was = old.iter().find(|r| r.label == row.label);
            if was.map(|r| &r.values) != Some(&row.values) {
                row.changed = true;
                changes.push(Change {
                    section: section.heading,
                    label: row.label,
                    before: was.map(|r| r.values.clone()).unwrap_or_default(),
                    after: row.values.clone(),
                });
            }
        }
        // A field the new version no longer has (a representative removed).
        for row in old {
            if !section.rows.iter().any(|r| r.label == row.label) {
                changes.push(Change {
                    section: section.heading,
                    label: row.label,
                    before: row.values.clone(),
                    after: Vec::new(),
                });
            }
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::notification::{Notification, example};

    fn notification(value: serde_json::Value) -> Notification {
        Notification::from_stored(value).expect("the example is valid")
    }

    #[test]
    fn every_section_is_there_with_labels_and_no_codes() {
        let mut value = example();
        value["purpose"] = "research".into();
        value["research_area"] = "health_services".into();
        value["research"] = serde_json::json!({
            "consent": "partly", "project_end_date": "2029-12-31", "project_title": "Søvn og skole"
        });
        value["sensitive_categories"] = serde_json::json!(["health"]);
        let n = notification(value);
        let shown = sections(&n, Lang::Nb);
        assert_eq!(shown.len(), 8);
        let text = format!("{shown:?}");
        for expected in [
            "Helseforhold",
            "Forskning\"",
            "Helsetjenester",
            "Søvn og skole",
            "31. desember 2029",
            "Delvis",
            "org.nr. ",
        ] {
            assert!(text.contains(expected), "{expected} missing: {text}");
        }
        for code in ["no_orgnr", "research", "spesifiser", "health_services"] {
            assert!(!text.contains(code), "{code} shown: {text}");
        }
    }

    #[test]
    fn an_amendment_says_what_changed() {
        let before = notification(example());
        let mut value = example();
        value["controller"]["phone"] = "+47 99 99 99 99".into();
        let after = notification(value);
        let mut shown = sections(&after, Lang::En);
        let changes = compare(&sections(&before, Lang::En), &mut shown);
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].label, "Phone");
        assert_eq!(changes[0].after, vec!["+47 99 99 99 99".to_owned()]);
        let marked: Vec<_> = shown
            .iter()
            .flat_map(|s| &s.rows)
            .filter(|r| r.changed)
            .collect();
        assert_eq!(marked.len(), 1);
    }
}
