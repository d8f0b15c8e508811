import Foundation

/// Reads the IAM credential report (`aws iam generate-credential-report`, then `aws iam get-credential-report`):
/// either the decoded CSV (`--query Content --output text | base64 -d`) with its 22-column header
/// `user,arn,user_creation_time,password_enabled,…,access_key_1_active,access_key_1_last_rotated,…,cert_2_last_rotated`,
/// or the command's JSON output `{"Content": <Base64 CSV>, "ReportFormat": "text/csv", "GeneratedTime": …}`.
///
/// The report has no access-key ids, so it yields no `ProviderKey`: each existing key slot (active, or with a
/// rotation date) becomes a `CredentialActivity` carrying last use, last rotation and status, for the linker to join
/// to `aws iam list-access-keys` rows by user and creation time. Sentinels `N/A`, `no_information`, `not_supported`
/// read as "no value".
public enum AWSCredentialReportImporter: ExportImporter {
    public static let format = "aws.credential-report"
    public static let signature = "CSV with columns user, arn, access_key_1_active…, or get-credential-report JSON with Base64 \"Content\""

    static let requiredColumns = ["user", "arn", "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
                                  "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date"]

    public static func recognises(_ content: ExportContent) -> Bool {
        switch content {
        case .csv(let header, _):
            let columns = Set(header.map { $0.lowercased() })
            return columns.contains("user") && columns.contains("arn") && columns.contains("access_key_1_active")
        case .json(let json):
            guard let object = json as? [String: Any], object["Content"] is String else { return false }
            return (object["ReportFormat"] as? String)?.lowercased() == "text/csv" || object["GeneratedTime"] != nil
        }
    }

    public static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        var bundle = ExportBundle()
        bundle.activities = try activities(content, source: source)
        return bundle
    }

    /// The key slots of every user row.
    public static func activities(_ content: ExportContent, source: String) throws -> [CredentialActivity] {
        let header: [String], rows: [[String]]
        switch content {
        case .csv(let h, let r): (header, rows) = (h, r)
        case .json(let json):
            guard let object = json as? [String: Any], let encoded = object["Content"] as? String else {
                throw ExportError("missing \"Content\"")
            }
            guard let data = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters),
                  let text = String(data: data, encoding: .utf8) else {
                throw CloudExport.at("Content", "expected the Base64-encoded CSV report")
            }
            let parsed = CSVParser.parse(text)
            guard let first = parsed.first else { throw CloudExport.at("Content", "empty report") }
            (header, rows) = (first.map { $0.trimmingCharacters(in: .whitespaces) }, Array(parsed.dropFirst()))
        }
        let lowered = header.map { $0.lowercased() }
        try CloudExport.requireColumns(lowered, requiredColumns)
        var out: [CredentialActivity] = []
        for row in try CloudExport.table(lowered, rows) {
            let user = try CloudExport.requiredText(row.fields, "user", at: row.place)
            let arn = try CloudExport.requiredText(row.fields, "arn", at: row.place)
            guard arn.hasPrefix("arn:") else { throw CloudExport.at(row.at("arn"), "expected an ARN, got \(CloudExport.quoted(arn))") }
            for slot in 1...2 {
                let p = "access_key_\(slot)_"
                guard let active = try CloudExport.bool(row[p + "active"], at: row.at(p + "active")) else {
                    throw CloudExport.at(row.place, "missing \"\(p)active\"")
                }
                let rotated = try CloudExport.date(row[p + "last_rotated"], at: row.at(p + "last_rotated"))
                guard active || rotated != nil else { continue }
                out.append(CredentialActivity(
                    user: user, principal: arn, slot: slot, active: active, lastRotated: rotated,
                    lastUsed: try CloudExport.date(row[p + "last_used_date"], at: row.at(p + "last_used_date")),
                    lastUsedRegion: CloudExport.text(row[p + "last_used_region"]),
                    lastUsedService: CloudExport.text(row[p + "last_used_service"]), source: source))
            }
        }
        return out
    }
}
