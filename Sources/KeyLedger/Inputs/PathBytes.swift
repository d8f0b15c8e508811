import Foundation

/// File names are bytes, not text: Linux allows any byte but `/` and NUL, so a name need not be UTF-8 (a Latin-1
/// `caf\xe9.env`, a name made to hide from tools). Paths are opened by their bytes and shown with each byte that is
/// not part of valid UTF-8 written `\xNN`, so such a file is scanned and reported like any other (issue 10).
enum PathBytes {
    /// The display form of `bytes`: valid UTF-8 as is, every byte of an invalid sequence as `\xNN` (lowercase hex).
    static func display<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        let array = Array(bytes)
        var out = ""
        var i = 0
        while i < array.count {
            var iterator = array[i...].makeIterator()
            var parser = Unicode.UTF8.ForwardParser()
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                out.unicodeScalars.append(Unicode.UTF8.decode(encoded))
                i += encoded.count
            case .error(let length):
                for byte in array[i..<i + max(1, length)] { out += String(format: "\\x%02x", byte) }
                i += max(1, length)
            case .emptyInput:
                i = array.count
            }
        }
        return out
    }

    /// The bytes of a NUL-terminated C string.
    static func bytes(_ cString: UnsafePointer<CChar>) -> [UInt8] {
        Array(UnsafeRawBufferPointer(start: cString, count: strlen(cString)))
    }

    /// Calls `body` with `bytes` as a NUL-terminated C string (a path for `open`, `stat`, `opendir`).
    static func withCString<T>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) throws -> T) rethrows -> T {
        try (bytes + [0]).withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }
}

/// One file found by a walk: its path relative to the walked folder as bytes (to open it) and as shown.
struct WalkedFile: Sendable, Hashable {
    let relative: [UInt8]
    let display: String

    init(relative: [UInt8]) {
        self.relative = relative
        self.display = PathBytes.display(relative)
    }

    init(_ path: String) {
        self.relative = Array(path.utf8)
        self.display = path
    }
}
