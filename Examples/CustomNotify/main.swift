// Your own notify: notify's whole command line, plus a channel type and a detector of yours.
// Build and run it as you would notify:
//
//   swift run custom-notify config check --config Examples/custom.yaml
//
// Every command (send, watch, daemon, serve, test, config check...) then knows `type: discord`
// and `detectors: {failover_loop: ...}`; nothing in notify changed to allow it.
import AlertingConfig
import NotifyCLI

var registry = ConfigRegistry.standard
registry.register(DiscordSettings.type)
registry.register(FailoverLoopDetector.type)
await Notify.main(registry: registry)
