import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// `scan --validate` for the API-key providers (Google AI, GitLab, Slack, OpenRouter, Groq, Mistral, xAI, DeepSeek,
/// Together, Fireworks, Cohere, ElevenLabs, Pinecone, SendGrid, Stripe, Datadog) against a local server reached
/// through keyledger.yml's `endpoints:` (every endpoint configured, so nothing leaves the machine). Per validator: the
/// documented success answer, the documented refusal, an error (404, and a 2xx not in the documented shape), and the
/// request made (method, path, query, the header carrying the key — compared by fingerprint, never printed). The keys
/// come from `CredentialFactory` and must be found by the scan in a `.env` line first.
final class APIKeyValidatorTests: XCTestCase {
    struct Case {
        var endpoint: String
        var provider: String
        var key: String
        /// The `.env` line holding the key.
        var line: String
        var method = "GET"
        /// The validator's path below the endpoint's base (without the query).
        var route: String
        var query: [String: String] = [:]
        /// The header carrying the key (lower-cased) and its prefix before the key.
        var header: String
        var scheme = ""
        var otherHeaders: [String: String] = [:]
        /// The provider's documented success answer.
        var active: LocalHTTPServer.Response
        /// The provider's documented refusal.
        var revoked: LocalHTTPServer.Response
    }

    /// Seeded: every call gives the same keys, so an answer built from one call matches the key another call scans.
    static func cases() -> [String: Case] {
        var keys = CredentialFactory(seed: 29)
        var out: [String: Case] = [:]
        func add(_ c: Case) { out[c.endpoint] = c }
        let bearer = "Bearer "

        // ai.google.dev/api/models#method:-models.list: `{"models": [Model], "nextPageToken": …}`; an invalid key is
        // 400 INVALID_ARGUMENT with ErrorInfo reason API_KEY_INVALID (google-gemini/deprecated-generative-ai-python
        // issues; cloud.google.com/apis/design/errors).
        let google = keys.googleAPIKey()
        add(Case(endpoint: "google_ai", provider: "google", key: google, line: "GEMINI_API_KEY=\(google)", route: "/v1beta/models",
                 query: ["pageSize": "1"], header: "x-goog-api-key",
                 active: .init(status: 200, body: #"{"models":[{"name":"models/gemini-2.5-flash","version":"001","displayName":"Gemini 2.5 Flash","inputTokenLimit":1048576,"outputTokenLimit":65536,"supportedGenerationMethods":["generateContent","countTokens"]}],"nextPageToken":"Ch5tb2RlbHMvZ2VtaW5pLTIuNS1mbGFzaA=="}"#),
                 revoked: .init(status: 400, body: #"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}}]}}"#)))
        // docs.gitlab.com/api/personal_access_tokens (GET /personal_access_tokens/self example response); 401 when the
        // token is revoked, expired or unknown.
        let gitlab = keys.gitLabToken()
        add(Case(endpoint: "gitlab", provider: "gitlab", key: gitlab, line: "GITLAB_TOKEN=\(gitlab)", route: "/api/v4/personal_access_tokens/self",
                 header: "private-token",
                 active: .init(status: 200, body: #"{"id":4,"name":"Test Token","revoked":false,"created_at":"2020-07-23T14:31:47.729Z","scopes":["api"],"user_id":24,"last_used_at":"2021-10-06T17:58:37.550Z","active":true,"expires_at":null}"#),
                 revoked: .init(status: 401, body: #"{"message":"401 Unauthorized"}"#)))
        // docs.slack.dev/reference/methods/auth.test: the "standard success response when used with a user token";
        // refusals are HTTP 200 `{"ok": false, "error": "invalid_auth"}`. Scopes come in `x-oauth-scopes`.
        let slack = keys.slackBotToken()
        add(Case(endpoint: "slack", provider: "slack", key: slack, line: "SLACK_BOT_TOKEN=\(slack)", method: "POST", route: "/api/auth.test",
                 header: "authorization", scheme: bearer,
                 active: .init(status: 200, headers: ["x-oauth-scopes": "chat:write,channels:read,users:read"],
                               body: #"{"ok":true,"url":"https://subarachnoid.slack.com/","team":"Subarachnoid Workspace","user":"grace","team_id":"T12345678","user_id":"W12345678"}"#),
                 revoked: .init(status: 200, body: #"{"ok":false,"error":"invalid_auth"}"#)))
        // openrouter.ai/docs/api/api-reference/api-keys/get-current-key (the `openrouter` crate's recorded key.json
        // answer); 401 "No auth credentials found" for an unknown key.
        let openrouter = keys.openRouterKey()
        add(Case(endpoint: "openrouter", provider: "openrouter", key: openrouter, line: "OPENROUTER_API_KEY=\(openrouter)", route: "/api/v1/key",
                 header: "authorization", scheme: bearer,
                 active: .init(status: 200, body: #"{"data":{"label":"sk-or-v1-116...0ce","limit":5,"usage":0.1015644762,"is_provisioning_key":false,"limit_remaining":4.8984355238,"is_free_tier":false,"rate_limit":{"requests":50,"interval":"10s"}}}"#),
                 revoked: .init(status: 401, body: #"{"error":{"message":"No auth credentials found","code":401}}"#)))
        // console.groq.com/docs/api-reference#models-list; the 401 body as reported verbatim in spring-projects/spring-ai#997.
        let groq = keys.groqKey()
        add(Case(endpoint: "groq", provider: "groq", key: groq, line: "GROQ_API_KEY=\(groq)", route: "/openai/v1/models",
                 header: "authorization", scheme: bearer,
                 active: .init(status: 200, body: #"{"object":"list","data":[{"id":"llama-3.3-70b-versatile","object":"model","created":1733447754,"owned_by":"Meta","active":true,"context_window":131072}]}"#),
                 revoked: .init(status: 401, body: #"{"error":{"message":"Invalid API Key","type":"invalid_request_error","code":"invalid_api_key"}}"#)))
        // docs.mistral.ai/api (GET /v1/models, ModelList); 401 for a bad key (the body is not read: the stage's rule).
        let mistral = keys.mistralKey()
        add(Case(endpoint: "mistral", provider: "mistral", key: mistral, line: "MISTRAL_API_KEY=\(mistral)", route: "/v1/models",
                 header: "authorization", scheme: bearer,
                 active: .init(status: 200, body: #"{"object":"list","data":[{"id":"mistral-small-latest","object":"model","created":1711430400,"owned_by":"mistralai","capabilities":{"completion_chat":true}}]}"#),
                 revoked: .init(status: 401, body: #"{"message":"Unauthorized","request_id":"4b1e0d1c0e2b4a3f"}"#)))
        // docs.x.ai API reference, GET /v1/api-key: the documented example; 400 "an invalid API key is provided", body as
        // reported in i-am-bee/beeai-framework#447.
        let xai = keys.xAIKey()
        add(Case(endpoint: "xai", provider: "xai", key: xai, line: "XAI_API_KEY=\(xai)", route: "/v1/api-key",
                 header: "authorization", scheme: bearer,
                 active: .init(status: 200, body: #"{"redacted_api_key":"xai-...b14o","user_id":"59fbe5f2-040b-46d5-8325-868bb8f23eb2","name":"My API Key","create_time":"2024-01-01T12:55:18.139305Z","modify_time":"2024-08-28T17:20:12.343321Z","modified_by":"3d38b4dc-4eb7-4785-ae26-c3fa8997ffc7","team_id":"5ea6f6bd-7815-4b8a-9135-28b2d7ba6722","acls":["api-key:model:*","api-key:endpoint:*"],"api_key_id":"ae1e1841-4326-4b36-a8a9-8a1a7237db11","team_blocked":false,"api_key_blocked":false,"api_key_disabled":false}"#),
                 revoked: .init(status: 400, body: #"{"code":"Client specified an invalid argument","error":"Incorrect API key provided: xa***4o. You can obtain an API key from https://console.x.ai."}"#)))
        // api-docs.deepseek.com/api/get-user-balance: the documented example; 401 authentication_error.
        let deepseek = keys.deepSeekKey()
        add(Case(endpoint: "deepseek", provider: "deepseek", key: deepseek, line: "DEEPSEEK_API_KEY=\(deepseek)", route: "/user/balance",
                 header: "authorization", scheme: bearer,
                 active: .init(status: 200, body: #"{"is_available":true,"balance_infos":[{"currency":"CNY","total_balance":"110.00","granted_balance":"10.00","topped_up_balance":"100.00"}]}"#),
                 revoked: .init(status: 401, body: #"{"error":{"message":"Authentication Fails, Your api key: ****abcd is invalid","type":"authentication_error","param":null,"code":"invalid_request_error"}}"#)))
        // docs.together.ai/reference/models-1: a JSON array of model objects; 401 for a bad key (body not read).
        let together = keys.togetherKey()
        add(Case(endpoint: "together", provider: "together", key: together, line: "TOGETHER_API_KEY=\(together)", route: "/v1/models",
                 header: "authorization", scheme: bearer,
                 active: .init(status: 200, body: #"[{"id":"meta-llama/Llama-3.3-70B-Instruct-Turbo","object":"model","created":1733460000,"type":"chat","display_name":"Llama 3.3 70B Instruct Turbo","organization":"Meta","context_length":131072}]"#),
                 revoked: .init(status: 401, body: #"{"error":{"message":"Invalid API key provided. You can find your API key at https://api.together.xyz/settings/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#)))
        // Fireworks' OpenAI-compatible GET /inference/v1/models (docs.fireworks.ai); 401 for an unknown key (body not read).
        let fireworks = keys.fireworksKey()
        add(Case(endpoint: "fireworks", provider: "fireworks", key: fireworks, line: "FIREWORKS_API_KEY=\(fireworks)", route: "/inference/v1/models",
                 header: "authorization", scheme: bearer,
                 active: .init(status: 200, body: #"{"object":"list","data":[{"id":"accounts/fireworks/models/llama-v3p1-8b-instruct","object":"model","owned_by":"fireworks","created":1721692800}]}"#),
                 revoked: .init(status: 401, body: #"{"error":{"object":"error","type":"invalid_request_error","message":"The API key you provided is invalid."}}"#)))
        // docs.cohere.com/reference/check-api-key: `{valid, organization_id, owner_id}`; its 401 Unauthorized error (body not read).
        let cohere = keys.cohereKey()
        add(Case(endpoint: "cohere", provider: "cohere", key: cohere, line: "COHERE_API_KEY=\(cohere)", method: "POST", route: "/v1/check-api-key",
                 header: "authorization", scheme: bearer,
                 active: .init(status: 200, body: #"{"valid":true,"organization_id":"8f2c1a90-org","owner_id":"3b7e55d2-owner"}"#),
                 revoked: .init(status: 401, body: #"{"id":"d5b5bd1f","message":"invalid api token"}"#)))
        // elevenlabs.io/docs/api-reference/user/get (subscription tier and character use; the answer also carries
        // `xi_api_key`, here the key itself, which must never be echoed); 401 `invalid_api_key`.
        let eleven = keys.elevenLabsKey()
        add(Case(endpoint: "elevenlabs", provider: "elevenlabs", key: eleven, line: "ELEVENLABS_API_KEY=\(eleven)", route: "/v1/user",
                 header: "xi-api-key",
                 active: .init(status: 200, body: #"{"subscription":{"tier":"creator","character_count":17231,"character_limit":100000,"status":"active","can_extend_character_limit":true},"is_new_user":false,"xi_api_key":"\#(eleven)","user_id":"1234567890abcdef"}"#),
                 revoked: .init(status: 401, body: #"{"detail":{"status":"invalid_api_key","message":"Invalid API key"}}"#)))
        // docs.pinecone.io/reference/api/2025-04/control-plane/list_indexes; 401 UNAUTHENTICATED "Invalid API Key".
        let pinecone = keys.pineconeKey()
        add(Case(endpoint: "pinecone", provider: "pinecone", key: pinecone, line: "PINECONE_API_KEY=\(pinecone)", route: "/indexes",
                 header: "api-key", otherHeaders: ["x-pinecone-api-version": "2025-04"],
                 active: .init(status: 200, body: #"{"indexes":[{"name":"example-index","metric":"cosine","host":"example-index-fa77d8e.svc.aped-4627-b74a.pinecone.io","spec":{"serverless":{"cloud":"aws","region":"us-east-1"}},"status":{"ready":true,"state":"Ready"},"vector_type":"dense","dimension":1024,"deletion_protection":"disabled","tags":null}]}"#),
                 revoked: .init(status: 401, body: #"{"error":{"code":"UNAUTHENTICATED","message":"Invalid API Key"},"status":401}"#)))
        // twilio.com/docs/sendgrid/api-reference/api-key-permissions (GET /v3/scopes → `{"scopes": [...]}`); 401
        // `{"errors": [{"field": null, "message": "authorization required"}]}`.
        let sendgrid = keys.sendGridKey()
        add(Case(endpoint: "sendgrid", provider: "sendgrid", key: sendgrid, line: "SENDGRID_API_KEY=\(sendgrid)", route: "/v3/scopes",
                 header: "authorization", scheme: bearer,
                 active: .init(status: 200, body: #"{"scopes":["mail.send","alerts.read","stats.read"]}"#),
                 revoked: .init(status: 401, body: #"{"errors":[{"field":null,"message":"authorization required"}]}"#)))
        // docs.stripe.com/api/balance/balance_retrieve (the balance object); 401 "Invalid API Key provided".
        let stripe = keys.stripeKey(prefix: "sk_live")
        add(Case(endpoint: "stripe", provider: "stripe", key: stripe, line: "STRIPE_SECRET_KEY=\(stripe)", route: "/v1/balance",
                 header: "authorization", scheme: bearer,
                 active: .init(status: 200, body: #"{"object":"balance","available":[{"amount":0,"currency":"usd","source_types":{"card":0}}],"connect_reserved":[{"amount":0,"currency":"usd"}],"livemode":false,"pending":[{"amount":0,"currency":"usd","source_types":{"card":0}}]}"#),
                 revoked: .init(status: 401, body: #"{"error":{"message":"Invalid API Key provided: sk_live_********************1234","type":"invalid_request_error"}}"#)))
        // docs.datadoghq.com/api/latest/authentication/validate-api-key: `{"valid": true}`, 403 when invalid.
        let datadog = keys.datadogAPIKey()
        add(Case(endpoint: "datadog", provider: "datadog", key: datadog, line: "DD_API_KEY=\(datadog)", route: "/api/v1/validate",
                 header: "dd-api-key",
                 active: .init(status: 200, body: #"{"valid":true}"#),
                 revoked: .init(status: 403, body: #"{"errors":["Forbidden"]}"#)))
        return out
    }

    func startServer(_ handler: @escaping @Sendable (LocalHTTPServer.Request) -> LocalHTTPServer.Response) throws -> LocalHTTPServer {
        let server = try LocalHTTPServer(handler: handler)
        addTeardownBlock { server.stop() }
        return server
    }

    /// Every endpoint at `/p/<endpoint>` on the local server: no key can reach a real host.
    func configText(_ server: LocalHTTPServer) -> String {
        let names = Set(Self.cases().keys).union(["openai", "anthropic", "github", "huggingface"]).sorted()
        return "endpoints:\n" + names.map { "  \($0): \(server.baseURL)/p/\($0)\n" }.joined()
    }

    func scan(_ content: String, server: LocalHTTPServer) throws -> Register {
        let dir = try temporaryDirectory(self)
        try write(content, to: "app/.env", in: dir)
        var options = ScanOptions(request: ScanRequest(paths: [dir], history: false))
        options.matcher = sharedMatcher
        options.configuration = try KeyLedgerConfig.parse(configText(server), source: "keyledger.yml")
        options.validate = true
        options.validateTimeout = 5
        options.asOf = ISODate.parse("2026-11-20")!
        options.generatedAt = options.asOf
        return try ScanPipeline.run(options).register
    }

    /// The request reached `/p/<endpoint><route>` with the method, the query, and the key in the right header.
    func assertRequest(_ request: LocalHTTPServer.Request?, _ c: Case, file: StaticString = #filePath, line: UInt = #line) {
        guard let request else { return XCTFail("no request reached the server for \(c.endpoint)", file: file, line: line) }
        XCTAssertEqual(request.method, c.method, c.endpoint, file: file, line: line)
        XCTAssertEqual(request.route, "/p/\(c.endpoint)\(c.route)", file: file, line: line)
        XCTAssertEqual(Dictionary(request.query.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }), c.query, c.endpoint, file: file, line: line)
        let value = request.headers[c.header] ?? ""
        XCTAssertTrue(value.hasPrefix(c.scheme), "\(c.endpoint): \(c.header) does not start with `\(c.scheme)`", file: file, line: line)
        XCTAssertEqual(Secret(String(value.dropFirst(c.scheme.count))).fingerprint, Secret(c.key).fingerprint,
                       "\(c.endpoint): \(c.header) does not carry the key \(Secret(c.key).redacted)", file: file, line: line)
        for (name, expected) in c.otherHeaders { XCTAssertEqual(request.headers[name], expected, c.endpoint, file: file, line: line) }
        XCTAssertFalse(request.path.contains(c.key), "\(c.endpoint): the key is in the URL", file: file, line: line)
    }

    /// Scans the case's `.env` line against a server answering `response`: the record (the rule must have fired) and
    /// the requests. The register never holds the key.
    func run(_ endpoint: String, _ response: LocalHTTPServer.Response, file: StaticString = #filePath, line: UInt = #line)
        throws -> (record: CredentialRecord, requests: [LocalHTTPServer.Request], c: Case) {
        let c = try XCTUnwrap(Self.cases()[endpoint])
        let server = try startServer { _ in response }
        let register = try scan(c.line + "\n", server: server)
        let record = try XCTUnwrap(register.credential(for: c.key), "\(endpoint): the \(c.provider) rule did not find the key", file: file, line: line)
        XCTAssertEqual(record.provider, c.provider, file: file, line: line)
        let json = String(decoding: try JSONEncoder().encode(register), as: UTF8.self)
        assertNoPlaintext(json, [c.key], "the register", file: file, line: line)
        XCTAssertEqual(server.requests.count, 1, "\(endpoint): one call, never retried", file: file, line: line)
        assertRequest(server.requests.first, c, file: file, line: line)
        return (record, server.requests, c)
    }

    @discardableResult
    func checkActive(_ endpoint: String, file: StaticString = #filePath, line: UInt = #line) throws -> CredentialRecord {
        let c = try XCTUnwrap(Self.cases()[endpoint])
        let record = try run(endpoint, c.active, file: file, line: line).record
        let validation = try XCTUnwrap(record.validation, file: file, line: line)
        XCTAssertEqual(validation.status, .active, validation.detail, file: file, line: line)
        XCTAssertTrue(validation.detail.hasPrefix("HTTP 200"), validation.detail, file: file, line: line)
        XCTAssertEqual(validation.checkedAt.count, 20, file: file, line: line)
        XCTAssertEqual(record.risk.factors.first { $0.id == "validation.active" }?.points, 10, file: file, line: line)
        return record
    }

    @discardableResult
    func checkRevoked(_ endpoint: String, _ response: LocalHTTPServer.Response? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> CredentialRecord {
        let c = try XCTUnwrap(Self.cases()[endpoint])
        let answer = response ?? c.revoked
        let record = try run(endpoint, answer, file: file, line: line).record
        let validation = try XCTUnwrap(record.validation, file: file, line: line)
        XCTAssertEqual(validation.status, .revoked, validation.detail, file: file, line: line)
        XCTAssertTrue(validation.detail.contains("HTTP \(answer.status)"), validation.detail, file: file, line: line)
        XCTAssertLessThanOrEqual(record.risk.factors.first { $0.id == "validation.revoked" }?.points ?? 1, 0, file: file, line: line)
        XCTAssertEqual(record.risk.severity, .low, "a key its provider refuses is low risk", file: file, line: line)
        XCTAssertEqual(record.status, .open, "a revoked key is still a finding", file: file, line: line)
        return record
    }

    /// A 404, and a 2xx that is not the documented answer: both errors, no validation risk factor.
    func checkError(_ endpoint: String, unexpected: String = #"{"unexpected":true}"#, file: StaticString = #filePath, line: UInt = #line) throws {
        for (response, words) in [(LocalHTTPServer.Response(status: 404, body: "not here"), "HTTP 404"),
                                  (LocalHTTPServer.Response(status: 200, body: unexpected), "HTTP 200")] {
            let record = try run(endpoint, response, file: file, line: line).record
            XCTAssertEqual(record.validation?.status, .error, record.validation?.detail ?? "-", file: file, line: line)
            XCTAssertTrue(record.validation?.detail.contains(words) ?? false, record.validation?.detail ?? "-", file: file, line: line)
            XCTAssertFalse(record.risk.factors.contains { $0.id.hasPrefix("validation.") }, file: file, line: line)
        }
    }

    // MARK: Google AI

    func testGoogleAI() throws {
        let record = try checkActive("google_ai")
        XCTAssertTrue(record.validation!.detail.contains("models/gemini-2.5-flash"), record.validation!.detail)
        try checkRevoked("google_ai")
        try checkError("google_ai")
    }

    /// Not every `AIza` key is a Gemini key: the project's API off, or the key restricted away from it, is unknown
    /// (a live Google key, its other APIs not checked) — never revoked, never active.
    func testGoogleAIKeyThatIsNotAGeminiKey() throws {
        // The SERVICE_DISABLED answer as google-gemini/deprecated-generative-ai-python#10 and gemini-cli#1343 show it.
        let disabled = #"{"error":{"code":403,"message":"Generative Language API has not been used in project 411082643095 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/generativelanguage.googleapis.com/overview?project=411082643095 then retry.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"SERVICE_DISABLED","domain":"googleapis.com","metadata":{"consumer":"projects/411082643095","service":"generativelanguage.googleapis.com"}}]}}"#
        var record = try run("google_ai", .init(status: 403, body: disabled)).record
        XCTAssertEqual(record.validation?.status, .unknown)
        XCTAssertTrue(record.validation?.detail.contains("SERVICE_DISABLED") ?? false)
        XCTAssertTrue(record.validation?.detail.contains("projects/411082643095") ?? false, record.validation?.detail ?? "-")
        // A key restricted to other APIs (and a Vertex AI express key) answers API_KEY_SERVICE_BLOCKED.
        let blocked = #"{"error":{"code":403,"message":"Requests to this API generativelanguage.googleapis.com method google.ai.generativelanguage.v1beta.ModelService.ListModels are blocked.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_SERVICE_BLOCKED","domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com","consumer":"projects/411082643095"}}]}}"#
        record = try run("google_ai", .init(status: 403, body: blocked)).record
        XCTAssertEqual(record.validation?.status, .unknown)
        XCTAssertTrue(record.validation?.detail.contains("API_KEY_SERVICE_BLOCKED") ?? false)
        let referrer = #"{"error":{"code":403,"message":"Requests from referer <empty> are blocked.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_HTTP_REFERRER_BLOCKED","domain":"googleapis.com"}]}}"#
        record = try run("google_ai", .init(status: 403, body: referrer)).record
        XCTAssertEqual(record.validation?.status, .unknown)
        XCTAssertFalse(record.risk.factors.contains { $0.id.hasPrefix("validation.") })
        // A 400 that is not API_KEY_INVALID keeps the stage's rule: an error.
        record = try run("google_ai", .init(status: 400, body: #"{"error":{"code":400,"message":"Invalid page size","status":"INVALID_ARGUMENT"}}"#)).record
        XCTAssertEqual(record.validation?.status, .error)
    }

    /// `AQ.` keys (AI Studio auth keys, Vertex AI express keys) are checked with the same call.
    func testGoogleAuthKeyIsChecked() throws {
        var keys = CredentialFactory()
        let key = keys.googleAuthKey()
        let server = try startServer { _ in .init(status: 200, body: #"{"models":[{"name":"models/gemini-2.5-flash"}]}"#) }
        let register = try scan("GOOGLE_API_KEY=\(key)\n", server: server)
        let record = try XCTUnwrap(register.credential(for: key), "the gemini-key rule did not fire")
        XCTAssertEqual(record.kind, "gemini-key")
        XCTAssertEqual(record.validation?.status, .active)
        XCTAssertEqual(server.requests.count, 1)
        XCTAssertEqual(Secret(server.requests.first?.headers["x-goog-api-key"] ?? "").fingerprint, Secret(key).fingerprint)
    }

    // MARK: GitLab

    func testGitLab() throws {
        let record = try checkActive("gitlab")
        XCTAssertEqual(record.privilege.level, .write, "scope `api` is full read-write API access")
        XCTAssertEqual(record.privilege.scopes, ["api"])
        XCTAssertTrue(record.validation!.detail.contains("\"Test Token\" of user id 24"), record.validation!.detail)
        XCTAssertTrue(record.validation!.detail.contains("no expiry"), record.validation!.detail)
        try checkRevoked("gitlab")
        try checkError("gitlab")
    }

    func testGitLabScopesToPrivilege() {
        XCTAssertEqual(GitLabValidator.level(scopes: ["api", "sudo"]), .admin)
        XCTAssertEqual(GitLabValidator.level(scopes: ["admin_mode", "read_api"]), .admin)
        XCTAssertEqual(GitLabValidator.level(scopes: ["write_repository", "read_api"]), .write)
        XCTAssertEqual(GitLabValidator.level(scopes: ["read_repository", "read_registry"]), .read)
        XCTAssertEqual(GitLabValidator.level(scopes: []), .unknown)
    }

    // MARK: Slack

    func testSlack() throws {
        let record = try checkActive("slack")
        XCTAssertEqual(record.identity.principal, "grace")
        XCTAssertEqual(record.identity.account, "Subarachnoid Workspace")
        XCTAssertEqual(record.privilege.level, .write)
        XCTAssertEqual(record.privilege.scopes, ["chat:write", "channels:read", "users:read"])
        try checkRevoked("slack")
        for error in ["token_revoked", "account_inactive", "token_expired"] {
            let detail = try checkRevoked("slack", .init(status: 200, body: #"{"ok":false,"error":"\#(error)"}"#)).validation?.detail ?? ""
            XCTAssertTrue(detail.contains(error), detail)
        }
        // Another error code is not a refusal (docs.slack.dev auth.test errors: ekm_access_denied …).
        let record2 = try run("slack", .init(status: 200, body: #"{"ok":false,"error":"ekm_access_denied"}"#)).record
        XCTAssertEqual(record2.validation?.status, .error)
        try checkError("slack")
    }

    func testSlackUserTokenIsCheckedAndWebhookIsNot() throws {
        var keys = CredentialFactory()
        let user = keys.slackUserToken(), webhook = keys.slackWebhookURL()
        let server = try startServer { _ in .init(status: 200, body: #"{"ok":true,"team":"T","user":"u"}"#) }
        let register = try scan("SLACK_USER_TOKEN=\(user)\nSLACK_WEBHOOK=\(webhook)\n", server: server)
        XCTAssertEqual(register.credential(for: user)?.validation?.status, .active)
        XCTAssertNotNil(register.credential(for: webhook), "the webhook rule did not fire")
        XCTAssertNil(register.credential(for: webhook)?.validation)
        XCTAssertEqual(server.requests.count, 1)
    }

    func testSlackScopesToPrivilege() {
        XCTAssertEqual(SlackValidator.level(scopes: ["admin.users:write"]), .admin)
        XCTAssertEqual(SlackValidator.level(scopes: ["files:write", "channels:read"]), .write)
        XCTAssertEqual(SlackValidator.level(scopes: ["channels:read", "users:read"]), .read)
        XCTAssertEqual(SlackValidator.level(scopes: []), .unknown)
    }

    // MARK: OpenRouter

    func testOpenRouter() throws {
        let record = try checkActive("openrouter")
        let detail = record.validation!.detail
        XCTAssertTrue(detail.contains("usage 0.10 USD"), detail)
        XCTAssertTrue(detail.contains("limit 5.00 USD (4.90 remaining)"), detail)
        XCTAssertFalse(detail.contains("sk-or-v1"), "the answer's label (part of the key) reached detail: \(detail)")
        try checkRevoked("openrouter")
        try checkError("openrouter")
    }

    func testOpenRouterFreeTierAndManagementKey() throws {
        let body = #"{"data":{"label":"sk-or-v1-au7...890","limit":null,"usage":0,"is_free_tier":true,"is_provisioning_key":true,"limit_remaining":null}}"#
        let record = try run("openrouter", .init(status: 200, body: body)).record
        let detail = record.validation?.detail ?? ""
        XCTAssertTrue(detail.contains("free tier"), detail)
        XCTAssertTrue(detail.contains("no limit"), detail)
        XCTAssertEqual(record.privilege.level, .admin, "a management key creates and deletes keys")
    }

    // MARK: OpenAI-compatible model lists

    func testGroq() throws {
        XCTAssertTrue(try checkActive("groq").validation!.detail.contains("(1 models)"))
        try checkRevoked("groq")
        try checkError("groq")
    }

    func testMistral() throws {
        try checkActive("mistral")
        try checkRevoked("mistral")
        try checkError("mistral")
    }

    func testTogether() throws {
        XCTAssertTrue(try checkActive("together").validation!.detail.contains("(1 models)"), "a bare array of models")
        try checkRevoked("together")
        try checkError("together")
    }

    func testFireworks() throws {
        try checkActive("fireworks")
        try checkRevoked("fireworks")
        try checkError("fireworks")
    }

    // MARK: xAI

    func testXAI() throws {
        let record = try checkActive("xai")
        XCTAssertEqual(record.identity.account, "5ea6f6bd-7815-4b8a-9135-28b2d7ba6722")
        XCTAssertEqual(record.privilege.level, .write)
        XCTAssertEqual(record.privilege.scopes, ["api-key:model:*", "api-key:endpoint:*"])
        XCTAssertTrue(record.validation!.detail.contains("\"My API Key\""))
        XCTAssertFalse(record.validation!.detail.contains("xai-"), "the redacted key reached detail")
        try checkRevoked("xai")
        try checkError("xai")
    }

    func testXAIBlockedKeyAndRestrictedACLs() throws {
        var body = Self.cases()["xai"]!.active.body.replacingOccurrences(of: #""api_key_blocked":false"#, with: #""api_key_blocked":true"#)
        var record = try run("xai", .init(status: 200, body: body)).record
        XCTAssertEqual(record.validation?.status, .revoked)
        XCTAssertTrue(record.validation?.detail.contains("blocked") ?? false)
        body = Self.cases()["xai"]!.active.body.replacingOccurrences(of: #""api-key:model:*""#, with: #""api-key:model:grok-4""#)
        record = try run("xai", .init(status: 200, body: body)).record
        XCTAssertEqual(record.validation?.status, .active)
        XCTAssertEqual(record.privilege.level, .restricted)
    }

    // MARK: DeepSeek, Cohere, ElevenLabs, Pinecone

    func testDeepSeek() throws {
        let detail = try checkActive("deepseek").validation!.detail
        XCTAssertTrue(detail.contains("balance 110.00 CNY (granted 10.00, topped up 100.00)"), detail)
        try checkRevoked("deepseek")
        try checkError("deepseek")
    }

    func testCohere() throws {
        let record = try checkActive("cohere")
        XCTAssertEqual(record.identity.account, "8f2c1a90-org")
        try checkRevoked("cohere")
        try checkRevoked("cohere", .init(status: 200, body: #"{"valid":false}"#))
        try checkError("cohere")
    }

    func testElevenLabs() throws {
        let record = try checkActive("elevenlabs")
        let detail = record.validation!.detail
        XCTAssertTrue(detail.contains("tier creator; 17231 of 100000 characters used"), detail)
        try checkRevoked("elevenlabs")
        try checkError("elevenlabs")
    }

    /// A restricted key without `user_read` is refused with 401 `missing_permissions`: it works (restricted), it is not revoked.
    func testElevenLabsRestrictedKeyIsActive() throws {
        let body = #"{"detail":{"status":"missing_permissions","message":"The API key you used is missing the permission user_read to execute this operation."}}"#
        let record = try run("elevenlabs", .init(status: 401, body: body)).record
        XCTAssertEqual(record.validation?.status, .active)
        XCTAssertEqual(record.privilege.level, .restricted)
    }

    func testPinecone() throws {
        XCTAssertTrue(try checkActive("pinecone").validation!.detail.contains("1 indexes"))
        try checkRevoked("pinecone")
        try checkError("pinecone")
    }

    // MARK: SendGrid, Stripe, Datadog

    func testSendGrid() throws {
        let record = try checkActive("sendgrid")
        XCTAssertEqual(record.privilege.level, .write)
        XCTAssertEqual(record.privilege.scopes, ["mail.send", "alerts.read", "stats.read"])
        XCTAssertTrue(record.validation!.detail.contains("restricted: sends mail"), record.validation!.detail)
        try checkRevoked("sendgrid")
        try checkError("sendgrid")
    }

    func testSendGridScopesToPrivilege() {
        XCTAssertEqual(SendGridValidator.level(scopes: ["api_keys.create", "api_keys.read", "mail.send"]), .admin)
        XCTAssertEqual(SendGridValidator.level(scopes: ["templates.update"]), .write)
        XCTAssertEqual(SendGridValidator.level(scopes: ["stats.read", "alerts.read"]), .read)
        XCTAssertEqual(SendGridValidator.level(scopes: []), .unknown)
    }

    func testStripe() throws {
        XCTAssertTrue(try checkActive("stripe").validation!.detail.contains("test mode"))
        let expired = #"{"error":{"message":"Expired API Key provided: sk_live_****1234","type":"invalid_request_error","code":"api_key_expired"}}"#
        try checkRevoked("stripe")
        try checkRevoked("stripe", .init(status: 401, body: expired))
        try checkError("stripe")
    }

    /// A restricted key without balance read: Stripe's 403 PermissionError (stripe/stripe-node#2246) says the key
    /// works; its message names the key by its last characters and must not reach detail.
    func testStripeRestrictedKeyWithoutBalanceRead() throws {
        var keys = CredentialFactory()
        let key = keys.stripeKey(prefix: "rk_live")
        let tail = String(key.suffix(6))
        let body = #"{"error":{"message":"The provided key 'rk_live_*********************\#(tail)' does not have the required permissions for this endpoint on account 'acct_1PJBLEBBLEfV'. Having the 'rak_balance_read' permission would allow this request to continue.","type":"invalid_request_error"}}"#
        let server = try startServer { _ in .init(status: 403, body: body) }
        let register = try scan("STRIPE_RESTRICTED_KEY=\(key)\n", server: server)
        let record = try XCTUnwrap(register.credential(for: key), "the restricted-key rule did not fire")
        XCTAssertEqual(record.kind, "restricted-key")
        XCTAssertEqual(record.validation?.status, .active)
        XCTAssertEqual(record.privilege.level, .restricted)
        XCTAssertFalse(record.validation?.detail.contains(tail) ?? true)
        // Any other 403 keeps the stage's rule: revoked.
        let other = try startServer { _ in .init(status: 403, body: #"{"error":{"message":"Forbidden","type":"invalid_request_error"}}"#) }
        XCTAssertEqual(try scan("STRIPE_RESTRICTED_KEY=\(key)\n", server: other).credential(for: key)?.validation?.status, .revoked)
    }

    func testDatadog() throws {
        try checkActive("datadog")
        let detail = try checkRevoked("datadog").validation?.detail ?? ""
        XCTAssertTrue(detail.contains("endpoints: datadog"), "the 403 says another site's key is refused too: \(detail)")
        try checkRevoked("datadog", .init(status: 200, body: #"{"valid":false}"#))
        try checkError("datadog")
    }

    // MARK: Where keys go

    /// Each official host is the default endpoint; `endpoints:` accepts each endpoint name.
    func testOfficialHosts() throws {
        let expected = [
            "google_ai": "generativelanguage.googleapis.com", "gitlab": "gitlab.com", "slack": "slack.com", "openrouter": "openrouter.ai",
            "groq": "api.groq.com", "mistral": "api.mistral.ai", "xai": "api.x.ai", "deepseek": "api.deepseek.com",
            "together": "api.together.xyz", "fireworks": "api.fireworks.ai", "cohere": "api.cohere.com", "elevenlabs": "api.elevenlabs.io",
            "pinecone": "api.pinecone.io", "sendgrid": "api.sendgrid.com", "stripe": "api.stripe.com", "datadog": "api.datadoghq.com",
        ]
        XCTAssertEqual(Set(expected.keys), Set(Self.cases().keys))
        for (endpoint, host) in expected {
            let base = try XCTUnwrap(ValidationEndpoints.defaults[endpoint], endpoint)
            XCTAssertEqual(base.scheme, "https", endpoint)
            XCTAssertEqual(base.host, host, endpoint)
            XCTAssertEqual(base.path, "", endpoint)
        }
        for c in Self.cases().values {
            let validator = try XCTUnwrap(ValidatorRegistry.builtin.validator(for: c.provider), c.provider)
            XCTAssertEqual(validator.endpoint, c.endpoint)
        }
        let config = try KeyLedgerConfig.parse("endpoints:\n  datadog: https://api.datadoghq.eu\n  gitlab: https://gitlab.example.org/\n  google_ai: https://gateway.example/gemini\n", source: "k.yml")
        XCTAssertEqual(config.endpoints.base(for: "datadog")?.absoluteString, "https://api.datadoghq.eu")
        XCTAssertEqual(config.endpoints.base(for: "gitlab")?.absoluteString, "https://gitlab.example.org")
        XCTAssertEqual(config.endpoints.base(for: "google_ai")?.absoluteString, "https://gateway.example/gemini")
        XCTAssertEqual(config.endpoints.base(for: "slack")?.absoluteString, "https://slack.com")
    }

    /// Every provider's key in one file: each endpoint receives exactly its own provider's key, once, and no other
    /// key appears in any request (header, path or body).
    func testAKeyOnlyReachesItsOwnProvider() throws {
        let cases = Self.cases()
        let server = try startServer { _ in .init(status: 401, body: "{}") }
        let register = try scan(cases.values.map { $0.line + "\n" }.joined(), server: server)
        let requests = server.requests
        XCTAssertEqual(requests.count, cases.count, "\(requests.map(\.route))")
        for c in cases.values {
            let mine = requests.filter { $0.route.hasPrefix("/p/\(c.endpoint)/") }
            XCTAssertEqual(mine.count, 1, c.endpoint)
            assertRequest(mine.first, c)
            XCTAssertEqual(register.credential(for: c.key)?.validation?.status, .revoked, c.endpoint)
        }
        for request in requests {
            let owner = cases.values.first { request.route.hasPrefix("/p/\($0.endpoint)/") }
            let text = request.path + " " + request.headers.values.joined(separator: " ") + " " + String(decoding: request.body, as: UTF8.self)
            for other in cases.values where other.endpoint != owner?.endpoint {
                XCTAssertFalse(text.contains(other.key), "\(other.endpoint)'s key \(Secret(other.key).redacted) was sent to \(owner?.endpoint ?? request.route)")
            }
        }
        let json = String(decoding: try JSONEncoder().encode(register), as: UTF8.self)
        assertNoPlaintext(json, cases.values.map(\.key), "the register")
    }

    /// Kinds the calls cannot check are found but sent nowhere: Slack webhook URLs, Stripe webhook secrets, Datadog
    /// application keys, GitLab deploy tokens.
    func testKindsTheCallCannotCheckAreNotSent() throws {
        var keys = CredentialFactory()
        let webhook = keys.slackWebhookURL(), whsec = keys.stripeWebhookSecret(), app = keys.datadogApplicationKey(), deploy = keys.gitLabDeployToken()
        let server = try startServer { _ in .init(status: 200, body: "{}") }
        let register = try scan("SLACK_WEBHOOK_URL=\(webhook)\nSTRIPE_WEBHOOK_SECRET=\(whsec)\nDD_APP_KEY=\(app)\nGITLAB_DEPLOY_TOKEN=\(deploy)\n", server: server)
        for (name, key) in [("slack webhook", webhook), ("stripe webhook secret", whsec), ("datadog application key", app), ("gitlab deploy token", deploy)] {
            let record = register.credential(for: key)
            XCTAssertNotNil(record, "the \(name) rule did not fire")
            XCTAssertNil(record?.validation, name)
        }
        XCTAssertEqual(server.requests.count, 0, "\(server.requests.map(\.route))")
    }

    /// The command as a user runs it, against answers that echo each key in the very fields the validators read
    /// (a user or token name, a team, a model, a currency): neither stdout nor stderr holds a key or a 24-character
    /// piece of one.
    func testNoKeyInOutputEvenWhenAnswersEchoIt() throws {
        let cases = Self.cases()
        let echoed = ["grace", "Subarachnoid Workspace", "Test Token", "My API Key", "models/gemini-2.5-flash", "8f2c1a90-org",
                      "creator", "CNY", "5ea6f6bd-7815-4b8a-9135-28b2d7ba6722"]
        let server = try startServer { request in
            guard let c = cases.values.first(where: { request.route.hasPrefix("/p/\($0.endpoint)/") }) else { return .init(status: 404) }
            var body = c.active.body
            for field in echoed { body = body.replacingOccurrences(of: field, with: c.key) }
            return .init(status: 200, headers: c.active.headers, body: body)
        }
        let dir = try temporaryDirectory(self)
        try write(cases.values.map { $0.line + "\n" }.joined(), to: "app/.env", in: dir)
        try write(configText(server), to: "keyledger.yml", in: dir)
        let result = try runKeyledger(["scan", dir + "/app", "--no-history", "--validate", "--config", dir + "/keyledger.yml", "--format", "json"])
        let secrets = cases.values.map(\.key)
        for (text, what) in [(result.stdout, "stdout"), (result.stderr, "stderr")] {
            assertNoPlaintext(text, secrets, what)
            for key in secrets {
                let piece = String(key.prefix(24))
                XCTAssertFalse(text.contains(piece), "\(what) holds the first 24 characters of \(Secret(key).redacted)")
            }
        }
        XCTAssertEqual(server.requests.count, cases.count)
        let register = try JSONDecoder().decode(Register.self, from: Data(result.stdout.utf8))
        XCTAssertEqual(register.credential(for: cases["slack"]!.key)?.validation?.status, .active, scrubbed(result.stderr, secrets))
    }
}
