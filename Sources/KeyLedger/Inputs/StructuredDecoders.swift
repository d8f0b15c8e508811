import Foundation
import Yams

/// Text hidden from a plain scan inside structured config files, decoded so the rules can see it.
struct DerivedContent {
    var text: String
    /// Line in the original file the decoded text belongs to.
    var line: Int?
    /// How the text was reached (`base64 in Kubernetes Secret api-keys data.OPENAI_API_KEY`).
    var note: String
}

enum StructuredDecoders {
    /// Decoded views of `bytes` for the formats that hide values: Kubernetes Secrets (base64 `data:`),
    /// Docker `config.json` (`auths.*.auth`), Jupyter notebooks (JSON-escaped cell sources).
    static func derivedContent(path: String, bytes: UnsafeRawBufferPointer) -> [DerivedContent] {
        let lowerPath = path.lowercased()
        let name = (lowerPath as NSString).lastPathComponent
        guard bytes.count < 8 << 20 else { return [] }
        let isYAML = lowerPath.hasSuffix(".yaml") || lowerPath.hasSuffix(".yml")
        let isJSON = lowerPath.hasSuffix(".json")
        let isNotebook = name.hasSuffix(".ipynb")
        guard isYAML || isJSON || isNotebook else { return [] }
        // Byte-level checks first: only documents that declare a Secret or Docker auths are decoded, so large
        // YAML/JSON files (test cassettes, lock files) cost a memmem, not a parse.
        let secret = (isYAML || isJSON) && (contains(bytes, "kind: Secret") || contains(bytes, "\"kind\": \"Secret\"")
                                            || contains(bytes, "\"kind\":\"Secret\""))
        let docker = isJSON && contains(bytes, "\"auths\"")
        let notebookEscapes = isNotebook && (contains(bytes, "\\\"") || contains(bytes, "\\\\"))
        guard secret || docker || notebookEscapes else { return [] }
        let text = String(decoding: bytes, as: UTF8.self)
        var out: [DerivedContent] = []
        if secret { out += kubernetesSecrets(text) }
        if docker { out += dockerAuths(text) }
        if notebookEscapes { out += notebookSources(text) }
        return out
    }

    /// Whether `needle` occurs in `bytes` (memchr + memcmp: no String conversion of large buffers).
    static func contains(_ bytes: UnsafeRawBufferPointer, _ needle: String) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let n = Array(needle.utf8)
        guard let first = n.first, n.count <= bytes.count else { return false }
        var offset = 0
        let last = bytes.count - n.count
        while offset <= last {
            guard let hit = memchr(base + offset, Int32(first), last - offset + 1) else { return false }
            let position = base.distance(to: UnsafeRawPointer(hit))
            if n.withUnsafeBytes({ memcmp(base + position, $0.baseAddress!, n.count) }) == 0 { return true }
            offset = position + 1
        }
        return false
    }

    static func kubernetesSecrets(_ text: String) -> [DerivedContent] {
        guard let documents = try? Yams.load_all(yaml: text) else { return [] }
        var out: [DerivedContent] = []
        for case let document as [String: Any] in documents {
            var secrets: [[String: Any]] = []
            if (document["kind"] as? String) == "Secret" { secrets.append(document) }
            // A `kind: List` wraps items.
            if let items = document["items"] as? [[String: Any]] { secrets += items.filter { ($0["kind"] as? String) == "Secret" } }
            for secret in secrets {
                let name = (secret["metadata"] as? [String: Any])?["name"] as? String ?? "unnamed"
                guard let data = secret["data"] as? [String: Any] else { continue }
                for (key, value) in data.sorted(by: { $0.key < $1.key }) {
                    guard let encoded = value as? String, let decoded = CredentialDecoders.base64Decode(encoded) else { continue }
                    out.append(DerivedContent(text: "\(key)=\(decoded)\n", line: line(of: key + ":", in: text),
                                              note: "base64 in Kubernetes Secret \(name) data.\(key)"))
                }
            }
        }
        return out
    }

    static func dockerAuths(_ text: String) -> [DerivedContent] {
        guard let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let auths = json["auths"] as? [String: Any] else { return [] }
        var out: [DerivedContent] = []
        for (registry, value) in auths.sorted(by: { $0.key < $1.key }) {
            guard let entry = value as? [String: Any], let auth = entry["auth"] as? String,
                  let decoded = CredentialDecoders.base64Decode(auth), let colon = decoded.firstIndex(of: ":") else { continue }
            let password = decoded[decoded.index(after: colon)...]
            out.append(DerivedContent(text: "password=\(password)\n", line: line(of: "\"\(registry)\"", in: text),
                                      note: "base64 in Docker config auths[\(registry)]"))
        }
        return out
    }

    static func notebookSources(_ text: String) -> [DerivedContent] {
        guard let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let cells = json["cells"] as? [[String: Any]] else { return [] }
        var out: [DerivedContent] = []
        for (i, cell) in cells.enumerated() {
            var source = ""
            if let lines = cell["source"] as? [String] { source = lines.joined() } else if let s = cell["source"] as? String { source = s }
            // Only cells whose unescaped text differs need a second look.
            guard source.contains("\\") || source.contains("\"") else { continue }
            let firstLine = source.split(separator: "\n").first.map(String.init) ?? ""
            out.append(DerivedContent(text: source, line: firstLine.isEmpty ? nil : line(of: jsonEscaped(firstLine), in: text),
                                      note: "notebook cell \(i + 1)"))
        }
        return out
    }

    private static func jsonEscaped(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    /// 1-based line of the first occurrence of `needle` in `text`.
    static func line(of needle: String, in text: String) -> Int? {
        guard let r = text.range(of: needle) else { return nil }
        return text[..<r.lowerBound].reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
    }
}
