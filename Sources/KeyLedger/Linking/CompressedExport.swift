import CLibArchive
import Foundation

/// Exports delivered compressed: AWS Data Exports write CUR 2.0 as `.csv.gz` by default (gzip; also Parquet, which is not
/// read — Debian has no maintained C Parquet reader keyledger could link). A gzip stream is recognised by its bytes
/// (`1f 8b`), never the file name, and inflated through libarchive's raw format, up to the export size limit.
enum CompressedExport {
    static func isGzip(_ data: Data) -> Bool { data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B }

    /// The inflated bytes, or an error naming what went wrong (a truncated stream, more than `limit` bytes).
    static func gunzip(_ data: Data, limit: Int) -> Result<Data, ExportError> {
        let inflated = inflate(data, limit: limit)
        if let failure = inflated.failure { return .failure(failure) }
        return .success(inflated.data)
    }

    /// What a gzip stream inflated to. A stream cut short or damaged after some output (`truncated`) keeps that output
    /// with its error, so the complete rows before the cut can still be read (issue 11); one that expands beyond
    /// `limit` keeps nothing (a compression bomb is not read in part).
    struct Inflated {
        var data = Data()
        var failure: ExportError?
        var truncated = false
    }

    static func inflate(_ data: Data, limit: Int) -> Inflated {
        guard let archive = archive_read_new() else { return Inflated(failure: ExportError("gzip: libarchive could not start")) }
        defer { archive_read_free(archive) }
        archive_read_support_filter_gzip(archive)
        archive_read_support_format_raw(archive)
        return data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Inflated in
            func failure(_ what: String) -> ExportError {
                let detail = archive_error_string(archive).map { String(cString: $0) } ?? "unknown error"
                return ExportError("gzip: \(what) (\(detail))")
            }
            guard archive_read_open_memory(archive, bytes.baseAddress, bytes.count) == ARCHIVE_OK else { return Inflated(failure: failure("truncated or damaged stream")) }
            var entry: OpaquePointer?
            guard archive_read_next_header(archive, &entry) == ARCHIVE_OK else { return Inflated(failure: failure("truncated or damaged stream")) }
            var out = Data()
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = chunk.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
                if n == 0 { break }
                if n < 0 { return Inflated(data: out, failure: failure("truncated or damaged stream after \(out.count) bytes"), truncated: true) }
                out.append(contentsOf: chunk[0..<n])
                if out.count > limit { return Inflated(failure: ExportError("gzip: expands beyond \(limit >> 20) MiB; not read")) }
            }
            return Inflated(data: out)
        }
    }
}
