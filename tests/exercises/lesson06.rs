//! Lesson 6's exercises.
