//! Every integration test of the mocks, in one test binary: cargo links
//! each test binary anew and runs them one after another, so one binary,
//! whose tests all run at once, is the quickest.

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
