import Foundation

/// Table rows of a LiteLLM export, whether a database dump (CSV from `\copy … TO … CSV HEADER`, a JSON array from
/// `json_agg`, JSON Lines) or an API response wrapping the rows (`{"data":[…]}`, `{"keys":[…]}`).
enum LiteLLMRows {
    /// The first row's fields, for detection: JSON object keys or CSV header names.
    static func firstFields(_ content: ExportContent, wrappers: [String]) -> Set<String>? {
        switch content {
        case .csv(let header, _): return Set(header)
        case .json(let json):
            guard let array = array(json, wrappers: wrappers), let first = array.first(where: { $0 is [String: Any] }) as? [String: Any] else {
                return nil
            }
            return Set(first.keys)
        }
    }

    /// The row array of a JSON export: the array itself, or the array under one of `wrappers`.
    static func array(_ json: Any, wrappers: [String]) -> [Any]? {
        if let array = json as? [Any] { return array }
        if let object = json as? [String: Any] {
            for key in wrappers { if let array = object[key] as? [Any] { return array } }
        }
        return nil
    }

    static func rows(_ content: ExportContent, wrappers: [String]) throws -> [CloudExport.Row] {
        switch content {
        case .csv(let header, let rows): return try CloudExport.table(header, rows)
        case .json(let json):
            if let array = json as? [Any] { return try CloudExport.objects(array, at: "") }
            if let object = json as? [String: Any] {
                for key in wrappers { if let array = object[key] as? [Any] { return try CloudExport.objects(array, at: key) } }
            }
            throw ExportError("expected an array of rows")
        }
    }
}
