//! smtplib's rules for sending a message, as a state machine without a
//! socket.
//!
//! Sending a message is more than MAIL, RCPT and DATA in a row: the
//! server may refuse any of them, and what comes next depends on which
//! refusal it was. These are smtplib's rules for `sendmail`:
//!
//! | The server's answer | what follows |
//! |---|---|
//! | EHLO refused | HELO; both refused: [`Stop::Hello`] |
//! | EHLO lists `SIZE n`, the message is larger | not sent: [`Stop::TooBig`] (RFC 1870) |
//! | MAIL refused | RSET, [`Stop::Sender`] |
//! | some RCPT refused | the message goes to the others, which are returned |
//! | every RCPT refused | RSET, [`Stop::Recipients`] |
//! | DATA refused | RSET, [`Stop::Data`] |
//! | the message refused after its final dot | RSET, [`Stop::Message`] |
//! | 421 to anything | nothing more is sent: the server is closing (RFC 5321 §3.8) |
//!
//! When the server lists PIPELINING (RFC 2920), MAIL, every RCPT and
//! DATA go out as one group and their replies are judged afterwards, in
//! order, by the same rules. A refusal then can't stop commands already
//! sent, and the server answers each of them: RFC 2920 §3.1 has the
//! client "check ALL statuses". One case needs care (the trap): every
//! RCPT refused, and DATA answered `354` all the same. The server now
//! reads message text, so an RSET would be taken as a line of it; a
//! lone dot ends an empty message first (RFC 2920 §3.1: "if the DATA
//! command was accepted the client SMTP should send a single dot"), and
//! only then comes RSET. The message itself never goes.
//!
//! [`Session`] holds these rules and no socket, in the manner of h11's
//! `Connection`: the driver asks it what to do ([`Session::poll`]), does
//! it, and hands it each reply ([`Session::receive`]):
//!
//! ```text
//! driver                                  Session
//!   | sendmail(sender, recipients, size) --> |
//!   | poll ---------------------------------> |
//!   | <------- Send([mail, rcpt, data]) ------ |  write them at once
//!   | poll ---------------------------------> |
//!   | <------- Read(Mail) -------------------- |  read one reply
//!   | receive(250 ok) ----------------------> |
//!   |   ... Read(Rcpt), Read(Data) ...         |
//!   | <------- Message ----------------------- |  write the message
//!   | <------- Read(FinalDot) ---------------- |
//!   | <------- Done(Ok(refused)) ------------- |
//! ```
//!
//! Inside there are two queues: the command lines planned and not yet
//! written, and the commands written whose replies are due. Replies due
//! are always read first; then the next group is written: MAIL with the
//! RCPTs and DATA after it when pipelining, a single line otherwise
//! (lockstep is pipelining with a window of one). Each reply judged may
//! plan more (HELO after a refused EHLO, the message after `354`, RSET
//! after a refusal), and a 421 empties both queues.
//!
//! So the rules are tested with any sequence of replies and no network
//! (`tests/smtp/prop.rs`), and the socket driver, [`super::client`],
//! only moves bytes.

use std::collections::VecDeque;
use std::fmt;

use super::command::{Command, CommandError};
use super::data::END;
use super::reply::{Kind, Reply};
use super::step::Step;

/// The most commands written before their replies are read: a window
/// of a pipelined group.
///
/// RFC 2920 §3.1: a client that blocks while it writes, as ours does,
/// "MUST also check the TCP window size and make sure that each group
/// of commands fits entirely within the window", or both ends can block
/// writing at once. std can't ask for the window, so we bound the group
/// instead: 100 lines of at most 512 octets (RFC 5321 §4.5.3.1.4),
/// 51,200 at worst and about 3,000 for usual addresses, and a reply to
/// each. The server stops reading our commands only when its replies to
/// them fill our receive buffer, and 100 replies don't. RFC 5321
/// §4.5.3.1.8 has servers take at least 100 recipients, so most
/// messages need one window.
pub const MAX_GROUP: usize = 100;

/// The recipients the server refused, each with its reply, in the order
/// they were given (smtplib returns the same as a dict).
pub type Refused = Vec<(String, Reply)>;

/// Why the message was not sent, when the exchange itself went fine:
/// the server said no (smtplib's exception for each is named), or we
/// would not send what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The greeting was not `220` (`SMTPConnectError`).
    Greeting(Reply),
    /// EHLO and HELO refused, or EHLO answered `421` (`SMTPHeloError`).
    Hello(Reply),
    /// A command we refuse to send (CR/LF injection, a path too long):
    /// nothing of it was sent, and the session is still usable.
    Command {
        /// The command's step.
        step: Step,
        /// Why.
        error: CommandError,
    },
    /// No recipient was given; nothing was sent.
    NoRecipients,
    /// The message is larger than the server's SIZE: RFC 1870 §6.1 has
    /// the server refuse it, so it is not sent, and no transaction
    /// starts.
    TooBig {
        /// The message's size, in octets, as RFC 1870 counts it.
        size: u64,
        /// The most the server takes.
        limit: u64,
    },
    /// MAIL refused (`SMTPSenderRefused`).
    Sender {
        /// The sender as given.
        sender: String,
        /// The server's reply.
        reply: Reply,
    },
    /// Every RCPT refused, or one answered `421`
    /// (`SMTPRecipientsRefused`).
    Recipients(Refused),
    /// DATA refused (`SMTPDataError`).
    Data(Reply),
    /// The message refused after its final dot (`SMTPDataError`).
    Message(Reply),
}

impl Stop {
    /// The step it stopped at; none when nothing was asked of the server
    /// (no recipient).
    pub fn step(&self) -> Option<Step> {
        Some(match self {
            Stop::Greeting(_) => Step::Greeting,
            Stop::Hello(_) => Step::Hello,
            Stop::Command { step, .. } => *step,
            Stop::NoRecipients => return None,
            Stop::TooBig { .. } | Stop::Sender { .. } => Step::Mail,
            Stop::Recipients(_) => Step::Rcpt,
            Stop::Data(_) => Step::Data,
            Stop::Message(_) => Step::FinalDot,
        })
    }

    /// True for a 4xx refusal: the server may accept later (RFC 5321
    /// §4.2.1). For refused recipients, true when all of them were 4xx.
    pub fn is_transient(&self) -> bool {
        let transient = |r: &Reply| r.kind() == Kind::Transient;
        match self {
            Stop::Greeting(r)
            | Stop::Hello(r)
            | Stop::Sender { reply: r, .. }
            | Stop::Data(r)
            | Stop::Message(r) => transient(r),
            Stop::Recipients(all) => {
                !all.is_empty() && all.iter().all(|(_, r)| transient(r))
            }
            Stop::Command { .. } | Stop::NoRecipients | Stop::TooBig { .. } => {
                false
            }
        }
    }

    /// The server refused a transaction MAIL had begun: RSET ends it.
    fn ends_a_transaction(&self) -> bool {
        matches!(
            self,
            Stop::Sender { .. }
                | Stop::Recipients(_)
                | Stop::Data(_)
                | Stop::Message(_)
        )
    }
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let refused = "the server refused";
        match self {
            Stop::Greeting(r) => write!(f, "{refused} the session: {r}"),
            Stop::Hello(r) => write!(f, "{refused} EHLO and HELO: {r}"),
            Stop::Command { step, error } => {
                write!(f, "{step} not sent: {error}")
            }
            Stop::NoRecipients => write!(f, "no recipient given"),
            Stop::TooBig { size, limit } => write!(
                f,
                "the message is {size} octets; the server takes at most \
                 {limit} (its SIZE, RFC 1870)"
            ),
            Stop::Sender { sender, reply } => {
                write!(f, "{refused} the sender {sender:?}: {reply}")
            }
            Stop::Recipients(all) => {
                let each: Vec<String> =
                    all.iter().map(|(to, r)| format!("{to:?}: {r}")).collect();
                write!(f, "{refused} the recipients: {}", each.join("; "))
            }
            Stop::Data(r) => write!(f, "{refused} DATA: {r}"),
            Stop::Message(r) => write!(f, "{refused} the message: {r}"),
        }
    }
}

impl std::error::Error for Stop {}

/// The extensions a server lists in its EHLO reply (RFC 5321 §4.1.1.1):
/// every line after the first, which greets, is a keyword and maybe
/// parameters (`SIZE 10240000`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extensions(Vec<(String, String)>);

impl Extensions {
    /// What the EHLO reply `reply` lists, keywords in lower case.
    pub fn of(reply: &Reply) -> Extensions {
        let parse = |line: &String| {
            let line = line.trim();
            let (keyword, params) = line.split_once(' ').unwrap_or((line, ""));
            (keyword.to_ascii_lowercase(), params.trim().to_owned())
        };
        let lines = reply.lines.iter().skip(1).map(parse);
        Extensions(lines.filter(|(k, _)| !k.is_empty()).collect())
    }

    /// The parameters of extension `name` (any case), if it is listed:
    /// `"10240000"` for `SIZE 10240000`, `""` for `PIPELINING`.
    pub fn get(&self, name: &str) -> Option<&str> {
        let mut all = self.0.iter();
        let (_, params) = all.find(|(k, _)| k.eq_ignore_ascii_case(name))?;
        Some(params)
    }

    /// The largest message the server takes, in octets, if it says
    /// (RFC 1870 §3: `SIZE 0`, or `SIZE` alone, sets no limit).
    pub fn size_limit(&self) -> Option<u64> {
        let limit = self.get("size")?.parse().ok()?;
        (limit > 0).then_some(limit)
    }
}

/// A command line to write, formatted (and so checked), and the step
/// its reply answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The bytes to write, CRLF included.
    pub bytes: Vec<u8>,
    /// The step of the exchange it belongs to.
    pub step: Step,
}

/// What the driver does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Write these lines, all at once; a reply to each is then due.
    Send(Vec<Line>),
    /// Read one whole reply and hand it to [`Session::receive`].
    Read(Step),
    /// Write the message, dot-stuffed and ended by its final dot; its
    /// reply is then due. `size` is what MAIL said it is (RFC 1870): a
    /// message read as it is sent must turn out that size, or be
    /// dropped before its final dot.
    Message {
        /// Its size as RFC 1870 counts it.
        size: u64,
    },
    /// Nothing more to do: the refused recipients if the server took
    /// the message, or why not.
    Done(Result<Refused, Stop>),
}

/// What a command line (or the message) is, so its reply can be
/// judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    Ehlo,
    Helo,
    Mail,
    /// RCPT for the recipient at this index.
    Rcpt(usize),
    Data,
    Message,
    /// The dot that ends the empty message of the trap.
    LoneDot,
    Rset,
}

impl What {
    fn step(self) -> Step {
        match self {
            What::Ehlo | What::Helo => Step::Hello,
            What::Mail => Step::Mail,
            What::Rcpt(_) => Step::Rcpt,
            What::Data | What::LoneDot => Step::Data,
            What::Message => Step::FinalDot,
            What::Rset => Step::Rset,
        }
    }

    /// May it go out with the commands before it, when pipelining? RCPT
    /// and DATA after MAIL: a group ends with DATA (RFC 2920 §3.1), and
    /// the rest each wait for the replies due.
    fn joins_group(self) -> bool {
        matches!(self, What::Rcpt(_) | What::Data)
    }
}

/// A command line to write, formatted (and so checked), and what it is.
type Planned = (What, Vec<u8>);

/// One `sendmail` (or EHLO/HELO alone): what is still to write, whose
/// replies are due, and what came of it.
#[derive(Debug, Default)]
struct Job {
    sender: String,
    /// Empty for EHLO/HELO alone (if needed), and nothing more.
    recipients: Vec<String>,
    /// The message's size as RFC 1870 counts it.
    size: u64,
    /// Planned, not yet written, in order; it grows as replies come.
    /// The message has no bytes here: the driver streams it.
    queue: VecDeque<Planned>,
    /// Written, their replies due, oldest first.
    due: VecDeque<What>,
    refused: Refused,
    outcome: Option<Result<Refused, Stop>>,
}

/// The rules of one SMTP connection, after its greeting: whether EHLO
/// or HELO was accepted and what EHLO listed, and the message being
/// sent.
#[derive(Debug)]
pub struct Session {
    /// The name given with EHLO/HELO.
    pub name: String,
    /// Pipeline when the server offers it (on by default); `false` sends
    /// one command per round trip, as smtplib does.
    pub pipelining: bool,
    /// `None` until EHLO or HELO is accepted; then what EHLO listed
    /// (nothing, after HELO).
    hello: Option<Extensions>,
    job: Job,
}

impl Session {
    /// A session that will call itself `name` in EHLO/HELO.
    pub fn new(name: &str) -> Session {
        Session {
            name: name.to_owned(),
            pipelining: true,
            hello: None,
            job: Job::default(),
        }
    }

    /// The greeting: `220`, or the session can't start.
    ///
    /// # Errors
    /// [`Stop::Greeting`] with any other reply.
    pub fn greeting(reply: Reply) -> Result<Reply, Stop> {
        match reply.code {
            220 => Ok(reply),
            _ => Err(Stop::Greeting(reply)),
        }
    }

    /// Whether a message goes out pipelined: the server listed
    /// PIPELINING (RFC 2920 §3), and it was not turned off.
    pub fn pipelines(&self) -> bool {
        self.pipelining && self.extension("pipelining").is_some()
    }

    /// The parameters of extension `name`, if EHLO listed it.
    pub fn extension(&self, name: &str) -> Option<&str> {
        self.hello.as_ref()?.get(name)
    }

    /// Notes the reply to an EHLO sent on its own (`Client::ehlo`): an
    /// accepted one lists the extensions, a refused one forgets them.
    pub fn ehlo_answered(&mut self, reply: &Reply) {
        let accepted = reply.kind() == Kind::Positive;
        self.hello = accepted.then(|| Extensions::of(reply));
    }

    /// Notes the reply to a HELO sent on its own: accepted, it greets
    /// without extensions.
    pub fn helo_answered(&mut self, reply: &Reply) {
        if reply.kind() == Kind::Positive {
            self.hello = Some(Extensions::default());
        }
    }

    /// Starts EHLO, then HELO if EHLO is refused, unless one was
    /// accepted already (smtplib's `ehlo_or_helo_if_needed`).
    pub fn hello(&mut self) {
        self.job = Job::default();
        self.start();
    }

    // ANCHOR: session
    /// Starts sending a message of `size` octets (as RFC 1870 counts
    /// them) from `sender` to `recipients`, EHLO/HELO first if needed.
    pub fn sendmail(&mut self, sender: &str, recipients: &[&str], size: u64) {
        self.job = Job {
            sender: sender.to_owned(),
            recipients: recipients.iter().map(|&r| r.to_owned()).collect(),
            size,
            ..Job::default()
        };
        if recipients.is_empty() {
            return self.decide(Err(Stop::NoRecipients));
        }
        self.start();
    }

    /// What the driver does next: read the replies due, then write what
    /// is planned, a group at a time when pipelining (a window of
    /// [`MAX_GROUP`]), else one line at a time.
    pub fn poll(&mut self) -> Next {
        let window = if self.pipelines() { MAX_GROUP } else { 1 };
        let job = &mut self.job;
        if let Some(what) = job.due.front() {
            return Next::Read(what.step());
        }
        let Some(&(first, _)) = job.queue.front() else {
            let outcome = job.outcome.clone();
            return Next::Done(outcome.unwrap_or_else(|| Ok(Refused::new())));
        };
        if first == What::Message {
            job.queue.pop_front();
            job.due.push_back(first);
            return Next::Message { size: job.size };
        }
        let followers = job.queue.iter().skip(1);
        let group = 1 + followers.take_while(|(w, _)| w.joins_group()).count();
        let mut lines = Vec::new();
        for (what, bytes) in job.queue.drain(..group.min(window)) {
            job.due.push_back(what);
            let step = what.step();
            lines.push(Line { bytes, step });
        }
        Next::Send(lines)
    }

    /// Takes the reply to the oldest command still waiting for one.
    pub fn receive(&mut self, reply: Reply) {
        let Some(what) = self.job.due.pop_front() else {
            return; // No reply is due: nothing to judge.
        };
        let closing = reply.is_closing();
        self.judge(what, reply);
        if closing {
            // The server has gone: replies still due will never come,
            // and nothing more may be sent, not even RSET.
            self.job.queue.clear();
            self.job.due.clear();
        }
    }
    // ANCHOR_END: session

    /// The outcome, once it is known, even if RSET or the lone dot are
    /// still to go: a failure of those changes nothing.
    pub fn decided(&self) -> Option<Result<Refused, Stop>> {
        self.job.outcome.clone()
    }

    /// EHLO/HELO if none was accepted yet, else the envelope.
    fn start(&mut self) {
        match self.hello {
            Some(_) => self.plan_envelope(),
            None => self.plan_hello(What::Ehlo),
        }
    }

    fn plan_hello(&mut self, what: What) {
        let name = &self.name;
        let command = match what {
            What::Ehlo => Command::Ehlo(name),
            _ => Command::Helo(name),
        };
        let hello = planned(what, command).map(|line| vec![line]);
        self.plan(hello);
    }

    /// MAIL (with `size=` when the server has SIZE), each RCPT and DATA.
    /// A message over the server's SIZE does not start a transaction.
    fn plan_envelope(&mut self) {
        let job = &self.job;
        if job.recipients.is_empty() {
            return self.decide(Ok(Refused::new())); // Only EHLO/HELO.
        }
        let size = job.size;
        let limit = self.hello.as_ref().and_then(Extensions::size_limit);
        if let Some(limit) = limit.filter(|&limit| size > limit) {
            return self.decide(Err(Stop::TooBig { size, limit }));
        }
        let size = self.extension("size").map(|_| size);
        let mail = Command::Mail {
            from: &job.sender,
            size,
        };
        let rcpts = job.recipients.iter().enumerate();
        let rcpts =
            rcpts.map(|(i, to)| planned(What::Rcpt(i), Command::Rcpt(to)));
        let all = std::iter::once(planned(What::Mail, mail))
            .chain(rcpts)
            .chain([planned(What::Data, Command::Data)]);
        let envelope = all.collect();
        self.plan(envelope);
    }

    /// Queues `lines`, all formatted before any is sent: a command we
    /// refuse to send leaves no transaction half open.
    fn plan(&mut self, lines: Result<Vec<Planned>, Stop>) {
        match lines {
            Ok(lines) => self.job.queue.extend(lines),
            Err(stop) => self.decide(Err(stop)),
        }
    }

    // ANCHOR: rules
    /// What `reply` means for the command `what` it answers.
    fn judge(&mut self, what: What, reply: Reply) {
        let positive = reply.kind() == Kind::Positive;
        match what {
            What::Ehlo if positive => {
                self.hello = Some(Extensions::of(&reply));
                self.plan_envelope();
            }
            // An old server that doesn't know EHLO may know HELO; a
            // closing one won't hear it.
            What::Ehlo if !reply.is_closing() => self.plan_hello(What::Helo),
            What::Helo if positive => {
                self.hello = Some(Extensions::default());
                self.plan_envelope();
            }
            What::Ehlo | What::Helo => self.decide(Err(Stop::Hello(reply))),
            What::Mail if reply.code != 250 => {
                let sender = self.job.sender.clone();
                self.decide(Err(Stop::Sender { sender, reply }));
            }
            What::Rcpt(index) => self.judge_rcpt(index, reply),
            What::Data if reply.code == 354 => self.data_accepted(),
            What::Data => self.decide(Err(Stop::Data(reply))),
            What::Message if reply.code == 250 => {
                let refused = self.job.refused.clone();
                self.decide(Ok(refused));
            }
            What::Message => self.decide(Err(Stop::Message(reply))),
            What::Mail | What::LoneDot | What::Rset => {}
        }
    }

    /// Notes a refused recipient (anything but 250 and 251, as smtplib
    /// judges). The transaction fails when the last one leaves none
    /// accepted, or at once on a 421.
    fn judge_rcpt(&mut self, index: usize, reply: Reply) {
        let job = &mut self.job;
        let closing = reply.is_closing();
        if reply.code != 250 && reply.code != 251 {
            job.refused.push((job.recipients[index].clone(), reply));
        }
        let last = index + 1 == job.recipients.len();
        if closing || (last && job.refused.len() == job.recipients.len()) {
            let refused = job.refused.clone();
            self.decide(Err(Stop::Recipients(refused)));
        }
    }
    // ANCHOR_END: rules

    // ANCHOR: pipelined
    /// DATA got `354`: the message is due, unless the transaction has
    /// failed already (pipelined, with every RCPT refused: the trap).
    /// Then a lone dot ends an empty message, before the RSET.
    fn data_accepted(&mut self) {
        let job = &mut self.job;
        match job.outcome {
            None => job.queue.push_back((What::Message, Vec::new())),
            Some(_) => job.queue.push_front((What::LoneDot, END.to_vec())),
        }
    }

    /// The first outcome stands. Nothing more of the transaction is
    /// sent, but replies already due are still read; then a transaction
    /// the server refused ends with RSET, as smtplib does (not after a
    /// 421: [`receive`](Self::receive) drops it).
    fn decide(&mut self, outcome: Result<Refused, Stop>) {
        let job = &mut self.job;
        if job.outcome.is_some() {
            return;
        }
        job.queue.clear();
        if outcome.as_ref().is_err_and(Stop::ends_a_transaction) {
            // A verb alone always formats.
            let rset = Command::Rset.to_bytes().unwrap_or_default();
            job.queue.push_back((What::Rset, rset));
        }
        job.outcome = Some(outcome);
    }
    // ANCHOR_END: pipelined
}

/// `command` formatted, to be sent as `what`.
fn planned(what: What, command: Command<'_>) -> Result<Planned, Stop> {
    match command.to_bytes() {
        Ok(bytes) => Ok((what, bytes)),
        Err(error) => Err(Stop::Command {
            step: what.step(),
            error,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drives `session` with `reply` (its code) for every command;
    /// returns what was written, as text, and the outcome.
    fn drive(
        session: &mut Session,
        mut reply: impl FnMut(Step) -> u16,
    ) -> (Vec<String>, Result<Refused, Stop>) {
        let mut written = Vec::new();
        loop {
            match session.poll() {
                Next::Send(lines) => {
                    written.extend(lines.iter().map(|l| {
                        String::from_utf8_lossy(&l.bytes).into_owned()
                    }))
                }
                Next::Read(step) => {
                    session.receive(Reply::new(reply(step), "x"))
                }
                Next::Message { .. } => written.push("<message>".to_owned()),
                Next::Done(outcome) => return (written, outcome),
            }
        }
    }

    fn ehlo(lines: &[&str]) -> Session {
        let mut session = Session::new("me");
        let lines = lines.iter().map(|&l| l.to_owned()).collect();
        session.ehlo_answered(&Reply { code: 250, lines });
        session
    }

    #[test]
    fn extensions_are_keywords_with_parameters() {
        let ehlo = ["mock.test", "PIPELINING", "SIZE 10240000", "8BITMIME"];
        let found = Extensions::of(&Reply {
            code: 250,
            lines: ehlo.map(String::from).to_vec(),
        });
        assert_eq!(found.get("size"), Some("10240000"));
        assert_eq!(found.get("Pipelining"), Some(""));
        assert_eq!(found.get("mock.test"), None);
        assert_eq!(found.size_limit(), Some(10_240_000));
        for no_limit in ["SIZE", "SIZE 0", "SIZE lots"] {
            let lines = vec!["mock.test".to_owned(), no_limit.to_owned()];
            let found = Extensions::of(&Reply { code: 250, lines });
            assert_eq!(found.size_limit(), None, "{no_limit}");
        }
    }

    #[test]
    fn a_message_goes_out_in_one_group_with_its_size() {
        let mut session = ehlo(&["s", "PIPELINING", "SIZE 100"]);
        session.sendmail("a@x", &["b@y"], 42);
        let Next::Send(group) = session.poll() else {
            panic!()
        };
        let text: Vec<_> = group.iter().map(|l| l.bytes.clone()).collect();
        assert_eq!(
            text,
            [
                &b"mail FROM:<a@x> size=42\r\n"[..],
                b"rcpt TO:<b@y>\r\n",
                b"data\r\n"
            ]
        );
        let (rest, outcome) = drive(&mut session, |step| match step {
            Step::Data => 354,
            _ => 250,
        });
        assert_eq!(rest, ["<message>"]);
        assert_eq!(outcome, Ok(Refused::new()));
    }

    #[test]
    fn a_message_over_the_servers_size_is_not_sent() {
        // RFC 1870 §6.1; 100 octets exactly still go.
        let mut session = ehlo(&["s", "SIZE 100"]);
        session.sendmail("a@x", &["b@y"], 101);
        let (written, outcome) = drive(&mut session, |_| 250);
        assert!(written.is_empty(), "{written:?}");
        let too_big = Stop::TooBig {
            size: 101,
            limit: 100,
        };
        assert_eq!(outcome, Err(too_big));
        session.sendmail("a@x", &["b@y"], 100);
        let (written, _) = drive(&mut session, |_| 250);
        assert_eq!(written[0], "mail FROM:<a@x> size=100\r\n");
    }

    #[test]
    fn ehlo_refused_falls_back_to_helo_and_no_size() {
        let mut session = Session::new("me");
        session.sendmail("a@x", &["b@y"], 7);
        let mut hellos = 0;
        let (written, outcome) = drive(&mut session, |step| match step {
            Step::Hello => {
                hellos += 1;
                if hellos == 1 { 502 } else { 250 }
            }
            Step::Data => 354,
            _ => 250,
        });
        assert_eq!(
            written[..3],
            ["ehlo me\r\n", "helo me\r\n", "mail FROM:<a@x>\r\n"]
        );
        assert_eq!(outcome, Ok(Refused::new()));
    }
}
