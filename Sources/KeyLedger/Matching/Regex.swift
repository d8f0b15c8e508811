import Foundation

/// An ICU regular expression that may be shared across threads (NSRegularExpression is immutable).
struct SharedRegex: @unchecked Sendable {
    let regex: NSRegularExpression

    init(_ pattern: String, caseInsensitive: Bool = false) throws {
        regex = try NSRegularExpression(pattern: pattern, options: caseInsensitive ? [.caseInsensitive] : [])
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
