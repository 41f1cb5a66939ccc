import Alerting
import AlertingConfig
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// How a person proves who they are to the console: a contact's bcrypt password hash, or a
/// header set by a reverse proxy that signed them in, believed only from the proxy's address.
struct ConsoleSignIn: Sendable {
    let settings: WebConsoleSettings
    let contacts: [String: Contact]

    /// Checked for a name with no hash, so an unknown name takes as long as a wrong password
    /// and gets the same answer: made once, at the cost of the configured hashes.
    private let decoy = LockedBox<String?>(nil)

    init(settings: WebConsoleSettings, contacts: [String: Contact]) {
        self.settings = settings
        self.contacts = contacts
    }

    /// The contact `name` names, when `password` is theirs.
    func person(name: String, password: String) async -> String? {
        let hash = settings.passwordHashes[name]?.exposedValue
        let checked: String
        if let hash {
            checked = hash
        } else if let made = decoy.withLock({ $0 }) {
            checked = made
        } else {
            let made = (try? await Self.hash(ConsoleSessions.randomToken(), cost: decoyCost)) ?? ""
            decoy.withLock { $0 = made }
            checked = made
        }
        let matches = await Self.verify(password, hash: checked)
        return matches && hash != nil ? name : nil
    }

    /// The highest cost among the configured hashes (`$2y$COST$...`), 10 without any.
    private var decoyCost: UInt8 {
        let costs = settings.passwordHashes.values.compactMap { UInt8($0.exposedValue.dropFirst(4).prefix(2)) }
        return min(31, max(4, costs.max() ?? 10))
    }

    /// Bcrypt is slow by design: run it off the event loops and the cooperative pool.
    static func verify(_ password: String, hash: String) async -> Bool {
        // htpasswd -B writes $2y$, PHP's name for what OpenBSD calls $2b$: the same algorithm.
        let normalized = hash.hasPrefix("$2y$") ? "$2b$" + hash.dropFirst(4) : hash
        return (try? await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: normalized) }) ?? false
    }

    /// A bcrypt hash of `password` for a contact's `password_hash:` (`notify passwd`).
    static func hash(_ password: String, cost: UInt8 = 12) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether any way to sign in is configured (else the sign-in page says how to add one).
    var isConfigured: Bool { !settings.passwordHashes.isEmpty || settings.trustedHeader != nil }

    /// The contact a trusted proxy says this is: the header's value as a contact's name or
    /// email address; nil when the request did not come from a trusted proxy or names nobody.
    func person(fromHeader value: String?, remoteIP: String) -> String? {
        guard settings.trustedHeader != nil, let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty,
              settings.trustedProxies.contains(remoteIP) else { return nil }
        if contacts[value] != nil { return value }
        return contacts.values.sorted { $0.name < $1.name }
            .first { $0.address(for: .email)?.caseInsensitiveCompare(value) == .orderedSame }?.name
    }
}

/// Password hashes for the console, as a contact's `password_hash:` wants them.
public enum ConsolePassword {
    /// A bcrypt hash of `password` (cost 12), made off the event loops.
    public static func hash(_ password: String) async throws -> String {
        try await ConsoleSignIn.hash(password)
    }

    /// Whether `password` matches a hash from `htpasswd -B` (`$2y$`) or `notify passwd` (`$2b$`).
    public static func verify(_ password: String, hash: String) async -> Bool {
        await ConsoleSignIn.verify(password, hash: hash)
    }
}
