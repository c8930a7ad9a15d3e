import ColonyAPI
import Foundation

/// One change of a cell, as a watch delivers it: the revision it gave the cell and every key
/// it changed (a transaction's keys together), each with its new value or its deletion.
public struct ColonyChange: Hashable, Sendable {
    /// The revision the change gave the cell; each change's is one more than the last change's
    /// of the whole cell (with a prefix, changes to other keys are skipped).
    public var revision: UInt64
    /// The keys the change touched, in key order.
    public var keys: [ColonyKeyChange]

    /// Makes a change.
    public init(revision: UInt64, keys: [ColonyKeyChange]) {
        self.revision = revision
        self.keys = keys
    }

    init(_ event: Colony_V1_WatchEvent) {
        revision = event.revision
        keys = event.changes.map { ColonyKeyChange(key: $0.key, value: $0.deleted ? nil : Array($0.value)) }
    }
}

/// One key's state after a change.
public struct ColonyKeyChange: Hashable, Sendable {
    /// The key.
    public var key: String
    /// The new value, or nil when the change removed the key.
    public var value: [UInt8]?

    /// Makes a key's change; a nil `value` is a deletion.
    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    /// The new value as UTF-8 text (invalid bytes replaced), or nil for a deletion.
    public var text: String? { value.map { String(decoding: $0, as: UTF8.self) } }
}

/// A cell's changes, as `ColonyClient.watch` streams them: iterate it with `for try await`.
///
/// Changes arrive in revision order, each once, across reconnections. The sequence ends
/// with an error when the watch cannot go on: `cellDeleted`, `compacted` (the changes after
/// the last one delivered are no longer kept by any member: list the keys and watch from the
/// list's revision), or another definite error. Stop iterating (or drop the sequence) to end
/// the watch.
public struct ColonyWatch: AsyncSequence, Sendable {
    /// The element: one change.
    public typealias Element = ColonyChange

    let handle: WatchHandle

    /// Makes the iterator; a watch is read by one iterator.
    public func makeAsyncIterator() -> Iterator {
        Iterator(handle: handle)
    }

    /// Reads a watch's changes in order.
    public struct Iterator: AsyncIteratorProtocol {
        let handle: WatchHandle

        /// The next change; nil when the watch ended cleanly (it was closed).
        public mutating func next() async throws -> ColonyChange? {
            try await handle.channel.next()
        }
    }
}

/// Owns a watch's connection task: when neither the watch nor its iterator is held any
/// more, the task is cancelled.
final class WatchHandle: Sendable {
    let channel: ChangeChannel
    let task: Task<Void, Never>

    init(channel: ChangeChannel, task: Task<Void, Never>) {
        self.channel = channel
        self.task = task
    }

    deinit {
        channel.readerLeft()
        task.cancel()
    }
}
