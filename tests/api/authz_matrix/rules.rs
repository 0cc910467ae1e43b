//! The callers of the matrix and the rule each route follows: who is let in, and what everyone
//! else gets (SPEC §4: 401 without a valid credential, 403 for another project's key or a read
//! key on a write, pages send you to log in or answer 404/403).

use reqwest::StatusCode;

use crate::fixture::{Fixture, MintedSession};

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Anonymous,
    BadKey,
    RevokedKey,
    ReadKey,
    WriteKey,
    OtherProjectKey,
    AgentToken,
    MemberSession,
    OwnerSession,
    AdminSession,
    /// A logged-in user who is not in the project (a member of the neighbour).
    OutsiderSession,
}

pub const CALLERS: [Caller; 11] = [
    Caller::Anonymous,
    Caller::BadKey,
    Caller::RevokedKey,
    Caller::ReadKey,
    Caller::WriteKey,
    Caller::OtherProjectKey,
    Caller::AgentToken,
    Caller::MemberSession,
    Caller::OwnerSession,
    Caller::AdminSession,
    Caller::OutsiderSession,
];

impl Caller {
    pub fn is_session(self) -> bool {
        matches!(
            self,
            Self::MemberSession | Self::OwnerSession | Self::AdminSession | Self::OutsiderSession
        )
    }

    pub fn session(self, fixture: &Fixture) -> Option<&MintedSession> {
        match self {
            Self::MemberSession => Some(&fixture.member),
            Self::OwnerSession => Some(&fixture.owner),
            Self::AdminSession => Some(&fixture.admin),
            Self::OutsiderSession => Some(&fixture.outsider),
            _ => None,
        }
    }

    pub fn bearer(self, fixture: &Fixture) -> Option<String> {
        match self {
            Self::BadKey => Some(format!("xero_{}_{}", fixture.slug, "A".repeat(43))),
            Self::RevokedKey => Some(fixture.revoked_key.clone()),
            Self::ReadKey => Some(fixture.read_key.clone()),
            Self::WriteKey => Some(fixture.write_key.clone()),
            Self::OtherProjectKey => Some(fixture.other_key.clone()),
            Self::AgentToken => Some(fixture.agent_token.clone()),
            _ => None,
        }
    }
}

/// Who a route lets in (SPEC §4 and the key rule of hardening item 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Everyone.
    Open,
    /// Everyone, but a presented credential must be a valid API key (catalog viewers).
    OpenKeyChecked,
    /// Agent tokens only.
    Agent,
    /// Any valid API key, of any project (it describes itself).
    AnyKey,
    /// Keys of the project, read or write.
    KeyRead,
    /// Write keys of the project.
    KeyWrite,
    /// A public form without the login form's CSRF cookie: refused for everyone.
    LoginForm,
    /// Any logged-in user.
    AnySession,
    /// Logged-in users switching to a project of theirs.
    SwitchProject,
    /// Members, owners and administrators in the project.
    Member,
    /// Owners and administrators in the project (write keys, others' keys).
    Owner,
    /// Platform administrators.
    Admin,
}

/// What the matrix expects of one caller on one route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Allowed,
    Denied(StatusCode),
}

pub fn expect(access: Access, caller: Caller) -> Expect {
    use Caller::*;
    const UNAUTHORIZED: Expect = Expect::Denied(StatusCode::UNAUTHORIZED);
    const FORBIDDEN: Expect = Expect::Denied(StatusCode::FORBIDDEN);
    const NOT_FOUND: Expect = Expect::Denied(StatusCode::NOT_FOUND);
    // Pages ignore Bearer credentials: without a session they send you to log in.
    const TO_LOGIN: Expect = Expect::Denied(StatusCode::SEE_OTHER);
    let has_session = caller.is_session();
    match access {
        Access::Open => Expect::Allowed,
        Access::OpenKeyChecked => match caller {
            BadKey | RevokedKey | AgentToken => UNAUTHORIZED,
            _ => Expect::Allowed,
        },
        Access::Agent => match caller {
            AgentToken => Expect::Allowed,
            _ => UNAUTHORIZED,
        },
        Access::AnyKey => match caller {
            ReadKey | WriteKey | OtherProjectKey => Expect::Allowed,
            _ => UNAUTHORIZED,
        },
        Access::KeyRead | Access::KeyWrite => match caller {
            WriteKey => Expect::Allowed,
            ReadKey if access == Access::KeyRead => Expect::Allowed,
            ReadKey | OtherProjectKey => FORBIDDEN,
            _ => UNAUTHORIZED,
        },
        Access::LoginForm => FORBIDDEN,
        _ if !has_session => TO_LOGIN,
        Access::AnySession => Expect::Allowed,
        Access::SwitchProject | Access::Member | Access::Owner => match caller {
            OutsiderSession if access == Access::SwitchProject => FORBIDDEN,
            OutsiderSession => NOT_FOUND,
            MemberSession if access == Access::Owner => FORBIDDEN,
            _ => Expect::Allowed,
        },
        Access::Admin => match caller {
            AdminSession => Expect::Allowed,
            _ => NOT_FOUND,
        },
    }
}
