//! Saved searches: a logged-in user keeps catalog searches by name (issue 15). Each is only its
//! owner's: another user's id is answered as missing.

use crate::catalog::saved_search::{MAX_PER_USER, SearchName, canonical_query};
use crate::ops::access::session::Session;
use crate::ops::{OpsError, Services};
use crate::store::{self, saved_searches, saved_searches::SavedSearch};

/// Saves (or, under a name already used, updates) a search given as query-string pairs.
pub async fn save(
    services: &Services,
    session: &Session,
    name: &str,
    pairs: Vec<(String, String)>,
) -> Result<SavedSearch, OpsError> {
    let name = SearchName::parse(name).map_err(OpsError::InvalidInput)?;
    let query = canonical_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| OpsError::InvalidInput(format!("that search cannot be saved: {e}")))?;
    let user = session.user_id;
    services
        .store
        .write(move |tx| {
            let existing = saved_searches::list(tx, user)?;
            let replacing = existing.iter().any(|s| s.name == name.as_str());
            if !replacing && existing.len() >= MAX_PER_USER {
                return Err(store::StoreError::Conflict(format!(
                    "you keep {MAX_PER_USER} saved searches already: delete one first"
                )));
            }
            let now = store::now();
            let id = saved_searches::save(tx, user, name.as_str(), &query, &now)?;
            Ok(SavedSearch {
                id,
                name: name.as_str().to_owned(),
                query,
                created_at: now,
            })
        })
        .await
        .map_err(OpsError::from)
}

/// The user's searches, by name.
pub async fn list(services: &Services, session: &Session) -> Result<Vec<SavedSearch>, OpsError> {
    let user = session.user_id;
    Ok(services
        .store
        .call(move |conn| saved_searches::list(conn, user))
        .await?)
}

/// Deletes one of the user's searches; false when there is no such search of theirs.
pub async fn delete(services: &Services, session: &Session, id: String) -> Result<bool, OpsError> {
    let user = session.user_id;
    Ok(services
        .store
        .write(move |tx| saved_searches::delete(tx, user, &id))
        .await?)
}
