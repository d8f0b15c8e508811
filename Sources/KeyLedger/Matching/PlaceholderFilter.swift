/// Recognises documentation values and placeholders that look like credentials but are not:
/// `sk-proj-xxxx…`, `YOUR_KEY`, `${VAR}`, `<token>`, `AKIAIOSFODNN7EXAMPLE`, redacted hints like `sk-…abcd`.
public enum PlaceholderFilter {
    private static let words = ["xxxx", "****", "...", "example", "placeholder", "your", "dummy",
                                "redacted", "changeme", "replace", "insert", "sample", "fake", "000000"]

    /// Why `secret` is a placeholder, or nil when it may be real.
    public static func reason(_ secret: String) -> String? {
        if secret.contains("…") { return "contains an ellipsis (a redacted hint)" }
        let lower = secret.lowercased()
        for word in words where lower.contains(word) { return "contains \"\(word)\"" }
        if secret.contains("${") || secret.contains("{{") || secret.contains("<") || secret.contains(">") || secret.contains("%s") {
            return "template variable"
        }
        // A run of five identical characters is vanishingly rare in a random body and common in filler.
        var run = 1
        var previous: UInt8 = 0
        for byte in secret.utf8 {
            if byte == previous, byte != UInt8(ascii: "-"), byte != UInt8(ascii: "\n") {
                run += 1
                if run >= 5 && byte != UInt8(ascii: "A") { return "repeated filler characters" }
                if run >= 8 { return "repeated filler characters" }
            } else { run = 1 }
            previous = byte
        }
        if containsSequence(lower, "abcdefgh") || containsSequence(lower, "12345678") { return "a counting sequence" }
        return nil
    }

    private static func containsSequence(_ text: String, _ sequence: String) -> Bool { text.contains(sequence) }

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

import Foundation
