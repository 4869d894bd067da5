//! Values crossing the storage boundary, the same on both engines: SQLite's five storage
//! classes. A parameter is written as the type the statement's column expects (PostgreSQL
//! is strict: an `i64` bound to an `integer` column is refused, so the value adapts), and
//! a column is read back into the same five classes whatever PostgreSQL type it has.

use std::error::Error;

use bytes::BytesMut;
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

/// A value in one of SQLite's storage classes, borrowed: a parameter, or a column as read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// A column as read (the same classes as a parameter).
pub type ValueRef<'a> = Value<'a>;

impl Value<'_> {
    /// The storage class's name, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Integer(_) => "INTEGER",
            Value::Real(_) => "REAL",
            Value::Text(_) => "TEXT",
            Value::Blob(_) => "BLOB",
        }
    }
}

/// What may be bound as a parameter.
pub trait ToValue {
    fn to_value(&self) -> Value<'_>;
}

macro_rules! integer {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value<'_> {
                Value::Integer(*self as i64)
            }
        }
    )*};
}
integer!(i64, i32, u32, u16, u8, i16);

impl ToValue for u64 {
    /// Counts and sequence numbers: never above `i64::MAX` in practice; saturates if one were.
    fn to_value(&self) -> Value<'_> {
        Value::Integer(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl ToValue for usize {
    fn to_value(&self) -> Value<'_> {
        Value::Integer(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value<'_> {
        Value::Integer(i64::from(*self))
    }
}

impl ToValue for f64 {
    fn to_value(&self) -> Value<'_> {
        Value::Real(*self)
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl ToValue for [u8] {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}

impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}

impl<const N: usize> ToValue for [u8; N] {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value<'_> {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value<'_> {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

impl ToValue for Value<'_> {
    fn to_value(&self) -> Value<'_> {
        *self
    }
}

/// Why a column did not read as the type asked for.
#[derive(Debug, thiserror::Error)]
pub enum FromValueError {
    #[error("se esperaba {expected} y la columna tiene {found}")]
    Type { expected: &'static str, found: &'static str },
    #[error("el entero {0} no cabe en el tipo pedido")]
    Range(i64),
    #[error("texto que no es UTF-8")]
    Utf8,
}

/// What a column may be read as.
pub trait FromValue: Sized {
    fn from_value(v: ValueRef<'_>) -> Result<Self, FromValueError>;
}

fn mismatch<T>(expected: &'static str, v: ValueRef<'_>) -> Result<T, FromValueError> {
    Err(FromValueError::Type { expected, found: v.kind() })
}

impl FromValue for i64 {
    fn from_value(v: ValueRef<'_>) -> Result<Self, FromValueError> {
        match v {
            Value::Integer(i) => Ok(i),
            _ => mismatch("INTEGER", v),
        }
    }
}

macro_rules! narrow {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: ValueRef<'_>) -> Result<Self, FromValueError> {
                let i = i64::from_value(v)?;
                <$t>::try_from(i).map_err(|_| FromValueError::Range(i))
            }
        }
    )*};
}
narrow!(i32, u32, u64, usize, u16, u8);

impl FromValue for bool {
    fn from_value(v: ValueRef<'_>) -> Result<Self, FromValueError> {
        Ok(i64::from_value(v)? != 0)
    }
}

impl FromValue for f64 {
    fn from_value(v: ValueRef<'_>) -> Result<Self, FromValueError> {
        match v {
            Value::Real(f) => Ok(f),
            Value::Integer(i) => Ok(i as f64),
            _ => mismatch("REAL", v),
        }
    }
}

impl FromValue for String {
    fn from_value(v: ValueRef<'_>) -> Result<Self, FromValueError> {
        match v {
            Value::Text(s) => Ok(s.to_owned()),
            _ => mismatch("TEXT", v),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(v: ValueRef<'_>) -> Result<Self, FromValueError> {
        match v {
            Value::Blob(b) => Ok(b.to_vec()),
            Value::Text(s) => Ok(s.as_bytes().to_vec()),
            _ => mismatch("BLOB", v),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: ValueRef<'_>) -> Result<Self, FromValueError> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

// --- SQLite -----------------------------------------------------------------------------

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::ValueRef as R;
        Ok(rusqlite::types::ToSqlOutput::Borrowed(match *self {
            Value::Null => R::Null,
            Value::Integer(i) => R::Integer(i),
            Value::Real(f) => R::Real(f),
            Value::Text(s) => R::Text(s.as_bytes()),
            Value::Blob(b) => R::Blob(b),
        }))
    }
}

impl<'a> Value<'a> {
    /// A SQLite column.
    pub fn from_sqlite(v: rusqlite::types::ValueRef<'a>) -> Result<Self, FromValueError> {
        use rusqlite::types::ValueRef as R;
        Ok(match v {
            R::Null => Value::Null,
            R::Integer(i) => Value::Integer(i),
            R::Real(f) => Value::Real(f),
            R::Text(t) => Value::Text(std::str::from_utf8(t).map_err(|_| FromValueError::Utf8)?),
            R::Blob(b) => Value::Blob(b),
        })
    }
}

// --- PostgreSQL -------------------------------------------------------------------------

type BoxError = Box<dyn Error + Sync + Send>;

fn refused(value: &str, ty: &Type) -> BoxError {
    format!("a {value} parameter cannot be bound to a column of type {ty}").into()
}

impl ToSql for Value<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match *self {
            Value::Null => Ok(IsNull::Yes),
            Value::Integer(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
                Type::BOOL => (i != 0).to_sql(ty, out),
                Type::FLOAT8 => (i as f64).to_sql(ty, out),
                Type::FLOAT4 => (i as f32).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::UNKNOWN => i.to_string().as_str().to_sql(ty, out),
                _ => Err(refused("INTEGER", ty)),
            },
            Value::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::FLOAT4 => (f as f32).to_sql(ty, out),
                _ => Err(refused("REAL", ty)),
            },
            Value::Text(s) => match *ty {
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN | Type::JSON => s.to_sql(ty, out),
                Type::JSONB => {
                    // JSONB's binary form: a version byte, then the text.
                    out.extend_from_slice(&[1]);
                    out.extend_from_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
                _ => Err(refused("TEXT", ty)),
            },
            Value::Blob(b) => match *ty {
                Type::BYTEA => b.to_sql(ty, out),
                _ => Err(refused("BLOB", ty)),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// Any PostgreSQL column, read into [`ValueRef`].
pub struct PgColumn<'a>(pub ValueRef<'a>);

impl<'a> FromSql<'a> for PgColumn<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(PgColumn(match *ty {
            Type::BOOL => Value::Integer(i64::from(bool::from_sql(ty, raw)?)),
            Type::INT2 => Value::Integer(i16::from_sql(ty, raw)?.into()),
            Type::INT4 => Value::Integer(i32::from_sql(ty, raw)?.into()),
            Type::INT8 => Value::Integer(i64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::NUMERIC => numeric(raw)?,
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN | Type::JSON => Value::Text(<&str>::from_sql(ty, raw)?),
            Type::JSONB => match raw.split_first() {
                Some((1, text)) => Value::Text(std::str::from_utf8(text)?),
                _ => return Err("unsupported JSONB version".into()),
            },
            Type::BYTEA => Value::Blob(raw),
            _ => return Err(format!("columns of type {ty} are not read").into()),
        }))
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(PgColumn(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// PostgreSQL's binary NUMERIC (what `SUM` and `AVG` of integers give): an integer when it
/// has no fraction and fits, else the nearest double.
fn numeric(raw: &[u8]) -> Result<ValueRef<'static>, BoxError> {
    let word = |i: usize| -> Result<i64, BoxError> {
        let b = raw.get(i * 2..i * 2 + 2).ok_or("short NUMERIC")?;
        Ok(i64::from(i16::from_be_bytes([b[0], b[1]])))
    };
    let (ndigits, weight, sign, dscale) = (word(0)?, word(1)?, word(2)? as u16, word(3)?);
    match sign {
        0x0000 | 0x4000 => {}
        0xC000 => return Ok(Value::Null), // NaN
        _ => return Err("unsupported NUMERIC (infinity)".into()),
    }
    let negative = sign == 0x4000;
    let mut value = 0f64;
    let mut exact: Option<i128> = Some(0);
    for i in 0..ndigits {
        let digit = word(4 + i as usize)?;
        let power = weight - i;
        value += digit as f64 * 10000f64.powi(power as i32);
        exact = match (exact, power) {
            (Some(e), p) if p >= 0 => u32::try_from(p)
                .ok()
                .and_then(|p| 10000i128.checked_pow(p))
                .and_then(|scale| i128::from(digit).checked_mul(scale))
                .and_then(|d| e.checked_add(d)),
            (Some(e), _) if digit == 0 => Some(e),
            _ => None,
        };
    }
    let _ = dscale;
    if let Some(e) = exact.map(|e| if negative { -e } else { e })
        && let Ok(i) = i64::try_from(e)
    {
        return Ok(Value::Integer(i));
    }
    Ok(Value::Real(if negative { -value } else { value }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_bytes(words: &[i16]) -> Vec<u8> {
        words.iter().flat_map(|w| w.to_be_bytes()).collect()
    }

    #[test]
    fn numeric_reads_integers_exactly_and_fractions_as_doubles() {
        // 123456789 = 1·10000² + 2345·10000 + 6789
        let raw = numeric_bytes(&[3, 2, 0, 0, 1, 2345, 6789]);
        assert_eq!(numeric(&raw).expect("reads"), Value::Integer(123_456_789));
        // -42
        let raw = numeric_bytes(&[1, 0, 0x4000, 0, 42]);
        assert_eq!(numeric(&raw).expect("reads"), Value::Integer(-42));
        // 0 (no digits)
        let raw = numeric_bytes(&[0, 0, 0, 0]);
        assert_eq!(numeric(&raw).expect("reads"), Value::Integer(0));
        // 2.5 = 2·10000⁰ + 5000·10000⁻¹
        let raw = numeric_bytes(&[2, 0, 0, 1, 2, 5000]);
        assert_eq!(numeric(&raw).expect("reads"), Value::Real(2.5));
        // 10000 = 1·10000¹ (trailing zero words are omitted)
        let raw = numeric_bytes(&[1, 1, 0, 0, 1]);
        assert_eq!(numeric(&raw).expect("reads"), Value::Integer(10_000));
    }

    #[test]
    fn reading_adapts_between_the_classes_sqlite_allows() {
        assert_eq!(f64::from_value(Value::Integer(3)).expect("int as real"), 3.0);
        assert!(bool::from_value(Value::Integer(1)).expect("flag"));
        assert!(i64::from_value(Value::Text("3")).is_err());
        assert!(u8::from_value(Value::Integer(300)).is_err());
        assert_eq!(Option::<String>::from_value(Value::Null).expect("null"), None);
    }
}
