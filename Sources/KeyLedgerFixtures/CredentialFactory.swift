import Foundation
import KeyLedger

/// A small, seedable generator (SplitMix64) so the demo estate is the same on every machine,
/// while tests use fresh randomness.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Builds well-formed credentials that were never issued by any provider: right prefix, length,
/// alphabet, markers and checksums, random bodies. Bodies that would read as placeholders are redrawn.
public struct CredentialFactory {
    private var rng: any RandomNumberGenerator

    public init(seed: UInt64? = nil) {
        if let seed { rng = SeededGenerator(seed: seed) } else { rng = SystemRandomNumberGenerator() }
    }

    public static let alnum = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    public static let urlSafe = alnum + Array("_-")
    public static let hexLower = Array("0123456789abcdef")
    public static let base32 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    public static let base64 = alnum + Array("+/")
    public static let lowerAlnum = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    /// `count` random characters from `alphabet` that do not read as a placeholder.
    public mutating func random(_ count: Int, from alphabet: [Character]) -> String {
        while true {
            var s = ""
            s.reserveCapacity(count)
            for _ in 0..<count { s.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
            if PlaceholderFilter.reason(s) == nil && !s.lowercased().contains("test") { return s }
        }
    }

    public mutating func digits(_ count: Int) -> String { random(count, from: Array("0123456789")) }

    // MARK: AI providers

    public mutating func openAIProjectKey() -> String { "sk-proj-" + random(74, from: Self.urlSafe) + "T3BlbkFJ" + random(74, from: Self.urlSafe) }
    public mutating func openAIServiceAccountKey() -> String { "sk-svcacct-" + random(74, from: Self.urlSafe) + "T3BlbkFJ" + random(74, from: Self.urlSafe) }
    public mutating func openAIAdminKey() -> String { "sk-admin-" + random(58, from: Self.urlSafe) + "T3BlbkFJ" + random(58, from: Self.urlSafe) }
    public mutating func openAILegacyKey() -> String { "sk-" + random(20, from: Self.alnum) + "T3BlbkFJ" + random(20, from: Self.alnum) }
    public mutating func anthropicAPIKey() -> String { "sk-ant-api03-" + random(93, from: Self.urlSafe) + "AA" }
    public mutating func anthropicAdminKey() -> String { "sk-ant-admin01-" + random(93, from: Self.urlSafe) + "AA" }
    public mutating func googleAPIKey() -> String { "AIzaSy" + random(33, from: Self.urlSafe) }
    public mutating func huggingFaceToken() -> String { "hf_" + random(34, from: Self.alnum) }
    public mutating func groqKey() -> String { "gsk_" + random(20, from: Self.alnum) + "WGdyb3FY" + random(24, from: Self.alnum) }
    public mutating func mistralKey() -> String { random(32, from: Self.alnum) }
    public mutating func deepSeekKey() -> String { "sk-" + random(32, from: Self.hexLower) }
    public mutating func openRouterKey() -> String { "sk-or-v1-" + random(64, from: Self.hexLower) }
    public mutating func azureOpenAIKey() -> String { random(32, from: Self.hexLower) }
    public mutating func perplexityKey() -> String { "pplx-" + random(48, from: Self.alnum) }
    public mutating func replicateToken() -> String { "r8_" + random(37, from: Self.alnum) }

    // MARK: Clouds and platforms

    /// An AWS access key pair: id (`AKIA` + 16 base32) and 40-character secret.
    public mutating func awsKeyPair(session: Bool = false) -> (id: String, secret: String) {
        ((session ? "ASIA" : "AKIA") + random(16, from: Self.base32), random(40, from: Self.base64))
    }

    /// A long-term Bedrock API key naming its IAM user and account.
    public mutating func bedrockLongTermKey(account: String) -> String {
        let user = "BedrockAPIKey-" + random(4, from: Self.lowerAlnum)
        let payload = "\(user)-at-\(account):" + random(44, from: Self.base64)
        return "ABSK" + Data(payload.utf8).base64EncodedString()
    }

    /// A classic GitHub token with a valid CRC32 checksum (`ghp_` + 30 random + 6 base62 checksum).
    public mutating func gitHubToken(prefix: String = "ghp") -> String {
        let body = random(30, from: Self.alnum)
        var crc: UInt32 = 0xFFFF_FFFF
        for b in body.utf8 {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        crc = ~crc
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var v = UInt64(crc)
        var digits: [Character] = []
        repeat { digits.append(alphabet[Int(v % 62)]); v /= 62 } while v > 0
        while digits.count < 6 { digits.append("0") }
        return "\(prefix)_" + body + String(digits.reversed())
    }

    public mutating func slackBotToken() -> String { "xoxb-" + digits(12) + "-" + digits(13) + "-" + random(24, from: Self.alnum) }

    /// A PEM private key block (random body; never a usable key).
    public mutating func privateKeyPEM(header: String = "PRIVATE KEY") -> String {
        var lines: [String] = []
        for _ in 0..<25 { lines.append(random(64, from: Self.base64)) }
        lines.append(random(40, from: Self.base64) + "==")
        return "-----BEGIN \(header)-----\n" + lines.joined(separator: "\n") + "\n-----END \(header)-----\n"
    }

    /// A GCP service-account JSON key file; returns the JSON and its key id and e-mail.
    public mutating func gcpServiceAccountJSON(project: String, account: String) -> (json: String, keyId: String, email: String) {
        let keyId = random(40, from: Self.hexLower)
        let email = "\(account)@\(project).iam.gserviceaccount.com"
        let pem = privateKeyPEM().replacingOccurrences(of: "\n", with: "\\n")
        let json = """
        {
          "type": "service_account",
          "project_id": "\(project)",
          "private_key_id": "\(keyId)",
          "private_key": "\(pem)",
          "client_email": "\(email)",
          "client_id": "\(digits(21))",
          "auth_uri": "https://accounts.google.com/o/oauth2/auth",
          "token_uri": "https://oauth2.googleapis.com/token",
          "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
          "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/\(account)%40\(project).iam.gserviceaccount.com"
        }

        """
        return (json, keyId, email)
    }

    /// A legacy Kubernetes service-account token (JWT with the `kubernetes/serviceaccount` issuer).
    public mutating func kubernetesServiceAccountToken(namespace: String, account: String) -> String {
        func b64url(_ s: String) -> String {
            Data(s.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let header = b64url(#"{"alg":"RS256","kid":"\#(random(20, from: Self.alnum))"}"#)
        let payload = b64url("""
        {"iss":"kubernetes/serviceaccount","kubernetes.io/serviceaccount/namespace":"\(namespace)",\
        "kubernetes.io/serviceaccount/secret.name":"\(account)-token-\(random(5, from: Self.lowerAlnum))",\
        "kubernetes.io/serviceaccount/service-account.name":"\(account)",\
        "kubernetes.io/serviceaccount/service-account.uid":"\(random(8, from: Self.hexLower))-\(random(4, from: Self.hexLower))-\(random(4, from: Self.hexLower))-\(random(4, from: Self.hexLower))-\(random(12, from: Self.hexLower))",\
        "sub":"system:serviceaccount:\(namespace):\(account)"}
        """)
        return header + "." + payload + "." + random(342, from: Self.urlSafe)
    }

    // MARK: API-key providers with validators (well-formed per rules/*.yml, never issued)

    /// A Google AI Studio auth key or Vertex AI express key (`AQ.Ab8R` + 46).
    public mutating func googleAuthKey() -> String { "AQ.Ab8R" + random(46, from: Self.urlSafe) }
    /// A GitLab personal/project/group access token in the 20-character form (`glpat-` + 20).
    public mutating func gitLabToken() -> String { "glpat-" + random(20, from: Self.alnum) }
    /// A GitLab deploy token (`gldt-` + 20): not checked by `personal_access_tokens/self`.
    public mutating func gitLabDeployToken() -> String { "gldt-" + random(20, from: Self.alnum) }
    public mutating func slackUserToken() -> String {
        "xoxp-" + digits(12) + "-" + digits(12) + "-" + digits(13) + "-" + random(32, from: Self.alnum)
    }
    public mutating func slackWebhookURL() -> String {
        "https://hooks.slack.com/services/T" + random(10, from: Self.base32) + "/B" + random(10, from: Self.base32) + "/" + random(24, from: Self.alnum)
    }
    public mutating func xAIKey() -> String { "xai-" + random(80, from: Self.alnum) }
    public mutating func togetherKey() -> String { "tgp_v1_" + random(43, from: Self.urlSafe) }
    public mutating func fireworksKey() -> String { "fw_" + random(24, from: Self.alnum) }
    /// A Cohere key: 40 alphanumerics, no prefix (the rule needs a `cohere` keyword nearby).
    public mutating func cohereKey() -> String { random(40, from: Self.alnum) }
    public mutating func elevenLabsKey() -> String { "sk_" + random(48, from: Self.hexLower) }
    public mutating func pineconeKey() -> String { "pcsk_" + random(6, from: Self.alnum) + "_" + random(63, from: Self.alnum) }
    public mutating func sendGridKey() -> String { "SG." + random(22, from: Self.urlSafe) + "." + random(43, from: Self.urlSafe) }
    /// A Stripe key: `prefix` is `sk_live`, `sk_test`, `rk_live`, `rk_test`; 99 alphanumerics follow.
    public mutating func stripeKey(prefix: String = "sk_live") -> String { prefix + "_" + random(99, from: Self.alnum) }
    public mutating func stripeWebhookSecret() -> String { "whsec_" + random(32, from: Self.alnum) }
    /// A Datadog API key (32 hex; the rule needs a `datadog`/`DD_…` keyword nearby).
    public mutating func datadogAPIKey() -> String { random(32, from: Self.hexLower) }
    /// A Datadog application key (40 hex).
    public mutating func datadogApplicationKey() -> String { random(40, from: Self.hexLower) }
}
