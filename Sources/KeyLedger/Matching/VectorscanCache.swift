import CVectorscan
import Foundation

/// Compiled Vectorscan databases kept on disk between runs.
///
/// Compiling the built-in rules is most of a small scan's time (about 170 ms of a 250 ms `scan --staged`), and a
/// pre-commit hook pays it on every commit; loading a serialised database takes a few milliseconds (Kingfisher
/// caches its database the same way). A file is keyed by a hash of the patterns, the width cap and the Vectorscan
/// version, so changed rules or a new library simply miss; Vectorscan itself refuses a database built for another
/// platform or version, and a file that does not load is compiled over. Failing to read or write the cache never
/// fails a scan.
struct VectorscanCache: Sendable {
    let directory: String

    static let magic = Array("KLVSDB01".utf8)

    /// `KEYLEDGER_CACHE_DIR`, else `$XDG_CACHE_HOME/keyledger`, else the user's cache folder; nil when
    /// `KEYLEDGER_NO_CACHE` is set or no home is known.
    static var defaultDirectory: String? {
        let env = ProcessInfo.processInfo.environment
        if let off = env["KEYLEDGER_NO_CACHE"], !off.isEmpty, off != "0" { return nil }
        if let dir = env["KEYLEDGER_CACHE_DIR"], !dir.isEmpty { return dir }
        if let xdg = env["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/keyledger" }
        guard let home = env["HOME"], !home.isEmpty else { return nil }
        #if os(macOS)
        return home + "/Library/Caches/keyledger"
        #else
        return home + "/.cache/keyledger"
        #endif
    }

    /// The cache file of this set of patterns.
    func file(patterns: [String], widthCap: Int) -> String {
        let version = String(cString: hs_version())
        let key = SHA256.hex(([version, String(widthCap)] + patterns).joined(separator: "\u{0}"))
        return directory + "/vectorscan-" + key.prefix(32) + ".db"
    }

    /// The database and per-pattern widths stored for `patterns`, when a usable file is there.
    func load(patterns: [String], widthCap: Int) -> (database: OpaquePointer, widths: [Int])? {
        guard let data = FileManager.default.contents(atPath: file(patterns: patterns, widthCap: widthCap)) else { return nil }
        return data.withUnsafeBytes { raw -> (OpaquePointer, [Int])? in
            let header = Self.magic.count + 4 + 4 * patterns.count
            guard raw.count > header, raw.starts(with: Self.magic),
                  Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: Self.magic.count, as: UInt32.self))) == patterns.count
            else { return nil }
            let widths = (0..<patterns.count).map {
                Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: Self.magic.count + 4 + 4 * $0, as: UInt32.self)))
            }
            let body = UnsafeRawBufferPointer(rebasing: raw[header...])
            var database: OpaquePointer?
            guard hs_deserialize_database(body.baseAddress!.assumingMemoryBound(to: CChar.self), body.count, &database) == HS_SUCCESS,
                  let database else { return nil }
            return (database, widths)
        }
    }

    /// Writes `database` for `patterns`, atomically (a half-written file is never read).
    func store(_ database: OpaquePointer, widths: [Int], patterns: [String], widthCap: Int) {
        var bytes: UnsafeMutablePointer<CChar>?
        var length = 0
        guard hs_serialize_database(database, &bytes, &length) == HS_SUCCESS, let bytes else { return }
        defer { free(bytes) }
        var data = Data(Self.magic)
        withUnsafeBytes(of: UInt32(widths.count).littleEndian) { data.append(contentsOf: $0) }
        for width in widths { withUnsafeBytes(of: UInt32(clamping: width).littleEndian) { data.append(contentsOf: $0) } }
        data.append(UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self), count: length)
        let target = file(patterns: patterns, widthCap: widthCap)
        let temporary = target + ".\(getpid()).tmp"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            try data.write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, target) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            return
        }
        removeStale(keeping: target)
    }

    /// Databases of earlier rule sets or library versions, untouched for 30 days, are removed when a new one is
    /// written, so upgrades do not pile files up.
    func removeStale(keeping kept: String) {
        let monthAgo = Date().addingTimeInterval(-30 * 86_400)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        where name.hasPrefix("vectorscan-") && name.hasSuffix(".db") {
            let path = directory + "/" + name
            guard path != kept, let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                  modified < monthAgo else { continue }
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}
