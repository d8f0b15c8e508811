import Foundation

/// HMAC-SHA256 (RFC 2104) on the project's SHA-256; tested against RFC 4231's vectors.
public enum HMACSHA256 {
    /// The 32-byte MAC of `message` under `key`.
    public static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        let blockSize = 64
        var k = key.count > blockSize ? SHA256.digest(key) : key
        k += [UInt8](repeating: 0, count: blockSize - k.count)
        let inner = SHA256.digest(k.map { $0 ^ 0x36 } + message)
        return SHA256.digest(k.map { $0 ^ 0x5c } + inner)
    }

    public static func mac(key: [UInt8], message: String) -> [UInt8] { mac(key: key, message: Array(message.utf8)) }
}

/// AWS Signature Version 4, header form: the canonical request, the string to sign, the signing key derived from the
/// secret access key through the date, region and service, and the `Authorization` header. Tested against AWS's
/// published SigV4 test suite (aws-c-auth `tests/aws-signing-test-suite/v4`) and the documented IAM example.
///
/// The secret never leaves this type except as HMAC output: only the key id, the scope and the signature go on the wire.
public struct AWSSigV4: Sendable {
    public static let algorithm = "AWS4-HMAC-SHA256"

    public var accessKeyId: String
    var secretAccessKey: Secret
    public var region: String
    public var service: String

    public init(accessKeyId: String, secretAccessKey: Secret, region: String, service: String) {
        self.accessKeyId = accessKeyId; self.secretAccessKey = secretAccessKey; self.region = region; self.service = service
    }

    /// `20150830T123600Z`: the request's `X-Amz-Date`.
    public static func timestamp(_ date: Date) -> String {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters (and `/` when `keepSlash`), as SigV4 asks.
    static func encode(_ text: String, keepSlash: Bool) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// The canonical query string: each name and value encoded, sorted by name then value.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: true).map { pair -> (String, String) in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let name = parts[0].removingPercentEncoding ?? parts[0]
            let value = parts.count > 1 ? (parts[1].removingPercentEncoding ?? parts[1]) : ""
            return (encode(name, keepSlash: false), encode(value, keepSlash: false))
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Header names lower-cased and sorted, values trimmed with inner runs of spaces folded to one; a name given twice
    /// keeps both values, comma-joined in order. Returns the canonical header block and the signed-header list.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (block: String, signed: String) {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            let folded = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            merged[name.lowercased(), default: []].append(folded)
        }
        let sorted = merged.sorted { $0.key < $1.key }
        let block = sorted.map { "\($0.key):\($0.value.joined(separator: ","))\n" }.joined()
        return (block, sorted.map(\.key).joined(separator: ";"))
    }

    /// The canonical request (task 1 of the signing process) and its signed-header list.
    public static func canonicalRequest(method: String, path: String, query: String, headers: [(name: String, value: String)],
                                        payload: [UInt8]) -> (request: String, signedHeaders: String) {
        let (block, signed) = canonicalHeaders(headers)
        let uri = path.isEmpty ? "/" : encode(path.removingPercentEncoding ?? path, keepSlash: true)
        let request = [method.uppercased(), uri, canonicalQuery(query), block, signed, SHA256.hexString(SHA256.digest(payload))]
            .joined(separator: "\n")
        return (request, signed)
    }

    /// `20150830/us-east-1/iam/aws4_request`.
    public func scope(day: String) -> String { "\(day)/\(region)/\(service)/aws4_request" }

    /// The string to sign (task 2).
    public func stringToSign(timestamp: String, canonicalRequest: String) -> String {
        [Self.algorithm, timestamp, scope(day: String(timestamp.prefix(8))), SHA256.hex(canonicalRequest)].joined(separator: "\n")
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request") (task 3).
    public func signingKey(day: String) -> [UInt8] {
        let date = HMACSHA256.mac(key: Array(("AWS4" + secretAccessKey.value).utf8), message: day)
        let region = HMACSHA256.mac(key: date, message: self.region)
        let service = HMACSHA256.mac(key: region, message: self.service)
        return HMACSHA256.mac(key: service, message: "aws4_request")
    }

    /// The hex signature of a string to sign.
    public func signature(stringToSign: String, day: String) -> String {
        SHA256.hexString(HMACSHA256.mac(key: signingKey(day: day), message: stringToSign))
    }

    /// Signs a request: returns `headers` plus `X-Amz-Date` and `Authorization` (task 4). `host` is the `Host` header
    /// the transport sends (host, and `:port` when the URL names a port); it is signed but not added, since the
    /// transport sets it itself.
    public func sign(method: String, host: String, path: String, query: String = "", headers: [String: String],
                     body: [UInt8], at date: Date) -> [String: String] {
        let timestamp = Self.timestamp(date)
        var out = headers
        out["X-Amz-Date"] = timestamp
        let signedHeaders = out.map { (name: $0.key, value: $0.value) } + [(name: "host", value: host)]
        let (canonical, signed) = Self.canonicalRequest(method: method, path: path, query: query, headers: signedHeaders, payload: body)
        let signature = self.signature(stringToSign: stringToSign(timestamp: timestamp, canonicalRequest: canonical), day: String(timestamp.prefix(8)))
        out["Authorization"] = "\(Self.algorithm) Credential=\(accessKeyId)/\(scope(day: String(timestamp.prefix(8)))), SignedHeaders=\(signed), Signature=\(signature)"
        return out
    }

    /// The `Host` header value for `url`: the host, with `:port` when the URL names a port other than the scheme's.
    public static func hostHeader(_ url: URL) -> String? {
        guard let host = url.host else { return nil }
        guard let port = url.port else { return host }
        let scheme = url.scheme?.lowercased()
        if (scheme == "https" && port == 443) || (scheme == "http" && port == 80) { return host }
        return "\(host):\(port)"
    }
}
