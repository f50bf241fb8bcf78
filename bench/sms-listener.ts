/**
 * The people's side of `npm run bench:alarm` and `bench:storm`, in its own process: a server
 * shaped like Aliyun's SMS API (tests/support/fake-providers.ts: the RPC signature recomputed and
 * checked on every request), standing in for the provider the cloud delivers through. It notes
 * when the provider first took an SMS for each incident (wall clock, ms): the first *delivered*
 * notification, not a queue's acknowledgement.
 * Child → parent: { url }, then on { cmd: "report" }: { first: { [incidentId]: at }, accepted, refused }.
 */
import { fakeAliyun } from "../tests/support/fake-providers";

const [accessKeyId, accessKeySecret] = process.argv.slice(2);

async function main(): Promise<void> {
  const provider = await fakeAliyun({ [accessKeyId]: accessKeySecret });
  process.on("message", (request: { cmd: string }) => {
    if (request.cmd === "report") {
      const first: Record<string, number> = {};
      for (const { fields, atMs } of provider.accepted) {
        const incident = (fields.TemplateParam as { incident: string }).incident;
        first[incident] = Math.min(first[incident] ?? Infinity, atMs);
      }
      process.send!({ first, accepted: provider.accepted.length, refused: provider.refused.length });
    }
    if (request.cmd === "close") void provider.close().then(() => process.exit(0));
  });
  process.send!({ url: provider.url });
}

main().catch((error) => {
  process.stderr.write(`sms listener failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
