import Foundation

/// Credentials a team has looked at and accepted, for now: a reviewable JSON file keyed by fingerprint (never the
/// secret), each entry with why (`reason`), who answers for it (`owner`) and until when (`expires`).
///
/// `scan --baseline FILE` keeps accepted credentials in the register with `status: suppressed` — governance must see
/// accepted risk — without failing the run; an expired entry counts as open again (NIST CSF 2.0 ID.RA-07: exceptions
/// are recorded and tracked). Written with sorted keys and one entry per fingerprint so a change reads well in review.
public struct Baseline: Codable, Sendable, Equatable {
    public static let schemaID = "keyledger.baseline/v1"
    /// Days an acceptance lasts unless `--expires` says otherwise.
    public static let defaultExpiryDays = 90
    /// The longest acceptance `--expires` may ask for: ten years. An accepted risk is reviewed well within that, and the
    /// bound keeps day arithmetic far from overflow (`--expires 9223372036854775807` trapped) and every expiry a
    /// four-digit-year day that `load` reads back.
    public static let maxExpiryDays = 3650
    /// The last day a baseline file can hold (`YYYY-MM-DD` has four digits of year).
    public static let lastDay = "9999-12-31"

    /// The day `days` days after `asOf`, or nil when `days` is outside 1…`maxExpiryDays` or the day would fall after
    /// 9999-12-31. Never traps, whatever the inputs.
    public static func expiryDay(asOf: Date, days: Int) -> String? {
        guard (1...maxExpiryDays).contains(days), asOf.timeIntervalSince1970.isFinite else { return nil }
        let seconds = asOf.timeIntervalSince1970.rounded(.down) + Double(days) * 86_400
        // 253402300800 = 10000-01-01T00:00:00Z.
        guard seconds >= 0, seconds < 253_402_300_800 else { return nil }
        return ISODate.day(Int64(seconds))
    }

    public var schema: String = Baseline.schemaID
    /// Accepted credentials by fingerprint (`sha256:` + hex).
    public var credentials: [String: Entry]

    /// One accepted credential.
    public struct Entry: Codable, Sendable, Equatable {
        /// The credential's redacted form and rule, so a reviewer can tell which key this is.
        public var redacted: String
        public var provider: String
        public var rule: String?
        /// Repository-relative paths where it was when last recorded; a location elsewhere is listed as new.
        public var paths: [String]
        public var reason: String
        public var owner: String
        /// `YYYY-MM-DD`: from this day on the credential counts as open again.
        public var expires: String
        /// Day of the baseline run that first recorded it, and of the latest one that still found it.
        public var firstSeen: String
        public var lastSeen: String

        enum CodingKeys: String, CodingKey {
            case redacted, provider, rule, paths, reason, owner, expires
            case firstSeen = "first_seen"
            case lastSeen = "last_seen"
        }

        public init(redacted: String, provider: String, rule: String?, paths: [String], reason: String, owner: String,
                    expires: String, firstSeen: String, lastSeen: String) {
            self.redacted = redacted; self.provider = provider; self.rule = rule; self.paths = paths; self.reason = reason
            self.owner = owner; self.expires = expires; self.firstSeen = firstSeen; self.lastSeen = lastSeen
        }

        /// Whether the acceptance has run out on `day` (`YYYY-MM-DD`; an unreadable date counts as expired).
        public func isExpired(on day: String) -> Bool {
            guard ISODate.parse(expires) != nil else { return true }
            return expires <= day
        }
    }

    public init(credentials: [String: Entry] = [:]) { self.credentials = credentials }

    /// What to write into entries a run adds: `reason` and `owner` when given, else the documented defaults.
    public struct Defaults: Sendable {
        public var reason: String?
        public var owner: String?
        public var expiresInDays: Int
        public init(reason: String? = nil, owner: String? = nil, expiresInDays: Int = Baseline.defaultExpiryDays) {
            self.reason = reason; self.owner = owner; self.expiresInDays = expiresInDays
        }
    }

    /// A baseline of every open credential of `register` found in a scanned source.
    public static func record(_ register: Register, defaults: Defaults = Defaults(), asOf: Date) -> Baseline {
        Baseline().updated(with: register, defaults: defaults, asOf: asOf).baseline
    }

    /// What an update did, for the command's summary line.
    public struct UpdateSummary: Sendable, Equatable {
        public var kept = 0
        public var added = 0
        public var dropped = 0
    }

    /// This baseline brought up to `register`: entries still found keep their reason, owner, expiry and first day
    /// (their paths and last day are refreshed), entries no longer found are dropped, new credentials are added
    /// with `defaults`.
    public func updated(with register: Register, defaults: Defaults = Defaults(), asOf: Date) -> (baseline: Baseline, summary: UpdateSummary) {
        let today = ISODate.day(asOf)
        // The command refuses what `expiryDay` cannot compute; a library caller's absurd value is bounded, not trapped on.
        let days = min(max(defaults.expiresInDays, 1), Baseline.maxExpiryDays)
        let expires = Baseline.expiryDay(asOf: asOf, days: days) ?? Baseline.lastDay
        var next = Baseline()
        var summary = UpdateSummary()
        for record in register.credentials {
            // Provider-listed keys no source holds, and lines allowed in the source, need no acceptance here.
            guard let fingerprint = record.fingerprint, !record.locations.isEmpty, record.status != .allowed else { continue }
            let paths = Array(Set(record.locations.map(\.path))).sorted()
            if var entry = credentials[fingerprint] {
                entry.paths = paths
                entry.lastSeen = today
                entry.redacted = record.redacted
                next.credentials[fingerprint] = entry
                summary.kept += 1
            } else {
                let owner = defaults.owner ?? record.owner.team ?? record.owner.contact ?? "unassigned"
                let reason = defaults.reason ?? "recorded by keyledger baseline on \(today); say why it is accepted"
                next.credentials[fingerprint] = Entry(
                    redacted: record.redacted, provider: record.provider, rule: record.rule, paths: paths,
                    reason: reason, owner: owner, expires: expires, firstSeen: today, lastSeen: today)
                summary.added += 1
            }
        }
        summary.dropped = credentials.keys.filter { next.credentials[$0] == nil }.count
        return (next, summary)
    }

    // MARK: File

    /// A baseline file that cannot be used, with its path and what is wrong.
    public struct FileError: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    /// Reads and checks a baseline file.
    public static func load(path: String) throws -> Baseline {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw FileError(path: path, message: "cannot read the baseline (\(error.localizedDescription))")
        }
        let baseline: Baseline
        do { baseline = try JSONDecoder().decode(Baseline.self, from: data) } catch let error as DecodingError {
            throw FileError(path: path, message: "not a keyledger baseline: \(Self.explain(error))")
        }
        guard baseline.schema == schemaID else {
            // The value is not repeated: a file can hold anything there.
            throw FileError(path: path, message: "schema is not '\(schemaID)'")
        }
        for (index, (fingerprint, entry)) in baseline.credentials.sorted(by: { $0.key < $1.key }).enumerated() {
            // An entry is named by its fingerprint, shortened; a key that is not one is named by its place only (it could
            // be a secret pasted in by hand), and the redacted form only when it looks redacted.
            guard isFingerprint(fingerprint) else {
                throw FileError(path: path, message: "credentials entry \(index + 1) (in sorted order) is not keyed by a fingerprint "
                    + "(sha256: and 64 lower-case hex digits; key not shown)")
            }
            var name = String(fingerprint.prefix(19)) + "…"
            if entry.redacted.contains("…"), entry.redacted.count <= 24 { name += " (\(entry.redacted))" }
            for (field, value) in [("expires", entry.expires), ("first_seen", entry.firstSeen), ("last_seen", entry.lastSeen)]
            where !isDay(value) {
                throw FileError(path: path, message: "\(name): \(field) must be a day from 1970-01-01 to \(lastDay) written "
                    + "YYYY-MM-DD, like 2027-02-18 (value not shown)")
            }
            if entry.reason.trimmingCharacters(in: .whitespaces).isEmpty {
                throw FileError(path: path, message: "\(name): reason is empty; say why the credential is accepted")
            }
        }
        return baseline
    }

    static func isFingerprint(_ text: String) -> Bool {
        text.hasPrefix("sha256:") && text.utf8.count == 71
            && text.utf8.dropFirst(7).allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// `YYYY-MM-DD`, a real calendar day from 1970-01-01 to 9999-12-31.
    static func isDay(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              b.enumerated().allSatisfy({ $0.offset == 4 || $0.offset == 7 || ($0.element >= 48 && $0.element <= 57) }),
              text >= "1970-01-01", let date = ISODate.parse(text) else { return false }
        return ISODate.day(date) == text
    }

    /// The baseline as written to disk: pretty-printed, keys sorted, slashes unescaped, one trailing newline.
    public func rendered() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    public func write(to path: String) throws {
        do { try OutputWriter.write(rendered(), to: path) } catch let failure as OutputWriter.Failure {
            throw FileError(path: path, message: "cannot write the baseline: \(failure.message)")
        }
    }

    private static func explain(_ error: DecodingError) -> String {
        func place(_ path: [CodingKey]) -> String {
            path.isEmpty ? "the top level" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(place(context.codingPath + [key])) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(place(context.codingPath)): \(context.debugDescription)"
        case .dataCorrupted(let context): return context.codingPath.isEmpty ? "not valid JSON" : "\(place(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

// MARK: Applying a baseline to a scan

extension Baseline {
    /// What applying a baseline did, for a summary line on the terminal.
    public struct Outcome: Sendable, Equatable {
        /// Credentials now `suppressed`.
        public var suppressed = 0
        /// Credentials whose entry has expired: open again.
        public var expired = 0
        /// Locations of suppressed credentials that the baseline does not list yet.
        public var newLocations = 0
    }

    /// Marks the register's credentials this baseline accepts as `suppressed` (they stay in the register and do
    /// not fail the run) and says why in their notes; an expired entry leaves its credential open, with a note. A
    /// suppressed credential found at a path the baseline does not list stays suppressed, and the new path is named.
    @discardableResult
    public func apply(to register: inout Register, asOf: Date) -> Outcome {
        let today = ISODate.day(asOf)
        var outcome = Outcome()
        for i in register.credentials.indices {
            let record = register.credentials[i]
            guard let fingerprint = record.fingerprint, let entry = credentials[fingerprint] else { continue }
            if entry.isExpired(on: today) {
                outcome.expired += 1
                register.credentials[i].notes.append(
                    "baseline acceptance expired on \(entry.expires) (owner \(entry.owner): \(entry.reason)); open again")
                continue
            }
            // An allow marker on every line already keeps it out of the failures; it stays `allowed`.
            if record.status == .open {
                register.credentials[i].status = .suppressed
                outcome.suppressed += 1
            }
            register.credentials[i].notes.append("accepted in the baseline until \(entry.expires) by \(entry.owner): \(entry.reason)")
            let known = Set(entry.paths)
            let fresh = Array(Set(record.locations.map(\.path).filter { !known.contains($0) })).sorted()
            if !fresh.isEmpty {
                outcome.newLocations += fresh.count
                register.credentials[i].notes.append(
                    "found where the baseline does not list it: \(fresh.joined(separator: ", ")) (still suppressed; `keyledger baseline --update` records it)")
            }
        }
        return outcome
    }
}
