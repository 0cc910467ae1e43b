//! Who may manage a project's API keys from the keys page (hardening item 7).
//!
//! Key management belongs to the project's owners: they list, create (read or write) and revoke
//! every key of the project. A platform administrator who is in the project acts as an owner. A
//! plain member sees, creates and revokes only read keys, and only those they created
//! themselves: a member cannot mint a write key, nor revoke a key somebody else relies on.
//! Pure rules, no I/O; `ops::access::keys` applies them inside the write transaction.

use super::KeyScope;
use crate::store::keys::KeyRecord;

/// A user's role in one project (`memberships.role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectRole {
    Owner,
    Member,
}

impl ProjectRole {
    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "owner" => Some(Self::Owner),
            "member" => Some(Self::Member),
            _ => None,
        }
    }
}

/// What a logged-in user may do with one project's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyManager {
    /// An owner of the project, or a platform administrator in it: every key.
    Owner { user_id: i64 },
    /// A plain member: the read keys they created, nothing else.
    Member { user_id: i64 },
}

impl KeyManager {
    /// The key rights of a user with this role in the project.
    pub fn for_user(user_id: i64, is_admin: bool, role: ProjectRole) -> Self {
        match (role, is_admin) {
            (ProjectRole::Owner, _) | (ProjectRole::Member, true) => Self::Owner { user_id },
            (ProjectRole::Member, false) => Self::Member { user_id },
        }
    }

    /// The user the keys they create are recorded against (`api_keys.created_by`).
    pub fn user_id(self) -> i64 {
        match self {
            Self::Owner { user_id } | Self::Member { user_id } => user_id,
        }
    }

    /// Returns true for owners, who see every key and may create write keys.
    pub fn is_owner(self) -> bool {
        matches!(self, Self::Owner { .. })
    }

    /// Returns true when this user may create a key of this scope.
    pub fn can_create(self, scope: KeyScope) -> bool {
        self.is_owner() || scope == KeyScope::Read
    }

    /// Returns true when this user may see and revoke this key (of their project).
    pub fn can_manage(self, key: &KeyRecord) -> bool {
        match self {
            Self::Owner { .. } => true,
            Self::Member { user_id } => {
                key.created_by == Some(user_id) && key.scope == KeyScope::Read.as_str()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ids::{ProjectId, ProjectSlug};

    fn key(scope: &str, created_by: Option<i64>) -> KeyRecord {
        KeyRecord {
            id: "key_abcdefgh".into(),
            project_id: ProjectId::parse("proj_ABC123").unwrap(),
            project_slug: ProjectSlug::parse("myproject").unwrap(),
            secret_hash: Vec::new(),
            scope: scope.into(),
            label: None,
            created_at: String::new(),
            revoked: false,
            created_by,
            creator: None,
        }
    }

    #[test]
    fn owners_and_administrators_manage_every_key() {
        for manager in [
            KeyManager::for_user(1, false, ProjectRole::Owner),
            KeyManager::for_user(1, true, ProjectRole::Member),
            KeyManager::for_user(1, true, ProjectRole::Owner),
        ] {
            assert!(manager.can_create(KeyScope::Write), "{manager:?}");
            assert!(manager.can_create(KeyScope::Read), "{manager:?}");
            for record in [
                key("write", None),
                key("read", Some(2)),
                key("write", Some(1)),
            ] {
                assert!(manager.can_manage(&record), "{manager:?} {record:?}");
            }
        }
    }

    #[test]
    fn members_manage_only_the_read_keys_they_created() {
        let member = KeyManager::for_user(1, false, ProjectRole::Member);
        assert!(member.can_create(KeyScope::Read));
        assert!(!member.can_create(KeyScope::Write));
        let cases = [
            ("own read key", key("read", Some(1)), true),
            (
                "own write key (made while an owner)",
                key("write", Some(1)),
                false,
            ),
            ("another member's read key", key("read", Some(2)), false),
            ("a key made by the admin command", key("read", None), false),
            ("an owner's write key", key("write", Some(3)), false),
        ];
        for (description, record, allowed) in cases {
            assert_eq!(member.can_manage(&record), allowed, "{description}");
        }
    }

    #[test]
    fn roles_parse_from_the_membership_table() {
        assert_eq!(ProjectRole::parse("owner"), Some(ProjectRole::Owner));
        assert_eq!(ProjectRole::parse("member"), Some(ProjectRole::Member));
        assert_eq!(ProjectRole::parse("admin"), None);
    }
}
