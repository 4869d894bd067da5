//! What every handler can reach.

use std::sync::{Arc, RwLock};

use shared::form::Catalog;

/// Shared application state; cheap to clone.
#[derive(Clone, Default)]
pub struct AppState {
    /// Published forms. The built-in instruments are published at start.
    pub catalog: Arc<RwLock<Catalog>>,
}

impl AppState {
    /// State with the default MGS-1 instruments published.
    pub fn with_default_forms() -> anyhow::Result<Self> {
        let mut catalog = Catalog::default();
        for form in [shared::instruments::encuesta()?, shared::instruments::cedula()?] {
            catalog.publish(form)?;
        }
        Ok(Self { catalog: Arc::new(RwLock::new(catalog)) })
    }
}
