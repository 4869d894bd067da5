//! From workbook bytes to a checked [`Form`]: every problem found is reported at once,
//! each at its sheet, row and column.

mod cells;
mod checks;
mod choices;
mod files;
mod settings;
mod survey;

use super::attachments::{self, Attachment};
use super::error::{ImportError, ImportErrorKind, ImportErrors, Location};
use super::model::Form;
use super::sheet::{Table, read_workbook};

/// A form that imported, with the notes about what was ignored.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The form.
    pub form: Form,
    /// Columns and settings that were ignored (as other XLSForm tools ignore them).
    pub warnings: Vec<String>,
}

/// Problems collected while reading; sorted before they are returned.
#[derive(Default)]
pub(crate) struct Problems {
    errors: Vec<ImportError>,
    warnings: Vec<String>,
}

impl Problems {
    pub fn push(&mut self, location: Location, kind: ImportErrorKind) {
        self.errors.push(ImportError::new(location, kind));
    }

    pub fn warn(&mut self, location: Location, message: String) {
        self.warnings.push(format!("{location}: {message}"));
    }
}

/// Imports an XLSForm workbook (`.xlsx` bytes).
///
/// Invariant: never panics; on failure returns every problem found, sorted by place.
pub fn import_xlsx(bytes: &[u8]) -> Result<Imported, ImportErrors> {
    import_xlsx_named(bytes, None)
}

/// [`import_xlsx`] of a workbook whose file name (or the id it was published under) is
/// known: it is the form id when the settings sheet has none, as pyxform and ODK Central
/// take it. A form without a version gets one from its content (`h` and the first 12 hex
/// digits of its fingerprint), so importing the same workbook again gives the same version.
pub fn import_xlsx_named(bytes: &[u8], file_name: Option<&str>) -> Result<Imported, ImportErrors> {
    import_with_files(bytes, file_name, &[])
}

/// [`import_xlsx_named`] with the files published with the form: data files (CSV, XML)
/// that `select_one_from_file`, `instance('…')` and `pulldata()` read, and media. A file
/// the form names and that is missing, and a file that cannot be read, are errors; a file
/// the form does not name is a warning.
pub fn import_with_files(bytes: &[u8], file_name: Option<&str>, files: &[Attachment]) -> Result<Imported, ImportErrors> {
    let (tables, sheet_errors) = read_workbook(bytes)?;
    let mut problems = Problems { errors: sheet_errors, warnings: Vec::new() };
    let checked = match attachments::check(files) {
        Ok(c) => c,
        Err(errors) => {
            for e in errors {
                problems.push(Location::sheet("archivos adjuntos"), ImportErrorKind::Attachment(e));
            }
            attachments::Checked::default()
        }
    };
    let mut form = build(&tables, file_name, &mut problems);
    if let Some(form) = form.as_mut() {
        files::attach(form, files, checked, &mut problems);
    }
    let mut errors = problems.errors;
    match form {
        Some(form) if errors.is_empty() => Ok(Imported { form, warnings: problems.warnings }),
        _ => {
            errors.sort_by(|a, b| a.location.cmp(&b.location));
            errors.dedup();
            if errors.is_empty() {
                errors.push(ImportError::new(Location::file(), ImportErrorKind::EmptySheet));
            }
            Err(ImportErrors(errors))
        }
    }
}

/// The choice `other` («Otro» in each language of the list) a select `or_other` adds.
fn add_other(lists: &mut std::collections::BTreeMap<String, crate::form::model::ChoiceList>, name: &str) {
    let Some(list) = lists.get_mut(name) else { return };
    if list.get("other").is_some() {
        return;
    }
    let mut label = crate::form::Text::default();
    let languages: Vec<String> = list.choices.first().map(|c| c.label.iter().map(|(l, _)| l.to_string()).collect()).unwrap_or_default();
    for language in if languages.is_empty() { vec![String::new()] } else { languages } {
        label.insert(&language, "Otro".into());
    }
    let row = list.choices.last().map_or(0, |c| c.row);
    list.choices.push(crate::form::model::Choice { name: "other".into(), label, row, extra: Default::default(), media: Default::default() });
}

fn find<'a>(tables: &'a [Table], name: &str) -> Option<&'a Table> {
    tables.iter().find(|t| t.name.trim().eq_ignore_ascii_case(name))
}

fn build(tables: &[Table], file_name: Option<&str>, problems: &mut Problems) -> Option<Form> {
    let Some(survey) = find(tables, "survey") else {
        problems.push(Location::file(), ImportErrorKind::MissingSheet("survey"));
        return None;
    };
    let settings = settings::read(find(tables, "settings"), file_name, problems);
    let lists = find(tables, "choices").map(|t| choices::read(t, problems));
    let survey::Survey { items, languages, or_other, externals } = survey::read(survey, problems)?;
    // Broken settings are already reported; the rest of the form is still checked so that
    // every problem comes out at once.
    let (id, version, title, default_language) = settings.unwrap_or_else(|| ("formulario".into(), None, Default::default(), None));
    let version = version.unwrap_or_default();
    let mut lists = lists;
    if let Some(lists) = lists.as_mut() {
        for name in &or_other {
            add_other(lists, name);
        }
    }
    let mut form = Form {
        id,
        version,
        title,
        default_language,
        languages,
        items,
        lists: lists.unwrap_or_default(),
        files: Vec::new(),
        datasets: Default::default(),
        externals,
    };
    let from_file = |f: &&crate::form::Field| f.list_name().is_some_and(|l| crate::form::AttachmentKind::of(l).is_some());
    if find(tables, "choices").is_none() && form.fields().iter().any(|f| f.list_name().is_some() && f.choices_from_repeat().is_none() && !from_file(f)) {
        // Reported once here, and at each row that names a list (by the whole-form checks).
        problems.push(Location::file(), ImportErrorKind::MissingSheet("choices"));
    }
    form.languages.sort();
    Some(form)
}
