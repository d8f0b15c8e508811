import Foundation

/// Answers a rule's context check ("does one of its context regexes match in the text within N bytes of this hit")
/// for the hits of one rule in one buffer, reusing what the previous window established, with exactly the answers of
/// running each regex over each window.
///
/// Each hit's window is its own text (its bounds are text bounds, as when the window alone is searched). Windows of
/// hits close together overlap almost entirely, and searching each whole took a 25 MB file of 32-hex values next to a
/// keyword (context absent) ~25 s. For a regex without anchors, lookaround, back references or possessive and atomic
/// parts, and with a bounded longest match `M`, a match in the new window [a, b) whose text and one-character
/// neighbourhood lie inside the previous window [a', b') (a' ≤ a) is a match of the previous window too, and the
/// converse holds for a match of the previous window inside the new one. So:
///   - the previous window held a match strictly inside the new one: the new one holds it;
///   - the previous window held none: a match of the new one starts at `a` (the window's edge changes what `\b`
///     sees) or ends in its last two bytes or beyond the previous window's last two (`$` and `\b` at an edge): only
///     starts at `a` and after `min(b, b') - M - 2` are searched.
/// Anything else (hits out of order, a regex it cannot reason about) searches the whole window, as before.
final class ContextMemo {
    private let context: [SharedRegex]
    private let widths: [Int?]
    private struct Known {
        let window: Range<Int>
        /// A match found in `window`, or nil when the window held none.
        let match: Range<Int>?
    }
    private var known: [Known?]

    convenience init(_ rule: RuleMatcher.CompiledRule) {
        self.init(context: rule.context, widths: rule.context.isEmpty ? [] : rule.contextWidths.values)
    }

    /// `incrementalWidth(of:)` of each of a rule's context patterns, computed once, on first use.
    final class Widths: @unchecked Sendable {
        private let patterns: [String]
        private let lock = NSLock()
        private var computed: [Int?]?

        init(_ patterns: [String]) { self.patterns = patterns }

        var values: [Int?] {
            lock.lock()
            defer { lock.unlock() }
            if let computed { return computed }
            let made = patterns.map(ContextMemo.incrementalWidth(of:))
            computed = made
            return made
        }
    }

    /// - Parameter widths: per regex, `incrementalWidth(of:)` of its pattern.
    init(context: [SharedRegex], widths: [Int?]) {
        self.context = context
        self.widths = widths
        known = Array(repeating: nil, count: context.count)
    }

    /// Whether a context regex of the rule matches in `bytes[window]`, searched as a text of its own.
    func satisfied(_ window: Range<Int>, in bytes: UnsafeRawBufferPointer) -> Bool {
        for i in context.indices where satisfied(i, window, bytes) { return true }
        return false
    }

    private func satisfied(_ i: Int, _ window: Range<Int>, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let regex = context[i].regex
        guard let width = widths[i], let previous = known[i], previous.window.lowerBound <= window.lowerBound else {
            return search(i, regex, window, bytes)
        }
        let (a, b) = (window.lowerBound, window.upperBound)
        if let m = previous.match {
            // Its text and neighbours lie inside both windows: it matches in this one too.
            if m.lowerBound > a, m.lowerBound > previous.window.lowerBound, m.upperBound + 2 <= b, m.upperBound + 2 <= previous.window.upperBound {
                return true
            }
            return search(i, regex, window, bytes)
        }
        // No match in the previous window: only matches at this window's start, or ending near either window's end.
        let from = max(a + 1, min(b, previous.window.upperBound) - width - 2)
        if from <= a + 1 { return search(i, regex, window, bytes) }
        // A match starting at `a` is at most `width` long: the text up to two bytes past it decides it.
        let atStart = ByteWindow(bytes, range: a..<min(b, a + width + 2))
        if let found = regex.firstMatch(in: atStart.string as String, options: [.anchored], range: atStart.fullRange) {
            known[i] = Known(window: window, match: (a + found.range.location)..<(a + found.range.location + found.range.length))
            return true
        }
        guard from < b else {
            known[i] = Known(window: window, match: nil)
            return false
        }
        // The text from one byte before `from` to the window's end: `\b` at `from` sees its real neighbour, and the
        // window's end is the text's end, as when the whole window is searched.
        let tail = ByteWindow(bytes, range: (from - 1)..<b)
        let range = NSRange(location: 1, length: b - from)
        if let found = regex.firstMatch(in: tail.string as String, options: [.withTransparentBounds], range: range) {
            let start = from - 1 + found.range.location
            known[i] = Known(window: window, match: start..<(start + found.range.length))
            return true
        }
        known[i] = Known(window: window, match: nil)
        return false
    }

    /// The whole-window search (as without the memo), remembering its answer.
    private func search(_ i: Int, _ regex: NSRegularExpression, _ window: Range<Int>, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let view = ByteWindow(bytes, range: window)
        let found = regex.firstMatch(in: view.string as String, options: [], range: view.fullRange)
        if widths[i] != nil {
            known[i] = Known(window: window, match: found.map { (window.lowerBound + $0.range.location)..<(window.lowerBound + $0.range.location + $0.range.length) })
        }
        return found != nil
    }

    /// The longest match of a context regex when the memo may reason about it (see the type's note), else nil.
    static func incrementalWidth(of pattern: String) -> Int? {
        // Case folding of a non-ASCII pattern letter can match more characters than the pattern has (ß → ss).
        guard pattern.allSatisfy(\.isASCII) else { return nil }
        let forbidden = ["(?<", "(?=", "(?!", "(?>", "\\A", "\\z", "\\Z", "\\G", "\\K", "\\k", "++", "*+", "?+", "}+", "(?m", "(?w", "(?x", "(?-"]
        if forbidden.contains(where: pattern.contains) { return nil }
        let chars = Array(pattern)
        for (i, c) in chars.enumerated() {
            let escaped = i > 0 && chars[i - 1] == "\\" && !(i > 1 && chars[i - 2] == "\\")
            if escaped, c.isNumber { return nil }  // a back reference
            if c == "$", !escaped { return nil }
            if c == "^", !escaped, !(i > 0 && chars[i - 1] == "[") { return nil }
        }
        guard let width = VectorscanDatabase.maxWidth(of: pattern), width > 0, width <= 4096 else { return nil }
        return width
    }
}
