/// The drawing of lines in one plot rectangle, shared by `LineChart` and `StackedChart`:
/// bands and grid under the lines, the lines clipped to the plot, labels over them.
struct LinePlot {
    var x: Axis
    var y: Axis
    var series: [Series]
    /// The palette slot of the first series without a slot of its own.
    var firstSlot: Int
    var bands: [Band]
    var horizontalLines: [ReferenceLine]
    var verticalLines: [ReferenceLine]
    var labelsBands: Bool

    var yData: [Double] { series.flatMap { $0.points.map(\.y) } + horizontalLines.map(\.value) }
    var xData: [Double] { series.flatMap { $0.points.map(\.x) } + verticalLines.map(\.value) + bands.flatMap { [$0.from, $0.to] } }

    var legendEntries: [LegendEntry] {
        series.indices.filter { !series[$0].name.isEmpty }.map { i in
            let st = style(i)
            return LegendEntry(swatch: .line(color: st.color, dash: st.dash, marker: showsMarkers(series[i]) ? st.marker : nil),
                               label: series[i].name)
        }
    }

    func drawUnder(_ w: inout SVGWriter, _ rect: PlotRect, _ xl: AxisLayout, _ yl: AxisLayout) {
        drawBands(&w, rect, xl)
        PlotFrame.verticalGrid(&w, rect, xl)
        PlotFrame.horizontalGrid(&w, rect, yl)
        drawReferenceLines(&w, rect, xl, yl)
    }

    /// The lines, clipped to the plot, and the markers of the points inside it; "no data"
    /// when nothing could be drawn.
    func drawSeries(_ w: inout SVGWriter, _ rect: PlotRect, _ xl: AxisLayout, _ yl: AxisLayout, clipID: String) {
        w.open("clipPath", [("id", clipID)])
        w.rect(x: rect.left, y: rect.top, width: rect.width, height: rect.height, fill: "#ffffff")
        w.close("clipPath")
        w.open("g", [("class", "series")])
        var drawn = 0
        for i in series.indices { drawn += draw(series[i], style(i), &w, rect, xl, yl, clipID: clipID) }
        w.close("g")
        if drawn == 0 {
            w.text("no data", x: rect.left + rect.width / 2, y: rect.top + rect.height / 2, size: 13, anchor: .middle, fill: Palette.mutedText)
        }
    }

    func drawOver(_ w: inout SVGWriter, _ rect: PlotRect, _ xl: AxisLayout) {
        if labelsBands { drawBandLabels(&w, rect, xl) }
    }

    struct Style { var color: String; var dash: String?; var marker: Marker }

    func style(_ i: Int) -> Style {
        let s = series[i], slot = s.slot ?? (firstSlot + i)
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
    private func draw(_ s: Series, _ st: Style, _ w: inout SVGWriter, _ rect: PlotRect, _ xl: AxisLayout, _ yl: AxisLayout,
                      clipID: String) -> Int {
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
                               ("stroke-linecap", st.dash == nil ? nil : "round"), ("clip-path", "url(#\(clipID))")])
        }
        let allMarkers = showsMarkers(s)
        for run in runs where allMarkers || (run.count == 1 && s.markers != .never) {
            for q in run where q.x >= rect.left - 0.5 && q.x <= rect.right + 0.5 && q.y >= rect.top - 0.5 && q.y <= rect.bottom + 0.5 {
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
            let ly = rect.top + (bands.isEmpty || !labelsBands ? 13 : 26)
            if px + 4 + SVG.textWidth(v.label, size: 10) > rect.right {
                w.text(v.label, x: px - 4, y: ly, size: 10, anchor: .end, fill: Palette.text)
            } else {
                w.text(v.label, x: px + 4, y: ly, size: 10, fill: Palette.text)
            }
        }
    }
}
