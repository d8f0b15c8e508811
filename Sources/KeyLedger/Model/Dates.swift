import Foundation

/// ISO 8601 dates and times in UTC, the only forms the register uses.
public enum ISODate {
    /// `YYYY-MM-DD` of a Unix time.
    public static func day(_ seconds: Int64) -> String { format(seconds, "%04d-%02d-%02d", time: false) }
    /// `YYYY-MM-DDThh:mm:ssZ` of a Unix time.
    public static func timestamp(_ seconds: Int64) -> String { format(seconds, "", time: true) }

    public static func day(_ date: Date) -> String { day(Int64(date.timeIntervalSince1970.rounded(.down))) }
    public static func timestamp(_ date: Date) -> String { timestamp(Int64(date.timeIntervalSince1970.rounded(.down))) }

    /// Whole days from `start` to `end`, clamped so corrupt dates cannot overflow.
    public static func days(from start: Date, to end: Date) -> Int {
        let d = end.timeIntervalSince(start) / 86_400
        guard d.isFinite else { return 0 }
        return Int(max(-1e7, min(1e7, d)))
    }

    /// Parses `YYYY-MM-DD` (midnight UTC) or a full ISO 8601 timestamp.
    public static func parse(_ text: String) -> Date? {
        let parts = text.split(separator: "-")
        if text.count == 10, parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
           (1...12).contains(m), (1...31).contains(d) {
            var c = DateComponents()
            c.year = y; c.month = m; c.day = d
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            guard let date = calendar.date(from: c), day(date) == text else { return nil }
            return date
        }
        let f = ISO8601DateFormatter()
        return f.date(from: text)
    }

    private static func format(_ seconds: Int64, _ pattern: String, time: Bool) -> String {
        var t = time_t(seconds)
        var tmValue = tm()
        gmtime_r(&t, &tmValue)
        let date = String(format: "%04d-%02d-%02d", Int(tmValue.tm_year) + 1900, Int(tmValue.tm_mon) + 1, Int(tmValue.tm_mday))
        guard time else { return date }
        return date + String(format: "T%02d:%02d:%02dZ", Int(tmValue.tm_hour), Int(tmValue.tm_min), Int(tmValue.tm_sec))
    }
}


/// The one duration syntax of the command line and keyledger.yml: `12h`, `7d`, `2w`, or a bare number of days
/// (`0` is zero). `report --period`, `scan --validate-cache` and `validation: cache_for:` all read it here.
public enum DurationText {
    /// Seconds, or nil when `text` is none of those forms (negative, fractional or overflowing numbers included).
    public static func seconds(_ text: String) -> TimeInterval? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let last = t.last else { return nil }
        let (digits, unit): (Substring, Double)
        switch last {
        case "h": (digits, unit) = (t.dropLast(), 3_600)
        case "d": (digits, unit) = (t.dropLast(), 86_400)
        case "w": (digits, unit) = (t.dropLast(), 7 * 86_400)
        default: (digits, unit) = (Substring(t), 86_400)
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(digits) else { return nil }
        return Double(n) * unit
    }

    /// Whole days, or nil when `text` is not a duration or not a whole number of days (`36h`).
    public static func days(_ text: String) -> Int? {
        guard let s = seconds(text), s.truncatingRemainder(dividingBy: 86_400) == 0, s / 86_400 <= Double(Int32.max) else { return nil }
        return Int(s / 86_400)
    }
}
