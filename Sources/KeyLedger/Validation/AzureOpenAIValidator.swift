import Foundation

/// Azure OpenAI: `GET {endpoint}/openai/models?api-version=2024-10-21` with the `api-key` header (Azure OpenAI REST
/// reference, "Models - List"; the GA data-plane version). An Azure key works only at its own resource, so the host is
/// the resource's: `https://<resource>.openai.azure.com` (AI Services keys: `<resource>.cognitiveservices.azure.com`),
/// built from the endpoint the scan found next to the key (`identity.name`, the rule's `identity.name` capture). No
/// endpoint nearby: not checked. `endpoints: azure_openai:` (a gateway, APIM, a sovereign cloud) replaces that host.
public struct AzureOpenAIValidator: Validator {
    public let provider = "azure"
    public let endpoint = "azure_openai"
    /// No one official host: each resource has its own (`base(for:configured:)`).
    public let officialBase: URL? = nil
    public static let apiVersion = "2024-10-21"
    public init() {}

    public func accepts(kind: String) -> Bool { kind == "openai-key" || kind == "ai-services-key" }

    /// The configured base, else the resource's own host from the endpoint found next to the key.
    public func base(for subject: ValidationSubject, configured: URL?) -> URL? {
        if let configured { return configured }
        guard let resource = subject.identity.name?.lowercased(), Self.isResourceName(resource) else { return nil }
        let suffix = subject.kind == "ai-services-key" ? "cognitiveservices.azure.com" : "openai.azure.com"
        guard let url = URL(string: "https://\(resource).\(suffix)"), let host = url.host, Self.isAzureHost(host) else { return nil }
        return url
    }

    /// A resource (custom subdomain) name: 2–63 of `[a-z0-9-]`, starting with a letter or digit. Nothing else can
    /// reach the host name.
    static func isResourceName(_ name: String) -> Bool {
        (2...63).contains(name.count) && name.first.map { $0 != "-" } == true
            && name.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// One label below `openai.azure.com` or `cognitiveservices.azure.com`.
    static func isAzureHost(_ host: String) -> Bool {
        for suffix in [".openai.azure.com", ".cognitiveservices.azure.com"] where host.hasSuffix(suffix) {
            return isResourceName(String(host.dropLast(suffix.count)))
        }
        return false
    }

    public func call(for subject: ValidationSubject, base: URL, at date: Date) -> ValidationCall? {
        ValidationCall(path: "/openai/models?api-version=\(Self.apiVersion)", headers: ["api-key": subject.secret.value])
    }

    /// The documented answer: `{"data": [{"id": "…", "status": "succeeded", "capabilities": {…}, …}], "object": "list"}`.
    public func active(_ answer: HTTPAnswer) -> ValidationOutcome {
        let models = (answer.json?["data"] as? [Any])?.count
        var detail = "HTTP \(answer.status): GET /openai/models succeeded"
        if let models { detail += " (\(models) models)" }
        return ValidationOutcome(status: .active, detail: detail)
    }
}
