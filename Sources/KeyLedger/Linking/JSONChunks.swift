import Foundation

/// Parses a large JSON export a slice at a time.
///
/// Provider exports keep their bulk in one array — `{"object":"page","data":[…],"has_more":…}` from the OpenAI and
/// Anthropic admin APIs, a top-level `[…]` of LiteLLM spend logs. Parsed whole, Foundation's object tree costs about
/// twenty times the file (a 250 MB cost export took 4.8 GB). Here the bytes are scanned once for the bulk array's
/// element boundaries (strings and nesting respected, nothing decoded), and documents of the same shape holding a few
/// megabytes of elements each are parsed and read one after another: the peak is one slice's tree, not the file's.
enum JSONChunks {
    /// Files at least this large are read in slices (smaller ones are parsed whole, as before).
    static let threshold = 32 << 20
    /// About how many bytes of array elements one slice holds.
    static let sliceBytes = 4 << 20

    /// Where the bulk sits: the raw bytes of the other members of the top-level object (each `"key": value`),
    /// the bulk member's raw key (nil for a top-level array) and its elements' ranges.
    struct Plan {
        var members: [Range<Int>] = []
        var bulkKey: Range<Int>?
        var elements: [Range<Int>] = []
    }

    /// The plan of `bytes`, or nil when the document has no such shape or is not well-formed JSON at this level
    /// (the caller then parses it whole, which reports what is wrong).
    static func plan(_ b: UnsafeRawBufferPointer) -> Plan? {
        var i = skipSpace(b, 0)
        // A UTF-8 byte-order mark.
        if i + 2 < b.count, b[i] == 0xEF, b[i + 1] == 0xBB, b[i + 2] == 0xBF { i = skipSpace(b, i + 3) }
        guard i < b.count else { return nil }
        if b[i] == UInt8(ascii: "[") {
            guard let (elements, end) = arrayElements(b, i), skipSpace(b, end) == b.count else { return nil }
            return Plan(members: [], bulkKey: nil, elements: elements)
        }
        guard b[i] == UInt8(ascii: "{") else { return nil }
        i = skipSpace(b, i + 1)
        var members: [(key: Range<Int>, whole: Range<Int>, array: [Range<Int>]?)] = []
        while i < b.count, b[i] != UInt8(ascii: "}") {
            guard b[i] == UInt8(ascii: "\""), let keyEnd = skipString(b, i) else { return nil }
            let key = i..<keyEnd
            i = skipSpace(b, keyEnd)
            guard i < b.count, b[i] == UInt8(ascii: ":") else { return nil }
            i = skipSpace(b, i + 1)
            guard i < b.count else { return nil }
            let end: Int
            var array: [Range<Int>]?
            if b[i] == UInt8(ascii: "[") {
                guard let (elements, e) = arrayElements(b, i) else { return nil }
                array = elements
                end = e
            } else {
                guard let e = skipValue(b, i) else { return nil }
                end = e
            }
            members.append((key, key.lowerBound..<end, array))
            i = skipSpace(b, end)
            if i < b.count, b[i] == UInt8(ascii: ",") { i = skipSpace(b, i + 1) }
        }
        guard i < b.count, skipSpace(b, i + 1) == b.count else { return nil }
        // The bulk is the largest array member.
        guard let bulk = members.indices.filter({ members[$0].array != nil })
            .max(by: { members[$0].whole.count < members[$1].whole.count }) else { return nil }
        return Plan(members: members.indices.filter { $0 != bulk }.map { members[$0].whole },
                    bulkKey: members[bulk].key, elements: members[bulk].array ?? [])
    }

    /// The slices of `plan` as standalone documents of the original shape, `sliceBytes` of elements each.
    static func slices(of plan: Plan, in b: UnsafeRawBufferPointer, sliceBytes: Int = sliceBytes) -> [[Range<Int>]] {
        var out: [[Range<Int>]] = []
        var current: [Range<Int>] = []
        var size = 0
        for element in plan.elements {
            current.append(element)
            size += element.count
            if size >= sliceBytes { out.append(current); current = []; size = 0 }
        }
        if !current.isEmpty || out.isEmpty { out.append(current) }
        return out
    }

    /// One slice as JSON bytes: `{<other members>, <bulk key>: [elements…]}` or `[elements…]`.
    static func document(_ plan: Plan, elements: [Range<Int>], in b: UnsafeRawBufferPointer) -> Data {
        var out = Data()
        out.reserveCapacity(elements.reduce(64) { $0 + $1.count + 1 } + plan.members.reduce(0) { $0 + $1.count + 1 })
        func append(_ r: Range<Int>) { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[r])) }
        if let key = plan.bulkKey {
            out.append(UInt8(ascii: "{"))
            for m in plan.members { append(m); out.append(UInt8(ascii: ",")) }
            append(key)
            out.append(contentsOf: Array(":".utf8))
        }
        out.append(UInt8(ascii: "["))
        for (n, e) in elements.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            append(e)
        }
        out.append(UInt8(ascii: "]"))
        if plan.bulkKey != nil { out.append(UInt8(ascii: "}")) }
        return out
    }

    // MARK: - Lexing (boundaries only; nothing is decoded)

    static func skipSpace(_ b: UnsafeRawBufferPointer, _ start: Int) -> Int {
        var i = start
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        return i
    }

    /// End (exclusive) of the string starting at `start` (a quote).
    static func skipString(_ b: UnsafeRawBufferPointer, _ start: Int) -> Int? {
        var i = start + 1
        while i < b.count {
            switch b[i] {
            case UInt8(ascii: "\\"): i += 2
            case UInt8(ascii: "\""): return i + 1
            default: i += 1
            }
        }
        return nil
    }

    /// End (exclusive) of the value starting at `start`.
    static func skipValue(_ b: UnsafeRawBufferPointer, _ start: Int) -> Int? {
        guard start < b.count else { return nil }
        switch b[start] {
        case UInt8(ascii: "\""):
            return skipString(b, start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var i = start
            while i < b.count {
                switch b[i] {
                case UInt8(ascii: "\""):
                    guard let end = skipString(b, i) else { return nil }
                    i = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default: break
                }
                i += 1
            }
            return nil
        default:
            var i = start
            while i < b.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09].contains(b[i]) { i += 1 }
            return i > start ? i : nil
        }
    }

    /// The element ranges of the array starting at `start`, and the array's end.
    static func arrayElements(_ b: UnsafeRawBufferPointer, _ start: Int) -> ([Range<Int>], Int)? {
        var elements: [Range<Int>] = []
        var i = skipSpace(b, start + 1)
        while i < b.count, b[i] != UInt8(ascii: "]") {
            guard let end = skipValue(b, i) else { return nil }
            elements.append(i..<end)
            i = skipSpace(b, end)
            if i < b.count, b[i] == UInt8(ascii: ",") { i = skipSpace(b, i + 1) } else if i < b.count, b[i] != UInt8(ascii: "]") { return nil }
        }
        guard i < b.count else { return nil }
        return (elements, i + 1)
    }
}
