//! Lesson 5, exercise 2: seats counted by ownership.
//!
//! `echo-server` serves at most `--max-clients` clients at once. It
//! never gives a seat back by hand: a session's thread holds the only
//! strong handle (an `Arc`) on its socket, and the server a weak one (a
//! `Weak`). A seat is taken for as long as its strong handle lives: a
//! session that ends, or whose thread panics, drops it, which closes the
//! socket and frees the seat.
//!
//! The starting code keeps a strong handle on every session itself. So no
//! session is ever dropped (its socket would stay open), and once `max`
//! sessions have come, the server is full for good. Keep weak handles
//! instead, and count only the seats whose session is still alive
//! (`Arc::downgrade`, `Weak::strong_count`).
//!
//! Check it with `cargo test --test inet -- --ignored seats`: the
//! check fails until the seats come free. An answer is in
//! `lessons/answers/seats.rs`.

use std::sync::Arc;

/// At most `max` sessions at once.
#[derive(Debug)]
pub struct Seats<T> {
    max: usize,
    sessions: Vec<Arc<T>>,
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
        self.sessions.push(Arc::clone(&session));
        Ok(session)
    }

    /// How many seats are taken now.
    pub fn taken(&mut self) -> usize {
        self.sessions.len()
    }
}
