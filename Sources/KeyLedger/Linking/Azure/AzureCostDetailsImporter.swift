import Foundation

/// Reads Azure Cost Management cost details (exports, the Cost Details API, usage details CSV downloads) for Azure OpenAI
/// and AI Foundry resources. Columns (https://learn.microsoft.com/azure/cost-management-billing/automate/understand-usage-details-fields,
/// as in MicrosoftDocs/azure-docs `articles/cost-management-billing/automate/understand-usage-details-fields.md`):
/// `Date`, `ResourceId`, `CostInBillingCurrency` (MCA) or `Cost` (EA), `BillingCurrency` (or `BillingCurrencyCode`,
/// `Currency`), `MeterCategory`, `MeterName`, `ConsumedService`, `ChargeType`, `SubscriptionId`,
/// `BillingPeriodStartDate`, `BillingPeriodEndDate`; names are matched without regard to case (exports write
/// `costInBillingCurrency`, `resourceId`, …).
///
/// Only AI rows are read: a `ResourceId` of a Cognitive Services account (`…/providers/Microsoft.CognitiveServices/
/// accounts/NAME`, the ARM type of Azure OpenAI and AI Foundry resources), or a `MeterCategory` naming Cognitive
/// Services, Azure OpenAI or Foundry. A row is the spend of its resource: scope `.project("azure-openai/NAME")`
/// (lowercased: ARM names are case-insensitive), which the linker ties to an Azure OpenAI key whose endpoint host
/// `NAME.openai.azure.com` was found next to it (the rules' `identity.name`). A resource has two keys, and the row does not
/// say which one was used, so the figure is the resource's, shared among its found keys (approximate). Rows without a
/// Cognitive Services resource fall back to `.project(SubscriptionId)`. Cost = `CostInBillingCurrency` ?? `Cost`; the
/// meter (`MeterName`) stands as the model; tokens are not read (meters count in units the export does not define).
/// Dates are `YYYY-MM-DD`, ISO 8601 or the `MM/DD/YYYY` many exports write. Bad rows (an absurd, NaN, or — outside
/// refund, credit and adjustment rows — negative cost; a day outside 2000–2099 or outside the row's billing period) are
/// skipped and counted.
enum AzureCostDetailsImporter: ExportImporter {
    static let format = "azure.cost-details"
    static let signature = "Azure cost details CSV (Date, ResourceId, CostInBillingCurrency or Cost, MeterCategory)"

    static func recognises(_ content: ExportContent) -> Bool {
        guard case .csv(let header, _) = content else { return false }
        let columns = Set(header.map { $0.lowercased() })
        return columns.contains("resourceid") && columns.contains("date") && (columns.contains("costinbillingcurrency") || columns.contains("cost"))
            && (columns.contains("metercategory") || columns.contains("consumedservice"))
    }

    /// The ledger scope of an Azure OpenAI / AI Foundry resource.
    static func resourceScope(_ name: String) -> String { "azure-openai/" + name.lowercased() }

    /// `NAME` of `/subscriptions/…/resourceGroups/…/providers/Microsoft.CognitiveServices/accounts/NAME[/deployments/…]`.
    static func cognitiveServicesAccount(_ resourceId: String) -> String? {
        let parts = resourceId.split(separator: "/").map(String.init)
        guard let i = parts.firstIndex(where: { $0.lowercased() == "microsoft.cognitiveservices" }), i + 2 < parts.count,
              parts[i + 1].lowercased() == "accounts", !parts[i + 2].isEmpty else { return nil }
        return parts[i + 2]
    }

    /// `MM/DD/YYYY` (US order, as Azure's CSV exports write it) or anything `CloudExport.date` reads.
    static func date(_ value: Any?, at place: String) throws -> Date? {
        if let s = (value as? String)?.trimmingCharacters(in: .whitespaces) {
            let parts = s.split(separator: "/")
            if parts.count == 3, let m = Int(parts[0]), let d = Int(parts[1]), let y = Int(parts[2].prefix(4)), parts[2].count == 4 {
                guard let date = ISODate.parse(String(format: "%04d-%02d-%02d", y, m, d)) else {
                    throw CloudExport.at(place, "expected a date, got \(CloudExport.quoted(s))")
                }
                return date
            }
        }
        return try CloudExport.date(value, at: place)
    }

    static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        guard case .csv(let header, let rows) = content else { throw ExportError("expected CSV") }
        var byLower: [String: String] = [:]
        for name in header where byLower[name.lowercased()] == nil { byLower[name.lowercased()] = name }
        guard let dateColumn = byLower["date"], let costColumn = byLower["costinbillingcurrency"] ?? byLower["cost"] else {
            throw ExportError("missing column \"Date\" or \"CostInBillingCurrency\"")
        }
        var totals = CloudExport.UsageTotals()
        let skipped = try CloudExport.eachRow(try CloudExport.table(header, rows)) { row in
            func text(_ lower: String) -> String? { byLower[lower].flatMap { CloudExport.text(row[$0]) } }
            let account = text("resourceid").flatMap(cognitiveServicesAccount)
            let category = text("metercategory")?.lowercased() ?? ""
            guard account != nil || ["cognitive services", "openai", "foundry"].contains(where: category.contains) else { return }
            guard let day = try date(row[dateColumn], at: row.at(dateColumn)) else { throw CloudExport.at(row.place, "missing \"\(dateColumn)\"") }
            let charge = text("chargetype")?.lowercased() ?? "usage"
            let settling = ["refund", "credit", "adjustment"].contains(where: charge.contains)
            guard let cost = try CloudExport.money(row[costColumn], at: row.at(costColumn), allowNegative: settling) else {
                throw CloudExport.at(row.place, "missing \"\(costColumn)\"")
            }
            let usageDay = try CloudExport.usageDay(day, at: row.at(dateColumn))
            // BillingPeriodEndDate is the period's last day.
            if !settling, let ps = byLower["billingperiodstartdate"], let pe = byLower["billingperiodenddate"],
               let start = try date(row[ps], at: row.at(ps)), let end = try date(row[pe], at: row.at(pe)) {
                try ExportLimits.within(day, start: start, end: end.addingTimeInterval(86_400), at: row.at(dateColumn), period: "\(ps) to \(pe)")
            }
            let scope: UsageScope
            if let account {
                scope = .project(resourceScope(account))
            } else if let subscription = text("subscriptionid") {
                scope = .project(subscription)
            } else {
                scope = .organization("azure")
            }
            totals.add(provider: "azure", scope: scope, day: usageDay, cost: cost,
                       currency: (text("billingcurrency") ?? text("billingcurrencycode") ?? text("currency"))?.uppercased() ?? "USD",
                       model: text("metername"))
        }
        var bundle = ExportBundle()
        bundle.usage = totals.records(source: source)
        bundle.skippedRows = skipped
        return bundle
    }
}
