//! The XLSForm corpus (`tests/forms/corpus/*.md`): forms written the way ODK and Kobo users
//! write them, each turned into a workbook, read by pyxform (the reference converter,
//! installed by `scripts/setup.sh --tests`) and by our importer, and compared field by field
//! (path, type, list, required, relevant, constraint, calculation, repeat_count,
//! choice_filter, label languages, choice lists). A form pyxform refuses must be refused
//! too. Each form carries a submission with its known verdict, checked with our engine.
//!
//! A corpus file is pyxform's markdown layout: a row whose first cell names a sheet
//! (`| survey |`) starts it, the rows after it (first cell empty) are its rows, the first
//! being the headers. Then `answers: valid` (or `answers: invalid <path> <code>`) and one
//! `path = value` line per answer. A form using a feature not supported yet says
//! `refused: survey <row>`: pyxform must read it and our importer must refuse it naming
//! that row (never silently dropping the feature).

use std::path::{Path, PathBuf};
use std::process::Command;

use shared::answers::Answers;
use shared::expr::Clock;
use shared::form::{FieldKind, Flag, Form, Item, MetaKind};
use shared::validate::validate;

/// A corpus form: its sheets and its submission.
struct Case {
    name: String,
    sheets: Vec<(String, Vec<Vec<String>>)>,
    answers: Vec<(String, String)>,
    /// `None`: valid; `Some((path, code))`: the first error expected.
    verdict: Option<(String, String)>,
    /// A feature pyxform accepts that we do not support yet: the survey row our importer
    /// must name when it refuses the form (`refused: survey 3`).
    refused_at: Option<(String, u32)>,
    /// Files published with the form (`file NAME` … `end file`).
    files: Vec<shared::form::Attachment>,
}

fn read_case(path: &Path) -> anyhow::Result<Case> {
    let text = std::fs::read_to_string(path)?;
    let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
    let (mut sheets, mut answers, mut verdict, mut in_answers) = (Vec::<(String, Vec<Vec<String>>)>::new(), Vec::new(), None, false);
    let mut refused_at = None;
    let mut files: Vec<shared::form::Attachment> = Vec::new();
    let mut in_file = false;
    for line in text.lines() {
        if in_file {
            if line.trim() == "end file" {
                in_file = false;
            } else if let Some(f) = files.last_mut() {
                f.bytes.extend_from_slice(line.as_bytes());
                f.bytes.push(b'\n');
            }
            continue;
        }
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix("file ") {
            files.push(shared::form::Attachment { name: name.trim().to_string(), bytes: Vec::new() });
            in_file = true;
        } else if let Some(rest) = line.strip_prefix("refused:") {
            let (sheet, row) = rest.trim().split_once(' ').ok_or_else(|| anyhow::anyhow!("{name}: refused: <sheet> <row>"))?;
            refused_at = Some((sheet.to_string(), row.trim().parse()?));
        } else if let Some(rest) = line.strip_prefix("answers:") {
            in_answers = true;
            let words: Vec<&str> = rest.split_whitespace().collect();
            verdict = match words.as_slice() {
                ["valid"] => None,
                ["invalid", path, code] => Some((path.to_string(), code.to_string())),
                _ => anyhow::bail!("{name}: bad answers line «{line}»"),
            };
        } else if in_answers {
            let (p, v) = line.split_once('=').ok_or_else(|| anyhow::anyhow!("{name}: bad answer «{line}»"))?;
            answers.push((p.trim().to_string(), v.trim().to_string()));
        } else if line.starts_with('|') {
            let cells: Vec<String> = line.trim_matches('|').split('|').map(|c| c.trim().to_string()).collect();
            match cells.split_first() {
                Some((sheet, _)) if !sheet.is_empty() => sheets.push((sheet.clone(), Vec::new())),
                Some((_, row)) => sheets.last_mut().ok_or_else(|| anyhow::anyhow!("{name}: a row before any sheet"))?.1.push(row.to_vec()),
                None => {}
            }
        }
    }
    Ok(Case { name, sheets, answers, verdict, refused_at, files })
}

fn workbook(case: &Case) -> anyhow::Result<Vec<u8>> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in &case.sheets {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate().filter(|(_, c)| !c.is_empty()) {
                ws.write_string(r as u32, c as u16, cell)?;
            }
        }
    }
    Ok(wb.save_to_buffer()?)
}

fn python() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")));
    target.join("tools/venv/bin/python")
}

fn kind_name(kind: &FieldKind) -> (&'static str, Option<String>) {
    match kind {
        FieldKind::Text => ("text", None),
        FieldKind::Integer => ("integer", None),
        FieldKind::Decimal => ("decimal", None),
        FieldKind::SelectOne { list } => ("select_one", Some(list.clone())),
        FieldKind::SelectMultiple { list } => ("select_multiple", Some(list.clone())),
        FieldKind::Note => ("note", None),
        FieldKind::Date => ("date", None),
        FieldKind::Time => ("time", None),
        FieldKind::DateTime => ("datetime", None),
        FieldKind::GeoPoint => ("geopoint", None),
        FieldKind::Image => ("image", None),
        FieldKind::Calculate => ("calculate", None),
        FieldKind::Range { .. } => ("range", None),
        FieldKind::Acknowledge => ("acknowledge", None),
        FieldKind::Meta(MetaKind::Start) => ("start", None),
        FieldKind::Meta(MetaKind::End) => ("end", None),
        FieldKind::Meta(MetaKind::Today) => ("today", None),
        FieldKind::Meta(MetaKind::DeviceId) => ("deviceid", None),
        FieldKind::Meta(MetaKind::Username) => ("username", None),
        FieldKind::GeoTrace => ("geotrace", None),
        FieldKind::GeoShape => ("geoshape", None),
        FieldKind::Audio => ("audio", None),
        FieldKind::Video => ("video", None),
        FieldKind::File => ("file", None),
        FieldKind::Barcode => ("barcode", None),
        FieldKind::Rank { list } => ("rank", Some(list.clone())),
        FieldKind::Hidden => ("hidden", None),
        FieldKind::Meta(MetaKind::StartGeopoint) => ("start-geopoint", None),
        FieldKind::Meta(MetaKind::Audit) => ("audit", None),
        FieldKind::Meta(MetaKind::PhoneNumber) => ("phonenumber", None),
        FieldKind::Meta(MetaKind::Email) => ("email", None),
        FieldKind::Meta(MetaKind::SimSerial) => ("simserial", None),
        FieldKind::Meta(MetaKind::SubscriberId) => ("subscriberid", None),
    }
}

fn languages(text: &shared::form::Text) -> Vec<String> {
    text.iter().map(|(l, _)| l.to_string()).collect()
}

/// Our importer's view, in pyxform's shape.
fn our_view(form: &Form) -> Vec<serde_json::Value> {
    fn walk(items: &[Item], prefix: &str, out: &mut Vec<serde_json::Value>) {
        let src = |e: Option<&shared::expr::Expression>| e.map(|e| e.source().to_string());
        for item in items {
            match item {
                Item::Field(f) => {
                    let (kind, list) = kind_name(&f.kind);
                    let required = match &f.required {
                        Flag::Yes => Some("yes".to_string()),
                        Flag::No => None,
                        Flag::When(e) => Some(e.source().to_string()),
                    };
                    out.push(serde_json::json!({
                        "path": format!("{prefix}{}", f.name), "type": kind, "list": list, "required": required,
                        "relevant": src(f.relevant.as_ref()), "constraint": src(f.constraint.as_ref()),
                        "calculation": src(f.calculation.as_ref()), "repeat_count": null,
                        "choice_filter": src(f.choice_filter.as_ref()), "languages": languages(&f.label),
                    }));
                }
                Item::Group(g) | Item::Repeat(g) => {
                    let kind = if matches!(item, Item::Repeat(_)) { "repeat" } else { "group" };
                    out.push(serde_json::json!({
                        "path": format!("{prefix}{}", g.name), "type": kind, "list": null, "required": null,
                        "relevant": src(g.relevant.as_ref()), "constraint": null, "calculation": null,
                        "repeat_count": src(g.repeat_count.as_ref()), "choice_filter": null, "languages": languages(&g.label),
                    }));
                    walk(&g.children, &format!("{prefix}{}/", g.name), out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&form.items, "", &mut out);
    out
}

#[test]
fn every_corpus_form_reads_as_pyxform_reads_it_and_its_submission_gets_its_verdict() -> anyhow::Result<()> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/forms/corpus"));
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "md")).collect();
    paths.sort();
    anyhow::ensure!(!paths.is_empty(), "no corpus forms");
    let tmp = tempfile::tempdir()?;
    let mut cases = Vec::new();
    for p in &paths {
        let case = read_case(p)?;
        let file = tmp.path().join(format!("{}.xlsx", case.name));
        let bytes = workbook(&case)?;
        std::fs::write(&file, &bytes)?;
        cases.push((case, file, bytes));
    }
    let out = Command::new(python())
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/forms/pyxform_view.py"))
        .args(cases.iter().map(|(_, f, _)| f))
        .output()
        .map_err(|e| anyhow::anyhow!("pyxform's python did not start ({e}); run scripts/setup.sh --tests"))?;
    anyhow::ensure!(out.status.success(), "pyxform_view failed: {}", String::from_utf8_lossy(&out.stderr));
    let views: Vec<serde_json::Value> = String::from_utf8(out.stdout)?.lines().map(serde_json::from_str).collect::<Result<_, _>>()?;
    let clock = Clock::at(chrono::NaiveDate::from_ymd_opt(2025, 6, 1).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("date"));
    let mut problems = Vec::new();
    for ((case, _, bytes), view) in cases.iter().zip(&views) {
        let ours = shared::form::import_with_files(bytes, None, &case.files);
        if let Some((sheet, row)) = &case.refused_at {
            // Not supported yet: pyxform reads it; we refuse it naming the row, in Spanish.
            match &ours {
                _ if view["ok"].as_bool() != Some(true) => problems.push(format!("{}: pyxform refuses a form listed as a gap: {}", case.name, view["error"])),
                Ok(_) => problems.push(format!("{}: listed as not supported, but it imports: move it to the corpus proper", case.name)),
                Err(e) if !e.0.iter().any(|x| x.location.sheet == *sheet && x.location.row == Some(*row)) => {
                    problems.push(format!("{}: refused without naming {sheet} row {row}: {e}", case.name))
                }
                Err(_) => {}
            }
            continue;
        }
        match (view["ok"].as_bool() == Some(true), &ours) {
            (false, Err(_)) => continue,
            (false, Ok(_)) => problems.push(format!("{}: pyxform refuses it ({}) and we accept it", case.name, view["error"])),
            (true, Err(e)) => problems.push(format!("{}: pyxform accepts it and we refuse it: {e}", case.name)),
            (true, Ok(imported)) => {
                let theirs = view["nodes"].as_array().cloned().unwrap_or_default();
                let mine = our_view(&imported.form);
                for (a, b) in theirs.iter().zip(&mine) {
                    for key in ["path", "type", "list", "required", "relevant", "constraint", "calculation", "repeat_count", "choice_filter", "languages"] {
                        if a[key] != b[key] {
                            problems.push(format!("{} · {} · {key}: pyxform {} / nosotros {}", case.name, a["path"], a[key], b[key]));
                        }
                    }
                }
                if theirs.len() != mine.len() {
                    problems.push(format!("{}: pyxform reads {} nodes, we read {}", case.name, theirs.len(), mine.len()));
                }
                for (list, names) in view["lists"].as_object().into_iter().flatten() {
                    let ours: Vec<&str> = imported.form.lists.get(list).map(|l| l.choices.iter().map(|c| c.name.as_str()).collect()).unwrap_or_default();
                    let theirs: Vec<&str> = names.as_array().into_iter().flatten().filter_map(|n| n.as_str()).collect();
                    if ours != theirs {
                        problems.push(format!("{} · list {list}: pyxform {theirs:?} / nosotros {ours:?}", case.name));
                    }
                }
                let answers = Answers::from_paths(case.answers.iter().map(|(p, v)| (p.as_str(), v.as_str())));
                let report = validate(&imported.form, &answers, clock, imported.form.language());
                let got = report.errors.first().map(|e| (e.path.clone(), e.code.as_str().to_string()));
                if got != case.verdict {
                    problems.push(format!("{}: expected verdict {:?}, got {:?} ({:?})", case.name, case.verdict, got, report.errors));
                }
            }
        }
    }
    anyhow::ensure!(problems.is_empty(), "{} form(s) read, differences:\n{}", cases.len(), problems.join("\n"));
    Ok(())
}
