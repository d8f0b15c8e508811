import Foundation

/// Recognises documentation values and placeholders that look like credentials but are not:
/// `sk-proj-xxxx…`, `YOUR_KEY`, `${VAR}`, `<token>`, `AKIAIOSFODNN7EXAMPLE`, redacted hints like `sk-…abcd`.
///
/// A placeholder is a *whole value* that reads as one, never a few letters that a random body happens to contain:
/// a word counts only in one casing (`fake`, `FAKE`, `Fake`) and only where it stands as a word (at either end of
/// the value or next to a separator) or the value around it has too little entropy to be random. Of 20,000 random
/// `sk-proj-` keys and 50,000 `ghp_` tokens none is dropped (PlaceholderFilterTests).
public enum PlaceholderFilter {
    private static let words = ["xxxx", "example", "placeholder", "your", "dummy", "redacted", "changeme", "replace",
                                "insert", "sample", "fake"]

    /// Why `secret` is a placeholder, or nil when it may be real. `checkRuns: false` for formats whose structure
    /// holds runs of one character.
    public static func reason(_ secret: String, checkRuns: Bool = true) -> String? {
        if secret.contains("…") { return "contains an ellipsis (a redacted hint)" }
        // Never part of a key alphabet: masks and elisions.
        if secret.contains("****") || secret.contains("...") { return "masked or elided" }
        if secret.contains("${") || secret.contains("{{") || secret.contains("<") || secret.contains(">") || secret.contains("%s") {
            return "template variable"
        }
        let bytes = Array(secret.utf8)
        let lowEntropy = entropy(secret) < 3.5
        for word in words {
            for form in [word, word.uppercased(), word.prefix(1).uppercased() + word.dropFirst()] {
                let needle = Array(form.utf8)
                var start = 0
                while let at = find(needle, in: bytes, from: start) {
                    let before = at == 0 || !isAlphanumeric(bytes[at - 1])
                    let after = at + needle.count == bytes.count || !isAlphanumeric(bytes[at + needle.count])
                    if before || after || lowEntropy { return "contains \"\(word)\"" }
                    start = at + 1
                }
            }
        }
        // Long runs of one character are filler; a run of five occurs by chance in hex bodies (1 in ~2,000 keys),
        // so shorter runs only count when the value is not random-looking anyway.
        var run = 1
        var longest = 1
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == previous, byte != UInt8(ascii: "-"), byte != UInt8(ascii: "\n") { run += 1; longest = max(longest, run) } else { run = 1 }
            previous = byte
        }
        if checkRuns, longest >= 8 || (longest >= 5 && (lowEntropy || bytes.count < 24)) { return "repeated filler characters" }
        if secret.contains("abcdefgh") || secret.contains("ABCDEFGH") || secret.contains("12345678") || secret.contains("87654321") {
            return "a counting sequence"
        }
        return nil
    }

    private static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard needle.count <= haystack.count, from <= haystack.count - needle.count else { return nil }
        var i = from
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// Shannon entropy in bits per character.
    public static func entropy(_ text: String) -> Double {
        var counts = [Int](repeating: 0, count: 256)
        var n = 0
        for b in text.utf8 { counts[Int(b)] += 1; n += 1 }
        guard n > 0 else { return 0 }
        var h = 0.0
        for c in counts where c > 0 {
            let p = Double(c) / Double(n)
            h -= p * log2(p)
        }
        return h
    }
}
