//! Rendered catalog pages for anonymous visitors, kept until the index changes. The landing
//! page and a handful of filtered pages take most visits, and each render searches and draws
//! dozens of cards; an anonymous page depends only on its query string and the index (no
//! badges, no CSRF token), so the same bytes serve every visitor until the next commit.

use std::collections::HashMap;
use std::sync::Mutex;

use actix_web::web::Bytes;

/// Pages kept; beyond it the cache starts over (hot pages come back at once).
const ENTRIES: usize = 128;
/// Larger pages are not kept (a `per_page=100` page of long cards).
const MAX_BYTES: usize = 256 * 1024;

#[derive(Default)]
pub struct PageCache {
    /// Query string → (index generation, body).
    pages: Mutex<HashMap<String, (u64, Bytes)>>,
}

impl PageCache {
    /// The page rendered for this query string at this index generation, if kept.
    pub fn get(&self, query: &str, generation: u64) -> Option<Bytes> {
        let pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        match pages.get(query) {
            Some((at, body)) if *at == generation => Some(body.clone()),
            _ => None,
        }
    }

    /// Keeps a page rendered at `generation`.
    pub fn put(&self, query: &str, generation: u64, body: Bytes) {
        if body.len() > MAX_BYTES || query.len() > 2048 {
            return;
        }
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        if pages.len() >= ENTRIES && !pages.contains_key(query) {
            // Entries of older generations go first; if all are current, start over.
            pages.retain(|_, (at, _)| *at == generation);
            if pages.len() >= ENTRIES {
                pages.clear();
            }
        }
        pages.insert(query.to_owned(), (generation, body));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_served_until_the_index_moves_on() {
        let cache = PageCache::default();
        cache.put("license=mit", 3, Bytes::from_static(b"page"));
        assert_eq!(cache.get("license=mit", 3).as_deref(), Some(&b"page"[..]));
        assert_eq!(cache.get("license=mit", 4), None, "a commit made it stale");
        assert_eq!(cache.get("", 3), None);
        for i in 0..ENTRIES + 5 {
            cache.put(&format!("q={i}"), 5, Bytes::from_static(b"x"));
        }
        assert!(cache.pages.lock().unwrap().len() <= ENTRIES);
        cache.put("big", 5, Bytes::from(vec![0; MAX_BYTES + 1]));
        assert_eq!(cache.get("big", 5), None);
    }
}
