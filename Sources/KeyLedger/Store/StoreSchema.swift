import Foundation

/// The history store's tables, one migration per schema version. `PRAGMA user_version` records the version a
/// store is at; opening an older store runs the missing migrations in one transaction, a newer one is refused.
///
/// Version 1: scans, credentials (fingerprint, redacted form, identity, owner, exposure, usage totals, score,
/// severity, status), locations and daily usage.
/// Version 2: the whole register JSON per scan (so fields the register contract gains later survive without
/// a migration), risk factors, treatments and controls, provider status, identity account and cost centre.
/// Version 3: `validations`, the validation cache of `scan --validate`: per credential fingerprint the latest answer
/// that said something lasting (`active` or `revoked`), when it was given, and what it told about the identity.
///
/// Never a plaintext secret: every column holds a value the register itself carries (fingerprints and
/// redacted forms only).
enum StoreSchema {
    /// The version this keyledger writes and reads.
    static let currentVersion = 3

    /// `PRAGMA application_id` of a keyledger store ("KLDG"), so another program's SQLite file is not mistaken for one.
    static let applicationID: Int32 = 0x4B4C_4447

    /// `migrations[n - 1]` takes a store from version n - 1 to version n.
    static let migrations: [String] = [version1, version2, version3]

    static let version1 = """
    CREATE TABLE scans (
        id INTEGER PRIMARY KEY,
        as_of TEXT NOT NULL,
        generated_at TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        targets TEXT NOT NULL,
        commits INTEGER NOT NULL,
        blobs INTEGER NOT NULL,
        files INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        credentials INTEGER NOT NULL,
        spend_30d REAL NOT NULL,
        currency TEXT NOT NULL,
        attributed_spend_ratio REAL NOT NULL
    );
    CREATE INDEX scans_by_as_of ON scans(as_of, id);
    CREATE TABLE credentials (
        row INTEGER PRIMARY KEY,
        scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        credential_id TEXT NOT NULL,
        fingerprint TEXT,
        redacted TEXT NOT NULL,
        provider TEXT NOT NULL,
        kind TEXT NOT NULL,
        rule TEXT,
        key_id TEXT,
        identity_name TEXT,
        principal TEXT,
        owner_team TEXT,
        owner_contact TEXT,
        owner_source TEXT NOT NULL,
        first_seen TEXT,
        last_seen TEXT,
        in_head INTEGER NOT NULL,
        locations_count INTEGER NOT NULL,
        repositories INTEGER NOT NULL,
        created TEXT,
        age_days INTEGER,
        last_used TEXT,
        spend_30d REAL NOT NULL,
        spend_7d REAL NOT NULL,
        requests_30d INTEGER NOT NULL,
        tokens_30d INTEGER NOT NULL,
        currency TEXT NOT NULL,
        usage_link TEXT,
        privilege TEXT NOT NULL,
        score INTEGER NOT NULL,
        severity TEXT NOT NULL,
        status TEXT NOT NULL,
        UNIQUE (scan_id, ordinal)
    );
    CREATE INDEX credentials_by_id ON credentials(credential_id, scan_id);
    CREATE INDEX credentials_by_fingerprint ON credentials(fingerprint);
    CREATE TABLE locations (
        credential_row INTEGER NOT NULL REFERENCES credentials(row) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        kind TEXT NOT NULL,
        repository TEXT,
        path TEXT NOT NULL,
        line INTEGER,
        commit_id TEXT,
        author TEXT,
        date TEXT,
        in_head INTEGER,
        PRIMARY KEY (credential_row, ordinal)
    );
    CREATE TABLE daily_usage (
        credential_row INTEGER NOT NULL REFERENCES credentials(row) ON DELETE CASCADE,
        day TEXT NOT NULL,
        cost REAL NOT NULL,
        tokens INTEGER NOT NULL,
        requests INTEGER NOT NULL,
        PRIMARY KEY (credential_row, day)
    );
    """

    static let version2 = """
    ALTER TABLE scans ADD COLUMN register_json TEXT;
    ALTER TABLE credentials ADD COLUMN provider_status TEXT;
    ALTER TABLE credentials ADD COLUMN account TEXT;
    ALTER TABLE credentials ADD COLUMN cost_centre TEXT;
    CREATE TABLE risk_factors (
        credential_row INTEGER NOT NULL REFERENCES credentials(row) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        factor_id TEXT NOT NULL,
        points INTEGER NOT NULL,
        reason TEXT NOT NULL,
        PRIMARY KEY (credential_row, ordinal)
    );
    CREATE INDEX risk_factors_by_id ON risk_factors(factor_id);
    CREATE TABLE treatments (
        credential_row INTEGER NOT NULL REFERENCES credentials(row) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        action TEXT NOT NULL,
        due TEXT,
        PRIMARY KEY (credential_row, ordinal)
    );
    CREATE TABLE controls (
        credential_row INTEGER NOT NULL REFERENCES credentials(row) ON DELETE CASCADE,
        control TEXT NOT NULL,
        PRIMARY KEY (credential_row, control)
    );
    """

    /// One row per fingerprint (the plain `sha256:` of the secret the register already carries, never the secret),
    /// overwritten by a newer answer. `unknown` and `error` are never stored: they are retried on the next run.
    /// `principal`, `account`, `privilege` and `scopes` are what the answer said (a GitHub login and its scopes), so
    /// a reused result fills in the identity as the call itself would have; every text passed the run's sanitiser.
    static let version3 = """
    CREATE TABLE validations (
        fingerprint TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        rule TEXT,
        status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
        checked_at TEXT NOT NULL,
        detail TEXT NOT NULL,
        principal TEXT,
        account TEXT,
        privilege TEXT,
        scopes TEXT
    );
    """
}
