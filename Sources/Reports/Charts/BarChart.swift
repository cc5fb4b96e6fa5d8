/// One set of bars: a value per category (nan: no bar).
public struct BarSeries: Sendable {
    public var name: String
    public var values: [Double]
    /// The palette slot; nil: the series' position.
    public var slot: Int?

    public init(_ name: String, values: [Double], slot: Int? = nil) {
        self.name = name
        self.values = values
        self.slot = slot
    }
}

/// Vertical bars per category, side by side (grouped) or on top of each other (stacked), e.g.
/// monthly cost line items per configuration. The value axis is linear and starts at zero.
public struct BarChart: Sendable {
    public enum Mode: Sendable, Hashable { case grouped, stacked }

    public var title: String
    public var subtitle: String?
    public var categories: [String]
    public var series: [BarSeries]
    public var mode: Mode
    /// The value axis (its scale is always linear).
    public var y: Axis
    /// The total above each stack, or each value above its bar where it fits.
    public var showsValues: Bool
    public var legend: LegendPlacement

    public init(title: String, subtitle: String? = nil, categories: [String], series: [BarSeries], mode: Mode = .stacked,
                y: Axis, showsValues: Bool = true, legend: LegendPlacement = .auto) {
        self.title = title
        self.subtitle = subtitle
        self.categories = categories
        self.series = series
        self.mode = mode
        self.y = y
        self.showsValues = showsValues
        self.legend = legend
    }

    func value(_ s: Int, _ c: Int) -> Double? {
        let values = series[s].values
        return c < values.count && values[c].isFinite ? values[c] : nil
    }

    /// The stacked extent of a category: (sum of negatives, sum of positives).
    func stackExtent(_ c: Int) -> (Double, Double) {
        var neg = 0.0, pos = 0.0
        for s in series.indices { if let v = value(s, c) { if v < 0 { neg += v } else { pos += v } } }
        return (neg, pos)
    }

    public func svg(width: Int = 720, height: Int = 420) -> String {
        let W = Double(width), H = Double(height), pad = PlotFrame.padding
        var w = SVGWriter(width: width, height: height)
        let top = PlotFrame.header(&w, title: title, subtitle: subtitle, width: W) + 10
        let colors = series.indices.map { Palette.color(series[$0].slot ?? $0) }
        var entries = series.indices.filter { !series[$0].name.isEmpty }.map {
            LegendEntry(swatch: .box(color: colors[$0], opacity: 1), label: series[$0].name)
        }
        // A legend at the right lists a stack's items top to bottom, as they are drawn.
        if mode == .stacked && legend != .below { entries.reverse() }
        let legendBox = Legend(entries, placement: legend, chartWidth: W, plotHeight: H - top - 60, padding: pad)
        let rightLegend = legendBox.map { $0.atRight ? $0.reserved : 0 } ?? 0

        // Category labels wrap to the width of their slot; the first guess of the plot width
        // is refined once the y labels are known.
        let n = Double(max(1, categories.count))
        var rect = PlotRect(left: pad + 80, top: top, right: W - pad - rightLegend - 6, bottom: 0)
        func labelLines() -> [[String]] { categories.map { SVG.wrap($0, width: rect.width / n - 6, size: PlotFrame.tickFont) } }
        let lineCount = Double(min(3, labelLines().map(\.count).max() ?? 1))
        let xAxisHeight = PlotFrame.xAxisHeight + 13 * (lineCount - 1)
        rect.bottom = H - pad - xAxisHeight - (legendBox.map { $0.atRight ? 0 : $0.reserved } ?? 0)

        let data = mode == .stacked
            ? categories.indices.flatMap { c in [stackExtent(c).0, stackExtent(c).1] }
            : series.indices.flatMap { s in categories.indices.compactMap { value(s, $0) } }
        var axis = y
        axis.scale = .linear
        axis.includesZero = true
        var yLayout = axis.layout(data: data, length: rect.height, horizontal: false, fontSize: PlotFrame.tickFont)
        if showsValues && axis.range == nil {
            // Headroom for the value labels above the tallest bar.
            let room = 16 / rect.height * (yLayout.domain.upperBound - yLayout.domain.lowerBound)
            if let hi = data.max(), hi + room > yLayout.domain.upperBound {
                yLayout = axis.layout(data: data + [hi + room], length: rect.height, horizontal: false, fontSize: PlotFrame.tickFont)
            }
        }
        let yLabelX = pad + 12
        rect.left = (y.label.isEmpty ? pad : yLabelX + 8) + PlotFrame.labelWidth(yLayout) + 8
        let lines = labelLines()

        PlotFrame.horizontalGrid(&w, rect, yLayout)
        let slot = rect.width / n
        let zero = rect.y(yLayout, 0) ?? rect.bottom
        w.open("g", [("class", "bars")])
        for c in categories.indices {
            let x0 = rect.left + Double(c) * slot + slot * 0.15
            let area = slot * 0.7
            if mode == .stacked {
                var neg = 0.0, pos = 0.0
                for s in series.indices {
                    guard let v = value(s, c), v != 0 else { continue }
                    let from = v < 0 ? neg : pos
                    let to = from + v
                    if v < 0 { neg = to } else { pos = to }
                    bar(&w, s, c, x: x0, width: area, from: rect.y(yLayout, from)!, to: rect.y(yLayout, to)!, color: colors[s], value: v)
                }
                let (lo, hi) = stackExtent(c)
                if showsValues && (hi > 0 || lo < 0) {
                    let total = hi + lo
                    let py = rect.y(yLayout, hi > 0 ? hi : lo)! + (hi > 0 ? -5 : 13)
                    w.text(y.format.value(total), x: x0 + area / 2, y: py, size: 10, anchor: .middle, fill: Palette.ink, bold: true)
                }
            } else {
                let k = Double(max(1, series.count))
                for s in series.indices {
                    guard let v = value(s, c) else { continue }
                    let bx = x0 + Double(s) * area / k
                    let py = rect.y(yLayout, v)!
                    bar(&w, s, c, x: bx, width: area / k, from: zero, to: py, color: colors[s], value: v)
                    let label = y.format.value(v)
                    if showsValues && SVG.textWidth(label, size: 9) <= area / k + 4 {
                        w.text(label, x: bx + area / k / 2, y: v >= 0 ? py - 4 : py + 12, size: 9, anchor: .middle, fill: Palette.text)
                    }
                }
            }
        }
        w.close("g")

        w.open("g", [("class", "x-axis")])
        w.line(x1: rect.left, y1: zero, x2: rect.right, y2: zero, stroke: Palette.ink)
        for c in categories.indices {
            for (i, line) in lines[c].prefix(3).enumerated() {
                w.text(line, x: rect.left + (Double(c) + 0.5) * slot, y: rect.bottom + 18 + 13 * Double(i), size: PlotFrame.tickFont,
                       anchor: .middle, fill: Palette.text)
            }
        }
        w.close("g")
        PlotFrame.yAxis(&w, rect, yLayout, labelX: yLabelX)
        if let legendBox {
            if legendBox.atRight {
                legendBox.draw(&w, x: rect.right + Legend.gap, y: rect.top + 6)
            } else {
                legendBox.draw(&w, x: W / 2, y: rect.bottom + xAxisHeight + 8)
            }
        }
        return w.document(title: title)
    }

    private func bar(_ w: inout SVGWriter, _ s: Int, _ c: Int, x: Double, width: Double, from: Double, to: Double,
                     color: String, value: Double) {
        w.open("rect", [("x", SVG.number(x)), ("y", SVG.number(min(from, to))), ("width", SVG.number(width)),
                        ("height", SVG.number(abs(to - from))), ("fill", color), ("stroke", "#ffffff"), ("stroke-width", "0.8")])
        w.element("title", [], text: (series[s].name.isEmpty ? "" : series[s].name + ", ") + categories[c] + ": " + y.format.value(value))
        w.close("rect")
    }
}
