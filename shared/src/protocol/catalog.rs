//! Read endpoints for integrators (staff): the program's centros, periods with their
//! pinned settings, and each centro's commitments and complaints, in pages with a cursor
//! (keyset by id, like pull: ask again with `after=cursor` while `more`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{CentroDefinition, CommitmentInfo, ComplaintScoreInput};
use crate::scoring::MethodSettings;

/// Most items in one page of a listing.
pub const MAX_LIST_PAGE: usize = 500;

/// One page of a listing, in id order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The id of the last item given (send it back as `after`); the `after` asked when
    /// the page is empty.
    pub cursor: Option<String>,
    /// More items follow.
    pub more: bool,
}

/// A centro as registered: its id and the definition it was registered with (the same
/// fields `PUT /centros/{id}` and the import take).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CentroListed {
    pub centro_id: String,
    #[serde(flatten)]
    pub centro: CentroDefinition,
}

/// Its schema is the definition's with `centro_id` added: one object, closed like the
/// definition (a derived `allOf` of the closed definition and the id would admit nothing).
impl utoipa::PartialSchema for CentroListed {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
        use utoipa::openapi::RefOr;
        let mut schema = <CentroDefinition as utoipa::PartialSchema>::schema();
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            let id = ObjectBuilder::new().schema_type(Type::String).description(Some("La clave del centro."));
            object.properties.insert("centro_id".into(), id.into());
            object.required.insert(0, "centro_id".into());
            object.description = Some("A centro as registered: its id beside the definition it was registered with.".into());
        }
        schema
    }
}

impl utoipa::ToSchema for CentroListed {}

/// A period with the method settings pinned to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PeriodListed {
    pub period_id: String,
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub settings: MethodSettings,
    /// `abierto`, `cerrado` or `publicado` (`GET /periods/{id}/status` has the versions).
    pub state: super::PeriodState,
}

/// A complaint of a centro, as the scores read it (the shape of the audit export).
pub type ComplaintListed = ComplaintScoreInput;

/// A commitment, with its milestones (the same shape devices receive).
pub type CommitmentListed = CommitmentInfo;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_centro_is_its_id_beside_its_definition() {
        let json = r#"{"centro_id":"C1","name":"Uno","dependencia":"SF","ambito":"estatal","tipo":"tramites","municipio":"León","lat":21.1,"lon":null,"sampling_interval":3,"tramites":["Placas"]}"#;
        let listed: CentroListed = serde_json::from_str(json).expect("reads");
        assert_eq!((listed.centro_id.as_str(), listed.centro.sampling_interval), ("C1", 3));
        assert_eq!(serde_json::to_string(&listed).expect("writes"), json);
    }
}
