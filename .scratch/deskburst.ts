import { nodes as nodesTable, places } from "../cloud/db/schema";
import { createPlace } from "../cloud/places/queries";
import { insertStaff, replaceScopes } from "../cloud/staff/queries";
import { encodeMessage } from "../shared/codec";
import { nodeTopic } from "../shared/topics";
import { testCloud } from "../tests/support/cloud";
import { alarm } from "../tests/support/messages";

const N = Number(process.argv[2] ?? 300);
const cloud = await testCloud({ sms: { name: "null-sms", async send() { return { status: "accepted" } as any; } } as any });
const db = cloud.database.db;
const t0 = cloud.clock.now;
await createPlace(db, { id: "st", parentId: null, level: "street", name: "S" }, t0);
await createPlace(db, { id: "cm", parentId: "st", level: "community", name: "C" }, t0);
await createPlace(db, { id: "cp", parentId: "cm", level: "compound", name: "P" }, t0);
for (let b = 0; b < 100; b++) {
  const bd = await createPlace(db, { id: `bd-${b}`, parentId: "cp", level: "building", name: `B${b}` }, t0);
  const floors = [], rows = [];
  for (let f = 0; f < 10; f++) { const n = b * 10 + f; floors.push({ id: `fl-${n}`, parentId: bd.id, level: "floor" as const, name: `F${f}`, path: `${bd.path}fl-${n}/`, createdAt: t0 }); rows.push({ id: `smoke-${String(n).padStart(4, "0")}`, placeId: `fl-${n}`, online: true, firstSeenAt: t0, lastSeenAt: t0 }); }
  await db.insert(places).values(floors); await db.insert(nodesTable).values(rows);
  const lead = await insertStaff(db, { name: `lead ${b}`, role: "building-lead", phone: `+8613900${String(b).padStart(5, "0")}` }, t0);
  await replaceScopes(db, lead.id, [bd.id]);
}
for (const [role, place] of [["property-staff", "cp"], ["community-office", "cm"], ["street-office", "st"]] as const) { const p = await insertStaff(db, { name: role, role, phone: "+8613911112222" }, t0); await replaceScopes(db, p.id, [place]); }
const sqlTime = new Map<string, { ms: number; calls: number; rows: number }>();
const client: any = cloud.database.client;
for (const m of ["execute", "batch"]) { const orig = client[m].bind(client); client[m] = async (...a: any[]) => { const t = performance.now(); const r = await orig(...a); const ms = performance.now() - t; const st = m === "batch" ? `batch ${a[0].length}: ${a[0][0]?.sql ?? a[0][0]}` : (a[0]?.sql ?? a[0]); const k = String(st).replace(/\(\?(,\s*\?)*\)(,\s*\(\?(,\s*\?)*\))*/g, "(?…)").slice(0, 150); const e = sqlTime.get(k) ?? { ms: 0, calls: 0, rows: 0 }; e.ms += ms; e.calls++; e.rows += m === "batch" ? 0 : (r?.rows?.length ?? 0); sqlTime.set(k, e); return r; }; }
const bytes = (s: string) => new TextEncoder().encode(s);
sqlTime.clear();
const started = performance.now();
const cpu0 = process.cpuUsage();
await Promise.all(Array.from({ length: N }, (_, i) => cloud.ingest.handle(nodeTopic(`smoke-${String(i).padStart(4, "0")}`, "alarm"), bytes(encodeMessage({ ...alarm, node: `smoke-${String(i).padStart(4, "0")}`, seq: 1 })))));
const stored = performance.now();
await cloud.routing.desk.idle();
const done = performance.now();
const cpu = process.cpuUsage(cpu0);
console.log(`${N} alarms: stored in ${(stored - started).toFixed(0)} ms, desk done after ${(done - stored).toFixed(0)} ms = ${((done - stored) / N).toFixed(2)} ms per incident; cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`);
console.log([...sqlTime].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30).map(([k, v]) => `${v.ms.toFixed(0).padStart(6)} ms ${String(v.calls).padStart(5)}× rows ${String(v.rows).padStart(7)}  ${k}`).join("\n"));
await cloud.close();
process.exit(0);
