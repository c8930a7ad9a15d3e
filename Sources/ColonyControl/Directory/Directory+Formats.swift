import ColonyClient
import ColonyCore

/// The format level the colony's nodes write (`ColonyDirectory.formatsKey`): read by
/// `colony upgrade`, raised by `colony upgrade finish`. Nodes read it on their own
/// (`FormatLevelRefresher`) and write the level they last read.
extension Directory {
    /// The level recorded and the version of its record; level 1 at version 0 when none was
    /// written.
    public func formats() async throws(DirectoryError) -> (level: FormatLevel, version: UInt64) {
        guard let (record, version) = try await versionedValue(ColonyDirectory.formatsKey, as: FormatRecord.self) else { return (.first, 0) }
        // A record is read only when it has no problem, that is when this build knows its level.
        guard let level = record.formatLevel else { throw .malformedRecord(key: ColonyDirectory.formatsKey, reason: record.problem ?? "") }
        return (level, version)
    }

    /// Records `level` as the colony's, if the record is still at `version` (0: none written)
    /// as read: two admins' raises never cross. Returns false when the record changed since.
    public func raiseFormats(to level: FormatLevel, from version: UInt64) async throws(DirectoryError) -> Bool {
        let bytes = try DirectoryRecord.formats(FormatRecord(level: level)).encoded()
        do {
            let expected: ColonyClient.Expected = version == 0 ? .absent : .version(version)
            try await client.compareAndSet(ColonyDirectory.cell, ColonyDirectory.formatsKey, expected: expected, value: bytes)
            return true
        } catch ColonyError.conditionFailed {
            return false
        } catch {
            throw Self.translate(error)
        }
    }
}
