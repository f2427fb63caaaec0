/**
 * `pulumi import filedrop:index:<Kind> <name> <id>`: the engine reads the resource with its id alone (no inputs, no
 * state). Filled in by the import work of issue 21 item 3.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { FiledropError } from "../errors";
import type { ResourceKind } from "../plan/knownKeys";

/** What an import read gives: the state, the inputs for the generated code, and which of them are secret. */
export interface Imported {
    id: string;
    props: Record<string, unknown>;
    inputs: Record<string, unknown>;
    secretKeys: string[];
    secretInputs: string[];
}

export async function importRead(
    kind: ResourceKind,
    _name: string,
    id: string,
    _read: (id: string, props: unknown) => Promise<dynamic.ReadResult>,
): Promise<Imported> {
    throw new FiledropError("UNSUPPORTED", `Importing a ${kind} (${id}) is not supported yet.`);
}
