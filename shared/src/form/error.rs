//! Import errors: each names the sheet, row and column and says, in Spanish, what is wrong.

use thiserror::Error;

use crate::expr::ExprError;

/// Where in the workbook a problem is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// Sheet name as the user wrote it (`survey`, `choices`, `settings`), or empty for the file.
    pub sheet: String,
    /// 1-based spreadsheet row, when the problem is in one row.
    pub row: Option<u32>,
    /// Column header, when the problem is in one cell.
    pub column: Option<String>,
}

impl Location {
    pub(crate) fn file() -> Self {
        Self { sheet: String::new(), row: None, column: None }
    }

    pub(crate) fn sheet(sheet: &str) -> Self {
        Self { sheet: sheet.to_string(), row: None, column: None }
    }

    pub(crate) fn cell(sheet: &str, row: u32, column: &str) -> Self {
        Self { sheet: sheet.to_string(), row: Some(row), column: Some(column.to_string()) }
    }

    pub(crate) fn row(sheet: &str, row: u32) -> Self {
        Self { sheet: sheet.to_string(), row: Some(row), column: None }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if !self.sheet.is_empty() {
            parts.push(self.sheet.clone());
        }
        if let Some(row) = self.row {
            parts.push(format!("fila {row}"));
        }
        if let Some(col) = &self.column {
            parts.push(format!("columna {col}"));
        }
        if parts.is_empty() {
            f.write_str("archivo")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

/// One problem found while importing an XLSForm.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("{location}: {kind}")]
pub struct ImportError {
    pub location: Location,
    pub kind: ImportErrorKind,
}

impl ImportError {
    pub(crate) fn new(location: Location, kind: ImportErrorKind) -> Self {
        Self { location, kind }
    }
}

/// What is wrong. Messages are for form authors, in Spanish.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ImportErrorKind {
    #[error("el archivo no es un libro de Excel (.xlsx) legible: {0}")]
    NotXlsx(String),
    /// The workbook crossed a size limit; nothing of it was read.
    #[error("el libro es demasiado grande: {0}")]
    TooBig(super::xlsx_guard::XlsxLimit),
    #[error("falta la hoja «{0}»")]
    MissingSheet(&'static str),
    #[error("la hoja está vacía")]
    EmptySheet,
    #[error("falta la columna «{0}»")]
    MissingColumn(&'static str),
    #[error("la columna «{0}» aparece dos veces")]
    DuplicateColumn(String),
    #[error("la celda contiene un error de Excel ({0})")]
    CellError(String),
    #[error("tipo desconocido «{0}»")]
    UnknownType(String),
    #[error("el tipo «{0}» no está soportado: {1}")]
    UnsupportedType(String, &'static str),
    #[error("falta el nombre de la lista de opciones después de «{0}»")]
    MissingListName(String),
    #[error("la lista de opciones «{0}» no existe en la hoja choices")]
    UnknownList(String),
    #[error("la lista «{0}» no tiene opciones")]
    EmptyList(String),
    #[error("la opción «{name}» está repetida en la lista «{list}» (ya está en la fila {first_row})")]
    DuplicateChoice { list: String, name: String, first_row: u32 },
    #[error("falta el nombre")]
    MissingName,
    #[error("nombre inválido «{0}»: debe empezar con letra o «_» y tener solo letras, números, «_», «-» o «.»")]
    InvalidName(String),
    #[error("el nombre «{name}» está repetido (ya se usa en la fila {first_row})")]
    DuplicateName { name: String, first_row: u32 },
    #[error("falta la etiqueta (label)")]
    MissingLabel,
    #[error("expresión inválida: {0}")]
    BadExpression(ExprError),
    #[error("${{{0}}} no es el nombre de ninguna pregunta del formulario")]
    UnknownReference(String),
    #[error("los cálculos forman un ciclo: {0}")]
    Cycle(String),
    #[error("«{0}» sin el «begin» que le corresponde")]
    UnmatchedEnd(String),
    #[error("«{0}» sin cerrar: falta su «end»")]
    Unclosed(String),
    #[error("se esperaba «{expected}» para cerrar lo abierto en la fila {open_row}")]
    MismatchedEnd { expected: &'static str, open_row: u32 },
    #[error("falta el ajuste «{0}»")]
    MissingSetting(&'static str),
    #[error("el ajuste «{0}» no está soportado: {1}")]
    UnsupportedSetting(String, &'static str),
    #[error("valor «{value}» inválido: {expected}")]
    BadValue { value: String, expected: &'static str },
    #[error("valor por defecto «{value}» inválido: {problem}")]
    BadDefault { value: String, problem: crate::answers::TypeProblem },
    #[error("parámetro «{0}» desconocido para este tipo")]
    UnknownParameter(String),
    #[error("falta el archivo adjunto «{0}»: súbalo junto con el formulario")]
    MissingAttachment(String),
    #[error("{0}")]
    Attachment(crate::form::AttachmentError),
    #[error("«{column}» solo aplica a preguntas {applies_to}")]
    ColumnNotApplicable { column: &'static str, applies_to: &'static str },
    #[error("la lista «{list}» no sirve para la calificación {scoring}: le faltan las opciones {missing}")]
    ScoringChoices { list: String, scoring: &'static str, missing: String },
}

impl From<ExprError> for ImportErrorKind {
    fn from(e: ExprError) -> Self {
        ImportErrorKind::BadExpression(e)
    }
}

/// All problems found in one workbook, sorted by place. Invariant: never empty.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("{}", render(.0))]
pub struct ImportErrors(pub Vec<ImportError>);

fn render(errors: &[ImportError]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

impl ImportErrors {
    /// The size limit the workbook crossed, when that is why nothing was read.
    pub fn too_big(&self) -> Option<&super::xlsx_guard::XlsxLimit> {
        self.0.iter().find_map(|e| match &e.kind {
            ImportErrorKind::TooBig(limit) => Some(limit),
            _ => None,
        })
    }

    /// The problems, sorted by sheet, row and column.
    pub fn iter(&self) -> impl Iterator<Item = &ImportError> {
        self.0.iter()
    }

    /// How many problems there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false (kept for clippy's `len_without_is_empty`).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
