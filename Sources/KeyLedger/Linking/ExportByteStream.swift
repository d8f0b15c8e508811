import CLibArchive
import Foundation

/// An export file read in chunks, decompressed on the way when it is gzip (CloudTrail's S3 delivery writes
/// `….json.gz`): libarchive's raw format reads one compressed stream, or plain bytes, without a container.
final class ExportByteStream {
    private let archive: OpaquePointer
    private var ended = false
    /// Bytes handed out so far (after decompression).
    private(set) var produced = 0
    /// What went wrong, when `next` stopped early.
    private(set) var failure: String?

    /// Opens `path`; nil with a reason when libarchive cannot.
    static func open(_ path: String) -> Result<ExportByteStream, ExportError> {
        guard let archive = archive_read_new() else { return .failure(ExportError("libarchive could not start")) }
        archive_read_support_filter_all(archive)
        archive_read_support_format_raw(archive)
        var entry: OpaquePointer?
        guard PathBytes.withCString(Array(path.utf8), { archive_read_open_filename(archive, $0, 1 << 16) }) == ARCHIVE_OK,
              archive_read_next_header(archive, &entry) == ARCHIVE_OK else {
            let reason = archive_error_string(archive).map { String(cString: $0) } ?? "unreadable"
            archive_read_free(archive)
            return .failure(ExportError(reason))
        }
        return .success(ExportByteStream(archive))
    }

    /// Runs `body` on a stream over `data` in memory (a gzip stream, or plain bytes); the failure says why the
    /// stream could not be opened. The stream must not outlive `body`: it reads `data` where it lies.
    static func withStream<T>(over data: Data, _ body: (ExportByteStream) -> T) -> Result<T, ExportError> {
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Result<T, ExportError> in
            guard let archive = archive_read_new() else { return .failure(ExportError("libarchive could not start")) }
            archive_read_support_filter_all(archive)
            archive_read_support_format_raw(archive)
            var entry: OpaquePointer?
            guard archive_read_open_memory(archive, bytes.baseAddress, bytes.count) == ARCHIVE_OK,
                  archive_read_next_header(archive, &entry) == ARCHIVE_OK else {
                let reason = archive_error_string(archive).map { String(cString: $0) } ?? "unreadable"
                archive_read_free(archive)
                return .failure(ExportError(reason))
            }
            return .success(body(ExportByteStream(archive)))
        }
    }

    private init(_ archive: OpaquePointer) { self.archive = archive }
    deinit { archive_read_free(archive) }

    /// Whether the file is gzip-compressed (`1f 8b`), without reading it.
    static func isGzip(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return CompressedExport.isGzip((try? handle.read(upToCount: 2)) ?? Data())
    }

    /// The next chunk into `buffer`; 0 at the end or on a failure (then `failure` says what).
    func next(into buffer: inout [UInt8]) -> Int {
        guard !ended else { return 0 }
        while true {
            let n = buffer.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
            if n > 0 { produced += n; return n }
            if n == Int(ARCHIVE_WARN) { continue }
            if n < 0 { failure = archive_error_string(archive).map { String(cString: $0) } ?? "read error" }
            ended = true
            return 0
        }
    }
}
