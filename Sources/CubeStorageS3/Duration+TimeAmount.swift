import NIOCore

extension Duration {
    /// The duration as a NIO `TimeAmount` (nanosecond resolution).
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
