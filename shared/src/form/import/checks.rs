//! Whole-form checks once every row is read: lists exist and fit their scoring,
//! references name real questions in reach, calculations do not loop.

use std::collections::{BTreeMap, BTreeSet};

use super::Problems;
use crate::expr::{Expression, Node};
use crate::form::error::{ImportErrorKind, Location};
use crate::form::model::{Field, Form, Item, Scoring};

const SURVEY: &str = "survey";

pub(crate) fn run(form: &Form, problems: &mut Problems) {
    let scopes = scopes(&form.items);
    check_items(form, &form.items, &[], &scopes, problems);
    check_cycles(form, problems);
}

/// Every name with the repeats (outermost first) that enclose it.
fn scopes(items: &[Item]) -> BTreeMap<String, Vec<String>> {
    fn walk(items: &[Item], path: &mut Vec<String>, out: &mut BTreeMap<String, Vec<String>>) {
        for item in items {
            match item {
                Item::Field(f) => {
                    out.insert(f.name.clone(), path.clone());
                }
                Item::Group(g) => {
                    out.insert(g.name.clone(), path.clone());
                    walk(&g.children, path, out);
                }
                Item::Repeat(g) => {
                    out.insert(g.name.clone(), path.clone());
                    path.push(g.name.clone());
                    walk(&g.children, path, out);
                    path.pop();
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(items, &mut Vec::new(), &mut out);
    out
}

fn check_items(form: &Form, items: &[Item], path: &[String], scopes: &BTreeMap<String, Vec<String>>, problems: &mut Problems) {
    for item in items {
        match item {
            Item::Field(f) => {
                for (column, expr) in f.expressions() {
                    if let Some(e) = expr {
                        check_refs(e, path, scopes, &Location::cell(SURVEY, f.row, column), problems);
                    }
                }
                check_lists(form, f, scopes, problems);
                check_trigger(f, path, scopes, problems);
                check_default(form, f, problems);
            }
            Item::Group(g) => {
                if let Some(e) = &g.relevant {
                    check_refs(e, path, scopes, &Location::cell(SURVEY, g.row, "relevant"), problems);
                }
                check_items(form, &g.children, path, scopes, problems);
            }
            Item::Repeat(g) => {
                for (column, expr) in [("relevant", &g.relevant), ("repeat_count", &g.repeat_count)] {
                    if let Some(e) = expr {
                        check_refs(e, path, scopes, &Location::cell(SURVEY, g.row, column), problems);
                    }
                }
                let mut inner = path.to_vec();
                inner.push(g.name.clone());
                check_items(form, &g.children, &inner, scopes, problems);
            }
        }
    }
}

/// `trigger` names questions of the form; a triggered question inside a repeat is not
/// supported yet (refused by name).
fn check_trigger(f: &Field, path: &[String], scopes: &BTreeMap<String, Vec<String>>, problems: &mut Problems) {
    let at = || Location::cell(SURVEY, f.row, "trigger");
    for name in f.trigger.iter().filter(|n| !scopes.contains_key(*n)) {
        problems.push(at(), ImportErrorKind::UnknownReference(name.clone()));
    }
    if f.is_triggered() && !path.is_empty() {
        problems.push(at(), ImportErrorKind::UnsupportedSetting("trigger".into(), "aún no se admite dentro de un repeat"));
    }
}

/// References must name questions, groups or repeats of the form. A reference into a
/// repeat from outside it is a node-set (its value at every instance: `count()`, `sum()`,
/// a predicate), as XPath reads it.
fn check_refs(e: &Expression, _path: &[String], scopes: &BTreeMap<String, Vec<String>>, at: &Location, problems: &mut Problems) {
    let mut names = e.references();
    collect_relative(e.root(), &mut |n| {
        if !names.iter().any(|x| x == n) {
            names.push(n.to_string());
        }
    });
    for name in names {
        if !scopes.contains_key(&name) {
            problems.push(at.clone(), ImportErrorKind::UnknownReference(name));
        }
    }
}

fn check_lists(form: &Form, f: &Field, scopes: &BTreeMap<String, Vec<String>>, problems: &mut Problems) {
    let Some(list_name) = f.list_name() else { return };
    let at = Location::cell(SURVEY, f.row, "type");
    if let Some(source) = f.choices_from_repeat() {
        // `select_one ${name}`: the answers of a question inside a repeat are the choices.
        match scopes.get(source) {
            None => problems.push(at.clone(), ImportErrorKind::UnknownReference(source.to_string())),
            Some(chain) if chain.is_empty() => problems.push(
                at.clone(),
                ImportErrorKind::BadValue { value: format!("${{{source}}}"), expected: "una pregunta dentro de un begin repeat" },
            ),
            Some(_) => {}
        }
        if f.scoring.scoring.is_some() || f.scoring.pillar.is_some() {
            problems.push(at, ImportErrorKind::BadValue { value: list_name.to_string(), expected: "una lista de la hoja choices (una pregunta calificada)" });
        }
        return;
    }
    let Some(list) = form.lists.get(list_name) else {
        // A list from a data file that is missing is reported as the missing file.
        if crate::form::AttachmentKind::of(list_name).is_none() {
            problems.push(at, ImportErrorKind::UnknownList(list_name.to_string()));
        }
        return;
    };
    if list.choices.is_empty() {
        problems.push(at, ImportErrorKind::EmptyList(list_name.to_string()));
        return;
    }
    let needs: Option<(&'static str, &[&str], &'static str)> = match (f.scoring.scoring, &f.scoring.pillar) {
        (_, Some(_)) => Some(("pillar", &["0", "1", "2"], "0/1/2")),
        (Some(Scoring::Scale5), None) => Some(("scoring", &["1", "2", "3", "4", "5"], "scale5")),
        (Some(Scoring::Ypn), None) => Some(("scoring", &["si", "parcial", "no"], "ypn")),
        (None, None) => None,
    };
    if let Some((column, names, scoring)) = needs {
        let missing: Vec<&str> = names.iter().copied().filter(|n| list.get(n).is_none()).collect();
        if !missing.is_empty() {
            problems.push(
                Location::cell(SURVEY, f.row, column),
                ImportErrorKind::ScoringChoices { list: list_name.to_string(), scoring, missing: missing.join(", ") },
            );
        }
    }
    if let Some(filter) = &f.choice_filter {
        let columns: BTreeSet<&str> = list.choices.iter().flat_map(|c| c.extra.keys().map(String::as_str)).collect();
        let mut unknown = Vec::new();
        collect_choice_columns(filter.root(), &mut |c| {
            if !columns.contains(c) && c != "name" {
                unknown.push(c.to_string());
            }
        });
        for c in unknown {
            problems.push(
                Location::cell(SURVEY, f.row, "choice_filter"),
                ImportErrorKind::BadValue { value: c, expected: "una columna de la hoja choices para esta lista" },
            );
        }
    }
}

pub(crate) fn collect_choice_columns(node: &Node, f: &mut impl FnMut(&str)) {
    match node {
        Node::ChoiceColumn(c) => f(c),
        Node::Neg(inner) => collect_choice_columns(inner, f),
        Node::Binary(_, a, b) => {
            collect_choice_columns(a, f);
            collect_choice_columns(b, f);
        }
        Node::Call(_, args) => args.iter().for_each(|a| collect_choice_columns(a, f)),
        Node::Filter(base, predicate) => {
            collect_choice_columns(base, f);
            collect_choice_columns(predicate, f);
        }
        // Bare names in an instance's predicate are the data file's columns.
        Node::Num(_) | Node::Str(_) | Node::Ref(_) | Node::Current | Node::Relative(_) | Node::Parent | Node::Instance { .. } => {}
    }
}

/// Every bare name of a predicate (`${miembros}[edad < 18]`).
fn collect_relative(node: &Node, f: &mut impl FnMut(&str)) {
    match node {
        Node::Relative(name) => f(name),
        Node::Neg(inner) => collect_relative(inner, f),
        Node::Binary(_, a, b) | Node::Filter(a, b) => {
            collect_relative(a, f);
            collect_relative(b, f);
        }
        Node::Call(_, args) => args.iter().for_each(|a| collect_relative(a, f)),
        Node::Instance { predicate, .. } => {
            if let Some(p) = predicate {
                collect_relative(p, f);
            }
        }
        Node::Num(_) | Node::Str(_) | Node::Ref(_) | Node::Current | Node::ChoiceColumn(_) | Node::Parent => {}
    }
}

/// Calculations that depend on each other in a loop can never be evaluated.
/// Iterative depth-first search, so a long chain cannot overflow the stack.
fn check_cycles(form: &Form, problems: &mut Problems) {
    let fields = form.fields();
    let names: BTreeSet<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    let deps: BTreeMap<&str, Vec<&str>> = fields
        .iter()
        .filter_map(|f| f.calculation.as_ref().map(|c| (f.name.as_str(), c.root())))
        .map(|(name, root)| {
            let mut refs = Vec::new();
            root.visit_refs(&mut |r| refs.push(r.to_string()));
            (name, refs)
        })
        .map(|(name, refs)| {
            (name, refs.iter().filter_map(|r| names.get(r.as_str()).copied()).collect())
        })
        .collect();
    let rows: BTreeMap<&str, u32> = fields.iter().map(|f| (f.name.as_str(), f.row)).collect();
    // Absent = unvisited, 1 = on the current path, 2 = done.
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    let mut reported = BTreeSet::new();
    for &start in deps.keys() {
        if state.contains_key(start) {
            continue;
        }
        state.insert(start, 1);
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        while let Some(&(node, idx)) = stack.last() {
            let next = deps.get(node).and_then(|d| d.get(idx)).copied();
            let Some(next) = next else {
                state.insert(node, 2);
                stack.pop();
                continue;
            };
            if let Some(top) = stack.last_mut() {
                top.1 += 1;
            }
            match state.get(next) {
                Some(2) => {}
                Some(_) => {
                    let from = stack.iter().position(|(n, _)| *n == next).unwrap_or(0);
                    let mut cycle: Vec<&str> = stack[from..].iter().map(|(n, _)| *n).collect();
                    cycle.push(next);
                    let first = cycle.iter().min().copied().unwrap_or_default();
                    if reported.insert(first) {
                        let row = rows.get(first).copied().unwrap_or_default();
                        let text = cycle.iter().map(|n| format!("${{{n}}}")).collect::<Vec<_>>().join(" → ");
                        problems.push(Location::cell(SURVEY, row, "calculation"), ImportErrorKind::Cycle(text));
                    }
                }
                None => {
                    state.insert(next, 1);
                    stack.push((next, 0));
                }
            }
        }
    }
}

/// A `default` must be a valid answer of its question: a typo there would pre-fill every
/// new draft with an answer the validator then refuses.
fn check_default(form: &Form, f: &Field, problems: &mut Problems) {
    let Some(default) = &f.default else { return };
    let at = Location::cell(SURVEY, f.row, "default");
    if let Err(problem) = crate::answers::parse_value(&f.kind, default) {
        problems.push(at, ImportErrorKind::BadDefault { value: default.clone(), problem });
        return;
    }
    let Some(list) = f.list_name().and_then(|l| form.lists.get(l)) else { return };
    if let Some(bad) = default.split_whitespace().find(|c| list.get(c).is_none()) {
        problems.push(at, ImportErrorKind::BadValue { value: bad.to_string(), expected: "una opción de la lista de la pregunta" });
    }
}
