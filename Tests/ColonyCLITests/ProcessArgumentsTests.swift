import Testing
@testable import colony

@Suite("the process's arguments read from the kernel's copy")
struct ProcessArgumentsTests {
    @Test("a command line splits at each NUL, keeping empty arguments and a last one without its NUL")
    func split() {
        let bytes = Array("colony\0node\0\0--config\0/tmp/a b.json\0".utf8)
        #expect(ProcessArguments.split(commandLine: bytes) == ["colony", "node", "", "--config", "/tmp/a b.json"])
        #expect(ProcessArguments.split(commandLine: Array("colony\0version".utf8)) == ["colony", "version"])
        #expect(ProcessArguments.split(commandLine: []).isEmpty && ProcessArguments.split(commandLine: [0]) == [""])
    }

    @Test("in a process started normally, the arguments are the runtime's")
    func normalStart() {
        #expect(ProcessArguments.afterExecutable == Array(CommandLine.arguments.dropFirst()))
    }
}
