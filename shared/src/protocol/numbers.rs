//! JSON has one number type: `2.0` and `2` are the same integer (JSON Schema says so too),
//! but serde reads an integer field only from digits without a fraction. [`read_json`]
//! takes both, at no cost for the usual spelling: only a body that failed to read is
//! looked at again, with its whole floats written as integers.

use serde::de::DeserializeOwned;
use serde_json::Value;

/// Reads `bytes` as a `T`, taking integers spelled as whole floats (`2.0`, `1e3`).
pub fn read_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    let first = serde_json::from_slice(bytes);
    match first {
        Ok(t) => Ok(t),
        Err(e) => match rewritten(bytes) {
            Some(value) => serde_json::from_value(value).map_err(|_| e),
            None => Err(e),
        },
    }
}

/// The body with its whole floats as integers, if it is JSON and has any.
pub fn rewritten(bytes: &[u8]) -> Option<Value> {
    let mut value: Value = serde_json::from_slice(bytes).ok()?;
    whole_floats_as_integers(&mut value).then_some(value)
}

/// Rewrites every float with no fraction that an integer type can hold exactly (|x| ≤
/// 2⁵³) as that integer; true if any was.
pub fn whole_floats_as_integers(value: &mut Value) -> bool {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match value {
        Value::Number(n) if n.is_f64() => {
            let Some(x) = n.as_f64() else { return false };
            if x.fract() != 0.0 || x.abs() > EXACT {
                return false;
            }
            // Exact by the bound above.
            #[allow(clippy::cast_possible_truncation)]
            let int = x as i64;
            *value = Value::from(int);
            true
        }
        Value::Array(items) => items.iter_mut().fold(false, |any, v| whole_floats_as_integers(v) | any),
        Value::Object(map) => map.values_mut().fold(false, |any, v| whole_floats_as_integers(v) | any),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Q {
        surveys: u32,
        share: f64,
        list: Vec<u8>,
    }

    #[test]
    fn whole_floats_read_as_integers_and_fractions_do_not() {
        let q: Q = read_json(br#"{"surveys": 108.0, "share": 2.0, "list": [1.0, 2, 3e0]}"#).expect("reads");
        assert_eq!(q, Q { surveys: 108, share: 2.0, list: vec![1, 2, 3] });
        assert!(read_json::<Q>(br#"{"surveys": 1.5, "share": 2, "list": []}"#).is_err());
        assert!(read_json::<Q>(br#"{"surveys": -1.0, "share": 2, "list": []}"#).is_err());
        assert!(read_json::<Q>(br#"{"surveys": 1e300, "share": 2, "list": []}"#).is_err());
        assert!(read_json::<Q>(br#"{"surveys": 1, "share": 2, "list": [], "x": 1.0}"#).is_err());
    }

    #[test]
    fn the_first_error_is_the_one_reported() {
        let direct = serde_json::from_slice::<Q>(br#"{"surveys": 2.0, "share": "x", "list": []}"#).expect_err("bad");
        let read = read_json::<Q>(br#"{"surveys": 2.0, "share": "x", "list": []}"#).expect_err("bad");
        assert_eq!(read.to_string(), direct.to_string());
    }
}
