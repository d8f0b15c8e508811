import Foundation

/// An ICU regular expression that may be shared across threads (NSRegularExpression is immutable once built).
///
/// Built lazily when `eager` is false: a scan loads ~1,000 built-in rules but runs the regexes of the few whose
/// Vectorscan pattern hit, and compiling every one up front cost a third of a pre-commit run. The built-in rules'
/// regexes are proven to compile by the test suite (`RuleExamplesTests`); user rules are compiled eagerly so a bad
/// pattern is an error naming its file.
final class SharedRegex: @unchecked Sendable {
    let pattern: String
    private let options: NSRegularExpression.Options
    private let lock = NSLock()
    private var compiled: NSRegularExpression?

    init(_ pattern: String, caseInsensitive: Bool = false, eager: Bool = true) throws {
        self.pattern = pattern
        options = caseInsensitive ? [.caseInsensitive] : []
        if eager { compiled = try NSRegularExpression(pattern: pattern, options: options) }
    }

    var regex: NSRegularExpression {
        lock.lock()
        defer { lock.unlock() }
        if let compiled { return compiled }
        // Only built-in patterns are lazy, and the test suite compiles each of them.
        let made: NSRegularExpression
        do { made = try NSRegularExpression(pattern: pattern, options: options) } catch {
            preconditionFailure("built-in rule pattern does not compile: \(error)")
        }
        compiled = made
        return made
    }

    var captureCount: Int { regex.numberOfCaptureGroups }
}

/// A byte window viewed as an NSString where each byte is one UTF-16 unit (ISO Latin-1),
/// so regex ranges are byte offsets. Secrets are ASCII; other bytes never match their classes.
struct ByteWindow {
    let string: NSString
    /// Offset of the window's first byte in the whole buffer.
    let base: Int

    init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>) {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[range])
        string = NSString(bytes: slice.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, length: slice.count,
                          encoding: String.Encoding.isoLatin1.rawValue) ?? ""
        base = range.lowerBound
    }

    var fullRange: NSRange { NSRange(location: 0, length: string.length) }
}
