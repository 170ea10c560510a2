//! Lesson 1, names and addresses: the DNS codec, the stub resolver, the
//! mock DNS server as the stub's peer, and the `resolve` program.

mod codec;
mod mock;
mod prop;
mod resolve;
mod stub;
