import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// AWS: `sts:GetCallerIdentity`, signed with SigV4 (the secret access key never goes on the wire, only a signature
/// made with it). Needs the `AKIA…` access key id the scan found next to the secret (`identity.keyId`); without one,
/// or for temporary (`ASIA…`) keys, whose session token the scan does not keep, the key is not checked.
/// GetCallerIdentity needs no permission (an explicit deny does not stop it), so any working key answers with its ARN.
///
/// The official endpoint is the global `https://sts.amazonaws.com` (signed for us-east-1); `endpoints: aws_sts:` may
/// name a regional or sovereign one (`https://sts.eu-west-1.amazonaws.com`, `…amazonaws.com.cn`), whose region is read
/// from the host, or a local emulator.
public struct AWSValidator: Validator {
    public let provider = "aws"
    public let endpoint = "aws_sts"
    public let officialBase: URL? = URL(string: "https://sts.amazonaws.com")!
    public static let body = "Action=GetCallerIdentity&Version=2011-06-15"
    public init() {}

    /// Long-term access keys; session keys are taken so the register says why they were not checked.
    public func accepts(kind: String) -> Bool { kind == "access-key" || kind == "session-key" }

    public func call(for subject: ValidationSubject, base: URL, at date: Date) -> ValidationCall? {
        guard subject.kind == "access-key", let keyId = subject.identity.keyId, Self.isLongTermKeyId(keyId),
              let host = AWSSigV4.hostHeader(base) else { return nil }
        let path = base.path.isEmpty ? "/" : (base.path.hasSuffix("/") ? base.path : base.path + "/")
        let signer = AWSSigV4(accessKeyId: keyId, secretAccessKey: subject.secret, region: Self.region(forHost: host), service: "sts")
        let headers = signer.sign(method: "POST", host: host, path: path,
                                  headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"],
                                  body: Array(Self.body.utf8), at: date)
        return ValidationCall(method: "POST", path: "/", headers: headers, body: Data(Self.body.utf8))
    }

    /// `AKIA` + 16 base-32 characters: a long-term IAM user key id.
    static func isLongTermKeyId(_ id: String) -> Bool {
        id.count == 20 && id.hasPrefix("AKIA") && id.dropFirst(4).allSatisfy { ("A"..."Z").contains($0) || ("2"..."7").contains($0) }
    }

    /// The signing region of an STS host: `sts.<region>.amazonaws.com` (also `sts-fips.…`, `….amazonaws.com.cn` and VPC
    /// endpoints `….sts.<region>.vpce.amazonaws.com`); anything else (the global endpoint, a gateway, an emulator) is
    /// signed for us-east-1.
    public static func region(forHost host: String) -> String {
        let labels = host.lowercased().split(separator: ":").first.map { $0.split(separator: ".").map(String.init) } ?? []
        for (i, label) in labels.enumerated() where (label == "sts" || label == "sts-fips") && i + 1 < labels.count {
            if isRegion(labels[i + 1]) { return labels[i + 1] }
        }
        return "us-east-1"
    }

    /// `eu-west-1`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-5`.
    static func isRegion(_ s: String) -> Bool {
        let parts = s.split(separator: "-")
        guard parts.count >= 3, let last = parts.last, last.allSatisfy(\.isNumber), parts[0].count == 2 else { return false }
        return parts.dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy { ("a"..."z").contains($0) } }
    }

    /// The documented answer (STS API reference, GetCallerIdentity, "Example"):
    /// `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>…</Arn><UserId>…</UserId><Account>…</Account>…`.
    public func active(_ answer: HTTPAnswer) -> ValidationOutcome {
        let text = String(decoding: answer.body, as: UTF8.self)
        let arn = ValidationStage.plain(Self.element("Arn", in: text), limit: 256)
        let account = ValidationStage.plain(Self.element("Account", in: text), limit: 32)
        guard let arn else {
            return ValidationOutcome(status: .error, detail: "HTTP \(answer.status): GetCallerIdentity answer without an Arn")
        }
        var detail = "HTTP \(answer.status): sts:GetCallerIdentity succeeded as \(arn)"
        if let account { detail += "; account \(account)" }
        // The account root user's keys can do everything, and no policy limits them.
        let privilege = arn.hasSuffix(":root") ? Privilege(level: .admin, scopes: ["root user"]) : nil
        return ValidationOutcome(status: .active, detail: detail, principal: arn, account: account, privilege: privilege)
    }

    /// STS's error code (`InvalidClientTokenId`: no such key, or deleted; `SignatureDoesNotMatch`: the secret is not the
    /// key id's), from `<ErrorResponse><Error><Code>…`.
    public func errorCode(_ answer: HTTPAnswer) -> String? {
        guard let code = Self.element("Code", in: String(decoding: answer.body, as: UTF8.self)),
              !code.isEmpty, code.count <= 64, code.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" }) else { return nil }
        return code
    }

    /// The text of the first `<name>` element (entities decoded, whitespace trimmed), read with Foundation's XML parser
    /// (libxml2); nil when there is none or the answer is not XML. A DTD or external entity is never loaded.
    static func element(_ name: String, in xml: String) -> String? {
        let reader = FirstElementText(name: name)
        let parser = XMLParser(data: Data(xml.utf8))
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        _ = parser.parse()
        return reader.text?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Collects the character data of the first element with one name (STS answers hold no nesting inside those).
private final class FirstElementText: NSObject, XMLParserDelegate {
    let name: String
    private var inside = false
    private var buffer = ""
    private(set) var text: String?

    init(name: String) { self.name = name }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if text == nil, elementName == name { inside = true; buffer = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inside, buffer.utf8.count < 4_096 { buffer += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard inside, elementName == name else { return }
        inside = false
        text = buffer
        parser.abortParsing()
    }
}
