import ModelSchema

/// The model's route table compiled for matching request lines byte by byte: method and path
/// to an endpoint, first match wins, plus the page size a list request asked for.
public struct RouteTable: Sendable {
    enum Segment: Sendable, Equatable {
        case literal([UInt8])
        case parameter
        case rest
    }

    struct Route: Sendable {
        var method: [UInt8]?   // nil: any
        var segments: [Segment]
        var endpoint: Int
        var limitParameter: [UInt8]
    }

    let routes: [Route]
    public let endpointNames: [String]

    public init(_ routes: [CalibrationSection.Route], endpointNames: [String]) {
        self.endpointNames = endpointNames
        self.routes = routes.map { r in
            let parts = r.path.split(separator: "/", omittingEmptySubsequences: true).map { part -> Segment in
                if part == "*" { return .rest }
                if part.hasPrefix(":") { return .parameter }
                return .literal(Array(part.utf8))
            }
            return Route(method: r.method == "*" ? nil : Array(r.method.utf8), segments: parts, endpoint: r.endpoint,
                         limitParameter: Array(r.limitParameter.utf8))
        }
    }

    /// What a request line matched: the endpoint and, for a list, the page size asked for
    /// (nil when the query has none).
    public struct Match: Equatable {
        public var endpoint: Int
        public var limit: Double?
    }

    /// The route of `method` and `target` (path with optional query) in `line`, or nil.
    public func match(_ line: UnsafeBufferPointer<UInt8>, method: Range<Int>, target: Range<Int>) -> Match? {
        // Split the target into path and query; an absolute URL (`http://host/path`) keeps its path.
        var pathStart = target.lowerBound
        if target.count > 8, line[pathStart] != 47 {
            var slashes = 0
            var i = pathStart
            while i < target.upperBound && slashes < 3 { if line[i] == 47 { slashes += 1 }; i += 1 }
            pathStart = slashes == 3 ? i - 1 : target.upperBound
        }
        var queryStart = target.upperBound
        var i = pathStart
        while i < target.upperBound { if line[i] == 63 { queryStart = i; break }; i += 1 }
        // Segments of the path.
        var segments: [Range<Int>] = []
        segments.reserveCapacity(8)
        var s = pathStart
        i = pathStart
        while i <= queryStart {
            if i == queryStart || line[i] == 47 {
                if i > s { segments.append(s..<i) }
                s = i + 1
            }
            i += 1
        }
        routeLoop: for r in routes {
            if let m = r.method {
                guard method.count == m.count else { continue }
                var k = 0
                for j in method { if line[j] != m[k] { continue routeLoop }; k += 1 }
            }
            var p = 0
            for seg in r.segments {
                switch seg {
                case .rest:
                    p = segments.count
                    break
                case .parameter:
                    guard p < segments.count else { continue routeLoop }
                    p += 1
                case .literal(let bytes):
                    guard p < segments.count, segments[p].count == bytes.count else { continue routeLoop }
                    var k = 0
                    for j in segments[p] { if line[j] != bytes[k] { continue routeLoop }; k += 1 }
                    p += 1
                }
            }
            guard p == segments.count else { continue }
            return Match(endpoint: r.endpoint, limit: queryStart < target.upperBound
                         ? Self.queryNumber(line, queryStart + 1..<target.upperBound, name: r.limitParameter) : nil)
        }
        return nil
    }

    /// The number after `name=` in a query string.
    static func queryNumber(_ line: UnsafeBufferPointer<UInt8>, _ query: Range<Int>, name: [UInt8]) -> Double? {
        var i = query.lowerBound
        while i < query.upperBound {
            var end = i
            while end < query.upperBound && line[end] != 38 { end += 1 }
            if end - i > name.count, line[i + name.count] == 61 {
                var same = true
                for k in 0..<name.count where line[i + k] != name[k] { same = false; break }
                if same {
                    var j = i + name.count + 1
                    if let x = Bytes.number(line, &j), j == end, x >= 0 { return x }
                    return nil
                }
            }
            i = end + 1
        }
        return nil
    }

    /// A path for the list of unknown routes: no query, and segments that look like ids
    /// (digits, UUIDs, long hex or mixed tokens) replaced by `:id`, so that one route is one row.
    public static func shape(_ line: UnsafeBufferPointer<UInt8>, method: Range<Int>, target: Range<Int>) -> String {
        var path = Bytes.string(line, target)
        if let q = path.firstIndex(of: "?") { path = String(path[..<q]) }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { seg -> String in
            let hasDigit = seg.contains(where: \.isNumber)
            let looksLikeID = hasDigit && (seg.allSatisfy { $0.isNumber } || seg.count >= 8 || seg.contains("-") && seg.count >= 8)
            return looksLikeID ? ":id" : String(seg)
        }
        return Bytes.string(line, method) + " " + segments.joined(separator: "/")
    }
}
