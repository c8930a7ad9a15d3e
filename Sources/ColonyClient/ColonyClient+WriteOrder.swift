/// One write per cell in flight: a cell applies each client's writes in the order of their
/// sequence numbers and refuses one overtaken by a later one, so this client's writes to one
/// cell wait their turn; writes to different cells run side by side.
extension ColonyClient {
    /// Waits until no other write of this client is in flight on `cell`, then claims it.
    func startWriting(_ cell: String) async {
        guard writesWaiting[cell] != nil else {
            writesWaiting[cell] = []
            return
        }
        await withCheckedContinuation { writesWaiting[cell, default: []].append($0) }
    }

    /// Ends this client's write on `cell`: the next one waiting, if any, goes.
    func finishWriting(_ cell: String) {
        guard var waiting = writesWaiting[cell], !waiting.isEmpty else {
            writesWaiting[cell] = nil
            return
        }
        let next = waiting.removeFirst()
        writesWaiting[cell] = waiting
        next.resume()
    }
}
