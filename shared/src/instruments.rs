//! The default instruments of method MGS-1, shipped as XLSForm workbooks inside the crate
//! (`shared/forms/*.xlsx`), each with a committed text rendering beside it.

use crate::form::{Form, ImportErrors, import_xlsx};

/// The exit survey «Encuesta de opinión ciudadana», as an XLSForm workbook.
pub const ENCUESTA_XLSX: &[u8] = include_bytes!("../forms/encuesta_opinion.xlsx");
/// The site-visit checklist «Cédula de visita – Modelo de Gestión de Servicio».
pub const CEDULA_XLSX: &[u8] = include_bytes!("../forms/cedula_visita.xlsx");

/// The exit survey, imported.
pub fn encuesta() -> Result<Form, ImportErrors> {
    import_xlsx(ENCUESTA_XLSX).map(|i| i.form)
}

/// The site-visit checklist, imported.
pub fn cedula() -> Result<Form, ImportErrors> {
    import_xlsx(CEDULA_XLSX).map(|i| i.form)
}
