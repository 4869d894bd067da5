//! The files published with a form, joined to it: lists read from data files, declared
//! instances and lookups checked against the files given, then the whole-form checks.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::Problems;
use super::checks;
use crate::expr::{Func, Node};
use crate::form::attachments::{Attachment, AttachmentKind, Checked, instance_name};
use crate::form::error::{ImportErrorKind, Location};
use crate::form::model::{Form, Item};

const SURVEY: &str = "survey";

/// Joins `files` (already checked into `checked`) to `form`, then runs the whole-form
/// checks and gives a form without a version its content's.
pub(crate) fn attach(form: &mut Form, files: &[Attachment], checked: Checked, problems: &mut Problems) {
    let mut named: Vec<(String, String)> = files.iter().map(|f| (f.name.clone(), crate::digest::sha256_hex(&f.bytes))).collect();
    named.sort();
    form.files = named;
    form.datasets = checked.datasets.into_iter().map(|(k, v)| (k, Arc::new(v))).collect();
    let mut used: BTreeSet<String> = BTreeSet::new();
    lists_from_files(form, &mut used, problems);
    for (instance, row) in &form.externals {
        used.insert(instance.clone());
        if !form.datasets.contains_key(instance) {
            problems.push(Location::cell(SURVEY, *row, "name"), ImportErrorKind::MissingAttachment(format!("{instance}.csv o {instance}.xml")));
        }
    }
    lookups(form, &mut used, problems);
    media_present(form, problems);
    for (instance, file) in &checked.data_files {
        if !used.contains(instance) {
            problems.warn(Location::sheet("archivos adjuntos"), format!("«{file}» no lo usa ninguna pregunta del formulario"));
        }
    }
    checks::run(form, problems);
    if form.version.is_empty() {
        form.version = format!("h{}", &crate::form::fingerprint(form)[..12]);
        problems.warn(Location::file(), format!("sin version en settings: se usa «{}», la huella del contenido", form.version));
    }
}

/// `select_one_from_file x.csv`: the list `x.csv` from the file's rows.
fn lists_from_files(form: &mut Form, used: &mut BTreeSet<String>, problems: &mut Problems) {
    let wanted: Vec<(String, u32, String, String)> = form
        .fields()
        .into_iter()
        .filter_map(|f| {
            let list = f.list_name()?;
            AttachmentKind::of(list).filter(|k| *k != AttachmentKind::Media)?;
            let param = |k: &str, default: &str| f.parameters.get(k).cloned().unwrap_or_else(|| default.to_string());
            Some((list.to_string(), f.row, param("value", "name"), param("label", "label")))
        })
        .collect();
    for (file, row, value, label) in wanted {
        let instance = instance_name(&file).to_string();
        used.insert(instance.clone());
        if form.lists.contains_key(&file) {
            continue;
        }
        let Some(data) = form.datasets.get(&instance) else {
            problems.push(Location::cell(SURVEY, row, "type"), ImportErrorKind::MissingAttachment(file));
            continue;
        };
        match super::choices::from_dataset(&file, data, &value, &label) {
            Ok(list) => {
                form.lists.insert(file, list);
            }
            Err(why) => problems.push(Location::cell(SURVEY, row, "parameters"), ImportErrorKind::BadValue { value: why, expected: "value= y label= deben nombrar columnas del archivo" }),
        }
    }
}

/// `instance('x')/…` and `pulldata('x', …)` must name a data file given with the form.
fn lookups(form: &Form, used: &mut BTreeSet<String>, problems: &mut Problems) {
    type Found = Vec<(u32, &'static str, (String, Vec<String>))>;
    fn walk(items: &[Item], out: &mut Found) {
        for item in items {
            match item {
                Item::Field(f) => {
                    for (column, e) in f.expressions() {
                        if let Some(e) = e {
                            instances_named(e.root(), &mut |found| out.push((f.row, column, found)));
                        }
                    }
                }
                Item::Group(g) | Item::Repeat(g) => {
                    for (column, e) in [("relevant", &g.relevant), ("repeat_count", &g.repeat_count)] {
                        if let Some(e) = e {
                            instances_named(e.root(), &mut |found| out.push((g.row, column, found)));
                        }
                    }
                    walk(&g.children, out);
                }
            }
        }
    }
    let mut found = Vec::new();
    walk(&form.items, &mut found);
    for (row, column, (name, columns)) in found {
        used.insert(name.clone());
        match form.datasets.get(&name) {
            None => problems.push(Location::cell(SURVEY, row, column), ImportErrorKind::MissingAttachment(format!("{name}.csv o {name}.xml"))),
            Some(data) => {
                for c in columns.iter().filter(|c| data.column(c).is_none()) {
                    problems.push(Location::cell(SURVEY, row, column), ImportErrorKind::BadValue { value: format!("{name}/{c}"), expected: "una columna del archivo adjunto" });
                }
            }
        }
    }
}

/// Calls `f` with the instance each `instance('x')` path and `pulldata('x', …)` names,
/// and the columns it reads (literal ones).
fn instances_named(node: &Node, f: &mut impl FnMut((String, Vec<String>))) {
    match node {
        Node::Instance { name, predicate, column } => {
            let mut columns: Vec<String> = column.iter().cloned().collect();
            if let Some(p) = predicate {
                super::checks::collect_choice_columns(p, &mut |c| columns.push(c.to_string()));
                instances_named(p, f);
            }
            f((name.clone(), columns));
        }
        Node::Call(Func::Pulldata, args) => {
            if let Some(Node::Str(name)) = args.first() {
                let columns = args.get(1..3).unwrap_or_default().iter().filter_map(|a| if let Node::Str(c) = a { Some(c.clone()) } else { None }).collect();
                f((name.clone(), columns));
            }
            args.iter().for_each(|a| instances_named(a, f));
        }
        Node::Call(_, args) => args.iter().for_each(|a| instances_named(a, f)),
        Node::Neg(inner) => instances_named(inner, f),
        Node::Binary(_, a, b) | Node::Filter(a, b) => {
            instances_named(a, f);
            instances_named(b, f);
        }
        _ => {}
    }
}

/// Every media file a question or choice shows must be among the files given.
fn media_present(form: &Form, problems: &mut Problems) {
    let given = |name: &str| form.files.iter().any(|(n, _)| n == name);
    let mut missing = |sheet: &str, row: u32, kind: &str, files: &crate::form::Text| {
        for (lang, file) in files.iter().filter(|(_, f)| !f.trim().is_empty() && !given(f.trim())) {
            let column = if lang.is_empty() { format!("media::{kind}") } else { format!("media::{kind}::{lang}") };
            problems.push(Location::cell(sheet, row, &column), ImportErrorKind::MissingAttachment(file.trim().to_string()));
        }
    };
    for f in form.fields() {
        for (kind, files) in &f.media {
            missing(SURVEY, f.row, kind, files);
        }
    }
    for list in form.lists.values().filter(|l| !l.from_file) {
        for c in &list.choices {
            for (kind, files) in &c.media {
                missing("choices", c.row, kind, files);
            }
        }
    }
}
