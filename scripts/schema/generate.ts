/**
 * The `filedrop` plugin's Pulumi schema, generated from the TypeScript SDK's own declarations with the TypeScript
 * compiler API (issue 21 item 1): every argument of `RemoteFileArgs`, `RemoteDirectoryArgs`, `RemoteTreeArgs`,
 * `RemoteDownloadArgs`, `ConnectionArgs` and `ProxyConnectionArgs` is an input, every `declare public readonly`
 * field of the classes an output, each with its TSDoc as description and its `@default` (a JSON literal becomes the
 * schema's `default`, prose stays in the description). One source of truth: the SDK; `npm run schema` writes
 * plugin/schema.json, and test/unit/plugin/schema.test.ts fails when the committed file, the SDK's arguments or the
 * handlers' known keys (provider/plan/knownKeys.ts) disagree.
 */
import * as path from "node:path";
import * as ts from "typescript";
import { CONNECTION_SECRET_FIELDS, PROXY_SECRET_FIELDS, SPLIT_CONNECTION_FIELDS } from "../../provider/plan/knownKeys";

/** A Pulumi schema type (the subset used here). */
export type TypeSpec =
    | { type: "string" | "number" | "integer" | "boolean" }
    | { type: "array"; items: TypeSpec }
    | { type: "object"; additionalProperties: TypeSpec }
    | { $ref: string }
    | { oneOf: TypeSpec[] };

/** A property of the schema. */
export type PropertySpec = TypeSpec & { description?: string; default?: unknown; secret?: boolean };

/** An object type or a resource, as the schema declares it. */
interface ObjectSpec {
    description?: string;
    properties: Record<string, PropertySpec>;
    required?: string[];
}

/** The resources: their args interface and class, in sdk/<file>.ts. */
export const RESOURCES = [
    { kind: "RemoteFile", file: "remoteFile.ts" },
    { kind: "RemoteDirectory", file: "remoteDirectory.ts" },
    { kind: "RemoteTree", file: "remoteTree.ts" },
    { kind: "RemoteDownload", file: "remoteDownload.ts" },
] as const;

const TOKEN = (name: string) => `filedrop:index:${name}`;

/** The SDK's interfaces that become schema object types, by the name they get there. */
const OBJECT_TYPES: Record<string, string> = {
    ConnectionArgs: "Connection",
    ProxyConnectionArgs: "ProxyConnection",
};

/** Output object shapes the SDK writes inline, named here (schema properties cannot hold inline object types). */
const INLINE_TYPES: Record<string, ObjectSpec> = {
    TreeEntry: {
        description: "One file of a RemoteTree: its SHA-256 (hex), size in bytes and mode (octal string).",
        properties: { sha256: { type: "string" }, size: { type: "number" }, mode: { type: "string" } },
        required: ["sha256", "size", "mode"],
    },
    TreeDrift: {
        description: 'What a refresh of a RemoteTree found changed, missing or (with `prune: "all"`) extra.',
        properties: {
            changed: { type: "array", items: { type: "string" } },
            missing: { type: "array", items: { type: "string" } },
            extra: { type: "array", items: { type: "string" } },
        },
        required: ["changed", "missing", "extra"],
    },
};

/** TSDoc text with its source line breaks joined (paragraphs and list items kept). */
function flowed(text: string): string {
    return text.replace(/([^\n])\n(?![\n-]|\d+\. )/g, "$1 ").trim();
}

/** The TSDoc of a declaration: its text, and its `@default` tag. */
function docOf(node: ts.Node, checker: ts.TypeChecker, name: ts.Node): { text: string; dflt?: string } {
    const symbol = checker.getSymbolAtLocation(name);
    const text = ts.displayPartsToString(symbol?.getDocumentationComment(checker) ?? []).trim();
    const tag = ts.getJSDocTags(node).find((t) => t.tagName.text === "default");
    const dflt = typeof tag?.comment === "string" ? tag.comment.trim() : ts.getTextOfJSDocComment(tag?.comment);
    return { text: flowed(text), dflt: dflt === undefined ? undefined : flowed(dflt) };
}

/** The type node under `pulumi.Input<…>` / `pulumi.Output<…>`, or the node itself. */
function unwrapped(t: ts.TypeNode): ts.TypeNode {
    if (ts.isTypeReferenceNode(t) && /^pulumi\.(Input|Output)$/.test(t.typeName.getText()) && t.typeArguments) {
        return t.typeArguments[0];
    }
    return t;
}

/** The type checker of the generation under way (for aliases). */
let checker: ts.TypeChecker | undefined;

/** The schema type of a TypeScript type node (what the SDK declares). */
export function typeOf(node: ts.TypeNode, where: string): TypeSpec {
    const t = unwrapped(node);
    if (ts.isParenthesizedTypeNode(t)) {
        return typeOf(t.type, where);
    }
    if (t.kind === ts.SyntaxKind.StringKeyword || ts.isLiteralTypeNode(t)) {
        if (ts.isLiteralTypeNode(t) && t.literal.kind !== ts.SyntaxKind.StringLiteral) {
            throw new Error(`${where}: literal type ${t.getText()} is not a string`);
        }
        return { type: "string" };
    }
    if (t.kind === ts.SyntaxKind.NumberKeyword) {
        return { type: "number" };
    }
    if (t.kind === ts.SyntaxKind.BooleanKeyword) {
        return { type: "boolean" };
    }
    if (ts.isArrayTypeNode(t)) {
        return { type: "array", items: typeOf(t.elementType, where) };
    }
    if (ts.isUnionTypeNode(t)) {
        const parts = t.types.filter((x) => x.kind !== ts.SyntaxKind.UndefinedKeyword);
        // `source`: a local path; assets are the TypeScript SDK's alone (docs/plugin.md).
        const kept = parts.filter((x) => !/asset\.(FileAsset|StringAsset)$/.test(x.getText()));
        const specs = kept.map((x) => typeOf(x, where));
        const unique = [...new Map(specs.map((s) => [JSON.stringify(s), s])).values()];
        return unique.length === 1 ? unique[0] : { oneOf: unique };
    }
    if (ts.isTypeReferenceNode(t)) {
        const name = t.typeName.getText();
        if (name in OBJECT_TYPES) {
            return { $ref: `#/types/${TOKEN(OBJECT_TYPES[name])}` };
        }
        if (name === "Record" && t.typeArguments?.length === 2) {
            return { type: "object", additionalProperties: typeOf(t.typeArguments[1], where) };
        }
        // An alias of string literals (`Protocol`): a string, its values named in the description.
        const type = checker?.getTypeFromTypeNode(t);
        const parts = type?.isUnion() ? type.types : type === undefined ? [] : [type];
        if (parts.length > 0 && parts.every((x) => (x.flags & ts.TypeFlags.StringLike) !== 0)) {
            return { type: "string" };
        }
    }
    if (ts.isTypeLiteralNode(t)) {
        const keys = t.members
            .map((m) => m.name?.getText())
            .sort()
            .join(",");
        const named = Object.entries(INLINE_TYPES).find(
            ([, spec]) => Object.keys(spec.properties).sort().join(",") === keys,
        );
        if (named !== undefined) {
            return { $ref: `#/types/${TOKEN(named[0])}` };
        }
    }
    throw new Error(`${where}: no schema type for \`${t.getText()}\`; add one in scripts/schema/generate.ts`);
}

/** A property with its description, its default (a JSON literal) and its secrecy. */
function propertyOf(member: ts.PropertySignature | ts.PropertyDeclaration, checker: ts.TypeChecker, where: string) {
    const name = member.name.getText();
    if (member.type === undefined) {
        throw new Error(`${where}.${name} has no type`);
    }
    const doc = docOf(member, checker, member.name);
    const spec: PropertySpec = { ...typeOf(member.type, `${where}.${name}`) };
    let description = doc.text;
    if (doc.dflt !== undefined) {
        let literal: unknown;
        try {
            literal = JSON.parse(doc.dflt);
        } catch {
            literal = undefined;
        }
        if (literal !== undefined && ["string", "number", "boolean"].includes(typeof literal)) {
            spec.default = literal;
        }
        description = `${description}\n\nDefault: ${doc.dflt}`.trim();
    }
    if (description !== "") {
        spec.description = description;
    }
    return { name, spec, optional: member.questionToken !== undefined };
}

/** The interface or class named `name` in `file`. */
function declarationIn(source: ts.SourceFile, name: string): ts.InterfaceDeclaration | ts.ClassDeclaration | undefined {
    return source.statements.find(
        (s): s is ts.InterfaceDeclaration | ts.ClassDeclaration =>
            (ts.isInterfaceDeclaration(s) || ts.isClassDeclaration(s)) && s.name?.text === name,
    );
}

/** An interface's properties as a schema object, with its required ones. */
function objectOf(decl: ts.InterfaceDeclaration, checker: ts.TypeChecker, secrets: readonly string[]): ObjectSpec {
    const properties: Record<string, PropertySpec> = {};
    const required: string[] = [];
    for (const m of decl.members) {
        if (!ts.isPropertySignature(m)) {
            continue;
        }
        const p = propertyOf(m, checker, decl.name.text);
        properties[p.name] = secrets.includes(p.name) ? { ...p.spec, secret: true } : p.spec;
        if (!p.optional) {
            required.push(p.name);
        }
    }
    const doc = ts.displayPartsToString(checker.getSymbolAtLocation(decl.name)?.getDocumentationComment(checker) ?? []);
    return { description: flowed(doc), properties, required };
}

/** The TSDoc of a class, without its example (written for TypeScript). */
function classDescription(decl: ts.ClassDeclaration, checker: ts.TypeChecker): string {
    const symbol = decl.name === undefined ? undefined : checker.getSymbolAtLocation(decl.name);
    return flowed(ts.displayPartsToString(symbol?.getDocumentationComment(checker) ?? []));
}

/**
 * Outputs the provider keeps packed (provider/plan/manifestCodec.ts, issue 22): the TypeScript SDK unpacks them into
 * maps in the program, a plugin program receives the packed string.
 */
const PACKED_OUTPUTS: Record<string, readonly string[]> = { RemoteTree: ["manifest", "files"] };

/** A packed output's spec: a string, described as such. */
function packed(spec: PropertySpec): PropertySpec {
    const note =
        "From the plugin: packed in one string (`fdm1:`, see docs/plugin.md), to keep the state small; the TypeScript SDK's output is the map.";
    const description = `${spec.description ?? ""}\n\n${note}`.trim();
    return { type: "string", description, ...(spec.secret === true ? { secret: true } : {}) };
}

/** The whole schema (without `version`, which the plugin adds from package.json when it serves it). */
export function generateSchema(root = path.join(__dirname, "..", "..", "..")): Record<string, unknown> {
    const sdk = path.join(root, "sdk");
    const files = [...RESOURCES.map((r) => path.join(sdk, r.file)), path.join(sdk, "connection.ts")];
    const program = ts.createProgram(files, { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS });
    const typeChecker = program.getTypeChecker();
    checker = typeChecker;
    const source = (file: string) => {
        const s = program.getSourceFile(file);
        if (s === undefined) {
            throw new Error(`cannot read ${file}`);
        }
        return s;
    };
    const connectionFile = source(path.join(sdk, "connection.ts"));
    const types: Record<string, unknown> = {};
    const secretsOf: Record<string, readonly string[]> = {
        ConnectionArgs: CONNECTION_SECRET_FIELDS.filter((k) => !SPLIT_CONNECTION_FIELDS.includes(k)),
        ProxyConnectionArgs: PROXY_SECRET_FIELDS,
    };
    for (const [iface, name] of Object.entries(OBJECT_TYPES)) {
        const decl = declarationIn(connectionFile, iface);
        if (decl === undefined || !ts.isInterfaceDeclaration(decl)) {
            throw new Error(`sdk/connection.ts has no interface ${iface}`);
        }
        types[TOKEN(name)] = { type: "object", ...objectOf(decl, typeChecker, secretsOf[iface]) };
    }
    for (const [name, spec] of Object.entries(INLINE_TYPES)) {
        types[TOKEN(name)] = { type: "object", ...spec };
    }
    const resources: Record<string, unknown> = {};
    for (const r of RESOURCES) {
        const file = source(path.join(sdk, r.file));
        const args = declarationIn(file, `${r.kind}Args`);
        const cls = declarationIn(file, r.kind);
        if (
            args === undefined ||
            !ts.isInterfaceDeclaration(args) ||
            cls === undefined ||
            !ts.isClassDeclaration(cls)
        ) {
            throw new Error(`sdk/${r.file} has no interface ${r.kind}Args or class ${r.kind}`);
        }
        const inputs = objectOf(args, typeChecker, []);
        const properties: Record<string, PropertySpec> = {};
        for (const m of cls.members) {
            if (ts.isPropertyDeclaration(m) && m.modifiers?.some((x) => x.kind === ts.SyntaxKind.DeclareKeyword)) {
                const p = propertyOf(m, typeChecker, r.kind);
                properties[p.name] = (PACKED_OUTPUTS[r.kind] ?? []).includes(p.name) ? packed(p.spec) : p.spec;
            }
        }
        resources[TOKEN(r.kind)] = {
            description: classDescription(cls, typeChecker),
            inputProperties: inputs.properties,
            requiredInputs: inputs.required,
            properties,
        };
    }
    return {
        name: "filedrop",
        displayName: "filedrop",
        description:
            "Remote files as declarative state, over SFTP and FTPS: verified, atomic, drift-aware, and removed on destroy.",
        homepage: "https://github.com/pulumi-filedrop/pulumi-filedrop#readme",
        repository: "https://github.com/pulumi-filedrop/pulumi-filedrop",
        license: "Apache-2.0",
        keywords: ["sftp", "ftps", "files", "category/utility"],
        config: {
            variables: {
                auditLog: {
                    type: "string",
                    description:
                        "A file to append one JSON line to per transfer and removal (the audit log; docs/audit-log.md).",
                },
            },
        },
        types,
        resources,
    };
}

/** The schema as written to plugin/schema.json. */
export function schemaJson(root?: string): string {
    return `${JSON.stringify(generateSchema(root), null, 4)}\n`;
}
