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

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::name::Name;

// ANCHOR: reverse_name
/// The name to ask PTR records of, for `addr`.
pub fn reverse_name(addr: IpAddr) -> Name {
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
    Name::from_labels(labels).expect("at most 34 short labels")
}
// ANCHOR_END: reverse_name

/// The address a reverse name stands for, or `None` if `name` is not
/// exactly 4 decimal bytes under `in-addr.arpa` or 32 hex nibbles under
/// `ip6.arpa` (case does not matter).
pub fn address_of(name: &Name) -> Option<IpAddr> {
    let labels = name.labels();
    let is =
        |label: &[u8], text: &str| label.eq_ignore_ascii_case(text.as_bytes());
    match labels {
        [d, c, b, a, in_addr, arpa]
            if is(in_addr, "in-addr") && is(arpa, "arpa") =>
        {
            let octets = [a, b, c, d].map(|l| decimal_byte(l));
            let [Some(a), Some(b), Some(c), Some(d)] = octets else {
                return None;
            };
            Some(IpAddr::V4(Ipv4Addr::new(a, b, c, d)))
        }
        [nibbles @ .., ip6, arpa]
            if nibbles.len() == 32 && is(ip6, "ip6") && is(arpa, "arpa") =>
        {
            let mut bits = 0u128;
            for label in nibbles.iter().rev() {
                bits = bits << 4 | u128::from(hex_nibble(label)?);
            }
            Some(IpAddr::V6(Ipv6Addr::from(bits)))
        }
        _ => None,
    }
}

/// `0` to `255` in decimal, without leading zeros (so each byte has one
/// spelling).
fn decimal_byte(label: &[u8]) -> Option<u8> {
    let text = std::str::from_utf8(label).ok()?;
    let canonical = text.len() == 1 || !text.starts_with('0');
    if !canonical || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// One hex digit.
fn hex_nibble(label: &[u8]) -> Option<u8> {
    match label {
        [digit] => (*digit as char).to_digit(16).map(|d| d as u8),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_become_the_rfc_names() {
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(reverse_name(v4).to_string(), "7.2.0.192.in-addr.arpa");
        let v6: IpAddr = "2001:db8::7".parse().unwrap();
        let expected = "7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
        assert_eq!(reverse_name(v6).to_string(), expected);
    }

    #[test]
    fn only_well_formed_reverse_names_give_addresses() {
        let parse = |text: &str| address_of(&Name::parse(text).unwrap());
        assert_eq!(
            parse("7.2.0.192.IN-ADDR.ARPA"),
            Some("192.0.2.7".parse().unwrap())
        );
        for bad in [
            "2.0.192.in-addr.arpa",
            "256.2.0.192.in-addr.arpa",
            "07.2.0.192.in-addr.arpa",
            "x.2.0.192.in-addr.arpa",
            "7.2.0.192.in-addr.example",
            "1.ip6.arpa",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
