//! Mail as the service wrote it to the mail folder, read back: headers,
//! the text and HTML parts, attachments (multipart opened, quoted-printable
//! and base64 decoded).

/// A mail as the service wrote it.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    /// The plain-text part.
    pub body: String,
    /// The HTML part, if any.
    pub html: Option<String>,
    /// Attached files: name and bytes.
    pub attachments: Vec<(String, Vec<u8>)>,
    /// The header lines as written.
    pub head: String,
}

/// One MIME part: its headers, and its body decoded.
struct Part {
    head: String,
    body: Vec<u8>,
}

fn header_of(head: &str, name: &str) -> String {
    // Folded header lines are joined first.
    let unfolded = head
        .replace("\r\n ", " ")
        .replace("\n ", " ")
        .replace("\r\n\t", " ");
    unfolded
        .lines()
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
        .unwrap_or_default()
}

fn decode_body(head: &str, body: &str) -> Vec<u8> {
    match header_of(head, "Content-Transfer-Encoding")
        .to_ascii_lowercase()
        .as_str()
    {
        "base64" => {
            use base64::Engine;
            let joined: String = body.split_whitespace().collect();
            base64::engine::general_purpose::STANDARD
                .decode(joined)
                .unwrap()
        }
        "quoted-printable" => decode_quoted_printable(body).into_bytes(),
        _ => body.as_bytes().to_vec(),
    }
}

/// The leaf parts of a message (multipart bodies opened, recursively).
fn leaves(head: &str, body: &str, out: &mut Vec<Part>) {
    let content_type = header_of(head, "Content-Type");
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_owned());
    match boundary {
        Some(boundary) if content_type.to_ascii_lowercase().starts_with("multipart/") => {
            let marker = format!("--{boundary}");
            for chunk in body.split(&marker).skip(1) {
                if chunk.starts_with("--") {
                    break;
                }
                let chunk = chunk.trim_start_matches("\r\n");
                let (h, b) = chunk.split_once("\r\n\r\n").unwrap_or((chunk, ""));
                // The line break before a boundary belongs to the boundary.
                leaves(h, b.strip_suffix("\r\n").unwrap_or(b), out);
            }
        }
        _ => out.push(Part {
            head: head.to_owned(),
            body: decode_body(head, body),
        }),
    }
}

impl Mail {
    /// Reads an .eml file: headers, and each part decoded (quoted-printable,
    /// base64 or plain).
    pub fn parse(raw: &str) -> Self {
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
        let mut parts = Vec::new();
        leaves(head, body, &mut parts);
        let of_type = |t: &str| {
            parts
                .iter()
                .find(|p| {
                    header_of(&p.head, "Content-Type")
                        .to_ascii_lowercase()
                        .starts_with(t)
                        && !header_of(&p.head, "Content-Disposition").starts_with("attachment")
                })
                .map(|p| {
                    String::from_utf8(p.body.clone())
                        .unwrap()
                        .replace("\r\n", "\n")
                })
        };
        let attachments = parts
            .iter()
            .filter(|p| header_of(&p.head, "Content-Disposition").starts_with("attachment"))
            .map(|p| {
                let disposition = header_of(&p.head, "Content-Disposition");
                let name = disposition
                    .split("filename=")
                    .nth(1)
                    .unwrap_or_default()
                    .trim_matches('"')
                    .to_owned();
                (name, p.body.clone())
            })
            .collect();
        Self {
            to: header_of(head, "To"),
            subject: decode_subject(&header_of(head, "Subject")),
            body: of_type("text/plain").unwrap_or_default(),
            html: of_type("text/html"),
            attachments,
            head: head.replace("\r\n", "\n"),
        }
    }

    /// The confirmation link's token.
    pub fn token(&self) -> String {
        let start = self.body.find("/confirm/").expect("a confirmation link") + "/confirm/".len();
        self.body[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }

    /// The notification key in the mail, if any.
    pub fn key(&self) -> Option<String> {
        self.body
            .lines()
            .map(str::trim)
            .find(|l| {
                l.len() == 19
                    && l.matches('-').count() == 3
                    && meldeplikt::domain::key::NotificationKey::parse(l).is_ok()
            })
            .map(str::to_owned)
    }
}

fn decode_quoted_printable(text: &str) -> String {
    let mut bytes = Vec::new();
    let raw = text.replace("=\r\n", "").replace("=\n", "");
    let mut chars = raw.as_bytes().iter().copied().peekable();
    while let Some(b) = chars.next() {
        if b == b'=' {
            let hi = chars.next().unwrap_or(b'0');
            let lo = chars.next().unwrap_or(b'0');
            let hex = [hi, lo];
            bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).unwrap(), 16).unwrap_or(b'?'));
        } else {
            bytes.push(b);
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?...?=`) of a subject.
fn decode_subject(subject: &str) -> String {
    use base64::Engine;
    let mut out = String::new();
    let mut last_encoded = false;
    for (i, word) in subject.split_whitespace().enumerate() {
        let lower = word.to_ascii_lowercase();
        let decoded = if lower.starts_with("=?utf-8?b?") && word.ends_with("?=") {
            let inner = &word[10..word.len() - 2];
            Some(
                String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(inner)
                        .unwrap(),
                )
                .unwrap(),
            )
        } else if lower.starts_with("=?utf-8?q?") && word.ends_with("?=") {
            Some(decode_quoted_printable(
                &word[10..word.len() - 2].replace('_', " "),
            ))
        } else {
            None
        };
        // Space between encoded words is not text (RFC 2047); any other is.
        if i > 0 && !(last_encoded && decoded.is_some()) {
            out.push(' ');
        }
        last_encoded = decoded.is_some();
        out.push_str(decoded.as_deref().unwrap_or(word));
    }
    out
}
