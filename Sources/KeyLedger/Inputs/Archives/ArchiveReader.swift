import CLibArchive
import Foundation

/// Archive and compressed-stream formats recognised by their leading bytes (never by file name).
enum ArchiveFormat: String, Sendable {
    case zip, tar, gzip, bzip2, xz, zstd, sevenZip = "7z"

    /// The format `bytes` starts with, or nil for anything else (text, images, executables).
    static func detect(_ bytes: UnsafeRawBufferPointer) -> ArchiveFormat? {
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            guard bytes.count >= offset + magic.count else { return false }
            for (i, b) in magic.enumerated() where bytes[offset + i] != b { return false }
            return true
        }
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) { return .zip }
        if starts([0x1F, 0x8B]) { return .gzip }
        if starts([0x42, 0x5A, 0x68]) { return .bzip2 }
        if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
        if starts([0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
        if starts([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) { return .sevenZip }
        // POSIX/GNU tar: "ustar" at offset 257 of the first header.
        if starts(Array("ustar".utf8), at: 257) { return .tar }
        return nil
    }
}

/// Bounds that keep a hostile archive (a zip bomb, a thousand nested tarballs) from exhausting memory or time.
public struct ArchiveLimits: Sendable {
    /// Archives inside archives are opened this many levels deep (`app.tar!lib.whl!pkg/settings.py` is 2).
    public var maxDepth = 4
    /// Expanded bytes of one top-level archive, all members and nested archives together.
    public var maxExpandedBytes = 1 << 30
    /// Expanded bytes per compressed byte beyond which an archive is treated as a bomb (after the first 64 MiB).
    public var maxRatio = 200
    public var maxMembers = 200_000
    /// Archive files on disk up to this size are opened even when larger than the text file limit (`docker save`
    /// tarballs of a few hundred MB); they are streamed, not read whole.
    public var maxArchiveFileSize = 2 << 30
    public init() {}
}

/// Reads archive members through libarchive (zip/jar/whl/egg/nupkg, tar, gzip, bzip2, xz, zstd, 7z and their
/// combinations), one regular member at a time.
enum ArchiveReader {
    enum Source {
        case memory(UnsafeRawBufferPointer)
        /// A file too large to read into memory; its path as bytes (a name need not be UTF-8).
        case file(path: [UInt8], size: Int)
    }

    /// What stopped or shortened the reading of an archive; each becomes a counted skip with the archive's path.
    struct Problem {
        var reason: String
        var member: String?
        var detail: String
    }

    /// Shared across one top-level archive and everything nested in it.
    final class Budget {
        var expanded = 0
        var members = 0
        let ceiling: Int
        init(limits: ArchiveLimits, compressedSize: Int) {
            ceiling = min(limits.maxExpandedBytes, max(64 << 20, compressedSize.multipliedReportingOverflow(by: limits.maxRatio).overflow
                                                        ? Int.max : compressedSize * limits.maxRatio))
        }
    }

    /// Calls `visit` with each regular member's path and content. Members larger than `maxMemberSize` are skipped
    /// and reported; reading stops at the budget (a bomb), a damaged header or an unsupported feature, reported too.
    static func forEachMember(of source: Source, maxMemberSize: Int, limits: ArchiveLimits, budget: Budget,
                              visit: (_ name: String, _ content: UnsafeRawBufferPointer) -> Void) -> [Problem] {
        guard let archive = archive_read_new() else { return [Problem(reason: "unreadable-archive", detail: "libarchive could not start")] }
        defer { archive_read_free(archive) }
        archive_read_support_filter_all(archive)
        archive_read_support_format_all(archive)
        // A lone compressed stream (`settings.json.gz`) has no container: libarchive calls its one member "data".
        archive_read_support_format_raw(archive)
        var problems: [Problem] = []
        let opened: Int32
        switch source {
        case .memory(let bytes):
            opened = archive_read_open_memory(archive, bytes.baseAddress, bytes.count)
        case .file(let path, _):
            opened = PathBytes.withCString(path) { archive_read_open_filename(archive, $0, 1 << 16) }
        }
        guard opened == ARCHIVE_OK else {
            return [Problem(reason: "unreadable-archive", detail: errorText(archive))]
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var headerFailures = 0
        while true {
            var entry: OpaquePointer?
            let status = archive_read_next_header(archive, &entry)
            if status == ARCHIVE_EOF { break }
            if status == ARCHIVE_FATAL || entry == nil {
                problems.append(Problem(reason: "unreadable-archive", detail: "damaged or unsupported archive: \(errorText(archive))"))
                break
            }
            if status == ARCHIVE_FAILED {
                headerFailures += 1
                problems.append(Problem(reason: "unreadable-archive", detail: "a member header cannot be read: \(errorText(archive))"))
                if headerFailures > 16 { break }
                continue
            }
            guard let entry else { break }
            budget.members += 1
            if budget.members > limits.maxMembers {
                problems.append(Problem(reason: "archive-limit", detail: "more than \(limits.maxMembers) members; the rest not scanned"))
                break
            }
            guard archive_entry_filetype(entry) == UInt32(0o100000) else { continue }  // AE_IFREG: regular files only
            let name = memberName(entry)
            if archive_entry_is_encrypted(entry) != 0 {
                problems.append(Problem(reason: "encrypted", member: name, detail: "encrypted member not scanned"))
                continue
            }
            if archive_entry_size_is_set(entry) != 0, Int(archive_entry_size(entry)) > maxMemberSize {
                problems.append(Problem(reason: "oversized", member: name,
                                        detail: "\(archive_entry_size(entry)) bytes (limit \(maxMemberSize))"))
                continue
            }
            var content: [UInt8] = []
            var failed: String?
            var tooLarge = false
            while true {
                let n = chunk.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
                if n == 0 { break }
                if n < 0 {
                    if n == Int(ARCHIVE_WARN) { continue }
                    failed = errorText(archive)
                    break
                }
                budget.expanded += n
                if budget.expanded > budget.ceiling {
                    failed = "expands beyond \(budget.ceiling) bytes (a compression bomb?); the rest not scanned"
                    break
                }
                if content.count + n > maxMemberSize { tooLarge = true; break }
                content.append(contentsOf: chunk[0..<n])
            }
            if budget.expanded > budget.ceiling {
                problems.append(Problem(reason: "archive-limit", member: name, detail: failed ?? "too large"))
                break
            }
            if tooLarge {
                problems.append(Problem(reason: "oversized", member: name, detail: "larger than \(maxMemberSize) bytes"))
                continue
            }
            if let failed {
                problems.append(Problem(reason: "unreadable-archive", member: name, detail: failed))
                // A data error in a streamed format leaves the reader in an unknown state.
                break
            }
            content.withUnsafeBytes { visit(name, $0) }
        }
        return problems
    }

    private static func memberName(_ entry: OpaquePointer) -> String {
        if let utf8 = archive_entry_pathname_utf8(entry) { return String(cString: utf8) }
        if let raw = archive_entry_pathname(entry) { return String(decoding: Data(bytes: raw, count: strlen(raw)), as: UTF8.self) }
        return "?"
    }

    private static func errorText(_ archive: OpaquePointer) -> String {
        archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
    }
}
