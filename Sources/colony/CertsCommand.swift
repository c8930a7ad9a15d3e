import ArgumentParser
import ColonyCore
import ColonyNode
import Foundation

/// `colony certs init|node|client`: a development CA and the certificates it issues.
struct CertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Make a colony's CA, and certificates for its nodes and clients.",
        discussion: """
            Every node requires TLS: peers and clients present a certificate issued by the colony's CA. \
            `colony dev up` makes its own under its folder; these commands make them for any other colony. \
            Keys are written with mode 0600; nothing is replaced without --force.
            """,
        subcommands: [CertsInitCommand.self, CertsNodeCommand.self, CertsClientCommand.self]
    )
}

/// `colony certs init --dir DIR`.
struct CertsInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Make a CA: DIR/ca.key and its self-signed certificate DIR/ca.pem.")

    @Option(help: "The folder of the colony's certificates.") var dir: String
    @Option(help: "The CA's common name (its subject is CN=NAME, O=Colony); see --subject.") var name: String?
    @Option(help: ArgumentHelp(
        "The CA's whole subject, such as \"CN=Example colony CA 2027, O=Example\" (CN required; CN, O, OU, L, ST, C).",
        discussion: "Name each CA of a rotation apart, so that a CA bundle shows which is which."))
    var subject: String?
    @Option(help: "How many days the CA is valid (default \(CertificateAuthority.authorityValidityDays)).")
    var days = CertificateAuthority.authorityValidityDays
    @Flag(help: "Replace an existing CA (certificates it issued stop verifying).") var force = false

    func validate() throws {
        guard name == nil || subject == nil else { throw ValidationError("give --name or --subject, not both") }
        _ = try validity()
        do {
            _ = try CertificateSubject.parse(subjectText)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The subject asked for: --subject as written, else O=Colony and --name as the common name.
    private var subjectText: String {
        subject ?? name.map { "CN=\($0), O=Colony" } ?? CertificateFolder.developmentSubject
    }

    private func validity() throws -> Int {
        try CertsValidity.check(days)
        return days
    }

    func run() throws {
        let folder = CertificateFolder(directory: dir)
        try folder.makeAuthority(subject: subjectText, days: try validity(), force: force)
        print("""
            wrote \(folder.authorityCertificate) and \(folder.authorityKey) (keep the key secret)
            next: colony certs node ID --dir \(dir), for each node; colony certs client NAME --dir \(dir)
            """)
    }
}

/// `colony certs node ID --dir DIR`.
struct CertsNodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Make a node's key and certificate, signed by the CA in DIR.",
        discussion: "The certificate names the node (urn:colony:node:ID) and 127.0.0.1, ::1, localhost and every --host.")

    @Argument(help: "The node's id, as in its configuration's \"node\".") var name: String
    @Option(help: "The folder of the colony's certificates.") var dir: String
    @Option(help: "Another host name or IP address clients reach the node by (repeatable).") var host: [String] = []
    @Option(help: "How many days the certificate is valid (default \(CertificateAuthority.leafValidityDays)).")
    var days = CertificateAuthority.leafValidityDays
    @Flag(help: "Replace an existing certificate.") var force = false

    /// The node's id, if `name` is one.
    private var node: NodeID? {
        UInt32(name).flatMap { $0 == 0 ? nil : NodeID($0) }
    }

    func validate() throws {
        guard node != nil else {
            throw ValidationError("the node must be named by its id, a positive integer as in its configuration's \"node\" (got \"\(name)\")")
        }
        try CertsValidity.check(days)
    }

    func run() throws {
        guard let id = node else { throw ValidationError("the node must be named by its id (got \"\(name)\")") }
        let files = try CertificateFolder(directory: dir).issue(.node(id), hosts: host, days: days, force: force)
        print("""
            wrote \(files.certificate) and \(files.key) for node \(id.rawValue)
            in node \(id.rawValue)'s configuration:
              "tls": {"ca": "\(files.ca)", "certificate": "\(files.certificate)", "key": "\(files.key)"}
            """)
    }
}

/// `colony certs client NAME --dir DIR`.
struct CertsClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client", abstract: "Make a client's key and certificate, signed by the CA in DIR.")

    @Argument(help: "The client's name: 1 to 64 letters, digits, dots, dashes or underscores.") var name: String
    @Option(help: "The folder of the colony's certificates.") var dir: String
    @Option(help: "How many days the certificate is valid (default \(CertificateAuthority.leafValidityDays)).")
    var days = CertificateAuthority.leafValidityDays
    @Flag(help: "Replace an existing certificate.") var force = false

    func validate() throws {
        guard CertificateIdentity.isValidClientName(name) else {
            throw ValidationError("the client's name must be 1 to 64 letters, digits, dots, dashes or underscores (got \"\(name)\")")
        }
        try CertsValidity.check(days)
    }

    func run() throws {
        let files = try CertificateFolder(directory: dir).issue(.client(name), days: days, force: force)
        print("""
            wrote \(files.certificate) and \(files.key) for client \(name)
            use them with: colony get CELL KEY --nodes HOST:PORT --ca \(files.ca) --cert \(files.certificate) --key \(files.key)
            """)
    }
}

/// The check of every `colony certs --days`.
enum CertsValidity {
    /// Refuses a validity outside 1...`CertificateAuthority.validityDaysMax` days.
    static func check(_ days: Int) throws {
        guard (1...CertificateAuthority.validityDaysMax).contains(days) else {
            throw ValidationError("--days must be between 1 and \(CertificateAuthority.validityDaysMax) (got \(days))")
        }
    }
}
