//! Lesson 1, exercise: follow a CNAME chain. An answer.

use std::net::Ipv4Addr;

use inet::dns::{LookupError, Name, Record, RecordData, RecordType};

// ANCHOR: cname_chain
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
    let mut name = name;
    let mut seen = vec![name];
    loop {
        let about_name =
            || answers.iter().filter(|r| r.name.eq_ignore_case(name));
        let found: Vec<Ipv4Addr> = about_name()
            .filter_map(|r| match r.data {
                RecordData::A(ip) => Some(ip),
                _ => None,
            })
            .collect();
        if !found.is_empty() {
            return Ok(found);
        }
        let target = about_name().find_map(|r| match &r.data {
            RecordData::Cname(target) => Some(target),
            _ => None,
        });
        let Some(target) = target else {
            return Err(LookupError::NoData(RecordType::A));
        };
        // Each name once: a chain that comes back is a loop, however long.
        if seen.iter().any(|s| s.eq_ignore_case(target)) {
            return Err(LookupError::CnameLoop(target.clone()));
        }
        seen.push(target);
        name = target;
    }
}
// ANCHOR_END: cname_chain
