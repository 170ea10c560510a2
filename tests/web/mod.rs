//! Lesson 2, the web client: the HTTP exchange, its property tests, and
//! the `webget` program.

mod http;
mod prop;
mod webget;
