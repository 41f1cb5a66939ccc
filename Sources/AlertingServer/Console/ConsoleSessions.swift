import Alerting
import Foundation

/// Who is signed in to the console: sessions by an unguessable id (the cookie's value), each
/// with its own CSRF token. Kept in this instance's memory: signing out removes the session, so
/// a copied cookie is refused afterwards; a restart signs everyone out. Behind a load balancer
/// with several instances, use sticky sessions or the trusted proxy header (docs/console.md).
final class ConsoleSessions: Sendable {
    struct Session: Sendable {
        let id: String
        let person: String
        /// Sent in every form and checked on every POST.
        let csrfToken: String
        let expires: Date
    }

    private let sessions = LockedBox<[String: Session]>([:])
    let lifetime: Duration

    init(lifetime: Duration) {
        self.lifetime = lifetime
    }

    func start(for person: String, at now: Date) -> Session {
        let session = Session(id: Self.randomToken(), person: person, csrfToken: Self.randomToken(), expires: now + lifetime.timeInterval)
        sessions.withLock { table in
            table = table.filter { $0.value.expires > now }
            table[session.id] = session
        }
        return session
    }

    /// The session with this id, if it is not over.
    func session(id: String, at now: Date) -> Session? {
        sessions.withLock { table in
            guard let session = table[id] else { return nil }
            guard session.expires > now else {
                table[id] = nil
                return nil
            }
            return session
        }
    }

    func end(id: String) {
        sessions.withLock { $0[id] = nil }
    }

    /// 32 random bytes, base64url: an id nobody guesses.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
