//! An answer to lesson 5's exercise 2: seats counted by ownership. The
//! seats keep a weak handle on each session, which keeps nothing alive; a
//! seat whose session is gone is forgotten at the next count.

use std::sync::{Arc, Weak};

// ANCHOR: seats
/// At most `max` sessions at once.
#[derive(Debug)]
pub struct Seats<T> {
    max: usize,
    /// A weak handle on each session seated.
    sessions: Vec<Weak<T>>,
}

impl<T> Seats<T> {
    /// No seat taken yet.
    pub fn new(max: usize) -> Seats<T> {
        let sessions = Vec::new();
        Seats { max, sessions }
    }

    /// Seats `session` if a seat is free, and returns the strong handle
    /// on it that the session keeps: the seat is taken until that handle,
    /// and every clone of it, is gone.
    ///
    /// # Errors
    /// All seats taken: `session` is given back, to be refused.
    pub fn admit(&mut self, session: T) -> Result<Arc<T>, T> {
        if self.taken() >= self.max {
            return Err(session);
        }
        let session = Arc::new(session);
        self.sessions.push(Arc::downgrade(&session));
        Ok(session)
    }

    /// How many seats are taken now.
    pub fn taken(&mut self) -> usize {
        self.sessions.retain(|session| session.strong_count() > 0);
        self.sessions.len()
    }
}
// ANCHOR_END: seats
