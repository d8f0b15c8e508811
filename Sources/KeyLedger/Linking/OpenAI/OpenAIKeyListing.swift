import Foundation

/// What the OpenAI key listings (project keys, admin keys) share: the `{"object":"list","data":[…]}` envelope
/// (or a bare array / JSON Lines of keys, or one key), the `redacted_value` hint and the `owner` object.
enum OpenAIKeyListing {
    /// Whether some of the first entries carry `"object": discriminator`.
    static func recognises(_ content: ExportContent, object discriminator: String) -> Bool {
        guard case .json(let root) = content else { return false }
        return AIExportEntries.sample(root, isEntry: { isEntry($0, discriminator) })
            .contains { $0["object"] as? String == discriminator }
    }

    /// A key object (as opposed to a list page holding `data`).
    static func isEntry(_ object: [String: Any], _ discriminator: String) -> Bool {
        object["object"] as? String == discriminator || (object["data"] == nil && object["redacted_value"] != nil)
    }

    /// Reads every key entry; `make` turns one entry (with the page it came from) into a key.
    static func read(_ content: ExportContent, object discriminator: String, source: String,
                     make: (AIExportNode, AIExportNode) throws -> ProviderKey) throws -> ExportBundle {
        guard case .json(let root) = content else { throw ExportError("expected JSON") }
        var bundle = ExportBundle()
        for (entry, page) in AIExportEntries.entries(root, isEntry: { isEntry($0, discriminator) }) {
            guard entry.object != nil else { throw entry.error("expected a key object, got \(AIExportNode.describe(entry.value))") }
            if let kind = entry["object"].value as? String, kind != discriminator {
                throw entry.error("expected \"object\": \"\(discriminator)\", got \(kind.hasPrefix("organization.") ? "\"\(kind)\"" : AIExportNode.describe(kind))")
            }
            bundle.keys.append(try make(entry, page))
        }
        return bundle
    }

    /// The identity a key acts as and a contact for its owner, from an `owner` object in either layout:
    /// nested (`{"type":"user","user":{…}}`, project keys) or flat (`{"type":"user","id",…}`, admin keys).
    /// Users: principal = e-mail (else user id), owner = e-mail (else name). Service accounts:
    /// principal = `service_account:<id>`, owner = the account's name.
    static func owner(_ node: AIExportNode) -> (principal: String?, owner: String?) {
        guard node.object != nil else { return (nil, nil) }
        let type = node["type"].optionalString ?? (node.has("service_account") ? "service_account" : "user")
        let who = node[type].object != nil ? node[type] : node
        if type == "service_account" {
            let id = who["id"].optionalString
            return (id.map { "service_account:\($0)" }, who["name"].optionalString ?? id.map { "service_account:\($0)" })
        }
        let email = who["email"].optionalString
        return (email ?? who["id"].optionalString, email ?? who["name"].optionalString)
    }

    /// `scopes` when the entry lists them (strings only).
    static func scopes(_ entry: AIExportNode) -> [String] {
        (entry["scopes"].array ?? []).compactMap { $0 as? String }
    }
}
