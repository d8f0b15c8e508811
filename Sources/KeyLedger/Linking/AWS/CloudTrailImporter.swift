import Foundation

/// Reads AWS CloudTrail as a linking source, keyed by `userIdentity.accessKeyId`:
///
/// - the S3 delivery layout, `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz`, each file
///   `{"Records":[{event}, …]}` (gzip read natively);
/// - `aws cloudtrail lookup-events --output json`: `{"Events":[{"EventName", …, "CloudTrailEvent": "<event as a JSON
///   string>"}]}`.
///
/// Each event is folded into the `CloudTrailKeyActivity` of its access key (first and last use, addresses, user
/// agents, Bedrock calls per day, the events the LLMjacking signatures look for). Events without an access key
/// (AWS services acting on their own) are passed over. Files are streamed record by record
/// (`loadStreaming(path:)`): memory holds one record and the per-key summaries, whatever the trail's size.
public enum CloudTrailImporter: ExportImporter {
    public static let format = "aws.cloudtrail"
    public static let signature = "JSON object with \"Records\" of CloudTrail events (S3 delivery, .json or .json.gz), "
        + "or \"Events\" with \"CloudTrailEvent\" (lookup-events)"

    /// A record larger than this is skipped and counted (CloudTrail events are a few KB).
    static let maxRecordBytes = 1 << 20

    public static func recognises(_ content: ExportContent) -> Bool {
        guard case .json(let json) = content, let object = json as? [String: Any] else { return false }
        if let records = object["Records"] as? [Any] {
            guard let first = records.first as? [String: Any] else { return records.isEmpty && object.count == 1 }
            return first["eventVersion"] != nil || (first["eventSource"] != nil && first["eventName"] != nil)
        }
        if let events = object["Events"] as? [Any], let first = events.first as? [String: Any] {
            return first["CloudTrailEvent"] != nil
        }
        return false
    }

    public static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        guard case .json(let json) = content, let object = json as? [String: Any] else { throw ExportError("expected a JSON object") }
        var fold = Fold()
        if let records = object["Records"] {
            guard let list = records as? [Any] else { throw CloudExport.at("Records", "expected an array, got \(CloudExport.kind(records))") }
            for element in list { fold.add(element) }
        } else if let events = object["Events"] {
            guard let list = events as? [Any] else { throw CloudExport.at("Events", "expected an array, got \(CloudExport.kind(events))") }
            for element in list { fold.add(element) }
        }
        return fold.bundle(source: source)
    }

    /// Reads a CloudTrail file as a stream, or a gzip-compressed export of any kind; nil when `path` is neither (the
    /// caller then reads it whole). A gzip file that is not a trail is decompressed up to `maxFileSize` bytes and
    /// loaded like any export.
    public static func loadStreaming(path: String, maxFileSize: Int = 256 << 20) -> ExportBundle? {
        // Only regular files: opening a FIFO to peek would block (the whole-file reader reports it).
        guard (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular else { return nil }
        let gzip = ExportByteStream.isGzip(path)
        guard gzip || startsLikeTrail(peek(path)) else { return nil }
        var bundle = ExportBundle()
        let stream: ExportByteStream
        switch ExportByteStream.open(path) {
        case .failure(let error):
            if gzip { return nil }
            bundle.problems.append(Problem(path: path, reason: "unreadable: \(error.message)"))
            return bundle
        case .success(let s): stream = s
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var head: [UInt8] = []
        // Enough of the start to tell a trail from another export.
        while head.count < 4096 {
            let n = stream.next(into: &chunk)
            if n == 0 { break }
            head += chunk[0..<n]
        }
        // Not a trail (a compressed export of another kind, or a stream that fails before its first record): the
        // whole-file reader takes it, with the one gzip reader for every other export (`CompressedExport`).
        guard startsLikeTrail(head) else { return nil }
        var splitter = RecordSplitter(maxRecordBytes: maxRecordBytes)
        var fold = Fold()
        splitter.feed(head[...]) { fold.add(bytes: $0) }
        while true {
            let n = stream.next(into: &chunk)
            if n == 0 { break }
            splitter.feed(chunk[0..<n]) { fold.add(bytes: $0) }
        }
        if let failure = stream.failure {
            bundle.problems.append(Problem(path: path, reason: "\(format): read stopped after \(stream.produced) bytes: \(failure)"))
            return bundle
        }
        guard splitter.depth == 0, splitter.sawArray else {
            bundle.problems.append(Problem(path: path, reason: "\(format): truncated or malformed JSON (no complete \"Records\" or \"Events\" array)"))
            return bundle
        }
        fold.oversized += splitter.oversized
        var read = fold.bundle(source: path)
        read.formats[format, default: 0] += 1
        return read
    }

    /// The first bytes of a plain file.
    static func peek(_ path: String) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        return [UInt8]((try? handle.read(upToCount: 512)) ?? Data())
    }

    /// `{"Records"` or `{"Events"` after optional blanks and byte-order mark: how CloudTrail files and the CLI's
    /// lookup-events output begin.
    static func startsLikeTrail(_ bytes: [UInt8]) -> Bool {
        let blanks: Set<UInt8> = [0x20, 0x0A, 0x0D, 0x09, 0xEF, 0xBB, 0xBF]
        var rest = bytes.drop { blanks.contains($0) }
        guard rest.first == UInt8(ascii: "{") else { return false }
        rest = rest.dropFirst().drop { blanks.contains($0) }
        let text = String(decoding: rest.prefix(10), as: UTF8.self)
        return text.hasPrefix("\"Records\"") || text.hasPrefix("\"Events\"")
    }

    /// Per-key activity as records arrive.
    struct Fold {
        var activity: [String: CloudTrailKeyActivity] = [:]
        var records = 0
        var unreadable = 0
        var oversized = 0

        /// One element of `Records` (an event) or `Events` (a lookup result holding the event as a string).
        mutating func add(_ element: Any) {
            records += 1
            guard var event = element as? [String: Any] else { unreadable += 1; return }
            if let embedded = event["CloudTrailEvent"] as? String {
                guard let inner = try? JSONSerialization.jsonObject(with: Data(embedded.utf8)) as? [String: Any] else { unreadable += 1; return }
                event = inner
            }
            let identity = event["userIdentity"] as? [String: Any]
            // AWS services acting on their own have no access key: not a credential's activity.
            guard let keyId = CloudExport.text(identity?["accessKeyId"]), AWSAccessKeysImporter.isAccessKeyId(keyId) else { return }
            guard let name = CloudExport.text(event["eventName"]), let source = CloudExport.text(event["eventSource"]),
                  let timeText = CloudExport.text(event["eventTime"]), let date = CloudExport.timestamp(timeText) else {
                unreadable += 1
                return
            }
            let time = Int64(date.timeIntervalSince1970)
            let address = CloudExport.text(event["sourceIPAddress"]).flatMap { CloudTrailKeyActivity.isNetworkAddress($0) ? $0 : nil }
            let agent = CloudExport.text(event["userAgent"]).flatMap(CloudTrailKeyActivity.agentProduct)
            let model = CloudExport.text((event["requestParameters"] as? [String: Any])?["modelId"]).map { String($0.prefix(200)) }
            activity[keyId, default: CloudTrailKeyActivity(accessKeyId: keyId, firstUse: time, lastUse: time)]
                .record(name: name, source: source, time: time, principal: CloudExport.text(identity?["arn"]),
                        address: address, agent: agent, model: model)
        }

        mutating func add(bytes: ArraySlice<UInt8>) {
            guard let element = try? JSONSerialization.jsonObject(with: Data(bytes)) else { records += 1; unreadable += 1; return }
            add(element)
        }

        func bundle(source: String) -> ExportBundle {
            var bundle = ExportBundle()
            bundle.keyActivity = activity
            let skipped = unreadable + oversized
            if skipped > 0 {
                var reasons: [String] = []
                if unreadable > 0 { reasons.append("\(unreadable) without a readable eventName, eventSource or eventTime") }
                if oversized > 0 { reasons.append("\(oversized) larger than \(CloudTrailImporter.maxRecordBytes) bytes") }
                bundle.problems.append(Problem(path: source, reason: "\(CloudTrailImporter.format): \(skipped) of \(records + oversized) "
                    + "records skipped (\(reasons.joined(separator: "; "))); the rest were read"))
            }
            return bundle
        }
    }

    /// Cuts the elements of the top-level `"Records"` or `"Events"` array out of a JSON byte stream, one at a time,
    /// without parsing the rest: strings and escapes are tracked so brackets inside them do not count.
    struct RecordSplitter {
        let maxRecordBytes: Int
        private(set) var depth = 0
        private(set) var sawArray = false
        private(set) var oversized = 0
        private var inString = false
        private var escaped = false
        private var expectingKey = false
        private var collectingKey = false
        private var key: [UInt8] = []
        private var inTarget = false
        private var capturing = false
        private var tooLarge = false
        private var record: [UInt8] = []

        init(maxRecordBytes: Int) { self.maxRecordBytes = maxRecordBytes }

        mutating func feed(_ bytes: ArraySlice<UInt8>, emit: (ArraySlice<UInt8>) -> Void) {
            for c in bytes {
                if capturing && !tooLarge {
                    record.append(c)
                    if record.count > maxRecordBytes { tooLarge = true; record = [] }
                }
                if inString {
                    if escaped { escaped = false }
                    else if c == UInt8(ascii: "\\") { escaped = true }
                    else if c == UInt8(ascii: "\"") { inString = false; collectingKey = false }
                    else if collectingKey { key.append(c) }
                    continue
                }
                switch c {
                case UInt8(ascii: "\""):
                    inString = true
                    if depth == 1 && expectingKey { collectingKey = true; key = [] }
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    if depth == 2 && inTarget && !capturing && c == UInt8(ascii: "{") {
                        capturing = true; tooLarge = false; record = [c]
                    }
                    if depth == 1 && c == UInt8(ascii: "[") && (key == Array("Records".utf8) || key == Array("Events".utf8)) {
                        inTarget = true; sawArray = true
                    }
                    depth += 1
                    if depth == 1 { expectingKey = true }
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if capturing && depth == 2 {
                        if tooLarge { oversized += 1 } else { emit(record[...]) }
                        capturing = false; record = []
                    }
                    if depth == 1 { inTarget = false }
                case UInt8(ascii: ":"):
                    if depth == 1 { expectingKey = false }
                case UInt8(ascii: ","):
                    if depth == 1 { expectingKey = true; key = [] }
                default:
                    break
                }
            }
        }
    }
}
