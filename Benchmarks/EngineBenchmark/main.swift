// Engine benchmark: M/M/c with c = 10, lambda = 8.5, mu = 1 (utilization 0.85) through the
// real engine station (`SingleStationSimulation`: event list, QueueingStation with its
// statistics, random streams), the same model as shared/anchors/mmc.cpp, so customers per
// second compare directly with the C++ reference, SimPy and Ciw.
//
//   EngineBenchmark [--customers N] [--lambda L] [--mu M] [--servers C] [--seed S]
//   EngineBenchmark --memory-check      runs N = 1M and N = 10M in two child processes
//
// Build with `swift build -c release`; Benchmarks/engine-benchmark.sh runs it beside the peers.
import SimulationEngine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct Settings {
    var customers = 1_000_000
    var lambda = 8.5
    var mu = 1.0
    var servers = 10
    var seed: UInt64 = 1
    var memoryCheck = false
}

/// A line on stderr (unbuffered, without the C `stderr` global).
func printError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

func usage(_ message: String) -> Never {
    printError("error: \(message)\nusage: EngineBenchmark [--customers N] [--lambda L] [--mu M] [--servers C] [--seed S] | --memory-check")
    exit(64)
}

func parse(_ args: ArraySlice<String>) -> Settings {
    var s = Settings()
    var rest = args
    func value(_ flag: String) -> String {
        guard let v = rest.popFirst() else { usage("\(flag) needs a value") }
        return v
    }
    while let a = rest.popFirst() {
        switch a {
        case "--customers", "-n":
            guard let n = Int(value(a)), n >= 1 else { usage("--customers must be a positive whole number") }
            s.customers = n
        case "--lambda":
            guard let l = Double(value(a)), l > 0, l.isFinite else { usage("--lambda must be positive") }
            s.lambda = l
        case "--mu":
            guard let m = Double(value(a)), m > 0, m.isFinite else { usage("--mu must be positive") }
            s.mu = m
        case "--servers":
            guard let c = Int(value(a)), c >= 1 else { usage("--servers must be at least 1") }
            s.servers = c
        case "--seed":
            guard let seed = UInt64(value(a)) else { usage("--seed must be a whole number from 0") }
            s.seed = seed
        case "--memory-check":
            s.memoryCheck = true
        case "--help", "-h":
            print("usage: EngineBenchmark [--customers N] [--lambda L] [--mu M] [--servers C] [--seed S] | --memory-check")
            exit(0)
        default:
            // The anchors take N as their first argument; accept it here too.
            if let n = Int(a), n >= 1 { s.customers = n } else { usage("unknown argument '\(a)'") }
        }
    }
    return s
}

/// Peak resident set size of this process, in KiB (Linux reports ru_maxrss in KiB).
func peakRSSKiB() -> Int {
    var usage = rusage()
    #if os(Linux)
    getrusage(Int32(truncatingIfNeeded: RUSAGE_SELF.rawValue), &usage)
    return Int(usage.ru_maxrss)
    #else
    getrusage(RUSAGE_SELF, &usage)
    return Int(usage.ru_maxrss) / 1024
    #endif
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

func runOnce(_ s: Settings) {
    let config = SingleStationSimulation.Configuration(
        interarrival: .exponential(mean: 1 / s.lambda),
        service: .exponential(mean: 1 / s.mu),
        servers: s.servers,
        customers: s.customers
    )
    let clock = ContinuousClock()
    let start = clock.now
    let r = SingleStationSimulation.run(config, streams: RandomStreams(masterSeed: s.seed))
    let wall = seconds(clock.now - start)
    let theory = QueueingFormulas.mmcMeanWait(arrivalRate: s.lambda, serviceRate: s.mu, servers: s.servers)
    // One line in the anchors' style, with the engine's extra figures after it.
    let line = "platformsim n=\(s.customers) Wq=\(fixed(r.meanWait, 6)) wall=\(fixed(wall, 3))s"
        + " cust_per_s=\(fixed(Double(s.customers) / wall, 0)) events_per_s=\(fixed(Double(r.events) / wall, 0))"
        + " events=\(r.events) maxrss_kb=\(peakRSSKiB())" + (highWaterMarkKiB().map { " hwm_kb=\($0)" } ?? "")
        + " Wq_theory=\(fixed(theory, 6)) utilization=\(fixed(r.utilization, 4))"
    print(line)
}

/// `x` with `decimals` digits after the point, without Foundation.
func fixed(_ x: Double, _ decimals: Int) -> String {
    guard x.isFinite else { return "\(x)" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(x) * scale).rounded()
    let whole = Int64(scaled / scale)
    let frac = Int64(scaled - Double(whole) * scale)
    let sign = x < 0 && scaled != 0 ? "-" : ""
    if decimals == 0 { return sign + String(Int64(scaled)) }
    let digits = String(frac)
    return sign + String(whole) + "." + String(repeating: "0", count: decimals - digits.count) + digits
}

/// This process's own peak resident set (VmHWM in /proc/self/status) in KiB, or nil where
/// there is no such file. Unlike ru_maxrss it belongs to the current address space only: a
/// process started by a large parent (fork then exec) inherits that parent's ru_maxrss as a
/// floor, but not its VmHWM.
func highWaterMarkKiB() -> Int? {
    guard let f = fopen("/proc/self/status", "r") else { return nil }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 512)
    while fgets(&line, Int32(line.count), f) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("VmHWM:") {
            return Int(text.dropFirst(6).filter { $0.isNumber })
        }
    }
    return nil
}

/// Runs this executable again with `arguments` in a child process and returns what it printed.
func runChild(_ arguments: [String]) -> String {
    var exe = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &exe, exe.count - 1)
    let path = n > 0 ? String(decoding: exe[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { printError("error: pipe failed"); exit(1) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
    posix_spawn_file_actions_addclose(&actions, fds[0])
    posix_spawn_file_actions_addclose(&actions, fds[1])
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
    posix_spawn_file_actions_destroy(&actions)
    close(fds[1])
    guard rc == 0 else { printError("error: could not start \(path): \(rc)"); exit(1) }
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let got = read(fds[0], &buffer, buffer.count)
        if got <= 0 { break }
        output += buffer[0..<got]
    }
    close(fds[0])
    var status: Int32 = 0
    _ = waitpid(pid, &status, 0)
    guard status == 0 else { printError("error: child run \(arguments) failed (status \(status))"); exit(1) }
    return String(decoding: output, as: UTF8.self)
}

let settings = parse(CommandLine.arguments.dropFirst())
if settings.memoryCheck {
    // Each size in a fresh process, so that one run's peak cannot hide the other's; each
    // child reports its own high-water mark (VmHWM, falling back to ru_maxrss).
    var peaks: [(Int, Int)] = []
    for n in [1_000_000, 10_000_000] {
        let line = runChild(["--customers", String(n), "--seed", String(settings.seed)])
        print(line, terminator: "")
        let fields = Dictionary(line.split(whereSeparator: \.isWhitespace).compactMap { kv -> (String, String)? in
            let p = kv.split(separator: "=", maxSplits: 1)
            return p.count == 2 ? (String(p[0]), String(p[1])) : nil
        }, uniquingKeysWith: { a, _ in a })
        guard let peak = (fields["hwm_kb"] ?? fields["maxrss_kb"]).flatMap({ Int($0) }) else {
            printError("error: no peak memory in the child's output: \(line)"); exit(1)
        }
        peaks.append((n, peak))
    }
    let ratio = Double(peaks[1].1) / Double(peaks[0].1)
    print("memory-check N=\(peaks[0].0) peak_kb=\(peaks[0].1) N=\(peaks[1].0) peak_kb=\(peaks[1].1) ratio=\(fixed(ratio, 3)) \(ratio < 1.1 ? "flat" : "GROWS")")
    exit(ratio < 1.1 ? 0 : 1)
} else {
    runOnce(settings)
}
