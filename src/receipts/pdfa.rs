//! Makes the receipt a PDF/A-2b file, so that archives (Noark 5) take it:
//! an sRGB output intent, XMP metadata saying PDF/A-2B that agrees with the
//! document information, a fixed file identifier, and what printpdf leaves
//! out (a name for the optional-content configuration, the CID-to-glyph
//! map of its embedded fonts).

use chrono::{DateTime, Utc};
use printpdf::lopdf::{Dictionary, Document, Object, Stream, StringFormat};
use sha2::{Digest, Sha256};

const SRGB: &[u8] = include_bytes!("../../assets/sRGB.icc");

/// What the metadata says of the file.
pub struct Meta<'a> {
    pub title: &'a str,
    pub author: &'a str,
    /// The moment the receipt states (its confirmation): the file's
    /// creation date, so that the same receipt prints the same file.
    pub created: DateTime<Utc>,
    /// Seeds the file identifier.
    pub id: &'a [u8],
}

/// `bytes` (printpdf's output) as PDF/A-2b.
pub fn conform(bytes: &[u8], meta: &Meta) -> Result<Vec<u8>, String> {
    let mut doc = Document::load_mem(bytes).map_err(|e| e.to_string())?;
    // PDF/A wants a comment of four bytes above 127 right after the
    // header; lopdf writes the version on the header's line, so the
    // comment rides along (and its offsets stay right).
    doc.version = "1.7\n%\u{e2}\u{e3}\u{cf}\u{d3}".into();
    let icc = doc.add_object(Stream::new(
        Dictionary::from_iter(vec![("N", Object::Integer(3))]),
        SRGB.to_vec(),
    ));
    let intent = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"OutputIntent".to_vec())),
        ("S", Object::Name(b"GTS_PDFA1".to_vec())),
        ("OutputConditionIdentifier", literal("sRGB IEC61966-2.1")),
        ("Info", literal("sRGB IEC61966-2.1")),
        ("DestOutputProfile", Object::Reference(icc)),
    ]);
    let mut xmp = Stream::new(
        Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Metadata".to_vec())),
            ("Subtype", Object::Name(b"XML".to_vec())),
        ]),
        xmp(meta).into_bytes(),
    );
    xmp.allows_compression = false;
    let xmp = doc.add_object(xmp);
    let info = doc.add_object(Dictionary::from_iter(vec![
        ("Title", text(meta.title)),
        ("Author", text(meta.author)),
        ("Creator", literal("meldeplikt")),
        ("Producer", literal("meldeplikt")),
        ("CreationDate", literal(&pdf_date(meta.created))),
        ("ModDate", literal(&pdf_date(meta.created))),
    ]));

    let root = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|e| e.to_string())?;
    let catalog = doc
        .get_object_mut(root)
        .and_then(Object::as_dict_mut)
        .map_err(|e| e.to_string())?;
    catalog.set(
        "OutputIntents",
        Object::Array(vec![Object::Dictionary(intent)]),
    );
    catalog.set("Metadata", Object::Reference(xmp));
    if let Ok(Object::Dictionary(properties)) = catalog.get_mut(b"OCProperties")
        && let Ok(Object::Dictionary(config)) = properties.get_mut(b"D")
    {
        config.set("Name", literal("receipt"));
    }
    for object in doc.objects.values_mut() {
        map_cid_to_glyph(object);
    }
    doc.trailer.set("Info", Object::Reference(info));
    let digest = Sha256::digest(meta.id);
    let id = Object::String(digest[..16].to_vec(), StringFormat::Hexadecimal);
    doc.trailer.set("ID", Object::Array(vec![id.clone(), id]));

    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Gives every embedded TrueType CID font, wherever it sits (printpdf puts
/// them inside their Type0 font), the identity CID-to-glyph map PDF/A
/// asks for: printpdf's CIDs are glyph ids.
fn map_cid_to_glyph(object: &mut Object) {
    match object {
        Object::Dictionary(dict) => {
            let cid_font = dict
                .get(b"Subtype")
                .is_ok_and(|s| s.as_name().is_ok_and(|n| n == b"CIDFontType2"));
            if cid_font && !dict.has(b"CIDToGIDMap") {
                dict.set("CIDToGIDMap", Object::Name(b"Identity".to_vec()));
            }
            for (_, value) in dict.iter_mut() {
                map_cid_to_glyph(value);
            }
        }
        Object::Array(items) => items.iter_mut().for_each(map_cid_to_glyph),
        _ => {}
    }
}

fn literal(s: &str) -> Object {
    Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
}

/// A text string as PDF writes any language: UTF-16BE after a byte order mark.
fn text(s: &str) -> Object {
    let mut bytes = vec![0xfe, 0xff];
    bytes.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
    Object::String(bytes, StringFormat::Hexadecimal)
}

fn pdf_date(at: DateTime<Utc>) -> String {
    at.format("D:%Y%m%d%H%M%SZ").to_string()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn xmp(meta: &Meta) -> String {
    let date = meta.created.format("%Y-%m-%dT%H:%M:%SZ");
    format!(
        r#"<?xpacket begin="{bom}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdfaid:part>2</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <xmp:CreatorTool>meldeplikt</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <pdf:Producer>meldeplikt</pdf:Producer>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#,
        bom = '\u{feff}',
        title = escape(meta.title),
        author = escape(meta.author),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_metadata_says_pdfa_2b_and_escapes_what_it_quotes() {
        let meta = Meta {
            title: "Kvittering <2026-000001> & co",
            author: "Datatilsynet",
            created: "2026-12-06T13:05:00Z".parse().unwrap(),
            id: b"x",
        };
        let x = xmp(&meta);
        assert!(x.contains("<pdfaid:part>2</pdfaid:part>"));
        assert!(x.contains("<pdfaid:conformance>B</pdfaid:conformance>"));
        assert!(x.contains("Kvittering &lt;2026-000001&gt; &amp; co"));
        assert!(x.contains("<xmp:CreateDate>2026-12-06T13:05:00Z</xmp:CreateDate>"));
        assert_eq!(pdf_date(meta.created), "D:20261206130500Z");
    }
}
