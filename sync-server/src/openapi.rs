//! The OpenAPI document of `/api/v1`, generated from the code: each handler declares its
//! path, parameters, body and answer with `#[utoipa::path]`, the protocol types describe
//! themselves (`utoipa::ToSchema` in `shared::protocol`), and [`api_routes`] registers the
//! handlers and their documentation together, so a route cannot exist undocumented.
//! [`complete`] adds the error answers every operation shares, in one place.
//!
//! Status codes: 400 means the request does not match this document (bad JSON, a wrong
//! type, an unknown field, a malformed parameter); 422 means it matches but breaks a rule
//! the document cannot express (a period that ends before it starts, weights that sum to
//! 0, a latitude without its longitude), with a code naming the rule.

use std::sync::OnceLock;

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, ResponseBuilder};
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// The parts of the document that are not operations.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Ventanilla sync-server",
        description = "API de sincronización y administración de Ventanilla. Los cuerpos JSON son los tipos de `shared::protocol`; \
                       los códigos de error, la forma canónica del hash y el orden de las operaciones están en docs/sync-protocol.md. \
                       400: la solicitud no corresponde a este documento; 422: corresponde, pero rompe una regla que el documento \
                       no puede expresar (el código la nombra).",
        license(name = "AGPL-3.0-or-later")
    ),
    servers((url = "/api/v1")),
    components(schemas(shared::protocol::ApiError)),
    modifiers(&DeviceToken)
)]
struct ApiDoc;

/// The bearer token every operation but the public ones requires.
struct DeviceToken;

/// The security scheme's name in the document.
pub const DEVICE_TOKEN: &str = "deviceToken";

impl utoipa::Modify for DeviceToken {
    fn modify(&self, doc: &mut OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some("Token del dispositivo, entregado una sola vez por POST /auth/enrol.".into());
        components.add_security_scheme(DEVICE_TOKEN, SecurityScheme::Http(scheme));
    }
}

/// Every route of `/api/v1` with its documentation (see `lib.rs` for the layers).
pub fn api_routes() -> OpenApiRouter<AppState> {
    crate::routes::api(OpenApiRouter::with_openapi(<ApiDoc as utoipa::OpenApi>::openapi()))
}

/// What each error status means, for the shared answers.
const ERRORS: [(&str, &str); 12] = [
    ("400", "La solicitud no corresponde a este documento (`bad_body`, `bad_path`, `bad_query`, `invalid_body`…)."),
    ("401", "Sin token, o token inválido o revocado (`unauthorized`, `revoked`)."),
    ("403", "El rol o el alcance del usuario no lo permiten (`forbidden`)."),
    ("404", "No existe (`not_found`)."),
    ("409", "Contradice lo guardado (`conflict`)."),
    ("413", "El cuerpo excede el límite de la ruta (`body_too_large`, `spreadsheet_too_large`…)."),
    ("415", "Tipo de contenido no admitido (`bad_content_type`)."),
    ("422", "Corresponde al documento pero rompe una regla del dominio; el código la nombra."),
    ("429", "Demasiadas solicitudes (`rate_limited`); `Retry-After` dice cuándo reintentar."),
    ("500", "Error interno (`internal`); el detalle queda en el registro del servidor."),
    ("503", "No disponible por un momento (`scores_rebuilding`…): reintente."),
    ("405", "La ruta no admite ese método (`method_not_allowed`)."),
];

/// The path parameters that are keys (`shared::protocol::Key`): their schema is a string of
/// [`shared::protocol::KEY_PATTERN`], set here once rather than written at every handler.
pub const KEY_PARAMETERS: [&str; 6] = ["period_id", "centro_id", "commitment_id", "milestone_id", "folio", "username"];

/// Gives the key path parameters their pattern.
fn key_patterns(op: &mut Operation) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    for p in op.parameters.iter_mut().flatten() {
        if matches!(p.parameter_in, ParameterIn::Path) && KEY_PARAMETERS.contains(&p.name.as_str()) {
            p.schema = Some(ObjectBuilder::new().schema_type(Type::String).pattern(Some(shared::protocol::KEY_PATTERN)).into());
        }
    }
}

/// Adds the error answers an operation can give: every status the server may answer
/// with, each with the `{code, message, details}` body.
fn add_errors(op: &mut Operation) {
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let takes_input = op.request_body.is_some() || op.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let has_body = op.request_body.is_some();
    for (status, description) in ERRORS {
        let applies = match status {
            "401" | "403" => secured,
            "400" | "422" => takes_input,
            "413" | "415" => has_body,
            "405" => false,
            _ => true,
        };
        if applies && !op.responses.responses.contains_key(status) {
            let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ApiError"))).build();
            let response = ResponseBuilder::new().description(description).content("application/json", content).build();
            op.responses.responses.insert(status.to_string(), response.into());
        }
    }
}

/// The document with the key patterns and the shared error answers added.
pub fn complete(mut doc: OpenApi) -> OpenApi {
    for item in doc.paths.paths.values_mut() {
        for op in [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch, &mut item.head, &mut item.options]
            .into_iter()
            .flatten()
        {
            key_patterns(op);
            add_errors(op);
        }
    }
    doc
}

/// The document as generated from the code.
pub fn document() -> OpenApi {
    complete(api_routes().into_openapi())
}

/// The document as served: JSON, made once.
pub fn document_json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| document().to_pretty_json().unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `sync-server/openapi.json` is the generated document, committed so that a change
    /// of the contract shows in review. Rewrite it with `UPDATE_OPENAPI=1 cargo test -p
    /// sync-server openapi`.
    #[test]
    fn the_committed_document_is_the_generated_one() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
        let generated = format!("{}\n", document_json());
        if std::env::var_os("UPDATE_OPENAPI").is_some() {
            std::fs::write(path, &generated).expect("writes openapi.json");
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(committed == generated, "openapi.json is not the generated document: run UPDATE_OPENAPI=1 cargo test -p sync-server openapi");
    }

    /// Every operation says what it answers, including errors, and every path
    /// parameter of a template is declared.
    #[test]
    fn every_operation_declares_its_parameters_and_answers() {
        let doc = document();
        let mut operations = 0;
        for (path, item) in &doc.paths.paths {
            let in_template: Vec<&str> = path.split('{').skip(1).filter_map(|s| s.split('}').next()).collect();
            for op in [&item.get, &item.put, &item.post, &item.delete].into_iter().flatten() {
                operations += 1;
                let declared: Vec<&str> = op
                    .parameters
                    .iter()
                    .flatten()
                    .filter(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Path))
                    .map(|p| p.name.as_str())
                    .collect();
                assert_eq!(declared, in_template, "{path}");
                for p in op.parameters.iter().flatten().filter(|p| KEY_PARAMETERS.contains(&p.name.as_str())) {
                    let schema = serde_json::to_value(&p.schema).expect("json");
                    assert_eq!(schema["pattern"], shared::protocol::KEY_PATTERN, "{path} {}", p.name);
                }
                assert!(op.responses.responses.keys().any(|s| s.starts_with('2')), "{path}: no success answer");
                assert!(op.responses.responses.contains_key("500"), "{path}: errors not added");
                assert!(op.summary.is_some(), "{path}: no summary");
            }
        }
        assert!(operations >= 33, "{operations} operations");
    }
}
