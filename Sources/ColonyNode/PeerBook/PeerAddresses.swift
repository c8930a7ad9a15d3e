import ColonyControl
import ColonyCore
import Synchronization

/// The node's peer book (`PeerBook`) as its parts share it: the peer links dial from it, the
/// peer port admits the nodes it knows, the client and control services name members'
/// client addresses from it, and `PeerBookRefresher` updates it while the node runs. Safe
/// to use from any thread.
///
/// A peer that says hello under a valid node certificate for an id the book does not know
/// yet (a node that joined since the book was read) is refused for now and asks for a read
/// of the directory (`wantRefresh()`); the refresher bounds how often it reads, so peers
/// knocking with unknown ids cost this node at most that.
final class PeerAddresses: Sendable {
    private let book: Mutex<PeerBook>
    /// Asks for the directory to be read; many asks before the read come to one.
    let refreshes: AsyncStream<Void>
    private let asking: AsyncStream<Void>.Continuation

    /// A shared `book`.
    init(_ book: PeerBook) {
        self.book = Mutex(book)
        (refreshes, asking) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    deinit {
        asking.finish()
    }

    /// The book as it is now.
    var current: PeerBook {
        book.withLock { $0 }
    }

    /// Where node `id` listens, if the book knows it.
    func address(of id: NodeID) -> NodeAddress? {
        book.withLock { $0.addresses[id] }
    }

    /// Whether `id` is one of this node's peers: known, and not this node.
    func isPeer(_ id: NodeID) -> Bool {
        book.withLock { $0.own != id && $0.addresses[id] != nil }
    }

    /// Every node the book knows, this one included, in id order.
    var nodes: [NodeID] {
        book.withLock { $0.addresses.keys.sorted() }
    }

    /// The nodes whose directory records, as the book read them, say they are gone.
    var goneNodes: Set<UInt32> {
        book.withLock { Set($0.recorded.lazy.filter { $0.state == .gone }.map(\.id)) }
    }

    /// Whether the book holds node records read from the directory.
    var hasRecords: Bool {
        book.withLock { !$0.recorded.isEmpty }
    }

    /// Every known node's client address, in id order.
    var clientAddresses: [String] {
        book.withLock { book in book.addresses.sorted { $0.key < $1.key }.map(\.value.clientAddress) }
    }

    /// Asks for the directory to be read soon (a peer said hello under an id the book does
    /// not know, or the refresher's period came round).
    func wantRefresh() {
        asking.yield()
    }

    /// Takes the directory's `records` (see `PeerBook.adopt`).
    func adopt(_ records: [NodeRecord]) throws(PeerBookError) -> (added: [NodeID], removed: [NodeID]) {
        try book.withLock { (book: inout PeerBook) throws(PeerBookError) in try book.adopt(records) }
    }
}
