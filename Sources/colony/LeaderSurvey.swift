import Foundation

/// Which cells each node leads, read from the nodes' admin endpoints (`/status?format=json`).
enum LeaderSurvey {
    /// The cells a node's status (its admin page as JSON) says it leads; nil if the page is
    /// not a node's status.
    static func cellsLed(statusJSON page: String) -> Set<String>? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(page.utf8)) as? [String: Any],
              let replicas = object["cells"] as? [[String: Any]]
        else { return nil }
        return Set(replicas.compactMap { replica in replica["leader"] as? Bool == true ? replica["cell"] as? String : nil })
    }

    /// Asks every node of `adminAddresses` at once, each waiting at most `waitSeconds`; a
    /// node that did not answer is left out.
    static func read(_ adminAddresses: [UInt32: String], waitSeconds: Int = 1) async -> [UInt32: Set<String>] {
        let nodes = Array(adminAddresses)
        let pages = await AdminScrape.getAll("/status?format=json", from: nodes.map(\.value), waitSeconds: waitSeconds)
        var led: [UInt32: Set<String>] = [:]
        for ((node, _), page) in zip(nodes, pages) {
            if let cells = page.flatMap(cellsLed(statusJSON:)) { led[node] = cells }
        }
        return led
    }
}
