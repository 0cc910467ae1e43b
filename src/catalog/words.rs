//! How model names and search boxes become words (SPEC §9, query understanding).
//!
//! Both sides split on the same rule, so what a user types meets what an operator named:
//! a **chunk** is a run of letters, digits, `.` and `_` (so `qwen2.5`, `q4_k_m`, `1.5b` stay
//! whole; `-`, spaces, `:` and `/` separate, which makes Ollama's `qwen3:8b` the words `qwen3 8b`).
//! A name is indexed under more than its chunks, so the other spellings of it are found too:
//! the parts of a chunk split at `.`/`_` (`qwen2`, `5`), its letter and number runs (`qwen`,
//! `2.5`: `qwen` finds Qwen3-Coder and Qwen2.5-Coder alike), its camel-case words (`code`,
//! `llama` of CodeLlama), and a word joined to the next (`llama` + `3.1` → `llama3.1`, `code` +
//! `llama` → `codellama`), so `llama3.1`, `llama 3.1` and `llama-3.1` all meet.

use super::text_terms::{cjk_pieces, is_cjk};

/// Longest word a search may hold (characters); longer is refused, never silently dropped.
pub const MAX_WORD_CHARS: usize = 64;

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '.' || c == '_'
}

/// The chunks of a text, lowercased, in order (repeats kept).
pub fn chunks(text: &str) -> Vec<String> {
    text.split(|c: char| !is_word_char(c))
        .map(|chunk| chunk.trim_matches(|c| c == '.' || c == '_'))
        .filter(|chunk| !chunk.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// How many chunks a name has: the denominator of "how much of the name the query covers".
pub fn chunk_count(name: &str) -> usize {
    chunks(name).len()
}

/// The distinct words of a query, in order. Errs with the first word longer than
/// [`MAX_WORD_CHARS`].
pub fn query_words(text: &str) -> Result<Vec<String>, String> {
    let mut words: Vec<String> = Vec::new();
    for chunk in chunks(text) {
        if chunk.chars().count() > MAX_WORD_CHARS {
            return Err(chunk);
        }
        if !words.contains(&chunk) {
            words.push(chunk);
        }
    }
    Ok(words)
}

/// Letter runs and number runs (digits with inner dots) of a chunk that mixes both.
fn runs(chunk: &str) -> Vec<String> {
    let chars: Vec<char> = chunk.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    let mut current_is_letters = None;
    for (i, &c) in chars.iter().enumerate() {
        let kind = if c.is_alphabetic() {
            Some(true)
        } else if c.is_ascii_digit()
            || (c == '.'
                && current_is_letters == Some(false)
                && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            Some(false)
        } else {
            None
        };
        if kind != current_is_letters || kind.is_none() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            current_is_letters = kind;
        }
        if kind.is_some() {
            current.push(c);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    if out.len() < 2 {
        return Vec::new();
    }
    // Single letters (the `b` of `8b`, the `k` of `q4_k`) would match nearly every name.
    out.into_iter()
        .filter(|run| run.chars().count() > 1 || run.chars().all(|c| c.is_ascii_digit()))
        .collect()
}

/// The camel-case words of an original (not lowercased) chunk: `CodeLlama` → `code`, `llama`.
fn camel_words(original: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in original.chars() {
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase();
        current.push(c);
    }
    words.push(current);
    if words.len() < 2 {
        return Vec::new();
    }
    words
        .into_iter()
        .filter(|w| w.chars().count() > 1)
        .map(|w| w.to_lowercase())
        .collect()
}

fn starts_with_digit(text: &str) -> bool {
    text.chars().next().is_some_and(|c| c.is_ascii_digit())
}

fn all_letters(text: &str) -> bool {
    text.chars().all(char::is_alphabetic)
}

/// Every term a name (or a quantization / format label) is found by, distinct, chunks first.
pub fn name_terms(name: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    let add = |term: String, terms: &mut Vec<String>| {
        if !term.is_empty() && !terms.contains(&term) {
            terms.push(term);
        }
    };
    let originals: Vec<&str> = name
        .split(|c: char| !is_word_char(c))
        .map(|chunk| chunk.trim_matches(|c| c == '.' || c == '_'))
        .filter(|chunk| !chunk.is_empty())
        .collect();
    let lowered: Vec<String> = originals.iter().map(|c| c.to_lowercase()).collect();
    for chunk in &lowered {
        add(chunk.clone(), &mut terms);
    }
    for (original, chunk) in originals.iter().zip(&lowered) {
        let parts: Vec<&str> = chunk.split(['.', '_']).filter(|p| !p.is_empty()).collect();
        // A decimal size (`1.7b`, `0.8b`) is one word: its fraction is not a size of its own
        // (`7b` must not find Qwen3-1.7B).
        let decimal_size = size_range(chunk).is_some() && chunk.contains('.');
        if parts.len() > 1 && !decimal_size {
            for part in &parts {
                add((*part).to_owned(), &mut terms);
            }
        }
        if chunk.chars().any(is_cjk) {
            for piece in cjk_pieces(chunk) {
                add(piece, &mut terms);
            }
        }
        for run in runs(chunk) {
            add(run, &mut terms);
        }
        for part in parts.into_iter().filter(|_| !decimal_size) {
            for run in runs(part) {
                add(run, &mut terms);
            }
        }
        for word in camel_words(original) {
            add(word, &mut terms);
        }
    }
    for pair in lowered.windows(2) {
        let (left, right) = (&pair[0], &pair[1]);
        if all_letters(left) && (starts_with_digit(right) || all_letters(right)) {
            add(format!("{left}{right}"), &mut terms);
        }
    }
    terms
}

/// A size word (`8b`, `1.5b`, `560m`, `1t`) as the parameter counts it stands for:
/// `[low, high)`. The word's own precision decides the width (`8b`: 7.5–8.5 B), widened to
/// ±3 % so published counts (bloom-560m has 559.2 M) still meet their names.
pub fn size_range(word: &str) -> Option<(u64, u64)> {
    let unit = match word.chars().last()? {
        'm' => 1e6,
        'b' => 1e9,
        't' => 1e12,
        _ => return None,
    };
    let number = &word[..word.len() - 1];
    if number.is_empty()
        || !number.chars().all(|c| c.is_ascii_digit() || c == '.')
        || !starts_with_digit(number)
    {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    if value <= 0.0 {
        return None;
    }
    let decimals = number.split_once('.').map_or(0, |(_, d)| d.len()) as i32;
    let half_step = 0.5 * 10f64.powi(-decimals) * unit;
    let center = value * unit;
    let spread = half_step.max(center * 0.03);
    let low = (center - spread).max(1.0);
    Some((low as u64, (center + spread) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(name: &str, term: &str) -> bool {
        name_terms(name).iter().any(|t| t == term)
    }

    #[test]
    fn decimal_sizes_stay_whole() {
        // `7b` must not find Qwen3-1.7B, nor `8b` Qwen3.5-0.8B (issue 28).
        assert!(!has("Qwen3-1.7B", "7b") && has("Qwen3-1.7B", "1.7b"));
        assert!(!has("Qwen3.5-0.8B", "8b") && has("Qwen3.5-0.8B", "0.8b"));
        assert!(has("Qwen2.5-7B", "qwen2") && has("Qwen2.5-7B", "7b"));
        assert!(
            has("通义千问-7B", "千问"),
            "a CJK name is found by its character pairs"
        );
    }

    #[test]
    fn spellings_of_one_name_meet() {
        for name in ["Meta-Llama-3.1-8B-Instruct", "llama3.1-8b", "Llama 3.1 8B"] {
            assert!(has(name, "llama3.1"), "{name}: {:?}", name_terms(name));
            assert!(has(name, "llama"), "{name}");
            assert!(has(name, "3.1"), "{name}");
            assert!(has(name, "8b"), "{name}");
        }
        assert!(has("Qwen3-Coder-30B-A3B-Instruct", "qwen"));
        assert!(has("Qwen2.5-Coder-7B", "qwen"));
        assert!(has("Qwen2.5-Coder-7B", "qwen2.5"));
        assert!(has("Qwen2.5-Coder-7B", "2.5"));
        assert!(has("CodeLlama-7b-Instruct-hf", "llama"));
        assert!(has("Code-Llama-7b", "codellama"));
        assert!(has("Mistral-Nemo-Instruct-2407-Q4_K_M", "q4_k_m"));
        assert!(!has("Qwen3-8B", "b"), "single letters are no terms");
    }

    #[test]
    fn queries_split_like_names() {
        assert_eq!(query_words("qwen3:8b").unwrap(), ["qwen3", "8b"]);
        assert_eq!(
            query_words("Llama-3.1 llama-3.1").unwrap(),
            ["llama", "3.1"]
        );
        assert_eq!(
            query_words("mistral nemo Q4_K_M").unwrap(),
            ["mistral", "nemo", "q4_k_m"]
        );
        let long = "x".repeat(MAX_WORD_CHARS + 1);
        assert_eq!(query_words(&format!("qwen {long}")), Err(long));
    }

    #[test]
    fn size_words_cover_their_precision() {
        let (low, high) = size_range("8b").unwrap();
        assert!(low <= 8_030_000_000 && 8_030_000_000 < high);
        assert!(!(low..high).contains(&7_000_000_000));
        let (low, high) = size_range("1.5b").unwrap();
        assert!((low..high).contains(&1_540_000_000));
        assert!(!(low..high).contains(&1_700_000_000));
        assert!(size_range("560m").is_some_and(|(l, h)| (l..h).contains(&559_214_592)));
        assert_eq!(size_range("8x7b"), None);
        assert_eq!(size_range("b"), None);
        assert_eq!(size_range("gguf"), None);
    }
}
