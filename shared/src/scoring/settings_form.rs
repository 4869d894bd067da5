//! Method settings as a form people fill in: one field per weight, threshold and term,
//! named in Spanish, with the method's default beside it; and the settings read back
//! from what was typed, each problem said beside its field.
//!
//! Fields are keyed by their place in the settings (`dimension_weights.AG`, `tiers.z`…),
//! so that every setting the method has is in the form, and one added to the method
//! appears in it without another list to keep.

use std::collections::BTreeMap;

use serde_json::Value;

use super::modes::CollectionMode;
use super::settings::{MethodSettings, SettingsError};

/// How a setting is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKind {
    /// A whole number.
    Integer,
    /// A number with decimals («0,25» or «0.25»).
    Decimal,
    /// A name (an item of a form, the method's name).
    Text,
    /// Names separated by commas.
    List,
}

/// One field of the settings form.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingField {
    /// Its place in the settings, e.g. `component_weights.isc`.
    pub key: String,
    /// The group it belongs to, in words.
    pub group: &'static str,
    /// What it is, in words.
    pub label: String,
    pub kind: SettingKind,
    /// Its value now, as typed in the form.
    pub value: String,
    /// The method's default (`MGS-1`), as typed in the form; `None` for a setting the
    /// default does not have (a weight added by a program).
    pub default: Option<String>,
}

/// A problem with what was typed: the field's key (empty: the settings as a whole) and
/// what is wrong, in Spanish.
pub type SettingProblem = (String, String);

fn group_of(top: &str) -> &'static str {
    match top {
        "method" | "z" => "Método",
        "dimension_weights" => "Pesos de las dimensiones de la encuesta (ISC)",
        "pillar_weights" => "Pesos de los pilares de la cédula (ICV)",
        "component_weights" => "Pesos de los componentes del índice global (IGC)",
        "items" => "Reactivos de los indicadores",
        "commitments" => "Compromisos de mejora (IACM)",
        "complaints" => "Quejas y sugerencias (IGQ)",
        "eligibility" => "Elegibilidad para el ranking",
        "tiers" => "Umbrales de nivel",
        "recognition" => "Reconocimiento",
        "training" => "Capacitación del personal",
        "integrity" => "Integridad del trabajo de campo",
        "index_modes" => "Modos de levantamiento",
        _ => "Otros",
    }
}

fn label_of(key: &str) -> String {
    let (top, rest) = key.split_once('.').unwrap_or((key, ""));
    let fixed = match key {
        "method" => "Nombre y versión del método",
        "z" => "Cuantil normal z de los intervalos al 95 %",
        "component_weights.isc" => "Peso del ISC (encuesta)",
        "component_weights.icv" => "Peso del ICV (visita)",
        "component_weights.iacm" => "Peso del IACM (compromisos)",
        "component_weights.igq" => "Peso del IGQ (quejas)",
        "items.satisfaction" => "Reactivo de satisfacción general (1 a 5)",
        "items.bribe" => "Reactivo de solicitud de dádiva",
        "items.bribe_yes" => "Opción que significa «Sí»",
        "items.bribe_no" => "Opción que significa «No»",
        "items.suggestion" => "Reactivo de sugerencia libre",
        "commitments.on_time_credit" => "Crédito de un hito verificado a tiempo (0 a 1)",
        "commitments.late_credit" => "Crédito de un hito verificado con retraso (0 a 1)",
        "commitments.late_days" => "Días de retraso que aún reciben ese crédito",
        "commitments.very_late_credit" => "Crédito de un hito verificado más tarde (0 a 1)",
        "commitments.min_commitments" => "Compromisos mínimos con hitos vencidos",
        "complaints.term_business_days" => "Plazo de respuesta (días hábiles)",
        "complaints.in_term_weight" => "Peso de las respondidas en plazo",
        "complaints.corrective_weight" => "Peso de las que tienen acción correctiva",
        "complaints.acknowledged_weight" => "Peso de las cerradas con acuse del ciudadano",
        "complaints.fallback_pillar" => "Pilar de la visita que suple cuando no hay quejas",
        "eligibility.min_surveys" => "Encuestas mínimas por centro",
        "eligibility.min_visits" => "Visitas mínimas por centro",
        "eligibility.max_bribe_lower_bound" => "Máximo del límite inferior de Wilson de dádivas (0 a 1)",
        "eligibility.min_centros_for_shrinkage" => "Centros elegibles mínimos para el ajuste por categoría",
        "tiers.outstanding_min" => "«Destacado»: IGC* mínimo",
        "tiers.outstanding_lower_min" => "«Destacado»: IGC − z·EE mínimo",
        "tiers.satisfactory_min" => "«Satisfactorio»: IGC* mínimo",
        "recognition.per_category" => "Centros reconocidos por categoría",
        "recognition.tiers" => "Niveles que pueden reconocerse (destacado, satisfactorio)",
        "training.item" => "Reactivo de personal capacitado en la cédula",
        "training.target" => "Proporción que cumple la meta (0 a 1)",
        "integrity.min_duration_seconds" => "Duración mínima de una encuesta (segundos)",
        "integrity.straightline_min_answers" => "Respuestas de escala iguales que se marcan",
        "integrity.max_distance_m" => "Distancia máxima al centro (metros)",
        "integrity.max_clock_skew_seconds" => "Desfase máximo del reloj del dispositivo (segundos)",
        "integrity.burst_count" => "Encuestas seguidas que forman una ráfaga",
        "integrity.burst_window_seconds" => "… dentro de estos segundos",
        "integrity.self_burst_count" => "Encuestas autoaplicadas (kiosko, QR) en un centro que forman una ráfaga",
        "integrity.self_burst_window_seconds" => "… dentro de estos segundos",
        "index_modes" => "Modos que cuentan en el índice (entrevista, autoaplicada, kiosko, qr)",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_string();
    }
    match top {
        "dimension_weights" => format!("Peso de la dimensión {rest}"),
        "pillar_weights" => format!("Peso del pilar {rest}"),
        _ => key.to_string(),
    }
}

/// The leaves of a settings tree, by key, in the settings' own order.
fn leaves(prefix: &str, value: &Value, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                leaves(&key, v, out);
            }
        }
        other => out.push((prefix.to_string(), other.clone())),
    }
}

fn kind_of(v: &Value) -> SettingKind {
    match v {
        Value::Number(n) if n.is_f64() => SettingKind::Decimal,
        Value::Number(_) => SettingKind::Integer,
        Value::Array(_) => SettingKind::List,
        _ => SettingKind::Text,
    }
}

/// A value as typed in the form.
fn typed(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string)).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

fn tree(s: &MethodSettings) -> Value {
    // Settings are plain data (numbers, names, maps of numbers): they always serialize.
    serde_json::to_value(s).unwrap_or(Value::Null)
}

/// Every field of the settings form, filled with `current`.
pub fn setting_fields(current: &MethodSettings) -> Vec<SettingField> {
    let mut now = Vec::new();
    leaves("", &tree(current), &mut now);
    let mut defaults = Vec::new();
    leaves("", &tree(&MethodSettings::default()), &mut defaults);
    let defaults: BTreeMap<String, Value> = defaults.into_iter().collect();
    let order = |key: &str| {
        let top = key.split('.').next().unwrap_or(key);
        ["method", "z", "component_weights", "dimension_weights", "pillar_weights", "tiers", "eligibility", "commitments", "complaints", "recognition", "training", "items", "index_modes", "integrity"]
            .iter()
            .position(|t| *t == top)
            .unwrap_or(usize::MAX)
    };
    now.sort_by_key(|(k, _)| order(k));
    now.into_iter()
        .map(|(key, v)| SettingField {
            group: group_of(key.split('.').next().unwrap_or(&key)),
            label: label_of(&key),
            kind: kind_of(&v),
            value: typed(&v),
            default: defaults.get(&key).map(typed),
            key,
        })
        .collect()
}

/// The most characters a typed setting may have.
pub const MAX_TYPED: usize = 200;

fn read(kind: SettingKind, raw: &str) -> Result<Value, String> {
    let t = raw.trim();
    if t.chars().count() > MAX_TYPED {
        return Err(format!("Escriba como máximo {MAX_TYPED} caracteres."));
    }
    match kind {
        SettingKind::Integer => {
            t.parse::<i64>().map(Value::from).map_err(|_| "Escriba un número entero, sin decimales.".to_string())
        }
        SettingKind::Decimal => {
            let n: f64 = crate::answers::typed_decimal(t).parse().map_err(|_| "Escriba un número (por ejemplo 0,25).".to_string())?;
            serde_json::Number::from_f64(n).map(Value::Number).ok_or_else(|| "Escriba un número finito.".to_string())
        }
        SettingKind::Text if t.is_empty() => Err("Este dato es obligatorio.".into()),
        SettingKind::Text => Ok(Value::String(t.to_string())),
        SettingKind::List => {
            Ok(Value::Array(t.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(|s| Value::String(s.to_string())).collect()))
        }
    }
}

fn set(tree: &mut Value, key: &str, value: Value) {
    let mut at = tree;
    for part in key.split('.') {
        match at {
            Value::Object(map) => match map.get_mut(part) {
                Some(next) => at = next,
                None => return,
            },
            _ => return,
        }
    }
    *at = value;
}

/// The modes typed for `index_modes`, each a known code (case ignored); other keys as typed.
fn known_modes(key: &str, value: Value) -> Result<Value, String> {
    let (true, Value::Array(items)) = (key == "index_modes", &value) else { return Ok(value) };
    let codes = items.iter().map(|i| {
        let typed = i.as_str().unwrap_or_default().to_lowercase();
        CollectionMode::parse(&typed).map(|m| Value::from(m.code())).ok_or(format!("Modo desconocido «{typed}»: escriba entrevista, autoaplicada, kiosko o qr."))
    });
    codes.collect::<Result<Vec<_>, _>>().map(Value::Array)
}

/// Where a problem of [`MethodSettings::check`] belongs in the form.
fn place_of(e: &SettingsError, fields: &[SettingField]) -> String {
    let at = match e {
        SettingsError::BadWeight(name) => {
            return fields.iter().find(|f| f.key.ends_with(&format!(".{name}")) && f.key.contains("weights")).map_or_else(String::new, |f| f.key.clone());
        }
        SettingsError::ZeroWeights(group) => *group,
        SettingsError::OutOfRange(name) => *name,
    };
    fields.iter().find(|f| f.key == at || f.key.starts_with(&format!("{at}."))).map_or_else(String::new, |f| f.key.clone())
}

/// The settings typed in `sent` (by field key) over `base` (keys not sent keep `base`'s
/// value), checked; or every problem beside its field.
pub fn settings_from_fields(base: &MethodSettings, sent: &BTreeMap<String, String>) -> Result<MethodSettings, Vec<SettingProblem>> {
    let fields = setting_fields(base);
    let mut value = tree(base);
    let mut problems = Vec::new();
    for f in &fields {
        let Some(raw) = sent.get(&f.key) else { continue };
        match read(f.kind, raw).and_then(|v| known_modes(&f.key, v)) {
            Ok(v) => set(&mut value, &f.key, v),
            Err(message) => problems.push((f.key.clone(), message)),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let settings: MethodSettings = serde_json::from_value(value).map_err(|_| vec![(String::new(), "Los parámetros no tienen la forma del método.".to_string())])?;
    settings.check().map_err(|e| {
        let message = match &e {
            SettingsError::BadWeight(_) => "Un peso debe ser un número mayor o igual a 0.".to_string(),
            SettingsError::ZeroWeights(_) => "Estos pesos no pueden sumar 0.".to_string(),
            SettingsError::OutOfRange(_) => format!("Fuera de rango: {e}."),
        };
        vec![(place_of(&e, &fields), message)]
    })?;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn every_setting_is_a_field_named_in_spanish_with_its_default() {
        let fields = setting_fields(&MethodSettings::default());
        let keys: Vec<&str> = fields.iter().map(|f| f.key.as_str()).collect();
        for key in ["z", "component_weights.isc", "dimension_weights.AG", "pillar_weights.QJ", "tiers.outstanding_min", "integrity.burst_count", "recognition.tiers", "index_modes", "integrity.self_burst_count"] {
            assert!(keys.contains(&key), "{key} in {keys:?}");
        }
        assert!(fields.iter().all(|f| f.label != f.key && !f.label.is_empty()), "every field is named: {fields:?}");
        assert!(fields.iter().all(|f| f.default.as_deref() == Some(f.value.as_str())));
        let isc = fields.iter().find(|f| f.key == "component_weights.isc").expect("isc");
        assert_eq!((isc.kind, isc.value.as_str()), (SettingKind::Decimal, "0.4"));
        let burst = fields.iter().find(|f| f.key == "integrity.burst_count").expect("burst");
        assert_eq!(burst.kind, SettingKind::Integer);
        assert_eq!(fields.iter().find(|f| f.key == "recognition.tiers").map(|f| f.value.as_str()), Some("destacado"));
    }

    #[test]
    fn typed_settings_are_read_back_with_decimal_commas() {
        let base = MethodSettings::default();
        let s = settings_from_fields(&base, &sent(&[("component_weights.isc", "0,5"), ("integrity.burst_count", "4"), ("recognition.tiers", "destacado, satisfactorio")]))
            .expect("valid");
        assert_eq!(s.component_weights.isc, 0.5);
        assert_eq!(s.integrity.burst_count, 4);
        assert_eq!(s.recognition.tiers, ["destacado", "satisfactorio"]);
        let pooled = settings_from_fields(&base, &sent(&[("index_modes", "Entrevista, QR")])).expect("modes, case ignored");
        assert_eq!(pooled.index_modes, [CollectionMode::Entrevista, CollectionMode::Qr]);
        assert_eq!(s.z, base.z, "fields not sent keep their value");
        // The whole form sent back unchanged gives the same settings.
        let all: BTreeMap<String, String> = setting_fields(&s).into_iter().map(|f| (f.key, f.value)).collect();
        assert_eq!(settings_from_fields(&base, &all).expect("round trip"), s);
    }

    #[test]
    fn problems_are_said_beside_their_field() {
        let base = MethodSettings::default();
        let bad = settings_from_fields(&base, &sent(&[("integrity.burst_count", "tres"), ("z", "abc"), ("items.bribe", "  ")])).expect_err("refused");
        let keys: Vec<&str> = bad.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["z", "items.bribe", "integrity.burst_count"]);
        assert!(bad.iter().all(|(_, m)| !m.is_empty() && !m.contains("expected")));
        let range = settings_from_fields(&base, &sent(&[("commitments.late_credit", "1,5")])).expect_err("out of range");
        assert_eq!(range[0].0, "commitments.late_credit", "the commitments group's first field: {range:?}");
        let weight = settings_from_fields(&base, &sent(&[("dimension_weights.TC", "-1")])).expect_err("negative");
        assert_eq!(weight[0].0, "dimension_weights.TC");
        let zero = settings_from_fields(&base, &sent(&[("component_weights.isc", "0"), ("component_weights.icv", "0"), ("component_weights.iacm", "0"), ("component_weights.igq", "0")]))
            .expect_err("zero");
        assert_eq!(zero[0].0, "component_weights.iacm");
        let modes = settings_from_fields(&base, &sent(&[("index_modes", "entrevista, kisoko")])).expect_err("unknown mode");
        assert_eq!(modes[0].0, "index_modes");
        assert!(modes[0].1.contains("kisoko"), "{modes:?}");
        let none = settings_from_fields(&base, &sent(&[("index_modes", " ")])).expect_err("no mode");
        assert_eq!(none[0].0, "index_modes");
        let self_burst = settings_from_fields(&base, &sent(&[("integrity.self_burst_count", "1")])).expect_err("one is no burst");
        assert_eq!(self_burst[0].0, "integrity.self_burst_count");
        let long = "9".repeat(MAX_TYPED + 1);
        assert!(settings_from_fields(&base, &sent(&[("z", &long)])).is_err());
    }
}
