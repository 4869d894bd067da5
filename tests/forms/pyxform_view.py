"""What pyxform (the reference XLSForm converter) reads in each workbook, as JSON lines.

Usage: pyxform_view.py FORM.xlsx...   One JSON object per form on stdout:
{"file", "ok", "error"?, "id", "version", "nodes": [{"path", "type", "list", "required",
"relevant", "constraint", "calculation", "repeat_count", "choice_filter", "languages"}],
"lists": {name: [choice names]}}. Compared field by field with Ventanilla's importer by
tests/e2e/forms_corpus.rs.
"""

import json
import sys

from pyxform import xls2json
from pyxform.errors import PyXFormError
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

TYPES = {
    "select one": "select_one",
    "select all that apply": "select_multiple",
    "select one from file": "select_one_from_file",
    "integer": "integer",
    "decimal": "decimal",
    "text": "text",
    "date": "date",
    "time": "time",
    "dateTime": "datetime",
    "note": "note",
    "calculate": "calculate",
    "geopoint": "geopoint",
    "image": "image",
    "range": "range",
    "acknowledge": "acknowledge",
    "start": "start",
    "end": "end",
    "today": "today",
    "deviceid": "deviceid",
    "username": "username",
    "group": "group",
    "repeat": "repeat",
}


def canonical_type(kind):
    """Today's name of a type: an older spelling is the type pyxform defines the same way."""
    if kind in TYPES:
        return TYPES[kind]
    definition = QUESTION_TYPE_DICT.get(kind)
    if definition is not None:
        for name, ours in TYPES.items():
            if QUESTION_TYPE_DICT.get(name) == definition:
                return ours
    return kind


def text(value):
    """A bind or control value as text (None when absent)."""
    if value is None:
        return None
    if isinstance(value, dict):
        return None
    return str(value).strip()


def languages(node):
    label = node.get("label")
    if isinstance(label, dict):
        return sorted(label.keys())
    return [""] if label else []


def walk(children, prefix, nodes, lists):
    for node in children:
        kind = node.get("type", "")
        name = node.get("name", "")
        if kind in ("group", "repeat") or "children" in node and kind != "survey":
            pass
        bind = node.get("bind", {}) or {}
        control = node.get("control", {}) or {}
        path = f"{prefix}{name}"
        required = bind.get("required")
        if isinstance(required, str) and required.strip().lower() in ("yes", "true", "true()"):
            required = "yes"
        elif isinstance(required, str) and required.strip().lower() in ("no", "false", "false()", ""):
            required = None
        nodes.append({
            "path": path,
            "type": canonical_type(kind),
            "list": node.get("list_name") or node.get("itemset"),
            "required": text(required),
            "relevant": text(bind.get("relevant")),
            "constraint": text(bind.get("constraint")),
            "calculation": text(bind.get("calculate")),
            "repeat_count": text(control.get("jr:count")),
            "choice_filter": text(node.get("choice_filter")),
            "languages": languages(node),
        })
        if node.get("list_name") and node.get("choices"):
            lists[node["list_name"]] = [c.get("name") for c in node["choices"]]
        if "children" in node and kind in ("group", "repeat"):
            walk(node["children"], f"{path}/", nodes, lists)


def view(path):
    warnings = []
    try:
        form = xls2json.parse_file_to_json(path, warnings=warnings)
    except PyXFormError as e:
        return {"file": path, "ok": False, "error": str(e)}
    nodes, lists = [], {}
    # pyxform adds the `meta/instanceID` every XForm carries; it is not a question.
    children = [c for c in form.get("children", []) if not (c.get("name") == "meta" and c.get("type") == "group")]
    walk(children, "", nodes, lists)
    for name, choices in (form.get("choices") or {}).items():
        lists.setdefault(name, [c.get("name") for c in choices])
    return {"file": path, "ok": True, "id": form.get("id_string"), "version": form.get("version"), "nodes": nodes, "lists": lists}


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(json.dumps(view(p), ensure_ascii=False))
