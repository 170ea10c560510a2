//! Every integration test of `inet`, in one test binary, a module per
//! chapter.
//!
//! One binary, not one per file: each test binary links the library, the
//! mocks and the test crates anew, and cargo runs test binaries one after
//! another, so the suite took the sum of every binary's slowest test. In
//! one binary, every test runs at once with the others, on all cores.
//!
//! Run one chapter with a filter: `cargo test --test inet smtp::`; a
//! lesson's exercise check with `cargo test --test inet -- --ignored NAME`.
//!
//! A test named or documented with a row id (`d8_...`, `/// V4: ...`)
//! shows how a program meets one bad input or fault: `tests/README.md`
//! is the catalogue of those rows, each with its tests.

mod common;

/// Lesson 0: line framing.
mod bytes;
/// Lesson 5: the echo server and client.
mod echo;
/// Lesson 6: the generic TCP server (`tcp-server`).
mod generic;
/// Lesson 1: names and addresses (`resolve`).
mod names;
/// Lessons 3 and 4: SMTP (`smtp-raw`, `smtp-send`).
mod smtp;
/// Lesson 2: the web client (`webget`).
mod web;

/// `compare`: each original beside its port.
mod compare;
/// The minimal ports in `examples/`, and what breaks them.
mod examples;
/// The lessons' exercises, each checked against its answer.
mod exercises;
/// The lessons: snippets, links, transcripts, reading maps.
mod lessons;
/// The guided tour, `cargo run`.
mod tour;
