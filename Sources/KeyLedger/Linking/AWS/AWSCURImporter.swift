import Foundation

/// Reads an AWS Cost and Usage Report 2.0 CSV (AWS Data Exports, table `COST_AND_USAGE_REPORT`, with "Include IAM
/// principal data"): `line_item_usage_start_date`, `line_item_usage_account_id`, `line_item_product_code`,
/// `line_item_usage_type`, `line_item_usage_amount`, `line_item_resource_id`, `line_item_unblended_cost`, optional
/// `line_item_iam_principal`, `line_item_currency_code` (USD when absent) and `pricing_unit`. Legacy CUR headers
/// (`lineItem/UsageStartDate`) are read as their CUR 2.0 names.
///
/// Only AI spend is read (`aiProductCodes`: Bedrock, SageMaker, Amazon Q, …; token usage types of Marketplace models):
/// an IAM user's EC2 and S3 rows are not what its Bedrock key spent. The normal delivery, `.csv.gz`, is inflated by
/// `ExportLoader`. Rows are summed per scope, day, model and currency: scope `.principal(arn)` when the row names an IAM principal
/// (Bedrock calls, including those made with Bedrock API keys, carry the calling user or role), `.project(account)`
/// otherwise. The model is the usage type; for token usage types (`USE1-Claude4.6Sonnet-input-tokens`,
/// `…-output-tokens`, `…-cache-read-input-token-count`) it is the model part (`Claude4.6Sonnet`) and the usage amount
/// counts as input or output tokens (cache reads and writes as input; Marketplace `…_InputTokenCount-Units` rows take
/// the model from the product name), scaled by `pricing_unit` when it names
/// thousands or millions (`1K tokens`); without a unit the amount is taken as a token count.
///
/// The scaling is a derivation, and records say so (`UsageRecord.derivedTokenUnit`, a note on the credential). The CUR
/// data dictionary defines a line item's blended cost as its blended rate times its usage amount (lineItem/BlendedCost,
/// https://docs.aws.amazon.com/cur/latest/userguide/Lineitem-columns.html) and lists `pricing_unit` as the unit a row is
/// priced in (https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-pricing.html), so a row priced per
/// `1K tokens` counts thousands of tokens. No public AWS source
/// found states Bedrock's CUR usage unit itself ("Understanding your Amazon Bedrock Cost and Usage Report data",
/// docs.aws.amazon.com/bedrock/latest/userguide/cost-mgmt-understanding-cur-data.html, names the token usage types
/// but not their unit; searched 2026-11), hence "derived" rather than read.
public enum AWSCURImporter: ExportImporter {
    public static let format = "aws.cur2"
    public static let signature = "CSV with line_item_usage_start_date and other line_item_ columns"

    static let requiredColumns = ["line_item_usage_start_date", "line_item_usage_account_id", "line_item_usage_type", "line_item_unblended_cost"]

    public static func recognises(_ content: ExportContent) -> Bool {
        guard case .csv(let header, _) = content else { return false }
        let columns = header.map(normalise)
        return columns.contains("line_item_usage_start_date") && columns.filter { $0.hasPrefix("line_item_") }.count >= 2
    }

    /// `lineItem/UsageStartDate` → `line_item_usage_start_date`; CUR 2.0 names are unchanged.
    static func normalise(_ column: String) -> String {
        var out = ""
        var previous: Character = "_"
        for c in column {
            if c == "/" || c == " " { out.append("_"); previous = "_"; continue }
            if c.isUppercase {
                if previous.isLowercase || previous.isNumber { out.append("_") }
                out.append(contentsOf: c.lowercased())
            } else {
                out.append(c)
            }
            previous = c
        }
        return out
    }

    /// `line_item_product_code`s of AWS's AI services. CUR 2.0 holds every service's rows; only these (and token usage
    /// types of Marketplace models served through Bedrock) are AI spend — EC2, S3 and the rest of the bill are not.
    static let aiProductCodes: Set<String> = [
        "AmazonBedrock", "AmazonBedrockService", "AmazonBedrockFoundationModels", "AmazonSageMaker", "AmazonQ", "AmazonQDeveloper",
        "AmazonKendra", "AmazonComprehend", "AmazonTextract", "AmazonRekognition", "AmazonPolly", "AmazonTranscribe",
        "AmazonTranslate", "AmazonLex",
    ]

    /// Whether a row is AI spend: an AI service's product code, or a token usage type (Marketplace models bill under
    /// their seller's product code). Without a product code column every token row counts.
    static func isAISpend(productCode: String?, usageType: String?) -> Bool {
        if let code = productCode, aiProductCodes.contains(code) || code.lowercased().contains("bedrock") { return true }
        return usageType.map { CloudExport.tokenDirection(usageType: $0) != nil } ?? false
    }

    public static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        guard case .csv(let rawHeader, let rawRows) = content else { throw ExportError("expected CSV") }
        let header = rawHeader.map(normalise)
        try CloudExport.requireColumns(header, requiredColumns)
        var totals = CloudExport.UsageTotals()
        let skipped = try CloudExport.eachRow(try CloudExport.table(header, rawRows)) { row in
            guard let start = try CloudExport.date(row["line_item_usage_start_date"], at: row.at("line_item_usage_start_date")) else {
                throw CloudExport.at(row.place, "missing \"line_item_usage_start_date\"")
            }
            let credit = isCredit(CloudExport.text(row["line_item_line_item_type"]))
            guard let cost = try CloudExport.money(row["line_item_unblended_cost"], at: row.at("line_item_unblended_cost"),
                                                   allowNegative: credit) else {
                throw CloudExport.at(row.place, "missing \"line_item_unblended_cost\"")
            }
            let usageType = CloudExport.text(row["line_item_usage_type"])
            guard isAISpend(productCode: CloudExport.text(row["line_item_product_code"]), usageType: usageType) else { return }
            let day = try CloudExport.usageDay(start, at: row.at("line_item_usage_start_date"))
            // The row's usage must lie in the bill it is part of (credits and refunds may settle an earlier period).
            // Without `bill_billing_period_end_date` the period is the calendar month AWS bills by.
            if !credit, let periodStart = try CloudExport.date(row["bill_billing_period_start_date"], at: row.at("bill_billing_period_start_date")),
               let periodEnd = try CloudExport.date(row["bill_billing_period_end_date"], at: row.at("bill_billing_period_end_date"))
                ?? monthAfter(periodStart) {
                try ExportLimits.within(start, start: periodStart, end: periodEnd, at: row.at("line_item_usage_start_date"),
                                        period: "bill_billing_period_start_date to bill_billing_period_end_date")
            }
            let scope: UsageScope
            if let principal = CloudExport.text(row["line_item_iam_principal"]) {
                scope = .principal(principal)
            } else if let account = CloudExport.text(row["line_item_usage_account_id"]) {
                scope = .project(account)
            } else {
                return
            }
            var input = 0, output = 0
            var derivedUnit: String?
            if let usageType, let direction = CloudExport.tokenDirection(usageType: usageType),
               let amount = try CloudExport.number(row["line_item_usage_amount"], at: row.at("line_item_usage_amount")) {
                let unit = CloudExport.text(row["pricing_unit"])
                let multiplier = CloudExport.tokenMultiplier(unit)
                if multiplier != 1 { derivedUnit = unit }
                let tokens = try CloudExport.count(computed: amount * multiplier, at: row.at("line_item_usage_amount"))
                if direction == .input { input = tokens } else { output = tokens }
            } else {
                _ = try CloudExport.number(row["line_item_usage_amount"], at: row.at("line_item_usage_amount"))
            }
            totals.add(provider: "aws", scope: scope, day: day, cost: cost,
                       currency: CloudExport.text(row["line_item_currency_code"])?.uppercased() ?? "USD",
                       input: input, output: output, model: model(usageType: usageType, row: row), derivedTokenUnit: derivedUnit)
        }
        var bundle = ExportBundle()
        bundle.usage = totals.records(source: source)
        bundle.skippedRows = skipped
        return bundle
    }

    /// The first day (UTC) of the month after `date`'s month.
    static func monthAfter(_ date: Date) -> Date? {
        let day = ISODate.day(date)
        guard let year = Int(day.prefix(4)), let month = Int(day.dropFirst(5).prefix(2)) else { return nil }
        return ISODate.parse(month == 12 ? String(format: "%04d-01-01", year + 1) : String(format: "%04d-%02d-01", year, month + 1))
    }

    /// Line item types whose cost is negative by nature: `Credit`, `Refund`, and the discounts and negations
    /// (`BundledDiscount`, `EdpDiscount`, `PrivateRateDiscount`, `DistributorDiscount`, `SavingsPlanNegation`, …).
    /// Any other row with a negative cost (or a row of a file without `line_item_line_item_type`) is malformed.
    static func isCredit(_ type: String?) -> Bool {
        guard let t = type?.lowercased() else { return false }
        return t == "credit" || t == "refund" || t.hasSuffix("discount") || t.hasSuffix("negation")
    }

    /// The model part of a token usage type; for Marketplace usage types (`USW2-MP:USW2_InputTokenCount-Units`) the
    /// product name (`product_product_name`, or `product_name` in the `product` map) when the export has it.
    static func model(usageType: String?, row: CloudExport.Row) -> String? {
        guard let usageType else { return nil }
        if usageType.contains("MP:"), CloudExport.tokenDirection(usageType: usageType) != nil {
            if let name = CloudExport.text(row["product_product_name"]) ?? CloudExport.text(CloudExport.jsonObject(row["product"])?["product_name"]) {
                return name
            }
        }
        return CloudExport.model(usageType: usageType)
    }
}
