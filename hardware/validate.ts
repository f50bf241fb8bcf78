import type { BoardDefinition } from "./boards/board";
import { CHIPS, type ChipDefinition } from "./chips";
import { NODE_KIND_DEFINITIONS } from "./kinds";
import { OUTPUT_USES, type NodeKindDefinition, type SignalDefinition } from "./kinds/kind";

export interface BoardCheck {
  /** What the chip or board cannot do: the definition must not be used. */
  errors: string[];
  /** Allowed, but worth a second look when wiring. */
  warnings: string[];
}

export interface CheckOptions {
  /** Node kinds whose signals the board must carry. Default: every kind. */
  kinds?: readonly NodeKindDefinition[];
  /** Shouwang nodes always run Wi-Fi, which takes ADC2 (ESP-IDF adc_oneshot, "Hardware Limitations"). */
  wifi?: boolean;
}

interface Use {
  signal: SignalDefinition;
  kinds: string[];
}

/**
 * Checks a board definition against its chip and the node kinds' signals, in the spirit of
 * ESPHome's pin schema: every problem is reported, each naming the pin, the reason and a way out.
 */
export function checkBoard(board: BoardDefinition, options: CheckOptions = {}): BoardCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  const chip = CHIPS[board.chip];
  if (!chip) return { errors: [`${board.id}: chip "${board.chip}" is not one of ${Object.keys(CHIPS).join(", ")}`], warnings };
  const kinds = options.kinds ?? Object.values(NODE_KIND_DEFINITIONS);
  const wifi = options.wifi ?? true;

  const uses = new Map<string, Use>();
  for (const kind of kinds) {
    for (const [name, signal] of Object.entries(kind.signals)) {
      const known = uses.get(name);
      if (!known) uses.set(name, { signal, kinds: [kind.id] });
      else if (known.signal.use !== signal.use) {
        errors.push(`signal "${name}" is ${known.signal.use} in the ${known.kinds[0]} kind but ${signal.use} in the ${kind.id} kind: give one of them another name`);
      } else known.kinds.push(kind.id);
    }
  }

  for (const [name, use] of uses) {
    if (board.pins[name] === undefined) {
      errors.push(`${board.id}: the ${use.kinds.join(" and ")} kind${use.kinds.length > 1 ? "s need" : " needs"} a pin named "${name}" (${use.signal.use}); add it to the board's pins`);
    }
  }

  errors.push(...driveProblems(board, uses));
  if (!(board.adcFullScaleMv > 0 && board.adcFullScaleMv <= 3300)) {
    errors.push(`${board.id}: adcFullScaleMv must be the millivolts at the ADC's top count (0–3300), not ${board.adcFullScaleMv}`);
  }

  const owner = new Map<number, string>();
  for (const [name, gpio] of Object.entries(board.pins)) {
    const at = `${board.id}: pin "${name}" on GPIO${gpio}`;
    const problem = pinProblem(board, chip, gpio);
    if (problem) {
      errors.push(`${at}: ${problem}`);
      continue;
    }
    const other = owner.get(gpio);
    if (other !== undefined) {
      errors.push(`${at}: GPIO${gpio} is already "${other}"; each GPIO carries one signal`);
      continue;
    }
    owner.set(gpio, name);
    const use = uses.get(name);
    if (!use) continue;
    const verdict = useProblem(chip, gpio, use.signal, wifi);
    if (verdict.error) {
      const alternatives = alternativesFor(board, chip, use.signal, wifi);
      errors.push(`${at}: ${verdict.error}${alternatives ? `; free pins that would do: ${alternatives}` : ""}`);
    } else if (verdict.warning) {
      warnings.push(`${at}: ${verdict.warning}`);
    }
  }
  return { errors, warnings };
}

/**
 * Each held output's drive must name an output of some kind, and a level drive must energize at
 * the level the kind says, or the "safe" level would be the energizing one.
 */
function driveProblems(board: BoardDefinition, uses: Map<string, Use>): string[] {
  const problems: string[] = [];
  for (const [name, drive] of Object.entries(board.outputDrive)) {
    const at = `${board.id}: outputDrive "${name}"`;
    // A board carries every kind; checked for some kinds only, a drive of another kind's output is fine.
    const use = uses.get(name) ?? signalAnywhere(name);
    if (!use || (use.signal.use !== "relay" && use.signal.use !== "digital-out")) {
      problems.push(`${at} names no relay or output of any node kind`);
    } else if (drive.drive === "pulse" && !(Number.isInteger(drive.holdMs) && drive.holdMs > 0)) {
      problems.push(`${at}: a pulse drive needs the monostable's hold time in whole ms (holdMs)`);
    } else if (drive.drive === "level" && (drive.activeLevel === 1 ? "high" : "low") !== use.signal.activeLevel) {
      problems.push(`${at} energizes at ${drive.activeLevel} but the ${use.kinds[0]} kind says active ${use.signal.activeLevel}`);
    }
  }
  for (const [name, use] of uses) {
    if (use.signal.use === "relay" && board.outputDrive[name] === undefined) {
      problems.push(`${board.id}: the relay "${name}" needs an outputDrive (pulse through a monostable, or level)`);
    }
  }
  return problems;
}

function signalAnywhere(name: string): Use | undefined {
  const kind = Object.values(NODE_KIND_DEFINITIONS).find((k) => k.signals[name] !== undefined);
  return kind && { signal: kind.signals[name], kinds: [kind.id] };
}

/** Whether the board can offer this GPIO to anything at all. */
function pinProblem(board: BoardDefinition, chip: ChipDefinition, gpio: number): string | null {
  if (!Number.isInteger(gpio) || !chip.gpios.includes(gpio)) return `the ${chip.name} has no GPIO${gpio}`;
  if (chip.flash.includes(gpio)) {
    return `GPIO${first(chip.flash)}–${last(chip.flash)} connect the module's SPI flash; touching one crashes the chip (${chip.source})`;
  }
  const octal = board.module.flash === "octal" || board.module.psram === "octal";
  if (octal && chip.octalSpi.includes(gpio)) {
    return `GPIO${first(chip.octalSpi)}–${last(chip.octalSpi)} carry the octal PSRAM/flash of the ${board.module.name}; they are not free on this module (${chip.source})`;
  }
  const reserved = board.reserved[gpio];
  if (reserved) return `the board uses GPIO${gpio} for ${reserved}`;
  if (board.header[gpio] === undefined) return `GPIO${gpio} is not brought out on the ${board.name}'s headers`;
  return null;
}

function useProblem(chip: ChipDefinition, gpio: number, signal: SignalDefinition, wifi: boolean): { error?: string; warning?: string } {
  const inputOnly = chip.inputOnly.includes(gpio);
  const strapping = chip.strapping[gpio];
  if (OUTPUT_USES.includes(signal.use) && inputOnly) {
    return { error: `GPIO${gpio} is input-only on the ${chip.name} (no output driver), and ${signal.use} needs an output` };
  }
  if (signal.use === "analog-in") {
    const adc = chip.adc[gpio];
    if (!adc) return { error: `GPIO${gpio} has no ADC channel on the ${chip.name}` };
    if (adc.unit === 2 && wifi) {
      return { error: `GPIO${gpio} is ADC2_CH${adc.channel}, and ADC2 is used by Wi-Fi while it runs (ESP-IDF adc_oneshot, "Hardware Limitations"); use an ADC1 pin` };
    }
  }
  if ((signal.use === "relay" || signal.use === "digital-out") && !signal.activeLevel) {
    return { error: `an output must say its activeLevel ("high" or "low"), so the safe de-energized level is known` };
  }
  if (signal.use === "relay" && strapping) {
    return { error: `GPIO${gpio} is a strapping pin (${strapping}): its level through reset decides how the chip boots, and a relay on it could pull in while the node boots` };
  }
  if ((signal.pull === "up" || signal.pull === "down") && inputOnly) {
    return { error: `GPIO${gpio} has no internal pull resistors on the ${chip.name}; fit an external ${signal.pull === "up" ? "pull-up" : "pull-down"} and mark the signal pull: "external"` };
  }
  if (strapping && signal.use === "button") {
    return { warning: `GPIO${gpio} is a strapping pin (${strapping}); a button held during power-up changes how the chip boots` };
  }
  if (strapping) {
    return { warning: `GPIO${gpio} is a strapping pin (${strapping}); whatever is wired to it must leave its level alone at reset` };
  }
  return {};
}

function alternativesFor(board: BoardDefinition, chip: ChipDefinition, signal: SignalDefinition, wifi: boolean): string {
  const taken = new Set(Object.values(board.pins));
  const free = Object.keys(board.header)
    .map(Number)
    .filter((gpio) => !taken.has(gpio) && !pinProblem(board, chip, gpio) && !useProblem(chip, gpio, signal, wifi).error)
    .sort((a, b) => a - b);
  return free.length ? free.map((gpio) => `GPIO${gpio}`).join(", ") : "";
}

function first(list: readonly number[]): number {
  return list[0];
}

function last(list: readonly number[]): number {
  return list[list.length - 1];
}
