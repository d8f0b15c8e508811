import Foundation

/// What one usage or cost row of an export may say (issues 10, 11). Beyond these a value is corrupt or hostile, not a
/// bill: `1e308` in a spend log or cost export reached the reports and trapped the HTML page, or failed the JSON encoder
/// with no file named. Such a row — a non-finite or absurd amount, a negative one outside credit and refund rows, a day
/// outside 2000–2099 or outside the billing period the export itself states — is skipped and counted (the reason naming
/// the file, the row or JSON path and the field, never the value); the rest of the file still counts. The errors thrown
/// here carry `ExportError.skipsRow`, which the importers' row loops (`CloudExport.eachRow`) catch.
public enum ExportLimits {
    /// The largest amount one row may carry, in its currency: 1,000,000,000. Rows are per key (or project), day and
    /// model — or per request — so a real row is many orders of magnitude below it, while sums of millions of rows at
    /// the cap stay exact enough and far from overflow anywhere they are converted or rendered.
    public static let maxAmount = 1e9
    /// Usage and cost days are read from 2000-01-01 to 2099-12-31: no AI provider bills earlier, and a bucket dated
    /// 9999 is a corrupt export (it also stretched every daily series and chart to the year 9999).
    public static let firstUsageDay = "2000-01-01"
    public static let lastUsageDay = "2099-12-31"

    static let outOfRange = "amount out of range (not finite, or beyond ±1,000,000,000 per row; value not shown)"

    static func amount(_ value: Double, at place: String, allowNegative: Bool) throws -> Double {
        guard value.isFinite, abs(value) <= maxAmount else { throw rowError(place, outOfRange) }
        if value < 0 && !allowNegative {
            throw rowError(place, "negative amount (only credit, refund and discount rows may be negative; value not shown)")
        }
        return value
    }

    static func usageDay(_ date: Date, at place: String) throws -> String {
        let seconds = date.timeIntervalSince1970
        // 946684800 = 2000-01-01T00:00:00Z, 4102444800 = 2100-01-01T00:00:00Z.
        guard seconds.isFinite, seconds >= 946_684_800, seconds < 4_102_444_800 else {
            throw rowError(place, "date out of range for usage (\(firstUsageDay) to \(lastUsageDay); value not shown)")
        }
        return ISODate.day(date)
    }

    /// Checks that a row's usage date lies in the billing period its export states (`[start, end)`, CUR's
    /// `bill_billing_period_start_date`/`…_end_date`, FOCUS's `BillingPeriodStart`/`BillingPeriodEnd`); `period` names
    /// the two columns. A usage day a month away from its bill is a corrupt row, not usage.
    static func within(_ date: Date, start: Date, end: Date, at place: String, period: String) throws {
        guard date >= start, date < end else {
            throw rowError(place, "date outside the export's billing period (\(period); value not shown)")
        }
    }

    static func rowError(_ place: String, _ message: String) -> ExportError {
        ExportError(place.isEmpty ? message : place + ": " + message, skipsRow: true)
    }

    static let rowSkipped = "; row skipped"
    static let moreRowsSkipped = " more rows skipped for amounts or dates out of bounds"
    static let nothingUsable = ": recognised, but every row was skipped; nothing usable was read"

    /// Whether a problem's reason is about skipped rows of a file that was otherwise read.
    public static func isRowProblem(_ reason: String) -> Bool {
        reason.hasSuffix(rowSkipped) || reason.hasSuffix(moreRowsSkipped)
    }

    /// How many skipped rows a file lists one by one; the rest are counted in one line.
    static let listedRowsPerFile = 10

    /// The problems of one file's skipped rows (`ExportBundle.skippedRows`): each of the first ten with its place, then
    /// one line counting the rest, and a line saying so when the file yielded nothing else (`usable`).
    static func problems(skipped: [String], format: String, path: String, usable: Bool) -> [Problem] {
        guard !skipped.isEmpty else { return [] }
        var out = skipped.prefix(listedRowsPerFile).map { Problem(path: path, reason: "\(format): \($0)\(rowSkipped)") }
        if skipped.count > listedRowsPerFile {
            out.append(Problem(path: path, reason: "\(format): \(skipped.count - listedRowsPerFile)\(moreRowsSkipped)"))
        }
        if !usable {
            out.append(Problem(path: path, reason: format + nothingUsable))
        }
        return out
    }
}

/// Readers shared by the cloud and gateway importers (AWS, GCP, FOCUS, LiteLLM): strict where a field is essential,
/// lenient where real exports vary (numbers as strings, `N/A`, `no_information`, `not_supported`, empty cells).
///
/// Places in error messages: CSV data rows are counted from 1 after the header (`row 14`); JSON positions are
/// paths (`AccessKeyMetadata[2].CreateDate`). Values are echoed only for fields that never hold a secret, and shortened.
enum CloudExport {
    /// Cell values that mean "no value" in the exports read here.
    static let sentinels: Set<String> = ["", "n/a", "na", "no_information", "not_supported", "null", "none", "-", "<null>", "nan"]

    static func isSentinel(_ text: String) -> Bool { sentinels.contains(text.trimmingCharacters(in: .whitespaces).lowercased()) }

    /// `"abc"`, shortened to 40 characters, for "expected X, got Y" messages. A value that could be a credential
    /// (a long unbroken token that is not a date or number, or one with a known key prefix) is named by its length
    /// only, unless `reveal` says the field never holds one (GCP key resource names).
    static func quoted(_ text: String, reveal: Bool = false) -> String {
        if !reveal {
            let plain = text.allSatisfy { "0123456789-+:.TZ /,".contains($0) }
            let prefixed = ["sk-", "AKIA", "ASIA", "ABSK", "AIza", "ghp_", "github_pat_", "xox", "hf_"].contains { text.hasPrefix($0) }
            if prefixed || (!plain && text.count > 24 && !text.contains(" ")) { return "a \(text.count)-character value" }
        }
        let short = text.count > 40 ? String(text.prefix(37)) + "..." : text
        return "\"" + short.replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: " ") + "\""
    }

    /// "a string", "a number", … for "expected X, got Y" messages.
    static func kind(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: return "null"
        case let n as NSNumber: return isBool(n) ? "a boolean" : "a number"
        case is String: return "a string"
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        default: return "an unexpected value"
        }
    }

    static func isBool(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }

    /// `place: message`, or the message alone at the top level.
    static func at(_ place: String, _ message: String) -> ExportError {
        ExportError(place.isEmpty ? message : place + ": " + message)
    }

    /// `place.key`, `place[i]`.
    static func join(_ place: String, _ key: String) -> String { place.isEmpty ? key : place + "." + key }
    static func join(_ place: String, _ index: Int) -> String { place + "[\(index)]" }

    // MARK: Values (JSON values, or CSV cells as strings)

    /// A string, nil when absent, null or a sentinel; numbers are accepted as their text.
    static func text(_ value: Any?) -> String? {
        switch value {
        case let s as String:
            let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
            return isSentinel(t) ? nil : t
        case let n as NSNumber where !isBool(n): return n.stringValue
        default: return nil
        }
    }

    /// A required string field: throws `place: missing "key"` or `place.key: expected a string, got an array`.
    static func requiredText(_ object: [String: Any], _ key: String, at place: String) throws -> String {
        let value = object[key]
        if value == nil || value is NSNull { throw at(place, "missing \"\(key)\"") }
        if value is [Any] || value is [String: Any] || (value as? NSNumber).map(isBool) == true {
            throw at(join(place, key), "expected a string, got \(kind(value))")
        }
        guard let t = text(value) else { throw at(place, "missing \"\(key)\" (empty)") }
        return t
    }

    /// A number from a JSON number or numeric text; nil when absent or a sentinel; throws for anything else.
    static func number(_ value: Any?, at place: String) throws -> Double? {
        switch value {
        case nil, is NSNull: return nil
        case let n as NSNumber where !isBool(n): return n.doubleValue
        case let s as String:
            let t = s.trimmingCharacters(in: .whitespaces)
            if isSentinel(t) { return nil }
            if let v = Double(t), v.isFinite { return v }
            throw at(place, "expected a number, got \(quoted(t))")
        default:
            throw at(place, "expected a number, got \(kind(value))")
        }
    }

    /// A money amount (cost, spend) of one row; nil when absent or a sentinel. Throws — naming the place, never the
    /// value — for a non-finite amount, one beyond `ExportLimits.maxAmount`, or a negative one unless the row is a
    /// credit, refund or discount (`allowNegative`). The importer's error skips the file as an export problem.
    static func money(_ value: Any?, at place: String, allowNegative: Bool = false) throws -> Double? {
        // `NaN`, `inf`: not a bill. (Elsewhere `nan` is an empty cell, but a cost must be read or be absent.)
        if let s = value as? String, let v = Double(s.trimmingCharacters(in: .whitespaces)), !v.isFinite {
            throw ExportLimits.rowError(place, ExportLimits.outOfRange)
        }
        guard let v = try number(value, at: place) else { return nil }
        return try ExportLimits.amount(v, at: place, allowNegative: allowNegative)
    }

    /// The `YYYY-MM-DD` of a usage or cost row's date, which must fall within `ExportLimits` usage days.
    static func usageDay(_ date: Date, at place: String) throws -> String {
        try ExportLimits.usageDay(date, at: place)
    }

    /// A whole count (tokens, requests); see `number`.
    /// A computed count (quantity × unit multiplier) as an Int; throws instead of trapping on absurd values.
    static func count(computed value: Double, at place: String) throws -> Int {
        guard value.isFinite, value >= 0, value < 9e15 else { throw at(place, "expected a count, got \(value)") }
        return Int(value.rounded())
    }

    static func count(_ value: Any?, at place: String) throws -> Int? {
        guard let v = try number(value, at: place) else { return nil }
        guard v >= 0, v < 9e15 else { throw at(place, "expected a count, got \(v)") }
        return Int(v.rounded())
    }

    /// A date (see `ExportValue.date`); nil when absent or a sentinel; throws for text that is not a date.
    static func date(_ value: Any?, at place: String) throws -> Date? {
        switch value {
        case nil, is NSNull: return nil
        case let s as String:
            if isSentinel(s) { return nil }
            if let d = timestamp(s) ?? ExportValue.date(s) { return d }
            throw at(place, "expected a date, got \(quoted(s))")
        case let n as NSNumber where !isBool(n):
            if let d = ExportValue.date(n) { return d }
            throw at(place, "expected a date, got \(n)")
        default:
            throw at(place, "expected a date, got \(kind(value))")
        }
    }

    /// The common timestamp forms, parsed without a formatter (exports have one or more per row):
    /// `YYYY-MM-DD`, then `T` or a space, `hh:mm:ss`, optional fraction, and `Z`, `±hh:mm`, `±hhmm`, `±hh` or no zone
    /// (UTC, as `ExportValue.date`), to the second (fractions are dropped). Nil for anything else, which
    /// `ExportValue.date` then tries.
    static func timestamp(_ text: String) -> Date? {
        let b = Array(text.utf8)
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for i in from..<(from + count) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard b.count >= 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2), (1...12).contains(month) else { return nil }
        let monthDays = [31, (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day >= 1, day <= monthDays[month - 1] else { return nil }
        var seconds = 0, offset = 0
        if b.count > 10 {
            guard b.count >= 19, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
                  let h = digits(11, 2), let m = digits(14, 2), let sec = digits(17, 2), h < 24, m < 60, sec < 61 else { return nil }
            seconds = h * 3600 + m * 60 + sec
            var i = 19
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
            }
            if i < b.count {
                if b[i] == UInt8(ascii: "Z"), i == b.count - 1 {
                } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                    let sign = b[i] == UInt8(ascii: "+") ? 1 : -1
                    guard let oh = digits(i + 1, 2) else { return nil }
                    var om = 0
                    switch b.count - (i + 3) {
                    case 0: break
                    case 2: guard let v = digits(i + 3, 2) else { return nil }; om = v
                    case 3: guard b[i + 3] == UInt8(ascii: ":"), let v = digits(i + 4, 2) else { return nil }; om = v
                    default: return nil
                    }
                    offset = sign * (oh * 3600 + om * 60)
                } else {
                    return nil
                }
            }
        }
        // Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        return Date(timeIntervalSince1970: TimeInterval(days * 86400 + seconds - offset))
    }

    /// `true`/`false` as JSON booleans or text (`true`, `t`, `yes`, `1`, …); nil when absent or a sentinel.
    static func bool(_ value: Any?, at place: String) throws -> Bool? {
        switch value {
        case nil, is NSNull: return nil
        case let n as NSNumber:
            if isBool(n) || n.doubleValue == 0 || n.doubleValue == 1 { return n.boolValue }
            throw at(place, "expected true or false, got \(n)")
        case let s as String:
            let t = s.trimmingCharacters(in: .whitespaces).lowercased()
            if isSentinel(t) { return nil }
            if ["true", "t", "yes", "y", "1"].contains(t) { return true }
            if ["false", "f", "no", "n", "0"].contains(t) { return false }
            throw at(place, "expected true or false, got \(quoted(s))")
        default:
            throw at(place, "expected true or false, got \(kind(value))")
        }
    }

    /// An array of strings from a JSON array or a Postgres array literal (`{gpt-4o,"claude 3"}`) or comma list.
    static func strings(_ value: Any?) -> [String] {
        switch value {
        case let a as [Any]: return a.compactMap { text($0) }
        case let s as String:
            var t = s.trimmingCharacters(in: .whitespaces)
            if isSentinel(t) { return [] }
            if t.hasPrefix("["), let data = t.data(using: .utf8), let a = try? JSONSerialization.jsonObject(with: data) as? [Any] {
                return a.compactMap { text($0) }
            }
            if t.hasPrefix("{") && t.hasSuffix("}") { t = String(t.dropFirst().dropLast()) }
            return t.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"")) }.filter { !$0.isEmpty }
        default: return []
        }
    }

    /// A JSON object from a JSON object or a JSON string (`Tags`, `metadata`); nil when absent, empty or not JSON.
    static func jsonObject(_ value: Any?) -> [String: Any]? {
        if let o = value as? [String: Any] { return o }
        guard let s = value as? String, s.contains("{"), let data = s.data(using: .utf8) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    static func isSHA256Hex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
    }

    /// A LiteLLM key reference as the SHA-256 hex that links it to a found secret: a stored hash is kept (lowercased);
    /// anything else is a key in plaintext (older exports, `/key/info?key=sk-…`) and is hashed here, so the plaintext
    /// never leaves the importer.
    static func secretHash(_ text: String) -> String {
        isSHA256Hex(text) ? text.lowercased() : SHA256.hex(text)
    }

    // MARK: Rows

    /// Calls `body` with each row and returns the rows skipped: a row whose amount or date is out of bounds
    /// (`ExportError.skipsRow`) is skipped with its message and the next row read; any other error ends the file.
    static func eachRow<Rows: Sequence>(_ rows: Rows, _ body: (Rows.Element) throws -> Void) throws -> [String] {
        var skipped: [String] = []
        for row in rows {
            do { try body(row) } catch let error as ExportError where error.skipsRow { skipped.append(error.message) }
        }
        return skipped
    }

    /// Rows of a table-shaped export, from CSV (cells as strings, keyed by header) or a JSON array of objects,
    /// each with the place to name in errors (`row 3`, `[3]`).
    ///
    /// A CSV row keeps its cells and shares the header's column index with every other row, rather than holding a
    /// dictionary of its own: a million-row spend log held a million dictionaries (about 1 GB) at once.
    struct Row {
        var place: String
        private var dictionary: [String: Any]?
        private var columns: [String: Int] = [:]
        private var cells: [String] = []

        init(place: String, fields: [String: Any]) { self.place = place; self.dictionary = fields }
        init(place: String, columns: [String: Int], cells: [String]) { self.place = place; self.columns = columns; self.cells = cells }

        /// Every field by name (for a CSV row, built on demand: cells as strings, a repeated column's last cell).
        var fields: [String: Any] {
            if let dictionary { return dictionary }
            var out: [String: Any] = [:]
            for (name, index) in columns { out[name] = cells[index] }
            return out
        }
        subscript(_ key: String) -> Any? {
            if let dictionary { return dictionary[key] }
            return columns[key].map { cells[$0] }
        }
        /// `row 3: spend` for CSV cells, `[3].spend` for JSON fields.
        func at(_ key: String) -> String { place.hasPrefix("row ") ? place + ": " + key : CloudExport.join(place, key) }
    }

    /// A CSV table checked for shape: at least one data row, every row as wide as the header.
    static func table(_ header: [String], _ rows: [[String]]) throws -> [Row] {
        guard !rows.isEmpty else { throw ExportError("header only, no data rows") }
        // A repeated column name reads as its last column, as a dictionary built left to right would.
        var columns: [String: Int] = [:]
        for (index, name) in header.enumerated() { columns[name] = index }
        var out: [Row] = []
        out.reserveCapacity(rows.count)
        for (i, row) in rows.enumerated() {
            guard row.count == header.count else {
                throw ExportError("row \(i + 1): expected \(header.count) fields as in the header, got \(row.count)")
            }
            out.append(Row(place: "row \(i + 1)", columns: columns, cells: row))
        }
        return out
    }

    /// Objects of a JSON array; throws naming the first element that is not an object.
    static func objects(_ array: [Any], at place: String) throws -> [Row] {
        try array.enumerated().map { i, element in
            guard let o = element as? [String: Any] else { throw at(join(place, i), "expected an object, got \(kind(element))") }
            return Row(place: join(place, i), fields: o)
        }
    }

    /// Throws `missing column "X"` for the first absent column.
    static func requireColumns(_ header: [String], _ columns: [String]) throws {
        let present = Set(header)
        for c in columns where !present.contains(c) { throw ExportError("missing column \"\(c)\"") }
    }

    // MARK: Units and models

    /// How many tokens one unit of `unit` is: `1K tokens`/`1000 Tokens` → 1000, `1M tokens` → 1,000,000, otherwise 1.
    static func tokenMultiplier(_ unit: String?) -> Double {
        guard let u = unit?.lowercased().replacingOccurrences(of: ",", with: "").replacingOccurrences(of: " ", with: "") else { return 1 }
        if u.hasPrefix("1m") || u.contains("million") || u.hasPrefix("1000000") { return 1_000_000 }
        if u.hasPrefix("1k") || u.contains("thousand") || u.hasPrefix("1000") { return 1_000 }
        return 1
    }

    enum TokenDirection { case input, output }

    /// The token direction an AWS usage type names (`USE1-Claude4.6Sonnet-input-tokens`, `…-output-tokens`,
    /// `…-mantle-input-tokens-…`, `…-cache-read-input-token-count`, `…-cache-write-input-token-count`, Marketplace
    /// `USW2-MP:USW2_InputTokenCount-Units`); cache reads and writes count as input. Nil for other usage types.
    static func tokenDirection(usageType: String) -> TokenDirection? {
        let t = usageType.lowercased().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "")
        if t.contains("outputtoken") { return .output }
        if t.contains("inputtoken") { return .input }
        return nil
    }

    /// The model an AWS token usage type names, without the region prefix and token suffix
    /// (`USE1-Claude4.6Sonnet-input-tokens` → `Claude4.6Sonnet`); the usage type itself otherwise.
    static func model(usageType: String) -> String {
        guard tokenDirection(usageType: usageType) != nil else { return usageType }
        var parts = usageType.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        if parts.count > 1, let first = parts.first, first.count >= 2, first.count <= 6,
           first.allSatisfy({ $0.isUppercase || $0.isNumber }), first.contains(where: \.isLetter) {
            parts.removeFirst()
        }
        let markers: Set<String> = ["input", "output", "cache", "mantle"]
        if let cut = parts.firstIndex(where: { markers.contains($0.lowercased()) }), cut > 0 { parts = Array(parts[..<cut]) }
        let model = parts.joined(separator: "-")
        return model.isEmpty ? usageType : model
    }

    // MARK: Usage totals

    /// Sums usage per provider, scope, day, model and currency, so a large log gives one record per key and day.
    struct UsageTotals {
        struct Key: Hashable {
            var provider: String
            var scope: UsageScope
            var day: String
            var model: String?
            var currency: String
        }
        struct Sum {
            var cost: Double?
            var input = 0
            var output = 0
            var requests = 0
            var cachedInput = 0
            var cacheWrite5m = 0
            var derivedTokenUnit: String?
        }
        private var order: [Key] = []
        private var sums: [Key: Sum] = [:]

        mutating func add(provider: String, scope: UsageScope, day: String, cost: Double?, currency: String,
                          input: Int = 0, output: Int = 0, requests: Int = 0, model: String?, derivedTokenUnit: String? = nil,
                          cachedInput: Int = 0, cacheWrite5m: Int = 0) {
            let key = Key(provider: provider, scope: scope, day: day, model: model, currency: currency)
            var sum = sums[key] ?? { order.append(key); return Sum() }()
            if let cost { sum.cost = (sum.cost ?? 0) + cost }
            sum.input += input; sum.output += output; sum.requests += requests
            sum.cachedInput += cachedInput; sum.cacheWrite5m += cacheWrite5m
            if let derivedTokenUnit { sum.derivedTokenUnit = derivedTokenUnit }
            sums[key] = sum
        }

        func records(source: String) -> [UsageRecord] {
            order.map { k in
                let s = sums[k]!
                return UsageRecord(provider: k.provider, scope: k.scope, day: k.day, cost: s.cost.map { ($0 * 1e9).rounded() / 1e9 },
                                   currency: k.currency, inputTokens: s.input, outputTokens: s.output, requests: s.requests,
                                   model: k.model, source: source, derivedTokenUnit: s.derivedTokenUnit,
                                   cachedInputTokens: s.cachedInput, cacheWrite5mTokens: s.cacheWrite5m)
            }
        }
    }
}
