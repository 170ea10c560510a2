//! Lessons 3 and 4, SMTP: the client (the smtplib analogue) and its
//! sans-IO session, the property tests, and the `smtp-raw` and
//! `smtp-send` programs.

mod client;
mod programs;
mod prop;
