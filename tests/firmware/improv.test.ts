import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImprovSerial } from "improv-wifi-serial-sdk/dist/serial.js";
import { ImprovBluetoothLE } from "improv-wifi-sdk/dist/ble.js";
import { XsScenario } from "../support/xs";

/**
 * Improv Wi-Fi in XS against the Improv SDKs published on npm: the browser side of each test is the
 * SDK's own client (Web Serial for the maker's bench, Web Bluetooth for the installer's phone),
 * given a port or a GATT device whose bytes go to the node in XS and back.
 */
type Out = { serial: number[]; ble: Array<{ characteristic: "state" | "error" | "rpcResult"; value: number[] }> };
type Inspection = { state: number; status: string; flash: Record<string, string>; logs: string[]; done: { ssid: string } | null; identified: number; joined: string | null };

const HOME = { ssid: "幸福里小区-物业", password: "correct horse battery", rssiDbm: -48 };
const SHOP = { ssid: "ShopWiFi", password: "", rssiDbm: -71 };
const LIFT = { ssid: "Lift-3", password: "elevator-3-pass", rssiDbm: -80, silent: true };
const quiet = { log: () => {}, debug: () => {}, error: () => {} };

describe("Improv Wi-Fi setup (in XS, against the npm Improv SDKs)", () => {
  let xs: XsScenario;
  beforeAll(async () => {
    xs = await XsScenario.load(new URL("./xs/improv.ts", import.meta.url));
  });
  afterAll(() => xs.close());

  const step = async <T = Out>(request: Record<string, unknown>) => (await xs.call<T>(request)).value;
  const inspect = () => step<Inspection>({ op: "inspect" });
  const flush = () => new Promise((resolve) => setTimeout(resolve, 5));

  /** A Web Serial port whose far end is the node in XS. */
  function serialPort() {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const deliver = (out: Out) => {
      if (out.serial.length > 0) controller.enqueue(Uint8Array.from(out.serial));
    };
    const port = {
      readable: new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) }),
      writable: new WritableStream<Uint8Array>({ write: async (chunk) => deliver(await step({ op: "serial", bytes: Array.from(chunk) })) }),
    };
    return { port, deliver, advance: async (ms: number) => deliver(await step({ op: "advance", ms })) };
  }

  /** A Web Bluetooth device whose GATT server is the node in XS; writes are cut to 20 bytes as a small MTU would. */
  function bluetoothDevice() {
    const uuids = { state: "8001", error: "8002", rpcCommand: "8003", rpcResult: "8004", capabilities: "8005" } as const;
    const characteristics = new Map<string, EventTarget & { value?: DataView }>();
    const deliver = (out: Out) => {
      for (const { characteristic, value } of out.ble) {
        const target = characteristics.get(uuids[characteristic])!;
        target.value = new DataView(Uint8Array.from(value).buffer);
        target.dispatchEvent(new Event("characteristicvaluechanged"));
      }
    };
    for (const [name, suffix] of Object.entries(uuids)) {
      const target: EventTarget & { value?: DataView } = Object.assign(new EventTarget(), {
        startNotifications: async () => target,
        readValue: async () => new DataView(Uint8Array.from(await step<number[]>({ op: "bleRead", characteristic: name })).buffer),
        writeValueWithoutResponse: async (payload: Uint8Array) => {
          for (let at = 0; at < payload.length; at += 20) deliver(await step({ op: "ble", bytes: Array.from(payload.subarray(at, at + 20)) }));
        },
      });
      characteristics.set(suffix, target);
    }
    const device = Object.assign(new EventTarget(), {
      name: "守望 烟感 a4cf12",
      gatt: {
        connected: true,
        connect: async () => device.gatt,
        disconnect: () => void (device.gatt.connected = false),
        getPrimaryService: async (uuid: string) => {
          expect(uuid).toBe("00467768-6228-2272-4663-277478268000");
          return { getCharacteristic: async (id: string) => characteristics.get(id.slice(-4))! };
        },
      },
    });
    return { device, deliver, advance: async (ms: number) => deliver(await step({ op: "advance", ms })) };
  }

  it("enters setup with no Wi-Fi settings or with the button held at boot, not otherwise", async () => {
    expect((await step<{ entered: boolean }>({ op: "start", networks: [HOME] })).entered).toBe(true);
    const stored = { wifi: JSON.stringify({ ssid: HOME.ssid, password: HOME.password }) };
    expect((await step<{ entered: boolean }>({ op: "start", networks: [HOME], flash: stored })).entered).toBe(false);
    expect((await step<{ entered: boolean }>({ op: "start", networks: [HOME], flash: stored, buttonHeld: true })).entered).toBe(true);
  });

  it("serial: the SDK finds the node, reads its info, scans, and provisions it; settings stored, password never logged", async () => {
    await step({ op: "start", networks: [HOME, SHOP, LIFT] });
    const { port, advance } = serialPort();
    const client = new ImprovSerial(port as never, quiet);
    const info = await client.initialize(2000);
    expect(info).toMatchObject({ firmware: "shouwang-sensor", version: "0.3.0", chipFamily: "ESP32", name: "守望 烟感 a4cf12" });
    expect(client.state).toBe(2);

    const scanning = client.scan();
    await flush();
    await advance(2500);
    expect(await scanning).toEqual([
      { name: "ShopWiFi", rssi: -71, secured: false },
      { name: HOME.ssid, rssi: -48, secured: true },
    ]);

    const provisioning = client.provision(HOME.ssid, HOME.password);
    await flush();
    expect((await inspect()).state).toBe(3);
    await advance(2000);
    await provisioning;
    expect(client.state).toBe(4);
    expect(client.nextUrl).toBe("http://console.local/#/install/a4cf12345678");
    const after = await inspect();
    expect(after.done).toEqual({ ssid: HOME.ssid });
    expect(JSON.parse(after.flash.wifi)).toEqual({ ssid: HOME.ssid, password: HOME.password });
    expect(after.logs.join("\n")).not.toContain(HOME.password);
    await client.close();
  });

  it("serial: a wrong password and a network out of range each come back as 'unable to connect' with the reason, and nothing is stored", async () => {
    await step({ op: "start", networks: [HOME, LIFT] });
    const { port, advance } = serialPort();
    const client = new ImprovSerial(port as never, quiet);
    await client.initialize(2000);

    const wrong = client.provision(HOME.ssid, "not the password").catch((error: unknown) => error);
    await flush();
    await advance(2000);
    expect(await wrong).toBe("UNABLE_TO_CONNECT");
    expect(await inspect()).toMatchObject({ state: 2, status: "wrong-password", flash: {} });

    const missing = client.provision("Nobody-Here", "whatever-pass").catch((error: unknown) => error);
    await flush();
    await advance(3500);
    expect(await missing).toBe("UNABLE_TO_CONNECT");
    expect(await inspect()).toMatchObject({ state: 2, status: "no-network", flash: {} });

    const silent = client.provision(LIFT.ssid, LIFT.password).catch((error: unknown) => error);
    await flush();
    await advance(19_000);
    expect((await inspect()).state).toBe(3);
    await advance(2000);
    expect(await silent).toBe("UNABLE_TO_CONNECT");
    expect(await inspect()).toMatchObject({ state: 2, status: "timeout", flash: {} });

    const tooShort = client.provision(HOME.ssid, "short").catch((error: unknown) => error);
    expect(await tooShort).toBe("INVALID_RPC_PACKET");
    expect((await inspect()).status).toBe("bad-password");

    const right = client.provision(HOME.ssid, HOME.password);
    await flush();
    await advance(2000);
    await right;
    expect(client.state).toBe(4);
    await client.close();
  });

  it("a packet with a bad checksum is refused as an invalid RPC, and log lines around packets are skipped", async () => {
    await step({ op: "start", networks: [HOME] });
    const packet = [...Buffer.from("IMPROV"), 1, 3, 2, 3, 0];
    packet.push(packet.reduce((a, b) => a + b, 0) & 0xff);
    const good = await step({ op: "serial", bytes: [...Buffer.from("I (312) boot: ESP-IDF v5.1\n"), ...packet, 10] });
    expect(good.serial.slice(0, 9)).toEqual([...Buffer.from("IMPROV"), 1, 4, good.serial[8]]);
    packet[packet.length - 1] ^= 0xff;
    const bad = await step({ op: "serial", bytes: packet });
    expect(bad.serial.slice(6, 10)).toEqual([1, 2, 1, 1]);
  });

  it("Bluetooth: the SDK connects, reads capabilities, provisions over 20-byte writes; a second setup meanwhile is refused as busy", async () => {
    await step({ op: "start", networks: [HOME] });
    const { device, advance } = bluetoothDevice();
    const client = new ImprovBluetoothLE(device as never, quiet);
    await client.initialize();
    expect(client.currentState).toBe(2);
    expect(client.capabilities).toBe(1);
    client.identify();
    await flush();
    expect((await inspect()).identified).toBe(1);

    const provisioning = client.provision(HOME.ssid, HOME.password);
    await flush();
    expect(client.currentState).toBe(3);

    // A second installer (or a double tap) sends settings while the first attempt runs.
    const second = serialPort();
    const other = new ImprovSerial(second.port as never, quiet);
    await other.initialize(2000).catch(() => undefined);
    expect(await other.provision(HOME.ssid, "a different password").catch((error: unknown) => error)).toBe("UNKNOWN_ERROR");
    expect(await step<string[]>({ op: "serial", bytes: rpc(0xf0) }).then((out) => decodeResult((out as unknown as Out).serial))).toEqual(["busy"]);

    await advance(2000);
    expect(await provisioning).toBe("http://console.local/#/install/a4cf12345678");
    expect(client.currentState).toBe(4);
    expect(await inspect()).toMatchObject({ state: 4, done: { ssid: HOME.ssid }, joined: HOME.ssid });
  });

  it("access-point page: a form post tries the network and the page learns the outcome in words it can show", async () => {
    await step({ op: "start", networks: [HOME] });
    const form = (ssid: string, password: string) => new URLSearchParams({ ssid, password }).toString();
    expect(await step({ op: "portal", body: form(HOME.ssid, "wrong password!") })).toEqual({ state: "trying", reason: "" });
    await step({ op: "advance", ms: 2000 });
    expect(await step({ op: "portalStatus" })).toEqual({ state: "failed", reason: "wrong-password" });
    expect(await step({ op: "portal", body: "ssid=&password=" })).toEqual({ state: "failed", reason: "bad-ssid" });
    expect(await step({ op: "portal", body: form(HOME.ssid, HOME.password) })).toEqual({ state: "trying", reason: "" });
    await step({ op: "advance", ms: 2000 });
    expect(await step({ op: "portalStatus" })).toEqual({ state: "joined", reason: "" });
    expect(JSON.parse((await inspect()).flash.wifi).ssid).toBe(HOME.ssid);
    const page = await step<string>({ op: "portalPage" });
    expect(page).toContain('lang="zh-CN"');
    expect(page).toContain("密码不对");
    expect(page).not.toMatch(/https?:\/\//);
  });

  it("holding the button at boot never strands a node: with no installer it goes back to the settings it had", async () => {
    const stored = { wifi: JSON.stringify({ ssid: HOME.ssid, password: HOME.password }) };
    await step({ op: "start", networks: [HOME], flash: stored, buttonHeld: true, windowMs: 60_000 });
    await step({ op: "advance", ms: 59_000 });
    expect((await inspect()).done).toBeNull();
    await step({ op: "advance", ms: 2000 });
    expect((await inspect()).done).toEqual({ ssid: HOME.ssid });
  });
});

/** A serial RPC packet as the SDK writes one: magic, version, type 3, length, command, 0, checksum, newline. */
function rpc(command: number): number[] {
  const packet = [...Buffer.from("IMPROV"), 1, 3, 2, command, 0];
  packet.push(packet.reduce((a, b) => a + b, 0) & 0xff, 10);
  return packet;
}

/** The strings of the last RPC-result packet in a serial stream. */
function decodeResult(bytes: number[]): string[] {
  for (let at = bytes.length - 1; at >= 0; at--) {
    if (bytes[at] === 0x49 && Buffer.from(bytes.slice(at, at + 6)).toString() === "IMPROV" && bytes[at + 7] === 4) {
      const data = bytes.slice(at + 9, at + 9 + bytes[at + 8]);
      const values: string[] = [];
      for (let i = 2; i < 2 + data[1]; i += data[i] + 1) values.push(Buffer.from(data.slice(i + 1, i + 1 + data[i])).toString());
      return values;
    }
  }
  return [];
}
