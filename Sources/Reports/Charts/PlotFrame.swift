/// The parts every chart shares: the title block, the plot rectangle, grid lines and axes.
struct PlotRect {
    var left: Double, top: Double, right: Double, bottom: Double
    var width: Double { right - left }
    var height: Double { bottom - top }

    func x(_ layout: AxisLayout, _ v: Double) -> Double? { layout.fraction(v).map { left + $0 * width } }
    func y(_ layout: AxisLayout, _ v: Double) -> Double? { layout.fraction(v).map { bottom - $0 * height } }
}

enum PlotFrame {
    static let padding = 14.0
    static let tickFont = 11.0
    static let axisFont = 12.0
    /// Below the plot: tick labels and the axis label.
    static let xAxisHeight = 44.0

    /// Title (wrapped, bold) and subtitle; returns the y below them.
    static func header(_ w: inout SVGWriter, title: String, subtitle: String?, width: Double) -> Double {
        var y = padding
        for line in SVG.wrap(title, width: width - 2 * padding, size: 16, bold: true) {
            w.text(line, x: padding, y: y + 15, size: 16, fill: Palette.ink, bold: true)
            y += 20
        }
        if let subtitle, !subtitle.isEmpty {
            for line in SVG.wrap(subtitle, width: width - 2 * padding, size: 12) {
                w.text(line, x: padding, y: y + 13, size: 12, fill: Palette.mutedText)
                y += 16
            }
        }
        return y + 6
    }

    /// The widest tick label of a vertical axis.
    static func labelWidth(_ layout: AxisLayout) -> Double {
        layout.ticks.compactMap(\.label).map { SVG.textWidth($0, size: tickFont) }.max() ?? 0
    }

    static func verticalGrid(_ w: inout SVGWriter, _ rect: PlotRect, _ x: AxisLayout) {
        for t in x.ticks {
            guard let px = rect.x(x, t.value) else { continue }
            w.line(x1: px, y1: rect.top, x2: px, y2: rect.bottom, stroke: t.isMajor ? Palette.grid : Palette.minorGrid)
        }
    }

    static func horizontalGrid(_ w: inout SVGWriter, _ rect: PlotRect, _ y: AxisLayout) {
        for t in y.ticks {
            guard let py = rect.y(y, t.value) else { continue }
            w.line(x1: rect.left, y1: py, x2: rect.right, y2: py, stroke: t.isMajor ? Palette.grid : Palette.minorGrid)
        }
    }

    /// The bottom axis line, tick marks, tick labels and the axis label centred below.
    static func xAxis(_ w: inout SVGWriter, _ rect: PlotRect, _ x: AxisLayout) {
        w.open("g", [("class", "x-axis")])
        w.line(x1: rect.left, y1: rect.bottom, x2: rect.right, y2: rect.bottom, stroke: Palette.ink)
        for t in x.ticks {
            guard let px = rect.x(x, t.value) else { continue }
            w.line(x1: px, y1: rect.bottom, x2: px, y2: rect.bottom + (t.isMajor ? 5 : 3), stroke: Palette.ink)
            if let label = t.label {
                w.text(label, x: px, y: rect.bottom + 18, size: tickFont, anchor: .middle, fill: Palette.text)
            }
        }
        if !x.axis.label.isEmpty {
            w.text(x.axis.label, x: rect.left + rect.width / 2, y: rect.bottom + 37, size: axisFont, anchor: .middle, fill: Palette.ink)
        }
        w.close("g")
    }

    /// The left axis line, tick marks, tick labels and the axis label turned upright at `labelX`.
    static func yAxis(_ w: inout SVGWriter, _ rect: PlotRect, _ y: AxisLayout, labelX: Double) {
        w.open("g", [("class", "y-axis")])
        w.line(x1: rect.left, y1: rect.top, x2: rect.left, y2: rect.bottom, stroke: Palette.ink)
        for t in y.ticks {
            guard let py = rect.y(y, t.value) else { continue }
            w.line(x1: rect.left - (t.isMajor ? 5 : 3), y1: py, x2: rect.left, y2: py, stroke: Palette.ink)
            if let label = t.label {
                w.text(label, x: rect.left - 8, y: py + 4, size: tickFont, anchor: .end, fill: Palette.text)
            }
        }
        if !y.axis.label.isEmpty {
            w.text(y.axis.label, x: labelX, y: rect.top + rect.height / 2, size: axisFont, anchor: .middle,
                   fill: Palette.ink, rotate: -90)
        }
        w.close("g")
    }

    /// An x axis laid out for the plot width, with the right edge pulled in when the last tick
    /// label would stick out past `limit`.
    static func fitX(_ axis: Axis, data: [Double], rect: inout PlotRect, limit: Double) -> AxisLayout {
        var layout = axis.layout(data: data, length: rect.width, horizontal: true, fontSize: tickFont)
        for _ in 0..<2 {
            guard let last = layout.ticks.last(where: { $0.label != nil }), let px = rect.x(layout, last.value) else { break }
            let overhang = px + SVG.textWidth(last.label!, size: tickFont) / 2 - limit
            guard overhang > 0 else { break }
            rect.right -= overhang
            layout = axis.layout(data: data, length: rect.width, horizontal: true, fontSize: tickFont)
        }
        return layout
    }
}
