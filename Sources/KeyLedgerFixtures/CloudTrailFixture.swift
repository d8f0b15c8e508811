import Foundation

/// CloudTrail events in the documented record shape (CloudTrail User Guide, "CloudTrail record contents" and the
/// `userIdentity` element; Bedrock calls carry `eventSource: bedrock.amazonaws.com` and the model in
/// `requestParameters.modelId`), for tests and the demo estate. Ids are deterministic; keys come from
/// `CredentialFactory`, never real ones.
public struct CloudTrailFixture {
    public var account: String
    public var user: String
    private var counter = 0

    public init(account: String = "123456789012", user: String = "payments-deployer") {
        self.account = account
        self.user = user
    }

    public static let boto3 = "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69"
    public static let awsCLI = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#debian.12 md/prompt#off md/command#s3.sync"
    public static let pythonRequests = "python-requests/2.31.0"

    /// One event by the IAM user's access key `keyId`. `time`: `2026-11-08T03:12:05Z`.
    public mutating func event(_ name: String, at time: String, key keyId: String, source: String = "bedrock.amazonaws.com",
                               address: String = "203.0.113.77", userAgent: String = CloudTrailFixture.boto3,
                               model: String? = nil, region: String = "us-east-1") -> [String: Any] {
        counter += 1
        let id = String(format: "%08x-0000-4000-8000-%012x", counter, counter)
        var parameters: Any = NSNull()
        if let model { parameters = ["modelId": model] }
        let invocation = ["InvokeModel", "InvokeModelWithResponseStream", "Converse", "ConverseStream"].contains(name)
        return [
            "eventVersion": "1.09",
            "userIdentity": [
                "type": "IAMUser", "principalId": "AIDA" + "EXAMPLEUSERID0001", "arn": "arn:aws:iam::\(account):user/\(user)",
                "accountId": account, "accessKeyId": keyId, "userName": user,
            ],
            "eventTime": time, "eventSource": source, "eventName": name, "awsRegion": region,
            "sourceIPAddress": address, "userAgent": userAgent,
            "requestParameters": parameters, "responseElements": NSNull(),
            "requestID": id, "eventID": id, "readOnly": !name.hasPrefix("Put") && !name.hasPrefix("Create") && !name.hasPrefix("Accept"),
            "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": account,
            "eventCategory": "Management",
            "tlsDetails": ["tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                           "clientProvidedHostHeader": invocation ? "bedrock-runtime.\(region).amazonaws.com" : "bedrock.\(region).amazonaws.com"],
        ]
    }

    /// An event AWS records for a service acting on its own: no access key.
    public static func serviceEvent(at time: String) -> [String: Any] {
        ["eventVersion": "1.09", "userIdentity": ["type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"],
         "eventTime": time, "eventSource": "kms.amazonaws.com", "eventName": "GenerateDataKey", "awsRegion": "us-east-1",
         "sourceIPAddress": "cloudtrail.amazonaws.com", "userAgent": "cloudtrail.amazonaws.com",
         "requestParameters": NSNull(), "responseElements": NSNull(), "eventType": "AwsApiCall", "readOnly": true,
         "managementEvent": true, "eventCategory": "Management"]
    }

    /// The S3 delivery file: `{"Records":[…]}`.
    public static func s3Delivery(_ records: [[String: Any]]) throws -> Data {
        try JSONSerialization.data(withJSONObject: ["Records": records], options: [.sortedKeys])
    }

    /// `aws cloudtrail lookup-events --output json`: each event as a JSON string in `CloudTrailEvent`.
    public static func lookupEvents(_ records: [[String: Any]]) throws -> Data {
        let events: [[String: Any]] = try records.map { r in
            let text = String(decoding: try JSONSerialization.data(withJSONObject: r, options: [.sortedKeys]), as: UTF8.self)
            let identity = r["userIdentity"] as? [String: Any]
            return ["EventId": r["eventID"] ?? "", "EventName": r["eventName"] ?? "", "ReadOnly": "\(r["readOnly"] ?? true)",
                    "AccessKeyId": identity?["accessKeyId"] ?? "", "EventTime": r["eventTime"] ?? "",
                    "EventSource": r["eventSource"] ?? "", "Username": identity?["userName"] ?? "", "Resources": [Any](),
                    "CloudTrailEvent": text]
        }
        return try JSONSerialization.data(withJSONObject: ["Events": events], options: [.prettyPrinted, .sortedKeys])
    }

    /// The S3 object key CloudTrail writes a file under, relative to the bucket.
    public func s3Key(region: String = "us-east-1", day: String, sequence: Int = 1) -> String {
        let parts = day.split(separator: "-")
        return "AWSLogs/\(account)/CloudTrail/\(region)/\(parts[0])/\(parts[1])/\(parts[2])/"
            + "\(account)_CloudTrail_\(region)_\(parts.joined())T0000Z_\(String(format: "%016X", sequence)).json.gz"
    }
}
