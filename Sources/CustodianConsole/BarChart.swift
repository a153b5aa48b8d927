import Foundation

/// A bar chart laid out for an inline SVG template (`chart.mustache`): categories along the x axis, series side by
/// side above the axis, and optionally series below it (withdrawals against grants). Every number and label is data
/// the template escapes; the chart also carries the accessible table of its values.
struct BarChart {
    /// One series: its label, its CSS class, one value per category, drawn above or below the axis.
    struct Series {
        let name: String
        let cssClass: String
        let values: [Int]
        let below: Bool
    }

    struct Bar {
        let x: String
        let y: String
        let width: String
        let height: String
        let cssClass: String
        let label: String
    }

    struct Tick {
        let x: String
        let y: String
        let text: String
    }

    struct Legend {
        let cssClass: String
        let name: String
    }

    let id: String
    let title: String
    let xAxis: String
    let yAxis: String
    let width = 560
    let height = 240
    let bars: [Bar]
    let xTicks: [Tick]
    let yTicks: [Tick]
    let legend: [Legend]
    let axisY: String
    let plotLeft = 44
    let plotRight: Int
    /// The table beside the chart: the categories with a non-zero value, one column per series.
    let headers: [String]
    let rows: [[String]]

    init(id: String, title: String, xAxis: String, yAxis: String, categories: [String], labels: [String], series: [Series]) {
        self.id = id
        self.title = title
        self.xAxis = xAxis
        self.yAxis = yAxis
        let top = 12.0, bottom = Double(height - 40), left = Double(plotLeft), right = Double(width - 10)
        plotRight = Int(right)
        let up = series.filter { !$0.below }, down = series.filter(\.below)
        let maxUp = max(1, up.flatMap(\.values).max() ?? 0), maxDown = down.flatMap(\.values).max() ?? 0
        let span = Double(maxUp + maxDown)
        let baseline = top + (bottom - top) * Double(maxUp) / span
        let scale = (bottom - top) / span
        let group = (right - left) / Double(max(categories.count, 1))
        let perUp = group * 0.8 / Double(max(up.count, 1)), perDown = group * 0.8 / Double(max(down.count, 1))
        var bars: [Bar] = []
        for (index, label) in labels.enumerated() {
            let start = left + group * Double(index) + group * 0.1
            for (position, line) in up.enumerated() where line.values[index] > 0 {
                let height = Double(line.values[index]) * scale
                bars.append(Bar(
                    x: Self.number(start + perUp * Double(position)), y: Self.number(baseline - height), width: Self.number(perUp),
                    height: Self.number(height), cssClass: line.cssClass, label: "\(label) · \(line.name): \(line.values[index])"))
            }
            for (position, line) in down.enumerated() where line.values[index] > 0 {
                let height = Double(line.values[index]) * scale
                bars.append(Bar(
                    x: Self.number(start + perDown * Double(position)), y: Self.number(baseline), width: Self.number(perDown),
                    height: Self.number(height), cssClass: line.cssClass, label: "\(label) · \(line.name): \(line.values[index])"))
            }
        }
        self.bars = bars
        axisY = Self.number(baseline)
        // At most eight labels along the x axis.
        let every = max(1, Int((Double(labels.count) / 8).rounded(.up)))
        xTicks = labels.enumerated().filter { $0.offset % every == 0 }.map { index, label in
            Tick(x: Self.number(left + group * (Double(index) + 0.5)), y: Self.number(bottom + 16), text: label)
        }
        var yTicks = [Tick(x: Self.number(left - 6), y: Self.number(top + 4), text: String(maxUp)),
                      Tick(x: Self.number(left - 6), y: Self.number(baseline + 4), text: "0")]
        if maxDown > 0 { yTicks.append(Tick(x: Self.number(left - 6), y: Self.number(bottom), text: "−\(maxDown)")) }
        self.yTicks = yTicks
        legend = series.map { Legend(cssClass: $0.cssClass, name: $0.name) }
        headers = [xAxis] + series.map(\.name)
        rows = labels.enumerated().compactMap { index, label in
            let values = series.map { $0.values[index] }
            return values.contains { $0 > 0 } ? [label] + values.map(String.init) : nil
        }
    }

    private static func number(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}
