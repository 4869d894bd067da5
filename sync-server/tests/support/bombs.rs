//! Hostile `.xlsx` files, built by hand so that they stay a few MB on disk while inflating
//! to gigabytes: a deflate stream of one chunk compressed with a full flush (byte-aligned,
//! no back-references across chunks) can be repeated any number of times.

#![allow(dead_code)]

use std::io::Write;

use flate2::{Compress, Compression, FlushCompress};

/// One part of a workbook: its name, its deflate stream, its CRC and real inflated size,
/// and the inflated size the ZIP declares (a liar may declare less).
pub struct Part {
    name: String,
    deflated: Vec<u8>,
    crc: u32,
    size: u64,
    declared: u64,
}

fn deflate_chunk(data: &[u8], flush: FlushCompress) -> Vec<u8> {
    let mut c = Compress::new(Compression::best(), false);
    let mut out = Vec::with_capacity(data.len() / 2 + 1024);
    c.compress_vec(data, &mut out, flush).expect("deflate");
    while c.total_in() < data.len() as u64 || (flush == FlushCompress::Finish && out.len() == out.capacity()) {
        out.reserve(64 * 1024);
        let before = c.total_in() as usize;
        c.compress_vec(&data[before..], &mut out, flush).expect("deflate");
    }
    out
}

impl Part {
    /// A part holding `head`, then `middle` repeated `times`, then `tail`.
    pub fn repeated(name: &str, head: &str, middle: &str, times: u64, tail: &str) -> Part {
        let mut deflated = deflate_chunk(head.as_bytes(), FlushCompress::Full);
        let chunk = deflate_chunk(middle.as_bytes(), FlushCompress::Full);
        let mut crc = crc32fast::Hasher::new();
        crc.update(head.as_bytes());
        for _ in 0..times {
            deflated.extend_from_slice(&chunk);
            crc.update(middle.as_bytes());
        }
        deflated.extend_from_slice(&deflate_chunk(tail.as_bytes(), FlushCompress::Finish));
        crc.update(tail.as_bytes());
        let size = (head.len() + tail.len()) as u64 + middle.len() as u64 * times;
        Part { name: name.into(), deflated, crc: crc.finalize(), size, declared: size }
    }

    pub fn plain(name: &str, text: &str) -> Part {
        Part::repeated(name, text, "", 0, "")
    }

    /// The same part, declaring an inflated size it does not have.
    pub fn lying(mut self, declared: u64) -> Part {
        self.declared = declared;
        self
    }
}

/// A ZIP of `parts` (deflate, ZIP64 sizes when a part passes 4 GiB).
pub fn zip(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for p in parts {
        let offset = out.len() as u32;
        let declared = u32::try_from(p.declared).unwrap_or(u32::MAX);
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.write_all(&sig.to_le_bytes()).expect("w");
            if central {
                h.write_all(&20u16.to_le_bytes()).expect("w"); // made by
            }
            for v in [20u16, 0, 8, 0, 0x21] {
                h.write_all(&v.to_le_bytes()).expect("w"); // version, flags, deflate, time, date
            }
            h.write_all(&p.crc.to_le_bytes()).expect("w");
            h.write_all(&(p.deflated.len() as u32).to_le_bytes()).expect("w");
            h.write_all(&declared.to_le_bytes()).expect("w");
            h.write_all(&(p.name.len() as u16).to_le_bytes()).expect("w");
            h.write_all(&0u16.to_le_bytes()).expect("w"); // extra
            if central {
                for v in [0u16, 0, 0] {
                    h.write_all(&v.to_le_bytes()).expect("w"); // comment, disk, internal attrs
                }
                h.write_all(&0u32.to_le_bytes()).expect("w"); // external attrs
                h.write_all(&offset.to_le_bytes()).expect("w");
            }
            h.write_all(p.name.as_bytes()).expect("w");
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend_from_slice(&p.deflated);
        central.extend(header(0x0201_4b50, true));
    }
    let cd_offset = out.len() as u32;
    let cd_len = central.len() as u32;
    out.extend(central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, parts.len() as u16, parts.len() as u16] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&cd_len.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
const WS_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const WS_TAIL: &str = "</sheetData></worksheet>";
const SST_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

fn workbook_xml(sheets: usize) -> String {
    let list: String = (1..=sheets).map(|i| format!(r#"<sheet name="survey{i}" sheetId="{i}" r:id="rId1"/>"#)).collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{list}</sheets></workbook>"#
    )
}

/// A small valid workbook whose sheet and shared strings are the given parts.
fn workbook(sheet: Part, strings: Part, extra: Vec<Part>, sheets: usize) -> Vec<u8> {
    let mut parts = vec![
        Part::plain("[Content_Types].xml", CONTENT_TYPES),
        Part::plain("_rels/.rels", RELS),
        Part::plain("xl/workbook.xml", &workbook_xml(sheets)),
        Part::plain("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        sheet,
        strings,
    ];
    parts.extend(extra);
    zip(&parts)
}

fn small_sheet() -> Part {
    Part::plain(
        "xl/worksheets/sheet1.xml",
        &format!(r#"{WS_HEAD}<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>{WS_TAIL}"#),
    )
}

fn small_strings() -> Part {
    Part::plain("xl/sharedStrings.xml", &format!("{SST_HEAD}<si><t>type</t></si><si><t>name</t></si></sst>"))
}

/// The harmless workbook the bombs are variations of (it reads fine).
pub fn harmless() -> Vec<u8> {
    workbook(small_sheet(), small_strings(), vec![], 1)
}

/// Every bomb, named: each inflates far past what the server accepts.
pub fn all() -> Vec<(&'static str, Vec<u8>)> {
    let mib_of_a = "A".repeat(1024 * 1024);
    vec![
        // 1 GiB of shared strings.
        ("shared strings", workbook(small_sheet(), Part::repeated("xl/sharedStrings.xml", &format!("{SST_HEAD}<si><t>"), &mib_of_a, 1024, "</t></si></sst>"), vec![], 1)),
        // Millions of shared-string entries, each tiny.
        ("many shared strings", workbook(small_sheet(), Part::repeated("xl/sharedStrings.xml", SST_HEAD, &"<si><t>x</t></si>".repeat(4096), 2048, "</sst>"), vec![], 1)),
        // One inline string of 1 GiB.
        (
            "inline string",
            workbook(
                Part::repeated("xl/worksheets/sheet1.xml", &format!(r#"{WS_HEAD}<row r="1"><c r="A1" t="inlineStr"><is><t>"#), &mib_of_a, 1024, &format!("</t></is></c></row>{WS_TAIL}")),
                small_strings(),
                vec![],
                1,
            ),
        ),
        // Forty cells of half a MiB of text each: more text than the workbook may hold.
        (
            "long texts",
            workbook(
                Part::repeated(
                    "xl/worksheets/sheet1.xml",
                    &format!(r#"{WS_HEAD}<row r="1">"#),
                    &format!(r#"<c t="inlineStr"><is><t>{}</t></is></c>"#, "B".repeat(512 * 1024)),
                    40,
                    &format!("</row>{WS_TAIL}"),
                ),
                small_strings(),
                vec![],
                1,
            ),
        ),
        // One tag whose attribute runs for 1 GiB.
        (
            "huge tag",
            workbook(Part::repeated("xl/worksheets/sheet1.xml", &format!(r#"{WS_HEAD}<row r="1" spans=""#), &mib_of_a, 1024, &format!(r#""/>{WS_TAIL}"#)), small_strings(), vec![], 1),
        ),
        // Eight million empty cells.
        (
            "empty cells",
            workbook(Part::repeated("xl/worksheets/sheet1.xml", &format!(r#"{WS_HEAD}<row r="1">"#), &"<c/>".repeat(8192), 1024, &format!("</row>{WS_TAIL}")), small_strings(), vec![], 1),
        ),
        // Two million rows.
        ("rows", workbook(Part::repeated("xl/worksheets/sheet1.xml", WS_HEAD, &"<row/>".repeat(2048), 1024, WS_TAIL), small_strings(), vec![], 1)),
        // Styles nested a million deep.
        (
            "deep styles",
            workbook(
                small_sheet(),
                small_strings(),
                vec![Part::repeated("xl/styles.xml", r#"<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#, &"<a>".repeat(1024), 1024, "")],
                1,
            ),
        ),
        // Ten thousand sheets declared.
        ("many sheets", workbook(small_sheet(), small_strings(), vec![], 10_000)),
        // Thousands of parts inside the ZIP.
        ("many parts", workbook(small_sheet(), small_strings(), (0..5000).map(|i| Part::plain(&format!("xl/media/image{i}.bin"), "x")).collect(), 1)),
        // Shared strings that declare 200 bytes and inflate to 1 GiB.
        (
            "lying sizes",
            workbook(small_sheet(), Part::repeated("xl/sharedStrings.xml", &format!("{SST_HEAD}<si><t>"), &mib_of_a, 1024, "</t></si></sst>").lying(200), vec![], 1),
        ),
    ]
}
