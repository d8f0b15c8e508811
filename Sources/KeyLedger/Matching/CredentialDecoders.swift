import Foundation

/// Checks and identity extraction that a pattern cannot express: checksums, embedded structure,
/// identities encoded inside the credential itself. Named from rule YAML (`validator:`, `decoder:`).
enum CredentialDecoders {
    static let validatorNames: Set<String> = ["github-crc32", "jwt", "jwt-kubernetes", "aws-bedrock-long-term", "aws-bedrock-short-term", "base64-docker-auth"]
    static let decoderNames: Set<String> = ["jwt", "aws-access-key-id", "aws-bedrock-long-term", "aws-bedrock-short-term", "jwt-kubernetes", "docker-auth"]

    static func validate(_ secret: String, with name: String) -> Bool {
        switch name {
        case "github-crc32": return githubChecksumValid(secret)
        case "jwt-kubernetes": return kubernetesClaims(secret) != nil
        case "jwt": return jwtClaims(secret) != nil
        case "aws-bedrock-long-term": return bedrockLongTerm(secret) != nil
        case "aws-bedrock-short-term": return bedrockShortTerm(secret) != nil
        case "base64-docker-auth": return dockerAuth(secret) != nil
        default: return false
        }
    }

    static func decode(_ secret: String, with name: String) -> Identity? {
        switch name {
        case "aws-access-key-id":
            // The secret may be the key id itself (bare id rule) or a secret whose id is found nearby.
            if secret.count == 20, let account = awsAccount(fromKeyId: secret) {
                return Identity(keyId: secret, account: account, source: "decoded from the key id")
            }
            return Identity()
        case "aws-bedrock-long-term": return bedrockLongTerm(secret)
        case "aws-bedrock-short-term": return bedrockShortTerm(secret)
        case "jwt-kubernetes": return kubernetesClaims(secret)
        case "jwt": return jwtClaims(secret)
        case "docker-auth": return dockerAuth(secret)
        default: return nil
        }
    }

    // MARK: GitHub

    /// `gh?_` + 30 random + 6-char base62 CRC32 of the random part.
    static func githubChecksumValid(_ token: String) -> Bool {
        let chars = Array(token.utf8)
        guard chars.count == 40, chars[3] == UInt8(ascii: "_") else { return false }
        let payload = chars[4..<34]
        let expected = base62(UInt64(crc32(payload)), width: 6)
        return Array(chars[34..<40]) == Array(expected.utf8)
    }

    static let base62Alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    static func base62(_ value: UInt64, width: Int) -> String {
        var v = value
        var digits: [UInt8] = []
        repeat { digits.append(base62Alphabet[Int(v % 62)]); v /= 62 } while v > 0
        while digits.count < width { digits.append(UInt8(ascii: "0")) }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }

    static func crc32<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }

    // MARK: AWS

    /// The 12-digit account encoded in an access key id (`AKIA…`/`ASIA…` ids issued since 2019).
    static func awsAccount(fromKeyId keyId: String) -> String? {
        let chars = Array(keyId.utf8)
        guard chars.count == 20 else { return nil }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)
        var bits: UInt64 = 0
        var bitCount = 0
        var bytes: [UInt8] = []
        for c in chars[4..<20] {
            guard let v = alphabet.firstIndex(of: c) else { return nil }
            bits = (bits << 5) | UInt64(v)
            bitCount += 5
            if bitCount >= 8 {
                bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(bitCount - 8)))
                bitCount -= 8
            }
        }
        guard bytes.count >= 6 else { return nil }
        var z: UInt64 = 0
        for b in bytes[0..<6] { z = (z << 8) | UInt64(b) }
        let account = (z & 0x7FFF_FFFF_FF80) >> 7
        return String(format: "%012llu", account)
    }

    /// `ABSK` + base64(`BedrockAPIKey-<id>-at-<account>:<secret>`).
    static func bedrockLongTerm(_ key: String) -> Identity? {
        guard key.hasPrefix("ABSK"), let decoded = base64Decode(String(key.dropFirst(4))) else { return nil }
        guard let colon = decoded.firstIndex(of: ":") else { return nil }
        let user = String(decoded[..<colon])
        guard user.hasPrefix("BedrockAPIKey-"), let at = user.range(of: "-at-") else { return nil }
        let account = String(user[at.upperBound...])
        guard account.count == 12, account.allSatisfy(\.isNumber) else { return nil }
        let userName = String(user[..<at.lowerBound])
        return Identity(name: userName, principal: "arn:aws:iam::\(account):user/\(userName)", account: account,
                        source: "decoded from the key")
    }

    /// `bedrock-api-key-` + base64(presigned URL carrying `X-Amz-Credential=<key id>/<date>/<region>/bedrock/…`).
    static func bedrockShortTerm(_ key: String) -> Identity? {
        guard key.hasPrefix("bedrock-api-key-"), let decoded = base64Decode(String(key.dropFirst(16))) else { return nil }
        guard decoded.hasPrefix("bedrock.amazonaws.com"), let cred = decoded.range(of: "X-Amz-Credential=") else { return nil }
        let rest = decoded[cred.upperBound...].replacingOccurrences(of: "%2F", with: "/").replacingOccurrences(of: "%2f", with: "/")
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard let keyId = parts.first.map(String.init), keyId.count == 20 else { return nil }
        let region = parts.count > 2 ? String(parts[2]) : nil
        return Identity(keyId: keyId, name: region.map { "bedrock (\($0))" }, account: awsAccount(fromKeyId: keyId),
                        source: "decoded from the key")
    }

    // MARK: Kubernetes

    /// Claims of a Kubernetes service-account JWT, or nil when the token is not one.
    static func kubernetesClaims(_ token: String) -> Identity? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let payload = base64Decode(String(parts[1]), url: true),
              let json = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any] else { return nil }
        let issuer = json["iss"] as? String
        let nested = json["kubernetes.io"] as? [String: Any]
        let legacyNamespace = json["kubernetes.io/serviceaccount/namespace"] as? String
        guard issuer == "kubernetes/serviceaccount" || nested != nil || legacyNamespace != nil else { return nil }
        var namespace = legacyNamespace
        var account = json["kubernetes.io/serviceaccount/service-account.name"] as? String
        if let nested {
            namespace = namespace ?? nested["namespace"] as? String
            account = account ?? (nested["serviceaccount"] as? [String: Any])?["name"] as? String
        }
        let subject = json["sub"] as? String
        let name = [namespace, account].compactMap { $0 }.joined(separator: "/")
        return Identity(keyId: json["kubernetes.io/serviceaccount/secret.name"] as? String,
                        name: name.isEmpty ? nil : name, principal: subject,
                        account: (issuer != "kubernetes/serviceaccount") ? issuer : nil,
                        source: "decoded from the token claims")
    }

    // MARK: JWT

    /// Identity from a JWT's header and claims — decoded, never verified, never printed: issuer (name), subject
    /// (principal), audience (account), expiry and role. Nil when the header is not a JWT header (`alg`), the payload
    /// is not a JSON object, or the token is the jwt.io documentation sample.
    static func jwtClaims(_ token: String) -> Identity? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].count >= 16,
              let headerText = base64Decode(String(parts[0]), url: true),
              let header = try? JSONSerialization.jsonObject(with: Data(headerText.utf8)) as? [String: Any],
              let alg = header["alg"] as? String, alg.lowercased() != "none",
              let payload = base64Decode(String(parts[1]), url: true),
              let claims = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any] else { return nil }
        func text(_ key: String) -> String? {
            if let s = claims[key] as? String, !s.isEmpty { return s }
            if let list = claims[key] as? [Any] { return list.compactMap { $0 as? String }.first }
            return nil
        }
        let subject = text("sub") ?? text("client_id") ?? text("user_id") ?? text("email") ?? text("preferred_username")
        // A token that names no issuer, subject, audience or role identifies nobody: a library's documentation
        // (`{"some": "payload"}`) or a cassette's opaque session blob, not a credential someone can be held to.
        guard text("iss") != nil || subject != nil || text("aud") != nil || text("role") != nil else { return nil }
        // The jwt.io sample and test fixtures: issued by or for test/example hosts, or to sample subjects.
        if subject == "1234567890" || (claims["name"] as? String) == "John Doe" { return nil }
        let fixtureWords: Set<Substring> = ["example", "test", "tests", "testing", "localhost", "dummy", "sample", "fake"]
        for claim in [text("iss"), text("aud"), subject].compactMap({ $0?.lowercased() }) {
            let words = claim.split { !($0.isLetter || $0.isNumber) }
            if claim.contains("123456789") || words.contains(where: { fixtureWords.contains($0) }) { return nil }
        }
        var identity = Identity(name: text("iss"), principal: subject, account: text("aud") ?? text("ref"),
                                source: "decoded from the JWT claims (signature not verified)")
        let role = (text("role") ?? text("scope") ?? "").lowercased()
        switch role {
        case "service_role", "supabase_admin", "admin", "owner": identity.privilegeHint = "admin"
        case "anon": identity.privilegeHint = "read"
        default: break
        }
        if let exp = claims["exp"] as? Double, exp > 0, exp < 253_370_764_800 { identity.expiresHint = Date(timeIntervalSince1970: exp) }
        else if let exp = claims["exp"] as? Int, exp > 0, exp < 253_370_764_800 { identity.expiresHint = Date(timeIntervalSince1970: TimeInterval(exp)) }
        return identity
    }

    // MARK: Docker

    /// A Docker config `auth` value: base64(`user:password`).
    static func dockerAuth(_ value: String) -> Identity? {
        guard let decoded = base64Decode(value), let colon = decoded.firstIndex(of: ":") else { return nil }
        let user = String(decoded[..<colon])
        let password = decoded[decoded.index(after: colon)...]
        guard !user.isEmpty, password.count >= 4, decoded.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else { return nil }
        return Identity(principal: user, source: "decoded from the auth value")
    }

    // MARK: PEM

    /// A PEM block without whitespace and JSON/string escapes, so one key fingerprints the same everywhere.
    static func normalizePEM(_ text: String) -> String {
        // JSON stored inside a JSON string doubles the escapes (`\\n`); undo both levels.
        var s = text.replacingOccurrences(of: "\\\\", with: "\\")
        s = s.replacingOccurrences(of: "\\r", with: "").replacingOccurrences(of: "\\n", with: "\n")
        s = s.replacingOccurrences(of: "\r", with: "")
        let lines = s.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let header = lines.first, header.hasPrefix("-----BEGIN") else { return s }
        let footer = lines.last ?? ""
        let body = lines.dropFirst().dropLast().filter { !$0.contains(":") }.joined()
        return header + body + footer
    }

    // MARK: base64

    static func base64Decode(_ text: String, url: Bool = false) -> String? {
        var s = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if url { s = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") }
        s = s.replacingOccurrences(of: "=", with: "")
        while s.count % 4 != 0 { s += "=" }
        guard let data = Data(base64Encoded: s) else { return nil }
        return String(data: data, encoding: .utf8)
    }
}
