//! The page: Dioxus's web renderer with a client whose calls go to the app's Worker.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use dioxus::prelude::VirtualDom;
use tokio::sync::{oneshot, watch};
use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::Closure;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::client::call::{Call, CallError, Numbered, Reply, ToPage};
use crate::client::FieldClient;
use crate::sync::SyncStatus;

/// Where the calls to the Worker stand.
enum State {
    /// The store is opening: calls wait here, in order.
    Opening(Vec<String>),
    Ready,
    /// The store could not be opened: every call fails with this.
    Failed(String),
}

struct Inner {
    worker: Worker,
    next: Cell<u64>,
    waiting: RefCell<HashMap<u64, oneshot::Sender<Reply>>>,
    state: RefCell<State>,
}

/// The page's end of the Worker: calls numbered, answers matched by number.
#[derive(Clone)]
pub struct WorkerLink(Rc<Inner>);

impl WorkerLink {
    fn new(worker: Worker, status: watch::Sender<SyncStatus>) -> Self {
        let link = WorkerLink(Rc::new(Inner { worker, next: Cell::new(1), waiting: RefCell::default(), state: RefCell::new(State::Opening(Vec::new())) }));
        let weak = Rc::downgrade(&link.0);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Some(inner) = weak.upgrade() else { return };
            let Some(text) = e.data().as_string() else { return };
            match serde_json::from_str::<ToPage>(&text) {
                Ok(ToPage::Ready) => {
                    let queued = std::mem::replace(&mut *inner.state.borrow_mut(), State::Ready);
                    if let State::Opening(calls) = queued {
                        for call in calls {
                            let _ = inner.worker.post_message(&wasm_bindgen::JsValue::from_str(&call));
                        }
                    }
                }
                Ok(ToPage::Failed { message }) => fail(&inner, message),
                Ok(ToPage::Reply { n, reply }) => {
                    if let Some(tx) = inner.waiting.borrow_mut().remove(&n) {
                        let _ = tx.send(reply);
                    }
                }
                Ok(ToPage::Status { status: now }) => {
                    let _ = status.send(now);
                }
                Err(_) => {}
            }
        });
        link.0.worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let weak = Rc::downgrade(&link.0);
        let on_error = Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = weak.upgrade() {
                fail(&inner, "La app no pudo iniciar en este navegador; recargue la página.".into());
            }
        });
        link.0.worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        link
    }

    /// Puts a call to the Worker and waits for its answer.
    pub async fn ask(&self, call: Call) -> Reply {
        let n = self.0.next.get();
        self.0.next.set(n + 1);
        let text = serde_json::to_string(&Numbered { n, body: call }).map_err(CallError::failed)?;
        let (tx, rx) = oneshot::channel();
        self.0.waiting.borrow_mut().insert(n, tx);
        match &mut *self.0.state.borrow_mut() {
            State::Opening(queue) => queue.push(text),
            State::Ready => {
                let _ = self.0.worker.post_message(&wasm_bindgen::JsValue::from_str(&text));
            }
            State::Failed(message) => {
                self.0.waiting.borrow_mut().remove(&n);
                return Err(CallError::Failed(message.clone()));
            }
        }
        rx.await.unwrap_or_else(|_| Err(CallError::Failed(stopped_message(&self.0))))
    }
}

fn stopped_message(inner: &Inner) -> String {
    match &*inner.state.borrow() {
        State::Failed(m) => m.clone(),
        _ => "La app dejó de responder; recargue la página.".into(),
    }
}

/// The store cannot serve: every waiting call and every later one fails with `message`.
fn fail(inner: &Inner, message: String) {
    *inner.state.borrow_mut() = State::Failed(message.clone());
    for (_, tx) in inner.waiting.borrow_mut().drain() {
        let _ = tx.send(Err(CallError::Failed(message.clone())));
    }
}

/// Starts the app's Worker and renders the screens in `#main`.
pub fn run() {
    let Some(window) = web_sys::window() else { return };
    let origin = window.location().origin().unwrap_or_default();
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = match Worker::new_with_options("./worker.js", &options) {
        Ok(w) => w,
        Err(_) => {
            if let Some(body) = window.document().and_then(|d| d.body()) {
                body.set_inner_text("Este navegador no puede ejecutar la app (sin Web Workers). Use Chrome o Firefox actualizados.");
            }
            return;
        }
    };
    // The shell's «Cargando…» gives way to the screens.
    if let Some(main) = window.document().and_then(|d| d.get_element_by_id("main")) {
        main.set_inner_html("");
    }
    let (tx, rx) = watch::channel(SyncStatus::Stopped { reason: "Abriendo los datos del teléfono…".into(), revoked: false });
    let link = WorkerLink::new(worker, tx);
    expose(&window, link.clone());
    let client = FieldClient::worker(link, rx, origin);
    let vdom = VirtualDom::new(crate::ui::App).with_root_context(client);
    dioxus::web::launch::launch_virtual_dom(vdom, dioxus::web::Config::new().rootname("main"));
}

/// `ventanilla.call(call)` on the page: puts one [`Call`] to the app exactly as the screens
/// do, for support staff in the browser's developer tools and for tests that drive the web
/// app's engine at volume. It reaches nothing the page could not already reach (the Worker
/// never gives out the device token). Resolves with the reply, or rejects with the
/// [`CallError`] as data.
fn expose(window: &web_sys::Window, link: WorkerLink) {
    use wasm_bindgen::JsValue;
    let call = Closure::<dyn Fn(JsValue) -> js_sys::Promise>::new(move |call: JsValue| {
        let link = link.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let text = js_sys::JSON::stringify(&call).ok().and_then(|t| t.as_string()).unwrap_or_default();
            let call: Call = serde_json::from_str(&text).map_err(|e| JsValue::from_str(&format!("Llamada no reconocida: {e}")))?;
            let as_js = |value: &serde_json::Value| js_sys::JSON::parse(&value.to_string());
            match link.ask(call).await {
                Ok(value) => as_js(&value),
                Err(error) => Err(serde_json::to_value(&error).ok().and_then(|v| as_js(&v).ok()).unwrap_or_else(|| JsValue::from_str(&error.to_string()))),
            }
        })
    });
    let api = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&api, &JsValue::from_str("call"), call.as_ref());
    call.forget();
    let _ = js_sys::Reflect::set(window, &JsValue::from_str("ventanilla"), &api);
}
