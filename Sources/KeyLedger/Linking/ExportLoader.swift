import Foundation

/// Reads provider exports from files and folders, detecting each file's format from its content.
public enum ExportLoader {
    /// Every known format, tried in order.
    static var importers: [any ExportImporter.Type] { aiProviderImporters + cloudImporters }

    /// Loads every file under `paths`. Unreadable, malformed and unknown files are reported with their path and
    /// reason, counted in `problems`, and skipped; the rest still load.
    public static func load(paths: [String], maxFileSize: Int = 256 << 20) -> ExportBundle {
        var bundle = ExportBundle()
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                bundle.problems.append(Problem(path: path, reason: "export: no such file or directory"))
                continue
            }
            if isDirectory.boolValue {
                let walker = DirectoryInput(root: path, repositoryName: nil)
                var tally = ScanTally()
                for file in walker.enumerate(tally: &tally) where !file.hasPrefix(".") && !file.contains("/.") {
                    bundle.merge(loadFile(path + "/" + file, maxFileSize: maxFileSize))
                }
                bundle.problems += tally.problems.map { Problem(path: path + "/" + $0.path, reason: "export: " + $0.reason) }
            } else {
                bundle.merge(loadFile(path, maxFileSize: maxFileSize))
            }
        }
        return bundle
    }

    /// Loads one file.
    public static func loadFile(_ path: String, maxFileSize: Int = 256 << 20) -> ExportBundle {
        var bundle = ExportBundle()
        func problem(_ reason: String) -> ExportBundle {
            bundle.problems.append(Problem(path: path, reason: reason))
            return bundle
        }
        let data: Data
        switch FileReader.read(path, limit: maxFileSize) {
        case .failure(let f): return problem("\(f.reason): \(f.detail)")
        case .success(let d): data = d
        }
        return load(data: data, path: path)
    }

    /// Reads one export's bytes (`path` names it in problems): the format is detected from the content.
    public static func load(data: Data, path: String) -> ExportBundle {
        var bundle = ExportBundle()
        func problem(_ reason: String) -> ExportBundle {
            bundle.problems.append(Problem(path: path, reason: reason))
            return bundle
        }
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return problem("empty file") }
        guard let content = parse(data) else {
            let first = data.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
            if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
                return problem("not valid JSON (truncated or malformed)")
            }
            return problem("neither JSON nor CSV (is this a provider export?)")
        }
        guard let importer = importers.first(where: { $0.recognises(content) }) else {
            let looked = importers.map { "\($0.format) (\($0.signature))" }.joined(separator: "; ")
            return problem("not a recognised export (looked for \(looked))")
        }
        do {
            var read = try importer.read(content, source: path)
            read.formats[importer.format, default: 0] += 1
            return read
        } catch let error as ExportError {
            return problem("\(importer.format): \(error.message)")
        } catch {
            return problem("\(importer.format): \(error)")
        }
    }

    /// JSON when it parses as JSON (objects, arrays, or JSON Lines); CSV when it has a header and consistent rows.
    static func parse(_ data: Data) -> ExportContent? {
        let trimmed = data.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF }
        if let first = trimmed.first, first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            if let json = try? JSONSerialization.jsonObject(with: Data(trimmed), options: [.fragmentsAllowed]) { return .json(json) }
            // JSON Lines: one object per line.
            let lines = String(decoding: trimmed, as: UTF8.self).split(whereSeparator: \.isNewline)
            var objects: [Any] = []
            for line in lines where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) else { return nil }
                objects.append(o)
            }
            return objects.isEmpty ? nil : .json(objects)
        }
        guard let text = String(data: Data(trimmed), encoding: .utf8) else { return nil }
        let rows = CSVParser.parse(text)
        guard let header = rows.first, header.count >= 2 else { return nil }
        return .csv(header: header.map { $0.trimmingCharacters(in: .whitespaces) }, rows: Array(rows.dropFirst()))
    }
}

/// RFC 4180 CSV: quoted fields, doubled quotes, embedded commas and newlines.
enum CSVParser {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let n = iterator.next() {
                        if n == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = n }
                    } else { inQuotes = false }
                } else {
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"": inQuotes = true
            case ",": row.append(field); field = ""
            case "\r": continue
            case "\n":
                row.append(field); field = ""
                if !(row.count == 1 && row[0].isEmpty) { rows.append(row) }
                row = []
            default: field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}

/// Lenient readers for values exports write in more than one way.
public enum ExportValue {
    /// A date from Unix seconds (number or numeric string), `YYYY-MM-DD`, or an ISO 8601 timestamp
    /// with or without fractional seconds; nil for null, empty, `N/A`, `no_information` and the like.
    public static func date(_ value: Any?) -> Date? {
        // Only 1970–9999: anything else is a corrupt value, and day arithmetic on it would overflow.
        guard let d = unboundedDate(value), d.timeIntervalSince1970 >= 0, d.timeIntervalSince1970 < 253_402_300_800 else { return nil }
        return d
    }

    private static func unboundedDate(_ value: Any?) -> Date? {
        switch value {
        case let n as NSNumber:
            let v = n.doubleValue
            return v > 0 ? Date(timeIntervalSince1970: v > 1e12 ? v / 1000 : v) : nil
        case let s as String:
            let t = s.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || ["n/a", "no_information", "not_supported", "null", "none", "-"].contains(t.lowercased()) { return nil }
            if let v = Double(t), v > 1e8 { return Date(timeIntervalSince1970: v > 1e12 ? v / 1000 : v) }
            if let d = ISODate.parse(String(t.prefix(10))), t.count == 10 { return d }
            // Dates are written YYYY-…: a five-digit year or other shapes are not dates (Foundation's parser is lenient).
            guard let dash = t.firstIndex(of: "-"), t.distance(from: t.startIndex, to: dash) == 4 else { return nil }
            // Fast path for the common RFC 3339 forms; formatters are slow to build per row.
            if let d = CloudExport.timestamp(t) { return d }
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let d = f.date(from: t) { return d }
            f.formatOptions = [.withInternetDateTime]
            if let d = f.date(from: t) { return d }
            // "2026-11-01 00:00:00" and "2026-11-01T00:00:00" without a zone: UTC.
            let normalised = t.replacingOccurrences(of: " ", with: "T")
            let c = Array(normalised.utf8)
            if c.count >= 19, c[4] == UInt8(ascii: "-"), c[7] == UInt8(ascii: "-"), c[10] == UInt8(ascii: "T"),
               let d = f.date(from: String(normalised.prefix(19)) + "Z") { return d }
            return nil
        default:
            return nil
        }
    }

    /// A number from a JSON number or a numeric string; nil otherwise.
    public static func number(_ value: Any?) -> Double? {
        switch value {
        case let n as NSNumber: return n.doubleValue
        case let s as String: return Double(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    /// An integer count (tokens, requests); nil when absent or not numeric.
    public static func int(_ value: Any?) -> Int? {
        guard let v = number(value), v.isFinite, abs(v) < 9e15 else { return nil }
        return Int(v.rounded())
    }

    /// A non-empty string.
    public static func string(_ value: Any?) -> String? {
        guard let s = value as? String, !s.isEmpty else { return nil }
        return s
    }
}
