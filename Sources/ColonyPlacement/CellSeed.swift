import ColonyCore

/// The seed of one cell's choices: the bytes of its name hashed (FNV-1a, 64 bits) and mixed
/// with the placer's seed. Never Swift's `Hasher`, whose seed changes with every process:
/// a placement must come out the same in every process and on every machine.
enum CellSeed {
    /// The generator for `cell`'s choices under placer seed `seed`.
    static func generator(for cell: CellID, seed: UInt64) -> SplitMix64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in cell.name.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        var mixer = SplitMix64(seed: hash ^ seed)
        return SplitMix64(seed: mixer.next())
    }
}
