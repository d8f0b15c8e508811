import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// Each CloudTrail LLMjacking signature and its absence, on events in the documented record shape (issue 12).
///
/// The story: an IAM user's access key, used from the office (10.0.0.12, aws-cli) for S3 deploys, is committed to
/// payments-api on 2026-11-01 at 10:00. From 2026-11-08 the same key lists Bedrock models, checks availability, then
/// calls InvokeModel every few minutes from an address it never used.
final class LLMjackingSignatureTests: XCTestCase {
    let asOf = ISODate.parse("2026-11-20")!
    let committed: Int64 = 1_793_527_200  // 2026-11-01T10:00:00Z
    var trail = CloudTrailFixture()
    var pair = (id: "", secret: "")

    override func setUp() {
        var keys = CredentialFactory()
        pair = keys.awsKeyPair()
    }

    /// Ordinary use before the leak: daily deploys from the office.
    func routine(key: String? = nil) -> [[String: Any]] {
        (20...31).flatMap { day in
            ["ListBuckets", "PutObject"].map { name in
                trail.event(name, at: "2026-10-\(day)T09:30:00Z", key: key ?? pair.id, source: "s3.amazonaws.com", address: "10.0.0.12",
                            userAgent: CloudTrailFixture.awsCLI)
            }
        }
    }

    /// Reconnaissance at 03:12, then invocations every 4 minutes from 03:14 for two hours, from a new address.
    func llmjacking(key: String? = nil, day: String = "2026-11-08", gapMinutes: Int = 2, address: String = "198.51.100.23",
                    agent: String = CloudTrailFixture.pythonRequests, recon: Bool = true) -> [[String: Any]] {
        let key = key ?? pair.id
        var out: [[String: Any]] = []
        if recon {
            out.append(trail.event("ListFoundationModels", at: "\(day)T03:12:05Z", key: key, address: address, userAgent: agent))
            out.append(trail.event("GetFoundationModelAvailability", at: "\(day)T03:12:40Z", key: key, address: address, userAgent: agent))
        }
        let start = ISODate.parse(day)!.timeIntervalSince1970 + 3 * 3600 + 12 * 60 + 2 + Double(gapMinutes * 60)
        for i in 0..<30 {
            out.append(trail.event("InvokeModel", at: ISODate.timestamp(Date(timeIntervalSince1970: start + Double(i * 240))), key: key,
                                   address: address, userAgent: agent, model: "anthropic.claude-3-5-sonnet-20240620-v1:0"))
        }
        return out
    }

    func assess(_ records: [[String: Any]], leaked: Bool = true, policy: RiskPolicy = RiskPolicy(),
                asOf day: String = "2026-11-20") throws -> RiskModel.Assessment {
        let asOf = ISODate.parse(day)!
        let bundle = ExportLoader.load(data: try CloudTrailFixture.s3Delivery(records), path: "trail.json")
        XCTAssertEqual(bundle.problems.count, 0)
        let rule = sharedMatcher.rules.first { $0.id == "aws.access-key" }!
        let location = FoundLocation(kind: .git, repository: "payments-api", path: "deploy/aws.sh", line: 1, commit: "c", author: "a",
                                     firstSeen: committed, lastSeen: committed, current: true)
        let entry = InventoryEntry(secret: Secret(pair.secret), rule: rule, identity: Identity(keyId: pair.id), locations: leaked ? [location] : [])
        var keys = bundle
        if !leaked { keys.keys = [ProviderKey(provider: "aws", keyId: pair.id, recognition: .keyId(pair.id), source: "k.json")] }
        let linked = Linker(bundle: keys, asOf: asOf).link(leaked ? [entry] : [])
        return RiskModel(policy: policy, asOf: asOf).assess(try XCTUnwrap(linked.first))
    }

    func factor(_ a: RiskModel.Assessment, _ id: String) -> RiskFactor? { a.risk.factors.first { $0.id == id } }

    /// The issue's case: all three signatures, each with its evidence; critical.
    func testTheIssuesCase() throws {
        let a = try assess(routine() + llmjacking())
        XCTAssertEqual(a.risk.severity, .critical)
        XCTAssertEqual(factor(a, "cloudtrail.enumeration-then-invocation")?.points, 40)
        XCTAssertEqual(factor(a, "cloudtrail.enumeration-then-invocation")?.reason,
                       "ListFoundationModels 2026-11-08 03:12:05Z, GetFoundationModelAvailability 2026-11-08 03:12:40Z, "
                       + "then InvokeModel 2026-11-08 03:14:02Z from 198.51.100.23 (python-requests) on long-term key \(pair.id) "
                       + "(30 Bedrock calls from that day on): model enumeration followed by invocation, the LLMjacking pattern; "
                       + "7 days after the key was committed to payments-api")
        XCTAssertEqual(factor(a, "cloudtrail.new-source-after-exposure")?.reason,
                       "InvokeModel 2026-11-08 03:14:02Z from 198.51.100.23 (python-requests): address 198.51.100.23 never seen before the "
                       + "exposure (before it: 10.0.0.12, aws-cli); 7 days after the key was committed to payments-api")
        XCTAssertNil(factor(a, "cloudtrail.model-access-request"))
        XCTAssertEqual(a.treatments.prefix(2).map(\.action), [.investigateAbuse, .revoke])
        XCTAssertTrue(a.controls.contains("NIST-CSF-2.0:DE.AE-03"))
    }

    /// Issue 12, item 4: each signature's evidence in fields (`risk.factors[].evidence`), the exposure day added.
    func testFactorsCarryTheirEvidenceInFields() throws {
        let a = try assess(routine() + llmjacking())
        XCTAssertEqual(factor(a, "cloudtrail.enumeration-then-invocation")?.evidence,
                       RiskEvidence(since: "2026-11-08", exposed: "2026-11-01",
                                    events: ["ListFoundationModels", "GetFoundationModelAvailability", "InvokeModel"],
                                    time: "2026-11-08T03:14:02Z", address: "198.51.100.23", agent: "python-requests"))
        XCTAssertEqual(factor(a, "cloudtrail.new-source-after-exposure")?.evidence,
                       RiskEvidence(since: "2026-11-08", exposed: "2026-11-01", events: ["InvokeModel"], time: "2026-11-08T03:14:02Z",
                                    address: "198.51.100.23", agent: "python-requests"))
        let request = trail.event("PutUseCaseForModelAccess", at: "2026-11-08T03:11:02Z", key: pair.id, address: "198.51.100.23",
                                  userAgent: CloudTrailFixture.boto3)
        XCTAssertEqual(factor(try assess(routine() + [request]), "cloudtrail.model-access-request")?.evidence,
                       RiskEvidence(since: "2026-11-08", exposed: "2026-11-01", events: ["PutUseCaseForModelAccess"],
                                    time: "2026-11-08T03:11:02Z", address: "198.51.100.23", agent: "Boto3"))
    }

    func testEnumerationThenInvocationNeedsBoth() throws {
        // Invocations alone (a workload that never lists models) are not the sequence.
        XCTAssertNil(factor(try assess(routine() + llmjacking(recon: false)), "cloudtrail.enumeration-then-invocation"))
        // Reconnaissance, then the first invocation 40 minutes later: not "within minutes".
        XCTAssertNil(factor(try assess(routine() + llmjacking(gapMinutes: 40)), "cloudtrail.enumeration-then-invocation"))
        // Within the window it is.
        XCTAssertNotNil(factor(try assess(routine() + llmjacking(gapMinutes: 12)), "cloudtrail.enumeration-then-invocation"))
    }

    /// Temporary (`ASIA…`) credentials are out of this rule's scope: it is about long-term keys.
    func testEnumerationThenInvocationOnlyOnLongTermKeys() throws {
        var keys = CredentialFactory(seed: 9)
        pair = keys.awsKeyPair(session: true)
        XCTAssertNil(factor(try assess(routine() + llmjacking()), "cloudtrail.enumeration-then-invocation"))
    }

    func testModelAccessRequest() throws {
        let request = trail.event("PutUseCaseForModelAccess", at: "2026-11-08T03:11:02Z", key: pair.id, address: "198.51.100.23",
                                  userAgent: CloudTrailFixture.boto3)
        let agreement = trail.event("CreateFoundationModelAgreement", at: "2026-11-08T03:11:30Z", key: pair.id, address: "198.51.100.23",
                                    userAgent: CloudTrailFixture.boto3)
        let a = try assess(routine() + [request, agreement])
        XCTAssertEqual(factor(a, "cloudtrail.model-access-request")?.points, 30)
        XCTAssertEqual(factor(a, "cloudtrail.model-access-request")?.reason,
                       "PutUseCaseForModelAccess 2026-11-08 03:11:02Z from 198.51.100.23 (Boto3) (all: CreateFoundationModelAgreement, "
                       + "PutUseCaseForModelAccess): a request to enable Bedrock models, how stolen keys unlock models the owner never "
                       + "used; 7 days after the key was committed to payments-api")
        XCTAssertEqual(a.risk.severity, .critical)
        XCTAssertNil(factor(try assess(routine()), "cloudtrail.model-access-request"))
    }

    func testNewSourceAfterExposure() throws {
        // Bedrock calls after the leak from the office address and tool used before it: not new.
        let familiar = llmjacking(address: "10.0.0.12", agent: CloudTrailFixture.awsCLI, recon: false)
        XCTAssertNil(factor(try assess(routine() + familiar), "cloudtrail.new-source-after-exposure"))
        // A new tool from the known address is.
        let newTool = llmjacking(address: "10.0.0.12", agent: CloudTrailFixture.pythonRequests, recon: false)
        XCTAssertEqual(factor(try assess(routine() + newTool), "cloudtrail.new-source-after-exposure")?.reason,
                       "InvokeModel 2026-11-08 03:14:02Z from 10.0.0.12 (python-requests): user agent python-requests never seen before "
                       + "the exposure (before it: 10.0.0.12, aws-cli); 7 days after the key was committed to payments-api")
        // No activity before the exposure: every source is new, so nothing is said.
        XCTAssertNil(factor(try assess(llmjacking(recon: false)), "cloudtrail.new-source-after-exposure"))
    }

    /// The same sequence before the key leaked is shown, but does not follow the exposure and does not force critical.
    func testSignatureBeforeExposureDoesNotForceCritical() throws {
        let a = try assess(routine() + llmjacking(day: "2026-10-25"))
        XCTAssertEqual(factor(a, "cloudtrail.enumeration-then-invocation")?.reason.hasSuffix("; before the key was committed to payments-api"), true)
        XCTAssertNil(factor(a, "cloudtrail.new-source-after-exposure"))
        XCTAssertEqual(a.risk.severity, Severity(score: a.risk.score), "severity from the score alone")
        let exposedAt = Date(timeIntervalSince1970: Double(committed))
        let bundle = ExportLoader.load(data: try CloudTrailFixture.s3Delivery(routine() + llmjacking(day: "2026-10-25")), path: "t.json")
        XCTAssertEqual(LLMjackingSignatures().matches(bundle.keyActivity[pair.id]!, exposed: exposedAt).map(\.followsExposure), [false])
    }

    /// `cloudtrail_forces_critical: false` keeps the factors and their points but not the forcing.
    func testPolicyCanTurnForcingOff() throws {
        var policy = RiskPolicy()
        policy.cloudTrailForcesCritical = false
        let a = try assess(routine() + llmjacking(), policy: policy)
        XCTAssertNotNil(factor(a, "cloudtrail.enumeration-then-invocation"))
        XCTAssertEqual(a.risk.severity, Severity(score: a.risk.score))
    }

    /// A key only the provider lists (not leaked): the signatures still show, nothing is forced.
    func testUnleakedKeyShowsSignaturesWithoutForcing() throws {
        let a = try assess(routine() + llmjacking(), leaked: false)
        XCTAssertNotNil(factor(a, "cloudtrail.enumeration-then-invocation"))
        XCTAssertEqual(a.risk.severity, Severity(score: a.risk.score))
    }

    /// `--as-of` reads the trail as it was that day: the 11-08 sequence is not seen on 11-07.
    func testEventsAfterAsOfAreNotSeen() throws {
        XCTAssertFalse(try assess(routine() + llmjacking(), asOf: "2026-11-07").risk.factors.contains { $0.id.hasPrefix("cloudtrail.") })
        XCTAssertEqual(try assess(routine() + llmjacking(), asOf: "2026-11-08").risk.factors.filter { $0.id.hasPrefix("cloudtrail.") }.count, 2)
    }

    /// A nightly Bedrock job from the office calling `model`, from `first` to 2026-11-19.
    func nightly(_ model: String, from first: String) -> [[String: Any]] {
        let start = ISODate.parse(first)!
        return (0...ISODate.days(from: start, to: ISODate.parse("2026-11-19")!)).map { d in
            trail.event("InvokeModel", at: ISODate.timestamp(start.addingTimeInterval(Double(d) * 86_400 + 7200)), key: pair.id,
                        address: "10.0.0.12", userAgent: CloudTrailFixture.awsCLI, model: model)
        }
    }

    /// Model mix: a model the key never invoked before the leak, while it invoked others, is a second signal — not
    /// forced critical on its own (teams switch models too).
    func testNewModelAfterExposure() throws {
        let haiku = "anthropic.claude-3-haiku-20240307-v1:0", opus = "anthropic.claude-3-opus-20240229-v1:0"
        var policy = RiskPolicy()
        policy.cloudTrailForcesCritical = true
        let a = try assess(routine() + nightly(haiku, from: "2026-10-25") + [
            trail.event("InvokeModel", at: "2026-11-09T02:00:30Z", key: pair.id, address: "10.0.0.12", userAgent: CloudTrailFixture.awsCLI, model: opus),
            trail.event("InvokeModel", at: "2026-11-10T02:00:30Z", key: pair.id, address: "10.0.0.12", userAgent: CloudTrailFixture.awsCLI, model: opus),
        ])
        XCTAssertEqual(factor(a, "cloudtrail.new-model-after-exposure")?.points, 15)
        XCTAssertEqual(factor(a, "cloudtrail.new-model-after-exposure")?.reason,
                       "\(opus) first invoked 2026-11-09 (2 calls); before the exposure only \(haiku): the key's model mix changed; "
                       + "8 days after the key was committed to payments-api")
        XCTAssertEqual(a.risk.severity, Severity(score: a.risk.score), "not forced critical")
        XCTAssertFalse(a.treatments.map(\.action).contains(.investigateAbuse))
        // The same model before and after: nothing. Models only after the leak: nothing to compare with.
        XCTAssertNil(factor(try assess(routine() + nightly(haiku, from: "2026-10-25")), "cloudtrail.new-model-after-exposure"))
        XCTAssertNil(factor(try assess(routine() + nightly(opus, from: "2026-11-03")), "cloudtrail.new-model-after-exposure"))
    }

    /// Quiet trail, quiet model.
    func testRoutineUseHasNoSignature() throws {
        let a = try assess(routine())
        XCTAssertFalse(a.risk.factors.contains { $0.id.hasPrefix("cloudtrail.") })
    }
}
