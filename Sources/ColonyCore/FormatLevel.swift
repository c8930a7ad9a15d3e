import Synchronization

/// The formats a colony's nodes write, numbered together: the peer frame, write-ahead log
/// segment and snapshot versions of one level.
///
/// A build reads a range of levels and writes one: the level the colony's directory
/// records (`ColonyDirectory.formatsKey`; level 1 when none is recorded). So a colony
/// upgraded node by node keeps writing what its older nodes read, and any node can go back
/// to the build before, until an admin raises the level once every node reads it
/// (`colony upgrade finish`). From then on the older build can neither speak to its peers nor
/// read its data, and says so naming the versions it reads.
public struct FormatLevel: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// The level's number, from 1.
    public let number: Int

    /// The level `number`, or nil when no build knows it.
    public init?(_ number: Int) {
        guard Self.known.contains(number) else { return nil }
        self.number = number
    }

    private init(known number: Int) {
        self.number = number
    }

    /// Level 1: peer frames of version 1, segments of format 1, snapshots of format 2 (format
    /// 1, from before cells could be deleted, is read too).
    public static let first = FormatLevel(known: 1)
    /// Level 2, which exists to rehearse an upgrade: the bytes of level 1 under versions one
    /// higher (peer frames 2, segments 2, snapshots 3), so a build that reads only level 1
    /// refuses them as it would a real next format. Only a rehearsal build reads it
    /// (`FormatLevel.rehearsalRead`).
    public static let rehearsal = FormatLevel(known: 2)
    /// The level numbers any build of this code knows.
    public static let known = 1...2

    /// The levels a build reads unless it is a rehearsal build.
    public static let standardRead = first...first
    /// The levels a rehearsal build reads: it stands for the next release in upgrade tests.
    public static let rehearsalRead = first...rehearsal

    /// The levels a hello is read at, for a build that reads `read`: level 1 too, always. Every
    /// build writes its hello at level 1, so two builds always learn who the other is, and a
    /// frame after it of a level one does not read is refused naming the versions it reads.
    public static func helloRead(_ read: ClosedRange<FormatLevel>) -> ClosedRange<FormatLevel> {
        first...Swift.max(first, read.upperBound)
    }

    /// The version byte of the peer frames of this level.
    public var peerFrameVersion: UInt8 { UInt8(number) }
    /// The format version of the write-ahead log segments of this level.
    public var segmentVersion: UInt16 { UInt16(number) }
    /// The format version of the snapshot files of this level.
    public var snapshotVersion: UInt16 { UInt16(number + 1) }

    /// The level whose peer frames carry `version`, if any build knows it.
    public static func ofPeerFrame(_ version: UInt8) -> FormatLevel? { FormatLevel(Int(version)) }
    /// The level whose segments carry format `version`, if any build knows it.
    public static func ofSegment(_ version: UInt16) -> FormatLevel? { FormatLevel(Int(version)) }
    /// The level whose snapshots carry format `version`, if any build knows it; the snapshots
    /// of format 1 belong to level 1 as well.
    public static func ofSnapshot(_ version: UInt16) -> FormatLevel? { version == 1 ? .first : FormatLevel(Int(version) - 1) }

    public static func < (lhs: FormatLevel, rhs: FormatLevel) -> Bool { lhs.number < rhs.number }

    /// "level N".
    public var description: String { "level \(number)" }
}

extension ClosedRange<FormatLevel> {
    /// The range as an operator reads it: "1" or "1-2".
    public var numbers: String {
        lowerBound == upperBound ? "\(lowerBound.number)" : "\(lowerBound.number)-\(upperBound.number)"
    }

    /// The peer frame versions of the range's levels, as a hello carries them.
    public var peerFrameVersions: ClosedRange<UInt8> { lowerBound.peerFrameVersion...upperBound.peerFrameVersion }

    /// The versions of one format over the range, as "1" or "1-2", for messages that name
    /// what a build reads.
    public func versions(_ version: (FormatLevel) -> some BinaryInteger) -> String {
        let low = version(lowerBound), high = version(upperBound)
        return low == high ? "\(low)" : "\(low)-\(high)"
    }
}

/// The level a node writes now, shared by the parts that write (its peer frames, its log's
/// new segments and its snapshots) and set when the node reads a new level from the directory.
/// Never lowered: a level once raised is the colony's for good.
public final class WrittenFormat: Sendable {
    private let number: Atomic<Int>

    /// Writes `level` until raised.
    public init(_ level: FormatLevel = .first) {
        number = Atomic(level.number)
    }

    /// The level written now.
    public var level: FormatLevel { FormatLevel(number.load(ordering: .relaxed)) ?? .first }

    /// Writes `level` from now on if it is above the one written; returns whether it was.
    @discardableResult
    public func raise(to level: FormatLevel) -> Bool {
        number.max(level.number, ordering: .relaxed).oldValue < level.number
    }
}
