import Foundation

public struct Exposure: Codable, Sendable, Equatable {
    /// `first_seen`: the first day it was exposed, `YYYY-MM-DD`.
    public var firstSeen: String?
    /// `last_seen`: the last day it was still exposed (today when still present), `YYYY-MM-DD`.
    public var lastSeen: String?
    /// `in_head`: still present in HEAD or on disk.
    public var inHead: Bool
    /// `locations_count`: number of `locations`.
    public var locationsCount: Int
    /// `repositories`: distinct repositories among `locations`.
    public var repositories: Int

    enum CodingKeys: String, CodingKey {
        case repositories
        case firstSeen = "first_seen"
        case lastSeen = "last_seen"
        case inHead = "in_head"
        case locationsCount = "locations_count"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(firstSeen, forKey: .firstSeen)
        try c.encode(lastSeen, forKey: .lastSeen)
        try c.encode(inHead, forKey: .inHead)
        try c.encode(locationsCount, forKey: .locationsCount)
        try c.encode(repositories, forKey: .repositories)
    }
}

/// Where a credential was found. For git, the commit, author and date where it first appeared at this path.
public struct LocationRecord: Codable, Sendable, Equatable {
    /// `kind`: `git` (a commit's blob) or `file` (on disk).
    public var kind: String
    /// `repository`: the repository's name (its folder, or its remote URL without credentials).
    public var repository: String?
    /// `path`: relative to the repository root or the scanned folder; empty for a commit's author or committer.
    public var path: String
    /// `line`: 1-based line of the match; null for names.
    public var line: Int?
    /// `commit`: the commit that introduced it at this path (40 hex).
    public var commit: String?
    /// `author`: that commit's author, `Name <email>` (cleaned of secrets).
    public var author: String?
    /// `date`: that commit's time, ISO 8601.
    public var date: String?
    /// Extension: whether this location is still present in HEAD (git) or on disk (file).
    public var inHead: Bool?
    /// Extension: the rule that matched here.
    public var rule: String?
    /// Extension: how the secret was reached inside the file (`base64 in Kubernetes Secret data.API_KEY`).
    public var note: String?
    /// Extension: the reason of the `keyledger:allow <reason>` marker on the line.
    public var allowed: String?

    enum CodingKeys: String, CodingKey {
        case kind, repository, path, line, commit, author, date, rule, note, allowed
        case inHead = "in_head"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(repository, forKey: .repository)
        try c.encode(path, forKey: .path)
        try c.encode(line, forKey: .line)
        try c.encode(commit, forKey: .commit)
        try c.encode(author, forKey: .author)
        try c.encode(date, forKey: .date)
        try c.encodeIfPresent(inHead, forKey: .inHead)
        try c.encodeIfPresent(rule, forKey: .rule)
        try c.encodeIfPresent(note, forKey: .note)
        try c.encodeIfPresent(allowed, forKey: .allowed)
    }
}
