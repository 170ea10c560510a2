//! Lesson 5's exercises.

#[path = "../../lessons/answers/reply_framer.rs"]
mod reply_framer_answer;
#[path = "../../lessons/exercises/reply_framer.rs"]
mod reply_framer_start;

#[path = "../../lessons/answers/seats.rs"]
mod seats_answer;
#[path = "../../lessons/exercises/seats.rs"]
mod seats_start;

/// Lesson 5, exercise 1: where a reply ends, framed or guessed.
mod reply_framer {
    use super::{reply_framer_answer as answer, reply_framer_start as start};

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored reply_framer`"]
    fn start() {
        use start::Replies as R;
        check(R::new, R::push, R::silence);
    }

    #[test]
    fn answer() {
        use answer::Replies as R;
        check(R::new, R::push, R::silence);
    }

    /// What a client is told, in order: bytes read, or a silence.
    #[derive(Debug, Clone, Copy)]
    enum Heard {
        Read(&'static str),
        Silence,
    }
    use Heard::{Read, Silence};

    fn check<R>(
        new: impl Fn() -> R,
        push: impl Fn(&mut R, &[u8]) -> Vec<Vec<u8>>,
        silence: impl Fn(&mut R) -> Option<Vec<u8>>,
    ) {
        // The replies `heard` gives, in order.
        let replies = |heard: &[Heard]| -> Vec<String> {
            let mut replies = new();
            let mut got = Vec::new();
            for &step in heard {
                match step {
                    Read(bytes) => {
                        got.extend(push(&mut replies, bytes.as_bytes()))
                    }
                    Silence => got.extend(silence(&mut replies)),
                }
            }
            let text = |reply: Vec<u8>| String::from_utf8(reply).unwrap();
            got.into_iter().map(text).collect()
        };

        // The Python server: no newline, ever; a silence ends each reply.
        let python = [
            Read("Thread-2: HELLO"),
            Silence,
            Read("Thread-2: WO"),
            Read("RLD"),
            Silence,
            Silence,
        ];
        let want = ["Thread-2: HELLO", "Thread-2: WORLD"];
        assert_eq!(replies(&python), want, "the Python server: {python:?}");

        // Our server: a newline ends each reply, and once one has come, a
        // silence in the middle of a reply ends nothing.
        let ours = [
            Read("Thread-1: HELLO\r\nThread-1: WO"),
            Silence,
            Read("RLD\nThread-1: "),
            Read("AGAIN\n"),
            Silence,
        ];
        let want = ["Thread-1: HELLO", "Thread-1: WORLD", "Thread-1: AGAIN"];
        assert_eq!(replies(&ours), want, "our server: {ours:?}");

        // Any split of our server's stream, with no silence, gives the same
        // replies.
        let stream = "Thread-1: HELLO\nThread-1: WORLD\n";
        let want = ["Thread-1: HELLO", "Thread-1: WORLD"];
        for a in 0..=stream.len() {
            for b in a..=stream.len() {
                let (one, two, three) =
                    (&stream[..a], &stream[a..b], &stream[b..]);
                let split = [Read(one), Read(two), Read(three)];
                assert_eq!(replies(&split), want, "cut at {a} and {b}");
            }
        }

        assert!(replies(&[Silence, Silence]).is_empty(), "silence alone");
    }
}

/// Lesson 5, exercise 2: seats counted by ownership.
mod seats {
    use super::{seats_answer as answer, seats_start as start};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::thread;

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored seats`"]
    fn start() {
        use start::Seats as S;
        check(S::new, S::admit, S::taken);
    }

    #[test]
    fn answer() {
        use answer::Seats as S;
        check(S::new, S::admit, S::taken);
    }

    /// A session that counts itself out when it is dropped, as a socket
    /// closes when its last handle goes.
    #[derive(Debug)]
    struct Session {
        name: &'static str,
        open: Arc<AtomicUsize>,
    }

    impl Drop for Session {
        fn drop(&mut self) {
            self.open.fetch_sub(1, Ordering::SeqCst);
        }
    }

    fn check<S>(
        new: impl Fn(usize) -> S,
        admit: impl Fn(&mut S, Session) -> Result<Arc<Session>, Session>,
        taken: impl Fn(&mut S) -> usize,
    ) {
        let open = Arc::new(AtomicUsize::new(0));
        let session = |name| {
            open.fetch_add(1, Ordering::SeqCst);
            let open = Arc::clone(&open);
            Session { name, open }
        };
        let mut seats = new(2);

        let one = admit(&mut seats, session("one")).expect("a free seat");
        let two = admit(&mut seats, session("two")).expect("a free seat");
        let refused = admit(&mut seats, session("three"));
        let three = refused.expect_err("two seats, two sessions: full");
        assert_eq!(three.name, "three", "a refused session is given back");
        drop(three);
        assert_eq!(taken(&mut seats), 2);

        // A session that ends frees its seat, and is gone for good.
        drop(one);
        assert_eq!(open.load(Ordering::SeqCst), 1, "a session ended lives on");
        assert_eq!(taken(&mut seats), 1, "an ended session holds its seat");
        let four =
            admit(&mut seats, session("four")).expect("a seat came free");

        // A clone of the handle keeps the seat, as long as it lives.
        let clone = Arc::clone(&two);
        drop(two);
        assert_eq!(taken(&mut seats), 2, "a clone of the handle lives");
        drop(clone);
        assert_eq!(taken(&mut seats), 1);

        // A session whose thread panics frees its seat too.
        let panicking = thread::spawn(move || {
            let _held = four;
            panic!("a bug in a session (this panic is part of the check)");
        });
        assert!(panicking.join().is_err());
        assert_eq!(taken(&mut seats), 0, "a panicked session holds its seat");
        assert_eq!(open.load(Ordering::SeqCst), 0, "every session is gone");
    }
}
