//! Every integration test of the mocks, in one test binary: cargo links
//! each test binary anew and runs them one after another, so one binary,
//! whose tests all run at once, is the quickest.
//!
//! A test named or documented with a row id (`..._v1`, `/// M7: ...`)
//! shows how a mock meets one bad input or fault: the catalogue of those
//! rows, each with its tests, is `tests/README.md` at the top of the
//! repository.

mod program;

/// The mock DNS server, in-process and as `mock-dns`.
mod dns;
/// The mock web server, in-process and as `mock-http`.
mod http;
/// The mock SMTP server, in-process.
mod smtp;
/// `mock-smtp`, the program.
mod smtp_bin;
/// Property tests of the SMTP mock's framing.
mod smtp_prop;
