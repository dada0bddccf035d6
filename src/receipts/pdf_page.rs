//! Laying out the printed receipt on A4 pages: lines of text in embedded
//! fonts (DejaVu, cut down to Latin, so Norwegian letters print on any
//! machine), a QR code, and "Side 1 av 2" on every page. The lines are
//! placed first and drawn after, so every page knows how many there are.

use std::io::Cursor;

use printpdf::{
    Color, IndirectFontRef, Mm, PdfConformance, PdfDocument, PdfDocumentReference, Rect, Rgb,
};
use printpdf::{CustomPdfConformance, PdfLayerReference};

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
const MONO: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansMono.ttf");

const WIDTH: f32 = 210.0;
const HEIGHT: f32 = 297.0;
const TOP: f32 = 277.0;
/// Nothing is placed below this but the page's footer.
const BOTTOM: f32 = 28.0;
pub const LEFT: f32 = 20.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Font {
    Regular,
    Bold,
    Mono,
}

/// Something to draw on one page.
enum Mark {
    Text {
        text: String,
        size: f32,
        x: f32,
        y: f32,
        font: Font,
    },
    /// A square QR code of `size` mm, lower left corner at `x`, `y`.
    Qr {
        code: qrcode::QrCode,
        x: f32,
        y: f32,
        size: f32,
    },
}

/// The receipt's pages while they are laid out.
pub struct Layout {
    pages: Vec<Vec<Mark>>,
    y: f32,
}

impl Default for Layout {
    fn default() -> Self {
        Self::new()
    }
}

impl Layout {
    pub fn new() -> Self {
        Self {
            pages: vec![Vec::new()],
            y: TOP,
        }
    }

    /// Makes room for `height` mm, on a new page if this one is full.
    pub fn room(&mut self, height: f32) {
        if self.y - height < BOTTOM {
            self.pages.push(Vec::new());
            self.y = TOP;
        }
    }

    pub fn down(&mut self, mm: f32) {
        self.y -= mm;
    }

    fn page(&mut self) -> &mut Vec<Mark> {
        self.pages.last_mut().expect("a layout has a page")
    }

    /// Text at `x` on the current line; the line does not move.
    pub fn put(&mut self, x: f32, text: &str, size: f32, font: Font) {
        let y = self.y;
        self.page().push(Mark::Text {
            text: text.to_owned(),
            size,
            x,
            y,
            font,
        });
    }

    /// A paragraph wrapped at `width` characters, each line `leading` mm
    /// below the one before.
    pub fn paragraph(&mut self, text: &str, width: usize, size: f32, font: Font, leading: f32) {
        for line in wrap(text, width) {
            self.room(leading);
            self.put(LEFT, &line, size, font);
            self.down(leading);
        }
    }

    /// A label and its value (wrapped in the column at `value_x`).
    pub fn row(&mut self, label: &str, value: &str, value_x: f32, width: usize) {
        let lines = wrap(value, width);
        self.room(5.0 * lines.len().max(1) as f32 + 2.0);
        self.put(LEFT, label, 9.5, Font::Bold);
        for line in &lines {
            self.put(value_x, line, 9.5, Font::Regular);
            self.down(5.0);
        }
        if lines.is_empty() {
            self.down(5.0);
        }
        self.down(1.8);
    }

    /// A QR code of `size` mm whose top is at the current line, at `x`.
    pub fn qr(&mut self, code: qrcode::QrCode, x: f32, size: f32) {
        let y = self.y - size;
        self.page().push(Mark::Qr { code, x, y, size });
    }

    /// The PDF, each page with its footer: `footer(page, pages)` centred
    /// at the bottom.
    pub fn render(
        self,
        title: &str,
        footer: impl Fn(usize, usize) -> String,
    ) -> Result<PdfDocumentReference, String> {
        let (doc, first, first_layer) = PdfDocument::new(title, Mm(WIDTH), Mm(HEIGHT), "receipt");
        // No output intent or metadata from printpdf: `pdfa` writes the
        // PDF/A ones.
        let doc = doc.with_conformance(PdfConformance::Custom(CustomPdfConformance {
            requires_icc_profile: false,
            requires_xmp_metadata: false,
            ..Default::default()
        }));
        let font = |bytes: &[u8]| {
            doc.add_external_font(Cursor::new(bytes.to_vec()))
                .map_err(|e| e.to_string())
        };
        let fonts = [font(REGULAR)?, font(BOLD)?, font(MONO)?];
        let pick = |f: Font| -> &IndirectFontRef {
            match f {
                Font::Regular => &fonts[0],
                Font::Bold => &fonts[1],
                Font::Mono => &fonts[2],
            }
        };
        let total = self.pages.len();
        for (i, marks) in self.pages.into_iter().enumerate() {
            let layer = if i == 0 {
                doc.get_page(first).get_layer(first_layer)
            } else {
                let (page, layer) = doc.add_page(Mm(WIDTH), Mm(HEIGHT), "receipt");
                doc.get_page(page).get_layer(layer)
            };
            black(&layer);
            for mark in marks {
                match mark {
                    Mark::Text {
                        text,
                        size,
                        x,
                        y,
                        font,
                    } => layer.use_text(text, size, Mm(x), Mm(y), pick(font)),
                    Mark::Qr { code, x, y, size } => draw_qr(&layer, &code, x, y, size),
                }
            }
            let text = footer(i + 1, total);
            // Centred well enough: DejaVu Sans averages about half an em.
            let x = WIDTH / 2.0 - text.chars().count() as f32 * 0.85;
            layer.use_text(text, 8.5, Mm(x), Mm(14.0), pick(Font::Regular));
        }
        Ok(doc)
    }
}

fn black(layer: &PdfLayerReference) {
    layer.set_fill_color(Color::Rgb(Rgb::new(0.0, 0.0, 0.0, None)));
}

/// Dark modules as filled rectangles, one per horizontal run, with the
/// quiet zone left white around them.
fn draw_qr(layer: &PdfLayerReference, code: &qrcode::QrCode, x: f32, y: f32, size: f32) {
    let n = code.width();
    let colors = code.to_colors();
    let module = size / (n + 8) as f32;
    let (x0, top) = (x + 4.0 * module, y + size - 4.0 * module);
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if colors[row * n + col] != qrcode::Color::Dark {
                col += 1;
                continue;
            }
            let start = col;
            while col < n && colors[row * n + col] == qrcode::Color::Dark {
                col += 1;
            }
            let (left, right) = (x0 + start as f32 * module, x0 + col as f32 * module);
            let upper = top - row as f32 * module;
            layer.add_rect(Rect::new(
                Mm(left),
                Mm(upper - module),
                Mm(right),
                Mm(upper),
            ));
        }
    }
}

/// Splits text into lines of at most `width` characters at spaces (a word
/// longer than a line is cut).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(word.drain(..width).collect());
        }
        let word: String = word.into_iter().collect();
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_words_and_cuts_only_what_cannot_fit() {
        assert_eq!(wrap("a bb ccc", 4), vec!["a bb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert!(wrap("", 4).is_empty());
    }

    #[test]
    fn a_long_layout_runs_onto_more_pages_each_numbered_of_all() {
        let mut layout = Layout::new();
        for i in 0..60 {
            layout.row("Label", &format!("value {i}"), 70.0, 60);
        }
        assert_eq!(layout.pages.len(), 2);
        let footers = std::cell::RefCell::new(Vec::new());
        let doc = layout
            .render("t", |n, of| {
                footers.borrow_mut().push((n, of));
                format!("Side {n} av {of}")
            })
            .unwrap();
        assert_eq!(*footers.borrow(), vec![(1, 2), (2, 2)]);
        let bytes = doc.save_to_bytes().unwrap();
        let pages = printpdf::lopdf::Document::load_mem(&bytes)
            .unwrap()
            .get_pages();
        assert_eq!(pages.len(), 2);
    }
}
