//! Lesson 4's exercises.
