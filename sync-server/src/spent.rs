//! Values a serialised step is done with, freed on a thread of their own.
//!
//! The one writer (SQLite's) is the step every push waits for: the checked submissions it
//! stored and the score updates it applied were allocated on other threads, and freeing
//! them there meant taking the allocator's locks of those threads while they were busy
//! checking the next pushes (63 ms of waits in one 10,000-record drain, measured with
//! `perf sched`, `BENCHMARKS.md`). Handed here, they are freed after the writer moved on.

use std::sync::OnceLock;
use std::sync::mpsc::Sender;

type Spent = Box<dyn Send>;

static FREEING: OnceLock<Option<Sender<Spent>>> = OnceLock::new();

/// Frees `value` on the freeing thread (started on first use); where that thread could not
/// start, here.
pub fn free_later<T: Send + 'static>(value: T) {
    let sender = FREEING.get_or_init(|| {
        let (sender, receiver) = std::sync::mpsc::channel::<Spent>();
        let started = std::thread::Builder::new().name("spent".into()).spawn(move || {
            for value in receiver {
                drop(value);
            }
        });
        started.ok().map(|_| sender)
    });
    if let Some(sender) = sender {
        // The thread ends only with the process; if it is gone, the value comes back.
        if let Err(back) = sender.send(Box::new(value)) {
            drop(back.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use super::free_later;

    #[test]
    fn values_handed_over_are_freed_on_another_thread() {
        struct Tracked(Arc<std::sync::Mutex<Option<std::thread::ThreadId>>>);
        impl Drop for Tracked {
            fn drop(&mut self) {
                *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(std::thread::current().id());
            }
        }
        let freed_on = Arc::new(std::sync::Mutex::new(None));
        free_later(Tracked(freed_on.clone()));
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(thread) = *freed_on.lock().unwrap_or_else(std::sync::PoisonError::into_inner) {
                assert_ne!(thread, std::thread::current().id());
                break;
            }
            assert!(Instant::now() < deadline, "never freed");
            std::thread::yield_now();
        }
    }
}
