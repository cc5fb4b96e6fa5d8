/// One parameter of a tornado chart: the outcome with the parameter at its low and at its high
/// setting, and how those settings are named ("20 connections", "0.5x").
public struct TornadoBar: Sendable, Hashable {
    public var parameter: String
    public var low: Double
    public var high: Double
    public var lowLabel: String
    public var highLabel: String

    public init(_ parameter: String, low: Double, high: Double, lowLabel: String = "", highLabel: String = "") {
        self.parameter = parameter
        self.low = low
        self.high = high
        self.lowLabel = lowLabel
        self.highLabel = highLabel
    }

    var spread: Double {
        let s = abs(high - low)
        return s.isFinite ? s : -1
    }
}

/// A tornado chart: for each parameter, the outcome at its low and high setting as bars from
/// the baseline outcome, the widest spread on top. The low setting's bar is the upper of each
/// pair, so that both stay readable when they fall on the same side of the baseline.
public struct TornadoChart: Sendable {
    public var title: String
    public var subtitle: String?
    /// What the baseline is, e.g. "phase 2 at 300k users".
    public var baselineLabel: String
    public var baseline: Double
    public var bars: [TornadoBar]
    /// The outcome axis, e.g. Axis("p99 latency", format: .milliseconds).
    public var axis: Axis
    public var sortsBySpread: Bool
    public var lowLegend: String
    public var highLegend: String

    public init(title: String, subtitle: String? = nil, baselineLabel: String, baseline: Double, bars: [TornadoBar],
                axis: Axis, sortsBySpread: Bool = true, lowLegend: String = "low setting", highLegend: String = "high setting") {
        self.title = title
        self.subtitle = subtitle
        self.baselineLabel = baselineLabel
        self.baseline = baseline
        self.bars = bars
        self.axis = axis
        self.sortsBySpread = sortsBySpread
        self.lowLegend = lowLegend
        self.highLegend = highLegend
    }

    public init(title: String, subtitle: String? = nil, baselineLabel: String, baseline: Double, bars: [TornadoBar],
                unit: TickFormat, axisLabel: String = "") {
        self.init(title: title, subtitle: subtitle, baselineLabel: baselineLabel, baseline: baseline, bars: bars,
                  axis: Axis(axisLabel, format: unit, includesZero: false))
    }

    static let rowHeight = 34.0
    static let barHeight = 11.0
    static let valueFont = 10.0
    static let lowColor = Palette.colors[0]
    static let highColor = Palette.colors[1]

    /// The rows in drawing order: widest spread first (ties keep the given order).
    var rows: [TornadoBar] {
        guard sortsBySpread else { return bars }
        return bars.enumerated().sorted { a, b in
            a.element.spread != b.element.spread ? a.element.spread > b.element.spread : a.offset < b.offset
        }.map(\.element)
    }

    func text(_ value: Double, _ label: String) -> String {
        let v = axis.format.value(value)
        return label.isEmpty ? v : v + " (" + label + ")"
    }

    /// The chart as a standalone SVG document; without a height, as tall as its rows need.
    public func svg(width: Int = 720, height: Int? = nil) -> String {
        let W = Double(width), pad = PlotFrame.padding
        let rows = self.rows
        let legendEntries = [LegendEntry(swatch: .box(color: Self.lowColor, opacity: 1), label: lowLegend),
                             LegendEntry(swatch: .box(color: Self.highColor, opacity: 1), label: highLegend)]
        let legendBox = Legend(legendEntries, placement: .below, chartWidth: W, plotHeight: 0, padding: pad)!
        var probe = SVGWriter(width: width, height: 0)
        let headerBottom = PlotFrame.header(&probe, title: title, subtitle: subtitle, width: W)
        let top = headerBottom + 22
        let bottomSpace = PlotFrame.xAxisHeight + legendBox.reserved + 10
        let naturalHeight = top + Double(max(1, rows.count)) * Self.rowHeight + bottomSpace
        let H = height.map(Double.init) ?? naturalHeight.rounded(.up)
        var w = SVGWriter(width: width, height: Int(H))
        _ = PlotFrame.header(&w, title: title, subtitle: subtitle, width: W)

        let nameWidth = rows.map { SVG.textWidth($0.parameter, size: 12) }.max() ?? 0
        let rect = PlotRect(left: pad + nameWidth + 14, top: top, right: W - pad - 8,
                            bottom: H - bottomSpace)
        let rowHeight = rect.height / Double(max(1, rows.count))
        let xLayout = valueAxis(rows, rect)

        PlotFrame.verticalGrid(&w, rect, xLayout)
        w.open("g", [("class", "bars")])
        let base = rect.x(xLayout, baseline) ?? rect.left
        for (i, bar) in rows.enumerated() {
            let cy = rect.top + (Double(i) + 0.5) * rowHeight
            w.text(bar.parameter, x: rect.left - 10, y: cy + 4, size: 12, anchor: .end, fill: Palette.ink)
            for (value, label, color, dy) in [(bar.low, bar.lowLabel, Self.lowColor, -Self.barHeight - 1),
                                              (bar.high, bar.highLabel, Self.highColor, 1.0)] {
                guard let px = rect.x(xLayout, value) else { continue }
                w.open("g", [("class", color == Self.lowColor ? "low" : "high")])
                w.rect(x: min(base, px), y: cy + dy, width: max(1, abs(px - base)), height: Self.barHeight, fill: color)
                let t = text(value, label)
                let right = px >= base
                w.text(t, x: px + (right ? 4 : -4), y: cy + dy + Self.barHeight - 2, size: Self.valueFont,
                       anchor: right ? .start : .end, fill: Palette.text)
                w.close("g")
            }
        }
        w.close("g")
        w.line(x1: base, y1: rect.top - 6, x2: base, y2: rect.bottom, stroke: Palette.ink, width: 1.5)
        let baseText = "baseline: " + baselineLabel + (baselineLabel.isEmpty ? "" : ", ") + axis.format.value(baseline)
        let baseWidth = SVG.textWidth(baseText, size: 11)
        let bx = min(max(base, rect.left + baseWidth / 2), W - pad - baseWidth / 2)
        w.text(baseText, x: bx, y: rect.top - 10, size: 11, anchor: .middle, fill: Palette.ink)
        PlotFrame.xAxis(&w, rect, xLayout)
        legendBox.draw(&w, x: W / 2, y: rect.bottom + PlotFrame.xAxisHeight + 8)
        return w.document(title: title)
    }

    /// The value axis, scaled as widely as it can be while the value labels beside the bar ends
    /// stay inside the plot: for every value left of another, the pixels between them plus the
    /// label left of the one and right of the other must fit in the plot's width.
    private func valueAxis(_ rows: [TornadoBar], _ rect: PlotRect) -> AxisLayout {
        let values = rows.flatMap { [$0.low, $0.high] }.filter(\.isFinite) + [baseline]
        let lo = values.min() ?? 0, hi = values.max() ?? 1
        var lefts = [(v: baseline, w: 0.0)], rights = [(v: baseline, w: 0.0)]
        for r in rows {
            for (v, l) in [(r.low, r.lowLabel), (r.high, r.highLabel)] where v.isFinite {
                let w = SVG.textWidth(text(v, l), size: Self.valueFont) + 8
                lefts.append((v, v < baseline ? w : 0))
                rights.append((v, v < baseline ? 0 : w))
            }
        }
        let width = rect.width
        var k = Double.infinity  // pixels per unit
        for a in lefts {
            for b in rights where b.v > a.v { k = min(k, (width - a.w - b.w) / (b.v - a.v)) }
        }
        if !(k.isFinite && k > 0) { k = width * 0.5 / max(hi - lo, abs(hi), 1e-9) }
        // The offset: midway between the tightest constraints on either side.
        let fromLow = rights.map { $0.v * k - width + $0.w }.max()!
        let fromHigh = lefts.map { $0.v * k - $0.w }.min()!
        let from = (fromLow + fromHigh) / 2 / k
        var axis = self.axis
        if axis.range == nil && axis.scale == .linear { axis.range = from...(from + width / k) }
        var layout = axis.layout(data: values, length: rect.width, horizontal: true, fontSize: PlotFrame.tickFont)
        // No negative ticks under the room made for labels when the outcome cannot be negative.
        if lo >= 0 { layout.ticks.removeAll { $0.value < 0 } }
        return layout
    }
}
