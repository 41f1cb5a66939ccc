import Alerting
import AlertingConfig
import AlertingSQLite
import ArgumentParser
import Foundation

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with the config file.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate the config and print a summary of channels and routes (never secrets)."
        )

        @OptionGroup var common: CommonOptions

        func run() async throws {
            _ = common.bootstrapLogging()
            let (path, config) = try common.loadConfig(strict: true)
            if let directory = config.templatesDirectory {
                do {
                    _ = try TemplateSet.builtIn.overlaid(withDirectory: directory)
                } catch {
                    Diagnostics.error("config error: templates_dir: \(error)")
                    throw ExitStatus.configError
                }
            }
            Output.line(ConfigSummary(config: config, path: path).text)
            if !config.hasDefaultRoute {
                Diagnostics.warning("no route without `match`: alerts that match no route notify nobody")
            }
        }
    }
}
