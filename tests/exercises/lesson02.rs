//! Lesson 2's exercises.

use std::fmt::Debug;

#[path = "../../lessons/answers/until_length.rs"]
mod until_length_answer;
#[path = "../../lessons/exercises/until_length.rs"]
mod until_length_start;

#[path = "../../lessons/answers/content_length.rs"]
mod content_length_answer;
#[path = "../../lessons/exercises/content_length.rs"]
mod content_length_start;

#[path = "../../lessons/answers/chunked.rs"]
mod chunked_answer;
#[path = "../../lessons/exercises/chunked.rs"]
mod chunked_start;

/// Lesson 2, exercise 1: the minimal port's loop, framed.
mod until_length {
    use super::{
        Debug, until_length_answer as answer, until_length_start as start,
    };
    use std::io::{self, Read};

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored until_length`"]
    fn start() {
        check(|server, max| {
            start::read_response(server, max).map_err(|e| got!(start, e))
        });
    }

    #[test]
    fn answer() {
        check(|server, max| {
            answer::read_response(server, max).map_err(|e| got!(answer, e))
        });
    }

    /// A `ReadError` of either module, as the check sees it.
    #[derive(Debug)]
    enum Got {
        Io(String),
        HeadTooLarge,
        BadLength,
        IncompleteHead,
        Truncated { got: u64, expected: u64 },
    }

    /// The [`Got`] for the `ReadError` `e` of module `m`.
    macro_rules! got {
        ($m:ident, $e:expr) => {
            match $e {
                $m::ReadError::Io(e) => Got::Io(e.to_string()),
                $m::ReadError::HeadTooLarge => Got::HeadTooLarge,
                $m::ReadError::BadLength => Got::BadLength,
                $m::ReadError::IncompleteHead => Got::IncompleteHead,
                $m::ReadError::Truncated { got, expected } => {
                    Got::Truncated { got, expected }
                }
            }
        };
    }
    use got;

    /// What a server does once its pieces are sent.
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Then {
        /// It closes: every read gives 0.
        Closes,
        /// It keeps the connection open and says nothing: a read would
        /// wait forever, so the check fails it.
        StaysOpen,
        /// It sends these bytes again and again.
        Repeats(&'static [u8]),
    }

    /// A server: the reply in pieces, each given whole to one read if
    /// it fits (or as much as fits), then what [`Then`] says.
    struct Server {
        pieces: Vec<Vec<u8>>,
        then: Then,
        /// Bytes given so far.
        sent: usize,
    }

    /// More than this many bytes of an endless head is reading on and
    /// on, with no regard for `max_head`.
    const TOO_FAR: usize = 16 * MAX_HEAD;
    const MAX_HEAD: usize = 1024;

    impl Read for Server {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if buf.is_empty() {
                return Ok(0);
            }
            if let Some(piece) = self.pieces.first_mut() {
                let n = piece.len().min(buf.len());
                buf[..n].copy_from_slice(&piece[..n]);
                piece.drain(..n);
                if piece.is_empty() {
                    self.pieces.remove(0);
                }
                self.sent += n;
                return Ok(n);
            }
            match self.then {
                Then::Closes => Ok(0),
                Then::StaysOpen => Err(io::Error::other(
                    "read again after the whole body: this server keeps the \
                     connection open, so that read would wait forever",
                )),
                Then::Repeats(bytes) => {
                    if self.sent > TOO_FAR {
                        return Err(io::Error::other(format!(
                            "read {} bytes of a head that never ends, with \
                             max_head {MAX_HEAD}",
                            self.sent
                        )));
                    }
                    let n = bytes.len().min(buf.len());
                    buf[..n].copy_from_slice(&bytes[..n]);
                    self.sent += n;
                    Ok(n)
                }
            }
        }
    }

    /// A server that sends `reply` cut at `cuts`, then does `then`.
    fn server(reply: &[u8], cuts: &[usize], then: Then) -> Server {
        let mut pieces = Vec::new();
        let mut from = 0;
        for &cut in cuts.iter().chain([&reply.len()]) {
            let cut = cut.clamp(from, reply.len());
            if cut > from {
                pieces.push(reply[from..cut].to_vec());
            }
            from = cut;
        }
        Server {
            pieces,
            then,
            sent: 0,
        }
    }

    const HEAD: &[u8] = b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n";

    fn check(read: impl Fn(&mut Server, usize) -> Result<Vec<u8>, Got>) {
        let whole = [HEAD, b"hello"].concat();
        let got = |reply: &[u8], cuts: &[usize], then: Then| {
            let mut server = server(reply, cuts, then);
            read(&mut server, MAX_HEAD)
        };

        // NeverCloses: stop at the length, however the bytes come.
        let open = [&whole[..], b"junk after the body"].concat();
        let fed = got(&open, &[], Then::StaysOpen);
        assert_read(
            &fed,
            &whole,
            "the page, its 5 bytes of body and not a byte more, from a \
             server that keeps the connection open",
        );
        for cut in 0..=whole.len() {
            let fed = got(&whole, &[cut], Then::StaysOpen);
            assert_read(&fed, &whole, &format!("the page cut at byte {cut}"));
        }
        let empty = b"HTTP/1.0 204 No Content\r\nContent-Length: 0\r\n\r\n";
        let fed = got(empty, &[], Then::StaysOpen);
        assert_read(&fed, empty, "a body of length 0");
        let lower = b"HTTP/1.0 200 OK\ncontent-length: 2\n\nhi";
        let fed = got(lower, &[20], Then::StaysOpen);
        let what = "`content-length` in lower case, lines ended by a bare LF";
        assert_read(&fed, lower, what);

        // No length: the body ends at the close.
        let unframed = b"HTTP/1.0 200 OK\r\n\r\nall of this, to the close";
        let fed = got(unframed, &[3, 25], Then::Closes);
        assert_read(&fed, unframed, "no Content-Length: up to the close");

        // CutShort: the close comes before the length.
        let short = b"HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\nhalf";
        let fed = got(short, &[], Then::Closes);
        assert!(
            matches!(
                fed,
                Err(Got::Truncated {
                    got: 4,
                    expected: 100
                })
            ),
            "4 bytes of a 100-byte body must be Truncated {{ got: 4, \
             expected: 100 }}, not {:?}",
            shown(&fed)
        );
        let cut_head = b"HTTP/1.0 200 OK\r\nServer: x\r\n";
        let fed = got(cut_head, &[], Then::Closes);
        assert!(fed.is_err(), "a close inside the head: {fed:?}");
        let bad = b"HTTP/1.0 200 OK\r\nContent-Length: x5\r\n\r\n";
        let fed = got(bad, &[], Then::Closes);
        assert!(fed.is_err(), "a length that is not a number: {fed:?}");

        // A head that never ends is refused, not read forever.
        let endless = b"HTTP/1.0 200 OK\r\n";
        let fed = got(endless, &[], Then::Repeats(b"X: y\r\n"));
        assert!(
            matches!(fed, Err(Got::HeadTooLarge)),
            "header lines forever must be HeadTooLarge, not {:?}",
            shown(&fed)
        );
    }

    /// What a read gave, its bytes as text.
    fn shown(fed: &Result<Vec<u8>, Got>) -> Result<String, &Got> {
        fed.as_ref()
            .map(|bytes| String::from_utf8_lossy(bytes).into())
    }

    /// `fed` is `want`, shown as text if not.
    fn assert_read(fed: &Result<Vec<u8>, Got>, want: &[u8], what: &str) {
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        match fed {
            Ok(got) => assert_eq!(text(got), text(want), "{what}"),
            Err(Got::Io(why)) => panic!("{what}: the read failed: {why}"),
            Err(e) => panic!("{what}: {e:?}"),
        }
    }
}

/// Lesson 2, exercise 2: the length of a body, from a stranger.
mod content_length {
    use super::{
        content_length_answer as answer, content_length_start as start,
    };
    use crate::exercises::{for_all, unsaved};
    use proptest::prelude::*;

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored content_length`"]
    fn start() {
        check(|values| {
            start::content_length(values).map_err(|e| format!("{e:?}"))
        });
    }

    #[test]
    fn answer() {
        check(|values| {
            answer::content_length(values).map_err(|e| format!("{e:?}"))
        });
    }

    fn check(length: impl Fn(&[&[u8]]) -> Result<Option<u64>, String>) {
        let good: [(&[&[u8]], Option<u64>); 7] = [
            (&[], None),
            (&[b"0"], Some(0)),
            (&[b"173"], Some(173)),
            (&[b"007"], Some(7)),
            (&[b"5", b"5"], Some(5)),
            (&[b"5, 5"], Some(5)),
            (&[b"18446744073709551615"], Some(u64::MAX)),
        ];
        for (values, want) in good {
            let got = length(values);
            assert_eq!(got, Ok(want), "{:?}", shown(values));
        }
        let bad: [(&[&[u8]], &str); 12] = [
            (&[b""], "an empty value"),
            (&[b"+5"], "a sign (str::parse takes it)"),
            (&[b"-6"], "a negative length"),
            (&[b"5 5"], "a space inside"),
            (&[b"0x10"], "hex"),
            (&[b"five"], "words"),
            (&[b"5\xff"], "a byte that is not ASCII"),
            (&[b"18446744073709551616"], "2^64, one past the largest"),
            (&[b"36893488147419103232"], "2^65, which wraps to 0"),
            (&[b"5", b"6"], "two headers that differ"),
            (&[b"5, 6"], "a list that differs"),
            (&[b"5", b"x"], "a bad second header"),
        ];
        for (values, what) in bad {
            let got = length(values);
            assert!(got.is_err(), "{what}, {:?}: got {got:?}", shown(values));
        }
        // Any length, written any way a list allows, is read back.
        let what = "a length, written as a list: ";
        for_all(what, unsaved(), &(any::<u64>(), 1usize..4), |(n, times)| {
            let list = vec![n.to_string(); times].join(", ");
            prop_assert_eq!(length(&[list.as_bytes()]), Ok(Some(n)));
            Ok(())
        });
    }

    fn shown(values: &[&[u8]]) -> Vec<String> {
        values
            .iter()
            .map(|v| String::from_utf8_lossy(v).into())
            .collect()
    }
}

/// Lesson 2, exercise 3: a chunked body decoder.
mod chunked {
    use super::{Debug, chunked_answer as answer, chunked_start as start};
    use crate::exercises::{for_all, unsaved};
    use proptest::prelude::*;

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored chunked`"]
    fn start() {
        use start::ChunkDecoder as D;
        check(D::new, D::push, D::is_done);
    }

    #[test]
    fn answer() {
        use answer::ChunkDecoder as D;
        check(D::new, D::push, D::is_done);
    }

    /// RFC 9112's example of a chunked body (and Wikipedia's).
    const WIKI: &[u8] =
        b"4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n";
    const WIKI_BODY: &[u8] = b"Wikipedia in\r\n\r\nchunks.";
    /// The longest line the decoders under test may hold.
    const MAX_LINE: usize = 64;

    /// What feeding a decoder gave: the body, the bytes it used, whether
    /// it saw the end.
    type Fed<E> = Result<(Vec<u8>, usize, bool), E>;

    /// A decoder's three functions, as the check calls them.
    struct Decoder<N, P, I> {
        new: N,
        push: P,
        is_done: I,
    }

    impl<D, E, N, P, I> Decoder<N, P, I>
    where
        N: Fn(usize) -> D,
        P: Fn(&mut D, &[u8], &mut Vec<u8>) -> Result<usize, E>,
        I: Fn(&D) -> bool,
    {
        /// Feeds `input` to a new decoder in pieces cut at `cuts`.
        fn feed(&self, input: &[u8], cuts: &[usize]) -> Fed<E> {
            let mut decoder = (self.new)(MAX_LINE);
            let (mut body, mut used, mut from) = (Vec::new(), 0, 0);
            for &cut in cuts.iter().chain([&input.len()]) {
                let cut = cut.clamp(from, input.len());
                used +=
                    (self.push)(&mut decoder, &input[from..cut], &mut body)?;
                from = cut;
            }
            Ok((body, used, (self.is_done)(&decoder)))
        }
    }

    fn check<D, E: Debug>(
        new: impl Fn(usize) -> D,
        push: impl Fn(&mut D, &[u8], &mut Vec<u8>) -> Result<usize, E>,
        is_done: impl Fn(&D) -> bool,
    ) {
        let decoder = Decoder { new, push, is_done };
        decodes_whole_bodies(&decoder);
        any_split_gives_the_same_body(&decoder);
        refuses_what_it_must(&decoder);
    }

    fn decodes_whole_bodies<D, E: Debug>(
        d: &Decoder<
            impl Fn(usize) -> D,
            impl Fn(&mut D, &[u8], &mut Vec<u8>) -> Result<usize, E>,
            impl Fn(&D) -> bool,
        >,
    ) {
        let whole = |input: &[u8]| d.feed(input, &[]).unwrap();
        let wiki = (WIKI_BODY.to_vec(), WIKI.len(), true);
        assert_eq!(whole(WIKI), wiki, "RFC 9112's example, in one piece");
        let ext = b"4;name=value\r\nWiki\r\n5 ; x\r\npedia\r\n0;last\r\n\r\n";
        let body = b"Wikipedia".to_vec();
        assert_eq!(whole(ext), (body, ext.len(), true), "chunk extensions");
        let trailer = b"4\r\nWiki\r\n0\r\nExpires: never\r\nX: y\r\n\r\n";
        let body = b"Wiki".to_vec();
        assert_eq!(whole(trailer), (body, trailer.len(), true), "trailers");
        let hex = b"a\r\n0123456789\r\nB\r\nabcdefghijk\r\n00\r\n\r\n";
        let got = whole(hex).0;
        assert_eq!(got, b"0123456789abcdefghijk", "hex sizes, either case");
        let empty = b"0\r\n\r\n";
        assert_eq!(whole(empty), (vec![], 5, true), "an empty body");
        // The bytes after the body belong to the next response.
        let next = [WIKI, b"HTTP/1.1 200 OK\r\n"].concat();
        assert_eq!(whole(&next), wiki, "bytes after the end are not used");
        let short = whole(&WIKI[..WIKI.len() - 1]);
        assert!(!short.2, "a body without its last line has not ended");
    }

    fn any_split_gives_the_same_body<D, E: Debug>(
        d: &Decoder<
            impl Fn(usize) -> D,
            impl Fn(&mut D, &[u8], &mut Vec<u8>) -> Result<usize, E>,
            impl Fn(&D) -> bool,
        >,
    ) {
        let wiki = (WIKI_BODY.to_vec(), WIKI.len(), true);
        for a in 0..=WIKI.len() {
            for b in a..=WIKI.len() {
                let fed = d.feed(WIKI, &[a, b]).unwrap();
                assert_eq!(fed, wiki, "RFC 9112's example cut at {a} and {b}");
            }
        }
        // Any body, in chunks of any sizes, fed in pieces of any sizes.
        let body = prop::collection::vec(any::<u8>(), 0..300);
        let sizes = prop::collection::vec(1usize..40, 1..20);
        let cuts = prop::collection::vec(0usize..400, 0..8);
        let bodies = (body, sizes, cuts);
        let what = "pieces of a chunked body: ";
        for_all(what, unsaved(), &bodies, |(body, sizes, cuts)| {
            let input = chunked(&body, &sizes);
            let mut cuts = cuts;
            cuts.sort_unstable();
            let fed = d.feed(&input, &cuts).map_err(|e| {
                TestCaseError::fail(format!("refused a good body: {e:?}"))
            })?;
            prop_assert_eq!(fed, (body, input.len(), true));
            Ok(())
        });
    }

    fn refuses_what_it_must<D, E: Debug>(
        d: &Decoder<
            impl Fn(usize) -> D,
            impl Fn(&mut D, &[u8], &mut Vec<u8>) -> Result<usize, E>,
            impl Fn(&D) -> bool,
        >,
    ) {
        let long_line = [b"4;".as_slice(), &[b'x'; MAX_LINE]].concat();
        let long_trailer = [b"0\r\nX: ".as_slice(), &[b'y'; MAX_LINE]].concat();
        let bad: [(&[u8], &str); 10] = [
            (b"g\r\nabc", "a size that is not hex"),
            (b"\r\n", "an empty size line"),
            (b"-4\r\nWiki\r\n0\r\n\r\n", "a negative size"),
            (b"+4\r\nWiki\r\n0\r\n\r\n", "a size with a sign"),
            // 2^64: it must not wrap around to 0, the last chunk.
            (b"10000000000000000\r\n\r\n", "a size of 2^64"),
            (b"4\r\nWikiXY0\r\n\r\n", "data longer than its size"),
            (b"4\r\nWikiXY\r\n0\r\n\r\n", "data, then not CRLF"),
            (b"4\nWiki\r\n0\r\n\r\n", "a size line without CR"),
            (&long_line, "a size line longer than the limit"),
            (&long_trailer, "a trailer line longer than the limit"),
        ];
        for (input, what) in bad {
            let fed = d.feed(input, &[]);
            assert!(fed.is_err(), "{what} must be refused, got {fed:?}");
        }
    }

    /// `body` in chunks of `sizes` (the last repeated as needed).
    fn chunked(body: &[u8], sizes: &[usize]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut sizes = sizes.iter().chain(std::iter::repeat(&sizes[0]));
        let mut rest = body;
        while !rest.is_empty() {
            let n = (*sizes.next().unwrap_or(&1)).min(rest.len());
            out.extend(format!("{n:x}\r\n").bytes());
            out.extend(&rest[..n]);
            out.extend(b"\r\n");
            rest = &rest[n..];
        }
        out.extend(b"0\r\n\r\n");
        out
    }
}
