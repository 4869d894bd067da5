//! A stopwatch for waiting times: start when the person arrives, stop when they are
//! attended; the minutes (one decimal) become the answer.

use std::time::{Duration, Instant};

use dioxus::prelude::*;

#[component]
pub fn Stopwatch(id: String, on_minutes: EventHandler<String>) -> Element {
    let mut started = use_signal(|| None::<Instant>);
    let mut shown = use_signal(|| Duration::ZERO);
    // Refreshes the running time once a second.
    use_future(move || async move {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if let Some(t) = *started.peek() {
                shown.set(t.elapsed());
            }
        }
    });
    let secs = shown().as_secs();
    rsx! {
        div { class: "stopwatch", id: "{id}",
            match started() {
                None => rsx! {
                    button { class: "secondary", "data-stopwatch": "start",
                        onclick: move |_| { started.set(Some(Instant::now())); shown.set(Duration::ZERO); },
                        "Iniciar cronómetro (llegó)"
                    }
                },
                Some(t) => rsx! {
                    span { class: "clock", "{secs / 60:02}:{secs % 60:02}" }
                    button { class: "big", "data-stopwatch": "stop",
                        onclick: move |_| {
                            let minutes = t.elapsed().as_secs_f64() / 60.0;
                            started.set(None);
                            on_minutes.call(format!("{minutes:.1}"));
                        },
                        "Detener (lo atendieron)"
                    }
                },
            }
        }
    }
}
