//! Lesson 7's exercises.
