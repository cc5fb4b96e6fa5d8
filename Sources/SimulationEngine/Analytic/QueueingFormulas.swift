#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Closed-form results of classical queueing theory, for checking simulations against:
/// Erlang B and C (M/M/c), Pollaczek-Khinchine (M/G/1) and the finite-capacity M/M/c/K.
///
/// Pure functions of their parameters, independent of the simulation code. Times are in the
/// unit of the rates given (a rate of 8.5 per second gives waits in seconds). Total: a
/// parameter outside a formula's domain (negative, NaN) gives NaN rather than a trap, since the
/// rates come from model files and a report must still print.
public enum QueueingFormulas {
    /// Erlang B: the probability that an arrival finds all `servers` busy in a loss system
    /// (M/M/c/c) with `offeredLoad` = arrival rate / service rate erlangs.
    ///
    /// Computed by the recurrence B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)), which is
    /// stable for any number of servers (no factorials).
    public static func erlangB(servers c: Int, offeredLoad a: Double) -> Double {
        guard c >= 0, a >= 0, a.isFinite else { return .nan }
        var b = 1.0
        if c == 0 { return b }
        for k in 1...c {
            b = a * b / (Double(k) + a * b)
        }
        return b
    }

    /// Erlang C: the probability that an arrival has to wait in an M/M/c queue with
    /// `offeredLoad` = lambda / mu erlangs; 1 when the queue is unstable (load >= servers).
    public static func erlangC(servers c: Int, offeredLoad a: Double) -> Double {
        guard c >= 1, a >= 0 else { return .nan }
        if a >= Double(c) { return 1 }
        let b = erlangB(servers: c, offeredLoad: a)
        return Double(c) * b / (Double(c) - a * (1 - b))
    }

    /// Mean time in queue of an M/M/c queue: C(c, a) / (c mu - lambda); infinite if unstable.
    public static func mmcMeanWait(arrivalRate lambda: Double, serviceRate mu: Double, servers c: Int) -> Double {
        guard lambda >= 0, mu > 0, c >= 1 else { return .nan }
        let capacity = Double(c) * mu
        if lambda >= capacity { return .infinity }
        return erlangC(servers: c, offeredLoad: lambda / mu) / (capacity - lambda)
    }

    /// Mean time in queue of an M/G/1 queue (Pollaczek-Khinchine):
    /// Wq = rho (1 + scv) E[S] / (2 (1 - rho)), with rho = lambda E[S] and scv the squared
    /// coefficient of variation of the service time. Infinite if unstable or if the service
    /// time has no finite variance.
    public static func pollaczekKhinchineMeanWait(arrivalRate lambda: Double, meanService s: Double, scv: Double) -> Double {
        guard lambda >= 0, s >= 0, scv >= 0 else { return .nan }
        let rho = lambda * s
        if rho >= 1 || !scv.isFinite || !s.isFinite { return .infinity }
        return rho * (1 + scv) * s / (2 * (1 - rho))
    }

    /// Steady-state figures of an M/M/c/K queue (at most `capacity` customers in the system,
    /// waiting plus in service; arrivals that find it full are lost).
    public struct MMcK: Sendable, Equatable {
        /// Probability that an arrival finds the system full (PASTA): p_K.
        public var blockingProbability: Double
        /// Mean number waiting, Lq.
        public var meanQueueLength: Double
        /// Mean number in the system, L.
        public var meanInSystem: Double
        /// Arrival rate of the customers let in: lambda (1 - p_K).
        public var effectiveArrivalRate: Double
        /// Mean time in queue of the customers let in (Little: Lq / lambda_eff).
        public var meanWait: Double
        /// Mean time in the system of the customers let in (Little: L / lambda_eff).
        public var meanResponse: Double
        /// Mean busy servers / servers.
        public var utilization: Double
        /// Probability that an admitted customer has to wait: P(c <= N < K | N < K).
        public var waitProbability: Double
    }

    /// The M/M/c/K figures, from the birth-death stationary distribution
    /// p_n ~ a^n / n! for n <= c and a^c / c! (a/c)^(n-c) above, summed in log space so that
    /// large c, K or loads above 1 neither overflow nor underflow. Valid for any load.
    ///
    /// - Complexity: O(K).
    public static func mmck(arrivalRate lambda: Double, serviceRate mu: Double, servers c: Int, capacity k: Int) -> MMcK {
        guard lambda > 0, mu > 0, lambda.isFinite, mu.isFinite, c >= 1, k >= c else {
            return MMcK(blockingProbability: .nan, meanQueueLength: .nan, meanInSystem: .nan, effectiveArrivalRate: .nan,
                        meanWait: .nan, meanResponse: .nan, utilization: .nan, waitProbability: .nan)
        }
        let a = lambda / mu
        let logA = log(a)
        let logR = log(a / Double(c))
        // Pass 1: the largest log-term, for scaling.
        var logT = 0.0
        var maxLog = 0.0
        for n in 1...k {
            logT += n <= c ? logA - log(Double(n)) : logR
            if logT > maxLog { maxLog = logT }
        }
        // Pass 2: sums of scaled terms.
        var total = 0.0, lq = 0.0, l = 0.0, busy = 0.0, waiting = 0.0
        logT = 0
        for n in 0...k {
            if n > 0 { logT += n <= c ? logA - log(Double(n)) : logR }
            let p = exp(logT - maxLog)
            total += p
            l += Double(n) * p
            busy += Double(Swift.min(n, c)) * p
            if n > c { lq += Double(n - c) * p }
            if n >= c && n < k { waiting += p }
        }
        let pK = exp(logT - maxLog) / total
        let lambdaEff = lambda * (1 - pK)
        let meanQ = lq / total
        let meanL = l / total
        return MMcK(
            blockingProbability: pK,
            meanQueueLength: meanQ,
            meanInSystem: meanL,
            effectiveArrivalRate: lambdaEff,
            meanWait: lambdaEff > 0 ? meanQ / lambdaEff : 0,
            meanResponse: lambdaEff > 0 ? meanL / lambdaEff : 0,
            utilization: busy / total / Double(c),
            waitProbability: (1 - pK) > 0 ? (waiting / total) / (1 - pK) : 0
        )
    }

    /// The blocking probability of an M/M/c/K queue; see ``mmck(arrivalRate:serviceRate:servers:capacity:)``.
    public static func mmckBlocking(arrivalRate lambda: Double, serviceRate mu: Double, servers c: Int, capacity k: Int) -> Double {
        mmck(arrivalRate: lambda, serviceRate: mu, servers: c, capacity: k).blockingProbability
    }
}
