//! The budget every client of a scan shares: requests in flight, requests by API, progress.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;

use super::Progress;

/// What every AWS client of one scan shares: the bound on requests in flight (over all accounts,
/// regions and clusters), the tally of requests by API, and the progress display.
pub struct Budget {
    pub(super) limiter: Semaphore,
    calls: Mutex<BTreeMap<String, u64>>,
    progress: Progress,
}

impl Budget {
    /// A budget of `concurrency` requests in flight.
    pub fn new(concurrency: usize, progress: Progress) -> Arc<Budget> {
        Arc::new(Budget {
            limiter: Semaphore::new(concurrency.max(1)),
            calls: Mutex::new(BTreeMap::new()),
            progress,
        })
    }

    /// The progress display.
    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    /// Run one request made outside the AWS clients (the Kubernetes side) within the bound,
    /// counted as `read`.
    pub async fn within<T>(&self, read: &'static str, request: impl Future<Output = T>) -> T {
        // The semaphore is never closed, so acquiring cannot fail.
        let _permit = self.limiter.acquire().await.expect("limiter open");
        self.count(read);
        request.await
    }

    /// Requests made so far, by API.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.calls.lock().expect("call counter").clone()
    }

    pub(super) fn count(&self, api: &'static str) {
        let mut tally = self.calls.lock().expect("call counter");
        // The name is copied once per API, not once per request.
        match tally.get_mut(api) {
            Some(n) => *n += 1,
            None => {
                tally.insert(api.to_string(), 1);
            }
        }
        drop(tally);
        self.progress.tick();
    }
}
