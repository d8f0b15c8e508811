import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// Issue 10: a key used as a file or folder name, or as a git author's name or email, was never reported.
final class KeysInNamesTests: XCTestCase {
    let matcher = try! Unprivileged.matcher(["openai.project-key", "anthropic.api-key", "replicate.api-token"])

    struct Seen: Equatable {
        let secret: String, kind: FoundLocation.Kind, path: String, name: FoundLocation.NamePart?, note: String?, commit: String?
    }

    func seen(_ result: ScanResult, _ keys: [String]) -> [Seen] {
        let byFingerprint = Dictionary(keys.map { (Secret($0).fingerprint, $0) }, uniquingKeysWith: { a, _ in a })
        return result.findings.map { f in
            Seen(secret: byFingerprint[f.secret.fingerprint].map { Secret($0).redacted } ?? "unknown", kind: f.location.kind,
                 path: scrubbed(f.location.path, keys), name: f.location.name, note: f.location.note, commit: f.location.commit)
        }.sorted { ($0.path, $0.secret) < ($1.path, $1.secret) }
    }

    func testKeysUsedAsFileAndFolderNamesInAFolderAreFound() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory(seed: 1050)
        let fileKey = keys.openAIProjectKey(), folderKey = keys.anthropicAPIKey()
        try write("nothing here\n", to: "notes/\(fileKey)", in: dir)
        try write("nothing here\n", to: "\(folderKey)/readme.txt", in: dir)
        let result = try Scanner(matcher: matcher).run(ScanRequest(paths: [dir]))
        XCTAssertEqual(seen(result, [fileKey, folderKey]), [
            Seen(secret: Secret(fileKey).redacted, kind: .file, path: "notes/" + Secret(fileKey).redacted, name: .fileName, note: "in the file's name", commit: nil),
            Seen(secret: Secret(folderKey).redacted, kind: .file, path: Secret(folderKey).redacted, name: .folderName, note: "in the folder's name", commit: nil),
        ])
        XCTAssertEqual(result.findings.map(\.location.line), [nil, nil])
    }

    func testKeysUsedAsNamesInHistoryAndAsTheCommitAuthorAreFound() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory(seed: 1051)
        let fileKey = keys.openAIProjectKey(), authorKey = keys.replicateToken(), emailKey = keys.anthropicAPIKey()
        let repo = try GitFixtureRepository(path: dir + "/r")
        let first = try repo.commit(["cfg/\(fileKey)": "x\n"], message: "1", author: authorKey, email: "ci@example.org", date: "2026-01-01")
        let second = try repo.commit(["b.txt": "y\n"], message: "2", author: "Dev", email: emailKey, date: "2026-01-02")
        try repo.checkout()  // the key-named file is in the work tree too: found once, in history
        let result = try Scanner(matcher: matcher).run(ScanRequest(paths: [dir + "/r"]))
        let author = "\(authorKey) <ci@example.org>"
        XCTAssertEqual(seen(result, [fileKey, authorKey, emailKey]), [
            Seen(secret: Secret(authorKey).redacted, kind: .git, path: "", name: .commitAuthor, note: "in the commit's author (name or email)", commit: first),
            Seen(secret: Secret(emailKey).redacted, kind: .git, path: "", name: .commitAuthor, note: "in the commit's author (name or email)", commit: second),
            Seen(secret: Secret(fileKey).redacted, kind: .git, path: "cfg/" + Secret(fileKey).redacted, name: .fileName, note: "in the file's name", commit: first),
        ])
        let file = try XCTUnwrap(result.findings.first { $0.location.name == .fileName })
        XCTAssertTrue(file.location.author == author, "the author carries the key too (the output sanitiser redacts it)")
        XCTAssertTrue(file.location.current, "the file is still in HEAD")
        XCTAssertEqual(file.location.lastSeen, ISODate.parse("2026-01-02").map { Int64($0.timeIntervalSince1970) + 12 * 3600 })
    }
}
