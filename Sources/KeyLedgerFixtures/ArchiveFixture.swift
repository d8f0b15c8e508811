import CLibArchive
import Foundation
import KeyLedger

/// Writes real archives with libarchive's writer, so archive input tests read the same bytes `zip`, `tar`,
/// `gzip` or `docker save` would produce.
public enum ArchiveFixture {
    public enum Format: Sendable {
        case zip, tar, tarGzip, tarBzip2, tarXz, gzipStream, sevenZip
    }

    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    /// An archive holding `members` (path → content), in order.
    public static func make(_ format: Format, members: [(String, [UInt8])]) throws -> [UInt8] {
        guard let archive = archive_write_new() else { throw WriteError(description: "archive_write_new failed") }
        defer { archive_write_free(archive) }
        switch format {
        case .zip: archive_write_set_format_zip(archive)
        case .tar: archive_write_set_format_pax_restricted(archive)
        case .tarGzip: archive_write_set_format_pax_restricted(archive); archive_write_add_filter_gzip(archive)
        case .tarBzip2: archive_write_set_format_pax_restricted(archive); archive_write_add_filter_bzip2(archive)
        case .tarXz: archive_write_set_format_pax_restricted(archive); archive_write_add_filter_xz(archive)
        case .gzipStream: archive_write_set_format_raw(archive); archive_write_add_filter_gzip(archive)
        case .sevenZip: archive_write_set_format_7zip(archive)
        }
        let capacity = members.reduce(1 << 20) { $0 + $1.1.count * 2 + 4096 }
        var buffer = [UInt8](repeating: 0, count: capacity)
        var used = 0
        let status = buffer.withUnsafeMutableBytes { archive_write_open_memory(archive, $0.baseAddress, capacity, &used) }
        guard status == ARCHIVE_OK else { throw WriteError(description: "open: \(String(cString: archive_error_string(archive)))") }
        for (path, content) in members {
            guard let entry = archive_entry_new() else { throw WriteError(description: "archive_entry_new failed") }
            archive_entry_set_pathname(entry, path)
            archive_entry_set_filetype(entry, UInt32(0o100000))
            archive_entry_set_perm(entry, 0o644)
            archive_entry_set_size(entry, la_int64_t(content.count))
            archive_entry_set_mtime(entry, 1_760_000_000, 0)
            guard archive_write_header(archive, entry) == ARCHIVE_OK else {
                archive_entry_free(entry)
                throw WriteError(description: "header: \(String(cString: archive_error_string(archive)))")
            }
            if !content.isEmpty {
                let written = content.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, $0.count) }
                guard written == content.count else { archive_entry_free(entry); throw WriteError(description: "short write") }
            }
            archive_entry_free(entry)
        }
        guard archive_write_close(archive) == ARCHIVE_OK else {
            throw WriteError(description: "close: \(String(cString: archive_error_string(archive)))")
        }
        return Array(buffer[0..<used])
    }

    /// A `docker save`-shaped image tarball (OCI layout: `index.json`, `manifest.json`, `blobs/sha256/<digest>`),
    /// each layer a tar of `files`; returns the tarball and the layer digests in order.
    public static func dockerSave(layers: [[(String, [UInt8])]]) throws -> (tarball: [UInt8], digests: [String]) {
        var members: [(String, [UInt8])] = []
        var digests: [String] = []
        for files in layers {
            let layer = try make(.tar, members: files)
            let digest = SHA256.digest(layer).map { String(format: "%02x", $0) }.joined()
            digests.append(digest)
            members.append(("blobs/sha256/\(digest)", layer))
        }
        let manifest = "[{\"Config\":\"blobs/sha256/cfg\",\"RepoTags\":[\"acme/api:1.4\"],\"Layers\":["
            + digests.map { "\"blobs/sha256/\($0)\"" }.joined(separator: ",") + "]}]"
        members.append(("manifest.json", Array(manifest.utf8)))
        members.append(("index.json", Array("{\"schemaVersion\":2,\"manifests\":[]}".utf8)))
        members.append(("oci-layout", Array("{\"imageLayoutVersion\":\"1.0.0\"}".utf8)))
        return (try make(.tar, members: members), digests)
    }
}
