// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "keyledger",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "keyledger", targets: ["keyledger"]),
        .library(name: "KeyLedger", targets: ["KeyLedger"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        // Reads gitleaks / betterleaks TOML rule configs (`--rules .gitleaks.toml`).
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibGit2", path: "Sources/CLibGit2", pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]),
        .systemLibrary(
            name: "CVectorscan", path: "Sources/CVectorscan", pkgConfig: "libhs",
            providers: [.apt(["libvectorscan-dev"]), .brew(["vectorscan"])]),
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]),
        .systemLibrary(
            name: "CLibArchive", path: "Sources/CLibArchive", pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"]), .brew(["libarchive"])]),
        // glibc's memmem, declared for Swift (substring search over large buffers).
        .systemLibrary(name: "CMemmem", path: "Sources/CMemmem"),
        .target(
            name: "KeyLedger",
            dependencies: ["CLibGit2", "CVectorscan", "CSQLite", "CLibArchive", "CMemmem", .product(name: "Yams", package: "Yams"),
                           .product(name: "TOMLKit", package: "TOMLKit")],
            path: "Sources/KeyLedger"),
        .executableTarget(
            name: "keyledger",
            dependencies: ["KeyLedger", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/keyledger"),
        // Builds never-issued, well-formed credentials and git repositories for tests and the demo estate.
        .target(
            name: "KeyLedgerFixtures",
            dependencies: ["KeyLedger", "CLibGit2", "CLibArchive"],
            path: "Sources/KeyLedgerFixtures"),
        .executableTarget(
            name: "keyledger-demo",
            dependencies: ["KeyLedgerFixtures"],
            path: "Sources/keyledger-demo"),
        // libFuzzer harness for the decoders and importers (scripts/fuzz.sh); a plain build replays a corpus.
        .executableTarget(
            name: "keyledger-fuzz",
            dependencies: ["KeyLedger"],
            path: "Sources/keyledger-fuzz"),
        .testTarget(
            name: "KeyLedgerTests",
            dependencies: ["KeyLedger", "KeyLedgerFixtures", "CLibGit2"],
            path: "Tests/KeyLedgerTests",
            // Golden files are read from the source tree by path (so regenerating them rewrites the committed copy).
            exclude: ["Golden"]),
    ],
    swiftLanguageModes: [.v6]
)
