/// The colony as a picture (SVG): each zone a panel, each rack a column, each node a square
/// shaded by the replicas it holds, with a dot shaded by the cells it leads. With a failure,
/// the failed nodes are crossed out in red and every other node is shaded instead by how
/// many of the failure's touched cells it also holds, so the blast radius shows at a glance.
///
/// Shades run from the fewest any node has to the most, as the legend says; a fleet of at
/// most `labelledNodesMax` nodes gets squares large enough to carry each node's id and count.
public enum BlastRadiusPicture {
    private static let rackGap = 4
    private static let zoneGap = 28
    private static let top = 140
    private static let namesListed = 12
    /// The most nodes whose squares carry their id and count.
    static let labelledNodesMax = 64

    /// The size of a node's square and the distance from one to the next.
    private struct Tiles {
        let square: Int
        let step: Int
        let labelled: Bool

        init(nodes: Int) {
            labelled = nodes <= BlastRadiusPicture.labelledNodesMax
            square = labelled ? 34 : 14
            step = square + 2
        }
    }

    /// The SVG document for `cells` on `fleet`, titled `title`, with `failure` (its name and
    /// failed node indices) highlighted when given.
    public static func svg(fleet: Fleet, cells: CellTable, title: String, failure: (name: String, nodes: [Int])? = nil) -> String {
        var replicas = [Int](repeating: 0, count: fleet.nodes.count)
        var leaders = [Int](repeating: 0, count: fleet.nodes.count)
        var touchedHere = [Int](repeating: 0, count: fleet.nodes.count)
        var failed = [Bool](repeating: false, count: fleet.nodes.count)
        for node in failure?.nodes ?? [] { failed[node] = true }
        var touched = 0
        var majorityLost: [String] = []
        var majorityLostCount = 0
        for cell in 0..<cells.count {
            let members = cells.members(of: cell)
            for node in members { replicas[Int(node)] += 1 }
            leaders[cells.leader(of: cell)] += 1
            let lost = members.reduce(0) { $0 + (failed[Int($1)] ? 1 : 0) }
            guard lost > 0 else { continue }
            touched += 1
            for node in members { touchedHere[Int(node)] += 1 }
            if lost >= members.count / 2 + 1 {
                majorityLostCount += 1
                if majorityLost.count < namesListed { majorityLost.append(cells.names[cell]) }
            }
        }
        let shade = failure == nil ? replicas : touchedHere
        let shaded = fleet.nodes.indices.filter { !failed[$0] }.map { shade[$0] }
        let shadeRange = (shaded.min() ?? 0)...(shaded.max() ?? 0)
        let leadersMax = max(1, leaders.max() ?? 1)
        let tiles = Tiles(nodes: fleet.nodes.count)

        var body: [String] = []
        var x = 16
        var height = top
        for zone in fleet.zones.indices {
            let racks = fleet.racks.indices.filter { fleet.racks[$0].zone == zone }
            body.append(text(x, top - 10, fleet.zones[zone], size: 13, bold: true))
            for rack in racks {
                let nodes = fleet.nodes.indices.filter { fleet.rackOfNode[$0] == rack }
                body.append(text(x, top - 1, fleet.racks[rack].name, size: 8))
                for (row, node) in nodes.enumerated() {
                    let y = top + 4 + row * tiles.step
                    body.append(nodeMark(
                        fleet: fleet, node: node, tiles: tiles, x: x, y: y, failed: failed[node],
                        fill: fraction(shade[node], of: shadeRange), shown: shade[node],
                        highlight: failure != nil, replicas: replicas[node], leaders: leaders[node], touched: touchedHere[node],
                        leaderShade: Double(leaders[node]) / Double(leadersMax)))
                    height = max(height, y + tiles.step)
                }
                x += tiles.step + rackGap
            }
            x += zoneGap - rackGap
        }
        var header: [(text: String, size: Int)] = [
            (title, 15),
            ("\(fleet.nodes.count) nodes, \(fleet.racks.count) racks, \(fleet.zones.count) zones, \(cells.count) cells. Square: replicas held (max \(replicas.max() ?? 0)); dot: cells led (max \(leadersMax)).", 11),
        ]
        if let failure {
            header.append(("Failure \(failure.name): \(touched) cells lose a replica, \(majorityLostCount) lose their majority. Red: failed; orange: holds replicas of touched cells (\(shadeRange.lowerBound) to \(shadeRange.upperBound) a node).", 11))
            if !majorityLost.isEmpty {
                let more = majorityLostCount > majorityLost.count ? ", …" : ""
                header.append(("Majority lost: \(majorityLost.joined(separator: ", "))\(more)", 11))
            }
        }
        let headerMarks = header.enumerated().map { line, entry in
            text(16, 22 + 18 * line, entry.text, size: entry.size, bold: line == 0)
        }
        let (legendMarks, legendWidth) = legend(y: 22 + 18 * header.count, range: shadeRange, highlight: failure != nil, labelled: tiles.labelled)
        // Text runs about 0.6 of its font size per character.
        let width = max(x, legendWidth, header.map { 32 + $0.text.count * $0.size * 6 / 10 }.max() ?? 0)
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height + 16)" viewBox="0 0 \(width) \(height + 16)" font-family="Helvetica, Arial, sans-serif">
            <rect width="100%" height="100%" fill="white"/>
            \((headerMarks + legendMarks + body).joined(separator: "\n"))
            </svg>

            """
    }

    private static let replicaColors = (low: (232, 238, 248), high: (31, 78, 156))
    private static let touchedColors = (low: (255, 244, 230), high: (217, 72, 15))

    /// Where `value` lies in `range`, 0 to 1; the top of the scale when every node has the same.
    private static func fraction(_ value: Int, of range: ClosedRange<Int>) -> Double {
        guard range.upperBound > range.lowerBound else { return range.upperBound > 0 ? 1 : 0 }
        return Double(value - range.lowerBound) / Double(range.upperBound - range.lowerBound)
    }

    /// The key to the marks: the shade's scale with its two ends, then the failed, leading
    /// and inactive marks; and how wide it runs.
    private static func legend(y: Int, range: ClosedRange<Int>, highlight: Bool, labelled: Bool) -> (marks: [String], width: Int) {
        let colors = highlight ? touchedColors : replicaColors
        let steps = 8
        var marks = (0..<steps).map { index in
            let fill = blend(from: colors.low, to: colors.high, Double(index) / Double(steps - 1))
            return "<rect x=\"\(16 + 12 * index)\" y=\"\(y - 10)\" width=\"12\" height=\"12\" fill=\"\(fill)\"/>"
        }
        let measure = highlight ? "replicas of touched cells" : "replicas"
        let scale = range.lowerBound == range.upperBound
            ? "every node holds \(range.upperBound) \(measure)" : "\(range.lowerBound) to \(range.upperBound) \(measure)"
        let numbers = labelled ? "; each square: node id above, its count below" : "; hover a square for its node"
        let words = "\(scale). Red with a cross: failed. Dot: leads cells (darker: more). Dashed: not active\(numbers)."
        marks.append(text(24 + 12 * steps, y, words, size: 10))
        return (marks, 40 + 12 * steps + words.count * 6)
    }

    private static func nodeMark(
        fleet: Fleet, node: Int, tiles: Tiles, x: Int, y: Int, failed: Bool, fill: Double, shown: Int, highlight: Bool,
        replicas: Int, leaders: Int, touched: Int, leaderShade: Double
    ) -> String {
        let info = fleet.nodes[node]
        let square = tiles.square
        let colors = highlight ? touchedColors : replicaColors
        let color = failed ? "#c01818" : blend(from: colors.low, to: colors.high, fill)
        let outline = info.state == .active ? "" : " stroke=\"#555\" stroke-dasharray=\"2 2\""
        var mark = "<g><title>\(info.id) \(info.zone)/\(info.rack) color \(info.color) \(info.state.rawValue): \(replicas) replicas, leads \(leaders)\(highlight ? ", \(touched) touched cells" : "")</title>"
        mark += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(square)\" height=\"\(square)\" fill=\"\(color)\"\(outline)/>"
        if failed {
            mark += "<path d=\"M\(x + 3) \(y + 3)L\(x + square - 3) \(y + square - 3)M\(x + square - 3) \(y + 3)L\(x + 3) \(y + square - 3)\" stroke=\"white\" stroke-width=\"2\"/>"
        } else if leaders > 0 {
            mark += "<circle cx=\"\(x + square / 2)\" cy=\"\(y + square / 2)\" r=\"3\" fill=\"#111\" fill-opacity=\"\(decimal(0.15 + 0.85 * leaderShade))\"/>"
        }
        if tiles.labelled {
            // Dark text on light squares, white on dark ones and on the failed red.
            let ink = failed || fill > 0.55 ? "white" : "#111"
            mark += label(x + 2, y + 9, "\(info.id)", ink: ink)
            if !failed { mark += label(x + 2, y + square - 3, "\(shown)", ink: ink) }
        }
        return mark + "</g>"
    }

    private static func label(_ x: Int, _ y: Int, _ content: String, ink: String) -> String {
        "<text x=\"\(x)\" y=\"\(y)\" font-size=\"8\" fill=\"\(ink)\">\(content)</text>"
    }

    private static func text(_ x: Int, _ y: Int, _ content: String, size: Int, bold: Bool = false) -> String {
        let escaped = content.replacingAll("&", "&amp;").replacingAll("<", "&lt;").replacingAll(">", "&gt;")
        return "<text x=\"\(x)\" y=\"\(y)\" font-size=\"\(size)\"\(bold ? " font-weight=\"bold\"" : "")>\(escaped)</text>"
    }

    private static func blend(from low: (Int, Int, Int), to high: (Int, Int, Int), _ fraction: Double) -> String {
        let share = min(max(fraction, 0), 1)
        let pairs: [(Int, Int)] = [(low.0, high.0), (low.1, high.1), (low.2, high.2)]
        let digits = Array("0123456789abcdef")
        var result = "#"
        for (start, end) in pairs {
            let span = Double(end - start) * share
            let channel = start + Int(span.rounded())
            result.append(digits[channel / 16])
            result.append(digits[channel % 16])
        }
        return result
    }

    private static func decimal(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }
}

extension String {
    /// The string with every `target` replaced by `replacement` (no Foundation needed).
    fileprivate func replacingAll(_ target: Character, _ replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
