import Testing

/// A suite trait for suites that start colonies (node processes, or nodes in the test
/// process): such suites take turns, at most `ColonyTurn.width` of them at once, while every
/// other suite runs in parallel as usual.
///
/// Without turns, the whole test run starts some forty colonies at the same moment on a
/// 2-core machine, beside the simulator's seeds; their clients then miss deadlines that
/// hold easily when a few colonies run at once. The turn is taken around the whole suite,
/// outside its tests' time limits, so a test's limit counts only its own running time, not
/// the wait for a turn.
public struct ColonyTurn: SuiteTrait, TestScoping {
    /// How many colony suites run at once.
    public static let width = 2

    private static let turns = Turns(width: width)

    /// The suite itself takes the turn; its tests and test cases run inside it.
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        test.isSuite && testCase == nil ? self : nil
    }

    /// Waits for a turn, runs the suite, then hands the turn on.
    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        HeavyWork.colonySuiteBegins()
        defer { HeavyWork.colonySuiteEnds() }
        try await Self.turns.holding(function)
    }
}

extension Trait where Self == ColonyTurn {
    /// The suite starts colonies, so it takes turns with other such suites.
    public static var colonyTurn: Self { ColonyTurn() }
}

/// A suite trait for suites that make network namespaces, veths and bridges: they take
/// turns one at a time, before their colony turn (so one waiting holds no colony turn). Each lists the machine's namespaces and
/// links before it starts and removes what is new at the end, so two at once would take each
/// other's for leftovers and remove them mid-run.
public struct NetworkNamespaceTurn: SuiteTrait, TestScoping {
    private static let turns = Turns(width: 1)

    /// The suite itself takes the turn; its tests and test cases run inside it.
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        test.isSuite && testCase == nil ? self : nil
    }

    /// Waits for the turn, runs the suite, then hands the turn on.
    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await Self.turns.holding(function)
    }
}

extension Trait where Self == NetworkNamespaceTurn {
    /// The suite makes network namespaces, so it takes turns with other such suites; list
    /// it before `.colonyTurn`, as every such suite does, so the turns are always taken in
    /// the same order.
    public static var networkNamespaceTurn: Self { NetworkNamespaceTurn() }
}

/// At most `width` holders at once; the others wait in the order they came.
private actor Turns {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) {
        free = width
    }

    func take() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Runs `function` holding a turn, and hands the turn on however it ends.
    nonisolated func holding(_ function: @Sendable () async throws -> Void) async throws {
        await take()
        do {
            try await function()
        } catch {
            await handOn()
            throw error
        }
        await handOn()
    }

    func handOn() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
