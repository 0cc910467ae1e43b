//! Markdown: sanitised HTML for the detail page, plain text for the search index and card
//! excerpts. pulldown-cmark and ammonia live here only.
//!
//! pulldown-cmark passes raw HTML, `javascript:` links and event attributes straight through, so
//! its output always goes through ammonia: an allow-list of tags and attributes, URL schemes
//! limited to http, https and mailto, `rel="noopener noreferrer nofollow"` on every link.

mod bounds;
mod cache;
#[doc(hidden)]
pub mod corpus;

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{Event, Options, Parser, TagEnd, html};

pub use bounds::MAX_DEPTH;
pub use cache::RenderCache;

/// A description rendered for a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Sanitised HTML, safe to embed as is.
    pub html: String,
    /// Some of the input nested too deep, or held too much raw HTML, and was shown flattened or
    /// as text (the owner is told so on the page).
    pub simplified: bool,
}

/// Renders markdown to HTML that is safe to embed in a page as is.
pub fn to_safe_html(markdown: &str) -> String {
    render(markdown).html
}

/// Renders markdown with bounded cost (RELIABILITY T39): nesting past [`MAX_DEPTH`] is
/// flattened and excess raw HTML shown as text, so the work stays linear in the input.
pub fn render(markdown: &str) -> Rendered {
    let (capped, flattened) = bounds::cap_line_nesting(markdown);
    let mut raw = String::with_capacity(capped.len() * 2);
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut budget = bounds::HtmlBudget::default();
    let mut depth = bounds::ContainerDepth::default();
    let events = Parser::new_ext(&capped, options)
        .filter(|event| depth.keep(event))
        .map(|event| match event {
            Event::Html(fragment) | Event::InlineHtml(fragment) if !budget.admit(&fragment) => {
                Event::Text(fragment)
            }
            other => other,
        });
    html::push_html(&mut raw, events);
    Rendered {
        html: sanitizer().clean(&raw).to_string(),
        simplified: flattened || budget.exceeded || depth.flattened,
    }
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .link_rel(Some("noopener noreferrer nofollow"))
            .rm_tags(["img"])
            .add_generic_attributes(["align"]);
        builder
    })
}

/// Returns the readable text of a markdown document: no markup, no raw HTML, no link targets;
/// block boundaries become line breaks.
pub fn to_plain_text(markdown: &str) -> String {
    let (capped, _) = bounds::cap_line_nesting(markdown);
    let mut text = String::with_capacity(capped.len());
    for event in Parser::new(&capped) {
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
    fn hostile_markdown_renders_harmlessly() {
        let corpus = [
            "<script>alert(1)</script>",
            "[x](javascript:alert(1))",
            "[x](java&#115;cript:alert(1))",
            "[x](\tjavascript:alert(1))",
            "[x](vbscript:msgbox(1))",
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "<img src=x onerror=alert(1)>",
            "<a href=\"#\" onclick=\"alert(1)\">c</a>",
            "<svg><script>alert(1)</script></svg>",
            "<iframe src=\"http://evil\"></iframe>",
            "<style>body{display:none}</style>",
            "<form action=\"http://evil\"><input></form>",
            "<meta http-equiv=\"refresh\" content=\"0;url=http://evil\">",
            "<!-- --><script>alert(1)</script><!-- -->",
            "--><script>alert(1)</script>",
        ];
        for case in corpus {
            let html = to_safe_html(case).to_lowercase();
            for bad in [
                "<script",
                "onerror",
                "onclick",
                "javascript:",
                "vbscript:",
                "data:",
                "<iframe",
                "<style",
                "<form",
                "<meta",
                "<svg",
            ] {
                assert!(!html.contains(bad), "{case:?} rendered {html:?}");
            }
        }
        let link = to_safe_html("[site](https://example.com)");
        assert!(
            link.contains("rel=\"noopener noreferrer nofollow\""),
            "{link}"
        );
        assert!(to_safe_html("# Title\n\n**bold**").contains("<strong>bold</strong>"));
    }

    #[test]
    fn hostile_nesting_is_flattened_and_keeps_its_text() {
        for (name, text) in corpus::hostile_corpus(8) {
            let rendered = render(&text);
            // Every shape renders (the benchmark times them); the deep ones say they were simplified.
            if name.contains("blockquotes") || name.contains("lists") || name.contains("nesting") {
                assert!(rendered.simplified, "{name} not flagged");
            }
            assert!(!rendered.html.contains("<script"), "{name}");
            to_plain_text(&text);
        }
        let deep = format!("{}deep words", ">".repeat(60_000));
        let rendered = render(&deep);
        assert!(rendered.simplified && rendered.html.contains("deep words"));
        assert_eq!(rendered.html.matches("<blockquote>").count(), MAX_DEPTH);
        assert!(!render("# Normal\n\n> quote\n\n- a\n  - b\n").simplified);
        let html_heavy = "<div>".repeat(5_000);
        let rendered = render(&html_heavy);
        assert!(rendered.simplified && rendered.html.contains("&lt;div&gt;"));
    }

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
