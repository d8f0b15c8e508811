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
        planted.secrets = ["openai": openai, "openai-admin": openaiAdmin, "anthropic": anthropic, "aws-secret": aws.secret,
                           "github": github, "groq": groq, "huggingface": hf, "mistral": mistral, "bedrock": bedrock,
                           "azure-openai": azure, "deepseek": deepseek, "kubernetes": k8s, "slack": slack, "google": google]

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
        // A binary file and a symlink loop: skipped and counted, never a crash.
        try Data([0x89, 0x50, 0x4E, 0x47, 0x00, 0x00, 0x00, 0x0D] + Array("sk-proj-not-a-text-file".utf8)).write(to: URL(fileURLWithPath: store + "/logo.png"))
        try FileManager.default.createSymbolicLink(atPath: store + "/k8s/loop", withDestinationPath: "..")
        return planted
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
