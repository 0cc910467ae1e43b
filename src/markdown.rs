//! Markdown: plain text for the search index and card excerpts. (Sanitised HTML for the detail
//! page comes with the web pages.) pulldown-cmark lives here only.

use pulldown_cmark::{Event, Parser, TagEnd};

/// Returns the readable text of a markdown document: no markup, no raw HTML, no link targets;
/// block boundaries become line breaks.
pub fn to_plain_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableRow,
            ) => text.push('\n'),
            _ => {}
        }
    }
    text.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_html_are_dropped() {
        let text = to_plain_text(
            "# Title\n\nSome **bold** [link](http://x) <script>alert(1)</script> `code`.\n\n- one\n- two",
        );
        assert!(text.contains("Title") && text.contains("Some bold link") && text.contains("code"));
        assert!(!text.contains('*') && !text.contains("http://x") && !text.contains("<script>"));
        assert!(text.contains("one") && text.contains("two"));
    }
}
