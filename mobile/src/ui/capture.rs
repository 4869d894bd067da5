//! Answers the device captures rather than the person types: a position from the
//! browser's Geolocation (one point, a line, an area), a file (camera photo, recording,
//! document) and a signature drawn on screen. The browser side is reached through `eval`
//! bridges that work in the desktop webview and in liveview.

use base64::Engine as _;
use dioxus::prelude::*;

use crate::layout::{FileKind, GeoKind, KeptFile};

/// Asks the browser for one position; sends `{lat, lon, alt, acc}` or `{error}`.
pub const LOCATE_JS: &str = r#"(() => {
  if (!navigator.geolocation) { dioxus.send({ error: "Este dispositivo no informa su ubicación." }); return; }
  navigator.geolocation.getCurrentPosition(
    (p) => dioxus.send({ lat: p.coords.latitude, lon: p.coords.longitude, alt: p.coords.altitude || 0, acc: p.coords.accuracy || 0 }),
    (e) => dioxus.send({ error: e.code === 1 ? "El permiso de ubicación está negado en este navegador." : "No se obtuvo la ubicación; intente de nuevo al aire libre." }),
    { enableHighAccuracy: true, timeout: 30000, maximumAge: 0 });
})();"#;

/// A position as XLSForm writes it: `lat lon alt accuracy`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub geopoint: String,
    pub accuracy_m: f64,
}

/// One position from the browser, or why there is none (Spanish).
pub async fn locate() -> Result<Fix, String> {
    let mut eval = document::eval(LOCATE_JS);
    let got: serde_json::Value = eval.recv().await.map_err(|_| "No se obtuvo la ubicación.".to_string())?;
    if let Some(e) = got.get("error").and_then(|e| e.as_str()) {
        return Err(e.to_string());
    }
    let num = |k: &str| got.get(k).and_then(serde_json::Value::as_f64).filter(|x| x.is_finite());
    match (num("lat"), num("lon")) {
        (Some(lat), Some(lon)) if lat.abs() <= 90.0 && lon.abs() <= 180.0 => {
            let (alt, acc) = (num("alt").unwrap_or(0.0), num("acc").unwrap_or(0.0).max(0.0));
            Ok(Fix { geopoint: format!("{lat:.6} {lon:.6} {alt:.1} {acc:.1}"), accuracy_m: acc })
        }
        _ => Err("La ubicación recibida no es válida.".into()),
    }
}

/// The points of a geo answer (`;`-separated).
fn points(value: &str) -> Vec<String> {
    value.split(';').map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect()
}

/// A geo answer: capture (again) the position, or add points to a line or an area.
#[component]
pub fn GeoInput(id: String, kind: GeoKind, value: String, on_answer: EventHandler<Option<String>>) -> Element {
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let mut last_accuracy = use_signal(|| None::<f64>);
    let current = points(&value);
    // An area is kept closed: its stored value repeats the first point at the end.
    let open: Vec<String> = match kind {
        GeoKind::Shape if current.len() > 1 && current.first() == current.last() => current[..current.len() - 1].to_vec(),
        _ => current.clone(),
    };
    let save = move |pts: Vec<String>| {
        let value = match kind {
            GeoKind::Shape if pts.len() >= 3 => {
                let mut closed = pts.clone();
                closed.push(pts[0].clone());
                closed.join(";")
            }
            _ => pts.join(";"),
        };
        on_answer.call((!pts.is_empty()).then_some(value));
    };
    let capture = {
        let open = open.clone();
        move |_| {
            let open = open.clone();
            async move {
                busy.set(true);
                error.set(None);
                match locate().await {
                    Ok(fix) => {
                        last_accuracy.set(Some(fix.accuracy_m));
                        let mut pts = if kind == GeoKind::Point { Vec::new() } else { open };
                        pts.push(fix.geopoint);
                        save(pts);
                    }
                    Err(e) => error.set(Some(e)),
                }
                busy.set(false);
            }
        }
    };
    let needed = match kind {
        GeoKind::Point => 1,
        GeoKind::Trace => 2,
        GeoKind::Shape => 3,
    };
    let action = match (kind, open.is_empty(), busy()) {
        (_, _, true) => "Buscando ubicación…",
        (GeoKind::Point, true, _) => "Capturar ubicación",
        (GeoKind::Point, false, _) => "Volver a capturar",
        (_, true, _) => "Agregar mi ubicación como primer punto",
        (_, false, _) => "Agregar mi ubicación como punto",
    };
    rsx! {
        div { class: "geo", id: "{id}",
            if !open.is_empty() {
                ol { class: "geo-points",
                    for (i, p) in open.iter().enumerate() {
                        li { key: "{i}", "{p}" }
                    }
                }
                if let Some(acc) = last_accuracy() { p { class: "muted geo-accuracy", "Precisión: ± {acc:.0} m" } }
                if kind != GeoKind::Point && open.len() < needed {
                    p { class: "muted", if needed - open.len() == 1 { "Falta 1 punto." } else { "Faltan {needed - open.len()} puntos." } }
                }
            }
            button { class: "secondary geo-capture", disabled: busy(), onclick: capture, "{action}" }
            if kind != GeoKind::Point && !open.is_empty() {
                button { class: "link geo-undo",
                    onclick: {
                        let open = open.clone();
                        move |_| save(open[..open.len() - 1].to_vec())
                    },
                    "Quitar el último punto"
                }
            }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
        }
    }
}

/// Reads the first file of input `#id`; sends `[name, base64]` (`["", ""]` when none).
pub(super) fn read_named_file_js(id: &str) -> String {
    format!(
        r#"(async () => {{
  const input = document.getElementById({id:?});
  const file = input && input.files && input.files[0];
  if (!file) {{ dioxus.send(["", ""]); return; }}
  const url = await new Promise((ok, fail) => {{
    const reader = new FileReader();
    reader.onload = () => ok(reader.result);
    reader.onerror = () => fail(reader.error);
    reader.readAsDataURL(file);
  }});
  input.value = "";
  dioxus.send([file.name, String(url).substring(String(url).indexOf(",") + 1)]);
}})();"#
    )
}

/// Sets up drawing on canvas `#id` (mouse, pen or finger).
fn signature_pad_js(id: &str) -> String {
    format!(
        r##"(() => {{
  const c = document.getElementById({id:?});
  if (!c || c.dataset.ready) return;
  c.dataset.ready = "1";
  const g = c.getContext("2d");
  g.fillStyle = "#fff"; g.fillRect(0, 0, c.width, c.height);
  g.lineWidth = 3; g.lineCap = "round"; g.strokeStyle = "#111";
  let down = false;
  const at = (e) => {{ const r = c.getBoundingClientRect(); return [(e.clientX - r.left) * c.width / r.width, (e.clientY - r.top) * c.height / r.height]; }};
  c.addEventListener("pointerdown", (e) => {{ down = true; const [x, y] = at(e); g.beginPath(); g.moveTo(x, y); c.dataset.drawn = "1"; }});
  c.addEventListener("pointermove", (e) => {{ if (!down) return; const [x, y] = at(e); g.lineTo(x, y); g.stroke(); }});
  ["pointerup", "pointerleave"].forEach((t) => c.addEventListener(t, () => {{ down = false; }}));
}})();"##
    )
}

/// Sends the drawing on canvas `#id` as PNG base64 (`""` when nothing was drawn).
fn signature_png_js(id: &str) -> String {
    format!(
        r##"(() => {{
  const c = document.getElementById({id:?});
  if (!c || !c.dataset.drawn) {{ dioxus.send(""); return; }}
  const url = c.toDataURL("image/png");
  dioxus.send(url.substring(url.indexOf(",") + 1));
}})();"##
    )
}

/// Clears canvas `#id`.
fn signature_clear_js(id: &str) -> String {
    format!(r##"(() => {{ const c = document.getElementById({id:?}); if (!c) return; const g = c.getContext("2d"); g.fillStyle = "#fff"; g.fillRect(0, 0, c.width, c.height); delete c.dataset.drawn; }})();"##)
}

/// A size as people read it: «820 bytes», «48 KB», «3.2 MB».
fn size_label(bytes: usize) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{} KB", b.div_ceil(1024)),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// A file chosen or drawn: its bytes and its name as the device gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct Picked {
    pub name: String,
    pub bytes: Vec<u8>,
}

fn decode(b64: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::STANDARD.decode(b64).map_err(|_| "No se pudo leer el archivo.".to_string())
}

/// A file answer: choose (or take, or draw) it, see that it is kept, remove it.
#[component]
pub fn FileInput(id: String, kind: FileKind, value: String, kept: Option<KeptFile>, on_file: Callback<Option<Picked>, super::Pending<Result<(), String>>>) -> Element {
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let input_id = id.clone();
    let mut finish = move |result: Result<(), String>| {
        error.set(result.err());
        busy.set(false);
    };
    let chosen = move |_| {
        let input_id = input_id.clone();
        async move {
            busy.set(true);
            let mut eval = document::eval(&read_named_file_js(&input_id));
            let result = match eval.recv::<(String, String)>().await {
                Ok((_, b64)) if b64.is_empty() => Ok(()),
                Ok((name, b64)) => match decode(&b64) {
                    Ok(bytes) => on_file.call(Some(Picked { name, bytes })).await,
                    Err(e) => Err(e),
                },
                Err(_) => Err("No se pudo leer el archivo.".to_string()),
            };
            finish(result);
        }
    };
    let canvas_id = format!("{id}-firma");
    let (pad, png, clear) = (signature_pad_js(&canvas_id), signature_png_js(&canvas_id), signature_clear_js(&canvas_id));
    use_effect(move || {
        if kind == FileKind::Signature {
            document::eval(&pad);
        }
    });
    let keep_signature = move |_| {
        let png = png.clone();
        async move {
            busy.set(true);
            let mut eval = document::eval(&png);
            let result = match eval.recv::<String>().await {
                Ok(b64) if b64.is_empty() => Err("Firme dentro del recuadro antes de guardar.".to_string()),
                Ok(b64) => match decode(&b64) {
                    Ok(bytes) => on_file.call(Some(Picked { name: "firma.png".into(), bytes })).await,
                    Err(e) => Err(e),
                },
                Err(_) => Err("No se pudo leer la firma.".to_string()),
            };
            finish(result);
        }
    };
    let (label, capture) = match kind {
        FileKind::Image => ("Tomar o elegir foto", Some("environment")),
        FileKind::Audio => ("Grabar o elegir audio", Some("user")),
        FileKind::Video => ("Grabar o elegir video", Some("environment")),
        FileKind::Any | FileKind::Signature => ("Elegir archivo", None),
    };
    rsx! {
        div { class: "file-answer",
            if let Some(k) = &kept {
                if let Some(src) = &k.preview { img { class: "file-preview", src: "{src}", alt: "Vista previa" } }
                p { class: "file-kept", "Guardado en el teléfono · {size_label(k.bytes)}" }
            }
            if kind == FileKind::Signature {
                canvas { id: "{canvas_id}", class: "signature", width: "600", height: "240" }
                div { class: "row-actions",
                    button { class: "secondary firma-guardar", disabled: busy(), onclick: keep_signature, "Guardar firma" }
                    button { class: "link", onclick: move |_| { document::eval(&clear); }, "Borrar trazo" }
                }
            } else {
                label { class: "photo-button", r#for: "{id}", if busy() { "Guardando…" } else if value.is_empty() { "{label}" } else { "Cambiar" } }
                input { id: "{id}", class: "photo-file", r#type: "file", accept: kind.accept(), capture: capture, onchange: chosen }
            }
            if !value.is_empty() {
                button { class: "link file-remove",
                    onclick: move |_| {
                        let removed = on_file.call(None);
                        async move { finish(removed.await) }
                    },
                    "Quitar"
                }
            }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
        }
    }
}
