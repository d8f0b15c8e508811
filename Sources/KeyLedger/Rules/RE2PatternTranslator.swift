import Foundation

/// Rewrites a Go RE2 regular expression (the dialect of gitleaks and betterleaks rules) into keyledger's dialect:
/// the common subset of Vectorscan and ICU with exactly one capture group, the secret.
///
/// What changes: the secret group stays capturing and every other group becomes `(?:…)` (named groups included);
/// a pattern without groups is wrapped whole; inline flags `(?i)` become scoped groups `(?i:…)` (RE2 scopes them to
/// the enclosing group, ICU to the rest of the pattern); `\z` → `$`, `\A` → `^`, `\v` → `\x0B`, octal escapes →
/// `\x{…}`, `\Q…\E` → escaped literals; POSIX classes (`[[:alnum:]]`) → explicit ASCII ranges; every
/// set-syntax literal inside a class is escaped (ICU reads `[` and `&&` in a class as set operators, RE2 as literals).
/// What cannot be expressed is an `Unsupported` naming the construct, never a crash.
public enum RE2PatternTranslator {
    /// A construct keyledger's dialect cannot express, in words a rule author recognises.
    public struct Unsupported: Error, Equatable, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// Which group of the translated pattern captures.
    public enum SecretGroup: Equatable, Sendable {
        /// gitleaks' default: the first group when the pattern has groups, else the whole match.
        case automatic
        /// gitleaks' `secretGroup = N` (1-based, counting named groups too).
        case number(Int)
        /// No capture at all (allowlist regexes): every group becomes non-capturing.
        case none
    }

    /// The translated pattern, or the reason it cannot be translated.
    public static func translate(_ pattern: String, secretGroup: SecretGroup) throws -> String {
        // Pass one learns the groups (how many, which are optional); pass two emits with the chosen one capturing.
        let survey = try walk(pattern, capture: nil)
        switch secretGroup {
        case .none:
            return survey.output
        case .number(let n):
            guard n >= 1, n <= survey.groups.count else {
                throw Unsupported(reason: "secretGroup \(n) but the regex has \(survey.groups.count) capture group\(survey.groups.count == 1 ? "" : "s")")
            }
            return try walk(pattern, capture: n).output
        case .automatic:
            if survey.groups.isEmpty { return "(" + survey.output + ")" }
            if survey.groups.count > 1, survey.groups[0].optional {
                throw Unsupported(reason: "no secretGroup and the first of \(survey.groups.count) capture groups is optional: "
                                  + "gitleaks takes the first non-empty group, keyledger needs one fixed group "
                                  + "(set secretGroup, or split the alternatives into rules of their own)")
            }
            return try walk(pattern, capture: 1).output
        }
    }

    /// One pass over `pattern` keeping group `capture` (1-based) capturing, or none.
    static func walk(_ pattern: String, capture: Int?) throws -> (output: String, groups: [Group]) {
        var pass = Pass(pattern, capture: capture)
        return try pass.run()
    }

    /// Facts about one capture group seen in a pass.
    struct Group {
        /// The group may not take part in a match: inside an alternative, or under `?`, `*` or `{0,…}`.
        var optional = false
    }

    /// One left-to-right walk over the pattern.
    private struct Pass {
        let chars: [Character]
        /// The 1-based capture group to keep capturing; nil keeps none.
        let capture: Int?
        var i = 0
        var out = ""
        var groups: [Group] = []

        /// An open group (or the whole pattern at the bottom of the stack).
        struct Frame {
            /// Inline flags set inside this group, each emitted as an open `(?flags:` to close with the group.
            var flagScopes: [String] = []
            var hasAlternation = false
            /// The capture group this frame is (0-based index into `groups`); nil for non-capturing groups.
            var own: Int?
            /// Capture groups opened inside this frame, however deeply nested.
            var nested: [Int] = []
        }
        var stack: [Frame] = [Frame()]

        init(_ pattern: String, capture: Int?) {
            chars = Array(pattern)
            self.capture = capture
        }

        mutating func run() throws -> (output: String, groups: [Group]) {
            while i < chars.count {
                let c = chars[i]
                switch c {
                case "\\": try escape()
                case "[": try characterClass()
                case "(": try openGroup()
                case ")": try closeGroup()
                case "|":
                    // RE2 flags last to the end of the group, across alternatives: close the scopes, reopen after `|`.
                    let scopes = stack[stack.count - 1].flagScopes
                    out += String(repeating: ")", count: scopes.count) + "|" + scopes.map { "(?\($0):" }.joined()
                    stack[stack.count - 1].hasAlternation = true
                    i += 1
                case "{":
                    // RE2 reads a `{` that starts no repetition (`{\d+}`) as a literal; ICU rejects it unescaped.
                    if let end = repetitionEnd() {
                        out += String(chars[i...end])
                        i = end + 1
                    } else {
                        out += "\\{"
                        i += 1
                    }
                case "}", "]":
                    out += "\\" + String(c)
                    i += 1
                default:
                    out.append(c)
                    i += 1
                }
            }
            guard stack.count == 1 else { throw Unsupported(reason: "unbalanced parentheses (a group is never closed)") }
            let top = stack[0]
            out += String(repeating: ")", count: top.flagScopes.count)
            if top.hasAlternation { for g in top.nested { groups[g].optional = true } }
            return (out, groups)
        }

        /// The index of the `}` closing a repetition `{n}`, `{n,}` or `{n,m}` that starts at `i`, or nil.
        func repetitionEnd() -> Int? {
            var j = i + 1
            var digits = 0
            while j < chars.count, chars[j].isASCII, chars[j].isNumber { j += 1; digits += 1 }
            guard digits > 0, j < chars.count else { return nil }
            if chars[j] == "}" { return j }
            guard chars[j] == "," else { return nil }
            j += 1
            while j < chars.count, chars[j].isASCII, chars[j].isNumber { j += 1 }
            return j < chars.count && chars[j] == "}" ? j : nil
        }

        func peek(_ offset: Int = 0) -> Character? { i + offset < chars.count ? chars[i + offset] : nil }

        /// An escape outside a class.
        mutating func escape() throws {
            guard let e = peek(1) else { throw Unsupported(reason: "trailing backslash") }
            switch e {
            case "z": out += "$"; i += 2
            case "A": out += "^"; i += 2
            case "v": out += "\\x0B"; i += 2
            case "C": throw Unsupported(reason: "\\C (any byte) has no equivalent")
            case "p", "P": throw Unsupported(reason: "Unicode property class \\\(e)… (keyledger scans bytes, not Unicode text)")
            case "Q":
                i += 2
                while i < chars.count {
                    if chars[i] == "\\", peek(1) == "E" { i += 2; return }
                    out += Self.literal(chars[i])
                    i += 1
                }
            case "0"..."7":
                out += try octal()
            case "8", "9":
                throw Unsupported(reason: "back-reference \\\(e)")
            default:
                out.append("\\"); out.append(e); i += 2
            }
        }

        /// `\123` (up to three octal digits) → `\x{53}`; `i` is at the backslash.
        mutating func octal() throws -> String {
            i += 1
            var value = 0
            var digits = 0
            while digits < 3, let d = peek(), let v = d.wholeNumberValue, v < 8 {
                value = value * 8 + v
                digits += 1
                i += 1
            }
            if digits == 1, value != 0 { throw Unsupported(reason: "back-reference \\\(value)") }
            return "\\x{" + String(value, radix: 16) + "}"
        }

        /// Copies a bracket expression, expanding POSIX classes and escaping every non-alphanumeric literal.
        mutating func characterClass() throws {
            i += 1
            var body = ""
            var negated = false
            if peek() == "^" { negated = true; i += 1 }
            var first = true
            var posixOnly: String?
            var items = 0
            while true {
                guard let c = peek() else { throw Unsupported(reason: "unterminated character class") }
                if c == "]", !first { i += 1; break }
                first = false
                items += 1
                if c == "[", peek(1) == ":" {
                    guard let close = findPOSIXEnd() else { body += "\\["; i += 1; continue }
                    var name = String(chars[(i + 2)..<close])
                    let inverted = name.hasPrefix("^")
                    if inverted { name.removeFirst() }
                    guard let ranges = Self.posixClasses[name] else {
                        throw Unsupported(reason: "unknown POSIX class [:\(name):]")
                    }
                    i = close + 2
                    // `[[:^alpha:]]` is `[^A-Za-z]`; inside a larger class a negated POSIX class has no ASCII spelling.
                    if inverted { posixOnly = ranges } else { body += ranges }
                    continue
                }
                var low = try classAtom()
                if peek() == "-", let next = peek(1), next != "]" {
                    i += 1
                    let high = try classAtom()
                    guard low.single, high.single else { throw Unsupported(reason: "a class escape used as a range end") }
                    low.text += "-" + high.text
                }
                body += low.text
            }
            if let inverted = posixOnly {
                guard items == 1, !negated else {
                    throw Unsupported(reason: "a negated POSIX class combined with other class items")
                }
                out += "[^" + inverted + "]"
                return
            }
            out += "[" + (negated ? "^" : "") + body + "]"
        }

        /// Index of the `:` of `:]` closing a POSIX class that starts at `i`.
        func findPOSIXEnd() -> Int? {
            var j = i + 2
            while j + 1 < chars.count {
                if chars[j] == ":", chars[j + 1] == "]" { return j }
                if !(chars[j].isLetter || chars[j] == "^") { return nil }
                j += 1
            }
            return nil
        }

        /// One class member: a literal (escaped when punctuation) or a class escape (`\d`); `single` says it can end a range.
        mutating func classAtom() throws -> (text: String, single: Bool) {
            guard let c = peek() else { throw Unsupported(reason: "unterminated character class") }
            if c == "\\" {
                guard let e = peek(1) else { throw Unsupported(reason: "trailing backslash") }
                switch e {
                case "d", "D", "s", "S", "w", "W": i += 2; return ("\\\(e)", false)
                case "p", "P": throw Unsupported(reason: "Unicode property class \\\(e)… (keyledger scans bytes, not Unicode text)")
                case "v": i += 2; return ("\\x0B", true)
                case "x", "n", "r", "t", "f", "a":
                    i += 2
                    var text = "\\\(e)"
                    if e == "x" {
                        if peek() == "{" {
                            while let d = peek() { text.append(d); i += 1; if d == "}" { break } }
                        } else {
                            for _ in 0..<2 { if let d = peek(), d.isHexDigit { text.append(d); i += 1 } }
                        }
                    }
                    return (text, true)
                case "0"..."7": return (try octal(), true)
                default:
                    i += 2
                    return (e.isLetter || e.isNumber ? "\\\(e)" : Self.literal(e, inClass: true), true)
                }
            }
            i += 1
            return (Self.literal(c, inClass: true), true)
        }

        mutating func openGroup() throws {
            if peek(1) != "?" {
                openCapture(at: 1)
                return
            }
            // `(?P<name>…)` and `(?<name>…)` are capture groups that also have a name.
            if peek(2) == "P", peek(3) == "<" { try openNamed(from: i + 4); return }
            if peek(2) == "<", let n = peek(3), n != "=", n != "!" { try openNamed(from: i + 3); return }
            if peek(2) == "=" || peek(2) == "!" || (peek(2) == "<" && (peek(3) == "=" || peek(3) == "!")) {
                throw Unsupported(reason: "look-around (?=, (?!, (?<= or (?<! (Vectorscan has none)")
            }
            // Flags: `(?flags)` or `(?flags:…)`.
            var j = i + 2
            var flags = ""
            while j < chars.count, chars[j] != ")", chars[j] != ":" {
                let f = chars[j]
                switch f {
                case "i", "m", "s", "-": flags.append(f)
                case "U": throw Unsupported(reason: "ungreedy flag (?U) (ICU has none)")
                default: throw Unsupported(reason: "unknown group syntax (?\(f)")
                }
                j += 1
            }
            guard j < chars.count else { throw Unsupported(reason: "unbalanced parentheses (a group is never closed)") }
            if chars[j] == ":" {
                out += "(?" + flags + ":"
                stack.append(Frame())
                i = j + 1
                return
            }
            // `(?i)`: applies to the rest of the enclosing group.
            i = j + 1
            guard !flags.isEmpty, flags != "-" else { return }
            out += "(?" + flags + ":"
            stack[stack.count - 1].flagScopes.append(flags)
        }

        mutating func openNamed(from start: Int) throws {
            var j = start
            while j < chars.count, chars[j] != ">" { j += 1 }
            guard j < chars.count else { throw Unsupported(reason: "unterminated group name") }
            openCapture(at: j - i + 1)
        }

        /// Opens capture group number `groups.count + 1`, whose syntax is `length` characters long.
        mutating func openCapture(at length: Int) {
            groups.append(Group())
            let index = groups.count - 1
            out += capture == index + 1 ? "(" : "(?:"
            for f in stack.indices { stack[f].nested.append(index) }
            var frame = Frame()
            frame.own = index
            stack.append(frame)
            i += length
        }

        mutating func closeGroup() throws {
            guard stack.count > 1 else { throw Unsupported(reason: "unbalanced parentheses (a ')' without its '(')") }
            let frame = stack.removeLast()
            out += String(repeating: ")", count: frame.flagScopes.count) + ")"
            i += 1
            // Groups inside an alternative may not take part; the group holding the alternation does.
            if frame.hasAlternation { for g in frame.nested { groups[g].optional = true } }
            if let q = peek(), q == "?" || q == "*" || (q == "{" && peek(1) == "0") {
                for g in frame.nested + (frame.own.map { [$0] } ?? []) { groups[g].optional = true }
            }
        }

        /// A literal character as the translated pattern spells it: non-ASCII and control characters as `\x{…}`,
        /// metacharacters escaped — in a class only those ICU or Vectorscan read as set syntax.
        static func literal(_ c: Character, inClass: Bool = false) -> String {
            guard let scalar = c.unicodeScalars.first, c.unicodeScalars.count == 1 else { return String(c) }
            if scalar.value > 0x7E || scalar.value < 0x20 { return "\\x{" + String(scalar.value, radix: 16) + "}" }
            let special = inClass ? "[]\\^-&{}$~:" : "\\.^$|?*+()[]{}#"
            return special.contains(c) ? "\\" + String(c) : String(c)
        }

        /// RE2's POSIX classes as ASCII ranges (class-escaped).
        static let posixClasses: [String: String] = [
            "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7F", "blank": "\\t ",
            "cntrl": "\\x00-\\x1F\\x7F", "digit": "0-9", "graph": "\\x21-\\x7E", "lower": "a-z",
            "print": "\\x20-\\x7E", "punct": "\\x21-\\x2F\\x3A-\\x40\\x5B-\\x60\\x7B-\\x7E",
            "space": "\\t\\n\\x0B\\f\\r ", "upper": "A-Z", "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f",
        ]
    }
}
