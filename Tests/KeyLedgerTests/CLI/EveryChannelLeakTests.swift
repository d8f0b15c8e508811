import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// The promise that matters most, tested as one: secrets planted in every input channel keyledger reads — scanned
/// content, allow-marker reasons, file and folder names, git authors, remote URLs, provider exports, keyledger.yml,
/// rule files, baseline reasons and owners, command-line arguments — appear in no output channel: any format on
/// stdout or in a file, stderr, the history store's bytes, the baseline file, `register` and `report` from the store.
final class EveryChannelLeakTests: XCTestCase {
    struct Planted {
        var all: [String] = []
        mutating func add(_ s: String) -> String { all.append(s); return s }
    }

    func testSecretsPlantedInEveryInputReachNoOutput() throws {
        var f = CredentialFactory(seed: 0x5EC2E7)
        var planted = Planted()
        let dir = try temporaryDirectory(self)

        // Scanned content, with a second secret (and a `…`-joined one) in the allow marker's reason.
        let contentKey = planted.add(f.openAIProjectKey())
        let aws = f.awsKeyPair()
        let reasonSecret = planted.add(aws.secret)
        let reasonJoined = planted.add(f.anthropicAPIKey())
        // Names: a folder, a file, a git author and email, a remote URL.
        let folderKey = planted.add(f.slackBotToken())
        let fileKey = planted.add(f.gitHubToken())
        let authorKey = planted.add(f.huggingFaceToken())
        let emailKey = planted.add(f.gitHubToken(prefix: "ghs"))
        let remoteToken = planted.add(f.gitHubToken(prefix: "gho"))
        // Exports: a redaction hint holding almost the whole key, key names that are keys.
        let hinted = planted.add(f.openAIProjectKey())
        let nameKey = planted.add(f.anthropicAPIKey())
        let aliasKey = planted.add(f.groqKey())
        // Configuration, rules, baseline, arguments.
        let contactKey = planted.add(f.perplexityKey())
        let configErrorKey = planted.add(f.replicateToken())
        let rulesErrorKey = planted.add(f.openRouterKey())
        let reasonArgKey = planted.add(f.gitHubToken(prefix: "ghu"))
        let ownerArgKey = planted.add(f.slackBotToken())
        let sinceKey = planted.add(f.gitHubToken(prefix: "ghr"))
        let asOfKey = planted.add(f.huggingFaceToken())
        let pathKey = planted.add(f.perplexityKey())
        let stagedKey = planted.add(f.anthropicAPIKey())
        // An unknown format no rule knows: only the shape net can catch it.
        let shapeKey = planted.add("zq" + f.random(38, from: CredentialFactory.alnum))

        let repo = dir + "/repo"
        let git = try GitFixtureRepository(path: repo)
        try git.setOrigin("deploy:\(remoteToken)@git.example.org:acme/payments.git")
        try git.commit([
            "app/.env": """
            OPENAI_API_KEY=\(contentKey) # keyledger:allow fixture, old aws secret \(reasonSecret) and x…\(reasonJoined)
            """,
            // Each named file holds a key, so its name (a key itself) lands in a location's path.
            "\(folderKey)/settings.env": "OPENAI_API_KEY=\(f.openAIProjectKey())\n",
            "notes/\(fileKey).env": "OPENAI_API_KEY=\(f.openAIProjectKey())\n",
            "vendor/\(shapeKey).env": "OPENAI_API_KEY=\(f.openAIProjectKey())\n",
            "evil\u{1B}]0;pwned\u{07}.env": "OPENAI_API_KEY=\(f.openAIProjectKey())\n",
        ], message: "add config", author: authorKey, email: "\(emailKey)@users.example.org", date: "2026-11-01")
        try git.checkout()

        let exports = dir + "/exports"
        try FileManager.default.createDirectory(atPath: exports, withIntermediateDirectories: true)
        try """
        {"object":"list","data":[
         {"object":"organization.project.api_key","id":"key_hint1","name":"\(nameKey)","created_at":1772323200,
          "redacted_value":"\(hinted.dropLast(6))…\(hinted.suffix(4))","owner":{"type":"user","user":{"id":"user_1","email":"a@acme.example","name":"A"}}}
        ],"first_id":"key_hint1","last_id":"key_hint1","has_more":false}
        """.write(toFile: exports + "/openai-project-api-keys.json", atomically: true, encoding: .utf8)
        let aliasHash = Secret(f.groqKey()).sha256Hex
        try """
        {"keys":[{"token":"\(aliasHash)","key_alias":"\(aliasKey)","team_id":"t1","blocked":false,"models":["gpt-4o"]}],"total_count":1}
        """.write(toFile: exports + "/litellm-keys.json", atomically: true, encoding: .utf8)

        let config = dir + "/keyledger.yml"
        try """
        owners:
          - team: payments
            contact: \(contactKey)
            repositories: ["*"]
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let badConfig = dir + "/bad.yml"
        try "owners:\n  - team: [payments\n    contact: \(configErrorKey) }\n".write(toFile: badConfig, atomically: true, encoding: .utf8)
        let badRules = dir + "/rules"
        try FileManager.default.createDirectory(atPath: badRules, withIntermediateDirectories: true)
        try "rules:\n  - id: x\n    pattern: '\(rulesErrorKey)\n    : [\n".write(toFile: badRules + "/bad.yml", atomically: true, encoding: .utf8)

        var outputs: [(what: String, text: String)] = []
        func run(_ what: String, _ arguments: [String], cwd: String? = nil) throws {
            let r = try runKeyledger(arguments, cwd: cwd)
            outputs.append(("\(what) stdout", r.stdout))
            outputs.append(("\(what) stderr", r.stderr))
        }
        let scan = ["scan", repo, "--exports", exports, "--config", config, "--as-of", "2026-11-20"]
        for format in RegisterFormat.allCases {
            try run("scan --format \(format.rawValue)", scan + ["--format", format.rawValue])
            let file = dir + "/out.\(format.rawValue)"
            try run("scan --output \(format.rawValue)", scan + ["--format", format.rawValue, "--output", file])
            outputs.append(("file \(format.rawValue)", try String(contentsOfFile: file, encoding: .utf8)))
        }
        // Baseline reasons and owners typed on the command line, then read back into a scan and its SARIF.
        let baseline = dir + "/baseline.json"
        try run("baseline", ["baseline", repo, "--output", baseline, "--reason", "accepted \(reasonArgKey)",
                             "--owner", ownerArgKey, "--as-of", "2026-11-20"])
        outputs.append(("baseline file", try String(contentsOfFile: baseline, encoding: .utf8)))
        try run("scan --baseline sarif", scan + ["--baseline", baseline, "--format", "sarif"])
        try run("scan --baseline json", scan + ["--baseline", baseline, "--format", "json"])
        // The store, and everything read back from it. The scans recorded there ask the providers (`--validate`) through
        // a gateway that echoes secrets into every field an answer fills (identity, organisation, scopes): the store's
        // validation answers are written by the first scan and reused by the second.
        let echoed = [contentKey, contactKey]
        let gateway = try LocalHTTPServer { _ in
            .init(status: 200, headers: ["X-OAuth-Scopes": "repo, \(echoed[0])", "openai-organization": echoed[1]],
                  body: #"{"login":"\#(echoed[0])","name":"\#(echoed[1])","data":[{"id":"\#(echoed[0])"}],"#
                      + #""auth":{"accessToken":{"displayName":"\#(echoed[1])","role":"write"}}}"#)
        }
        defer { gateway.stop() }
        let validateConfig = dir + "/keyledger-validate.yml"
        try (String(contentsOfFile: config, encoding: .utf8) + "\nendpoints:\n" + ["openai", "anthropic", "github", "huggingface"]
            .map { "  \($0): \(gateway.baseURL)/\($0)\n" }.joined() + "validation:\n  cache_for: 7d\n")
            .write(toFile: validateConfig, atomically: true, encoding: .utf8)
        let store = dir + "/history.sqlite"
        let recorded = ["scan", repo, "--exports", exports, "--config", validateConfig, "--as-of", "2026-11-20", "--validate"]
        try run("scan --db --validate", recorded + ["--db", store, "--format", "json"])
        let asked = gateway.requests.count
        try run("scan --db --validate (reused)", recorded + ["--db", store, "--format", "csv"])
        XCTAssertEqual(gateway.requests.count, asked, "the second scan reused the stored answers")
        for suffix in ["", "-wal", "-shm", "-journal"] where FileManager.default.fileExists(atPath: store + suffix) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: store + suffix))
            outputs.append(("store bytes\(suffix)", String(decoding: bytes, as: UTF8.self)))
        }
        for format in ["csv", "json", "md"] { try run("register \(format)", ["register", "--db", store, "--format", format]) }
        for format in ["html", "md"] { try run("report \(format)", ["report", "--db", store, "--as-of", "2026-11-20", "--format", format]) }
        // Error paths: the offending text is named, never quoted in clear.
        try run("bad config", ["scan", repo, "--config", badConfig])
        try run("bad rules", ["scan", repo, "--rules", badRules])
        try run("--since", ["scan", repo, "--since", sinceKey])
        try run("--as-of", ["scan", repo, "--as-of", asOfKey])
        try run("--fail-on", ["scan", repo, "--fail-on", asOfKey])
        try run("missing path", ["scan", dir + "/missing/" + pathKey])
        try run("missing export", ["scan", repo, "--exports", dir + "/" + pathKey + ".json"])
        // The pre-commit path: a staged key, the hook's message on stderr.
        try git.stage("staged.env", content: "ANTHROPIC_API_KEY=\(stagedKey)\n")
        try run("scan --staged", ["scan", "--staged"], cwd: repo)

        XCTAssertGreaterThan(outputs.count, 40)
        for (what, text) in outputs {
            assertNoPlaintext(text, planted.all, what)
            if !what.hasPrefix("store bytes") && !what.hasPrefix("file html") {
                XCTAssertFalse(text.contains("\u{1B}]0;"), "\(what) passes a terminal escape from a file name through")
            }
        }
        // The channels really carried the planted material (the test is not passing on empty outputs).
        let json = try String(contentsOfFile: dir + "/out.json", encoding: .utf8)
        XCTAssertTrue(json.contains(Secret(contentKey).redacted), "the content key is reported, redacted")
        XCTAssertTrue(json.contains("git.example.org:acme/payments.git"), "the repository keeps its name without the token")
        XCTAssertTrue(json.contains("pwned"), "the escaped file name is still shown")
        XCTAssertFalse(outputs.first { $0.what == "--since stderr" }?.text.isEmpty ?? true, "the --since error is reported")
        XCTAssertGreaterThan(asked, 0, "the recorded scan asked the providers")
        let kept = try HistoryStore.open(path: store)
        defer { kept.close() }
        XCTAssertFalse(try kept.storedValidations().isEmpty, "the store kept validation answers (its bytes were read above)")
        XCTAssertTrue(outputs.first { $0.what == "scan --db --validate (reused) stdout" }?.text.contains(",active,") ?? false,
                      "the second scan reports the reused answers")
    }

    func testRemoteURLsLoseEveryFormOfEmbeddedCredential() {
        XCTAssertEqual(GitRepository.stripCredentials("https://x-access-token:tok123@github.com/acme/a.git"), "https://github.com/acme/a.git")
        XCTAssertEqual(GitRepository.stripCredentials("https://tok123@github.com/acme/a.git"), "https://github.com/acme/a.git")
        XCTAssertEqual(GitRepository.stripCredentials("deploy:tok123@gitlab.example.org:acme/a.git"), "gitlab.example.org:acme/a.git")
        XCTAssertEqual(GitRepository.stripCredentials("git@github.com:acme/a.git"), "git@github.com:acme/a.git")
        XCTAssertEqual(GitRepository.stripCredentials("https://gitlab.example.org/acme/a.git?private_token=tok123"), "https://gitlab.example.org/acme/a.git")
        XCTAssertEqual(GitRepository.stripCredentials("https://gitlab.example.org/acme/a.git#tok123"), "https://gitlab.example.org/acme/a.git")
        XCTAssertEqual(GitRepository.stripCredentials("https://host/a@b/c.git"), "https://host/a@b/c.git")
    }
}
