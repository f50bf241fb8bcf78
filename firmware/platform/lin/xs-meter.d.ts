/** What `meter()` (xs-meter.js, native/xs-meter.c) reads from the XS machine, after a collection. */
export interface XsMeter {
  /** sizeof(txSlot) in this build: 16 on a 32-bit machine such as the ESP32. */
  slotBytes: number;
  slots: number;
  slotsPeak: number;
  /** Bytes. */
  chunks: number;
  chunksPeak: number;
  keys: number;
  /** Slots; instrumented builds only. */
  stackPeak?: number;
  modules?: number;
  collections?: number;
  /** The stack's size, in slots. */
  stack: number;
}

export default function meter(): XsMeter;
