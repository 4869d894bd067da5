//! A stable plain-text rendering of a parsed form, committed beside each shipped XLSForm so
//! that every change to a form is reviewable in a diff.

use std::fmt::Write;

use super::model::{Field, FieldKind, Flag, Form, Item, Scoring, Text};

/// Renders `form` as text. Deterministic: the same form always gives the same bytes.
pub fn render_text(form: &Form) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "form_id: {}", form.id);
    let _ = writeln!(out, "version: {}", form.version);
    text_lines(&mut out, 0, "title", &form.title);
    let langs: Vec<&str> = form.languages.iter().map(|l| if l.is_empty() { "(sin idioma)" } else { l }).collect();
    let _ = writeln!(out, "languages: {}", langs.join(", "));
    if let Some(lang) = &form.default_language {
        let _ = writeln!(out, "default_language: {lang}");
    }
    out.push('\n');
    items(&mut out, 0, &form.items);
    if !form.files.is_empty() {
        out.push_str("\nfiles:\n");
        for (name, sha) in &form.files {
            let _ = writeln!(out, "  {name} sha256={sha}");
        }
    }
    out.push_str("\nchoices:\n");
    // A list read from a data file is that file's content: its hash stands for it.
    for list in form.lists.values().filter(|l| !l.from_file) {
        let _ = writeln!(out, "  {}:", list.name);
        for c in &list.choices {
            let label = c.label.iter().map(|(l, t)| lang_text(l, t)).collect::<Vec<_>>().join(" | ");
            let extra = c.extra.iter().map(|(k, v)| format!(" {k}={v}")).collect::<String>();
            let extra = extra + &c.media.iter().flat_map(|(k, t)| t.iter().map(move |(l, f)| format!(" media::{k}[{l}]={f}"))).collect::<String>();
            let _ = writeln!(out, "    {} = {label}{extra}", c.name);
        }
    }
    out
}

fn lang_text(lang: &str, text: &str) -> String {
    if lang.is_empty() { format!("«{text}»") } else { format!("[{lang}] «{text}»") }
}

fn text_lines(out: &mut String, indent: usize, key: &str, text: &Text) {
    for (lang, t) in text.iter() {
        let pad = " ".repeat(indent);
        let key = if lang.is_empty() { key.to_string() } else { format!("{key}[{lang}]") };
        let _ = writeln!(out, "{pad}{key}: {}", t.replace('\n', "\\n"));
    }
}

fn items(out: &mut String, indent: usize, list: &[Item]) {
    let pad = " ".repeat(indent);
    for item in list {
        match item {
            Item::Field(f) => field(out, indent, f),
            Item::Group(g) | Item::Repeat(g) => {
                let word = if matches!(item, Item::Repeat(_)) { "repeat" } else { "group" };
                let _ = writeln!(out, "{pad}{word} {} (fila {})", g.name, g.row);
                text_lines(out, indent + 4, "label", &g.label);
                let props = [("relevant", &g.relevant), ("repeat_count", &g.repeat_count)];
                for (key, e) in props {
                    if let Some(e) = e {
                        let _ = writeln!(out, "{pad}    {key}: {e}");
                    }
                }
                if let Some(a) = &g.appearance {
                    let _ = writeln!(out, "{pad}    appearance: {a}");
                }
                items(out, indent + 2, &g.children);
                let _ = writeln!(out, "{pad}end {word} {}", g.name);
            }
        }
    }
}

fn kind_name(kind: &FieldKind) -> String {
    match kind {
        FieldKind::Range { start, end, step } => format!("range {start}..{end} step {step}"),
        other => super::field_type::type_name(other),
    }
}

fn flag(f: &Flag) -> Option<String> {
    match f {
        Flag::No => None,
        Flag::Yes => Some("yes".into()),
        Flag::When(e) => Some(e.to_string()),
    }
}

fn field(out: &mut String, indent: usize, f: &Field) {
    let pad = " ".repeat(indent);
    let _ = writeln!(out, "{pad}{} {} (fila {})", kind_name(&f.kind), f.name, f.row);
    let inner = indent + 4;
    let p = " ".repeat(inner);
    text_lines(out, inner, "label", &f.label);
    text_lines(out, inner, "hint", &f.hint);
    text_lines(out, inner, "guidance_hint", &f.guidance);
    for (kind, files) in &f.media {
        text_lines(out, inner, &format!("media::{kind}"), files);
    }
    let exprs = [
        ("relevant", f.relevant.as_ref().map(ToString::to_string)),
        ("required", flag(&f.required)),
        ("constraint", f.constraint.as_ref().map(ToString::to_string)),
        ("calculation", f.calculation.as_ref().map(ToString::to_string)),
        ("choice_filter", f.choice_filter.as_ref().map(ToString::to_string)),
        ("read_only", flag(&f.read_only)),
        ("default", f.default.clone()),
        ("appearance", f.appearance.clone()),
        ("trigger", (!f.trigger.is_empty()).then(|| f.trigger.iter().map(|t| format!("${{{t}}}")).collect::<Vec<_>>().join(", "))),
    ];
    for (key, value) in exprs {
        if let Some(v) = value {
            let _ = writeln!(out, "{p}{key}: {v}");
        }
    }
    text_lines(out, inner, "required_message", &f.required_message);
    text_lines(out, inner, "constraint_message", &f.constraint_message);
    if !f.parameters.is_empty() {
        let params = f.parameters.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ");
        let _ = writeln!(out, "{p}parameters: {params}");
    }
    let s = &f.scoring;
    let mut scoring = Vec::new();
    if let Some(d) = &s.dimension {
        scoring.push(format!("dimension={d}"));
    }
    if let Some(sc) = s.scoring {
        scoring.push(format!("scoring={}", match sc { Scoring::Scale5 => "scale5", Scoring::Ypn => "ypn" }));
    }
    if let Some(pillar) = &s.pillar {
        scoring.push(format!("pillar={pillar} weight={}", crate::expr::format_number(s.weight.unwrap_or(1.0))));
    }
    if s.critical {
        scoring.push("critical".into());
    }
    if !s.evidence.is_empty() {
        scoring.push(format!("evidence={}", s.evidence.iter().map(|e| e.code()).collect::<String>()));
    }
    if !scoring.is_empty() {
        let _ = writeln!(out, "{p}scoring: {}", scoring.join(" "));
    }
}
