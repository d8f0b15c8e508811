import Foundation
import KeyLedgerFixtures

// Builds the demo estate (git repositories with history, a config store) from generated,
// never-issued credentials: `keyledger-demo [DIR]` (default fixtures/demo/estate).
let arguments = CommandLine.arguments.dropFirst()
let root = arguments.first ?? "fixtures/demo/estate"
do {
    try DemoEstate(root: root).build()
    print("demo estate written to \(root): payments-api (git), ml-platform (git), config-store (folder)")
} catch {
    FileHandle.standardError.write(Data("keyledger-demo: \(error)\n".utf8))
    exit(2)
}
