//! What the mock sends back for a query: the decisions of the server,
//! kept apart from its sockets and threads (sans-IO), so each can be read
//! (and tested) on its own.

use super::wire::{self, Name, Query, Rdata, Writer};
use super::zone::Zone;
use super::{DECOY_NAME, DECOY_V4, DECOY_V6, DEFAULT_TTL, Rcode, Transport};
use std::time::Duration;

/// Everything that decides the replies: the data and the faults.
#[derive(Debug, Default)]
pub(super) struct Config {
    pub zone: Zone,
    pub faults: Faults,
    pub ttl: u32,
}

/// The scripted misbehaviour (see the [`Builder`](super::Builder) methods
/// of the same names).
#[derive(Debug, Clone, Default)]
pub(super) struct Faults {
    pub drop_first: usize,
    pub delay_first: usize,
    pub delay: Duration,
    pub truncate_udp: bool,
    pub wrong_id_first: bool,
    pub wrong_question_first: bool,
    pub wrong_source_first: bool,
}

/// What to send back for one query: replies in order (none for a dropped
/// query), after an optional delay.
#[derive(Debug)]
pub(super) struct Plan {
    pub delay: Option<Duration>,
    pub replies: Vec<Outgoing>,
}

/// One reply to send.
#[derive(Debug)]
pub(super) struct Outgoing {
    pub bytes: Vec<u8>,
    /// Send it from another UDP port than the one the query went to, as
    /// an off-path attacker would have to.
    pub from_elsewhere: bool,
}

impl Plan {
    /// Nothing to send: a dropped query, or a message never answered.
    pub(super) fn nothing() -> Self {
        Self {
            delay: None,
            replies: Vec::new(),
        }
    }
}

impl Outgoing {
    fn from_mock(bytes: Vec<u8>) -> Self {
        Self {
            bytes,
            from_elsewhere: false,
        }
    }
}

/// The OPCODE bits of the flags word.
const OPCODE_BITS: u16 = 0x7800;

/// The answer to a well-formed query without exactly one question: a
/// FORMERR, at once.
pub(super) fn formerr(id: u16, flags: u16) -> Plan {
    let flags = flags & (wire::RD | OPCODE_BITS);
    let bytes = Writer::new(id, flags, Rcode::FormErr.code(), None).finish();
    Plan {
        delay: None,
        replies: vec![Outgoing::from_mock(bytes)],
    }
}

/// The replies to the query that arrived `index`-th (from 0).
pub(super) fn plan(
    config: &Config,
    query: &Query<'_>,
    transport: Transport,
    index: usize,
) -> Plan {
    let faults = &config.faults;
    if index < faults.drop_first {
        return Plan::nothing();
    }
    let mut replies = Vec::new();
    // Decoys imitate spoofing, which only works over UDP.
    if transport == Transport::Udp {
        if faults.wrong_id_first {
            let id = query.id ^ 0x5A5A;
            let bytes = decoy(query, id, query.question);
            replies.push(Outgoing::from_mock(bytes));
        }
        if faults.wrong_question_first {
            replies.push(Outgoing::from_mock(decoy_question(query)));
        }
        if faults.wrong_source_first {
            let bytes = decoy(query, query.id, query.question);
            replies.push(Outgoing {
                bytes,
                from_elsewhere: true,
            });
        }
    }
    replies.push(Outgoing::from_mock(answer(config, query, transport)));
    let delay = (index < faults.delay_first).then_some(faults.delay);
    Plan { delay, replies }
}

/// The real answer to a query.
fn answer(config: &Config, query: &Query<'_>, transport: Transport) -> Vec<u8> {
    let flags = reply_flags(query.flags);
    let question = Some(query.question);
    let refuse = |rcode: Rcode| {
        Writer::new(query.id, flags, rcode.code(), question).finish()
    };
    if query.opcode() != 0 {
        return refuse(Rcode::NotImp);
    }
    if query.qclass != wire::CLASS_IN && query.qclass != wire::CLASS_ANY {
        return refuse(Rcode::Refused);
    }
    let answer = config.zone.answer(query.name, query.qtype);
    let truncated = || {
        Writer::new(query.id, flags | wire::TC, answer.rcode.code(), question)
            .finish()
    };
    if transport == Transport::Udp && config.faults.truncate_udp {
        return truncated();
    }
    let mut w = Writer::new(query.id, flags, answer.rcode.code(), question);
    for (owner, data) in &answer.records {
        w.answer(owner, config.ttl, data);
    }
    let message = w.finish();
    if transport == Transport::Udp && message.len() > wire::MAX_UDP_ANSWER {
        return truncated();
    }
    message
}

/// The flags of an answer to a query with `flags`: RD and OPCODE copied,
/// AA and RA set (QR and RCODE are the writer's job).
fn reply_flags(flags: u16) -> u16 {
    (flags & (wire::RD | OPCODE_BITS)) | wire::AA | wire::RA
}

/// A decoy reply to `query`, with this ID and question entry.
fn decoy(query: &Query<'_>, id: u16, question: &[u8]) -> Vec<u8> {
    let mut w = Writer::new(id, reply_flags(query.flags), 0, Some(question));
    let owner = &question[..question.len() - 4];
    let decoy_name = || Name::parse(DECOY_NAME).expect("a valid name");
    let data = match query.qtype {
        wire::TYPE_A => Some(Rdata::A(DECOY_V4)),
        wire::TYPE_AAAA => Some(Rdata::Aaaa(DECOY_V6)),
        wire::TYPE_PTR => Some(Rdata::Ptr(decoy_name())),
        _ => None,
    };
    if let Some(data) = data {
        w.answer(owner, DEFAULT_TTL, &data);
    }
    w.finish()
}

/// A decoy with the right ID but the question `DECOY_NAME`.
fn decoy_question(query: &Query<'_>) -> Vec<u8> {
    let name = Name::parse(DECOY_NAME).expect("a valid name");
    let mut question = name.wire().to_vec();
    question.extend_from_slice(&query.question[query.name.len()..]);
    decoy(query, query.id, &question)
}
