//! The server's latency per route over the last hour, for administrators.

use maud::{Markup, html};

use crate::latency::RouteLatency;

fn ms(v: f64) -> String {
    if v < 10.0 { format!("{v:.1} ms") } else { format!("{} ms", shared::words::thousands(v.round() as u64)) }
}

/// The table of each route's requests and p50/p95/p99 in the last hour, slowest first.
pub fn latency_card(rows: &[RouteLatency]) -> Markup {
    html! {
        h2 #latencia { "Tiempo de respuesta del servidor (última hora)" }
        div.card {
            p.muted { "Por ruta, lo que tardó este servidor en responder: la mitad de las peticiones tardó menos que p50; el 99 % menos que p99 (cotas con 20 % de precisión). Se reinicia al reiniciar el servidor." }
            @if rows.is_empty() { p.muted { "Aún no hay peticiones en la última hora." } } @else {
                table.rank #tabla-latencia {
                    thead { tr { th scope="col" { "Ruta" } th scope="col" { "Peticiones" } th scope="col" { "p50" } th scope="col" { "p95" } th scope="col" { "p99" } } }
                    tbody { @for r in rows {
                        tr data-route=(r.route) {
                            td { code { (r.route) } }
                            td.num { (shared::words::thousands(r.requests)) }
                            td.num { (ms(r.p50_ms)) } td.num { (ms(r.p95_ms)) } td.num { (ms(r.p99_ms)) }
                        }
                    } }
                }
            }
        }
    }
}
