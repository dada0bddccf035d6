//! Reading a receipt PDF back as a person would: its text, page by page,
//! decoded through each embedded font's ToUnicode map (lopdf's own text
//! extraction does not read Identity-H fonts).

use std::collections::HashMap;

use lopdf::{Document, Object, content::Content};

/// The ToUnicode map of a font: glyph id → text.
fn to_unicode(doc: &Document, font: &lopdf::Dictionary) -> HashMap<u16, String> {
    let mut map = HashMap::new();
    let Ok(reference) = font.get(b"ToUnicode").and_then(Object::as_reference) else {
        return map;
    };
    let Ok(stream) = doc.get_object(reference).and_then(Object::as_stream) else {
        return map;
    };
    let data = stream
        .decompressed_content()
        .unwrap_or_else(|_| stream.content.clone());
    let text = String::from_utf8_lossy(&data);
    let hex = |s: &str| u32::from_str_radix(s.trim_matches(['<', '>']), 16).ok();
    for block in text.split("beginbfchar").skip(1) {
        let body = block.split("endbfchar").next().unwrap_or_default();
        let tokens: Vec<&str> = body.split_whitespace().collect();
        for pair in tokens.chunks(2) {
            if let [glyph, unicode] = pair
                && let (Some(g), Some(u)) = (hex(glyph), hex(unicode))
                && let Some(c) = char::from_u32(u)
            {
                map.insert(g as u16, c.to_string());
            }
        }
    }
    map
}

fn decode(bytes: &[u8], map: Option<&HashMap<u16, String>>) -> String {
    match map {
        Some(map) => bytes
            .chunks(2)
            .filter(|c| c.len() == 2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .map(|g| map.get(&g).cloned().unwrap_or_else(|| "\u{fffd}".into()))
            .collect(),
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// An object, its reference followed.
fn resolve<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    match object {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(object),
        other => other,
    }
}

/// The fonts of a page's resources, wherever references lead (lopdf's own
/// reader does not follow a reference to the font dictionary).
fn page_fonts(doc: &Document, page: lopdf::ObjectId) -> Vec<(Vec<u8>, &lopdf::Dictionary)> {
    let Ok(page) = doc.get_dictionary(page) else {
        return Vec::new();
    };
    let Ok(resources) = page.get(b"Resources").map(|r| resolve(doc, r)) else {
        return Vec::new();
    };
    let Ok(fonts) = resources
        .as_dict()
        .and_then(|r| r.get(b"Font"))
        .map(|f| resolve(doc, f))
        .and_then(Object::as_dict)
    else {
        return Vec::new();
    };
    fonts
        .iter()
        .filter_map(|(name, font)| Some((name.clone(), resolve(doc, font).as_dict().ok()?)))
        .collect()
}

/// Each page's text, a space between the strings drawn.
pub fn pages(bytes: &[u8]) -> Vec<String> {
    let doc = Document::load_mem(bytes).expect("a PDF");
    let mut out = Vec::new();
    for (_, page_id) in doc.get_pages() {
        let fonts: HashMap<Vec<u8>, HashMap<u16, String>> = page_fonts(&doc, page_id)
            .into_iter()
            .map(|(name, font)| (name, to_unicode(&doc, font)))
            .collect();
        let content = doc.get_page_content(page_id).expect("page content");
        let content = Content::decode(&content).expect("decodable content");
        let mut font: Option<&HashMap<u16, String>> = None;
        let mut text = String::new();
        for op in &content.operations {
            match op.operator.as_str() {
                "Tf" => {
                    font = op
                        .operands
                        .first()
                        .and_then(|n| n.as_name().ok())
                        .and_then(|n| fonts.get(n))
                        .filter(|m| !m.is_empty());
                }
                "Tj" => {
                    if let Some(Object::String(bytes, _)) = op.operands.first() {
                        text.push_str(&decode(bytes, font));
                        text.push(' ');
                    }
                }
                "TJ" => {
                    if let Some(Object::Array(items)) = op.operands.first() {
                        for item in items {
                            if let Object::String(bytes, _) = item {
                                text.push_str(&decode(bytes, font));
                            }
                        }
                        text.push(' ');
                    }
                }
                _ => {}
            }
        }
        out.push(text.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    out
}

/// The text of the whole PDF, wrapped lines read as one.
pub fn text(bytes: &[u8]) -> String {
    pages(bytes).join(" ")
}

/// The text of the QR code drawn on the last page (its dark modules are
/// the page's only rectangles), read back by a QR decoder.
pub fn qr_text(bytes: &[u8]) -> String {
    let doc = Document::load_mem(bytes).expect("a PDF");
    let (_, page_id) = doc.get_pages().into_iter().next_back().expect("a page");
    let content = Content::decode(&doc.get_page_content(page_id).unwrap()).unwrap();
    let number = |o: &Object| {
        o.as_float()
            .or_else(|_| o.as_i64().map(|i| i as f32))
            .unwrap()
    };
    let rects: Vec<[f32; 4]> = content
        .operations
        .iter()
        .filter(|op| op.operator == "re")
        .map(|op| [0, 1, 2, 3].map(|i| number(&op.operands[i])))
        .collect();
    assert!(!rects.is_empty(), "no QR code on the last page");
    let module = rects.iter().map(|r| r[3]).fold(f32::MAX, f32::min);
    let left = rects.iter().map(|r| r[0]).fold(f32::MAX, f32::min);
    let top = rects.iter().map(|r| r[1] + r[3]).fold(f32::MIN, f32::max);
    let cells = |v: f32| (v / module).round() as usize;
    let n = rects
        .iter()
        .map(|r| cells(r[0] + r[2] - left))
        .max()
        .unwrap();
    let (scale, quiet) = (4, 4);
    let side = (n + 2 * quiet) * scale;
    let mut dark = vec![false; side * side];
    for r in &rects {
        let (row, col, width) = (cells(top - r[1] - r[3]), cells(r[0] - left), cells(r[2]));
        for c in col..col + width {
            for y in 0..scale {
                for x in 0..scale {
                    let (px, py) = ((c + quiet) * scale + x, (row + quiet) * scale + y);
                    dark[py * side + px] = true;
                }
            }
        }
    }
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
        if dark[y * side + x] { 0 } else { 255 }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("a readable QR code").1
}
