/** One rejected property, as `check` reports it to the engine (engineReport.ts) and the handlers collect it. */
export interface CheckFailure {
    property: string;
    reason: string;
}
