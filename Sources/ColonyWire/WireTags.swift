// The one-byte tags that name enum cases on the wire and on disk.
//
// These bytes are written into every node's write-ahead log and snapshot files and sent
// between nodes of different versions. A tag's meaning must NEVER change: never renumber a
// case, never reuse the tag of a removed case (leave a gap and a comment), and give a new
// case the next unused number. Tags start at 1 so that zeroed bytes never decode as a value.
// The golden tests in ColonyWireTests pin some of these bytes; a failing golden test means
// the on-disk format changed.

/// Tags of `CellOperation`.
enum OperationTag: UInt8 {
    case get = 1
    case list = 2
    case put = 3
    case delete = 4
    case compareAndSet = 5
    case increment = 6
    case transaction = 7
    case changeMembership = 8
    case deleteCell = 9
    case restore = 10
}

/// Tags of `Expectation`.
enum ExpectationTag: UInt8 {
    case absent = 1
    case value = 2
    case version = 3
}

/// Tags of `Condition`.
enum ConditionTag: UInt8 {
    case exists = 1
    case versionEquals = 2
    case valueEquals = 3
}

/// Tags of `TransactionStep`.
enum TransactionStepTag: UInt8 {
    case get = 1
    case put = 2
    case delete = 3
    case increment = 4
}

/// Tags of `OperationResult`.
enum OperationResultTag: UInt8 {
    case value = 1
    // 2 was a list without the revision it was read at; retired when lists gained it
    // (a list is a read, so it never reached a log or a snapshot).
    case written = 3
    case deleted = 4
    case incremented = 5
    case transaction = 6
    case membershipChanged = 7
    case list = 8
    case cellDeleted = 9
}

/// Tags of `StepResult`.
enum StepResultTag: UInt8 {
    case value = 1
    case written = 2
    case deleted = 3
    case incremented = 4
}

/// Tags of `OperationError`.
enum OperationErrorTag: UInt8 {
    case emptyKey = 1
    case keyTooLong = 2
    case valueTooLarge = 3
    case tooManyKeys = 4
    case cellTooLarge = 5
    case conditionFailed = 6
    case notAnInteger = 7
    case integerOverflow = 8
    case transactionTooLarge = 9
    case transactionStepFailed = 10
    case badListLimit = 11
    case invalidMembershipChange = 12
    case cellDeleted = 13
    case restoreRefused = 14
    case operationTooLarge = 15
}

/// Tags of `RestoreRefusal`.
enum RestoreRefusalTag: UInt8 {
    case cellWritten = 1
    case revisionZero = 2
    case tooManyKeys = 3
    case versionOutOfRange = 4
    case keysNotAscending = 5
}

/// Tags of `StepFailure`.
enum StepFailureTag: UInt8 {
    case emptyKey = 1
    case keyTooLong = 2
    case valueTooLarge = 3
    case tooManyKeys = 4
    case cellTooLarge = 5
    case notAnInteger = 6
    case integerOverflow = 7
}

/// Tags of `ConfigurationError`.
enum ConfigurationErrorTag: UInt8 {
    case duplicateMember = 1
    case badMemberCount = 2
    case notAMember = 3
    case alreadyAMember = 4
    case badStartSlot = 5
}

/// Tags of `Result`, whatever its success and failure types.
enum ResultTag: UInt8 {
    case success = 1
    case failure = 2
}

/// Tags of `Command`.
enum CommandTag: UInt8 {
    case client = 1
    case noop = 2
}

/// Tags of `DurableRecord`.
enum DurableRecordTag: UInt8 {
    case promise = 1
    case accepted = 2
    case snapshot = 3
    case damaged = 4
    case healed = 5
    case deleted = 6
    case forcedHeal = 7
}

/// Tags of `PeerMessageBody`.
enum PeerMessageTag: UInt8 {
    case poll = 1
    case pollReply = 2
    case prepare = 3
    case promise = 4
    case accept = 5
    case accepted = 6
    case reject = 7
    case heartbeat = 8
    case heartbeatReply = 9
    case catchUpRequest = 10
    case catchUpEntries = 11
    case snapshot = 12
    case staleEpoch = 13
    case renewal = 14
    case takeOver = 15
    case cellDeleted = 16
    case quiesce = 17
}

/// Tags of `ReadConsistency`.
enum ReadConsistencyTag: UInt8 {
    case linearizable = 1
    case stale = 2
}

/// Tags of `ClientOutcome`.
enum ClientOutcomeTag: UInt8 {
    case completed = 1
    case rejected = 2
    case redirect = 3
    case staleEpoch = 4
    case unavailable = 5
    case sessionExpired = 6
}

/// Tags of `UnavailableReason`.
enum UnavailableReasonTag: UInt8 {
    case catchingUp = 1
    case overloaded = 2
    case reconfiguring = 3
    case leadershipLost = 4
    case superseded = 5
}

/// Kinds of `PeerFrame`, the byte after the frame's version.
enum PeerFrameTag: UInt8 {
    case hello = 1
    case messages = 2
    case createCell = 3
    case liveness = 4
    case traceContexts = 5
}
