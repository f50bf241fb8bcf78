/** Moddable's `crypt` digest (modules/crypt/digest), which @moddable/typings 5.6.0 lacks; the SDK's typings declare the same. */
declare module "crypt" {
  export class Digest {
    constructor(type: "MD5" | "SHA1" | "SHA224" | "SHA256" | "SHA384" | "SHA512");
    write(message: string | ArrayBuffer): void;
    close(): ArrayBuffer;
    reset(): void;
  }
}
