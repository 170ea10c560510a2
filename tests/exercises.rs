//! The checks of the lessons' exercises.
//!
//! An exercise is a file of starting code under `lessons/exercises/`,
//! which the learner fills in, and a worked answer of the same shape under
//! `lessons/answers/`. One check function tests both: here, each exercise
//! is a module with two tests,
//!
//! - `answer`, which runs with every `cargo test`: the check passes on the
//!   answer;
//! - `start`, ignored, the learner's command: `cargo test --test inet
//!   -- --ignored NAME` checks the starting code, and fails until the
//!   exercise is done. `.ci/run` runs each `start` and requires it to fail,
//!   so no check can pass on the starting code.
//!
//! Each lesson's exercises are in `tests/exercises/lessonNN.rs`.

mod lesson00;
mod lesson01;
mod lesson02;
mod lesson03;
mod lesson04;
mod lesson05;
mod lesson06;
mod lesson07;

use crate::common::{for_all, unsaved};
