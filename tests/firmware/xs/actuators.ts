import { HeldOutput } from "../../../firmware/actuators/held-output";
import { DfPlayerMini } from "../../../firmware/drivers/dfplayer-mini";
import { NextionDisplay } from "../../../firmware/drivers/nextion-display";
import { Debouncer } from "../../../firmware/inputs/debouncer";
import { HeartbeatMonitor } from "../../../firmware/inputs/heartbeat-monitor";
import type { DigitalConstructor, SerialConstructor } from "../../../firmware/ports/io";
import { serveScenario } from "./scenario";

/** Drivers and input filters on their own, in XS: the bytes and levels they produce. */
const frames: number[][] = [];
const writes: number[] = [];

const RecordingSerial = class {
  write(data: Uint8Array) {
    frames.push(Array.from(data));
  }
  close() {}
} as unknown as SerialConstructor;

const RecordingDigital = Object.assign(
  class {
    read() {
      return 0;
    }
    write(value: number) {
      writes.push(value);
    }
    close() {}
  },
  { Input: 0, InputPullUp: 1, Output: 8 },
) as unknown as DigitalConstructor;

serveScenario((request: { run: string; samples?: Array<[number, number]>; riseMs?: number; fallMs?: number; initial?: 0 | 1; text?: string }) => {
  frames.length = 0;
  writes.length = 0;
  switch (request.run) {
    case "dfplayer": {
      const player = new DfPlayerMini({ io: RecordingSerial, transmit: 17, port: 1 });
      player.play(1);
      player.play(300);
      player.stop();
      player.volume(15);
      player.volume(99);
      return frames;
    }
    case "nextion": {
      const display = new NextionDisplay({ io: RecordingSerial, transmit: 16, port: 1 });
      display.show(request.text ?? "");
      return frames;
    }
    case "pulse": {
      const output = new HeldOutput({ io: RecordingDigital, pin: 25, drive: { drive: "pulse", holdMs: 450 } });
      output.refresh();
      output.set(true);
      for (let i = 0; i < 5; i++) output.refresh();
      output.set(false);
      output.refresh();
      return writes;
    }
    case "level": {
      const output = new HeldOutput({ io: RecordingDigital, pin: 25, drive: { drive: "level", activeLevel: 0 } });
      output.set(true);
      output.refresh();
      output.set(false);
      return writes;
    }
    case "debounce": {
      const debouncer = new Debouncer({ riseMs: request.riseMs ?? 0, fallMs: request.fallMs, initial: request.initial });
      return (request.samples ?? []).map(([raw, atMs]) => [debouncer.update(raw, atMs), debouncer.level, debouncer.settled ? 1 : 0]);
    }
    case "heartbeat": {
      const monitor = new HeartbeatMonitor({ timeoutMs: 1000 });
      return (request.samples ?? []).map(([raw, atMs]) => {
        monitor.update(raw, atMs);
        return monitor.alive(atMs) ? 1 : 0;
      });
    }
  }
  return null;
});
