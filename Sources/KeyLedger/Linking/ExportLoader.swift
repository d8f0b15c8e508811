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
        // CloudTrail logs are streamed record by record (a trail can outgrow memory), gzip exports decompressed.
        if let streamed = CloudTrailImporter.loadStreaming(path: path, maxFileSize: maxFileSize) { return streamed }
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
        return load(data: data, path: path, maxFileSize: maxFileSize)
    }

    /// Reads one export's bytes (`path` names it in problems): the format is detected from the content; a gzip stream
    /// (CUR 2.0's `.csv.gz` delivery) is inflated first.
    ///
    /// A gzip stream cut short (an interrupted download or copy) is read up to its last complete line: those rows count,
    /// and one problem names the file, how many lines were read and that the rest was lost. When nothing before the cut
    /// is usable the file is the one problem, as any unreadable export.
    public static func load(data raw: Data, path: String, maxFileSize: Int = 256 << 20) -> ExportBundle {
        guard CompressedExport.isGzip(raw) else { return loadPlain(data: raw, path: path, maxFileSize: maxFileSize) }
        let inflated = CompressedExport.inflate(raw, limit: maxFileSize)
        guard let failure = inflated.failure else { return loadPlain(data: inflated.data, path: path, maxFileSize: maxFileSize) }
        var bundle = ExportBundle()
        bundle.problems.append(Problem(path: path, reason: failure.message))
        guard inflated.truncated, let lastNewline = inflated.data.lastIndex(of: 0x0A) else { return bundle }
        let kept = inflated.data[...lastNewline]
        var read = loadPlain(data: Data(kept), path: path, maxFileSize: maxFileSize)
        let usable = !read.usage.isEmpty || !read.keys.isEmpty || !read.grants.isEmpty || !read.activities.isEmpty || !read.keyActivity.isEmpty
        guard usable else { return bundle }
        let lines = kept.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        read.problems.append(Problem(path: path, reason: failure.message + "; its first \(lines) complete lines were read, the rest of the file is lost"))
        return read
    }

    /// Reads one export's uncompressed bytes.
    static func loadPlain(data: Data, path: String, maxFileSize: Int) -> ExportBundle {
        var bundle = ExportBundle()
        func problem(_ reason: String) -> ExportBundle {
            bundle.problems.append(Problem(path: path, reason: reason))
            return bundle
        }
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return problem("empty file") }
        if data.count >= JSONChunks.threshold, let sliced = loadSliced(data, path: path) { return sliced }
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
            for i in read.usage.indices { read.usage[i].format = importer.format }
            read.formats[importer.format, default: 0] += 1
            reportSkippedRows(&read, format: importer.format, path: path)
            return read
        } catch let error as ExportError {
            return problem("\(importer.format): \(error.message)")
        } catch {
            return problem("\(importer.format): \(error)")
        }
    }

    /// A large JSON export read a slice of its bulk array at a time (`JSONChunks`); nil when it has no such shape.
    static func loadSliced(_ data: Data, path: String, sliceBytes: Int = JSONChunks.sliceBytes) -> ExportBundle? {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> ExportBundle? in
            guard let plan = JSONChunks.plan(raw) else { return nil }
            var bundle = ExportBundle()
            func problem(_ reason: String) -> ExportBundle {
                var failed = ExportBundle()
                failed.problems.append(Problem(path: path, reason: reason))
                return failed
            }
            var importer: (any ExportImporter.Type)?
            var done = 0
            for slice in JSONChunks.slices(of: plan, in: raw, sliceBytes: sliceBytes) {
                guard let json = try? JSONSerialization.jsonObject(with: JSONChunks.document(plan, elements: slice, in: raw),
                                                                   options: [.fragmentsAllowed]) else {
                    return problem("not valid JSON (truncated or malformed)")
                }
                let content = ExportContent.json(json)
                if importer == nil { importer = importers.first { $0.recognises(content) } }
                guard let importer else {
                    let looked = importers.map { "\($0.format) (\($0.signature))" }.joined(separator: "; ")
                    return problem("not a recognised export (looked for \(looked))")
                }
                do {
                    var read = try importer.read(content, source: path)
                    // Places in a slice count from its first element: say which elements of the file they are.
                    read.skippedRows = read.skippedRows.map { "in elements \(done + 1)–\(done + slice.count) of the file's array: " + $0 }
                    bundle.merge(read)
                } catch {
                    let message = (error as? ExportError)?.message ?? "\(error)"
                    return problem("\(importer.format): in elements \(done + 1)–\(done + slice.count) of the file's array: \(message)")
                }
                done += slice.count
            }
            if let importer {
                bundle.formats[importer.format, default: 0] += 1
                for i in bundle.usage.indices { bundle.usage[i].format = importer.format }
                reportSkippedRows(&bundle, format: importer.format, path: path)
            }
            return bundle
        }
    }

    /// Turns the rows an importer skipped (`ExportBundle.skippedRows`) into problems naming the file, and says so when
    /// the file yielded nothing usable.
    static func reportSkippedRows(_ bundle: inout ExportBundle, format: String, path: String) {
        let usable = !bundle.usage.isEmpty || !bundle.keys.isEmpty || !bundle.grants.isEmpty || !bundle.activities.isEmpty
        bundle.problems += ExportLimits.problems(skipped: bundle.skippedRows, format: format, path: path, usable: usable)
        bundle.skippedRows = []
    }

    /// JSON when it parses as JSON (objects, arrays, or JSON Lines); CSV when it has a header and consistent rows.
    ///
    /// Memory: the file's bytes are parsed where they are — no copy of the whole file as `Data` or as a `String` (a
    /// 230 MB spend log was held three times over) — and CSV cells become strings one at a time.
    static func parse(_ data: Data) -> ExportContent? {
        let start = data.firstIndex { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF) }
        guard let start else { return nil }
        let first = data[start]
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            // Only a leading blank or byte-order mark costs a copy.
            let trimmed = start == data.startIndex ? data : Data(data[start...])
            if let json = try? JSONSerialization.jsonObject(with: trimmed, options: [.fragmentsAllowed]) { return .json(json) }
            // JSON Lines: one object per line.
            let lines = String(decoding: trimmed, as: UTF8.self).split(whereSeparator: \.isNewline)
            var objects: [Any] = []
            for line in lines where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) else { return nil }
                objects.append(o)
            }
            return objects.isEmpty ? nil : .json(objects)
        }
        guard let rows = data.withUnsafeBytes({ raw in CSVParser.parse(UnsafeRawBufferPointer(rebasing: raw[(start - data.startIndex)...])) }),
              let header = rows.first, header.count >= 2 else { return nil }
        return .csv(header: header.map { $0.trimmingCharacters(in: .whitespaces) }, rows: Array(rows.dropFirst()))
    }
}

/// RFC 4180 CSV: quoted fields, doubled quotes, embedded commas and newlines.
enum CSVParser {
    static func parse(_ text: String) -> [[String]] {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { parse(UnsafeRawBufferPointer($0)) } ?? []
    }

    /// Parses UTF-8 bytes in one pass; nil when they are not valid UTF-8 (the file is then not CSV). A quote opens a
    /// quoted stretch anywhere in a cell, a doubled quote inside one is a quote, `\r` outside quotes is dropped, and
    /// lines holding nothing are skipped.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> [[String]]? {
        guard isValidUTF8(bytes) else { return nil }
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var rows: [[String]] = []
        var row: [String] = []
        var field: [UInt8] = []
        field.reserveCapacity(256)
        var inQuotes = false
        func cell() -> String {
            defer { field.removeAll(keepingCapacity: true) }
            return String(decoding: field, as: UTF8.self)
        }
        var i = 0
        let n = bytes.count
        while i < n {
            let c = bytes[i]
            i += 1
            if inQuotes {
                if c == quote {
                    if i < n, bytes[i] == quote { field.append(quote); i += 1 } else { inQuotes = false }
                } else {
                    field.append(c)
                }
                continue
            }
            switch c {
            case quote: inQuotes = true
            case comma: row.append(cell())
            case cr: continue
            case lf:
                row.append(cell())
                if !(row.count == 1 && row[0].isEmpty) { rows.append(row) }
                row = []
            default: field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(cell()); rows.append(row) }
        return rows
    }

    /// Whether the whole buffer is valid UTF-8, checked in place (the whole file, as `String(data:encoding:)` did, so
    /// cells cut apart by delimiters never pass where the file would not).
    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = Unicode.UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
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
