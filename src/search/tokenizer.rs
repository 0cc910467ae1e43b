//! The description field's tokenizer: the terms of `catalog::text_terms::description_spans`
//! (letter-and-digit runs as tantivy's default tokenizer makes them, decimals as written, CJK
//! text as character pairs), lowercased into one reused buffer — a string per term, as
//! pre-tokenized text needs, made the index build three times slower.

use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

use crate::catalog::text_terms::description_spans;

/// The name the description field's options refer to.
pub const DESCRIPTION_TOKENIZER: &str = "xero_description";

#[derive(Clone, Default)]
pub struct DescriptionTokenizer {
    token: Token,
}

pub struct DescriptionStream<'a> {
    text: &'a str,
    spans: std::vec::IntoIter<(usize, usize)>,
    position: usize,
    token: &'a mut Token,
}

impl Tokenizer for DescriptionTokenizer {
    type TokenStream<'a> = DescriptionStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> DescriptionStream<'a> {
        self.token.reset();
        DescriptionStream {
            text,
            spans: description_spans(text).into_iter(),
            position: 0,
            token: &mut self.token,
        }
    }
}

impl TokenStream for DescriptionStream<'_> {
    fn advance(&mut self) -> bool {
        let Some((start, end)) = self.spans.next() else {
            return false;
        };
        self.token.text.clear();
        let term = &self.text[start..end];
        if term.is_ascii() {
            self.token.text.push_str(term);
            self.token.text.make_ascii_lowercase();
        } else {
            for c in term.chars() {
                self.token.text.extend(c.to_lowercase());
            }
        }
        self.token.offset_from = start;
        self.token.offset_to = end;
        self.token.position = self.position;
        self.position += 1;
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// The analyzer registered under [`DESCRIPTION_TOKENIZER`] on every index this binary opens.
pub fn description_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(DescriptionTokenizer::default()).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_yields_the_description_terms() {
        let text = "Qwen2.5 writes CODE 3.1× faster; 通义千问是阿里云开发的 model.";
        let mut analyzer = description_analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut terms = Vec::new();
        while stream.advance() {
            terms.push(stream.token().text.clone());
        }
        assert_eq!(terms, crate::catalog::text_terms::description_terms(text));
        assert!(terms.contains(&"2.5".to_owned()) && terms.contains(&"阿里".to_owned()));
        assert!(terms.contains(&"code".to_owned()));
    }
}
