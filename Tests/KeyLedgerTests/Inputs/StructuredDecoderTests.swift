import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// Config files people actually have: Helm templates, `kubectl get secrets` lists, Compose files, JWT-bearing
/// `.env` files — and content that broke parsers before.
final class StructuredDecoderTests: XCTestCase {
    /// The three-line Helm template that aborted the whole scan (SIGILL in the YAML library's constructor).
    func testHelmTemplateSecretIsADecodeSkipNotACrash() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.openAIProjectKey()
        try write("kind: Secret\ndata:\n  password: {{ .Values.password }}\n", to: "chart/templates/secret.yaml", in: dir)
        try write("kind: Secret\nstringData:\n  token: {{ .Values.token | quote }}\n  OPENAI_API_KEY: \(key)\n", to: "chart/templates/s2.yaml", in: dir)
        let (result, register) = try scanRegister([dir])
        XCTAssertEqual(result.tally.skipped["decode-skipped"], 2)
        XCTAssertTrue(result.tally.problems.contains {
            $0.path == "chart/templates/secret.yaml" && $0.reason.contains("line 3") && $0.reason.contains("not a plain value")
        })
        // The plain-text scan of the same file still ran.
        XCTAssertEqual(register.credential(for: key)?.rule, "openai.project-key")
        XCTAssertEqual(register.credentials.count, 1)
    }

    func testKubectlSecretListsInYAMLAndJSON() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let password = keys.random(28, from: CredentialFactory.alnum)
        let token = keys.slackBotToken()
        let b64 = { (s: String) in Data(s.utf8).base64EncodedString() }
        // kubectl get secrets -A -o yaml: a List, keys in kubectl's (alphabetical) order, data before kind.
        try write("""
        apiVersion: v1
        items:
        - apiVersion: v1
          data:
            password: \(b64(password))
            username: \(b64("billing"))
          kind: Secret
          metadata:
            name: billing-db
            namespace: payments
          type: Opaque
        kind: List
        metadata:
          resourceVersion: ""

        """, to: "dump/secrets.yaml", in: dir)
        try write("""
        {"apiVersion": "v1", "kind": "List", "items": [
          {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
           "metadata": {"name": "bots", "namespace": "chatops"},
           "data": {"SLACK_BOT_TOKEN": "\(b64(token))"}}]}
        """, to: "dump/secrets.json", in: dir)
        let (_, register) = try scanRegister([dir])
        let generic = try XCTUnwrap(register.credential(for: password))
        XCTAssertEqual(generic.rule, "kubernetes.secret-value")
        XCTAssertEqual(generic.confidence, "low")
        XCTAssertEqual(generic.identity.name, "payments/billing-db data.password")
        XCTAssertEqual(generic.identity.account, "payments")
        XCTAssertTrue(generic.risk.factors.contains { $0.id == "detection.generic" })
        XCTAssertNil(register.credential(for: "billing"), "a username is not a credential")
        let slack = try XCTUnwrap(register.credential(for: token))
        XCTAssertEqual(slack.rule, "slack.bot-token", "a provider rule wins over the typed value")
        XCTAssertEqual(slack.confidence, "high")
        XCTAssertEqual(slack.locations.first?.note, "base64 in Kubernetes Secret chatops/bots data.SLACK_BOT_TOKEN")
        XCTAssertEqual(register.credentials.count, 2)
    }

    func testYAMLThatWouldExhaustTheParserIsRefused() throws {
        XCTAssertThrowsError(try SafeYAML.load(String(repeating: "[", count: 50_000))) { error in
            XCTAssertTrue("\(error)".contains("nested deeper than 128 levels"))
        }
        // A billion-laughs alias expansion stops at the node budget.
        var laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 { laughs += "\(Character(UnicodeScalar(97 + i)!)): &\(Character(UnicodeScalar(97 + i)!)) [" + Array(repeating: "*\(Character(UnicodeScalar(96 + i)!))", count: 10).joined(separator: ", ") + "]\n" }
        XCTAssertThrowsError(try SafeYAML.load(laughs)) { error in XCTAssertTrue("\(error)".contains("nodes")) }
        XCTAssertThrowsError(try SafeYAML.load("a: {{ .Values.x }}\n"))
        let parsed = try XCTUnwrap(SafeYAML.load("a: 1\nb: [x, 'y']\nc: {d: true}\ne: ~\n") as? [String: Any])
        XCTAssertEqual(parsed["a"] as? Int, 1)
        XCTAssertEqual(parsed["b"] as? [String], ["x", "y"])
        XCTAssertEqual((parsed["c"] as? [String: Any])?["d"] as? Bool, true)
        XCTAssertTrue(parsed["e"] is NSNull)
        // A syntax error names the line, never the text of the line.
        XCTAssertThrowsError(try SafeYAML.load("ok: 1\nbad: \"unterminated sk-secret-value\n")) { error in
            XCTAssertFalse("\(error)".contains("sk-secret-value"))
            XCTAssertTrue("\(error)".contains("line"))
        }
    }

    func testGenericAssignmentsOnlyInConfigFiles() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let envPassword = keys.random(26, from: CredentialFactory.alnum)
        let composePassword = keys.random(26, from: CredentialFactory.alnum)
        let springPassword = keys.random(26, from: CredentialFactory.alnum)
        let codePassword = keys.random(26, from: CredentialFactory.alnum)
        try write("DB_HOST=db\nDB_PASSWORD=\(envPassword)\nCACHE_PASSWORD=${CACHE_PASSWORD}\n", to: "svc/.env", in: dir)
        try write("services:\n  db:\n    environment:\n      - POSTGRES_PASSWORD=\(composePassword)\n      - POSTGRES_USER=app\n",
                  to: "docker-compose.yml", in: dir)
        try write("spring.datasource.password=\(springPassword)\n", to: "src/main/resources/application.properties", in: dir)
        try write("password = \"\(codePassword)\"\n", to: "src/app.py", in: dir)
        let (_, register) = try scanRegister([dir])
        XCTAssertEqual(register.credential(for: envPassword)?.identity.name, "DB_PASSWORD")
        XCTAssertEqual(register.credential(for: composePassword)?.identity.name, "POSTGRES_PASSWORD")
        XCTAssertEqual(register.credential(for: springPassword)?.identity.name, "spring.datasource.password")
        XCTAssertNil(register.credential(for: codePassword), "generic assignments in source code are left to provider rules")
        XCTAssertEqual(Set(register.credentials.map(\.rule)), ["generic.config-secret"])
        XCTAssertEqual(register.credentials.count, 3)
        XCTAssertTrue(register.credentials.allSatisfy { $0.kind == "config-secret" && $0.confidence == "low" })
    }

    func testJWTClaimsBecomeIdentityPrivilegeAndExpiry() throws {
        let dir = try temporaryDirectory(self)
        func b64url(_ s: String) -> String {
            Data(s.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        var keys = CredentialFactory()
        let signature = keys.random(43, from: CredentialFactory.urlSafe)
        let ref = keys.random(20, from: Array("abcdefghijklmnopqrstuvwxyz"))
        let service = b64url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + b64url("{\"iss\":\"supabase\",\"ref\":\"\(ref)\",\"role\":\"service_role\",\"iat\":1718000000,\"exp\":2033576000}") + "." + signature
        let expired = b64url("{\"alg\":\"RS256\",\"kid\":\"k1\"}") + "." + b64url("{\"iss\":\"https://login.acme.io/\",\"sub\":\"svc-reports\",\"aud\":\"reports-api\",\"exp\":1700000000}") + "." + keys.random(86, from: CredentialFactory.urlSafe)
        let sample = b64url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + b64url("{\"sub\":\"1234567890\",\"name\":\"John Doe\",\"iat\":1516239022}") + "." + signature
        try write("SUPABASE_SERVICE_ROLE_KEY=\(service)\nREPORTS_TOKEN=\(expired)\nDOCS_SAMPLE=\(sample)\n", to: "app.env", in: dir)
        let (_, register) = try scanRegister([dir])
        let admin = try XCTUnwrap(register.credential(for: service))
        XCTAssertEqual(admin.rule, "jwt.token")
        XCTAssertEqual(admin.privilege.level, .admin)
        XCTAssertEqual(admin.identity.name, "supabase")
        XCTAssertEqual(admin.identity.account, ref)
        XCTAssertEqual(admin.expires, "2034-06-10")  // exp 2033576000 = 2034-06-10T18:13:20Z
        let old = try XCTUnwrap(register.credential(for: expired))
        XCTAssertEqual(old.identity.principal, "svc-reports")
        XCTAssertEqual(old.identity.account, "reports-api")
        XCTAssertEqual(old.expires, "2023-11-14")
        XCTAssertTrue(old.risk.factors.contains { $0.id == "rotation.expired" })
        XCTAssertNil(register.credential(for: sample), "the jwt.io sample is documentation")
        // Test fixtures (issued by a test host, or to a sample subject) and tokens that name nobody are not findings.
        for claims in ["{\"iss\":\"https://tokens-test.auth0.com/\",\"sub\":\"auth0|sdk458fks\",\"aud\":\"tokens-test-123\"}",
                       "{\"iss\":\"https://login.example.com\",\"sub\":\"svc\"}", "{\"some\":\"payload\",\"exp\":2033576000}"] {
            let fixture = b64url("{\"alg\":\"HS256\"}") + "." + b64url(claims) + "." + signature
            let file = dir + "/fixture.md"
            try "TOKEN=\(fixture)\n".write(toFile: file, atomically: true, encoding: .utf8)
            XCTAssertEqual(try scanRegister([file]).1.credentials.count, 0, "fixture claims \(claims)")
        }
        // An issuer that merely contains the letters of a fixture word is real.
        let attestation = b64url("{\"alg\":\"ES256\"}") + "." + b64url("{\"iss\":\"https://attestation.acme.io\",\"sub\":\"device-42\"}") + "." + signature
        try "TOKEN=\(attestation)\n".write(toFile: dir + "/attest.md", atomically: true, encoding: .utf8)
        XCTAssertEqual(try scanRegister([dir + "/attest.md"]).1.credentials.first?.identity.name, "https://attestation.acme.io")
        XCTAssertFalse(try JSONReporter.render(register).contains(signature))
    }

    /// Config-store exports people keep: SSM `get-parameters-by-path --with-decryption` and `vault kv get -format=json`.
    func testSSMAndVaultExportsAreTypedCredentials() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let dbPassword = keys.random(26, from: CredentialFactory.alnum)
        let token = keys.slackBotToken()
        let vaultToken = keys.random(30, from: CredentialFactory.alnum)
        try write("""
        {
            "Parameters": [
                {"Name": "/payments/prod/db-password", "Type": "SecureString", "Value": "\(dbPassword)", "Version": 3,
                 "ARN": "arn:aws:ssm:eu-west-1:147216202783:parameter/payments/prod/db-password", "DataType": "text"},
                {"Name": "/payments/prod/slack", "Type": "SecureString", "Value": "\(token)", "Version": 1,
                 "ARN": "arn:aws:ssm:eu-west-1:147216202783:parameter/payments/prod/slack", "DataType": "text"},
                {"Name": "/payments/prod/db-host", "Type": "String", "Value": "db-1.internal.acme.io", "Version": 1}
            ]
        }
        """, to: "exports/ssm.json", in: dir)
        try write("""
        {"request_id": "7f3c2b1e", "lease_id": "", "lease_duration": 0, "renewable": false,
         "data": {"data": {"api_token": "\(vaultToken)", "username": "payments-svc"},
                  "metadata": {"created_time": "2026-10-02T08:12:44.19Z", "version": 4}}, "warnings": null}
        """, to: "exports/vault-payments.json", in: dir)
        let (_, register) = try scanRegister([dir])
        let ssm = try XCTUnwrap(register.credential(for: dbPassword))
        XCTAssertEqual(ssm.rule, "aws.ssm-secure-string")
        XCTAssertEqual(ssm.identity.name, "/payments/prod/db-password")
        XCTAssertEqual(ssm.identity.account, "147216202783")
        XCTAssertEqual(register.credential(for: token)?.rule, "slack.bot-token", "a provider format inside a parameter keeps its rule")
        let vault = try XCTUnwrap(register.credential(for: vaultToken))
        XCTAssertEqual(vault.rule, "vault.kv-value")
        XCTAssertEqual(vault.identity.name, "api_token (version 4)")
        XCTAssertNil(register.credential(for: "payments-svc"))
        XCTAssertNil(register.credential(for: "db-1.internal.acme.io"))
        XCTAssertEqual(register.credentials.count, 3)
    }

    /// The dotfiles that hold registry and git credentials in home folders and CI images.
    func testCredentialDotfiles() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let npmToken = "npm_" + keys.random(36, from: CredentialFactory.alnum)
        let pypiPassword = keys.random(26, from: CredentialFactory.alnum)
        let gitPassword = keys.random(24, from: CredentialFactory.alnum)
        let netrcPassword = keys.random(24, from: CredentialFactory.alnum)
        try write("//registry.npmjs.org/:_authToken=\(npmToken)\n", to: "home/.npmrc", in: dir)
        try write("[private]\nrepository = https://pypi.acme.internal/\nusername = deploy\npassword = \(pypiPassword)\n", to: "home/.pypirc", in: dir)
        try write("https://ci-bot:\(gitPassword)@git.acme.internal\n", to: "home/.git-credentials", in: dir)
        try write("machine api.acme.internal login ci password \(netrcPassword)\n", to: "home/.netrc", in: dir)
        let (_, register) = try scanRegister([dir])
        XCTAssertEqual(register.credential(for: npmToken)?.rule, "npm.access-token")
        XCTAssertEqual(register.credential(for: pypiPassword)?.rule, "generic.config-secret")
        XCTAssertEqual(register.credential(for: gitPassword)?.rule, "url-credentials.http-url")
        XCTAssertEqual(register.credential(for: netrcPassword)?.rule, "generic.netrc-password")
        XCTAssertEqual(register.credential(for: netrcPassword)?.identity.name, "api.acme.internal")
        XCTAssertEqual(register.credentials.count, 4)
    }

    /// Notebook cells are read in one pass over the bytes (megabytes of base64 outputs are skipped, not parsed): a
    /// key that only a decoded cell shows is found on the cell's first source line.
    func testNotebookCellsDecodedInOnePass() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let mistral = keys.mistralKey()
        let image = Data((0..<2_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }).base64EncodedString()
        let notebook = #"""
        {
         "cells": [
          {"cell_type": "markdown", "metadata": {}, "source": ["# Training run \u00e9t\u00e9 \ud83d\ude80\n"]},
          {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [
            {"data": {"image/png": "\#(image)"}, "output_type": "display_data"}],
           "source": [
            "import os\n",
            "os.environ[\"MISTRAL_API_KEY\"] = \"\#(mistral)\"\n"
           ]}
         ],
         "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5
        }
        """#
        try write(notebook, to: "nb/train.ipynb", in: dir)
        let (result, register) = try scanRegister([dir])
        let c = try XCTUnwrap(register.credential(for: mistral))
        XCTAssertEqual(c.rule, "mistral.api-key")
        XCTAssertEqual(c.locations.first?.note, "notebook cell 2")
        XCTAssertEqual(c.locations.first?.line, 7, "the cell's first source line")
        XCTAssertEqual(result.tally.skipped["decode-skipped"] ?? 0, 0)
        // The unescaping itself: escapes, \u with surrogate pairs, unterminated strings.
        let decoded = Array(#""a\"b\\c\n\u00e9\ud83d\ude80""#.utf8).withUnsafeBytes { StructuredDecoders.jsonString($0, at: 0) }
        XCTAssertEqual(decoded?.0, "a\"b\\c\né🚀")
        XCTAssertNil(Array(#""never closed"#.utf8).withUnsafeBytes { StructuredDecoders.jsonString($0, at: 0) })
    }

    /// UTF-16 files (PowerShell's default encoding, many Windows configs) and text with a stray NUL are scanned, not
    /// skipped as binary; real binaries still are.
    func testUTF16AndStrayNULTextIsScanned() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let bomKey = keys.openAIProjectKey(), plainKey = keys.gitHubToken(), bigEndianKey = keys.anthropicAPIKey(), nulKey = keys.groqKey()
        func utf16(_ text: String, littleEndian: Bool, bom: Bool) -> Data {
            var data = Data(bom ? (littleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF]) : [])
            for unit in text.utf16 { data.append(contentsOf: littleEndian ? [UInt8(unit & 0xFF), UInt8(unit >> 8)] : [UInt8(unit >> 8), UInt8(unit & 0xFF)]) }
            return data
        }
        try FileManager.default.createDirectory(atPath: dir + "/win", withIntermediateDirectories: true)
        try utf16("# deploy\r\n$env:OPENAI_API_KEY = \"\(bomKey)\"\r\n", littleEndian: true, bom: true).write(to: URL(fileURLWithPath: dir + "/win/deploy.ps1"))
        try utf16("GITHUB_TOKEN=\(plainKey)\n", littleEndian: true, bom: false).write(to: URL(fileURLWithPath: dir + "/win/ci.env"))
        try utf16("key: \(bigEndianKey)\n", littleEndian: false, bom: true).write(to: URL(fileURLWithPath: dir + "/win/app.yaml"))
        try Data("header\u{0}\nGROQ_API_KEY=\(nulKey)\n".utf8).write(to: URL(fileURLWithPath: dir + "/stray-nul.txt"))
        try Data([0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 0x0D, 0, 0, 0] + Array("gsk_notakey".utf8)).write(to: URL(fileURLWithPath: dir + "/image.png"))
        let (result, register) = try scanRegister([dir])
        let ps1 = try XCTUnwrap(register.credential(for: bomKey))
        XCTAssertEqual(ps1.locations.first?.line, 2)
        XCTAssertEqual(ps1.locations.first?.note, "UTF-16 text")
        XCTAssertNotNil(register.credential(for: plainKey))
        XCTAssertNotNil(register.credential(for: bigEndianKey))
        XCTAssertEqual(register.credential(for: nulKey)?.locations.first?.line, 2)
        XCTAssertEqual(result.tally.skipped["binary"], 1)
        XCTAssertEqual(register.credentials.count, 4)
    }
}
