import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// Issue 10, "runs that say clean when they are not": what a scan could not read is listed in
/// `ScanResult.unreadable` (the command line exits 2 on it), never passed over as clean.
final class IncompleteScanTests: XCTestCase {
    static let rules: Set<String> = ["openai.project-key", "anthropic.api-key", "replicate.api-token"]

    func scan(_ paths: [String], since: String? = nil, limits: ScanLimits = ScanLimits()) throws -> ScanResult {
        try Scanner(matcher: Unprivileged.matcher(Self.rules)).run(ScanRequest(paths: paths, since: since, limits: limits))
    }

    func fingerprints(_ result: ScanResult) -> Set<String> { Set(result.findings.map(\.secret.fingerprint)) }

    // MARK: unreadable paths (run as nobody when the suite runs as root)

    func testUnreadableNamedPathsAndEntriesInsideAWalkAreListed() throws {
        var keys = CredentialFactory(seed: 1010)
        let readable = keys.openAIProjectKey()
        guard let dir = try Unprivileged.fixture(self, setUp: { dir in
            try write("OPENAI_API_KEY=\(readable)\n", to: "ok/a.env", in: dir)
            try write("ANTHROPIC_API_KEY=\(keys.anthropicAPIKey())\n", to: "ok/locked.env", in: dir)
            try write("ANTHROPIC_API_KEY=\(keys.anthropicAPIKey())\n", to: "ok/sealed/b.env", in: dir)
            try write("ANTHROPIC_API_KEY=\(keys.anthropicAPIKey())\n", to: "named-folder/c.env", in: dir)
            try write("ANTHROPIC_API_KEY=\(keys.anthropicAPIKey())\n", to: "named-file.env", in: dir)
            try write("ANTHROPIC_API_KEY=\(keys.anthropicAPIKey())\n", to: "hidden/inner.env", in: dir)
            for path in ["ok/locked.env", "ok/sealed", "named-folder", "named-file.env"] { chmod(dir + "/" + path, 0) }
            chmod(dir + "/hidden", 0o644)  // listable by its owner only, and not searchable by anyone
            self.addTeardownBlock {
                for path in ["ok/locked.env", "ok/sealed", "named-folder", "named-file.env", "hidden"] { chmod(dir + "/" + path, 0o755) }
            }
        }) else { return }
        let result = try scan([dir + "/ok", dir + "/named-folder", dir + "/named-file.env", dir + "/hidden/inner.env"])
        XCTAssertEqual(fingerprints(result), [Secret(readable).fingerprint], "what could be read is still scanned")
        let denied = "Permission denied"
        XCTAssertEqual(result.unreadable.sorted { $0.path < $1.path }, [
            UnreadableInput(path: dir + "/hidden/inner.env", reason: "unreadable", detail: denied),
            UnreadableInput(path: dir + "/named-file.env", reason: "unreadable", detail: denied),
            UnreadableInput(path: dir + "/named-folder", reason: "unreadable", detail: denied),
            UnreadableInput(path: dir + "/ok/locked.env", reason: "unreadable", detail: denied),
            UnreadableInput(path: dir + "/ok/sealed", reason: "unreadable", detail: denied),
        ])
        XCTAssertFalse(result.isComplete)
        XCTAssertEqual(result.tally.unreadableCount, 5)
        XCTAssertEqual(result.tally.skipped["unreadable"], 5)
        // Problems keep their paths relative to the scanned folder.
        XCTAssertTrue(result.tally.problems.contains(Problem(path: "sealed", reason: "unreadable: Permission denied")))
        XCTAssertTrue(result.tally.problems.contains(Problem(path: "locked.env", reason: "unreadable: Permission denied")))
    }

    // MARK: names that are not UTF-8

    func testNamesThatAreNotUTF8AreScannedAndShownWithEscapes() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory(seed: 1011)
        let files: [([UInt8], String)] = [
            (Array("a".utf8) + [0xFE] + Array(".env".utf8), keys.openAIProjectKey()),
            (Array("d".utf8) + [0xFF], keys.openAIProjectKey()),                              // a folder
            (Array("caf".utf8) + [0xE9, 0x2F] + Array("c".utf8) + [0xE9] + Array(".env".utf8), keys.anthropicAPIKey()),
            (Array("ü.env".utf8), keys.replicateToken()),
        ]
        for (name, key) in files {
            var path = Array(dir.utf8) + [0x2F] + name
            if name.last == 0xFF { path += Array("/b.env".utf8) }
            let parent = Array(path[..<path.lastIndex(of: 0x2F)!])
            _ = PathBytes.withCString(parent) { mkdir($0, 0o755) }
            let fd = PathBytes.withCString(path) { open($0, O_CREAT | O_WRONLY, 0o644) }
            XCTAssertGreaterThanOrEqual(fd, 0)
            let line = Array("TOKEN=\(key)\n".utf8)
            XCTAssertEqual(Foundation.write(fd, line, line.count), line.count)
            close(fd)
        }
        let result = try scan([dir])
        XCTAssertEqual(result.unreadable, [])
        XCTAssertEqual(result.tally.problems, [])
        let paths = Dictionary(result.findings.map { ($0.secret.fingerprint, $0.location.path) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(paths, [
            Secret(files[0].1).fingerprint: "a\\xfe.env",
            Secret(files[1].1).fingerprint: "d\\xff/b.env",
            Secret(files[2].1).fingerprint: "caf\\xe9/c\\xe9.env",
            Secret(files[3].1).fingerprint: "ü.env",
        ])

        // The same names in history: git stores names as bytes too.
        let repo = try GitFixtureRepository(path: dir + "/../\(UUID().uuidString)-raw.git", bare: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: repo.path) }
        let historyKey = keys.anthropicAPIKey()
        try GitRawFixture.commitFile(repository: repo.path, components: [[0x64, 0xFF], Array("k".utf8) + [0xE9, 0x2E, 0x65]],
                                     content: "ANTHROPIC_API_KEY=\(historyKey)\n")
        let history = try scan([repo.path])
        XCTAssertEqual(history.findings.map(\.location.path), ["d\\xff/k\\xe9.e"])
        XCTAssertEqual(history.findings.map(\.location.kind), [.git])
        XCTAssertEqual(history.unreadable, [])
    }

    func testDisplayEscapesOnlyBytesThatAreNotUTF8() {
        XCTAssertEqual(PathBytes.display(Array("plain/ü.env".utf8)), "plain/ü.env")
        XCTAssertEqual(PathBytes.display([0x61, 0xFF, 0x62]), "a\\xffb")
        // A truncated multi-byte sequence: each of its bytes is escaped, what follows is read again.
        XCTAssertEqual(PathBytes.display([0xE2, 0x82, 0x41]), "\\xe2\\x82A")
        XCTAssertEqual(PathBytes.display([0xC3, 0xA9, 0xC3]), "é\\xc3")
    }

    // MARK: --max-file-size

    func testAHugeMaxFileSizeSaturatesInsteadOfMakingEveryFileOversized() throws {
        XCTAssertEqual(ScanLimits.bytes(mebibytes: 25), 26_214_400)
        XCTAssertEqual(ScanLimits.bytes(mebibytes: Int.max >> 20), (Int.max >> 20) << 20)
        XCTAssertEqual(ScanLimits.bytes(mebibytes: (Int.max >> 20) + 1), Int.max)
        XCTAssertEqual(ScanLimits.bytes(mebibytes: Int.max), Int.max)
        XCTAssertEqual(ScanLimits(maxFileSizeMiB: Int.max).maxFileSize, Int.max)
        XCTAssertEqual(ScanLimits(maxFileSizeMiB: 3).maxFileSize, 3 << 20)
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory(seed: 1012)
        let key = keys.openAIProjectKey()
        try write("OPENAI_API_KEY=\(key)\n", to: "a.env", in: dir)
        let result = try scan([dir], limits: ScanLimits(maxFileSizeMiB: 8_796_093_022_207))  // Int.max >> 20: the largest that fits
        XCTAssertEqual(fingerprints(result), [Secret(key).fingerprint])
        XCTAssertNil(result.tally.skipped["oversized"])
        let saturated = try scan([dir], limits: ScanLimits(maxFileSizeMiB: Int.max))
        XCTAssertEqual(fingerprints(saturated), [Secret(key).fingerprint])
        XCTAssertNil(saturated.tally.skipped["oversized"])
    }

    // MARK: git: missing objects, damaged and shallow histories

    func testAWorkTreeFileWhoseBlobIsMissingFromHistoryIsScanned() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory(seed: 1013)
        let key = keys.openAIProjectKey()
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["app.env": "OPENAI_API_KEY=\(key)\n"], message: "m", date: "2026-01-01")
        try repo.checkout()
        let blob = Array("OPENAI_API_KEY=\(key)\n".utf8).withUnsafeBytes { GitBlobHasher.id(of: $0).hex }
        try FileManager.default.removeItem(atPath: dir + "/r/.git/objects/\(blob.prefix(2))/\(blob.dropFirst(2))")
        let result = try scan([dir + "/r"])
        // History could not give the blob, so the work tree's copy is what finds the key.
        XCTAssertEqual(result.findings.map(\.location.kind), [.file])
        XCTAssertEqual(result.findings.map(\.location.path), ["app.env"])
        XCTAssertEqual(fingerprints(result), [Secret(key).fingerprint])
        XCTAssertEqual(result.unreadable, [UnreadableInput(
            path: dir + "/r", reason: "missing-object",
            detail: "blob \(blob) at app.env cannot be read (missing: partial or damaged clone; libgit2: object not found - cannot read header for (\(blob)))")])
    }

    func testAHistoryNoCommitOfWhichCanBeReadIsUnreadableAndSaysWhy() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory(seed: 1014)
        let repo = try GitFixtureRepository(path: dir + "/r", bare: true)
        let first = try repo.commit(["a.env": "OPENAI_API_KEY=\(keys.openAIProjectKey())\n"], message: "1", date: "2026-01-01")
        let second = try repo.commit(["b.env": "OPENAI_API_KEY=\(keys.openAIProjectKey())\n"], message: "2", date: "2026-01-02")
        // Damage both commit objects: the bytes are no longer a zlib stream.
        for commit in [first, second] {
            let object = dir + "/r/objects/\(commit.prefix(2))/\(commit.dropFirst(2))"
            chmod(object, 0o644)
            try Data(repeating: 0x42, count: 64).write(to: URL(fileURLWithPath: object))
        }
        let result = try scan([dir + "/r"])
        XCTAssertEqual(result.tally.commits, 0)
        XCTAssertEqual(result.findings.count, 0)
        XCTAssertEqual(result.unreadable.map(\.reason), ["missing-object", "unreadable-history"])
        XCTAssertEqual(result.unreadable.map(\.path), [dir + "/r", dir + "/r"])
        XCTAssertEqual(result.unreadable.first?.detail, "commit \(second) cannot be read (damaged: libgit2: incorrect header check)")
        XCTAssertEqual(result.unreadable.last?.detail,
                       "no commit of the history could be read: the repository is damaged (incorrect header check)")
        // libgit2's leftover message from opening the repository is not passed off as the reason.
        XCTAssertFalse(result.tally.problems.contains { $0.reason.contains("init.defaultbranch") })
    }

    func testAShallowCloneIsNotReportedAsDamagedAndSinceBeyondItSaysHowToFetch() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory(seed: 1015)
        let old = keys.openAIProjectKey(), new = keys.anthropicAPIKey()
        let repo = try GitFixtureRepository(path: dir + "/r")
        let first = try repo.commit(["old.env": "OPENAI_API_KEY=\(old)\n"], message: "1", date: "2026-01-01")
        let boundary = try repo.commit(["new.env": "ANTHROPIC_API_KEY=\(new)\n"], message: "2", date: "2026-01-02")
        try repo.commit(["readme.txt": "hello\n"], message: "3", date: "2026-01-03")
        // What `git clone --depth 2` leaves: the boundary commit listed in .git/shallow, its parent not in the clone.
        try "\(boundary)\n".write(toFile: dir + "/r/.git/shallow", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: dir + "/r/.git/objects/\(first.prefix(2))/\(first.dropFirst(2))")
        let result = try scan([dir + "/r"])
        XCTAssertEqual(result.unreadable, [])
        XCTAssertEqual(result.tally.commits, 2)
        XCTAssertNil(result.tally.skipped["corrupt-repository"])
        XCTAssertNil(result.tally.skipped["missing-object"])
        XCTAssertEqual(result.tally.skipped["shallow-clone"], 1)
        XCTAssertEqual(result.tally.problems, [Problem(path: dir + "/r", reason: "shallow-clone: the history is cut at 1 commit; the commits in "
            + "the clone were scanned, older ones are not in it (to scan them: actions/checkout `fetch-depth: 0`, or `git fetch --unshallow`)")])
        XCTAssertEqual(fingerprints(result), [Secret(old).fingerprint, Secret(new).fingerprint], "the boundary commit's tree holds both")
        XCTAssertThrowsError(try scan([dir + "/r"], since: first)) { error in
            XCTAssertEqual("\(error)", "\(dir)/r: unknown revision '\(first)': this is a shallow clone, which does not hold the whole history; "
                           + "fetch it for --since (actions/checkout: `fetch-depth: 0`; or `git fetch --unshallow`)")
        }
    }

    // MARK: deep trees

    /// A tree nested 30,000 deep crashed the recursive walk (SIGSEGV) and kept every level's path prefix alive
    /// (20,000 deep: 486 MB).
    func testATreeNestedThirtyThousandDeepIsWalked() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory(seed: 1016)
        let key = keys.openAIProjectKey()
        let repo = try GitFixtureRepository(path: dir + "/deep.git", bare: true)
        let depth = 30_000
        try GitRawFixture.commitFile(repository: repo.path, components: Array(repeating: [0x64], count: depth) + [Array("k.env".utf8)],
                                     content: "OPENAI_API_KEY=\(key)\n")
        let result = try scan([repo.path])
        XCTAssertEqual(result.unreadable, [])
        XCTAssertEqual(fingerprints(result), [Secret(key).fingerprint])
        XCTAssertEqual(result.findings.first?.location.path, String(repeating: "d/", count: depth) + "k.env")
        XCTAssertEqual(result.findings.first?.location.line, 1)
        XCTAssertEqual(result.tally.blobs, 1)
    }
}
