//! The address of a project's "My models" list: `?q=` (name contains, case ignored), `?sort=`
//! (one per sortable column) and `?page=N` of [`PER_PAGE`]. It is read once into a
//! [`Listing`]; every link the list makes (headers, pager, clear search) is written back from
//! it, so the three always travel together. An address that cannot be read is a 400 page.

use actix_web::web;
use serde::Deserialize;

use crate::catalog::ids::ProjectId;
use crate::ops::models::{ModelOrder, ModelSlice};
use crate::web::pages::page_error::PageError;

/// Models per page.
pub const PER_PAGE: u32 = 50;

/// The longest search the box takes (a name is far shorter).
const MAX_SEARCH_CHARS: usize = 200;

/// The `sort` values, in the order the page offers them; the first is the default.
const ORDERS: [(ModelOrder, &str); 4] = [
    (ModelOrder::Newest, "newest"),
    (ModelOrder::Name, "name"),
    (ModelOrder::Size, "size"),
    (ModelOrder::Shared, "shared"),
];

/// The address's parameters as typed: every one a string, so a bad value gets a message of
/// ours rather than the deserialiser's.
#[derive(Debug, Default, Deserialize)]
struct ListParams {
    page: Option<String>,
    q: Option<String>,
    sort: Option<String>,
}

/// Which page of which of the project's models, in which order.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    /// The page number, from 1.
    pub page: u32,
    /// The text names must contain; `None` lists every model.
    pub search: Option<String>,
    /// The sorted column.
    pub order: ModelOrder,
}

impl Default for Listing {
    /// The first page of every model, newest first.
    fn default() -> Self {
        Self {
            page: 1,
            search: None,
            order: ModelOrder::default(),
        }
    }
}

impl Listing {
    /// Reads `page`, `q` and `sort` from a query string.
    pub fn from_query(query: &str) -> Result<Self, PageError> {
        let params = web::Query::<ListParams>::from_query(query)
            .map_err(|error| {
                PageError::bad_request(format!("the address's query could not be read: {error}"))
            })?
            .into_inner();
        let page = match params.page.as_deref().map(str::trim) {
            None | Some("") => 1,
            Some(raw) => match raw.parse::<u32>() {
                Ok(page) if page >= 1 => page,
                _ => {
                    return Err(PageError::bad_request(format!(
                        "page `{}` is not a page number: pages count from 1",
                        shorten(raw)
                    )));
                }
            },
        };
        let search = params
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_owned);
        if search
            .as_ref()
            .is_some_and(|q| q.chars().count() > MAX_SEARCH_CHARS)
        {
            return Err(PageError::bad_request(format!(
                "the search is longer than {MAX_SEARCH_CHARS} characters"
            )));
        }
        let order = match params.sort.as_deref().map(str::trim) {
            None | Some("") => ModelOrder::default(),
            Some(raw) => match ORDERS.iter().find(|(_, key)| *key == raw) {
                Some((order, _)) => *order,
                None => {
                    let known: Vec<&str> = ORDERS.iter().map(|(_, key)| *key).collect();
                    return Err(PageError::bad_request(format!(
                        "sort `{}` is not one of: {}",
                        shorten(raw),
                        known.join(", ")
                    )));
                }
            },
        };
        Ok(Self {
            page,
            search,
            order,
        })
    }

    /// The rows the store is asked for.
    pub fn slice(&self) -> ModelSlice {
        ModelSlice {
            name_contains: self.search.clone(),
            order: self.order,
            limit: PER_PAGE,
            offset: u64::from(self.page - 1) * u64::from(PER_PAGE),
        }
    }

    /// The models page's address for this listing; defaults are left out.
    pub fn url(&self, project: &ProjectId) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(search) = &self.search {
            query.append_pair("q", search);
        }
        if self.order != ModelOrder::default() {
            query.append_pair("sort", order_key(self.order));
        }
        if self.page > 1 {
            query.append_pair("page", &self.page.to_string());
        }
        let query = query.finish();
        if query.is_empty() {
            format!("/projects/{project}/models")
        } else {
            format!("/projects/{project}/models?{query}")
        }
    }

    /// The same listing at another page.
    pub fn with_page(&self, page: u32) -> Self {
        Self {
            page,
            ..self.clone()
        }
    }

    /// The listing sorted another way, from its first page.
    pub fn sorted_by(&self, order: ModelOrder) -> Self {
        Self {
            page: 1,
            order,
            ..self.clone()
        }
    }

    /// Every model, from the first page, in the same order.
    pub fn without_search(&self) -> Self {
        Self {
            page: 1,
            search: None,
            ..self.clone()
        }
    }
}

/// The `sort` value of an order.
pub fn order_key(order: ModelOrder) -> &'static str {
    ORDERS
        .iter()
        .find(|(known, _)| *known == order)
        .map_or("newest", |(_, key)| key)
}

/// User input repeated in a message, cut so that a page never echoes a whole long address.
fn shorten(raw: &str) -> String {
    raw.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> ProjectId {
        ProjectId::parse("proj_A").unwrap()
    }

    #[test]
    fn a_listing_reads_its_query_and_writes_it_back() {
        let cases = [
            ("", "/projects/proj_A/models"),
            ("page=1&sort=newest&q=", "/projects/proj_A/models"),
            (
                "q=qwen+3&sort=name&page=2",
                "/projects/proj_A/models?q=qwen+3&sort=name&page=2",
            ),
            ("q=%26%3D%25", "/projects/proj_A/models?q=%26%3D%25"),
            ("page=%203%20", "/projects/proj_A/models?page=3"),
        ];
        for (query, url) in cases {
            let listing = Listing::from_query(query).unwrap();
            assert_eq!(listing.url(&project()), url, "`{query}`");
            assert_eq!(
                Listing::from_query(url.split_once('?').map_or("", |(_, q)| q)).unwrap(),
                listing,
                "`{query}` round-trips"
            );
        }
    }

    #[test]
    fn bad_pages_and_sorts_are_400_with_the_offending_value() {
        let cases = [
            ("page=0", "page `0` is not a page number"),
            ("page=two", "page `two` is not a page number"),
            ("page=-1", "page `-1`"),
            ("page=99999999999", "page `99999999999`"),
            (
                "sort=price",
                "sort `price` is not one of: newest, name, size, shared",
            ),
            ("q=a&q=b", "could not be read"),
        ];
        for (query, message) in cases {
            let error = Listing::from_query(query).unwrap_err();
            assert_eq!(
                error.status(),
                actix_web::http::StatusCode::BAD_REQUEST,
                "`{query}`"
            );
            assert!(error.to_string().contains(message), "`{query}`: {error}");
        }
        let long = format!("q={}", "x".repeat(MAX_SEARCH_CHARS + 1));
        assert!(Listing::from_query(&long).is_err());
    }

    #[test]
    fn a_page_of_the_listing_is_its_slice_of_the_store() {
        let listing = Listing::from_query("page=3&sort=size&q=Llama").unwrap();
        let slice = listing.slice();
        assert_eq!(slice.offset, 100);
        assert_eq!(slice.limit, PER_PAGE);
        assert_eq!(slice.order, ModelOrder::Size);
        assert_eq!(slice.name_contains.as_deref(), Some("Llama"));
    }
}
