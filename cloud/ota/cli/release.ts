import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { OTA_NODE_KINDS, releaseProblem, type OtaNodeKind, type SignedRelease } from "../../../shared/ota";
import { buildSimImage, type SimImageDefect } from "../../../shared/sim-image";
import { generateReleaseKey, loadPrivateKey, signRelease, verifyRelease } from "../release-key";
import { apiClient, ApiError } from "./api-client";
import { UsageError } from "./parse";

const HELP = `npm run release -- <command> [options]

Cut and publish firmware releases. Images are signed with an Ed25519 release key that stays
with whoever releases; the cloud and the nodes hold only its public half.

  keygen   --out <key.pem>
           Makes a release key (PKCS#8 PEM, readable by you only) and prints its public key:
           give that to the cloud as OTA_RELEASE_KEYS and to builds as release_key=<hex>.
  sign     --key <key.pem> --image <file> --board <id> --kind <${OTA_NODE_KINDS.join("|")}> --version <x.y.z> [--out <file>]
           Writes the signed release next to the image (<image>.release.json unless --out).
  verify   --image <file> --public-key <hex> [--release <file>]
           Checks size, SHA-256 and signature as a node would.
  upload   --image <file> [--release <file>] [--url <cloud>] [--token <token>]
           Sends image and release to POST /api/ota/images (SHOUWANG_URL, SHOUWANG_TOKEN).
  sim-image --version <x.y.z> --board <id> --kind <kind> --out <file> [--size <bytes>] [--defect no-connect]
           Makes a firmware image for simulated nodes (npm start), optionally a broken one.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      out: { type: "string" },
      key: { type: "string" },
      image: { type: "string" },
      board: { type: "string" },
      kind: { type: "string" },
      version: { type: "string" },
      release: { type: "string" },
      "public-key": { type: "string" },
      url: { type: "string" },
      token: { type: "string" },
      size: { type: "string" },
      defect: { type: "string" },
    },
    allowPositionals: false,
  });
  const need = (name: keyof typeof values): string => {
    const value = values[name];
    if (!value) throw new UsageError(`--${name} is required for ${command}`);
    return value;
  };
  switch (command) {
    case "keygen": {
      const out = need("out");
      if (existsSync(out)) throw new UsageError(`${out} exists; a release key is never overwritten`);
      const { privateKeyPem, publicKeyHex } = generateReleaseKey();
      writeFileSync(out, privateKeyPem, { mode: 0o600 });
      print(`release key written to ${out} (keep it offline; whoever holds it can update every node)`);
      print(`public key: ${publicKeyHex}`);
      print(`  cloud:    OTA_RELEASE_KEYS=${publicKeyHex}`);
      print(`  firmware: mcconfig … release_key=${publicKeyHex}`);
      return 0;
    }
    case "sign": {
      const imagePath = need("image");
      const image = readFileSync(imagePath);
      const kind = need("kind");
      const statement = {
        board: need("board"),
        kind: kind as OtaNodeKind,
        version: need("version"),
        sizeBytes: image.length,
        sha256: createHash("sha256").update(image).digest("hex"),
      };
      const release = signRelease(statement, loadPrivateKey(readFileSync(need("key"), "utf8")));
      const problem = releaseProblem(release);
      if (problem) throw new UsageError(problem);
      const out = values.out ?? `${imagePath}.release.json`;
      writeFileSync(out, `${JSON.stringify(release, null, 2)}\n`);
      print(`signed ${kind} ${release.version} for ${release.board}: ${release.sizeBytes} bytes, sha256 ${release.sha256}, key ${release.keyId}`);
      print(`release written to ${out}`);
      return 0;
    }
    case "verify": {
      const image = readFileSync(need("image"));
      const release = readRelease(values.release ?? `${need("image")}.release.json`);
      const sha256 = createHash("sha256").update(image).digest("hex");
      if (image.length !== release.sizeBytes) return fail(`size is ${image.length}; the release says ${release.sizeBytes}`);
      if (sha256 !== release.sha256) return fail(`SHA-256 is ${sha256}; the release says ${release.sha256}`);
      if (!verifyRelease(release, need("public-key"))) return fail("the signature does not verify under that public key");
      print(`ok: ${release.kind} ${release.version} for ${release.board}, signed by ${release.keyId}`);
      return 0;
    }
    case "upload": {
      const imagePath = need("image");
      const release = readRelease(values.release ?? `${imagePath}.release.json`);
      const form = new FormData();
      form.set("image", new Blob([new Uint8Array(readFileSync(imagePath))]), imagePath.split("/").pop());
      form.set("release", JSON.stringify(release));
      const answer = await apiClient({ url: values.url, token: values.token }).upload<{ image: { sha256: string; version: string }; created: boolean }>("/api/ota/images", form);
      print(`${answer.created ? "stored" : "already stored"}: ${answer.image.version} as ${answer.image.sha256}`);
      return 0;
    }
    case "sim-image": {
      const size = Number(values.size ?? 200 * 1024);
      if (!Number.isInteger(size) || size < 64) throw new UsageError("--size must be a whole number of bytes, at least 64");
      if (values.defect !== undefined && values.defect !== "no-connect") throw new UsageError("--defect may only be no-connect");
      const image = buildSimImage({ version: need("version"), board: need("board"), kind: need("kind"), defect: values.defect as SimImageDefect | undefined }, size);
      writeFileSync(need("out"), image);
      print(`simulated image ${values.version} (${size} bytes${values.defect ? `, defect ${values.defect}` : ""}) written to ${values.out}`);
      return 0;
    }
    default:
      process.stdout.write(HELP);
      return command === undefined || command === "help" || command === "--help" ? 0 : 64;
  }
}

function readRelease(path: string): SignedRelease {
  const release = JSON.parse(readFileSync(path, "utf8")) as SignedRelease;
  const problem = releaseProblem(release);
  if (problem) throw new UsageError(`${path}: ${problem}`);
  return release;
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function fail(message: string): number {
  process.stderr.write(`refused: ${message}\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    const known = error instanceof UsageError || error instanceof ApiError || (error as NodeJS.ErrnoException).code === "ENOENT" || error.name === "TypeError";
    process.stderr.write(`${known ? "error" : "unexpected error"}: ${error.message}\n`);
    process.exit(error instanceof UsageError ? 64 : 1);
  },
);
