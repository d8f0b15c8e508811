import Foundation
import XCTest
@testable import KeyLedger

/// HMAC-SHA256 against RFC 4231, and SigV4 against AWS's published test suite (awslabs/aws-c-auth
/// `tests/aws-signing-test-suite/v4/<case>/`, from the former "Signature Version 4 Test Suite" of the AWS General
/// Reference, commit 495329c) and the worked IAM `ListUsers` example of the SigV4 documentation. The credentials are
/// AWS's documented example values (AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY), never issued.
final class AWSSigV4Tests: XCTestCase {
    func hex(_ bytes: [UInt8]) -> String { SHA256.hexString(bytes) }

    /// RFC 4231 section 4, test cases 1–4, 6 and 7 (5 is a truncated MAC).
    func testHMACSHA256RFC4231() {
        let cases: [(key: [UInt8], data: [UInt8], mac: String)] = [
            ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
             "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
            (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
            ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
             "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
            (Array(1...25), [UInt8](repeating: 0xcd, count: 50),
             "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
            ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
             "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
            ([UInt8](repeating: 0xaa, count: 131),
             Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
             "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
        ]
        for (n, c) in cases.enumerated() {
            XCTAssertEqual(hex(HMACSHA256.mac(key: c.key, message: c.data)), c.mac, "RFC 4231 case #\(n)")
        }
    }

    let example = AWSSigV4(accessKeyId: "AKIDEXAMPLE", secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                           region: "us-east-1", service: "service")
    let when = ISO8601DateFormatter().date(from: "2015-08-30T12:36:00Z")!

    struct SuiteCase {
        var name: String
        var method: String
        var path: String
        var query: String
        var headers: [(name: String, value: String)]
        var body: String
        var canonical: String
        var stringToSign: String
        var signature: String
    }

    /// `header-canonical-request.txt`, `header-string-to-sign.txt` and `header-signature.txt` of four suite cases.
    static let suite: [SuiteCase] = [
        SuiteCase(name: "get-vanilla", method: "GET", path: "/", query: "",
                  headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")], body: "",
                  canonical: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                  stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
                  signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        SuiteCase(name: "get-vanilla-query-order-key-case", method: "GET", path: "/", query: "Param2=value2&Param1=value1",
                  headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")], body: "",
                  canonical: "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                  stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
                  signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        SuiteCase(name: "post-header-key-sort", method: "POST", path: "/", query: "",
                  headers: [("Host", "example.amazonaws.com"), ("My-Header1", "value1"), ("X-Amz-Date", "20150830T123600Z")], body: "",
                  canonical: "POST\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nx-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                  stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n9368318c2967cf6de74404b30c65a91e8f6253e0a8659d6d5319f1a812f87d65",
                  signature: "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"),
        // sign_body: the suite's signer adds x-amz-content-sha256 (the body's SHA-256) to the signed headers.
        SuiteCase(name: "post-x-www-form-urlencoded", method: "POST", path: "/", query: "",
                  headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Host", "example.amazonaws.com"), ("Content-Length", "13"),
                            ("X-Amz-Date", "20150830T123600Z"),
                            ("x-amz-content-sha256", "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e")],
                  body: "Param1=value1",
                  canonical: "POST\n/\n\ncontent-length:13\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\nx-amz-date:20150830T123600Z\n\ncontent-length;content-type;host;x-amz-content-sha256;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
                  stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nb1edd1d03544c25390e32085d55b57acc9a3961bb59415ff86c45c3d89d16cfb",
                  signature: "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"),
    ]

    func testSigV4TestSuite() {
        for c in Self.suite {
            let (canonical, _) = AWSSigV4.canonicalRequest(method: c.method, path: c.path, query: c.query, headers: c.headers, payload: Array(c.body.utf8))
            XCTAssertEqual(canonical, c.canonical, c.name)
            let toSign = example.stringToSign(timestamp: "20150830T123600Z", canonicalRequest: canonical)
            XCTAssertEqual(toSign, c.stringToSign, c.name)
            XCTAssertEqual(example.signature(stringToSign: toSign, day: "20150830"), c.signature, c.name)
        }
    }

    /// get-vanilla's `header-signed-request.txt`, through `sign` (what the validator calls).
    func testSignProducesTheSuiteAuthorizationHeader() {
        let headers = example.sign(method: "GET", host: "example.amazonaws.com", path: "/", headers: [:], body: [], at: when)
        XCTAssertEqual(headers["X-Amz-Date"], "20150830T123600Z")
        XCTAssertEqual(headers["Authorization"],
                       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    /// The SigV4 documentation's worked example: `GET https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08`,
    /// its hashed canonical request, derived signing key and `Authorization` header.
    func testDocumentedIAMExample() {
        let iam = AWSSigV4(accessKeyId: "AKIDEXAMPLE", secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                           region: "us-east-1", service: "iam")
        XCTAssertEqual(hex(iam.signingKey(day: "20150830")), "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
        let (canonical, signed) = AWSSigV4.canonicalRequest(
            method: "GET", path: "/", query: "Action=ListUsers&Version=2010-05-08",
            headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), ("Host", "iam.amazonaws.com"),
                      ("X-Amz-Date", "20150830T123600Z")], payload: [])
        XCTAssertEqual(signed, "content-type;host;x-amz-date")
        XCTAssertEqual(SHA256.hex(canonical), "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59")
        let headers = iam.sign(method: "GET", host: "iam.amazonaws.com", path: "/", query: "Action=ListUsers&Version=2010-05-08",
                               headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"], body: [], at: when)
        XCTAssertEqual(headers["Authorization"],
                       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
    }

    func testCanonicalPiecesFoldAndEncode() {
        XCTAssertEqual(AWSSigV4.canonicalQuery("b=2&a=x y&a=1"), "a=1&a=x%20y&b=2")
        XCTAssertEqual(AWSSigV4.canonicalHeaders([("X-A", "  one   two "), ("x-a", "three"), ("Host", "h")]).block, "host:h\nx-a:one two,three\n")
        XCTAssertEqual(AWSSigV4.encode("/a b/c~d", keepSlash: true), "/a%20b/c~d")
        XCTAssertEqual(AWSSigV4.hostHeader(URL(string: "http://127.0.0.1:5000")!), "127.0.0.1:5000")
        XCTAssertEqual(AWSSigV4.hostHeader(URL(string: "https://sts.amazonaws.com:443")!), "sts.amazonaws.com")
        XCTAssertEqual(AWSSigV4.timestamp(when), "20150830T123600Z")
    }

    func testSigningRegionFromTheSTSHost() {
        XCTAssertEqual(AWSValidator.region(forHost: "sts.amazonaws.com"), "us-east-1")
        XCTAssertEqual(AWSValidator.region(forHost: "sts.eu-west-1.amazonaws.com"), "eu-west-1")
        XCTAssertEqual(AWSValidator.region(forHost: "sts-fips.us-east-2.amazonaws.com"), "us-east-2")
        XCTAssertEqual(AWSValidator.region(forHost: "sts.us-gov-west-1.amazonaws.com"), "us-gov-west-1")
        XCTAssertEqual(AWSValidator.region(forHost: "sts.cn-north-1.amazonaws.com.cn"), "cn-north-1")
        XCTAssertEqual(AWSValidator.region(forHost: "vpce-0abc.sts.ap-southeast-2.vpce.amazonaws.com"), "ap-southeast-2")
        XCTAssertEqual(AWSValidator.region(forHost: "127.0.0.1:5000"), "us-east-1")
        XCTAssertEqual(AWSValidator.region(forHost: "sts.gateway.example"), "us-east-1")
    }

    func testOnlyLongTermKeyIds() {
        XCTAssertTrue(AWSValidator.isLongTermKeyId("AKIAXCTZUXMA4RQJORFA"))
        XCTAssertFalse(AWSValidator.isLongTermKeyId("ASIAXCTZUXMAXE6B7LS3"))
        XCTAssertFalse(AWSValidator.isLongTermKeyId("ABIAYYIYS47CSE3APSU2"))
        XCTAssertFalse(AWSValidator.isLongTermKeyId("AKIAXCTZUXMA4RQJORF"))
        XCTAssertFalse(AWSValidator.isLongTermKeyId("AKIAXCTZUXMA4RQJORF1"))
    }
}
