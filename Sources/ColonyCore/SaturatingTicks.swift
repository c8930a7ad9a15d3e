extension UInt64 {
    /// `self + ticks`, or `.max` past the end of the range: a deadline that far off is never
    /// reached, where a wrapped one would pass at once (a test may set an interval to `.max`
    /// to turn its timer off; a client's timeout is its own number).
    public func saturatingAdding(_ ticks: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(ticks)
        return overflow ? .max : sum
    }
}
