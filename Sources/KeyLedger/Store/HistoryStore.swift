import Foundation

/// One scan recorded in the history store.
public struct RecordedScan: Sendable, Equatable {
    public var id: Int64
    /// The scan's "today" (`YYYY-MM-DD`), which the weekly report and `register --as-of` select by.
    public var asOf: String
    public var generatedAt: String
    public var recordedAt: String
    public var targets: [String]
    public var credentials: Int
    public var spend30d: Double
    public var currency: String
    public var attributedSpendRatio: Double
    /// False for a scan recorded by schema version 1, whose register is rebuilt from the tables.
    public var hasRegisterJSON: Bool
}

/// The history store: every recorded scan's register in one SQLite file, so the weekly report can say what
/// changed since last week and `keyledger register` can export the register of any recorded scan.
///
/// Each scan is written in one transaction — the scan row with the whole register JSON, then per credential
/// its fingerprint, redacted form, identity, owner, exposure, usage, daily spend, risk factors, severity,
/// treatments, controls and status in normalised tables — so a scan killed midway leaves the store exactly as
/// it was. Beside the scans it keeps the latest lasting answer of `scan --validate` per fingerprint
/// (`StoredValidation`), which later scans reuse for a while instead of asking the provider again. The store holds
/// only what the register holds: fingerprints and redacted forms, never a secret.
///
/// SQLite is used through its C API (the `CSQLite` system-library shim over Debian's `libsqlite3-dev` /
/// Homebrew's `sqlite`) rather than GRDB: the store needs a handful of prepared statements, one transaction
/// per scan and `PRAGMA user_version` migrations, which a ~200-line wrapper (`SQLiteConnection`) covers;
/// GRDB would add a large Swift package to every CI build for features (observation, record protocols,
/// pools) that a command-line tool writing one scan at a time does not use.
public final class HistoryStore {
    public let path: String
    let connection: SQLiteConnection

    /// Called inside the recording transaction after each credential is written (written, total); the crash
    /// test uses it to kill a recording process midway.
    var afterCredentialWritten: ((Int, Int) -> Void)?

    /// The schema version this keyledger writes.
    public static var schemaVersion: Int { StoreSchema.currentVersion }

    private init(path: String, connection: SQLiteConnection) {
        self.path = path
        self.connection = connection
    }

    /// Opens the store at `path`, creating it (and its folder) when missing and upgrading one written by an
    /// older keyledger. A store written by a newer keyledger, or a file that is not a keyledger store, is refused.
    public static func open(path: String) throws -> HistoryStore {
        try refuseURL(path)
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw StoreError(path: path, message: "cannot create the folder for the history store (\(error.localizedDescription))")
            }
        }
        return try connect(path: path)
    }

    /// Opens an existing store for reading (`report`, `register`); a missing file is an error that says how to make one.
    public static func openExisting(path: String) throws -> HistoryStore {
        try refuseURL(path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw StoreError(path: path, message: "no history store here (record scans into it with `keyledger scan … --db \(path)`)")
        }
        return try connect(path: path)
    }

    /// A `--db postgres://…` (or any URL) is not a file path: taken as one it created a `postgres:/…` folder in the
    /// current directory. Refused until a shared back-end exists; the URL is not repeated (it may hold a password).
    static func refuseURL(_ path: String) throws {
        if path.contains("://") {
            throw StoreError(path: "--db", message: "a URL is not a history store path (only SQLite files are supported so far; give a file path)")
        }
    }

    /// Opens, checks and (when needed) creates or upgrades the store. Several processes may do this at once on the
    /// same new file (two `scan --db` runs, a `report` while a scan records), so every step is idempotent and the
    /// sequence is safe to repeat:
    /// - the identity check (schema version, application id, tables) reads one snapshot, so it never sees a store
    ///   half-created by another process (it once read "version 0", then that process's committed tables, and
    ///   refused the store as "not a keyledger history store");
    /// - WAL journal mode is set once per file (persistent), before any write, and only on a file that is a keyledger
    ///   store or empty, so another program's database is never changed;
    /// - schema creation and migration run in one `BEGIN IMMEDIATE` transaction that re-reads `user_version` after
    ///   taking the write lock, so only the first process creates the tables and the others find them;
    /// - the busy timeout makes each step wait for the others; where SQLite answers "database is locked" at once
    ///   instead of waiting (a journal-mode change, which it will not wait for lest two connections deadlock), the
    ///   whole sequence is retried after a short pause, for up to `openRetrySeconds`.
    private static func connect(path: String) throws -> HistoryStore {
        let connection = try SQLiteConnection(path: path)
        let store = HistoryStore(path: path, connection: connection)
        let deadline = Date().addingTimeInterval(openRetrySeconds)
        var attempt = 0
        while true {
            do {
                try store.prepare()
                return store
            } catch let error as StoreError where error.isBusy && Date() < deadline {
                attempt += 1
                // 1–8 ms, growing to 20–50 ms: a creating process holds the lock for a few milliseconds.
                usleep(UInt32.random(in: attempt < 5 ? 1_000...8_000 : 20_000...50_000))
            }
        }
    }

    /// How long opening retries when SQLite refuses to wait for another process's lock.
    static let openRetrySeconds: TimeInterval = 30

    private func prepare() throws {
        let version = try connection.readTransaction { try checkIdentity() }
        let mode = try connection.query("PRAGMA journal_mode").first?.string("journal_mode")?.lowercased()
        if mode != "wal" {
            // WAL: a reader (report) never blocks the writer; an interrupted transaction is simply never committed.
            try connection.execute("PRAGMA journal_mode = WAL")
        }
        try connection.execute("PRAGMA foreign_keys = ON")
        // FULL: a committed scan survives a power cut, not only a killed process; one fsync per scan is cheap.
        try connection.execute("PRAGMA synchronous = FULL")
        if version < StoreSchema.currentVersion { try migrate() }
    }

    /// Closes the connection (also done when the store is released).
    public func close() { connection.close() }

    private func newerVersionError(_ version: Int) -> StoreError {
        StoreError(path: path, message: "written by a newer keyledger (store schema version \(version); this keyledger "
            + "reads versions up to \(StoreSchema.currentVersion)). Upgrade keyledger, or record into a new --db file.")
    }

    /// Refuses files that are not keyledger stores, stores newer than this keyledger understands and stores whose
    /// version no keyledger writes (a negative `user_version`); returns the store's schema version. Call it inside a
    /// transaction so the version, the application id and the tables are read from one snapshot.
    @discardableResult
    private func checkIdentity() throws -> Int {
        let version = try connection.userVersion
        if version > StoreSchema.currentVersion { throw newerVersionError(version) }
        if version < 0 {
            throw StoreError(path: path, message: "not a keyledger history store (SQLite user_version \(version); keyledger writes "
                + "versions 1 to \(StoreSchema.currentVersion)); choose another --db file")
        }
        let application = try connection.query("PRAGMA application_id").first?.int("application_id") ?? 0
        if application != 0 && application != Int(StoreSchema.applicationID) {
            throw StoreError(path: path, message: "not a keyledger history store (SQLite application id \(application))")
        }
        if version == 0 {
            let tables = try connection.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .compactMap { $0.string("name") }
            if !tables.isEmpty {
                throw StoreError(path: path, message: "not a keyledger history store (it already has tables: "
                    + tables.prefix(5).joined(separator: ", ") + "); choose another --db file")
            }
        }
        return version
    }

    /// Creates the schema, or brings an older store up to it, all steps in one transaction.
    private func migrate() throws {
        try connection.transaction {
            // Another process may have created or migrated the store since it was checked: check again under the lock.
            let version = try checkIdentity()
            guard version < StoreSchema.currentVersion else { return }
            for next in version..<StoreSchema.currentVersion {
                try connection.execute(StoreSchema.migrations[next])
                try connection.execute("PRAGMA user_version = \(next + 1)")
            }
            try connection.execute("PRAGMA application_id = \(StoreSchema.applicationID)")
        }
    }

    // MARK: Recording

    /// Records `register` as one scan, in one transaction; returns the scan's id. `validations` (the answers this
    /// run got from providers, `scan --validate`) replace the stored ones in the same transaction.
    @discardableResult
    public func record(_ register: Register, validations: [StoredValidation] = [], recordedAt: Date = Date()) throws -> Int64 {
        let json = try JSONReporter.render(register)
        let targets = String(decoding: try JSONEncoder().encode(register.scan.targets), as: UTF8.self)
        return try connection.transaction {
            let s = register.scan, m = register.summary
            let scanID = try connection.run("""
                INSERT INTO scans (as_of, generated_at, recorded_at, targets, commits, blobs, files, bytes, duration_ms,
                                   credentials, spend_30d, currency, attributed_spend_ratio, register_json)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.text(register.asOf), .text(register.generatedAt), .text(ISODate.timestamp(recordedAt)), .text(targets),
                      SQLValue(s.commits), SQLValue(s.blobs), SQLValue(s.files), SQLValue(s.bytes), SQLValue(s.durationMs),
                      SQLValue(register.credentials.count), SQLValue(m.spend30d), .text(m.currency),
                      SQLValue(m.attributedSpendRatio), .text(json)])
            for (ordinal, c) in register.credentials.enumerated() {
                try write(c, ordinal: ordinal, scanID: scanID)
                afterCredentialWritten?(ordinal + 1, register.credentials.count)
            }
            try write(validations)
            return scanID
        }
    }

    private func write(_ c: CredentialRecord, ordinal: Int, scanID: Int64) throws {
        let row = try connection.run("""
            INSERT INTO credentials (scan_id, ordinal, credential_id, fingerprint, redacted, provider, kind, rule,
                key_id, identity_name, principal, account, owner_team, owner_contact, owner_source, cost_centre,
                first_seen, last_seen, in_head, locations_count, repositories, created, age_days, last_used,
                spend_30d, spend_7d, requests_30d, tokens_30d, currency, usage_link, privilege, score, severity,
                status, provider_status)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(scanID), SQLValue(ordinal), .text(c.id), SQLValue(c.fingerprint), .text(c.redacted),
                  .text(c.provider), .text(c.kind), SQLValue(c.rule),
                  SQLValue(c.identity.keyId), SQLValue(c.identity.name), SQLValue(c.identity.principal), SQLValue(c.identity.account),
                  SQLValue(c.owner.team), SQLValue(c.owner.contact), .text(c.owner.source.rawValue), SQLValue(c.owner.costCentre),
                  SQLValue(c.exposure.firstSeen), SQLValue(c.exposure.lastSeen), SQLValue(c.exposure.inHead),
                  SQLValue(c.exposure.locationsCount), SQLValue(c.exposure.repositories),
                  SQLValue(c.created), SQLValue(c.ageDays), SQLValue(c.lastUsed),
                  SQLValue(c.usage.spend30d), SQLValue(c.usage.spend7d), SQLValue(c.usage.requests30d), SQLValue(c.usage.tokens30d),
                  .text(c.usage.currency), SQLValue(c.usage.link), .text(c.privilege.level.rawValue),
                  SQLValue(c.risk.score), .text(c.risk.severity.rawValue), .text(c.status.rawValue), SQLValue(c.providerStatus)])
        for (i, l) in c.locations.enumerated() {
            try connection.run("""
                INSERT INTO locations (credential_row, ordinal, kind, repository, path, line, commit_id, author, date, in_head)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.integer(row), SQLValue(i), .text(l.kind), SQLValue(l.repository), .text(l.path), SQLValue(l.line),
                      SQLValue(l.commit), SQLValue(l.author), SQLValue(l.date), SQLValue(l.inHead)])
        }
        for day in c.usage.daily ?? [] {
            // A register lists each day once; should an importer repeat one, the day's values add up.
            try connection.run("""
                INSERT INTO daily_usage (credential_row, day, cost, tokens, requests) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (credential_row, day) DO UPDATE SET cost = cost + excluded.cost,
                    tokens = tokens + excluded.tokens, requests = requests + excluded.requests
                """, [.integer(row), .text(day.date), SQLValue(day.cost), SQLValue(day.tokens), SQLValue(day.requests)])
        }
        for (i, f) in c.risk.factors.enumerated() {
            try connection.run("INSERT INTO risk_factors (credential_row, ordinal, factor_id, points, reason) VALUES (?, ?, ?, ?, ?)",
                               [.integer(row), SQLValue(i), .text(f.id), SQLValue(f.points), .text(f.reason)])
        }
        for (i, t) in c.treatment.enumerated() {
            try connection.run("INSERT INTO treatments (credential_row, ordinal, action, due) VALUES (?, ?, ?, ?)",
                               [.integer(row), SQLValue(i), .text(t.action.rawValue), SQLValue(t.due)])
        }
        for control in Set(c.controls) {
            try connection.run("INSERT INTO controls (credential_row, control) VALUES (?, ?)", [.integer(row), .text(control)])
        }
    }

    // MARK: Reading

    private static let scanColumns = """
        id, as_of, generated_at, recorded_at, targets, credentials, spend_30d, currency, attributed_spend_ratio,
        register_json IS NOT NULL AS has_json
        """

    private func scan(_ row: SQLRow) -> RecordedScan {
        let targets = row.string("targets").flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
        return RecordedScan(id: row.int64("id") ?? 0, asOf: row.string("as_of") ?? "", generatedAt: row.string("generated_at") ?? "",
                            recordedAt: row.string("recorded_at") ?? "", targets: targets, credentials: row.int("credentials") ?? 0,
                            spend30d: row.double("spend_30d") ?? 0, currency: row.string("currency") ?? "USD",
                            attributedSpendRatio: row.double("attributed_spend_ratio") ?? 0, hasRegisterJSON: row.bool("has_json") ?? false)
    }

    /// Every recorded scan, oldest first (by as-of date, then by the order they were recorded).
    public func scans() throws -> [RecordedScan] {
        try connection.query("SELECT \(Self.scanColumns) FROM scans ORDER BY as_of, id").map(scan)
    }

    /// The latest scan whose as-of date is on or before `day` (`YYYY-MM-DD`), or the latest of all.
    public func latestScan(onOrBefore day: String? = nil) throws -> RecordedScan? {
        if let day {
            return try connection.query("SELECT \(Self.scanColumns) FROM scans WHERE as_of <= ? ORDER BY as_of DESC, id DESC LIMIT 1",
                                        [.text(day)]).first.map(scan)
        }
        return try connection.query("SELECT \(Self.scanColumns) FROM scans ORDER BY as_of DESC, id DESC LIMIT 1").first.map(scan)
    }

    /// The register recorded with `scan`: its JSON, or for a scan recorded by schema version 1, rebuilt from the tables.
    public func register(of scan: RecordedScan) throws -> Register {
        if let json = try connection.query("SELECT register_json FROM scans WHERE id = ?", [.integer(scan.id)]).first?.string("register_json"),
           let register = try? JSONDecoder().decode(Register.self, from: Data(json.utf8)) {
            return register
        }
        return try registerFromTables(scanID: scan.id)
    }

    /// Rebuilds a register from the normalised tables (scans recorded before the register JSON was kept).
    func registerFromTables(scanID: Int64) throws -> Register {
        guard let s = try connection.query("SELECT * FROM scans WHERE id = ?", [.integer(scanID)]).first else {
            throw StoreError(path: path, message: "no recorded scan with id \(scanID)")
        }
        let rows = try connection.query("SELECT * FROM credentials WHERE scan_id = ? ORDER BY ordinal", [.integer(scanID)])
        func children(_ table: String, order: String) throws -> [Int64: [SQLRow]] {
            var out: [Int64: [SQLRow]] = [:]
            for row in try connection.query("""
                SELECT t.* FROM \(table) t JOIN credentials c ON c.row = t.credential_row WHERE c.scan_id = ? ORDER BY t.\(order)
                """, [.integer(scanID)]) {
                out[row.int64("credential_row") ?? 0, default: []].append(row)
            }
            return out
        }
        let locations = try children("locations", order: "ordinal")
        let daily = try children("daily_usage", order: "day")
        let factors = try children("risk_factors", order: "ordinal")
        let treatments = try children("treatments", order: "ordinal")
        let controls = try children("controls", order: "control")
        var bySeverity = ["critical": 0, "high": 0, "medium": 0, "low": 0]
        let credentials: [CredentialRecord] = rows.map { r in
            let key = r.int64("row") ?? 0
            let severity = r.string("severity").flatMap(Severity.init(rawValue:)) ?? .low
            bySeverity[severity.rawValue, default: 0] += 1
            let days = (daily[key] ?? []).map {
                DailyUsageRecord(date: $0.string("day") ?? "", cost: $0.double("cost") ?? 0, tokens: $0.int("tokens") ?? 0,
                                 requests: $0.int("requests") ?? 0)
            }
            let identity = Identity(keyId: r.string("key_id"), name: r.string("identity_name"), principal: r.string("principal"),
                                    account: r.string("account"))
            return CredentialRecord(
                id: r.string("credential_id") ?? "", fingerprint: r.string("fingerprint"), redacted: r.string("redacted") ?? "",
                provider: r.string("provider") ?? "", kind: r.string("kind") ?? "", rule: r.string("rule"), identity: identity,
                owner: Owner(team: r.string("owner_team"), contact: r.string("owner_contact"), source: r.string("owner_source").flatMap(OwnerSource.init(rawValue:)) ?? .none,
                             costCentre: r.string("cost_centre")),
                exposure: Exposure(firstSeen: r.string("first_seen"), lastSeen: r.string("last_seen"), inHead: r.bool("in_head") ?? false,
                                   locationsCount: r.int("locations_count") ?? 0, repositories: r.int("repositories") ?? 0),
                locations: (locations[key] ?? []).map {
                    LocationRecord(kind: $0.string("kind") ?? "file", repository: $0.string("repository"), path: $0.string("path") ?? "",
                                   line: $0.int("line"), commit: $0.string("commit_id"), author: $0.string("author"),
                                   date: $0.string("date"), inHead: $0.bool("in_head"), rule: nil, note: nil)
                },
                created: r.string("created"), ageDays: r.int("age_days"), lastUsed: r.string("last_used"),
                usage: Usage(spend30d: r.double("spend_30d") ?? 0, spend7d: r.double("spend_7d") ?? 0,
                             requests30d: r.int("requests_30d") ?? 0, tokens30d: r.int("tokens_30d") ?? 0,
                             currency: r.string("currency") ?? "USD", link: r.string("usage_link"), estimated: nil,
                             daily: days.isEmpty ? nil : days),
                privilege: Privilege(level: PrivilegeLevel(text: r.string("privilege"))),
                risk: Risk(score: r.int("score") ?? 0, severity: severity, factors: (factors[key] ?? []).map {
                    RiskFactor(id: $0.string("factor_id") ?? "", points: $0.int("points") ?? 0, reason: $0.string("reason") ?? "")
                }),
                controls: (controls[key] ?? []).compactMap { $0.string("control") },
                treatment: (treatments[key] ?? []).compactMap { t in t.string("action").flatMap(TreatmentAction.init(rawValue:)).map { Treatment(action: $0, due: t.string("due")) } },
                status: r.string("status").flatMap(CredentialStatus.init(rawValue:)) ?? .open, providerStatus: r.string("provider_status"),
                notes: ["rebuilt from the history store's tables (recorded before the full register was kept)"])
        }
        let targets = s.string("targets").flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
        return Register(
            generatedAt: s.string("generated_at") ?? "", asOf: s.string("as_of") ?? "",
            scan: ScanSummary(targets: targets, commits: s.int("commits") ?? 0, blobs: s.int("blobs") ?? 0, files: s.int("files") ?? 0,
                              bytes: s.int("bytes") ?? 0, durationMs: s.int("duration_ms") ?? 0, skipped: [:], problems: [], rules: 0,
                              exports: nil),
            summary: Summary(credentials: credentials.count, bySeverity: bySeverity, spend30d: s.double("spend_30d") ?? 0,
                             currency: s.string("currency") ?? "USD", attributedSpendRatio: s.double("attributed_spend_ratio") ?? 0),
            credentials: credentials)
    }
}
