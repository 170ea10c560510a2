//! Properties of the HTTP core (`src/http/`), over generated responses,
//! requests and names.
//!
//! How TCP chunks a response must not matter; no bytes may make it panic;
//! a head over any limit is refused; a `Content-Length` is parsed exactly
//! or refused, never wrapped; a request never carries a stray line; a
//! site name never names a file outside the output directory.

use crate::common;

use std::path::{Component, Path};

use inet::http::request::get_request;
use inet::http::response::{
    BodyFramer, Framing, HeadParser, Limits, ResponseError, ResponseReader,
    parse_length,
};
use inet::http::site::Site;
use proptest::prelude::*;

/// What a response fed in chunks gave: the bytes passed on, and the
/// result at the end of the stream (the heads' length and the body's).
#[derive(Debug, PartialEq)]
struct Outcome {
    passed_on: Vec<u8>,
    end: Result<(usize, u64), String>,
}

/// Feeds `data` in pieces of the given sizes (cycled; 0 counts as 1),
/// stopping where a client would: at an error or a complete body.
fn feed(data: &[u8], sizes: &[usize], limits: Limits) -> Outcome {
    let mut reader = ResponseReader::new(limits);
    let mut passed_on = Vec::new();
    let mut pos = 0;
    let mut next = 0;
    while pos < data.len() && !reader.is_complete() {
        let size = sizes.get(next % sizes.len().max(1)).copied();
        let size = size.unwrap_or(usize::MAX).max(1);
        next += 1;
        let chunk = &data[pos..data.len().min(pos.saturating_add(size))];
        pos += chunk.len();
        match reader.feed(chunk) {
            Ok(response) => passed_on.extend_from_slice(response),
            Err(e) => {
                let end = Err(e.to_string());
                return Outcome { passed_on, end };
            }
        }
    }
    let end = reader
        .finish()
        .map(|r| (r.heads_len, r.body_len))
        .map_err(|e| e.to_string());
    Outcome { passed_on, end }
}

/// A well-formed head: a status, some headers, maybe a Content-Length.
fn head(length: Option<usize>) -> impl Strategy<Value = Vec<u8>> {
    let header = ("[A-Za-z][A-Za-z0-9-]{0,15}", "[ -~]{0,30}", any::<bool>());
    (
        100u16..1000,
        prop::collection::vec(header, 0..8),
        any::<bool>(),
    )
        // 204 and 304 have no body whatever they say: not in this model.
        .prop_filter("a final status with a body", |(status, _, _)| {
            *status >= 200 && *status != 204 && *status != 304
        })
        .prop_map(move |(status, headers, lf_only)| {
            let eol = if lf_only { "\n" } else { "\r\n" };
            let mut text = format!("HTTP/1.0 {status} Reason{eol}");
            for (name, value, crlf) in headers {
                let lower = name.to_ascii_lowercase();
                if lower == "content-length" || lower == "transfer-encoding" {
                    continue;
                }
                let eol = if crlf { "\r\n" } else { "\n" };
                text.push_str(&format!("{name}: {}{eol}", value.trim()));
            }
            if let Some(len) = length {
                text.push_str(&format!("Content-Length: {len}\r\n"));
            }
            text.push_str(eol);
            text.into_bytes()
        })
}

/// A response with a body (a Content-Length one, or one up to the close),
/// and maybe junk after a Content-Length body.
fn response() -> impl Strategy<Value = (Vec<u8>, Vec<u8>, Vec<u8>, bool)> {
    (
        prop::collection::vec(any::<u8>(), 0..300),
        prop::collection::vec(any::<u8>(), 0..20),
        any::<bool>(),
    )
        .prop_flat_map(|(body, junk, with_length)| {
            let length = with_length.then_some(body.len());
            (head(length), Just(body), Just(junk), Just(with_length))
        })
}

/// Up to three interim heads (1xx, but not 101), which the reader skips
/// and passes on with the final one (H18).
fn interim() -> impl Strategy<Value = Vec<u8>> {
    let status = (100u16..200).prop_filter("not a switch", |s| *s != 101);
    prop::collection::vec(status, 0..3).prop_map(|statuses| {
        let heads = statuses
            .iter()
            .map(|s| format!("HTTP/1.1 {s} Wait\r\n\r\n"));
        heads.collect::<String>().into_bytes()
    })
}

fn chunk_sizes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0usize..40, 0..10)
}

proptest! {
    #![proptest_config(common::proptest_config(
        "proptest-regressions/prop_http.txt",
        512,
    ))]

    /// Any chunking gives the same head and body, byte for byte (H15):
    /// the heads as sent (interim ones first, H18), the body as sent, and
    /// nothing past a Content-Length (H5).
    #[test]
    fn chunking_never_changes_the_head_or_the_body(
        (head, body, junk, with_length) in response(),
        interim in interim(),
        sizes in chunk_sizes(),
    ) {
        let head = [interim, head].concat();
        let mut data = head.clone();
        data.extend_from_slice(&body);
        if with_length {
            data.extend_from_slice(&junk);
        }
        let whole = feed(&data, &[], Limits::default());
        let pieces = feed(&data, &sizes, Limits::default());
        prop_assert_eq!(&pieces, &whole);
        prop_assert_eq!(&whole.passed_on, &[head.clone(), body.clone()].concat());
        prop_assert_eq!(whole.end, Ok((head.len(), body.len() as u64)));
    }

    /// No bytes, in any chunks, make the reader panic; a reply that is
    /// not HTTP is refused.
    #[test]
    fn arbitrary_bytes_never_panic(
        prefix in prop::sample::select(vec!["", "HTTP/1.", "HTTP/1.0 200 OK\r\n"]),
        bytes in prop::collection::vec(any::<u8>(), 0..400),
        sizes in chunk_sizes(),
    ) {
        let mut data = prefix.as_bytes().to_vec();
        data.extend_from_slice(&bytes);
        let limits = Limits { max_line: 64, max_headers: 4, max_head: 200, max_body: None };
        let outcome = feed(&data, &sizes, limits);
        if !data.is_empty() && !data.starts_with(b"H") {
            prop_assert!(outcome.end.is_err());
        }
    }

    /// A complete head is refused exactly when it breaks a limit.
    #[test]
    fn a_head_over_any_limit_is_an_error(
        head in head(None),
        max_line in 2usize..60,
        max_headers in 0usize..8,
        max_head in 1usize..400,
    ) {
        let limits = Limits { max_line, max_headers, max_head, max_body: None };
        let lines: Vec<&[u8]> = head.split_inclusive(|&b| b == b'\n').collect();
        let over = lines.iter().any(|l| l.len() > max_line)
            || lines.len() - 2 > max_headers
            || head.len() > max_head;
        let parsed = HeadParser::default().parse(&head, &limits);
        prop_assert_eq!(parsed.is_err(), over, "{:?}", parsed);
        if !over {
            prop_assert_eq!(parsed.unwrap().unwrap().len, head.len());
        }
    }

    /// A head that never ends is refused once it is over the head limit,
    /// whatever its line lengths (endless headers, H14).
    #[test]
    fn an_endless_head_is_refused_at_the_cap(
        line in "[A-Za-z]{1,10}: [a-z]{0,20}\r\n",
        max_head in 100usize..2000,
        sizes in chunk_sizes(),
    ) {
        let limits = Limits { max_line: 64, max_headers: 1000, max_head, max_body: None };
        let mut data = b"HTTP/1.0 200 OK\r\n".to_vec();
        while data.len() <= max_head + 100 {
            data.extend_from_slice(line.as_bytes());
        }
        let outcome = feed(&data, &sizes, limits);
        prop_assert!(outcome.end.is_err());
        prop_assert!(outcome.passed_on.is_empty());
    }

    /// Digit strings parse to their exact value or are refused as too
    /// big; they never wrap (H8).
    #[test]
    fn content_length_digits_parse_exactly_or_are_refused(
        digits in "[0-9]{1,40}",
    ) {
        let significant = digits.trim_start_matches('0');
        let fits = significant.len() < 20
            || (significant.len() == 20 && significant <= "18446744073709551615");
        match parse_length(digits.as_bytes()) {
            Ok(n) => {
                prop_assert!(fits);
                prop_assert_eq!(n.to_string(), if significant.is_empty() {
                    "0".to_owned()
                } else {
                    significant.to_owned()
                });
            }
            Err(ResponseError::BadContentLength(_)) => prop_assert!(!fits),
            Err(other) => prop_assert!(false, "unexpected {other}"),
        }
    }

    /// k of N bytes, in any pieces, is a truncation that says so (H4).
    #[test]
    fn a_short_body_is_truncated_got_k_of_n(
        n in 1u64..10_000,
        k_fraction in 0.0f64..1.0,
        sizes in chunk_sizes(),
    ) {
        let k = ((n as f64) * k_fraction) as u64;
        prop_assume!(k < n);
        let mut framer = BodyFramer::new(Framing::Length(n));
        let mut left = k as usize;
        for size in sizes.iter().cycle().take(10_000) {
            if left == 0 { break; }
            let piece = (*size).max(1).min(left);
            prop_assert_eq!(framer.take(piece), piece);
            left -= piece;
        }
        if left > 0 {
            prop_assert_eq!(framer.take(left), left);
        }
        let truncated = matches!(
            framer.finish(),
            Err(ResponseError::Truncated { got, expected }) if got == k && expected == n
        );
        prop_assert!(truncated);
    }

    /// A request is three lines, whatever host and path it was asked
    /// for, or it is refused (H1).
    #[test]
    fn a_request_never_carries_an_extra_line(
        host in "\\PC{0,12}|[a-z\r\n \0.]{0,12}",
        path in "/\\PC{0,12}|/[a-z\r\n \0%]{0,12}",
        port in any::<u16>(),
    ) {
        if let Ok(request) = get_request(&host, port, &path) {
            let text = String::from_utf8(request).unwrap();
            prop_assert_eq!(text.matches('\n').count(), 3);
            prop_assert_eq!(text.matches('\r').count(), 3);
            let line = format!("GET {} HTTP/1.0\r\n", path);
            prop_assert!(text.starts_with(&line));
            prop_assert!(text.bytes().all(|b| b == b'\r' || b == b'\n'
                || (b' '..=b'~').contains(&b)));
        }
    }

    /// A site's file is always a plain name inside the output directory
    /// (F4).
    #[test]
    fn a_site_file_never_leaves_the_output_directory(
        site in "\\PC{0,16}|[a-z./\\\\:%0-9]{0,16}",
    ) {
        if let Ok(site) = Site::parse(&site) {
            let dir = Path::new("/out");
            let file = dir.join(site.file_name());
            prop_assert_eq!(file.parent(), Some(dir));
            let last = file.components().next_back();
            prop_assert!(matches!(last, Some(Component::Normal(_))));
            prop_assert!(site.file_name().ends_with(".html"));
        }
    }
}
