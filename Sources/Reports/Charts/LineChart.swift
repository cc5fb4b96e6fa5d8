public struct ChartPoint: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
}

/// One line of a chart. A point with a non-finite coordinate (a failed run, y = .nan), or a
/// non-positive one on a log axis, breaks the line; a point left alone by such gaps still
/// shows as its marker.
public struct Series: Sendable {
    public enum LineStyle: Sendable, Hashable {
        /// The dash pattern of the series' slot (solid for the first).
        case auto
        case solid, dashed, dotted
    }
    public enum Markers: Sendable, Hashable {
        /// Markers when the series has at most 40 points (so dense time series stay lines).
        case auto
        case always, never
    }

    public var name: String
    public var points: [ChartPoint]
    public var line: LineStyle
    public var markers: Markers
    /// The palette slot (colour, dash pattern, marker); nil: the series' position in the chart.
    /// Give two series one slot and one of them `.dashed` to pair, say, simulated and predicted.
    public var slot: Int?

    public init(_ name: String, points: [(x: Double, y: Double)], line: LineStyle = .auto,
                markers: Markers = .auto, slot: Int? = nil) {
        self.init(name, points: points.map { ChartPoint($0.x, $0.y) }, line: line, markers: markers, slot: slot)
    }

    public init(_ name: String, points: [ChartPoint], line: LineStyle = .auto, markers: Markers = .auto, slot: Int? = nil) {
        self.name = name
        self.points = points
        self.line = line
        self.markers = markers
        self.slot = slot
    }

    /// Pairs `x[i]`, `y[i]` (the shorter array sets the length).
    public init(_ name: String, x: [Double], y: [Double], line: LineStyle = .auto, markers: Markers = .auto, slot: Int? = nil) {
        self.init(name, points: zip(x, y).map { ChartPoint($0, $1) }, line: line, markers: markers, slot: slot)
    }
}

/// A shaded stretch of the x axis, e.g. an outage or a traffic spike.
public struct Band: Sendable, Hashable {
    public var from: Double
    public var to: Double
    public var label: String
    public init(from: Double, to: Double, label: String) { self.from = from; self.to = to; self.label = label }
}

/// A labelled reference line across the plot, e.g. an SLO or today's user count.
public struct ReferenceLine: Sendable, Hashable {
    public var value: Double
    public var label: String
    public init(_ value: Double, label: String) { self.value = value; self.label = label }
}

/// Lines (with markers) of y against x: p99 against users per configuration, utilization or cost
/// against users, a run's throughput against simulated time with the outage shaded.
public struct LineChart: Sendable {
    public var title: String
    public var subtitle: String?
    public var x: Axis
    public var y: Axis
    public var series: [Series]
    public var bands: [Band]
    public var horizontalLines: [ReferenceLine]
    public var verticalLines: [ReferenceLine]
    public var legend: LegendPlacement

    public init(title: String, subtitle: String? = nil, x: Axis, y: Axis, series: [Series] = [],
                bands: [Band] = [], horizontalLines: [ReferenceLine] = [], verticalLines: [ReferenceLine] = [],
                legend: LegendPlacement = .auto) {
        self.title = title
        self.subtitle = subtitle
        self.x = x
        self.y = y
        self.series = series
        self.bands = bands
        self.horizontalLines = horizontalLines
        self.verticalLines = verticalLines
        self.legend = legend
    }

    /// The chart as a standalone SVG document.
    public func svg(width: Int = 720, height: Int = 420) -> String {
        let W = Double(width), H = Double(height), pad = PlotFrame.padding
        var w = SVGWriter(width: width, height: height)
        let top = PlotFrame.header(&w, title: title, subtitle: subtitle, width: W) + 6
        let styles = series.indices.map(style)
        let entries = zip(series, styles).filter { !$0.0.name.isEmpty }.map { s, st in
            LegendEntry(swatch: .line(color: st.color, dash: st.dash, marker: showsMarkers(s) ? st.marker : nil), label: s.name)
        }
        let legendBox = Legend(entries, placement: legend, chartWidth: W, plotHeight: H - top - 60, padding: pad)
        let belowLegend = legendBox.map { $0.atRight ? 0 : $0.reserved } ?? 0
        let rightLegend = legendBox.map { $0.atRight ? $0.reserved : 0 } ?? 0

        var rect = PlotRect(left: 0, top: top, right: 0, bottom: H - pad - PlotFrame.xAxisHeight - belowLegend)
        let yData = series.flatMap { $0.points.map(\.y) } + horizontalLines.map(\.value)
        let yLayout = y.layout(data: yData, length: rect.height, horizontal: false, fontSize: PlotFrame.tickFont)
        let yLabelX = pad + 12
        rect.left = (y.label.isEmpty ? pad : yLabelX + 8) + PlotFrame.labelWidth(yLayout) + 8
        rect.right = W - pad - rightLegend - 6
        let xData = series.flatMap { $0.points.map(\.x) } + verticalLines.map(\.value) + bands.flatMap { [$0.from, $0.to] }
        let xLayout = PlotFrame.fitX(x, data: xData, rect: &rect, limit: W - pad - (rightLegend > 0 ? rightLegend - Legend.gap / 2 : 0))

        let clip = "clip-@ID@"
        w.open("defs")
        w.open("clipPath", [("id", clip)])
        w.rect(x: rect.left - 5, y: rect.top - 5, width: rect.width + 10, height: rect.height + 10, fill: "#ffffff")
        w.close("clipPath")
        w.close("defs")

        drawBands(&w, rect, xLayout)
        PlotFrame.verticalGrid(&w, rect, xLayout)
        PlotFrame.horizontalGrid(&w, rect, yLayout)
        drawReferenceLines(&w, rect, xLayout, yLayout)
        w.open("g", [("class", "series"), ("clip-path", "url(#\(clip))")])
        var drawn = 0
        for (s, st) in zip(series, styles) { drawn += draw(s, st, &w, rect, xLayout, yLayout) }
        w.close("g")
        if drawn == 0 {
            w.text("no data", x: rect.left + rect.width / 2, y: rect.top + rect.height / 2, size: 13, anchor: .middle, fill: Palette.mutedText)
        }
        PlotFrame.xAxis(&w, rect, xLayout)
        PlotFrame.yAxis(&w, rect, yLayout, labelX: yLabelX)
        drawBandLabels(&w, rect, xLayout)
        if let legendBox {
            if legendBox.atRight {
                legendBox.draw(&w, x: rect.right + Legend.gap, y: rect.top + 6)
            } else {
                legendBox.draw(&w, x: W / 2, y: rect.bottom + PlotFrame.xAxisHeight + 8)
            }
        }
        let doc = w.document(title: title)
        return doc.replacing("@ID@", with: SVG.hash(doc))
    }

    struct Style { var color: String; var dash: String?; var marker: Marker }

    func style(_ i: Int) -> Style {
        let s = series[i], slot = s.slot ?? i
        let dash: String?
        switch s.line {
        case .auto: dash = Palette.dash(slot)
        case .solid: dash = nil
        case .dashed: dash = Palette.dashed
        case .dotted: dash = Palette.dotted
        }
        return Style(color: Palette.color(slot), dash: dash, marker: Palette.marker(slot))
    }

    /// One series as a path broken at undrawable points, plus its markers; returns the number
    /// of points drawn.
    private func draw(_ s: Series, _ st: Style, _ w: inout SVGWriter, _ rect: PlotRect, _ xl: AxisLayout, _ yl: AxisLayout) -> Int {
        var runs: [[(x: Double, y: Double, p: ChartPoint)]] = [[]]
        for p in s.points {
            if let px = rect.x(xl, p.x), let py = rect.y(yl, p.y) {
                runs[runs.count - 1].append((px, py, p))
            } else if !runs[runs.count - 1].isEmpty {
                runs.append([])
            }
        }
        runs.removeAll { $0.isEmpty }
        let count = runs.map(\.count).reduce(0, +)
        w.open("g", [("class", "line"), ("data-name", s.name)])
        var d = ""
        for run in runs where run.count > 1 {
            for (i, q) in run.enumerated() { d += (i == 0 ? "M" : "L") + SVG.number(q.x) + " " + SVG.number(q.y) }
        }
        if !d.isEmpty {
            w.element("path", [("d", d), ("fill", "none"), ("stroke", st.color), ("stroke-width", "2"),
                               ("stroke-dasharray", st.dash), ("stroke-linejoin", "round"),
                               ("stroke-linecap", st.dash == nil ? nil : "round")])
        }
        let allMarkers = showsMarkers(s)
        for run in runs where allMarkers || (run.count == 1 && s.markers != .never) {
            for q in run {
                let tip = (s.name.isEmpty ? "" : s.name + ": ") + x.format.value(q.p.x) + ", " + y.format.value(q.p.y)
                st.marker.draw(&w, x: q.x, y: q.y, r: 3.5, color: st.color, tooltip: tip)
            }
        }
        w.close("g")
        return count
    }

    /// Whether every point gets a marker (lone points always do, unless `.never`).
    private func showsMarkers(_ s: Series) -> Bool {
        s.markers == .always || (s.markers == .auto && s.points.count <= 40)
    }

    private func bandRange(_ b: Band, _ rect: PlotRect, _ xl: AxisLayout) -> (Double, Double)? {
        guard let a = rect.x(xl, min(b.from, b.to)), let c = rect.x(xl, max(b.from, b.to)) else { return nil }
        let l = max(rect.left, a), r = min(rect.right, c)
        return r > l ? (l, r) : nil
    }

    private func drawBands(_ w: inout SVGWriter, _ rect: PlotRect, _ xl: AxisLayout) {
        for b in bands {
            guard let (l, r) = bandRange(b, rect, xl) else { continue }
            w.rect(x: l, y: rect.top, width: r - l, height: rect.height, fill: Palette.band, opacity: 0.2)
        }
    }

    private func drawBandLabels(_ w: inout SVGWriter, _ rect: PlotRect, _ xl: AxisLayout) {
        for b in bands where !b.label.isEmpty {
            guard let (l, _) = bandRange(b, rect, xl) else { continue }
            w.text(b.label, x: l + 4, y: rect.top + 13, size: 10, fill: Palette.text)
        }
    }

    private func drawReferenceLines(_ w: inout SVGWriter, _ rect: PlotRect, _ xl: AxisLayout, _ yl: AxisLayout) {
        for h in horizontalLines {
            guard let py = rect.y(yl, h.value), py >= rect.top - 0.5, py <= rect.bottom + 0.5 else { continue }
            w.line(x1: rect.left, y1: py, x2: rect.right, y2: py, stroke: "#444444", width: 1.2, dash: "6 3")
            // At the left, where curves that rise with load (latency against users) leave room.
            if !h.label.isEmpty { w.text(h.label, x: rect.left + 5, y: py - 5, size: 10, fill: Palette.text) }
        }
        for v in verticalLines {
            guard let px = rect.x(xl, v.value), px >= rect.left - 0.5, px <= rect.right + 0.5 else { continue }
            w.line(x1: px, y1: rect.top, x2: px, y2: rect.bottom, stroke: "#444444", width: 1.2, dash: "6 3")
            guard !v.label.isEmpty else { continue }
            let ly = rect.top + (bands.isEmpty ? 13 : 26)
            if px + 4 + SVG.textWidth(v.label, size: 10) > rect.right {
                w.text(v.label, x: px - 4, y: ly, size: 10, anchor: .end, fill: Palette.text)
            } else {
                w.text(v.label, x: px + 4, y: ly, size: 10, fill: Palette.text)
            }
        }
    }
}
