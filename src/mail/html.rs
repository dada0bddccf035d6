//! The HTML part of a mail, made from its plain text so that both say the
//! same: paragraphs as paragraphs, indented lines (a key) set apart, the
//! service's own links as links, everything else escaped
//! (`templates/mail/layout.html`). Only the links the mail was written with
//! are links: a web address in text a submitter wrote never becomes one.

use askama::Template;

use crate::domain::i18n::Lang;

/// A run of text, a link when `href` is set.
pub struct Piece {
    pub text: String,
    pub href: Option<String>,
}

pub struct Paragraph {
    /// Indented in the text: a key or a code, shown set apart.
    pub code: bool,
    pub lines: Vec<Vec<Piece>>,
}

#[derive(Template)]
#[template(path = "mail/layout.html")]
struct Page<'a> {
    lang: &'a str,
    subject: &'a str,
    paragraphs: Vec<Paragraph>,
}

fn pieces(line: &str, links: &[&str]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    for (i, word) in line.split(' ').enumerate() {
        if i > 0 {
            text.push(' ');
        }
        let link = links.contains(&word);
        if link {
            if !text.is_empty() {
                out.push(Piece {
                    text: std::mem::take(&mut text),
                    href: None,
                });
            }
            out.push(Piece {
                text: word.to_owned(),
                href: Some(word.to_owned()),
            });
        } else {
            text.push_str(word);
        }
    }
    if !text.is_empty() {
        out.push(Piece { text, href: None });
    }
    out
}

/// The HTML of a mail whose plain text is `text`, with `links` (the
/// service's own, as the text has them) made links.
pub fn render(lang: Lang, subject: &str, text: &str, links: &[&str]) -> String {
    let paragraphs = text
        .split("\n\n")
        .map(|block| block.trim_matches('\n'))
        .filter(|block| !block.trim().is_empty())
        .map(|block| Paragraph {
            code: block.lines().all(|l| l.starts_with("    ")),
            lines: block.lines().map(|l| pieces(l.trim(), links)).collect(),
        })
        .collect();
    let page = Page {
        lang: lang.code(),
        subject,
        paragraphs,
    };
    page.render()
        .unwrap_or_else(|_| format!("<pre>{}</pre>", text.replace('<', "&lt;")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_links_and_keys_become_html_and_nothing_else_does() {
        let html = render(
            Lang::Nn,
            "Emne",
            "Hei,\n\nA <b> & co https://evil.example sende:\nhttps://x.no/a?b=1&c=2\n\n    ABCD-EFGH\n",
            &["https://x.no/a?b=1&c=2"],
        );
        assert!(html.contains("<html lang=\"nn\">"), "{html}");
        assert!(html.contains("<title>Emne</title>"));
        assert!(html.contains("<p>Hei,</p>"), "{html}");
        assert!(
            html.contains("A &#60;b&#62; &#38; co https://evil.example sende:")
                || html.contains("A &lt;b&gt; &amp; co https://evil.example sende:"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"https://x.no/a?b=1&#38;c=2\"")
                || html.contains("<a href=\"https://x.no/a?b=1&amp;c=2\""),
            "{html}"
        );
        assert_eq!(html.matches("<a ").count(), 1, "only the own link: {html}");
        assert!(html.contains("<p class=\"code\""), "{html}");
        assert!(!html.contains("<b>"));
    }
}
