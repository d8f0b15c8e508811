/// Credentials their owners published on purpose — SDK samples, local emulators' fixed keys — which look exactly
/// like real ones (right prefix, length, entropy) and are not secrets. Kept as SHA-256 digests so the list carries
/// no key-shaped text; each group says where the values were published.
enum PublicExampleKeys {
    static let digests: Set<String> = [
        // Firebase Android SDK sample API keys (github.com/firebase/firebase-android-sdk; also allow-listed by
        // gitleaks' gcp-api-key rule).
        "d2460eb704ec163515ef7e0ecd3735496b137219912bb87e4ac3d54b4f18f54a",
        "27a9a42931dff7eb2f8434e20a9bce976ea364e7bee49187f19d5cfeca9c7045",
        "49f777db995e8260da7ca9ffdf0c08d66f0453e97ec967018baf2cdfe3b582d0",
        "a6c814bc555ae62c7bd8b58ec07bf559c7ed3a009976a1e0acc9cef0d4473b41",
        "8731261cb72d86267a32a532ebd3df429e2144e5e4ced7e13568bc9e6c8fb1b1",
        "37f8f09bdf12c2f2eae4ead7273a62ddb0c23459cbf902892f282b57f7ed6619",
        "eb540d2b6ee2a0a47c5779bc8a0141784c6b753840d4c6f4e2428a6e86e9e0b1",
        "2037abcaffb2b77785da716cf7ccff4ff4d00c4ea930db0167b7d71f50af7eb4",
        "3a8b61d0f636b007840c0d40ba12bcf48465dc054cdc1a68704a33521d84b665",
        "4c98242dcadc8b29005c6b4aad526552d5ea1842149154c0694adeec75847583",
        "ea9bb1082cf95663f5faca23b8b15ef2aa0fce0a5c6df9c32dcb85b2e0a4513d",
        "3f370c9dd8225c63b5c77de1f785edc9712958f18bb612d5fa2e0ae33aeca682",
        "a19f89ab3555eac10c40741f6df79ecf0935998f15569f8db9d67bce0181fff6",
        "e4a5542bb7fd7b67e943c71ad29c34b5972c9840597e7eda53e666f44d5da0b9",
        "dc0fcf046c61640cbd1e8b999ada3262d722c2ca4bf42dceac999020ffdbb614",
        "dc057717851fc4b8d953179c0fd5021aee9e3e761a7dbe714bc88407ce168f39",
        "f56e323494a6ffc2064e7a955908957d84f0755e5f975dabd64328d0359a8f7c",
        "0b476bdf9acf2123d547b5ae76f1e59884d8ec9553ee0c47e9f31fd4768f3f3c",
        // Azurite / Azure Storage Emulator account key for devstoreaccount1 (learn.microsoft.com, "Use the Azurite
        // emulator": the well-known development key).
        "0011cc25eb4320717494d2703e8cba85743e71b500283c21c8b88147992f9059",
        // The Google Cloud SDK's (gcloud) installed-application OAuth client secret for client
        // 764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com: shipped in the SDK, public by
        // design (Google's OAuth docs: installed apps cannot keep a client secret).
        "f0386f9be1fe905fb2f97a8daff11a9baa9988ceca7c2ecae4aec8db182db1b4",
        // AWS documentation example key pair (AKIAIOSFODNN7EXAMPLE and its secret).
        "1a5d44a2dca19669d72edf4c4f1c27c4c1ca4b4408fbb17f6ce4ad452d78ddb3",
        "78314b11be2e581549ac1c4f616563fad3fdf0c3b71678f6e2299182080e0598",
    ]

    /// Whether `secret` is one of the published example values.
    static func contains(_ secret: String) -> Bool {
        digests.contains(SHA256.hex(secret))
    }
}
