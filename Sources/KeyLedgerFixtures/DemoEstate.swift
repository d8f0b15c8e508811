import Foundation

/// The bundled demo estate: two small git repositories with history and a config store, holding
/// generated, never-issued credentials in the places real ones leak — committed `.env` files,
/// notebooks, CI workflows, Kubernetes Secrets, Terraform variables, Docker and cloud CLI config.
/// A fixed seed makes it identical on every machine.
public struct DemoEstate {
    public let root: String
    public init(root: String) { self.root = root }

    /// What was planted, for tests that check the scan finds it (fingerprints only ever leave via `Secret`).
    public struct Planted {
        public var secrets: [String: String] = [:]   // label → secret
    }

    @discardableResult
    public func build(seed: UInt64 = 20261120) throws -> Planted {
        var keys = CredentialFactory(seed: seed)
        var planted = Planted()
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)

        let openai = keys.openAIProjectKey()
        let openaiAdmin = keys.openAIAdminKey()
        let anthropic = keys.anthropicAPIKey()
        let aws = keys.awsKeyPair()
        let github = keys.gitHubToken()
        let groq = keys.groqKey()
        let hf = keys.huggingFaceToken()
        let mistral = keys.mistralKey()
        let gcp = keys.gcpServiceAccountJSON(project: "ml-platform-prod", account: "trainer")
        let bedrock = keys.bedrockLongTermKey(account: "123456789012")
        let azure = keys.azureOpenAIKey()
        let deepseek = keys.deepSeekKey()
        let k8s = keys.kubernetesServiceAccountToken(namespace: "inference", account: "batch-runner")
        let slack = keys.slackBotToken()
        let google = keys.googleAPIKey()
        // Drawn last, so the keys above stay what they were.
        let batch = keys.awsKeyPair()
        planted.secrets = ["openai": openai, "openai-admin": openaiAdmin, "anthropic": anthropic, "aws-secret": aws.secret,
                           "github": github, "groq": groq, "huggingface": hf, "mistral": mistral, "bedrock": bedrock,
                           "azure-openai": azure, "deepseek": deepseek, "kubernetes": k8s, "slack": slack, "google": google,
                           "aws-batch-secret": batch.secret]

        // payments-api: a key committed in .env and removed later (history only), one still in HEAD,
        // an AWS pair in a deploy script, a token in CI, and a key that lives only on a feature branch.
        let payments = try GitFixtureRepository(path: root + "/payments-api")
        try payments.setOrigin("https://git.example.org/acme/payments-api.git")
        try payments.commit([
            "README.md": "# payments-api\n\nSet `OPENAI_API_KEY=sk-proj-xxxxxxxxxxxxxxxx` in your environment (see docs).\n",
            "app/main.py": "import os\n\nclient = OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])\n",
        ], message: "Initial service skeleton", author: "Priya Raman", email: "priya@acme.example", date: "2026-03-02")
        try payments.commit([".env": "OPENAI_API_KEY=\(openai)\nDATABASE_URL=postgres://localhost/payments\n"],
                            message: "Local config", author: "Sam Ortiz", email: "sam@acme.example", date: "2026-05-14")
        try payments.commit([".env": nil, ".gitignore": ".env\n"],
                            message: "Remove .env from the repository", author: "Priya Raman", email: "priya@acme.example", date: "2026-05-15")
        try payments.commit([
            "app/summarise.py": "import anthropic\n\nclient = anthropic.Anthropic(api_key=\"\(anthropic)\")\n",
            "deploy/aws.sh": "export AWS_ACCESS_KEY_ID=\(aws.id)\nexport AWS_SECRET_ACCESS_KEY=\(aws.secret)\naws s3 sync build/ s3://acme-payments\n",
        ], message: "Summaries with Claude; deploy script", author: "Sam Ortiz", email: "sam@acme.example", date: "2026-08-03")
        try payments.commit([
            ".github/CODEOWNERS": "* @acme/payments\n/deploy/ @acme/platform\n",
            ".github/workflows/release.yml": "name: release\non: push\njobs:\n  release:\n    runs-on: ubuntu-latest\n    env:\n      GH_TOKEN: \(github)\n    steps:\n      - run: gh release create\n",
            "docs/setup.md": "Use `ANTHROPIC_API_KEY=sk-ant-api03-...` and `AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE`.\n",
        ], message: "Release workflow", author: "Lee Chen", email: "lee@acme.example", date: "2026-09-21")
        try payments.commit(["app/fast.py": "GROQ_API_KEY = \"\(groq)\"\n"], message: "Try Groq for latency",
                            author: "Lee Chen", email: "lee@acme.example", date: "2026-10-02", branch: "feature/groq", from: "main")
        try payments.checkout()

        // ml-platform: a notebook with a Hugging Face token, a service-account key file, a Mistral key,
        // the OpenAI key from payments-api reused, and a Bedrock key.
        let ml = try GitFixtureRepository(path: root + "/ml-platform")
        try ml.commit([
            "notebooks/finetune.ipynb": notebook(cells: [
                "from huggingface_hub import login\nlogin(token=\"\(hf)\")",
                "import os\nos.environ[\"OPENAI_API_KEY\"] = \"\(openai)\"",
            ]),
            "pipelines/config.yaml": "mistral:\n  api_key: \(mistral)\n  model: mistral-large-latest\n",
        ], message: "Fine-tuning notebook", author: "Ana Silva", email: "ana@acme.example", date: "2026-06-10")
        try ml.commit(["secrets/trainer-sa.json": gcp.json], message: "Service account for training jobs",
                      author: "Ana Silva", email: "ana@acme.example", date: "2026-07-01")
        try ml.commit(["infra/bedrock.env": "AWS_BEARER_TOKEN_BEDROCK=\(bedrock)\n"], message: "Bedrock evaluation",
                      author: "Devin AI", email: "devin-ai-integration[bot]@users.noreply.github.com", date: "2026-10-28")
        try ml.commit(["jobs/batch.env": "AWS_ACCESS_KEY_ID=\(batch.id)\nAWS_SECRET_ACCESS_KEY=\(batch.secret)\nAWS_REGION=us-east-1\n"],
                      message: "Nightly summaries on Bedrock", author: "Ana Silva", email: "ana@acme.example", date: "2026-11-01")
        try ml.checkout()

        // config-store: the files an ops share accumulates.
        let store = root + "/config-store"
        let files: [String: String] = [
            ".env.production": "OPENAI_ADMIN_KEY=\(openaiAdmin)\nDEEPSEEK_API_KEY=\(deepseek)\nFEATURE_FLAGS=beta\n",
            "terraform/azure.tfvars": "openai_endpoint = \"https://acme-prod.openai.azure.com/\"\nopenai_api_key  = \"\(azure)\"\n",
            "k8s/inference-secret.yaml": """
            apiVersion: v1
            kind: Secret
            metadata:
              name: inference-keys
            type: Opaque
            data:
              SLACK_BOT_TOKEN: \(Data(slack.utf8).base64EncodedString())
              LOG_LEVEL: \(Data("info".utf8).base64EncodedString())

            """,
            "k8s/batch-runner-token": k8s + "\n",
            "gcloud/legacy-maps.json": "{\n  \"maps_api_key\": \"\(google)\",\n  \"placeholder\": \"AIzaSyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\"\n}\n",
            "aws/credentials": "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
            "templates/app.env.example": "OPENAI_API_KEY=${OPENAI_API_KEY}\nANTHROPIC_API_KEY=<your-key-here>\n",
        ]
        for (file, content) in files {
            let full = store + "/" + file
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try content.write(toFile: full, atomically: true, encoding: .utf8)
        }
        try writeExports(openai: openai, openaiAdmin: openaiAdmin, anthropic: anthropic, aws: aws, gcpKeyId: gcp.keyId,
                         gcpEmail: gcp.email, bedrock: bedrock)
        try writeCloudTrail(batchKeyId: batch.id)
        try """
        # Who answers for what. Matched in order: provider key ids and projects, then repository/path globs.
        owners:
          - team: payments
            contact: payments-oncall@acme.example
            cost_centre: CC-1042
            repositories: ["*payments-api*"]
            projects: [proj_payments, wrkspc_01Payments]
          - team: ml-platform
            contact: ml-platform@acme.example
            cost_centre: CC-2077
            repositories: ["ml-platform"]
            projects: [ml-platform-prod, "123456789012"]

        # Monthly (30-day) spend budgets per team, in the exports' currency: the weekly report and the register page
        # forecast each team's spend against them.
        policy:
          budgets: { payments: 2500, ml-platform: 2000 }

        """.write(toFile: root + "/keyledger.yml", atomically: true, encoding: .utf8)

        // A binary file and a symlink loop: skipped and counted, never a crash.
        try Data([0x89, 0x50, 0x4E, 0x47, 0x00, 0x00, 0x00, 0x0D] + Array("sk-proj-not-a-text-file".utf8)).write(to: URL(fileURLWithPath: store + "/logo.png"))
        try FileManager.default.createSymbolicLink(atPath: store + "/k8s/loop", withDestinationPath: "..")
        return planted
    }

    /// Provider exports in their documented shapes, tied to the planted keys by the providers' own redaction hints,
    /// key ids and IAM principals. The Bedrock key's spend jumps a week after a bot committed it: the abuse signature.
    func writeExports(openai: String, openaiAdmin: String, anthropic: String, aws: (id: String, secret: String),
                      gcpKeyId: String, gcpEmail: String, bedrock: String) throws {
        let dir = root + "/exports"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func save(_ name: String, _ object: Any) throws {
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: dir + "/" + name))
        }
        func stars(_ key: String) -> String { String(key.prefix(8)) + String(repeating: "*", count: key.count - 12) + String(key.suffix(4)) }
        func epoch(_ day: String) -> Int { Int(ISO8601DateFormatter().date(from: day + "T00:00:00Z")!.timeIntervalSince1970) }
        func days(from: String, to: String) -> [String] {
            var out: [String] = []
            var t = epoch(from)
            while t <= epoch(to) { out.append(String(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(t))).prefix(10))); t += 86_400 }
            return out
        }
        try save("openai-project-api-keys.json", [
            "object": "list", "project_id": "proj_payments", "first_id": "key_pay01", "last_id": "key_pay02", "has_more": false,
            "data": [
                ["object": "organization.project.api_key", "id": "key_pay01", "name": "payments-api prod", "redacted_value": stars(openai),
                 "created_at": epoch("2026-03-01"), "last_used_at": epoch("2026-11-19"),
                 "owner": ["type": "user", "user": ["id": "user_sam", "name": "Sam Ortiz", "email": "sam@acme.example", "role": "member", "created_at": epoch("2025-01-10")]]],
                ["object": "organization.project.api_key", "id": "key_pay02", "name": "payments-api staging",
                 "redacted_value": "sk-proj-" + String(repeating: "*", count: 152) + "Qw3A",
                 "created_at": epoch("2025-06-01"), "last_used_at": epoch("2026-08-02"),
                 "owner": ["type": "service_account", "service_account": ["id": "svc_acct_staging", "name": "staging-deployer", "role": "member", "created_at": epoch("2025-06-01")]]],
            ],
        ])
        try save("openai-admin-api-keys.json", [
            "object": "list", "has_more": false,
            "data": [["object": "organization.admin_api_key", "id": "key_admin01", "name": "finops exporter", "redacted_value": stars(openaiAdmin),
                      "created_at": epoch("2025-09-15"), "last_used_at": epoch("2026-11-20"), "expires_at": NSNull(),
                      "owner": ["type": "user", "object": "organization.user", "id": "user_ops", "name": "Ops Lead", "role": "owner"]]],
        ])
        try save("openai-costs.json", [
            "object": "page", "has_more": false, "next_page": NSNull(),
            "data": days(from: "2026-10-22", to: "2026-11-19").enumerated().map { i, day in
                ["object": "bucket", "start_time": epoch(day), "end_time": epoch(day) + 86_400,
                 "results": [["object": "organization.costs.result", "amount": ["value": 38.0 + Double(i % 5) * 2.5, "currency": "usd"],
                              "line_item": NSNull(), "project_id": "proj_payments", "api_key_id": "key_pay01"]]]
            },
        ])
        // A second costs pull that overlaps the first (2026-11-01 … 2026-11-19): its buckets are the same and count once.
        try save("openai-costs-november.json", [
            "object": "page", "has_more": false, "next_page": NSNull(),
            "data": days(from: "2026-10-22", to: "2026-11-19").enumerated().filter { $0.element >= "2026-11-01" }.map { i, day in
                ["object": "bucket", "start_time": epoch(day), "end_time": epoch(day) + 86_400,
                 "results": [["object": "organization.costs.result", "amount": ["value": 38.0 + Double(i % 5) * 2.5, "currency": "usd"],
                              "line_item": NSNull(), "project_id": "proj_payments", "api_key_id": "key_pay01"]]]
            },
        ])
        // Usage of the same key for the last week, 60% of its input from the prompt cache: its tokens and requests count,
        // its cost is the billed one above.
        try save("openai-usage-completions.json", [
            "object": "page", "has_more": false, "next_page": NSNull(),
            "data": days(from: "2026-11-13", to: "2026-11-19").map { day in
                ["object": "bucket", "start_time": epoch(day), "end_time": epoch(day) + 86_400,
                 "results": [["object": "organization.usage.completions.result", "input_tokens": 1_000_000, "input_cached_tokens": 600_000,
                              "output_tokens": 200_000, "num_model_requests": 50, "project_id": NSNull(), "user_id": NSNull(),
                              "api_key_id": "key_pay01", "model": "gpt-4o-2024-08-06", "batch": false, "service_tier": NSNull()]]]
            },
        ])
        try save("anthropic-api-keys.json", [
            "has_more": false, "first_id": "apikey_01Summ", "last_id": "apikey_02Batch",
            "data": [["id": "apikey_01Summ", "type": "api_key", "name": "payments summaries",
                      "created_at": "2026-08-01T09:30:00Z", "expires_at": NSNull(),
                      "created_by": ["id": "user_01Sam", "type": "user"],
                      "partial_key_hint": String(anthropic.prefix(16)) + "..." + String(anthropic.suffix(4)),
                      "status": "active", "workspace_id": "wrkspc_01Payments"],
                     ["id": "apikey_02Batch", "type": "api_key", "name": "payments nightly batch",
                      "created_at": "2026-11-01T08:00:00Z", "expires_at": NSNull(),
                      "created_by": ["id": "user_01Sam", "type": "user"],
                      "partial_key_hint": "sk-ant-api03-Nb7...Qk4A", "status": "active", "workspace_id": "wrkspc_01Payments"]],
        ])
        // Messages usage by key: the summaries key every day (with cache reads), the batch key for the last week through
        // the Message Batches API (service_tier batch) with 5-minute cache writes.
        try save("anthropic-usage-messages.json", [
            "has_more": false, "next_page": NSNull(),
            "data": days(from: "2026-10-22", to: "2026-11-19").map { day in
                var results: [[String: Any]] = [["uncached_input_tokens": 2_400_000, "cache_read_input_tokens": 300_000,
                              "cache_creation": ["ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0],
                              "output_tokens": 420_000, "server_tool_use": ["web_search_requests": 0],
                              "api_key_id": "apikey_01Summ", "workspace_id": "wrkspc_01Payments", "model": "claude-sonnet-4-5-20250929",
                              "service_tier": "standard", "context_window": "0-200k"]]
                if day >= "2026-11-13" {
                    results.append(["uncached_input_tokens": 1_000_000, "cache_read_input_tokens": 0,
                                    "cache_creation": ["ephemeral_5m_input_tokens": 200_000, "ephemeral_1h_input_tokens": 0],
                                    "output_tokens": 100_000, "server_tool_use": ["web_search_requests": 0],
                                    "api_key_id": "apikey_02Batch", "workspace_id": "wrkspc_01Payments", "model": "claude-haiku-4-5-20251001",
                                    "service_tier": "batch", "context_window": "0-200k"])
                }
                return ["starting_at": day + "T00:00:00Z", "ending_at": day + "T23:59:59Z", "results": results]
            },
        ])
        // The cost report (grouped by workspace; it cannot be grouped by key) for the last week: the payments workspace is
        // billed 1.2 × its keys' priced usage, and the default workspace, where no listed key lives, 42.00 on 2026-11-19.
        try save("anthropic-cost-report.json", [
            "has_more": false, "next_page": NSNull(),
            "data": days(from: "2026-11-13", to: "2026-11-19").map { day in
                var results: [[String: Any]] = [["currency": "USD", "amount": "1735.80", "workspace_id": "wrkspc_01Payments", "description": NSNull(),
                                                 "cost_type": NSNull(), "context_window": NSNull(), "model": NSNull(), "service_tier": NSNull(),
                                                 "token_type": NSNull()]]
                if day == "2026-11-19" {
                    results.append(["currency": "USD", "amount": "4200.00", "workspace_id": NSNull(), "description": NSNull(),
                                    "cost_type": NSNull(), "context_window": NSNull(), "model": NSNull(), "service_tier": NSNull(),
                                    "token_type": NSNull()])
                }
                return ["starting_at": day + "T00:00:00Z", "ending_at": day + "T23:59:59Z", "results": results]
            },
        ])
        try save("aws-list-access-keys.json", [
            "AccessKeyMetadata": [["UserName": "payments-deployer", "AccessKeyId": aws.id, "Status": "Active", "CreateDate": "2025-02-11T10:00:00+00:00"]],
        ])
        try save("aws-account-authorization-details.json", [
            "UserDetailList": [
                ["UserName": "payments-deployer", "Arn": "arn:aws:iam::123456789012:user/payments-deployer", "UserId": "AIDA" + "PAYMENTSDEPLOYER1",
                 "UserPolicyList": [], "GroupList": [],
                 "AttachedManagedPolicies": [["PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"]]],
                ["UserName": Self.bedrockUserName(bedrock), "Arn": "arn:aws:iam::123456789012:user/" + Self.bedrockUserName(bedrock),
                 "UserId": "AIDA" + "BEDROCKEVALUSER1", "UserPolicyList": [], "GroupList": [],
                 "AttachedManagedPolicies": [["PolicyName": "AmazonBedrockLimitedAccess", "PolicyArn": "arn:aws:iam::aws:policy/AmazonBedrockLimitedAccess"]]],
            ],
            "GroupDetailList": [], "RoleDetailList": [], "Policies": [],
        ])
        // CUR 2.0: Bedrock spend per IAM principal. The key's IAM user was created on 2026-10-27 and the key committed
        // on 2026-10-28 (a one-day history before the leak); $2.50 a day until, on 2026-11-05, it jumps to $270 a day
        // and stays there: a leaked key resold a week later.
        var cur = "bill_billing_period_start_date,line_item_usage_account_id,line_item_product_code,line_item_usage_type,line_item_usage_start_date,line_item_usage_amount,line_item_unblended_cost,line_item_currency_code,line_item_iam_principal,line_item_resource_id\n"
        let principal = "arn:aws:iam::123456789012:user/" + Self.bedrockUserName(bedrock)
        for day in days(from: "2026-10-27", to: "2026-11-19") {
            let cost = day >= "2026-11-05" ? 270.0 : 2.5
            let tokens = Int(cost / 0.003 * 1000)
            cur += "2026-\(day.dropFirst(5).prefix(2))-01,123456789012,AmazonBedrock,USE1-Claude4.5Sonnet-input-tokens,\(day)T00:00:00Z,\(tokens),\(String(format: "%.2f", cost)),USD,\(principal),arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5\n"
        }
        try cur.write(toFile: dir + "/aws-cur2-bedrock.csv", atomically: true, encoding: .utf8)
        try save("gcp-service-account-keys.json", [
            ["name": "projects/ml-platform-prod/serviceAccounts/\(gcpEmail)/keys/\(gcpKeyId)", "validAfterTime": "2026-06-30T08:00:00Z",
             "validBeforeTime": "9999-12-31T23:59:59Z", "keyAlgorithm": "KEY_ALG_RSA_2048", "keyOrigin": "GOOGLE_PROVIDED", "keyType": "USER_MANAGED"],
        ])
        try save("gcp-iam-policy.json", [
            "version": 1, "etag": "BwYk3xyz=",
            "bindings": [["role": "roles/editor", "members": ["serviceAccount:\(gcpEmail)"]],
                         ["role": "roles/aiplatform.user", "members": ["group:ml@acme.example"]]],
        ])
        // A truncated file, as happens with interrupted exports: reported and skipped.
        try "{\"object\": \"list\", \"data\": [".write(toFile: dir + "/openai-export-truncated.json", atomically: true, encoding: .utf8)
    }

    /// CloudTrail for the `bedrock-batch` IAM user's access key, as S3 delivers it (one gzip file a day under
    /// `AWSLogs/…`), and its `list-access-keys` entry. Every night since 2026-10-20 the team's job calls Claude Haiku
    /// from 10.20.0.5 with Boto3. The key is committed on 2026-11-01; on 2026-11-08 someone else asks for model access,
    /// lists the models, checks availability and invokes Claude Sonnet every four minutes from 198.51.100.23 with
    /// python-requests — the LLMjacking sequence — and keeps at it every night after.
    func writeCloudTrail(batchKeyId: String) throws {
        let dir = root + "/exports"
        let listing: [String: Any] = ["AccessKeyMetadata": [["UserName": "bedrock-batch", "AccessKeyId": batchKeyId, "Status": "Active",
                                                             "CreateDate": "2026-09-15T08:00:00+00:00"]]]
        try JSONSerialization.data(withJSONObject: listing, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: dir + "/aws-list-access-keys-bedrock-batch.json"))
        var trail = CloudTrailFixture(user: "bedrock-batch")
        let start = ISO8601DateFormatter().date(from: "2026-10-20T00:00:00Z")!
        for d in 0..<31 {
            let midnight = start.addingTimeInterval(Double(d) * 86_400)
            let day = String(ISO8601DateFormatter().string(from: midnight).prefix(10))
            func at(_ seconds: Int) -> String { ISO8601DateFormatter().string(from: midnight.addingTimeInterval(Double(seconds))) }
            var records: [[String: Any]] = (0..<3).map { i in
                trail.event("InvokeModel", at: at(2 * 3600 + i * 60), key: batchKeyId, address: "10.20.0.5",
                            model: "anthropic.claude-3-haiku-20240307-v1:0")
            }
            if day >= "2026-11-08" {
                let thief = (address: "198.51.100.23", agent: CloudTrailFixture.pythonRequests)
                if day == "2026-11-08" {
                    records.append(trail.event("PutUseCaseForModelAccess", at: at(3 * 3600 + 11 * 60 + 2), key: batchKeyId,
                                               address: thief.address, userAgent: thief.agent))
                    records.append(trail.event("ListFoundationModels", at: at(3 * 3600 + 12 * 60 + 5), key: batchKeyId,
                                               address: thief.address, userAgent: thief.agent))
                    records.append(trail.event("GetFoundationModelAvailability", at: at(3 * 3600 + 12 * 60 + 40), key: batchKeyId,
                                               address: thief.address, userAgent: thief.agent))
                }
                for i in 0..<40 {
                    records.append(trail.event("InvokeModel", at: at(3 * 3600 + 14 * 60 + 2 + i * 240), key: batchKeyId,
                                               address: thief.address, userAgent: thief.agent,
                                               model: "anthropic.claude-3-5-sonnet-20240620-v1:0"))
                }
            }
            records.append(CloudTrailFixture.serviceEvent(at: at(23 * 3600)))
            let path = dir + "/cloudtrail/" + trail.s3Key(day: day, sequence: d + 1)
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let json = try CloudTrailFixture.s3Delivery(records)
            try Data(ArchiveFixture.make(.gzipStream, members: [("data", [UInt8](json))])).write(to: URL(fileURLWithPath: path))
        }
    }

    /// The IAM user a long-term Bedrock key names (`ABSK` + base64 of `BedrockAPIKey-…-at-<account>:…`).
    static func bedrockUserName(_ key: String) -> String {
        let decoded = Data(base64Encoded: String(key.dropFirst(4))).flatMap { String(data: $0, encoding: .utf8) } ?? ""
        return decoded.components(separatedBy: "-at-").first ?? "BedrockAPIKey"
    }

    /// A Jupyter notebook (nbformat 4) whose code cells hold `cells`.
    public func notebook(cells: [String]) -> String {
        let cellJSON = cells.map { source -> [String: Any] in
            let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let withNewlines = lines.enumerated().map { $0.offset < lines.count - 1 ? $0.element + "\n" : $0.element }
            return ["cell_type": "code", "execution_count": NSNull(), "metadata": [String: Any](), "outputs": [Any](), "source": withNewlines]
        }
        let object: [String: Any] = ["cells": cellJSON, "metadata": ["kernelspec": ["name": "python3", "display_name": "Python 3"]],
                                     "nbformat": 4, "nbformat_minor": 5]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
