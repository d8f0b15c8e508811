import Foundation

/// Reads Amazon Bedrock model-invocation logs (issue 11): the records Bedrock writes for every `InvokeModel`,
/// `Converse` and streaming call when model invocation logging is on, delivered to S3
/// (`AWSLogs/<account>/BedrockModelInvocationLogs/…/*.json.gz`: JSON Lines, one record a line) or to CloudWatch Logs
/// (saved as JSON Lines of the records, or as `aws logs filter-log-events` / `get-log-events` output, whose
/// `events[].message` each hold one record as a JSON string).
///
/// A record (schema `ModelInvocationLog` 1.0, https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html):
/// `schemaType`, `schemaVersion`, `timestamp` (RFC 3339), `accountId`, `identity.arn` (the calling IAM user or assumed
/// role — a Bedrock API key's IAM user too), `region`, `requestId`, `operation`, `modelId`,
/// `input.inputTokenCount`, `input.cacheReadInputTokenCount`, `input.cacheWriteInputTokenCount`,
/// `output.outputTokenCount`, `errorCode`.
///
/// Records are summed per principal, UTC day and model into `UsageRecord`s with cost nil: the ledger prices the tokens
/// from the price table (precedence 3, `price-table`), and a CUR 2.0 row billing the same principal and day wins over
/// them. Scope `.principal(identity.arn)`, else `.project(accountId)`; requests = records. The model is `modelId`
/// without an ARN's path, a cross-region inference profile's geography (`us.`, `eu.`, `apac.`, `global.`, …) and the
/// vendor (`anthropic.`, `amazon.`, `meta.`, …), so `us.anthropic.claude-sonnet-4-5-20250929-v1:0` is priced as
/// `claude-sonnet-4-5…`. Input tokens = `inputTokenCount` + cache reads + cache writes, as in the Converse API's usage,
/// which counts cache reads and writes apart from `inputTokens`; the reads are priced at the cached rate, the writes at
/// the 5-minute cache-write rate (Bedrock's default cache lifetime). Bodies (`inputBodyJson`, `outputBodyJson`) are never
/// read into the register.
///
/// Bad rows: a record dated outside 2000–2099 is skipped and counted (`ExportLimits`); a record without a timestamp or
/// model, or with a token count that is not a count, makes the file an export problem naming the record.
public enum BedrockInvocationLogImporter: ExportImporter {
    public static let format = "aws.bedrock-invocation-logs"
    public static let signature = "Bedrock model-invocation log records (schemaType ModelInvocationLog, modelId, identity.arn), "
        + "JSON Lines or CloudWatch events[].message"

    /// Geography prefixes of cross-region inference profiles.
    static let geographies: Set<String> = ["us", "eu", "apac", "global", "us-gov", "jp", "au", "ca"]
    /// Model vendors in Bedrock model ids (`anthropic.claude-…`).
    static let vendors: Set<String> = ["anthropic", "amazon", "meta", "mistral", "cohere", "ai21", "deepseek", "openai", "qwen",
                                       "writer", "stability", "luma", "twelvelabs", "google", "moonshot", "minimax", "nvidia"]

    static func isRecord(_ object: [String: Any]) -> Bool {
        if object["schemaType"] as? String == "ModelInvocationLog" { return true }
        return object["modelId"] is String && object["identity"] is [String: Any] && (object["input"] is [String: Any] || object["output"] is [String: Any])
    }

    /// The records of `root` with their places: a record, an array (or JSON Lines) of records, or CloudWatch Logs events.
    static func records(_ root: Any) -> [(place: String, value: Any)]? {
        if let object = root as? [String: Any] {
            if isRecord(object) { return [("", object)] }
            guard let events = object["events"] as? [Any], let first = events.first as? [String: Any], first["message"] is String else { return nil }
            return events.enumerated().map { i, event in
                let place = "events[\(i)].message"
                guard let message = (event as? [String: Any])?["message"] as? String,
                      let record = try? JSONSerialization.jsonObject(with: Data(message.utf8)) else { return (place, event) }
                return (place, record)
            }
        }
        guard let items = root as? [Any] else { return nil }
        return items.enumerated().map { ("[\($0)]", $1) }
    }

    public static func recognises(_ content: ExportContent) -> Bool {
        guard case .json(let root) = content, let records = records(root) else { return false }
        guard let first = records.first?.value as? [String: Any] else { return false }
        return isRecord(first)
    }

    public static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        guard case .json(let root) = content, let records = records(root) else { throw ExportError("expected Bedrock invocation log records") }
        var totals = CloudExport.UsageTotals()
        let skipped = try CloudExport.eachRow(records) { place, value in
            guard let record = value as? [String: Any] else { throw CloudExport.at(place, "expected a log record, got \(CloudExport.kind(value))") }
            let row = CloudExport.Row(place: place, fields: record)
            guard let time = try CloudExport.date(record["timestamp"], at: row.at("timestamp")) else { throw CloudExport.at(place, "missing \"timestamp\"") }
            guard let modelId = CloudExport.text(record["modelId"]) else { throw CloudExport.at(place, "missing \"modelId\"") }
            let input = record["input"] as? [String: Any] ?? [:]
            let output = record["output"] as? [String: Any] ?? [:]
            func count(_ object: [String: Any], _ key: String, _ parent: String) throws -> Int {
                try CloudExport.count(object[key], at: row.at(parent + "." + key)) ?? 0
            }
            let uncached = try count(input, "inputTokenCount", "input")
            let cacheRead = try count(input, "cacheReadInputTokenCount", "input")
            let cacheWrite = try count(input, "cacheWriteInputTokenCount", "input")
            let outputTokens = try count(output, "outputTokenCount", "output")
            let identity = record["identity"] as? [String: Any]
            let scope: UsageScope
            if let arn = CloudExport.text(identity?["arn"]) {
                scope = .principal(arn)
            } else if let account = CloudExport.text(record["accountId"]) {
                scope = .project(account)
            } else {
                throw CloudExport.at(place, "missing \"identity.arn\" and \"accountId\"")
            }
            let day = try CloudExport.usageDay(time, at: row.at("timestamp"))
            totals.add(provider: "aws", scope: scope, day: day, cost: nil, currency: "USD", input: uncached + cacheRead + cacheWrite,
                       output: outputTokens, requests: 1, model: model(modelId), cachedInput: cacheRead, cacheWrite5m: cacheWrite)
        }
        var bundle = ExportBundle()
        bundle.usage = totals.records(source: source)
        bundle.skippedRows = skipped
        return bundle
    }

    /// `arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0` →
    /// `claude-sonnet-4-5-20250929-v1:0`; `amazon.nova-lite-v1:0` → `nova-lite-v1:0`; other ids unchanged.
    static func model(_ modelId: String) -> String {
        var name = modelId
        if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
        var parts = name.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        if parts.count > 2, geographies.contains(parts[0].lowercased()), vendors.contains(parts[1].lowercased()) {
            parts.removeFirst()
            name = parts.joined(separator: ".")
            parts = name.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        } else {
            parts = name.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        }
        if parts.count == 2, vendors.contains(parts[0].lowercased()), !parts[1].isEmpty { return parts[1] }
        return name
    }
}
