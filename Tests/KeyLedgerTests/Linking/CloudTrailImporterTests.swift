import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// CloudTrail as a linking source: both layouts, gzip, streaming, and the link to a found AWS key.
final class CloudTrailImporterTests: XCTestCase {
    var trail = CloudTrailFixture()
    var keys = CredentialFactory()

    func read(_ data: Data, _ path: String = "trail.json") -> ExportBundle { ExportLoader.load(data: data, path: path) }

    func testS3DeliveryLayoutPerAccessKey() throws {
        let key = keys.awsKeyPair().id, other = keys.awsKeyPair().id
        let data = try CloudTrailFixture.s3Delivery([
            trail.event("GetCallerIdentity", at: "2026-11-01T09:00:00Z", key: key, source: "sts.amazonaws.com", address: "10.0.0.12",
                        userAgent: CloudTrailFixture.awsCLI),
            trail.event("InvokeModel", at: "2026-11-08T03:14:02Z", key: key, address: "198.51.100.23",
                        userAgent: CloudTrailFixture.pythonRequests, model: "anthropic.claude-3-5-sonnet-20240620-v1:0"),
            trail.event("Converse", at: "2026-11-08T03:18:02Z", key: key, address: "198.51.100.23", model: "anthropic.claude-3-5-sonnet-20240620-v1:0"),
            trail.event("ListBuckets", at: "2026-11-02T09:00:00Z", key: other, source: "s3.amazonaws.com", address: "AWS Internal"),
            CloudTrailFixture.serviceEvent(at: "2026-11-02T10:00:00Z"),
        ])
        let bundle = read(data)
        XCTAssertEqual(bundle.formats, ["aws.cloudtrail": 1])
        XCTAssertEqual(bundle.problems.count, 0)
        XCTAssertEqual(Set(bundle.keyActivity.keys), [key, other], "service events have no access key and are passed over")
        let a = try XCTUnwrap(bundle.keyActivity[key])
        XCTAssertEqual(a.events, 3)
        XCTAssertEqual(ISODate.timestamp(a.firstUse), "2026-11-01T09:00:00Z")
        XCTAssertEqual(ISODate.timestamp(a.lastUse), "2026-11-08T03:18:02Z")
        XCTAssertEqual(a.principal, "arn:aws:iam::123456789012:user/payments-deployer")
        XCTAssertEqual(Set(a.addresses.keys), ["10.0.0.12", "198.51.100.23"])
        XCTAssertEqual(Set(a.agents.keys), ["aws-cli", "python-requests", "Boto3"])
        XCTAssertEqual(a.bedrockCallsByDay, ["2026-11-08": 2])
        XCTAssertEqual(a.modelCallsByDay, ["anthropic.claude-3-5-sonnet-20240620-v1:0": ["2026-11-08": 2]])
        XCTAssertEqual(a.addresses["198.51.100.23"]?.firstInvocation?.name, "InvokeModel")
        XCTAssertEqual(bundle.keyActivity[other]?.addresses, [:], "`AWS Internal` is not a network address")
    }

    func testLookupEventsOutput() throws {
        let key = keys.awsKeyPair().id
        let data = try CloudTrailFixture.lookupEvents([
            trail.event("ListFoundationModels", at: "2026-11-08T03:12:05Z", key: key),
            trail.event("InvokeModel", at: "2026-11-08T03:14:02Z", key: key, model: "meta.llama3-70b-instruct-v1:0"),
        ])
        let bundle = read(data, "lookup-events.json")
        XCTAssertEqual(bundle.formats, ["aws.cloudtrail": 1])
        let a = try XCTUnwrap(bundle.keyActivity[key])
        XCTAssertEqual(a.reconnaissance.map(\.name), ["ListFoundationModels"])
        XCTAssertEqual(a.bedrockCallsByDay, ["2026-11-08": 1])
    }

    /// `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz` as CloudTrail writes it, read from a folder, gzip
    /// natively; files of one key merge.
    func testGzipDeliveryFolderStreams() throws {
        let dir = try temporaryDirectory(self)
        let key = keys.awsKeyPair().id
        for (i, day) in ["2026-11-07", "2026-11-08"].enumerated() {
            let data = try CloudTrailFixture.s3Delivery([trail.event("InvokeModel", at: day + "T12:00:00Z", key: key),
                                                        trail.event("InvokeModel", at: day + "T12:05:00Z", key: key)])
            let path = dir + "/" + trail.s3Key(day: day, sequence: i + 1)
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(ArchiveFixture.make(.gzipStream, members: [("data", [UInt8](data))])).write(to: URL(fileURLWithPath: path))
        }
        let bundle = ExportLoader.load(paths: [dir])
        XCTAssertEqual(bundle.problems.map(\.reason), [])
        XCTAssertEqual(bundle.formats, ["aws.cloudtrail": 2])
        XCTAssertEqual(bundle.keyActivity[key]?.bedrockCallsByDay, ["2026-11-07": 2, "2026-11-08": 2])
        XCTAssertEqual(bundle.keyActivity[key]?.events, 4)
    }

    /// Any gzip export is read: a compressed IAM listing loads like the plain one.
    func testGzipOfAnotherExport() throws {
        let dir = try temporaryDirectory(self)
        let key = keys.awsKeyPair().id
        let listing = try JSONSerialization.data(withJSONObject: ["AccessKeyMetadata": [["UserName": "u", "AccessKeyId": key, "Status": "Active",
                                                                                          "CreateDate": "2026-01-01T00:00:00Z"]]])
        try Data(ArchiveFixture.make(.gzipStream, members: [("data", [UInt8](listing))])).write(to: URL(fileURLWithPath: dir + "/keys.json.gz"))
        let bundle = ExportLoader.loadFile(dir + "/keys.json.gz")
        XCTAssertEqual(bundle.formats, ["aws.access-keys": 1])
        XCTAssertEqual(bundle.keys.map(\.keyId), [key])
    }

    /// The splitter cuts records out of any chunking, brackets inside strings do not count, an oversized record is
    /// skipped and counted, and a truncated file is a problem.
    func testRecordSplitter() throws {
        let key = keys.awsKeyPair().id
        var tricky = trail.event("InvokeModel", at: "2026-11-08T03:14:02Z", key: key)
        tricky["errorMessage"] = "odd \"}]{[\" text \\ here"
        let data = try CloudTrailFixture.s3Delivery([tricky, trail.event("Converse", at: "2026-11-08T03:15:02Z", key: key)])
        var splitter = CloudTrailImporter.RecordSplitter(maxRecordBytes: 1 << 20)
        var records: [[String: Any]] = []
        for byte in data { splitter.feed([byte][...]) { records.append(try! JSONSerialization.jsonObject(with: Data($0)) as! [String: Any]) } }
        XCTAssertEqual(records.map { $0["eventName"] as? String }, ["InvokeModel", "Converse"])
        XCTAssertEqual(records.first?["errorMessage"] as? String, "odd \"}]{[\" text \\ here")
        XCTAssertEqual(splitter.depth, 0)

        var small = CloudTrailImporter.RecordSplitter(maxRecordBytes: 200)
        var count = 0
        small.feed([UInt8](data)[...]) { _ in count += 1 }
        XCTAssertEqual(count, 0)
        XCTAssertEqual(small.oversized, 2)

        let dir = try temporaryDirectory(self)
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: dir + "/cut.json"))
        XCTAssertEqual(ExportLoader.loadFile(dir + "/cut.json").problems.map(\.reason),
                       ["aws.cloudtrail: truncated or malformed JSON (no complete \"Records\" or \"Events\" array)"])
    }

    /// A record without a readable time is skipped and counted; the rest are read.
    func testUnreadableRecordsAreCounted() throws {
        let key = keys.awsKeyPair().id
        var broken = trail.event("InvokeModel", at: "2026-11-08T03:14:02Z", key: key)
        broken["eventTime"] = "yesterday"
        let bundle = read(try CloudTrailFixture.s3Delivery([broken, trail.event("InvokeModel", at: "2026-11-08T03:20:00Z", key: key)]))
        XCTAssertEqual(bundle.keyActivity[key]?.events, 1)
        XCTAssertEqual(bundle.problems.map(\.reason),
                       ["aws.cloudtrail: 1 of 2 records skipped (1 without a readable eventName, eventSource or eventTime); the rest were read"])
    }

    /// The found key (its access key id beside the secret) carries its CloudTrail activity; its last use comes from
    /// the trail when later than any other.
    func testLinkedToTheFoundKeyByAccessKeyId() throws {
        let pair = keys.awsKeyPair()
        let bundle = read(try CloudTrailFixture.s3Delivery([
            trail.event("InvokeModel", at: "2026-11-08T03:14:02Z", key: pair.id, address: "198.51.100.23"),
        ]))
        let rule = sharedMatcher.rules.first { $0.id == "aws.access-key" }!
        let entry = InventoryEntry(secret: Secret(pair.secret), rule: rule, identity: Identity(keyId: pair.id), locations: [
            FoundLocation(kind: .git, repository: "svc", path: "deploy.sh", line: 1, commit: "c", author: "a",
                          firstSeen: 1_780_000_000, lastSeen: 1_780_000_000, current: true)])
        let linked = Linker(bundle: bundle, asOf: ISODate.parse("2026-11-20")!).link([entry])
        XCTAssertEqual(linked.count, 1)
        XCTAssertEqual(linked[0].keyActivity?.accessKeyId, pair.id)
        XCTAssertEqual(ISODate.day(linked[0].lastUsed!), "2026-11-08")
        XCTAssertEqual(linked[0].notes, ["CloudTrail: 1 event 2026-11-08…2026-11-08, 1 Bedrock call 2026-11-08…2026-11-08, from 1 address"])
    }
}
