import Foundation

/// Reads a FOCUS 1.x cost and usage CSV (FinOps Open Cost & Usage Specification; AWS Data Exports "FOCUS 1.0/1.2
/// with AWS columns", Azure Cost Management FOCUS exports, GCP FOCUS views, gateway FOCUS exporters). Recognised by
/// its mandatory columns (`BilledCost`, `EffectiveCost`, `ChargePeriodStart`, `ServiceName`, `ServiceCategory`,
/// `BillingCurrency`, `BillingAccountId`, `ChargeCategory`, …); column names are matched without regard to case.
///
/// Only AI rows are kept: `ServiceCategory` "AI and Machine Learning", or a `ServiceName` naming Bedrock, OpenAI,
/// Vertex, Gemini, Anthropic or Claude; other rows are ignored. Rows are summed per provider, scope, day, model and
/// currency into `UsageRecord`s:
/// - cost `EffectiveCost`, else `BilledCost`; currency `BillingCurrency` (USD when absent); day from `ChargePeriodStart`;
/// - provider from `ServiceProviderName` (FOCUS 1.3+) or `ProviderName`, as an id (`aws`, `gcp`, `azure`, `openai`,
///   `anthropic`, `litellm`; otherwise the name lowercased);
/// - scope from `Tags` (JSON) or `x_` columns naming an API key id (`api_key_id` → `.key`), a key hash
///   (`api_key_hash`, 64 hex → `.secretHash`) or a principal (`iam_principal`, `aws:iam-principal`,
///   `service_account` → `.principal`); a `ResourceId` of an Azure Cognitive Services account (Azure OpenAI, AI Foundry)
///   → `.project("azure-openai/NAME")`, linked to the keys of that endpoint; otherwise `.project(SubAccountId ?? BillingAccountId)`;
/// - tokens from `Tags` `prompt_tokens`/`completion_tokens` (or `input_tokens`/`output_tokens`) when present, else
///   `ConsumedQuantity` when `ConsumedUnit` counts tokens (`Tokens`, `1000 Tokens`), as output when `SkuMeter`,
///   `ChargeDescription` or `x_UsageType` says "output" or "completion", as input otherwise; requests when it counts requests;
/// - model from `Tags` `model`, an `x_` model column, the model part of an AWS token `x_UsageType`, or `SkuMeter`.
public enum FOCUSImporter: ExportImporter {
    public static let format = "focus.cost"
    public static let signature = "CSV with FOCUS columns BilledCost, ChargePeriodStart, ServiceName, …"

    static let mandatory: Set<String> = ["billedcost", "effectivecost", "listcost", "contractedcost", "chargeperiodstart", "chargeperiodend",
                                         "servicename", "servicecategory", "billingcurrency", "billingaccountid", "chargecategory",
                                         "billingperiodstart", "pricingquantity", "pricingunit"]

    public static func recognises(_ content: ExportContent) -> Bool {
        guard case .csv(let header, _) = content else { return false }
        let columns = Set(header.map { $0.lowercased() })
        return columns.intersection(mandatory).count >= 3 && (columns.contains("billedcost") || columns.contains("effectivecost")
            || columns.contains("chargeperiodstart"))
    }

    static let aiServiceWords = ["bedrock", "openai", "vertex", "gemini", "anthropic", "claude"]

    public static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        guard case .csv(let header, let rows) = content else { throw ExportError("expected CSV") }
        var byLower: [String: String] = [:]
        for name in header where byLower[name.lowercased()] == nil { byLower[name.lowercased()] = name }
        func column(_ lower: String) -> String? { byLower[lower] }
        guard let startColumn = column("chargeperiodstart") else { throw ExportError("missing column \"ChargePeriodStart\"") }
        guard column("billedcost") != nil || column("effectivecost") != nil else { throw ExportError("missing column \"BilledCost\"") }
        guard column("servicename") != nil || column("servicecategory") != nil else { throw ExportError("missing column \"ServiceName\"") }

        // x_ columns by their normalised name (`x_IamPrincipal` → `iamprincipal`).
        var extensions: [(key: String, column: String)] = []
        for name in header where name.lowercased().hasPrefix("x_") { extensions.append((normaliseKey(String(name.dropFirst(2))), name)) }

        var totals = CloudExport.UsageTotals()
        let skipped = try CloudExport.eachRow(try CloudExport.table(header, rows)) { row in
            func value(_ lower: String) -> Any? { column(lower).flatMap { row[$0] } }
            func text(_ lower: String) -> String? { CloudExport.text(value(lower)) }
            func number(_ lower: String) throws -> Double? {
                guard let c = column(lower) else { return nil }
                return try CloudExport.number(row[c], at: row.at(c))
            }
            // FOCUS: credits (`ChargeCategory` Credit), adjustments and corrections (`ChargeClass` Correction) may be negative.
            let mayBeNegative = ["credit", "adjustment"].contains(text("chargecategory")?.lowercased() ?? "")
                || text("chargeclass")?.lowercased() == "correction"
            func money(_ lower: String) throws -> Double? {
                guard let c = column(lower) else { return nil }
                return try CloudExport.money(row[c], at: row.at(c), allowNegative: mayBeNegative)
            }

            guard let start = try CloudExport.date(row[startColumn], at: row.at(startColumn)) else {
                throw CloudExport.at(row.place, "missing \"\(startColumn)\"")
            }
            let category = text("servicecategory")?.lowercased() ?? ""
            let service = text("servicename")?.lowercased() ?? ""
            // Rows of other services are not read further: their amounts and dates are not this run's to judge.
            guard category == "ai and machine learning" || aiServiceWords.contains(where: service.contains) else {
                _ = try number("effectivecost"); _ = try number("billedcost")
                return
            }
            let effective = try money("effectivecost")
            let billed = try money("billedcost")
            guard let cost = effective ?? billed else { throw CloudExport.at(row.place, "missing \"\(column("billedcost") ?? "EffectiveCost")\"") }
            let day = try CloudExport.usageDay(start, at: row.at(startColumn))
            // The charge must lie in the billing period the row states; credits, adjustments and corrections may settle
            // an earlier one (FOCUS: a correction's charge period can precede its billing period).
            if !mayBeNegative, let ps = column("billingperiodstart"), let pe = column("billingperiodend"),
               let periodStart = try CloudExport.date(row[ps], at: row.at(ps)), let periodEnd = try CloudExport.date(row[pe], at: row.at(pe)) {
                try ExportLimits.within(start, start: periodStart, end: periodEnd, at: row.at(startColumn), period: "\(ps) to \(pe)")
            }

            // Attribution hints from Tags and x_ columns.
            var hints: [String: String] = [:]
            if let tags = CloudExport.jsonObject(value("tags")) {
                for (k, v) in tags { if let t = CloudExport.text(v) { hints[normaliseKey(k)] = t } }
            }
            for (key, c) in extensions { if let t = CloudExport.text(row[c]) { hints[key] = hints[key] ?? t } }

            let scope: UsageScope
            if let id = keyIdKeys.lazy.compactMap({ hints[$0] }).first {
                scope = .key(id)
            } else if let hash = hashKeys.lazy.compactMap({ hints[$0] }).first(where: CloudExport.isSHA256Hex) {
                scope = .secretHash(hash.lowercased())
            } else if let principal = principalKeys.lazy.compactMap({ hints[$0] }).first {
                scope = .principal(principal)
            } else if let resource = text("resourceid").flatMap(AzureCostDetailsImporter.cognitiveServicesAccount) {
                // An Azure OpenAI / AI Foundry resource: its keys are linked through their endpoint host.
                scope = .project(AzureCostDetailsImporter.resourceScope(resource))
            } else if let account = text("subaccountid") ?? text("billingaccountid") {
                scope = .project(account)
            } else {
                return
            }

            var input = 0, output = 0, requests = 0
            let taggedInput = try (hints["prompttokens"] ?? hints["inputtokens"]).map { try CloudExport.count($0, at: row.at("Tags")) ?? 0 }
            let taggedOutput = try (hints["completiontokens"] ?? hints["outputtokens"]).map { try CloudExport.count($0, at: row.at("Tags")) ?? 0 }
            let quantity = try number("consumedquantity")
            let unit = text("consumedunit")?.lowercased() ?? ""
            let usageType = hints["usagetype"]
            if taggedInput != nil || taggedOutput != nil {
                input = taggedInput ?? 0
                output = taggedOutput ?? 0
            } else if let quantity, unit.contains("token") {
                let tokens = try CloudExport.count(computed: quantity * CloudExport.tokenMultiplier(unit), at: row.at("ConsumedQuantity"))
                let described = [text("skumeter"), text("chargedescription"), usageType].compactMap { $0?.lowercased() }.joined(separator: " ")
                if described.contains("output") || described.contains("completion") { output = tokens } else { input = tokens }
            } else if let quantity, unit.contains("request") {
                requests = try CloudExport.count(computed: quantity, at: row.at("ConsumedQuantity"))
            }
            if let r = hints["requests"] ?? hints["apirequests"], let n = try CloudExport.count(r, at: row.at("Tags")) { requests = n }

            let model = hints["model"] ?? hints["modelname"] ?? hints["modelid"]
                ?? usageType.flatMap { CloudExport.tokenDirection(usageType: $0) != nil ? CloudExport.model(usageType: $0) : nil }
                ?? text("skumeter")
            let providerName = text("serviceprovidername") ?? text("providername") ?? text("invoiceissuername") ?? "unknown"
            totals.add(provider: providerId(providerName), scope: scope, day: day, cost: cost,
                       currency: text("billingcurrency")?.uppercased() ?? "USD",
                       input: input, output: output, requests: requests, model: model)
        }
        var bundle = ExportBundle()
        bundle.usage = totals.records(source: source)
        bundle.skippedRows = skipped
        return bundle
    }

    static let keyIdKeys = ["apikeyid", "keyid", "accesskeyid", "openaiapikeyid", "anthropicapikeyid"]
    static let hashKeys = ["apikeyhash", "hashedapikey", "userapikeyhash", "tokenhash", "hashedtoken", "litellmapikeyhash", "apikey"]
    static let principalKeys = ["iamprincipal", "awsiamprincipal", "lineitemiamprincipal", "principalarn", "principal", "userarn",
                                "serviceaccount", "serviceaccountemail", "gcpserviceaccount"]

    /// `aws:iam-principal` → `awsiamprincipal`, `API_Key_ID` → `apikeyid`.
    static func normaliseKey(_ key: String) -> String { String(key.lowercased().filter { $0.isLetter || $0.isNumber }) }

    /// `Amazon Web Services` → `aws`, `Google Cloud` → `gcp`, `Microsoft` → `azure`, …
    static func providerId(_ name: String) -> String {
        let n = name.lowercased()
        if n.contains("amazon") || n == "aws" || n.hasPrefix("aws ") { return "aws" }
        if n.contains("google") || n == "gcp" { return "gcp" }
        if n.contains("microsoft") || n.contains("azure") { return "azure" }
        for id in ["openai", "anthropic", "litellm"] where n.contains(id) { return id }
        return n
    }
}
