-- xeroctl database schema.
--
-- Each `-- migration N` block is one released step, applied in order and recorded in
-- PRAGMA user_version. Released blocks are never edited or reordered: a change is a new block.

-- migration 1
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    is_admin      INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    disabled_at   TEXT,
    created_at    TEXT NOT NULL
);

CREATE TABLE projects (
    id         TEXT PRIMARY KEY,             -- proj_…
    slug       TEXT NOT NULL UNIQUE,         -- the middle of xero_<slug>_<secret>
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE memberships (
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'member')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (project_id, user_id)
);

-- The secret is stored only as SHA-256: keys carry ≥ 256 random bits, so a slow hash adds nothing.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,           -- key_<first 8 secret chars>: identifies, never authenticates
    project_id   TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    secret_hash  BLOB NOT NULL,
    scope        TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    label        TEXT,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT,
    last_used_at TEXT
);
CREATE INDEX api_keys_project ON api_keys (project_id);

CREATE TABLE models (
    id                     TEXT PRIMARY KEY,  -- UUID, hyphenated lowercase
    project_id             TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name                   TEXT NOT NULL,
    version                TEXT,
    description            TEXT NOT NULL DEFAULT '',
    architecture           TEXT,
    parameter_count        INTEGER,
    active_parameter_count INTEGER,
    context_length         INTEGER,
    license                TEXT,
    quantization           TEXT,
    format                 TEXT,
    workload_type          TEXT,
    shared                 INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
    shared_at              TEXT,
    featured               INTEGER NOT NULL DEFAULT 0 CHECK (featured IN (0, 1)),
    artifact_uri           TEXT,
    artifact_size          INTEGER,
    artifact_sha256        TEXT,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);
CREATE INDEX models_project ON models (project_id, created_at);
CREATE INDEX models_shared ON models (shared) WHERE shared = 1;

-- Who did what, when. Kept when the target is deleted.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,               -- key:<key id>, user:<name> or admin-cli
    project_id  TEXT,
    action      TEXT NOT NULL,               -- model.register, model.share, key.create, …
    target_kind TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    detail      TEXT
);
CREATE INDEX audit_log_target ON audit_log (target_kind, target_id);

-- Models whose catalog entry changed and may not be in the search index yet (SPEC §7).
-- Rows are deleted only after the index commit that includes them.
CREATE TABLE catalog_outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id    TEXT NOT NULL,
    enqueued_at TEXT NOT NULL
);

-- migration 2
-- Browser sessions. Only a SHA-256 of the cookie value is stored; the CSRF token is per session.
CREATE TABLE sessions (
    token_hash        BLOB PRIMARY KEY,
    user_id           INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token        TEXT NOT NULL,
    active_project_id TEXT REFERENCES projects (id) ON DELETE SET NULL,
    created_at        TEXT NOT NULL,
    expires_at        TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- migration 3
-- Machines that serve models (SPEC §2). `kind` shared = platform infrastructure; xim = a node
-- dedicated to one project. Only a SHA-256 of the token is stored, as for API keys.
-- An agent is active while `last_heartbeat_at` is younger than the TTL; `live` records what the
-- last heartbeat or staleness sweep saw, so the sweep notices each transition exactly once.
CREATE TABLE agents (
    id                TEXT PRIMARY KEY,          -- agt_<first 8 token secret chars>
    kind              TEXT NOT NULL CHECK (kind IN ('shared', 'xim')),
    project_id        TEXT REFERENCES projects (id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    token_hash        BLOB NOT NULL,
    created_at        TEXT NOT NULL,
    last_heartbeat_at TEXT,
    live              INTEGER NOT NULL DEFAULT 0 CHECK (live IN (0, 1)),
    CHECK ((kind = 'xim') = (project_id IS NOT NULL))
);
CREATE INDEX agents_project ON agents (project_id);

-- What each agent reports as loaded.
CREATE TABLE agent_models (
    agent_id  TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    model_id  TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    loaded_at TEXT NOT NULL,
    PRIMARY KEY (agent_id, model_id)
);
CREATE INDEX agent_models_model ON agent_models (model_id);

-- Deployments of catalog models into projects. Status is derived on read (see store/presence):
-- a shared-tier endpoint is active while its model is loaded on an active shared agent, a
-- xim-tier endpoint while its node is active. No foreign key on the model: deleting a model
-- must not delete other projects' endpoints, which keep the name they were created with.
CREATE TABLE endpoints (
    id         TEXT PRIMARY KEY,                 -- UUID
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    model_id   TEXT NOT NULL,
    model_name TEXT NOT NULL,
    tier       TEXT NOT NULL CHECK (tier IN ('shared', 'xim')),
    node_id    TEXT REFERENCES agents (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX endpoints_model ON endpoints (model_id);
CREATE INDEX endpoints_project ON endpoints (project_id, created_at);
CREATE INDEX endpoints_node ON endpoints (node_id);

-- migration 4
-- What an uploaded file says about itself (JSON of catalog::file_meta::FileMetadata). The file
-- itself lives content-addressed under blobs/sha256/; the model row holds its size and digest.
CREATE TABLE model_files (
    model_id    TEXT PRIMARY KEY REFERENCES models (id) ON DELETE CASCADE,
    metadata    TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);

-- migration 5
-- Who made a key on the keys page (hardening item 7): plain members manage only the read keys
-- they created themselves. NULL for keys made by `xeroctl admin` or before this step: those are
-- managed by the project's owners only.
ALTER TABLE api_keys ADD COLUMN created_by INTEGER REFERENCES users (id) ON DELETE SET NULL;

-- migration 6
-- Login throttling (RELIABILITY T16, T40). Kept in the database rather than in server memory so
-- that `xeroctl admin unlock-user`, another process, takes effect on the server's very next
-- attempt, and a restart does not wipe the counters. Keys are `account:NAME`, `address:IP`
-- (IPv6 by /64) and `device:NAME:NONCE`; `account` names the user for account and device rows
-- so one DELETE unlocks both. Times are Unix milliseconds. A row whose window has ended counts
-- as no failures and is pruned on the next failure.
CREATE TABLE login_throttle (
    key             TEXT PRIMARY KEY,
    account         TEXT,
    failures        INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL,
    window_ends_at  INTEGER NOT NULL
);
CREATE INDEX login_throttle_account ON login_throttle (account);
CREATE INDEX login_throttle_window ON login_throttle (window_ends_at);

-- Server secrets, created once per data directory (e.g. `device_cookie`: 32 random bytes that
-- sign device cookies, so they survive restarts).
CREATE TABLE server_secrets (
    name       TEXT PRIMARY KEY,
    value      BLOB NOT NULL,
    created_at TEXT NOT NULL
);

-- migration 7
-- Model repositories (SPEC §10): every change of a model's file set is a new immutable revision
-- (40 hex digits); the newest is `main`. Files name content-addressed blobs (blobs/sha256/…), so
-- the same bytes are stored once. `slug` is the model part of the Hub repo id
-- `{project-slug}/{model-slug}`, stable across renames; NULL rows are filled at start-up.
CREATE TABLE revisions (
    id         TEXT PRIMARY KEY,
    model_id   TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    parent     TEXT,
    seq        INTEGER NOT NULL,
    message    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (model_id, seq)
);
CREATE TABLE revision_files (
    revision_id TEXT NOT NULL REFERENCES revisions (id) ON DELETE CASCADE,
    path        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    PRIMARY KEY (revision_id, path)
);
CREATE INDEX revision_files_sha256 ON revision_files (sha256);
-- Blobs a project has sent (committed or not yet): a resumed folder upload skips these, and
-- garbage collection spares them for a day so an upload in progress is never collected.
CREATE TABLE project_blobs (
    project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (project_id, sha256)
);
ALTER TABLE models ADD COLUMN slug TEXT;
CREATE UNIQUE INDEX models_project_slug ON models (project_id, slug);

-- migration 8
-- Catalog searches a user saved by name (issue 15); `query` is the canonical query string of the
-- search (its filters and sort, never a page number), so its feed and its link are one URL.
CREATE TABLE saved_searches (
    id         TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    query      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (user_id, name)
);

-- migration 9
-- Start-up looks for models without a slug (made before migration 7) on every start: without
-- an index that is a scan of the whole table, seconds at a million models before the server
-- can listen (issue 12). The partial index holds only those rows, so it is empty once filled.
CREATE INDEX models_without_slug ON models (created_at) WHERE slug IS NULL;

-- migration 10
-- Named revisions of a repository (Hub `create_branch` / `create_tag`, issue 24): a tag never
-- moves; a branch other than `main` is a named pointer to a revision (commits go to `main`).
-- Gone with their revision or model.
CREATE TABLE repo_refs (
    model_id    TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('branch', 'tag')),
    name        TEXT NOT NULL,
    revision_id TEXT NOT NULL REFERENCES revisions (id) ON DELETE CASCADE,
    message     TEXT,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (model_id, kind, name)
);

-- migration 11
-- A model's lineage (issue 27): the model it derives from and how (the Hub's `base_model` and
-- `base_model_relation`), and the model that supersedes it. `base_name` keeps the base as a
-- model card names it when that base is not in this catalog. A deleted base or successor
-- leaves the row and clears the link.
CREATE TABLE model_lineage (
    model_id      TEXT PRIMARY KEY REFERENCES models (id) ON DELETE CASCADE,
    base_id       TEXT REFERENCES models (id) ON DELETE SET NULL,
    base_name     TEXT,
    relation      TEXT CHECK (relation IN ('finetune', 'quantized', 'adapter', 'merge')),
    superseded_by TEXT REFERENCES models (id) ON DELETE SET NULL
);
CREATE INDEX model_lineage_base ON model_lineage (base_id) WHERE base_id IS NOT NULL;
CREATE INDEX model_lineage_successor ON model_lineage (superseded_by) WHERE superseded_by IS NOT NULL;
