import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// `--rules .gitleaks.toml`: gitleaks / betterleaks rules translated into keyledger's dialect, what cannot be named in
/// warnings, allowlists applied to the capture, `gitleaks:allow` and `.gitleaksignore` honoured.
final class GitleaksImportTests: XCTestCase {
    /// A team config in the shapes of gitleaks' own `config/gitleaks.toml` (v8.30), plus its own rules.
    static let config = #"""
    title = "acme gitleaks config"

    [extend]
    useDefault = true
    disabledRules = ["deepseek.api-key", "generic-api-key"]

    [allowlist]
    description = "global allow lists"
    regexes = ['''^\$(?:\d+|{\d+})$''']
    stopwords = ["014df517-39d1-4453-b7b3-9930c563627c"]

    [[rules]]
    id = "1password-secret-key"
    description = "Uncovered a possible 1Password secret key."
    regex = '''\bA3-[A-Z0-9]{6}-(?:(?:[A-Z0-9]{11})|(?:[A-Z0-9]{6}-[A-Z0-9]{5}))-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}\b'''
    entropy = 3.8
    keywords = ["a3-"]

    [[rules]]
    id = "adafruit-api-key"
    description = "Identified a potential Adafruit API Key."
    regex = '''(?i)[\w.-]{0,50}?(?:adafruit)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}([a-z0-9_-]{32})(?:[\x60'"\s;]|\\[nr]|$)'''
    keywords = ["adafruit"]

    [[rules]]
    id = "adobe-client-secret"
    description = "Discovered a potential Adobe Client Secret."
    regex = '''\b(p8e-(?i)[a-z0-9]{32})(?:[\x60'"\s;]|\\[nr]|$)'''
    entropy = 2
    keywords = ["p8e-"]

    [[rules]]
    id = "airtable-personnal-access-token"
    description = "Uncovered a possible Airtable Personal AccessToken."
    regex = '''\b(pat[[:alnum:]]{14}\.[a-f0-9]{64})\b'''
    keywords = ["airtable"]

    [[rules]]
    id = "sonar-api-token"
    description = "Uncovered a Sonar API token."
    regex = '''(?i)[\w.-]{0,50}?(?:sonar[_.-]?(login|token))(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}((?:squ_|sqp_|sqa_)?[a-z0-9=_\-]{40})(?:[\x60'"\s;]|\\[nr]|$)'''
    secretGroup = 2
    keywords = ["sonar"]

    [[rules]]
    id = "acme-service-token"
    description = "ACME deploy token (our own rule)."
    regex = '''(?P<env>ACME_(?:PROD|DEV))_TOKEN\s*=\s*(?P<token>acme_[a-f0-9]{40})(?:\s|\z)'''
    secretGroup = 2
    keywords = ["acme_"]
    tags = ["internal"]

    [[rules]]
    id = "acme-password"
    description = "ACME database password."
    regex = '''(?i)acme_password\s*[:=]\s*["']?([a-z0-9]{16,40})'''
    entropy = 3
    keywords = ["acme_password"]
    [[rules.allowlists]]
    regexes = ['''^test''']
    stopwords = ["sample"]
    [[rules.allowlists]]
    regexTarget = "line"
    regexes = ['''#\s*fixture\b''']
    [[rules.allowlists]]
    commits = ["0123456789abcdef0123456789abcdef01234567"]

    [[rules]]
    id = "freemius-secret-key"
    description = "Detected a Freemius secret key."
    regex = '''(?i)["']secret_key["']\s*=>\s*["'](sk_[\S]{29})["']'''
    path = '''(?i)\.php$'''
    keywords = ["secret_key"]

    [[rules]]
    id = "atlassian-api-token"
    description = "Detected an Atlassian API token."
    regex = '''(?i)[\w.-]{0,50}?(?:(?-i:ATLASSIAN|[Aa]tlassian)|(?-i:JIRA|[Jj]ira))(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}([a-z0-9]{20}[a-f0-9]{4})(?:[\x60'"\s;]|\\[nr]|$)|\b(ATATT3[A-Za-z0-9_\-=]{186})(?:[\x60'"\s;]|\\[nr]|$)'''
    keywords = ["atlassian", "jira", "atatt3"]

    [[rules]]
    id = "pkcs12-file"
    description = "Found a PKCS #12 file."
    path = '''(?i)(?:^|\/)[^\/]+\.p(?:12|fx)$'''

    [[rules]]
    id = "acme-ungreedy"
    description = "A rule written for Go's ungreedy mode."
    regex = '''(?U)acme_key=(.+)'''

    [[rules]]
    id = "acme-composite"
    description = "Only with a client id nearby."
    regex = '''acme_secret=([a-f0-9]{32})'''
    [[rules.required]]
    id = "acme-client-id"
    withinLines = 3
    """#

    func importConfig() throws -> RuleSet {
        try GitleaksRuleImporter.parse(toml: Self.config, source: ".gitleaks.toml")
    }

    func testRegexesAreTranslatedExactly() throws {
        let rules = Dictionary(uniqueKeysWithValues: try importConfig().rules.map { ($0.id, $0) })
        let context = #"[\w.\-]{0,50}?"#
        let assign = #"(?:[ \t\w.\-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}"#
        let end = #"(?:[\x60'"\s;]|\\[nr]|$)"#
        let expected: [String: String] = [
            // No group: the whole match is the secret.
            "gitleaks.1password-secret-key":
                #"(\bA3-[A-Z0-9]{6}-(?:(?:[A-Z0-9]{11})|(?:[A-Z0-9]{6}-[A-Z0-9]{5}))-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}\b)"#,
            // A leading (?i) becomes a scoped group over the whole pattern.
            "gitleaks.adafruit-api-key": "(?i:" + context + "(?:adafruit)" + assign + #"([a-z0-9_\-]{32})"# + end + ")",
            // A (?i) inside a group scopes to the rest of that group, as in RE2.
            "gitleaks.adobe-client-secret": #"\b(p8e-(?i:[a-z0-9]{32}))"# + end,
            // POSIX classes become ASCII ranges.
            "gitleaks.airtable-personnal-access-token": #"\b(pat[0-9A-Za-z]{14}\.[a-f0-9]{64})\b"#,
            // secretGroup = 2: group 1 becomes non-capturing.
            "gitleaks.sonar-api-token": "(?i:" + context + #"(?:sonar[_.\-]?(?:login|token))"# + assign
                + #"((?:squ_|sqp_|sqa_)?[a-z0-9=_\-]{40})"# + end + ")",
            // Named groups: the secret group keeps capturing, the other is non-capturing; \z is $.
            "gitleaks.acme-service-token": #"(?:ACME_(?:PROD|DEV))_TOKEN\s*=\s*(acme_[a-f0-9]{40})(?:\s|$)"#,
            // `:` is escaped in a class: ICU would read `[:` as the start of a property.
            "gitleaks.acme-password": #"(?i:acme_password\s*[\:=]\s*["']?([a-z0-9]{16,40}))"#,
            "gitleaks.freemius-secret-key": #"(?i:["']secret_key["']\s*=>\s*["'](sk_[\S]{29})["'])"#,
        ]
        XCTAssertEqual(Set(rules.keys), Set(expected.keys))
        for (id, pattern) in expected {
            XCTAssertEqual(rules[id]?.pattern, pattern, id)
        }
        let password = try XCTUnwrap(rules["gitleaks.acme-password"])
        XCTAssertEqual(password.provider, "acme")
        XCTAssertEqual(password.kind, "acme-password")
        XCTAssertEqual(password.origin, .gitleaks)
        XCTAssertEqual(password.keywords, ["acme_password"])
        XCTAssertEqual(password.entropy, 3)
        XCTAssertEqual(password.source, ".gitleaks.toml: line 53")
        // Its own allowlists, then the global one (whose `{` is a literal brace in RE2).
        XCTAssertEqual(password.allow, [RuleAllow(regex: "^test"), RuleAllow(regex: #"#\s*fixture\b"#, target: .line),
                                        RuleAllow(regex: #"^\$(?:\d+|\{\d+\})$"#)])
        XCTAssertEqual(password.stopwords, ["sample", "014df517-39d1-4453-b7b3-9930c563627c"])
        XCTAssertEqual(rules["gitleaks.freemius-secret-key"]?.pathPatterns, [#"(?i:\.php$)"#])
        XCTAssertEqual(rules["gitleaks.1password-secret-key"]?.provider, "1password")
    }

    func testWhatCannotBeTranslatedIsNamedPerRule() throws {
        let set = try importConfig()
        let skipped = set.warnings.filter(\.skipped).map { "\($0.rule ?? "?"): \($0.message)" }
        XCTAssertEqual(skipped, [
            "atlassian-api-token: not imported: no secretGroup and the first of 2 capture groups is optional: gitleaks takes "
                + "the first non-empty group, keyledger needs one fixed group (set secretGroup, or split the alternatives into rules of their own)",
            "pkcs12-file: not imported: file-name rule (only `path`): keyledger reports secrets in content, not file names",
            "acme-ungreedy: not imported: ungreedy flag (?U) (ICU has none)",
            "acme-composite: not imported: composite rule ([[rules.required]]): keyledger has no rules that need other rules' hits",
        ])
        let notes = set.warnings.filter { !$0.skipped }.map(\.description)
        XCTAssertEqual(notes, [
            ".gitleaks.toml: line 53: acme-password: allowlist 3: `commits` not applied (keyledger allows by content, not commit)",
            ".gitleaks.toml: line 3: [extend] useDefault: gitleaks' default catalogue is not shipped with keyledger; "
                + "keyledger's built-in rules stand in for it",
        ])
        XCTAssertTrue(set.extendsBuiltins)
        XCTAssertEqual(set.disabledBuiltins.map(\.id), ["deepseek.api-key", "generic-api-key"])
    }

    /// Untranslatable constructs, one at a time: each is a named reason, never a crash.
    func testUnsupportedConstructsAreNamed() {
        let cases: [(String, String)] = [
            (#"foo(?=bar)"#, "look-around"),
            (#"\C+"#, "\\C (any byte)"),
            (#"\pL{20}"#, "Unicode property class"),
            (#"(a"#, "unbalanced parentheses"),
            (#"[[:^alpha:]_]"#, "negated POSIX class"),
        ]
        for (pattern, reason) in cases {
            XCTAssertThrowsError(try RE2PatternTranslator.translate(pattern, secretGroup: .automatic), pattern) { error in
                XCTAssertTrue("\(error)".contains(reason), "\(pattern): \(error)")
            }
        }
        XCTAssertThrowsError(try RE2PatternTranslator.translate("(a)(b)", secretGroup: .number(3)))
        XCTAssertEqual(try? RE2PatternTranslator.translate(#"(?i)a|b"#, secretGroup: .automatic), "((?i:a)|(?i:b))")
        XCTAssertEqual(try? RE2PatternTranslator.translate(#"x\Q.*\E\v\101"#, secretGroup: .none), #"x\.\*\x0B\x{41}"#)
        XCTAssertEqual(try? RE2PatternTranslator.translate(#"[^]a[]"#, secretGroup: .none), #"[^\]a\[]"#)
    }

    func testDisabledRulesAndGlobalAllowlistsReachBuiltins() throws {
        let dir = try temporaryDirectory(self)
        try write(Self.config, to: ".gitleaks.toml", in: dir)
        let set = try RuleLoader.loadWithBuiltins(extra: [dir])
        let ids = Set(set.rules.map(\.id))
        XCTAssertFalse(ids.contains("deepseek.api-key"))
        XCTAssertTrue(ids.contains("openai.project-key"))
        XCTAssertTrue(ids.contains("gitleaks.acme-password"))
        XCTAssertEqual(set.rules.first { $0.id == "openai.project-key" }?.stopwords, ["014df517-39d1-4453-b7b3-9930c563627c"])
        XCTAssertTrue(set.warnings.contains {
            $0.message.hasPrefix("[extend] disabledRules: generic-api-key is no keyledger built-in rule")
        })
        // A single file works as well as a folder.
        XCTAssertEqual(try RuleLoader.load(path: dir + "/.gitleaks.toml").rules.count, 8)
    }

    func testImportedRulesNeedNoExamplesButYAMLRulesStillDo() throws {
        let imported = try importConfig().rules
        let yaml = try RuleLoader.parse(yaml: """
            provider: acme
            rules:
              - id: acme.bare
                kind: bare
                pattern: '\\b(acmebare_[a-f0-9]{32})\\b'
            """, source: "acme.yml")
        let matcher = try RuleMatcher(rules: imported + yaml, cache: nil)
        let failures = RuleTester.run(imported + yaml, matcher: matcher).map(\.description)
        XCTAssertEqual(failures, ["acme.yml: acme.bare: has no examples", "acme.yml: acme.bare: has no negative examples"])
    }

    /// Scanning with the imported rules finds what gitleaks would, and not what its allowlists excuse.
    func testScanFindsWhatGitleaksFindsAndHonoursAllowlistsAndMarkers() throws {
        var keys = CredentialFactory(seed: 9)
        let upper = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        let onePassword = "A3-" + keys.random(6, from: upper) + "-" + keys.random(11, from: upper) + "-"
            + keys.random(5, from: upper) + "-" + keys.random(5, from: upper) + "-" + keys.random(5, from: upper)
        let adafruit = keys.random(32, from: CredentialFactory.lowerAlnum)
        let adobe = "p8e-" + keys.random(32, from: CredentialFactory.alnum)
        let airtable = "pat" + keys.random(14, from: CredentialFactory.alnum) + "." + keys.random(64, from: CredentialFactory.hexLower)
        let sonar = "squ_" + keys.random(40, from: CredentialFactory.lowerAlnum)
        let acme = "acme_" + keys.random(40, from: CredentialFactory.hexLower)
        let password = keys.random(24, from: CredentialFactory.alnum)
        let allowedByMarker = keys.random(24, from: CredentialFactory.alnum)
        let listed = keys.random(24, from: CredentialFactory.alnum)
        let freemius = "sk_" + keys.random(29, from: CredentialFactory.alnum)
        let lines = [
            "ONEPASSWORD=\(onePassword)",                                  // 1
            "ADAFRUIT_IO_KEY = \"\(adafruit)\"",                           // 2
            "adobe_secret: \(adobe)",                                      // 3
            "# airtable",                                                  // 4
            "AIRTABLE_PAT=\(airtable)",                                    // 5
            "sonar.token=\(sonar)",                                        // 6
            "ACME_PROD_TOKEN = \(acme)",                                   // 7
            "acme_password: \(password)",                                  // 8
            "acme_password: sample\(keys.random(18, from: CredentialFactory.alnum))",   // 9: stopword
            "acme_password: test\(keys.random(20, from: CredentialFactory.alnum))",     // 10: allowlist regex on the secret
            "acme_password: \(keys.random(24, from: CredentialFactory.alnum)) # fixture", // 11: allowlist regex on the line
            "acme_password: \(allowedByMarker) # gitleaks:allow",          // 12
            "acme_password: \(listed)",                                    // 13: in .gitleaksignore
        ]
        let dir = try temporaryDirectory(self)
        // Not a `.env` name: the built-in generic.config-secret would rightly report line 10 there too.
        try write(lines.joined(separator: "\n") + "\n", to: "deploy/app.settings", in: dir)
        try write("$config = ['secret_key' => '\(freemius)'];\n", to: "web/config.php", in: dir)
        try write("$config = ['secret_key' => '\(freemius)'];\n", to: "docs/config.txt", in: dir)
        try write("# accepted in gitleaks days\ndeploy/app.settings:acme-password:13\n", to: ".gitleaksignore", in: dir)
        let rulesDir = try temporaryDirectory(self, "rules")
        try write(Self.config, to: ".gitleaks.toml", in: rulesDir)
        // The imported rules alone: keyledger's own built-ins now know most of these formats and, being more
        // specific, would claim the same secrets under their ids.
        let matcher = try RuleMatcher(rules: RuleLoader.load(path: rulesDir).rules, cache: nil)
        let result = try Scanner(matcher: matcher).run(ScanRequest(paths: [dir]))

        let found = result.findings.sorted { ($0.location.path, $0.location.line ?? 0) < ($1.location.path, $1.location.line ?? 0) }
        let summary = found.map { "\($0.location.path):\($0.location.line ?? 0) \($0.rule.id) \($0.location.allowReason ?? "open")" }
        XCTAssertEqual(summary, [
            "deploy/app.settings:1 gitleaks.1password-secret-key open",
            "deploy/app.settings:2 gitleaks.adafruit-api-key open",
            "deploy/app.settings:3 gitleaks.adobe-client-secret open",
            "deploy/app.settings:5 gitleaks.airtable-personnal-access-token open",
            "deploy/app.settings:6 gitleaks.sonar-api-token open",
            "deploy/app.settings:7 gitleaks.acme-service-token open",
            "deploy/app.settings:8 gitleaks.acme-password open",
            "deploy/app.settings:12 gitleaks.acme-password gitleaks:allow marker",
            "deploy/app.settings:13 gitleaks.acme-password listed in .gitleaksignore",
            "web/config.php:1 gitleaks.freemius-secret-key open",
        ])
        // The secret is exactly gitleaks' secret (its capture group); compared without printing it.
        let expected = [onePassword, adafruit, adobe, airtable, sonar, acme, password, allowedByMarker, listed, freemius]
        XCTAssertEqual(found.count, expected.count)
        for (finding, secret) in zip(found, expected) {
            XCTAssertTrue(finding.secret.value == secret, "\(finding.rule.id): captured \(finding.secret.redacted)")
        }
    }

    func testGitleaksIgnoreFingerprintsMatchFileLineAndCommit() {
        let ignore = GitleaksIgnore.parse("""
            # history and folder fingerprints
            0123456789abcdef0123456789abcdef01234567:src/app.py:openai-api-key:12
            ./config/.env:generic-api-key:3
            C:/work/x.env:generic-api-key:4
            not a fingerprint
            """)
        XCTAssertEqual(ignore.entries, [
            .init(commit: "0123456789abcdef0123456789abcdef01234567", file: "src/app.py", ruleID: "openai-api-key", line: 12),
            .init(commit: nil, file: "config/.env", ruleID: "generic-api-key", line: 3),
            .init(commit: nil, file: "C:/work/x.env", ruleID: "generic-api-key", line: 4),
        ])
        func location(_ path: String, _ line: Int, commit: String? = nil) -> FoundLocation {
            FoundLocation(kind: commit == nil ? .file : .git, repository: "r", path: path, line: line, commit: commit, current: true)
        }
        XCTAssertTrue(ignore.lists(location("src/app.py", 12, commit: "0123456789abcdef0123456789abcdef01234567")))
        XCTAssertFalse(ignore.lists(location("src/app.py", 12, commit: "fedcba9876543210fedcba9876543210fedcba98")))
        XCTAssertFalse(ignore.lists(location("src/app.py", 12)))
        XCTAssertFalse(ignore.lists(location("src/app.py", 13, commit: "0123456789abcdef0123456789abcdef01234567")))
        XCTAssertTrue(ignore.lists(location("config/.env", 3)))
        XCTAssertTrue(ignore.lists(location("config/.env", 3, commit: "fedcba9876543210fedcba9876543210fedcba98")))
    }

    func testYAMLRulesCanCarryAllowAndStopwords() throws {
        let rules = try RuleLoader.parse(yaml: """
            provider: acme
            rules:
              - id: acme.key
                kind: key
                pattern: '\\b(acmekey_[a-z0-9]{24})\\b'
                allow:
                  - '^acmekey_test'
                  - { regex: 'mock', target: line }
                  - { regex: '(?:^|/)fixtures/', target: path }
                stopwords: [Demo]
                examples: ['x']
                negative_examples: ['y']
            """, source: "acme.yml")
        XCTAssertEqual(rules.first?.allow, [RuleAllow(regex: "^acmekey_test"), RuleAllow(regex: "mock", target: .line),
                                           RuleAllow(regex: "(?:^|/)fixtures/", target: .path)])
        XCTAssertEqual(rules.first?.stopwords, ["demo"])
        let matcher = try RuleMatcher(rules: rules, cache: nil)
        var keys = CredentialFactory(seed: 3)
        func found(_ text: String, path: String? = nil) -> Int {
            Array(text.utf8).withUnsafeBytes { matcher.matches(in: $0, workspace: matcher.makeWorkspace(), path: path).count }
        }
        let key = "acmekey_" + keys.random(24, from: CredentialFactory.lowerAlnum)
        XCTAssertEqual(found("K=\(key)\n"), 1)
        XCTAssertEqual(found("K=\(key)\n", path: "src/app.env"), 1)
        XCTAssertEqual(found("K=\(key)\n", path: "test/fixtures/app.env"), 0)
        XCTAssertEqual(found("K=\(key) # mock server\n"), 0)
        XCTAssertEqual(found("K=acmekey_test" + keys.random(20, from: CredentialFactory.lowerAlnum) + "\n"), 0)
        XCTAssertEqual(found("K=acmekey_demo" + keys.random(20, from: CredentialFactory.lowerAlnum) + "\n"), 0)
        XCTAssertThrowsError(try RuleLoader.parse(yaml: """
            provider: acme
            rules:
              - { id: acme.x, kind: x, pattern: '(x)', allow: [{ regex: 'y', target: commit }] }
            """, source: "bad.yml")) { error in
            XCTAssertEqual("\(error)", "bad.yml: acme.x: allow target must be secret, match, line or path (got commit)")
        }
    }
}
