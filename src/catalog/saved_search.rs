//! Saved searches (issue 15): a name a user gives a catalog search, and the search itself kept
//! as a canonical query string, so the saved link, its feed and a fresh search of the same
//! filters are one URL.

use super::query::{CatalogQuery, QueryError};

/// Longest saved-search name (characters).
pub const MAX_NAME_CHARS: usize = 80;
/// Searches one user may keep.
pub const MAX_PER_USER: usize = 100;

/// A saved search's name: trimmed, 1–80 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchName(String);

impl SearchName {
    pub fn parse(input: &str) -> Result<Self, String> {
        let name = input.trim();
        if name.is_empty() {
            return Err("give the search a name".to_owned());
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(format!(
                "the name may have at most {MAX_NAME_CHARS} characters"
            ));
        }
        if name.chars().any(char::is_control)
            || super::error::has_bidi_controls(name)
            || super::error::has_noncharacters(name)
        {
            return Err("the name may not contain control characters".to_owned());
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Parameters that say where in the results one is, not what is searched.
const NOT_SAVED: [&str; 3] = ["page", "per_page", "fragment"];

/// Checks a search and returns its canonical query string: blank fields and paging dropped,
/// every other parameter kept in the order given. A search the catalog would refuse is refused.
pub fn canonical_query<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<String, QueryError> {
    let kept: Vec<(&str, &str)> = pairs
        .into_iter()
        .filter(|(k, v)| !NOT_SAVED.contains(k) && !v.trim().is_empty())
        .collect();
    CatalogQuery::from_pairs(kept.iter().copied())?;
    Ok(form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_keeps_its_filters_not_its_page() {
        let query = canonical_query([
            ("q", "qwen coder"),
            ("license", "apache-2.0"),
            ("page", "3"),
            ("min_params", ""),
        ])
        .unwrap();
        assert_eq!(query, "q=qwen+coder&license=apache-2.0");
        assert!(canonical_query([("min_params", "lots")]).is_err());
        assert_eq!(canonical_query([]).unwrap(), "");
    }

    #[test]
    fn names_are_short_plain_text() {
        assert_eq!(SearchName::parse("  Coders ").unwrap().as_str(), "Coders");
        assert!(SearchName::parse(" ").is_err());
        assert!(SearchName::parse(&"x".repeat(81)).is_err());
        assert!(SearchName::parse("a\u{0}b").is_err());
    }
}
