// eslint-disable-next-line no-var
declare var handleCommand: (request: ArrayBuffer) => ArrayBuffer;
declare function print(...values: unknown[]): void;
