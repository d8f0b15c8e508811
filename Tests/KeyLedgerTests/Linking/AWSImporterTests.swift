import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// Fixture paths and loaders shared by the cloud importer tests (AWS, GCP, FOCUS, LiteLLM).
enum CloudFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static func path(_ relative: String) -> String { root + "/fixtures/exports/" + relative }

    static func content(_ relative: String) throws -> ExportContent {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(relative)))
        return try XCTUnwrap(ExportLoader.parse(data), "\(relative) does not parse")
    }

    /// A timestamp as the importers read it (to the second).
    static func date(_ text: String) -> Date { CloudExport.timestamp(text) ?? ExportValue.date(text)! }

    /// Loads a fixture by content detection, failing the test on any problem.
    static func load(_ relative: String, file: StaticString = #filePath, line: UInt = #line) -> ExportBundle {
        let bundle = ExportLoader.loadFile(path(relative))
        XCTAssertEqual(bundle.problems, [], "\(relative)", file: file, line: line)
        return bundle
    }

    /// Writes `text` into a fresh temporary folder as `name` and returns its path.
    static func write(_ text: String, as name: String, _ test: XCTestCase) throws -> String {
        let dir = try temporaryDirectory(test)
        let file = dir + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// Loads `text` written as `name`; returns the bundle and the file's path.
    static func load(text: String, as name: String = "export.json", _ test: XCTestCase) throws -> (ExportBundle, String) {
        let file = try write(text, as: name, test)
        return (ExportLoader.loadFile(file), file)
    }

    /// The single problem of loading `text`, asserting it names the file; "" when there is none.
    static func problem(_ text: String, as name: String = "export.json", _ test: XCTestCase,
                        file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let (bundle, path) = try load(text: text, as: name, test)
        XCTAssertEqual(bundle.problems.count, 1, "expected one problem", file: file, line: line)
        guard let problem = bundle.problems.first else { return "" }
        XCTAssertEqual(problem.path, path, file: file, line: line)
        XCTAssertTrue(bundle.keys.isEmpty && bundle.usage.isEmpty && bundle.grants.isEmpty, file: file, line: line)
        return problem.reason
    }

    /// The importers that claim `relative`, by format id.
    static func claimants(_ relative: String) throws -> [String] {
        let content = try self.content(relative)
        return ExportLoader.importers.filter { $0.recognises(content) }.map { $0.format }
    }
}

final class AWSImporterTests: XCTestCase {
    let account = "123456789012"
    func arn(_ user: String) -> String { "arn:aws:iam::123456789012:user/\(user)" }

    // MARK: list-access-keys

    func testAccessKeysOfManyUsers() throws {
        let bundle = CloudFixtures.load("aws/list-access-keys.json")
        XCTAssertEqual(bundle.formats, ["aws.access-keys": 1])
        XCTAssertEqual(bundle.keys.count, 6)
        let alice = try XCTUnwrap(bundle.keys.first { $0.keyId == "AKIARZPUZDIKKPKKQFBK" })
        XCTAssertEqual(alice.provider, "aws")
        XCTAssertEqual(alice.principal, arn("alice"))
        XCTAssertEqual(alice.owner, "alice")
        XCTAssertEqual(alice.project, account)
        XCTAssertEqual(alice.status, "active")
        XCTAssertEqual(alice.created, CloudFixtures.date("2025-03-14T09:12:41Z"))
        XCTAssertEqual(alice.recognition, .keyId("AKIARZPUZDIKKPKKQFBK"))
        XCTAssertEqual(alice.source, CloudFixtures.path("aws/list-access-keys.json"))
        XCTAssertEqual(bundle.keys.filter { $0.status == "inactive" }.map(\.keyId), ["AKIABZPUZDIKFMJQ5CEO"])
        XCTAssertEqual(Set(bundle.keys.compactMap(\.owner)), ["alice", "bob", "ci-deploy", "svc-reporting"])
        XCTAssertTrue(bundle.keys.allSatisfy { $0.principal == arn($0.owner!) && $0.project == account })
    }

    func testAccessKeysOfOneUserInAMisnamedFile() throws {
        let text = try String(contentsOfFile: CloudFixtures.path("aws/list-access-keys-alice.json"), encoding: .utf8)
        let (bundle, _) = try CloudFixtures.load(text: text, as: "notes-from-ops.txt", self)
        XCTAssertEqual(bundle.problems, [])
        XCTAssertEqual(bundle.formats, ["aws.access-keys": 1])
        XCTAssertEqual(bundle.keys.map(\.keyId), ["AKIARZPUZDIKKPKKQFBK", "AKIABZPUZDIKFMJQ5CEO"])
    }

    func testAccessKeyIdsNameTheirAccount() throws {
        // The principal's account comes from the key id itself. Expected accounts are published ones, not decoded
        // here (CredentialDecoderTests cites them): AKIARZPUZDIKGB2VALC4 → 123456789012 (LocalStack),
        // ASIAY34FZKBOKMUTVV7A → 609629065308 (Aidan Steele; Tal Be'ery).
        let text = #"{"AccessKeyMetadata":[{"UserName":"carol","AccessKeyId":"AKIARZPUZDIKGB2VALC4","Status":"Active","CreateDate":"2026-01-02T03:04:05Z"},"#
            + #"{"UserName":"dave","AccessKeyId":"ASIAY34FZKBOKMUTVV7A","Status":"Active","CreateDate":"2026-01-02T03:04:05Z"}]}"#
        let (bundle, _) = try CloudFixtures.load(text: text, self)
        XCTAssertEqual(bundle.keys.map(\.principal), ["arn:aws:iam::123456789012:user/carol", "arn:aws:iam::609629065308:user/dave"])
        XCTAssertEqual(bundle.keys.map(\.recognition), [.keyId("AKIARZPUZDIKGB2VALC4"), .keyId("ASIAY34FZKBOKMUTVV7A")])
    }

    func testAccessKeysMalformed() throws {
        var reason = try CloudFixtures.problem(#"{"AccessKeyMetadata":[{"UserName":"a","AccessKeyId":"AKIARZPUZDIKKPKKQFBK"},{"UserName":"b","Status":"Active"}]}"#, self)
        XCTAssertEqual(reason, #"aws.access-keys: AccessKeyMetadata[1]: missing "AccessKeyId""#)
        reason = try CloudFixtures.problem(#"[{"AccessKeyMetadata":[]},{"AccessKeyMetadata":[{"AccessKeyId":"AKIARZPUZDIKKPKKQFBK"}]}]"#, self)
        XCTAssertEqual(reason, #"aws.access-keys: [1].AccessKeyMetadata[0]: missing "UserName""#)
        reason = try CloudFixtures.problem(#"{"AccessKeyMetadata":"none"}"#, self)
        XCTAssertEqual(reason, "aws.access-keys: AccessKeyMetadata: expected an array, got a string")
        reason = try CloudFixtures.problem(#"{"AccessKeyMetadata":[{"UserName":"a","AccessKeyId":"AKIARZPUZDIKKPKKQFBK","CreateDate":"yesterday"}]}"#, self)
        XCTAssertEqual(reason, #"aws.access-keys: AccessKeyMetadata[0].CreateDate: expected a date, got "yesterday""#)
        reason = try CloudFixtures.problem(#"{"AccessKeyMetadata":[{"UserName":"a","AccessKeyId":["AKIA"]}]}"#, self)
        XCTAssertEqual(reason, "aws.access-keys: AccessKeyMetadata[0].AccessKeyId: expected a string, got an array")

        // A secret access key pasted where the id belongs is named by its length, never echoed.
        var factory = CredentialFactory()
        let secret = factory.awsKeyPair().secret
        reason = try CloudFixtures.problem(#"{"AccessKeyMetadata":[{"UserName":"a","AccessKeyId":"\#(secret)"}]}"#, self)
        XCTAssertTrue(reason.hasPrefix("aws.access-keys: AccessKeyMetadata[0].AccessKeyId: expected an access key id"), reason)
        assertNoPlaintext(reason, [secret], "problem")
    }

    // MARK: credential report

    func testCredentialReportCSV() throws {
        let bundle = CloudFixtures.load("aws/credential-report.csv")
        XCTAssertEqual(bundle.formats, ["aws.credential-report": 1])
        let activities = try AWSCredentialReportImporter.activities(CloudFixtures.content("aws/credential-report.csv"), source: "r.csv")
        XCTAssertEqual(activities.map { "\($0.user)#\($0.slot)" }, ["alice#1", "alice#2", "bob#1", "ci-deploy#1", "ci-deploy#2", "svc-reporting#1"])
        let alice1 = activities[0]
        XCTAssertEqual(alice1.principal, arn("alice"))
        XCTAssertTrue(alice1.active)
        XCTAssertEqual(alice1.lastRotated, CloudFixtures.date("2025-03-14T09:12:41Z"))
        XCTAssertEqual(alice1.lastUsed, CloudFixtures.date("2026-11-17T16:05:00Z"))
        XCTAssertEqual(alice1.lastUsedRegion, "us-east-1")
        XCTAssertEqual(alice1.lastUsedService, "bedrock")
        XCTAssertEqual(alice1.source, "r.csv")
        XCTAssertFalse(activities[1].active)
        XCTAssertEqual(activities[1].lastUsedService, "s3")
        let unused = activities[5]
        XCTAssertNil(unused.lastUsed)          // N/A
        XCTAssertNil(unused.lastUsedRegion)
        XCTAssertNil(activities[4].lastUsed)   // active, never used
    }

    func testCredentialReportFromGetCredentialReportJSON() throws {
        let bundle = CloudFixtures.load("aws/get-credential-report.json")
        XCTAssertEqual(bundle.formats, ["aws.credential-report": 1])
        let fromJSON = try AWSCredentialReportImporter.activities(CloudFixtures.content("aws/get-credential-report.json"), source: "x")
        let fromCSV = try AWSCredentialReportImporter.activities(CloudFixtures.content("aws/credential-report.csv"), source: "x")
        XCTAssertEqual(fromJSON, fromCSV)
    }

    func testCredentialReportSlotsJoinListAccessKeys() throws {
        let keys = CloudFixtures.load("aws/list-access-keys.json").keys
        let activities = try AWSCredentialReportImporter.activities(CloudFixtures.content("aws/credential-report.csv"), source: "r")
        var joined: [String: String] = [:]
        for key in keys {
            let slot = try XCTUnwrap(CredentialActivity.slot(for: key, in: activities), key.keyId)
            joined[key.keyId] = "\(slot.user)#\(slot.slot)"
        }
        XCTAssertEqual(joined["AKIARZPUZDIKKPKKQFBK"], "alice#1")
        XCTAssertEqual(joined["AKIABZPUZDIKFMJQ5CEO"], "alice#2")
        XCTAssertEqual(joined["AKIABZPUZDIKLJWGWC2B"], "ci-deploy#2")
        XCTAssertEqual(Set(joined.values).count, keys.count)
    }

    func testCredentialReportMalformed() throws {
        let header = try String(contentsOfFile: CloudFixtures.path("aws/credential-report.csv"), encoding: .utf8)
            .split(separator: "\n")[0]
        let good = "bob,arn:aws:iam::123456789012:user/bob,2022-07-01T09:00:00+00:00,false,N/A,N/A,N/A,false,true,2026-06-02T11:05:19+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
        var reason = try CloudFixtures.problem("\(header)\n\(good)\n" + good.replacingOccurrences(of: "false,true,", with: "false,maybe,") + "\n", as: "report.csv", self)
        XCTAssertEqual(reason, #"aws.credential-report: row 2: access_key_1_active: expected true or false, got "maybe""#)
        reason = try CloudFixtures.problem("\(header)\n", as: "report.csv", self)
        XCTAssertEqual(reason, "aws.credential-report: header only, no data rows")
        reason = try CloudFixtures.problem("\(header)\n\(good)\nbob,arn:aws:iam::123456789012:user/bob,true\n", as: "report.csv", self)
        XCTAssertEqual(reason, "aws.credential-report: row 2: expected 22 fields as in the header, got 3")
        reason = try CloudFixtures.problem("user,arn,access_key_1_active\nbob,arn:aws:iam::1:user/bob,true\n", as: "report.csv", self)
        XCTAssertEqual(reason, #"aws.credential-report: missing column "access_key_1_last_rotated""#)
        reason = try CloudFixtures.problem("\(header)\n" + good.replacingOccurrences(of: "true,2026-06-02T11:05:19+00:00", with: "true,last tuesday"), as: "report.csv", self)
        XCTAssertEqual(reason, #"aws.credential-report: row 1: access_key_1_last_rotated: expected a date, got "last tuesday""#)
        reason = try CloudFixtures.problem(#"{"Content":"%%%not base64%%%","ReportFormat":"text/csv"}"#, self)
        XCTAssertTrue(reason.hasPrefix("aws.credential-report: "), reason)
    }

    // MARK: get-account-authorization-details

    func testAuthorizationDetails() throws {
        let bundle = CloudFixtures.load("aws/account-authorization-details.json")
        XCTAssertEqual(bundle.formats, ["aws.authorization-details": 1])
        let grants = Dictionary(uniqueKeysWithValues: bundle.grants.map { ($0.principal, $0) })
        XCTAssertEqual(grants.count, 7)
        XCTAssertEqual(grants[arn("alice")]?.level, "write")
        XCTAssertEqual(grants[arn("alice")]?.scopes, ["AmazonBedrockFullAccess", "self-service-access-keys", "ReadOnlyAccess"])
        XCTAssertEqual(grants[arn("bob")]?.level, "restricted")
        XCTAssertEqual(grants[arn("bob")]?.scopes, ["bedrock-invoke-claude"])
        XCTAssertEqual(grants[arn("ci-deploy")]?.level, "admin")                  // AdministratorAccess through group Admins
        XCTAssertEqual(grants[arn("ci-deploy")]?.scopes, ["AdministratorAccess"])
        XCTAssertEqual(grants[arn("BedrockAPIKey-7qzd")]?.level, "write")         // AmazonBedrockLimitedAccess, judged by name
        XCTAssertEqual(grants[arn("svc-reporting")]?.level, "restricted")         // URL-encoded document
        XCTAssertEqual(grants[arn("svc-reporting")]?.scopes, ["read-cur-exports"])
        XCTAssertEqual(grants[arn("ops-breakglass")]?.level, "admin")             // Allow * on *
        // The role's managed policy is judged by its default version (v2, invoke only), not v1 (bedrock:*).
        XCTAssertEqual(grants["arn:aws:iam::123456789012:role/bedrock-batch-role"]?.level, "restricted")
        XCTAssertTrue(bundle.grants.allSatisfy { $0.source == CloudFixtures.path("aws/account-authorization-details.json") })
    }

    func testPolicyLevels() throws {
        func level(_ statement: String) throws -> String {
            try AWSAuthorizationDetailsImporter.level(ofDocument: #"{"Version":"2012-10-17","Statement":\#(statement)}"#, at: "d").name
        }
        XCTAssertEqual(try level(#"{"Effect":"Allow","Action":["s3:GetObject","*"],"Resource":["arn:aws:s3:::b","*"]}"#), "admin")
        XCTAssertEqual(try level(#"{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/*"}"#), "write")
        XCTAssertEqual(try level(#"[{"Effect":"Allow","Action":"bedrock:*","Resource":"*"}]"#), "write")
        XCTAssertEqual(try level(#"{"Effect":"Allow","Action":"iam:CreateServiceSpecificCredential","Resource":"*"}"#), "write")
        XCTAssertEqual(try level(#"{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}"#), "write")
        XCTAssertEqual(try level(#"{"Effect":"Deny","Action":"*","Resource":"*"}"#), "restricted")
        XCTAssertEqual(try level(#"{"Effect":"Allow","Action":["bedrock:InvokeModel","s3:List*"],"Resource":"*"}"#), "restricted")
        let encoded = #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#
            .addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        XCTAssertEqual(try AWSAuthorizationDetailsImporter.level(ofDocument: encoded, at: "d").name, "admin")
    }

    func testAuthorizationDetailsMalformed() throws {
        var reason = try CloudFixtures.problem(#"{"UserDetailList":[{"UserName":"a","Arn":"arn:aws:iam::1:user/a","UserPolicyList":[{"PolicyName":"p","PolicyDocument":"not%20json"}]}]}"#, self)
        XCTAssertEqual(reason, "aws.authorization-details: UserDetailList[0].UserPolicyList[0].PolicyDocument: expected a policy document (JSON, possibly URL-encoded)")
        reason = try CloudFixtures.problem(#"{"UserDetailList":[{"UserName":"a"}]}"#, self)
        XCTAssertEqual(reason, #"aws.authorization-details: UserDetailList[0]: missing "Arn""#)
        reason = try CloudFixtures.problem(#"{"UserDetailList":{"UserName":"a"}}"#, self)
        XCTAssertEqual(reason, "aws.authorization-details: UserDetailList: expected an array, got an object")
        reason = try CloudFixtures.problem(#"{"UserDetailList":[{"UserName":"a","Arn":"arn:aws:iam::1:user/a","GroupList":"Admins"}]}"#, self)
        XCTAssertEqual(reason, "aws.authorization-details: UserDetailList[0].GroupList: expected an array, got a string")
    }

    // MARK: CUR 2.0

    func testCURBedrockRowsByPrincipal() throws {
        let bundle = CloudFixtures.load("aws/cur2-bedrock.csv")
        XCTAssertEqual(bundle.formats, ["aws.cur2": 1])
        func record(_ scope: UsageScope, _ day: String, _ model: String?) -> UsageRecord? {
            bundle.usage.first { $0.scope == scope && $0.day == day && $0.model == model }
        }
        let alice14 = try XCTUnwrap(record(.principal(arn("alice")), "2026-10-14", "Claude4.6Sonnet"))
        XCTAssertEqual(alice14.provider, "aws")
        XCTAssertEqual(alice14.inputTokens, 412_356 + 100_000 + 250_000)   // input + cache read, 1K-token units
        XCTAssertEqual(alice14.outputTokens, 38_104)
        XCTAssertEqual(try XCTUnwrap(alice14.cost), 1.237068 + 0.57156 + 0.3 + 0.075, accuracy: 1e-9)
        XCTAssertEqual(alice14.currency, "USD")
        XCTAssertEqual(alice14.requests, 0)
        let alice15 = try XCTUnwrap(record(.principal(arn("alice")), "2026-10-15", "Claude4.6Sonnet"))
        XCTAssertEqual(alice15.inputTokens, 20_500)
        XCTAssertEqual(alice15.outputTokens, 2_250)
        XCTAssertEqual(record(.principal(arn("bob")), "2026-10-14", "Claude4.5Haiku")?.inputTokens, 1_200_000)
        XCTAssertEqual(record(.principal(arn("BedrockAPIKey-7qzd")), "2026-10-15", "Claude4.6Sonnet")?.outputTokens, 9_000)
        XCTAssertEqual(record(.principal("arn:aws:iam::123456789012:role/bedrock-batch-role"), "2026-10-15", "Nova2Lite")?.inputTokens, 3_000_000)
        // CUR 2.0 holds the whole bill: the EC2 (0.9984) and S3 (0.0276) rows are not AI spend and are not read (issue 11:
        // they were counted as the account's AI spend). The tax row is Bedrock's (product code AmazonBedrock): it stays.
        XCTAssertNil(record(.project(account), "2026-10-14", "USE1-BoxUsage:t3.medium"))
        XCTAssertFalse(bundle.usage.contains { $0.model?.contains("TimedStorage") ?? false })
        XCTAssertEqual(record(.project(account), "2026-10-01", nil)?.cost, 0.41)
        XCTAssertEqual(bundle.usage.count, 6, bundle.usage.map { "\($0.scope) \($0.day) \($0.model ?? "-")" }.joined(separator: "; "))
    }

    func testCURWithoutPricingUnitAndLegacyHeaders() throws {
        let text = """
        lineItem/UsageStartDate,lineItem/UsageAccountId,lineItem/ProductCode,lineItem/UsageType,lineItem/UsageAmount,lineItem/UnblendedCost,lineItem/CurrencyCode
        2026-10-14T09:00:00Z,123456789012,AmazonBedrock,USE1-Claude4.6Sonnet-input-tokens,1500,0.0045,usd
        2026-10-14T10:00:00Z,123456789012,AmazonBedrock,USW2-MP:USW2_OutputTokenCount-Units,20,0.0003,USD

        """
        let (bundle, _) = try CloudFixtures.load(text: text, as: "october.csv", self)
        XCTAssertEqual(bundle.problems, [])
        XCTAssertEqual(bundle.formats, ["aws.cur2": 1])
        XCTAssertEqual(bundle.usage.map(\.inputTokens), [1500, 0])
        XCTAssertEqual(bundle.usage.map(\.outputTokens), [0, 20])
        XCTAssertEqual(bundle.usage.map(\.scope), [.project(account), .project(account)])
        XCTAssertEqual(bundle.usage.first?.currency, "USD")
    }

    func testCURMalformed() throws {
        let header = "line_item_usage_start_date,line_item_usage_account_id,line_item_usage_type,line_item_unblended_cost,line_item_iam_principal"
        var reason = try CloudFixtures.problem("\(header)\n2026-10-14T09:00:00Z,123456789012,USE1-x,0.1,\n2026-10-14T09:00:00Z,123456789012,USE1-x,abc,\n", as: "cur.csv", self)
        XCTAssertEqual(reason, #"aws.cur2: row 2: line_item_unblended_cost: expected a number, got "abc""#)
        reason = try CloudFixtures.problem("\(header)\n", as: "cur.csv", self)
        XCTAssertEqual(reason, "aws.cur2: header only, no data rows")
        reason = try CloudFixtures.problem("line_item_usage_start_date,line_item_usage_account_id\n2026-10-14,1\n", as: "cur.csv", self)
        XCTAssertEqual(reason, #"aws.cur2: missing column "line_item_usage_type""#)
        reason = try CloudFixtures.problem("\(header)\n,123456789012,USE1-x,0.1,\n", as: "cur.csv", self)
        XCTAssertEqual(reason, #"aws.cur2: row 1: missing "line_item_usage_start_date""#)
    }

    func testLargeCURParsesAndOversizedIsReported() throws {
        var text = "line_item_usage_start_date,line_item_usage_account_id,line_item_usage_type,line_item_usage_amount,line_item_unblended_cost,line_item_iam_principal\n"
        var i = 0
        while text.utf8.count < 300_000 {
            let user = ["alice", "bob", "carol"][i % 3]
            text += "2026-10-\(10 + i % 5)T\(String(format: "%02d", i % 24)):00:00Z,123456789012,USE1-Claude4.6Sonnet-input-tokens,1000,0.003,\(arn(user))\n"
            i += 1
        }
        let file = try CloudFixtures.write(text, as: "big-cur.csv", self)
        let bundle = ExportLoader.loadFile(file)
        XCTAssertEqual(bundle.problems, [])
        XCTAssertEqual(bundle.usage.count, 15)                               // 3 principals × 5 days
        XCTAssertEqual(bundle.usage.reduce(0) { $0 + $1.inputTokens }, i * 1000)
        let oversized = ExportLoader.loadFile(file, maxFileSize: 1000)
        XCTAssertEqual(oversized.problems.count, 1)
        XCTAssertEqual(oversized.problems.first?.path, file)
        XCTAssertTrue(oversized.problems.first?.reason.contains("oversized") == true, oversized.problems.first?.reason ?? "")
    }

    // MARK: Shared readers

    func testTimestampsAgreeWithExportValue() {
        for s in ["2026-10-14", "2026-10-14T09:00:00Z", "2026-10-14T09:00:00.123Z", "2026-10-14T09:00:00.123456Z", "2026-10-14T09:00:00+00:00",
                  "2026-10-14T09:00:00+02:00", "2026-10-14T09:00:00-05:30", "2026-10-14 09:00:00", "2024-02-29T23:59:59Z", "1999-12-31T00:00:00Z",
                  "2000-02-29", "2100-03-01T12:00:00Z"] {
            let expected = ExportValue.date(s).map { Date(timeIntervalSince1970: $0.timeIntervalSince1970.rounded(.down)) }
            XCTAssertEqual(CloudExport.timestamp(s), expected, s)
        }
        XCTAssertEqual(CloudExport.timestamp("2026-05-04 09:15:22.418000+00"), CloudExport.timestamp("2026-05-04T09:15:22Z"))
        for s in ["2026-02-30", "2026-13-01", "2026-10-14T25:00:00Z", "2026-10-14T09:00:00 UTC", "2026/10/14", "2026-10-14T09:00"] {
            XCTAssertNil(CloudExport.timestamp(s), s)
        }
    }

    func testCredentialLikeValuesAreNotEchoed() throws {
        var factory = CredentialFactory()
        let key = factory.openAIProjectKey()
        let secret = factory.awsKeyPair().secret
        var reason = try CloudFixtures.problem("line_item_usage_start_date,line_item_usage_account_id,line_item_usage_type,line_item_unblended_cost\n2026-10-14,1,x,\(key)\n", as: "cur.csv", self)
        XCTAssertEqual(reason, "aws.cur2: row 1: line_item_unblended_cost: expected a number, got a \(key.count)-character value")
        reason = try CloudFixtures.problem(#"{"AccessKeyMetadata":[{"UserName":"a","AccessKeyId":"AKIARZPUZDIKKPKKQFBK","CreateDate":"\#(secret)"}]}"#, self)
        assertNoPlaintext(reason, [secret], "problem")
        XCTAssertEqual(CloudExport.quoted("12.5x"), "\"12.5x\"")
        XCTAssertEqual(CloudExport.quoted("2026-10-14T09:00:00.123456+00:00 x"), "\"2026-10-14T09:00:00.123456+00:00 x\"")
    }

    // MARK: Loading several files

    func testBadFilesAreReportedWhileOthersLoad() throws {
        let dir = try temporaryDirectory(self)
        try "".write(toFile: dir + "/empty.json", atomically: true, encoding: .utf8)
        try #"{"AccessKeyMetadata":[{"UserName":"a"}]}"#.write(toFile: dir + "/broken.json", atomically: true, encoding: .utf8)
        let bundle = ExportLoader.load(paths: [CloudFixtures.path("aws/list-access-keys.json"), dir + "/empty.json", dir + "/broken.json",
                                               CloudFixtures.path("aws/cur2-bedrock.csv")])
        XCTAssertEqual(bundle.keys.count, 6)
        XCTAssertEqual(bundle.usage.count, 6)
        XCTAssertEqual(bundle.formats, ["aws.access-keys": 1, "aws.cur2": 1])
        XCTAssertEqual(bundle.problems.map(\.path), [dir + "/empty.json", dir + "/broken.json"])
        XCTAssertEqual(bundle.problems.map(\.reason), ["empty file", #"aws.access-keys: AccessKeyMetadata[0]: missing "AccessKeyId""#])
    }

    func testEachFixtureHasExactlyOneImporter() throws {
        let expected = ["aws/list-access-keys.json": "aws.access-keys", "aws/list-access-keys-alice.json": "aws.access-keys",
                        "aws/credential-report.csv": "aws.credential-report", "aws/get-credential-report.json": "aws.credential-report",
                        "aws/account-authorization-details.json": "aws.authorization-details", "aws/cur2-bedrock.csv": "aws.cur2",
                        "gcp/service-account-keys.json": "gcp.service-account-keys", "gcp/iam-policy.json": "gcp.iam-policy",
                        "focus/focus-1.2-aws.csv": "focus.cost", "focus/focus-1.3-azure-gcp.csv": "focus.cost",
                        "litellm/verification-tokens.json": "litellm.verification-tokens", "litellm/verification-tokens.csv": "litellm.verification-tokens",
                        "litellm/spend-logs.json": "litellm.spend-logs", "litellm/spend-logs.csv": "litellm.spend-logs",
                        "litellm/daily-user-spend.csv": "litellm.daily-spend"]
        for (fixture, format) in expected {
            XCTAssertEqual(try CloudFixtures.claimants(fixture), [format], fixture)
        }
        // Every cloud fixture on disk is covered above.
        for folder in ["aws", "gcp", "focus", "litellm"] {
            for file in try FileManager.default.contentsOfDirectory(atPath: CloudFixtures.path(folder)) {
                XCTAssertNotNil(expected[folder + "/" + file], "fixture \(folder)/\(file) is not checked")
            }
        }
        // And no cloud importer claims the other providers' fixtures.
        let cloud = Set(ExportLoader.cloudImporters.map { $0.format })
        for folder in ["openai", "anthropic"] {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: CloudFixtures.path(folder))) ?? []
            for file in files {
                let claimed = try CloudFixtures.claimants(folder + "/" + file).filter(cloud.contains)
                XCTAssertEqual(claimed, [], "\(folder)/\(file)")
            }
        }
    }
}
