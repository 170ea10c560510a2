//! Reverse lookups: the name a PTR query asks about, for an address.
//!
//! DNS only looks up names, so an address is turned into one: its parts
//! in reverse order (most specific first, like a name) under a special
//! domain. IPv4 uses the four bytes in decimal (RFC 1035 §3.5), IPv6 the
//! 32 nibbles in hex (RFC 3596 §2.5):
//!
//! ```text
//! 192.0.2.7   -> 7.2.0.192.in-addr.arpa
//! 2001:db8::7 -> 7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa
//! ```
//!
//! A client only ever goes this way. The way back, from a name to its
//! address, is a server's business: `tests/names/prop.rs` writes it, to
//! check that every address survives the trip.

use std::net::IpAddr;

use super::name::{Name, NameError};

/// The name to ask PTR records of, for `addr`.
///
/// # Errors
/// None in practice: a reverse name is short (see the last line).
pub fn reverse_name(addr: IpAddr) -> Result<Name, NameError> {
    let mut labels: Vec<Vec<u8>> = match addr {
        IpAddr::V4(v4) => v4
            .octets()
            .iter()
            .rev()
            .map(|byte| byte.to_string().into_bytes())
            .collect(),
        IpAddr::V6(v6) => v6
            .octets()
            .iter()
            .rev()
            .flat_map(|byte| [byte & 0xF, byte >> 4])
            .map(|nibble| format!("{nibble:x}").into_bytes())
            .collect(),
    };
    let domain: &[&str] = match addr {
        IpAddr::V4(_) => &["in-addr", "arpa"],
        IpAddr::V6(_) => &["ip6", "arpa"],
    };
    labels.extend(domain.iter().map(|l| l.as_bytes().to_vec()));
    // At most 34 labels of 1 to 7 bytes, far within a name's 255 bytes
    // (RFC 1035 §2.3.4); the check is still the one every name passes.
    Name::from_labels(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_become_the_rfc_names() {
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(
            reverse_name(v4).unwrap().to_string(),
            "7.2.0.192.in-addr.arpa"
        );
        let v6: IpAddr = "2001:db8::7".parse().unwrap();
        let expected = "7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
        assert_eq!(reverse_name(v6).unwrap().to_string(), expected);
    }
}
