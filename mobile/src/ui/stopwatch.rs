//! A stopwatch for waiting times: start when the person arrives, stop when they are
//! attended; the minutes (one decimal) become the answer. Its start is kept with the
//! draft, so it keeps running while the inspector looks at other screens.

use std::time::Duration;

use dioxus::prelude::*;
use uuid::Uuid;

use crate::client::FieldClient;

#[component]
pub fn Stopwatch(id: String, draft: Uuid, path: String, on_stopped: EventHandler<Result<(), String>>) -> Element {
    let app = use_context::<FieldClient>();
    let mut tick = use_signal(|| 0u64);
    let mut changed = use_signal(|| 0u32);
    let asked = (app.clone(), path.clone());
    let timer = use_resource(move || {
        let _ = changed();
        let (app, path) = asked.clone();
        async move { app.timer(draft, &path).await.ok().flatten() }
    });
    // Refreshes the running time once a second.
    use_future(move || async move {
        loop {
            crate::rt::sleep(Duration::from_secs(1)).await;
            tick += 1;
        }
    });
    let _ = tick();
    let Some(started) = *timer.read() else { return rsx! { super::Loading {} } };
    let secs = started.map_or(0, |t| (chrono::Utc::now() - t.to_utc()).num_seconds().max(0));
    rsx! {
        div { class: "stopwatch", id: "{id}",
            if started.is_none() {
                button { class: "secondary", "data-stopwatch": "start",
                    onclick: {
                        let (app, path) = (app.clone(), path.clone());
                        move |_| {
                            let (app, path) = (app.clone(), path.clone());
                            async move {
                                let done = app.start_timer(draft, &path).await.map_err(|e| e.to_string());
                                if done.is_err() {
                                    on_stopped.call(done);
                                }
                                changed += 1;
                            }
                        }
                    },
                    "Iniciar cronómetro (llegó)"
                }
            } else {
                span { class: "clock", role: "timer", "{secs / 60:02}:{secs % 60:02}" }
                button { class: "big", "data-stopwatch": "stop",
                    onclick: {
                        let (app, path) = (app.clone(), path.clone());
                        move |_| {
                            let (app, path) = (app.clone(), path.clone());
                            async move {
                                let done = app.stop_timer(draft, &path).await.map(|_| ()).map_err(|e| e.to_string());
                                changed += 1;
                                on_stopped.call(done);
                            }
                        }
                    },
                    "Detener (lo atendieron)"
                }
            }
        }
    }
}
