import Foundation

/// An inline `keyledger:allow <reason>` marker on the line of a match.
///
/// The reason is mandatory: it lands in the register, so a reviewer can see why a credential in the code is
/// accepted. A marker without one does not allow anything; the location says so instead.
///
/// gitleaks' and betterleaks' bare markers (`gitleaks:allow`, `betterleaks:allow`) are honoured too, so a team
/// switching scanners keeps its accepted lines; they carry no reason of their own, so the register names the marker.
public enum AllowMarker: Sendable, Equatable {
    case allowed(reason: String)
    /// `keyledger:allow` with nothing (or no words) after it.
    case missingReason

    static let token = Array("keyledger:allow".utf8)
    /// Markers of other scanners, honoured with a generated reason: (token, reason).
    static let foreignMarkers: [(token: [UInt8], reason: String)] = [
        (Array("gitleaks:allow".utf8), "gitleaks:allow marker"),
        (Array("betterleaks:allow".utf8), "betterleaks:allow marker"),
    ]
    /// How far either side of a match the line is searched: a marker at the far end of a megabyte of minified JSON
    /// is not a comment on this match.
    static let reach = 4096
    static let maxReasonLength = 200
    /// Comment closers and quoting left at the end of the line after the reason.
    static let trailers = ["*/", "-->", "--", "#}", "%}", "}}", "%>", "%", "\"", "'", "`", ",", ";"]

    /// The note a location gets when its marker has no reason.
    public static let missingReasonNote = "keyledger:allow without a reason is ignored (write `keyledger:allow <reason>`)"

    /// A credential's status from its markers: `allowed` when every place it was found carries a reason, else `open`.
    public static func status(of locations: [FoundLocation]) -> CredentialStatus {
        !locations.isEmpty && locations.allSatisfy { $0.allowReason != nil } ? .allowed : .open
    }

    /// The marker on the line holding byte `offset` of `bytes`, if any.
    public static func find(onLineOf offset: Int, in bytes: UnsafeRawBufferPointer) -> AllowMarker? {
        guard offset >= 0, offset <= bytes.count else { return nil }
        var start = offset
        let floor = max(0, offset - reach)
        while start > floor, bytes[start - 1] != 0x0A { start -= 1 }
        var end = offset
        let ceiling = min(bytes.count, offset + reach)
        while end < ceiling, bytes[end] != 0x0A { end += 1 }
        return parse(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
    }

    /// The marker on 1-based `line` of `bytes`, if any.
    public static func find(onLine line: Int, in bytes: UnsafeRawBufferPointer) -> AllowMarker? {
        guard line >= 1 else { return nil }
        var current = 1
        var i = 0
        while current < line {
            guard i < bytes.count else { return nil }
            if bytes[i] == 0x0A { current += 1 }
            i += 1
        }
        return find(onLineOf: i, in: bytes)
    }

    /// Where `needle` first occurs in `line` as a whole word (not followed by a letter or digit: `keyledger:allowed`
    /// or `gitleaks:allowlist` is some other word).
    static func position(of needle: [UInt8], in line: UnsafeRawBufferPointer) -> Int? {
        let n = needle.count
        var i = 0
        while i + n <= line.count {
            if line[i] == needle[0], needle.indices.allSatisfy({ line[i + $0] == needle[$0] }) {
                if i + n == line.count || !CharacterSet.alphanumerics.contains(Unicode.Scalar(line[i + n])) { return i }
            }
            i += 1
        }
        return nil
    }

    /// Reads a marker out of one line of text.
    static func parse(_ line: UnsafeRawBufferPointer) -> AllowMarker? {
        let n = token.count
        guard let at = position(of: token, in: line) else {
            // keyledger's own marker (with its reason) wins over another scanner's on the same line.
            return foreignMarkers.first { position(of: $0.token, in: line) != nil }.map { .allowed(reason: $0.reason) }
        }
        var text = String(decoding: UnsafeRawBufferPointer(rebasing: line[(at + n)...]), as: UTF8.self)
        // A reason is prose in a comment: a quote, bracket or brace ends it (the marker may sit inside a string of
        // one-line JSON, followed by the very key it allows — which must never become part of the reason).
        if let stop = text.firstIndex(where: { "\"'`{}[]<>\\".contains($0) }) { text = String(text[..<stop]) }
        text = text.trimmingCharacters(in: .whitespaces)
        for separator in [":", "-", "—", "="] where text.hasPrefix(separator) {
            text = String(text.dropFirst(separator.count)).trimmingCharacters(in: .whitespaces)
        }
        var trimmed = true
        while trimmed {
            trimmed = false
            text = text.trimmingCharacters(in: .whitespacesAndNewlines)
            for trailer in trailers where text.hasSuffix(trailer) {
                text = String(text.dropLast(trailer.count))
                trimmed = true
            }
        }
        guard text.unicodeScalars.contains(where: { CharacterSet.letters.contains($0) }) else { return .missingReason }
        // Not cut to `maxReasonLength` here: a cut could split a key quoted in the reason; `sanitizedReason` cuts
        // after removing anything key-like.
        return .allowed(reason: text)
    }
}

extension AllowMarker {
    /// The reason as it may enter the register: every secret found in the same buffer redacted, every word longer
    /// than 24 characters (a key, a piece of one, its base64 form) replaced by `[…]`, then cut to
    /// `maxReasonLength`. Reasons are prose; nothing key-like survives.
    static func sanitizedReason(_ reason: String, secrets: Set<Secret>) -> String {
        var text = reason
        for secret in secrets where text.contains(secret.value) {
            text = text.replacingOccurrences(of: secret.value, with: secret.redacted)
        }
        // A word holding `…` is judged by its pieces: `…` must not shelter a long key on either side of it.
        let words = text.split(separator: " ", omittingEmptySubsequences: false).map { word -> String in
            word.split(separator: "…").contains { $0.count > 24 } ? "[…]" : String(word)
        }
        text = words.joined(separator: " ")
        if text.count > maxReasonLength { text = String(text.prefix(maxReasonLength - 1)) + "…" }
        return text
    }
}

extension FoundLocation {
    /// Records what a marker on the line says: the reason, or a note that a marker without one was ignored.
    mutating func apply(_ marker: AllowMarker?) {
        switch marker {
        case .allowed(let reason)?: allowReason = reason
        case .missingReason?: note = note.map { "\($0); \(AllowMarker.missingReasonNote)" } ?? AllowMarker.missingReasonNote
        case nil: break
        }
    }
}
