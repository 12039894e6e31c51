/// How often and how long to retry a request that failed in a way that may pass (throttling,
/// server errors, dropped connections, timeouts).
///
/// Waits follow "full jitter" exponential backoff: before try `n + 1` a random time between zero
/// and `min(maximumDelay, baseDelay · 2ⁿ⁻¹)`. Retrying stops after `maximumAttempts` tries or when
/// the next wait would end after `totalTime` from the first try, whichever comes first.
public struct RetryPolicy: Hashable, Sendable {
    /// The most tries of one request, the first included (1 = never retry).
    public var maximumAttempts: Int
    /// The cap of the first wait.
    public var baseDelay: Duration
    /// The cap of any wait.
    public var maximumDelay: Duration
    /// The most time from the first try to the start of the last.
    public var totalTime: Duration

    /// Creates a policy; the defaults suit an object store on a network (5 tries within 60 s).
    public init(maximumAttempts: Int = 5, baseDelay: Duration = .milliseconds(200), maximumDelay: Duration = .seconds(10),
                totalTime: Duration = .seconds(60)) {
        precondition(maximumAttempts >= 1, "a retry policy needs at least one attempt")
        self.maximumAttempts = maximumAttempts
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.totalTime = totalTime
    }

    /// Never retry.
    public static let never = RetryPolicy(maximumAttempts: 1)

    /// The wait before try `attempt + 1` after `attempt` failed tries (1-based), with random jitter.
    public func delay(after attempt: Int) -> Duration {
        let exponent = min(attempt - 1, 30)
        let cap = min(maximumDelay, baseDelay * (1 << exponent))
        let fraction = Double.random(in: 0...1)
        return cap * fraction
    }

    /// Whether another try may start, after `attempt` tries, `elapsed` since the first and a planned wait of `delay`.
    public func allowsRetry(after attempt: Int, elapsed: Duration, delay: Duration) -> Bool {
        attempt < maximumAttempts && elapsed + delay < totalTime
    }
}
