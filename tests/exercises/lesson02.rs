//! Lesson 2's exercises.

use std::fmt::Debug;

#[path = "../../lessons/answers/chunked.rs"]
mod chunked_answer;
#[path = "../../lessons/exercises/chunked.rs"]
mod chunked_start;

/// Lesson 2, exercise 3: a chunked body decoder.
mod chunked {
    use super::{Debug, chunked_answer as answer, chunked_start as start};
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    #[test]
    #[ignore = "exercise: `cargo test --test exercises -- --ignored chunked`"]
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
        let config = Config {
            failure_persistence: None,
            ..Config::default()
        };
        let body = prop::collection::vec(any::<u8>(), 0..300);
        let sizes = prop::collection::vec(1usize..40, 1..20);
        let cuts = prop::collection::vec(0usize..400, 0..8);
        let mut runner = TestRunner::new(config);
        let result = runner.run(&(body, sizes, cuts), |(body, sizes, cuts)| {
            let input = chunked(&body, &sizes);
            let mut cuts = cuts;
            cuts.sort_unstable();
            let fed = d.feed(&input, &cuts).map_err(|e| {
                TestCaseError::fail(format!("refused a good body: {e:?}"))
            })?;
            prop_assert_eq!(fed, (body, input.len(), true));
            Ok(())
        });
        if let Err(failure) = result {
            panic!("pieces of a chunked body: {failure}");
        }
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
