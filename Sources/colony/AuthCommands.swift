import ArgumentParser
import ColonyAuth
import ColonyClient
import ColonyControl
import ColonyNode
import Foundation

/// `colony auth enable|role|user|whoami`: who may do what, kept in the directory.
struct AuthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Authorization: roles, their grants on cells, the identities bound to them, and the switch that turns it on.",
        discussion: """
            The policy is one record of the directory (auth/policy); every node reads it every 2 s and keeps enforcing \
            the last one it read while the directory is unreachable. Identities are the URNs client certificates carry \
            (urn:colony:client:NAME, made by `colony certs client NAME`). The role admin is built in: it allows the \
            control plane's and maintenance operations. Until `colony auth enable`, every certificate may do anything.
            """,
        subcommands: [AuthEnableCommand.self, AuthDisableCommand.self, AuthRoleCommand.self, AuthUserCommand.self, AuthWhoamiCommand.self])
}

/// `colony auth enable`.
struct AuthEnableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable",
        abstract: "Turn authorization on: from then on, what no grant allows is refused.",
        discussion: "Refused unless this client's identity holds the role admin (`colony auth user bind urn:colony:client:NAME admin`), so the admin who turns it on is not locked out. Every node enforces it within its next read of the directory (2 s).")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let identity = try options.identity()
        let policy = try await options.withDirectory { try await $0.change(.enable(by: identity)) }
        options.show(
            "authorization is on; \(policy.admins.count) admin identities: \(policy.admins.joined(separator: ", "))",
            json: ["enabled": policy.enabled, "admins": policy.admins])
    }
}

/// `colony auth disable`.
struct AuthDisableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable",
        abstract: "Turn authorization off: every certificate of the CA may do anything again (but delete a reserved cell).",
        discussion: "Needs the role admin while authorization is on. Roles and bindings are kept for the next `colony auth enable`.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        _ = try await options.withDirectory { try await $0.change(.disable) }
        options.show("authorization is off; the roles and bindings are kept", json: ["enabled": false])
    }
}

/// `colony auth role add|grant|revoke|list`.
struct AuthRoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "role", abstract: "Define roles and their grants.",
        subcommands: [AuthRoleAddCommand.self, AuthRoleGrantCommand.self, AuthRoleRevokeCommand.self, AuthRoleListCommand.self])
}

/// `colony auth role add ROLE`.
struct AuthRoleAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Define a role with no grant.")
    @Argument(help: "The role's name: 1 to 64 letters, digits, dots, dashes or underscores.") var role: String
    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard AuthPolicy.isValidRoleName(role) else { throw ValidationError("a role's name is 1 to 64 letters, digits, dots, dashes or underscores") }
    }

    func run() async throws {
        _ = try await options.withDirectory { try await $0.change(.addRole(role)) }
        options.show("role \(role) added; grant it access with `colony auth role grant \(role) read-write PREFIX*`", json: ["role": role])
    }
}

/// The grant named on a command line: ACCESS CELLS [--keys PREFIX*].
struct GrantArguments: ParsableArguments {
    @Argument(help: "The role.") var role: String
    @Argument(help: "read, write or read-write.") var access: String
    @Argument(help: "A cell's name, or a prefix followed by * (`app-*`; `*` for every application cell). Never a reserved (_) name.") var cells: String
    @Option(help: "Only the keys starting with this prefix, followed by * (`public/*`); without it, every key of the cells. A watch, CellInfo and a List of the whole cell need a grant on every key.")
    var keys: String?

    /// The grant, checked.
    func grant() throws -> Grant {
        guard let access = Access(rawValue: access) else { throw ValidationError("the access is read, write or read-write (got \"\(access)\")") }
        guard let pattern = CellPattern(cells) else {
            throw ValidationError("\"\(cells)\" is not a cell pattern: a cell's name or a prefix followed by *, not starting with _ (reserved cells change only through the control plane)")
        }
        guard let keys else { return Grant(access, on: pattern) }
        guard let keyPattern = KeyPattern(keys) else {
            throw ValidationError("\"\(keys)\" is not a key pattern: a prefix of 1 to \(KeyPattern.bytesMax) bytes followed by * (`public/*`)")
        }
        return Grant(access, on: pattern, keys: keyPattern)
    }

    /// The grant as `--json` shows it.
    static func json(_ role: String, _ grant: Grant) -> [String: Any] {
        var json: [String: Any] = ["role": role, "access": grant.access.rawValue, "cells": "\(grant.cells)"]
        if let keys = grant.keys { json["keys"] = "\(keys)" }
        return json
    }
}

/// `colony auth role grant ROLE ACCESS CELLS [--keys PREFIX*]`.
struct AuthRoleGrantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "grant", abstract: "Give a role read, write or read-write access to cells.")
    @OptionGroup var grant: GrantArguments
    @OptionGroup var options: ClientOptions

    func validate() throws { _ = try grant.grant() }

    func run() async throws {
        let made = try grant.grant()
        _ = try await options.withDirectory { try await $0.change(.grant(role: grant.role, made)) }
        options.show("role \(grant.role) holds \(made)", json: GrantArguments.json(grant.role, made))
    }
}

/// `colony auth role revoke ROLE ACCESS CELLS`.
struct AuthRoleRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Take a grant from a role.")
    @OptionGroup var grant: GrantArguments
    @OptionGroup var options: ClientOptions

    func validate() throws { _ = try grant.grant() }

    func run() async throws {
        let made = try grant.grant()
        _ = try await options.withDirectory { try await $0.change(.revoke(role: grant.role, made)) }
        options.show("role \(grant.role) no longer holds \(made)", json: GrantArguments.json(grant.role, made))
    }
}

/// `colony auth role list`.
struct AuthRoleListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Show the roles and their grants, and whether authorization is on.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let (policy, version) = try await options.withDirectory { try await $0.policy() }
        var lines = ["authorization is \(policy.enabled ? "on" : "off") (policy version \(version))", "admin: built in; every control-plane and maintenance operation"]
        for (role, grants) in policy.roles.sorted(by: { $0.key < $1.key }) {
            lines.append("\(role): " + (grants.isEmpty ? "no grant" : grants.map(\.description).joined(separator: ", ")))
        }
        options.show(
            lines.joined(separator: "\n"),
            json: ["enabled": policy.enabled, "version": version, "roles": policy.roles.mapValues { $0.map(\.description) }])
    }
}

/// `colony auth user bind|unbind|list`.
struct AuthUserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Bind client identities to roles.",
        subcommands: [
            AuthUserBindCommand.self, AuthUserUnbindCommand.self, AuthUserRevokeCommand.self, AuthUserReinstateCommand.self,
            AuthUserListCommand.self,
        ])
}

/// The identity and role named on a command line.
struct BindingArguments: ParsableArguments {
    @Argument(help: "The client: its URN (urn:colony:client:NAME) or its name.") var identity: String
    @Argument(help: "The role (admin, or one `colony auth role add` made).") var role: String

    /// The client identity, checked.
    func client() throws -> Identity {
        try Self.client(identity)
    }

    /// The client identity `text` names (its URN or its name), checked.
    static func client(_ text: String) throws -> Identity {
        if let identity = Identity(urn: text), case .client = identity { return identity }
        if Identity.isValidClientName(text) { return .client(text) }
        throw ValidationError("\"\(text)\" is not a client: give urn:colony:client:NAME or NAME (nodes hold their own role and are not bound)")
    }

    /// The identity `text` names for a revocation: a client (its URN or its name) or a node
    /// (urn:colony:node:ID), checked.
    static func revocable(_ text: String) throws -> Identity {
        if let identity = Identity(urn: text), case .node = identity { return identity }
        do {
            return try client(text)
        } catch {
            throw ValidationError("\"\(text)\" is not a client or a node: give urn:colony:client:NAME, NAME or urn:colony:node:ID")
        }
    }
}

/// `colony auth user bind IDENTITY ROLE`.
struct AuthUserBindCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bind", abstract: "Give a client identity a role.")
    @OptionGroup var binding: BindingArguments
    @OptionGroup var options: ClientOptions

    func validate() throws { _ = try binding.client() }

    func run() async throws {
        let identity = try binding.client()
        _ = try await options.withDirectory { try await $0.change(.bind(identity, role: binding.role)) }
        options.show("\(identity) holds the role \(binding.role)", json: ["identity": identity.urn, "role": binding.role])
    }
}

/// `colony auth user unbind IDENTITY ROLE`.
struct AuthUserUnbindCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unbind", abstract: "Take a role from a client identity.")
    @OptionGroup var binding: BindingArguments
    @OptionGroup var options: ClientOptions

    func validate() throws { _ = try binding.client() }

    func run() async throws {
        let identity = try binding.client()
        _ = try await options.withDirectory { try await $0.change(.unbind(identity, role: binding.role)) }
        options.show("\(identity) no longer holds the role \(binding.role)", json: ["identity": identity.urn, "role": binding.role])
    }
}

/// `colony auth user revoke IDENTITY`.
struct AuthUserRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Refuse a client's or a retired node's identity everything, at once and whether authorization is on or off; its bindings are kept.",
        discussion: """
            Every node refuses it from its next read of the directory (within 2 s) and closes the connections it has open; a \
            connection it opens afterwards is answered PERMISSION_DENIED. A node's identity (urn:colony:node:ID, for a leaked \
            node certificate) is also refused by every peer port; it may be revoked only once the directory lists the node as \
            gone (or has no record of it): drain it (`colony node drain ID`) and declare it gone (`colony node gone ID`) first.
            """)
    @Argument(help: "The client: its URN (urn:colony:client:NAME) or its name; or a node: urn:colony:node:ID.") var identity: String
    @OptionGroup var options: ClientOptions

    func validate() throws { _ = try BindingArguments.revocable(identity) }

    func run() async throws {
        let revoked = try BindingArguments.revocable(identity)
        _ = try await options.withDirectory { try await $0.change(.revokeIdentity(revoked)) }
        options.show("\(revoked) is revoked", json: ["identity": revoked.urn, "revoked": true])
    }
}

/// `colony auth user reinstate IDENTITY`.
struct AuthUserReinstateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reinstate", abstract: "Lift a client's or a node's revocation.")
    @Argument(help: "The client: its URN (urn:colony:client:NAME) or its name; or a node: urn:colony:node:ID.") var identity: String
    @OptionGroup var options: ClientOptions

    func validate() throws { _ = try BindingArguments.revocable(identity) }

    func run() async throws {
        let reinstated = try BindingArguments.revocable(identity)
        _ = try await options.withDirectory { try await $0.change(.reinstate(reinstated)) }
        options.show("\(reinstated) is no longer revoked", json: ["identity": reinstated.urn, "revoked": false])
    }
}

/// `colony auth user list`.
struct AuthUserListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Show every bound identity and its roles.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let (policy, _) = try await options.withDirectory { try await $0.policy() }
        let bindings = policy.bindings.sorted { $0.key < $1.key }
        var lines = bindings.isEmpty ? ["no identity is bound"] : bindings.map { "\($0.key): \($0.value.joined(separator: ", "))" }
        if !policy.revoked.isEmpty { lines.append("revoked: \(policy.revoked.joined(separator: ", "))") }
        options.show(lines.joined(separator: "\n"), json: ["bindings": policy.bindings, "revoked": policy.revoked])
    }
}

/// `colony auth whoami`.
struct AuthWhoamiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami", abstract: "Show the identity this client's certificate carries, and the roles the directory binds to it.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let identity = try options.identity()
        let (policy, _) = try await options.withDirectory { try await $0.policy() }
        let roles = policy.roles(of: identity)
        options.show(
            "\(identity.urn): \(roles.isEmpty ? "no role" : "roles " + roles.joined(separator: ", ")); authorization is \(policy.enabled ? "on" : "off")",
            json: ["identity": identity.urn, "roles": roles, "enabled": policy.enabled])
    }
}

extension ClientOptions {
    /// The identity of the certificate this client presents.
    func identity() throws -> Identity {
        guard case .files(let ca, let certificate, let key) = try tls() else {
            throw ValidationError("a client without a certificate has no identity; give --ca, --cert and --key")
        }
        do {
            return try TLSMaterial.load(TLSFiles(ca: ca, certificate: certificate, key: key), expected: nil).identity.authorization
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
