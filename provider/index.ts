/**
 * The dynamic providers the SDK's resources register with.
 *
 * Pulumi serializes a dynamic provider object into the state, with everything its methods capture. These
 * objects are therefore stateless, capture nothing, and load the real handlers with `require` by package name
 * when a method runs inside the provider process: the state holds a few lines, not our code, and a package upgrade
 * takes effect without re-serializing handlers. Never hold clients or sockets here.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

/** RemoteFile's provider. */
export const remoteFileProvider: dynamic.ResourceProvider = {
    check: (olds, news) => require("pulumi-filedrop/dist/provider/handlers/remoteFile").check(olds, news),
    diff: (id, olds, news) => require("pulumi-filedrop/dist/provider/handlers/remoteFile").diff(id, olds, news),
    create: (inputs) => require("pulumi-filedrop/dist/provider/handlers/remoteFile").create(inputs),
    read: (id, props) => require("pulumi-filedrop/dist/provider/handlers/remoteFile").read(id, props),
    update: (id, olds, news) => require("pulumi-filedrop/dist/provider/handlers/remoteFile").update(id, olds, news),
    delete: (id, props) => require("pulumi-filedrop/dist/provider/handlers/remoteFile").remove(id, props),
};

/** RemoteDirectory's provider. */
export const remoteDirectoryProvider: dynamic.ResourceProvider = {
    check: (olds, news) => require("pulumi-filedrop/dist/provider/handlers/remoteDirectory").check(olds, news),
    diff: (id, olds, news) => require("pulumi-filedrop/dist/provider/handlers/remoteDirectory").diff(id, olds, news),
    create: (inputs) => require("pulumi-filedrop/dist/provider/handlers/remoteDirectory").create(inputs),
    read: (id, props) => require("pulumi-filedrop/dist/provider/handlers/remoteDirectory").read(id, props),
    update: (id, olds, news) => require("pulumi-filedrop/dist/provider/handlers/remoteDirectory").update(id, olds, news),
    delete: (id, props) => require("pulumi-filedrop/dist/provider/handlers/remoteDirectory").remove(id, props),
};

/** RemoteTree's provider. */
export const remoteTreeProvider: dynamic.ResourceProvider = {
    check: (olds, news) => require("pulumi-filedrop/dist/provider/handlers/remoteTree").check(olds, news),
    diff: (id, olds, news) => require("pulumi-filedrop/dist/provider/handlers/remoteTree").diff(id, olds, news),
    create: (inputs) => require("pulumi-filedrop/dist/provider/handlers/remoteTree").create(inputs),
    read: (id, props) => require("pulumi-filedrop/dist/provider/handlers/remoteTree").read(id, props),
    update: (id, olds, news) => require("pulumi-filedrop/dist/provider/handlers/remoteTree").update(id, olds, news),
    delete: (id, props) => require("pulumi-filedrop/dist/provider/handlers/remoteTree").remove(id, props),
};
