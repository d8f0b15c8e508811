import Foundation

/// How an endpoint says where its next page is.
enum CollectPaging {
    /// One answer holds everything.
    case single
    /// `has_more: true` and an object id (`last_id`) sent back as `param` (`after`, `after_id`): the list endpoints.
    case cursor(param: String, field: String)
    /// `has_more: true` and an opaque `next_page` sent back as `page`: the usage and cost reports.
    case nextPage
    /// Pages numbered from 1 in `param`, until `total_pages` (LiteLLM).
    case numbered(param: String)
}

/// What reading one endpoint came to.
enum CollectEndpointResult {
    /// Every page, parsed.
    case pages([Any])
    /// The endpoint does not exist on this server (404), when the caller has another way.
    case notFound
    case failed
}

/// One run's state: the client, the provider's folder, the tallies and failures.
final class CollectSession {
    let request: CollectRequest
    let client: CollectClient
    let folder: String
    var summary: CollectSummary
    /// After a 401 (the key is refused everywhere) or an unreachable host: no further calls.
    private(set) var stopped = false
    /// Pages written per file stem, for removing an earlier pull's extra pages.
    private var written: [String: Int] = [:]
    /// Pages per endpoint at most: a server whose cursor never ends cannot hold the run forever.
    static let maxPages = 10_000

    init(_ request: CollectRequest) {
        self.request = request
        let progress = request.progress
        let provider = request.provider.rawValue
        client = CollectClient(transport: request.transport, policy: request.policy,
                               sleep: { Thread.sleep(forTimeInterval: $0) }, unit: { Double.random(in: 0..<1) }, now: request.now,
                               retrying: { attempt, reason, wait in
                                   progress?("\(provider): \(reason); retrying in \(String(format: "%.1f", wait))s (attempt \(attempt + 1))")
                               })
        folder = (request.outputFolder.hasSuffix("/") ? String(request.outputFolder.dropLast()) : request.outputFolder) + "/" + provider
        let today = request.now()
        summary = CollectSummary(provider: request.provider, since: ISODate.day(request.period.since),
                                 until: ISODate.day(request.period.lastDay(today: today)), folder: folder)
    }

    /// Reads one endpoint to its end, writing each page as `<name>-page-NNNN.json`. `stamp` adds top-level string
    /// fields to each saved page (an OpenAI project key page gets the `project_id` its answer does not name). A 404
    /// is `notFound` without a failure when `tolerating404`.
    @discardableResult
    func collect(_ name: String, path: String, query: [(String, String)] = [], paging: CollectPaging,
                 stamp: [(String, String)] = [], tolerating404: Bool = false) -> CollectEndpointResult {
        guard !stopped else { return .failed }
        let stem = Self.fileStem(name)
        var tally = CollectEndpointTally(path: path, name: stem, pages: 0, rows: 0)
        var pages: [Any] = []
        var next: [(String, String)] = []
        if case .numbered(let param) = paging { next = [(param, "1")] }
        var seen: Set<String> = []
        defer {
            if tally.pages > 0 || !tolerating404 || !pages.isEmpty { summary.endpoints.append(tally) }
            // An endpoint that gave no page keeps the earlier pull's pages: they are still one whole pull.
            if tally.pages > 0 { written[stem] = tally.pages }
        }
        while true {
            guard tally.pages < Self.maxPages else { return fail(path, status: nil, "more than \(Self.maxPages) pages; stopped") }
            guard let url = Self.url(request.base, path: path, query: query + next) else { return fail(path, status: nil, "invalid address") }
            request.progress?("\(request.provider.rawValue): \(path) page \(tally.pages + 1)")
            let body: Data
            switch client.get(url, headers: request.provider.headers(for: request.adminKey)) {
            case .failure(let status, let reason, let fatal):
                if status == 404, tolerating404, tally.pages == 0 { return .notFound }
                if fatal { stopped = true; summary.stopped = true }
                return fail(path, status: status, tally.pages > 0 ? "page \(tally.pages + 1): \(reason)" : reason)
            case .body(let data):
                body = data
            }
            guard let json = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]),
                  json is [String: Any] || json is [Any] else {
                return fail(path, status: 200, "page \(tally.pages + 1): the answer is not a JSON object or array")
            }
            // An answer that quotes the admin key (a misconfigured proxy echoing its request) never reaches the disk.
            let scrubbed = Self.scrubbed(body, request.adminKey)
            let saved = stamp.isEmpty ? scrubbed : Self.stamped(scrubbed, stamp)
            let file = String(format: "%@-page-%04d.json", stem, tally.pages + 1)
            do { try Self.writeAtomically(saved, to: folder + "/" + file) } catch {
                return fail(path, status: nil, "cannot write \(folder)/\(file): \(error)")
            }
            summary.files.append(file)
            pages.append(json)
            tally.pages += 1
            tally.rows += Self.rows(json)
            guard let following = Self.next(after: json, paging: paging, page: tally.pages) else { break }
            // A cursor handed out twice would loop for ever.
            let key = following.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
            guard seen.insert(key).inserted else { return fail(path, status: nil, "page \(tally.pages): the API repeated a cursor; stopped") }
            next = following
        }
        return .pages(pages)
    }

    private func fail(_ path: String, status: Int?, _ reason: String) -> CollectEndpointResult {
        summary.failures.append(CollectFailure(path: path, status: status, reason: reason))
        return .failed
    }

    /// Removes, of each endpoint read this run, the pages an earlier pull wrote beyond this run's last: the folder then
    /// holds one pull per endpoint, never this week's first page beside last week's third.
    func finish() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasSuffix(".json") {
            guard let range = name.range(of: "-page-", options: .backwards) else { continue }
            let stem = String(name[..<range.lowerBound])
            let number = name[range.upperBound...].dropLast(".json".count)
            guard let count = written[stem], number.count == 4, let n = Int(number), n > count else { continue }
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
        }
    }

    // MARK: - Pages

    /// The query for the page after `json`, or nil when it was the last.
    static func next(after json: Any, paging: CollectPaging, page: Int) -> [(String, String)]? {
        let object = json as? [String: Any] ?? [:]
        switch paging {
        case .single:
            return nil
        case .cursor(let param, let field):
            guard object["has_more"] as? Bool == true, let cursor = object[field] as? String, !cursor.isEmpty else { return nil }
            return [(param, cursor)]
        case .nextPage:
            guard object["has_more"] as? Bool == true, let cursor = object["next_page"] as? String, !cursor.isEmpty else { return nil }
            return [("page", cursor)]
        case .numbered(let param):
            guard let total = (object["total_pages"] as? NSNumber)?.intValue, page < total, rows(json) > 0 else { return nil }
            return [(param, String(page + 1))]
        }
    }

    /// Rows of a page: the results of its buckets (usage and cost reports), else its list entries or keys.
    static func rows(_ json: Any) -> Int {
        if let array = json as? [Any] { return array.count }
        guard let object = json as? [String: Any] else { return 0 }
        if let data = object["data"] as? [Any] {
            let buckets = data.compactMap { $0 as? [String: Any] }.filter { $0["results"] is [Any] || $0["result"] is [Any] }
            guard !buckets.isEmpty else { return data.count }
            return buckets.reduce(0) { $0 + ((($1["results"] ?? $1["result"]) as? [Any])?.count ?? 0) }
        }
        if let keys = object["keys"] as? [Any] { return keys.count }
        return 0
    }

    /// `base` + `path` + the query, each name and value percent-encoded (`group_by[]` → `group_by%5B%5D`).
    static func url(_ base: URL, path: String, query: [(String, String)]) -> URL? {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        func encode(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s }
        let text = query.isEmpty ? "" : "?" + query.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
        return URL(string: base.absoluteString + path + text)
    }

    /// An id from an answer as one path segment: percent-encoded, and `.`/`..` encoded too (an HTTP stack would
    /// otherwise fold `/projects/..` into its parent and ask another endpoint).
    static func segment(_ id: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = id.addingPercentEncoding(withAllowedCharacters: allowed) ?? id
        return encoded.allSatisfy({ $0 == "." }) ? String(repeating: "%2E", count: encoded.count) : encoded
    }

    /// A file stem of letters, digits, `-`, `_` and `.` only (ids from answers become part of names). A name that had
    /// to be changed or cut gets the first 8 hex digits of its SHA-256, so two ids never share a file (`proj_é` and
    /// `proj_ü` both read `proj__`).
    static func fileStem(_ name: String) -> String {
        let kept = String(name.unicodeScalars.map { scalar -> Character in
            let c = Character(scalar)
            return (c.isASCII && (c.isLetter || c.isNumber)) || c == "-" || c == "_" || c == "." ? c : "_"
        }.prefix(100))
        guard kept != name || kept.hasPrefix(".") else { return kept }
        return (kept.hasPrefix(".") ? "_" + kept.dropFirst() : kept) + "-" + String(SHA256.hex(name).prefix(8))
    }

    /// The answer with `fields` added at the front of its top-level object, the rest byte for byte as received.
    static func stamped(_ body: Data, _ fields: [(String, String)]) -> Data {
        guard let open = body.firstIndex(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }), body[open] == UInt8(ascii: "{"),
              let encoded = try? JSONSerialization.data(withJSONObject: Dictionary(fields, uniquingKeysWith: { a, _ in a }), options: [.sortedKeys])
        else { return body }
        // `{"project_id":"…"}` without its braces, then a comma unless the object is empty.
        var inner = encoded.dropFirst().dropLast()
        let rest = body[body.index(after: open)...]
        let empty = rest.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) } == UInt8(ascii: "}")
        if !empty { inner.append(UInt8(ascii: ",")) }
        return body[...open] + inner + rest
    }

    /// `body` with every occurrence of `key` replaced by its redacted form — as bytes, and in every JSON string once
    /// decoded (an echo written `\u0073k-admin-…` or with `\/` escapes is the key once read): such a page is saved
    /// re-serialised with the key replaced in each string.
    static func scrubbed(_ body: Data, _ key: Secret) -> Data {
        let needle = Data(key.value.utf8)
        guard !needle.isEmpty else { return body }
        var out = body
        if body.range(of: needle) != nil {
            out = Data()
            var rest = body[...]
            while let hit = rest.range(of: needle) {
                out += rest[..<hit.lowerBound]
                out += Data(key.redacted.utf8)
                rest = rest[hit.upperBound...]
            }
            out += rest
        }
        // Escapes only hide the key from a byte search when the page has a backslash at all.
        guard out.contains(0x5C), let json = try? JSONSerialization.jsonObject(with: out, options: [.fragmentsAllowed]) else { return out }
        var found = false
        func clean(_ value: Any) -> Any {
            if let s = value as? String {
                guard s.contains(key.value) else { return s }
                found = true
                return s.replacingOccurrences(of: key.value, with: key.redacted)
            }
            if let a = value as? [Any] { return a.map(clean) }
            if let d = value as? [String: Any] {
                var o: [String: Any] = [:]
                for (k, v) in d { o[clean(k) as? String ?? k] = clean(v) }
                return o
            }
            return value
        }
        let cleaned = clean(json)
        guard found else { return out }
        return (try? JSONSerialization.data(withJSONObject: cleaned, options: [.fragmentsAllowed, .sortedKeys])) ?? Data(key.redacted.utf8)
    }

    /// Writes to a hidden temporary file beside `path`, then renames it over `path`: a reader (or a run killed
    /// mid-write) never sees half a page, and `scan --exports` skips the hidden name.
    static func writeAtomically(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).partial")
        do {
            try data.write(to: temporary)
            guard rename(temporary.path, path) == 0 else { throw CollectError(String(cString: strerror(errno))) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}
