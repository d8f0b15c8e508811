import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// Archives built with libarchive's writer (the same bytes `zip`, `tar`, `gzip` and `docker save` produce), scanned
/// from folders and from git history.
final class ArchiveInputTests: XCTestCase {
    private func writeBytes(_ bytes: [UInt8], to relative: String, in root: String) throws {
        let full = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: full))
    }

    func testEveryArchiveFormatNamesTheMemberPath() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        var expected: [(secret: String, path: String)] = []
        let formats: [(ArchiveFixture.Format, String)] = [(.zip, "dist/app.whl"), (.tar, "backup/etc.tar"), (.tarGzip, "release/app.tgz"),
                                                           (.tarBzip2, "old/conf.tar.bz2"), (.tarXz, "old/conf.tar.xz"),
                                                           (.sevenZip, "vault/keys.7z")]
        for (format, name) in formats {
            let key = keys.openAIProjectKey()
            try writeBytes(try ArchiveFixture.make(format, members: [("README.md", Array("# app\n".utf8)),
                                                                     ("app/settings.py", Array("OPENAI_API_KEY = \"\(key)\"\n".utf8))]),
                           to: name, in: dir)
            expected.append((key, "\(name)!app/settings.py"))
        }
        let gzKey = keys.anthropicAPIKey()
        try writeBytes(try ArchiveFixture.make(.gzipStream, members: [("data", Array("{\"anthropic\": \"\(gzKey)\"}\n".utf8))]),
                       to: "exports/settings.json.gz", in: dir)
        expected.append((gzKey, "exports/settings.json.gz!settings.json"))

        let (result, register) = try scanRegister([dir])
        for (secret, path) in expected {
            let c = try XCTUnwrap(register.credential(for: secret), "nothing found in \(path)")
            XCTAssertEqual(c.locations.map(\.path), [path])
            XCTAssertEqual(c.locations.first?.line, path.hasSuffix("settings.json") ? 1 : 1)
        }
        XCTAssertEqual(register.credentials.count, expected.count)
        XCTAssertEqual(result.tally.skipped["binary"] ?? 0, 0)
    }

    func testNestedArchivesAndKubernetesSecretsInside() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let token = keys.gitHubToken()
        let secretYAML = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci\ndata:\n  GITHUB_TOKEN: \(Data(token.utf8).base64EncodedString())\n"
        let inner = try ArchiveFixture.make(.zip, members: [("k8s/secret.yaml", Array(secretYAML.utf8))])
        let outer = try ArchiveFixture.make(.tarGzip, members: [("lib/chart.zip", inner)])
        try writeBytes(outer, to: "charts.tgz", in: dir)
        let (_, register) = try scanRegister([dir])
        let c = try XCTUnwrap(register.credential(for: token))
        XCTAssertEqual(c.rule, "github.classic-token")
        XCTAssertEqual(c.locations.first?.path, "charts.tgz!lib/chart.zip!k8s/secret.yaml")
        XCTAssertEqual(c.locations.first?.note, "base64 in Kubernetes Secret ci data.GITHUB_TOKEN")
    }

    func testDockerSaveImageLayersCarryTheirDigest() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.huggingFaceToken()
        let (tarball, digests) = try ArchiveFixture.dockerSave(layers: [
            [("usr/bin/tool", Array("#!/bin/sh\necho ok\n".utf8))],
            [("app/.env", Array("HF_TOKEN=\(key)\n".utf8))],
        ])
        try writeBytes(tarball, to: "images/api.tar", in: dir)
        let (_, register) = try scanRegister([dir])
        let c = try XCTUnwrap(register.credential(for: key))
        XCTAssertEqual(c.locations.first?.path, "images/api.tar!blobs/sha256/\(digests[1])!app/.env")
    }

    func testArchiveInGitHistory() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.groqKey()
        let zip = try ArchiveFixture.make(.zip, members: [("pkg/config.py", Array("GROQ_API_KEY = '\(key)'\n".utf8))])
        let repo = try GitFixtureRepository(path: dir + "/repo")
        try repo.commit(["dist/pkg-1.0.whl": repo.binaryContent(zip)], message: "add wheel", date: "2026-10-01")
        let (_, register) = try scanRegister([dir + "/repo"])
        let c = try XCTUnwrap(register.credential(for: key))
        XCTAssertEqual(c.locations.first?.path, "dist/pkg-1.0.whl!pkg/config.py")
        XCTAssertEqual(c.locations.first?.kind, "git")
    }

    func testCompressionBombIsSkippedAndCounted() throws {
        let dir = try temporaryDirectory(self)
        // 100 MiB of one letter compress to a few hundred KiB: far beyond the 200:1 ratio after the first 64 MiB.
        let zeros = [UInt8](repeating: 0x41, count: 100 << 20)
        try writeBytes(try ArchiveFixture.make(.tarGzip, members: [("a.txt", zeros)]), to: "bomb.tgz", in: dir)
        let (result, register) = try scanRegister([dir], maxFileSize: 200 << 20)
        XCTAssertEqual(register.credentials.count, 0)
        XCTAssertEqual(result.tally.skipped["archive-limit"], 1)
        XCTAssertTrue(result.tally.problems.contains { $0.path == "bomb.tgz!a.txt" && $0.reason.hasPrefix("archive-limit") })
    }

    func testOversizedMemberAndDamagedArchiveAreReportedNotFatal() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.perplexityKey()
        let big = [UInt8](repeating: 0x61, count: 3 << 20)
        try writeBytes(try ArchiveFixture.make(.zip, members: [("big.txt", big), ("ok.env", Array("PPLX=\(key)\n".utf8))]),
                       to: "mixed.zip", in: dir)
        var damaged = try ArchiveFixture.make(.tarGzip, members: [("x.txt", Array(repeating: 0x62, count: 100_000))])
        damaged.removeLast(damaged.count / 2)
        try writeBytes(damaged, to: "damaged.tgz", in: dir)
        let (result, register) = try scanRegister([dir], maxFileSize: 1 << 20)
        XCTAssertNotNil(register.credential(for: key), "members after a skipped one are still scanned")
        XCTAssertTrue(result.tally.problems.contains { $0.path == "mixed.zip!big.txt" && $0.reason.hasPrefix("oversized") })
        XCTAssertTrue(result.tally.problems.contains { $0.path.hasPrefix("damaged.tgz") && $0.reason.hasPrefix("unreadable-archive") })
    }

    /// A vendored wheel's own test suite carries the package author's fixtures (auth0's test JWTs and RSA keys in
    /// crewAI's history): counted as skipped, not reported; the package's other files are still scanned.
    func testPublishedPackageTestFilesAreCountedNotReported() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let fixtureKey = keys.privateKeyPEM()
        let shippedKey = keys.openAIProjectKey()
        let wheel = try ArchiveFixture.make(.zip, members: [
            ("authlib/test/test_verifier.py", Array("KEY = \"\"\"\(fixtureKey)\"\"\"\n".utf8)),
            ("authlib/settings.py", Array("OPENAI_API_KEY = '\(shippedKey)'\n".utf8)),
            ("authlib-1.0.dist-info/METADATA", Array("Name: authlib\n".utf8)),
        ])
        try writeBytes(wheel, to: "copied_wheels/authlib-1.0-py3-none-any.whl", in: dir)
        try writeBytes(wheel, to: "backup/authlib-1.0.zip", in: dir)
        let (result, register) = try scanRegister([dir])
        XCTAssertEqual(result.tally.skipped["package-test-fixture"], 1)
        let fixture = try XCTUnwrap(register.credential(for: CredentialDecoders.normalizePEM(fixtureKey)) ?? register.credentials.first { $0.rule == "generic.private-key" })
        XCTAssertEqual(fixture.locations.map(\.path), ["backup/authlib-1.0.zip!authlib/test/test_verifier.py"],
                       "the same file in a plain zip is not a published package: reported")
        XCTAssertEqual(register.credential(for: shippedKey)?.locations.count, 2)
    }
}
