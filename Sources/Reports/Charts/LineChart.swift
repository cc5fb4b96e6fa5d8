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

    var plot: LinePlot {
        LinePlot(x: x, y: y, series: series, firstSlot: 0, bands: bands, horizontalLines: horizontalLines,
                 verticalLines: verticalLines, labelsBands: true)
    }

    /// The chart as a standalone SVG document.
    public func svg(width: Int = 720, height: Int = 420) -> String {
        let W = Double(width), H = Double(height), pad = PlotFrame.padding
        var w = SVGWriter(width: width, height: height)
        let top = PlotFrame.header(&w, title: title, subtitle: subtitle, width: W) + 6
        let plot = self.plot
        let legendBox = Legend(plot.legendEntries, placement: legend, chartWidth: W, plotHeight: H - top - 60, padding: pad)
        let belowLegend = legendBox.map { $0.atRight ? 0 : $0.reserved } ?? 0
        let rightLegend = legendBox.map { $0.atRight ? $0.reserved : 0 } ?? 0

        var rect = PlotRect(left: 0, top: top, right: 0, bottom: H - pad - PlotFrame.xAxisHeight - belowLegend)
        let yLayout = y.layout(data: plot.yData, length: rect.height, horizontal: false, fontSize: PlotFrame.tickFont)
        let yLabelX = pad + 12
        rect.left = (y.label.isEmpty ? pad : yLabelX + 8) + PlotFrame.labelWidth(yLayout) + 8
        rect.right = W - pad - rightLegend - 6
        let xLayout = PlotFrame.fitX(x, data: plot.xData, rect: &rect, limit: W - pad - (rightLegend > 0 ? rightLegend - Legend.gap / 2 : 0))

        plot.drawUnder(&w, rect, xLayout, yLayout)
        plot.drawSeries(&w, rect, xLayout, yLayout, clipID: "clip-@ID@")
        PlotFrame.xAxis(&w, rect, xLayout)
        PlotFrame.yAxis(&w, rect, yLayout, labelX: yLabelX)
        plot.drawOver(&w, rect, xLayout)
        if let legendBox {
            if legendBox.atRight {
                legendBox.draw(&w, x: rect.right + Legend.gap, y: rect.top + 6)
            } else {
                legendBox.draw(&w, x: W / 2, y: rect.bottom + PlotFrame.xAxisHeight + 8)
            }
        }
        return w.document(title: title, uniqueIDs: true)
    }
}
