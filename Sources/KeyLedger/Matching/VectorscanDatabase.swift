import CVectorscan
import Foundation

/// All rule patterns compiled once into one Vectorscan block-mode database.
/// Matching reports only (pattern id, end offset); the capture regex then runs on a small window.
final class VectorscanDatabase: @unchecked Sendable {
    // The compiled database is immutable and may be shared by all threads; each thread needs its own scratch.
    private let database: OpaquePointer
    private let prototypeScratch: OpaquePointer
    /// Longest possible match per pattern (capped), used to size the look-back window.
    let maxWidths: [Int]

    struct CompileFailure: Error { var index: Int; var message: String }

    /// Patterns that report where each match starts (`HS_FLAG_SOM_LEFTMOST`): rule leads, whose regex then runs
    /// anchored at each start.
    let leftmost: [Bool]
    /// What the cache keys this database by: the patterns, marked where compiled with start-of-match reporting.
    let cacheKey: [String]

    /// Compiles `patterns` (or loads them from `cache` when they were compiled before); pattern `i` reports id `i`.
    init(patterns: [String], leftmost: Set<Int> = [], widthCap: Int, cache: VectorscanCache? = nil) throws {
        let compiled: (database: OpaquePointer, widths: [Int])
        // The cache is keyed by what was compiled, flags included.
        let key = patterns.enumerated().map { leftmost.contains($0.offset) ? "\u{1}som\u{1}" + $0.element : $0.element }
        if let cached = cache?.load(patterns: key, widthCap: widthCap) {
            compiled = cached
        } else {
            compiled = try Self.compile(patterns, leftmost: leftmost, widthCap: widthCap)
            cache?.store(compiled.database, widths: compiled.widths, patterns: key, widthCap: widthCap)
        }
        database = compiled.database
        maxWidths = compiled.widths
        self.leftmost = patterns.indices.map { leftmost.contains($0) }
        cacheKey = key
        var scratch: OpaquePointer?
        guard hs_alloc_scratch(compiled.database, &scratch) == HS_SUCCESS, let scratch else {
            hs_free_database(compiled.database)
            throw CompileFailure(index: -1, message: "cannot allocate Vectorscan scratch space")
        }
        prototypeScratch = scratch
    }

    /// Compiles `patterns` into one block-mode database and measures each one's longest match.
    static func compile(_ patterns: [String], leftmost: Set<Int> = [], widthCap: Int) throws -> (database: OpaquePointer, widths: [Int]) {
        var flags: [UInt32] = []
        var widths: [Int] = []
        for (i, pattern) in patterns.enumerated() {
            var chosen: UInt32 = 0
            var info: UnsafeMutablePointer<hs_expr_info_t>?
            var error: UnsafeMutablePointer<hs_compile_error_t>?
            var result = hs_expression_info(pattern, chosen, &info, &error)
            if result != HS_SUCCESS {
                hs_free_compile_error(error)
                // Constructs Vectorscan lacks (rare in our dialect) compile as a superset; the ICU regex decides.
                chosen = UInt32(HS_FLAG_PREFILTER)
                result = hs_expression_info(pattern, chosen, &info, &error)
                if result != HS_SUCCESS {
                    let message = error.map { String(cString: $0.pointee.message) } ?? "unknown error"
                    hs_free_compile_error(error)
                    throw CompileFailure(index: i, message: message)
                }
            }
            let maxWidth = info.map { Int($0.pointee.max_width) } ?? Int(UInt32.max)
            free(info)
            widths.append(maxWidth >= Int(UInt32.max) || maxWidth <= 0 ? widthCap : min(maxWidth, widthCap))
            flags.append(leftmost.contains(i) && chosen == 0 ? UInt32(HS_FLAG_SOM_LEFTMOST) : chosen)
        }
        var db: OpaquePointer?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let cStrings = patterns.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let ids = (0..<patterns.count).map { UInt32($0) }
        let status = cStrings.withUnsafeBufferPointer { exprs in
            flags.withUnsafeBufferPointer { flagBuf in
                ids.withUnsafeBufferPointer { idBuf in
                    exprs.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: exprs.count) { exprPtr in
                        hs_compile_multi(exprPtr, flagBuf.baseAddress, idBuf.baseAddress, UInt32(patterns.count),
                                         UInt32(HS_MODE_BLOCK), nil, &db, &error)
                    }
                }
            }
        }
        guard status == HS_SUCCESS, let db else {
            let message = error.map { String(cString: $0.pointee.message) } ?? "status \(status)"
            let index = error.map { Int($0.pointee.expression) } ?? -1
            hs_free_compile_error(error)
            throw CompileFailure(index: index, message: message)
        }
        return (db, widths)
    }

    /// The longest match of `pattern` (Vectorscan's analysis, no compile), or nil when the pattern is not valid for
    /// Vectorscan or its matches are unbounded.
    static func maxWidth(of pattern: String) -> Int? { widths(of: pattern)?.max }

    /// The shortest and longest match of `pattern`, or nil when it is not valid for Vectorscan or unbounded.
    static func widths(of pattern: String) -> (min: Int, max: Int)? {
        var info: UnsafeMutablePointer<hs_expr_info_t>?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        guard hs_expression_info(pattern, 0, &info, &error) == HS_SUCCESS, let info else {
            hs_free_compile_error(error)
            return nil
        }
        defer { free(info) }
        let upper = Int(info.pointee.max_width)
        guard upper < Int(UInt32.max), upper > 0 else { return nil }
        return (Int(info.pointee.min_width), upper)
    }

    /// Why Vectorscan rejects `pattern` on its own, or nil when it compiles (the check imported rules pass before use).
    static func rejection(of pattern: String) -> String? {
        do {
            let compiled = try compile([pattern], widthCap: 8192)
            hs_free_database(compiled.database)
            return nil
        } catch let failure as CompileFailure {
            return failure.message
        } catch {
            return "\(error)"
        }
    }

    deinit {
        hs_free_scratch(prototypeScratch)
        hs_free_database(database)
    }

    /// Per-thread scratch space.
    final class Scratch: @unchecked Sendable {
        let pointer: OpaquePointer
        init(_ pointer: OpaquePointer) { self.pointer = pointer }
        deinit { hs_free_scratch(pointer) }
    }

    func makeScratch() -> Scratch {
        var clone: OpaquePointer?
        hs_clone_scratch(prototypeScratch, &clone)
        return Scratch(clone!)
    }

    /// Collected hits of one scan as runs: for each pattern, consecutive end offsets closer than `gap` bytes
    /// collapse into one run `(id, first end, last end)`, so unbounded patterns (one report per extra character)
    /// and dense files stay small. Past `limit` runs, every further hit extends its pattern's last run instead of
    /// stopping the scan: memory stays bounded and nothing after the limit goes unscanned.
    final class Hits {
        var ids: [UInt32] = []
        var firstEnds: [Int] = []
        var lastEnds: [Int] = []
        /// Match starts of leftmost patterns (each one, up to `limit`; past it they collapse into runs too).
        var startIds: [UInt32] = []
        var starts: [Int] = []
        var leftmost: [Bool] = []
        /// Per pattern id, the index of its latest run, or -1.
        var lastRun: [Int] = []
        let gap = 256
        let limit = 100_000

        func reset(patterns: Int, leftmost: [Bool]) {
            if self.leftmost.count != leftmost.count { self.leftmost = leftmost }
            startIds.removeAll(keepingCapacity: true)
            starts.removeAll(keepingCapacity: true)
            ids.removeAll(keepingCapacity: true)
            firstEnds.removeAll(keepingCapacity: true)
            lastEnds.removeAll(keepingCapacity: true)
            if lastRun.count != patterns { lastRun = Array(repeating: -1, count: patterns) } else {
                for i in lastRun.indices { lastRun[i] = -1 }
            }
        }

        @inline(__always) func add(_ id: UInt32, from: Int, _ end: Int) {
            if leftmost[Int(id)], starts.count < limit {
                startIds.append(id)
                starts.append(from)
                return
            }
            let run = lastRun[Int(id)]
            if run >= 0, end - lastEnds[run] <= gap || ids.count >= limit {
                lastEnds[run] = end
                return
            }
            lastRun[Int(id)] = ids.count
            ids.append(id)
            firstEnds.append(end)
            lastEnds.append(end)
        }
    }

    /// Runs the database over `bytes` and collects every hit as runs (see `Hits`).
    func scan(_ bytes: UnsafeRawBufferPointer, scratch: Scratch, into hits: Hits) {
        hits.reset(patterns: maxWidths.count, leftmost: leftmost)
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let context = Unmanaged.passUnretained(hits).toOpaque()
        // The callback never asks to stop, so HS_SCAN_TERMINATED cannot occur; any other error means the buffer
        // was not (fully) scanned, which the caller cannot recover from — it is a programming error.
        let status = hs_scan(database, base.assumingMemoryBound(to: CChar.self), UInt32(bytes.count), 0, scratch.pointer, { id, from, to, _, ctx in
            Unmanaged<Hits>.fromOpaque(ctx!).takeUnretainedValue().add(id, from: Int(from), Int(to))
            return 0
        }, context)
        assert(status == HS_SUCCESS, "hs_scan failed with status \(status)")
    }
}
