import Foundation

/// Exports delivered compressed: AWS Data Exports write CUR 2.0 as `.csv.gz` by default (gzip; also Parquet, which is not
/// read — Debian has no maintained C Parquet reader keyledger could link). A gzip stream is recognised by its bytes
/// (`1f 8b`), never the file name, and inflated through libarchive's raw format, up to the export size limit.
enum CompressedExport {
    static func isGzip(_ data: Data) -> Bool { data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B }

    /// What a gzip stream inflated to. A stream cut short or damaged after some output (`truncated`) keeps that output
    /// with its error, so the complete rows before the cut can still be read (issue 11); one that expands beyond
    /// `limit` keeps nothing (a compression bomb is not read in part).
    struct Inflated {
        var data = Data()
        var failure: ExportError?
        var truncated = false
    }

    /// Inflates through the one libarchive reader exports use (`ExportByteStream`, over memory here).
    static func inflate(_ data: Data, limit: Int) -> Inflated {
        let result = ExportByteStream.withStream(over: data) { stream -> Inflated in
            var out = Data()
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = stream.next(into: &chunk)
                if n == 0 { break }
                out.append(contentsOf: chunk[0..<n])
                if out.count > limit { return Inflated(failure: ExportError("gzip: expands beyond \(limit >> 20) MiB; not read")) }
            }
            if let failure = stream.failure {
                return Inflated(data: out, failure: ExportError("gzip: truncated or damaged stream after \(out.count) bytes (\(failure))"),
                                truncated: true)
            }
            return Inflated(data: out)
        }
        switch result {
        case .success(let inflated): return inflated
        case .failure(let error): return Inflated(failure: ExportError("gzip: truncated or damaged stream (\(error.message))"))
        }
    }
}
