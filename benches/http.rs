//! Benchmark: http (placeholder; see issue 6).

mod support;

fn main() {
    let _ = support::Table::new("http");
}
