/// One panel of a `StackedChart`: its own y axis, lines and reference lines.
public struct Panel: Sendable {
    public var y: Axis
    public var series: [Series]
    public var horizontalLines: [ReferenceLine]

    public init(y: Axis, series: [Series], horizontalLines: [ReferenceLine] = []) {
        self.y = y
        self.series = series
        self.horizontalLines = horizontalLines
    }
}

/// Panels stacked over one shared x axis, e.g. a run's throughput, p99 and queue depth against
/// simulated time, with the outage or traffic spike shaded across all of them. Series keep
/// distinct palette slots across panels; each panel has its legend at its right (or above it
/// when the names are long).
public struct StackedChart: Sendable {
    public var title: String
    public var subtitle: String?
    public var x: Axis
    public var panels: [Panel]
    public var bands: [Band]
    public var verticalLines: [ReferenceLine]

    public init(title: String, subtitle: String? = nil, x: Axis, panels: [Panel], bands: [Band] = [],
                verticalLines: [ReferenceLine] = []) {
        self.title = title
        self.subtitle = subtitle
        self.x = x
        self.panels = panels
        self.bands = bands
        self.verticalLines = verticalLines
    }

    static let gap = 24.0

    func plots() -> [LinePlot] {
        var slot = 0
        return panels.enumerated().map { i, p in
            defer { slot += p.series.count }
            return LinePlot(x: x, y: p.y, series: p.series, firstSlot: slot, bands: bands, horizontalLines: p.horizontalLines,
                            verticalLines: verticalLines, labelsBands: i == 0)
        }
    }

    /// The chart as a standalone SVG document; without a height, 160 pixels per panel.
    public func svg(width: Int = 720, height: Int? = nil) -> String {
        let W = Double(width), pad = PlotFrame.padding
        var probe = SVGWriter(width: width, height: 0)
        let top = PlotFrame.header(&probe, title: title, subtitle: subtitle, width: W) + 6
        let n = Double(max(1, panels.count))
        let H = height.map(Double.init) ?? (top + n * 160 + (n - 1) * Self.gap + PlotFrame.xAxisHeight + pad).rounded(.up)
        var w = SVGWriter(width: width, height: Int(H))
        _ = PlotFrame.header(&w, title: title, subtitle: subtitle, width: W)

        let plots = self.plots()
        let blockHeight = (H - top - pad - PlotFrame.xAxisHeight - (n - 1) * Self.gap) / n
        let legends = plots.map { Legend($0.legendEntries, placement: .auto, chartWidth: W, plotHeight: blockHeight - 40, padding: pad) }
        let rightLegend = legends.compactMap { $0 }.filter(\.atRight).map(\.reserved).max() ?? 0

        // Panel rectangles (a legend above a panel takes from its height), then the y axes, and a
        // common left edge so the panels line up.
        var rects: [PlotRect] = []
        for (i, legend) in legends.enumerated() {
            let blockTop = top + Double(i) * (blockHeight + Self.gap)
            let above = legend.map { $0.atRight ? 0 : $0.reserved } ?? 0
            rects.append(PlotRect(left: 0, top: blockTop + above, right: W - pad - rightLegend - 6, bottom: blockTop + blockHeight))
        }
        let yLayouts = zip(plots, rects).map { plot, rect in
            plot.y.layout(data: plot.yData, length: rect.height, horizontal: false, fontSize: PlotFrame.tickFont)
        }
        let yLabelX = pad + 12
        let hasYLabel = panels.contains { !$0.y.label.isEmpty }
        let left = (hasYLabel ? yLabelX + 8 : pad) + (yLayouts.map(PlotFrame.labelWidth).max() ?? 0) + 8
        for i in rects.indices { rects[i].left = left }
        var bottomRect = rects.last ?? PlotRect(left: left, top: top, right: W - pad, bottom: H - pad - PlotFrame.xAxisHeight)
        let xData = plots.flatMap(\.xData)
        let xLayout = PlotFrame.fitX(x, data: xData, rect: &bottomRect, limit: W - pad - (rightLegend > 0 ? rightLegend - Legend.gap / 2 : 0))
        for i in rects.indices { rects[i].right = bottomRect.right }

        for (i, plot) in plots.enumerated() {
            let rect = rects[i], yl = yLayouts[i]
            w.open("g", [("class", "panel")])
            plot.drawUnder(&w, rect, xLayout, yl)
            plot.drawSeries(&w, rect, xLayout, yl, clipID: "clip-@ID@-\(i)")
            if i == plots.count - 1 {
                PlotFrame.xAxis(&w, rect, xLayout)
            } else {
                w.line(x1: rect.left, y1: rect.bottom, x2: rect.right, y2: rect.bottom, stroke: Palette.ink)
            }
            PlotFrame.yAxis(&w, rect, yl, labelX: yLabelX)
            plot.drawOver(&w, rect, xLayout)
            if let legend = legends[i] {
                if legend.atRight {
                    legend.draw(&w, x: rect.right + Legend.gap, y: rect.top + 6)
                } else {
                    legend.draw(&w, x: rect.left + rect.width / 2, y: rect.top - legend.reserved + Legend.rowHeight / 2)
                }
            }
            w.close("g")
        }
        if panels.isEmpty {
            w.text("no data", x: W / 2, y: top + 40, size: 13, anchor: .middle, fill: Palette.mutedText)
        }
        return w.document(title: title, uniqueIDs: true)
    }
}
