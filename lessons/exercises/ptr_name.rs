//! Lesson 1, exercise: the name a reverse lookup asks about.
//!
//! DNS only looks names up, so "what is the name of this address?" is
//! asked as "what is the PTR record of this name?", for a name made from
//! the address: its parts, the last first, under a domain of their own.
//! IPv4 is done for you (RFC 1035 §3.5). Write IPv6 (RFC 3596 §2.5): its
//! 16 bytes as 32 hex digits, one a label, the last first, then
//! `ip6.arpa`.
//!
//! Check: `cargo test --test inet -- --ignored ptr_name`

use std::net::IpAddr;

/// The name to ask PTR records of, for `addr`, without the final dot:
/// `7.2.0.192.in-addr.arpa` for 192.0.2.7.
pub fn ptr_name(addr: IpAddr) -> String {
    match addr {
        IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            format!("{d}.{c}.{b}.{a}.in-addr.arpa")
        }
        IpAddr::V6(_v6) => {
            // Your code: the 32 nibbles (4 bits, one hex digit each) of
            // `_v6.octets()`, the last first, each followed by a dot,
            // then `ip6.arpa`.
            String::from("ip6.arpa")
        }
    }
}
