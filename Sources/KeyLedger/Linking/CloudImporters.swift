extension ExportLoader {
    /// Importers for cloud IAM and billing exports (AWS, GCP, FOCUS) and gateways (LiteLLM).
    static let cloudImporters: [any ExportImporter.Type] = [
        AWSAccessKeysImporter.self,
        AWSCredentialReportImporter.self,
        AWSAuthorizationDetailsImporter.self,
        AWSCURImporter.self,
        CloudTrailImporter.self,
        BedrockInvocationLogImporter.self,
        GCPServiceAccountKeysImporter.self,
        GCPIAMPolicyImporter.self,
        GCPBillingExportImporter.self,
        FOCUSImporter.self,
        AzureCostDetailsImporter.self,
        LiteLLMVerificationTokensImporter.self,
        LiteLLMSpendLogsImporter.self,
        LiteLLMDailySpendImporter.self,
    ]
}
