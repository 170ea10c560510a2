//! Lesson 0's exercises.
