import Foundation

/// A structural pass over TOML before toml++ parses it.
///
/// toml++ (through TOMLKit) asserts — aborting the process — when a key is expected and the next character cannot
/// start one (`[[:rules]]`, `\t[[[`, `a.:b = 1`, `{ :x = 1 }`); fuzzing found these (Tests/Fuzz/regressions). This
/// lexer walks the same grammar — headers, dotted keys, strings, arrays, inline tables, comments — and refuses text
/// where a key must start but does not, or that nests deeper than the parser should recurse, naming the line. It is
/// not a TOML parser: values are only skipped, and toml++ still decides everything else.
enum TOMLPrecheck {
    struct Failure: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): not valid TOML (\(message))" }
    }

    static func validate(_ text: String) throws {
        var lexer = Lexer(bytes: Array(text.utf8))
        try lexer.document()
    }

    private struct Lexer {
        let bytes: [UInt8]
        var i = 0
        var line = 1
        var depth = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var current: UInt8? { i < bytes.count ? bytes[i] : nil }
        func peek(_ offset: Int) -> UInt8? { i + offset < bytes.count ? bytes[i + offset] : nil }
        func fail(_ message: String) -> Failure { Failure(line: line, message: message) }

        mutating func advance() {
            if bytes[i] == UInt8(ascii: "\n") { line += 1 }
            i += 1
        }

        mutating func skipSpaces() { while let c = current, c == 0x20 || c == 0x09 { i += 1 } }

        /// Spaces, newlines and comments (inside arrays, and between lines).
        mutating func skipBlank() {
            while let c = current {
                if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A { advance() } else if c == UInt8(ascii: "#") { skipComment() } else { return }
            }
        }

        mutating func skipComment() { while let c = current, c != 0x0A { i += 1 } }

        static func isBare(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
        }

        mutating func document() throws {
            while true {
                skipBlank()
                guard let c = current else { return }
                if c == UInt8(ascii: "[") {
                    i += 1
                    let double = current == UInt8(ascii: "[")
                    if double { i += 1 }
                    try keys()
                    guard current == UInt8(ascii: "]") else { throw fail("a table header must end with ]") }
                    i += 1
                    if double {
                        guard current == UInt8(ascii: "]") else { throw fail("an array-of-tables header must end with ]]") }
                        i += 1
                    }
                } else {
                    try keys()
                    guard current == UInt8(ascii: "=") else { throw fail("a key must be followed by =") }
                    i += 1
                    try value()
                }
                skipSpaces()
                if current == UInt8(ascii: "#") { skipComment() }
                if let c = current, c != 0x0A, c != 0x0D { throw fail("unexpected text after a value or header") }
            }
        }

        /// `key`, `"key"`, `'key'`, dotted: the place toml++ asserts on.
        mutating func keys() throws {
            while true {
                skipSpaces()
                guard let c = current else { throw fail("a key is missing") }
                if Self.isBare(c) {
                    while let b = current, Self.isBare(b) { i += 1 }
                } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                    try singleLineString(quote: c)
                } else {
                    throw fail("a key cannot start with this character")
                }
                skipSpaces()
                guard current == UInt8(ascii: ".") else { return }
                i += 1
            }
        }

        mutating func singleLineString(quote: UInt8) throws {
            i += 1
            while let c = current {
                if c == 0x0A { throw fail("a string runs past the end of the line") }
                if quote == UInt8(ascii: "\"") && c == UInt8(ascii: "\\") { i += 2; continue }
                i += 1
                if c == quote { return }
            }
            throw fail("a string is not closed")
        }

        mutating func multiLineString(quote: UInt8) throws {
            i += 3
            while current != nil {
                if quote == UInt8(ascii: "\"") && current == UInt8(ascii: "\\") { advance(); if current != nil { advance() }; continue }
                if current == quote && peek(1) == quote && peek(2) == quote {
                    i += 3
                    while current == quote { i += 1 }  // up to two quotes may close the content
                    return
                }
                advance()
            }
            throw fail("a multi-line string is not closed")
        }

        mutating func value() throws {
            depth += 1
            defer { depth -= 1 }
            guard depth <= 64 else { throw fail("nested deeper than 64 levels") }
            skipSpaces()
            guard let c = current else { throw fail("a value is missing") }
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                if peek(1) == c && peek(2) == c { try multiLineString(quote: c) } else { try singleLineString(quote: c) }
            case UInt8(ascii: "["):
                i += 1
                while true {
                    skipBlank()
                    if current == UInt8(ascii: "]") { i += 1; return }
                    try value()
                    skipBlank()
                    if current == UInt8(ascii: ",") { i += 1; continue }
                    if current == UInt8(ascii: "]") { i += 1; return }
                    throw fail("an array needs , or ]")
                }
            case UInt8(ascii: "{"):
                i += 1
                skipSpaces()
                if current == UInt8(ascii: "}") { i += 1; return }
                while true {
                    try keys()
                    guard current == UInt8(ascii: "=") else { throw fail("an inline-table key must be followed by =") }
                    i += 1
                    try value()
                    skipSpaces()
                    if current == UInt8(ascii: ",") { i += 1; continue }
                    if current == UInt8(ascii: "}") { i += 1; return }
                    throw fail("an inline table needs , or }")
                }
            default:
                // Numbers, booleans, dates and times (which may hold one space): up to a delimiter.
                let start = i
                while let b = current, b != UInt8(ascii: ","), b != UInt8(ascii: "]"), b != UInt8(ascii: "}"),
                      b != UInt8(ascii: "#"), b != 0x0A, b != 0x0D { i += 1 }
                while i > start, bytes[i - 1] == 0x20 || bytes[i - 1] == 0x09 { i -= 1 }
                if i == start { throw fail("a value is missing") }
            }
        }
    }
}
