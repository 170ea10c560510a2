//! Placeholder: written with its chapter.

fn main() {}
