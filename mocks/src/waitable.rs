//! State that threads change and others wait on: a `Mutex` and the
//! `Condvar` that says "it changed", kept together so no one can lock
//! one and forget the other.
//!
//! Tests wait on it ("until three messages arrived, or 5 s") instead of
//! sleeping, and a mock's delays wait on it so that `stop` cuts them
//! short.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// A value behind a lock, with a way to wait until it satisfies a test.
#[derive(Debug, Default)]
pub(crate) struct Waitable<T> {
    state: Mutex<T>,
    changed: Condvar,
    /// How many threads wait in [`wait_until`](Self::wait_until): with
    /// none, [`notify`](Self::notify) has nobody to wake, and makes no
    /// system call to say so.
    waiters: AtomicUsize,
}

impl<T> Waitable<T> {
    pub(crate) fn new(state: T) -> Self {
        Self {
            state: Mutex::new(state),
            changed: Condvar::new(),
            waiters: AtomicUsize::new(0),
        }
    }

    /// Locks the state. No mock panics while holding this lock, but if
    /// one ever did, the state would still be whole (every change is a
    /// single step), so a poisoned lock is used as is.
    pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes every waiter, to look at the state again. Call it after a
    /// change a waiter may care about.
    ///
    /// A condition variable's notify is a system call (a futex wake)
    /// even when nobody waits: under dnsperf, the DNS mock made one more
    /// per query than the receive and the send. So it is made only when
    /// someone waits.
    pub(crate) fn notify(&self) {
        if self.waiters.load(Ordering::SeqCst) > 0 {
            self.changed.notify_all();
        }
    }

    /// Waits until `done` holds for the state, or `timeout` runs out;
    /// says whether it holds.
    pub(crate) fn wait_until(
        &self,
        timeout: Duration,
        done: impl Fn(&T) -> bool,
    ) -> bool {
        let state = self.lock();
        // Counted under the lock: a change made after this sees the
        // waiter and wakes it; one made before is seen by the first look
        // at the state, before any wait.
        self.waiters.fetch_add(1, Ordering::SeqCst);
        let (state, _) = self
            .changed
            .wait_timeout_while(state, timeout, |state| !done(state))
            .unwrap_or_else(PoisonError::into_inner);
        self.waiters.fetch_sub(1, Ordering::SeqCst);
        done(&state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::thread;

    #[test]
    fn a_wait_ends_when_another_thread_makes_it_true() {
        let count = Arc::new(Waitable::new(0));
        let other = Arc::clone(&count);
        let counter = thread::spawn(move || {
            for _ in 0..3 {
                *other.lock() += 1;
                other.notify();
            }
        });
        assert!(count.wait_until(Duration::from_secs(5), |n| *n == 3));
        counter.join().unwrap();
    }

    #[test]
    fn a_wait_for_what_never_happens_times_out() {
        let never = Waitable::new(false);
        assert!(!never.wait_until(Duration::from_millis(20), |done| *done));
    }
}
