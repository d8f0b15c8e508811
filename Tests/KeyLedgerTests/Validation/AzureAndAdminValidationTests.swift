import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// Scans `content` (written to `app/.env`) with `--validate` and keyledger.yml `config`; no plaintext in the register.
func validatedScan(_ test: XCTestCase, _ content: String, config: String, secrets: [String], name: String = #function,
                   file: StaticString = #filePath, line: UInt = #line) throws -> Register {
    let dir = try temporaryDirectory(test, name)
    try write(content, to: "app/.env", in: dir)
    var options = ScanOptions(request: ScanRequest(paths: [dir], history: false))
    options.matcher = sharedMatcher
    options.configuration = try KeyLedgerConfig.parse(config, source: "keyledger.yml")
    options.validate = true
    options.validateTimeout = 5
    options.asOf = ISODate.parse("2026-11-20")!
    options.generatedAt = options.asOf
    let register = try ScanPipeline.run(options).register
    assertNoPlaintext(String(decoding: try JSONEncoder().encode(register), as: UTF8.self), secrets, "the register", file: file, line: line)
    return register
}

/// Azure OpenAI (the key goes to its resource's host or the configured `azure_openai` base) and the OpenAI and
/// Anthropic admin keys (a read of the organisation), each active, revoked and in error, against a local server
/// reached through `endpoints:`. Answers follow the providers' documented examples.
final class AzureAndAdminValidationTests: XCTestCase {
    func startServer(_ handler: @escaping @Sendable (LocalHTTPServer.Request) -> LocalHTTPServer.Response) throws -> LocalHTTPServer {
        let server = try LocalHTTPServer(handler: handler)
        addTeardownBlock { server.stop() }
        return server
    }

    // MARK: Azure OpenAI

    /// Azure OpenAI REST reference, "Models - List" (api-version 2024-10-21), sample response (two entries, trimmed).
    static let azureModels = #"""
    {"data": [{"status": "succeeded", "capabilities": {"fine_tune": true, "inference": true, "completion": true, "chat_completion": false, "embeddings": false}, "lifecycle_status": "generally-available", "deprecation": {"fine_tune": 1677662127, "inference": 1709284527}, "id": "curie", "created_at": 1646126127, "object": "model"},
              {"status": "succeeded", "model": "curie", "fine_tune": "ft-72a2792ef7d24ba7b82c7fe4a37e379f", "capabilities": {"fine_tune": false, "inference": true, "completion": true, "chat_completion": false, "embeddings": false}, "lifecycle_status": "generally-available", "deprecation": {"inference": 1709284527}, "id": "curie.ft-72a2792ef7d24ba7b82c7fe4a37e379f", "created_at": 1646126127, "object": "model"}],
     "object": "list"}
    """#
    /// The 401 Azure AI services answer for a wrong key (Azure OpenAI troubleshooting docs).
    static let azureDenied = #"{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}}"#

    func runAzure(_ response: LocalHTTPServer.Response) throws -> (CredentialRecord, LocalHTTPServer.Request?, String) {
        var keys = CredentialFactory(seed: 41)
        let key = keys.azureOpenAIKey()
        let server = try startServer { _ in response }
        let register = try validatedScan(self, "AZURE_OPENAI_ENDPOINT=https://contoso-eastus2.openai.azure.com/\nAZURE_OPENAI_API_KEY=\(key)\n",
                                         config: "endpoints:\n  azure_openai: \(server.baseURL)/azure\n", secrets: [key])
        let record = try XCTUnwrap(register.credential(for: key), "the Azure OpenAI key was not found")
        XCTAssertEqual(record.identity.name, "contoso-eastus2", "the endpoint next to the key names its resource")
        XCTAssertEqual(server.requests.count, 1, "one call, never retried")
        let request = server.requests.first
        XCTAssertEqual(request?.method, "GET")
        XCTAssertEqual(request?.route, "/azure/openai/models")
        XCTAssertEqual(request?.values("api-version"), ["2024-10-21"])
        XCTAssertEqual(Secret(request?.headers["api-key"] ?? "").fingerprint, Secret(key).fingerprint, "api-key does not carry the key")
        XCTAssertNil(request?.headers["authorization"])
        return (record, request, key)
    }

    func testAzureOpenAIActive() throws {
        let (record, _, _) = try runAzure(.init(status: 200, body: Self.azureModels))
        XCTAssertEqual(record.validation?.status, .active)
        XCTAssertEqual(record.validation?.detail, "HTTP 200: GET /openai/models succeeded (2 models)")
    }

    func testAzureOpenAIRevoked() throws {
        let (record, _, _) = try runAzure(.init(status: 401, body: Self.azureDenied))
        XCTAssertEqual(record.validation?.status, .revoked)
        XCTAssertTrue(record.validation?.detail.hasPrefix("HTTP 401 from 127.0.0.1") ?? false, record.validation?.detail ?? "-")
    }

    func testAzureOpenAIError() throws {
        let (record, _, _) = try runAzure(.init(status: 404, body: #"{"error":{"code":"404","message":"Resource not found"}}"#))
        XCTAssertEqual(record.validation?.status, .error)
        XCTAssertTrue(record.validation?.detail.contains("HTTP 404") ?? false)
    }

    /// Without `endpoints: azure_openai` the key goes only to its own resource's host: the endpoint found next to it,
    /// under `openai.azure.com` (AI Services keys: `cognitiveservices.azure.com`); anything else is not a host.
    func testAzureHostIsTheResourceFoundNextToTheKey() {
        let v = AzureOpenAIValidator()
        func subject(_ name: String?, kind: String = "openai-key") -> ValidationSubject {
            ValidationSubject(secret: Secret("k"), ruleId: "azure.openai-key", kind: kind, identity: Identity(name: name))
        }
        XCTAssertEqual(v.base(for: subject("contoso-eastus2"), configured: nil)?.absoluteString, "https://contoso-eastus2.openai.azure.com")
        XCTAssertEqual(v.base(for: subject("Contoso-AI", kind: "ai-services-key"), configured: nil)?.absoluteString,
                       "https://contoso-ai.cognitiveservices.azure.com")
        for bad in [nil, "x", "-lead", "evil.example/x", "a@b", "res.evil", String(repeating: "a", count: 64)] {
            XCTAssertNil(v.base(for: subject(bad), configured: nil), bad ?? "nil")
        }
        let gateway = URL(string: "https://apim.example/openai")!
        XCTAssertEqual(v.base(for: subject(nil), configured: gateway), gateway, "a configured base is used as it is")
        XCTAssertTrue(AzureOpenAIValidator.isAzureHost("contoso.openai.azure.com"))
        XCTAssertFalse(AzureOpenAIValidator.isAzureHost("contoso.openai.azure.com.evil.example"))
        XCTAssertFalse(AzureOpenAIValidator.isAzureHost("a.b.openai.azure.com"))
    }

    /// An 84-character key with no endpoint nearby and no `azure_openai` configured: not checked, nothing sent.
    func testAzureKeyWithoutEndpointIsNotChecked() throws {
        var keys = CredentialFactory(seed: 42)
        let key = keys.random(52, from: CredentialFactory.alnum) + "JQQJ99" + keys.random(1, from: CredentialFactory.alnum) + "B"
            + keys.random(12, from: CredentialFactory.alnum) + "AAABACOG" + keys.random(4, from: CredentialFactory.alnum)
        let server = try startServer { _ in .init(status: 200, body: Self.azureModels) }
        let register = try validatedScan(self, "AZURE_OPENAI_API_KEY=\(key)\n", config: "endpoints:\n  openai: \(server.baseURL)/openai\n", secrets: [key])
        let record = try XCTUnwrap(register.credential(for: key), "the identifiable Azure key was not found")
        XCTAssertEqual(record.validation?.status, .unknown)
        XCTAssertTrue(record.validation?.detail.hasPrefix("not checked") ?? false, record.validation?.detail ?? "-")
        XCTAssertEqual(server.requests.count, 0)
    }

    // MARK: Admin keys

    struct AdminCase {
        var env: String
        var key: String
        var route: String
        var header: String
        var scheme: String
    }

    func adminCase(_ provider: String) -> AdminCase {
        var keys = CredentialFactory(seed: 43)
        switch provider {
        case "openai":
            return AdminCase(env: "OPENAI_ADMIN_KEY", key: keys.openAIAdminKey(), route: "/openai/v1/organization/projects",
                             header: "authorization", scheme: "Bearer ")
        default:
            _ = keys.openAIAdminKey()
            return AdminCase(env: "ANTHROPIC_ADMIN_KEY", key: keys.anthropicAdminKey(), route: "/anthropic/v1/organizations/me",
                             header: "x-api-key", scheme: "")
        }
    }

    func runAdmin(_ provider: String, _ response: LocalHTTPServer.Response) throws -> CredentialRecord {
        let c = adminCase(provider)
        let server = try startServer { _ in response }
        let register = try validatedScan(self, "\(c.env)=\(c.key)\n",
                                         config: "endpoints:\n  openai: \(server.baseURL)/openai\n  anthropic: \(server.baseURL)/anthropic\n",
                                         secrets: [c.key])
        let record = try XCTUnwrap(register.credential(for: c.key), "the \(provider) admin key was not found")
        XCTAssertEqual(server.requests.count, 1, "one call, never retried")
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(request.method, "GET")
        XCTAssertEqual(request.route, c.route)
        let value = request.headers[c.header] ?? ""
        XCTAssertTrue(value.hasPrefix(c.scheme))
        XCTAssertEqual(Secret(String(value.dropFirst(c.scheme.count))).fingerprint, Secret(c.key).fingerprint, "\(c.header) does not carry the admin key")
        if provider == "openai" { XCTAssertEqual(request.values("limit"), ["1"]) }
        if provider == "anthropic" { XCTAssertEqual(request.headers["anthropic-version"], "2023-06-01") }
        return record
    }

    /// OpenAI Administration API, "List projects", documented response.
    static let openAIProjects = #"""
    {"object": "list", "data": [{"id": "proj_abc", "object": "organization.project", "name": "Project example", "created_at": 1711471533, "archived_at": null, "status": "active"}], "first_id": "proj-abc", "last_id": "proj-xyz", "has_more": false}
    """#
    /// Anthropic Admin API, "Get Current Organization", documented response.
    static let anthropicOrganization = #"{"id": "12345678-1234-5678-1234-567812345678", "name": "Organization Name", "type": "organization"}"#

    func testOpenAIAdminKeyActive() throws {
        let record = try runAdmin("openai", .init(status: 200, headers: ["openai-organization": "org-admin-test"], body: Self.openAIProjects))
        XCTAssertEqual(record.validation?.status, .active)
        XCTAssertEqual(record.validation?.detail, "HTTP 200: GET /v1/organization/projects succeeded (an organisation admin key); organisation org-admin-test")
        XCTAssertEqual(record.privilege.level, .admin)
        XCTAssertEqual(record.identity.account, "org-admin-test")
    }

    func testOpenAIAdminKeyRevoked() throws {
        // The API reference's error object for a refused key.
        let record = try runAdmin("openai", .init(status: 401, body: #"{"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}}"#))
        XCTAssertEqual(record.validation?.status, .revoked)
        XCTAssertTrue(record.validation?.detail.contains("HTTP 401") ?? false)
    }

    func testOpenAIAdminKeyError() throws {
        let record = try runAdmin("openai", .init(status: 404, body: "{}"))
        XCTAssertEqual(record.validation?.status, .error)
    }

    func testAnthropicAdminKeyActive() throws {
        let record = try runAdmin("anthropic", .init(status: 200, body: Self.anthropicOrganization))
        XCTAssertEqual(record.validation?.status, .active)
        XCTAssertEqual(record.validation?.detail, "HTTP 200: GET /v1/organizations/me succeeded (an organisation admin key); organisation Organization Name")
        XCTAssertEqual(record.identity.account, "12345678-1234-5678-1234-567812345678")
        XCTAssertEqual(record.privilege.level, .admin)
    }

    func testAnthropicAdminKeyRevoked() throws {
        // Anthropic's error shape for a refused key (API reference, "Errors": authentication_error).
        let record = try runAdmin("anthropic", .init(status: 401, body: #"{"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}"#))
        XCTAssertEqual(record.validation?.status, .revoked)
    }

    func testAnthropicAdminKeyError() throws {
        let record = try runAdmin("anthropic", .init(status: 400, body: #"{"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}}"#))
        XCTAssertEqual(record.validation?.status, .error)
        XCTAssertTrue(record.validation?.detail.contains("HTTP 400") ?? false)
    }

    /// One provider, two kinds: a project key still lists models, an admin key reads the organisation.
    func testOneProviderPicksTheCallByKind() throws {
        var keys = CredentialFactory(seed: 44)
        let project = keys.openAIProjectKey(), admin = keys.openAIAdminKey()
        let server = try startServer { request in
            request.route.hasSuffix("/v1/models") ? .init(status: 200, body: #"{"object":"list","data":[]}"#) : .init(status: 200, body: Self.openAIProjects)
        }
        let register = try validatedScan(self, "OPENAI_API_KEY=\(project)\nOPENAI_ADMIN_KEY=\(admin)\n",
                                         config: "endpoints:\n  openai: \(server.baseURL)\n", secrets: [project, admin])
        XCTAssertEqual(Set(server.requests.map(\.route)), ["/v1/models", "/v1/organization/projects"])
        XCTAssertEqual(register.credential(for: project)?.validation?.detail, "HTTP 200: GET /v1/models succeeded (0 models)")
        XCTAssertNotEqual(register.credential(for: project)?.privilege.level, .admin)
        XCTAssertEqual(register.credential(for: admin)?.privilege.level, .admin)
    }
}
