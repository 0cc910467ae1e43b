//! Text written without spaces between words (Chinese, Japanese, Korean) and the terms a
//! description is indexed under (SPEC §13): CJK runs become overlapping character pairs, and
//! decimal numbers stay as written, on both the index and the query side.

/// Chinese, Japanese and Korean characters, which are written without spaces between words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF) // CJK compatibility ideographs
}

/// The pieces a word is matched by: itself, or for text with CJK characters, each CJK run as
/// its overlapping character pairs (a lone character alone) and each other run whole — the way
/// names and descriptions are indexed (`cjk_terms`), since CJK text has no spaces to split at.
pub fn cjk_pieces(word: &str) -> Vec<String> {
    if !word.chars().any(is_cjk) {
        return vec![word.to_owned()];
    }
    let mut pieces = Vec::new();
    let mut other = String::new();
    let mut run: Vec<char> = Vec::new();
    let flush_run = |run: &mut Vec<char>, pieces: &mut Vec<String>| {
        match run.len() {
            0 => {}
            1 => pieces.push(run[0].to_string()),
            _ => pieces.extend(run.windows(2).map(|pair| pair.iter().collect::<String>())),
        }
        run.clear();
    };
    for c in word.chars() {
        if is_cjk(c) {
            if !other.is_empty() {
                pieces.push(std::mem::take(&mut other));
            }
            run.push(c);
        } else {
            flush_run(&mut run, &mut pieces);
            other.push(c);
        }
    }
    flush_run(&mut run, &mut pieces);
    if !other.is_empty() {
        pieces.push(other);
    }
    let mut distinct = Vec::new();
    for piece in pieces {
        let piece = piece.trim_matches(|c| c == '.' || c == '_').to_owned();
        if !piece.is_empty() && !distinct.contains(&piece) {
            distinct.push(piece);
        }
    }
    distinct
}

/// The terms a description is indexed under: its letter-and-digit runs, lowercased, as
/// tantivy's default tokenizer makes them (at most 40 bytes); decimal numbers as written
/// (`2.5`, `3.1`); and CJK text as character pairs (`cjk_pieces`). The index's tokenizer
/// (`search::tokenizer`) yields exactly these, from [`description_spans`], without a string
/// per term.
pub fn description_terms(text: &str) -> Vec<String> {
    description_spans(text)
        .into_iter()
        .map(|(start, end)| text[start..end].to_lowercase())
        .collect()
}

/// The byte ranges of a description's terms (see [`description_terms`]), in order.
pub fn description_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::with_capacity(text.len() / 5);
    let mut run: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            run.get_or_insert(i);
        } else if let Some(start) = run.take() {
            run_spans(text, start, i, &mut spans);
        }
    }
    if let Some(start) = run {
        run_spans(text, start, text.len(), &mut spans);
    }
    // Decimals: digits, one dot, digits, not inside a longer dotted run (`1.2.3`, an address).
    // Bytes, not chars: ASCII digits and dots are never part of a multi-byte character.
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // A number starts after anything but a digit or a dot (`Qwen2.5` holds `2.5`).
        if bytes[i].is_ascii_digit()
            && (i == 0 || !(bytes[i - 1].is_ascii_digit() || bytes[i - 1] == b'.'))
        {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit() {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                let dotted_on =
                    i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit();
                if !dotted_on && i - start <= 40 {
                    spans.push((start, i));
                }
            }
        } else {
            i += 1;
        }
    }
    spans
}

/// One alphanumeric run: whole (at most 40 bytes), or with CJK characters its CJK runs as
/// overlapping pairs and its other runs whole.
fn run_spans(text: &str, start: usize, end: usize, spans: &mut Vec<(usize, usize)>) {
    let run = &text[start..end];
    if run.is_ascii() || !run.chars().any(is_cjk) {
        if end - start <= 40 {
            spans.push((start, end));
        }
        return;
    }
    let mut cjk: Vec<(usize, usize)> = Vec::new();
    let mut other: Option<usize> = None;
    let flush_cjk = |cjk: &mut Vec<(usize, usize)>, spans: &mut Vec<(usize, usize)>| {
        match cjk.len() {
            0 => {}
            1 => spans.push(cjk[0]),
            _ => spans.extend(cjk.windows(2).map(|pair| (pair[0].0, pair[1].1))),
        }
        cjk.clear();
    };
    for (offset, c) in run.char_indices() {
        let at = start + offset;
        if is_cjk(c) {
            if let Some(s) = other.take() {
                if at - s <= 40 {
                    spans.push((s, at));
                }
            }
            cjk.push((at, at + c.len_utf8()));
        } else {
            flush_cjk(&mut cjk, spans);
            other.get_or_insert(at);
        }
    }
    flush_cjk(&mut cjk, spans);
    if let Some(s) = other
        && end - s <= 40
    {
        spans.push((s, end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_is_matched_by_pairs_and_decimals_stay_whole() {
        assert_eq!(cjk_pieces("通义千问"), ["通义", "义千", "千问"]);
        assert_eq!(cjk_pieces("qwen千问"), ["qwen", "千问"]);
        assert_eq!(cjk_pieces("千"), ["千"]);
        assert_eq!(cjk_pieces("llama"), ["llama"]);
        let terms = description_terms("Supports v2.5 and 3.1, not 1.2.3; 中文模型 works.");
        for wanted in [
            "supports", "v2", "5", "2.5", "3.1", "中文", "文模", "模型", "works",
        ] {
            assert!(terms.iter().any(|t| t == wanted), "{wanted} in {terms:?}");
        }
        assert!(!terms.iter().any(|t| t == "1.2" || t == "2.3"), "{terms:?}");
        // A long CJK sentence without punctuation is still indexed.
        let long = description_terms("通义千问是阿里云开发的大语言模型");
        assert!(long.iter().any(|t| t == "阿里"), "{long:?}");
    }
}
