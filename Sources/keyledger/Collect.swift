import ArgumentParser
import Foundation
import KeyLedger

struct Collect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pull a provider's admin API into export files that `scan --exports` reads.",
        discussion: """
        Writes every page of the answers as they come, in DIR/PROVIDER/ENDPOINT-page-0001.json: OpenAI projects, \
        each project's API keys and service accounts, admin keys, usage (by key, project and model) and costs; \
        Anthropic API keys, workspaces, the usage report (by key, workspace and model) and the cost report; LiteLLM \
        keys, teams and spend logs. 429 waits for Retry-After; 5xx and timeouts are retried with backoff; 401/403 \
        are not.

        The admin key comes from the environment (OPENAI_ADMIN_KEY, ANTHROPIC_ADMIN_KEY, LITELLM_MASTER_KEY) or \
        --key-file, never the command line; it is never printed, logged or written. Base URLs: keyledger.yml \
        endpoints: (openai, anthropic, litellm); LiteLLM needs --url or endpoints.litellm.

        Exit status: 0 when every endpoint was read to the end; 2 when one could not be (the pages fetched are kept \
        and the failures named) or on a usage error.

        Weekly cron recipe, e.g. `0 6 * * 1 /opt/keyledger/weekly.sh` (scan exits 1 when it finds credentials:         run report whatever its status):
          keyledger collect openai    --out exports/
          keyledger collect anthropic --out exports/
          keyledger collect litellm   --out exports/ --url https://llm-proxy.internal
          keyledger scan repos/ --exports exports/ --validate --db keyledger.db --output scan.txt
          keyledger report --db keyledger.db --format html --output weekly-report.html
        """)

    @Argument(help: "The admin API to read: openai, anthropic or litellm.")
    var provider: CollectProvider

    @Option(help: ArgumentHelp("The folder to write into (PROVIDER/ is created inside it).", valueName: "DIR"))
    var out: String

    @Option(help: ArgumentHelp("First day to collect usage and cost for (default: 30 days before today).", valueName: "DATE"))
    var since: String?

    @Option(help: ArgumentHelp("Last day to collect usage and cost for (default: today).", valueName: "DATE"))
    var until: String?

    @Option(name: .customLong("key-file"), help: ArgumentHelp(
        "Read the admin key from FILE (mode 600) instead of the environment variable.", valueName: "FILE"))
    var keyFile: String?

    @Option(help: ArgumentHelp("The LiteLLM proxy's base URL (https; http only to localhost), over endpoints.litellm.", valueName: "URL"))
    var url: String?

    @OptionGroup var configOption: ConfigOption

    @Option(help: ArgumentHelp("Seconds each call may take before it is retried (default 30).", valueName: "SECONDS"))
    var timeout: String?

    @OptionGroup var asOfOption: AsOfOption

    /// `--timeout` in seconds (`30` or `30s`), when valid.
    var timeoutSeconds: TimeInterval? {
        guard let text = timeout else { return 30 }
        guard let t = Double(text.hasSuffix("s") ? String(text.dropLast()) : text), t.isFinite, t > 0, t <= 600 else { return nil }
        return t
    }

    func validate() throws {
        // Values are not echoed: whatever was typed there may be anything.
        if let since, ISODate.parse(since) == nil { throw ValidationError("--since must be a date like 2026-08-01") }
        if let until, ISODate.parse(until) == nil { throw ValidationError("--until must be a date like 2026-08-31") }
        if let s = since.flatMap(ISODate.parse), let u = until.flatMap(ISODate.parse), s > u {
            throw ValidationError("--since must not be after --until")
        }
        if timeoutSeconds == nil { throw ValidationError("--timeout must be a number of seconds from 0 to 600") }
        if url != nil, provider != .litellm { throw ValidationError("--url is for litellm; set endpoints.\(provider.rawValue) in keyledger.yml instead") }
    }

    func run() throws {
        let loaded: (key: Secret, warnings: [String])
        do { loaded = try CollectAdminKey.load(provider, environment: ProcessInfo.processInfo.environment, keyFile: keyFile) } catch {
            throw fail("\(error)")
        }
        // From here on, everything printed is checked against the admin key too.
        let sanitizer = Sanitizer.standard
        sanitizer.remember([loaded.key])
        Console.sanitizer = sanitizer
        for warning in loaded.warnings { Console.error("warning: \(warning)") }

        // Where the admin key goes is decided only by a file named with --config: a ./keyledger.yml picked up from the
        // working directory may come with a checkout (as for `scan --validate`).
        var endpoints = ValidationEndpoints()
        if let configPath = configOption.path {
            do {
                let loaded = try KeyLedgerConfig.load(path: configPath).endpoints
                if configOption.config != nil {
                    endpoints = loaded
                } else if !loaded.overrides.isEmpty {
                    Console.error("warning: endpoints: in ./keyledger.yml is ignored: a file found in the working directory may come with a "
                        + "checkout and could send the admin key to another host; name it with --config to use it")
                }
            } catch { throw fail("\(error)") }
        }
        let base: URL
        do { base = try provider.base(endpoints: endpoints, url: url) } catch { throw fail("\(error)") }

        let today = asOfOption.date ?? Date()
        var period = CollectPeriod.lastThirtyDays(before: today)
        if let since = since.flatMap(ISODate.parse) { period.since = since }
        period.until = until.flatMap(ISODate.parse)
        let interactive = isatty(STDERR_FILENO) == 1
        let request = CollectRequest(
            provider: provider, outputFolder: out, period: period, adminKey: loaded.key, base: base,
            policy: CollectRetryPolicy(timeout: timeoutSeconds ?? 30),
            progress: interactive ? { @Sendable message in Console.status(message) } : nil,
            now: { today })
        let summary = Collector.run(request)
        if interactive { Console.clearStatus() }
        for line in summary.lines {
            if line.hasPrefix("failed: ") || line.hasPrefix("stopped: ") || line.hasPrefix("incomplete: ") { Console.error(line) } else { Console.print(line) }
        }
        if !summary.complete { throw Exit.inputError }
    }
}

extension CollectProvider: ExpressibleByArgument {}
