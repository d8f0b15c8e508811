import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

final class LinkerTests: XCTestCase {
    let asOf = ISODate.parse("2026-11-20")!

    func rule(_ id: String) -> Rule { sharedMatcher.rules.first { $0.id == id }! }

    func entry(_ secret: String, rule id: String, identity: Identity = Identity(), locations: [FoundLocation] = []) -> InventoryEntry {
        let loc = locations.isEmpty ? [FoundLocation(kind: .git, repository: "svc", path: "app/.env", line: 1, commit: "c0ffee",
                                                     author: "Sam <sam@x.example>", firstSeen: 1_780_000_000, lastSeen: 1_780_000_000,
                                                     current: true)] : locations
        return InventoryEntry(secret: Secret(secret), rule: rule(id), identity: identity, locations: loc)
    }

    func openAIHint(_ key: String, stars: Bool) -> KeyRecognition {
        stars ? .hint(prefix: String(key.prefix(8)), suffix: String(key.suffix(4)), length: key.count)
              : .hint(prefix: String(key.prefix(6)), suffix: String(key.suffix(3)), length: nil)
    }

    func testLinkMethods() {
        var keys = CredentialFactory()
        let openai = keys.openAIProjectKey()
        let aws = keys.awsKeyPair()
        let litellm = "sk-" + keys.random(30, from: CredentialFactory.alnum)
        var bundle = ExportBundle()
        bundle.keys = [
            ProviderKey(provider: "openai", keyId: "key_1", principal: "ana@x.example", owner: "ana@x.example", project: "proj_a",
                        created: ISODate.parse("2026-01-01"), lastUsed: ISODate.parse("2026-11-19"), status: "active",
                        recognition: openAIHint(openai, stars: true), source: "keys.json"),
            ProviderKey(provider: "aws", keyId: aws.id, principal: "arn:aws:iam::123456789012:user/deployer", owner: "deployer",
                        recognition: .keyId(aws.id), source: "list-access-keys.json"),
            ProviderKey(provider: "litellm", keyId: SHA256.hex(litellm), name: "batch-jobs", recognition: .sha256(SHA256.hex(litellm)),
                        source: "tokens.json"),
            ProviderKey(provider: "openai", keyId: "key_unleaked", owner: "bot", project: "proj_b",
                        recognition: .hint(prefix: "sk-proj-", suffix: "zzzz", length: 164), source: "keys.json"),
        ]
        let entries = [entry(openai, rule: "openai.project-key"),
                       entry(aws.secret, rule: "aws.access-key", identity: Identity(keyId: aws.id)),
                       entry(litellm, rule: "openai.legacy-key")]
        let linked = Linker(bundle: bundle, asOf: asOf).link(entries)
        XCTAssertEqual(linked.count, 4, "the key no source contains is in the register too")
        XCTAssertEqual(linked[0].identity.keyId, "key_1")
        XCTAssertEqual(linked[0].identityLink?.method, .redactionHint)
        XCTAssertEqual(linked[0].owner.source, .provider)
        XCTAssertEqual(linked[0].owner.contact, "ana@x.example")
        XCTAssertEqual(ISODate.day(linked[0].created!), "2026-01-01")
        XCTAssertEqual(linked[1].identityLink?.method, .keyId)
        XCTAssertEqual(linked[1].identity.principal, "arn:aws:iam::123456789012:user/deployer")
        XCTAssertEqual(linked[2].identityLink?.method, .sha256)
        XCTAssertEqual(linked[2].identity.name, "batch-jobs")
        let unleaked = linked[3]
        XCTAssertNil(unleaked.entry)
        XCTAssertEqual(unleaked.identity.keyId, "key_unleaked")
        XCTAssertEqual(unleaked.identityLink?.method, .inventory)
    }

    func testDotsHintAndAmbiguityBothWays() {
        var keys = CredentialFactory()
        let a = keys.anthropicAPIKey()
        var b = keys.anthropicAPIKey()
        // b shares a's first 16 and last 4 characters: one hint matches two credentials.
        b = String(a.prefix(16)) + String(b.dropFirst(16).dropLast(4)) + String(a.suffix(4))
        let hint = KeyRecognition.hint(prefix: String(a.prefix(16)), suffix: String(a.suffix(4)), length: nil)
        var bundle = ExportBundle()
        bundle.keys = [ProviderKey(provider: "anthropic", keyId: "apikey_1", recognition: hint, source: "a.json")]
        var linked = Linker(bundle: bundle, asOf: asOf).link([entry(a, rule: "anthropic.api-key"), entry(b, rule: "anthropic.api-key")])
        XCTAssertEqual(linked.filter { $0.identityLink?.method == .ambiguous }.count, 2)
        XCTAssertTrue(linked.allSatisfy { $0.identity.keyId == nil }, "an ambiguous link is never silently chosen")
        XCTAssertEqual(linked.count, 2, "the ambiguous provider key is not listed again as unleaked")

        // Two provider keys matching one credential.
        bundle.keys.append(ProviderKey(provider: "anthropic", keyId: "apikey_2", recognition: hint, source: "b.json"))
        linked = Linker(bundle: bundle, asOf: asOf).link([entry(a, rule: "anthropic.api-key")])
        XCTAssertEqual(linked.first?.identityLink?.method, .ambiguous)
        XCTAssertTrue(linked.first?.identityLink?.detail.contains("apikey_1, apikey_2") ?? false)
    }

    func testUsageExactBeatsApproximateAndCostBeatsTokens() {
        var keys = CredentialFactory()
        let k1 = keys.openAIProjectKey(), k2 = keys.openAIProjectKey(), k3 = keys.openAIProjectKey()
        var bundle = ExportBundle()
        bundle.keys = [k1, k2, k3].enumerated().map { i, k in
            ProviderKey(provider: "openai", keyId: "key_\(i)", project: "proj_shared", recognition: openAIHint(k, stars: true), source: "k.json")
        }
        bundle.usage = [
            // key_0: billed cost and tokens the same day: the bill wins, tokens still count.
            UsageRecord(provider: "openai", scope: .key("key_0"), day: "2026-11-18", cost: 12.5, source: "costs.json"),
            UsageRecord(provider: "openai", scope: .key("key_0"), day: "2026-11-18", cost: nil, inputTokens: 1_000_000, outputTokens: 0,
                        requests: 10, model: "gpt-4o", source: "usage.json"),
            // key_1: tokens only, priced from the table (gpt-4o-mini: 0.15 in / 0.60 out per 1M).
            UsageRecord(provider: "openai", scope: .key("key_1"), day: "2026-11-10", cost: nil, inputTokens: 2_000_000,
                        outputTokens: 1_000_000, requests: 5, model: "gpt-4o-mini-2024-07-18", source: "usage.json"),
            // Outside the 30-day window.
            UsageRecord(provider: "openai", scope: .key("key_1"), day: "2026-09-01", cost: 99, source: "costs.json"),
            // Project-level cost: only key_2 lacks key-level usage, so it gets all of it, marked approximate.
            UsageRecord(provider: "openai", scope: .project("proj_shared"), day: "2026-11-19", cost: 30, source: "costs.json"),
        ]
        let linked = Linker(bundle: bundle, asOf: asOf).link([k1, k2, k3].map { entry($0, rule: "openai.project-key") })
        XCTAssertEqual(linked[0].usage.spend30d, 12.5)
        XCTAssertEqual(linked[0].usage.tokens30d, 1_000_000)
        XCTAssertEqual(linked[0].usage.requests30d, 10)
        XCTAssertEqual(linked[0].usage.link, "exact: api key id")
        XCTAssertNil(linked[0].usage.estimated)
        XCTAssertEqual(linked[1].usage.spend30d, 0.9, accuracy: 0.001)
        XCTAssertEqual(linked[1].usage.estimated, true)
        XCTAssertTrue(linked[1].usage.link?.contains("estimated") ?? false)
        XCTAssertEqual(linked[1].usage.daily?.map(\.date), ["2026-09-01", "2026-11-10"])
        XCTAssertEqual(linked[2].usage.spend30d, 30)
        XCTAssertTrue(linked[2].usage.link?.hasPrefix("approximate") ?? false)
        XCTAssertEqual(linked[0].usage.spend7d, 12.5)
        XCTAssertEqual(linked[1].usage.spend7d, 0)
    }

    func testAmountsAreNeverAddedAcrossCurrencies() {
        var keys = CredentialFactory()
        let k = keys.openAIProjectKey()
        var bundle = ExportBundle()
        bundle.keys = [ProviderKey(provider: "openai", keyId: "key_1", recognition: openAIHint(k, stars: true), source: "k.json")]
        bundle.usage = [UsageRecord(provider: "openai", scope: .key("key_1"), day: "2026-11-18", cost: 100, currency: "USD", source: "a"),
                        UsageRecord(provider: "openai", scope: .key("key_1"), day: "2026-11-18", cost: 40, currency: "EUR", source: "b")]
        let linked = Linker(bundle: bundle, asOf: asOf).link([entry(k, rule: "openai.project-key")])
        XCTAssertEqual(linked[0].usage.currency, "USD")
        XCTAssertEqual(linked[0].usage.spend30d, 100)
        XCTAssertTrue(linked[0].notes.contains { $0.contains("EUR") })
    }

    func testPrincipalUsageAndPrivilegeGrants() {
        var keys = CredentialFactory()
        let bedrock = keys.bedrockLongTermKey(account: "123456789012")
        let identity = CredentialDecoders.bedrockLongTerm(bedrock)!
        var bundle = ExportBundle()
        bundle.usage = [UsageRecord(provider: "aws", scope: .principal(identity.principal!), day: "2026-11-15", cost: 44, source: "cur.csv")]
        bundle.grants = [PrivilegeGrant(principal: identity.principal!, level: "admin", scopes: ["AdministratorAccess"], source: "auth.json")]
        let linked = Linker(bundle: bundle, asOf: asOf).link([entry(bedrock, rule: "aws.bedrock-long-term-key", identity: identity)])
        XCTAssertEqual(linked[0].usage.spend30d, 44)
        XCTAssertEqual(linked[0].usage.link, "exact: IAM principal")
        XCTAssertEqual(linked[0].privilege.level, .admin)
        XCTAssertEqual(linked[0].privilege.scopes, ["AdministratorAccess"])
    }

    func testOwnerPrecedenceAndPooling() throws {
        var keys = CredentialFactory()
        let k = keys.groqKey()
        func loc(_ repo: String, _ path: String) -> FoundLocation {
            FoundLocation(kind: .git, repository: repo, path: path, line: 1, commit: "c", author: "Lee <lee@x.example>",
                          firstSeen: 1_780_000_000, lastSeen: 1_780_000_000, current: true)
        }
        let config = try KeyLedgerConfig.parse("""
        owners:
          - team: payments
            contact: payments@x.example
            cost_centre: CC-1
            repositories: ["*payments*"]
          - team: ml
            contact: ml@x.example
            repositories: ["ml-*"]
            paths: ["notebooks/**"]
        """, source: "keyledger.yml")
        // owners-file by repository glob, pooled across two teams.
        var linked = Linker(bundle: ExportBundle(), config: config, asOf: asOf)
            .link([entry(k, rule: "groq.api-key", locations: [loc("acme/payments-api", "a.py"), loc("ml-platform", "notebooks/x.ipynb")])])
        XCTAssertEqual(linked[0].owner.source, .ownersFile)
        XCTAssertEqual(linked[0].owner.team, "payments")
        XCTAssertEqual(linked[0].owner.costCentre, "CC-1")
        XCTAssertTrue(linked[0].owner.pooled)
        XCTAssertEqual(linked[0].owner.teams, ["ml", "payments"])
        // CODEOWNERS: last matching pattern wins.
        let codeowners = "* @acme/platform\n/app/ @acme/app-team\n*.env @acme/secops\n"
        linked = Linker(bundle: ExportBundle(), codeOwners: ["svc": codeowners], asOf: asOf)
            .link([entry(k, rule: "groq.api-key", locations: [loc("svc", "app/prod.env")])])
        XCTAssertEqual(linked[0].owner.source, .codeowners)
        XCTAssertEqual(linked[0].owner.team, "@acme/secops")
        // No owners file, no CODEOWNERS, no provider: the introducing commit's author.
        linked = Linker(bundle: ExportBundle(), asOf: asOf).link([entry(k, rule: "groq.api-key", locations: [loc("svc", "x.py")])])
        XCTAssertEqual(linked[0].owner.source, .gitAuthor)
        XCTAssertEqual(linked[0].owner.contact, "Lee <lee@x.example>")
        XCTAssertNil(linked[0].owner.team)
    }

    func testCodeOwnersPatterns() {
        let rules = CodeOwners(text: """
        # comment
        *       @all
        *.js    @js
        /build/logs/ @logs
        docs/*  @docs
        apps/   @apps
        **/secrets @sec
        /README.md
        """)
        XCTAssertEqual(rules.owners(of: "main.go"), ["@all"])
        XCTAssertEqual(rules.owners(of: "web/app.js"), ["@js"])
        XCTAssertEqual(rules.owners(of: "build/logs/x/y.txt"), ["@logs"])
        XCTAssertEqual(rules.owners(of: "docs/a.md"), ["@docs"])
        XCTAssertEqual(rules.owners(of: "docs/deep/a.md"), ["@all"], "docs/* does not match nested files")
        XCTAssertEqual(rules.owners(of: "x/apps/y.py"), ["@apps"])
        XCTAssertEqual(rules.owners(of: "a/b/secrets/k.env"), ["@sec"])
        XCTAssertEqual(rules.owners(of: "README.md"), [], "a later pattern without owners clears them")
    }

    func testConfigErrorsNameTheLine() {
        XCTAssertThrowsError(try KeyLedgerConfig.parse("owners:\n  - contact: a@b\n", source: "k.yml")) {
            XCTAssertEqual("\($0)", "k.yml: line 2: owner entry is missing `team`")
        }
        XCTAssertThrowsError(try KeyLedgerConfig.parse("owners:\n  - team: x\n    repos: [a]\n", source: "k.yml")) {
            XCTAssertTrue("\($0)".contains("line 2") && "\($0)".contains("unknown owner field `repos`"))
        }
        XCTAssertThrowsError(try KeyLedgerConfig.parse("ownerz: []\n", source: "k.yml")) {
            XCTAssertTrue("\($0)".contains("line 1") && "\($0)".contains("unknown section"))
        }
        XCTAssertThrowsError(try KeyLedgerConfig.parse("prices:\n  - model: m\n    input: cheap\n    output: 1\n", source: "k.yml")) {
            XCTAssertTrue("\($0)".contains("line 2"))
        }
    }

    func testPriceTableIsDatedAndOverridable() throws {
        let table = PriceTable()
        XCTAssertEqual(table.price(for: "gpt-4o-mini-2024-07-18")?.model, "gpt-4o-mini")
        XCTAssertEqual(table.price(for: "gpt-4o-2024-08-06")?.model, "gpt-4o")
        XCTAssertEqual(table.price(for: "claude-sonnet-4-5-20250929")?.model, "claude-sonnet-4-5")
        XCTAssertFalse(table.price(for: "gpt-4o")!.checked.isEmpty)
        XCTAssertNil(table.price(for: "some-unknown-model"))
        let config = try KeyLedgerConfig.parse("prices:\n  - model: gpt-4o\n    input: 1\n    output: 2\n", source: "k.yml")
        XCTAssertEqual(PriceTable(overrides: config.prices).estimate(model: "gpt-4o", inputTokens: 1_000_000, outputTokens: 1_000_000), 3)
    }
}
