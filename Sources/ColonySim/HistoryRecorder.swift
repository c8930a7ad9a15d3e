import ColonyCore

/// Writes down what clients did, as history events in order.
struct HistoryRecorder {
    private(set) var events: [HistoryEvent] = []
    let isEnabled: Bool

    init(isEnabled: Bool) {
        self.isEnabled = isEnabled
    }

    mutating func record(
        time: UInt64, process: Int, type: HistoryEventType, function: HistoryFunction,
        cell: CellID, key: String?, value: HistoryValue
    ) {
        guard isEnabled else { return }
        events.append(HistoryEvent(
            index: events.count, time: time, process: process, type: type, function: function,
            cell: cell.name, key: key, value: value))
    }
}
