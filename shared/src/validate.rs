//! Validation of one submission against one form version: relevance, required,
//! constraints, types, choice membership and repeats. Used on the device before finalise
//! and on the server when a submission arrives, so both sides agree.
//!
//! Evaluation order: questions are visited in form order. A reference to a question
//! already visited sees its checked value (empty if it was not relevant); a reference to
//! a later question sees its raw answer read as its type (or its calculation). Answers to
//! questions that are not relevant are not errors: they are listed in
//! [`Report::not_relevant`] and ignored, as ODK clients clear them.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use thiserror::Error;

use crate::answers::{Answers, Entry, parse_value};
use crate::expr::{Clock, Env, Expression, Value, mix, seed_of_path};
use crate::form::{Field, FieldKind, Flag, Form, Item, Text};

mod choices;

/// What kind of problem an answer has; callers branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// A required question has no answer.
    Required,
    /// The answer breaks the question's `constraint`.
    Constraint,
    /// The answer is not of the question's type.
    Type,
    /// The answer is not a choice of the question's list (after `choice_filter`).
    NotAChoice,
    /// The submission answers a question the form does not have.
    UnknownField,
    /// A repeat has another number of instances than its `repeat_count`.
    RepeatCount,
    /// A `rank` question leaves out some of its choices.
    Incomplete,
}

impl ErrorCode {
    /// A stable machine code for APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Required => "required",
            ErrorCode::Constraint => "constraint",
            ErrorCode::Type => "type",
            ErrorCode::NotAChoice => "not_a_choice",
            ErrorCode::UnknownField => "unknown_field",
            ErrorCode::RepeatCount => "repeat_count",
            ErrorCode::Incomplete => "incomplete",
        }
    }
}

/// One problem with one answer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{path}: {message}")]
pub struct FieldError {
    /// Where: `nombre`, or `visitas[2]/hora` inside a repeat (1-based).
    pub path: String,
    /// The kind of problem.
    pub code: ErrorCode,
    /// The form's own message when it has one, else a Spanish default.
    pub message: String,
}

/// The outcome of validating one submission.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Every problem, in form order.
    pub errors: Vec<FieldError>,
    /// Paths of answers given to questions that are not relevant (ignored).
    pub not_relevant: Vec<String>,
    /// Paths of the questions to ask now, in form order: relevant, not computed, not
    /// metadata; inside a repeat, for each instance given or expected by `repeat_count`.
    /// A data-entry screen walks this list, recomputed after every answer. Filled only by
    /// [`validate_for_entry`].
    pub asked: Vec<String>,
    /// For each asked `select_one`, `select_multiple` and `rank` path: the choice names it
    /// offers now, in the order to show them (after `choice_filter`, drawn by `randomize`;
    /// for `select_one ${question}`, that repeat question's answers). Filled only by
    /// [`validate_for_entry`].
    pub choices: BTreeMap<String, Vec<String>>,
}

impl Report {
    /// True when there is no error.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

const REQUIRED_DEFAULT: &str = "Esta pregunta es obligatoria.";
const CONSTRAINT_DEFAULT: &str = "La respuesta no es válida.";
/// At most this many expected repeat instances are listed as asked.
const MAX_EXPECTED_INSTANCES: usize = 200;
/// The answers of an instance not given yet.
static EMPTY: Answers = Answers::EMPTY;
/// How deep forward references to calculations may chain before giving up (empty value).
const MAX_FORWARD_DEPTH: u32 = 64;

/// Validates `answers` against `form`, evaluating `today()`/`now()` with `clock` and
/// choosing messages in `language`.
pub fn validate(form: &Form, answers: &Answers, clock: Clock, language: &str) -> Report {
    run(form, &FormIndex::new(form), answers, clock, language, false)
}

/// [`validate`] with the form's index built beforehand ([`FormIndex::new`], once per form
/// version: a server checking many records of one version keeps it with the form). An
/// index of another form id or version is not used: one is built for `form`.
pub fn validate_indexed(form: &Form, index: &FormIndex, answers: &Answers, clock: Clock, language: &str) -> Report {
    if index.fits(form) {
        run(form, index, answers, clock, language, false)
    } else {
        validate(form, answers, clock, language)
    }
}

/// [`validate`], also listing the questions to ask now in [`Report::asked`] (for
/// data-entry screens; the server does not need them).
pub fn validate_for_entry(form: &Form, answers: &Answers, clock: Clock, language: &str) -> Report {
    run(form, &FormIndex::new(form), answers, clock, language, true)
}

fn run(form: &Form, index: &FormIndex, answers: &Answers, clock: Clock, language: &str, list_asked: bool) -> Report {
    let v = Validator::new(form, index, clock, language, list_asked);
    let mut report = Report::default();
    let mut root = Frame::new(answers, String::new(), None, 1, false);
    v.bind(&mut root, &mut report);
    let mut stack = vec![root];
    v.walk(&form.items, &mut stack, true, &mut report);
    report
}

/// Evaluates `e` at the form's top level after checking `answers` (it sees the values
/// questions and calculations have there; labels in the form's default language), for
/// tools and tests.
pub fn evaluate_in(form: &Form, answers: &Answers, clock: Clock, e: &Expression) -> Value {
    let index = FormIndex::new(form);
    let v = Validator::new(form, &index, clock, form.language(), false);
    let mut report = Report::default();
    let mut stack = vec![Frame::new(answers, String::new(), None, 1, false)];
    v.walk(&form.items, &mut stack, true, &mut report);
    e.eval(&Scope::new(&v, &stack, Value::empty()))
}

/// Every field and repeat of a form with the repeats (outermost first) that enclose it, in
/// the form's order, found by name through a hash map. It owns what it holds (each name's
/// place in the form's items, not a reference), so it is built once per form version and
/// used for every record checked against it ([`validate_indexed`]).
#[derive(Debug, Clone)]
pub struct FormIndex {
    /// The form it was built from.
    form_id: String,
    version: String,
    entries: Vec<IndexEntry>,
    places: FxHashMap<Box<str>, usize>,
}

#[derive(Debug, Clone)]
struct IndexEntry {
    /// Where it is: its place among the form's items, then among each group's or
    /// repeat's children.
    path: Box<[u32]>,
    /// A question (not a repeat).
    is_field: bool,
    /// The repeats around it, outermost first; a repeat's own chain ends with itself.
    chain: Box<[Box<str>]>,
}

impl FormIndex {
    pub fn new(form: &Form) -> Self {
        fn walk(items: &[Item], path: &mut Vec<u32>, chain: &mut Vec<Box<str>>, out: &mut Vec<(Box<str>, IndexEntry)>) {
            for (i, item) in items.iter().enumerate() {
                path.push(u32::try_from(i).unwrap_or(u32::MAX));
                match item {
                    Item::Field(f) => out.push((f.name.as_str().into(), IndexEntry { path: path.as_slice().into(), is_field: true, chain: chain.as_slice().into() })),
                    Item::Group(g) => walk(&g.children, path, chain, out),
                    Item::Repeat(g) => {
                        chain.push(g.name.as_str().into());
                        out.push((g.name.as_str().into(), IndexEntry { path: path.as_slice().into(), is_field: false, chain: chain.as_slice().into() }));
                        walk(&g.children, path, chain, out);
                        chain.pop();
                    }
                }
                path.pop();
            }
        }
        let mut named = Vec::with_capacity(64);
        walk(&form.items, &mut Vec::new(), &mut Vec::new(), &mut named);
        let mut places = FxHashMap::with_capacity_and_hasher(named.len(), Default::default());
        let mut entries = Vec::with_capacity(named.len());
        for (i, (name, entry)) in named.into_iter().enumerate() {
            // Names are unique (import refuses duplicates); keep the first if not.
            places.entry(name).or_insert(i);
            entries.push(entry);
        }
        FormIndex { form_id: form.id.clone(), version: form.version.clone(), entries, places }
    }

    /// Built from this form's id and version (a form as checked at a centro, whose lists
    /// differ, has the same questions).
    fn fits(&self, form: &Form) -> bool {
        self.form_id == form.id && self.version == form.version
    }
}

/// The field at `path` in `items`.
fn field_at<'f>(items: &'f [Item], path: &[u32]) -> Option<&'f Field> {
    let (last, groups) = path.split_last()?;
    let mut items = items;
    for &i in groups {
        match items.get(i as usize)? {
            Item::Group(g) | Item::Repeat(g) => items = &g.children,
            Item::Field(_) => return None,
        }
    }
    match items.get(*last as usize)? {
        Item::Field(f) => Some(f),
        _ => None,
    }
}

/// A name of the form: its field (`None` for a repeat) and the repeats around it.
struct Entry2<'a> {
    field: Option<&'a Field>,
    chain: &'a [Box<str>],
}

/// A form's index over the form itself.
struct FieldIndex<'a> {
    form: &'a Form,
    index: &'a FormIndex,
}

impl<'a> FieldIndex<'a> {
    fn get(&self, name: &str) -> Option<Entry2<'a>> {
        self.place(name).map(|i| self.at(i))
    }

    fn at(&self, place: usize) -> Entry2<'a> {
        let e = &self.index.entries[place];
        Entry2 { field: if e.is_field { field_at(&self.form.items, &e.path) } else { None }, chain: &e.chain }
    }

    /// Where `name` is in the index.
    fn place(&self, name: &str) -> Option<usize> {
        self.index.places.get(name).copied()
    }

    /// The repeat whose instances hold the name at `place` (`None`: the form's top level).
    fn scope(&self, place: usize) -> Option<&'a str> {
        let e = &self.index.entries[place];
        let around = if e.is_field { e.chain.len() } else { e.chain.len().saturating_sub(1) };
        around.checked_sub(1).map(|i| &*e.chain[i])
    }

    fn len(&self) -> usize {
        self.index.entries.len()
    }
}

/// The checked values of one instance's visited questions, by place in the index (a vector
/// rather than a map: no allocation per question).
#[derive(Default)]
struct Seen(Vec<Option<Value>>);

impl Seen {
    fn get(&self, place: usize) -> Option<&Value> {
        self.0.get(place).and_then(Option::as_ref)
    }

    fn set(&mut self, place: usize, value: Value, size: usize) {
        if self.0.len() < size {
            self.0.resize(size, None);
        }
        if let Some(slot) = self.0.get_mut(place) {
            *slot = Some(value);
        }
    }
}

struct Frame<'a> {
    answers: &'a Answers,
    prefix: String,
    /// The repeat this frame is an instance of (`None` for the form itself).
    repeat: Option<&'a str>,
    /// Its 1-based place among the repeat's instances.
    position: usize,
    /// An instance expected by `repeat_count` but not given yet: its questions are listed
    /// as asked, its problems are not reported (the count error covers them).
    expected_only: bool,
    /// Checked values of the questions visited so far in this instance, by their place in
    /// the validator's [`FieldIndex`]. Shared by the copies made to look into other
    /// instances (they read it, never write).
    seen: Rc<RefCell<Seen>>,
    /// Its answers by place in the validator's [`FieldIndex`], once bound
    /// ([`Validator::bind`]); empty in frames that read `answers` by name (the copies made
    /// to look into other instances).
    given: Vec<Option<&'a Entry>>,
}

impl<'a> Frame<'a> {
    fn new(answers: &'a Answers, prefix: String, repeat: Option<&'a str>, position: usize, expected_only: bool) -> Self {
        Frame { answers, prefix, repeat, position, expected_only, seen: Rc::default(), given: Vec::new() }
    }

    fn copy(&self) -> Self {
        Frame {
            answers: self.answers,
            prefix: self.prefix.clone(),
            repeat: self.repeat,
            position: self.position,
            expected_only: self.expected_only,
            seen: Rc::clone(&self.seen),
            given: Vec::new(),
        }
    }

    /// Its answer to the question or repeat `name` of its scope, at `place` in the index.
    fn entry(&self, place: Option<usize>, name: &str) -> Option<&'a Entry> {
        if self.given.is_empty() {
            return self.answers.get(name);
        }
        place.and_then(|p| self.given.get(p).copied().flatten())
    }
}

struct Validator<'a> {
    form: &'a Form,
    clock: Clock,
    language: &'a str,
    fields: FieldIndex<'a>,
    depth: Cell<u32>,
    /// Whether to fill `Report::asked`.
    list_asked: bool,
    /// The question being evaluated (a hash of its path) and how many draws its
    /// expressions made so far: `random()` depends on the record, the question and the
    /// draw's place, never on what else was evaluated before.
    drawing: Cell<(u64, u64)>,
}

impl<'a> Validator<'a> {
    fn new(form: &'a Form, index: &'a FormIndex, clock: Clock, language: &'a str, list_asked: bool) -> Self {
        let fields = FieldIndex { form, index };
        Validator { form, clock, language, fields, depth: Cell::new(0), list_asked, drawing: Cell::new((0, 0)) }
    }

    /// Runs `f` with draws keyed to the question at `prefix` + `name`.
    fn drawing_for<T>(&self, prefix: &str, name: &str, f: impl FnOnce() -> T) -> T {
        let saved = self.drawing.replace((seed_of_path(prefix, name), 0));
        let out = f();
        self.drawing.set(saved);
        out
    }
}

struct Scope<'v, 'a> {
    v: &'v Validator<'a>,
    stack: &'v [Frame<'a>],
    current: Value,
    choice: Option<&'a crate::form::Choice>,
    /// The place of the node in focus inside a predicate.
    focus: Option<usize>,
}

impl<'v, 'a> Scope<'v, 'a> {
    fn new(v: &'v Validator<'a>, stack: &'v [Frame<'a>], current: Value) -> Self {
        Scope { v, stack, current, choice: None, focus: None }
    }

    /// The stacks of every instance of `name` (a field's enclosing repeats, or a repeat)
    /// reachable from here, or `None` when `name` has one value from here (a field of this
    /// instance or of one around it).
    fn instances(&self, name: &str) -> Option<Vec<Vec<Frame<'a>>>> {
        let entry = self.v.fields.get(name)?;
        let here: Vec<&str> = self.stack.iter().skip(1).filter_map(|f| f.repeat).collect();
        let common = entry.chain.iter().zip(&here).take_while(|(a, b)| ***a == ***b).count();
        if entry.field.is_some() && common == entry.chain.len() {
            return None;
        }
        // A repeat seen from inside itself: all its instances, from the frame around it.
        let common = common.min(entry.chain.len().saturating_sub(1)).min(self.stack.len() - 1);
        let mut stacks: Vec<Vec<Frame<'a>>> = vec![self.stack[..=common].iter().map(Frame::copy).collect()];
        for repeat in &entry.chain[common..] {
            let mut next = Vec::new();
            for st in stacks {
                let Some(last) = st.last() else { continue };
                let Some(Entry::Repeat(list)) = last.answers.get(repeat) else { continue };
                for (i, answers) in list.iter().enumerate() {
                    let mut deeper: Vec<Frame<'a>> = st.iter().map(Frame::copy).collect();
                    let prefix = format!("{}{repeat}[{}]/", last.prefix, i + 1);
                    deeper.push(Frame::new(answers, prefix, Some(&**repeat), i + 1, true));
                    next.push(deeper);
                }
            }
            stacks = next;
        }
        Some(stacks)
    }
}

impl Env for Scope<'_, '_> {
    fn field(&self, name: &str) -> Value {
        let Some(place) = self.v.fields.place(name) else { return Value::empty() };
        let entry = self.v.fields.at(place);
        let Some(field) = entry.field else { return Value::empty() };
        let depth = entry.chain.len();
        let Some(frame) = self.stack.get(depth) else { return Value::empty() };
        if let Some(value) = frame.seen.borrow().get(place) {
            return value.clone();
        }
        // A forward reference: the raw answer, or the calculation, of a later question (a
        // triggered one keeps the value the record carries).
        if let Some(calc) = field.calculation.as_ref().filter(|_| !field.is_triggered()) {
            if self.v.depth.get() >= MAX_FORWARD_DEPTH {
                return Value::empty();
            }
            self.v.depth.set(self.v.depth.get() + 1);
            let scope = Scope::new(self.v, &self.stack[..=depth], Value::empty());
            let value = self.v.drawing_for(&frame.prefix, name, || calc.eval(&scope));
            self.v.depth.set(self.v.depth.get() - 1);
            return value;
        }
        let raw = match frame.entry(Some(place), name) {
            Some(Entry::Value(v)) => v.as_str(),
            _ => "",
        };
        if raw.trim().is_empty() {
            return Value::empty();
        }
        parse_value(&field.kind, raw).unwrap_or_else(|_| Value::empty())
    }

    fn current(&self) -> Value {
        self.current.clone()
    }

    fn choice_column(&self, name: &str) -> Value {
        let Some(choice) = self.choice else { return Value::empty() };
        if name == "name" {
            return Value::Str(choice.name.clone());
        }
        choice.extra.get(name).map_or_else(Value::empty, |v| Value::Str(v.clone()))
    }

    fn clock(&self) -> Clock {
        self.v.clock
    }

    fn nodes(&self, name: &str) -> Option<Vec<Value>> {
        let stacks = self.instances(name)?;
        let is_field = self.v.fields.get(name).is_some_and(|e| e.field.is_some());
        Some(stacks.iter().map(|st| if is_field { Scope::new(self.v, st, Value::empty()).field(name) } else { Value::empty() }).collect())
    }

    fn each_node(&self, name: &str, visit: &mut dyn FnMut(&dyn Env) -> bool) {
        let is_field = self.v.fields.get(name).is_some_and(|e| e.field.is_some());
        match self.instances(name) {
            None => {
                let scope = Scope { focus: Some(1), ..Scope::new(self.v, self.stack, self.field(name)) };
                visit(&scope);
            }
            Some(stacks) => {
                for (i, st) in stacks.iter().enumerate() {
                    let probe = Scope::new(self.v, st, Value::empty());
                    let value = if is_field { probe.field(name) } else { Value::empty() };
                    let scope = Scope { focus: Some(i + 1), ..Scope::new(self.v, st, value) };
                    if !visit(&scope) {
                        break;
                    }
                }
            }
        }
    }

    fn choice_label(&self, field: &str, value: &str) -> Option<String> {
        let list = self.v.fields.get(field)?.field?.list_name()?;
        let choice = self.v.form.lists.get(list)?.get(value)?;
        choice.label.get(self.v.language).map(str::to_string)
    }

    fn position(&self) -> usize {
        self.focus.unwrap_or_else(|| self.stack.last().map_or(1, |f| f.position))
    }

    fn dataset(&self, name: &str) -> Option<&crate::form::Dataset> {
        self.v.form.datasets.get(name).map(|d| d.as_ref())
    }

    fn draw(&self) -> u64 {
        let (key, n) = self.v.drawing.get();
        self.v.drawing.set((key, n + 1));
        mix(self.v.clock.seed ^ key ^ mix(n))
    }

    fn as_dyn(&self) -> &dyn Env {
        self
    }
}

impl<'a> Validator<'a> {
    fn eval(&self, e: &Expression, stack: &[Frame<'a>], current: Value) -> Value {
        e.eval(&Scope::new(self, stack, current))
    }

    fn message(&self, text: &Text, default: &str) -> String {
        text.get(self.language).unwrap_or(default).to_string()
    }

    fn error(&self, report: &mut Report, frame: &Frame<'_>, name: &str, code: ErrorCode, message: String) {
        if frame.expected_only {
            return;
        }
        report.errors.push(FieldError { path: format!("{}{name}", frame.prefix), code, message });
    }

    /// Binds the instance's answers to their places in the index, and reports the names
    /// answered here that are not questions or repeats of its scope (a name belongs to the
    /// scope of the repeat around it).
    fn bind(&self, frame: &mut Frame<'a>, report: &mut Report) {
        let mut given = vec![None; self.fields.len()];
        for (name, entry) in frame.answers.iter() {
            match self.fields.place(name) {
                Some(p) if self.fields.scope(p) == frame.repeat => given[p] = Some(entry),
                _ => {
                    let message = format!("«{name}» no es una pregunta del formulario {} versión {}", self.form.id, self.form.version);
                    self.error(report, frame, name, ErrorCode::UnknownField, message);
                }
            }
        }
        frame.given = given;
    }

    fn walk(&self, items: &'a [Item], stack: &mut Vec<Frame<'a>>, relevant: bool, report: &mut Report) {
        for item in items {
            match item {
                Item::Field(f) => self.field(f, stack, relevant, report),
                Item::Group(g) => {
                    let on = relevant && g.relevant.as_ref().is_none_or(|e| self.eval(e, stack, Value::empty()).to_bool());
                    self.walk(&g.children, stack, on, report);
                }
                Item::Repeat(g) => self.repeat(g, stack, relevant, report),
            }
        }
    }

    fn repeat(&self, g: &'a crate::form::Group, stack: &mut Vec<Frame<'a>>, relevant: bool, report: &mut Report) {
        let Some(frame) = stack.last() else { return };
        let on = relevant && g.relevant.as_ref().is_none_or(|e| self.eval(e, stack, Value::empty()).to_bool());
        let instances: &'a [Answers] = match frame.entry(self.fields.place(&g.name), &g.name) {
            None => &[],
            Some(Entry::Repeat(list)) => list,
            Some(Entry::Value(v)) => {
                if !v.trim().is_empty() {
                    self.error(report, frame, &g.name, ErrorCode::Type, "se esperaban repeticiones, no un valor".into());
                }
                &[]
            }
        };
        if !on {
            if !instances.is_empty() {
                report.not_relevant.push(format!("{}{}", frame.prefix, g.name));
            }
            return;
        }
        let mut expected = instances.len();
        if let Some(count) = &g.repeat_count {
            let n = self.eval(count, stack, Value::empty()).to_num();
            if n.is_finite() && n >= 0.0 && (n.trunc() as usize) != instances.len() {
                let message = format!("se esperaban {} repeticiones y hay {}", n.trunc(), instances.len());
                self.error(report, frame, &g.name, ErrorCode::RepeatCount, message);
                expected = (n.trunc() as usize).min(MAX_EXPECTED_INSTANCES);
            }
        }
        let base = format!("{}{}", frame.prefix, g.name);
        let quiet = frame.expected_only;
        for i in 0..instances.len().max(expected) {
            let (answers, expected_only) = match instances.get(i) {
                Some(a) => (a, quiet),
                None => (&EMPTY, true),
            };
            let mut inner = Frame::new(answers, format!("{base}[{}]/", i + 1), Some(&g.name), i + 1, expected_only);
            self.bind(&mut inner, report);
            stack.push(inner);
            self.walk(&g.children, stack, true, report);
            stack.pop();
        }
    }

    fn field(&self, f: &'a Field, stack: &[Frame<'a>], relevant: bool, report: &mut Report) {
        let Some(frame) = stack.last() else { return };
        self.drawing_for(&frame.prefix, &f.name, || self.field_drawn(f, stack, frame, relevant, report));
    }

    fn field_drawn(&self, f: &'a Field, stack: &[Frame<'a>], frame: &Frame<'a>, relevant: bool, report: &mut Report) {
        let place = self.fields.place(&f.name);
        let raw = match frame.entry(place, &f.name) {
            Some(Entry::Value(v)) => v.trim(),
            Some(Entry::Repeat(_)) => {
                self.error(report, frame, &f.name, ErrorCode::Type, "se esperaba un valor, no repeticiones".into());
                ""
            }
            None => "",
        };
        let on = relevant && f.relevant.as_ref().is_none_or(|e| self.eval(e, stack, Value::empty()).to_bool());
        let value = if !on {
            if !raw.is_empty() {
                report.not_relevant.push(format!("{}{}", frame.prefix, f.name));
            }
            Value::empty()
        } else if f.is_triggered() {
            // Set by the device when its trigger changed, and kept: never recomputed.
            if raw.is_empty() { Value::empty() } else { parse_value(&f.kind, raw).unwrap_or_else(|_| Value::Str(raw.to_string())) }
        } else if let Some(calc) = &f.calculation {
            // `.` is the value the record carries (what `once()` keeps).
            self.eval(calc, stack, Value::Str(raw.to_string()))
        } else {
            if self.list_asked && !f.is_unasked() {
                let path = format!("{}{}", frame.prefix, f.name);
                if let Some(offered) = self.offered(f, stack) {
                    report.choices.insert(path.clone(), offered);
                }
                report.asked.push(path);
            }
            self.check_answer(f, raw, stack, report)
        };
        if let Some(place) = place {
            frame.seen.borrow_mut().set(place, value, self.fields.len());
        }
    }

    /// Checks a relevant, asked question; returns its value for later references.
    fn check_answer(&self, f: &'a Field, raw: &str, stack: &[Frame<'a>], report: &mut Report) -> Value {
        let Some(frame) = stack.last() else { return Value::empty() };
        if raw.is_empty() {
            let required = match &f.required {
                Flag::No => false,
                Flag::Yes => true,
                Flag::When(e) => self.eval(e, stack, Value::empty()).to_bool(),
            };
            if required && !matches!(f.kind, FieldKind::Note) {
                let message = self.message(&f.required_message, REQUIRED_DEFAULT);
                self.error(report, frame, &f.name, ErrorCode::Required, message);
            }
            return Value::empty();
        }
        if matches!(f.kind, FieldKind::Note) {
            return Value::empty();
        }
        let value = match parse_value(&f.kind, raw) {
            Ok(v) => v,
            Err(problem) => {
                self.error(report, frame, &f.name, ErrorCode::Type, capitalize(&problem.to_string()));
                return Value::empty();
            }
        };
        if let Some((code, message)) = self.choice_problem(f, &value, stack) {
            self.error(report, frame, &f.name, code, message);
            return Value::empty();
        }
        if let Some(c) = &f.constraint
            && !self.eval(c, stack, value.clone()).to_bool() {
                let message = self.message(&f.constraint_message, CONSTRAINT_DEFAULT);
                self.error(report, frame, &f.name, ErrorCode::Constraint, message);
            }
        value
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}
