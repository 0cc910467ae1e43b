//! Hostile descriptions for the cost tests and the markdown benchmark (RELIABILITY T39): the
//! shapes known to be expensive, then seeded random mixes of markdown's special characters.
//! Each is just under the 64 KiB description limit.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The description size limit the corpus fills.
pub const SIZE: usize = 64 * 1024 - 16;

fn fill(unit: &str, tail: &str) -> String {
    let mut out = unit.repeat((SIZE - tail.len()) / unit.len());
    out.push_str(tail);
    out
}

/// (name, description) pairs; `random` seeded mixes follow the fixed shapes.
pub fn hostile_corpus(random: usize) -> Vec<(String, String)> {
    let mut corpus: Vec<(String, String)> = [
        ("blockquotes", fill(">", "x")),
        ("blockquotes spaced", fill("> ", "x")),
        ("lists", fill("- ", "x")),
        ("ordered lists", fill("1. ", "x")),
        ("mixed nesting", fill("> - 1. * ", "x")),
        ("quote lines", fill(&format!("{}x\n", ">".repeat(60)), "")),
        ("indented lists", indented_lists()),
        ("emphasis run", fill("*", "x")),
        ("emphasis pairs", fill("*a_", "x")),
        (
            "strong run",
            format!("{}x{}", "**".repeat(SIZE / 8), "**".repeat(SIZE / 8)),
        ),
        ("link brackets", fill("[", "x")),
        ("link openers", fill("[a](", "x")),
        ("reference links", reference_links()),
        ("backticks", fill("`a``", "x")),
        ("raw html nesting", fill("<div>", "x")),
        ("raw html formatting", fill("<b><i>", "x")),
        (
            "table columns",
            format!("{}\n{}\n", "|a".repeat(SIZE / 6), "|-".repeat(SIZE / 6)),
        ),
        ("html entities", fill("&amp;&#x41;", "x")),
    ]
    .into_iter()
    .map(|(name, text)| (name.to_owned(), text))
    .collect();
    let pieces = [
        ">",
        "> ",
        "- ",
        "* ",
        "1. ",
        "  ",
        "\n",
        "\n\n",
        "*",
        "_",
        "**",
        "[",
        "]",
        "(",
        ")",
        "![",
        "`",
        "```\n",
        "<div>",
        "</div>",
        "<b>",
        "|",
        "#",
        "word ",
        "\\",
        "&amp;",
        "~~",
        "[r]: http://x\n",
        "[r]",
    ];
    let mut rng = StdRng::seed_from_u64(39);
    for n in 0..random {
        let mut text = String::with_capacity(SIZE);
        while text.len() < SIZE - 16 {
            let piece = pieces[rng.gen_range(0..pieces.len())];
            // Runs of one piece are what makes markdown expensive: favour them.
            for _ in 0..rng.gen_range(1..64) {
                if text.len() + piece.len() >= SIZE {
                    break;
                }
                text.push_str(piece);
            }
        }
        corpus.push((format!("random {n}"), text));
    }
    corpus
}

fn indented_lists() -> String {
    let mut out = String::new();
    let mut depth = 0;
    while out.len() + 2 * depth + 8 < SIZE {
        out.push_str(&" ".repeat(2 * depth));
        out.push_str("- item\n");
        depth += 1;
    }
    out
}

fn reference_links() -> String {
    let mut out = String::new();
    let mut n = 0;
    while out.len() < SIZE / 2 {
        out.push_str(&format!("[r{n}]: http://example.com/{n}\n"));
        n += 1;
    }
    out.push('\n');
    let mut k = 0;
    while out.len() + 16 < SIZE {
        out.push_str(&format!("[r{}] ", k % n));
        k += 1;
    }
    out
}
