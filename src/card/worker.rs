//! Card operations off the UI thread. A signature may take tens of seconds (a key that waits
//! for a touch, a slow card); a screen starts the operation here, keeps drawing ("touch your
//! key") and polls for the result on its ticks:
//!
//! ```ignore
//! let job = CardJob::start(move || piv::sign_with_pin(&mut *transport, &pin, slot, &d, &key));
//! // ... every tick:
//! if let Some(result) = job.poll() { /* done */ }
//! ```
//!
//! The closure owns what it needs (the transport is `Send`); nothing of the database goes in.

use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::{Duration, Instant};

/// A card operation running on its own thread.
pub struct CardJob<R> {
    rx: Receiver<R>,
    started: Instant,
    done: bool,
}

impl<R: Send + 'static> CardJob<R> {
    pub fn start(f: impl FnOnce() -> R + Send + 'static) -> CardJob<R> {
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("card-job".into())
            .spawn(move || {
                let _ = tx.send(f());
            })
            .expect("spawn a card thread");
        CardJob {
            rx,
            started: Instant::now(),
            done: false,
        }
    }

    /// The result once the operation ended; never waits. `None` while it runs (and after the
    /// result was taken).
    pub fn poll(&mut self) -> Option<R> {
        if self.done {
            return None;
        }
        match self.rx.try_recv() {
            Ok(r) => {
                self.done = true;
                Some(r)
            }
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                self.done = true;
                None
            }
        }
    }

    /// Waits at most `timeout` for the result (for tests and the command line).
    pub fn wait(self, timeout: Duration) -> Option<R> {
        if self.done {
            return None;
        }
        self.rx.recv_timeout(timeout).ok()
    }

    /// How long it has run: a screen shows "touch your key" once this passes about a second.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    pub fn is_done(&self) -> bool {
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_without_waiting() {
        let mut job = CardJob::start(|| {
            std::thread::sleep(Duration::from_millis(200));
            7
        });
        let t = Instant::now();
        assert_eq!(job.poll(), None);
        assert!(t.elapsed() < Duration::from_millis(50));
        let deadline = Instant::now() + Duration::from_secs(5);
        let r = loop {
            if let Some(r) = job.poll() {
                break r;
            }
            assert!(Instant::now() < deadline);
            std::thread::sleep(Duration::from_millis(10));
        };
        assert_eq!(r, 7);
        assert!(job.is_done());
        assert_eq!(job.poll(), None);
    }
}
