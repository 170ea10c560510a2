//! A line diff: which lines two outputs share, in order, and the runs of
//! lines where they differ.
//!
//! The shared lines are a *longest common subsequence* (LCS) of the two
//! lists, found by the textbook dynamic programme. It costs a table of
//! `n × m` cells, so the lines both ends share are set aside first (most
//! outputs differ in a few places only), and a middle bigger than
//! [`MAX_CELLS`] is not searched at all: it becomes one hunk. A program
//! that prints a million lines then costs a comparison of its ends, not
//! a terabyte of memory.

/// The most cells the LCS table may have (about 16 MB of `u32`).
pub const MAX_CELLS: usize = 4_000_000;

/// One step of a diff, in output order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// A line both sides have here.
    Same(String),
    /// A hunk: a maximal run of lines where the sides differ. Either list
    /// may be empty (a line only one side printed), never both.
    Hunk {
        /// The Python original's lines.
        python: Vec<String>,
        /// The Rust port's lines.
        rust: Vec<String>,
    },
}

/// The diff of `python` against `rust`: shared lines and hunks, in order.
/// Two hunks are never adjacent.
pub fn diff(python: &[String], rust: &[String]) -> Vec<Piece> {
    let head = python.iter().zip(rust).take_while(|(p, r)| p == r).count();
    let (p, r) = (&python[head..], &rust[head..]);
    let tail = p
        .iter()
        .rev()
        .zip(r.iter().rev())
        .take_while(|(p, r)| p == r)
        .count();
    let (p_mid, r_mid) = (&p[..p.len() - tail], &r[..r.len() - tail]);

    let mut pieces: Vec<Piece> =
        python[..head].iter().cloned().map(Piece::Same).collect();
    let pairs = if p_mid.len().saturating_mul(r_mid.len()) > MAX_CELLS {
        Vec::new() // too big to search: the whole middle is one hunk
    } else {
        lcs_pairs(p_mid, r_mid)
    };
    // Walk the matched pairs; what lies between two of them is a hunk.
    let (mut i, mut j) = (0, 0);
    for (pi, rj) in pairs.into_iter().chain([(p_mid.len(), r_mid.len())]) {
        if pi > i || rj > j {
            pieces.push(Piece::Hunk {
                python: p_mid[i..pi].to_vec(),
                rust: r_mid[j..rj].to_vec(),
            });
        }
        if pi < p_mid.len() {
            pieces.push(Piece::Same(p_mid[pi].clone()));
        }
        (i, j) = (pi + 1, rj + 1);
    }
    pieces.extend(p[p.len() - tail..].iter().cloned().map(Piece::Same));
    pieces
}

/// The index pairs `(i, j)` of a longest common subsequence, increasing.
fn lcs_pairs(a: &[String], b: &[String]) -> Vec<(usize, usize)> {
    let (n, m) = (a.len(), b.len());
    // len[i][j]: the LCS length of a[i..] and b[j..], row-major.
    let width = m + 1;
    let mut len = vec![0u32; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            len[i * width + j] = if a[i] == b[j] {
                len[(i + 1) * width + j + 1] + 1
            } else {
                len[(i + 1) * width + j].max(len[i * width + j + 1])
            };
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i] == b[j] {
            pairs.push((i, j));
            (i, j) = (i + 1, j + 1);
        } else if len[(i + 1) * width + j] >= len[i * width + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.split_terminator('\n').map(String::from).collect()
    }

    fn hunk(python: &str, rust: &str) -> Piece {
        Piece::Hunk {
            python: lines(python),
            rust: lines(rust),
        }
    }

    fn same(line: &str) -> Piece {
        Piece::Same(line.into())
    }

    #[test]
    fn equal_inputs_have_no_hunk() {
        let a = lines("a\nb\nc\n");
        assert_eq!(diff(&a, &a), vec![same("a"), same("b"), same("c")]);
    }

    #[test]
    fn empty_inputs_give_nothing_and_one_empty_side_is_one_hunk() {
        assert_eq!(diff(&[], &[]), vec![]);
        assert_eq!(diff(&lines("a\nb\n"), &[]), vec![hunk("a\nb\n", "")]);
        assert_eq!(diff(&[], &lines("x\n")), vec![hunk("", "x\n")]);
    }

    #[test]
    fn a_line_only_one_side_has_is_a_hunk_with_one_empty_side() {
        let p = lines("a\nb\nc\n");
        let r = lines("a\nc\n");
        assert_eq!(diff(&p, &r), vec![same("a"), hunk("b\n", ""), same("c")]);
        assert_eq!(diff(&r, &p), vec![same("a"), hunk("", "b\n"), same("c")]);
    }

    #[test]
    fn adjacent_changes_make_one_maximal_hunk() {
        let p = lines("h\nx1\nx2\nx3\nt\n");
        let r = lines("h\ny1\ny2\nt\n");
        assert_eq!(
            diff(&p, &r),
            vec![same("h"), hunk("x1\nx2\nx3\n", "y1\ny2\n"), same("t")]
        );
    }

    #[test]
    fn shared_lines_in_the_middle_split_hunks() {
        let p = lines("a\nm\nb\n");
        let r = lines("x\nm\ny\n");
        assert_eq!(
            diff(&p, &r),
            vec![hunk("a\n", "x\n"), same("m"), hunk("b\n", "y\n")]
        );
    }

    #[test]
    fn a_middle_too_big_to_search_is_one_hunk_with_the_ends_kept() {
        let mut p: Vec<String> = (0..2100).map(|i| format!("p{i}")).collect();
        let mut r: Vec<String> = (0..2100).map(|i| format!("r{i}")).collect();
        // A line both middles share: searched, it would split the hunk.
        (p[1000], r[1000]) = ("shared".into(), "shared".into());
        p.insert(0, "head".into());
        r.insert(0, "head".into());
        let pieces = diff(&p, &r);
        assert_eq!(pieces.len(), 2);
        assert_eq!(pieces[0], same("head"));
        assert!(matches!(&pieces[1], Piece::Hunk { python, rust }
            if python.len() == 2100 && rust.len() == 2100));
    }

    /// Whatever the inputs, the pieces give back both sides exactly.
    #[test]
    fn the_pieces_rebuild_both_sides() {
        let cases = [
            ("a\nb\nc\nd\n", "b\nx\nd\ne\n"),
            ("1\n2\n3\n", "3\n2\n1\n"),
            ("a\na\na\n", "a\n"),
        ];
        for (p, r) in cases {
            let (p, r) = (lines(p), lines(r));
            let (mut p2, mut r2) = (Vec::new(), Vec::new());
            for piece in diff(&p, &r) {
                match piece {
                    Piece::Same(line) => {
                        p2.push(line.clone());
                        r2.push(line);
                    }
                    Piece::Hunk { python, rust } => {
                        assert!(!python.is_empty() || !rust.is_empty());
                        p2.extend(python);
                        r2.extend(rust);
                    }
                }
            }
            assert_eq!((p2, r2), (p, r));
        }
    }
}
