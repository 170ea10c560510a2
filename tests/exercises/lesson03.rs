//! Lesson 3's exercises.
