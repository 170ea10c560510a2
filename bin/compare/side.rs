//! What one program did in a scenario, as lines ([`Side`]), and two of
//! them side by side ([`Comparison`]).

use inet_mocks::Transcript;

use super::lines::Normaliser;

/// What one program did in a scenario: named channels of lines, already
/// normalised (ephemeral ports -> `PORT`, temp dirs -> `DIR`, ...), e.g.
/// `stdout`, `stderr`, `exit status`, `server received`, `server sent`,
/// `file 127.0.0.1.html`. The order of the channels is the order they are
/// shown in; a channel only one side has is compared with an empty one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Side {
    /// `(name, lines)`, in the order shown.
    pub channels: Vec<(String, Vec<String>)>,
    /// What had to be done to the program to run it at all (an original
    /// read in a coding it does not declare), shown at the top of the
    /// report: not a difference, but the reader must know.
    pub notes: Vec<String>,
}

impl Side {
    /// A side with no channel yet.
    pub fn new() -> Side {
        Side::default()
    }

    /// Adds (or replaces) the channel `name`.
    pub fn channel(mut self, name: &str, lines: Vec<String>) -> Side {
        match self.channels.iter_mut().find(|(n, _)| n == name) {
            Some((_, old)) => *old = lines,
            None => self.channels.push((name.to_owned(), lines)),
        }
        self
    }

    /// Adds the channel `name` from raw bytes, as lines, normalised.
    pub fn bytes(
        self,
        name: &str,
        bytes: &[u8],
        normaliser: &Normaliser,
    ) -> Side {
        self.channel(name, normaliser.lines(bytes))
    }

    /// Adds `server received` and `server sent`: the bytes a mock's
    /// connections received and sent (`MockServer::transcripts()`), as
    /// lines, normalised. With several connections, each gets its own pair
    /// of channels, `server received (connection 2)`...
    pub fn transcripts(
        mut self,
        transcripts: &[Transcript],
        normaliser: &Normaliser,
    ) -> Side {
        for (i, transcript) in transcripts.iter().enumerate() {
            let which = match i {
                0 => String::new(),
                i => format!(" (connection {})", i + 1),
            };
            self = self
                .bytes(
                    &format!("server received{which}"),
                    &transcript.bytes_from_client(),
                    normaliser,
                )
                .bytes(
                    &format!("server sent{which}"),
                    &transcript.bytes_to_client(),
                    normaliser,
                );
        }
        self
    }

    /// Adds the channel `compare`, saying why the scenario was not played
    /// to its end (`why`), if it was not.
    pub fn failed(self, why: Option<&str>) -> Side {
        match why {
            Some(why) => self.channel("compare", vec![why.to_owned()]),
            None => self,
        }
    }

    /// The lines of channel `name`; none if it has no such channel.
    pub fn lines(&self, name: &str) -> &[String] {
        self.channels
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&[], |(_, lines)| lines)
    }

    /// Every line of every channel, as `(channel, index)`, in order: what
    /// a one-line change may touch.
    pub fn places(&self) -> Vec<(usize, usize)> {
        let mut places = Vec::new();
        for (c, (_, lines)) in self.channels.iter().enumerate() {
            places.extend((0..lines.len()).map(|i| (c, i)));
        }
        places
    }
}

/// One side-by-side comparison inside a chapter (the echo chapter has
/// several).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// What was run: `inet_01.py | resolve --dns-server MOCK`.
    pub title: String,
    /// What the Python original did.
    pub python: Side,
    /// What the Rust port did.
    pub rust: Side,
    /// Why it was not run, if it was not (the port's side runs an
    /// original too, and there is no Python 2.7 to run it).
    pub skipped: Option<String>,
}

impl Comparison {
    /// The channels of both sides: the Python side's order, then any only
    /// the Rust side has.
    pub fn channel_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .python
            .channels
            .iter()
            .map(|(n, _)| n.clone())
            .collect();
        for (name, _) in &self.rust.channels {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_side_gets_one_pair_of_channels_per_connection() {
        let (first, second) = (Transcript::new(), Transcript::new());
        first.record_from_client(b"HELO x\r\n");
        first.record_to_client(b"250 ok at 127.0.0.1:4321\r\n");
        second.record_from_client(b"QUIT\r\n");
        let normal = Normaliser::new().port(4321);
        let side = Side::new().transcripts(&[first, second], &normal);
        assert_eq!(side.lines("server received"), ["HELO x\\r"]);
        assert_eq!(side.lines("server sent"), ["250 ok at 127.0.0.1:PORT\\r"]);
        assert_eq!(side.lines("server received (connection 2)"), ["QUIT\\r"]);
        assert!(side.lines("server sent (connection 2)").is_empty());
        assert_eq!(side.channels.len(), 4);
    }

    #[test]
    fn a_channel_added_twice_is_replaced() {
        let side = Side::new()
            .channel("stdout", vec!["a".into()])
            .channel("stdout", vec!["b".into()]);
        assert_eq!(
            side.channels,
            [("stdout".to_owned(), vec!["b".to_owned()])]
        );
        assert!(side.lines("nothing").is_empty());
    }

    #[test]
    fn channels_of_both_sides_python_s_first() {
        let comparison = crate::table::testing::comparison_of(
            Side::new().channel("stdout", vec![]),
            Side::new()
                .channel("stderr", vec![])
                .channel("stdout", vec![]),
        );
        assert_eq!(comparison.channel_names(), ["stdout", "stderr"]);
    }
}
