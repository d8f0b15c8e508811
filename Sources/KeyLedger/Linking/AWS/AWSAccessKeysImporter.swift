import Foundation

/// Reads the output of `aws iam list-access-keys --user-name NAME --output json` (IAM `ListAccessKeys`):
/// `{"AccessKeyMetadata":[{"UserName","AccessKeyId","Status","CreateDate"}]}`, or a JSON array of such objects
/// (the command run for each user and collected, e.g. with `jq -s .`; JSON Lines work too).
///
/// Each entry becomes a `ProviderKey` recognised by its access-key id. The principal is the user's ARN when the
/// account can be decoded from the key id (`arn:aws:iam::<account>:user/<name>`; the user's IAM path is not in this
/// output), the user name otherwise.
public enum AWSAccessKeysImporter: ExportImporter {
    public static let format = "aws.access-keys"
    public static let signature = "JSON object with \"AccessKeyMetadata\", or an array of them"

    public static func recognises(_ content: ExportContent) -> Bool {
        guard case .json(let json) = content else { return false }
        if let object = json as? [String: Any] { return object["AccessKeyMetadata"] != nil }
        if let array = json as? [Any] { return array.contains { ($0 as? [String: Any])?["AccessKeyMetadata"] != nil } }
        return false
    }

    public static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        guard case .json(let json) = content else { throw ExportError("expected JSON") }
        var bundle = ExportBundle()
        if let object = json as? [String: Any] {
            bundle.keys = try keys(object, at: "", source: source)
        } else if let array = json as? [Any] {
            for (i, element) in array.enumerated() {
                guard let object = element as? [String: Any] else {
                    throw CloudExport.at("[\(i)]", "expected an object with \"AccessKeyMetadata\", got \(CloudExport.kind(element))")
                }
                guard object["AccessKeyMetadata"] != nil else { throw CloudExport.at("[\(i)]", "missing \"AccessKeyMetadata\"") }
                bundle.keys += try keys(object, at: "[\(i)]", source: source)
            }
        }
        return bundle
    }

    static func keys(_ object: [String: Any], at place: String, source: String) throws -> [ProviderKey] {
        let listPlace = CloudExport.join(place, "AccessKeyMetadata")
        guard let list = object["AccessKeyMetadata"] as? [Any] else {
            throw CloudExport.at(listPlace, "expected an array, got \(CloudExport.kind(object["AccessKeyMetadata"]))")
        }
        return try CloudExport.objects(list, at: listPlace).map { row in
            let keyId = try CloudExport.requiredText(row.fields, "AccessKeyId", at: row.place)
            guard isAccessKeyId(keyId) else {
                // Never echoed: a value of the wrong shape here may be a secret access key pasted by mistake.
                throw CloudExport.at(row.at("AccessKeyId"),
                                     "expected an access key id (16 to 128 capital letters and digits), got a \(keyId.count)-character value")
            }
            let user = try CloudExport.requiredText(row.fields, "UserName", at: row.place)
            let account = CredentialDecoders.awsAccount(fromKeyId: keyId)
            return ProviderKey(
                provider: "aws", keyId: keyId,
                principal: account.map { "arn:aws:iam::\($0):user/\(user)" } ?? user,
                owner: user, project: account,
                created: try CloudExport.date(row["CreateDate"], at: row.at("CreateDate")),
                status: CloudExport.text(row["Status"])?.lowercased(),
                recognition: .keyId(keyId), source: source)
        }
    }

    /// IAM access-key ids: `[A-Z0-9]`, 16 to 128 characters (`AKIA…` are 20).
    static func isAccessKeyId(_ text: String) -> Bool {
        (16...128).contains(text.utf8.count) && text.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) }
    }
}
