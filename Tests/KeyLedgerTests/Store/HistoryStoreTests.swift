import XCTest
import CSQLite
import KeyLedgerFixtures
@testable import KeyLedger

/// The history store: round trip, migrations, refusals, and what the report reads back from it.
final class HistoryStoreTests: XCTestCase {
    func count(_ store: HistoryStore, _ table: String) throws -> Int {
        try store.connection.query("SELECT COUNT(*) AS n FROM \(table)").first?.int("n") ?? -1
    }

    func testRecordsAndReadsBackEachScan() throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/history/keyledger.sqlite"
        let (previous, current) = WeeklyReportFixture.registers()
        let store = try HistoryStore.open(path: path)
        XCTAssertNil(try store.latestScan())
        let first = try store.record(previous, recordedAt: Date(timeIntervalSince1970: 1_763_000_000))
        let second = try store.record(current)
        XCTAssertLessThan(first, second)

        let scans = try store.scans()
        XCTAssertEqual(scans.map(\.asOf), ["2026-11-13", "2026-11-20"])
        XCTAssertEqual(scans.map(\.credentials), [previous.credentials.count, current.credentials.count])
        XCTAssertEqual(scans[0].recordedAt, ISODate.timestamp(Date(timeIntervalSince1970: 1_763_000_000)))
        XCTAssertEqual(scans[0].targets, previous.scan.targets)
        XCTAssertTrue(scans.allSatisfy(\.hasRegisterJSON))
        XCTAssertEqual(try store.register(of: scans[0]), previous)
        XCTAssertEqual(try store.register(of: scans[1]), current)
        XCTAssertEqual(try store.register(of: scans[1]).credentials.first { $0.id == "kl_bedrock" }?.risk.factors.last?.evidence?.since,
                       "2026-11-12", "factor evidence is kept with the register")
        XCTAssertEqual(try store.latestScan()?.asOf, "2026-11-20")
        XCTAssertEqual(try store.latestScan(onOrBefore: "2026-11-19")?.asOf, "2026-11-13")
        XCTAssertNil(try store.latestScan(onOrBefore: "2026-11-12"))

        // The normalised tables hold every credential, location, day of usage, factor and treatment.
        let all = previous.credentials + current.credentials
        XCTAssertEqual(try count(store, "credentials"), all.count)
        XCTAssertEqual(try count(store, "locations"), all.reduce(0) { $0 + $1.locations.count })
        XCTAssertEqual(try count(store, "daily_usage"), all.reduce(0) { $0 + ($1.usage.daily?.count ?? 0) })
        XCTAssertEqual(try count(store, "risk_factors"), all.reduce(0) { $0 + $1.risk.factors.count })
        XCTAssertEqual(try count(store, "treatments"), all.reduce(0) { $0 + $1.treatment.count })
        let bedrock = try store.connection.query("""
            SELECT severity, score, owner_team, principal, provider_status FROM credentials WHERE credential_id = 'kl_bedrock'
            """)
        XCTAssertEqual(bedrock.count, 1)
        XCTAssertEqual(bedrock.first?.string("severity"), "critical")
        XCTAssertEqual(bedrock.first?.int("score"), 100)
        XCTAssertEqual(bedrock.first?.string("owner_team"), "ml-platform")
        let anomalies = try store.connection.query("SELECT COUNT(*) AS n FROM risk_factors WHERE factor_id LIKE 'spend.anomaly%'")
        XCTAssertEqual(anomalies.first?.int("n"), 1)

        // The tables alone rebuild the register's contents (what a version-1 store offers).
        let rebuilt = try store.registerFromTables(scanID: scans[1].id)
        XCTAssertEqual(rebuilt.credentials.map(\.id), current.credentials.map(\.id))
        for (a, b) in zip(rebuilt.credentials, current.credentials) {
            XCTAssertEqual(a.fingerprint, b.fingerprint)
            XCTAssertEqual(a.locations, b.locations)
            XCTAssertEqual(a.usage.daily, b.usage.daily)
            // The tables keep each factor's id, points and reason; its evidence lives in the register JSON (read back whole above).
            var withoutEvidence = b.risk
            for i in withoutEvidence.factors.indices { withoutEvidence.factors[i].evidence = nil }
            XCTAssertEqual(a.risk, withoutEvidence)
            XCTAssertEqual(a.treatment, b.treatment)
            XCTAssertEqual(Set(a.controls), Set(b.controls))
            XCTAssertEqual(a.owner.team, b.owner.team)
            XCTAssertEqual(a.providerStatus, b.providerStatus)
        }
        XCTAssertEqual(rebuilt.summary.bySeverity, current.summary.bySeverity)

        // Earliest due dates across the recorded scans, which the pipeline carries into the next register.
        let due = try store.continuity(onOrBefore: scans[1].asOf).firstDue
        XCTAssertEqual(due["kl_openai"]?["revoke"], "2026-11-14")
        XCTAssertEqual(due["kl_bedrock"]?["revoke"], "2026-11-21")
        XCTAssertEqual(try store.continuity(onOrBefore: scans[0].asOf).firstDue["kl_bedrock"], nil)
        store.close()

        // Reopened, the store reads the same.
        let again = try HistoryStore.openExisting(path: path)
        XCTAssertEqual(try again.scans().count, 2)
        XCTAssertEqual(try again.connection.userVersion, HistoryStore.schemaVersion)
    }

    func testReportFromTheStoreComparesScansAPeriodApart() throws {
        let dir = try temporaryDirectory(self)
        let store = try HistoryStore.open(path: dir + "/h.sqlite")
        let (previous, current) = WeeklyReportFixture.registers()
        var older = previous
        older.asOf = "2026-11-06"
        try store.record(older)
        try store.record(previous)
        try store.record(current)

        let weekly = try WeeklyReport.build(store: store, periodDays: 7, budgets: WeeklyReportBudgets(budgets: ["payments": 1000]))
        XCTAssertEqual(weekly.current.asOf, "2026-11-20")
        XCTAssertEqual(weekly.previous?.asOf, "2026-11-13")
        XCTAssertEqual(weekly.overdue.map(\.credential.id), ["kl_openai"], "held to the due date first recorded, 2026-11-14")
        XCTAssertEqual(weekly.newCredentials.map(\.id), ["kl_bedrock", "kl_hostile"])

        let pastWeek = try WeeklyReport.build(store: store, asOf: "2026-11-16", periodDays: 7)
        XCTAssertEqual(pastWeek.current.asOf, "2026-11-13")
        XCTAssertEqual(pastWeek.previous?.asOf, "2026-11-06")
        XCTAssertEqual(pastWeek.asOf, "2026-11-16")
        XCTAssertTrue(pastWeek.notes.contains("The latest scan on or before 2026-11-16 is of 2026-11-13."))

        // No scan a full period earlier: compare with the earliest, and say so.
        let fortnight = try WeeklyReport.build(store: store, periodDays: 30)
        XCTAssertEqual(fortnight.previous?.asOf, "2026-11-06")
        XCTAssertTrue(fortnight.notes.contains { $0.contains("No scan is recorded 30 days before 2026-11-20") })

        XCTAssertThrowsError(try WeeklyReport.build(store: store, asOf: "2026-01-01")) { error in
            XCTAssertTrue("\(error)".contains("no scan recorded on or before 2026-01-01"), "\(error)")
        }
    }

    /// A version-1 store, written by hand the way the first schema laid it out (not from `StoreSchema`, so an
    /// accidental edit of the shipped migration shows up here).
    func makeVersion1Store(at path: String) throws {
        let db = try SQLiteConnection(path: path)
        try db.execute("""
            CREATE TABLE scans (id INTEGER PRIMARY KEY, as_of TEXT NOT NULL, generated_at TEXT NOT NULL, recorded_at TEXT NOT NULL,
                targets TEXT NOT NULL, commits INTEGER NOT NULL, blobs INTEGER NOT NULL, files INTEGER NOT NULL, bytes INTEGER NOT NULL,
                duration_ms INTEGER NOT NULL, credentials INTEGER NOT NULL, spend_30d REAL NOT NULL, currency TEXT NOT NULL,
                attributed_spend_ratio REAL NOT NULL);
            CREATE INDEX scans_by_as_of ON scans(as_of, id);
            CREATE TABLE credentials (row INTEGER PRIMARY KEY, scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL, credential_id TEXT NOT NULL, fingerprint TEXT, redacted TEXT NOT NULL, provider TEXT NOT NULL,
                kind TEXT NOT NULL, rule TEXT, key_id TEXT, identity_name TEXT, principal TEXT, owner_team TEXT, owner_contact TEXT,
                owner_source TEXT NOT NULL, first_seen TEXT, last_seen TEXT, in_head INTEGER NOT NULL, locations_count INTEGER NOT NULL,
                repositories INTEGER NOT NULL, created TEXT, age_days INTEGER, last_used TEXT, spend_30d REAL NOT NULL,
                spend_7d REAL NOT NULL, requests_30d INTEGER NOT NULL, tokens_30d INTEGER NOT NULL, currency TEXT NOT NULL,
                usage_link TEXT, privilege TEXT NOT NULL, score INTEGER NOT NULL, severity TEXT NOT NULL, status TEXT NOT NULL,
                UNIQUE (scan_id, ordinal));
            CREATE INDEX credentials_by_id ON credentials(credential_id, scan_id);
            CREATE INDEX credentials_by_fingerprint ON credentials(fingerprint);
            CREATE TABLE locations (credential_row INTEGER NOT NULL REFERENCES credentials(row) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL, kind TEXT NOT NULL, repository TEXT, path TEXT NOT NULL, line INTEGER, commit_id TEXT,
                author TEXT, date TEXT, in_head INTEGER, PRIMARY KEY (credential_row, ordinal));
            CREATE TABLE daily_usage (credential_row INTEGER NOT NULL REFERENCES credentials(row) ON DELETE CASCADE,
                day TEXT NOT NULL, cost REAL NOT NULL, tokens INTEGER NOT NULL, requests INTEGER NOT NULL,
                PRIMARY KEY (credential_row, day));
            INSERT INTO scans VALUES (1, '2026-11-06', '2026-11-06T06:00:00Z', '2026-11-06T06:01:00Z', '["estate/payments-api"]',
                40, 120, 9, 50000, 800, 1, 310.5, 'USD', 1.0);
            INSERT INTO credentials VALUES (1, 1, 0, 'kl_openai', 'sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
                'sk-proj-Ab…wxyz', 'openai', 'project-key', 'openai.project-key', 'key_pay01', NULL, 'user_sam', 'payments',
                NULL, 'owners-file', '2026-10-01', '2026-11-06', 1, 1, 1, NULL, 36, NULL, 310.5, 90.0, 0, 0, 'USD', 'exact',
                'write', 55, 'medium', 'open');
            INSERT INTO locations VALUES (1, 0, 'git', 'payments-api', 'app/.env', 1, 'c0ffee', 'Sam Ortiz', '2026-10-01T09:00:00Z', 1);
            INSERT INTO daily_usage VALUES (1, '2026-11-05', 45.0, 1000, 10);
            INSERT INTO daily_usage VALUES (1, '2026-11-06', 40.0, 1000, 10);
            PRAGMA application_id = 1263289415;
            PRAGMA user_version = 1;
            """)
        db.close()
    }

    func testUpgradesAVersion1StoreOnOpen() throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/v1.sqlite"
        try makeVersion1Store(at: path)

        let store = try HistoryStore.open(path: path)
        XCTAssertEqual(try store.connection.userVersion, 3)
        for table in ["risk_factors", "treatments", "controls", "validations"] { XCTAssertEqual(try count(store, table), 0) }
        let old = try XCTUnwrap(try store.latestScan())
        XCTAssertFalse(old.hasRegisterJSON)
        let register = try store.register(of: old)
        XCTAssertEqual(register.asOf, "2026-11-06")
        XCTAssertEqual(register.credentials.count, 1)
        let c = try XCTUnwrap(register.credentials.first)
        XCTAssertEqual(c.id, "kl_openai")
        XCTAssertEqual(c.risk.severity, .medium)
        XCTAssertEqual(c.owner.team, "payments")
        XCTAssertEqual(c.locations.first?.path, "app/.env")
        XCTAssertEqual(c.usage.daily?.map(\.date), ["2026-11-05", "2026-11-06"])
        XCTAssertNil(c.providerStatus)

        // New scans go in beside the old one, and the report compares across the upgrade.
        let (_, current) = WeeklyReportFixture.registers()
        var weekLater = current
        weekLater.asOf = "2026-11-13"
        try store.record(weekLater)
        XCTAssertEqual(try store.scans().map(\.hasRegisterJSON), [false, true])
        let weekly = try WeeklyReport.build(store: store, periodDays: 7)
        XCTAssertEqual(weekly.previous?.asOf, "2026-11-06")
        XCTAssertEqual(weekly.severityChanges.first { $0.credential.id == "kl_openai" }?.from, "medium")
        store.close()

        // Upgrading is done once: reopening finds the current version.
        let reopened = try HistoryStore.open(path: path)
        XCTAssertEqual(try reopened.scans().count, 2)
    }

    /// A version-2 store (the version before the validation cache), its migration written by hand as keyledger wrote
    /// it, holding a scan whose register carries validation answers: it opens, gains `validations` (empty: the old
    /// answers are not guessed into it), reads back, and the next `--validate --db` scan keeps its answers there.
    func testUpgradesAVersion2StoreOnOpen() throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/v2.sqlite"
        try makeVersion1Store(at: path)
        var (_, current) = WeeklyReportFixture.registers()
        current.asOf = "2026-11-13"
        current.credentials[0].validation = CredentialValidation(status: .active, checkedAt: "2026-11-13T06:00:00Z", detail: "HTTP 200 from api.openai.com")
        let json = String(decoding: try JSONEncoder().encode(current), as: UTF8.self).replacingOccurrences(of: "'", with: "''")
        let db = try SQLiteConnection(path: path)
        try db.execute("""
            ALTER TABLE scans ADD COLUMN register_json TEXT;
            ALTER TABLE credentials ADD COLUMN provider_status TEXT;
            ALTER TABLE credentials ADD COLUMN account TEXT;
            ALTER TABLE credentials ADD COLUMN cost_centre TEXT;
            CREATE TABLE risk_factors (credential_row INTEGER NOT NULL REFERENCES credentials(row) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL, factor_id TEXT NOT NULL, points INTEGER NOT NULL, reason TEXT NOT NULL,
                PRIMARY KEY (credential_row, ordinal));
            CREATE INDEX risk_factors_by_id ON risk_factors(factor_id);
            CREATE TABLE treatments (credential_row INTEGER NOT NULL REFERENCES credentials(row) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL, action TEXT NOT NULL, due TEXT, PRIMARY KEY (credential_row, ordinal));
            CREATE TABLE controls (credential_row INTEGER NOT NULL REFERENCES credentials(row) ON DELETE CASCADE,
                control TEXT NOT NULL, PRIMARY KEY (credential_row, control));
            INSERT INTO scans (id, as_of, generated_at, recorded_at, targets, commits, blobs, files, bytes, duration_ms, credentials,
                spend_30d, currency, attributed_spend_ratio, register_json)
            VALUES (2, '2026-11-13', '2026-11-13T06:00:00Z', '2026-11-13T06:01:00Z', '[]', 0, 0, 0, 0, 0, 0, 0, 'USD', 1.0, '\(json)');
            PRAGMA user_version = 2;
            """)
        db.close()

        let store = try HistoryStore.open(path: path)
        XCTAssertEqual(try store.connection.userVersion, 3)
        XCTAssertEqual(try count(store, "validations"), 0)
        XCTAssertEqual(try store.storedValidations().count, 0)
        let latest = try XCTUnwrap(try store.latestScan())
        XCTAssertEqual(try store.register(of: latest).credentials[0].validation?.status, .active, "the old register reads back")
        let answer = StoredValidation(fingerprint: "sha256:" + String(repeating: "b", count: 64), provider: "openai", rule: "openai.project-key",
                                      validation: CredentialValidation(status: .revoked, checkedAt: "2026-11-20T06:00:00Z", detail: "HTTP 401"))
        var next = current
        next.asOf = "2026-11-20"
        try store.record(next, validations: [answer])
        XCTAssertEqual(try store.storedValidations(), [answer.fingerprint: answer])
        XCTAssertEqual(try WeeklyReport.build(store: store, periodDays: 7).previous?.asOf, "2026-11-13")
        store.close()
    }

    func testRefusesAStoreWrittenByANewerKeyledger() throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/future.sqlite"
        let db = try SQLiteConnection(path: path)
        try db.execute("CREATE TABLE scans (id INTEGER PRIMARY KEY); PRAGMA application_id = 1263289415; PRAGMA user_version = 7;")
        db.close()
        XCTAssertThrowsError(try HistoryStore.open(path: path)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix(path + ": written by a newer keyledger"), message)
            XCTAssertTrue(message.contains("store schema version 7"), message)
            XCTAssertTrue(message.contains("versions up to \(HistoryStore.schemaVersion)"), message)
        }
        // Refusing changed nothing.
        let check = try SQLiteConnection(path: path)
        XCTAssertEqual(try check.userVersion, 7)
    }

    func testRefusesFilesThatAreNotKeyledgerStores() throws {
        let dir = try temporaryDirectory(self)
        let other = dir + "/other.sqlite"
        let db = try SQLiteConnection(path: other)
        try db.execute("CREATE TABLE notes (body TEXT)")
        db.close()
        XCTAssertThrowsError(try HistoryStore.open(path: other)) { error in
            XCTAssertTrue("\(error)".contains("not a keyledger history store (it already has tables: notes)"), "\(error)")
        }
        let text = dir + "/notes.txt"
        try "just some text, long enough to fill a header of an SQLite database file; not a database at all\n"
            .write(toFile: text, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try HistoryStore.open(path: text)) { error in
            XCTAssertTrue("\(error)".hasPrefix(text + ": "), "\(error)")
            XCTAssertTrue("\(error)".contains("not an SQLite database"), "\(error)")
        }
        XCTAssertThrowsError(try HistoryStore.openExisting(path: dir + "/missing.sqlite")) { error in
            XCTAssertTrue("\(error)".contains("no history store here"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/missing.sqlite"), "reading never creates a store")
    }

    /// Scans a folder of generated keys, records it, and reads the store's raw bytes: fingerprints, never secrets.
    func testStoreHoldsNoPlaintextSecret() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let aws = keys.awsKeyPair()
        let secrets = [keys.openAIProjectKey(), keys.anthropicAPIKey(), keys.gitHubToken(), keys.huggingFaceToken(), aws.secret,
                       keys.groqKey(), keys.slackBotToken()]
        try write("OPENAI_API_KEY=\(secrets[0])\nANTHROPIC_API_KEY=\(secrets[1])\n", to: "svc/.env", in: dir)
        try write("token: \(secrets[2])\nhf: \(secrets[3])\n", to: "svc/config.yaml", in: dir)
        try write("[default]\naws_access_key_id = \(aws.id)\naws_secret_access_key = \(aws.secret)\n", to: "svc/aws/credentials", in: dir)
        try write("GROQ_API_KEY = \"\(secrets[5])\"\nSLACK = \"\(secrets[6])\"\n", to: "svc/app.py", in: dir)
        let (_, register) = try scanRegister([dir + "/svc"])
        // Every planted secret is found (the AWS key id is part of its pair's credential, not one of its own).
        for secret in secrets { XCTAssertNotNil(register.credential(for: secret), "\(Secret(secret).redacted) not in the register") }
        XCTAssertEqual(register.credentials.count, secrets.count)

        let path = dir + "/store/keyledger.sqlite"
        let store = try HistoryStore.open(path: path)
        try store.record(register)
        let report = try WeeklyReport.build(store: store)
        assertNoPlaintext(WeeklyReportHTML.render(report), secrets, "HTML report")
        assertNoPlaintext(WeeklyReportMarkdown.render(report), secrets, "Markdown report")
        store.close()

        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/store")
        XCTAssertTrue(files.contains("keyledger.sqlite"))
        var bytes = Data()
        for file in files { bytes += try Data(contentsOf: URL(fileURLWithPath: dir + "/store/" + file)) }
        for secret in secrets {
            XCTAssertNil(bytes.range(of: Data(secret.utf8)), "the store holds the plaintext of \(Secret(secret).redacted)")
        }
        // …while it does hold what the register holds.
        for record in register.credentials {
            XCTAssertNotNil(bytes.range(of: Data(record.fingerprint!.utf8)), "fingerprint of \(record.redacted) is recorded")
        }
    }
}
