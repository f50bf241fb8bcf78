/**
 * `npm run bench:desk`: what one incident costs the incident desk, with nothing else running. A
 * hundred buildings of ten floors, a lead per building and the compound's, community's and
 * street's staff; then `--fires` (default 300) fire alarms on different floors at once, stored
 * through the ingest, and the desk opens an incident for each and hands its first round to the
 * notifier (an SMS provider that accepts at once). Prints the time until the last was worked, per
 * incident, and the process's CPU time over it; `BENCH_SQL_PROFILE=1` adds the statements' time.
 *
 *   npm run bench:desk [-- --fires 300]
 */
import type { ResultSet } from "@libsql/client";
import { nodes as nodesTable, places } from "../cloud/db/schema";
import type { ProviderChannel } from "../cloud/notify/providers/channel";
import { createPlace } from "../cloud/places/queries";
import { insertStaff, replaceScopes } from "../cloud/staff/queries";
import { encodeMessage } from "../shared/codec";
import { nodeTopic } from "../shared/topics";
import { testCloud } from "../tests/support/cloud";
import { alarm } from "../tests/support/messages";

const at = process.argv.indexOf("--fires");
const FIRES = at >= 0 ? Number(process.argv[at + 1]) : 300;
const BUILDINGS = Math.max(1, Math.ceil(FIRES / 10));
const nodeId = (n: number) => `smoke-${String(n).padStart(5, "0")}`;

const acceptingSms: ProviderChannel<string> = { name: "bench-sms", send: async () => ({ status: "accepted" }) };
const cloud = await testCloud({ sms: acceptingSms });
const { db } = cloud.database;
const t0 = cloud.clock.now;
await createPlace(db, { id: "st", parentId: null, level: "street", name: "Bench Street" }, t0);
await createPlace(db, { id: "cm", parentId: "st", level: "community", name: "Bench Community" }, t0);
await createPlace(db, { id: "cp", parentId: "cm", level: "compound", name: "Bench Compound" }, t0);
for (let b = 0; b < BUILDINGS; b++) {
  const building = await createPlace(db, { id: `bd-${b}`, parentId: "cp", level: "building", name: `Building ${b}` }, t0);
  const floors = Array.from({ length: 10 }, (_, f) => b * 10 + f);
  await db.insert(places).values(floors.map((n) => ({ id: `fl-${n}`, parentId: building.id, level: "floor" as const, name: `Floor ${(n % 10) + 1}`, path: `${building.path}fl-${n}/`, createdAt: t0 })));
  await db.insert(nodesTable).values(floors.map((n) => ({ id: nodeId(n), placeId: `fl-${n}`, online: true, firstSeenAt: t0, lastSeenAt: t0 })));
  const lead = await insertStaff(db, { name: `Lead ${b}`, role: "building-lead", phone: `+86139${String(b).padStart(8, "0")}` }, t0);
  await replaceScopes(db, lead.id, [building.id]);
}
for (const [role, place] of [["property-staff", "cp"], ["community-office", "cm"], ["street-office", "st"]] as const) {
  const person = await insertStaff(db, { name: role, role, phone: "+8613800000000" }, t0);
  await replaceScopes(db, person.id, [place]);
}

const statementMs = new Map<string, { ms: number; calls: number }>();
if (process.env.BENCH_SQL_PROFILE) {
  const client = cloud.database.client as unknown as { execute: (...args: unknown[]) => Promise<ResultSet> };
  const execute = client.execute.bind(client);
  client.execute = async (...args: unknown[]) => {
    const started = performance.now();
    try {
      return await execute(...args);
    } finally {
      const first = args[0] as string | { sql: string };
      const text = (typeof first === "string" ? first : first.sql).slice(0, 120);
      const entry = statementMs.get(text) ?? { ms: 0, calls: 0 };
      entry.ms += performance.now() - started;
      entry.calls++;
      statementMs.set(text, entry);
    }
  };
}

const bytes = (text: string) => new TextEncoder().encode(text);
const cpuBefore = process.cpuUsage();
const started = performance.now();
await Promise.all(Array.from({ length: FIRES }, (_, n) => cloud.ingest.handle(nodeTopic(nodeId(n), "alarm"), bytes(encodeMessage({ ...alarm, node: nodeId(n), seq: 1 })))));
const stored = performance.now();
await cloud.routing.desk.idle();
const worked = performance.now();
const cpu = process.cpuUsage(cpuBefore);
const { rows } = await cloud.database.client.execute("select count(*) as n from incidents");

process.stdout.write(`bench:desk — ${FIRES} fires at once on ${FIRES} floors of ${BUILDINGS} buildings, nothing else running\n`);
process.stdout.write(`  stored by the ingest                       ${(stored - started).toFixed(0)} ms\n`);
process.stdout.write(`  desk: last incident worked after           ${(worked - stored).toFixed(0)} ms (${((worked - stored) / FIRES).toFixed(2)} ms per incident)\n`);
process.stdout.write(`  incidents opened                           ${Number(rows[0].n)}\n`);
process.stdout.write(`  process CPU over both                      ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms\n`);
if (statementMs.size) {
  process.stdout.write("  statements (the client's time, each call's awaits included), heaviest first:\n");
  for (const [text, { ms, calls }] of [...statementMs].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20)) {
    process.stdout.write(`  ${ms.toFixed(0).padStart(7)} ms ${String(calls).padStart(5)}×  ${text}\n`);
  }
}
await cloud.close();
process.exit(0);
