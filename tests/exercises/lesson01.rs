//! Lesson 1's exercises.
