import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

final class PlaceholderFilterTests: XCTestCase {
    /// Random bodies contain `xXxX`, `fake`, `yOuR`, `DuMMY` by chance: a placeholder is a whole value, so none of
    /// these well-formed keys may be dropped.
    func testRandomKeysAreNeverPlaceholders() {
        var keys = CredentialFactory()
        var dropped: [String] = []
        for _ in 0..<20_000 {
            let key = keys.openAIProjectKey()
            if PlaceholderFilter.reason(key) != nil { dropped.append(Secret(key).redacted) }
        }
        for _ in 0..<50_000 {
            let token = keys.gitHubToken()
            if PlaceholderFilter.reason(token) != nil { dropped.append(Secret(token).redacted) }
        }
        for _ in 0..<20_000 {
            let key = keys.deepSeekKey()  // 32 hex: runs of five identical characters happen (about 1 in 2,000)
            if PlaceholderFilter.reason(key) != nil { dropped.append(Secret(key).redacted) }
        }
        XCTAssertEqual(dropped, [], "random keys treated as placeholders")
    }

    func testDocumentationValuesAreStillPlaceholders() {
        let placeholders = [
            "sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "YOUR_API_KEY", "your-api-key-here", "sk-ant-api03-R2D...igAA",
            "AKIAIOSFODNN7EXAMPLE", "${OPENAI_API_KEY}", "<token>", "{{ .Values.token }}", "sk-…abcd",
            "ghp_FakeTokenForTestsOnly0123", "xoxb-fake-token", "hf_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "changeme",
            "AIzaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "sk-abcdefghijklmnopqrstuvwxyz123456", "REDACTED", "dummy_secret_value",
            "sk-********************************1234", "my_sample_key_1", "replace-me-with-a-real-key",
        ]
        for value in placeholders {
            XCTAssertNotNil(PlaceholderFilter.reason(value), "\(value) should read as a placeholder")
        }
    }

    func testPublishedExampleKeysAreNotFindings() throws {
        // The Firebase Android SDK's published sample key and the Azurite development key: real formats, public values.
        let firebase = "AIzaSyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c"
        let azurite = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
        var keys = CredentialFactory()
        let real = keys.googleAPIKey()
        let workspace = sharedMatcher.makeWorkspace()
        func found(_ text: String) -> [String] {
            Array(text.utf8).withUnsafeBytes { sharedMatcher.matches(in: $0, workspace: workspace).map { sharedMatcher.rules[$0.ruleIndex].id } }
        }
        XCTAssertEqual(found("apiKey: \"\(firebase)\""), [])
        XCTAssertEqual(found("AZURE_STORAGE_CONNECTION_STRING=\"\(azurite)\""), [])
        XCTAssertEqual(found("apiKey: \"\(real)\""), ["google.api-key"])
        // gcloud's installed-app client secret, shipped in the SDK and recorded in crewAI's test cassettes.
        XCTAssertEqual(found("client_id=764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com&client_secret=d-FL95Q19q7MQmFpd7hHD0Ty"), [])
        // Documentation URLs: a dictionary-word password, and pydantic's multi-host example, are not credentials.
        XCTAssertEqual(found("postgresql://myuser:mypassword@myinstance.abc123xyz.us-east-1.rds.amazonaws.com:5432/mydb"), [])
        XCTAssertEqual(found("MultiHostUrl('https://foo.com:123,foo:bar@bar.com/path')"), [])
        let password = keys.random(20, from: CredentialFactory.alnum)
        XCTAssertEqual(found("DATABASE_URL=postgresql://app:\(password)@db.internal:5432/app"), ["database.postgres-url"])
    }
}
