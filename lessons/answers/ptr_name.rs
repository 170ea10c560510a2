//! Lesson 1, exercise: the name a reverse lookup asks about. An answer.

use std::net::IpAddr;

// ANCHOR: ptr_name
/// The name to ask PTR records of, for `addr`, without the final dot:
/// `7.2.0.192.in-addr.arpa` for 192.0.2.7.
pub fn ptr_name(addr: IpAddr) -> String {
    match addr {
        IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            format!("{d}.{c}.{b}.{a}.in-addr.arpa")
        }
        IpAddr::V6(v6) => {
            let mut name = String::new();
            // The last byte first, and in each byte its low nibble first:
            // 0x2001 ends the name as `1.0.0.2.`.
            for byte in v6.octets().iter().rev() {
                name += &format!("{:x}.{:x}.", byte & 0xF, byte >> 4);
            }
            name + "ip6.arpa"
        }
    }
}
// ANCHOR_END: ptr_name
