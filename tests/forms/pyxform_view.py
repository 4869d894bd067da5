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
    "geotrace": "geotrace",
    "geoshape": "geoshape",
    "audio": "audio",
    "video": "video",
    "file": "file",
    "barcode": "barcode",
    "rank": "rank",
    "hidden": "hidden",
    "start-geopoint": "start-geopoint",
    "audit": "audit",
    "phonenumber": "phonenumber",
    "email": "email",
    "simserial": "simserial",
    "subscriberid": "subscriberid",
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


# Nodes pyxform generates that are no question of the form: the label rows of a
# `table-list` group.
GENERATED = ("generated_table_list_label_", "reserved_name_for_field_list_labels_")


def generated_count(node, following):
    """pyxform writes a repeat_count expression as a calculate `<repeat>_count` before the
    repeat, whose jr:count then names it: the expression belongs to the repeat."""
    if node.get("type") != "calculate" or not following or following.get("type") != "repeat":
        return False
    return node.get("name") == f"{following.get('name')}_count" and text((following.get("control") or {}).get("jr:count")) == f"${{{node.get('name')}}}"


def walk(children, prefix, nodes, lists):
    counts = {}
    for i, node in enumerate(children):
        kind = node.get("type", "")
        name = node.get("name", "")
        if any(name.startswith(g) for g in GENERATED):
            continue
        # `csv-external` / `xml-external` rows declare a data file; they are no question.
        if kind in ("csv-external", "xml-external"):
            continue
        following = children[i + 1] if i + 1 < len(children) else None
        if generated_count(node, following):
            counts[following.get("name")] = text((node.get("bind") or {}).get("calculate"))
            continue
        label_from = node
        if kind == "group":
            # pyxform moves a table-list group's label into its generated label note.
            label_from = next((c for c in node.get("children", []) if str(c.get("name", "")).startswith(GENERATED[0])), node)
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
            "repeat_count": counts.get(name) or text(control.get("jr:count")),
            "choice_filter": text(node.get("choice_filter")),
            "languages": languages(label_from),
        })
        if node.get("list_name") and node.get("choices"):
            lists[node["list_name"]] = [c.get("name") for c in node["choices"]]
        if "children" in node and kind in ("group", "repeat"):
            walk(node["children"], f"{path}/", nodes, lists)


def view(path):
    warnings = []
    try:
        form = xls2json.parse_file_to_json(path, warnings=warnings)
    except Exception as e:  # pyxform refuses (PyXFormError) or fails on the form
        if not isinstance(e, PyXFormError):
            e = f"pyxform falló: {type(e).__name__}: {e}"
        return {"file": path, "ok": False, "error": str(e)}
    nodes, lists = [], {}
    # pyxform adds the `meta/instanceID` every XForm carries; it is not a question. Other
    # metadata it puts in that group (`audit`) is read where pyxform puts it: last.
    children = []
    for c in form.get("children", []):
        if c.get("name") == "meta" and c.get("type") == "group":
            children.extend(m for m in c.get("children", []) if m.get("name") not in ("instanceID", "instanceName", "deprecatedID"))
        else:
            children.append(c)
    walk(children, "", nodes, lists)
    for name, choices in (form.get("choices") or {}).items():
        lists.setdefault(name, [c.get("name") for c in choices])
    return {"file": path, "ok": True, "id": form.get("id_string"), "version": form.get("version"), "nodes": nodes, "lists": lists}


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(json.dumps(view(p), ensure_ascii=False))
