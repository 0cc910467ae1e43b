//! Who may act on a project: the checks every use case starts with.

pub mod authenticate;
pub mod keys;
pub mod session;
pub mod throttle;

use super::OpsError;
use crate::auth::Principal;
use crate::catalog::ids::ProjectId;

/// Checks that the principal may read the project; the same refusal whether or not it exists,
/// so a key learns nothing about other projects.
pub fn require_read(principal: &Principal, project: &ProjectId) -> Result<(), OpsError> {
    if principal.can_read(project) {
        Ok(())
    } else {
        Err(OpsError::Forbidden(format!(
            "this API key does not belong to project `{project}`"
        )))
    }
}

/// Checks that the principal may change the project.
pub fn require_write(principal: &Principal, project: &ProjectId) -> Result<(), OpsError> {
    require_read(principal, project)?;
    if principal.can_write(project) {
        Ok(())
    } else {
        Err(OpsError::Forbidden(
            "this API key is read-only: create a write key to change models".to_owned(),
        ))
    }
}
