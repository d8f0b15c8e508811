import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

final class DirectoryInputTests: XCTestCase {
    func testConfigStoreFormats() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let envKey = keys.openAIProjectKey()
        let yamlKey = keys.mistralKey()
        let tfKey = keys.azureOpenAIKey()
        let tfstateKey = keys.anthropicAPIKey()
        let aws = keys.awsKeyPair()
        let slack = keys.slackBotToken()
        let dockerToken = keys.gitHubToken()
        let notebookKey = keys.huggingFaceToken()
        let sa = keys.gcpServiceAccountJSON(project: "proj-7", account: "loader")
        let ini = keys.deepSeekKey()
        try write("# prod\nOPENAI_API_KEY=\(envKey)\n", to: ".env.production", in: dir)
        try write("llm:\n  mistral_api_key: \"\(yamlKey)\"\n", to: "config/app.yaml", in: dir)
        try write("azure_openai_endpoint = \"https://acme.openai.azure.com/\"\nazure_openai_key = \"\(tfKey)\"\n", to: "infra/main.tfvars", in: dir)
        try write("{\"resources\":[{\"instances\":[{\"attributes\":{\"value\":\"\(tfstateKey)\"}}]}]}\n", to: "infra/terraform.tfstate", in: dir)
        try write("[default]\naws_access_key_id = \(aws.id)\naws_secret_access_key = \(aws.secret)\n", to: "home/.aws/credentials", in: dir)
        try write("apiVersion: v1\nkind: Secret\nmetadata:\n  name: bots\ndata:\n  SLACK_BOT_TOKEN: \(Data(slack.utf8).base64EncodedString())\n", to: "k8s/secret.yaml", in: dir)
        let auth = Data("ci-bot:\(dockerToken)".utf8).base64EncodedString()
        try write("{\n  \"auths\": {\n    \"ghcr.io\": {\n      \"auth\": \"\(auth)\"\n    }\n  }\n}\n", to: "home/.docker/config.json", in: dir)
        try write(DemoEstate(root: dir).notebook(cells: ["login(token=\"\(notebookKey)\")"]), to: "nb/train.ipynb", in: dir)
        try write(sa.json, to: "keys/loader.json", in: dir)
        try write("[deepseek]\napi_key = \(ini)\n", to: "settings.ini", in: dir)

        let (_, register) = try scanRegister([dir])
        func check(_ secret: String, _ rule: String, _ path: String, file: StaticString = #filePath, line: UInt = #line) {
            guard let c = register.credential(for: secret) else { return XCTFail("\(rule) not found in \(path)", file: file, line: line) }
            XCTAssertEqual(c.rule, rule, file: file, line: line)
            XCTAssertEqual(c.locations.first?.path, path, file: file, line: line)
            XCTAssertEqual(c.locations.first?.kind, "file", file: file, line: line)
        }
        check(envKey, "openai.project-key", ".env.production")
        check(yamlKey, "mistral.api-key", "config/app.yaml")
        check(tfKey, "azure.openai-key", "infra/main.tfvars")
        check(tfstateKey, "anthropic.api-key", "infra/terraform.tfstate")
        check(aws.secret, "aws.access-key", "home/.aws/credentials")
        check(slack, "slack.bot-token", "k8s/secret.yaml")
        check(dockerToken, "github.classic-token", "home/.docker/config.json")
        check(notebookKey, "huggingface.user-token", "nb/train.ipynb")
        check(ini, "deepseek.api-key", "settings.ini")
        XCTAssertEqual(register.credential(for: aws.secret)?.identity.keyId, aws.id)
        XCTAssertNil(register.credential(for: aws.id), "a key id found with its secret is not a second credential")
        let k8s = try XCTUnwrap(register.credential(for: slack))
        XCTAssertEqual(k8s.locations.first?.line, 6)
        XCTAssertEqual(k8s.locations.first?.note, "base64 in Kubernetes Secret bots data.SLACK_BOT_TOKEN")
        let gcp = try XCTUnwrap(register.credentials.first { $0.rule == "gcp.service-account-key" })
        XCTAssertEqual(gcp.identity.keyId, sa.keyId)
        XCTAssertEqual(gcp.identity.principal, sa.email)
        XCTAssertTrue(register.credentials.contains { $0.rule == "docker.registry-auth" && $0.identity.principal == "ci-bot" })
    }

    func testPlaceholdersAndDocumentationValuesAreNotFindings() throws {
        let dir = try temporaryDirectory(self)
        try write("""
        OPENAI_API_KEY=sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxT3BlbkFJxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
        ANTHROPIC_API_KEY=${ANTHROPIC_API_KEY}
        GROQ_API_KEY=<your-groq-key>
        aws_access_key_id = AKIAIOSFODNN7EXAMPLE
        aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
        hint: sk-ant-api03-R2D...igAA
        GITHUB_TOKEN=YOUR_GITHUB_TOKEN
        """, to: "example.env", in: dir)
        let (_, register) = try scanRegister([dir])
        XCTAssertEqual(register.credentials.map(\.rule), [])
    }

    func testSkippedFilesAreCountedWithPathAndReason() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.openAILegacyKey()
        try write("OPENAI_API_KEY=\(key)\n", to: "ok.env", in: dir)
        // An ELF header as binaries start: e_ident is padded with zero bytes (a single stray NUL would be text).
        try Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00] + Array(key.utf8))
            .write(to: URL(fileURLWithPath: dir + "/tool.bin"))
        try write(String(repeating: "A", count: 3 << 20), to: "big.log", in: dir)
        try FileManager.default.createSymbolicLink(atPath: dir + "/loop", withDestinationPath: ".")
        try FileManager.default.createSymbolicLink(atPath: dir + "/dangling", withDestinationPath: dir + "/nowhere")
        try FileManager.default.createDirectory(atPath: dir + "/node_modules/pkg", withIntermediateDirectories: true)
        try write("OPENAI_API_KEY=\(keys.openAILegacyKey())\n", to: "node_modules/pkg/.env", in: dir)
        mkfifo(dir + "/pipe", 0o600)
        let (result, register) = try scanRegister([dir], maxFileSize: 1 << 20)
        XCTAssertNotNil(register.credential(for: key))
        XCTAssertEqual(register.credentials.count, 1)
        XCTAssertEqual(result.tally.skipped["binary"], 1)
        XCTAssertEqual(result.tally.skipped["oversized"], 1)
        XCTAssertEqual(result.tally.skipped["symlink-loop"], 1)
        XCTAssertEqual(result.tally.skipped["broken-symlink"], 1)
        XCTAssertEqual(result.tally.skipped["special-file"], 1)
        XCTAssertEqual(result.tally.skipped["ignored"], 1)
        let problems = Dictionary(grouping: register.scan.problems, by: \.path)
        XCTAssertTrue(problems["tool.bin"]?.first?.reason.hasPrefix("binary") ?? false)
        XCTAssertTrue(problems["big.log"]?.first?.reason.contains("limit") ?? false)
        XCTAssertEqual(register.scan.files, 1)
    }

    /// Root reads any file whatever its mode: as root (CI) the assertions run in a child process as nobody (issue 15).
    func testUnreadableFileIsSkippedAndTheRunCompletes() throws {
        var keys = CredentialFactory(seed: 1501)
        let key = keys.replicateToken()
        guard let dir = try Unprivileged.fixture(self, setUp: { dir in
            try write("REPLICATE_API_TOKEN=\(key)\n", to: "a.env", in: dir)
            try write("x\n", to: "locked.env", in: dir)
            chmod(dir + "/locked.env", 0)
        }) else { return }
        let result = try Scanner(matcher: Unprivileged.matcher(["replicate.api-token"])).run(ScanRequest(paths: [dir]))
        XCTAssertEqual(result.findings.map(\.secret.fingerprint), [Secret(key).fingerprint])
        XCTAssertEqual(result.tally.skipped["unreadable"], 1)
        XCTAssertEqual(result.tally.problems, [Problem(path: "locked.env", reason: "unreadable: Permission denied")])
        XCTAssertEqual(result.unreadable, [UnreadableInput(path: dir + "/locked.env", reason: "unreadable", detail: "Permission denied")])
    }

    /// A flood of decoy hits before a real key must not hide it (a cheap way to blind a scanner).
    func testAKeyAfterHundredsOfThousandsOfDecoysIsFound() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.openAIProjectKey()
        try write(String(repeating: "AKIAIOSFODNN7EXAMPLE\n", count: 210_000) + "OPENAI_API_KEY=\(key)\n", to: "flood.txt", in: dir)
        let (_, register) = try scanRegister([dir])
        XCTAssertNotNil(register.credential(for: key))
    }

    func testLinksOutOfTheFolderAreNotFollowedAndFifosNeverBlock() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let outside = keys.openAILegacyKey()
        try write("OPENAI_API_KEY=\(outside)\n", to: "elsewhere/home/.env", in: dir)
        try FileManager.default.createDirectory(atPath: dir + "/repo", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/repo/home", withDestinationPath: dir + "/elsewhere/home")
        try FileManager.default.createSymbolicLink(atPath: dir + "/repo/env", withDestinationPath: dir + "/elsewhere/home/.env")
        try FileManager.default.createDirectory(atPath: dir + "/repo/docs/a", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/repo/docs/b", withDestinationPath: "a")
        let (result, register) = try scanRegister([dir + "/repo"])
        XCTAssertEqual(result.tally.skipped["duplicate-directory"], 1, "a second way into a folder is not a loop")
        XCTAssertNil(result.tally.skipped["symlink-loop"])
        XCTAssertNil(register.credential(for: outside), "a link out of the scanned folder is not followed")
        XCTAssertEqual(result.tally.skipped["symlink-outside-root"], 2)
        mkfifo(dir + "/pipe", 0o600)
        let (fifo, _) = try scanRegister([dir + "/pipe"])
        XCTAssertEqual(fifo.tally.skipped["special-file"], 1, "an explicit FIFO is skipped, not opened")
    }

    func testExplicitFilesAreScannedAsGiven() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.googleAPIKey()
        try write("maps_key: \(key)\n", to: "one.yaml", in: dir)
        let (_, register) = try scanRegister([dir + "/one.yaml"])
        XCTAssertEqual(register.credential(for: key)?.locations.first?.path, dir + "/one.yaml")
    }

    func testMissingPathIsAnInputError() {
        XCTAssertThrowsError(try scanRegister(["/nonexistent/keyledger-path"])) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/keyledger-path"))
        }
    }
}
