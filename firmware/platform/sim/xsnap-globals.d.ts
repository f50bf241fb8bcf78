/** Globals of the xsnap-worker XS machine that the simulated platform talks through. */
declare function issueCommand(request: ArrayBuffer): ArrayBuffer;
declare function print(...values: unknown[]): void;
// eslint-disable-next-line no-var
declare var handleCommand: (request: ArrayBuffer) => ArrayBuffer;
