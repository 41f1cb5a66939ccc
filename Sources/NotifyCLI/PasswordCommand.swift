import AlertingServer
import ArgumentParser
import Foundation

/// `notify passwd alice`: the `password_hash:` line for a contact who signs in to the console.
struct PasswordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd",
        abstract: "Print a bcrypt password_hash for a contact who signs in to the web console.",
        discussion: "Asks for the password twice on a terminal, or reads one line from standard input: `notify passwd alice < secret.txt`. The password itself is never printed; put the line under the contact in the config. `htpasswd -nB alice` makes hashes notify accepts too.")

    @Argument(help: "The contact's name in the config.")
    var name: String

    func run() async throws {
        let password: String
        if isatty(STDIN_FILENO) == 1 {
            guard let first = getpass("Password for \(name): ").map({ String(cString: $0) }), !first.isEmpty else {
                Diagnostics.error("no password given")
                throw ExitStatus.usage
            }
            let again = getpass("Again: ").map { String(cString: $0) }
            guard again == first else {
                Diagnostics.error("the two passwords differ; nothing printed")
                throw ExitStatus.usage
            }
            password = first
        } else {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                Diagnostics.error("no password on standard input (one line)")
                throw ExitStatus.dataError
            }
            password = line
        }
        let hash = try await ConsolePassword.hash(password)
        Diagnostics.info("add this under contacts.\(name) in the config:")
        Output.line("password_hash: \"\(hash)\"")
    }
}
