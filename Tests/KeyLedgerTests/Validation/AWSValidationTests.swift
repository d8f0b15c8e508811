import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// AWS `sts:GetCallerIdentity` signed with SigV4: the request's shape against the local test server (the secret never
/// goes over the wire, the signature verifies), documented answers (active, root, revoked, error), keys that cannot be
/// checked, and the real thing against moto, an AWS API emulator that verifies signatures against the IAM keys it
/// issued (`.ci/run` starts it and exports KEYLEDGER_TEST_MOTO_URL).
final class AWSValidationTests: XCTestCase {
    func startServer(_ handler: @escaping @Sendable (LocalHTTPServer.Request) -> LocalHTTPServer.Response) throws -> LocalHTTPServer {
        let server = try LocalHTTPServer(handler: handler)
        addTeardownBlock { server.stop() }
        return server
    }

    /// STS API reference, GetCallerIdentity, "Example" (the IAM user answer).
    static let documentedAnswer = """
    <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
      <GetCallerIdentityResult>
       <Arn>arn:aws:iam::123456789012:user/Alice</Arn>
        <UserId>AKIAI44QH8DHBEXAMPLE</UserId>
        <Account>123456789012</Account>
      </GetCallerIdentityResult>
      <ResponseMetadata>
        <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
      </ResponseMetadata>
    </GetCallerIdentityResponse>
    """
    /// STS "Common Errors" shape: the 403 for a key id AWS does not know (or has deleted).
    static let invalidClientToken = """
    <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
      <Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error>
      <RequestId>4b0e3a7c-2bc9-4b0e-9d1b-2c7f0d4f3a11</RequestId>
    </ErrorResponse>
    """

    func pair(_ seed: UInt64) -> (id: String, secret: String) {
        var keys = CredentialFactory(seed: seed)
        return keys.awsKeyPair()
    }

    func envFile(_ pair: (id: String, secret: String)) -> String {
        "AWS_ACCESS_KEY_ID=\(pair.id)\nAWS_SECRET_ACCESS_KEY=\(pair.secret)\nAWS_REGION=eu-west-1\n"
    }

    func runLocal(_ response: LocalHTTPServer.Response, seed: UInt64 = 51) throws -> (CredentialRecord, LocalHTTPServer, (id: String, secret: String)) {
        let keys = pair(seed)
        let server = try startServer { _ in response }
        let register = try validatedScan(self, envFile(keys), config: "endpoints:\n  aws_sts: \(server.baseURL)\n", secrets: [keys.secret])
        let record = try XCTUnwrap(register.credential(for: keys.secret), "the AWS secret key was not found")
        XCTAssertEqual(record.identity.keyId, keys.id)
        XCTAssertEqual(server.requests.count, 1, "one call, never retried")
        return (record, server, keys)
    }

    /// The signed request: POST of the form body to the base, `X-Amz-Date`, an `Authorization` header naming the key
    /// id and the us-east-1 STS scope, a signature that verifies over what was actually sent, and no secret anywhere.
    func testSignedRequestShape() throws {
        let (_, server, keys) = try runLocal(.init(status: 200, headers: ["Content-Type": "text/xml"], body: Self.documentedAnswer))
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.path, "/")
        XCTAssertEqual(String(decoding: request.body, as: UTF8.self), "Action=GetCallerIdentity&Version=2011-06-15")
        XCTAssertEqual(request.headers["content-type"], "application/x-www-form-urlencoded; charset=utf-8")
        let amzDate = try XCTUnwrap(request.headers["x-amz-date"])
        XCTAssertNotNil(amzDate.range(of: #"^\d{8}T\d{6}Z$"#, options: .regularExpression), amzDate)
        let authorization = try XCTUnwrap(request.headers["authorization"])
        let day = String(amzDate.prefix(8))
        let prefix = "AWS4-HMAC-SHA256 Credential=\(keys.id)/\(day)/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="
        XCTAssertTrue(authorization.hasPrefix(prefix), "Authorization is not a SigV4 header for the key id and the STS scope")
        let signature = String(authorization.dropFirst(prefix.count))
        XCTAssertNotNil(signature.range(of: "^[0-9a-f]{64}$", options: .regularExpression))

        // Verify as STS would: recompute over the headers the server received.
        let signer = AWSSigV4(accessKeyId: keys.id, secretAccessKey: Secret(keys.secret), region: "us-east-1", service: "sts")
        let (canonical, _) = AWSSigV4.canonicalRequest(
            method: request.method, path: request.path, query: "",
            headers: ["content-type", "host", "x-amz-date"].map { (name: $0, value: request.headers[$0] ?? "") }, payload: Array(request.body))
        XCTAssertEqual(request.headers["host"], "127.0.0.1:\(server.port)")
        XCTAssertEqual(signer.signature(stringToSign: signer.stringToSign(timestamp: amzDate, canonicalRequest: canonical), day: day), signature,
                       "the signature does not verify over the request as sent")

        // The secret itself never goes over the wire.
        let wire = request.method + " " + request.path + "\n" + request.headers.map { "\($0.key): \($0.value)" }.joined(separator: "\n")
            + "\n" + String(decoding: request.body, as: UTF8.self)
        assertNoPlaintext(wire, [keys.secret], "the request sent to STS")
    }

    func testAWSActive() throws {
        let (record, _, _) = try runLocal(.init(status: 200, headers: ["Content-Type": "text/xml"], body: Self.documentedAnswer))
        XCTAssertEqual(record.validation?.status, .active)
        XCTAssertEqual(record.validation?.detail, "HTTP 200: sts:GetCallerIdentity succeeded as arn:aws:iam::123456789012:user/Alice; account 123456789012")
        XCTAssertEqual(record.identity.principal, "arn:aws:iam::123456789012:user/Alice")
        XCTAssertEqual(record.privilege.level, .unknown, "an IAM user's policies are not read: its privilege stays unknown")
    }

    /// An answer that carries the secret in pieces (an ARN of its two halves: each too short for any sanitiser net)
    /// loses every value that repeats part of it; the key is still reported as working.
    func testAnARNEchoingTheSecretInPiecesIsDropped() throws {
        let keys = pair(51)
        let a = String(keys.secret.prefix(20)), b = String(keys.secret.dropFirst(20))
        let echo = Self.documentedAnswer.replacingOccurrences(of: "arn:aws:iam::123456789012:user/Alice", with: "arn:aws:iam::123456789012:user/\(a):\(b)")
        let (record, _, _) = try runLocal(.init(status: 200, headers: ["Content-Type": "text/xml"], body: echo))
        XCTAssertEqual(record.validation?.status, .active)
        XCTAssertNil(record.identity.principal)
        let text = [record.validation?.detail ?? "", record.identity.principal ?? "", record.identity.account ?? ""].joined(separator: " ")
        XCTAssertFalse(text.contains(a) || text.contains(b), "a piece of the secret reached the register")
        XCTAssertTrue(record.validation?.detail.contains("repeated part of the key") ?? false)
    }

    /// The account root user's keys: admin.
    func testAWSRootKeyIsAdmin() throws {
        let root = Self.documentedAnswer.replacingOccurrences(of: "arn:aws:iam::123456789012:user/Alice", with: "arn:aws:iam::123456789012:root")
        let (record, _, _) = try runLocal(.init(status: 200, body: root))
        XCTAssertEqual(record.validation?.status, .active)
        XCTAssertEqual(record.identity.principal, "arn:aws:iam::123456789012:root")
        XCTAssertEqual(record.privilege.level, .admin)
    }

    func testAWSRevoked() throws {
        let (record, _, _) = try runLocal(.init(status: 403, headers: ["Content-Type": "text/xml"], body: Self.invalidClientToken))
        XCTAssertEqual(record.validation?.status, .revoked)
        XCTAssertEqual(record.validation?.detail, "HTTP 403 from 127.0.0.1: the provider refuses the key (InvalidClientTokenId)")
    }

    /// The answer is read with Foundation's XML parser: entities decoded, the first element taken, an answer that is not
    /// XML (or cut short before the element closes) yields nothing, and an external entity is never loaded.
    func testAnswerXMLReading() throws {
        let documented = """
        <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <GetCallerIdentityResult>
            <Arn>arn:aws:iam::123456789012:user/Alice&amp;Bob</Arn>
            <UserId>AIDACKCEVSQ6C2EXAMPLE</UserId>
            <Account>123456789012</Account>
          </GetCallerIdentityResult>
          <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
        </GetCallerIdentityResponse>
        """
        XCTAssertEqual(AWSValidator.element("Arn", in: documented), "arn:aws:iam::123456789012:user/Alice&Bob")
        XCTAssertEqual(AWSValidator.element("Account", in: documented), "123456789012")
        XCTAssertNil(AWSValidator.element("Arn", in: #"{"Arn":"x"}"#))
        XCTAssertNil(AWSValidator.element("Arn", in: "<R><Arn>arn:aws:iam::1:user/cut"))
        let dir = try temporaryDirectory(self)
        try write("arn:aws:iam::999999999999:root", to: "outside.txt", in: dir)
        let external = """
        <?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://\(dir)/outside.txt">]><r><Arn>&x;</Arn></r>
        """
        XCTAssertFalse(AWSValidator.element("Arn", in: external)?.contains("999999999999") ?? false, "an external entity was loaded")
    }

    func testAWSError() throws {
        let body = Self.invalidClientToken.replacingOccurrences(of: "InvalidClientTokenId", with: "IncompleteSignature")
        let (record, _, _) = try runLocal(.init(status: 400, body: body))
        XCTAssertEqual(record.validation?.status, .error)
        XCTAssertEqual(record.validation?.detail, "HTTP 400 from 127.0.0.1: unexpected answer (IncompleteSignature)")
        // A 2xx that is not GetCallerIdentity's answer is no proof.
        let (odd, _, _) = try runLocal(.init(status: 200, body: "<html>captive portal</html>"), seed: 52)
        XCTAssertEqual(odd.validation?.status, .error)
    }

    /// A secret without its key id nearby, and a temporary (ASIA) pair whose session token the scan does not keep:
    /// reported as not checked, nothing sent.
    func testKeysThatCannotBeCheckedAreNotSent() throws {
        var keys = CredentialFactory(seed: 53)
        let session = keys.awsKeyPair(session: true)
        let lone = keys.awsKeyPair().secret
        let server = try startServer { _ in .init(status: 200, body: Self.documentedAnswer) }
        let dir = try temporaryDirectory(self)
        try write(envFile(session), to: "session/.env", in: dir)
        try write("AWS_SECRET_ACCESS_KEY=\(lone)\n", to: "lone/.env", in: dir)
        var options = ScanOptions(request: ScanRequest(paths: [dir], history: false))
        options.matcher = sharedMatcher
        options.configuration = try KeyLedgerConfig.parse("endpoints:\n  aws_sts: \(server.baseURL)\n", source: "keyledger.yml")
        options.validate = true
        let register = try ScanPipeline.run(options).register
        XCTAssertEqual(server.requests.count, 0)
        for secret in [session.secret, lone] {
            let record = try XCTUnwrap(register.credential(for: secret), "an AWS secret was not found")
            XCTAssertEqual(record.validation?.status, .unknown)
            XCTAssertTrue(record.validation?.detail.hasPrefix("not checked") ?? false, record.validation?.detail ?? "-")
        }
    }

    // MARK: moto

    /// moto in server mode (`.ci/run`): IAM users and keys are created through its unsigned-request allowance
    /// (`/moto-api/reset-auth`); everything else must carry a signature moto verifies.
    struct Moto {
        let base: URL
        let transport = URLSessionTransport()

        static func fromEnvironment() throws -> Moto {
            guard let text = ProcessInfo.processInfo.environment["KEYLEDGER_TEST_MOTO_URL"], let url = ValidationEndpoints.baseURL(text) else {
                try TestPrerequisites.unavailable("moto server (KEYLEDGER_TEST_MOTO_URL) not set",
                                                  install: "pip install 'moto[server]'; INITIAL_NO_AUTH_ACTION_COUNT=0 moto_server -p 5055; export KEYLEDGER_TEST_MOTO_URL=http://127.0.0.1:5055 (.ci/run does this)")
            }
            return Moto(base: url)
        }

        func post(_ path: String, _ body: String, headers: [String: String]) throws -> (status: Int, body: String) {
            let request = HTTPRequest(method: "POST", url: URL(string: base.absoluteString + path)!, headers: headers, body: Data(body.utf8))
            guard case .answer(let answer) = transport.send(request, timeout: 10) else { throw MotoError.unreachable }
            return (answer.status, String(decoding: answer.body, as: UTF8.self))
        }

        /// Lets the next `count` actions through unsigned (moto's `INITIAL_NO_AUTH_ACTION_COUNT`, reset).
        func allowUnsigned(_ count: Int) throws {
            let (status, _) = try post("/moto-api/reset-auth", "\(count)", headers: ["Content-Type": "text/plain"])
            guard status == 200 else { throw MotoError.refused("reset-auth", status) }
        }

        /// An IAM query action, unsigned (moto routes on the credential scope's service).
        func iam(_ action: String, _ parameters: String) throws -> String {
            let (status, body) = try post("/", "Action=\(action)&Version=2010-05-08&\(parameters)", headers: [
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "Authorization": "AWS4-HMAC-SHA256 Credential=UNSIGNED/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0",
            ])
            guard status == 200 else { throw MotoError.refused(action, status) }
            return body
        }

        /// A new IAM user with one access key: the user's ARN and the pair.
        func userWithKey(_ name: String) throws -> (arn: String, id: String, secret: String) {
            try allowUnsigned(2)
            let user = try iam("CreateUser", "UserName=\(name)")
            let key = try iam("CreateAccessKey", "UserName=\(name)")
            guard let arn = AWSValidator.element("Arn", in: user), let id = AWSValidator.element("AccessKeyId", in: key),
                  let secret = AWSValidator.element("SecretAccessKey", in: key) else { throw MotoError.unreadable }
            return (arn, id, secret)
        }

        func deleteKey(_ id: String, of name: String) throws {
            try allowUnsigned(1)
            _ = try iam("DeleteAccessKey", "UserName=\(name)&AccessKeyId=\(id)")
        }

        enum MotoError: Error, CustomStringConvertible {
            case unreachable, unreadable, refused(String, Int)
            var description: String {
                switch self {
                case .unreachable: return "moto did not answer at KEYLEDGER_TEST_MOTO_URL"
                case .unreadable: return "moto's IAM answer had no user ARN or key"
                case .refused(let what, let status): return "moto refused \(what) (HTTP \(status))"
                }
            }
        }
    }

    func scanAgainst(_ moto: Moto, id: String, secret: String, name: String = #function) throws -> CredentialRecord {
        let register = try validatedScan(self, "[default]\naws_access_key_id = \(id)\naws_secret_access_key = \(secret)\n",
                                         config: "endpoints:\n  aws_sts: \(moto.base.absoluteString)\n", secrets: [secret], name: name)
        return try XCTUnwrap(register.credential(for: secret), "the AWS secret key was not found")
    }

    /// A key moto issued: active, with the user's ARN and account; once deleted, revoked (InvalidClientTokenId).
    func testMotoActiveThenRevokedAfterDeletion() throws {
        let moto = try Moto.fromEnvironment()
        let name = "keyledger-ci-\(UUID().uuidString.prefix(8).lowercased())"
        let user = try moto.userWithKey(name)
        XCTAssertTrue(AWSValidator.isLongTermKeyId(user.id), "moto issued an unexpected key id \(user.id)")

        let active = try scanAgainst(moto, id: user.id, secret: user.secret)
        XCTAssertEqual(active.validation?.status, .active, active.validation?.detail ?? "-")
        XCTAssertEqual(active.identity.principal, user.arn)
        XCTAssertEqual(active.identity.account, "123456789012", "moto's default account (also decoded from the key id)")
        XCTAssertTrue(active.validation?.detail.contains("as \(user.arn); account 123456789012") ?? false, active.validation?.detail ?? "-")

        try moto.deleteKey(user.id, of: name)
        let deleted = try scanAgainst(moto, id: user.id, secret: user.secret, name: #function + "-deleted")
        XCTAssertEqual(deleted.validation?.status, .revoked, deleted.validation?.detail ?? "-")
        XCTAssertTrue(deleted.validation?.detail.hasSuffix("(InvalidClientTokenId)") ?? false, deleted.validation?.detail ?? "-")
    }

    /// A real key id with a secret that is not its own: revoked (SignatureDoesNotMatch).
    func testMotoWrongSecretIsRefused() throws {
        let moto = try Moto.fromEnvironment()
        let name = "keyledger-ci-\(UUID().uuidString.prefix(8).lowercased())"
        let user = try moto.userWithKey(name)
        let wrong = pair(54).secret
        let record = try scanAgainst(moto, id: user.id, secret: wrong)
        XCTAssertEqual(record.validation?.status, .revoked, record.validation?.detail ?? "-")
        XCTAssertTrue(record.validation?.detail.hasSuffix("(SignatureDoesNotMatch)") ?? false, record.validation?.detail ?? "-")
        // The real key still works: the refusal was the signature's, not the key's.
        XCTAssertEqual(try scanAgainst(moto, id: user.id, secret: user.secret, name: #function + "-right").validation?.status, .active)
    }
}
