import Foundation

/// One access-key slot of an IAM user as the IAM credential report lists it. The report has no key ids: the linker
/// joins a `ProviderKey` from `aws iam list-access-keys` to its slot by user and creation time (a key's
/// `access_key_N_last_rotated` is when it was created), see `CredentialActivity.slot(for:in:)`.
public struct CredentialActivity: Sendable, Equatable {
    /// IAM user name; `<root_account>` for the account root.
    public var user: String
    /// The user's ARN (`arn:aws:iam::123456789012:user/alice`, `arn:aws:iam::123456789012:root`).
    public var principal: String
    /// 1 or 2 (`access_key_1_…`, `access_key_2_…`).
    public var slot: Int
    public var active: Bool
    public var lastRotated: Date?
    public var lastUsed: Date?
    public var lastUsedRegion: String?
    public var lastUsedService: String?
    /// The export file this came from.
    public var source: String

    public init(user: String, principal: String, slot: Int, active: Bool, lastRotated: Date? = nil, lastUsed: Date? = nil,
                lastUsedRegion: String? = nil, lastUsedService: String? = nil, source: String) {
        self.user = user; self.principal = principal; self.slot = slot; self.active = active; self.lastRotated = lastRotated
        self.lastUsed = lastUsed; self.lastUsedRegion = lastUsedRegion; self.lastUsedService = lastUsedService; self.source = source
    }

    /// The report slot of an AWS `ProviderKey`: same user (by ARN, or by name when the key's account is unknown) and
    /// `lastRotated` within `tolerance` seconds of the key's creation. Nil when none or more than one fit.
    public static func slot(for key: ProviderKey, in activities: [CredentialActivity], tolerance: TimeInterval = 120) -> CredentialActivity? {
        guard key.provider == "aws", let created = key.created else { return nil }
        let fits = activities.filter { a in
            let sameUser = key.principal == a.principal || (key.owner == a.user && !(key.principal ?? "").hasPrefix("arn:"))
            guard sameUser, let rotated = a.lastRotated else { return false }
            return abs(rotated.timeIntervalSince(created)) <= tolerance
        }
        return fits.count == 1 ? fits[0] : nil
    }
}
