import CMemmem
import Foundation

/// Text hidden from a plain scan inside structured config files, decoded so the rules can see it.
struct DerivedContent {
    var text: String
    /// Line in the original file the decoded text belongs to.
    var line: Int?
    /// How the text was reached (`base64 in Kubernetes Secret api-keys data.OPENAI_API_KEY`).
    var note: String
    /// A value that is a credential by where it sits (a Kubernetes Secret's `data`/`stringData` entry), reported
    /// under this produced rule id when no provider rule recognises it.
    var typedValue: TypedValue?

    struct TypedValue {
        var ruleId: String
        var value: String
        var identity: Identity
    }
}

/// What the structured decoders found in one buffer, and what they could not decode.
struct DecodedContent {
    var derived: [DerivedContent] = []
    /// Why a decoder gave up on the buffer (the plain-text scan of it still ran).
    var failures: [String] = []
}

enum StructuredDecoders {
    /// Decoders that report typed values under a rule of their own (`produced_by:` in a rule file).
    static let producers: Set<String> = ["kubernetes-secret", "ssm-parameters", "vault-kv"]

    /// Decoded views of `bytes` for the formats that hide values: Kubernetes Secrets (base64 `data:`, `stringData:`,
    /// single manifests, multi-document files and `kubectl get secrets -o yaml|json` lists), Docker `config.json`
    /// (`auths.*.auth`), Jupyter notebooks (JSON-escaped cell sources). A document that does not parse (a Helm
    /// template, a truncated file) is a decode failure, never a crash.
    static func derivedContent(path: String, bytes: UnsafeRawBufferPointer) -> DecodedContent {
        let lowerPath = path.lowercased()
        let name = (lowerPath as NSString).lastPathComponent
        guard bytes.count < 8 << 20 else { return DecodedContent() }
        let isYAML = lowerPath.hasSuffix(".yaml") || lowerPath.hasSuffix(".yml")
        let isJSON = lowerPath.hasSuffix(".json")
        let isNotebook = name.hasSuffix(".ipynb")
        guard isYAML || isJSON || isNotebook else { return DecodedContent() }
        // Byte-level checks first: only documents that declare a Secret or Docker auths are decoded, so large
        // YAML/JSON files (test cassettes, lock files) cost a memmem, not a parse.
        // One pass per distinctive word; the exact spellings only when the word is there at all.
        let secret = (isYAML || isJSON) && contains(bytes, "Secret")
            && ["kind: Secret", "\"kind\": \"Secret\"", "\"kind\":\"Secret\"", "kind: \"Secret\"", "kind: 'Secret'"].contains { contains(bytes, $0) }
        let docker = isJSON && contains(bytes, "\"auths\"")
        let notebookEscapes = isNotebook && (contains(bytes, "\\\"") || contains(bytes, "\\\\"))
        // `aws ssm get-parameters-by-path --with-decryption` and `vault kv get -format=json` output.
        let ssm = isJSON && contains(bytes, "\"SecureString\"") && contains(bytes, "\"Parameters\"")
        let vault = isJSON && contains(bytes, "\"lease_duration\"") && contains(bytes, "\"data\"")
        guard secret || docker || notebookEscapes || ssm || vault else { return DecodedContent() }
        var out = DecodedContent()
        if notebookEscapes { notebookSources(bytes, into: &out) }
        guard secret || docker || ssm || vault else { return out }
        let text = String(decoding: bytes, as: UTF8.self)
        // A JSON file is parsed once for every decoder that wants it; a Kubernetes manifest that is not valid JSON is
        // still tried as YAML (JSON is YAML), the JSON-only decoders report the failure.
        var json: Any?
        if isJSON {
            json = try? JSONSerialization.jsonObject(with: Data(text.utf8))
            if json == nil {
                for (wanted, what) in [(docker, "Docker config"), (ssm, "SSM parameters"), (vault, "Vault secret")] where wanted {
                    out.failures.append("\(what) not decoded: not valid JSON")
                }
            }
        }
        if secret { kubernetesSecrets(text, json: json, quotedKeys: isJSON, into: &out) }
        if let json {
            if docker { dockerAuths(json, text: text, into: &out) }
            if ssm { ssmParameters(json, text: text, into: &out) }
            if vault { vaultSecret(json, text: text, into: &out) }
        }
        return out
    }

    /// Whether `needle` occurs in `bytes` (glibc's memmem: linear, no String conversion of large buffers; a
    /// memchr + memcmp loop on `"` went quadratic on JSON cassettes).
    static func contains(_ bytes: UnsafeRawBufferPointer, _ needle: String) -> Bool {
        guard let base = bytes.baseAddress, !needle.isEmpty, needle.utf8.count <= bytes.count else { return false }
        return needle.utf8CString.withUnsafeBufferPointer { n in
            memmem(base, bytes.count, n.baseAddress!, n.count - 1) != nil
        }
    }

    /// The Secrets in `text`: its parsed JSON when it was JSON, else its YAML documents.
    /// `quotedKeys`: a JSON file, whose keys are found on their lines as `"key"`.
    static func kubernetesSecrets(_ text: String, json: Any?, quotedKeys: Bool, into out: inout DecodedContent) {
        var documents: [Any] = []
        if let json {
            documents = [json]
        } else {
            do { documents = try SafeYAML.loadAll(text) } catch {
                out.failures.append("Kubernetes Secret not decoded: \(error)")
                return
            }
        }
        for case let document as [String: Any] in documents {
            var secrets: [[String: Any]] = []
            if (document["kind"] as? String) == "Secret" { secrets.append(document) }
            // `kind: List` (kubectl get secrets -o yaml|json) wraps items.
            if let items = document["items"] as? [Any] {
                secrets += items.compactMap { $0 as? [String: Any] }.filter { ($0["kind"] as? String) == "Secret" }
            }
            for secret in secrets {
                let metadata = secret["metadata"] as? [String: Any]
                let name = metadata?["name"] as? String ?? "unnamed"
                let namespace = metadata?["namespace"] as? String
                let type = secret["type"] as? String
                let qualified = namespace.map { "\($0)/\(name)" } ?? name
                for field in ["data", "stringData"] {
                    guard let data = secret[field] as? [String: Any] else { continue }
                    for (key, value) in data.sorted(by: { $0.key < $1.key }) {
                        let plain: String
                        if field == "data" {
                            guard let encoded = value as? String, let decoded = CredentialDecoders.base64Decode(encoded) else { continue }
                            plain = decoded
                        } else {
                            guard let s = scalarText(value) else { continue }
                            plain = s
                        }
                        let how = field == "data" ? "base64 in" : "in"
                        let identity = Identity(name: "\(qualified) \(field).\(key)", account: namespace,
                                                source: "Kubernetes Secret \(qualified)" + (type.map { " (\($0))" } ?? ""))
                        out.derived.append(DerivedContent(
                            text: "\(key)=\(plain)\n", line: line(of: quotedKeys ? "\"\(key)\"" : key + ":", in: text),
                            note: "\(how) Kubernetes Secret \(qualified) \(field).\(key)",
                            typedValue: .init(ruleId: "kubernetes.secret-value", value: plain, identity: identity)))
                    }
                }
            }
        }
    }

    /// SecureString parameters of an SSM `get-parameters(-by-path) --with-decryption` result: each value is a
    /// credential by where it is kept; the parameter name and the account (from its ARN) identify it.
    static func ssmParameters(_ object: Any, text: String, into out: inout DecodedContent) {
        guard let root = object as? [String: Any], let parameters = root["Parameters"] as? [Any] else { return }
        for case let parameter as [String: Any] in parameters where (parameter["Type"] as? String) == "SecureString" {
            guard let name = parameter["Name"] as? String, let value = parameter["Value"] as? String else { continue }
            let account = (parameter["ARN"] as? String)?.split(separator: ":").dropFirst(4).first.map(String.init)
            let identity = Identity(name: name, account: account, source: "AWS SSM SecureString parameter")
            out.derived.append(DerivedContent(text: "\((name as NSString).lastPathComponent)=\(value)\n",
                                              line: line(of: "\"\(name)\"", in: text),
                                              note: "SSM SecureString parameter \(name)",
                                              typedValue: .init(ruleId: "aws.ssm-secure-string", value: value, identity: identity)))
        }
    }

    /// The key/value pairs of a `vault kv get -format=json` response (KV v2 nests them in `data.data`).
    static func vaultSecret(_ object: Any, text: String, into out: inout DecodedContent) {
        guard let root = object as? [String: Any], root["lease_duration"] != nil, var data = root["data"] as? [String: Any] else { return }
        var version: String?
        if let inner = data["data"] as? [String: Any], let metadata = data["metadata"] as? [String: Any] {
            data = inner
            version = (metadata["version"] as? Int).map(String.init)
        }
        for (key, value) in data.sorted(by: { $0.key < $1.key }) {
            guard let plain = scalarText(value) else { continue }
            let identity = Identity(name: "\(key)" + (version.map { " (version \($0))" } ?? ""), source: "HashiCorp Vault KV secret")
            out.derived.append(DerivedContent(text: "\(key)=\(plain)\n", line: line(of: "\"\(key)\"", in: text),
                                              note: "Vault KV secret data.\(key)",
                                              typedValue: .init(ruleId: "vault.kv-value", value: plain, identity: identity)))
        }
    }

    private static func scalarText(_ value: Any) -> String? {
        switch value {
        case let s as String: return s
        case let i as Int: return String(i)
        default: return nil
        }
    }

    static func dockerAuths(_ object: Any, text: String, into out: inout DecodedContent) {
        guard let json = object as? [String: Any], let auths = json["auths"] as? [String: Any] else { return }
        for (registry, value) in auths.sorted(by: { $0.key < $1.key }) {
            guard let entry = value as? [String: Any], let auth = entry["auth"] as? String,
                  let decoded = CredentialDecoders.base64Decode(auth), let colon = decoded.firstIndex(of: ":") else { continue }
            let password = decoded[decoded.index(after: colon)...]
            out.derived.append(DerivedContent(text: "password=\(password)\n", line: line(of: "\"\(registry)\"", in: text),
                                              note: "base64 in Docker config auths[\(registry)]"))
        }
    }

    /// Cell sources of a Jupyter notebook, unescaped, in one linear pass over the bytes: each `"source"` key's
    /// string or array of strings is read where it stands (line counted on the way), and the rest of the notebook —
    /// megabytes of base64 images and outputs — is never parsed or copied. Only sources whose unescaped text differs
    /// from the raw bytes (quotes, backslashes) need the second look.
    static func notebookSources(_ bytes: UnsafeRawBufferPointer, into out: inout DecodedContent) {
        guard let base = bytes.baseAddress else { return }
        let count = bytes.count
        let key = Array("\"source\"".utf8)
        var offset = 0
        var line = 1
        var counted = 0
        var cell = 0
        func skipSpace(_ i: inout Int) {
            while i < count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }
        while offset < count, let hit = key.withUnsafeBytes({ memmem(base + offset, count - offset, $0.baseAddress!, key.count) }) {
            let position = base.distance(to: UnsafeRawPointer(hit))
            while counted < position { if bytes[counted] == 0x0A { line += 1 }; counted += 1 }
            var i = position + key.count
            skipSpace(&i)
            guard i < count, bytes[i] == UInt8(ascii: ":") else { offset = position + key.count; continue }
            i += 1
            skipSpace(&i)
            cell += 1
            var pieces: [String] = []
            var escaped = false
            var firstLine: Int?
            func lineHere() -> Int {
                while counted < i { if bytes[counted] == 0x0A { line += 1 }; counted += 1 }
                return line
            }
            if i < count, bytes[i] == UInt8(ascii: "\"") {
                firstLine = lineHere()
                if let (piece, end, hadEscape) = jsonString(bytes, at: i) { pieces.append(piece); escaped = hadEscape; i = end }
            } else if i < count, bytes[i] == UInt8(ascii: "[") {
                i += 1
                while i < count {
                    skipSpace(&i)
                    guard i < count, bytes[i] == UInt8(ascii: "\""), let (piece, end, hadEscape) = jsonString(bytes, at: i) else { break }
                    if firstLine == nil { firstLine = lineHere() }
                    pieces.append(piece)
                    escaped = escaped || hadEscape
                    i = end
                    skipSpace(&i)
                    if i < count, bytes[i] == UInt8(ascii: ",") { i += 1 } else { break }
                }
            }
            offset = max(i, position + key.count)
            guard escaped, !pieces.isEmpty else { continue }
            out.derived.append(DerivedContent(text: pieces.joined(), line: firstLine ?? line, note: "notebook cell \(cell)"))
        }
    }

    /// The JSON string starting at the quote at `start`: its unescaped text, the offset after its closing quote, and
    /// whether it held escapes. Nil when it is not closed.
    static func jsonString(_ bytes: UnsafeRawBufferPointer, at start: Int) -> (String, Int, Bool)? {
        var i = start + 1
        var out: [UInt8] = []
        var escaped = false
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { return (String(decoding: out, as: UTF8.self), i + 1, escaped) }
            if c == UInt8(ascii: "\\"), i + 1 < bytes.count {
                escaped = true
                let e = bytes[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard i + 4 <= bytes.count, let unit = UInt32(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + 4)]), as: UTF8.self), radix: 16) else { return nil }
                    i += 4
                    var scalarValue = unit
                    // A surrogate pair: \uD83D\uDE00.
                    if (0xD800...0xDBFF).contains(unit), i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u"),
                       let low = UInt32(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(i + 2)..<(i + 6)]), as: UTF8.self), radix: 16),
                       (0xDC00...0xDFFF).contains(low) {
                        scalarValue = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                    out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalarValue) ?? "\u{FFFD}")).utf8))
                default: out.append(e)  // \" \\ \/ and anything unknown: the character itself
                }
                continue
            }
            out.append(c)
            i += 1
        }
        return nil
    }

    /// 1-based line of the first occurrence of `needle` in `text`.
    static func line(of needle: String, in text: String) -> Int? {
        guard let r = text.range(of: needle) else { return nil }
        return text[..<r.lowerBound].reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
    }
}
