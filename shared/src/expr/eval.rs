//! Evaluation of a parsed expression against an environment that resolves references.

use chrono::{NaiveDate, NaiveDateTime};

use super::ast::{BinOp, Func, Node, Trig};
use super::library;
use super::value::{Value, equals, parse_number, relates};

/// The outside world an evaluation sees, passed in (`shared` never reads a clock or a
/// random source): `now` is local time at the centro, `seed` the record's own draw for
/// `random()` and `uuid()` (from its id, so the device and the server draw alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// Local date and time of evaluation.
    pub now: NaiveDateTime,
    /// The record's seed.
    pub seed: u64,
}

impl Clock {
    /// `now`, with seed 0 (evaluations that draw nothing, tools and tests).
    pub fn at(now: NaiveDateTime) -> Self {
        Clock { now, seed: 0 }
    }

    /// `now`, drawing from the record `record_id` (its UUID as text): the device that
    /// fills it and the server that checks it draw the same values.
    pub fn for_record(now: NaiveDateTime, record_id: &str) -> Self {
        Clock { now, seed: seed_of(record_id) }
    }

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
    /// `${name}` as a node-set when it lies in repeats the expression is outside of (its
    /// value at each of their instances), `None` when it has one value from here.
    fn nodes(&self, _name: &str) -> Option<Vec<Value>> {
        None
    }
    /// Calls `visit` with the environment focused on each node of `${name}` in turn (its
    /// instance's questions in reach, `.` its value, `position()` its place); stops when
    /// `visit` answers false.
    fn each_node(&self, name: &str, visit: &mut dyn FnMut(&dyn Env) -> bool) {
        visit(&Focused { inner: self.as_dyn(), value: self.field(name), position: 1 });
    }
    /// The 1-based position of the node in focus, or of the repeat instance the expression
    /// is in (`position(..)`); 1 outside repeats.
    fn position(&self) -> usize {
        1
    }
    /// The label (in the language being used) of the choice `value` of the question
    /// `field`'s list, for `jr:choice-name()`.
    fn choice_label(&self, _field: &str, _value: &str) -> Option<String> {
        None
    }
    /// The next draw of `random()`: 64 random bits, the same sequence each time the same
    /// record's same question is evaluated.
    fn draw(&self) -> u64 {
        mix(self.clock().seed)
    }
    /// The table of the data file published with the form as instance `name`.
    fn dataset(&self, _name: &str) -> Option<&crate::form::Dataset> {
        None
    }
    /// Itself as a trait object (for the default [`Env::each_node`]).
    fn as_dyn(&self) -> &dyn Env;
}

/// One row of a data file in focus (inside `instance('x')/root/item[…]`): bare names are
/// its columns, `position()` its place; everything else as the environment around it.
struct Row<'e> {
    inner: &'e dyn Env,
    data: &'e crate::form::Dataset,
    row: usize,
}

impl Env for Row<'_> {
    fn field(&self, name: &str) -> Value {
        self.inner.field(name)
    }
    fn current(&self) -> Value {
        self.inner.current()
    }
    fn choice_column(&self, name: &str) -> Value {
        Value::Str(self.data.value(self.row, name).to_string())
    }
    fn clock(&self) -> Clock {
        self.inner.clock()
    }
    fn nodes(&self, name: &str) -> Option<Vec<Value>> {
        self.inner.nodes(name)
    }
    fn position(&self) -> usize {
        self.row + 1
    }
    fn draw(&self) -> u64 {
        self.inner.draw()
    }
    fn dataset(&self, name: &str) -> Option<&crate::form::Dataset> {
        self.inner.dataset(name)
    }
    fn as_dyn(&self) -> &dyn Env {
        self
    }
}

/// `instance('name')/root/item[predicate]/column`.
fn instance(name: &str, predicate: Option<&Node>, column: Option<&str>, env: &dyn Env) -> Value {
    let Some(data) = env.dataset(name) else { return Value::Nodes(Vec::new()) };
    let col = column.and_then(|c| data.column(c)).or(column.is_none().then_some(0));
    let mut out = Vec::new();
    for (i, row) in data.rows.iter().enumerate() {
        let kept = predicate.is_none_or(|p| match eval(p, &Row { inner: env, data, row: i }) {
            Value::Num(n) => (n - (i + 1) as f64).abs() < f64::EPSILON,
            other => other.to_bool(),
        });
        if kept {
            out.push(Value::Str(col.and_then(|c| row.get(c)).cloned().unwrap_or_default()));
        }
    }
    Value::Nodes(out)
}

/// SplitMix64's finaliser: a well-spread 64-bit value from any input.
pub fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stable 64-bit seed from text (a record id, a question's path): FNV-1a, then mixed.
pub fn seed_of(text: &str) -> u64 {
    seed_of_path(text, "")
}

/// [`seed_of`] of `prefix` followed by `name` (a question's path inside its instance),
/// without joining them.
pub fn seed_of_path(prefix: &str, name: &str) -> u64 {
    let fnv = |h: u64, text: &str| text.bytes().fold(h, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3));
    mix(fnv(fnv(0xCBF2_9CE4_8422_2325_u64, prefix), name))
}

/// A node in focus: its value as `.`, its place as `position()`, everything else as the
/// environment around it sees it.
struct Focused<'e> {
    inner: &'e dyn Env,
    value: Value,
    position: usize,
}

impl Env for Focused<'_> {
    fn field(&self, name: &str) -> Value {
        self.inner.field(name)
    }
    fn current(&self) -> Value {
        self.value.clone()
    }
    fn clock(&self) -> Clock {
        self.inner.clock()
    }
    fn position(&self) -> usize {
        self.position
    }
    fn choice_label(&self, field: &str, value: &str) -> Option<String> {
        self.inner.choice_label(field, value)
    }
    fn as_dyn(&self) -> &dyn Env {
        self
    }
}

/// Evaluates `node`. Invariant: total (never panics); type mismatches give XPath results
/// (NaN, empty string, false) as ODK clients do.
pub fn eval(node: &Node, env: &dyn Env) -> Value {
    match node {
        Node::Num(n) => Value::Num(*n),
        Node::Str(s) => Value::Str(s.clone()),
        Node::Ref(name) => env.nodes(name).map_or_else(|| env.field(name), Value::Nodes),
        Node::Current => env.current(),
        Node::ChoiceColumn(name) => env.choice_column(name),
        Node::Relative(name) => env.field(name),
        Node::Parent => Value::Num(env.position() as f64),
        Node::Filter(base, predicate) => filter(base, predicate, env),
        Node::Neg(inner) => Value::Num(-eval(inner, env).to_num()),
        Node::Binary(op, a, b) => binary(*op, a, b, env),
        Node::Call(func, args) => call(func, args, env),
        Node::Instance { name, predicate, column } => instance(name, predicate.as_deref(), column.as_deref(), env),
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
    match op {
        BinOp::Eq => Value::Bool(equals(&x, &y)),
        BinOp::Ne => Value::Bool(match (&x, &y) {
            // XPath: a node-set is unequal when one of its values differs.
            (Value::Nodes(n), other) | (other, Value::Nodes(n)) if !matches!(other, Value::Bool(_)) => n.iter().any(|v| !equals(v, other)),
            _ => !equals(&x, &y),
        }),
        BinOp::Lt => Value::Bool(relates(&x, &y, &|o| o == Some(Less))),
        BinOp::Le => Value::Bool(relates(&x, &y, &|o| matches!(o, Some(Less | Equal)))),
        BinOp::Gt => Value::Bool(relates(&x, &y, &|o| o == Some(Greater))),
        BinOp::Ge => Value::Bool(relates(&x, &y, &|o| matches!(o, Some(Greater | Equal)))),
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
        Func::Count => Value::Num(match arg(0) {
            Value::Nodes(n) => n.len(),
            _ => 1,
        } as f64),
        // Unanswered values count as 0, as in Enketo and Collect's repeat totals.
        Func::Sum => Value::Num(arg(0).items().iter().map(|v| if v.to_text().trim().is_empty() { 0.0 } else { v.to_num() }).sum()),
        Func::Max | Func::Min => {
            let values: Vec<f64> = (0..args.len()).flat_map(|i| arg(i).items()).filter(|v| !v.to_text().trim().is_empty()).map(|v| v.to_num()).collect();
            let pick = |a: f64, b: f64| if matches!(func, Func::Max) { a.max(b) } else { a.min(b) };
            match values.split_first() {
                None => Value::Num(f64::NAN),
                Some(_) if values.iter().any(|v| v.is_nan()) => Value::Num(f64::NAN),
                Some((first, rest)) => Value::Num(rest.iter().fold(*first, |a, b| pick(a, *b))),
            }
        }
        Func::Position => Value::Num(env.position() as f64),
        Func::IndexedRepeat => {
            let i = arg(2).to_num();
            let values = arg(0).items();
            if !i.is_finite() || i < 1.0 { Value::empty() } else { values.get(i.trunc() as usize - 1).cloned().unwrap_or_else(Value::empty) }
        }
        // The value the question already has (kept from the device), else the expression.
        Func::Once => {
            let current = env.current();
            if current.to_text().trim().is_empty() { arg(0) } else { current }
        }
        Func::NormalizeSpace => {
            let s = if args.is_empty() { env.current() } else { arg(0) };
            Value::Str(library::normalize_space(&s.to_text()))
        }
        Func::Translate => Value::Str(library::translate(&arg(0).to_text(), &arg(1).to_text(), &arg(2).to_text())),
        Func::Join => {
            let sep = arg(0).to_text();
            Value::Str((1..args.len()).flat_map(|i| arg(i).items()).map(|v| v.to_text()).collect::<Vec<_>>().join(&sep))
        }
        Func::BooleanFromString => Value::Bool(library::boolean_from_string(&arg(0).to_text())),
        Func::SubstringBefore => Value::Str(library::substring_around(&arg(0).to_text(), &arg(1).to_text(), false)),
        Func::SubstringAfter => Value::Str(library::substring_around(&arg(0).to_text(), &arg(1).to_text(), true)),
        Func::SelectedAt => Value::Str(library::selected_at(&arg(0).to_text(), arg(1).to_num())),
        Func::DecimalDateTime => Value::Num(arg(0).to_num()),
        Func::DecimalTime => Value::Num(library::decimal_time(&arg(0))),
        Func::FormatDate => Value::Str(library::format_date(&arg(0), &arg(1).to_text())),
        Func::Pow => Value::Num(arg(0).to_num().powf(arg(1).to_num())),
        Func::Exp => Value::Num(arg(0).to_num().exp()),
        Func::Exp10 => Value::Num(10f64.powf(arg(0).to_num())),
        Func::Log => Value::Num(arg(0).to_num().ln()),
        Func::Log10 => Value::Num(arg(0).to_num().log10()),
        Func::Abs => Value::Num(arg(0).to_num().abs()),
        Func::Sqrt => Value::Num(arg(0).to_num().sqrt()),
        Func::Floor => Value::Num(arg(0).to_num().floor()),
        Func::Ceiling => Value::Num(arg(0).to_num().ceil()),
        Func::Pi => Value::Num(std::f64::consts::PI),
        Func::Random => Value::Num((env.draw() >> 11) as f64 / (1u64 << 53) as f64),
        Func::Uuid => Value::Str(match args.first() {
            None => library::uuid_v4(env.draw(), env.draw()),
            Some(_) => library::random_chars(arg(0).to_num(), &mut || env.draw()),
        }),
        Func::Trig(t) => {
            let x = arg(0).to_num();
            Value::Num(match t {
                Trig::Sin => x.sin(),
                Trig::Cos => x.cos(),
                Trig::Tan => x.tan(),
                Trig::Asin => x.asin(),
                Trig::Acos => x.acos(),
                Trig::Atan => x.atan(),
            })
        }
        Func::Atan2 => Value::Num(arg(0).to_num().atan2(arg(1).to_num())),
        Func::Pulldata => {
            let (name, column, key_column, key) = (arg(0).to_text(), arg(1).to_text(), arg(2).to_text(), arg(3).to_text());
            let found = env.dataset(&name).and_then(|data| {
                let k = data.column(&key_column)?;
                let row = data.rows.iter().position(|r| r.get(k).is_some_and(|v| *v == key))?;
                Some(data.value(row, &column).to_string())
            });
            Value::Str(found.unwrap_or_default())
        }
        // jr:choice-name(value, '${field}'): the field is named inside the string, as
        // pyxform writes it (a path's last step also works).
        Func::ChoiceName => {
            let field = arg(1).to_text();
            let field = field.trim().trim_start_matches("${").trim_end_matches('}');
            let field = field.rsplit('/').next().unwrap_or(field);
            let value = arg(0).to_text();
            Value::Str(env.choice_label(field, value.trim()).unwrap_or_default())
        }
        Func::Distance | Func::Area => {
            let values: Vec<Value> = (0..args.len()).flat_map(|i| arg(i).items()).collect();
            match library::points(&values) {
                Some(p) if matches!(func, Func::Distance) => Value::Num(library::distance(&p)),
                Some(p) => Value::Num(library::area(&p)),
                None => Value::Num(f64::NAN),
            }
        }
    }
}

/// `${name}[predicate]`: the values of the nodes the predicate keeps (a number keeps the
/// node at that position).
fn filter(base: &Node, predicate: &Node, env: &dyn Env) -> Value {
    let mut kept = Vec::new();
    match base {
        Node::Ref(name) => env.each_node(name, &mut |focused| {
            let test = eval(predicate, focused);
            let keep = match test {
                Value::Num(n) => n == focused.position() as f64,
                other => other.to_bool(),
            };
            if keep {
                kept.push(focused.current());
            }
            true
        }),
        // A filter of a filter: apply the predicate to what the first one kept, by position.
        other => {
            for (i, v) in eval(other, env).items().into_iter().enumerate() {
                let test = eval(predicate, &Focused { inner: env, value: v.clone(), position: i + 1 });
                if match test {
                    Value::Num(n) => n == (i + 1) as f64,
                    t => t.to_bool(),
                } {
                    kept.push(v);
                }
            }
        }
    }
    Value::Nodes(kept)
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
