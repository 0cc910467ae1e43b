//! `Range` requests per RFC 9110 §14: one `bytes` range is served as 206; a single range that
//! cannot be satisfied is 416 with `Content-Range: bytes */N`; anything else (other units,
//! several ranges, syntax errors) is ignored and the whole file is served (200).

/// What to do with a request's `Range` header for a file of `size` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeOutcome {
    /// No usable range: serve the whole file with 200.
    Full,
    /// Serve the inclusive byte range with 206.
    Partial { start: u64, end: u64 },
    /// 416 with `Content-Range: bytes */size`.
    Unsatisfiable,
}

/// Evaluates a `Range` header value (none, or not valid text, is `Full`).
pub fn evaluate(header: Option<&[u8]>, size: u64) -> RangeOutcome {
    let Some(value) = header.and_then(|h| std::str::from_utf8(h).ok()) else {
        return RangeOutcome::Full;
    };
    let Some((unit, spec)) = value.trim().split_once('=') else {
        return RangeOutcome::Full;
    };
    if !unit.trim().eq_ignore_ascii_case("bytes") || spec.contains(',') {
        return RangeOutcome::Full;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeOutcome::Full;
    };
    let (first, last) = (first.trim(), last.trim());
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match (first, last) {
        ("", suffix) if digits(suffix) => {
            // A suffix longer than the file is the whole file; too long for u64 likewise.
            let n = suffix.parse::<u64>().unwrap_or(u64::MAX);
            if n == 0 || size == 0 {
                RangeOutcome::Unsatisfiable
            } else {
                RangeOutcome::Partial {
                    start: size.saturating_sub(n),
                    end: size - 1,
                }
            }
        }
        (first, last) if digits(first) && (last.is_empty() || digits(last)) => {
            // A first position past u64 is past any file; a last position past it is clamped.
            let Ok(start) = first.parse::<u64>() else {
                return RangeOutcome::Unsatisfiable;
            };
            let end = if last.is_empty() {
                u64::MAX
            } else {
                last.parse::<u64>().unwrap_or(u64::MAX)
            };
            if end < start {
                RangeOutcome::Full // an invalid range-spec: ignored
            } else if start >= size {
                RangeOutcome::Unsatisfiable
            } else {
                RangeOutcome::Partial {
                    start,
                    end: end.min(size - 1),
                }
            }
        }
        _ => RangeOutcome::Full,
    }
}

#[cfg(test)]
mod tests {
    use super::RangeOutcome::{Full, Partial, Unsatisfiable};
    use super::*;

    fn eval(value: &str, size: u64) -> RangeOutcome {
        evaluate(Some(value.as_bytes()), size)
    }

    #[test]
    fn single_byte_ranges_are_served_or_refused() {
        assert_eq!(eval("bytes=0-3", 10), Partial { start: 0, end: 3 });
        assert_eq!(eval("bytes=4-", 10), Partial { start: 4, end: 9 });
        assert_eq!(eval("bytes=-2", 10), Partial { start: 8, end: 9 });
        assert_eq!(eval("bytes=-20", 10), Partial { start: 0, end: 9 });
        assert_eq!(eval("bytes=5-100", 10), Partial { start: 5, end: 9 });
        assert_eq!(eval("Bytes = 1-1", 10), Partial { start: 1, end: 1 });
        assert_eq!(
            eval("bytes=0-99999999999999999999999", 10),
            Partial { start: 0, end: 9 }
        );
        assert_eq!(
            eval("bytes=-99999999999999999999999", 10),
            Partial { start: 0, end: 9 }
        );
        for unsatisfiable in [
            "bytes=10-",
            "bytes=10-20",
            "bytes=-0",
            "bytes=99999999999999999999999-",
        ] {
            assert_eq!(eval(unsatisfiable, 10), Unsatisfiable, "{unsatisfiable}");
        }
        assert_eq!(eval("bytes=0-", 0), Unsatisfiable);
    }

    #[test]
    fn what_cannot_be_one_range_is_ignored() {
        for ignored in [
            "bytes=0-1,4-5",
            "items=0-1",
            "bytes=x-",
            "bytes=3-1",
            "bytes",
            "bytes=-",
            "bytes=1-x",
            "bytes=+1-2",
        ] {
            assert_eq!(eval(ignored, 10), Full, "{ignored}");
        }
        assert_eq!(evaluate(None, 10), Full);
        assert_eq!(evaluate(Some(b"\xff"), 10), Full);
    }
}
