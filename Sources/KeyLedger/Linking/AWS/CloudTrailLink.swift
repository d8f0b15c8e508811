import Foundation

/// Ties CloudTrail activity to AWS credentials by access key id: the id of the provider key the credential was linked
/// to, else the found key's own id (the `AKIA…` beside its secret). Kept apart from the linker's usage attribution.
enum CloudTrailLink {
    static func attach(_ activity: [String: CloudTrailKeyActivity], to linked: inout [LinkedCredential]) {
        guard !activity.isEmpty else { return }
        for i in linked.indices {
            guard Linker.sameProvider(linked[i].provider, "aws"),
                  let keyId = linked[i].providerKey?.keyId ?? linked[i].identity.keyId, let trail = activity[keyId] else { continue }
            linked[i].keyActivity = trail
            // CloudTrail's last event is a last use, as the credential report's is.
            let last = Date(timeIntervalSince1970: Double(trail.lastUse))
            if linked[i].lastUsed.map({ $0 < last }) ?? true { linked[i].lastUsed = last }
            let calls = trail.bedrockCallsByDay.values.reduce(0, +)
            let days = trail.bedrockCallsByDay.keys.sorted()
            let bedrock = calls == 0 ? "no Bedrock calls" : "\(calls) Bedrock call\(calls == 1 ? "" : "s") \(days.first!)…\(days.last!)"
            linked[i].notes.append("CloudTrail: \(trail.events) event\(trail.events == 1 ? "" : "s") "
                + "\(ISODate.day(trail.firstUse))…\(ISODate.day(trail.lastUse)), \(bedrock), from \(trail.addresses.count) "
                + "address\(trail.addresses.count == 1 ? "" : "es")")
        }
    }
}
