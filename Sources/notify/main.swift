import NotifyCLI

// The whole command line lives in NotifyCLI, so that a program of your own can register its
// channels and detectors and run the same command line (Examples/CustomNotify).
await Notify.runFromCommandLine()
