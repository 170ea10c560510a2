//! Lesson 1, exercise: follow a CNAME chain.
//!
//! An answer may say that the name asked about is an alias: a CNAME
//! record gives its canonical name, whose records are the answer (RFC
//! 1035 §3.6.2), and that name may be an alias too. This function only
//! finds the addresses of the name itself. Make it follow the chain
//! within the answer, and stop, with `LookupError::CnameLoop`, on a chain
//! that comes back to a name already seen.
//!
//! Check: `cargo test --test inet -- --ignored cname_chain`

use std::net::Ipv4Addr;

use inet::dns::{LookupError, Name, Record, RecordData, RecordType};

/// The IPv4 addresses the records of an answer section give `name`,
/// after its CNAME chain. Names compare as DNS compares them, without
/// regard to ASCII case (`Name::eq_ignore_case`); records about other
/// names are not part of the answer.
///
/// # Errors
/// [`LookupError::NoData`] when the chain ends at a name with no A
/// record; [`LookupError::CnameLoop`] when it loops.
pub fn addresses(
    answers: &[Record],
    name: &Name,
) -> Result<Vec<Ipv4Addr>, LookupError> {
    let found: Vec<Ipv4Addr> = answers
        .iter()
        .filter(|r| r.name.eq_ignore_case(name))
        .filter_map(|r| match r.data {
            RecordData::A(ip) => Some(ip),
            _ => None,
        })
        .collect();
    if found.is_empty() {
        // Your code: if `name` has a CNAME record, the addresses are
        // those of its target, which may be an alias too.
        return Err(LookupError::NoData(RecordType::A));
    }
    Ok(found)
}
