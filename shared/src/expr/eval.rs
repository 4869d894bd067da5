//! Evaluation of a parsed expression against an environment that resolves references.

use chrono::{NaiveDate, NaiveDateTime};

use super::ast::{BinOp, Func, Node};
use super::value::{Value, compare, equals, parse_number};

/// The wall clock, passed in: `shared` never reads it. `now` is local time at the centro.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// Local date and time of evaluation.
    pub now: NaiveDateTime,
}

impl Clock {
    /// The date part of `now`, used by `today()`.
    pub fn today(&self) -> NaiveDate {
        self.now.date()
    }
}

/// What an expression can see while it is evaluated.
pub trait Env {
    /// The value of `${name}` (empty when unanswered or not relevant).
    fn field(&self, name: &str) -> Value;
    /// The value of `.`.
    fn current(&self) -> Value;
    /// A column of the choice being filtered (`choice_filter` only).
    fn choice_column(&self, _name: &str) -> Value {
        Value::empty()
    }
    /// The clock for `today()` and `now()`.
    fn clock(&self) -> Clock;
}

/// Evaluates `node`. Invariant: total (never panics); type mismatches give XPath results
/// (NaN, empty string, false) as ODK clients do.
pub fn eval(node: &Node, env: &dyn Env) -> Value {
    match node {
        Node::Num(n) => Value::Num(*n),
        Node::Str(s) => Value::Str(s.clone()),
        Node::Ref(name) => env.field(name),
        Node::Current => env.current(),
        Node::ChoiceColumn(name) => env.choice_column(name),
        Node::Neg(inner) => Value::Num(-eval(inner, env).to_num()),
        Node::Binary(op, a, b) => binary(*op, a, b, env),
        Node::Call(func, args) => call(func, args, env),
    }
}

fn binary(op: BinOp, a: &Node, b: &Node, env: &dyn Env) -> Value {
    use std::cmp::Ordering::{Equal, Greater, Less};
    match op {
        BinOp::Or => return Value::Bool(eval(a, env).to_bool() || eval(b, env).to_bool()),
        BinOp::And => return Value::Bool(eval(a, env).to_bool() && eval(b, env).to_bool()),
        _ => {}
    }
    let (x, y) = (eval(a, env), eval(b, env));
    let ord = || compare(&x, &y);
    match op {
        BinOp::Eq => Value::Bool(equals(&x, &y)),
        BinOp::Ne => Value::Bool(!equals(&x, &y)),
        BinOp::Lt => Value::Bool(ord() == Some(Less)),
        BinOp::Le => Value::Bool(matches!(ord(), Some(Less | Equal))),
        BinOp::Gt => Value::Bool(ord() == Some(Greater)),
        BinOp::Ge => Value::Bool(matches!(ord(), Some(Greater | Equal))),
        BinOp::Add => Value::Num(x.to_num() + y.to_num()),
        BinOp::Sub => Value::Num(x.to_num() - y.to_num()),
        BinOp::Mul => Value::Num(x.to_num() * y.to_num()),
        BinOp::Div => Value::Num(x.to_num() / y.to_num()),
        BinOp::Mod => Value::Num(x.to_num() % y.to_num()),
        BinOp::Or | BinOp::And => Value::Bool(false),
    }
}

fn call(func: &Func, args: &[Node], env: &dyn Env) -> Value {
    let arg = |i: usize| args.get(i).map_or_else(Value::empty, |n| eval(n, env));
    match func {
        Func::Not => Value::Bool(!arg(0).to_bool()),
        Func::True => Value::Bool(true),
        Func::False => Value::Bool(false),
        Func::Selected => {
            let wanted = arg(1).to_text();
            let wanted = wanted.trim();
            Value::Bool(arg(0).to_text().split_whitespace().any(|s| s == wanted))
        }
        Func::CountSelected => Value::Num(arg(0).to_text().split_whitespace().count() as f64),
        Func::StringLength => {
            let s = if args.is_empty() { env.current() } else { arg(0) };
            Value::Num(s.to_text().chars().count() as f64)
        }
        Func::Regex(compiled) => {
            let text = arg(0).to_text();
            let matched = match compiled {
                Some(re) => re.is_match(&text),
                None => regex::Regex::new(&arg(1).to_text()).is_ok_and(|re| re.is_match(&text)),
            };
            Value::Bool(matched)
        }
        Func::If => if arg(0).to_bool() { arg(1) } else { arg(2) },
        Func::Coalesce => {
            let first = arg(0);
            if first.to_text().is_empty() { arg(1) } else { first }
        }
        Func::Concat => Value::Str((0..args.len()).map(|i| arg(i).to_text()).collect()),
        Func::Int => Value::Num(arg(0).to_num().trunc()),
        Func::Number => Value::Num(arg(0).to_num()),
        Func::String => Value::Str(arg(0).to_text()),
        Func::Boolean => Value::Bool(arg(0).to_bool()),
        Func::Round => {
            let digits = if args.len() > 1 { arg(1).to_num() } else { 0.0 };
            Value::Num(round_half_up(arg(0).to_num(), digits))
        }
        Func::Today => Value::Date(env.clock().today()),
        Func::Now => Value::DateTime(env.clock().now),
        Func::Contains => Value::Bool(arg(0).to_text().contains(&arg(1).to_text())),
        Func::StartsWith => Value::Bool(arg(0).to_text().starts_with(&arg(1).to_text())),
        Func::EndsWith => Value::Bool(arg(0).to_text().ends_with(&arg(1).to_text())),
        Func::Substr => substr(&arg(0).to_text(), arg(1).to_num(), args.get(2).map(|_| arg(2).to_num())),
        Func::Date => to_date(&arg(0)),
    }
}

/// Rounds half up (towards +∞ at .5), as JavaRosa's `round()`; `digits` may be negative.
fn round_half_up(x: f64, digits: f64) -> f64 {
    if !x.is_finite() || !digits.is_finite() {
        return f64::NAN;
    }
    let digits = digits.trunc().clamp(-15.0, 15.0);
    let scale = 10f64.powf(digits);
    (x * scale + 0.5).floor() / scale
}

/// ODK `substr(s, start, end)`: 0-based start, exclusive end, by characters.
fn substr(s: &str, start: f64, end: Option<f64>) -> Value {
    let len = s.chars().count();
    let clamp = |v: f64| if v.is_nan() { 0 } else { v.max(0.0).min(len as f64) as usize };
    let (from, to) = (clamp(start), end.map_or(len, clamp));
    if from >= to {
        return Value::empty();
    }
    Value::Str(s.chars().skip(from).take(to - from).collect())
}

fn to_date(v: &Value) -> Value {
    match v {
        Value::Date(_) => v.clone(),
        Value::DateTime(dt) => Value::Date(dt.date()),
        Value::Str(s) if parse_number(s).is_none() => {
            match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
                Ok(d) => Value::Date(d),
                Err(_) => Value::empty(),
            }
        }
        other => {
            let days = other.to_num();
            if !days.is_finite() || days.abs() > 3_000_000.0 {
                return Value::empty();
            }
            let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
            epoch
                .checked_add_signed(chrono::Duration::days(days.floor() as i64))
                .map_or_else(Value::empty, Value::Date)
        }
    }
}
