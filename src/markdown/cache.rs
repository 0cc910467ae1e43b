//! Rendered descriptions by model revision, so a page view costs a lookup, not a render.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use super::Rendered;

/// A bounded first-in, first-out cache of rendered descriptions. The key names a revision
/// (model id and its last update), so an edit is a new key and stale entries age out.
pub struct RenderCache {
    capacity: usize,
    inner: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, Arc<Rendered>>,
    order: VecDeque<String>,
}

impl RenderCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::default(),
        }
    }

    /// The rendering of `markdown` under `key`, rendered on first use.
    pub fn get_or_render(&self, key: &str, markdown: &str) -> Arc<Rendered> {
        if let Some(found) = self.lock().map.get(key) {
            return Arc::clone(found);
        }
        // Rendered outside the lock: two first views of one model may both render, harmlessly.
        let rendered = Arc::new(super::render(markdown));
        let mut entries = self.lock();
        if entries
            .map
            .insert(key.to_owned(), Arc::clone(&rendered))
            .is_none()
        {
            entries.order.push_back(key.to_owned());
        }
        while entries.order.len() > self.capacity {
            if let Some(oldest) = entries.order.pop_front() {
                entries.map.remove(&oldest);
            }
        }
        rendered
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // Entries are whole values: a panic elsewhere cannot leave one half-written.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Default for RenderCache {
    fn default() -> Self {
        Self::new(2_048)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_revision_is_rendered_once_and_capacity_holds() {
        let cache = RenderCache::new(2);
        let a = cache.get_or_render("m1@1", "**a**");
        assert!(Arc::ptr_eq(&a, &cache.get_or_render("m1@1", "ignored")));
        cache.get_or_render("m2@1", "b");
        cache.get_or_render("m3@1", "c");
        let again = cache.get_or_render("m1@1", "**new**");
        assert!(again.html.contains("new"), "the oldest entry was evicted");
    }
}
