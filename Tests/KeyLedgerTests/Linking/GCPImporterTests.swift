import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

final class GCPImporterTests: XCTestCase {
    let project = "acme-ml-prod"
    func sa(_ name: String, _ project: String = "acme-ml-prod") -> String { "\(name)@\(project).iam.gserviceaccount.com" }

    // MARK: keys list

    func testServiceAccountKeys() throws {
        let bundle = CloudFixtures.load("gcp/service-account-keys.json")
        XCTAssertEqual(bundle.formats, ["gcp.service-account-keys": 1])
        XCTAssertEqual(bundle.keys.count, 4)   // the SYSTEM_MANAGED key is skipped
        let first = bundle.keys[0]
        XCTAssertEqual(first.provider, "gcp")
        XCTAssertEqual(first.keyId, "f13ec758232433c41eeaf4504db556e626aa6ccf")
        XCTAssertEqual(first.principal, sa("vertex-runner"))
        XCTAssertEqual(first.owner, sa("vertex-runner"))
        XCTAssertEqual(first.project, project)
        XCTAssertEqual(first.created, CloudFixtures.date("2026-04-01T10:00:00Z"))
        XCTAssertEqual(first.status, "active")
        XCTAssertEqual(first.recognition, .keyId(first.keyId))
        XCTAssertEqual(bundle.keys.map(\.status), ["active", "disabled", "active", "active"])
        XCTAssertEqual(bundle.keys.map(\.principal), [sa("vertex-runner"), sa("vertex-runner"), sa("ci-deployer"), sa("analytics", "acme-analytics")])
        // `projects/-/…`: the project comes from the account's domain.
        XCTAssertEqual(bundle.keys[3].project, "acme-analytics")
        XCTAssertTrue(bundle.keys.allSatisfy { $0.keyId.count == 40 })
    }

    func testKeyIdIsThePrivateKeyIdOfAGeneratedKeyFile() throws {
        var factory = CredentialFactory()
        let file = factory.gcpServiceAccountJSON(project: "acme-ml-prod", account: "batch")
        let keyFile = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(file.json.utf8)) as? [String: Any])
        let text = """
        {"keys": [{"name": "projects/acme-ml-prod/serviceAccounts/\(file.email)/keys/\(file.keyId)",
                   "validAfterTime": "2026-11-01T00:00:00Z", "validBeforeTime": "9999-12-31T23:59:59Z",
                   "keyAlgorithm": "KEY_ALG_RSA_2048", "keyOrigin": "GOOGLE_PROVIDED", "keyType": "USER_MANAGED"}]}
        """
        let (bundle, _) = try CloudFixtures.load(text: text, as: "rest-response", self)
        XCTAssertEqual(bundle.formats, ["gcp.service-account-keys": 1])
        let key = try XCTUnwrap(bundle.keys.first)
        XCTAssertEqual(key.recognition, .keyId(try XCTUnwrap(keyFile["private_key_id"] as? String)))
        XCTAssertEqual(key.principal, keyFile["client_email"] as? String)
        assertNoPlaintext(String(describing: bundle), [try XCTUnwrap(keyFile["private_key"] as? String)], "bundle")
    }

    func testServiceAccountKeysMalformed() throws {
        var reason = try CloudFixtures.problem(#"[{"name":"projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k1"},{"name":"serviceAccounts/a@p/keys/k2"}]"#, self)
        XCTAssertEqual(reason, #"gcp.service-account-keys: [1].name: expected "projects/P/serviceAccounts/EMAIL/keys/KEY", got "serviceAccounts/a@p/keys/k2""#)
        reason = try CloudFixtures.problem(#"[{"name":"projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k1","disabled":"maybe"}]"#, self)
        XCTAssertEqual(reason, #"gcp.service-account-keys: [0].disabled: expected true or false, got "maybe""#)
        reason = try CloudFixtures.problem(#"[{"name":"projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k1","validAfterTime":true}]"#, self)
        XCTAssertEqual(reason, "gcp.service-account-keys: [0].validAfterTime: expected a date, got a boolean")
        reason = try CloudFixtures.problem(#"{"keys":[{"name":"projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k1"},{"keyType":"USER_MANAGED"}]}"#, self)
        XCTAssertEqual(reason, #"gcp.service-account-keys: keys[1]: missing "name""#)
        reason = try CloudFixtures.problem(#"[{"name":"projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k1"},"k2"]"#, self)
        XCTAssertEqual(reason, "gcp.service-account-keys: [1]: expected an object, got a string")
    }

    // MARK: IAM policy

    func testIAMPolicy() throws {
        let bundle = CloudFixtures.load("gcp/iam-policy.json")
        XCTAssertEqual(bundle.formats, ["gcp.iam-policy": 1])
        let grants = Dictionary(uniqueKeysWithValues: bundle.grants.map { ($0.principal, $0) })
        XCTAssertEqual(Set(grants.keys), [sa("vertex-runner"), sa("ci-deployer"), sa("vertex-admin"), "481516234200-compute@developer.gserviceaccount.com"])
        XCTAssertEqual(grants[sa("vertex-runner")]?.level, "restricted")
        XCTAssertEqual(grants[sa("vertex-runner")]?.scopes, ["roles/aiplatform.user", "roles/storage.objectViewer"])
        XCTAssertEqual(grants[sa("ci-deployer")]?.level, "admin")
        XCTAssertEqual(grants[sa("ci-deployer")]?.scopes, ["roles/editor", "roles/iam.serviceAccountKeyAdmin"])
        XCTAssertEqual(grants["481516234200-compute@developer.gserviceaccount.com"]?.level, "admin")
        XCTAssertEqual(grants[sa("vertex-admin")]?.level, "write")
        XCTAssertEqual(grants[sa("vertex-admin")]?.scopes, ["roles/aiplatform.admin (condition: expires-2026-12-31)"])
        XCTAssertTrue(bundle.grants.allSatisfy { $0.source == CloudFixtures.path("gcp/iam-policy.json") })
    }

    func testIAMPolicyWrappedAndRoleLevels() throws {
        let text = #"{"policy":{"bindings":[{"role":"projects/p/roles/predictOnly","members":["serviceAccount:a@p.iam.gserviceaccount.com"]},{"role":"roles/owner","members":["serviceAccount:b@p.iam.gserviceaccount.com"]}]}}"#
        let (bundle, _) = try CloudFixtures.load(text: text, as: "policy.txt", self)
        XCTAssertEqual(bundle.problems, [])
        XCTAssertEqual(bundle.grants.map(\.level), ["restricted", "admin"])
        XCTAssertEqual(GCPIAMPolicyImporter.level(of: "roles/resourcemanager.projectIamAdmin"), 1)
        XCTAssertEqual(GCPIAMPolicyImporter.level(of: "roles/aiplatform.user"), 0)
    }

    func testIAMPolicyMalformed() throws {
        var reason = try CloudFixtures.problem(#"{"bindings":[{"role":"roles/viewer","members":"serviceAccount:a@p.iam.gserviceaccount.com"}],"etag":"x"}"#, self)
        XCTAssertEqual(reason, "gcp.iam-policy: bindings[0].members: expected an array of members, got a string")
        reason = try CloudFixtures.problem(#"{"bindings":[{"members":["serviceAccount:a@p.iam.gserviceaccount.com"]}],"version":1}"#, self)
        XCTAssertEqual(reason, #"gcp.iam-policy: bindings[0]: missing "role""#)
        reason = try CloudFixtures.problem(#"{"bindings":[{"role":"roles/viewer","members":[42]}],"etag":"x"}"#, self)
        XCTAssertEqual(reason, "gcp.iam-policy: bindings[0].members[0]: expected a string, got a number")
    }
}
