//! Bounding the cost of hostile markdown (RELIABILITY T39).
//!
//! pulldown-cmark's work grows with the nesting depth of every line (each open blockquote or
//! list is re-checked per line), and html5ever, under ammonia, walks the stack of open elements
//! for each tag. A 64 KiB description can nest 60 000 levels on one line. Two bounds keep both
//! linear: container markers past [`MAX_DEPTH`] on a line are dropped before parsing (the
//! content is kept, shown at the deepest allowed level), and raw HTML past [`MAX_HTML_TAGS`]
//! tags or [`MAX_HTML_DEPTH`] open elements is shown as text.

use std::borrow::Cow;

use pulldown_cmark::{Event, Tag, TagEnd};

/// Deepest blockquote / list nesting rendered as such.
pub const MAX_DEPTH: usize = 16;
/// Raw HTML tags passed to the sanitiser as markup; the rest is shown as text.
pub const MAX_HTML_TAGS: usize = 2_000;
/// Raw HTML elements open at once before further tags are shown as text.
pub const MAX_HTML_DEPTH: i64 = 32;

/// Drops container markers beyond `MAX_DEPTH` at the start of each line. Returns the input
/// unchanged (borrowed) when no line nests that deep.
pub fn cap_line_nesting(markdown: &str) -> (Cow<'_, str>, bool) {
    if !markdown
        .split_inclusive('\n')
        .any(|line| marker_spans(line, MAX_DEPTH + 1).len() > MAX_DEPTH)
    {
        return (Cow::Borrowed(markdown), false);
    }
    let mut out = String::with_capacity(markdown.len());
    for line in markdown.split_inclusive('\n') {
        let spans = marker_spans(line, usize::MAX);
        if spans.len() <= MAX_DEPTH {
            out.push_str(line);
            continue;
        }
        let keep_until = spans[MAX_DEPTH - 1].1;
        let drop_until = spans[spans.len() - 1].1;
        out.push_str(&line[..keep_until]);
        out.push_str(&line[drop_until..]);
    }
    (Cow::Owned(out), true)
}

/// The byte ranges of the leading container markers of a line (`>`, `-`, `*`, `+`, `1.`, `1)`,
/// each with up to three spaces before and the spaces after), at most `limit` of them.
fn marker_spans(line: &str, limit: usize) -> Vec<(usize, usize)> {
    let bytes = line.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while spans.len() < limit {
        let start = i;
        let mut j = i;
        while j < bytes.len() && j - i < 3 && bytes[j] == b' ' {
            j += 1;
        }
        let Some(&c) = bytes.get(j) else { break };
        let after = match c {
            b'>' => j + 1,
            b'-' | b'*' | b'+' if matches!(bytes.get(j + 1), Some(b' ' | b'\t')) => j + 1,
            b'0'..=b'9' => {
                let mut k = j;
                while k < bytes.len() && k - j < 9 && bytes[k].is_ascii_digit() {
                    k += 1;
                }
                match (bytes.get(k), bytes.get(k + 1)) {
                    (Some(b'.' | b')'), Some(b' ' | b'\t')) => k + 1,
                    _ => break,
                }
            }
            _ => break,
        };
        let mut end = after;
        while end < bytes.len() && matches!(bytes[end], b' ' | b'\t') {
            end += 1;
        }
        spans.push((start, end));
        i = end;
    }
    spans
}

/// Drops the start and end of containers (blockquotes, lists, items) nested deeper than
/// `MAX_DEPTH`, keeping what they hold: nesting built from indentation, which the line pass
/// cannot see, renders flat past the cap too.
#[derive(Default)]
pub struct ContainerDepth {
    /// Per open container: whether its start was kept.
    open: Vec<bool>,
    kept: usize,
    pub flattened: bool,
}

impl ContainerDepth {
    pub fn keep(&mut self, event: &Event<'_>) -> bool {
        match event {
            Event::Start(Tag::BlockQuote(_) | Tag::List(_) | Tag::Item) => {
                let keep = self.kept < MAX_DEPTH;
                self.kept += usize::from(keep);
                self.flattened |= !keep;
                self.open.push(keep);
                keep
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item) => {
                let keep = self.open.pop().unwrap_or(true);
                self.kept -= usize::from(keep && self.kept > 0);
                keep
            }
            _ => true,
        }
    }
}

/// Counts raw HTML tags as they pass and says when one must be shown as text instead.
#[derive(Default)]
pub struct HtmlBudget {
    tags: usize,
    depth: i64,
    pub exceeded: bool,
}

impl HtmlBudget {
    /// Whether this raw HTML fragment may stay markup.
    pub fn admit(&mut self, fragment: &str) -> bool {
        if self.exceeded {
            return false;
        }
        let bytes = fragment.as_bytes();
        let mut opened = 0i64;
        let mut tags = 0usize;
        for (i, _) in fragment.match_indices('<') {
            match bytes.get(i + 1) {
                Some(b'/') => {
                    opened -= 1;
                    tags += 1;
                }
                Some(c) if c.is_ascii_alphabetic() => {
                    let end = fragment[i..].find('>').map(|e| i + e);
                    let self_closing = end.is_some_and(|e| e > 0 && bytes[e - 1] == b'/');
                    if !self_closing {
                        opened += 1;
                    }
                    tags += 1;
                }
                _ => {}
            }
        }
        self.tags += tags;
        self.depth = (self.depth + opened).max(0);
        if self.tags > MAX_HTML_TAGS || self.depth > MAX_HTML_DEPTH {
            self.exceeded = true;
            return false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_lines_keep_their_content_at_the_cap() {
        let deep = format!("{}text", "> ".repeat(100));
        let (capped, flattened) = cap_line_nesting(&deep);
        assert!(flattened);
        assert_eq!(capped, format!("{}text", "> ".repeat(MAX_DEPTH)));
        let mixed = format!("{}x\n", "- > 1. ".repeat(40));
        let (capped, _) = cap_line_nesting(&mixed);
        assert_eq!(marker_spans(&capped, usize::MAX).len(), MAX_DEPTH);
        assert!(capped.ends_with("x\n"));
    }

    #[test]
    fn ordinary_markdown_is_borrowed_untouched() {
        let text = "# Title\n\n> quote\n> > nested\n\n- a\n  - b\n1. one\n-not a list\n";
        let (out, flattened) = cap_line_nesting(text);
        assert!(!flattened && matches!(out, Cow::Borrowed(_)));
    }

    #[test]
    fn html_budget_stops_deep_or_numerous_tags() {
        let mut budget = HtmlBudget::default();
        assert!(budget.admit("<div align=\"center\"><img src=x/></div>"));
        let mut deep = HtmlBudget::default();
        let admitted = (0..100).filter(|_| deep.admit("<div>")).count();
        assert_eq!(admitted as i64, MAX_HTML_DEPTH);
        assert!(deep.exceeded && !deep.admit("</div>"));
    }
}
