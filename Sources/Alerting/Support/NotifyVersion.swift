/// The release, for `--version` and the `User-Agent` of every outbound request.
public enum NotifyVersion {
    public static let current = "0.1.0"
    public static let userAgent = "notify/\(current)"
}
