//! A use case run on a worker thread with a connection of its own to the same database file, so
//! a screen stays responsive while the card works: a key that waits for a touch, or a slow chip,
//! may take seconds to sign an approval. The worker's `Env` is this one's sibling: the same file,
//! clock, workstation and card readers. Every rule holds as on the screen's thread, since the
//! worker calls the same use case.

use crate::card::worker::CardJob;
use crate::store::Store;

use super::Env;

impl Env {
    /// Another `Env` on the same database (a second connection), or `None` for an
    /// in-memory database, which has no second connection.
    pub fn sibling(&self) -> Option<Env> {
        let store = Store::open_at(&self.store.sibling_location()?).ok()?;
        let mut env = Env::new(store, self.clock.clone());
        env.workstation = self.workstation.clone();
        env.readers = self.readers.clone();
        Some(env)
    }
}

/// A use case running on its worker; the screen polls it on its ticks.
pub struct InBackground<T> {
    job: Option<CardJob<T>>,
    /// The answer of a use case that ran at once (an in-memory database).
    done: Option<T>,
}

impl<T: Send + 'static> InBackground<T> {
    /// Starts `use_case` on a worker with a sibling `Env`; with none (an in-memory database) it
    /// runs here and now.
    pub fn start(env: &mut Env, use_case: impl FnOnce(&mut Env) -> T + Send + 'static) -> Self {
        match env.sibling() {
            Some(mut sibling) => InBackground {
                job: Some(CardJob::start(move || use_case(&mut sibling))),
                done: None,
            },
            None => InBackground {
                job: None,
                done: Some(use_case(env)),
            },
        }
    }

    /// The answer once the use case has ended; never waits long. A use case that ends within a
    /// blink is picked up at once, so a quick card shows no "touch your key".
    pub fn poll(&mut self) -> Option<T> {
        if let Some(done) = self.done.take() {
            return Some(done);
        }
        let job = self.job.as_mut()?;
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(50);
        loop {
            if let Some(r) = job.poll() {
                self.job = None;
                return Some(r);
            }
            if std::time::Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }
}
