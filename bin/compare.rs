//! `compare`: placeholder (issue 7).

fn main() {}
